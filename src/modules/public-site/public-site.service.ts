import { Injectable } from '@nestjs/common';
import { pickLocale, type SupportedLocale } from '../../common/i18n/i18n';
import { CampaignsService } from '../campaigns/campaigns.service';
import { FoundationService } from '../foundation/foundation.service';
import { FundsService } from '../funds/funds.service';

export interface HomeView {
  locale: SupportedLocale;
  otherLocale: SupportedLocale;
  foundationName: string | null;
  coverage: { active: number; total: number; ratio: number };
  generalFund: { name: string; balanceMinor: number; currency: string } | null;
  /** Campaigns taking gifts now, newest first. */
  campaigns: {
    slug: string;
    title: string;
    raisedMinor: number;
    matchedMinor: number;
    donors: number;
    progress: number | null;
    currency: string;
  }[];
  funds: {
    code: string;
    name: string;
    kind: string;
    status: string;
    balanceMinor: number;
    currency: string;
  }[];
}

/** View models for the public pages: plain data, never entities. */
@Injectable()
export class PublicSiteService {
  constructor(
    private readonly foundation: FoundationService,
    private readonly funds: FundsService,
    private readonly campaigns: CampaignsService,
  ) {}

  async home(
    lang: unknown,
    acceptLanguage: string | undefined,
    remembered?: string,
  ): Promise<HomeView> {
    const profile = await this.foundation.findProfile();
    const locale = pickLocale(lang, acceptLanguage, profile?.defaultLocale ?? 'zh-CN', remembered);
    const name = (zh: string, en: string) => (locale === 'en' ? en : zh);
    const [coverage, active, live] = await Promise.all([
      this.funds.coverage(),
      this.funds.list({ status: 'ACTIVE', limit: 500 }),
      this.campaigns.list(undefined, { status: 'LIVE', limit: 12 }),
    ]);
    const general = active.items.find((f) => f.kind === 'GENERAL') ?? null;
    return {
      locale,
      otherLocale: locale === 'en' ? 'zh-CN' : 'en',
      foundationName: profile ? name(profile.legalNameZh, profile.legalNameEn) : null,
      coverage: {
        active: coverage.communitiesWithActiveFund,
        total: coverage.communitiesTotal,
        ratio: coverage.coverage,
      },
      generalFund: general
        ? {
            name: name(general.nameZh, general.nameEn),
            balanceMinor: general.balanceMinor,
            currency: general.currency,
          }
        : null,
      campaigns: live.items
        .filter((c) => c.acceptingGifts)
        .map((c) => ({
          slug: c.slug,
          title: name(c.titleZh, c.titleEn),
          raisedMinor: c.totals.raisedMinor,
          matchedMinor: c.totals.matchedMinor,
          donors: c.totals.donors,
          progress: c.totals.progress,
          currency: c.currency,
        })),
      funds: active.items
        .filter((f) => f.kind !== 'GENERAL')
        .map((f) => ({
          code: f.code,
          name: name(f.nameZh, f.nameEn),
          kind: f.kind,
          status: f.status,
          balanceMinor: f.balanceMinor,
          currency: f.currency,
        })),
    };
  }
}
