import { Injectable } from '@nestjs/common';
import { words, type SupportedLocale, translate } from '../../../../common/i18n/i18n';
import { NotFoundError } from '../../../../common/errors';
import { AppConfig } from '../../../../config/app-config';
import { FoundationService } from '../../../foundation/foundation.service';
import { SandboxWebhookTarget } from '../../sandbox/sandbox-webhooks';
import type { DeliveryOutcome, FakeOrder, FakeResponse } from './fake-wechatpay';
import { createSandboxWechatPay, type SandboxWechatPay } from './sandbox-wechatpay';
import {
  pagePath,
  returnTarget,
  wechatPayPageView,
  type WechatPayPageView,
} from './wechatpay-pay-page';

/** A cashier page token as the fake makes them (`wx` + 32 hex digits). */
const TOKEN = /^wx[0-9a-f]{32}$/;

/**
 * WeChat Pay's sandbox in this server: the fake platform (built once, on first use, from the keys
 * in DATA_DIR) that the real adapter calls over HTTP, and the donor's cashier page. Everything
 * answers 404 unless this deployment is in sandbox mode without real WeChat Pay settings, so a
 * production site never shows a page that "pays" without money.
 */
@Injectable()
export class SandboxWechatPayService {
  private instance?: SandboxWechatPay;
  /** The last delivery of each paid order's notification, for the page's "tell it again". */
  private readonly deliveries = new Map<string, DeliveryOutcome>();

  constructor(
    private readonly config: AppConfig,
    private readonly target: SandboxWebhookTarget,
    private readonly foundation: FoundationService,
  ) {}

  /** Sandbox mode (the demo, PAYMENTS_SANDBOX=true) without real WeChat Pay settings. */
  get enabled(): boolean {
    return this.config.paymentsSandbox && !this.config.wechatPay;
  }

  /** The adapter's settings and the fake (the rails registry builds the adapter from them). */
  get(): SandboxWechatPay {
    if (!this.enabled) throw new NotFoundError();
    this.instance ??= createSandboxWechatPay({
      dataDir: this.config.dataDir,
      publicUrl: this.config.publicUrl,
      serverOrigin: () => new URL(this.target.url()).origin,
    });
    return this.instance;
  }

  /** The fake platform's API (`/sandbox/wechatpay/v3/*`). */
  api(
    method: string,
    pathWithQuery: string,
    headers: Record<string, string | undefined>,
    body: string,
  ): FakeResponse {
    return this.get().fake.handle(method, pathWithQuery, headers, body);
  }

  async page(
    token: string,
    locale: SupportedLocale,
    options: { redirectUrl?: unknown; cancelled?: boolean },
  ): Promise<WechatPayPageView> {
    const order = this.order(token);
    return wechatPayPageView(order, {
      payee: await this.payee(locale),
      publicUrl: this.config.publicUrl,
      redirectUrl: options.redirectUrl,
      cancelled: options.cancelled,
      delivery: this.deliveries.get(token) ?? null,
    });
  }

  /**
   * 确认支付: the order is paid and TRANSACTION.SUCCESS is delivered to this server's webhook
   * (awaited). Returns where the donor goes: the merchant's redirect_url (H5, once delivered), or
   * the page again (Native: it says 支付成功; the QR page on the desktop moves on by itself).
   */
  async confirm(token: string, redirectUrl: unknown): Promise<string> {
    const order = this.order(token);
    const delivery = await this.get().fake.pay(order.outTradeNo);
    this.deliveries.set(token, delivery);
    const delivered = delivery.status !== null && delivery.status >= 200 && delivery.status < 300;
    const back = returnTarget(redirectUrl, this.config.publicUrl);
    if (delivered && back !== null) return back;
    return this.pageUrl(token, redirectUrl);
  }

  /** 取消: nothing changes at the platform; H5 goes back to the merchant, Native stays here. */
  cancel(token: string, redirectUrl: unknown): string {
    this.order(token);
    const back = returnTarget(redirectUrl, this.config.publicUrl);
    if (back !== null) return back;
    return `${pagePath(token)}?cancelled=1`;
  }

  private pageUrl(token: string, redirectUrl: unknown): string {
    return typeof redirectUrl === 'string' && redirectUrl !== ''
      ? `${pagePath(token)}?redirect_url=${encodeURIComponent(redirectUrl)}`
      : pagePath(token);
  }

  private order(token: string): FakeOrder {
    const order = TOKEN.test(token) ? this.get().fake.orderByToken(token) : undefined;
    if (!order) throw new NotFoundError(words('errors.wechatpay.noOrder'));
    return order;
  }

  /** The merchant's name as the cashier shows it: the foundation's, else the site's. */
  private async payee(locale: SupportedLocale): Promise<string> {
    const profile = await this.foundation.findProfile();
    if (profile) return locale === 'en' ? profile.legalNameEn : profile.legalNameZh;
    return translate(locale, 'site.name');
  }
}
