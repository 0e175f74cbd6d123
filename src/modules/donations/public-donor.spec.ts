import { Client } from 'pg';
import { donorPublicSql, isDonorPublic, publicDonor } from './public-donor';

const gifts = [
  { provider: 'STRIPE', anonymous: false, named: true },
  { provider: 'SANDBOX', anonymous: false, named: true },
  { provider: 'STRIPE', anonymous: true, named: false },
  { provider: 'SANDBOX', anonymous: true, named: false },
  { provider: 'OFFLINE', anonymous: false, named: false },
  { provider: 'OFFLINE', anonymous: true, named: false },
];

describe('the public donor rule', () => {
  it.each(gifts)('$provider, anonymous $anonymous: named $named', (gift) => {
    expect(isDonorPublic(gift)).toBe(gift.named);
    const shown = publicDonor({ ...gift, donorName: 'Li', message: 'hi', dedication: 'Mum' });
    expect(shown).toEqual(
      gift.named
        ? { name: 'Li', message: 'hi', dedication: 'Mum' }
        : { name: null, message: '', dedication: '' },
    );
  });

  it('says the same in SQL as in TypeScript, on real PostgreSQL', async () => {
    // Any database on the server: the expression is evaluated over literal rows.
    const db = new Client({
      connectionString:
        process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    });
    await db.connect();
    try {
      const values = gifts.map((_, i) => `($${2 * i + 1}::text, $${2 * i + 2}::boolean, ${i})`);
      const { rows } = await db.query<{ i: number; named: boolean }>(
        `SELECT i, ${donorPublicSql('d')} AS named
         FROM (VALUES ${values.join(', ')}) AS d(provider, anonymous, i) ORDER BY i`,
        gifts.flatMap((g) => [g.provider, g.anonymous]),
      );
      expect(rows.map((r) => r.named)).toEqual(gifts.map((g) => isDonorPublic(g)));
      expect(rows.map((r) => r.named)).toEqual(gifts.map((g) => g.named));
    } finally {
      await db.end();
    }
  });

  it('takes only a plain alias into its SQL', () => {
    expect(() => donorPublicSql('d; DROP TABLE donations')).toThrow('not a SQL alias');
  });
});
