import { WechatSignIn, WechatSignInRefusedError } from '../payments/wechatpay/wechat-oauth';
import { Injectable } from '@nestjs/common';
import QRCode from 'qrcode';
import type { Actor } from '../../common/context/request-context';
import { isUUID } from 'class-validator';
import { DomainError, errorText } from '../../common/errors';
import { checkForm, type FieldErrors } from '../../common/http/forms';
import { translate, type SupportedLocale } from '../../common/i18n/i18n';
import { formatMoney, parseAmountField, toDecimalString } from '../../common/money';
import { AppConfig } from '../../config/app-config';
import { CampaignsService } from '../campaigns/campaigns.service';
import type { CampaignView } from '../campaigns/campaigns.types';
import { DonationNotFoundError } from '../donations/donations.errors';
import type { PaymentRail } from '../payments/payment-events';
import { METHOD_OF_RAIL } from '../payments/rail-choice';
import { DonationsService, FEE_COVER_BP, feeCover } from '../donations/donations.service';
import type { Donation } from '../donations/donations.types';
import { CreateDonationDto } from '../donations/dto/create-donation.dto';
import { FoundationService } from '../foundation/foundation.service';
import { FundsService } from '../funds/funds.service';
import { MatchingService } from '../matching/matching.service';
import { PrivacyNoticeService } from '../privacy/policy/privacy-notice.service';
import { beijingDateTime } from '../../common/dates/beijing-time';
import { campaignWindow, plainExcerpt, progressBar } from './campaign-disclosure';

/** What the donation form sent, as text (checkboxes are "on" when ticked). */
export type DonationFormBody = Record<string, unknown>;

export interface DonationFormState {
  values: Record<string, string | boolean>;
  errors: FieldErrors;
  formError: string | null;
  /** Back from a checkout that did not complete: "nothing was charged", above the form. */
  notCompleted?: { declined: boolean } | null;
}

/** What an empty required field says. */
const REQUIRED_FIELD: Record<string, string> = {
  donorName: 'giving.nameRequired',
  donorEmail: 'giving.emailRequired',
};

/** The form's fields in page order: the error summary lists problems in this order. */
const FORM_FIELDS = [
  'amount',
  'donorName',
  'donorEmail',
  'dedication',
  'message',
  'receiptAddress',
  'receiptTaxId',
  'receiptTaxConsent',
] as const;

/** Where each field's problem in the summary links to (the amount's first button). */
const FIELD_ANCHOR: Record<string, string> = { amount: 'f-amount-first' };

/** What the form sends back: every entry, as text (checkboxes "on"), for hidden fields. */
const KEPT_TEXT = [
  'amount',
  'otherAmount',
  'donorName',
  'donorEmail',
  'message',
  'dedication',
  'receiptAddress',
  'receiptTaxId',
  'method',
] as const;
const KEPT_TICKS = ['anonymous', 'coverFee', 'monthly', 'receiptTaxConsent'] as const;

/** The donation form's answer: on to the checkout, the review, or the form again. */
export type DonateOutcome =
  | { checkoutUrl: string; donationId: string; returnToken: string }
  | { review: ReturnType<CampaignPagesService['reviewView']> }
  | { form: DonationFormState; status: 200 | 422 };

/** The form's field names; the DTO's names where they differ (amountMinor is typed as yuan here). */
const FORM_FIELD: Record<string, string> = { amountMinor: 'amount' };
/** The form fields' messages in the visitor's language (the DTO's are the API's, in English). */
const FIELD_ERROR: Record<string, string> = {
  receiptAddress: 'campaign.taxAddressInvalid',
  receiptTaxId: 'campaign.taxIdInvalid',
  // The donor's own fields: what to fix, said for this form (each field has one or two rules).
  donorName: 'giving.nameInvalid',
  donorEmail: 'giving.emailInvalid',
  dedication: 'giving.dedicationInvalid',
  message: 'giving.messageInvalid',
};

/**
 * View models for a campaign's public pages (the story, totals and the donation form; the
 * thank-you page; the "busy, retrying" page): plain data, in the visitor's language.
 */
