import type { AppConfig } from '../../../config/app-config';
import type { SandboxWechatPayService } from './sandbox/sandbox-wechatpay.service';
import { createWechatPayAdapter, type WechatPayAdapter } from './wechatpay.provider';

/**
 * The WECHAT_PAY rail for the registry: the real platform when WECHATPAY_MCHID is set
 * (`config.wechatPay`, validated at start), the sandbox's fake platform in sandbox mode, else off.
 */
export function wechatPayAdapterFor(
  config: AppConfig,
  sandbox: SandboxWechatPayService,
): WechatPayAdapter | null {
  const settings = config.wechatPay;
  if (settings) {
    return createWechatPayAdapter({
      mchid: settings.mchid,
      appid: settings.appid,
      serial: settings.merchantSerial,
      merchantPrivateKey: settings.merchantPrivateKey,
      apiV3Key: settings.apiV3Key,
      platformPublicKeys: { [settings.platformSerial]: settings.platformPublicKey },
      apiBase: settings.apiBase,
      publicUrl: config.publicUrl,
      ...(settings.jsapi ? { jsapiAppId: settings.jsapi.appid } : {}),
      feeRateBp: settings.feeRateBp,
    });
  }
  if (sandbox.enabled) return createWechatPayAdapter(sandbox.get().settings);
  return null;
}
