import { Body, Controller, Get, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Allow } from '../../common/auth/policy.decorator';
import { checkForm, type FieldErrors } from '../../common/http/forms';
import { type Checked, submitForm, typedValues } from '../../common/views/form-submit';
import { renderPage } from '../../common/views/render-page';
import { type SupportedLocale, translate } from '../../common/i18n/i18n';
import type { AuthenticatedRequest } from '../accounts/auth.guard';
import { FoundationProfileDto } from '../foundation/dto/foundation.dto';
import type { Foundation } from '../foundation/foundation.entity';
import { FoundationService } from '../foundation/foundation.service';
import { type AdminContext, adminContext } from './admin-page';
import { fieldText } from './admin-view-helpers';

/** The form's fields; currency, default language and receipt prefix are kept as they are. */
const EDITABLE = ['legalNameZh', 'legalNameEn', 'registrationNumber', 'fundraisingQualification'];

/** A field's message in the reader's language (the DTO's are the API's, in English). */
const FIELD_ERROR: Record<string, string> = {
  legalNameZh: 'admin.foundation.nameLength',
  legalNameEn: 'admin.foundation.nameLength',
  registrationNumber: 'admin.foundation.registrationLength',
  fundraisingQualification: 'admin.foundation.qualificationLength',
};

/**
 * The foundation's profile as campaign pages disclose it (ADMIN): legal names, registration
 * number and public fundraising qualification, saved (and audited) by FoundationService.
 */
@ApiExcludeController()
@Controller('admin/foundation')
export class AdminFoundationController {
  constructor(private readonly foundation: FoundationService) {}

  @Get()
  @Allow('ADMIN')
  async page(@Req() req: AuthenticatedRequest, @Res() reply: FastifyReply) {
    const ctx = adminContext(req, reply);
    const profile = await this.foundation.findProfile();
    return this.render(reply, ctx, profile, { values: profile ? { ...profile } : {} }, 200);
  }

  @Post()
  @Allow('ADMIN')
  async save(@Req() req: AuthenticatedRequest, @Res() reply: FastifyReply, @Body() body: unknown) {
    const ctx = adminContext(req, reply);
    const profile = await this.foundation.findProfile();
    const values = typedValues(body);
    if (!profile) {
      const formError = translate(ctx.locale, 'admin.foundation.notConfigured');
      return this.render(reply, ctx, null, { values, formError }, 409);
    }
    return submitForm({
      reply,
      locale: ctx.locale,
      check: () => checkProfile(profile, values, ctx.locale),
      again: (errors, status, formError) =>
        this.render(reply, ctx, profile, { values, errors, formError }, status),
      run: (dto) => this.foundation.saveProfile(dto),
      done: () => ({
        flash: { kind: 'success', text: 'admin.foundation.saved' },
        to: '/admin/foundation',
      }),
    });
  }

  private render(
    reply: FastifyReply,
    ctx: AdminContext,
    profile: Foundation | null,
    state: { values: Record<string, unknown>; errors?: FieldErrors; formError?: string },
    status: number,
  ) {
    return renderPage(
      reply,
      ctx,
      'pages/admin/foundation',
      {
        title: translate(ctx.locale, 'admin.foundation.title'),
        profile: profile
          ? {
              currency: profile.currency.trim(),
              defaultLocale: profile.defaultLocale,
              receiptPrefix: profile.receiptPrefix,
            }
          : null,
        values: state.values,
        errors: state.errors ?? {},
        formError: state.formError,
      },
      status,
    );
  }
}

/**
 * The typed fields over the current profile, checked by the API's DTO. An emptied qualification
 * is written as empty (the DTO alone would read it as "left out" and keep the old one).
 */
function checkProfile(
  current: Foundation,
  values: Record<string, unknown>,
  locale: SupportedLocale,
): Checked<FoundationProfileDto> {
  const typed = Object.fromEntries(EDITABLE.map((f) => [f, fieldText(values[f]).trim()]));
  const checked = checkForm(
    FoundationProfileDto,
    {
      currency: current.currency.trim(),
      defaultLocale: current.defaultLocale,
      receiptPrefix: current.receiptPrefix,
      ...typed,
    },
    locale,
  );
  if (checked.errors) {
    const errors: FieldErrors = {};
    for (const field of Object.keys(checked.errors)) {
      errors[field] = FIELD_ERROR[field] ?? checked.errors[field]!;
    }
    return { value: null, errors };
  }
  checked.value.fundraisingQualification = typed.fundraisingQualification ?? '';
  return checked;
}
