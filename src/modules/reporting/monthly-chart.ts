/**
 * A month-by-month chart of a fund as server-rendered SVG: inflow and outflow as paired bars, the
 * month-end balance as a line with a point per month. Pure: no Nest, no TypeORM, no DOM.
 *
 * Safe to insert unescaped into a page because it is built here from numbers (each checked to be
 * finite before it is printed) and from label strings that are all XML-escaped. It needs no
 * script and no inline style (colours are SVG presentation attributes, classes let CSS restyle
 * them), so the strict Content-Security-Policy holds.
 */
import type { MonthlyPoint } from './monthly-series';

export interface ChartLabels {
  /** Accessible name (<title>). */
  title: string;
  /** Accessible description (<desc>): what the chart shows, in a sentence. */
  description: string;
  /** One label per point, under its bars ("3月" / "Mar"). */
  months: readonly string[];
  /** Optional second line per point (the year under the first month and each January). */
  years?: readonly (string | null)[];
  inflow: string;
  outflow: string;
  balance: string;
  /** Formats an amount in minor units for axis ticks and tooltips. */
  formatAmount: (amountMinor: number) => string;
  /** Prefix of the element ids (title, desc), unique on the page. */
  idPrefix?: string;
}

export const CHART_WIDTH = 720;
export const CHART_HEIGHT = 320;
const PLOT = { left: 88, right: CHART_WIDTH - 16, top: 16, bottom: 236 };
const MONTH_Y = 254;
const YEAR_Y = 270;
const LEGEND_Y = 300;
const COLORS = {
  inflow: '#2f855a',
  outflow: '#c05621',
  balance: '#1f4e8c',
  grid: '#e4e7eb',
  axis: '#9aa5b1',
  text: '#52606d',
};

export interface Scale {
  min: number;
  max: number;
  step: number;
  ticks: number[];
}

/**
 * A "nice" axis over [min, max] that always includes zero: a step of 1, 2, 2.5 or 5 × 10^k (at
 * least 1 minor unit) giving about `targetTicks` intervals, with both ends on a step.
 */
export function niceScale(minValue: number, maxValue: number, targetTicks = 4): Scale {
  let lo = Math.min(0, minValue);
  let hi = Math.max(0, maxValue);
  if (hi === lo) hi = lo + 100;
  const raw = (hi - lo) / targetTicks;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const normalized = raw / magnitude;
  // 2.5 × 10^k only where it is a whole number of minor units (k ≥ 1).
  const factor =
    [1, 2, 2.5, 5, 10].find((f) => f >= normalized && Number.isInteger(f * magnitude)) ?? 10;
  const step = Math.max(1, Math.round(factor * magnitude));
  lo = Math.floor(lo / step) * step;
  hi = Math.ceil(hi / step) * step;
  const ticks: number[] = [];
  for (let v = lo; v <= hi; v += step) ticks.push(v);
  return { min: lo, max: hi, step, ticks };
}

/** XML text and attribute escaping. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A coordinate, to one decimal. Throws rather than print anything that is not a finite number. */
function n(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`chart coordinate is not a finite number: ${value}`);
  return String(Math.round(value * 10) / 10);
}

function safeId(prefix: string | undefined): string {
  return prefix && /^[A-Za-z][\w-]{0,40}$/.test(prefix) ? prefix : 'chart';
}

