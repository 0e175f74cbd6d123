import { Body, Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentActor } from '../../common/auth/current-actor.decorator';
import { Public } from '../../common/auth/policy.decorator';
import type { Actor } from '../../common/context/request-context';
import { DomainError, ERROR_HTTP_STATUS } from '../../common/errors';
import { GIFT_RETURN_COOKIE } from '../../common/http/cookies';
import { SameOriginForm } from '../../common/http/csrf';
import { cacheablePage, PAGE_TAG } from '../../common/http/page-cache';
import { uuidPipe } from '../../common/http/validation';
import { pageContext } from '../../common/views/page-context';
import { renderPage } from '../../common/views/render-page';
import { AppConfig } from '../../config/app-config';
import { RETURN_TO_FORM_SECONDS } from '../donations/donations.service';
import { busyPage, CampaignPagesService, type DonationFormBody } from './campaign-pages.service';

/**
 * A campaign's public pages: the story, totals, matching and the donation form; the "busy,
 * retrying" page when the payment service is overloaded; the thank-you page after checkout.
 */
@ApiExcludeController()
@Controller('campaigns')
export class CampaignPagesController {
  constructor(
    private readonly pages: CampaignPagesService,
    private readonly config: AppConfig,
  ) {}

  @Get(':slug')
  @Public()
  async show(
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
    @Param('slug') slug: string,
    @CurrentActor() actor: Actor | undefined,
  ) {
    const context = pageContext(req, reply);
    const view = await this.pages.campaign(
      actor,
      slug,
      context.locale,
      undefined,
      req.headers['user-agent'],
    );
    cacheablePage(reply, campaignTags(view));
    return renderPage(reply, context, 'pages/campaign/show', view);
  }

  /** The card partners embed in an iframe (frame-ancestors: frame-policy.ts). */
  @Get(':slug/widget')
  @Public()
  async widget(
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
    @Param('slug') slug: string,
    @CurrentActor() actor: Actor | undefined,
  ) {
    const context = pageContext(req, reply);
    const view = await this.pages.widget(actor, slug, context.locale);
    cacheablePage(reply, campaignTags(view));
    return renderPage(reply, context, 'pages/campaign/widget', view);
  }

  @Post(':slug/donate')
  @Public()
  @SameOriginForm()
  async donate(
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
    @Param('slug') slug: string,
    @Body() body: DonationFormBody,
    @CurrentActor() actor: Actor | undefined,
  ) {
    const context = pageContext(req, reply);
    try {
      const result = await this.pages.donate(actor, slug, body ?? {}, {
        ip: req.ip,
        acceptLanguage: req.headers['accept-language'],
        userAgent: req.headers['user-agent'],
        locale: context.locale,
      });
      // Pages answering a POST hold the donor's entries: never kept by a cache.
      void reply.header('cache-control', 'no-store');
      if ('checkoutUrl' in result) {
        void reply.setCookie(GIFT_RETURN_COOKIE, result.returnToken, {
          httpOnly: true,
          sameSite: 'lax',
          secure: this.config.secureCookies,
          path: '/campaigns',
          maxAge: RETURN_TO_FORM_SECONDS,
        });
        return reply.redirect(result.checkoutUrl, 303);
      }
      if ('review' in result) {
        return renderPage(reply, context, 'pages/campaign/review', result.review);
      }
      const view = await this.pages.campaign(
        actor,
        slug,
        context.locale,
        result.form,
        req.headers['user-agent'],
      );
      return renderPage(
        reply,
        context,
        'pages/campaign/show',
        { ...view, switchLocaleUrl: campaignPath(slug, context.otherLocale) },
        result.status,
      );
    } catch (error) {
      const donationId = busyGift(error);
      if (!donationId) throw error;
      return this.busy(reply, context, slug, busyPage(slug, donationId, 0, context.locale));
    }
  }

  /**
   * The checkout's cancel URL: a declined or abandoned payment comes back here, to the form with
   * "nothing was charged" and, for the browser that started the gift, its entries kept.
   */
  @Get(':slug/not-completed')
  @Public()
  async notCompleted(
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
    @Param('slug') slug: string,
    @CurrentActor() actor: Actor | undefined,
    @Query('donation') donation?: unknown,
  ) {
    const context = pageContext(req, reply);
    const result = await this.pages.returned(
      actor,
      slug,
      typeof donation === 'string' ? donation : undefined,
      req.cookies?.[GIFT_RETURN_COOKIE],
      context.locale,
      req.headers['user-agent'],
    );
    void reply.header('cache-control', 'no-store').header('x-robots-tag', 'noindex');
    if ('redirect' in result) return reply.redirect(result.redirect, 303);
    return renderPage(reply, context, 'pages/campaign/show', result.view);
  }

