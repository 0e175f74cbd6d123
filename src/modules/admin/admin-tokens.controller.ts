import { Body, Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Authenticated } from '../../common/auth/policy.decorator';
import { checkForm } from '../../common/http/forms';
import { uuidPipe } from '../../common/http/validation';
import { submitButton, submitForm, typedValues } from '../../common/views/form-submit';
import { renderPage } from '../../common/views/render-page';
import type { AuthenticatedRequest } from '../accounts/auth.guard';
import { TokensService } from '../accounts/tokens.service';
import { AdminPeopleViews } from './admin-people.views';
import { adminContext, currentUser } from './admin-page';
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
    return renderPage(
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
    return submitForm({
      reply,
      locale: ctx.locale,
      check: () => checkForm(CreateTokenForm, body, ctx.locale),
      again: async (errors, status) =>
        renderPage(
          reply,
          ctx,
          'pages/admin/tokens',
          await this.views.tokensPage(user.userId, ctx.locale, {
            values: typedValues(body),
            errors,
          }),
          status,
        ),
      run: (form) => this.tokens.create(user.userId, form.name, form.expiresInDays),
      done: ({ token, record }) => ({
        show: () =>
          renderPage(
            reply,
            ctx,
            'pages/admin/token-created',
            { title: record.name, token, record: this.views.tokenRow(record, ctx.locale) },
            201,
          ),
      }),
      // Creating a token has no field a refusal belongs beside: the error page says why.
      domainErrorsOnForm: false,
    });
  }

  @Post(':id/revoke')
  @Authenticated()
  async revoke(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Param('id', uuidPipe) id: string,
  ) {
    const ctx = adminContext(req, reply);
    return submitButton({
      reply,
      locale: ctx.locale,
      run: () => this.tokens.revoke(currentUser(req).userId, id),
      done: 'admin.tokens.revoked',
      to: '/admin/tokens',
    });
  }
}
