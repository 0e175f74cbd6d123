import { Body, Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Allow } from '../../common/auth/policy.decorator';
import { DomainError } from '../../common/errors';
import { checkForm, type FieldErrors } from '../../common/http/forms';
import { uuidPipe } from '../../common/http/validation';
import { translate } from '../../common/i18n/i18n';
import { setFlash } from '../../common/views/page-context';
import type { AuthenticatedRequest } from '../accounts/auth.guard';
import { UsersService } from '../accounts/users.service';
import { AdminPeopleViews } from './admin-people.views';
import {
  type AdminContext,
  adminContext,
  currentUser,
  domainErrorText,
  localizeErrors,
  renderAdmin,
  withLists,
  showDomainError,
} from './admin-page';
import { EditUserForm, InviteForm } from './dto/admin-forms.dto';

const LIST_FIELDS = ['roles', 'communityIds', 'fundIds'] as const;

/** Where a domain error of the user forms is shown: beside its field, or above the form. */
const USER_ERROR_FIELD: Partial<Record<string, string>> = {
  EMAIL_TAKEN: 'email',
  LAST_ADMIN: 'roles',
  COMMUNITY_NOT_FOUND: 'communityIds',
  FUND_NOT_FOUND: 'fundIds',
  VALIDATION_FAILED: 'scope',
};

/**
 * A COMMUNITY_LEADER needs a community or fund in scope; other roles have none, so the scope
 * selections are dropped when the leader box is not ticked (the form keeps them visible).
 */
function checkScope<T extends EditUserForm>(
  form: T,
): { value: T; errors: null } | { value: null; errors: FieldErrors } {
  if (!form.roles.includes('COMMUNITY_LEADER'))
    return { value: { ...form, communityIds: [], fundIds: [] }, errors: null };
  if (form.communityIds.length === 0 && form.fundIds.length === 0) {
    return { value: null, errors: { scope: 'admin.errors.leaderScope' } };
  }
  return { value: form, errors: null };
}

/** Staff and community-leader accounts: invite, edit roles and scope, deactivate, unlock. */
@ApiExcludeController()
@Controller('admin/users')
export class AdminUsersController {
  constructor(
    private readonly views: AdminPeopleViews,
    private readonly users: UsersService,
  ) {}

  @Get()
  @Allow('ADMIN')
  async list(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Query('cursor') cursor?: string,
  ) {
    const ctx = adminContext(req, reply);
    const view = await this.views.usersPage(
      typeof cursor === 'string' && cursor ? cursor : undefined,
      ctx.locale,
    );
    return renderAdmin(reply, ctx, 'pages/admin/users', view);
  }

  @Get('invite')
  @Allow('ADMIN')
  async inviteForm(@Req() req: AuthenticatedRequest, @Res() reply: FastifyReply) {
    const ctx = adminContext(req, reply);
    return renderAdmin(
      reply,
      ctx,
      'pages/admin/user-invite',
      await this.views.inviteForm(ctx.locale),
    );
  }

  @Post('invite')
  @Allow('ADMIN')
  async invite(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Body() body: unknown,
  ) {
    const ctx = adminContext(req, reply);
    const values = withLists(body, LIST_FIELDS);
    const again = async (errors: FieldErrors, status: number, formError?: string) =>
      renderAdmin(
        reply,
        ctx,
        'pages/admin/user-invite',
        {
          ...(await this.views.inviteForm(ctx.locale, {
            values,
            errors: localizeErrors(errors, ctx.locale),
          })),
          formError,
        },
        status,
      );
    const form = checkForm(InviteForm, values);
    if (form.errors) return again(form.errors, 400);
    const scoped = checkScope(form.value);
    if (scoped.errors) return again(scoped.errors, 400);
    try {
      const user = await this.users.invite(scoped.value, currentUser(req).name);
      setFlash(reply, {
        kind: 'success',
        text: translate(ctx.locale, 'admin.users.invited', { email: user.email }),
      });
      return reply.redirect(`/admin/users/${user.id}`, 303);
    } catch (error) {
      return this.formError(error, ctx, again);
    }
  }

  @Get(':id')
  @Allow('ADMIN')
  async edit(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Param('id', uuidPipe) id: string,
  ) {
    const ctx = adminContext(req, reply);
    return renderAdmin(
      reply,
      ctx,
      'pages/admin/user-edit',
      await this.views.editPage(id, ctx.locale),
    );
  }

  @Post(':id')
  @Allow('ADMIN')
  async update(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Param('id', uuidPipe) id: string,
    @Body() body: unknown,
  ) {
    const ctx = adminContext(req, reply);
    const values = withLists(body, LIST_FIELDS);
    const again = async (errors: FieldErrors, status: number, formError?: string) =>
      renderAdmin(
        reply,
        ctx,
        'pages/admin/user-edit',
        {
          ...(await this.views.editPage(id, ctx.locale, {
            values,
            errors: localizeErrors(errors, ctx.locale),
          })),
          formError,
        },
        status,
      );
    const form = checkForm(EditUserForm, values);
    if (form.errors) return again(form.errors, 400);
    const scoped = checkScope(form.value);
    if (scoped.errors) return again(scoped.errors, 400);
    try {
      await this.users.update(id, scoped.value);
      setFlash(reply, { kind: 'success', text: 'admin.users.saved' });
      return reply.redirect(`/admin/users/${id}`, 303);
    } catch (error) {
      return this.formError(error, ctx, again);
    }
  }

  @Post(':id/deactivate')
  @Allow('ADMIN')
  deactivate(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Param('id', uuidPipe) id: string,
  ) {
    return this.button(req, reply, id, 'admin.users.deactivated', () => this.users.deactivate(id));
  }

  @Post(':id/unlock')
  @Allow('ADMIN')
  unlock(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Param('id', uuidPipe) id: string,
  ) {
    return this.button(req, reply, id, 'admin.users.unlocked', () => this.users.unlock(id));
  }

  @Post(':id/resend-invite')
  @Allow('ADMIN')
  resendInvite(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Param('id', uuidPipe) id: string,
  ) {
    return this.button(req, reply, id, 'admin.users.inviteResent', () =>
      this.users.resendInvite(id, currentUser(req).name),
    );
  }

  private async button(
    req: AuthenticatedRequest,
    reply: FastifyReply,
    id: string,
    done: string,
    action: () => Promise<unknown>,
  ) {
    const ctx = adminContext(req, reply);
    try {
      await action();
      setFlash(reply, { kind: 'success', text: done });
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      setFlash(reply, { kind: 'error', text: domainErrorText(error, ctx.locale) });
    }
    return reply.redirect(`/admin/users/${id}`, 303);
  }

  private formError(
    error: unknown,
    ctx: AdminContext,
    again: (errors: FieldErrors, status: number, formError?: string) => Promise<unknown>,
  ) {
    return showDomainError(error, ctx.locale, USER_ERROR_FIELD, again);
  }
}
