// The monolith's pino logger (silent under NODE_ENV=test unless LOG_LEVEL says otherwise).
import { pino } from 'pino';

export const log = pino({
  name: 'legacy-monolith',
  level: process.env.LOG_LEVEL ?? (process.env.NODE_ENV === 'test' ? 'silent' : 'info'),
});
