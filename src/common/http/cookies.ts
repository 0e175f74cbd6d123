/** Cookie names, in one place. */
export const SESSION_COOKIE = 'lx_session';
export const CSRF_COOKIE = 'lx_csrf';
export const FLASH_COOKIE = 'lx_flash';
/** The language the visitor chose with the language switch (`zh-CN` or `en`), kept a year. */
export const LOCALE_COOKIE = 'lx_lang';
/**
 * The browser that started a gift: a donor link (only its hash is stored) that brings the form
 * back filled in when the checkout does not complete. HttpOnly, two hours, `/campaigns` only.
 */
export const GIFT_RETURN_COOKIE = 'lx_gift';
