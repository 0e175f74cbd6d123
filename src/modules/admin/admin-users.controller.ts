import { Body, Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Allow } from '../../common/auth/policy.decorator';
import { checkForm, type FieldErrors } from '../../common/http/forms';
import { uuidPipe } from '../../common/http/validation';
import { type SupportedLocale, translate } from '../../common/i18n/i18n';
import { confirmStep } from '../../common/views/confirm-step';
import { submitButton, submitForm, withLists } from '../../common/views/form-submit';
import { renderPage } from '../../common/views/render-page';
import type { AuthenticatedRequest } from '../accounts/auth.guard';
import { UsersService } from '../accounts/users.service';
import { StaffRemovalService } from '../privacy/staff/staff-removal.service';
import { AdminPeopleViews } from './admin-people.views';
import { adminContext, currentUser } from './admin-page';
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
 * A COMMUNITY_LEADER needs a community or fund in scope, a PLANNER a community; other roles have
 * none, so the scope selections are dropped when neither box is ticked (the form keeps them
 * visible), and a planner who is not a leader keeps only communities.
 */
function checkScope<T extends EditUserForm>(
  form: T,
): { value: T; errors: null } | { value: null; errors: FieldErrors } {
  const leader = form.roles.includes('COMMUNITY_LEADER');
  const planner = form.roles.includes('PLANNER');
  if (!leader && !planner)
    return { value: { ...form, communityIds: [], fundIds: [] }, errors: null };
  if (!leader) {
    if (form.communityIds.length === 0) {
      return { value: null, errors: { scope: 'admin.errors.plannerScope' } };
    }
    return { value: { ...form, fundIds: [] }, errors: null };
  }
  if (form.communityIds.length === 0 && form.fundIds.length === 0) {
    return { value: null, errors: { scope: 'admin.errors.leaderScope' } };
  }
  return { value: form, errors: null };
}

/** The form checked, then its scope. */
function checkUser<T extends EditUserForm>(
  type: new () => T,
  values: Record<string, unknown>,
  locale: SupportedLocale,
) {
  const form = checkForm(type, values, locale);
  return form.errors ? form : checkScope(form.value);
}

/** Staff and community-leader accounts: invite, edit roles and scope, deactivate, unlock. */
@ApiExcludeController()
@Controller('admin/users')
export class AdminUsersController {
  constructor(
    private readonly views: AdminPeopleViews,
    private readonly users: UsersService,
    private readonly removal: StaffRemovalService,
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
    return renderPage(reply, ctx, 'pages/admin/users', view);
  }

  @Get('invite')
  @Allow('ADMIN')
  async inviteForm(@Req() req: AuthenticatedRequest, @Res() reply: FastifyReply) {
    const ctx = adminContext(req, reply);
    return renderPage(
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
    return submitForm({
      reply,
      locale: ctx.locale,
      check: () => checkUser(InviteForm, values, ctx.locale),
      again: async (errors, status, formError) =>
        renderPage(
          reply,
          ctx,
          'pages/admin/user-invite',
          { ...(await this.views.inviteForm(ctx.locale, { values, errors })), formError },
          status,
        ),
      run: (form) => this.users.invite(form, currentUser(req).name),
      done: (user) => ({
        flash: {
          kind: 'success',
          text: translate(ctx.locale, 'admin.users.invited', { email: user.email }),
        },
        to: `/admin/users/${user.id}`,
      }),
      fieldByCode: USER_ERROR_FIELD,
    });
  }

  @Get(':id')
  @Allow('ADMIN')
  async edit(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Param('id', uuidPipe) id: string,
  ) {
    const ctx = adminContext(req, reply);
    return renderPage(
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
    return submitForm({
      reply,
      locale: ctx.locale,
      check: () => checkUser(EditUserForm, values, ctx.locale),
      again: async (errors, status, formError) =>
        renderPage(
          reply,
          ctx,
          'pages/admin/user-edit',
          { ...(await this.views.editPage(id, ctx.locale, { values, errors })), formError },
          status,
        ),
      run: (form) => this.users.update(id, form),
      done: () => ({
        flash: { kind: 'success', text: 'admin.users.saved' },
        to: `/admin/users/${id}`,
      }),
      fieldByCode: USER_ERROR_FIELD,
    });
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

  /**
   * Removes the account for good (PIPL): its contact data goes, its name stays in the audit log.
   * A confirmation page first; a refusal (self, the last admin, already removed) is an error
   * page with its status, in the reader's language.
   */
  @Post(':id/remove')
  @Allow('ADMIN')
  remove(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Param('id', uuidPipe) id: string,
    @Body() body: unknown,
  ) {
    const ctx = adminContext(req, reply);
    const actorId = currentUser(req).userId;
    return submitButton({
      reply,
      locale: ctx.locale,
      confirm: {
        step: confirmStep(reply, ctx, body, req.url),
        page: () => this.views.removeConfirmation(id, actorId, ctx.locale),
      },
      run: () => this.removal.remove(id, actorId),
      done: (removed) => ({
        kind: 'success',
        text: translate(ctx.locale, 'privacy.staff.removed', { name: removed.name }),
      }),
      to: `/admin/users/${id}`,
      rethrow: () => true,
    });
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
    return submitButton({
      reply,
      locale: ctx.locale,
      run: action,
      done,
      to: `/admin/users/${id}`,
    });
  }
}
