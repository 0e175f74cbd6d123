import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import path from 'node:path';
import type { EnvSchema } from './env.schema';
import { pemText } from './pem';

export type RunMode = 'embedded' | 'external';

/** What serves the STRIPE rail: Stripe with a secret key, else the sandbox in sandbox mode. */
export type PaymentProviderMode = 'STRIPE' | 'SANDBOX';

/** WeChat Pay (API v3) settings, keys as PEM text (read from their files when given as paths). */
export interface WechatPaySettings {
  mchid: string;
  appid: string;
  merchantSerial: string;
  merchantPrivateKey: string;
  /** 32 bytes. */
  apiV3Key: string;
  platformPublicKey: string;
  platformSerial: string;
  apiBase: string;
  /** The official account for JSAPI inside WeChat; absent without one. */
  /**
   * The official account for JSAPI inside WeChat (absent without one); `oauthApiBase` is where the
   * donor's sign-in code is exchanged for the openid (api.weixin.qq.com unless told).
   */
  jsapi?: { appid: string; secret: string; oauthApiBase: string };
  feeRateBp: number;
}

export interface AlipaySettings {
  appId: string;
  appPrivateKey: string;
  alipayPublicKey: string;
  sellerId?: string;
  gateway: string;
  feeRateBp: number;
}

/** Typed view over the validated environment; the rest of the app never reads process.env. */
@Injectable()
export class AppConfig {
  constructor(private readonly config: ConfigService<EnvSchema, true>) {}

