import { randomUUID } from 'node:crypto';
import { bodyOf, type ApiClient } from '../utils/api-client';
import type { TestApp } from '../utils/test-app';
import { externalAccount } from './foundation.factory';

/**
 * Builders for the API files (test/e2e/api-*.test.ts): foundation, communities, funds and money
 * moved between them, all through the HTTP API as a client would (the donors' and payees'
 * external accounts come from the foundation factory: the API has no endpoint that opens one).
 * Each file calls `apiBuilders(api, t)` and makes what it needs; nothing is shared between files.
 */

export interface Fund {
  id: string;
  code: string;
  kind: string;
  status: string;
  nameZh: string;
  nameEn: string;
  accountId: string;
  communityId: string | null;
  currency: string;
  balanceMinor: number;
  activatedAt: string | null;
  closedAt: string | null;
  community: { id: string; code: string } | null;
}
export interface Community {
  id: string;
  code: string;
  subdistrictId: string;
}
export interface StatementLine {
  postingId: number;
  entryId: string;
  kind: string;
  amountMinor: number;
  balanceAfterMinor: number;
  postedAt: string;
  counterparties: { accountId: string }[];
}
export interface Statement {
  balanceMinor: number;
  lines: StatementLine[];
  nextCursor: string | null;
}

export const PROFILE = {
  legalNameZh: '连心测试社区发展基金会',
  legalNameEn: 'Lianxin Test Community Development Foundation',
  registrationNumber: '53440300TEST0001X',
  currency: 'CNY',
  defaultLocale: 'zh-CN',
  receiptPrefix: 'LXT',
};

let seq = 0;
/** A short unique suffix for codes and names. */
export const uid = () => `${++seq}${randomUUID().slice(0, 6).toUpperCase()}`;

/** balanceAfterMinor as it must be: the balance first, then each line's minus the line before's amount. */
export function expectedRunningBalances(st: Statement): number[] {
  return st.lines.map((_, i) =>
    i === 0 ? st.balanceMinor : st.lines[i - 1]!.balanceAfterMinor - st.lines[i - 1]!.amountMinor,
  );
}

export function newestFirst(lines: StatementLine[]): boolean {
  return lines.every((line, i) => {
    if (i === 0) return true;
    const prev = lines[i - 1]!;
    const [a, b] = [Date.parse(prev.postedAt), Date.parse(line.postedAt)];
    return a > b || (a === b && prev.postingId > line.postingId);
  });
}

export type ApiBuilders = ReturnType<typeof apiBuilders>;

