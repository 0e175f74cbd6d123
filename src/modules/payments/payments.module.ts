import { Logger, Module } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { SandboxAlipayModule } from './alipay/sandbox/sandbox-alipay.module';
import { SandboxWechatPayModule } from './wechatpay/sandbox/sandbox-wechatpay.module';
import { PAYMENT_PROVIDER, type PaymentProvider } from './payment-provider';
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

/**
 * Picks the adapter: Stripe when STRIPE_SECRET_KEY is set, the sandbox otherwise (embedded, or by
 * the PAYMENTS_SANDBOX=true opt-in; validateEnv refuses every other case).
 */
export function selectPaymentProvider(
  config: AppConfig,
  sandbox: SandboxProvider,
): PaymentProvider {
  if (config.paymentProvider === 'SANDBOX') {
    if (config.databaseMode === 'external') {
      // Only by PAYMENTS_SANDBOX=true (validateEnv): said loudly, at every start.
      new Logger('Payments').warn(
        'PAYMENTS_SANDBOX=true: gifts are paid on the free sandbox checkout and no money moves. Never let real donors reach this deployment.',
      );
    }
    return sandbox;
  }
  const { secretKey, webhookSecret, apiBase } = config.stripe;
  // validateEnv guarantees the webhook secret whenever the secret key is set.
  return new StripeProvider(createStripeClient({ secretKey: secretKey!, apiBase }), {
    webhookSecret: webhookSecret!,
  });
}

/**
 * The payment provider port (`PAYMENT_PROVIDER`) and its two adapters, plus the sandbox's checkout
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
      provide: PAYMENT_PROVIDER,
      inject: [AppConfig, SandboxProvider],
      useFactory: selectPaymentProvider,
    },
  ],
  exports: [
    PAYMENT_PROVIDER,
    SandboxProvider,
    SandboxProcessor,
    SandboxAlipayModule,
    SandboxWechatPayModule,
  ],
})
export class PaymentsModule {}
