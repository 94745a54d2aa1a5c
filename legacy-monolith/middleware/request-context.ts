// Stamps every response with the monolith's noise: an x-request-id header and a servedAt timestamp
// appended to every JSON object body.
import type { NextFunction, Request, Response } from 'express';
import { newRequestId } from '../utils.ts';

export function requestContext(req: Request, res: Response, next: NextFunction): void {
  res.setHeader('x-request-id', newRequestId());
  const json = res.json.bind(res);
  res.json = (body?: unknown) => {
    if (body !== null && typeof body === 'object' && !Array.isArray(body)) {
      return json({ ...(body as Record<string, unknown>), servedAt: new Date().toISOString() });
    }
    return json(body);
  };
  next();
}
