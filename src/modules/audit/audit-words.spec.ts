import { hasText } from '../../common/i18n/i18n';
import { AUDIT_AREAS } from './audit-actions';
import {
  AUDIT_CSV_COLUMNS,
  AUDIT_ENTITY_TYPES,
  auditActionOptions,
  auditCsvCells,
  auditDetails,
  auditDetailsLine,
  entityTypeText,
} from './audit-words';
import type { AuditEntry } from './audit.types';

const entry = (over: Partial<AuditEntry>): AuditEntry => ({
  id: 1,
  at: new Date('2026-12-03T06:05:09Z'),
  actorUserId: null,
  actorLabel: 'li.ming@example.org',
  ip: '127.0.0.1',
  requestId: 'req-1',
  action: 'campaign.published',
  entityType: 'campaign',
  entityId: '6f1c2d9e-0000-4000-8000-000000000001',
  before: null,
  after: null,
  ...over,
});

describe('audit rows in words', () => {
  it('every entity type, area and CSV column has words in both languages', () => {
    const keys = [
      ...AUDIT_ENTITY_TYPES.map((e) => `audit.entity.${e}`),
      ...AUDIT_AREAS.map((a) => `audit.area.${a}`),
      ...AUDIT_CSV_COLUMNS.map((c) => `admin.audit.csvColumns.${c}`),
    ];
    expect(keys.filter((k) => !hasText(k))).toEqual([]);
  });

  it('shows a status change in the entity’s own words, not its codes', () => {
    const row = entry({ before: { status: 'DRAFT' }, after: { status: 'LIVE' } });
    expect(auditDetails('zh-CN', row)).toEqual([
      { label: '状态', before: '草稿（未发布）', after: '筹款中' },
    ]);
    expect(auditDetailsLine('en', auditDetails('en', row))).toBe('Status: Draft → Live');
  });

  it('shows minor units as money, instants in Beijing time, flags as yes/no, roles as words', () => {
    const row = entry({
      entityType: 'donation',
      after: {
        amountMinor: 12_345,
        refundedAfter: 20_000,
        at: '2026-12-31T16:30:00.000Z',
        monthly: true,
        roles: ['FINANCE', 'ADMIN'],
      },
    });
    expect(auditDetailsLine('zh-CN', auditDetails('zh-CN', row))).toBe(
      '金额：¥123.45；累计退款：¥200.00；at：2027年1月1日 00:30（北京时间）；月捐：是；角色：财务、管理员',
    );
  });

  it('leaves out what did not change, and says what was removed', () => {
    const row = entry({
      entityType: 'fund',
      before: { nameZh: '和美社区基金', note: 'old' },
      after: { nameZh: '和美社区基金' },
    });
    expect(auditDetailsLine('en', auditDetails('en', row))).toBe('Note: (removed: old)');
  });

  it('offers the action filter as areas and their actions, in words', () => {
    const options = auditActionOptions('zh-CN', 'fund.closed');
    expect(options).toContainEqual({ value: 'fund', label: '基金（全部）', selected: false });
    expect(options).toContainEqual({
      value: 'fund.closed',
      label: '基金 · 关闭基金',
      selected: true,
    });
    expect(options.some((o) => /^[a-z_.]+$/.test(o.label))).toBe(false);
  });

  it('gives the CSV a Beijing wall time and every cell in words', () => {
    const cells = auditCsvCells(
      'zh-CN',
      entry({ before: { status: 'DRAFT' }, after: { status: 'LIVE' } }),
    );
    expect(cells).toEqual([
      '2026-12-03 14:05:09',
      'li.ming@example.org',
      '发布筹款项目',
      '筹款项目',
      '6f1c2d9e-0000-4000-8000-000000000001',
      '状态：草稿（未发布） → 筹款中',
      '127.0.0.1',
      'req-1',
    ]);
    expect(entityTypeText('en', 'something_new')).toBe('something_new');
  });
});
