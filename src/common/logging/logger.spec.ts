import { Logger } from '@nestjs/common';
import { Writable } from 'node:stream';
import { RequestContext } from '../context/request-context';
import { scrubText } from './log-redaction';
import { createLogger, logLevelsFrom, pinoLevelOf } from './logger';
import { PinoNestLogger } from './nest-logger';

/** A logger writing into an array of parsed lines. */
function capture(levels = logLevelsFrom('verbose')) {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      done();
    },
  });
  const nest = new PinoNestLogger(createLogger({ process: 'web', levels, destination }));
  return { lines, nest };
}

describe('log levels', () => {
  it.each([
    [undefined, ['fatal', 'error', 'warn'], 'warn'],
    ['error', ['fatal', 'error'], 'error'],
    ['log', ['fatal', 'error', 'warn', 'log'], 'info'],
    ['verbose', ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'], 'trace'],
    ['nonsense', ['fatal', 'error', 'warn'], 'warn'],
  ])('LOG_LEVEL=%s writes %j (pino %s)', (value, nest, pino) => {
    expect(logLevelsFrom(value)).toEqual(nest);
    expect(pinoLevelOf(logLevelsFrom(value))).toBe(pino);
  });

  it('writes nothing below the level', () => {
    const { lines, nest } = capture(logLevelsFrom('warn'));
    nest.log('hello', 'Ctx');
    nest.debug('hello', 'Ctx');
    nest.warn('careful', 'Ctx');
    expect(lines.map((l) => [l.level, l.msg])).toEqual([['warn', 'careful']]);
  });
});

describe('PinoNestLogger', () => {
  it('writes one JSON line with level name, time, process and the context', () => {
    const { lines, nest } = capture();
    nest.log('ready', 'Lianxin');
    expect(lines[0]).toMatchObject({
      level: 'info',
      process: 'web',
      context: 'Lianxin',
      msg: 'ready',
      pid: process.pid,
    });
    expect(new Date(lines[0]!.time as string).getTime()).not.toBeNaN();
  });

  it('keeps an error stack passed before the context', () => {
    const { lines, nest } = capture();
    const error = new Error('boom');
    nest.error('GET /x failed', error.stack, 'Errors');
    expect(lines[0]).toMatchObject({ level: 'error', context: 'Errors', msg: 'GET /x failed' });
    expect((lines[0]!.err as { stack: string }).stack).toContain('boom');
  });

  it('turns an object message into fields', () => {
    const { lines, nest } = capture();
    nest.log({ msg: 'request', method: 'GET', route: '/funds/:id', status: 200 }, 'Http');
    expect(lines[0]).toMatchObject({ msg: 'request', route: '/funds/:id', status: 200 });
  });

  it("carries the request context's id", () => {
    const { lines, nest } = capture();
    RequestContext.run({ requestId: 'req-1' }, () => nest.warn('inside', 'X'));
    nest.warn('outside', 'X');
    expect(lines.map((l) => l.requestId)).toEqual(['req-1', undefined]);
  });

  it("serves Nest's Logger, as every module uses it", () => {
    const { lines, nest } = capture();
    Logger.overrideLogger(nest);
    try {
      new Logger('Outbox').warn('retrying');
    } finally {
      Logger.overrideLogger(['error']);
    }
    expect(lines[0]).toMatchObject({ level: 'warn', context: 'Outbox', msg: 'retrying' });
  });
});

describe('redaction', () => {
  it('never writes fields that name a person or carry a credential', () => {
    const { lines, nest } = capture();
    nest.log({
      msg: 'gift',
      email: 'ada@example.org',
      donor: { name: 'Ada Lovelace', email: 'ada@example.org' },
      headers: { authorization: 'Bearer abc', cookie: 'sid=1', 'stripe-signature': 't=1,v1=x' },
      payload: { card: '4242' },
      donationId: '0b5e3c1a-4a7e-4f7e-9c6b-2f1d5a9e8c7d',
    });
    const text = JSON.stringify(lines[0]);
    for (const secret of ['ada@example.org', 'Ada Lovelace', 'abc', 'sid=1', 'v1=x', '4242']) {
      expect(text).not.toContain(secret);
    }
    expect(lines[0]).toMatchObject({ donationId: '0b5e3c1a-4a7e-4f7e-9c6b-2f1d5a9e8c7d' });
  });

  it('scrubs messages and error texts', () => {
    const { lines, nest } = capture();
    const token = 'kq3J9vX0aB7yZ2cD4eF6gH8iJ0kL2mN4oP6qR8sT0uV';
    nest.warn(`550 <ada@example.org> unknown; link /donor/sign-in?token=${token}`, 'Mail');
    nest.error(new Error(`could not send to ada@example.org with whsec_abc123`));
    const text = JSON.stringify(lines);
    for (const secret of ['ada@example.org', token, 'whsec_abc123']) {
      expect(text).not.toContain(secret);
    }
    expect(lines[0]!.msg).toBe('550 <[email]> unknown; link /donor/sign-in?token=[redacted]');
  });

  it.each([
    ['Bearer lx_pat_abcdefgh_secret', 'Bearer [redacted]'],
    ['key sk_live_51Habc', 'key [secret]'],
    [
      '/receipts/0b5e3c1a-4a7e-4f7e-9c6b-2f1d5a9e8c7d',
      '/receipts/0b5e3c1a-4a7e-4f7e-9c6b-2f1d5a9e8c7d',
    ],
    [`/s/${'A'.repeat(43)}`, '/s/[opaque]'],
    ['Cookie: lx_session=abc', 'Cookie: [redacted]'],
  ])('scrubText(%j) is %j', (input, output) => {
    expect(scrubText(input)).toBe(output);
  });
});
