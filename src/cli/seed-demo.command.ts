import type { INestApplicationContext } from '@nestjs/common';
import { AllocationsService } from '../modules/allocations/allocations.service';
import { FoundationService } from '../modules/foundation/foundation.service';
import { FundsService, type FundView } from '../modules/funds/funds.service';
import type { CreateFundDto } from '../modules/funds/dto/funds.dto';
import { LedgerService } from '../modules/ledger/ledger.service';
import { UsersService } from '../modules/accounts/users.service';
import { CampaignsService } from '../modules/campaigns/campaigns.service';
import { MatchingService } from '../modules/matching/matching.service';
import { OfflineGiftsService } from '../modules/donations/offline-gifts.service';
import type { OfflineGiftDto } from '../modules/donations/dto/offline-gift.dto';
import { ErasureAlreadyRequestedError } from '../modules/privacy/privacy.errors';
import { ErasureService } from '../modules/privacy/erasure/erasure.service';
import { randomBytes } from 'node:crypto';
import { TransactionService } from '../database/transaction.service';
import {
  DEMO_APPLICANTS,
  DEMO_FOUNDATION,
  DEMO_PEOPLE,
  DEMO_PLANNER_COMMUNITY,
  DEMO_SUBDISTRICTS,
  demoCommunities,
  demoFundPlan,
  YUAN,
} from './demo-data';
import { progress } from './progress';
import { type GrantsCast, seedDemoGrants } from './seed-demo-grants';

/**
 * Creates the demo foundation. Safe to run twice: every record is found by its code and every
 * journal entry has a fixed idempotency key, so a second run changes nothing.
 */
