import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { decodeCursor, encodeCursor } from '../../common/http/cursor';
import { TransactionService, type TransactionOptions } from '../../database/transaction.service';
import type { Community } from '../foundation/community.entity';
import { AuditService } from '../audit/audit.service';
import { FoundationService } from '../foundation/foundation.service';
import { LedgerService } from '../ledger/ledger.service';
import type { StatementPage, StatementQuery } from '../ledger/ledger.types';
import type { CreateFundDto, UpdateFundDto } from './dto/funds.dto';
import type { Fund } from './fund.entity';
import {
  canMoveMoney,
  nextFundStatus,
  type FundAction,
  type FundKind,
  type FundStatus,
} from './fund-status';
import {
  CommunityFundExistsError,
  DuplicateFundCodeError,
  FundClosedError,
  FundHasBalanceError,
  FundNotFoundError,
  GeneralFundExistsError,
  GeneralFundNotClosableError,
  InvalidFundError,
  InvalidFundTransitionError,
} from './funds.errors';
import { FundsRepository } from './funds.repository';
import { words } from '../../common/i18n/i18n';

/** Balance rows per fund account: spreads concurrent inflows (a hot campaign) over several rows. */
export const FUND_BALANCE_SLOTS = 4;

/**
 * The account holding a fund's money while a card dispute about one of its gifts is open: still
 * the foundation's, but not the fund's to grant or allocate until the dispute closes.
 */
export const heldAccountCode = (fundCode: string): string => `fund:${fundCode}:held`;

export interface FundView extends Fund {
  balanceMinor: number;
  /** Money of this fund's gifts held while card disputes are open (not in balanceMinor). */
  disputeHeldMinor: number;
  community: Pick<Community, 'id' | 'code' | 'nameZh' | 'nameEn' | 'subdistrictId'> | null;
}

export interface FundCoverage {
  communitiesTotal: number;
  communitiesWithActiveFund: number;
  communitiesWithPreparingFund: number;
  /** Communities with an active fund ÷ all communities, 0–1, four decimals. */
  coverage: number;
}

/** Funds: the "1+N" pots of money, their lifecycle and their balances (read from the ledger). */
@Injectable()
export class FundsService {
  /** Fund id → ledger account id: fixed when the fund is created, so safe to remember. */
  private readonly accountIds = new Map<string, string>();

  constructor(
    private readonly tx: TransactionService,
    private readonly repo: FundsRepository,
    private readonly foundation: FoundationService,
    private readonly ledger: LedgerService,
    private readonly audit: AuditService,
  ) {}

  create(dto: CreateFundDto, opts: TransactionOptions = {}): Promise<FundView> {
    return this.tx.run(async (m) => {
      await this.tx.lock(m, 'funds:create');
      const profile = await this.foundation.getProfile({ within: m });
      let community: Community | null = null;
      if (dto.kind === 'COMMUNITY') {
        community = await this.foundation.getCommunity(dto.communityId!, { within: m });
        const open = await this.repo.findOpenForCommunity(community.id, { within: m });
        if (open) {
          throw new CommunityFundExistsError(community.code, open.code);
        }
      } else if (dto.communityId) {
        throw new InvalidFundError(words('errors.funds.communityOnlyForCommunityFunds'));
      }
      if (dto.kind === 'GENERAL' && (await this.repo.findGeneral({ within: m }))) {
        throw new GeneralFundExistsError();
      }
      const code =
        dto.code ?? (await this.freeCode(m, defaultFundCode(dto.kind, community, dto.nameEn)));
      if (await this.repo.findByCode(code, { within: m })) {
        throw new DuplicateFundCodeError(code);
      }
      const account = await this.ledger.openAccount(
        {
          code: `fund:${code}`,
          name: dto.nameZh,
          type: 'FUND',
          currency: profile.currency,
          allowNegative: false,
          balanceSlots: FUND_BALANCE_SLOTS,
        },
        { within: m },
      );
      const fund = await this.repo.insert(m, {
        code,
        kind: dto.kind,
        status: 'PREPARING',
        nameZh: dto.nameZh,
        nameEn: dto.nameEn,
        description: dto.description ?? '',
        communityId: community?.id ?? null,
        accountId: account.id,
        currency: profile.currency,
      });
      const [created] = await this.view(m, [fund]);
      await this.audit.record(m, {
        action: 'fund.created',
        entityType: 'fund',
        entityId: fund.id,
        after: fund,
      });
      return created!;
    }, opts);
  }

  /** A fund with its balances: in the caller's transaction when given one, else autocommit. */
  async get(id: string, opts: TransactionOptions = {}): Promise<FundView> {
    return this.tx.read(async (m) => {
      const fund = await this.repo.find(id, { within: m });
      if (!fund) throw new FundNotFoundError(id);
      return (await this.view(m, [fund]))[0]!;
    }, opts);
  }

