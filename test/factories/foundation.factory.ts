import { randomUUID } from 'node:crypto';
import type { FoundationProfileDto } from '../../src/modules/foundation/dto/foundation.dto';
import { FoundationService } from '../../src/modules/foundation/foundation.service';
import type { CreateFundDto } from '../../src/modules/funds/dto/funds.dto';
import { FundsService, type FundView } from '../../src/modules/funds/funds.service';
import { LedgerService } from '../../src/modules/ledger/ledger.service';
import type { LedgerAccount } from '../../src/modules/ledger/ledger.types';
import type { TestApp } from '../utils/test-app';

let seq = 0;
const next = () => `${++seq}${randomUUID().slice(0, 6)}`;

export function buildFoundationProfile(
  overrides: Partial<FoundationProfileDto> = {},
): FoundationProfileDto {
  return {
    legalNameZh: '测试区社区发展基金会',
    legalNameEn: 'Test District Community Development Foundation',
    registrationNumber: '53440300TEST00001X',
    currency: 'CNY',
    defaultLocale: 'zh-CN',
    receiptPrefix: 'T',
    ...overrides,
  };
}

export async function createFoundation(t: TestApp, overrides: Partial<FoundationProfileDto> = {}) {
  return t.get(FoundationService).saveProfile(buildFoundationProfile(overrides));
}

export async function createCommunity(t: TestApp) {
  const foundation = t.get(FoundationService);
  const n = next();
  const subdistrict = await foundation.createSubdistrict({
    code: `SD${n}`,
    nameZh: `街道${n}`,
    nameEn: `Subdistrict ${n}`,
  });
  return foundation.createCommunity({
    code: `C${n}`,
    subdistrictId: subdistrict.id,
    nameZh: `社区${n}`,
    nameEn: `Community ${n}`,
  });
}

export function buildFund(overrides: Partial<CreateFundDto> = {}): CreateFundDto {
  const n = next();
  return { kind: 'PROGRAM', code: `F-${n}`, nameZh: `基金${n}`, nameEn: `Fund ${n}`, ...overrides };
}

/** A fund (ACTIVE unless told otherwise), with a community created for COMMUNITY funds. */
export async function createFund(
  t: TestApp,
  overrides: Partial<CreateFundDto> & { status?: 'PREPARING' | 'ACTIVE' } = {},
): Promise<FundView> {
  const { status = 'ACTIVE', ...dto } = overrides;
  const funds = t.get(FundsService);
  const communityId =
    dto.kind === 'COMMUNITY' && !dto.communityId ? (await createCommunity(t)).id : dto.communityId;
  const fund = await funds.create(buildFund({ ...dto, communityId }));
  return status === 'ACTIVE' ? funds.activate(fund.id) : fund;
}

/**
 * The foundation's one GENERAL fund (ACTIVE), created on first use. Unrestricted money moves to
 * other funds by allocation; restricted funds' money moves only by a release.
 */
export async function generalFund(t: TestApp): Promise<FundView> {
  const funds = t.get(FundsService);
  const existing = await funds.findGeneral();
  if (existing) return funds.get(existing.id);
  return createFund(t, { kind: 'GENERAL', code: 'GENERAL' });
}

export async function externalAccount(
  t: TestApp,
  code = 'external:test-donors',
): Promise<LedgerAccount> {
  return t.get(LedgerService).ensureAccount({
    code,
    name: 'Test donors',
    type: 'EXTERNAL',
    currency: 'CNY',
    allowNegative: true,
    balanceSlots: 4,
  });
}

/** Money arriving in a fund from outside (a stand-in for donations until they exist). */
export async function fundFromOutside(t: TestApp, fund: FundView, amountMinor: number) {
  const source = await externalAccount(t);
  return t.get(LedgerService).post({
    idempotencyKey: `test:inflow:${next()}`,
    kind: 'OFFLINE_CONTRIBUTION',
    currency: fund.currency,
    postings: [
      { accountId: source.id, amountMinor: -amountMinor },
      { accountId: fund.accountId, amountMinor },
    ],
  });
}
