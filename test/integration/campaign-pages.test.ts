import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { hashSecret } from '../../src/common/secrets';
import { DonationsService } from '../../src/modules/donations/donations.service';
import type { CreateDonationDto } from '../../src/modules/donations/dto/create-donation.dto';
import { MatchingService } from '../../src/modules/matching/matching.service';
import { ProviderBusyError } from '../../src/modules/payments/payment-provider';
import { PaymentRails } from '../../src/modules/payments/payment-rails';
import { SandboxProcessor } from '../../src/modules/payments/sandbox/sandbox-processor';
import { buildMatchingRule, createCampaign } from '../factories/campaigns.factory';
import { createFoundation, createFund, fundFromOutside } from '../factories/foundation.factory';
import { formSession } from '../utils/form-session';
import { waitUntil } from '../utils/wait';
import { createTestApp, type TestApp } from '../utils/test-app';
import { deliver, paidSession, stripeEvent } from '../utils/webhooks';

/** A campaign's public pages: the form, the busy page, the thank-you page, the emailed stop link. */
describe('campaign pages and donor links', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    // Listening, so the sandbox can post its events to this app's own webhook.
    await t.app.listen(0, '127.0.0.1');
    await createFoundation(t);
  });
  afterAll(() => t.close());

  /** Handlebars escapes '=' and '&' in attributes; browsers read them back: so does this. */
  const attributes = (html: string) => html.replace(/&#x3D;/g, '=').replace(/&amp;/g, '&');

  const donationsOf = (campaignId: string) =>
    t.dataSource.query(
      `SELECT id, amount_minor::int AS amount, locale, monthly, anonymous, dedication, status
       FROM donations WHERE campaign_id = $1 ORDER BY created_at`,
      [campaignId],
    );

  /** The latest queued email of a template to an address. */
  const lastEmail = async (template: string, to: string) => {
    const rows: { payload: { locale: string; data: Record<string, string> } }[] =
      await t.dataSource.query(
        `SELECT payload FROM outbox WHERE payload->>'template' = $1 AND payload->>'to' = $2
         ORDER BY created_at DESC LIMIT 1`,
        [template, to],
      );
    return rows[0]?.payload;
  };

  it('shows the story, totals and a live matching offer, and takes a gift through its form', async () => {
    const pool = await createFund(t, { kind: 'MATCHING' });
    await fundFromOutside(t, pool, 80_000);
    const campaign = await createCampaign(t, { titleEn: 'Wheelchairs <b>now</b>' });
    await t
      .get(MatchingService)
      .setRule(campaign.id, buildMatchingRule(pool.id, { capPerGiftMinor: 50_000 }));

    // The home page leads to it (and not to an ended one).
    const ended = await createCampaign(t, { status: 'ENDED' });
    const home = await request(t.server).get('/?lang=en').expect(200);
    expect(home.text).toContain(`href="/campaigns/${campaign.slug}?lang=en"`);
    expect(home.text).not.toContain(ended.slug);

    const browser = formSession(t.server);
    const page = await browser.agent.get(`/campaigns/${campaign.slug}?lang=en`).expect(200);
    expect(page.text).toContain('Wheelchairs &lt;b&gt;now&lt;/b&gt;');
    expect(page.text).not.toContain('<b>now</b>');
    expect(page.text).toContain('<strong>elderly</strong>'); // the story's Markdown, rendered
    expect(page.text).toMatch(/id="matching-active">Every gift is matched at 100% by a sponsor/);
    expect(page.text).toContain('¥800.00 of matching is left');
    expect(page.text).toContain('value="50.00" id="f-amount-first" checked');

    const email = `page-${randomUUID().slice(0, 6)}@example.org`;
    const entries = {
      amount: '100.00',
      otherAmount: '',
      donorName: 'Li Ming',
      donorEmail: email,
      dedication: 'my grandmother',
      anonymous: 'on',
    };
    // First the review (nothing recorded yet), then the confirmed gift.
    const review = await browser.post(`/campaigns/${campaign.slug}/donate?lang=en`, entries);
    expect(review.status).toBe(200);
    expect(review.text).toContain('id="review-pay"');
    expect(await donationsOf(campaign.id)).toEqual([]);
    const sent = await browser.post(`/campaigns/${campaign.slug}/donate?lang=en`, {
      ...entries,
      step: 'pay',
    });
    expect(sent.status).toBe(303);
    expect(sent.headers.location).toMatch(/\/sandbox\/checkout\/cs_sandbox_/);
    const [gift] = await donationsOf(campaign.id);
    expect(gift).toMatchObject({
      amount: 10_000,
      locale: 'en',
      monthly: false,
      anonymous: true,
      dedication: 'my grandmother',
      status: 'PENDING',
    });

    // "Other amount" gives what was typed; a typed amount beside a chosen preset is asked about.
    const both = await browser.post(`/campaigns/${campaign.slug}/donate?lang=en`, {
      amount: '50.00',
      otherAmount: '12.50',
      donorName: '李明',
      donorEmail: email,
    });
    expect(both.status).toBe(422);
    expect(both.text).toMatch(/id="e-amount">You chose a preset and typed another amount/);
    expect(both.text).toContain('value="50.00" id="f-amount-first" checked');
    expect(both.text).toContain('value="12.50"');
    const other = await browser.post(`/campaigns/${campaign.slug}/donate`, {
      amount: 'other',
      otherAmount: '12.50',
      donorName: '李明',
      donorEmail: email,
      step: 'pay',
    });
    expect(other.status).toBe(303);
    // The English chosen earlier with ?lang=en is remembered (the lx_lang cookie) for this post.
    expect((await donationsOf(campaign.id))[1]).toMatchObject({ amount: 1_250, locale: 'en' });
  });

  it('sends a bad form back with a message beside each field and records nothing', async () => {
    const campaign = await createCampaign(t);
    const browser = formSession(t.server);
    const cases: [Record<string, string>, string, RegExp][] = [
      [{ amount: 'other', otherAmount: '12.345' }, 'e-amount', /at most two decimals/],
      [{ amount: 'other', otherAmount: '0' }, 'e-amount', /more than zero/],
      [{ amount: 'other', otherAmount: 'ten' }, 'e-amount', /Enter an amount like/],
      [{ amount: 'other', otherAmount: '0.50' }, 'e-amount', /smallest gift/],
      [{ donorEmail: 'not-an-email' }, 'e-donorEmail', /email address/],
      [{ donorName: '<script>alert(1)</script>' }, 'e-donorName', /without &lt; or &gt;/],
    ];
    for (const [fields, errorId, message] of cases) {
      const res = await browser.post(`/campaigns/${campaign.slug}/donate?lang=en`, {
        amount: '50.00',
        donorName: 'Li Ming',
        donorEmail: 'li@example.org',
        ...fields,
      });
      expect(res.status).toBe(422);
      const error = new RegExp(`id="${errorId}">([^<]*)<`).exec(res.text)?.[1];
      expect(error).toMatch(message);
      expect(res.text).not.toContain('<script>alert(1)</script>');
    }
    expect(await donationsOf(campaign.id)).toEqual([]);

    // Without the form's CSRF token nothing happens either.
    const forged = await browser.post(
      `/campaigns/${campaign.slug}/donate`,
      { amount: '50.00', donorName: 'Li Ming', donorEmail: 'li@example.org' },
      { withCsrf: false },
    );
    expect(forged.status).toBe(403);
    expect(await donationsOf(campaign.id)).toEqual([]);
  });

  it('says so when the matching pool is used up, and when the campaign has ended', async () => {
    const pool = await createFund(t, { kind: 'MATCHING' });
    const campaign = await createCampaign(t);
    await t.get(MatchingService).setRule(campaign.id, buildMatchingRule(pool.id));
    const page = await request(t.server).get(`/campaigns/${campaign.slug}?lang=en`).expect(200);
    expect(page.text).toMatch(/id="matching-exhausted">The sponsor&#x27;s matching pool/);
    expect(page.text).toContain('<form method="post"');

    const ended = await createCampaign(t, { status: 'ENDED' });
    const endedPage = await request(t.server).get(`/campaigns/${ended.slug}?lang=en`).expect(200);
    expect(endedPage.text).toMatch(/id="not-accepting">This campaign has ended/);
    expect(endedPage.text).not.toContain('/donate');

    const draft = await createCampaign(t, { status: 'DRAFT' });
    await request(t.server).get(`/campaigns/${draft.slug}`).expect(404);
    await request(t.server).get('/campaigns/no-such-campaign').expect(404);
  });

  it('keeps the gift and retries when the payment service is busy, then sends the donor on', async () => {
    const campaign = await createCampaign(t);
    const provider = t.get(PaymentRails).forRail('STRIPE');
    const busy = jest
      .spyOn(provider, 'createOrder')
      .mockRejectedValueOnce(new ProviderBusyError())
      .mockRejectedValueOnce(new ProviderBusyError());
    try {
      const browser = formSession(t.server);
      const first = await browser.post(`/campaigns/${campaign.slug}/donate?lang=en`, {
        amount: '50.00',
        donorName: 'Li Ming',
        donorEmail: 'busy@example.org',
        step: 'pay',
      });
      expect(first.status).toBe(503);
      expect(first.headers['retry-after']).toBe('5');
      expect(first.text).toContain('id="busy-retrying"');
      const [gift] = await donationsOf(campaign.id);
      expect(gift).toMatchObject({ amount: 5_000, status: 'PENDING' });
      const retry = new RegExp(
        `<meta http-equiv="refresh" content="5;url=(/campaigns/${campaign.slug}/checkout/${gift.id}\\?attempt=1&lang=en)">`,
      ).exec(attributes(first.text))?.[1];
      expect(retry).toBeDefined();

      // Still busy: the page comes again, counting attempts; then the checkout opens.
      const second = await browser.agent.get(retry!).expect(503);
      expect(attributes(second.text)).toContain(`checkout/${gift.id}?attempt=2&lang=en`);
      const third = await browser.agent.get(
        `/campaigns/${campaign.slug}/checkout/${gift.id}?attempt=2`,
      );
      expect(third.status).toBe(303);
      expect(third.headers.location).toMatch(/\/sandbox\/checkout\/cs_sandbox_/);
      expect(busy).toHaveBeenCalledTimes(3);
      // Once open, asking again sends the donor to the same checkout without a new one.
      const again = await browser.agent.get(`/campaigns/${campaign.slug}/checkout/${gift.id}`);
      expect(again.headers.location).toBe(third.headers.location);
      expect(busy).toHaveBeenCalledTimes(3);

      // The API says the same with the gift to resume.
      busy.mockRejectedValueOnce(new ProviderBusyError());
      const api = await request(t.server)
        .post(`/api/v1/campaigns/${campaign.slug}/donations`)
        .send({ amountMinor: 5_000, donorName: 'Li Ming', donorEmail: 'busy@example.org' })
        .expect(503);
      expect(api.body).toMatchObject({ code: 'PROVIDER_BUSY', details: { retryAfterSeconds: 5 } });
      const resumed = await request(t.server)
        .post(`/api/v1/donations/${api.body.details.donationId}/checkout`)
        .expect(200);
      expect(resumed.body).toMatchObject({ status: 'PENDING' });
      expect(resumed.body.checkoutUrl).toMatch(/\/sandbox\/checkout\/cs_sandbox_/);
    } finally {
      busy.mockRestore();
    }
    // After about a minute of retries the page stops refreshing; the gift stays kept.
    const [gift] = await donationsOf(campaign.id);
    await t.dataSource.query(`UPDATE donations SET checkout_url = NULL WHERE id = $1`, [gift.id]);
    const giveUp = jest.spyOn(provider, 'createOrder').mockRejectedValue(new ProviderBusyError());
    try {
      const last = await request(t.server)
        .get(`/campaigns/${campaign.slug}/checkout/${gift.id}?attempt=12`)
        .expect(503);
      expect(last.text).toContain('id="busy-gave-up"');
      expect(last.text).not.toContain('http-equiv="refresh"');
    } finally {
      giveUp.mockRestore();
    }
  });

  it('thanks the donor: waiting while the payment is confirmed, then with the match', async () => {
    const pool = await createFund(t, { kind: 'MATCHING' });
    await fundFromOutside(t, pool, 100_000);
    const campaign = await createCampaign(t);
    await t
      .get(MatchingService)
      .setRule(campaign.id, buildMatchingRule(pool.id, { ratioBp: 5_000 }));
    const gift = await t
      .get(DonationsService)
      .start(
        campaign.slug,
        { amountMinor: 8_000, donorName: 'Li Ming', donorEmail: 'thanks@example.org' },
        { acceptLanguage: 'en-GB,en;q=0.9' },
      );
    const thanks = `/campaigns/${campaign.slug}/thanks?donation=${gift.id}&lang=en`;
    const waiting = await request(t.server).get(thanks).expect(200);
    expect(waiting.text).toContain('id="gift-pending"');
    expect(attributes(waiting.text)).toContain(
      `<meta http-equiv="refresh" content="3;url=/campaigns/${campaign.slug}/thanks?donation=${gift.id}&lang=en">`,
    );

    await deliver(
      t.server,
      stripeEvent(`evt_th_${gift.id}`, 'checkout.session.completed', paidSession(gift.id, 8_000)),
    ).expect(200);
    const done = await request(t.server).get(thanks).expect(200);
    expect(done.text).toMatch(/id="gift-received">We have received your gift of ¥80\.00/);
    expect(done.text).toMatch(/id="gift-matched">A sponsor matched it with ¥40\.00 more/);
    expect(done.text).not.toContain('http-equiv="refresh"');

    // The donor's language (from the browser that started the gift) is the thank-you email's.
    const mail = await waitUntil(
      () => lastEmail('donation-thanks', 'thanks@example.org'),
      'the thank-you email to be queued with the receipt',
    );
    expect(mail).toMatchObject({
      locale: 'en',
      data: { campaignTitle: campaign.titleEn, amount: '¥80.00', matched: '¥40.00' },
    });
    expect(mail.data).not.toHaveProperty('stopUrl'); // not a monthly gift

    // Another campaign's page does not show this gift.
    const other = await createCampaign(t);
    const elsewhere = await request(t.server)
      .get(`/campaigns/${other.slug}/thanks?donation=${gift.id}&lang=en`)
      .expect(200);
    expect(elsewhere.text).not.toContain('¥80.00');
  });

  it('lists the latest gifts publicly: names only of online donors who did not ask to be anonymous', async () => {
    const campaign = await createCampaign(t);
    const give = async (dto: Partial<CreateDonationDto>, amountMinor: number) => {
      const gift = await t.get(DonationsService).start(
        campaign.slug,
        {
          amountMinor,
          donorName: 'Wang Fang',
          donorEmail: `wall-${randomUUID().slice(0, 6)}@example.org`,
          ...dto,
        },
        {},
      );
      await deliver(
        t.server,
        stripeEvent(
          `evt_wall_${gift.id}`,
          'checkout.session.completed',
          paidSession(gift.id, amountMinor),
        ),
      ).expect(200);
    };
    await give({ message: 'For Tom & Jerry "the cats"', dedication: 'Grandma Li' }, 6_600);
    await give({ anonymous: true, donorName: 'Hidden Person', message: 'from flat 3B' }, 8_800);

    const page = await request(t.server).get(`/campaigns/${campaign.slug}?lang=en`).expect(200);
    const wall =
      /<section aria-labelledby="gifts-title" id="recent-gifts">([\s\S]*?)<\/section>/.exec(
        page.text,
      )![1]!;
    expect(wall).toMatch(
      /<strong>Anonymous<\/strong> · ¥88\.00[\s\S]*<strong>Wang Fang<\/strong> · ¥66\.00/,
    );
    expect(wall).toContain('In honour of Grandma Li');
    expect(wall).toContain('For Tom &amp; Jerry &quot;the cats&quot;');
    expect(wall).not.toContain('Hidden Person');
    expect(wall).not.toContain('flat 3B');
    expect(wall).not.toContain('@example.org');
  });

  it('stops a monthly gift from the link in its emails, without signing in', async () => {
    const campaign = await createCampaign(t);
    const email = `monthly-${randomUUID().slice(0, 6)}@example.org`;
    const gift = await t.get(DonationsService).start(
      campaign.slug,
      {
        amountMinor: 3_000,
        donorName: '月捐人',
        donorEmail: email,
        monthly: true,
        locale: 'zh-CN',
      },
      {},
    );
    await t.get(SandboxProcessor).pay(gift.checkoutUrl.split('/').pop()!);
    const mail = await waitUntil(
      () => lastEmail('donation-thanks', email),
      'the thank-you email to be queued',
    );
    expect(mail.locale).toBe('zh-CN');
    const stopUrl = new URL(mail.data.stopUrl!);
    expect(stopUrl.pathname).toMatch(/^\/monthly\/stop\/[A-Za-z0-9_-]{43}$/);
    expect(stopUrl.searchParams.get('lang')).toBe('zh-CN');
    // Only a hash of the link's secret is kept.
    const token = stopUrl.pathname.split('/').pop()!;
    const [stored] = await t.dataSource.query(
      `SELECT count(*) FILTER (WHERE token_hash = $1)::int AS hashed,
              count(*) FILTER (WHERE token_hash = $2)::int AS plain
       FROM donor_links WHERE donation_id = $3`,
      [hashSecret(token), token, gift.id],
    );
    expect(stored).toEqual({ hashed: 1, plain: 0 });

    const browser = formSession(t.server);
    const page = await browser.agent.get(`${stopUrl.pathname}?lang=en`).expect(200);
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(page.text).toContain('¥30.00');
    expect(page.text).toContain(campaign.titleEn);
    // Opening the link stops nothing (mail scanners open links); the button does.
    expect((await t.get(DonationsService).get(gift.id)).subscriptionCancelledAt).toBeNull();
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;
    const stopped = await browser.agent.post(stopUrl.pathname).type('form').send({ _csrf: csrf });
    expect(stopped.status).toBe(303);
    await t.get(SandboxProcessor).idle();
    await waitUntil(async () => {
      const d = await t.get(DonationsService).get(gift.id);
      return d.subscriptionCancelledAt ? d : null;
    }, 'customer.subscription.deleted to be booked');
    const after = await browser.agent.get(`${stopUrl.pathname}?lang=en`).expect(200);
    expect(after.text).toContain('id="monthly-stopped"');
    const [audit] = await t.dataSource.query(
      `SELECT after FROM audit_log WHERE action = 'donation.monthly_stopped' AND entity_id = $1`,
      [gift.id],
    );
    expect(audit.after).toMatchObject({ via: 'email link' });

    // A made-up or mangled link is refused with a page that says what to do.
    for (const bad of [`${token.slice(0, -1)}x`, 'short', `${token}%3Cscript%3E`]) {
      const res = await request(t.server).get(`/monthly/stop/${bad}?lang=en`).expect(400);
      expect(res.text).toContain('This link is not valid or has expired');
      expect(res.text).not.toContain('<script>');
    }
  });

  it('answers odd addresses with a 4xx page, never a 500', async () => {
    const campaign = await createCampaign(t);
    const probes: [string, number][] = [
      [`/campaigns/${'x'.repeat(500)}`, 414],
      ['/campaigns/%00', 400],
      [`/campaigns/${campaign.slug}/checkout/not-a-uuid`, 400],
      [`/campaigns/${campaign.slug}/checkout/${randomUUID()}`, 404],
      [`/campaigns/${campaign.slug}/thanks?donation=garbage`, 200],
      [`/campaigns/${campaign.slug}/thanks?donation[]=a`, 200],
      [`/monthly/stop/${'a'.repeat(2000)}`, 414],
    ];
    for (const [path, status] of probes) {
      const res = await request(t.server).get(path);
      expect([path, res.status]).toEqual([path, status]);
    }
    const json = await request(t.server)
      .post(`/campaigns/${campaign.slug}/donate`)
      .send({ amount: ['1'], donorName: { a: 1 } });
    expect(json.status).toBeGreaterThanOrEqual(400);
    expect(json.status).toBeLessThan(500);
  });
});
