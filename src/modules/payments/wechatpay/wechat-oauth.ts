import { Injectable } from '@nestjs/common';
import { createHmac } from 'node:crypto';
import { DomainError } from '../../../common/errors';
import { words } from '../../../common/i18n/i18n';
import { safeEqual } from '../../../common/secrets';
import { AppConfig } from '../../../config/app-config';
import { ProviderBusyError } from '../payments.errors';

/**
 * The donor's openid inside WeChat, for a JSAPI order: the official account's silent web sign-in
 * (`snsapi_base`: no consent screen, only the openid). The donor's browser goes to WeChat's
 * authorize page, which sends it back to us with a one-time `code`; we exchange the code for the
 * openid with the official account's AppSecret. `state` binds the return to the gift it was for.
 */
export interface WechatOAuthSettings {
  /** The official account's app id (WECHATPAY_JSAPI_APPID). */
  appid: string;
  /** Its AppSecret (WECHAT_OA_SECRET): never leaves the server. */
  secret: string;
  /** `https://open.weixin.qq.com` (the donor's browser goes there). */
  authorizeBase?: string;
  /** `https://api.weixin.qq.com` (the server asks there); tests point it at a local server. */
  apiBase?: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

/** WeChat refused the code (used, expired, or for another app): the donor starts again. */
export class WechatSignInRefusedError extends DomainError {
  constructor(errcode: number | string, errmsg: string) {
    super(
      'VALIDATION_FAILED',
      words('errors.wechatpay.signInRefused', { reason: `${errmsg} (${errcode})` }),
      {
        errcode,
      },
    );
  }
}

/** WeChat's `state` allows only letters and digits, up to 128 bytes. */
const STATE_LENGTH = 32;

export class WechatOAuth {
  private readonly authorizeBase: string;
  private readonly apiBase: string;
  private readonly fetch: typeof fetch;

  constructor(private readonly settings: WechatOAuthSettings) {
    this.authorizeBase = settings.authorizeBase ?? 'https://open.weixin.qq.com';
    this.apiBase = settings.apiBase ?? 'https://api.weixin.qq.com';
    this.fetch = settings.fetch ?? fetch;
  }

  /** Where to send the donor's browser; WeChat returns it to `returnUrl` with `code` and `state`. */
  authorizeUrl(returnUrl: string, donationId: string): string {
    const query = new URLSearchParams({
      appid: this.settings.appid,
      redirect_uri: returnUrl,
      response_type: 'code',
      scope: 'snsapi_base',
      state: this.stateFor(donationId),
    });
    // The fragment is part of WeChat's documented address.
    return `${this.authorizeBase}/connect/oauth2/authorize?${query.toString()}#wechat_redirect`;
  }

  /** Whether a returned `state` is the one made for this gift. */
  stateMatches(state: unknown, donationId: string): boolean {
    return typeof state === 'string' && safeEqual(state, this.stateFor(donationId));
  }

  /** Exchanges the one-time code for the donor's openid. */
  async openid(code: string): Promise<string> {
    if (!/^[A-Za-z0-9_-]{1,128}$/.test(code))
      throw new WechatSignInRefusedError('code', 'invalid code');
    const query = new URLSearchParams({
      appid: this.settings.appid,
      secret: this.settings.secret,
      code,
      grant_type: 'authorization_code',
    });
    let body: Record<string, unknown>;
    try {
      const response = await this.fetch(
        `${this.apiBase}/sns/oauth2/access_token?${query.toString()}`,
        {
          signal: AbortSignal.timeout(this.settings.timeoutMs ?? 10_000),
        },
      );
      if (response.status >= 500 || response.status === 429)
        throw new Error(`HTTP ${response.status}`);
      body = (await response.json()) as Record<string, unknown>;
    } catch (error) {
      throw new ProviderBusyError(words('errors.wechatpay.busy'), {
        cause: error instanceof Error ? error.message : String(error),
      });
    }
    const openid = body.openid;
    if (typeof openid === 'string' && /^[A-Za-z0-9_-]{1,128}$/.test(openid)) return openid;
    throw new WechatSignInRefusedError(
      typeof body.errcode === 'number' || typeof body.errcode === 'string' ? body.errcode : '?',
      typeof body.errmsg === 'string' ? body.errmsg : 'no openid',
    );
  }

  private stateFor(donationId: string): string {
    return createHmac('sha256', `lianxin-wechat-oauth:${this.settings.secret}`)
      .update(donationId)
      .digest('hex')
      .slice(0, STATE_LENGTH);
  }
}

/**
 * The official account's sign-in when one is configured (WECHATPAY_JSAPI_APPID with
 * WECHAT_OA_SECRET), else off (`oauth` null): then WeChat Pay inside WeChat is a QR code the donor
 * long-presses, as elsewhere.
 */
@Injectable()
export class WechatSignIn {
  readonly oauth: WechatOAuth | null;

  constructor(config: AppConfig) {
    const jsapi = config.wechatPay?.jsapi;
    this.oauth = jsapi
      ? new WechatOAuth({ appid: jsapi.appid, secret: jsapi.secret, apiBase: jsapi.oauthApiBase })
      : null;
  }
}
