import { Body, Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { DonorOnly, Public } from '../../common/auth/policy.decorator';
import { DomainError, ERROR_HTTP_STATUS } from '../../common/errors';
import { SESSION_COOKIE } from '../../common/http/cookies';
import { checkForm, type FieldErrors } from '../../common/http/forms';
import { uuidPipe } from '../../common/http/validation';
import { pageContext, safeNext, setFlash } from '../../common/views/page-context';
import { AppConfig } from '../../config/app-config';
import { DonationsService } from '../donations/donations.service';
import type { AuthenticatedRequest } from './auth.guard';
import { AuthService, type ClientMeta } from './auth.service';
import { EmailForm, LoginForm, NewPasswordForm } from './dto/auth-forms.dto';

/**
 * Sign-in pages for staff and community leaders, password reset and invitations by one-time
 * link, and the donors' magic-link sign-in. Thin: the rules live in AuthService.
 */
@ApiExcludeController()
@Controller()
export class AuthPagesController {
  constructor(
    private readonly auth: AuthService,
    private readonly config: AppConfig,
    private readonly donations: DonationsService,
  ) {}

  @Get('login')
  @Public()
  loginPage(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Query('next') next?: string,
  ) {
    return this.render(reply, req, 'pages/auth/login', { next: safeNext(next, '') });
  }

  @Post('login')
  @Public()
  async login(@Req() req: AuthenticatedRequest, @Res() reply: FastifyReply, @Body() body: unknown) {
    const form = checkForm(LoginForm, body);
    const values = {
      email: (body as { email?: string })?.email ?? '',
      next: safeNext((body as { next?: string })?.next, ''),
    };
    if (form.errors)
      return this.render(reply, req, 'pages/auth/login', { ...values, errors: form.errors }, 400);
    try {
      const { sessionToken } = await this.auth.login(
        form.value.email,
        form.value.password,
        this.meta(req),
      );
      this.setSession(reply, sessionToken);
      return reply.redirect(safeNext(form.value.next, '/admin'), 303);
    } catch (error) {
      return this.renderError(reply, req, 'pages/auth/login', values, error);
    }
  }

  @Post('logout')
  @Public()
  async logout(@Req() req: AuthenticatedRequest, @Res() reply: FastifyReply) {
    await this.auth.logout(req.cookies?.[SESSION_COOKIE]);
    void reply.clearCookie(SESSION_COOKIE, { path: '/' });
    const donor = req.actor?.kind === 'donor';
    setFlash(reply, { kind: 'info', text: 'auth.signedOut' });
    return reply.redirect(donor ? '/donor/login' : '/login', 303);
  }

  @Get('password/forgot')
  @Public()
  forgotPage(@Req() req: AuthenticatedRequest, @Res() reply: FastifyReply) {
    return this.render(reply, req, 'pages/auth/forgot', {});
  }

  @Post('password/forgot')
  @Public()
  async forgot(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Body() body: unknown,
  ) {
    const form = checkForm(EmailForm, body);
    if (form.errors)
      return this.render(reply, req, 'pages/auth/forgot', { errors: form.errors }, 400);
    await this.auth.requestPasswordReset(form.value.email);
    return this.render(reply, req, 'pages/auth/check-email', { purpose: 'reset' });
  }

  @Get('password/reset')
  @Public()
  resetPage(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Query('token') token?: string,
  ) {
    return this.render(reply, req, 'pages/auth/new-password', {
      token: token ?? '',
      action: '/password/reset',
    });
  }

  @Post('password/reset')
  @Public()
  async reset(@Req() req: AuthenticatedRequest, @Res() reply: FastifyReply, @Body() body: unknown) {
    const view = { token: (body as { token?: string })?.token ?? '', action: '/password/reset' };
    const form = this.checkNewPassword(body);
    if (form.errors)
      return this.render(
        reply,
        req,
        'pages/auth/new-password',
        { ...view, errors: form.errors },
        400,
      );
    try {
      await this.auth.resetPassword(form.value.token, form.value.password);
      setFlash(reply, { kind: 'success', text: 'auth.passwordChanged' });
      return reply.redirect('/login', 303);
    } catch (error) {
      return this.renderError(reply, req, 'pages/auth/new-password', view, error);
    }
  }

  @Get('invite/accept')
  @Public()
  invitePage(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Query('token') token?: string,
  ) {
    return this.render(reply, req, 'pages/auth/new-password', {
      token: token ?? '',
      action: '/invite/accept',
      invite: true,
    });
  }

  @Post('invite/accept')
  @Public()
  async acceptInvite(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Body() body: unknown,
  ) {
    const view = {
      token: (body as { token?: string })?.token ?? '',
      action: '/invite/accept',
      invite: true,
    };
    const form = this.checkNewPassword(body);
    if (form.errors)
      return this.render(
        reply,
        req,
        'pages/auth/new-password',
        { ...view, errors: form.errors },
        400,
      );
    try {
      const { sessionToken } = await this.auth.acceptInvite(
        form.value.token,
        form.value.password,
        this.meta(req),
      );
      this.setSession(reply, sessionToken);
      setFlash(reply, { kind: 'success', text: 'auth.welcome' });
      return reply.redirect('/admin', 303);
    } catch (error) {
      return this.renderError(reply, req, 'pages/auth/new-password', view, error);
    }
  }

  @Get('donor/login')
  @Public()
  donorLoginPage(@Req() req: AuthenticatedRequest, @Res() reply: FastifyReply) {
    return this.render(reply, req, 'pages/donor/login', {});
  }

  @Post('donor/login')
  @Public()
  async donorLogin(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Body() body: unknown,
  ) {
    const form = checkForm(EmailForm, body);
    if (form.errors)
      return this.render(reply, req, 'pages/donor/login', { errors: form.errors }, 400);
    await this.auth.requestDonorLink(form.value.email, pageContext(req, reply).locale);
    return this.render(reply, req, 'pages/auth/check-email', { purpose: 'donor' });
  }

  /**
   * The emailed link opens a confirmation page; only its POST (with the CSRF token) uses the
   * link up. Mail scanners that open links in advance cannot burn it, and nobody can sign a
   * visitor into their own donor session with a crafted GET.
   */
  @Get('donor/verify')
  @Public()
  donorVerifyPage(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Query('token') token?: string,
  ) {
    return this.render(reply, req, 'pages/donor/verify', { token: token ?? '' });
  }

  @Post('donor/verify')
  @Public()
  async donorVerify(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Body() body: unknown,
  ) {
    const token = (body as { token?: unknown } | undefined)?.token;
    try {
      const { sessionToken } = await this.auth.verifyDonorLink(
        typeof token === 'string' ? token : '',
        this.meta(req),
      );
      this.setSession(reply, sessionToken);
      return reply.redirect('/donor', 303);
    } catch (error) {
      return this.renderError(reply, req, 'pages/donor/login', {}, error);
    }
  }

  @Get('donor')
  @DonorOnly()
  async donorHome(@Req() req: AuthenticatedRequest, @Res() reply: FastifyReply) {
    const email = req.actor?.kind === 'donor' ? req.actor.email : '';
    const locale = pageContext(req, reply).locale;
    const donations = (await this.donations.historyForDonor(email)).map((d) => ({
      date: d.succeededAt ?? d.createdAt,
      campaign: locale === 'en' ? d.campaign.titleEn : d.campaign.titleZh,
      amountMinor: d.amountMinor,
      currency: d.currency,
      status: d.status,
      monthly: d.monthly,
      id: d.id,
      // The first gift of a monthly subscription still running carries the "stop" button.
      stoppable:
        d.monthly &&
        !!d.providerSubscriptionId &&
        !d.subscriptionCancelledAt &&
        !d.parentDonationId,
      stopped: d.monthly && !!d.subscriptionCancelledAt,
    }));
    return this.render(reply, req, 'pages/donor/home', { donations });
  }

  @Post('donor/gifts/:id/stop-monthly')
  @DonorOnly()
  async stopMonthly(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Param('id', uuidPipe) id: string,
  ) {
    const email = req.actor?.kind === 'donor' ? req.actor.email : '';
    await this.donations.stopMonthly(email, id);
    setFlash(reply, { kind: 'success', text: 'donor.monthlyStopped' });
    return reply.redirect('/donor', 303);
  }

  private checkNewPassword(body: unknown) {
    const form = checkForm(NewPasswordForm, body);
    if (form.errors) return form;
    if (form.value.password !== form.value.passwordConfirm) {
      return {
        value: null,
        errors: { passwordConfirm: 'The two passwords are not the same.' } as FieldErrors,
      };
    }
    return form;
  }

  private meta(req: AuthenticatedRequest): ClientMeta {
    return {
      ip: req.ip,
      userAgent: req.headers['user-agent'],
      previousSessionToken: req.cookies?.[SESSION_COOKIE],
    };
  }

  private setSession(reply: FastifyReply, token: string): void {
    void reply.setCookie(SESSION_COOKIE, token, {
      httpOnly: true,
      sameSite: 'lax',
      secure: this.config.secureCookies,
      path: '/',
      maxAge: this.config.auth.sessionMaxSeconds,
    });
  }

  private render(
    reply: FastifyReply,
    req: AuthenticatedRequest,
    page: string,
    data: object,
    status = 200,
  ) {
    return reply.status(status).view(page, { ...pageContext(req, reply), ...data });
  }

  /** Domain errors (wrong password, used link, lockout) are shown on the form itself. */
  private renderError(
    reply: FastifyReply,
    req: AuthenticatedRequest,
    page: string,
    data: object,
    error: unknown,
  ) {
    if (!(error instanceof DomainError)) throw error;
    return this.render(
      reply,
      req,
      page,
      { ...data, formError: error.message },
      ERROR_HTTP_STATUS[error.code],
    );
  }
}
