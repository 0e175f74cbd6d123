import type { FastifyReply } from 'fastify';

/**
 * Renders a Handlebars page: the page context (locale, CSRF token, who is signed in, flash…;
 * `pageContext` or the back office's `adminContext`) merged with the page's own view model. The
 * one way every page is rendered. Caching is the context's to decide: the back office's marks
 * every answer no-store.
 */
export function renderPage(
  reply: FastifyReply,
  ctx: object,
  page: string,
  data: object,
  status = 200,
) {
  return reply.status(status).view(page, { ...ctx, ...data });
}