@Injectable()
export class CampaignPagesService {
  constructor(
    private readonly campaigns: CampaignsService,
    private readonly matching: MatchingService,
    private readonly donations: DonationsService,
    private readonly foundation: FoundationService,
    private readonly funds: FundsService,
    private readonly config: AppConfig,
    private readonly wechatSignIn: WechatSignIn,
    private readonly privacy: PrivacyNoticeService,
  ) {}

  async campaign(
    actor: Actor | undefined,
    slug: string,
    locale: SupportedLocale,
    form?: DonationFormState,
    userAgent?: string,
  ) {
    const campaign = await this.campaigns.getVisible(actor, slug);
    const [matching, updates, gifts, disclosure, privacyNotices] = await Promise.all([
      this.matching.status(campaign.id),
      this.campaigns.recentUpdates(campaign.id, 5),
      this.donations.recentPublic(campaign.id),
      this.disclosure(campaign, locale),
      this.privacy.notices(['donation', 'receiptTax'], locale),
    ]);
    const rule = matching?.rule;
    const en = locale === 'en';
    const decimal = (amountMinor: number) => toDecimalString(amountMinor, campaign.currency);
    const title = en ? campaign.titleEn : campaign.titleZh;
    const pageUrl = this.campaignUrl(campaign.slug, locale);
    const widgetUrl = this.absolute(
      `/campaigns/${encodeURIComponent(campaign.slug)}/widget?lang=${locale}`,
    );
    return {
      title,
      /** The pools a change to which changes this page (the page cache's tags). */
      fundIds: [campaign.fundId, ...(rule ? [rule.poolFundId] : [])],
      campaignId: campaign.id,
      og: this.openGraph(campaign, locale),
      share: {
        url: pageUrl,
        weiboUrl: `https://service.weibo.com/share/share.php?${new URLSearchParams({ url: pageUrl, title }).toString()}`,
        mailto: `mailto:?subject=${encodeURIComponent(title)}&body=${encodeURIComponent(pageUrl)}`,
        embedCode: `<iframe src="${widgetUrl}" width="320" height="300" style="border:0" title="${escapeAttribute(title)}" loading="lazy"></iframe>`,
      },
      disclosure,
      progress: progressBar(
        campaign.totals.raisedMinor,
        campaign.totals.matchedMinor,
        campaign.totals.goalMinor,
      ),
      campaign: {
        slug: campaign.slug,
        status: campaign.status,
        currency: campaign.currency,
        coverImageUrl: campaign.coverImageUrl,
        coverSrcset: campaign.coverSrcset,
        coverSizes: campaign.coverSizes,
        coverWidth: campaign.coverWidth,
        coverHeight: campaign.coverHeight,
        acceptingGifts: campaign.acceptingGifts,
        ended: campaign.status === 'ENDED',
        // Sanitised when the story was saved (campaign-markdown.ts): safe to insert as HTML.
        storyHtml: en ? campaign.storyHtmlEn : campaign.storyHtmlZh,
        totals: campaign.totals,
        minAmountMinor: campaign.minAmountMinor,
        presets: campaign.presetAmountsMinor.map((amountMinor) => ({
          amountMinor,
          value: decimal(amountMinor),
        })),
      },
      // A paused, ended or out-of-window rule promises nothing.
      matching:
        matching && rule && matching.active && withinWindow(rule, new Date())
          ? {
              ratioPercent: rule.mode === 'RATIO' ? (rule.ratioBp ?? 0) / 100 : null,
              random: rule.mode === 'RANDOM',
              capPerGiftMinor: rule.capPerGiftMinor,
              remainingMinor: matching.remainingMinor,
              exhausted: matching.exhausted,
            }
          : null,
      gifts,
      updates: updates.map((u) => ({
        title: en ? u.titleEn : u.titleZh,
        bodyHtml: en ? u.bodyHtmlEn : u.bodyHtmlZh,
        publishedAt: u.publishedAt,
      })),
      form: formView(form ?? { values: this.defaultValues(campaign), errors: {}, formError: null }),
      payment: this.paymentChoices(userAgent, form?.values.method, locale),
      feeCoverPercent: FEE_COVER_BP / 100,
      feeCoverBp: FEE_COVER_BP,
      privacyNotices,
    };
  }

