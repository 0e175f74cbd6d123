/** Cookie names, in one place. */
export const SESSION_COOKIE = 'lx_session';
export const CSRF_COOKIE = 'lx_csrf';
export const FLASH_COOKIE = 'lx_flash';
