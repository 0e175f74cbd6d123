import { createCampaign } from '../factories/campaigns.factory';
import { createFoundation } from '../factories/foundation.factory';
import { formSession } from '../utils/form-session';
import { createTestApp, type TestApp } from '../utils/test-app';

/**
 * The Chinese donation form says every problem in Chinese: each field's check (too long, markup,
 * a malformed email, a receipt address or tax id) and a refusal of the gift itself (below the
 * campaign's smallest gift, in yuan), with none of the API's English or minor units on the page.
 */
describe('the Chinese donation form’s problems', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    await createFoundation(t);
  });
  afterAll(() => t.close());

  /** Visible text of the page, without tags, scripts and styles. */
  const visible = (html: string) =>
    html
      .replace(/<(script|style)[\s\S]*?<\/\1>/g, ' ')
      .replace(/<[^>]+>/g, ' ')
      .replace(/\s+/g, ' ');
  const ENGLISH_CHECK =
    /must (be|not|have)|characters|minor units|amountMinor|donorEmail|donorName/;

  it('shows each field’s problem in Chinese, and no API English', async () => {
    const campaign = await createCampaign(t);
    const browser = formSession(t.server);
    const res = await browser.post(`/campaigns/${campaign.slug}/donate?lang=zh-CN`, {
      amount: '50.00',
      donorName: '<b>王芳</b>',
      donorEmail: 'wang.fang@',
      message: '谢'.repeat(501),
      dedication: 'x'.repeat(201),
      receiptAddress: '成华区<script>',
    });
    expect(res.status).toBe(422);
    const text = visible(res.text);
    expect(text).not.toMatch(ENGLISH_CHECK);
    const problems = [...res.text.matchAll(/<li><a href="#([^"]+)">([^<]*)<\/a><\/li>/g)].map(
      (m) => [m[1], m[2]],
    );
    expect(problems.length).toBeGreaterThanOrEqual(4);
    for (const [, said] of problems) expect(said).toMatch(/[\u4e00-\u9fff]/);
  });

  it('says a gift below the campaign’s smallest gift in Chinese, in yuan', async () => {
    const campaign = await createCampaign(t, { minAmountMinor: 10_000, presetAmountsMinor: [] });
    const browser = formSession(t.server);
    const res = await browser.post(`/campaigns/${campaign.slug}/donate?lang=zh-CN`, {
      amount: 'other',
      otherAmount: '20.00',
      donorName: '王芳',
      donorEmail: 'wang.fang@example.org',
    });
    expect(res.status).toBeGreaterThanOrEqual(400);
    const text = visible(res.text);
    expect(text).toContain('¥100.00');
    expect(text).not.toMatch(ENGLISH_CHECK);
    expect(text).not.toContain('10000');
  });
});
