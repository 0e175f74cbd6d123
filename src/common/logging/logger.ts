import type { LogLevel } from '@nestjs/common';
import { hostname } from 'node:os';
import pino, { type DestinationStream, type Level, type Logger } from 'pino';
import { RequestContext } from '../context/request-context';
import { REDACTED, redactPaths, scrubText, serializeError } from './log-redaction';

/** Which process wrote a line: the web server, a queue worker or a CLI command. */
export type ProcessKind = 'web' | 'worker' | 'cli';

const LOG_LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/** Nest's levels up to LOG_LEVEL (`warn`: fatal, error, warn); unset or unknown means `warn`. */
export function logLevelsFrom(level: string | undefined): LogLevel[] {
  const index = LOG_LEVELS.indexOf((level ?? 'warn') as LogLevel);
  return LOG_LEVELS.slice(0, index < 0 ? 3 : index + 1);
}

/** LOG_LEVEL keeps Nest's names; pino's are the ones written (`log` is `info`, `verbose` `trace`). */
const PINO_LEVELS: Record<LogLevel, Level> = {
  fatal: 'fatal',
  error: 'error',
  warn: 'warn',
  log: 'info',
  debug: 'debug',
  verbose: 'trace',
};

/** The most verbose of Nest's levels listed, as pino's level (nothing listed: silent). */
export function pinoLevelOf(levels: readonly LogLevel[]): Level | 'silent' {
  const order: LogLevel[] = ['verbose', 'debug', 'log', 'warn', 'error', 'fatal'];
  const most = order.find((level) => levels.includes(level));
  return most ? PINO_LEVELS[most] : 'silent';
}

export interface LoggerOptions {
  process: ProcessKind;
  /** Nest's levels to write (from LOG_LEVEL); the most verbose one listed decides. */
  levels: readonly LogLevel[];
  /** Where lines go: stdout by default (web, worker); the CLI writes to stderr. */
  destination?: DestinationStream;
}

/**
 * The one pino logger of a process: JSON lines with ISO time, level name, process kind, and the
 * request id of the request or job in progress (from the request context). Fields that may carry
 * personal data or credentials are redacted, and free text is scrubbed (log-redaction.ts).
 */
export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: pinoLevelOf(options.levels),
      base: { pid: process.pid, hostname: hostname(), process: options.process },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      messageKey: 'msg',
      errorKey: 'err',
      redact: { paths: redactPaths(), censor: REDACTED },
      serializers: { err: serializeError, error: serializeError },
      mixin: () => {
        const requestId = RequestContext.current()?.requestId;
        return requestId ? { requestId } : {};
      },
      hooks: {
        // Every string handed to a log call (the message and its interpolation arguments).
        logMethod(args, method) {
          const scrubbed = args.map((arg: unknown) =>
            typeof arg === 'string' ? scrubText(arg) : arg,
          );
          method.apply(this, scrubbed as Parameters<typeof method>);
        },
      },
    },
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}
