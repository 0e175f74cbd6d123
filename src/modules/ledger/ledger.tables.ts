import { col, defineTable } from '../../database/table-map';
import type { AccountType } from './ledger.types';

/**
 * The ledger's tables, mapped once for the raw SQL of the ledger repositories (the posting path is
 * one statement per entry, so there are no entities): SELECT lists, typed rows, and a schema test
 * over every column named here.
 */
export const LEDGER_ACCOUNTS = defineTable('ledger_accounts', {
  id: col.uuid('id'),
  code: col.text('code'),
  name: col.text('name'),
  type: col.text<AccountType>('type'),
  currency: col.char('currency'),
  allowNegative: col.bool('allow_negative'),
  balanceSlots: col.int('balance_slots'),
  closedAt: col.timestamptz.nullable('closed_at'),
  createdAt: col.timestamptz('created_at'),
});

/** Balance slots: an account's balance is the sum of its few rows. */
export const LEDGER_ACCOUNT_BALANCES = defineTable('ledger_account_balances', {
  accountId: col.uuid('account_id'),
  slot: col.int('slot'),
  balanceMinor: col.bigint('balance_minor'),
});

export const JOURNAL_ENTRIES = defineTable('journal_entries', {
  id: col.uuid('id'),
  idempotencyKey: col.text('idempotency_key'),
  kind: col.text('kind'),
  description: col.text('description'),
  currency: col.char('currency'),
  fingerprint: col.text('fingerprint'),
  reversesEntryId: col.uuid.nullable('reverses_entry_id'),
  metadata: col.jsonb('metadata'),
  createdTxid: col.bigint('created_txid'),
  postedAt: col.timestamptz('posted_at'),
  occurredAt: col.timestamptz.nullable('occurred_at'),
});

export const POSTINGS = defineTable('postings', {
  id: col.bigint('id'),
  entryId: col.uuid('entry_id'),
  accountId: col.uuid('account_id'),
  amountMinor: col.bigint('amount_minor'),
  postedAt: col.timestamptz('posted_at'),
});