  /**
   * The form's 支付方式 choice: the enabled rails in the order this browser's donor expects
   * (WeChat Pay first inside WeChat, Alipay first inside Alipay), the one chosen before (or the
   * first) selected; shown only when there is a choice. Monthly gifts need a card: said so when
   * the card is one choice among others.
   */
  private paymentChoices(
    userAgent: string | undefined,
    chosen: string | boolean | undefined,
    locale: SupportedLocale,
  ) {
    const enabled = this.donations.paymentChoices(userAgent);
    const selected = enabled.some((c) => METHOD_OF_RAIL[c.rail] === chosen)
      ? chosen
      : enabled[0] && METHOD_OF_RAIL[enabled[0].rail];
    const label: Record<PaymentRail, string> = {
      WECHAT_PAY: translate(locale, 'giving.methodWechatPay'),
      ALIPAY: translate(locale, 'giving.methodAlipay'),
      STRIPE: translate(locale, 'giving.methodCard'),
    };
    return {
      show: enabled.length > 1,
      choices: enabled.map((c) => ({
        value: METHOD_OF_RAIL[c.rail],
        label: label[c.rail],
        checked: METHOD_OF_RAIL[c.rail] === selected,
      })),
      monthlyByCard: enabled.length > 1 && enabled.some((c) => !c.recurring),
    };
  }

  /**
   * The page's form, in three steps on one address: entries (checked, and sent back with a
   * message beside each field to fix), the review (what will be paid: gift, fee cover, total, once
   * or monthly, the name shown), then `step=pay`, which starts the gift and names the checkout to
   * send the donor to. `step=edit` is the review's "change": the form again, as it was filled in.
   * A busy provider surfaces as a PROVIDER_BUSY DomainError naming the kept gift (the controller
   * shows the "busy, retrying" page).
   */
  async donate(
    actor: Actor | undefined,
    slug: string,
    body: DonationFormBody,
    meta: { ip?: string; acceptLanguage?: string; userAgent?: string; locale: SupportedLocale },
  ): Promise<DonateOutcome> {
    const campaign = await this.campaigns.getVisible(actor, slug);
    const text = (name: string) => (typeof body[name] === 'string' ? body[name].trim() : '');
    const ticked = (name: string) => body[name] === 'on' || body[name] === 'true';
    // "Other amount" is its own choice: a typed amount next to a chosen preset is a question, not
    // a silent pick.
    const preset = text('amount');
    const values = {
      amount: preset === 'other' || !preset ? text('otherAmount') : preset,
      choice: preset || (text('otherAmount') ? 'other' : ''),
      otherAmount: text('otherAmount'),
      donorName: text('donorName'),
      donorEmail: text('donorEmail'),
      message: text('message'),
      dedication: text('dedication'),
      anonymous: ticked('anonymous'),
      coverFee: ticked('coverFee'),
      monthly: ticked('monthly'),
      receiptAddress: text('receiptAddress'),
      receiptTaxId: text('receiptTaxId'),
      receiptTaxConsent: ticked('receiptTaxConsent'),
      method: text('method'),
    };
    const step = text('step');
    const fail = (errors: FieldErrors, formError: string | null = null) => ({
      form: { values, errors, formError },
      status: 422 as const,
    });
    if (step === 'edit') return { form: { values, errors: {}, formError: null }, status: 200 };
    if (preset && preset !== 'other' && values.otherAmount && values.otherAmount !== preset) {
      return fail({ amount: translate(meta.locale, 'campaign.presetOrOther') });
    }
    const amount = values.amount
      ? parseAmountField(values.amount, campaign.currency)
      : { amountMinor: null, error: 'campaign.chooseAmount' };
    if (amount.error !== null) return fail({ amount: translate(meta.locale, amount.error) });
    const amountMinor = amount.amountMinor;
    const checked = checkForm(
      CreateDonationDto,
      {
        amountMinor,
        donorName: values.donorName,
        donorEmail: values.donorEmail,
        message: values.message,
        dedication: values.dedication,
        anonymous: values.anonymous,
        coverFee: values.coverFee,
        monthly: values.monthly,
        locale: meta.locale,
        captchaToken: text('captchaToken'),
        receiptAddress: values.receiptAddress,
        receiptTaxId: values.receiptTaxId,
        receiptTaxConsent: values.receiptTaxConsent,
        // Left out, the API's default (cards when enabled): forms posted without a choice.
        ...(values.method ? { method: values.method } : {}),
      },
      meta.locale,
    );
    if (checked.errors) {
      const errors: FieldErrors = {};
      for (const [field, message] of Object.entries(checked.errors)) {
        const fieldKey = FIELD_ERROR[field];
        errors[FORM_FIELD[field] ?? field] = fieldKey ? translate(meta.locale, fieldKey) : message;
      }
      // A field left empty is asked for in words of its own (not as a malformed value).
      for (const [field, key] of Object.entries(REQUIRED_FIELD)) {
        if (errors[field] && !values[field as keyof typeof values]) {
          errors[field] = translate(meta.locale, key);
        }
      }
      return fail(errors);
    }
    if ((values.receiptAddress || values.receiptTaxId) && !values.receiptTaxConsent) {
      return fail({
        receiptTaxConsent: translate(meta.locale, 'errors.privacy.consent.taxConsentRequired'),
      });
    }
    if (amountMinor < campaign.minAmountMinor) {
      return fail({
        amount: translate(meta.locale, 'giving.belowMinimum', {
          min: formatMoney(campaign.minAmountMinor, campaign.currency, meta.locale),
        }),
      });
    }
    if (step !== 'pay') {
      return { review: this.reviewView(campaign, values, amountMinor, meta.locale) };
    }
    try {
      const started = await this.donations.start(slug, checked.value, meta);
      const returnToken = await this.donations.returnToFormLink(started.id);
      return { checkoutUrl: started.checkoutUrl, donationId: started.id, returnToken };
    } catch (error) {
      if (!(error instanceof DomainError) || error.code === 'PROVIDER_BUSY') throw error;
      const message = errorText(error, meta.locale);
      if (error.code === 'AMOUNT_BELOW_MINIMUM') return fail({ amount: message });
      if (error.code === 'TAX_CONSENT_REQUIRED') return fail({ receiptTaxConsent: message });
      return fail({}, message);
    }
  }

