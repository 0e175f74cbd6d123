import { Injectable } from '@nestjs/common';
import { FundsService } from '../funds/funds.service';
import { MatchingRepository } from './matching.repository';

/** What a sponsor's pool matched, per campaign and fund, and what is left in it (no donor data). */
@Injectable()
export class SponsorReportService {
  constructor(
    private readonly repo: MatchingRepository,
    private readonly funds: FundsService,
  ) {}

  async report(poolFundId: string) {
    const pool = await this.funds.get(poolFundId);
    const rows = await this.repo.matchedByCampaign(pool.accountId);
    return {
      poolFundId,
      poolCode: pool.code,
      currency: pool.currency,
      balanceMinor: pool.balanceMinor,
      matchedMinor: rows.reduce((sum, r) => sum + r.matchedMinor, 0),
      campaigns: rows,
    };
  }
}
