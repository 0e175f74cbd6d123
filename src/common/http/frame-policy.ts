/*
 * Who may show our pages in a frame. Every page answers `frame-ancestors 'none'` (helmet's CSP in
 * app.factory.ts); the campaign widget, made to be embedded on partners' sites, answers with the
 * sources WIDGET_FRAME_ANCESTORS names instead and without X-Frame-Options. app.factory.ts applies
 * this in one onSend hook, so a cached answer gets the same headers as a rendered one.
 */

/** The route (Fastify's pattern) of the one page other sites may frame. */
export const FRAMEABLE_ROUTE = '/campaigns/:slug/widget';

/** The policy with its frame-ancestors directive replaced by `sources`. */
export function withFrameAncestors(csp: string, sources: readonly string[]): string {
  return csp.replace(/frame-ancestors [^;]*/, `frame-ancestors ${sources.join(' ')}`);
}
