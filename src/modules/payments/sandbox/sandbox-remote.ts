import { randomBytes } from 'node:crypto';
import { CSRF_COOKIE } from '../../../common/http/cookies';
import type { AppConfig } from '../../../config/app-config';
import { loopbackFor } from './sandbox-webhooks';
import type { RenewalResult } from './sandbox-processor';

/** This machine's Lianxin server for a configuration: HOST (loopback for a wildcard) and PORT. */
export function localServerUrl(config: Pick<AppConfig, 'host' | 'port'>): string {
  return `http://${loopbackFor(config.host)}:${config.port}`;
}

/**
 * `simulate-renewal` without opening the database: asks the running server (which owns the
 * database, and receives the renewal's webhook anyway) to bill one month. Throws with a message
 * fit for the terminal when the server is not running or refuses.
 */
export async function requestSandboxRenewal(
  serverUrl: string,
  subscriptionId: string,
  options: { fail?: boolean } = {},
): Promise<RenewalResult> {
  const url = new URL(
    `/sandbox/subscriptions/${encodeURIComponent(subscriptionId)}/renewal`,
    serverUrl,
  );
  if (options.fail) url.searchParams.set('fail', 'true');
  // The double-submit CSRF check compares a cookie with a header; any random token satisfies it.
  const token = randomBytes(32).toString('base64url');
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { cookie: `${CSRF_COOKIE}=${token}`, 'x-csrf-token': token },
      signal: AbortSignal.timeout(60_000),
    });
  } catch (error) {
    throw new Error(
      `No Lianxin server answers at ${serverUrl} (${(error as Error).message}). Start it first: the renewal's webhook goes to it.`,
      { cause: error },
    );
  }
  const body = (await response.json().catch(() => null)) as
    (RenewalResult & { message?: string | string[] }) | null;
  if (!response.ok) {
    const message = body?.message ?? `HTTP ${response.status}`;
    throw new Error(`The server refused the renewal: ${String(message)}`);
  }
  return body!;
}
