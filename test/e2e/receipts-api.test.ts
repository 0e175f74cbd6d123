import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { DonationsService } from '../../src/modules/donations/donations.service';
import { createUser, TEST_PASSWORD } from '../factories/accounts.factory';
import { createCampaign } from '../factories/campaigns.factory';
import { createFoundation } from '../factories/foundation.factory';
import { bodyOf, describeWholeFileChecks, err, invalid, useApiTestApp } from '../utils/api-client';
import { formSession } from '../utils/form-session';
import { PNG, solidImage } from '../utils/images';
import { waitUntil } from '../utils/wait';
import { deliver, paidSession, stripeEvent } from '../utils/webhooks';

/**
 * The receipts API end to end (ADMIN and FINANCE): a gift's receipts with their emails, issuing
 * now, resending, voiding with a note (and not twice), the wording settings; the tax fields of
 * the donation and offline-gift APIs; the settings page with its seal upload.
 */
const { t, api } = useApiTestApp();

interface ReceiptBody {
  id: string;
  number: string;
  kind: string;
  amountMinor: number;
  voidedAt: string | null;
  voidReason: string | null;
  voidNote: string;
  deliveries: { purpose: string; status: string; recipient: string; attempts: number }[];
}

let slug: string;
beforeAll(async () => {
  await createFoundation(t(), { receiptPrefix: 'LXA' });
  slug = (await createCampaign(t())).slug;
});

async function pendingGift(extra: Record<string, unknown> = {}) {
  const email = `api-${randomUUID().slice(0, 8)}@example.org`;
  const started = bodyOf(
    await api.post(`/api/v1/campaigns/${slug}/donations`, {
      amountMinor: 8_800,
      donorName: '陈静',
      donorEmail: email,
      ...extra,
    }),
    201,
  );
  return { id: started.id as string, email };
}

async function paidGift(extra: Record<string, unknown> = {}) {
  const gift = await pendingGift(extra);
  await deliver(
    t().server,
    stripeEvent(`evt_api_${gift.id}`, 'checkout.session.completed', paidSession(gift.id, 8_800)),
  ).expect(200);
  return gift;
}

const receiptsOf = async (donationId: string): Promise<ReceiptBody[]> =>
  bodyOf(await api.get(`/api/v1/donations/${donationId}/receipts`), 200).items;

const liveReceipt = (donationId: string) =>
  waitUntil(
    async () => (await receiptsOf(donationId)).find((r) => r.voidedAt === null),
    'the gift’s receipt',
  );