  /**
   * The review before paying: what the donor gives, what covering the fee adds, the total and how
   * often, and the name the campaign's page will show. Every entry rides along in hidden fields,
   * so "change" brings the form back as it was and "pay" sends the same gift.
   */
  reviewView(
    campaign: CampaignView,
    values: Record<string, string | boolean>,
    amountMinor: number,
    locale: SupportedLocale,
  ) {
    const coverMinor = values.coverFee ? feeCover(amountMinor) : 0;
    const kept = [
      ...KEPT_TEXT.map((name) => ({ name, value: String(values[name] ?? '') })),
      ...KEPT_TICKS.filter((name) => values[name] === true).map((name) => ({ name, value: 'on' })),
    ].filter((field) => field.value !== '');
    // The preset's button sends its value; "other" sends what was typed.
    const amountField = kept.find((field) => field.name === 'amount');
    if (amountField && values.choice === 'other') amountField.value = 'other';
    const title = locale === 'en' ? campaign.titleEn : campaign.titleZh;
    return {
      title,
      slug: campaign.slug,
      currency: campaign.currency,
      giftMinor: amountMinor,
      coverMinor,
      totalMinor: amountMinor + coverMinor,
      monthly: values.monthly === true,
      anonymous: values.anonymous === true,
      donorName: String(values.donorName ?? ''),
      donorEmail: String(values.donorEmail ?? ''),
      dedication: String(values.dedication ?? ''),
      message: String(values.message ?? ''),
      taxReceipt: Boolean(values.receiptAddress || values.receiptTaxId),
      method: methodLabel(values.method, locale),
      hidden: kept,
      // The review answers a POST: the language switch goes to the campaign's page instead.
      switchLocaleUrl: `/campaigns/${encodeURIComponent(campaign.slug)}?lang=${locale === 'en' ? 'zh-CN' : 'en'}`,
    };
  }

