import Handlebars from 'handlebars';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { formatMoney } from '../money';
import { translate, type SupportedLocale } from '../i18n/i18n';
import { staticAssets } from './assets';

type HelperOptions = Handlebars.HelperOptions;

function rootLocale(options: HelperOptions): SupportedLocale {
  const root = (options.data as { root?: { locale?: SupportedLocale } } | undefined)?.root;
  return root?.locale ?? 'zh-CN';
}

/**
 * A Handlebars instance with Lianxin's helpers. Templates do no arithmetic: money is shown only
 * through {{money amountMinor currency}}, strings through {{t "key"}}, static files through
 * {{asset "site.css"}} (their fingerprinted URL, assets.ts).
 */
export function createHandlebars(): typeof Handlebars {
  const hbs = Handlebars.create();
  hbs.registerHelper('money', (amountMinor: unknown, currency: unknown, options: HelperOptions) =>
    typeof amountMinor === 'number' && typeof currency === 'string'
      ? formatMoney(amountMinor, currency.trim(), rootLocale(options))
      : '',
  );
  hbs.registerHelper('t', (key: unknown, options: HelperOptions) =>
    translate(rootLocale(options), String(key), options.hash as Record<string, unknown>),
  );
  hbs.registerHelper('percent', (ratio: unknown, options: HelperOptions) =>
    typeof ratio === 'number'
      ? new Intl.NumberFormat(rootLocale(options), {
          style: 'percent',
          maximumFractionDigits: 1,
        }).format(ratio)
      : '',
  );
  hbs.registerHelper('date', (value: unknown, options: HelperOptions) =>
    value instanceof Date || typeof value === 'string'
      ? new Intl.DateTimeFormat(rootLocale(options), { dateStyle: 'medium' }).format(
          new Date(value),
        )
      : '',
  );
  hbs.registerHelper('concat', (...args: unknown[]) => args.slice(0, -1).map(String).join(''));
  hbs.registerHelper('eqs', (a: unknown, b: unknown) => a === b);
  hbs.registerHelper('asset', (name: unknown) => staticAssets().url(String(name)));
  return hbs;
}

/** Every .hbs file under `dir`, as paths relative to it without the extension. */
export function listTemplates(dir: string, base = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return listTemplates(full, base);
    return e.name.endsWith('.hbs')
      ? [
          path
            .relative(base, full)
            .replace(/\.hbs$/, '')
            .split(path.sep)
            .join('/'),
        ]
      : [];
  });
}
