import { Client } from 'pg';
import { FundsService } from '../../src/modules/funds/funds.service';
import { createFoundation, createFund, externalAccount } from '../factories/foundation.factory';
import { createTestApp, type TestApp } from '../utils/test-app';
import { waitForLockWaiter } from '../utils/wait';

/**
 * Closing a fund races with money arriving by any path (here raw SQL, as a manual entry or a
 * reversal would post). Either the close sees the money and refuses, or the posting sees the close
 * and fails: never a closed fund holding money.
 */
describe('closing a fund while money arrives', () => {
  let t: TestApp;
  let outside: string;
  beforeAll(async () => {
    t = await createTestApp();
    await createFoundation(t);
    outside = (await externalAccount(t)).id;
  });
  afterAll(() => t.close());

  async function session(): Promise<Client> {
    const client = new Client({ connectionString: process.env.DATABASE_URL });
    await client.connect();
    return client;
  }

  async function backendPid(client: Client): Promise<number> {
    const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    return rows[0]!.pid;
  }

  async function beginInflow(client: Client, fundAccountId: string, key: string): Promise<void> {
    await client.query('BEGIN');
    const { rows } = await client.query<{ id: string }>(
      `INSERT INTO journal_entries (idempotency_key, kind, currency, fingerprint) VALUES ($1, 'TEST', 'CNY', 'x') RETURNING id`,
      [key],
    );
    await client.query(
      `INSERT INTO postings (entry_id, account_id, amount_minor) VALUES ($1, $2, -500), ($1, $3, 500)`,
      [rows[0]!.id, outside, fundAccountId],
    );
  }

  it('refuses the close when a posting committed first, after waiting for it', async () => {
    const fund = await createFund(t);
    const poster = await session();
    try {
      await beginInflow(poster, fund.accountId, 'race-close-1');
      const closing = t.get(FundsService).close(fund.id);
      // Catch it now, so a rejection while we wait is not reported as unhandled.
      const closed = closing.then(
        () => 'closed',
        (error: unknown) => error,
      );
      await waitForLockWaiter(
        t.dataSource,
        await backendPid(poster),
        'the close to wait on the slot lock',
      );
      await poster.query('COMMIT');
      expect(await closed).toMatchObject({ code: 'FUND_HAS_BALANCE' });
      expect(await t.get(FundsService).get(fund.id)).toMatchObject({
        status: 'ACTIVE',
        balanceMinor: 500,
      });
    } finally {
      await poster.end();
    }
  });

  it('fails the posting when the close committed first, after waiting for it', async () => {
    const fund = await createFund(t);
    const closer = await session();
    const poster = await session();
    try {
      await closer.query('BEGIN');
      await closer.query(
        `SELECT 1 FROM ledger_account_balances WHERE account_id = $1 ORDER BY slot FOR UPDATE`,
        [fund.accountId],
      );
      await closer.query(`UPDATE ledger_accounts SET closed_at = now() WHERE id = $1`, [
        fund.accountId,
      ]);
      const posting = beginInflow(poster, fund.accountId, 'race-close-2').then(
        () => 'posted',
        (error: { code?: string }) => error.code,
      );
      await waitForLockWaiter(
        t.dataSource,
        await backendPid(closer),
        'the posting to wait on its slot',
      );
      await closer.query('COMMIT');
      expect(await posting).toBe('LX005');
      await poster.query('ROLLBACK');
      const [{ balance }] = await t.dataSource.query(
        `SELECT sum(balance_minor)::int AS balance FROM ledger_account_balances WHERE account_id = $1`,
        [fund.accountId],
      );
      expect(balance).toBe(0);
    } finally {
      await closer.end();
      await poster.end();
    }
  });
});
