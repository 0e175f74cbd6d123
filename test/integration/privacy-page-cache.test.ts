import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { PageCache } from '../../src/common/page-cache/page-cache.module';
import { PrivacySettingsService } from '../../src/modules/privacy/policy/privacy-settings.service';
import { createCampaign } from '../factories/campaigns.factory';
import { createFoundation } from '../factories/foundation.factory';
import {
  createFileDatabase,
  dropFileDatabase,
  startConfiguredApp,
  type TestApp,
} from '../utils/test-app';
import { waitUntil } from '../utils/wait';

/**
 * The donation form's notice states the retention periods on a page the public page cache keeps
 * (an hour here): changing a period drops the cached page, so the next visitor reads the new one.
 */
describe('privacy notices on cached pages', () => {
  let t: TestApp;
  beforeAll(async () => {
    await createFileDatabase();
    t = await startConfiguredApp({ pageCacheTtlSeconds: 3_600 });
    await t.app.listen(0, '127.0.0.1');
    await createFoundation(t);
  });
  afterAll(async () => {
    await t?.close();
    await dropFileDatabase();
  });

  /** Every change committed so far has been heard once a marker sent now is. */
  const changesHeard = async () => {
    const marker = `test:${randomUUID()}`;
    await t.dataSource.query(`SELECT pg_notify('lianxin_page_changes', $1)`, [marker]);
    await waitUntil(() => t.get(PageCache).lastNotice === marker, 'the marker notice');
  };

  it('a changed period reaches the cached campaign page at once', async () => {
    const { slug } = await createCampaign(t);
    await changesHeard();
    const path = `/campaigns/${slug}?lang=en`;
    const first = await request(t.server).get(path).set('Accept-Language', 'en').expect(200);
    expect(first.headers['x-page-cache']).toBe('miss');
    expect(first.text).toContain('Contact details: 5 years after your last gift');
    const again = await request(t.server).get(path).set('Accept-Language', 'en').expect(200);
    expect(again.headers['x-page-cache']).toBe('hit');

    const settings = t.get(PrivacySettingsService);
    const { updatedAt: _a, updatedBy: _b, ...periods } = await settings.get();
    await settings.save({ ...periods, donorContactYears: 8 }, null);
    await changesHeard();
    const changed = await request(t.server).get(path).set('Accept-Language', 'en').expect(200);
    expect(changed.headers['x-page-cache']).toBe('miss');
    expect(changed.text).toContain('Contact details: 8 years after your last gift');
  });
});