  /**
   * Back from a checkout that did not complete (declined, or the donor went back): the campaign's
   * page with "nothing was charged" above the form, filled in from the gift when this browser
   * started it (the HttpOnly cookie's link names it). A gift that was paid after all goes to the
   * thank-you page instead.
   */
  async returned(
    actor: Actor | undefined,
    slug: string,
    donationId: string | undefined,
    returnToken: string | undefined,
    locale: SupportedLocale,
    userAgent?: string,
  ): Promise<
    { redirect: string } | { view: Awaited<ReturnType<CampaignPagesService['campaign']>> }
  > {
    const campaign = await this.campaigns.getVisible(actor, slug);
    const gift =
      donationId && isUUID(donationId)
        ? await this.donations.publicStatus(donationId).catch(() => null)
        : null;
    const ours = gift && gift.campaignId === campaign.id ? gift : null;
    if (ours && ['SUCCEEDED', 'PARTIALLY_REFUNDED'].includes(ours.status)) {
      return {
        redirect: `/campaigns/${encodeURIComponent(campaign.slug)}/thanks?donation=${ours.id}&lang=${locale}`,
      };
    }
    const kept = ours ? await this.donations.byReturnToFormLink(returnToken, ours.id) : null;
    const decimal = (minor: number) => toDecimalString(minor, campaign.currency);
    const form: DonationFormState = {
      values: kept
        ? keptValues(kept, campaign.presetAmountsMinor.map(decimal), decimal)
        : this.defaultValues(campaign),
      errors: {},
      formError: null,
      notCompleted: { declined: ours?.status === 'FAILED' },
    };
    return { view: await this.campaign(actor, slug, locale, form, userAgent) };
  }

  private defaultValues(campaign: CampaignView): Record<string, string | boolean> {
    const first = campaign.presetAmountsMinor[0];
    return {
      choice: first !== undefined ? toDecimalString(first, campaign.currency) : 'other',
    };
  }

  /** The embeddable card: title, totals, progress and where to give (no form, no story). */
  async widget(actor: Actor | undefined, slug: string, locale: SupportedLocale) {
    const campaign = await this.campaigns.getVisible(actor, slug);
    const rule = await this.matching.getRule(campaign.id);
    const title = locale === 'en' ? campaign.titleEn : campaign.titleZh;
    return {
      title,
      campaignId: campaign.id,
      fundIds: [campaign.fundId, ...(rule ? [rule.poolFundId] : [])],
      pageUrl: this.campaignUrl(campaign.slug, locale),
      campaign: {
        currency: campaign.currency,
        totals: campaign.totals,
        acceptingGifts: campaign.acceptingGifts,
      },
      progress: progressBar(
        campaign.totals.raisedMinor,
        campaign.totals.matchedMinor,
        campaign.totals.goalMinor,
      ),
      window: windowView(campaign, locale),
    };
  }

  /**
   * Who raises the money and under which permissions, as China's Charity Law asks every public
   * fundraising to show: the beneficiary fund and its community, the organiser's legal name and
   * registration number, the public fundraising qualification and the plan's filing number (an
   * unset one is said to be "not provided", never hidden), and the campaign's dates.
   */
  private async disclosure(campaign: CampaignView, locale: SupportedLocale) {
    const en = locale === 'en';
    const pick = (zh: string, en_: string) => (en ? en_ : zh);
    const [fund, profile] = await Promise.all([
      this.funds.get(campaign.fundId),
      this.foundation.findProfile(),
    ]);
    const subdistrict = fund.community
      ? await this.foundation.getSubdistrict(fund.community.subdistrictId).catch(() => null)
      : null;
    return {
      fund: {
        name: pick(fund.nameZh, fund.nameEn),
        url: `/funds/${encodeURIComponent(fund.code)}?lang=${locale}`,
      },
      community: fund.community
        ? {
            name: pick(fund.community.nameZh, fund.community.nameEn),
            subdistrict: subdistrict ? pick(subdistrict.nameZh, subdistrict.nameEn) : null,
          }
        : null,
      organiser: profile
        ? {
            name: pick(profile.legalNameZh, profile.legalNameEn),
            registrationNumber: profile.registrationNumber,
          }
        : null,
      qualification: profile?.fundraisingQualification ?? '',
      filingNumber: campaign.filingNumber,
      window: windowView(campaign, locale),
    };
  }

