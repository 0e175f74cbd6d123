import { templateDb, withAdmin } from './databases';

export default async function globalTeardown(): Promise<void> {
  await withAdmin((admin) => admin.query(`DROP DATABASE IF EXISTS "${templateDb()}" WITH (FORCE)`));
}
