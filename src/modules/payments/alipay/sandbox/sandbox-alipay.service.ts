import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../../../../config/app-config';
import { NotFoundError } from '../../../../common/errors';
import { words, type SupportedLocale } from '../../../../common/i18n/i18n';
import { FoundationService } from '../../../foundation/foundation.service';
import { SandboxWebhookTarget } from '../../sandbox/sandbox-webhooks';
import { redirectTarget } from '../../sandbox/sandbox-page';
import type { FakeAlipayResponse } from './fake-alipay';
import {
  SANDBOX_ALIPAY_CASHIER_PATH,
  type SandboxAlipay,
  createSandboxAlipay,
} from './sandbox-alipay';

export interface AlipayCashierView {
  outTradeNo: string;
  payee: string | null;
  subject: string;
  amountMinor: number;
  currency: 'CNY';
  open: boolean;
  paid: boolean;
  closed: boolean;
  payAction: string;
  /** Back without paying: quit_url (phones), else the site's home. */
  cancelUrl: string;
  /** Where a finished order sends the donor on. */
  continueUrl: string | null;
}

/**
 * The sandbox's Alipay in this process: the fake gateway (keys from DATA_DIR, made on first use)
 * and the donor's cashier. Only while the sandbox is the payment mode; otherwise every route of
 * it answers 404.
 */
@Injectable()
export class SandboxAlipayService implements OnApplicationShutdown {
  private readonly logger = new Logger('SandboxAlipay');
  private sandbox?: SandboxAlipay;

  constructor(
    private readonly config: AppConfig,
    private readonly target: SandboxWebhookTarget,
    private readonly foundation: FoundationService,
  ) {}

  /** Sandbox mode, and no real Alipay configured. */
  get enabled(): boolean {
    return this.config.paymentsSandbox && !this.config.alipay;
  }

  /** Settings for the adapter and the fake behind them (CORE's registry builds the adapter). */
  get(): SandboxAlipay {
    if (!this.enabled) throw new NotFoundError();
    this.sandbox ??= createSandboxAlipay({
      dataDir: this.config.dataDir,
      publicUrl: this.config.publicUrl,
      serverOrigin: () => new URL(this.target.url()).origin,
      // ALIPAY_FEE_RATE_BP's default: the sandbox has no Alipay settings.
      feeRateBp: 60,
    });
    return this.sandbox;
  }

  async onApplicationShutdown(): Promise<void> {
    this.sandbox?.fake.stop();
    await this.sandbox?.fake.idle();
  }

  gateway(
    method: string,
    url: string,
    headers: Record<string, string | string[] | undefined>,
    body: Buffer,
  ): FakeAlipayResponse {
    return this.get().fake.handle(method, url, headers, body);
  }

  async cashier(outTradeNo: string, locale: SupportedLocale): Promise<AlipayCashierView> {
    const order = this.get().fake.order(outTradeNo);
    if (!order) throw new NotFoundError(words('alipay.cashier.notFound'));
    const profile = await this.foundation.findProfile();
    const paid = order.status === 'TRADE_SUCCESS' || order.status === 'TRADE_FINISHED';
    const home = '/';
    return {
      outTradeNo,
      payee: profile ? (locale === 'en' ? profile.legalNameEn : profile.legalNameZh) : null,
      subject: order.subject,
      amountMinor: order.totalFen,
      currency: 'CNY',
      open: order.status === 'WAIT_BUYER_PAY',
      paid,
      closed: order.status === 'TRADE_CLOSED',
      payAction: `${SANDBOX_ALIPAY_CASHIER_PATH}/${outTradeNo}/pay`,
      cancelUrl: order.quitUrl ? this.onSite(order.quitUrl) : home,
      continueUrl: paid
        ? this.returnUrl(outTradeNo)
        : order.quitUrl
          ? this.onSite(order.quitUrl)
          : home,
    };
  }

  /**
   * 确认付款: the order is paid and its notification goes through the real webhook route (the
   * donor's next page already shows the gift settled); then the donor returns to return_url with
   * Alipay's signed synchronous parameters. Pressing it again on a paid order only returns.
   */
  async pay(outTradeNo: string): Promise<string> {
    const fake = this.get().fake;
    const order = fake.order(outTradeNo);
    if (!order) throw new NotFoundError(words('alipay.cashier.notFound'));
    if (order.status === 'WAIT_BUYER_PAY') {
      const delivery = await fake.pay(outTradeNo);
      if (delivery && !delivery.delivered) {
        this.logger.warn(
          `notification for ${outTradeNo} answered ${delivery.lastStatus ?? 'nothing'} ${delivery.lastAnswer}; Alipay's schedule re-sends it`,
        );
      }
    }
    if (order.status === 'TRADE_CLOSED') return `${SANDBOX_ALIPAY_CASHIER_PATH}/${outTradeNo}`;
    return this.returnUrl(outTradeNo);
  }

  private returnUrl(outTradeNo: string): string {
    const url = this.get().fake.returnUrl(outTradeNo);
    return url ? this.onSite(url) : '/';
  }

  /** A URL on PUBLIC_URL's origin as a path, so the donor stays on the host they used. */
  private onSite(url: string): string {
    return redirectTarget(url, '', this.config.publicUrl);
  }
}