  /** Where the busy page retries: the checkout once the provider answers, or the busy page again. */
  @Get(':slug/checkout/:donationId')
  @Public()
  async resume(
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
    @Param('slug') slug: string,
    @Param('donationId', uuidPipe) donationId: string,
    @Query('attempt') attempt?: string,
  ) {
    const n = Math.min(Math.max(Number.parseInt(attempt ?? '1', 10) || 1, 1), 1_000);
    const context = pageContext(req, reply);
    const result = await this.pages.resume(slug, donationId, n, context.locale);
    if ('redirect' in result) return reply.redirect(result.redirect, 303);
    return this.busy(reply, context, slug, result.busy);
  }

  /** Our own payment page: a QR code to scan, or WeChat's pay sheet (see payPage). */
  @Get(':slug/pay/:donationId')
  @Public()
  async pay(
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
    @Param('slug') slug: string,
    @Param('donationId', uuidPipe) donationId: string,
    @CurrentActor() actor: Actor | undefined,
  ) {
    const context = pageContext(req, reply);
    const result = await this.pages.payPage(actor, slug, donationId, context.locale);
    void reply.header('cache-control', 'no-store').header('x-robots-tag', 'noindex');
    if ('redirect' in result) return reply.redirect(result.redirect, 303);
    return renderPage(reply, context, 'pages/campaign/pay', result.view);
  }

  /** Inside WeChat with an official account: WeChat's silent sign-in, for the pay sheet. */
  @Get(':slug/pay/:donationId/wechat-sign-in')
  @Public()
  async wechatSignIn(
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
    @Param('slug') slug: string,
    @Param('donationId', uuidPipe) donationId: string,
    @CurrentActor() actor: Actor | undefined,
  ) {
    const { locale } = pageContext(req, reply);
    const to = await this.pages.wechatSignInUrl(actor, slug, donationId, locale);
    void reply.header('cache-control', 'no-store').header('x-robots-tag', 'noindex');
    return reply.redirect(to, 303);
  }

  /** WeChat's sign-in comes back here with `code` and `state`; on to the pay sheet. */
  @Get(':slug/pay/:donationId/wechat-return')
  @Public()
  async wechatReturn(
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
    @Param('slug') slug: string,
    @Param('donationId', uuidPipe) donationId: string,
    @Query('code') code: unknown,
    @Query('state') state: unknown,
    @CurrentActor() actor: Actor | undefined,
  ) {
    const { locale } = pageContext(req, reply);
    const to = await this.pages.wechatReturn(actor, slug, donationId, locale, {
      code: typeof code === 'string' ? code : undefined,
      state: typeof state === 'string' ? state : undefined,
    });
    void reply.header('cache-control', 'no-store').header('x-robots-tag', 'noindex');
    return reply.redirect(to, 303);
  }

  @Get(':slug/thanks')
  @Public()
  async thanks(
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
    @Param('slug') slug: string,
    @CurrentActor() actor: Actor | undefined,
    @Query('donation') donation?: string,
  ) {
    const context = pageContext(req, reply);
    const view = await this.pages.thanks(actor, slug, donation, context.locale);
    // While the payment is being confirmed, the page looks again every 3 seconds.
    const refresh = view.pending
      ? {
          seconds: 3,
          url: `/campaigns/${encodeURIComponent(view.slug)}/thanks?donation=${view.gift!.id}&lang=${context.locale}`,
        }
      : null;
    return renderPage(reply, context, 'pages/campaign/thanks', { ...view, refresh });
  }

  private busy(
    reply: FastifyReply,
    context: ReturnType<typeof pageContext>,
    slug: string,
    busy: { retryUrl: string | null; seconds: number },
  ) {
    const refresh = busy.retryUrl ? { seconds: busy.seconds, url: busy.retryUrl } : null;
    void reply.header('retry-after', String(busy.seconds));
    return renderPage(
      reply,
      context,
      'pages/campaign/busy',
      { slug, refresh, gaveUp: !busy.retryUrl },
      ERROR_HTTP_STATUS.PROVIDER_BUSY,
    );
  }
}

/** What a campaign's page shows: the campaign, its fund and its matching pool, the list. */
function campaignTags(view: { campaignId: string; fundIds: string[] }): string[] {
  return [
    PAGE_TAG.campaign(view.campaignId),
    ...view.fundIds.map((id) => PAGE_TAG.fund(id)),
    PAGE_TAG.campaigns,
  ];
}

function campaignPath(slug: string, locale: string): string {
  return `/campaigns/${encodeURIComponent(slug)}?lang=${locale}`;
}

/** The kept gift's id when the provider was too busy to open its checkout. */
function busyGift(error: unknown): string | null {
  if (!(error instanceof DomainError) || error.code !== 'PROVIDER_BUSY') return null;
  const id = error.details?.donationId;
  return typeof id === 'string' ? id : null;
}
