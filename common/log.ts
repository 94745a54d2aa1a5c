// The one way to get a logger: structured pino, pretty-printed only when stdout is a TTY.
import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

export function createLogger(name: string, options: LoggerOptions = {}): Logger {
  const level = options.level ?? process.env.LOG_LEVEL ?? (process.env.NODE_ENV === 'test' ? 'silent' : 'info');
  if (process.stdout.isTTY && process.env.NODE_ENV !== 'test') {
    return pino({ name, level, ...options, transport: { target: 'pino-pretty', options: { colorize: true } } });
  }
  return pino({ name, level, ...options });
}
