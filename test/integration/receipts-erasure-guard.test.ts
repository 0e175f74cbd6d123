import { createTestApp, type TestApp } from '../utils/test-app';

/**
 * The receipts guard's erasure exception for annual statements (migration 1765000004000): the
 * key names the donor's address, so erasing may rename it to the erased number, and only so.
 */
describe('the receipts guard: an annual statement of an erased donor', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  let seq = 0;
  async function annual(email: string, year = 2025): Promise<string> {
    seq += 1;
    const [row] = await t.dataSource.query(
      `INSERT INTO receipts (number, series, year, seq, kind, issue_key, donor_email, amount_minor,
                             currency, locale, verify_code, content)
       VALUES ($1, 'ANNUAL', $2, $3, 'ANNUAL', $4, $5, 100, 'CNY', 'zh-CN', 'ABCDEFGH', '{"donor":{}}')
       RETURNING id`,
      [`G-A-${year}-${String(seq).padStart(6, '0')}`, year, seq, `annual:${year}:${email}`, email],
    );
    return row.id as string;
  }
  async function erasedNo(): Promise<number> {
    const [row] = await t.dataSource.query(
      `INSERT INTO erased_people (kind, reason) VALUES ('DONOR', 'REQUEST') RETURNING no`,
    );
    return row.no as number;
  }
  const attempt = async (sql: string, params: unknown[]) => {
    try {
      await t.dataSource.query(sql, params);
      return 'allowed';
    } catch (error) {
      return String((error as Error).message);
    }
  };
  const erase = (id: string, no: number, key: string) =>
    attempt(
      `UPDATE receipts SET donor_email = '', content = '{"donor":{"name":"x"}}', donor_erased_no = $2,
              issue_key = $3 WHERE id = $1`,
      [id, no, key],
    );

  it('renames the key to the erased number while erasing, and to nothing else', async () => {
    const id = await annual('guard-a@example.org');
    const no = await erasedNo();
    expect(
      await attempt(
        `UPDATE receipts SET issue_key = 'annual:2025:other@example.org' WHERE id = $1`,
        [id],
      ),
    ).toMatch(/cannot change/);
    expect(await erase(id, no, 'annual:2025:other@example.org')).toMatch(/cannot change/);
    expect(await erase(id, no, `annual:2024:erased:${no}`)).toMatch(/cannot change/);
    expect(await erase(id, no, `annual:2025:erased:${no + 1}`)).toMatch(/cannot change/);
    expect(await erase(id, no, `annual:2025:erased:${no}`)).toBe('allowed');
    const [row] = await t.dataSource.query(
      `SELECT issue_key AS "issueKey", donor_email AS "donorEmail", donor_erased_no AS "erasedNo"
         FROM receipts WHERE id = $1`,
      [id],
    );
    expect(row).toEqual({ issueKey: `annual:2025:erased:${no}`, donorEmail: '', erasedNo: no });
    // Once erased, the key stays.
    expect(
      await attempt(`UPDATE receipts SET issue_key = 'annual:2025:again' WHERE id = $1`, [id]),
    ).toMatch(/cannot change/);
  });

  it('erasing may also keep the key as it is', async () => {
    const id = await annual('guard-b@example.org');
    const no = await erasedNo();
    expect(await erase(id, no, 'annual:2025:guard-b@example.org')).toBe('allowed');
  });
});
