import { Injectable } from '@nestjs/common';
import { RequestContext } from '../../common/context/request-context';
import type { Role } from '../../common/auth/roles';
import { CurrencyMismatchError, ForbiddenError } from '../../common/errors';
import { TransactionService } from '../../database/transaction.service';
import { AuditService } from '../audit/audit.service';
import type { Fund } from '../funds/fund.entity';
import { FundOutflowService } from '../funds/fund-outflow.service';
import { FundsService } from '../funds/funds.service';
import { transferPostings } from '../ledger/journal';
import { InsufficientFundBalanceError } from '../ledger/ledger.errors';
import { LedgerService } from '../ledger/ledger.service';
import type { JournalEntry } from '../ledger/ledger.types';
import type { RequestReleaseDto } from './dto/releases.dto';
import {
  ApprovalRefusedError,
  MovementRefusedError,
  ReleaseNotFoundError,
  ReleaseNotPendingError,
  ReleaseRequestKeyReusedError,
  SameFundError,
} from './allocations.errors';
import { checkMovement } from './movement-rules';
import {
  checkApproval,
  nextReleaseStatus,
  RELEASE_ROLES,
  type ReleaseStatus,
} from './release-rules';
import { type Release, type ReleaseListItem, ReleasesRepository } from './releases.repository';
import { words } from '../../common/i18n/i18n';

export interface ReleaseRequestResult {
  release: ReleaseListItem;
  /** True when the same request key was sent before: nothing new was recorded. */
  replayed: boolean;
}

export interface ReleaseApprovalResult {
  release: ReleaseListItem;
  entry: JournalEntry;
}

type Person = { userId: string; roles: readonly Role[] };

/** The signed-in person acting; releases are decided by people, never by the system. */
function currentPerson(): Person {
  const actor = RequestContext.current()?.actor;
  if (actor?.kind !== 'user') throw new ForbiddenError(words('errors.allocations.releasesByStaff'));
  return { userId: actor.userId, roles: actor.roles };
}

const isReleaseRole = (r: Role): boolean => (RELEASE_ROLES as readonly Role[]).includes(r);

/**
 * Releases (解除限定): restricted money moved out of a community or program fund by two people.
 * One ADMIN or FINANCE user asks, with a reason; a second person of the other role approves, and
 * the approval posts the ledger entry `release:<id>` in the same transaction (funds locked, a fund
 * that lacks the money refuses cleanly and the release stays pending); or anyone of the two roles
 * rejects it and nothing moves. Each step is in the audit log.
 */
@Injectable()
export class ReleasesService {
  constructor(
    private readonly tx: TransactionService,
    private readonly repo: ReleasesRepository,
    private readonly funds: FundsService,
    private readonly outflow: FundOutflowService,
    private readonly ledger: LedgerService,
    private readonly audit: AuditService,
  ) {}

  request(dto: RequestReleaseDto): Promise<ReleaseRequestResult> {
    const person = currentPerson();
    if (dto.fromFundId === dto.toFundId) {
      throw new SameFundError();
    }
    return this.tx.run(async (m) => {
      const source = await this.outflow.lockOutflow(m, dto.fromFundId);
      const locked = await this.funds.lockForMovement(m, [dto.fromFundId, dto.toFundId]);
      const from = locked.get(dto.fromFundId)!;
      const to = locked.get(dto.toFundId)!;
      this.assertReleasable(from, to);
      this.outflow.assertAvailable(source, dto.amountMinor);
      const requestKey = dto.idempotencyKey ?? null;
      const inserted = await this.repo.insert(m, {
        fromFundId: from.id,
        toFundId: to.id,
        amountMinor: dto.amountMinor,
        currency: from.currency.trim(),
        reason: dto.reason,
        requestKey,
        requestedBy: person.userId,
        requesterRoles: person.roles.filter(isReleaseRole),
      });
      if (!inserted) {
        const first = (await this.repo.findByRequestKey(m, requestKey!))!;
        const same =
          first.fromFundId === from.id &&
          first.toFundId === to.id &&
          first.amountMinor === dto.amountMinor &&
          first.requestedBy === person.userId;
        if (!same) {
          throw new ReleaseRequestKeyReusedError(requestKey!);
        }
        return { release: (await this.repo.get(first.id, { within: m }))!, replayed: true };
      }
      await this.audit.record(m, {
        action: 'release.requested',
        entityType: 'fund_release',
        entityId: inserted.id,
        after: {
          fromFundId: from.id,
          toFundId: to.id,
          amountMinor: dto.amountMinor,
          currency: inserted.currency,
          reason: dto.reason,
          requesterRoles: inserted.requesterRoles,
        },
      });
      return { release: (await this.repo.get(inserted.id, { within: m }))!, replayed: false };
    });
  }

