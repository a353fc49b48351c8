import { type Logger, LogLevel } from '@slack/logger';
import { type DestinationStream, pino } from 'pino';
import type { LogLevel as ConfigLogLevel } from './config.js';

/**
 * One logger for the whole process: pino (JSON lines, cheap) behind the Logger interface that
 * Bolt and the Slack clients take, so Slack's own messages land in the same stream.
 */
export function createLogger(level: ConfigLogLevel, destination?: DestinationStream): Logger {
  const base = pino({ level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime }, destination);
  return wrap(base, level);
}

function wrap(log: pino.Logger, initialLevel: string): Logger {
  let level = initialLevel as LogLevel;
  const emit =
    (method: 'debug' | 'info' | 'warn' | 'error') =>
    (...messages: unknown[]) => {
      const error = messages.find((m): m is Error => m instanceof Error);
      const text = messages
        .filter((m) => m !== error)
        .map((m) => (typeof m === 'string' ? m : JSON.stringify(m)))
        .join(' ');
      if (error) log[method]({ err: error }, text || error.message);
      else log[method](text);
    };
  return {
    debug: emit('debug'),
    info: emit('info'),
    warn: emit('warn'),
    error: emit('error'),
    setLevel(next: LogLevel) {
      level = next;
      log.level = next;
    },
    getLevel: () => level,
    // The Slack SDKs rename the logger they are given; one shared stream keeps one name.
    setName() {},
  };
}

export { LogLevel };
