import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { CurrencyMismatchError } from '../../common/errors';
import { TransactionService, type TransactionOptions } from '../../database/transaction.service';
import type { Fund } from '../funds/fund.entity';
import { AuditService } from '../audit/audit.service';
import { FundOutflowService } from '../funds/fund-outflow.service';
import { FundsService } from '../funds/funds.service';
import { transferPostings } from '../ledger/journal';
import { IdempotencyKeyReusedError, InsufficientFundBalanceError } from '../ledger/ledger.errors';
import { LedgerService } from '../ledger/ledger.service';
import type { JournalEntry } from '../ledger/ledger.types';
import type { CreateAllocationDto, YearlyAllocationDto } from './dto/allocations.dto';
import {
  MovementRefusedError,
  NoActiveCommunityFundsError,
  NoGeneralFundError,
  SameFundError,
  YearlyAllocationChangedError,
} from './allocations.errors';
import { checkMovement } from './movement-rules';
import { words } from '../../common/i18n/i18n';

export interface AllocationResult {
  entry: JournalEntry;
  replayed: boolean;
}

export interface YearlyAllocationResult {
  year: number;
  amountMinor: number;
  currency: string;
  sourceFundId: string;
  allocated: { fundId: string; code: string; entryId: string }[];
  alreadyAllocated: { fundId: string; code: string; entryId: string }[];
  movedMinor: number;
}

/** Refuses an allocation the movement rules do not allow (restricted money, matching pools). */
function assertAllocation(
  from: Pick<Fund, 'kind' | 'code'>,
  to: Pick<Fund, 'kind' | 'code'>,
): void {
  const verdict = checkMovement(from, to, 'ALLOCATION');
  if (!verdict.allowed) throw new MovementRefusedError(verdict);
}

/**
 * Allocations (拨付): money moved between funds, singly or as the yearly allocation, as the
 * movement rules allow (movement-rules.ts); restricted money moves by a release instead.
 */
@Injectable()
export class AllocationsService {
  constructor(
    private readonly tx: TransactionService,
    private readonly funds: FundsService,
    private readonly outflow: FundOutflowService,
    private readonly ledger: LedgerService,
    private readonly audit: AuditService,
  ) {}

  transfer(dto: CreateAllocationDto, opts: TransactionOptions = {}): Promise<AllocationResult> {
    if (dto.fromFundId === dto.toFundId) {
      throw new SameFundError();
    }
    return this.tx.run(async (m) => {
      const source = await this.outflow.lockOutflow(m, dto.fromFundId);
      const locked = await this.funds.lockForMovement(m, [dto.fromFundId, dto.toFundId]);
      const from = locked.get(dto.fromFundId)!;
      const to = locked.get(dto.toFundId)!;
      assertAllocation(from, to);
      if (from.currency !== to.currency) {
        throw new CurrencyMismatchError(
          words('errors.allocations.currencies', {
            from: from.code,
            fromCurrency: from.currency,
            to: to.code,
            toCurrency: to.currency,
          }),
        );
      }
      // Client keys have their own namespace so they can never collide with system keys.
      const idempotencyKey = `allocation:request:${dto.idempotencyKey ?? randomUUID()}`;
      // A replay answers with the first entry whatever the fund holds now.
      if (!(await this.ledger.findEntryByKey(idempotencyKey, { within: m }))) {
        this.outflow.assertAvailable(source, dto.amountMinor);
      }
      const result = await this.postTransfer(m, from, to, dto.amountMinor, {
        idempotencyKey,
        description: dto.description ?? `${from.nameZh} → ${to.nameZh}`,
      });
      if (!result.replayed) {
        await this.audit.record(m, {
          action: 'allocation.created',
          entityType: 'journal_entry',
          entityId: result.entry.id,
          after: {
            fromFundId: from.id,
            toFundId: to.id,
            amountMinor: dto.amountMinor,
            currency: from.currency,
          },
        });
      }
      return result;
    }, opts);
  }

