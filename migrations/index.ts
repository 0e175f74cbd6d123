import { FoundationFundsLedger1764180000000 } from './1764180000000-foundation-funds-ledger';

/** Every migration in order. Listed explicitly so the app, CLI and tests run the same set. */
export const MIGRATIONS = [FoundationFundsLedger1764180000000];
