import type { StatementLine } from '../ledger/ledger.types';
import {
  accountCodesOf,
  giftIdsOf,
  statementLineParts,
  statementLineText,
  type StatementRefs,
} from './statement-words';

const GIFT = '96567bbb-0000-4000-8000-000000000001';
const ANON = '96567bbb-0000-4000-8000-000000000002';
const OFFLINE = '96567bbb-0000-4000-8000-000000000003';
const CAMPAIGN = {
  id: 'c0000000-0000-4000-8000-000000000001',
  titleZh: '长者助餐',
  titleEn: 'Meals for elders',
};

const line = (over: Partial<StatementLine>): StatementLine => ({
  postingId: 1,
  entryId: 'e0000000-0000-4000-8000-000000000001',
  kind: 'DONATION',
  description: `Gift ${GIFT}`,
  metadata: {},
  amountMinor: 10_000,
  balanceAfterMinor: 10_000,
  postedAt: new Date('2026-09-09T02:00:00Z'),
  reversesEntryId: null,
  counterparties: [],
  ...over,
});

const refs: StatementRefs = {
  gifts: new Map([
    [
      GIFT,
      { id: GIFT, campaign: CAMPAIGN, donorName: '李明', provider: 'STRIPE', anonymous: false },
    ],
    [
      ANON,
      { id: ANON, campaign: CAMPAIGN, donorName: '王芳', provider: 'STRIPE', anonymous: true },
    ],
    [
      OFFLINE,
      {
        id: OFFLINE,
        campaign: null,
        donorName: '成都某公司',
        provider: 'OFFLINE',
        anonymous: false,
      },
    ],
  ]),
  funds: new Map([
    [
      'fund:POOL-99',
      { id: 'f-pool', nameZh: '99公益日配捐池', nameEn: '99 Giving Day match pool' },
    ],
    ['fund:GEN', { id: 'f-gen', nameZh: '2026年度公服资金', nameEn: '2026 public service money' }],
  ]),
};

const text = (l: StatementLine, donorData = true, locale: 'zh-CN' | 'en' = 'zh-CN') =>
  statementLineText(statementLineParts(l, refs, locale, { donorData }));

describe('statement lines in words', () => {
  it('says what happened, never a code or an id', () => {
    expect(text(line({ metadata: { donationId: GIFT } }))).toBe('捐赠 · 长者助餐 · 李明');
    expect(
      text(
        line({
          kind: 'MATCH',
          counterparties: [{ accountId: 'p', code: 'fund:POOL-99', name: 'x' }],
        }),
      ),
    ).toBe('配捐 · 99公益日配捐池');
    expect(text(line({ kind: 'PROCESSOR_FEE', metadata: { donationId: GIFT } }))).toBe('手续费');
    expect(
      text(
        line({
          kind: 'ALLOCATION',
          counterparties: [
            { accountId: 'x', code: 'external:bank', name: 'bank' },
            { accountId: 'g', code: 'fund:GEN', name: 'x' },
          ],
        }),
      ),
    ).toBe('拨付 · 2026年度公服资金');
    expect(text(line({ kind: 'REVERSAL', metadata: { reversedKind: 'EXPENSE' } }))).toBe(
      '更正 · 支出',
    );
    expect(text(line({ kind: 'ADJUSTMENT', description: '期初调整' }))).toBe('调整 · 期初调整');
    expect(text(line({ kind: 'SOMETHING_NEW' }))).toBe('其他往来');
    expect(text(line({ metadata: { donationId: GIFT } }), true, 'en')).toBe(
      'Gift · Meals for elders · 李明',
    );
  });

  it('links the campaign and, for donor-data readers, the gift', () => {
    const parts = statementLineParts(line({ metadata: { donationId: GIFT } }), refs, 'zh-CN', {
      donorData: true,
    });
    expect(parts.map((p) => p.href)).toEqual([
      undefined,
      `/admin/campaigns/${CAMPAIGN.id}`,
      `/admin/donations/${GIFT}`,
    ]);
    const leader = statementLineParts(line({ metadata: { donationId: GIFT } }), refs, 'zh-CN', {
      donorData: false,
    });
    expect(leader.at(-1)).toEqual({ text: '李明' });
  });

  it('names donors to others only as the public rule allows', () => {
    expect(text(line({ metadata: { donationId: ANON } }), true)).toBe('捐赠 · 长者助餐 · 王芳');
    expect(text(line({ metadata: { donationId: ANON } }), false)).toBe(
      '捐赠 · 长者助餐 · 爱心人士',
    );
    expect(text(line({ metadata: { donationId: OFFLINE } }), true)).toBe('捐赠 · 成都某公司');
    expect(text(line({ metadata: { donationId: OFFLINE } }), false)).toBe('捐赠 · 爱心人士');
    // A cash gift with no name, into a fund: said in words to staff, never an empty part.
    const unnamed: StatementRefs = {
      ...refs,
      gifts: new Map([
        [
          OFFLINE,
          { id: OFFLINE, campaign: null, donorName: '', provider: 'OFFLINE', anonymous: false },
        ],
      ]),
    };
    const parts = statementLineParts(
      line({ metadata: { donationId: OFFLINE } }),
      unnamed,
      'zh-CN',
      {
        donorData: true,
      },
    );
    expect(statementLineText(parts)).toBe('捐赠 · 未留姓名');
  });

  it('collects the gifts and accounts a page names, once each', () => {
    const lines = [
      line({ metadata: { donationId: GIFT } }),
      line({ kind: 'PROCESSOR_FEE', metadata: { donationId: GIFT } }),
      line({
        kind: 'MATCH',
        counterparties: [{ accountId: 'p', code: 'fund:POOL-99', name: 'x' }],
      }),
    ];
    expect(giftIdsOf(lines)).toEqual([GIFT]);
    expect(accountCodesOf(lines)).toEqual(['fund:POOL-99']);
  });
});
