import type { Campaign } from './campaign.entity';
import { renderStory } from './campaign-markdown';
import { campaignProgress, isAcceptingGifts } from './campaign-status';
import { coverVariantName } from './cover-image';
import type { CampaignUpdate } from './campaign-update.entity';
import type { TotalsRow } from './campaigns.repository';
import type {
  CampaignForDonation,
  CampaignSummary,
  CampaignTotals,
  CampaignUpdateView,
  CampaignView,
} from './campaigns.types';

/** How campaigns are shown: the shapes the API and pages get, never the entities. Pure. */

/**
 * The English text, or the Chinese one while none is written: campaigns are written in Chinese
 * first, and a page in English shows the Chinese title and story rather than nothing.
 */
export function englishOr(en: string, zh: string): string {
  return en.trim() ? en : zh;
}

export const NO_TOTALS: TotalsRow = { raisedMinor: 0, matchedMinor: 0, gifts: 0, donors: 0 };

/** One campaign with its stories as stored Markdown and as sanitised HTML. */
export function campaignView(campaign: Campaign, totals: TotalsRow | undefined): CampaignView {
  return {
    ...campaignSummary(campaign, totals ?? NO_TOTALS),
    storyZh: campaign.storyZh,
    storyEn: englishOr(campaign.storyEn, campaign.storyZh),
    storyHtmlZh: renderStory(campaign.storyZh),
    storyHtmlEn: renderStory(englishOr(campaign.storyEn, campaign.storyZh)),
    englishGiven: { title: campaign.titleEn.trim() !== '', story: campaign.storyEn.trim() !== '' },
  };
}

export function campaignSummary(c: Campaign, totals: TotalsRow): CampaignSummary {
  return {
    id: c.id,
    slug: c.slug,
    fundId: c.fundId,
    status: c.status,
    currency: c.currency,
    titleZh: c.titleZh,
    titleEn: englishOr(c.titleEn, c.titleZh),
    goalMinor: c.goalMinor,
    minAmountMinor: c.minAmountMinor,
    presetAmountsMinor: c.presetAmountsMinor,
    startsAt: c.startsAt,
    endsAt: c.endsAt,
    ...coverSources(c),
    filingNumber: c.filingNumber,
    publishedAt: c.publishedAt,
    endedAt: c.endedAt,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
    acceptingGifts: isAcceptingGifts(c, new Date()),
    totals: campaignTotals(totals, c.goalMinor),
  };
}

/**
 * The campaign page shows the cover across its main column: the viewport less main's padding
 * (1.5rem each side) up to main's 64rem (site.css).
 */
export const COVER_SIZES = '(min-width: 67rem) 64rem, calc(100vw - 3rem)';

type CoverSources = Pick<
  CampaignSummary,
  'coverImageUrl' | 'coverSrcset' | 'coverSizes' | 'coverWidth' | 'coverHeight'
>;

/** Where a campaign's cover is served, at which widths; covers stored before copies keep `src`. */
export function coverSources(
  c: Pick<Campaign, 'coverImage' | 'coverWidths' | 'coverWidth' | 'coverHeight'>,
): CoverSources {
  const name = c.coverImage;
  if (!name) {
    return {
      coverImageUrl: null,
      coverSrcset: null,
      coverSizes: null,
      coverWidth: null,
      coverHeight: null,
    };
  }
  const url = `/uploads/${name}`;
  const widths = [...c.coverWidths].sort((a, b) => a - b);
  const srcset =
    widths.length > 0 && c.coverWidth
      ? [
          ...widths.map((w) => `/uploads/${coverVariantName(name, w)} ${w}w`),
          `${url} ${c.coverWidth}w`,
        ].join(', ')
      : null;
  return {
    coverImageUrl: url,
    coverSrcset: srcset,
    coverSizes: srcset ? COVER_SIZES : null,
    coverWidth: c.coverWidth,
    coverHeight: c.coverHeight,
  };
}

export function campaignTotals(
  row: TotalsRow | undefined,
  goalMinor: number | null,
): CampaignTotals {
  const t = row ?? NO_TOTALS;
  return { ...t, goalMinor, progress: campaignProgress(t.raisedMinor, t.matchedMinor, goalMinor) };
}

export function campaignForDonation(c: Campaign): CampaignForDonation {
  return {
    id: c.id,
    slug: c.slug,
    fundId: c.fundId,
    currency: c.currency,
    status: c.status,
    startsAt: c.startsAt,
    endsAt: c.endsAt,
    minAmountMinor: c.minAmountMinor,
    presetAmountsMinor: c.presetAmountsMinor,
    titleZh: c.titleZh,
    titleEn: englishOr(c.titleEn, c.titleZh),
  };
}

export function campaignUpdateView(u: CampaignUpdate): CampaignUpdateView {
  return {
    id: u.id,
    campaignId: u.campaignId,
    titleZh: u.titleZh,
    titleEn: englishOr(u.titleEn, u.titleZh),
    bodyZh: u.bodyZh,
    bodyEn: englishOr(u.bodyEn, u.bodyZh),
    bodyHtmlZh: renderStory(u.bodyZh),
    bodyHtmlEn: renderStory(englishOr(u.bodyEn, u.bodyZh)),
    publishedAt: u.publishedAt,
  };
}
