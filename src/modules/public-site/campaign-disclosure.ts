/**
 * What a campaign page discloses about its progress and its window, as plain numbers and words
 * for the template (which does no arithmetic). Pure: no Nest, no TypeORM.
 */

export const CAMPAIGN_TIME_ZONE = 'Asia/Shanghai';

/** The progress bar: two segments (donors' money, then matched money) on a 0–100 scale. */
export interface ProgressBar {
  goalMinor: number;
  /** Donations + matched money. */
  reachedMinor: number;
  /** (donations + matched) ÷ goal, not capped: 1.25 when the goal is passed by a quarter. */
  ratio: number;
  overGoal: boolean;
  /** Segment widths in hundredths of the bar (0–100 together; never wider than the bar). */
  donorsWidth: number;
  matchedX: number;
  matchedWidth: number;
  /** 0–100, for the `<meter>`-like aria value of the bar. */
  ariaValue: number;
}

const hundredths = (part: number, whole: number) => Math.floor((part * 10_000) / whole) / 100;

/**
 * The bar toward the goal, or null without one. The percentage counts donors' gifts and the
 * sponsors' matched money together ("(donations + matched) ÷ goal"), the same as the totals; it is
 * shown as it is above 100%, while the bar fills at most its width, donors' money first.
 */
export function progressBar(
  raisedMinor: number,
  matchedMinor: number,
  goalMinor: number | null,
): ProgressBar | null {
  if (goalMinor === null || goalMinor <= 0) return null;
  const raised = Math.max(0, raisedMinor);
  const matched = Math.max(0, matchedMinor);
  const reached = raised + matched;
  const donorsPart = Math.min(raised, goalMinor);
  const matchedPart = Math.min(matched, goalMinor - donorsPart);
  const donorsWidth = hundredths(donorsPart, goalMinor);
  const matchedWidth = Math.min(hundredths(matchedPart, goalMinor), 100 - donorsWidth);
  return {
    goalMinor,
    reachedMinor: reached,
    ratio: Math.floor((reached * 10_000) / goalMinor) / 10_000,
    overGoal: reached > goalMinor,
    donorsWidth,
    matchedX: donorsWidth,
    matchedWidth: Math.round(matchedWidth * 100) / 100,
    ariaValue: Math.min(100, Math.floor((reached * 100) / goalMinor)),
  };
}

/** Where a campaign stands in its window, in Beijing calendar days. */
export type CampaignWindow =
  | { kind: 'upcoming'; opensAt: Date }
  | { kind: 'open' }
  | { kind: 'daysLeft'; days: number }
  | { kind: 'lastDay' }
  | { kind: 'ended' };

const DAY_MS = 86_400_000;

/** The Beijing calendar day of an instant, as a day number (days since 1970-01-01 there). */
export function beijingDay(at: Date): number {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: CAMPAIGN_TIME_ZONE,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(at);
  return Math.floor(Date.parse(`${parts}T00:00:00Z`) / DAY_MS);
}

/**
 * "3 days left", "last day", "ended", "opens on …", or open without an end. The end is exclusive
 * (gifts are taken until that instant), so a campaign ending at 00:00 on the 10th has the 9th as
 * its last day; days left count the Beijing calendar days after today up to the last day.
 */
export function campaignWindow(
  c: { status: string; startsAt: Date | null; endsAt: Date | null },
  now: Date,
): CampaignWindow {
  if (c.status === 'ENDED' || (c.endsAt && c.endsAt.getTime() <= now.getTime())) {
    return { kind: 'ended' };
  }
  if (c.startsAt && c.startsAt.getTime() > now.getTime()) {
    return { kind: 'upcoming', opensAt: c.startsAt };
  }
  if (!c.endsAt) return { kind: 'open' };
  const days = beijingDay(new Date(c.endsAt.getTime() - 1)) - beijingDay(now);
  return days <= 0 ? { kind: 'lastDay' } : { kind: 'daysLeft', days };
}

/** Plain text of a story's first words for a link preview: tags and Markdown marks removed. */
export function plainExcerpt(markdown: string, max = 120): string {
  const text = markdown
    .replace(/<[^>]*>/g, ' ')
    .replace(/!\[[^\]]*\]\([^)]*\)/g, ' ')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[*_`#>~|]+/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  const chars = [...text];
  return chars.length <= max
    ? text
    : `${chars
        .slice(0, max - 1)
        .join('')
        .trimEnd()}…`;
}