export async function seedDemo(
  app: INestApplicationContext,
  out: NodeJS.WritableStream = process.stdout,
): Promise<void> {
  const foundation = app.get(FoundationService);
  const funds = app.get(FundsService);
  const ledger = app.get(LedgerService);
  const allocations = app.get(AllocationsService);

  await foundation.saveProfile(DEMO_FOUNDATION);

  const subdistrictIds: string[] = [];
  for (const [i, { zh: nameZh, en: nameEn }] of DEMO_SUBDISTRICTS.entries()) {
    const code = `SD${String(i + 1).padStart(2, '0')}`;
    const existing = await foundation.findSubdistrictByCode(code);
    subdistrictIds.push(
      (
        existing ??
        (await foundation.createSubdistrict({ code, nameZh, nameEn: `${nameEn} Subdistrict` }))
      ).id,
    );
  }

  const communities = demoCommunities();
  const communityIds: string[] = [];
  const bar = progress(out, 'communities', communities.length);
  for (const c of communities) {
    const existing = await foundation.findCommunityByCode(c.code);
    const community =
      existing ??
      (await foundation.createCommunity({
        code: c.code,
        subdistrictId: subdistrictIds[c.subdistrictIndex]!,
        nameZh: c.nameZh,
        nameEn: c.nameEn,
        households: c.households,
      }));
    communityIds.push(community.id);
    bar.tick();
  }

  const ensureFund = async (
    dto: CreateFundDto & { code: string },
    activate: boolean,
  ): Promise<FundView> => {
    const existing = await funds.findByCode(dto.code);
    let fund = existing ? await funds.get(existing.id) : await funds.create(dto);
    if (activate && fund.status === 'PREPARING') fund = await funds.activate(fund.id);
    // The demo's funds existed before its months of gift history (gifts may not predate a fund).
    return funds.recordSetUpDate(fund.id, DEMO_FUNDS_SET_UP);
  };

  const general = await ensureFund(
    {
      kind: 'GENERAL',
      code: 'GENERAL',
      nameZh: '基金会非限定性基金',
      nameEn: 'Foundation General Fund',
    },
    true,
  );
  const matching = await ensureFund(
    {
      kind: 'MATCHING',
      code: 'MATCH-99',
      nameZh: '99公益日配捐资金池',
      nameEn: '99 Giving Day Matching Pool',
      description: '由爱心企业注资，用于99公益日期间的配捐。',
    },
    true,
  );
  const elderMeals = await ensureFund(
    {
      kind: 'PROGRAM',
      code: 'PROG-ELDER-MEALS',
      nameZh: '长者助餐专项基金',
      nameEn: 'Elder Meals Program Fund',
    },
    true,
  );

  const plan = demoFundPlan(communities);
  const fundBar = progress(out, 'community funds', plan.active.length + plan.preparing.length);
  const activeFunds: FundView[] = [];
  for (const [list, activate] of [
    [plan.active, true],
    [plan.preparing, false],
  ] as const) {
    for (const index of list) {
      const c = communities[index]!;
      const fund = await ensureFund(
        {
          kind: 'COMMUNITY',
          code: `C-${c.code}`,
          communityId: communityIds[index]!,
          nameZh: `${c.nameZh}基金`,
          nameEn: `${c.nameEn} Fund`,
        },
        activate,
      );
      if (activate) activeFunds.push(fund);
      fundBar.tick();
    }
  }

  const opening = await ledger.ensureAccount({
    code: 'external:opening-balance',
    name: '期初余额',
    type: 'EXTERNAL',
    currency: DEMO_FOUNDATION.currency,
    allowNegative: true,
  });
  const sponsor = await ledger.ensureAccount({
    code: 'external:sponsors',
    name: '配捐企业',
    type: 'EXTERNAL',
    currency: DEMO_FOUNDATION.currency,
    allowNegative: true,
  });
  await ledger.post({
    idempotencyKey: 'demo:opening-balance:general',
    kind: 'OPENING_BALANCE',
    description: '基金会原始基金',
    currency: DEMO_FOUNDATION.currency,
    postings: [
      { accountId: opening.id, amountMinor: -8_000_000 * YUAN },
      { accountId: general.accountId, amountMinor: 8_000_000 * YUAN },
    ],
  });
  await ledger.post({
    idempotencyKey: 'demo:sponsor-pledge:match-99',
    kind: 'OFFLINE_CONTRIBUTION',
    description: '爱心企业注入配捐资金',
    currency: DEMO_FOUNDATION.currency,
    postings: [
      { accountId: sponsor.id, amountMinor: -500_000 * YUAN },
      { accountId: matching.accountId, amountMinor: 500_000 * YUAN },
    ],
  });

  const yearly = await allocations.yearly({ year: 2026, amountMinor: 200_000 * YUAN });
  await allocations.transfer({
    fromFundId: general.id,
    toFundId: elderMeals.id,
    amountMinor: 300_000 * YUAN,
    description: '长者助餐项目年度预算',
    idempotencyKey: 'demo:elder-meals-2026',
  });
  for (const [i, fund] of activeFunds.slice(0, 3).entries()) {
    await allocations.transfer({
      fromFundId: general.id,
      toFundId: fund.id,
      amountMinor: (50_000 + i * 25_000) * YUAN,
      description: '社区微更新专项拨付',
      idempotencyKey: `demo:micro-renewal:${fund.code}`,
    });
  }

  await backdateDemoFunds(app, [general, matching, elderMeals, ...activeFunds]);
  await seedDemoCampaign(app, elderMeals.id, matching.id);
  await seedDemoCommunityCampaign(app, activeFunds[0]!.id);
  await seedDemoGifts(app, out);
  await seedDemoErasureRequest(app, out);

  const coverage = await funds.coverage();
  out.write(
    `Demo foundation ready: ${DEMO_SUBDISTRICTS.length} subdistricts, ${communities.length} communities, ` +
      `${coverage.communitiesWithActiveFund} active and ${coverage.communitiesWithPreparingFund} preparing community funds ` +
      `(coverage ${(coverage.coverage * 100).toFixed(1)}%); 2026 allocation: ${yearly.allocated.length} new, ` +
      `${yearly.alreadyAllocated.length} already done.\n`,
  );
  const communityByName = new Map(communities.map((c, i) => [c.nameZh, communityIds[i]!]));
  const cast = await seedDemoPeople(app, activeFunds[0]!, communityByName, out);
  await seedDemoGrants(app, cast, general, activeFunds[0]!, out);
}

