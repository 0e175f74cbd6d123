import { createHmac } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import { safeEqual } from '../secrets';
import type { PageContext } from './page-context';
import { renderPage } from './render-page';

/*
 * The confirmation step before a risky back-office action (a refund, publishing a campaign,
 * closing a fund, an allocation): the first POST of the form checks it and shows a page that
 * states the amount and the effect in words, with Confirm and Back; only a POST that carries the
 * confirmation field acts. The field is an HMAC of the action's path and every other field of the
 * form, keyed with the visitor's CSRF token: a plain POST, or one whose fields differ from those
 * that were shown, is shown the page again and changes nothing. It guards against a slip, not an
 * attacker (the CSRF check, as on every form, does that).
 */

/** The form field that carries the confirmation. */
export const CONFIRM_FIELD = '_confirm';

/** The confirmation page: what happens, in words the reader can check before it does. */
export interface ConfirmPage {
  /** The heading, e.g. "确认退款". */
  title: string;
  /** One sentence above the facts (optional). */
  lead?: string;
  /** The facts as label and shown value (money already formatted: "¥40.00"). */
  facts: { label: string; value: string }[];
  /** What the action changes, one sentence each ("基金余额将从 ¥500.00 变为 ¥460.00"). */
  effects: string[];
  /** A warning shown above the buttons (e.g. the donor is not told). */
  warning?: string;
  /** The confirm button's words, e.g. "确认退款". */
  button: string;
  /** Where Back goes: the page the form was on. */
  back: string;
  /** Red confirm button: money leaves, or something cannot be undone. */
  danger?: boolean;
}

/** The fields of a form as the confirmation is bound to them: everything but the two tokens. */
function boundFields(body: unknown): [string, string | string[]][] {
  if (!body || typeof body !== 'object') return [];
  return Object.entries(body as Record<string, unknown>)
    .filter(([name]) => name !== '_csrf' && name !== CONFIRM_FIELD)
    .map(([name, value]): [string, string | string[]] => [
      name,
      Array.isArray(value) ? value.map(fieldText) : fieldText(value),
    ])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** A form field's text: forms send strings (anything else is shown as JSON, never acted on). */
function fieldText(value: unknown): string {
  return typeof value === 'string' ? value : value == null ? '' : JSON.stringify(value);
}

/** The confirmation of these fields for this path, under this visitor's secret. */
export function confirmationOf(secret: string, path: string, body: unknown): string {
  return createHmac('sha256', `lianxin-confirm:${secret}`)
    .update(JSON.stringify([path, boundFields(body)]))
    .digest('base64url');
}

/** One submission of a form that needs the confirmation step. */
export class ConfirmStep {
  /** True when the body carries the confirmation of exactly its own fields. */
  readonly confirmed: boolean;
  private readonly token: string;

  constructor(
    private readonly reply: FastifyReply,
    private readonly ctx: PageContext,
    private readonly body: unknown,
    /** The address the confirm button posts to (the form's own action, with its query). */
    private readonly action: string,
  ) {
    this.token = ctx.csrfToken ? confirmationOf(ctx.csrfToken, ctx.path, body) : '';
    const given =
      body && typeof body === 'object' ? (body as Record<string, unknown>)[CONFIRM_FIELD] : '';
    this.confirmed = this.token !== '' && typeof given === 'string' && safeEqual(given, this.token);
  }

  /** Shows the confirmation page: the same fields again (hidden) with the confirmation. */
  show(page: ConfirmPage): unknown {
    const fields = boundFields(this.body).flatMap(([name, value]) =>
      (Array.isArray(value) ? value : [value]).map((v) => ({ name, value: v })),
    );
    return renderPage(this.reply, this.ctx, 'pages/admin/confirm', {
      ...page,
      action: this.action,
      fields,
      confirmation: this.token,
    });
  }
}

/**
 * The confirmation step of this request's form. `action` is where the form posted (the request's
 * URL); the confirmation page posts there again.
 */
export function confirmStep(
  reply: FastifyReply,
  ctx: PageContext,
  body: unknown,
  action: string,
): ConfirmStep {
  return new ConfirmStep(reply, ctx, body, action);
}
