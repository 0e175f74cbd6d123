import { checkForm, type FieldErrors } from '../../common/http/forms';
import type { SupportedLocale } from '../../common/i18n/i18n';
import { parseAmountField } from '../../common/money';
import type { Checked } from '../../common/views/form-submit';
import { fieldText } from './admin-view-helpers';

/**
 * A form that moves an amount from one fund to another (a transfer, a release request): the fields
 * of its form class, the amount typed in yuan, and two different funds, every problem at once (the
 * amount is checked even when a fund is missing).
 */
export function checkMovementForm<T extends { fromFundId: string; toFundId: string }>(
  type: new () => T,
  body: unknown,
  currency: string,
  locale: SupportedLocale,
): Checked<T & { amountMinor: number }> {
  const form = checkForm(type, body, locale);
  const values = body && typeof body === 'object' ? (body as Record<string, unknown>) : {};
  const amount = parseAmountField(fieldText(values.amount), currency);
  const errors: FieldErrors = { ...form.errors };
  if (amount.error !== null) errors.amount ??= amount.error;
  if (form.value && form.value.fromFundId === form.value.toFundId)
    errors.toFundId = 'admin.errors.sameFund';
  if (!form.value || amount.error !== null || Object.keys(errors).length > 0)
    return { value: null, errors };
  return { value: { ...form.value, amountMinor: amount.amountMinor }, errors: null };
}