  /**
   * Approves and posts a pending release. The release row is locked first, so of two approvals at
   * once the second waits and then finds it POSTED; the entry's key `release:<id>` makes a post
   * happen once whatever else goes wrong.
   */
  approve(id: string): Promise<ReleaseApprovalResult> {
    const person = currentPerson();
    return this.tx.run(async (m) => {
      const release = await this.lockPending(m, id, 'approve');
      const verdict = checkApproval(
        { userId: release.requestedBy, roles: release.requesterRoles },
        person,
      );
      if (!verdict.allowed) throw new ApprovalRefusedError(verdict);
      const source = await this.outflow.lockOutflow(m, release.fromFundId);
      const locked = await this.funds.lockForMovement(m, [release.fromFundId, release.toFundId]);
      const from = locked.get(release.fromFundId)!;
      const to = locked.get(release.toFundId)!;
      this.assertReleasable(from, to);
      this.outflow.assertAvailable(source, release.amountMinor);
      let entry: JournalEntry;
      try {
        ({ entry } = await this.ledger.post(
          {
            idempotencyKey: `release:${release.id}`,
            kind: 'RELEASE',
            description: `解除限定 / Release: ${from.code} → ${to.code}`.slice(0, 500),
            currency: release.currency,
            postings: transferPostings(from.accountId, to.accountId, release.amountMinor),
            metadata: { releaseId: release.id, fromFundId: from.id, toFundId: to.id },
          },
          { within: m },
        ));
      } catch (error) {
        if (error instanceof InsufficientFundBalanceError) {
          throw this.insufficient(
            from,
            Number(error.details?.balanceMinor ?? 0),
            release.amountMinor,
          );
        }
        throw error;
      }
      await this.repo.decide(m, release.id, {
        status: 'POSTED',
        decidedBy: person.userId,
        note: '',
        entryId: entry.id,
      });
      await this.audit.record(m, {
        action: 'release.approved',
        entityType: 'fund_release',
        entityId: release.id,
        before: { status: release.status },
        after: { status: 'POSTED', entryId: entry.id, amountMinor: release.amountMinor },
      });
      return { release: (await this.repo.get(release.id, { within: m }))!, entry };
    });
  }

  /** Rejects a pending release (its requester may withdraw it): nothing moves. */
  reject(id: string, note = ''): Promise<ReleaseListItem> {
    const person = currentPerson();
    if (!person.roles.some(isReleaseRole))
      throw new ForbiddenError(words('errors.allocations.releaseDeciders'));
    return this.tx.run(async (m) => {
      const release = await this.lockPending(m, id, 'reject');
      await this.repo.decide(m, release.id, {
        status: 'REJECTED',
        decidedBy: person.userId,
        note,
        entryId: null,
      });
      await this.audit.record(m, {
        action: 'release.rejected',
        entityType: 'fund_release',
        entityId: release.id,
        before: { status: release.status },
        after: { status: 'REJECTED', note },
      });
      return (await this.repo.get(release.id, { within: m }))!;
    });
  }

  async get(id: string): Promise<ReleaseListItem> {
    const release = await this.repo.get(id);
    if (!release) throw new ReleaseNotFoundError(id);
    return release;
  }

  list(filter: { status?: ReleaseStatus; limit?: number } = {}): Promise<ReleaseListItem[]> {
    return this.repo.list({ status: filter.status, limit: filter.limit ?? 100 });
  }

  private async lockPending(
    m: Parameters<ReleasesRepository['lock']>[0],
    id: string,
    action: 'approve' | 'reject',
  ): Promise<Release> {
    const release = await this.repo.lock(m, id);
    if (!release) throw new ReleaseNotFoundError(id);
    if (!nextReleaseStatus(release.status, action)) {
      throw new ReleaseNotPendingError(action);
    }
    return release;
  }

  private assertReleasable(from: Fund, to: Fund): void {
    const verdict = checkMovement(from, to, 'RELEASE');
    if (!verdict.allowed) throw new MovementRefusedError(verdict);
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
  }

  private insufficient(from: Fund, balance: number, amount: number): InsufficientFundBalanceError {
    return new InsufficientFundBalanceError(
      words('errors.grants.fundReleaseShort', {
        fund: from.code,
        balance: { amountMinor: balance, currency: from.currency.trim() },
        amount: { amountMinor: amount, currency: from.currency.trim() },
      }),
      { fundId: from.id, balanceMinor: balance, amountMinor: amount },
    );
  }
}
