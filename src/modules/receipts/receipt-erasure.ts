import type { ReceiptContent } from './receipts.types';

/**
 * An issued receipt's content once its donor is erased: the name becomes the pseudonym (the
 * stored zh-CN form; pages show the reader's from `donor_erased_no`), the address and ID code go.
 * Everything else (the foundation, the wording, the gift, the statement, the amounts) stays as
 * issued. Pure.
 */
export function erasedReceiptContent(content: ReceiptContent, pseudonym: string): ReceiptContent {
  return { ...content, donor: { name: pseudonym, kind: 'PERSON', address: null, taxId: null } };
}
