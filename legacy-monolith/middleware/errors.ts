// The JSON error shape of the whole app: { error: { code, message, details? }, servedAt }.
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { HttpError } from '../utils.ts';

export function notFoundHandler(req: Request, res: Response): void {
  res.status(404).json({ error: { code: 'route_not_found', message: `no route for ${req.method} ${req.path}` } });
}

export function errorHandler(log: Logger) {
  return function handleError(err: unknown, req: Request, res: Response, next: NextFunction): void {
    if (res.headersSent) return next(err);
    if (err instanceof HttpError) {
      const error: Record<string, unknown> = { code: err.code, message: err.message };
      if (err.details !== undefined) error.details = err.details;
      res.status(err.status).json({ error });
      return;
    }
    const e = err as { type?: string; status?: number; message?: string };
    if (e?.type === 'entity.parse.failed') {
      res.status(400).json({ error: { code: 'invalid_json', message: 'request body is not valid JSON' } });
      return;
    }
    if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) {
      res.status(e.status).json({ error: { code: 'bad_request', message: e.message ?? 'bad request' } });
      return;
    }
    log.error({ err, method: req.method, path: req.path }, 'unhandled error');
    res.status(500).json({ error: { code: 'internal', message: 'internal server error' } });
  };
}
