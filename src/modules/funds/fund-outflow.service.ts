import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Money } from '../../common/money';
import type { TransactionOptions } from '../../database/transaction.service';
import { LedgerService } from '../ledger/ledger.service';
import type { Fund } from './fund.entity';
import {
  FundAvailableBalanceError,
  FundReservationExceededError,
  FundReservationExistsError,
} from './funds.errors';
import { type FundReservation, FundReservationsRepository } from './fund-reservations.repository';
import { FundsService } from './funds.service';

/** A fund's money as the one spending it sees it, read under the fund's outflow lock. */
export interface FundOutflowState {
  fund: Fund;
  balanceMinor: number;
  /** Held back by open reservations (a round's budget not yet paid). */
  reservedMinor: number;
  /** balance − reserved, never below zero: what an expense, a transfer or a new round may take. */
  availableMinor: number;
}

/**
 * Money leaving a fund by people's decisions (transfers, releases, grant rounds, tranches,
 * expenses) goes through here, so "available" means one thing: the ledger balance less open
 * reservations. `lockOutflow` takes a transaction-scoped advisory lock per fund, so two payouts
 * from one fund check and post one after the other; gifts coming in do not take it and never wait.
 * The ledger still refuses any posting that would take a fund account below zero.
 */
@Injectable()
export class FundOutflowService {
  constructor(
    private readonly funds: FundsService,
    private readonly reservations: FundReservationsRepository,
    private readonly ledger: LedgerService,
  ) {}

  /**
   * Locks the fund for movement (it must be open) and serialises outflows from it, then reads its
   * balance and reservations. Must run inside the caller's transaction, before the check and the
   * posting it guards.
   */
  async lockOutflow(manager: EntityManager, fundId: string): Promise<FundOutflowState> {
    await manager.query(
      `SELECT pg_advisory_xact_lock(hashtextextended('fund-outflow:' || $1, 0))`,
      [fundId],
    );
    const fund = (await this.funds.lockForMovement(manager, [fundId])).get(fundId)!;
    return this.state(manager, fund);
  }

  /** Refuses `amountMinor` beyond what the locked fund has available. */
  assertAvailable(state: FundOutflowState, amountMinor: number): void {
    if (amountMinor <= state.availableMinor) return;
    const currency = state.fund.currency.trim();
    const money = (amountMinor: number): Money => ({ amountMinor, currency });
    throw new FundAvailableBalanceError(
      state.fund.code,
      {
        balance: money(state.balanceMinor),
        reserved: money(state.reservedMinor),
        available: money(state.availableMinor),
        asked: money(amountMinor),
      },
      {
        fundId: state.fund.id,
        balanceMinor: state.balanceMinor,
        reservedMinor: state.reservedMinor,
        amountMinor,
      },
    );
  }

  /**
   * Sets `amountMinor` of the fund aside for `source` (e.g. `round:<id>`) after checking it is
   * available. Call after `lockOutflow` in the same transaction.
   */
  async reserve(
    manager: EntityManager,
    state: FundOutflowState,
    source: string,
    amountMinor: number,
    description: string,
  ): Promise<FundReservation> {
    this.assertAvailable(state, amountMinor);
    const reservation = await this.reservations.insert(manager, {
      fundId: state.fund.id,
      source,
      description,
      reservedMinor: amountMinor,
    });
    if (!reservation) throw new FundReservationExistsError(source);
    return reservation;
  }

  /**
   * Pays `amountMinor` out of `source`'s reservation: it must be open with that much left, and the
   * fund must hold it without touching what its other reservations hold back (a second round's
   * budget is not this round's money, even when a refund has left the fund short). `state` is the
   * caller's `lockOutflow` of the reservation's fund, in the same transaction; the caller then posts
   * the ledger entry.
   */
  async draw(
    manager: EntityManager,
    state: FundOutflowState,
    source: string,
    amountMinor: number,
  ): Promise<void> {
    const reservation = await this.reservations.lock(manager, source);
    const remaining =
      reservation && !reservation.releasedAt
        ? reservation.reservedMinor - reservation.drawnMinor
        : 0;
    const currency = state.fund.currency.trim();
    if (!reservation || reservation.fundId !== state.fund.id || amountMinor > remaining) {
      throw new FundReservationExceededError(
        source,
        { amountMinor: remaining, currency },
        { amountMinor, currency },
      );
    }
    const heldForOthers = state.reservedMinor - remaining;
    this.assertAvailable(
      {
        ...state,
        reservedMinor: heldForOthers,
        availableMinor: Math.max(0, state.balanceMinor - heldForOthers),
      },
      amountMinor,
    );
    await this.reservations.addDrawn(manager, reservation.id, amountMinor);
  }

  /**
   * Shrinks `source`'s reservation to `reservedMinor` (never below what it has drawn), e.g. to the
   * total a round awarded once its awards are decided; the rest becomes available again.
   */
  async resize(manager: EntityManager, source: string, reservedMinor: number): Promise<void> {
    const reservation = await this.reservations.lock(manager, source);
    if (!reservation || reservation.releasedAt) return;
    const size = Math.max(
      reservation.drawnMinor,
      Math.min(reservedMinor, reservation.reservedMinor),
    );
    await this.reservations.resize(manager, reservation.id, size);
  }

  /** Gives back what `source` still holds back (a closed round's unspent budget). */
  async release(manager: EntityManager, source: string): Promise<void> {
    const reservation = await this.reservations.lock(manager, source);
    if (reservation) await this.reservations.release(manager, reservation.id);
  }

  findReservation(source: string, opts: TransactionOptions = {}): Promise<FundReservation | null> {
    return this.reservations.find(source, opts);
  }

  /** The fund's balance, reservations and available money, read without locking (for pages). */
  async available(fundId: string, opts: TransactionOptions = {}): Promise<FundOutflowState> {
    const fund = await this.funds.get(fundId, opts);
    return this.state(opts.within ?? null, fund);
  }

  /** Outstanding reservations per fund id, for lists and dashboards. */
  reservedByFund(opts: TransactionOptions = {}): Promise<Map<string, number>> {
    return this.reservations.outstandingByFund(opts);
  }

  private async state(manager: EntityManager | null, fund: Fund): Promise<FundOutflowState> {
    const within = manager ? { within: manager } : {};
    const balanceMinor = await this.ledger.balance(fund.accountId, within);
    const reservedMinor = await this.reservations.outstanding(fund.id, within);
    return {
      fund,
      balanceMinor,
      reservedMinor,
      availableMinor: Math.max(0, balanceMinor - reservedMinor),
    };
  }
}
