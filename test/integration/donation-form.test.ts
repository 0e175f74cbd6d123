import request from 'supertest';
import { GIFT_RETURN_COOKIE } from '../../src/common/http/cookies';
import { SandboxProcessor } from '../../src/modules/payments/sandbox/sandbox-processor';
import { createCampaign } from '../factories/campaigns.factory';
import { createFoundation } from '../factories/foundation.factory';
import { cookieFrom, formSession } from '../utils/form-session';
import { fixtureEvent, stripeFixture, testId } from '../utils/stripe-fixtures';
import { createTestApp, type TestApp } from '../utils/test-app';
import { deliver } from '../utils/webhooks';

/**
 * The donation form's steps: entries, the review (gift, fee cover, total, how often, the name
 * shown), then the checkout; a checkout that does not complete brings the donor back to the form
 * with "nothing was charged" and the entries kept; what the provider says decides FAILED or
 * EXPIRED.
 */
describe('the donation form, its review and a payment that does not complete', () => {
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
  const text = (html: string, id: string) =>
    new RegExp(`id="${id}"[^>]*>([\\s\\S]*?)</`).exec(html)?.[1]?.trim();
  const gifts = (campaignId: string) =>
    t.dataSource.query<{ id: string; amount: number; fee_cover: number; status: string }[]>(
      `SELECT id, amount_minor::int AS amount, fee_cover_minor::int AS fee_cover, status
       FROM donations WHERE campaign_id = $1 ORDER BY created_at`,
      [campaignId],
    );
  const statusOf = async (id: string) =>
    (
      await t.dataSource.query<{ status: string }[]>(`SELECT status FROM donations WHERE id = $1`, [
        id,
      ])
    )[0]?.status;

  const entries = {
    amount: 'other',
    otherAmount: '1234.50',
    donorName: '王芳',
    donorEmail: 'wang.fang@example.org',
    dedication: '我的外婆',
    message: '加油',
    coverFee: 'on',
    monthly: 'on',
  };

  it('reviews the gift before paying: the fee cover as its own line, the total, monthly, the name shown', async () => {
    const campaign = await createCampaign(t);
    const browser = formSession(t.server);

    const page = await browser.agent.get(`/campaigns/${campaign.slug}?lang=zh-CN`).expect(200);
    // The fee cover says what it is; the email says why it is asked for.
    expect(page.text).toContain('另付支付手续费（0.6%）');
    expect(page.text).toMatch(/id="h-donorEmail">我们会把捐赠票据和感谢信发到这个邮箱/);
    expect(page.text).toContain('aria-describedby="h-donorEmail"');

    const review = await browser.post(`/campaigns/${campaign.slug}/donate?lang=zh-CN`, entries);
    expect(review.status).toBe(200);
    expect(review.headers['cache-control']).toBe('no-store');
    expect(text(review.text, 'r-gift')).toBe('¥1,234.50');
    // 0.6% of ¥1,234.50 is ¥7.407, rounded up to the fen.
    expect(text(review.text, 'r-fee')).toBe('¥7.41');
    expect(text(review.text, 'r-total')).toBe('每月 ¥1,241.91');
    expect(text(review.text, 'r-often')).toBe('每月捐赠（可随时停止）');
    expect(text(review.text, 'r-shown')).toBe('王芳');
    expect(text(review.text, 'r-email')).toBe('wang.fang@example.org');
    // Nothing is recorded until the donor confirms.
    expect(await gifts(campaign.id)).toEqual([]);

    // "Change" brings the form back as it was filled in.
    const hidden = Object.fromEntries(
      [...review.text.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)]
        .filter(([, name]) => name !== '_csrf')
        .map(([, name, value]) => [name!, value!]),
    );
    expect(hidden).toEqual(entries);
    const change = await browser.post(`/campaigns/${campaign.slug}/donate?lang=zh-CN`, {
      ...hidden,
      step: 'edit',
    });
    expect(change.status).toBe(200);
    expect(change.text).toContain(
      'id="f-otherAmount" name="otherAmount" inputmode="decimal" autocomplete="off" value="1234.50"',
    );
    expect(change.text).toMatch(/value="other" id="f-amount-other" checked/);
    expect(change.text).toContain('value="王芳"');
    expect(change.text).toContain('value="我的外婆"');
    expect(change.text).toMatch(/name="coverFee" id="f-coverFee" checked/);
    expect(change.text).toMatch(/name="monthly" checked/);
    expect(change.text).not.toContain('id="error-summary"');

    // Anonymous: the review says what the page will show instead of the name.
    const anonymous = await browser.post(`/campaigns/${campaign.slug}/donate?lang=en`, {
      amount: '100.00',
      donorName: 'Li Ming',
      donorEmail: 'li@example.org',
      anonymous: 'on',
    });
    expect(text(anonymous.text, 'r-total')).toBe('¥100.00');
    expect(anonymous.text).not.toContain('id="r-fee"');
    expect(text(anonymous.text, 'r-often')).toBe('Once');
    expect(text(anonymous.text, 'r-shown')).toBe('Anonymous (shown as “Anonymous”)');

    // Confirmed: the gift with its fee cover on top, and on to the checkout.
    const pay = await browser.post(`/campaigns/${campaign.slug}/donate?lang=zh-CN`, {
      ...hidden,
      step: 'pay',
    });
    expect(pay.status).toBe(303);
    expect(pay.headers.location).toMatch(/\/sandbox\/checkout\/cs_sandbox_/);
    expect(await gifts(campaign.id)).toEqual([
      expect.objectContaining({ amount: 124_191, fee_cover: 741, status: 'PENDING' }),
    ]);
  });

  it('lists every problem at the top, each linked to its field, and marks the fields', async () => {
    const campaign = await createCampaign(t);
    const browser = formSession(t.server);
    const bad = await browser.post(`/campaigns/${campaign.slug}/donate?lang=zh-CN`, {
      amount: 'other',
      otherAmount: '',
      donorName: '',
      donorEmail: 'not-an-email',
    });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('id="error-summary" role="alert"');
    // Only the amount is checked first; fixed, the other fields' problems come together.
    expect(bad.text).toMatch(/<li><a href="#f-amount-first">请选择金额/);
    const second = await browser.post(`/campaigns/${campaign.slug}/donate?lang=zh-CN`, {
      amount: '50.00',
      donorName: '',
      donorEmail: 'not-an-email',
    });
    expect(second.status).toBe(422);
    const links = [...second.text.matchAll(/<li><a href="#([^"]+)">([^<]*)<\/a><\/li>/g)];
    expect(links.map((m) => m[1])).toEqual(['f-donorName', 'f-donorEmail']);
    // An empty name is asked for in words.
    expect(links[0]![2]).toBe('请填写您的姓名（可以勾选“匿名”，不在项目页显示）。');
    // A malformed one is explained in the reader's language, not the API's English.
    expect(links[1]![2]).toBe('邮箱格式不对，请检查一下，例如 name@example.com。');
    expect(second.text).toMatch(
      /id="f-donorEmail"[^>]*aria-describedby="h-donorEmail e-donorEmail" aria-invalid="true"/,
    );
    expect(second.text).toMatch(/id="e-donorEmail">[^<]+</);
    expect(await gifts(campaign.id)).toEqual([]);
  });

  it('brings a declined donor back to the form, entries kept and nothing charged; the gift is FAILED', async () => {
    const campaign = await createCampaign(t);
    const browser = formSession(t.server);
    const pay = await browser.post(`/campaigns/${campaign.slug}/donate?lang=zh-CN`, {
      ...entries,
      step: 'pay',
    });
    expect(pay.status).toBe(303);
    expect(cookieFrom(pay, GIFT_RETURN_COOKIE)).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    const setCookie = String(pay.headers['set-cookie']);
    expect(setCookie).toMatch(new RegExp(`${GIFT_RETURN_COOKIE}=[^;]+;.*HttpOnly`, 'i'));
    const [gift] = await gifts(campaign.id);

    // The sandbox checkout: Decline sends the donor to the cancel URL.
    const checkout = new URL(pay.headers.location!).pathname;
    const page = await browser.agent.get(checkout).expect(200);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;
    const declined = await browser.agent
      .post(`${checkout}/decline`)
      .type('form')
      .send({ _csrf: csrf });
    expect(declined.status).toBe(303);
    const back = declined.headers.location!;
    expect(back).toBe(
      `/campaigns/${campaign.slug}/not-completed?donation=${gift!.id}&lang=zh-CN#give`,
    );
    // Nothing personal in the address.
    expect(back).not.toMatch(/wang|王|1234/);
    expect(await statusOf(gift!.id)).toBe('FAILED');

    const form = await browser.agent.get(back).expect(200);
    expect(form.headers['cache-control']).toBe('no-store');
    expect(text(form.text, 'not-completed')).toBeDefined();
    expect(form.text).toContain('支付未完成，没有扣款');
    expect(form.text).toContain('银行卡或支付账户拒绝了这笔付款。');
    expect(form.text).toContain('您填写的内容都还在');
    expect(form.text).toContain('value="1234.50"');
    expect(form.text).toContain('value="王芳"');
    expect(form.text).toContain('value="wang.fang@example.org"');
    expect(form.text).toContain('value="我的外婆"');
    expect(form.text).toMatch(/name="monthly" checked/);
    expect(form.text).toMatch(/name="coverFee" id="f-coverFee" checked/);

    // Another browser (no cookie) following the same address sees the message, not the entries.
    const stranger = await request(t.server).get(back).expect(200);
    expect(stranger.text).toContain('支付未完成，没有扣款');
    expect(stranger.text).not.toContain('王芳');
    expect(stranger.text).not.toContain('wang.fang@example.org');
    // The cookie names this gift only: another gift's address shows no entries either.
    const other = await request(t.server).get(
      `/campaigns/${campaign.slug}/not-completed?donation=${gift!.id}`,
    );
    expect(other.text).not.toContain('王芳');

    // Two hours on, the link has expired: the same browser gets the message and an empty form.
    await t.dataSource.query(
      `UPDATE donor_links SET expires_at = now() - interval '1 minute'
       WHERE donation_id = $1 AND purpose = 'RETURN_TO_FORM'`,
      [gift!.id],
    );
    const late = await browser.agent.get(back).expect(200);
    expect(late.text).toContain('支付未完成，没有扣款');
    expect(late.text).toContain('请重新填写下面的表单再试一次。');
    expect(late.text).not.toContain('王芳');
  });

  it('keeps an abandoned gift PENDING until its checkout expires, then EXPIRED', async () => {
    const campaign = await createCampaign(t);
    const browser = formSession(t.server);
    const pay = await browser.post(`/campaigns/${campaign.slug}/donate?lang=en`, {
      amount: '50.00',
      donorName: 'Li Ming',
      donorEmail: 'li.abandons@example.org',
      step: 'pay',
    });
    const [gift] = await gifts(campaign.id);
    const checkout = await browser.agent.get(new URL(pay.headers.location!).pathname).expect(200);
    // "Go back without paying" is the cancel URL; the checkout stays open.
    const cancel = attributes(/id="sandbox-cancel" href="([^"]+)"/.exec(checkout.text)![1]!);
    expect(cancel).toBe(
      `/campaigns/${campaign.slug}/not-completed?donation=${gift!.id}&lang=en#give`,
    );
    const back = await browser.agent.get(cancel).expect(200);
    expect(back.text).toContain('Payment not completed: nothing was charged');
    expect(back.text).not.toContain('declined the payment');
    expect(back.text).toContain('value="li.abandons@example.org"');
    expect(await statusOf(gift!.id)).toBe('PENDING');

    const processor = t.get(SandboxProcessor);
    expect(await processor.expireOverdue(new Date())).toBe(0);
    expect(await processor.expireOverdue(new Date(Date.now() + 25 * 3600_000))).toBeGreaterThan(0);
    expect(await statusOf(gift!.id)).toBe('EXPIRED');
  });

  it('marks a gift FAILED on payment_intent.payment_failed through the Stripe webhook, and a later payment still settles it', async () => {
    const campaign = await createCampaign(t);
    const browser = formSession(t.server);
    await browser.post(`/campaigns/${campaign.slug}/donate?lang=en`, {
      amount: '50.00',
      donorName: 'Li Ming',
      donorEmail: 'li.declined@example.org',
      step: 'pay',
    });
    const [gift] = await gifts(campaign.id);
    const intent = {
      ...stripeFixture('payment_intent'),
      id: testId('pi'),
      amount: 5_000,
      currency: 'cny',
      metadata: { donation_id: gift!.id },
      status: 'requires_payment_method',
      last_payment_error: {
        type: 'card_error',
        code: 'card_declined',
        decline_code: 'insufficient_funds',
        message: 'Your card has insufficient funds.',
      },
    };
    const failed = fixtureEvent('payment_intent.payment_failed', intent);
    await deliver(t.server, failed).expect(200);
    expect(await statusOf(gift!.id)).toBe('FAILED');
    // Delivered again: nothing changes.
    await deliver(t.server, failed).expect(200);
    expect(await statusOf(gift!.id)).toBe('FAILED');
    // A PaymentIntent naming no gift of ours is acknowledged and ignored.
    await deliver(
      t.server,
      fixtureEvent('payment_intent.payment_failed', { ...intent, id: testId('pi'), metadata: {} }),
    ).expect(200);

    // The donor tried another card on the same checkout, and it went through.
    const completed = fixtureEvent('checkout.session.completed', {
      ...stripeFixture('checkout.session'),
      id: testId('cs'),
      amount_total: 5_000,
      amount_subtotal: 5_000,
      currency: 'cny',
      mode: 'payment',
      payment_status: 'paid',
      status: 'complete',
      client_reference_id: gift!.id,
      metadata: { donation_id: gift!.id },
      payment_intent: intent.id,
    });
    await deliver(t.server, completed).expect(200);
    expect(await statusOf(gift!.id)).toBe('SUCCEEDED');

    // Coming back to the cancel URL after paying after all leads to the thank-you page.
    const back = await request(t.server).get(
      `/campaigns/${campaign.slug}/not-completed?donation=${gift!.id}&lang=en`,
    );
    expect(back.status).toBe(303);
    expect(back.headers.location).toBe(
      `/campaigns/${campaign.slug}/thanks?donation=${gift!.id}&lang=en`,
    );
  });

  it('thanks a monthly donor as one, with the donor portal and a share link', async () => {
    const campaign = await createCampaign(t);
    const browser = formSession(t.server);
    const pay = await browser.post(`/campaigns/${campaign.slug}/donate?lang=zh-CN`, {
      amount: '100.00',
      donorName: '王芳',
      donorEmail: 'wang.monthly@example.org',
      monthly: 'on',
      step: 'pay',
    });
    const checkout = new URL(pay.headers.location!).pathname;
    const page = await browser.agent.get(checkout).expect(200);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;
    const paid = await browser.agent.post(`${checkout}/pay`).type('form').send({ _csrf: csrf });
    const thanks = await browser.agent.get(paid.headers.location!).expect(200);
    expect(text(thanks.text, 'gift-monthly')).toBe(
      '这是一笔月捐：之后每月捐赠 ¥100.00，随时可以在“我的捐赠”里停止。',
    );
    expect(attributes(thanks.text)).toContain('id="portal-link" href="/donor?lang=zh-CN"');
    expect(attributes(thanks.text)).toMatch(
      new RegExp(
        `id="thanks-share-url" type="url" readonly value="http[^"]+/campaigns/${campaign.slug}\\?lang=zh-CN"`,
      ),
    );
  });
});
