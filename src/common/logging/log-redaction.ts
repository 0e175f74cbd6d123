/**
 * What a log line may never carry, in two layers. Pure: no Nest, no pino.
 *
 * 1. Fields: `REDACTED_FIELDS` are replaced by pino's `redact` wherever a logged object names them
 *    (at the top level and one level down, e.g. `donor.email`, `headers.cookie`).
 * 2. Free text: messages and error texts are written by people for people and can quote anything
 *    (an SMTP server's "550 <ada@example.org> unknown", a URL with its sign-in token). `scrubText`
 *    removes email addresses, bearer credentials, secrets by their prefixes, query parameters that
 *    carry tokens, and long opaque strings (the app's own secrets are 43 base64url characters).
 *
 * Identifiers (request ids, outbox and donation ids: UUIDs) stay: they are how a line is found.
 */

/** Object keys whose values are never written (donor identity, credentials, provider payloads). */
export const REDACTED_FIELDS = [
  'email',
  'donorEmail',
  'name',
  'donorName',
  'phone',
  'password',
  'token',
  'secret',
  'cookie',
  'cookies',
  'authorization',
  'signature',
  'payload',
  'rawBody',
  'body',
  'query',
  'resource',
  'set-cookie',
  'stripe-signature',
  'wechatpay-signature',
  'x-csrf-token',
] as const;

export const REDACTED = '[redacted]';

/** pino `redact.paths`: every field at the top level and one level down. */
export function redactPaths(): string[] {
  return REDACTED_FIELDS.flatMap((field) => {
    const key = /^[A-Za-z_$][\w$]*$/.test(field) ? field : `["${field}"]`;
    return [key, key.startsWith('[') ? `*${key}` : `*.${key}`];
  });
}

const TEXT_RULES: readonly [RegExp, string][] = [
  // Email addresses, also inside <…> and mailto: links.
  [/[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+/g, '[email]'],
  // Credentials in headers quoted in a message.
  [/\b(Bearer|Basic)\s+[^\s"',;]+/gi, '$1 [redacted]'],
  // Secrets recognisable by their prefix: Stripe keys and webhook secrets, our access tokens.
  [/\b(?:whsec|sk_live|sk_test|rk_live|rk_test|lx_pat)_[\w-]+/g, '[secret]'],
  // Query or form parameters that carry tokens, signatures or codes.
  [
    /([?&;](?:token|t|code|key|secret|sig|sign|signature|password|session|next)=)[^&\s"'#]*/gi,
    '$1[redacted]',
  ],
  // Cookies quoted in a message.
  [/\b(cookie:\s*)[^\n]*/gi, '$1[redacted]'],
  // Long opaque strings: generated secrets and links' tokens (a UUID, 36 characters, stays).
  [/[A-Za-z0-9_-]{40,}/g, '[opaque]'],
];

/** Free text with email addresses, credentials and opaque tokens removed. */
export function scrubText(text: string): string {
  let out = text;
  for (const [pattern, replacement] of TEXT_RULES) out = out.replace(pattern, replacement);
  return out;
}

export interface LoggedError {
  type: string;
  message: string;
  code?: string;
  stack?: string;
}

/**
 * An error as a log line carries it: its class, code and scrubbed message and stack. Nothing else
 * it holds (a driver error's query parameters, an SDK error's raw response) is written. A plain
 * `{ message, stack }` (a stack handed to Nest's `error()`) is read the same way.
 */
export function serializeError(error: unknown): LoggedError {
  if (error === null || typeof error !== 'object') {
    return { type: typeof error, message: scrubText(String(error)) };
  }
  const { message, stack, code, type } = error as Record<string, unknown>;
  return {
    type:
      error instanceof Error ? error.constructor.name : typeof type === 'string' ? type : 'Error',
    message: typeof message === 'string' ? scrubText(message) : '',
    ...(typeof code === 'string' || typeof code === 'number' ? { code: String(code) } : {}),
    ...(typeof stack === 'string' ? { stack: scrubText(stack) } : {}),
  };
}
