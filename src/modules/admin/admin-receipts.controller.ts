import { Body, Controller, Get, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Allow } from '../../common/auth/policy.decorator';
import type { FieldErrors } from '../../common/http/forms';
import { isUpload, registerUploadRoutes, uploadedFile } from '../../common/http/upload-parser';
import { translate, type SupportedLocale } from '../../common/i18n/i18n';
import { type Checked, submitForm, typedValues } from '../../common/views/form-submit';
import { renderPage } from '../../common/views/render-page';
import type { AuthenticatedRequest } from '../accounts/auth.guard';
import {
  type ReceiptWording,
  ReceiptSettingsService,
  SEAL_MAX_BYTES,
  WORDING_LIMITS,
} from '../receipts/receipt-settings.service';
import { type AdminContext, adminContext, currentUser } from './admin-page';
import { fieldText } from './admin-view-helpers';

export const SEAL_UPLOAD_ROUTE = '/admin/receipts/settings/seal';

// The seal form posts multipart/form-data: the file and the CSRF token.
registerUploadRoutes({
  url: SEAL_UPLOAD_ROUTE,
  rawTypes: [],
  maxBytes: SEAL_MAX_BYTES + 64 * 1024,
  pageForm: true,
});

const WORDING_FIELDS = Object.keys(WORDING_LIMITS) as (keyof ReceiptWording)[];

/**
 * The foundation's receipt settings (ADMIN): the wording printed on receipts issued from now on,
 * and the seal image with a preview. Both changes are audited by the service.
 */
@ApiExcludeController()
@Controller('admin/receipts/settings')
export class AdminReceiptsController {
  constructor(private readonly settings: ReceiptSettingsService) {}

  @Get()
  @Allow('ADMIN')
  async page(@Req() req: AuthenticatedRequest, @Res() reply: FastifyReply) {
    const ctx = adminContext(req, reply);
    return this.render(reply, ctx, {}, 200);
  }

  @Post()
  @Allow('ADMIN')
  async save(@Req() req: AuthenticatedRequest, @Res() reply: FastifyReply, @Body() body: unknown) {
    const ctx = adminContext(req, reply);
    const user = currentUser(req);
    const values = typedValues(body);
    return submitForm({
      reply,
      locale: ctx.locale,
      check: () => checkWording(values, ctx.locale),
      again: (errors, status, formError) =>
        this.render(reply, ctx, { values, errors, formError }, status),
      run: (wording) => this.settings.save(wording, user.userId),
      done: () => ({
        flash: { kind: 'success', text: 'receipts.settings.saved' },
        to: '/admin/receipts/settings',
      }),
    });
  }

  @Post('seal')
  @Allow('ADMIN')
  async uploadSeal(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Body() body: unknown,
  ) {
    const ctx = adminContext(req, reply);
    const user = currentUser(req);
    return submitForm({
      reply,
      locale: ctx.locale,
      check: (): Checked<Buffer> => {
        const file = sealFile(body);
        return file
          ? { value: file, errors: null }
          : { value: null, errors: { seal: 'receipts.settings.chooseFile' } };
      },
      again: (errors, status, formError) =>
        this.render(reply, ctx, { sealError: errors.seal ?? formError }, status),
      run: (file) => this.settings.saveSeal(file, user.userId),
      done: () => ({
        flash: { kind: 'success', text: 'receipts.settings.sealSaved' },
        to: '/admin/receipts/settings',
      }),
      fieldByCode: { RECEIPT_SEAL_INVALID: 'seal', RECEIPT_SEAL_TOO_LARGE: 'seal' },
    });
  }

  /** The stored seal (a PNG this code wrote), for the preview. */
  @Get('seal.png')
  @Allow('ADMIN')
  async seal(@Res() reply: FastifyReply) {
    const png = await this.settings.seal();
    if (!png) return reply.status(404).type('text/plain; charset=utf-8').send('No seal yet.');
    return reply
      .type('image/png')
      .header('cache-control', 'no-store')
      .header('x-content-type-options', 'nosniff')
      .send(png);
  }

  private async render(
    reply: FastifyReply,
    ctx: AdminContext,
    state: {
      values?: Record<string, unknown>;
      errors?: FieldErrors;
      formError?: string;
      sealError?: string;
    },
    status: number,
  ) {
    const current = await this.settings.get();
    const values: Record<string, unknown> = { ...current, ...state.values };
    return renderPage(
      reply,
      ctx,
      'pages/admin/receipt-settings',
      {
        title: translate(ctx.locale, 'receipts.settings.title'),
        values,
        errors: state.errors ?? {},
        formError: state.formError,
        sealError: state.sealError,
        hasSeal: current.hasSeal,
        // A new address each time the seal changes, so the preview is never a stale image.
        sealUrl: `/admin/receipts/settings/seal.png?v=${current.updatedAt.getTime()}`,
        updatedAt: current.updatedAt,
      },
      status,
    );
  }
}

/** The wording as typed, trimmed, with a message in words beside each field out of its limits. */
function checkWording(
  values: Record<string, unknown>,
  locale: SupportedLocale,
): Checked<ReceiptWording> {
  const errors: FieldErrors = {};
  const wording = {} as ReceiptWording;
  for (const field of WORDING_FIELDS) {
    const text = fieldText(values[field]).trim();
    const { min, max } = WORDING_LIMITS[field];
    if ([...text].length > max || (min > 0 && text.length < min)) {
      errors[field] = translate(
        locale,
        min > 0 ? 'receipts.settings.required' : 'receipts.settings.tooLong',
        { max },
      );
    }
    wording[field] = text;
  }
  return Object.keys(errors).length > 0
    ? { value: null, errors }
    : { value: wording, errors: null };
}

/** The uploaded seal's bytes, or null when the form came without a file. */
function sealFile(body: unknown): Buffer | null {
  if (!isUpload(body)) return null;
  try {
    const file = uploadedFile(body, 'seal');
    return file.data.length > 0 ? file.data : null;
  } catch {
    return null;
  }
}
