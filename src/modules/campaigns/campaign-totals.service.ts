import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { InvalidAmountError, ValidationFailedError } from '../../common/errors';
import { assertSafeAmount, MoneyFormatError } from '../../common/money';
import { CampaignNotFoundError } from './campaigns.errors';
import { CampaignsRepository } from './campaigns.repository';
import { words } from '../../common/i18n/i18n';

/**
 * Rows of campaign_totals per campaign. A gift lands on slot pg_backend_pid() % N, so concurrent
 * settlements on different connections update different rows; reads sum N rows.
 */
export const CAMPAIGN_TOTAL_SLOTS = 8;

/**
 * The totals that donation settlement keeps: every method runs inside the settlement's (or the
 * match release's) transaction, so it takes that manager first.
 */
@Injectable()
export class CampaignTotalsService {
  constructor(private readonly repo: CampaignsRepository) {}

  /** A new campaign's slots, in the transaction that creates it. */
  async createSlots(manager: EntityManager, campaignId: string): Promise<void> {
    await this.repo.createTotalsSlots(manager, campaignId, CAMPAIGN_TOTAL_SLOTS);
  }

  /**
   * Counts a settled gift and its match, inside the settlement's transaction: raised += amount,
   * matched += match, gifts += 1, and donors += 1 the first time this donor key gives to this
   * campaign (exact under concurrency: campaign_donors' primary key decides). One statement, as it
   * runs while the settlement holds the matching pool.
   */
  async recordGift(
    manager: EntityManager,
    campaignId: string,
    gift: { amountMinor: number; matchedMinor?: number; donorKey: string },
  ): Promise<void> {
    assertAmount(gift.amountMinor, 'amountMinor', false);
    const matchedMinor = gift.matchedMinor ?? 0;
    assertAmount(matchedMinor, 'matchedMinor', true);
    if (typeof gift.donorKey !== 'string' || gift.donorKey.length === 0) {
      throw new ValidationFailedError(words('errors.campaigns.donorKey'));
    }
    const found = await this.repo.addGift(
      manager,
      campaignId,
      { ...gift, matchedMinor },
      CAMPAIGN_TOTAL_SLOTS,
    );
    if (!found) throw new CampaignNotFoundError(campaignId);
  }

  /**
   * Erasure: a donor key (the email) becomes the erased person's subject in every campaign they
   * gave to, so the distinct-donor counts stay exact and name nobody. Returns the rows changed.
   */
  renameDonorKey(manager: EntityManager, from: string, to: string): Promise<number> {
    return this.repo.renameDonorKey(manager, from, to);
  }

  /** Takes a refund (and the match given back) off the totals; gift and donor counts stay. */
  async recordRefund(
    manager: EntityManager,
    campaignId: string,
    refund: { amountMinor: number; matchedMinor: number },
  ): Promise<void> {
    assertAmount(refund.amountMinor, 'amountMinor', true);
    assertAmount(refund.matchedMinor, 'matchedMinor', true);
    if (refund.amountMinor === 0 && refund.matchedMinor === 0) return;
    const found = await this.repo.addAmounts(
      manager,
      campaignId,
      { raisedMinor: -refund.amountMinor, matchedMinor: -refund.matchedMinor },
      CAMPAIGN_TOTAL_SLOTS,
    );
    if (!found) throw new CampaignNotFoundError(campaignId);
  }

  /** Adds a match posted after its gift was counted (a withheld match released by FINANCE). */
  async recordLateMatch(
    manager: EntityManager,
    campaignId: string,
    matchedMinor: number,
  ): Promise<void> {
    assertAmount(matchedMinor, 'matchedMinor', false);
    const found = await this.repo.addAmounts(
      manager,
      campaignId,
      { raisedMinor: 0, matchedMinor },
      CAMPAIGN_TOTAL_SLOTS,
    );
    if (!found) throw new CampaignNotFoundError(campaignId);
  }
}

function assertAmount(amount: number, field: string, allowZero: boolean): void {
  try {
    assertSafeAmount(amount);
  } catch (error) {
    if (error instanceof MoneyFormatError) {
      throw new InvalidAmountError(words('errors.code.INVALID_AMOUNT'), {
        field,
        problem: error.message,
      });
    }
    throw error;
  }
  if (amount < 0 || (!allowZero && amount === 0)) {
    throw new InvalidAmountError(
      words(allowZero ? 'errors.campaigns.atLeastZero' : 'errors.campaigns.moreThanZero', {
        field,
      }),
    );
  }
}
