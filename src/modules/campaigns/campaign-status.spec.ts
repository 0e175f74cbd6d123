import { say } from '../../common/i18n/i18n';
import {
  CAMPAIGN_STATUSES,
  campaignProgress,
  campaignShapeProblem,
  canEditCampaign,
  isAcceptingGifts,
  isSlugMutable,
  nextCampaignStatus,
  publishProblems,
  type CampaignAction,
  type CampaignEditor,
  type CampaignStatus,
} from './campaign-status';

describe('campaign lifecycle', () => {
  const table: [CampaignStatus, CampaignAction, CampaignStatus | null][] = [
    ['DRAFT', 'publish', 'LIVE'],
    ['DRAFT', 'end', null],
    ['LIVE', 'publish', null],
    ['LIVE', 'end', 'ENDED'],
    ['ENDED', 'publish', null],
    ['ENDED', 'end', null],
  ];
  it.each(table)('%s --%s--> %s', (from, action, to) => {
    expect(nextCampaignStatus(from, action)).toBe(to);
  });

  const edits: [CampaignStatus, CampaignEditor, boolean][] = [
    ['DRAFT', 'staff', true],
    ['DRAFT', 'leader', true],
    ['LIVE', 'staff', true],
    ['LIVE', 'leader', false],
    ['ENDED', 'staff', false],
    ['ENDED', 'leader', false],
  ];
  it.each(edits)('%s may be edited by %s: %s', (status, editor, allowed) => {
    expect(canEditCampaign(status, editor)).toBe(allowed);
  });

  it('fixes the slug once the campaign is public', () => {
    expect(CAMPAIGN_STATUSES.filter(isSlugMutable)).toEqual(['DRAFT']);
  });
});

describe('isAcceptingGifts', () => {
  const start = new Date('2026-09-07T00:00:00+08:00');
  const end = new Date('2026-09-10T00:00:00+08:00');
  const at = (iso: string) => new Date(iso);
  const table: [string, CampaignStatus, Date | null, Date | null, Date, boolean][] = [
    ['live, no dates', 'LIVE', null, null, at('2030-01-01T00:00:00Z'), true],
    ['draft', 'DRAFT', null, null, at('2026-09-08T00:00:00Z'), false],
    ['ended', 'ENDED', null, null, at('2026-09-08T00:00:00Z'), false],
    ['before the start', 'LIVE', start, end, at('2026-09-06T15:59:59.999Z'), false],
    ['at the start', 'LIVE', start, end, start, true],
    ['inside', 'LIVE', start, end, at('2026-09-08T12:00:00Z'), true],
    ['at the end (exclusive)', 'LIVE', start, end, end, false],
    ['after the end', 'LIVE', start, end, at('2026-09-11T00:00:00Z'), false],
    ['open start', 'LIVE', null, end, at('2000-01-01T00:00:00Z'), true],
    ['open end', 'LIVE', start, null, at('2100-01-01T00:00:00Z'), true],
  ];
  it.each(table)('%s', (_name, status, startsAt, endsAt, now, expected) => {
    expect(isAcceptingGifts({ status, startsAt, endsAt }, now)).toBe(expected);
  });
});

describe('campaignProgress', () => {
  it.each([
    [0, 0, null, null],
    [500, 0, 1000, 0.5],
    [300, 200, 1000, 0.5],
    [1, 0, 3, 0.3333],
    [2, 0, 3, 0.6666],
    [999_999, 0, 1_000_000, 0.9999],
    [1000, 0, 1000, 1],
    [5000, 500, 1000, 1],
    [-10, 0, 1000, 0],
  ])('raised %d + matched %d of %s → %s', (raised, matched, goal, expected) => {
    expect(campaignProgress(raised, matched, goal)).toBe(expected);
  });
});

describe('campaignShapeProblem', () => {
  const base = {
    startsAt: null,
    endsAt: null,
    minAmountMinor: 100,
    presetAmountsMinor: [100, 500],
    currency: 'CNY',
  };
  it.each([
    [
      'end before start',
      { ...base, startsAt: new Date('2026-02-01'), endsAt: new Date('2026-01-01') },
      /The end must be later than the start/,
    ],
    [
      'end equal to start',
      { ...base, startsAt: new Date('2026-02-01'), endsAt: new Date('2026-02-01') },
      /end must be later/,
    ],
    [
      'preset below minimum',
      { ...base, presetAmountsMinor: [50, 500] },
      /A suggested amount, ¥0.50, is below the smallest gift, ¥1.00/,
    ],
  ])('%s', (_name, campaign, expected) => {
    const problem = campaignShapeProblem(campaign);
    expect(problem && say('en', problem)).toMatch(expected);
    expect(problem && say('zh-CN', problem)).toBeTruthy();
  });

  it('accepts a well-formed campaign', () => {
    expect(campaignShapeProblem(base)).toBeNull();
  });
});

describe('publishProblems', () => {
  const now = new Date('2026-09-01T00:00:00Z');
  it.each([
    ['ready', { titleZh: '标题', titleEn: 'Title', endsAt: null }, 'ACTIVE', []],
    [
      'fund preparing',
      { titleZh: '标题', titleEn: 'Title', endsAt: null },
      'PREPARING',
      ['The fund is not running yet.'],
    ],
    [
      'blank title',
      { titleZh: ' ', titleEn: 'Title', endsAt: null },
      'ACTIVE',
      ['The Chinese title is empty.'],
    ],
    [
      'already over',
      { titleZh: '标题', titleEn: 'Title', endsAt: new Date('2026-08-31T00:00:00Z') },
      'ACTIVE',
      ['The end date has already passed.'],
    ],
  ])('%s', (_name, campaign, fundStatus, expected) => {
    expect(publishProblems(campaign, fundStatus, now).map((p) => say('en', p))).toEqual(expected);
  });
});
