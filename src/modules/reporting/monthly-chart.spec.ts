import { escapeXml, niceScale, renderMonthlyChart, type ChartLabels } from './monthly-chart';
import type { MonthlyPoint } from './monthly-series';

const labels = (over: Partial<ChartLabels> = {}): ChartLabels => ({
  title: 'Fund A',
  description: 'Money in and out',
  months: [],
  inflow: 'In',
  outflow: 'Out',
  balance: 'Balance',
  formatAmount: (m) => `¥${m / 100}`,
  ...over,
});

function series(n: number, f: (i: number) => Partial<MonthlyPoint> = () => ({})): MonthlyPoint[] {
  return Array.from({ length: n }, (_, i) => ({
    month: `2026-${String(i + 1).padStart(2, '0')}`,
    inflowMinor: 0,
    outflowMinor: 0,
    balanceMinor: 0,
    ...f(i),
  }));
}

const count = (svg: string, re: RegExp) => (svg.match(re) ?? []).length;

describe('niceScale', () => {
  it.each([
    [0, 0, { min: 0, max: 100, step: 25 }],
    [0, 1000, { min: 0, max: 1000, step: 250 }],
    [0, 20_000_000, { min: 0, max: 20_000_000, step: 5_000_000 }],
    [0, 23_456_789, { min: 0, max: 30_000_000, step: 10_000_000 }],
    [0, 9_000_000, { min: 0, max: 10_000_000, step: 2_500_000 }],
    [-300, 900, { min: -500, max: 1000, step: 500 }],
    [0, 3, { min: 0, max: 3, step: 1 }],
    [5, 10, { min: 0, max: 10, step: 5 }],
  ])('(%i, %i) → %o', (lo, hi, expected) => {
    const s = niceScale(lo, hi);
    expect({ min: s.min, max: s.max, step: s.step }).toEqual(expected);
    expect(s.ticks[0]).toBe(s.min);
    expect(s.ticks.at(-1)).toBe(s.max);
    expect(s.ticks).toContain(0);
  });
});

describe('renderMonthlyChart', () => {
  it.each([
    [12, 24, 12, 1],
    [1, 2, 1, 0],
    [0, 0, 0, 0],
  ])('%i months: %i bars, %i points, %i line', (n, bars, points, lines) => {
    const svg = renderMonthlyChart(
      series(n, (i) => ({ inflowMinor: i * 100, balanceMinor: i * 50 })),
      labels(),
    );
    expect(count(svg, /<rect class="chart-bar /g)).toBe(bars);
    expect(count(svg, /<circle class="chart-point"/g)).toBe(points);
    expect(count(svg, /<polyline /g)).toBe(lines);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.endsWith('</svg>')).toBe(true);
  });

  it('is accessible: role img, labelled by its title and description', () => {
    const svg = renderMonthlyChart(series(2), labels({ idPrefix: 'fund-chart' }));
    expect(svg).toContain('role="img" aria-labelledby="fund-chart-title fund-chart-desc"');
    expect(svg).toContain('<title id="fund-chart-title">Fund A</title>');
    expect(svg).toContain('<desc id="fund-chart-desc">Money in and out</desc>');
  });

  it('escapes every label and refuses an unsafe id prefix', () => {
    const evil = '<script>alert("x")</script>&\'';
    const svg = renderMonthlyChart(
      series(1),
      labels({
        title: evil,
        description: evil,
        months: [evil],
        years: [evil],
        inflow: evil,
        formatAmount: () => evil,
        idPrefix: '"><x',
      }),
    );
    expect(svg).not.toContain('<script');
    expect(svg).not.toContain('"><x');
    expect(svg).toContain(escapeXml(evil));
    expect(svg).toContain('aria-labelledby="chart-title chart-desc"');
  });

  it('has no inline style or script (the CSP allows neither)', () => {
    const svg = renderMonthlyChart(
      series(12, (i) => ({ inflowMinor: i, outflowMinor: i, balanceMinor: i })),
      labels(),
    );
    expect(svg).not.toMatch(/style=|<style|<script|on[a-z]+=/i);
  });

  it('draws taller bars for larger amounts, from the zero line', () => {
    const svg = renderMonthlyChart(
      series(2, (i) => ({ inflowMinor: (i + 1) * 1000, outflowMinor: 0, balanceMinor: 0 })),
      labels(),
    );
    const heights = [...svg.matchAll(/class="chart-bar chart-bar-in"[^>]* height="([\d.]+)"/g)].map(
      (m) => Number(m[1]),
    );
    expect(heights).toHaveLength(2);
    expect(heights[1]).toBeCloseTo(heights[0]! * 2, 0);
    const zeroHeights = [
      ...svg.matchAll(/class="chart-bar chart-bar-out"[^>]* height="([\d.]+)"/g),
    ].map((m) => m[1]);
    expect(zeroHeights).toEqual(['0', '0']);
  });

  it('puts tooltips with the amounts on bars and points', () => {
    const svg = renderMonthlyChart(
      series(1, () => ({ inflowMinor: 250_00, outflowMinor: 100_00, balanceMinor: 150_00 })),
      labels({ months: ['Jan'] }),
    );
    expect(svg).toContain('<title>Jan · In: ¥250</title>');
    expect(svg).toContain('<title>Jan · Out: ¥100</title>');
    expect(svg).toContain('<title>Jan · Balance: ¥150</title>');
  });

  it('refuses to print a coordinate that is not a finite number', () => {
    expect(() =>
      renderMonthlyChart(
        series(1, () => ({ inflowMinor: Number.NaN })),
        labels(),
      ),
    ).toThrow(/finite/);
  });
});
