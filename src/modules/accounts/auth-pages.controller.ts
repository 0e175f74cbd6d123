import { Body, Controller, Get, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../../common/auth/policy.decorator';
import { SESSION_COOKIE } from '../../common/http/cookies';
import { checkForm } from '../../common/http/forms';
import type { SupportedLocale } from '../../common/i18n/i18n';
import {
  type Checked,
  type FormSubmission,
  redirectWith,
  submitForm,
} from '../../common/views/form-submit';
import { pageContext, pageLocale, safeNext } from '../../common/views/page-context';
import { renderPage } from '../../common/views/render-page';
import { AppConfig } from '../../config/app-config';
import { PrivacyNoticeService } from '../privacy/policy/privacy-notice.service';
import type { AuthenticatedRequest } from './auth.guard';
import { AuthService, type ClientMeta } from './auth.service';
import { EmailForm, LoginForm, NewPasswordForm } from './dto/auth-forms.dto';

/**
 * Sign-in pages for staff and community leaders, password reset and invitations by one-time
 * link, and the donors' magic-link sign-in (the donor portal itself is the public site's). Thin:
 * the rules live in AuthService.
 */
@ApiExcludeController()
@Controller()
export class AuthPagesController {
  constructor(
    private readonly auth: AuthService,
    private readonly config: AppConfig,
    private readonly notices: PrivacyNoticeService,
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
  login(@Req() req: AuthenticatedRequest, @Res() reply: FastifyReply, @Body() body: unknown) {
    const values = {
      email: (body as { email?: string })?.email ?? '',
      next: safeNext((body as { next?: string })?.next, ''),
    };
    return this.submit(req, reply, {
      check: () => checkForm(LoginForm, body, pageLocale(req)),
      again: (errors, status, formError) =>
        this.render(reply, req, 'pages/auth/login', { ...values, errors, formError }, status),
      run: async (form) => {
        const { sessionToken } = await this.auth.login(form.email, form.password, this.meta(req));
        this.setSession(reply, sessionToken);
      },
      done: (_, form) => ({ to: safeNext(form.next, '/admin') }),
    });
  }

  @Post('logout')
  @Public()
  async logout(@Req() req: AuthenticatedRequest, @Res() reply: FastifyReply) {
    await this.auth.logout(req.cookies?.[SESSION_COOKIE]);
    void reply.clearCookie(SESSION_COOKIE, { path: '/' });
    const donor = req.actor?.kind === 'donor';
    return redirectWith(reply, {
      flash: { kind: 'info', text: 'auth.signedOut' },
      to: donor ? '/donor/login' : '/login',
    });
  }

  @Get('password/forgot')
  @Public()
  forgotPage(@Req() req: AuthenticatedRequest, @Res() reply: FastifyReply) {
    return this.render(reply, req, 'pages/auth/forgot', {});
  }

  @Post('password/forgot')
  @Public()
  forgot(@Req() req: AuthenticatedRequest, @Res() reply: FastifyReply, @Body() body: unknown) {
    return this.submit(req, reply, {
      check: () => checkForm(EmailForm, body, pageLocale(req)),
      again: (errors, status) => this.render(reply, req, 'pages/auth/forgot', { errors }, status),
      run: (form) => this.auth.requestPasswordReset(form.email),
      done: () => ({
        show: () => this.render(reply, req, 'pages/auth/check-email', { purpose: 'reset' }),
      }),
      domainErrorsOnForm: false,
    });
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
  reset(@Req() req: AuthenticatedRequest, @Res() reply: FastifyReply, @Body() body: unknown) {
    const view = { token: (body as { token?: string })?.token ?? '', action: '/password/reset' };
    return this.submit(req, reply, {
      check: () => checkNewPassword(body, pageLocale(req)),
      again: (errors, status, formError) =>
        this.render(reply, req, 'pages/auth/new-password', { ...view, errors, formError }, status),
      run: (form) => this.auth.resetPassword(form.token, form.password),
      done: () => ({ flash: { kind: 'success', text: 'auth.passwordChanged' }, to: '/login' }),
    });
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
  acceptInvite(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Body() body: unknown,
  ) {
    const view = {
      token: (body as { token?: string })?.token ?? '',
      action: '/invite/accept',
      invite: true,
    };
    return this.submit(req, reply, {
      check: () => checkNewPassword(body, pageLocale(req)),
      again: (errors, status, formError) =>
        this.render(reply, req, 'pages/auth/new-password', { ...view, errors, formError }, status),
      run: async (form) => {
        const { sessionToken } = await this.auth.acceptInvite(
          form.token,
          form.password,
          this.meta(req),
        );
        this.setSession(reply, sessionToken);
      },
      done: () => ({ flash: { kind: 'success', text: 'auth.welcome' }, to: '/admin' }),
    });
  }

  @Get('donor/login')
  @Public()
  async donorLoginPage(@Req() req: AuthenticatedRequest, @Res() reply: FastifyReply) {
    return this.render(reply, req, 'pages/donor/login', await this.donorLoginView(req));
  }

  @Post('donor/login')
  @Public()
  donorLogin(@Req() req: AuthenticatedRequest, @Res() reply: FastifyReply, @Body() body: unknown) {
    return this.submit(req, reply, {
      check: () => checkForm(EmailForm, body, pageLocale(req)),
      again: async (errors, status) =>
        this.render(
          reply,
          req,
          'pages/donor/login',
          { ...(await this.donorLoginView(req)), errors },
          status,
        ),
      run: (form) => this.auth.requestDonorLink(form.email, pageLocale(req)),
      done: () => ({
        show: () => this.render(reply, req, 'pages/auth/check-email', { purpose: 'donor' }),
      }),
      domainErrorsOnForm: false,
    });
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
  donorVerify(@Req() req: AuthenticatedRequest, @Res() reply: FastifyReply, @Body() body: unknown) {
    const token = (body as { token?: unknown } | undefined)?.token;
    return this.submit(req, reply, {
      check: () => ({ value: typeof token === 'string' ? token : '', errors: null }),
      again: async (_, status, formError) =>
        this.render(
          reply,
          req,
          'pages/donor/login',
          { ...(await this.donorLoginView(req)), formError },
          status,
        ),
      run: async (link) => {
        const { sessionToken } = await this.auth.verifyDonorLink(
          link,
          this.meta(req),
          pageLocale(req),
        );
        this.setSession(reply, sessionToken);
      },
      done: () => ({ to: '/donor' }),
    });
  }

  /** The donor sign-in page: the notice of what signing in collects. */
  private async donorLoginView(req: AuthenticatedRequest) {
    return { privacyNotice: await this.notices.notice('portalSignIn', pageLocale(req)) };
  }

  private meta(req: AuthenticatedRequest): ClientMeta {
    return {
      ip: req.ip,
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
    return renderPage(reply, pageContext(req, reply), page, data, status);
  }

  /**
   * A sign-in form through the form helper: domain errors (wrong password, used link, lockout)
   * are shown on the form itself.
   */
  private submit<T, R>(
    req: AuthenticatedRequest,
    reply: FastifyReply,
    form: Omit<FormSubmission<T, R>, 'reply' | 'locale'>,
  ) {
    return submitForm({ reply, locale: pageLocale(req), ...form });
  }
}

function checkNewPassword(body: unknown, locale: SupportedLocale): Checked<NewPasswordForm> {
  const form = checkForm(NewPasswordForm, body, locale);
  if (form.errors) return form;
  if (form.value.password !== form.value.passwordConfirm) {
    return { value: null, errors: { passwordConfirm: 'auth.errors.passwordsDiffer' } };
  }
  return form;
}
