// The HTTP contract every extracted service keeps with the monolith it replaces: the same error shape,
// the same noise (x-request-id header, servedAt as the last key of object bodies), no etag, no x-powered-by.
import express from 'express';
import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '../../common/log.ts';

export class HttpError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details?: unknown;
  constructor(status: number, code: string, message: string, details?: unknown) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

export function notFound(what: string, id: string | number): HttpError {
  return new HttpError(404, 'not_found', `${what} ${id} not found`);
}

export function badRequest(message: string, details?: unknown): HttpError {
  return new HttpError(400, 'bad_request', message, details);
}

function requestContext(req: Request, res: Response, next: NextFunction): void {
  res.setHeader('x-request-id', randomUUID());
  const json = res.json.bind(res);
  res.json = (body?: unknown) => {
    if (body !== null && typeof body === 'object' && !Array.isArray(body)) {
      return json({ ...(body as Record<string, unknown>), servedAt: new Date().toISOString() });
    }
    return json(body);
  };
  next();
}

/** A new service app with the monolith-compatible middleware in front and `GET /healthz`. */
export function createServiceApp(service: string, log: Logger): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(requestContext);
  app.use(express.json({ limit: '100kb' }));
  app.use((req, res, next) => {
    log.debug({ method: req.method, url: req.originalUrl }, 'request');
    next();
  });
  app.get('/healthz', (req, res) => {
    res.json({ status: 'ok', service });
  });
  return app;
}

/** The 404 and error handlers; mount after the service's routes. */
export function finishServiceApp(app: express.Express, log: Logger): void {
  app.use((req: Request, res: Response) => {
    res.status(404).json({ error: { code: 'route_not_found', message: `no route for ${req.method} ${req.path}` } });
  });
  app.use((err: unknown, req: Request, res: Response, next: NextFunction) => {
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
  });
}
