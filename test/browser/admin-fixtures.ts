import { createFoundation, createFund, fundFromOutside } from '../factories/foundation.factory';
import { AllocationsService } from '../../src/modules/allocations/allocations.service';
import { UsersService } from '../../src/modules/accounts/users.service';
import type { FundView } from '../../src/modules/funds/funds.service';
import { localDate } from '../../src/modules/reporting/periods';
import type { TestApp } from '../utils/test-app';

/**
 * A small foundation for the back-office page tests: a general fund that received ¥1,000,000
 * from outside this month, two active community funds that each got ¥200,000 from the yearly
 * allocation, one preparing community fund; an administrator, and a community leader scoped to
 * the first community fund.
 */
export interface BackOffice {
  general: FundView;
  fundA: FundView;
  fundB: FundView;
  preparing: FundView;
  admin: { email: string; password: string; id: string };
  leader: { email: string; password: string; id: string };
  year: number;
}

export const PASSWORD = 'correct horse battery staple';
export const RAISED_MINOR = 100_000_000; // ¥1,000,000.00
export const YEARLY_MINOR = 20_000_000; // ¥200,000.00

export async function seedBackOffice(t: TestApp, tag = ''): Promise<BackOffice> {
  await createFoundation(t);
  const general = await createFund(t, {
    kind: 'GENERAL',
    code: 'GENERAL',
    nameZh: '综合基金',
    nameEn: 'General Fund',
  });
  await fundFromOutside(t, general, RAISED_MINOR);
  const fundA = await createFund(t, {
    kind: 'COMMUNITY',
    nameZh: '桃源社区基金',
    nameEn: 'Taoyuan Community Fund',
  });
  const fundB = await createFund(t, {
    kind: 'COMMUNITY',
    nameZh: '松坪社区基金',
    nameEn: 'Songping Community Fund',
  });
  const preparing = await createFund(t, {
    kind: 'COMMUNITY',
    status: 'PREPARING',
    nameZh: '筹备社区基金',
    nameEn: 'Preparing Community Fund',
  });
  const year = localDate(new Date()).year;
  await t.get(AllocationsService).yearly({ year, amountMinor: YEARLY_MINOR });

  const users = t.get(UsersService);
  const adminEmail = `admin${tag}@example.org`;
  const admin = await users.createAdmin(adminEmail, PASSWORD, 'Ada Admin');
  // A leader made directly: created as an admin, then given only the leader role and one fund.
  const leaderEmail = `leader${tag}@example.org`;
  const leaderUser = await users.createAdmin(leaderEmail, PASSWORD, 'Li Leader');
  await users.update(leaderUser.id, { roles: ['COMMUNITY_LEADER'], fundIds: [fundA.id] });
  return {
    general,
    fundA,
    fundB,
    preparing,
    admin: { email: adminEmail, password: PASSWORD, id: admin.id },
    leader: { email: leaderEmail, password: PASSWORD, id: leaderUser.id },
    year,
  };
}
