import { DataSource } from 'typeorm';
import {
  createFoundation,
  createFund,
  externalAccount,
  fundFromOutside,
} from '../factories/foundation.factory';
import { createTestApp, type TestApp } from '../utils/test-app';

/** The ledger's invariants hold in the database itself, whatever SQL reaches it. */
describe('ledger invariants enforced by PostgreSQL', () => {
  let t: TestApp;
  let db: DataSource;
  let fundAccount: string;
  let outside: string;

  beforeAll(async () => {
    t = await createTestApp();
    db = t.dataSource;
    await createFoundation(t);
    const fund = await createFund(t);
    await fundFromOutside(t, fund, 10_000);
    fundAccount = fund.accountId;
    outside = (await externalAccount(t)).id;
  });
  afterAll(() => t.close());

  const sqlState = async (fn: (q: DataSource['query']) => Promise<unknown>) => {
    try {
      await db.transaction((m) => fn(m.query.bind(m)));
      return 'committed';
    } catch (error) {
      return (error as { code?: string }).code;
    }
  };

  const newEntry = (q: DataSource['query'], key: string) =>
    q(
      `INSERT INTO journal_entries (idempotency_key, kind, currency, fingerprint) VALUES ($1, 'TEST', 'CNY', 'x') RETURNING id`,
      [key],
    ).then((rows: { id: string }[]) => rows[0]!.id);

  const postingCount = async () =>
    Number((await db.query('SELECT count(*) AS n FROM postings'))[0].n);

  it('rejects an unbalanced entry at commit and keeps none of it', async () => {
    const before = await postingCount();
    const state = await sqlState(async (q) => {
      const id = await newEntry(q, 'unbalanced-1');
      await q(
        `INSERT INTO postings (entry_id, account_id, amount_minor) VALUES ($1, $2, -100), ($1, $3, 99)`,
        [id, outside, fundAccount],
      );
    });
    expect(state).toBe('LX003');
    expect(await postingCount()).toBe(before);
    expect(
      await db.query(`SELECT 1 FROM journal_entries WHERE idempotency_key = 'unbalanced-1'`),
    ).toHaveLength(0);
  });

  it('rejects an entry with a single posting and an entry with none', async () => {
    expect(
      await sqlState(async (q) => {
        const id = await newEntry(q, 'single-1');
        await q(`INSERT INTO postings (entry_id, account_id, amount_minor) VALUES ($1, $2, 5)`, [
          id,
          fundAccount,
        ]);
      }),
    ).toBe('LX003');
    expect(await sqlState((q) => newEntry(q, 'empty-1'))).toBe('LX003');
  });

  it('accepts a balanced entry and updates the balance slots in the same transaction', async () => {
    const balance = async () =>
      Number(
        (
          await db.query(
            `SELECT sum(balance_minor) AS b FROM ledger_account_balances WHERE account_id = $1`,
            [fundAccount],
          )
        )[0].b,
      );
    const before = await balance();
    expect(
      await sqlState(async (q) => {
        const id = await newEntry(q, 'balanced-1');
        await q(
          `INSERT INTO postings (entry_id, account_id, amount_minor) VALUES ($1, $2, -250), ($1, $3, 250)`,
          [id, outside, fundAccount],
        );
      }),
    ).toBe('committed');
    expect(await balance()).toBe(before + 250);
  });

  it.each([
    ['UPDATE postings SET amount_minor = amount_minor + 1'],
    ['DELETE FROM postings'],
    ['TRUNCATE postings'],
    [`UPDATE journal_entries SET description = 'edited'`],
    ['DELETE FROM journal_entries'],
    ['TRUNCATE journal_entries CASCADE'],
    ['UPDATE ledger_account_balances SET balance_minor = 0'],
    ['DELETE FROM ledger_account_balances'],
    [
      `INSERT INTO ledger_account_balances (account_id, slot, balance_minor) SELECT id, 99, 1000 FROM ledger_accounts LIMIT 1`,
    ],
    ['DELETE FROM ledger_accounts'],
    [`UPDATE ledger_accounts SET allow_negative = true`],
  ])('refuses %s', async (sql) => {
    const before = await postingCount();
    expect(await sqlState((q) => q(sql))).toBe('LX002');
    expect(await postingCount()).toBe(before);
  });

  it('refuses postings added to an entry committed earlier', async () => {
    const [entry] = await db.query(`SELECT id FROM journal_entries LIMIT 1`);
    const state = await sqlState((q) =>
      q(
        `INSERT INTO postings (entry_id, account_id, amount_minor) VALUES ($1, $2, -1), ($1, $3, 1)`,
        [entry.id, outside, fundAccount],
      ),
    );
    expect(state).toBe('LX002');
  });

  it('refuses an outflow that would take a fund below zero, even in raw SQL', async () => {
    const state = await sqlState(async (q) => {
      const id = await newEntry(q, 'overdraw-1');
      await q(
        `INSERT INTO postings (entry_id, account_id, amount_minor) VALUES ($1, $2, -100000000), ($1, $3, 100000000)`,
        [id, fundAccount, outside],
      );
    });
    expect(state).toBe('LX001');
  });

  it('refuses a duplicate idempotency key and a zero amount', async () => {
    const [entry] = await db.query(`SELECT idempotency_key AS k FROM journal_entries LIMIT 1`);
    expect(await sqlState((q) => newEntry(q, entry.k))).toBe('23505');
    expect(
      await sqlState(async (q) => {
        const id = await newEntry(q, 'zero-1');
        await q(
          `INSERT INTO postings (entry_id, account_id, amount_minor) VALUES ($1, $2, 0), ($1, $3, 0)`,
          [id, outside, fundAccount],
        );
      }),
    ).toBe('23514');
  });
});
