import { Queue } from 'bullmq';
import { randomUUID } from 'node:crypto';
import { DonationsService } from '../../src/modules/donations/donations.service';
import { ReceiptsService } from '../../src/modules/receipts/receipts.service';
import { OutboxDispatcher } from '../../src/queue/outbox-dispatcher';
import { QUEUE_NAMES } from '../../src/queue/queue.constants';
import { createUser, TEST_PASSWORD } from '../factories/accounts.factory';
import { createCampaign } from '../factories/campaigns.factory';
import { createFoundation } from '../factories/foundation.factory';
import { formSession } from '../utils/form-session';
import { startSmtpServer, type TestSmtpServer } from '../utils/mail-testing';
import {
  createFileDatabase,
  dropFileDatabase,
  fileQueuePrefix,
  startConfiguredApp,
} from '../utils/test-app';
import { waitUntil } from '../utils/wait';
import { deliver, paidSession, stripeEvent } from '../utils/webhooks';

/**
 * Redis is down while a gift succeeds: the gift is still received (the webhook answers 200 and
 * the money is booked), its receipt waits in the outbox, and once an app that can reach Redis
 * runs, the receipt is issued and emailed with its PDF, once.
 */
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const UNREACHABLE = 'redis://127.0.0.1:1';
const prefix = fileQueuePrefix();
const config = () => ({ smtpUrl: smtp.url, queue: { prefix, pollMs: 100, backoffMs: 50 } });

let smtp: TestSmtpServer;

beforeAll(async () => {
  await createFileDatabase();
  smtp = await startSmtpServer();
});
afterAll(async () => {
  for (const name of Object.values(QUEUE_NAMES)) {
    const queue = new Queue(name, { connection: { url: REDIS_URL }, prefix });
    await queue.obliterate({ force: true });
    await queue.close();
  }
  await smtp?.close();
  await dropFileDatabase();
});

it('issues and emails the receipt of a gift that succeeded while Redis was down, once it is back', async () => {
  const broken = await startConfiguredApp({ ...config(), redisUrl: UNREACHABLE });
  const email = `redis-down-${randomUUID().slice(0, 8)}@example.org`;
  let giftId: string;
  let secondId: string;
  const staffEmail = `redis-down-staff-${randomUUID().slice(0, 8)}@example.org`;
  try {
    await broken.app.getHttpAdapter().getInstance().ready();
    await createFoundation(broken, { receiptPrefix: 'LXR' });
    const campaign = await createCampaign(broken);
    const gift = await broken
      .get(DonationsService)
      .start(
        campaign.slug,
        { amountMinor: 6_600, donorName: '刘洋', donorEmail: email, locale: 'en' },
        {},
      );
    giftId = gift.id;
    await deliver(
      broken.server,
      stripeEvent(`evt_rd_${gift.id}`, 'checkout.session.completed', paidSession(gift.id, 6_600)),
    ).expect(200);
    expect((await broken.get(DonationsService).get(gift.id)).status).toBe('SUCCEEDED');

    // A second gift whose receipt staff issue by hand while Redis is down: the receipt is there
    // at once, its thank-you waits like every other email.
    const second = await broken
      .get(DonationsService)
      .start(
        campaign.slug,
        { amountMinor: 1_200, donorName: '周敏', donorEmail: staffEmail, locale: 'en' },
        {},
      );
    await deliver(
      broken.server,
      stripeEvent(
        `evt_rd_${second.id}`,
        'checkout.session.completed',
        paidSession(second.id, 1_200),
      ),
    ).expect(200);
    secondId = second.id;
    const user = await createUser(broken, ['FINANCE']);
    const staff = formSession(broken.server);
    expect((await staff.signIn(user.email, TEST_PASSWORD)).status).toBe(303);
    const page = await staff.agent.get(`/admin/donations/${second.id}?lang=en`).expect(200);
    expect(page.text).toContain('This gift has no receipt yet.');
    expect(page.text).toContain('id="issue-receipt-form"');
    expect((await staff.post(`/admin/donations/${second.id}/receipt?lang=en`, {})).status).toBe(
      303,
    );
    const [issuedByStaff] = await broken.get(ReceiptsService).listForDonation(second.id);
    expect(issuedByStaff).toMatchObject({ kind: 'GIFT', amountMinor: 1_200 });
    const after = await staff.agent.get(`/admin/donations/${second.id}?lang=en`).expect(200);
    expect(after.text).toContain(`Receipt ${issuedByStaff!.number} issued.`);
    expect(after.text).toContain('Waiting to be sent');
    expect(after.text).not.toContain('id="issue-receipt-form"');

    const passes = broken.get(OutboxDispatcher).passes;
    await waitUntil(() => broken.get(OutboxDispatcher).passes >= passes + 10, 'ten relay passes');
    // The receipt waits in the outbox: not issued, nothing relayed, nothing sent.
    expect(await broken.get(ReceiptsService).listForDonation(gift.id)).toEqual([]);
    const waiting: { status: string; attempts: number }[] = await broken.dataSource.query(
      `SELECT status, attempts FROM outbox WHERE dedupe_key = $1`,
      [`receipt-sync:${gift.id}:received`],
    );
    expect(waiting).toEqual([{ status: 'PENDING', attempts: 0 }]);
  } finally {
    await broken.close();
  }
  expect(smtp.to(email)).toHaveLength(0);
  expect(smtp.to(staffEmail)).toHaveLength(0);

  const working = await startConfiguredApp({ ...config(), redisUrl: REDIS_URL });
  try {
    const receipt = await waitUntil(
      async () =>
        (await working.get(ReceiptsService).listForDonation(giftId)).find(
          (r) => r.voidedAt === null,
        ),
      'the receipt to be issued',
    );
    expect(receipt).toMatchObject({ kind: 'GIFT', amountMinor: 6_600, donorEmail: email });
    const [mail] = await waitUntil(() => {
      const sent = smtp.to(email);
      return sent.length > 0 ? sent : undefined;
    }, 'the thank-you with the receipt');
    expect(mail!.subject).toMatch(/^Thank you for your gift/);
    expect(mail!.raw).toMatch(/Content-Type: application\/pdf/i);
    expect(mail!.raw).toContain(`${receipt.number}.pdf`);

    await waitUntil(
      () => (smtp.to(staffEmail).length > 0 ? true : undefined),
      'the staff-issued receipt’s thank-you',
    );
    // The outbox's own sync of that gift found its receipt and issued no second one.
    expect(await working.get(ReceiptsService).listForDonation(secondId)).toHaveLength(1);

    // Every outbox row of both gifts done, and nothing sent twice.
    await waitUntil(async () => {
      const open: { n: number }[] = await working.dataSource.query(
        `SELECT count(*)::int AS n FROM outbox WHERE status IN ('PENDING', 'RELAYED')`,
      );
      return open[0]!.n === 0;
    }, 'the outbox to drain');
    const passes = working.get(OutboxDispatcher).passes;
    await waitUntil(() => working.get(OutboxDispatcher).passes >= passes + 5, 'five more passes');
    expect(smtp.to(email)).toHaveLength(1);
    expect(smtp.to(staffEmail)).toHaveLength(1);
  } finally {
    await working.close();
  }
});
