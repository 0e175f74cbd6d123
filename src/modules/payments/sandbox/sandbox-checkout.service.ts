import { Injectable } from '@nestjs/common';
import { NotFoundError } from '../../../common/errors';
import { AppConfig } from '../../../config/app-config';
import { SandboxCheckoutNotFoundError } from '../payments.errors';
import { SANDBOX_SESSION_ID } from './sandbox-ids';
import { checkoutView, redirectTarget, type SandboxCheckoutView } from './sandbox-page';
import { SandboxProcessor } from './sandbox-processor';

/**
 * The sandbox's hosted checkout page: it exists only while the sandbox is the payment provider
 * (404 with Stripe, so a production site never shows a page that "pays" without money).
 */
@Injectable()
export class SandboxCheckoutService {
  constructor(
    private readonly config: AppConfig,
    private readonly sandbox: SandboxProcessor,
  ) {}

  async page(sessionId: string, lang: unknown): Promise<SandboxCheckoutView> {
    this.assertAvailable(sessionId);
    const session = await this.sandbox.findSession(sessionId);
    if (!session) throw new SandboxCheckoutNotFoundError();
    const undelivered = await this.sandbox.undeliveredEvents(sessionId);
    return checkoutView(session, undelivered, lang, this.config.publicUrl);
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

  /**
   * A renewal asked for by `simulate-renewal` on this machine. Refused (404) from anywhere else,
   * and with Stripe: nobody on the network bills a donor's subscription.
   */
  async renew(peer: string | undefined, subscriptionId: string, fail: boolean) {
    if (this.config.paymentProvider !== 'SANDBOX' || !isLoopback(peer)) {
      throw new NotFoundError();
    }
    return this.sandbox.simulateRenewal(subscriptionId, { fail });
  }

  private assertAvailable(sessionId: string): void {
    if (this.config.paymentProvider !== 'SANDBOX' || !SANDBOX_SESSION_ID.test(sessionId)) {
      throw new SandboxCheckoutNotFoundError();
    }
  }
}

/** The TCP peer is this machine (IPv4, IPv6, or IPv4-mapped loopback). */
function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
  return v4.startsWith('127.') || address === '::1';
}