  /** OpenGraph and Twitter-card values: plain text and absolute addresses, in one language. */
  private openGraph(campaign: CampaignView, locale: SupportedLocale) {
    const en = locale === 'en';
    return {
      title: en ? campaign.titleEn : campaign.titleZh,
      description: plainExcerpt(en ? campaign.storyEn : campaign.storyZh),
      url: this.campaignUrl(campaign.slug, locale),
      image: campaign.coverImageUrl ? this.absolute(campaign.coverImageUrl) : null,
      type: 'website',
      locale: en ? 'en_US' : 'zh_CN',
      alternateLocale: en ? 'zh_CN' : 'en_US',
    };
  }

  private campaignUrl(slug: string, locale: SupportedLocale): string {
    return this.absolute(`/campaigns/${encodeURIComponent(slug)}?lang=${locale}`);
  }

  private absolute(path: string): string {
    return new URL(path, this.config.publicUrl).toString();
  }

  /** The "busy, retrying" page of a kept gift, or where to go when its checkout is open. */
  async resume(
    slug: string,
    donationId: string,
    attempt: number,
    locale: SupportedLocale,
  ): Promise<{ redirect: string } | { busy: { retryUrl: string | null; seconds: number } }> {
    try {
      const { checkoutUrl, donation } = await this.donations.resumeCheckout(donationId);
      if (checkoutUrl) return { redirect: checkoutUrl };
      return {
        redirect: `/campaigns/${encodeURIComponent(slug)}/thanks?donation=${donation.id}&lang=${locale}`,
      };
    } catch (error) {
      if (!(error instanceof DomainError) || error.code !== 'PROVIDER_BUSY') throw error;
      return { busy: busyPage(slug, donationId, attempt, locale) };
    }
  }

  /**
   * Our own payment page for a gift paid without leaving this site: a QR code to scan (WeChat
   * Pay Native on a desktop), or WeChat's in-app pay sheet (JSAPI). Anything else, and a gift no
   * longer waiting for payment, is sent on: to its hosted checkout, or to the thank-you page.
   */
  async payPage(
    actor: Actor | undefined,
    slug: string,
    donationId: string,
    locale: SupportedLocale,
  ): Promise<
    { redirect: string } | { view: Awaited<ReturnType<CampaignPagesService['payView']>> }
  > {
    const { campaign, gift, thanks } = await this.waitingGift(actor, slug, donationId, locale);
    if (gift.status !== 'PENDING') return { redirect: thanks };
    if (!gift.checkoutQr && !gift.checkoutInvoke) {
      if (gift.checkoutUrl && !gift.checkoutUrl.includes(`/pay/${gift.id}`)) {
        return { redirect: gift.checkoutUrl };
      }
      throw new DonationNotFoundError(donationId);
    }
    return { view: await this.payView(campaign, gift, thanks, locale) };
  }

  /**
   * Inside WeChat with an official account: where the donor signs in silently (WeChat's authorize
   * page), coming back to wechatReturn. A gift no longer waiting goes to its thank-you page.
   */
  async wechatSignInUrl(
    actor: Actor | undefined,
    slug: string,
    donationId: string,
    locale: SupportedLocale,
  ): Promise<string> {
    const { campaign, gift, thanks } = await this.waitingGift(actor, slug, donationId, locale);
    const oauth = this.wechatSignIn.oauth;
    if (gift.status !== 'PENDING' || !oauth || gift.provider !== 'WECHAT_PAY') return thanks;
    const back = `${this.config.publicUrl}/campaigns/${encodeURIComponent(campaign.slug)}/pay/${gift.id}/wechat-return?lang=${locale}`;
    return oauth.authorizeUrl(back, gift.id);
  }