/**
 * The demo's funds were set up on 1 January of last year (Beijing time), before the history of
 * gifts begins: a gift cannot be dated before its fund existed. Only their `created_at` moves,
 * and only earlier; a second run changes nothing.
 */
async function backdateDemoFunds(app: INestApplicationContext, funds: FundView[]) {
  const year = new Date(Date.now() + 8 * 3_600_000).getUTCFullYear();
  const since = new Date(`${year - 1}-01-01T00:00:00+08:00`);
  await app
    .get(TransactionService)
    .run((m) =>
      m.query(`UPDATE funds SET created_at = $1 WHERE id = ANY($2::uuid[]) AND created_at > $1`, [
        since,
        funds.map((f) => f.id),
      ]),
    );
}

/** A live campaign with a 1:1 matching rule from the 99 Giving Day pool, to try giving. */
async function seedDemoCampaign(app: INestApplicationContext, fundId: string, poolFundId: string) {
  const campaigns = app.get(CampaignsService);
  const cli = { kind: 'system', label: 'cli' } as const;
  const slug = 'elder-meals-2026';
  let campaign = await campaigns.findBySlug(slug);
  if (!campaign) {
    campaign = await campaigns.create(cli, {
      fundId,
      slug,
      titleZh: '长者助餐：让社区老人吃上热饭',
      titleEn: 'Elder meals: a hot lunch for our seniors',
      storyZh:
        '每 **15 元** 为一位独居老人送上一顿热腾腾的午餐。99公益日期间，爱心企业 1:1 配捐，每笔最高 500 元。',
      storyEn:
        'Every **¥15** brings a hot lunch to an elderly neighbour who lives alone. During 99 Giving Day a sponsor matches each gift 1:1, up to ¥500.',
      goalMinor: 300_000 * YUAN,
      minAmountMinor: 1 * YUAN,
      presetAmountsMinor: [15 * YUAN, 50 * YUAN, 100 * YUAN, 500 * YUAN],
      filingNumber: '53510108MJL00001XD-2026-001（演示）',
    });
  }
  if (campaign.status === 'DRAFT') await campaigns.publish(cli, campaign.id);
  if (!(await app.get(MatchingService).getRule(campaign.id))) {
    await app.get(MatchingService).setRule(campaign.id, {
      poolFundId,
      mode: 'RATIO',
      ratioBp: 10_000,
      randomMinMinor: null,
      randomMaxMinor: null,
      minGiftMinor: 1 * YUAN,
      capPerGiftMinor: 500 * YUAN,
      capPerDonorDayMinor: 1_000 * YUAN,
      totalCapMinor: null,
      startsAt: null,
      endsAt: null,
      active: true,
    });
  }
}

/** The leader's community campaign (和美社区), which the neighbours' gifts of the last months went to. */
async function seedDemoCommunityCampaign(app: INestApplicationContext, fundId: string) {
  const campaigns = app.get(CampaignsService);
  const cli = { kind: 'system', label: 'cli' } as const;
  let campaign = await campaigns.findBySlug(DEMO_COMMUNITY_CAMPAIGN);
  if (!campaign) {
    campaign = await campaigns.create(cli, {
      fundId,
      slug: DEMO_COMMUNITY_CAMPAIGN,
      titleZh: '和美社区：老院落楼道焕新',
      titleEn: 'Hemei Community: brighter stairwells for the old courtyards',
      storyZh:
        '和美社区的老院落楼道灯光昏暗、扶手松动。居民议事会商定：更换感应灯、加装扶手、粉刷墙面，由居民捐款和社区基金共同承担。',
      storyEn:
        'The stairwells of the old courtyards in Hemei Community are dark and their handrails loose. The residents agreed to fit sensor lights and handrails and repaint the walls, paid for by neighbours and the community fund.',
      goalMinor: 60_000 * YUAN,
      minAmountMinor: 1 * YUAN,
      presetAmountsMinor: [20 * YUAN, 50 * YUAN, 100 * YUAN, 200 * YUAN],
      filingNumber: '53510108MJL00001XD-2026-002（演示）',
    });
  }
  if (campaign.status === 'DRAFT') await campaigns.publish(cli, campaign.id);
}