export function renderMonthlyChart(series: readonly MonthlyPoint[], labels: ChartLabels): string {
  const id = safeId(labels.idPrefix);
  const values = series.flatMap((p) => [p.balanceMinor, p.inflowMinor, p.outflowMinor]);
  const scale = niceScale(Math.min(0, ...values), Math.max(0, ...values));
  const height = PLOT.bottom - PLOT.top;
  const y = (v: number) => PLOT.top + ((scale.max - v) / (scale.max - scale.min)) * height;
  const zeroY = y(0);
  const count = Math.max(series.length, 1);
  const group = (PLOT.right - PLOT.left) / count;
  const barWidth = Math.min(group * 0.34, 28);
  const out: string[] = [];

  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 ${CHART_WIDTH} ${CHART_HEIGHT}" ` +
      `role="img" aria-labelledby="${id}-title ${id}-desc" font-family="system-ui, sans-serif" font-size="14">`,
    `<title id="${id}-title">${escapeXml(labels.title)}</title>`,
    `<desc id="${id}-desc">${escapeXml(labels.description)}</desc>`,
  );

  // Grid and amount axis.
  out.push('<g class="chart-axis">');
  for (const tick of scale.ticks) {
    const ty = n(y(tick));
    out.push(
      `<line class="chart-grid${tick === 0 ? ' chart-zero' : ''}" x1="${n(PLOT.left)}" x2="${n(PLOT.right)}" y1="${ty}" y2="${ty}" ` +
        `stroke="${tick === 0 ? COLORS.axis : COLORS.grid}" stroke-width="1"/>`,
      `<text class="chart-tick" x="${n(PLOT.left - 6)}" y="${ty}" text-anchor="end" dominant-baseline="middle" fill="${COLORS.text}">` +
        `${escapeXml(labels.formatAmount(tick))}</text>`,
    );
  }
  out.push('</g>');

  // Bars: inflow then outflow, both drawn up from zero, each with a tooltip.
  out.push('<g class="chart-bars">');
  series.forEach((p, i) => {
    const month = labels.months[i] ?? p.month;
    const x0 = PLOT.left + i * group + (group - 2 * barWidth - 2) / 2;
    for (const [kind, value, x] of [
      ['in', p.inflowMinor, x0],
      ['out', p.outflowMinor, x0 + barWidth + 2],
    ] as const) {
      const top = Math.min(y(value), zeroY);
      const barHeight = Math.abs(zeroY - y(value));
      const name = kind === 'in' ? labels.inflow : labels.outflow;
      out.push(
        `<rect class="chart-bar chart-bar-${kind}" x="${n(x)}" y="${n(top)}" width="${n(barWidth)}" height="${n(barHeight)}" ` +
          `fill="${kind === 'in' ? COLORS.inflow : COLORS.outflow}">` +
          `<title>${escapeXml(`${month} · ${name}: ${labels.formatAmount(value)}`)}</title></rect>`,
      );
    }
  });
  out.push('</g>');

  // Balance line and points.
  const centers = series.map((_, i) => PLOT.left + i * group + group / 2);
  if (series.length > 1) {
    const points = series.map((p, i) => `${n(centers[i]!)},${n(y(p.balanceMinor))}`).join(' ');
    out.push(
      `<polyline class="chart-line" points="${points}" fill="none" stroke="${COLORS.balance}" stroke-width="2"/>`,
    );
  }
  out.push('<g class="chart-points">');
  series.forEach((p, i) => {
    const month = labels.months[i] ?? p.month;
    out.push(
      `<circle class="chart-point" cx="${n(centers[i]!)}" cy="${n(y(p.balanceMinor))}" r="3.5" fill="${COLORS.balance}">` +
        `<title>${escapeXml(`${month} · ${labels.balance}: ${labels.formatAmount(p.balanceMinor)}`)}</title></circle>`,
    );
  });
  out.push('</g>');

  // Month axis.
  out.push(`<g class="chart-months" fill="${COLORS.text}" text-anchor="middle">`);
  series.forEach((p, i) => {
    out.push(
      `<text x="${n(centers[i]!)}" y="${MONTH_Y}">${escapeXml(labels.months[i] ?? p.month)}</text>`,
    );
    const year = labels.years?.[i];
    if (year) out.push(`<text x="${n(centers[i]!)}" y="${YEAR_Y}">${escapeXml(year)}</text>`);
  });
  out.push('</g>');

  // Legend.
  out.push(`<g class="chart-legend" fill="${COLORS.text}">`);
  const legend = [
    [labels.inflow, COLORS.inflow, 'rect'],
    [labels.outflow, COLORS.outflow, 'rect'],
    [labels.balance, COLORS.balance, 'line'],
  ] as const;
  legend.forEach(([text, color, shape], i) => {
    const lx = PLOT.left + i * 160;
    out.push(
      shape === 'rect'
        ? `<rect class="chart-legend-swatch" x="${lx}" y="${LEGEND_Y - 9}" width="12" height="12" fill="${color}"/>`
        : `<line class="chart-legend-swatch" x1="${lx}" x2="${lx + 12}" y1="${LEGEND_Y - 3}" y2="${LEGEND_Y - 3}" stroke="${color}" stroke-width="2"/>`,
      `<text x="${lx + 18}" y="${LEGEND_Y}">${escapeXml(text)}</text>`,
    );
  });
  out.push('</g>');

  out.push('</svg>');
  return out.join('');
}
