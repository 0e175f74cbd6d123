import { WechatSignIn } from './wechatpay/wechat-oauth';
import { Logger, Module } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { SandboxAlipayModule } from './alipay/sandbox/sandbox-alipay.module';
import type { PaymentAdapter } from './payment-provider';
import { PAYMENT_ADAPTERS, PaymentRails } from './payment-rails';
import {
  SandboxCheckoutController,
  SandboxRenewalsController,
} from './sandbox/sandbox-checkout.controller';
import { SandboxCheckoutService } from './sandbox/sandbox-checkout.service';
import { SandboxExpiry } from './sandbox/sandbox-expiry';
import {
  SandboxWebhookSecret,
  SandboxWebhookSender,
  SandboxWebhookTarget,
} from './sandbox/sandbox-webhooks';
import { SandboxProcessor } from './sandbox/sandbox-processor';
import { SandboxProvider } from './sandbox/sandbox.provider';
import { SandboxRepository } from './sandbox/sandbox.repository';
import { createStripeClient } from './stripe/stripe.client';
import { StripeProvider } from './stripe/stripe.provider';
import { SandboxWechatPayModule } from './wechatpay/sandbox/sandbox-wechatpay.module';
import { SandboxWechatPayService } from './wechatpay/sandbox/sandbox-wechatpay.service';
import { wechatPayAdapterFor } from './wechatpay/wechatpay.rail';

/**
 * The STRIPE rail's adapter: Stripe when STRIPE_SECRET_KEY is set, the sandbox in sandbox mode
 * (embedded, or by the PAYMENTS_SANDBOX=true opt-in), none otherwise (a deployment with only
 * WeChat Pay or Alipay). validateEnv refuses every unsafe combination.
 */
export function selectStripeAdapter(
  config: AppConfig,
  sandbox: SandboxProvider,
): PaymentAdapter | null {
  if (config.paymentProvider === 'SANDBOX') {
    if (config.databaseMode === 'external') {
      // Only by PAYMENTS_SANDBOX=true (validateEnv): said loudly, at every start.
      new Logger('Payments').warn(
        'PAYMENTS_SANDBOX=true: gifts are paid on the free sandbox checkout and no money moves. Never let real donors reach this deployment.',
      );
    }
    return sandbox;
  }
  if (config.paymentProvider !== 'STRIPE') return null;
  const { secretKey, webhookSecret, apiBase } = config.stripe;
  // validateEnv guarantees the webhook secret whenever the secret key is set.
  return new StripeProvider(createStripeClient({ secretKey: secretKey!, apiBase }), {
    webhookSecret: webhookSecret!,
  });
}

/** What the adapters' factories may use besides the configuration. */
export interface PaymentAdapterDeps {
  sandbox: SandboxProvider;
  /** WeChat Pay's fake platform and keys, in sandbox mode. */
  sandboxWechatPay: SandboxWechatPayService;
}

/**
 * The registration point of the rails: every adapter the configuration enables, built once.
 * STRIPE (Stripe or the sandbox) first; WeChat Pay and Alipay by their factories
 * (`createWechatPayAdapter(config, deps)`, `createAlipayAdapter(config, deps)`), each enabled by its
 * settings (`config.wechatPay`, `config.alipay`) or, in sandbox mode (`config.paymentsSandbox`),
 * against its built-in fake platform.
 */
export function buildPaymentAdapters(
  config: AppConfig,
  deps: PaymentAdapterDeps,
): PaymentAdapter[] {
  const adapters: PaymentAdapter[] = [];
  const stripe = selectStripeAdapter(config, deps.sandbox);
  if (stripe) adapters.push(stripe);
  const wechatPay = wechatPayAdapterFor(config, deps.sandboxWechatPay);
  if (wechatPay) adapters.push(wechatPay);
  // Alipay: if (config.alipay || config.paymentsSandbox) adapters.push(createAlipayAdapter(config, deps));
  return adapters;
}

/**
 * The payment rails (`PaymentRails`, the registry of enabled adapters), plus the sandbox's checkout
 * page. `SandboxProvider` and the fake processor behind it (`SandboxProcessor`: pay, decline,
 * renewals) are exported as well, for the `simulate-renewal` command and tests.
 */
@Module({
  imports: [SandboxAlipayModule, SandboxWechatPayModule],
  controllers: [SandboxCheckoutController, SandboxRenewalsController],
  providers: [
    SandboxRepository,
    SandboxWebhookSecret,
    SandboxWebhookTarget,
    SandboxWebhookSender,
    SandboxProcessor,
    SandboxProvider,
    SandboxCheckoutService,
    SandboxExpiry,
    {
      provide: PAYMENT_ADAPTERS,
      inject: [AppConfig, SandboxProvider, SandboxWechatPayService],
      useFactory: (
        config: AppConfig,
        sandbox: SandboxProvider,
        sandboxWechatPay: SandboxWechatPayService,
      ) => buildPaymentAdapters(config, { sandbox, sandboxWechatPay }),
    },
    PaymentRails,
    WechatSignIn,
  ],
  exports: [
    PaymentRails,
    WechatSignIn,
    SandboxProvider,
    SandboxProcessor,
    SandboxAlipayModule,
    SandboxWechatPayModule,
  ],
})
export class PaymentsModule {}
