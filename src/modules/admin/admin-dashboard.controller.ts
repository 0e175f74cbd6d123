import { Controller, Get, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Allow } from '../../common/auth/policy.decorator';
import { ROLES, STAFF_ROLES } from '../../common/auth/roles';
import { renderPage } from '../../common/views/render-page';
import type { AuthenticatedRequest } from '../accounts/auth.guard';
import { AdminFundsViews } from './admin-funds.views';
import { adminContext, currentUser } from './admin-page';

/** The back office's front door: staff get the dashboard, community leaders their funds. */
@ApiExcludeController()
@Controller('admin')
export class AdminDashboardController {
  constructor(private readonly views: AdminFundsViews) {}

  @Get()
  @Allow(...ROLES)
  async dashboard(@Req() req: AuthenticatedRequest, @Res() reply: FastifyReply) {
    const user = currentUser(req);
    if (!user.roles.some((r) => STAFF_ROLES.includes(r))) {
      // Keeps ?lang= and the flash cookie for the page the leader lands on.
      return reply.redirect(`/admin/my-funds${new URL(req.url, 'http://x').search}`, 303);
    }
    const ctx = adminContext(req, reply);
    const waiting = await this.views.waitingForReview(req.actor, ctx.locale);
    return renderPage(reply, ctx, 'pages/admin/dashboard', {
      ...(await this.views.dashboard(ctx.locale)),
      waiting,
      showWaiting: waiting !== null,
    });
  }

  @Get('my-funds')
  @Allow('COMMUNITY_LEADER')
  async myFunds(@Req() req: AuthenticatedRequest, @Res() reply: FastifyReply) {
    const ctx = adminContext(req, reply);
    const view = await this.views.myFunds(currentUser(req).fundIds, ctx.locale);
    return renderPage(reply, ctx, 'pages/admin/my-funds', view);
  }
}
