import {
  defaultRoundValues,
  placeProblem,
  readRoundForm,
  roundValues,
} from './admin-grants-round-form';

const NOW = new Date('2026-12-03T08:00:00Z');
const base = () => ({
  ...defaultRoundValues(NOW),
  nameZh: '2027年度项目评审',
  nameEn: '2027 review',
  sourceFundId: '00000000-0000-4000-8000-000000000001',
});

describe('round form', () => {
  it('reads the district defaults into a valid definition (yuan → fen, Beijing time)', () => {
    const checked = readRoundForm(base(), 'CNY', 'zh-CN', { needFund: true });
    expect(checked.errors).toBeNull();
    const v = checked.value!;
    expect(v.tiers.map((t) => [t.amountMinor, t.count])).toEqual([
      [30_000_000, 3],
      [20_000_000, 5],
      [10_000_000, 10],
    ]);
    expect(v.trancheSchedule.map((s) => `${s.percent}@${s.unlock}`)).toEqual([
      '40@START',
      '40@MIDTERM',
      '20@COMPLETION',
    ]);
    expect(v.satisfactionThresholdPct).toBe(80);
    expect(v.targetDays).toEqual({ review: 5, decision: 5, payment: 5, report: 5 });
    expect(v.applicationsOpenAt.toISOString()).toBe('2026-12-04T01:00:00.000Z');
    expect(v.secondApprovalAboveMinor).toBe(50_000_000);
  });

  it('round-trips a stored round through the form values', () => {
    const first = readRoundForm(base(), 'CNY', 'en', { needFund: true }).value!;
    const again = readRoundForm(roundValues({ ...first, currency: 'CNY' }), 'CNY', 'en', {
      needFund: true,
    });
    expect(again.value).toEqual(first);
  });

  it.each([
    [{ 'tier.1.amount': '200000.555' }, 'tier.1', '小数'],
    [{ 'tranche.2.percent': '30' }, 'tranches', '现为 110'],
    [{ applicationsCloseAt: '2027-02-30T18:00' }, 'applicationsCloseAt', '有效的日期'],
    [{ reviewCloseAt: '2026-12-05T09:00' }, 'reviewCloseAt', '评审截止'],
    [{ 'tier.2.key': 'First' }, 'tier.2', '代码'],
    [{ 'days.payment': '61' }, 'days.payment', '1 至 60'],
    [{ year: '1999' }, 'year', '2000'],
  ])('refuses %j beside %s in Chinese', (changes, field, words) => {
    const checked = readRoundForm({ ...base(), ...changes }, 'CNY', 'zh-CN', { needFund: true });
    expect(checked.value).toBeNull();
    expect(checked.errors![field]).toContain(words);
  });

  it('places a rule problem on the row the officer typed (empty rows are skipped)', () => {
    const t = (key: string) => key;
    expect(
      placeProblem('tiers[1].count must be a whole number from 1 to 100', { tiers: [0, 3] }, t),
    ).toEqual({
      field: 'tier.3',
      message: 'row.count',
    });
    expect(placeProblem('something new', {}, t)).toBeNull();
  });
});
