import { Injectable } from '@nestjs/common';
import type { Receipt } from '../receipts.types';

/** What the finance authority's platform answered: the official receipt's number and link. */
export interface OfficialReceipt {
  number: string;
  url: string | null;
}

/**
 * The seam to the official public-welfare donation e-receipt (公益事业捐赠票据), issued through
 * the provincial finance authority's platform with its own number. After one of our receipts is
 * issued, an OFFICIAL_RECEIPT outbox job asks the configured platform for the official one and
 * stores its number and link on our receipt (retried with backoff until it answers). See
 * docs/receipts.md for writing an adapter.
 */
export interface OfficialReceiptPlatform {
  /** A name for logs and the back office, e.g. `sichuan-finance`. */
  readonly name: string;
  /** Must be idempotent by our receipt number: asked again, the platform returns the same receipt. */
  request(receipt: Receipt): Promise<OfficialReceipt>;
}

/**
 * Which platform is configured, if any. The default has none: no job is queued and receipts carry
 * only our number. A deployment binds its adapter with `OfficialReceipts.use(platform)` (or by
 * overriding this provider).
 */
@Injectable()
export class OfficialReceipts {
  private platform: OfficialReceiptPlatform | null = null;

  get enabled(): boolean {
    return this.platform !== null;
  }

  get name(): string | null {
    return this.platform?.name ?? null;
  }

  use(platform: OfficialReceiptPlatform | null): void {
    this.platform = platform;
  }

  request(receipt: Receipt): Promise<OfficialReceipt> {
    if (!this.platform) throw new Error('no official e-receipt platform is configured');
    return this.platform.request(receipt);
  }
}