const DEMO_COMMUNITY_CAMPAIGN = 'hemei-stairwells';
const DAY_MS = 24 * 3_600_000;

/** When the demo's funds were set up: before the months of gift history the demo records. */
const DEMO_FUNDS_SET_UP = new Date('2025-01-01T00:00:00+08:00');

/**
 * The demo's gifts, recorded as bank transfers and cash: three to try receipts, the donor portal
 * (sign in as donor@demo.lianxin.test; the link is on the dev outbox page) and the verification
 * page, and a history of eight months (more gifts each month, to both demo campaigns) dated by the
 * day the money arrived, so the funds' charts show a trend. Each is recorded once per reference;
 * the server issues their receipts when it starts.
 */
async function seedDemoGifts(app: INestApplicationContext, out: NodeJS.WritableStream) {
  const gifts: OfflineGiftDto[] = [
    {
      campaignSlug: 'elder-meals-2026',
      reference: 'DEMO-GIFT-1',
      donorName: '张晓梅',
      donorEmail: 'donor@demo.lianxin.test',
      amountMinor: 200 * YUAN,
      method: 'BANK',
    },
    {
      campaignSlug: 'elder-meals-2026',
      reference: 'DEMO-GIFT-2',
      donorName: '张晓梅',
      donorEmail: 'donor@demo.lianxin.test',
      amountMinor: 50 * YUAN,
      method: 'CASH',
    },
    {
      campaignSlug: 'elder-meals-2026',
      reference: 'DEMO-GIFT-3',
      donorName: '李建国',
      donorEmail: 'jianguo.li@demo.lianxin.test',
      amountMinor: 1_000 * YUAN,
      method: 'BANK',
    },
    ...demoGiftHistory(new Date()),
  ];
  let recorded = 0;
  for (const gift of gifts) {
    const { replayed } = await app.get(OfflineGiftsService).record(gift);
    if (!replayed) recorded++;
  }
  out.write(
    `Demo gifts: ${recorded} recorded, ${gifts.length - recorded} already there (their receipts are issued when the server runs).\n`,
  );
}

/**
 * One erasure request, confirmed and open, so the back office's queue has something to show
 * (李建国 asked by letter). Left alone when one is open already.
 */
async function seedDemoErasureRequest(app: INestApplicationContext, out: NodeJS.WritableStream) {
  try {
    await app.get(ErasureService).recordConfirmed('jianguo.li@demo.lianxin.test', 'zh-CN');
    out.write('Demo erasure request: 1 confirmed, open.\n');
  } catch (error) {
    if (!(error instanceof ErasureAlreadyRequestedError)) throw error;
  }
}

const HISTORY_DONORS: [name: string, email: string][] = [
  ['刘建华', 'jianhua.liu'],
  ['陈秀英', 'xiuying.chen'],
  ['杨志强', 'zhiqiang.yang'],
  ['赵桂芳', 'guifang.zhao'],
  ['黄晓东', 'xiaodong.huang'],
  ['周玉兰', 'yulan.zhou'],
  ['吴海燕', 'haiyan.wu'],
  ['徐国平', 'guoping.xu'],
  ['孙丽萍', 'liping.sun'],
  ['马文斌', 'wenbin.ma'],
];

/**
 * Eight months of gifts before `now`: month k (0 = seven months ago) has 2 + k gifts, mostly to
 * the 和美社区 campaign and some to the elder meals one, each dated on a day of its month (never
 * later than yesterday). References name the month and the gift's place in it, so a later run
 * finds the gifts already recorded and adds only the newer ones.
 */
