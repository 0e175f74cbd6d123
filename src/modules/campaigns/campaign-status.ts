/**
 * The campaign lifecycle DRAFT → LIVE → ENDED as a transition table, who may do what in each
 * status, and the rules donation intake asks about (accepting gifts, progress). Pure: no Nest, no
 * TypeORM.
 */
import { words, type Words } from '../../common/i18n/i18n';
export const CAMPAIGN_STATUSES = ['DRAFT', 'LIVE', 'ENDED'] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

export type CampaignAction = 'publish' | 'end';

const TRANSITIONS: Record<CampaignStatus, Partial<Record<CampaignAction, CampaignStatus>>> = {
  DRAFT: { publish: 'LIVE' },
  LIVE: { end: 'ENDED' },
  ENDED: {},
};

export function nextCampaignStatus(
  current: CampaignStatus,
  action: CampaignAction,
): CampaignStatus | null {
  return TRANSITIONS[current][action] ?? null;
}

/**
 * Who edits a campaign: `staff` (ADMIN, FINANCE, GRANTS_OFFICER, or the CLI) or `leader` (a
 * COMMUNITY_LEADER whose scope holds the campaign's fund). Leaders draft; once a campaign is
 * public only staff change it; an ended campaign is a record and changes no more.
 */
export type CampaignEditor = 'staff' | 'leader';

const EDITABLE: Record<CampaignStatus, readonly CampaignEditor[]> = {
  DRAFT: ['staff', 'leader'],
  LIVE: ['staff'],
  ENDED: [],
};

export function canEditCampaign(status: CampaignStatus, editor: CampaignEditor): boolean {
  return EDITABLE[status].includes(editor);
}

/** The slug is the public address: it may change while nobody has seen it. */
export function isSlugMutable(status: CampaignStatus): boolean {
  return status === 'DRAFT';
}

/** Statuses anyone may see; drafts are for their editors only. */
export const PUBLIC_CAMPAIGN_STATUSES: readonly CampaignStatus[] = ['LIVE', 'ENDED'];

export interface CampaignWindow {
  status: CampaignStatus;
  startsAt: Date | null;
  endsAt: Date | null;
}

/** Gifts are taken while the campaign is LIVE and `now` lies in [startsAt, endsAt). */
export function isAcceptingGifts(campaign: CampaignWindow, now: Date): boolean {
  if (campaign.status !== 'LIVE') return false;
  const t = now.getTime();
  if (campaign.startsAt && t < campaign.startsAt.getTime()) return false;
  if (campaign.endsAt && t >= campaign.endsAt.getTime()) return false;
  return true;
}

/**
 * Share of the goal reached, 0..1 with four decimals (rounded down, so 1 means the goal is really
 * met), or null without a goal. Counts gifts and matches: both reach the fund.
 */
export function campaignProgress(
  raisedMinor: number,
  matchedMinor: number,
  goalMinor: number | null,
): number | null {
  if (goalMinor === null || goalMinor <= 0) return null;
  const reached = Math.max(0, raisedMinor + matchedMinor);
  if (reached >= goalMinor) return 1;
  return Math.floor((reached * 10_000) / goalMinor) / 10_000;
}

/** Checks that need the whole campaign, not one field: the first problem, or null. */
export function campaignShapeProblem(c: {
  startsAt: Date | null;
  endsAt: Date | null;
  minAmountMinor: number;
  presetAmountsMinor: readonly number[];
  currency: string;
}): Words | null {
  if (c.startsAt && c.endsAt && c.endsAt.getTime() <= c.startsAt.getTime()) {
    return words('errors.campaigns.endBeforeStart');
  }
  const low = c.presetAmountsMinor.find((a) => a < c.minAmountMinor);
  if (low !== undefined) {
    return words('errors.campaigns.presetBelowMinimum', {
      preset: { amountMinor: low, currency: c.currency },
      minimum: { amountMinor: c.minAmountMinor, currency: c.currency },
    });
  }
  return null;
}

/** What publishing needs, as a list of problems (empty when the campaign may go live). */
export function publishProblems(
  c: { titleZh: string; endsAt: Date | null },
  fundStatus: string,
  now: Date,
): Words[] {
  const problems: Words[] = [];
  if (!c.titleZh.trim()) problems.push(words('errors.campaigns.publish.titleZh'));
  // The English title is optional: pages in English show the Chinese one until it is written.
  if (fundStatus !== 'ACTIVE') problems.push(words('errors.campaigns.publish.fundNotActive'));
  if (c.endsAt && c.endsAt.getTime() <= now.getTime()) {
    problems.push(words('errors.campaigns.publish.ended'));
  }
  return problems;
}
