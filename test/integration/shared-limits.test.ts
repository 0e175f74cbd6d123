import request from 'supertest';
import { createFoundation } from '../factories/foundation.factory';
import { createCampaign } from '../factories/campaigns.factory';
import { formSession } from '../utils/form-session';
import {
  createFileDatabase,
  dropFileDatabase,
  fileQueuePrefix,
  startConfiguredApp,
  type TestApp,
} from '../utils/test-app';

/**
 * Two app instances against one database and one Redis, as two web processes behind a proxy: a
 * limit reached through both is reached once, not once per process. Each test plays its own
 * client address (X-Forwarded-For from loopback, which the tests' TRUST_PROXY trusts).
 */
const SIGN_IN_IP_LIMIT = 4;
const GIFTS_PER_IP = 3;

let apps: [TestApp, TestApp];
let slug: string;
let addresses = 0;
const freshAddress = () => `203.0.113.${++addresses}`;

beforeAll(async () => {
  await createFileDatabase();
  const overrides = {
    queue: { prefix: fileQueuePrefix(), processors: false },
    auth: { ipLimit: SIGN_IN_IP_LIMIT },
    donationLimits: { perIp: GIFTS_PER_IP, perEmail: 1_000 },
  };
  apps = [await startConfiguredApp(overrides), await startConfiguredApp(overrides)];
  for (const t of apps) {
    await t.app.init();
    await t.app.getHttpAdapter().getInstance().ready();
  }
  await createFoundation(apps[0]);
  slug = (await createCampaign(apps[0])).slug;
}, 120_000);
afterAll(async () => {
  for (const t of apps ?? []) await t.close();
  await dropFileDatabase();
});

/** A browser of each app, both from one client address. */
function browsers(address: string) {
  return apps.map((t) => {
    const browser = formSession(t.server);
    void browser.agent.set('x-forwarded-for', address);
    return browser;
  });
}

it('throttles failed sign-ins from one address across both processes', async () => {
  const address = freshAddress();
  const [a, b] = browsers(address);
  const statuses: number[] = [];
  for (let i = 0; i < SIGN_IN_IP_LIMIT + 2; i++) {
    const browser = i % 2 ? b! : a!;
    statuses.push((await browser.signIn(`nobody-${i}@example.org`, 'wrong password')).status);
  }
  expect(statuses).toEqual([401, 401, 401, 401, 429, 429]);
  // Another network is not held back by this one.
  const [other] = browsers(freshAddress());
  expect((await other!.signIn('nobody@example.org', 'wrong password')).status).toBe(401);
}, 60_000);

it('locks an unknown email after the same failures whichever process answers', async () => {
  const email = `ghost-${Date.now()}@example.org`;
  const statuses: number[] = [];
  for (let i = 0; i < 6; i++) {
    // A new address each time: the lockout follows the email, not the network.
    const [a, b] = browsers(freshAddress());
    statuses.push((await (i % 2 ? b! : a!).signIn(email, `wrong ${i}`)).status);
  }
  expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
}, 60_000);

it('counts gift starts per address across both processes', async () => {
  const address = freshAddress();
  const start = (t: TestApp, from: string, n: number) =>
    request(t.server)
      .post(`/api/v1/campaigns/${slug}/donations`)
      .set('x-forwarded-for', from)
      .send({ amountMinor: 1_000, donorName: '捐赠人', donorEmail: `card-${n}@example.org` });
  const answers = [];
  for (let i = 0; i < GIFTS_PER_IP + 2; i++) answers.push(await start(apps[i % 2]!, address, i));
  expect(answers.map((r) => r.status)).toEqual([201, 201, 201, 429, 429]);
  expect(answers[3]!.body).toMatchObject({ code: 'TOO_MANY_ATTEMPTS' });
  expect(answers[3]!.body.message).toEqual(expect.stringMatching(/\S/));
  // A donor on another network gives as usual.
  expect((await start(apps[1], freshAddress(), 99)).status).toBe(201);
}, 60_000);