describe('a gift’s receipts', () => {
  it('are documented in OpenAPI under the tag receipts', async () => {
    const doc = bodyOf(await api.get('/api/docs-json'), 200);
    for (const [path, method] of [
      ['/api/v1/donations/{id}/receipts', 'get'],
      ['/api/v1/donations/{id}/receipt', 'post'],
      ['/api/v1/receipts/{id}/resend', 'post'],
      ['/api/v1/receipts/{id}/void', 'post'],
      ['/api/v1/receipts/settings', 'put'],
    ] as const) {
      expect(doc.paths[path]?.[method]?.tags).toEqual(['receipts']);
    }
  });

  it('lists the receipt with its thank-you email, which is sent', async () => {
    const gift = await paidGift();
    const receipt = await liveReceipt(gift.id);
    expect(receipt).toMatchObject({ kind: 'GIFT', amountMinor: 8_800, voidReason: null });
    expect(receipt.number).toMatch(/^LXA-\d{4}-\d{6}$/);
    const sent = await waitUntil(async () => {
      const [r] = await receiptsOf(gift.id);
      return r?.deliveries.find((d) => d.purpose === 'ISSUED' && d.status === 'SENT');
    }, 'the thank-you to be sent');
    expect(sent).toMatchObject({ recipient: gift.email, attempts: 1 });
  });

  it('issues now for a received gift (the live receipt again) and refuses a gift not received', async () => {
    const gift = await paidGift();
    const receipt = await liveReceipt(gift.id);
    const again = bodyOf(await api.post(`/api/v1/donations/${gift.id}/receipt`), 201);
    expect(again).toMatchObject({ id: receipt.id, number: receipt.number });
    const [audit] = await t().dataSource.query(
      `SELECT after FROM audit_log WHERE entity_id = $1 AND action = 'receipt.issue_requested'`,
      [receipt.id],
    );
    expect(audit.after).toEqual({
      number: receipt.number,
      donationId: gift.id,
      alreadyIssued: true,
    });

    const pending = await pendingGift();
    expect(err(await api.post(`/api/v1/donations/${pending.id}/receipt`))).toMatchObject({
      status: 422,
      code: 'RECEIPT_GIFT_NOT_RECEIVED',
      message: expect.stringContaining('Only received gifts get a receipt') as unknown,
    });
    expect(await receiptsOf(pending.id)).toEqual([]);
    expect(err(await api.get(`/api/v1/donations/${randomUUID()}/receipts`)).status).toBe(404);
    expect(err(await api.get(`/api/v1/donations/not-a-uuid/receipts`)).status).toBe(400);
  });

  it('resends a receipt: a RESENT delivery that becomes SENT, audited', async () => {
    const gift = await paidGift();
    const receipt = await liveReceipt(gift.id);
    const resent: ReceiptBody = bodyOf(
      await api.post(`/api/v1/receipts/${receipt.id}/resend`),
      202,
    );
    expect(resent.deliveries.map((d) => d.purpose)).toContain('RESENT');
    await waitUntil(async () => {
      const [r] = await receiptsOf(gift.id);
      return r?.deliveries.find((d) => d.purpose === 'RESENT' && d.status === 'SENT');
    }, 'the copy to be sent');
    const [audit] = await t().dataSource.query(
      `SELECT action, after FROM audit_log WHERE entity_id = $1 AND action = 'receipt.resent'`,
      [receipt.id],
    );
    expect(audit).toMatchObject({ after: { number: receipt.number, to: gift.email } });
    expect(err(await api.post(`/api/v1/receipts/${randomUUID()}/resend`))).toMatchObject({
      status: 404,
      code: 'RECEIPT_NOT_FOUND',
    });
  });

  it('voids with a note once; the second time is a 409 that says so', async () => {
    const gift = await paidGift();
    const receipt = await liveReceipt(gift.id);
    expect(err(await api.post(`/api/v1/receipts/${receipt.id}/void`, {}))).toMatchObject(
      invalid('note must say why the receipt is void'),
    );
    expect(
      err(await api.post(`/api/v1/receipts/${receipt.id}/void`, { note: '   ' })),
    ).toMatchObject(invalid('note'));
    const voided: ReceiptBody = bodyOf(
      await api.post(`/api/v1/receipts/${receipt.id}/void`, { note: '捐赠人姓名写错' }),
      200,
    );
    expect(voided).toMatchObject({ voidReason: 'STAFF', voidNote: '捐赠人姓名写错' });
    expect(voided.voidedAt).not.toBeNull();
    expect(voided.deliveries.map((d) => d.purpose)).toContain('VOIDED');
    expect(err(await api.post(`/api/v1/receipts/${receipt.id}/void`, { note: 'again' }))).toEqual({
      status: 409,
      code: 'RECEIPT_ALREADY_VOID',
      message: `Receipt ${receipt.number} is already void.`,
    });
    // Voided by staff: nothing is issued again by itself; "issue now" replaces it with a new
    // number that names the void one, and sends it to the donor.
    expect((await receiptsOf(gift.id)).every((r) => r.voidedAt !== null)).toBe(true);
    const replacement: ReceiptBody = bodyOf(
      await api.post(`/api/v1/donations/${gift.id}/receipt`),
      201,
    );
    expect(replacement).toMatchObject({ kind: 'CORRECTION', amountMinor: receipt.amountMinor });
    expect(replacement.number).not.toBe(receipt.number);
    const listed = await receiptsOf(gift.id);
    expect(listed.find((r) => r.id === replacement.id)).toMatchObject({ voidedAt: null });
    expect(listed.find((r) => r.id === replacement.id)?.deliveries.map((d) => d.purpose)).toEqual([
      'RESENT',
    ]);
    // Asked again: the live receipt, not a third one.
    expect(bodyOf(await api.post(`/api/v1/donations/${gift.id}/receipt`), 201)).toMatchObject({
      id: replacement.id,
    });
  });
});

