import type { FastifyReply, FastifyRequest } from 'fastify';

/*
 * The public pages' cache: a page rendered once per change, not once per request.
 *
 * A public GET handler that shows the same bytes to every anonymous visitor calls
 * `cacheablePage(reply, tags)`; the tags name the data the page shows. The cache keeps the answer
 * per (path and query, language) until a change to one of its tags is announced, or its time to
 * live runs out, and serves it before the Nest pipeline. Signed-in visitors and anything but a 200
 * are never cached (a draft a staff member previews never reaches the cache).
 *
 * Tag vocabulary (PAGE_TAG):
 *   campaign:<id>   the campaign's row, totals, updates or matching rule
 *   fund:<id>       the fund's row or any posting on its ledger accounts
 *   campaigns       any campaign (lists: home, sitemap, a fund's campaigns)
 *   funds           any fund or any fund's money (lists: home, directory)
 *   foundation      the profile, subdistricts and communities (every page depends on it)
 */

export const PAGE_TAG = {
  campaign: (id: string) => `campaign:${id}`,
  fund: (id: string) => `fund:${id}`,
  campaigns: 'campaigns',
  funds: 'funds',
  foundation: 'foundation',
} as const;

export type CacheableRequest = FastifyRequest & { pageCacheTags?: readonly string[] };

/** Marks this answer as a public page the cache may keep until one of `tags` changes. */
export function cacheablePage(reply: FastifyReply, tags: readonly string[]): void {
  (reply.request as CacheableRequest).pageCacheTags = [...tags, PAGE_TAG.foundation];
}
