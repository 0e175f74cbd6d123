import type { FastifyReply } from 'fastify';
import { DomainError, ERROR_HTTP_STATUS, errorText } from '../errors';
import type { FieldErrors } from '../http/forms';
import { translate, type SupportedLocale } from '../i18n/i18n';
import type { ConfirmPage, ConfirmStep } from './confirm-step';
import { type Flash, setFlash } from './page-context';

/*
 * The one skeleton of every back-office form: read the body, check it, show it again with a
 * message beside each field (in the reader's language) or run the command, then flash and 303;
 * a domain error is shown on the form through its translated text (errorText).
 */

/** A form's check: the typed value, or one message (a locale key or plain text) per field. */
export type Checked<T> = { value: T; errors: null } | { value: null; errors: FieldErrors };

/** Renders the form once more: messages beside fields, one above the form, and the status. */
export type Again = (errors: FieldErrors, status: number, formError?: string) => unknown;

/** What a command that succeeded leaves: a flash (optional) and where to go (303). */
export interface Redirect {
  flash?: Flash;
  to: string;
}

/** A command whose outcome is a page of its own (a token shown once), not a redirect. */
export interface Shown {
  show: () => unknown;
}

export interface FormSubmission<T, R> {
  reply: FastifyReply;
  locale: SupportedLocale;
  /** Reads and checks the body (every problem at once where the form can). */
  check: () => Checked<T> | Promise<Checked<T>>;
  /** The form shown again; its field messages arrive already translated. */
  again: Again;
  /** The command. */
  run: (value: T) => Promise<R>;
  /** The flash and the next address once the command succeeded (may look things up). */
  done: (result: R, value: T) => Redirect | Shown | Promise<Redirect | Shown>;
  /** The field a domain error's code is shown beside; other codes go above the form. */
  fieldByCode?: Partial<Record<string, string>>;
  /**
   * An error the form shows its own way (e.g. a rule's list of problems): return the response,
   * or undefined for the usual domain-error handling.
   */
  onError?: (error: unknown) => Promise<unknown> | undefined;
  /**
   * False when the command's domain errors are the error page's to show (the form only checks
   * its fields). True unless given.
   */
  domainErrorsOnForm?: boolean;
  /**
   * A risky command's confirmation step (confirm-step.ts): until the body carries the
   * confirmation, a checked form shows the confirmation page (`page`, which may look things up
   * and refuse with a domain error shown on the form) and nothing runs.
   */
  confirm?: Confirmation<[T]>;
}

/** The confirmation step of a form or button, and its page. */
export interface Confirmation<A extends unknown[]> {
  step: ConfirmStep;
  page: (...args: A) => ConfirmPage | Promise<ConfirmPage>;
}

/** Runs one form submission through the skeleton above. */
export async function submitForm<T, R>(form: FormSubmission<T, R>): Promise<unknown> {
  const { reply, locale } = form;
  const again: Again = (errors, status, formError) =>
    form.again(localizeErrors(errors, locale), status, formError);
  const checked = await form.check();
  if (checked.errors) return again(checked.errors, 400);
  const value = checked.value;
  let next: Redirect | Shown;
  try {
    if (form.confirm && !form.confirm.step.confirmed)
      return form.confirm.step.show(await form.confirm.page(value));
    next = await form.done(await form.run(value), value);
  } catch (error) {
    if (form.domainErrorsOnForm === false) throw error;
    const shown = form.onError?.(error);
    if (shown !== undefined) return shown;
    return showDomainError(error, locale, form.fieldByCode ?? {}, again);
  }
  return 'show' in next ? next.show() : redirectWith(reply, next);
}

export interface ButtonSubmission<R> {
  reply: FastifyReply;
  locale: SupportedLocale;
  /** The action; its domain error becomes an error flash. */
  run: () => Promise<R>;
  /** The success flash (a locale key or text), or a function of the action's result. */
  done: string | ((result: R) => Flash);
  /** Where to go afterwards, whatever happened (303). */
  to: string;
  /** Domain errors the error page shows instead of a flash (e.g. FORBIDDEN). */
  rethrow?: (error: DomainError) => boolean;
  /** A risky action's confirmation step: the page first, the action only once confirmed. */
  confirm?: Confirmation<[]>;
}

/**
 * A one-button form (activate, close, publish, revoke…): run it, flash the outcome (or the
 * domain error's translated text), and go back where the button was.
 */
export async function submitButton<R>(button: ButtonSubmission<R>): Promise<unknown> {
  const { reply, locale } = button;
  try {
    if (button.confirm && !button.confirm.step.confirmed)
      return button.confirm.step.show(await button.confirm.page());
    const result = await button.run();
    setFlash(
      reply,
      typeof button.done === 'string'
        ? { kind: 'success', text: button.done }
        : button.done(result),
    );
  } catch (error) {
    if (!(error instanceof DomainError) || button.rethrow?.(error)) throw error;
    setFlash(reply, { kind: 'error', text: domainErrorText(error, locale) });
  }
  return reply.redirect(button.to, 303);
}

/** Sets the flash (if any) and answers 303 See Other. */
export function redirectWith(reply: FastifyReply, next: Redirect) {
  if (next.flash) setFlash(reply, next.flash);
  return reply.redirect(next.to, 303);
}

/** Field messages are locale keys (admin.errors.*); anything else is shown as written. */
export function localizeErrors(errors: FieldErrors, locale: SupportedLocale): FieldErrors {
  return Object.fromEntries(
    Object.entries(errors).map(([field, key]) => [field, translate(locale, key)]),
  );
}

/** A domain error as a sentence for the page, in the reader's language (errorText). */
export function domainErrorText(error: DomainError, locale: SupportedLocale): string {
  return errorText(error, locale);
}

/**
 * Shows a domain error on the form it came from, through the form's `again` (render it once
 * more): beside the field `fieldByCode` names for the error's code, or above the form. Anything
 * that is not a domain error is rethrown for the error filter.
 */
export function showDomainError<T>(
  error: unknown,
  locale: SupportedLocale,
  fieldByCode: Partial<Record<string, string>>,
  again: (errors: FieldErrors, status: number, formError?: string) => T,
): T {
  if (!(error instanceof DomainError)) throw error;
  const message = domainErrorText(error, locale);
  const field = fieldByCode[error.code];
  return field
    ? again({ [field]: message }, domainErrorStatus(error))
    : again({}, domainErrorStatus(error), message);
}

/** The HTTP status a form shows a domain error with (409, 422…). */
export function domainErrorStatus(error: DomainError): number {
  return ERROR_HTTP_STATUS[error.code];
}

/** The form's raw text values, to show again as typed (never the CSRF token). */
export function typedValues(body: unknown): Record<string, unknown> {
  if (!body || typeof body !== 'object') return {};
  const { _csrf: _token, ...values } = body as Record<string, unknown>;
  return values;
}

/** Checkboxes and multi-selects: absent → [], one value → [value]. */
export function withLists(body: unknown, fields: readonly string[]): Record<string, unknown> {
  const values = typedValues(body);
  for (const field of fields) {
    const v = values[field];
    values[field] =
      v === undefined || v === '' ? [] : Array.isArray(v) ? v.filter((x) => x !== '') : [v];
  }
  return values;
}