  /**
   * Moves a fixed amount from the general fund to every ACTIVE community fund, once per fund per
   * year: running it again for the same year moves nothing for funds already allocated and
   * allocates funds activated since. All or nothing: if the source cannot cover every fund still
   * due, nothing moves.
   */
  yearly(dto: YearlyAllocationDto, opts: TransactionOptions = {}): Promise<YearlyAllocationResult> {
    return this.tx.run(async (m) => {
      const source = dto.sourceFundId
        ? await this.funds.get(dto.sourceFundId, { within: m })
        : await this.funds.findGeneral({ within: m });
      if (!source) {
        throw new NoGeneralFundError();
      }
      const targets = (await this.funds.activeCommunityFunds(m)).filter((f) => f.id !== source.id);
      if (targets.length === 0) {
        throw new NoActiveCommunityFundsError();
      }
      // Every target is a community fund: the rule is the same for all of them.
      assertAllocation(source, targets[0]!);
      const outflow = await this.outflow.lockOutflow(m, source.id);
      const keyOf = (f: Fund) => `allocation:yearly:${dto.year}:${f.id}`;
      const existing = await this.ledger.findEntriesByKeys(targets.map(keyOf), { within: m });
      const due: Fund[] = [];
      const alreadyAllocated: YearlyAllocationResult['alreadyAllocated'] = [];
      for (const fund of targets) {
        const entry = existing.get(keyOf(fund));
        if (!entry) {
          due.push(fund);
          continue;
        }
        const received = entry.postings.find((p) => p.accountId === fund.accountId)?.amountMinor;
        if (received !== dto.amountMinor) {
          throw new YearlyAllocationChangedError(dto.year, fund.code, {
            amountMinor: received ?? 0,
            currency: source.currency,
          });
        }
        alreadyAllocated.push({ fundId: fund.id, code: fund.code, entryId: entry.id });
      }
      const needed = due.length * dto.amountMinor;
      const available = outflow.availableMinor;
      if (needed > available) {
        throw new InsufficientFundBalanceError(
          words('errors.allocations.yearlyShort', {
            fund: source.code,
            available: { amountMinor: available, currency: source.currency },
            year: String(dto.year),
            needed: { amountMinor: needed, currency: source.currency },
            count: due.length,
          }),
          { fundId: source.id, balanceMinor: available, amountMinor: needed },
        );
      }
      const allocated: YearlyAllocationResult['allocated'] = [];
      for (const fund of due) {
        const { entry, replayed } = await this.postTransfer(m, source, fund, dto.amountMinor, {
          idempotencyKey: keyOf(fund),
          description: `${dto.year}年度社区基金拨付 / ${dto.year} yearly community fund allocation`,
          metadata: { year: dto.year },
        });
        // A concurrent run of the same year may have posted this fund's entry first.
        (replayed ? alreadyAllocated : allocated).push({
          fundId: fund.id,
          code: fund.code,
          entryId: entry.id,
        });
      }
      if (allocated.length > 0) {
        await this.audit.record(m, {
          action: 'allocation.yearly_run',
          entityType: 'allocation_year',
          entityId: String(dto.year),
          after: {
            sourceFundId: source.id,
            amountMinor: dto.amountMinor,
            fundIds: allocated.map((a) => a.fundId),
            movedMinor: allocated.length * dto.amountMinor,
          },
        });
      }
      return {
        year: dto.year,
        amountMinor: dto.amountMinor,
        currency: source.currency,
        sourceFundId: source.id,
        allocated,
        alreadyAllocated,
        movedMinor: allocated.length * dto.amountMinor,
      };
    }, opts);
  }

  /**
   * What a transfer would do now, for the confirmation page: the transfer itself, run and rolled
   * back, so the page shows exactly what confirming does, and refuses what it would refuse.
   */
  previewTransfer(dto: CreateAllocationDto): Promise<AllocationResult> {
    return this.tx.dryRun((m) => this.transfer(dto, { within: m }));
  }

  /** What the yearly allocation would do now (funds due, already allocated), rolled back. */
  previewYearly(dto: YearlyAllocationDto): Promise<YearlyAllocationResult> {
    return this.tx.dryRun((m) => this.yearly(dto, { within: m }));
  }

  private async postTransfer(
    m: EntityManager,
    from: Fund,
    to: Fund,
    amountMinor: number,
    entry: { idempotencyKey: string; description: string; metadata?: Record<string, unknown> },
  ): Promise<AllocationResult> {
    try {
      return await this.ledger.post(
        {
          idempotencyKey: entry.idempotencyKey,
          kind: 'ALLOCATION',
          description: entry.description,
          currency: from.currency,
          postings: transferPostings(from.accountId, to.accountId, amountMinor),
          metadata: { fromFundId: from.id, toFundId: to.id, ...entry.metadata },
        },
        { within: m },
      );
    } catch (error) {
      if (error instanceof InsufficientFundBalanceError) {
        const balance = Number(error.details?.balanceMinor ?? 0);
        throw new InsufficientFundBalanceError(
          words('errors.allocations.fundShort', {
            fund: from.code,
            balance: { amountMinor: balance, currency: from.currency },
            amount: { amountMinor, currency: from.currency },
          }),
          { fundId: from.id, balanceMinor: balance, amountMinor },
        );
      }
      if (error instanceof IdempotencyKeyReusedError) {
        throw new IdempotencyKeyReusedError(
          entry.idempotencyKey.replace(/^allocation:(request:)?/, ''),
        );
      }
      throw error;
    }
  }
}
