import { AUDIT_ACTIONS } from '../../modules/audit/audit-actions';
import { FAILURE_REASONS } from '../../modules/donations/dead-letters';
import { ENTRY_KINDS } from '../../modules/ledger/entry-kinds';
import { createHandlebars } from '../views/handlebars';
import { messages, SUPPORTED_LOCALES } from './i18n';
import {
  auditActionText,
  entryKindText,
  STATUS_DOMAINS,
  statusKey,
  statusOptions,
  statusText,
} from './status-words';

const HAN = /\p{Script=Han}/u;
const CODE = /^[A-Z][A-Z_]+$|^[a-z_]+\.[a-z_.]+$/;

/** Every key and what it must not read as (the code itself). */
const expected: [string, string][] = [
  ...Object.entries(STATUS_DOMAINS).flatMap(([domain, values]) =>
    (values as readonly string[]).map((v): [string, string] => [
      statusKey(domain as keyof typeof STATUS_DOMAINS, v),
      v,
    ]),
  ),
  ...[...ENTRY_KINDS, 'OTHER'].map((k): [string, string] => [`entryKind.${k}`, k]),
  ...AUDIT_ACTIONS.map((a): [string, string] => [`audit.action.${a}`, a]),
  ...FAILURE_REASONS.map((r): [string, string] => [`admin.deadLetters.reasons.${r}`, r]),
];

describe('every status, entry kind and audit action has words in both languages', () => {
  it.each(SUPPORTED_LOCALES)('%s', (locale) => {
    const texts = messages(locale);
    const missing = expected.filter(([key]) => !texts[key]?.trim()).map(([key]) => key);
    expect(missing).toEqual([]);
    const raw = expected
      .filter(([key, code]) => texts[key] === code || CODE.test(texts[key] ?? ''))
      .map(([key]) => key);
    expect(raw).toEqual([]);
  });

  it('reads as Chinese in zh-CN', () => {
    const notChinese = expected
      .filter(([key]) => !HAN.test(messages('zh-CN')[key] ?? ''))
      .map(([key]) => key);
    expect(notChinese).toEqual([]);
  });

  it('lists every value once', () => {
    for (const values of Object.values(STATUS_DOMAINS)) {
      expect(new Set(values).size).toBe(values.length);
    }
    expect(new Set(ENTRY_KINDS).size).toBe(ENTRY_KINDS.length);
    expect(new Set(AUDIT_ACTIONS).size).toBe(AUDIT_ACTIONS.length);
  });
});

describe('statusText, entryKindText, auditActionText', () => {
  it('say a code in the reader language', () => {
    expect(statusText('zh-CN', 'donation', 'SUCCEEDED')).toBe('捐赠成功');
    expect(statusText('en', 'donation', 'PARTIALLY_REFUNDED')).toBe('Partly refunded');
    expect(statusText('zh-CN', 'campaign', 'LIVE')).toBe('筹款中');
    expect(entryKindText('zh-CN', 'PROCESSOR_FEE')).toBe('手续费');
    expect(entryKindText('en', 'DONATION')).toBe('Gift');
    expect(auditActionText('zh-CN', 'fund.activated')).toBe('启用基金');
    expect(auditActionText('en', 'fund.activated')).toBe('Fund activated');
  });

  it('show an unknown value as it is, and an unknown kind as another movement', () => {
    expect(statusText('zh-CN', 'donation', 'NOT_A_STATUS')).toBe('NOT_A_STATUS');
    expect(entryKindText('zh-CN', 'SOMETHING_NEW')).toBe('其他往来');
    expect(auditActionText('en', 'thing.done')).toBe('thing.done');
  });

  it('give a filter its choices in words', () => {
    const options = statusOptions('zh-CN', 'campaign', 'DRAFT');
    expect(options.map((o) => o.value)).toEqual(['DRAFT', 'LIVE', 'ENDED']);
    expect(options.filter((o) => o.selected).map((o) => o.value)).toEqual(['DRAFT']);
    expect(options.every((o) => HAN.test(o.label))).toBe(true);
  });
});

describe('Handlebars helpers', () => {
  const hbs = createHandlebars();
  const render = (source: string, data: Record<string, unknown>) => hbs.compile(source)(data);

  it('statusName, kindName and actionName speak the page language and escape nothing raw', () => {
    const source = '{{statusName "donation" s}}|{{kindName k}}|{{actionName a}}';
    expect(render(source, { locale: 'zh-CN', s: 'PENDING', k: 'MATCH', a: 'fund.closed' })).toBe(
      '待付款|配捐|关闭基金',
    );
    expect(render(source, { locale: 'en', s: 'PENDING', k: 'MATCH', a: 'fund.closed' })).toBe(
      'Awaiting payment|Matched money|Fund closed',
    );
    expect(render('{{statusName "donation" s}}', { s: '<b>' })).toBe('&lt;b&gt;');
  });

  it('date and datetime are Beijing time, the time of day with its zone', () => {
    // 16:30 UTC on 31 December is already 1 January in Beijing.
    const at = new Date('2026-12-31T16:30:00Z');
    expect(render('{{date at}}', { locale: 'zh-CN', at })).toBe('2027年1月1日');
    expect(render('{{datetime at}}', { locale: 'zh-CN', at })).toBe(
      '2027年1月1日 00:30（北京时间）',
    );
    expect(render('{{datetime at}}', { locale: 'en', at: at.toISOString() })).toBe(
      'Jan 1, 2027, 00:30 (Beijing time)',
    );
    expect(render('{{date at}}', { at: 'not a date' })).toBe('');
  });
});
