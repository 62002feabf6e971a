/**
 * Structured logs (pino). `info` tells an operator what the node does; `debug` tells a
 * developer why. Child loggers carry a `module` field.
 */
import { pino } from 'pino';

export type Logger = pino.Logger;

export function createLogger(level: string = 'info', opts: { pretty?: boolean; destination?: number } = {}): Logger {
  return pino({
    level,
    base: undefined,
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  }, pino.destination({ dest: opts.destination ?? 1, sync: false }));
}

/** A logger that drops everything (tests, tools). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