  get nodeEnv(): EnvSchema['NODE_ENV'] {
    return this.config.get('NODE_ENV', { infer: true });
  }
  get port(): number {
    return this.config.get('PORT', { infer: true });
  }
  get host(): string {
    return this.config.get('HOST', { infer: true });
  }
  get dataDir(): string {
    return path.resolve(this.config.get('DATA_DIR', { infer: true }));
  }
  get databaseUrl(): string | undefined {
    return this.config.get('DATABASE_URL', { infer: true });
  }
  get databaseMode(): RunMode {
    return this.databaseUrl ? 'external' : 'embedded';
  }
  get databasePoolSize(): number {
    return this.config.get('DATABASE_POOL_SIZE', { infer: true });
  }
  get redisUrl(): string | undefined {
    return this.config.get('REDIS_URL', { infer: true });
  }
  get auth() {
    return {
      sessionIdleSeconds: this.config.get('SESSION_IDLE_MINUTES', { infer: true }) * 60,
      sessionMaxSeconds: this.config.get('SESSION_MAX_DAYS', { infer: true }) * 86_400,
      maxFailures: this.config.get('LOGIN_MAX_FAILURES', { infer: true }),
      lockSeconds: this.config.get('LOGIN_LOCK_MINUTES', { infer: true }) * 60,
      ipLimit: this.config.get('LOGIN_IP_LIMIT', { infer: true }),
    };
  }
  /** Cookies are Secure when people reach the app over https. */
  get secureCookies(): boolean {
    return this.publicUrl.startsWith('https://');
  }
  get smtpUrl(): string | undefined {
    return this.config.get('SMTP_URL', { infer: true });
  }
  get mailFrom(): string {
    return this.config.get('MAIL_FROM', { infer: true });
  }
  get queue() {
    return {
      prefix: this.config.get('QUEUE_PREFIX', { infer: true }),
      processors: this.config.get('QUEUE_PROCESSORS', { infer: true }) === 'true',
      pollMs: this.config.get('OUTBOX_POLL_MS', { infer: true }),
      maxAttempts: this.config.get('OUTBOX_MAX_ATTEMPTS', { infer: true }),
      backoffMs: this.config.get('OUTBOX_BACKOFF_MS', { infer: true }),
    };
  }
  /** How long a stopping process waits for requests and jobs in progress before exiting anyway. */
  get shutdownTimeoutMs(): number {
    return this.config.get('SHUTDOWN_TIMEOUT_SECONDS', { infer: true }) * 1000;
  }
  /**
   * Who may read /metrics: a bearer token, and/or a separate listener (port, host) that serves
   * nothing else (docs/operations.md, "Metrics").
   */
  get metrics(): { token?: string; port?: number; host: string } {
    return {
      token: this.config.get('METRICS_TOKEN', { infer: true }),
      port: this.config.get('METRICS_PORT', { infer: true }),
      host: this.config.get('METRICS_HOST', { infer: true }),
    };
  }
  /** Failed attempts after which a payment event becomes a dead letter. */
  get paymentEventMaxAttempts(): number {
    return this.config.get('PAYMENT_EVENT_MAX_ATTEMPTS', { infer: true });
  }
  get donationLimits(): { perIp: number; perEmail: number } {
    return {
      perIp: this.config.get('DONATION_LIMIT_PER_IP', { infer: true }),
      perEmail: this.config.get('DONATION_LIMIT_PER_EMAIL', { infer: true }),
    };
  }
  /** The STRIPE rail's adapter, or null when that rail is off (only WeChat Pay or Alipay set). */
  get paymentProvider(): PaymentProviderMode | null {
    if (this.stripe.secretKey) return 'STRIPE';
    return this.paymentsSandbox ? 'SANDBOX' : null;
  }
  /**
   * Sandbox mode: PAYMENTS_SANDBOX=true, or embedded with no real rail configured (the demo). Every
   * rail without real settings then runs against its built-in fake (validateEnv refuses this in
   * production).
   */
  get paymentsSandbox(): boolean {
    if (this.config.get('PAYMENTS_SANDBOX', { infer: true }) === 'true') return true;
    const realRail =
      this.stripe.secretKey ||
      this.config.get('WECHATPAY_MCHID', { infer: true }) ||
      this.config.get('ALIPAY_APP_ID', { infer: true });
    return this.databaseMode === 'embedded' && !realRail;
  }
  /** WeChat Pay's settings when WECHATPAY_MCHID is set (validateEnv checked them all), else null. */
  get wechatPay(): WechatPaySettings | null {
    const get = <K extends keyof EnvSchema>(key: K) => this.config.get(key, { infer: true });
    const mchid = get('WECHATPAY_MCHID');
    if (!mchid) return null;
    const jsapiAppid = get('WECHATPAY_JSAPI_APPID');
    const oaSecret = get('WECHAT_OA_SECRET');
    return {
      mchid,
      appid: get('WECHATPAY_APPID')!,
      merchantSerial: get('WECHATPAY_MERCHANT_SERIAL')!,
      merchantPrivateKey: pemText(get('WECHATPAY_MERCHANT_PRIVATE_KEY')!),
      apiV3Key: get('WECHATPAY_APIV3_KEY')!,
      platformPublicKey: pemText(get('WECHATPAY_PLATFORM_PUBLIC_KEY')!),
      platformSerial: get('WECHATPAY_PLATFORM_SERIAL')!,
      apiBase: get('WECHATPAY_API_BASE') ?? 'https://api.mch.weixin.qq.com',
      ...(jsapiAppid && oaSecret
        ? {
            jsapi: {
              appid: jsapiAppid,
              secret: oaSecret,
              oauthApiBase: get('WECHAT_OAUTH_API_BASE') ?? 'https://api.weixin.qq.com',
            },
          }
        : {}),
      feeRateBp: get('WECHATPAY_FEE_RATE_BP') ?? 60,
    };
  }
  /** Alipay's settings when ALIPAY_APP_ID is set (validateEnv checked them all), else null. */
  get alipay(): AlipaySettings | null {
    const get = <K extends keyof EnvSchema>(key: K) => this.config.get(key, { infer: true });
    const appId = get('ALIPAY_APP_ID');
    if (!appId) return null;
    const sellerId = get('ALIPAY_SELLER_ID');
    return {
      appId,
      appPrivateKey: pemText(get('ALIPAY_APP_PRIVATE_KEY')!),
      alipayPublicKey: pemText(get('ALIPAY_PUBLIC_KEY')!),
      ...(sellerId ? { sellerId } : {}),
      gateway: get('ALIPAY_GATEWAY') ?? 'https://openapi.alipay.com/gateway.do',
      feeRateBp: get('ALIPAY_FEE_RATE_BP') ?? 60,
    };
  }
  /**
   * Stripe settings. With the sandbox, `webhookSecret` (when set) signs and verifies the sandbox's
   * events; unset, the sandbox keeps its own secret in DATA_DIR (see docs/payments.md).
   */
  get stripe(): { secretKey?: string; webhookSecret?: string; apiBase?: string } {
    return {
      secretKey: this.config.get('STRIPE_SECRET_KEY', { infer: true }),
      webhookSecret: this.config.get('STRIPE_WEBHOOK_SECRET', { infer: true }),
      apiBase: this.config.get('STRIPE_API_BASE', { infer: true }),
    };
  }
  /** 0 when the public page cache is off. */
  get pageCacheTtlSeconds(): number {
    return (
      this.config.get('PAGE_CACHE_TTL_SECONDS', { infer: true }) ??
      (this.databaseMode === 'embedded' ? 0 : 10)
    );
  }
  /** The frame-ancestors sources of the campaign widget (every other page: 'none'). */
  get widgetFrameAncestors(): string[] {
    return this.config.get('WIDGET_FRAME_ANCESTORS', { infer: true }).trim().split(/ +/);
  }
  get publicUrl(): string {
    return this.config.get('PUBLIC_URL', { infer: true }) ?? `http://localhost:${this.port}`;
  }
}
