import Handlebars from 'handlebars';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { toErrorBody, wantsJson } from '../errors/http-error.filter';

/**
 * Requests Node's HTTP parser refuses before Fastify sees them: a request line and headers over
 * 16 KB (a very long query string), a malformed request line. Fastify's default answer is a bare
 * `{error, message, statusCode}` without our `code`; this one is the API's error shape for API
 * addresses and a small page for the rest, like every other error of the app.
 */
export function answerClientError(
  error: Error & { code?: string; rawPacket?: unknown },
  socket: Socket,
): void {
  if (error.code === 'ECONNRESET' || error.code === 'EPIPE' || !socket.writable) {
    socket.destroy();
    return;
  }
  const status =
    error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'HPE_URI_TOO_LONG' ? 414 : 400;
  const message =
    status === 400
      ? 'The request is malformed: it is not valid HTTP.'
      : 'The address and headers are over 16 KB: send fewer or shorter query parameters.';
  // The request line, when the parser got that far, tells an API call from a page.
  const target = /^[A-Z]+ (\S+)/.exec(
    Buffer.isBuffer(error.rawPacket) ? error.rawPacket.subarray(0, 2048).toString('latin1') : '',
  )?.[1];
  const api = target === undefined || wantsJson(target);
  const body = toErrorBody(
    { statusCode: status, message },
    undefined,
    api ? 'en' : 'zh-CN',
    api ? 'api' : 'page',
  );
  const text = api
    ? JSON.stringify(body)
    : `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>${status}</title></head>` +
      `<body><main><h1>${status} ${STATUS_CODES[status] ?? ''}</h1><p>${Handlebars.Utils.escapeExpression(String(body.message))}</p></main></body></html>`;
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\n` +
      `Content-Type: ${api ? 'application/json' : 'text/html'}; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
  );
}