  /**
   * The ledger account behind a fund, without reading its balance: for hot paths (settling a gift)
   * that post to the fund and let the ledger's triggers guard it (a closed account refuses postings).
   */
  async accountIdOf(id: string, opts: TransactionOptions = {}): Promise<string> {
    const known = this.accountIds.get(id);
    if (known) return known;
    const fund = await this.repo.find(id, opts);
    if (!fund) throw new FundNotFoundError(id);
    this.accountIds.set(id, fund.accountId);
    return fund.accountId;
  }

  /** The fund's balance in one autocommit read (its account id is remembered): for public pages. */
  async balanceOf(id: string): Promise<number> {
    return this.ledger.balance(await this.accountIdOf(id));
  }

  /** The fund's held account (created on first use), for dispute holds. */
  async heldAccountIdOf(manager: EntityManager, id: string): Promise<string> {
    const fund = await this.repo.find(id, { within: manager });
    if (!fund) throw new FundNotFoundError(id);
    const account = await this.ledger.ensureAccount(
      {
        code: heldAccountCode(fund.code),
        name: `${fund.nameZh}（争议冻结）/ ${fund.nameEn} (held for disputes)`,
        type: 'FUND',
        currency: fund.currency.trim(),
        allowNegative: false,
        balanceSlots: 1,
      },
      { within: manager },
    );
    return account.id;
  }

  async findGeneral(opts: TransactionOptions = {}): Promise<Fund | null> {
    return this.repo.findGeneral(opts);
  }

  /** The funds whose ledger accounts have these codes (`fund:<code>`), keyed by account code. */
  async byAccountCode(accountCodes: Iterable<string>): Promise<Map<string, Fund>> {
    const codes = [...new Set(accountCodes)]
      .filter((c) => c.startsWith('fund:'))
      .map((c) => c.slice('fund:'.length));
    return new Map((await this.repo.findByCodes(codes)).map((f) => [`fund:${f.code}`, f]));
  }

  async findByCode(code: string, opts: TransactionOptions = {}): Promise<Fund | null> {
    return this.repo.findByCode(code, opts);
  }

  async list(query: {
    kind?: FundKind;
    status?: FundStatus;
    communityId?: string;
    limit: number;
    cursor?: string;
  }) {
    const afterCode = query.cursor
      ? decodeCursor<{ code: string }>(query.cursor, (c) => typeof c.code === 'string').code
      : undefined;
    return this.tx.read(async (m) => {
      const rows = await this.repo.list(
        { ...query, afterCode, limit: query.limit + 1 },
        { within: m },
      );
      const page = rows.slice(0, query.limit);
      return {
        items: await this.view(m, page),
        nextCursor: rows.length > query.limit ? encodeCursor({ code: page.at(-1)!.code }) : null,
      };
    });
  }

  update(id: string, dto: UpdateFundDto): Promise<FundView> {
    return this.tx.run(async (m) => {
      const [fund] = await this.repo.lock(m, [id], 'update');
      if (!fund) throw new FundNotFoundError(id);
      await this.repo.update(m, id, dto);
      const updated = await this.get(id, { within: m });
      await this.audit.record(m, {
        action: 'fund.updated',
        entityType: 'fund',
        entityId: id,
        before: fund,
        after: updated,
      });
      return updated;
    });
  }

  /**
   * The day a fund was really set up, when that was before its record here (a fund brought over
   * from paper books, the demo's history): offline gifts received since then may be recorded into
   * it (they may not predate the fund). Only ever moves the date earlier; audited.
   */
  recordSetUpDate(id: string, setUpAt: Date): Promise<FundView> {
    return this.tx.run(async (m) => {
      const [fund] = await this.repo.lock(m, [id], 'update');
      if (!fund) throw new FundNotFoundError(id);
      if (setUpAt.getTime() < fund.createdAt.getTime()) {
        await this.repo.update(m, id, { createdAt: setUpAt });
        await this.audit.record(m, {
          action: 'fund.updated',
          entityType: 'fund',
          entityId: id,
          before: { createdAt: fund.createdAt },
          after: { createdAt: setUpAt },
        });
      }
      return this.get(id, { within: m });
    });
  }

  activate(id: string): Promise<FundView> {
    return this.transition(id, 'activate');
  }

  /** Closing needs an empty fund: move what it holds elsewhere first. The GENERAL fund stays open. */
  close(id: string, opts: TransactionOptions = {}): Promise<FundView> {
    return this.transition(id, 'close', opts);
  }

  /** What closing would do now (the fund as closed), or its refusal; changes nothing. */
  previewClose(id: string): Promise<FundView> {
    return this.tx.dryRun((m) => this.close(id, { within: m }));
  }