describe('receipt settings', () => {
  let adminAuth: Record<string, string>;
  beforeAll(async () => {
    adminAuth = (await createUser(t(), ['ADMIN'])).auth;
  });
  const wording = {
    addressZh: '测试市测试区幸福路 1 号',
    addressEn: '1 Xingfu Road, Test District',
    titleZh: '公益事业捐赠收据',
    titleEn: 'Donation receipt',
    statementZh: '捐赠人未因本次捐赠获得任何回报。',
    statementEn: 'Nothing was given in return for this gift.',
    signatory: '理事长 王芳',
  };

  it('replaces the wording (audited); new receipts print it', async () => {
    const before = bodyOf(await api.get('/api/v1/receipts/settings'), 200);
    expect(before).toMatchObject({ titleEn: 'Donation receipt', hasSeal: false });
    expect(before).not.toHaveProperty('sealPng');
    const saved = bodyOf(await api.put('/api/v1/receipts/settings', wording), 200);
    expect(saved).toMatchObject(wording);
    expect(bodyOf(await api.get('/api/v1/receipts/settings'), 200)).toMatchObject(wording);
    const [audit] = await t().dataSource.query(
      `SELECT after FROM audit_log WHERE action = 'receipt.settings_changed' ORDER BY id DESC LIMIT 1`,
    );
    expect(audit.after).toMatchObject({ signatory: '理事长 王芳' });

    const gift = await paidGift();
    const receipt = await liveReceipt(gift.id);
    const [row] = await t().dataSource.query(`SELECT content FROM receipts WHERE id = $1`, [
      receipt.id,
    ]);
    expect(row.content.foundation.addressZh).toBe(wording.addressZh);
    expect(row.content.wording.signatory).toBe('理事长 王芳');
  });

  it('refuses wording outside the limits with what to fix', async () => {
    expect(
      err(await api.put('/api/v1/receipts/settings', { ...wording, titleZh: '票'.repeat(61) })),
    ).toMatchObject(invalid('titleZh must be 1–60 characters'));
    expect(
      err(await api.put('/api/v1/receipts/settings', { ...wording, statementEn: '' })),
    ).toMatchObject(invalid('statementEn must be 1–1000 characters'));
    expect(
      err(await api.put('/api/v1/receipts/settings', { ...wording, addressEn: 'x'.repeat(301) })),
    ).toMatchObject(invalid('addressEn must be at most 300 characters'));
    const { signatory: _s, ...missing } = wording;
    expect(err(await api.put('/api/v1/receipts/settings', missing))).toMatchObject(
      invalid('signatory'),
    );
  });

  it('takes a seal through the API as a raw image, refusing what is not one or too large', async () => {
    const put = (body: Buffer, type: string) =>
      request(t().server)
        .put('/api/v1/receipts/settings/seal')
        .set(adminAuth)
        .set('content-type', type)
        .send(body);
    const png = await put(await solidImage('png', { width: 120, height: 120 }), 'image/png');
    expect(png.status).toBe(200);
    expect(png.body).toMatchObject({ hasSeal: true });
    const text = await put(Buffer.from('not an image'), 'image/png');
    expect(text.status).toBe(415);
    expect(text.body).toMatchObject({
      code: 'RECEIPT_SEAL_INVALID',
      message: 'The seal image is not a PNG or JPEG image (judged by its content, not its name).',
    });
    const big = Buffer.concat([PNG, Buffer.alloc(1024 * 1024 + 1)]);
    const tooLarge = await put(big, 'image/png');
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body.code).toBe('RECEIPT_SEAL_TOO_LARGE');
    expect(tooLarge.body.message).toContain('it may be at most 1 MB');
    const json = await request(t().server)
      .put('/api/v1/receipts/settings/seal')
      .set(adminAuth)
      .send({ seal: 'x' });
    expect(json.status).toBe(415);
    expect(json.body.code).toBe('RECEIPT_SEAL_INVALID');
    const gif = await put(Buffer.from('GIF89a'), 'image/gif');
    expect(gif.status).toBe(415);
  });

  it('is for ADMIN only; FINANCE may not change it', async () => {
    const finance = await createUser(t(), ['FINANCE']);
    const res = await request(t().server)
      .put('/api/v1/receipts/settings')
      .set(finance.auth)
      .send(wording);
    expect(res.status).toBe(403);
  });

  it('the settings page saves the wording, and takes a seal re-encoded as PNG with a preview', async () => {
    const admin = await createUser(t(), ['ADMIN']);
    const browser = formSession(t().server);
    expect((await browser.signIn(admin.email, TEST_PASSWORD)).status).toBe(303);
    const page = await browser.agent.get('/admin/receipts/settings?lang=en').expect(200);
    expect(page.text).toContain('href="/admin/receipts/settings"');

    const tooLong = await browser.post('/admin/receipts/settings', {
      ...wording,
      titleEn: 'x'.repeat(61),
    });
    expect(tooLong.status).toBe(400);
    expect(tooLong.text).toMatch(/id="e-s-titleEn">Required, 1–60 characters\.</);
    const ok = await browser.post('/admin/receipts/settings', { ...wording, signatory: '秘书长' });
    expect(ok.status).toBe(303);
    expect(bodyOf(await api.get('/api/v1/receipts/settings'), 200).signatory).toBe('秘书长');

    const csrf = await browser.csrf();
    const notImage = await browser.agent
      .post('/admin/receipts/settings/seal')
      .field('_csrf', csrf)
      .attach('seal', Buffer.from('<svg onload="alert(1)"></svg>'), 'seal.png');
    expect(notImage.status).toBe(415);
    expect(notImage.text).toContain('is not a PNG or JPEG image');

    const jpeg = await solidImage('jpeg', { width: 400, height: 300 });
    const uploaded = await browser.agent
      .post('/admin/receipts/settings/seal')
      .field('_csrf', csrf)
      .attach('seal', jpeg, 'seal.jpg');
    expect(uploaded.status).toBe(303);
    const after = await browser.agent.get('/admin/receipts/settings?lang=en').expect(200);
    const src = /id="seal-preview">\s*<img src="([^"]+)"/
      .exec(after.text)?.[1]
      ?.replace(/&#x3D;/g, '=');
    expect(src).toMatch(/^\/admin\/receipts\/settings\/seal\.png\?v=\d+$/);
    const png = await browser.agent.get(src!).expect(200);
    expect(png.headers['content-type']).toBe('image/png');
    expect((png.body as Buffer).subarray(0, 8)).toEqual(PNG.subarray(0, 8));
    expect(bodyOf(await api.get('/api/v1/receipts/settings'), 200).hasSeal).toBe(true);
  });
});

