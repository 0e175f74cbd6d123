import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { CampaignsService } from '../campaigns/campaigns.service';
import { FundsService } from '../funds/funds.service';
import { DonorDataRepository } from './donor-data.repository';
import type { Donation } from './donations.types';
import { PaymentEventsRepository } from './payment-events.repository';

/** A gift as the donor's access download shows it: the row, with its campaign's and fund's names. */
export interface DonorGift extends Donation {
  campaign: { titleZh: string; titleEn: string } | null;
  fund: { nameZh: string; nameEn: string };
}

/**
 * The donations module's personal data, for the privacy module: everything held on gifts of one
 * address, and what retention takes away when its periods run out (IP addresses, expired donor
 * links, settled payment notifications' payloads). Amounts and the ledger are never touched.
 */
@Injectable()
export class DonorDataService {
  constructor(
    private readonly repo: DonorDataRepository,
    private readonly events: PaymentEventsRepository,
    private readonly campaigns: CampaignsService,
    private readonly funds: FundsService,
  ) {}

  /** Every gift of a lower-cased address, whatever its status, oldest first. */
  async giftsOf(email: string): Promise<DonorGift[]> {
    const gifts = await this.repo.giftsOf(email);
    const campaigns = await this.campaigns.getManyById(
      gifts.flatMap((d) => (d.campaignId === null ? [] : [d.campaignId])),
    );
    const funds = new Map<string, { nameZh: string; nameEn: string }>();
    for (const d of gifts) {
      if (funds.has(d.fundId)) continue;
      const fund = await this.funds.get(d.fundId);
      funds.set(d.fundId, { nameZh: fund.nameZh, nameEn: fund.nameEn });
    }
    return gifts.map((d) => {
      const c = d.campaignId === null ? undefined : campaigns.get(d.campaignId);
      return {
        ...d,
        campaign: c ? { titleZh: c.titleZh, titleEn: c.titleEn } : null,
        fund: funds.get(d.fundId)!,
      };
    });
  }

  /** Donors past their contact period: last gift before `cutoff`, no monthly gift running. */
  addressesLastGivenBefore(m: EntityManager, cutoff: Date, limit: number): Promise<string[]> {
    return this.repo.addressesLastGivenBefore(m, cutoff, limit);
  }

  /** Whether one address is still past its contact period (asked again inside its erasure). */
  async stillPastContact(m: EntityManager, email: string, cutoff: Date): Promise<boolean> {
    return (await this.repo.addressesLastGivenBefore(m, cutoff, 1, email)).length === 1;
  }

  clearIpsBefore(m: EntityManager, cutoff: Date): Promise<number> {
    return this.repo.clearIpsBefore(m, cutoff);
  }

  deleteDonorLinksExpiredBefore(m: EntityManager, cutoff: Date): Promise<number> {
    return this.repo.deleteLinksExpiredBefore(m, cutoff);
  }

  redactPaymentPayloadsSettledBefore(m: EntityManager, cutoff: Date): Promise<number> {
    return this.events.redactSettledBefore(m, cutoff);
  }
}
