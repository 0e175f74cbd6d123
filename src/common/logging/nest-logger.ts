import type { LoggerService, LogLevel } from '@nestjs/common';
import type { Level, Logger } from 'pino';
import { createLogger, type LoggerOptions, pinoLevelOf } from './logger';

/** A stack trace as Nest passes it to `error(message, stack, context)`. */
const STACK = /\n\s+at /;

/**
 * Nest's logger interface over pino, so every `new Logger('Context').warn(…)` in the app writes a
 * JSON line. Nest appends the context as the last argument; `error` may carry a stack before it.
 * An object message becomes the line's fields (`{ msg, …fields }`), an Error its `err`.
 */
export class PinoNestLogger implements LoggerService {
  constructor(readonly pino: Logger) {}

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  setLogLevels(levels: LogLevel[]): void {
    this.pino.level = pinoLevelOf(levels);
  }

  private write(level: Level, message: unknown, params: unknown[]): void {
    if (!this.pino.isLevelEnabled(level)) return;
    const rest = [...params];
    const last = rest.at(-1);
    const context = typeof last === 'string' && !STACK.test(last) ? (rest.pop() as string) : null;
    const fields: Record<string, unknown> = context ? { context } : {};
    const stack = rest.find((p): p is string => typeof p === 'string' && STACK.test(p));
    if (stack) fields.err = { type: 'Error', message: stack.split('\n')[0], stack };
    if (message instanceof Error) {
      this.pino[level]({ ...fields, err: message }, message.message);
    } else if (message !== null && typeof message === 'object') {
      const { msg, ...more } = message as Record<string, unknown>;
      this.pino[level]({ ...fields, ...more }, typeof msg === 'string' ? msg : '');
    } else {
      this.pino[level](fields, String(message));
    }
  }
}

/** The process's Nest logger: pino underneath (logger.ts). */
export function createNestLogger(options: LoggerOptions): PinoNestLogger {
  return new PinoNestLogger(createLogger(options));
}