describe('tax fields on gifts', () => {
  it('takes an address and an ID or credit code, stores them and prints them on the receipt only', async () => {
    const gift = await paidGift({
      receiptAddress: '北京市朝阳区某路 8 号',
      receiptTaxId: '11010119900307001X',
      receiptTaxConsent: true,
      anonymous: false,
    });
    const receipt = await liveReceipt(gift.id);
    const [row] = await t().dataSource.query(`SELECT content FROM receipts WHERE id = $1`, [
      receipt.id,
    ]);
    expect(row.content.donor).toMatchObject({
      address: '北京市朝阳区某路 8 号',
      taxId: '11010119900307001X',
    });
    const donation = await t().get(DonationsService).get(gift.id);
    expect(donation).toMatchObject({ receiptTaxId: '11010119900307001X' });
    // Never on a public page: the campaign's recent gifts show the donor, not the tax details.
    const publicPage = await request(t().server).get(`/campaigns/${slug}`).expect(200);
    expect(publicPage.text).toContain('陈静');
    expect(publicPage.text).not.toContain('11010119900307001X');
    expect(publicPage.text).not.toContain('朝阳区某路');
    const status = await request(t().server).get(`/api/v1/donations/${gift.id}/status`).expect(200);
    expect(JSON.stringify(status.body)).not.toContain('11010119900307001X');
  });

  it('refuses a tax field that is too long or not letters and digits, saying what to fix', async () => {
    const base = { amountMinor: 5_000, donorName: '陈静', donorEmail: 'tax@example.org' };
    expect(
      err(
        await api.post(`/api/v1/campaigns/${slug}/donations`, {
          ...base,
          receiptAddress: '路'.repeat(301),
        }),
      ),
    ).toMatchObject(invalid('receiptAddress must be at most 300 characters; shorten the address'));
    expect(
      err(
        await api.post(`/api/v1/campaigns/${slug}/donations`, {
          ...base,
          receiptTaxId: '1'.repeat(41),
        }),
      ),
    ).toMatchObject(
      invalid('receiptTaxId must be an ID card number or unified social credit code'),
    );
    expect(
      err(
        await api.post(`/api/v1/campaigns/${slug}/donations`, {
          ...base,
          receiptTaxId: '110101 1990',
        }),
      ),
    ).toMatchObject(invalid('1–40 letters and digits, no spaces'));
  });

  it('the donation form keeps them in a collapsed section and answers a bad one beside its field', async () => {
    const browser = formSession(t().server);
    const form = await browser.agent.get(`/campaigns/${slug}?lang=en`).expect(200);
    expect(form.text).toMatch(/<details class="tax-receipt" id="tax-receipt">/);
    expect(form.text).toContain('Need a tax receipt?');
    const bad = await browser.post(`/campaigns/${slug}/donate?lang=en`, {
      amount: '50.00',
      donorName: '陈静',
      donorEmail: 'form-tax@example.org',
      receiptAddress: 'Somewhere',
      receiptTaxId: 'ID-123',
    });
    expect(bad.status).toBe(422);
    expect(bad.text).toMatch(/<details class="tax-receipt" id="tax-receipt" open/);
    expect(bad.text).toMatch(
      /id="e-receiptTaxId">The ID card number or credit code may only be letters and digits/,
    );
    expect(bad.text).toContain('value="Somewhere"');

    const good = await browser.post(`/campaigns/${slug}/donate?lang=en`, {
      step: 'pay',
      amount: '50.00',
      donorName: '陈静',
      donorEmail: 'form-tax@example.org',
      receiptAddress: 'Somewhere 1',
      receiptTaxId: '91110000MA01ABCD2X',
      receiptTaxConsent: 'on',
    });
    expect(good.status).toBe(303);
    const [row] = await t().dataSource.query(
      `SELECT receipt_address, receipt_tax_id FROM donations WHERE donor_email = 'form-tax@example.org'`,
    );
    expect(row).toEqual({ receipt_address: 'Somewhere 1', receipt_tax_id: '91110000MA01ABCD2X' });
  });

  it('offline gifts take them, one by one and from CSV', async () => {
    const one = bodyOf(
      await api.post('/api/v1/donations/offline', {
        campaignSlug: slug,
        amountMinor: 20_000,
        donorName: '某某有限公司',
        donorEmail: 'company@example.org',
        method: 'BANK',
        reference: `TAX-${randomUUID().slice(0, 8)}`,
        receiptAddress: '上海市某区某路 2 号',
        receiptTaxId: '91310000MA1FL1234X',
      }),
      201,
    );
    const receipt = await liveReceipt(one.donation.id);
    const [row] = await t().dataSource.query(`SELECT content FROM receipts WHERE id = $1`, [
      receipt.id,
    ]);
    expect(row.content.donor).toMatchObject({ taxId: '91310000MA1FL1234X' });

    // The back office's form: a bad code beside its field in the reader's language; the gift's
    // page shows them to staff.
    const finance = await createUser(t(), ['FINANCE']);
    const browser = formSession(t().server);
    expect((await browser.signIn(finance.email, TEST_PASSWORD)).status).toBe(303);
    const typed = {
      campaignSlug: slug,
      amount: '300.00',
      donorName: '赵敏',
      donorEmail: 'zhao.min@example.org',
      method: 'CASH',
      reference: `PAGE-TAX-${randomUUID().slice(0, 6)}`,
      receiptAddress: '广州市某路 5 号',
      receiptTaxId: '4401 0619',
    };
    const refused = await browser.post('/admin/donations/offline?lang=zh-CN', typed);
    expect(refused.status).toBe(400);
    expect(refused.text).toMatch(
      /id="e-o-receiptTaxId">身份证号或统一社会信用代码只能是字母和数字（不含空格），最多 40 位。</,
    );
    const recorded = await browser.post('/admin/donations/offline?lang=en', {
      ...typed,
      receiptTaxId: '440106199001011234',
    });
    expect(recorded.status).toBe(303);
    const giftPage = await browser.agent.get(recorded.headers.location as string).expect(200);
    expect(giftPage.text).toMatch(/id="gift-tax-address">广州市某路 5 号</);
    expect(giftPage.text).toMatch(/id="gift-tax-id">440106199001011234</);

    const ref = `CSV-TAX-${randomUUID().slice(0, 6)}`;
    const report = bodyOf(
      await api.post('/api/v1/donations/offline/import', {
        csv: [
          'campaign_slug,amount,donor_name,donor_email,method,reference,receipt_address,receipt_tax_id',
          `${slug},100.00,李四,lisi@example.org,BANK,${ref},杭州市某路 3 号,330106199001011234`,
          `${slug},100.00,王五,wangwu@example.org,BANK,${ref}-B,,330106 1990`,
        ].join('\n'),
      }),
      200,
    );
    expect(report).toMatchObject({ recorded: 1, errors: 1 });
    expect(report.rows[1].message).toContain('receiptTaxId');
    const [imported] = await t().dataSource.query(
      `SELECT receipt_address, receipt_tax_id FROM donations WHERE provider_payment_id = $1`,
      [`offline:${ref}`],
    );
    expect(imported).toEqual({
      receipt_address: '杭州市某路 3 号',
      receipt_tax_id: '330106199001011234',
    });
  });
});

describeWholeFileChecks(api, {
  codes: [
    'RECEIPT_GIFT_NOT_RECEIVED',
    'RECEIPT_ALREADY_VOID',
    'RECEIPT_NOT_FOUND',
    'VALIDATION_FAILED',
  ],
  movedMoney: true,
});