  /**
   * WeChat's sign-in came back: the state must be the one made for this gift, the code is
   * exchanged for the donor's openid, and the gift's JSAPI order is opened; then the payment page
   * calls WeChat's pay sheet.
   */
  async wechatReturn(
    actor: Actor | undefined,
    slug: string,
    donationId: string,
    locale: SupportedLocale,
    answer: { code?: string; state?: string },
  ): Promise<string> {
    const { campaign, gift, thanks } = await this.waitingGift(actor, slug, donationId, locale);
    const oauth = this.wechatSignIn.oauth;
    if (gift.status !== 'PENDING' || !oauth) return thanks;
    if (!oauth.stateMatches(answer.state, gift.id) || !answer.code) {
      throw new WechatSignInRefusedError('state', 'not the sign-in this gift asked for');
    }
    await this.donations.openInWechat(gift.id, await oauth.openid(answer.code));
    return `/campaigns/${encodeURIComponent(campaign.slug)}/pay/${gift.id}?lang=${locale}`;
  }

  /** A campaign's gift for its payment pages, and that gift's thank-you page. */
  private async waitingGift(
    actor: Actor | undefined,
    slug: string,
    donationId: string,
    locale: SupportedLocale,
  ) {
    const campaign = await this.campaigns.getVisible(actor, slug);
    const gift = await this.donations.get(donationId);
    if (gift.campaignId !== campaign.id) throw new DonationNotFoundError(donationId);
    const thanks = `/campaigns/${encodeURIComponent(campaign.slug)}/thanks?donation=${gift.id}&lang=${locale}`;
    return { campaign, gift, thanks };
  }

  private async payView(
    campaign: CampaignView,
    gift: Donation,
    thanksUrl: string,
    locale: SupportedLocale,
  ) {
    const slug = encodeURIComponent(campaign.slug);
    const qr = gift.checkoutQr
      ? await QRCode.toString(gift.checkoutQr, {
          type: 'svg',
          errorCorrectionLevel: 'M',
          margin: 2,
        })
      : null;
    return {
      title: locale === 'en' ? campaign.titleEn : campaign.titleZh,
      slug: campaign.slug,
      amountMinor: gift.amountMinor,
      currency: gift.currency,
      wechat: gift.provider === 'WECHAT_PAY',
      // Generated here from the provider's code_url: markup of our own making.
      qrSvg: qr,
      // On the trial site the QR code names the sandbox's own cashier page: a desktop without a
      // phone at hand opens it directly (what scanning would do).
      sandboxScanUrl:
        this.config.paymentsSandbox &&
        gift.checkoutQr?.startsWith(`${this.config.publicUrl}/sandbox/`)
          ? gift.checkoutQr
          : null,
      invoke: gift.checkoutInvoke ? JSON.stringify(gift.checkoutInvoke) : null,
      thanksUrl,
      cancelUrl: `/campaigns/${slug}/not-completed?donation=${gift.id}&lang=${locale}#give`,
      // The QR page looks for the payment every 4 seconds (and moves on to the thank-you page).
      refresh: qr ? { seconds: 4, url: `/campaigns/${slug}/pay/${gift.id}?lang=${locale}` } : null,
    };
  }

  /** The thank-you page: the gift's state, refreshed while the payment is being confirmed. */
  async thanks(
    actor: Actor | undefined,
    slug: string,
    donationId: string | undefined,
    locale: SupportedLocale,
  ) {
    const campaign = await this.campaigns.getVisible(actor, slug);
    const gift = donationId
      ? await this.donations.publicStatus(donationId).catch(() => null)
      : null;
    const belongs = gift && gift.campaignId === campaign.id ? gift : null;
    const title = locale === 'en' ? campaign.titleEn : campaign.titleZh;
    const pageUrl = this.campaignUrl(campaign.slug, locale);
    return {
      title,
      slug: campaign.slug,
      gift: belongs,
      monthly: belongs?.monthly ?? false,
      portalUrl: `/donor?lang=${locale}`,
      share: {
        url: pageUrl,
        weiboUrl: `https://service.weibo.com/share/share.php?${new URLSearchParams({ url: pageUrl, title }).toString()}`,
      },
      pending: belongs?.status === 'PENDING',
      succeeded: belongs !== null && ['SUCCEEDED', 'PARTIALLY_REFUNDED'].includes(belongs.status),
      failed: belongs !== null && ['FAILED', 'EXPIRED'].includes(belongs.status),
    };
  }
}

