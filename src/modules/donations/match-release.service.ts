import { Injectable } from '@nestjs/common';
import { TransactionService } from '../../database/transaction.service';
import { AuditService } from '../audit/audit.service';
import { CampaignTotalsService } from '../campaigns/campaign-totals.service';
import { FundsService } from '../funds/funds.service';
import { LedgerService } from '../ledger/ledger.service';
import { MatchingService } from '../matching/matching.service';
import {
  DonationNotFoundError,
  MatchNotReleasableError,
  MatchNotWithheldError,
} from './donations.errors';
import { DonationsRepository } from './donations.repository';
import type { Donation } from './donations.types';
import { startOfDayShanghai } from './settlement.service';
import { words } from '../../common/i18n/i18n';

/**
 * FINANCE releases a match the bot check withheld, after checking the donor is real. The match is
 * then posted as any match is (MatchingService.match: the pool's lock, the rule's caps and window at
 * the gift's time, the ledger key `match:<gift>`), without the bot check; the donation's row lock
 * and its `match_released_at` make a second release (a double submit) a 409, never a second post.
 */
@Injectable()
export class MatchReleaseService {
  constructor(
    private readonly tx: TransactionService,
    private readonly repo: DonationsRepository,
    private readonly matching: MatchingService,
    private readonly campaignTotals: CampaignTotalsService,
    private readonly funds: FundsService,
    private readonly ledger: LedgerService,
    private readonly audit: AuditService,
  ) {}

  async release(id: string): Promise<Donation> {
    return this.tx.run(async (m) => {
      const gift = await this.repo.lock(m, { id });
      if (!gift) throw new DonationNotFoundError(id);
      if (!gift.matchWithheldReason || gift.matchReleasedAt || gift.matchedMinor > 0) {
        throw new MatchNotWithheldError(id, gift.matchReleasedAt !== null);
      }
      if (gift.status !== 'SUCCEEDED' || gift.refundedMinor > 0) {
        throw new MatchNotReleasableError(words('errors.donations.matchGiftNotReceived'), {
          status: gift.status,
          refundedMinor: gift.refundedMinor,
        });
      }
      // Only gifts to a campaign are ever matched (and withheld).
      const campaignId = gift.campaignId;
      const email = gift.donorEmail;
      if (campaignId === null) throw new MatchNotWithheldError(id, false);
      // The fund before the pool: the order settling gifts and refunds take them in.
      const fundAccountId = await this.funds.accountIdOf(gift.fundId, { within: m });
      await this.ledger.lockedBalance(m, fundAccountId);
      const at = gift.succeededAt ?? new Date();
      const match = await this.matching.match(m, {
        id: gift.id,
        campaignId,
        fundId: gift.fundId,
        amountMinor: gift.amountMinor,
        feeCoverMinor: gift.feeCoverMinor,
        currency: gift.currency,
        at,
        donorMatchedToday: () =>
          email === null
            ? Promise.resolve(0)
            : this.repo.matchedForDonorSince(m, campaignId, email, startOfDayShanghai(at)),
      });
      if (match.matchedMinor === 0) {
        throw new MatchNotReleasableError(
          words('errors.donations.matchCannotPost', {
            why: words(`errors.donations.noMatch.${match.reason ?? 'POOL_EMPTY'}`),
          }),
          { reason: match.reason },
        );
      }
      const releasedAt = new Date();
      await this.repo.update(m, gift.id, {
        matchedMinor: match.matchedMinor,
        matchReleasedAt: releasedAt,
      });
      await this.campaignTotals.recordLateMatch(m, campaignId, match.matchedMinor);
      await this.audit.record(m, {
        action: 'donation.match_released',
        entityType: 'donation',
        entityId: gift.id,
        before: { matchedMinor: 0, matchWithheldReason: gift.matchWithheldReason },
        after: { matchedMinor: match.matchedMinor, limitedBy: match.reason ?? null },
      });
      return { ...gift, matchedMinor: match.matchedMinor, matchReleasedAt: releasedAt };
    });
  }
}
