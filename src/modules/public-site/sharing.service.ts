import { Injectable } from '@nestjs/common';
import { CampaignsService } from '../campaigns/campaigns.service';
import { FundsService } from '../funds/funds.service';

const PAGE_SIZE = 500;

/** The public pages a sitemap lists: home, funds directory and every fund, campaigns, projects. */
@Injectable()
export class SharingService {
  constructor(
    private readonly campaigns: CampaignsService,
    private readonly funds: FundsService,
  ) {}

  async publicPaths(): Promise<string[]> {
    const [funds, campaigns] = await Promise.all([this.fundCodes(), this.campaignSlugs()]);
    return [
      '/',
      '/funds',
      ...funds.map((code) => `/funds/${encodeURIComponent(code)}`),
      ...campaigns.map((slug) => `/campaigns/${encodeURIComponent(slug)}`),
      '/projects',
    ];
  }

  /** Every fund: active, preparing and closed ones all have a public page. */
  private async fundCodes(): Promise<string[]> {
    const codes: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.funds.list({ limit: PAGE_SIZE, cursor });
      codes.push(...page.items.map((f) => f.code));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return codes;
  }

  /** LIVE and ENDED campaigns (what anonymous visitors can open; never drafts). */
  private async campaignSlugs(): Promise<string[]> {
    const slugs: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.campaigns.list(undefined, { limit: PAGE_SIZE, cursor });
      slugs.push(...page.items.map((c) => c.slug));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return slugs;
  }
}