export function demoGiftHistory(now: Date): OfflineGiftDto[] {
  const beijing = new Date(now.getTime() + 8 * 3_600_000);
  const latest = now.getTime() - DAY_MS;
  const gifts: OfflineGiftDto[] = [];
  for (let k = 0; k < 8; k++) {
    const monthStart = Date.UTC(beijing.getUTCFullYear(), beijing.getUTCMonth() - 7 + k, 1);
    const month = new Date(monthStart).toISOString().slice(0, 7);
    const monthNumber = beijing.getUTCFullYear() * 12 + beijing.getUTCMonth() - 7 + k;
    for (let j = 0; j < 2 + k; j++) {
      // Who gave what follows from the month and the gift's place in it, never from the day the
      // seed runs: a reference always names the same gift.
      const n = monthNumber * 3 + j;
      // 10:00 Beijing time on day 2 + 3j of the month.
      const receivedAt = new Date(monthStart + (1 + 3 * j) * DAY_MS + 2 * 3_600_000);
      if (receivedAt.getTime() > latest) break;
      const [donorName, email] = HISTORY_DONORS[n % HISTORY_DONORS.length]!;
      gifts.push({
        campaignSlug: n % 3 === 2 ? 'elder-meals-2026' : DEMO_COMMUNITY_CAMPAIGN,
        reference: `DEMO-${month}-${j + 1}`,
        donorName,
        donorEmail: `${email}@demo.lianxin.test`,
        amountMinor: [100, 200, 50, 500, 300, 1_000, 150][n % 7]! * YUAN,
        method: n % 4 === 3 ? 'CASH' : 'BANK',
        receivedAt,
      });
    }
  }
  return gifts;
}

/**
 * Demo accounts, so the back office can be tried at once: the staff (admin, finance, grants
 * officer, reviewer), a community leader, the demo planner and the planners who applied for
 * grants. Missing ones are created with one random password printed once (never a fixed one);
 * existing ones are left alone. Returns who acts in the grants demo.
 */
async function seedDemoPeople(
  app: INestApplicationContext,
  leaderFund: FundView,
  communityByName: Map<string, string>,
  out: NodeJS.WritableStream,
): Promise<GrantsCast> {
  const users = app.get(UsersService);
  const plannerCommunity = communityByName.get(DEMO_PLANNER_COMMUNITY)!;
  const people = [
    ...DEMO_PEOPLE.map((p) => ({
      ...p,
      communityIds: p.roles.includes('PLANNER') ? [plannerCommunity] : [],
      fundIds: p.roles.includes('COMMUNITY_LEADER') ? [leaderFund.id] : [],
    })),
    ...DEMO_APPLICANTS.map((p) => ({
      email: p.email,
      name: p.name,
      roles: ['PLANNER' as const],
      communityIds: [communityByName.get(p.community)!],
      fundIds: [],
    })),
  ];
  const ids = new Map<string, string>();
  const created: typeof people = [];
  let password: string | null = null;
  for (const person of people) {
    const existing = await users.findByEmail(person.email);
    if (existing) {
      ids.set(person.email, existing.id);
      continue;
    }
    password ??= randomBytes(9).toString('base64url');
    const user = await users.createAdmin(person.email, password, person.name);
    if (!person.roles.includes('ADMIN')) {
      await users.update(user.id, {
        roles: person.roles,
        communityIds: person.communityIds,
        fundIds: person.fundIds,
      });
    }
    ids.set(person.email, user.id);
    created.push(person);
  }
  if (created.length === 0) {
    out.write(
      `Demo accounts exist already (${people.map((p) => p.email).join(', ')}); reset one with create-admin.\n`,
    );
  } else {
    const community = await app.get(FoundationService).getCommunity(plannerCommunity);
    out.write(
      `Demo accounts (password for all: ${password}, shown once):\n` +
        created.map((p) => `  ${p.email.padEnd(32)} ${p.roles.join(', ')}`).join('\n') +
        `\n  (the leader looks after ${leaderFund.nameEn}; the planner works for ${community.nameEn}; ` +
        `the other planners applied for grants in their own communities)\n`,
    );
  }
  const id = (email: string) => ids.get(email)!;
  return {
    admin: id(DEMO_PEOPLE[0]!.email),
    finance: id('finance@demo.lianxin.test'),
    officer: id('grants@demo.lianxin.test'),
    leader: id('leader@demo.lianxin.test'),
    reviewer: id('reviewer@demo.lianxin.test'),
    applicants: [
      { userId: id('planner@demo.lianxin.test'), communityId: plannerCommunity },
      ...DEMO_APPLICANTS.map((p) => ({
        userId: id(p.email),
        communityId: communityByName.get(p.community)!,
      })),
    ],
  };
}
