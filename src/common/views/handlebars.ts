import Handlebars from 'handlebars';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { currencyName, formatMoney } from '../money';
import { beijingDate, beijingDateTime } from '../dates/beijing-time';
import { translate, type SupportedLocale } from '../i18n/i18n';
import { auditActionText, entryKindText, isStatusDomain, statusText } from '../i18n/status-words';
import { staticAssets } from './assets';

type HelperOptions = Handlebars.HelperOptions;

function rootLocale(options: HelperOptions): SupportedLocale {
  const root = (options.data as { root?: { locale?: SupportedLocale } } | undefined)?.root;
  return root?.locale ?? 'zh-CN';
}

/** A Date, or an ISO string of one; null for anything else or an invalid time. */
function instant(value: unknown): Date | null {
  const at =
    value instanceof Date ? value : typeof value === 'string' && value ? new Date(value) : null;
  return at && !Number.isNaN(at.getTime()) ? at : null;
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
  hbs.registerHelper('currencyName', (code: unknown, options: HelperOptions) =>
    typeof code === 'string' ? currencyName(code.trim(), rootLocale(options)) : '',
  );
  // A currency as a reader names it beside an amount field: 元 for CNY in Chinese
  // (`currencyUnit.<CODE>`), otherwise its code.
  hbs.registerHelper('currencyUnit', (code: unknown, options: HelperOptions) => {
    const key = `currencyUnit.${String(code).trim()}`;
    const text = translate(rootLocale(options), key);
    return text === key ? String(code).trim() : text;
  });
  // Instants are shown in Beijing time: {{date at}} the calendar day, {{datetime at}} with the
  // time of day and the zone named (beijing-time.ts).
  hbs.registerHelper('date', (value: unknown, options: HelperOptions) => {
    const at = instant(value);
    return at ? beijingDate(at, rootLocale(options)) : '';
  });
  hbs.registerHelper('datetime', (value: unknown, options: HelperOptions) => {
    const at = instant(value);
    return at ? beijingDateTime(at, rootLocale(options)) : '';
  });
  // Codes in words (status-words.ts): {{statusName "donation" status}}, {{kindName kind}},
  // {{actionName action}}.
  hbs.registerHelper('statusName', (domain: unknown, value: unknown, options: HelperOptions) =>
    isStatusDomain(domain) && typeof value === 'string'
      ? statusText(rootLocale(options), domain, value)
      : '',
  );
  hbs.registerHelper('kindName', (kind: unknown, options: HelperOptions) =>
    typeof kind === 'string' ? entryKindText(rootLocale(options), kind) : '',
  );
  hbs.registerHelper('actionName', (action: unknown, options: HelperOptions) =>
    typeof action === 'string' ? auditActionText(rootLocale(options), action) : '',
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
