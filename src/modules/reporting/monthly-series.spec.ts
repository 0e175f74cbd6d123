import { buildMonthlySeries } from './monthly-series';

describe('buildMonthlySeries', () => {
  const months = ['2026-01', '2026-02', '2026-03', '2026-04'];

  it.each([
    {
      name: 'no postings: flat at the closing balance',
      flows: [],
      closing: 500,
      balances: [500, 500, 500, 500],
      inflows: [0, 0, 0, 0],
    },
    {
      name: 'walks back from the closing balance through each month',
      flows: [
        { month: '2026-02', inflowMinor: 1000, outflowMinor: 0 },
        { month: '2026-04', inflowMinor: 200, outflowMinor: 700 },
      ],
      closing: 500,
      balances: [0, 1000, 1000, 500],
      inflows: [0, 1000, 0, 200],
    },
    {
      name: 'money held before the window shows in its first month',
      flows: [{ month: '2026-03', inflowMinor: 0, outflowMinor: 300 }],
      closing: 9700,
      balances: [10000, 10000, 9700, 9700],
      inflows: [0, 0, 0, 0],
    },
    {
      name: 'months outside the window are ignored',
      flows: [{ month: '2025-12', inflowMinor: 999, outflowMinor: 0 }],
      closing: 1,
      balances: [1, 1, 1, 1],
      inflows: [0, 0, 0, 0],
    },
  ])('$name', ({ flows, closing, balances, inflows }) => {
    const series = buildMonthlySeries(months, flows, closing);
    expect(series.map((p) => p.month)).toEqual(months);
    expect(series.map((p) => p.balanceMinor)).toEqual(balances);
    expect(series.map((p) => p.inflowMinor)).toEqual(inflows);
  });

  it('an empty window is an empty series', () => {
    expect(buildMonthlySeries([], [], 100)).toEqual([]);
  });
});