  private transition(
    id: string,
    action: FundAction,
    opts: TransactionOptions = {},
  ): Promise<FundView> {
    return this.tx.run(async (m) => {
      const [fund] = await this.repo.lock(m, [id], 'update');
      if (!fund) throw new FundNotFoundError(id);
      const next = nextFundStatus(fund.status, action);
      if (!next) throw new InvalidFundTransitionError(fund.code, action);
      const now = new Date();
      if (next === 'CLOSED') {
        if (fund.kind === 'GENERAL') {
          throw new GeneralFundNotClosableError();
        }
        // Every balance slot locked: no posting can land between this check and the close.
        const balance = await this.ledger.lockedBalance(m, fund.accountId);
        if (balance !== 0) {
          throw new FundHasBalanceError(fund.code, {
            amountMinor: balance,
            currency: fund.currency.trim(),
          });
        }
        await this.ledger.closeAccount(fund.accountId, { within: m });
        await this.repo.update(m, id, { status: next, closedAt: now });
      } else {
        await this.repo.update(m, id, { status: next, activatedAt: now });
      }
      await this.audit.record(m, {
        action: next === 'CLOSED' ? 'fund.closed' : 'fund.activated',
        entityType: 'fund',
        entityId: id,
        before: { status: fund.status },
        after: { status: next },
      });
      return this.get(id, { within: m });
    }, opts);
  }

  /**
   * Locks funds for a movement of money (FOR SHARE, in id order) and checks they may take or give
   * money. Lifecycle changes take FOR UPDATE, so a fund cannot close under a running transfer.
   */
  async lockForMovement(
    manager: EntityManager,
    ids: readonly string[],
  ): Promise<Map<string, Fund>> {
    const funds = await this.repo.lock(manager, ids, 'share');
    const byId = new Map(funds.map((f) => [f.id, f]));
    for (const id of ids) {
      const fund = byId.get(id);
      if (!fund) throw new FundNotFoundError(id);
      if (!canMoveMoney(fund.status)) throw new FundClosedError(fund.code);
    }
    return byId;
  }

  /** Active community funds, locked for a movement (the yearly allocation). */
  async activeCommunityFunds(manager: EntityManager): Promise<Fund[]> {
    const funds = await this.repo.list(
      { kind: 'COMMUNITY', status: 'ACTIVE', limit: 100_000 },
      { within: manager },
    );
    const locked = await this.lockForMovement(
      manager,
      funds.map((f) => f.id),
    );
    return funds.filter((f) => locked.get(f.id)?.status === 'ACTIVE');
  }

  /** Every fund (any status) of these communities: a community leader's view. */
  fundIdsInCommunities(
    communityIds: readonly string[],
    opts: TransactionOptions = {},
  ): Promise<string[]> {
    return this.repo.idsInCommunities(communityIds, opts);
  }

  /**
   * Two counts read in autocommit (the home page shows them): a community or fund added between
   * the two statements moves the figures by one for that one answer, which the next one corrects.
   */
  async coverage(): Promise<FundCoverage> {
    const [total, { communitiesWithActiveFund, preparing }] = await Promise.all([
      this.foundation.countCommunities(),
      this.repo.coverage(),
    ]);
    return {
      communitiesTotal: total,
      communitiesWithActiveFund,
      communitiesWithPreparingFund: preparing,
      coverage: total === 0 ? 0 : Math.round((communitiesWithActiveFund / total) * 10_000) / 10_000,
    };
  }

  async statement(id: string, query: StatementQuery): Promise<StatementPage & { fundId: string }> {
    const fund = await this.repo.find(id);
    if (!fund) throw new FundNotFoundError(id);
    return { fundId: fund.id, ...(await this.ledger.statement(fund.accountId, query)) };
  }

  /** The default code, or with -2, -3… when a closed fund already holds it. */
  private async freeCode(m: EntityManager, base: string): Promise<string> {
    for (let n = 1; ; n++) {
      const code = n === 1 ? base : `${base.slice(0, 36)}-${n}`;
      if (!(await this.repo.findByCode(code, { within: m }))) return code;
    }
  }

  private async view(m: EntityManager, funds: Fund[]): Promise<FundView[]> {
    const balances = await this.ledger.balances(
      funds.map((f) => f.accountId),
      { within: m },
    );
    const held = await this.ledger.balancesByCode(
      funds.map((f) => heldAccountCode(f.code)),
      { within: m },
    );
    const communityIds = funds.map((f) => f.communityId).filter((id): id is string => id !== null);
    const communities = new Map(
      (await this.foundation.findCommunities([...new Set(communityIds)], { within: m })).map(
        (c) => [c.id, c],
      ),
    );
    return funds.map((f) => {
      const c = f.communityId ? communities.get(f.communityId) : undefined;
      return {
        ...f,
        balanceMinor: balances.get(f.accountId) ?? 0,
        disputeHeldMinor: held.get(heldAccountCode(f.code)) ?? 0,
        community: c
          ? {
              id: c.id,
              code: c.code,
              nameZh: c.nameZh,
              nameEn: c.nameEn,
              subdistrictId: c.subdistrictId,
            }
          : null,
      };
    });
  }
}

function defaultFundCode(kind: FundKind, community: Community | null, nameEn: string): string {
  if (kind === 'GENERAL') return 'GENERAL';
  if (community) return `C-${community.code}`.slice(0, 40);
  const slug = nameEn
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 30);
  return `${kind.slice(0, 4)}-${slug || 'FUND'}`;
}
