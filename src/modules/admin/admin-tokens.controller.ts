import { Body, Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Authenticated } from '../../common/auth/policy.decorator';
import { DomainError } from '../../common/errors';
import { checkForm } from '../../common/http/forms';
import { uuidPipe } from '../../common/http/validation';
import { setFlash } from '../../common/views/page-context';
import type { AuthenticatedRequest } from '../accounts/auth.guard';
import { TokensService } from '../accounts/tokens.service';
import { AdminPeopleViews } from './admin-people.views';
import {
  adminContext,
  currentUser,
  domainErrorText,
  localizeErrors,
  renderAdmin,
  typedValues,
} from './admin-page';
import { CreateTokenForm } from './dto/admin-forms.dto';

/** The signed-in user's personal access tokens for the API: list, create (shown once), revoke. */
@ApiExcludeController()
@Controller('admin/tokens')
export class AdminTokensController {
  constructor(
    private readonly views: AdminPeopleViews,
    private readonly tokens: TokensService,
  ) {}

  @Get()
  @Authenticated()
  async list(@Req() req: AuthenticatedRequest, @Res() reply: FastifyReply) {
    const ctx = adminContext(req, reply);
    return renderAdmin(
      reply,
      ctx,
      'pages/admin/tokens',
      await this.views.tokensPage(currentUser(req).userId, ctx.locale),
    );
  }

  /** The token is in this response only (never stored in clear, never shown again, never cached). */
  @Post()
  @Authenticated()
  async create(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Body() body: unknown,
  ) {
    const ctx = adminContext(req, reply);
    const user = currentUser(req);
    const form = checkForm(CreateTokenForm, body);
    if (form.errors) {
      const view = await this.views.tokensPage(user.userId, ctx.locale, {
        values: typedValues(body),
        errors: localizeErrors(form.errors, ctx.locale),
      });
      return renderAdmin(reply, ctx, 'pages/admin/tokens', view, 400);
    }
    const { token, record } = await this.tokens.create(
      user.userId,
      form.value.name,
      form.value.expiresInDays,
    );
    return renderAdmin(
      reply,
      ctx,
      'pages/admin/token-created',
      {
        title: record.name,
        token,
        record: this.views.tokenRow(record, ctx.locale),
      },
      201,
    );
  }

  @Post(':id/revoke')
  @Authenticated()
  async revoke(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Param('id', uuidPipe) id: string,
  ) {
    const ctx = adminContext(req, reply);
    try {
      await this.tokens.revoke(currentUser(req).userId, id);
      setFlash(reply, { kind: 'success', text: 'admin.tokens.revoked' });
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      setFlash(reply, { kind: 'error', text: domainErrorText(error, ctx.locale) });
    }
    return reply.redirect('/admin/tokens', 303);
  }
}
