import type { CampaignStatus } from './campaign-status';

export interface CampaignTotals {
  raisedMinor: number;
  matchedMinor: number;
  gifts: number;
  donors: number;
  goalMinor: number | null;
  /** (raised + matched) ÷ goal, 0..1, or null without a goal. */
  progress: number | null;
}

/** A campaign as lists show it: everything but the stories. */
export interface CampaignSummary {
  id: string;
  slug: string;
  fundId: string;
  status: CampaignStatus;
  currency: string;
  titleZh: string;
  titleEn: string;
  goalMinor: number | null;
  minAmountMinor: number;
  presetAmountsMinor: number[];
  startsAt: Date | null;
  endsAt: Date | null;
  coverImageUrl: string | null;
  /** `<img srcset>`: the narrower copies and the cover itself; null for covers without copies. */
  coverSrcset: string | null;
  /** `<img sizes>` to go with coverSrcset: how wide the campaign page shows the cover. */
  coverSizes: string | null;
  /** The cover's size in pixels, for `<img width height>` (null for covers stored before). */
  coverWidth: number | null;
  coverHeight: number | null;
  /** 募捐方案备案编号 ('' until filed). */
  filingNumber: string;
  publishedAt: Date | null;
  endedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  acceptingGifts: boolean;
  totals: CampaignTotals;
}

/** One campaign with its stories as stored Markdown and as sanitised HTML. */
export interface CampaignView extends CampaignSummary {
  storyZh: string;
  storyEn: string;
  storyHtmlZh: string;
  storyHtmlEn: string;
  /** Whether the English title and story were written (else titleEn/storyEn are the Chinese). */
  englishGiven: { title: boolean; story: boolean };
}

/** What donation intake and settlement need to know about a campaign. */
export interface CampaignForDonation {
  id: string;
  slug: string;
  fundId: string;
  currency: string;
  status: CampaignStatus;
  startsAt: Date | null;
  endsAt: Date | null;
  minAmountMinor: number;
  presetAmountsMinor: number[];
  titleZh: string;
  titleEn: string;
}

export interface CampaignUpdateView {
  id: string;
  campaignId: string;
  titleZh: string;
  titleEn: string;
  bodyZh: string;
  bodyEn: string;
  bodyHtmlZh: string;
  bodyHtmlEn: string;
  publishedAt: Date;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** A cover image as it arrived: a buffered multipart body or a raw image body. */
export interface CoverUpload {
  contentType: string;
  body: Buffer;
}
