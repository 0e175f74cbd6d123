import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { sandboxCheckoutNotFound } from './payments.errors';
import { SANDBOX_SESSION_ID } from './sandbox-ids';
import { checkoutView, redirectTarget, type SandboxCheckoutView } from './sandbox-page';
import { SandboxProvider } from './sandbox.provider';

/**
 * The sandbox's hosted checkout page: it exists only while the sandbox is the payment provider
 * (404 with Stripe, so a production site never shows a page that "pays" without money).
 */
@Injectable()
export class SandboxCheckoutService {
  constructor(
    private readonly config: AppConfig,
    private readonly sandbox: SandboxProvider,
  ) {}

  async page(sessionId: string, lang: unknown): Promise<SandboxCheckoutView> {
    this.assertAvailable(sessionId);
    const session = await this.sandbox.findSession(sessionId);
    if (!session) throw sandboxCheckoutNotFound();
    return checkoutView(session, lang, this.config.publicUrl);
  }

  /** Pays and returns where to send the donor (the success URL). */
  async pay(sessionId: string): Promise<string> {
    this.assertAvailable(sessionId);
    const session = await this.sandbox.pay(sessionId);
    return redirectTarget(session.successUrl, session.id, this.config.publicUrl);
  }

  /** Declines and returns where to send the donor (the cancel URL). */
  async decline(sessionId: string): Promise<string> {
    this.assertAvailable(sessionId);
    const session = await this.sandbox.decline(sessionId);
    return redirectTarget(session.cancelUrl, session.id, this.config.publicUrl);
  }

  private assertAvailable(sessionId: string): void {
    if (this.config.paymentProvider !== 'SANDBOX' || !SANDBOX_SESSION_ID.test(sessionId)) {
      throw sandboxCheckoutNotFound();
    }
  }
}
