import request from 'supertest';
import type { Server } from 'node:http';
import { postConfirmed } from './confirm-step';

/** Reads a cookie's value from a response's Set-Cookie headers. */
export function cookieFrom(res: request.Response, name: string): string | undefined {
  const raw = res.headers['set-cookie'] as unknown as string[] | string | undefined;
  const list = Array.isArray(raw) ? raw : raw ? [raw] : [];
  for (const line of list) {
    const match = new RegExp(`^${name}=([^;]*)`).exec(line);
    if (match) return decodeURIComponent(match[1]!);
  }
  return undefined;
}

/**
 * A browser without a browser: a supertest agent keeps cookies; `csrf()` loads a page first so
 * the CSRF cookie exists and returns the token to put in forms. `server` is an app in this
 * process, or the base URL of one spawned.
 */
export function formSession(server: Server | string) {
  const agent = request.agent(server);
  let csrf: string | undefined;
  return {
    agent,
    async csrf(): Promise<string> {
      if (!csrf) {
        // The token as the sign-in form renders it (the cookie may be older than this request).
        const res = await agent.get('/login');
        csrf = /name="_csrf" value="([^"]+)"/.exec(res.text)?.[1];
        if (!csrf) throw new Error('the sign-in form carries no CSRF token');
      }
      return csrf;
    },
    async post(path: string, fields: Record<string, string>, opts: { withCsrf?: boolean } = {}) {
      const body = { ...fields, ...(opts.withCsrf === false ? {} : { _csrf: await this.csrf() }) };
      return agent.post(path).type('form').send(body);
    },
    /** Sends a form through its confirmation step (confirm-step.ts) and presses Confirm. */
    async postConfirmed(path: string, fields: Record<string, string>) {
      return postConfirmed(agent, path, { ...fields, _csrf: await this.csrf() });
    },
    async signIn(email: string, password: string) {
      return this.post('/login', { email, password });
    },
  };
}
