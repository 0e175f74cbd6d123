import { TEST_PASSWORD } from '../factories/accounts.factory';

/**
 * Who the hostile sweeps send their requests as: the headers for the JSON API (a bearer token or
 * none), those for pages (the cookies) and the CSRF token that goes with the cookies.
 */
export interface Identity {
  name: string;
  apiHeaders: Record<string, string>;
  pageHeaders: Record<string, string>;
  csrf: string;
}

/** A visitor with a CSRF cookie (and its token) but no session. */
export async function signedOutVisitor(base: string): Promise<Identity> {
  const res = await fetch(`${base}/login`);
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await res.text())?.[1] ?? '';
  return { name: 'signed out', apiHeaders: {}, pageHeaders: { cookie }, csrf };
}

/** A staff member signed in through the sign-in form (cookies), with a bearer token for the API. */
export async function signedInStaff(
  base: string,
  email: string,
  auth: Record<string, string>,
): Promise<Identity> {
  const visitor = await signedOutVisitor(base);
  const res = await fetch(`${base}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { ...visitor.pageHeaders, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ email, password: TEST_PASSWORD, _csrf: visitor.csrf }).toString(),
  });
  if (res.status !== 303) throw new Error(`sign-in answered ${res.status}`);
  const session = res.headers.getSetCookie().map((c) => c.split(';')[0]);
  const cookie = [visitor.pageHeaders.cookie, ...session].join('; ');
  return { name: 'staff', apiHeaders: auth, pageHeaders: { cookie }, csrf: visitor.csrf };
}