export function apiBuilders(api: ApiClient, t: () => TestApp) {
  async function ensureFoundation(): Promise<void> {
    const res = await api.get('/api/v1/foundation');
    if (res.status === 404) bodyOf(await api.put('/api/v1/foundation', PROFILE), 200);
  }

  async function newSubdistrict(): Promise<{ id: string; code: string }> {
    const n = uid();
    return bodyOf(
      await api.post('/api/v1/subdistricts', {
        code: `SD-${n}`,
        nameZh: `街道${n}`,
        nameEn: `Subdistrict ${n}`,
      }),
      201,
    );
  }

  async function newCommunity(subdistrictId?: string, code = `CM-${uid()}`): Promise<Community> {
    const sid = subdistrictId ?? (await newSubdistrict()).id;
    return bodyOf(
      await api.post('/api/v1/communities', {
        code,
        subdistrictId: sid,
        nameZh: `社区${code}`,
        nameEn: `Community ${code}`,
      }),
      201,
    );
  }

  async function activate(id: string): Promise<Fund> {
    return bodyOf(await api.post(`/api/v1/funds/${id}/activate`), 200);
  }

  async function newFund(
    kind: 'PROGRAM' | 'MATCHING' | 'COMMUNITY' = 'PROGRAM',
    { active = true, communityId }: { active?: boolean; communityId?: string } = {},
  ): Promise<Fund> {
    const n = uid();
    const cid = kind === 'COMMUNITY' ? (communityId ?? (await newCommunity()).id) : undefined;
    const fund: Fund = bodyOf(
      await api.post('/api/v1/funds', {
        kind,
        code: `F-${n}`,
        nameZh: `基金${n}`,
        nameEn: `Fund ${n}`,
        communityId: cid,
      }),
      201,
    );
    return active ? activate(fund.id) : fund;
  }

  async function getFund(id: string): Promise<Fund> {
    return bodyOf(await api.get(`/api/v1/funds/${id}`), 200);
  }

  async function balancesOf(...funds: { id: string }[]): Promise<number[]> {
    return Promise.all(funds.map(async (f) => (await getFund(f.id)).balanceMinor));
  }

  /** The GENERAL fund, created on first use. */
  async function generalFund(): Promise<Fund> {
    const list = bodyOf(await api.get('/api/v1/funds?kind=GENERAL'), 200) as { items: Fund[] };
    if (list.items[0]) return list.items[0];
    return bodyOf(
      await api.post('/api/v1/funds', {
        kind: 'GENERAL',
        nameZh: '非限定性基金',
        nameEn: 'General Fund',
      }),
      201,
    );
  }

  function manualEntry(
    postings: { accountId: string; amountMinor: number }[],
    overrides: object = {},
  ) {
    return api.post('/api/v1/ledger/entries', {
      idempotencyKey: `test-${uid()}`,
      kind: 'OFFLINE_CONTRIBUTION',
      description: 'Offline gift',
      postings,
      ...overrides,
    });
  }

  /** Money arriving in a fund from outside, as a manual offline contribution. */
  async function inflow(fund: Fund, amountMinor: number): Promise<{ id: string }> {
    const donors = await externalAccount(t());
    const res = await manualEntry([
      { accountId: donors.id, amountMinor: -amountMinor },
      { accountId: fund.accountId, amountMinor },
    ]);
    return (bodyOf(res, 201) as { entry: { id: string } }).entry;
  }

  /** Money leaving a fund for its purpose (an expense paid outside), as a manual entry. */
  async function outflow(fund: Fund, amountMinor: number): Promise<{ id: string }> {
    const payee = await externalAccount(t(), 'external:test-payees');
    const res = await manualEntry(
      [
        { accountId: fund.accountId, amountMinor: -amountMinor },
        { accountId: payee.id, amountMinor },
      ],
      { kind: 'EXPENSE' },
    );
    return (bodyOf(res, 201) as { entry: { id: string } }).entry;
  }

  function transfer(
    from: { id: string },
    to: { id: string },
    amountMinor: unknown,
    extra: object = {},
  ) {
    return api.post('/api/v1/allocations', {
      fromFundId: from.id,
      toFundId: to.id,
      amountMinor,
      ...extra,
    });
  }

  /** Follows nextCursor from `path` (which already has a query string) until the last page. */
  async function allPages<T>(
    path: string,
    key: 'items' | 'lines',
  ): Promise<{ rows: T[]; pages: number }> {
    const rows: T[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const url: string = cursor ? `${path}&cursor=${encodeURIComponent(cursor)}` : path;
      const page = bodyOf(await api.get(url), 200) as Record<string, unknown> & {
        nextCursor: string | null;
      };
      rows.push(...(page[key] as T[]));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor && pages < 1000);
    return { rows, pages };
  }

  async function statement(fundId: string, query = 'limit=500'): Promise<Statement> {
    return bodyOf(await api.get(`/api/v1/funds/${fundId}/statement?${query}`), 200);
  }

  return {
    ensureFoundation,
    newSubdistrict,
    newCommunity,
    activate,
    newFund,
    getFund,
    balancesOf,
    generalFund,
    manualEntry,
    inflow,
    outflow,
    transfer,
    allPages,
    statement,
  };
}