/**
 * The form as the page shows it: with errors, a summary on top listing each problem in page
 * order (each a link to its field), and the first field with a problem to move the focus to.
 */
function formView(form: DonationFormState) {
  const summary = FORM_FIELDS.filter((field) => form.errors[field]).map((field) => ({
    anchor: FIELD_ANCHOR[field] ?? `f-${field}`,
    text: form.errors[field]!,
  }));
  return { ...form, summary, notCompleted: form.notCompleted ?? null };
}

/** A started gift's entries as the form's values again (the fee cover was added on top). */
function keptValues(
  gift: Donation,
  presets: string[],
  decimal: (minor: number) => string,
): Record<string, string | boolean> {
  const amount = decimal(gift.amountMinor - gift.feeCoverMinor);
  const preset = presets.includes(amount);
  return {
    choice: preset ? amount : 'other',
    amount,
    otherAmount: preset ? '' : amount,
    donorName: gift.donorName,
    donorEmail: gift.donorEmail ?? '',
    message: gift.message,
    dedication: gift.dedication,
    anonymous: gift.anonymous,
    coverFee: gift.feeCoverMinor > 0,
    monthly: gift.monthly,
    receiptAddress: gift.receiptAddress ?? '',
    receiptTaxId: gift.receiptTaxId ?? '',
    // Tax details were only kept with the donor's tick.
    receiptTaxConsent: Boolean(gift.receiptAddress || gift.receiptTaxId),
    method: METHOD_OF_PROVIDER[gift.provider] ?? '',
  };
}

/** The chosen way to pay in words, for the review; null when the form sent none. */
function methodLabel(method: unknown, locale: SupportedLocale): string | null {
  if (method === 'wechat_pay') return translate(locale, 'giving.methodWechatPay');
  if (method === 'alipay') return translate(locale, 'giving.methodAlipay');
  if (method === 'stripe') return translate(locale, 'giving.methodCard');
  return null;
}

/** The form's method for a started gift's provider (the sandbox stands in for cards). */
const METHOD_OF_PROVIDER: Partial<Record<Donation['provider'], string>> = {
  STRIPE: 'stripe',
  SANDBOX: 'stripe',
  WECHAT_PAY: 'wechat_pay',
  ALIPAY: 'alipay',
};

/** The campaign's dates in Beijing time and where it stands ("3 days left", "last day"…). */
function windowView(campaign: CampaignView, locale: SupportedLocale) {
  const state = campaignWindow(campaign, new Date());
  return {
    startsAt: campaign.startsAt ? beijingDateTime(campaign.startsAt, locale) : null,
    endsAt: campaign.endsAt ? beijingDateTime(campaign.endsAt, locale) : null,
    /** Something to say about the window ("3 days left"…); false when open without an end. */
    state: state.kind !== 'open',
    ended: state.kind === 'ended',
    lastDay: state.kind === 'lastDay',
    daysLeft: state.kind === 'daysLeft' ? state.days : null,
    opensAt: state.kind === 'upcoming' ? beijingDateTime(state.opensAt, locale) : null,
  };
}

/** Text for an HTML attribute in markup built here (the embed code shown in a text box). */
function escapeAttribute(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/"/g, '&quot;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

function withinWindow(rule: { startsAt: Date | null; endsAt: Date | null }, now: Date): boolean {
  return (!rule.startsAt || rule.startsAt <= now) && (!rule.endsAt || now < rule.endsAt);
}

/** Retry every 5 s for about a minute, then leave it to the donor (the gift stays kept). */
export const BUSY_ATTEMPTS = 12;

export function busyPage(
  slug: string,
  donationId: string,
  attempt: number,
  locale: SupportedLocale,
) {
  const next = attempt + 1;
  return {
    retryUrl:
      next <= BUSY_ATTEMPTS
        ? `/campaigns/${encodeURIComponent(slug)}/checkout/${donationId}?attempt=${next}&lang=${locale}`
        : null,
    seconds: 5,
  };
}
