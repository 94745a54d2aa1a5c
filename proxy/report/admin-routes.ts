// Admin endpoints for diffs, mounted by the proxy behind its admin auth:
// GET /report (live report; ?format=html|md|json|junit) and GET /api/diffs?route=&fingerprint=.
import type { Request, Response, Router } from 'express';
import type { DiffStore } from '../store/types.ts';
import { queryReport } from './query.ts';
import { renderHtml } from './html.ts';
import { renderMarkdown } from './markdown.ts';
import { renderJson } from './json.ts';
import { renderJunit } from './junit.ts';
import type { ReportOptions } from './model.ts';

// the page is self-contained: nothing may load from elsewhere, even if escaping ever failed
const REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";

const FORMATS = {
  html: { type: 'text/html; charset=utf-8', render: renderHtml },
  md: { type: 'text/markdown; charset=utf-8', render: renderMarkdown },
  json: { type: 'application/json; charset=utf-8', render: renderJson },
  junit: { type: 'application/xml; charset=utf-8', render: renderJunit },
} as const;

export interface DiffAdminHooks {
  /** runs before a report is read, e.g. to copy the proxy's live route modes into the store */
  beforeRead?: () => void;
}

export function diffAdminRoutes(store: DiffStore, options: Partial<ReportOptions> = {}, hooks: DiffAdminHooks = {}): (router: Router) => void {
  return (router) => {
    router.get('/report', (req: Request, res: Response) => {
      const name = typeof req.query.format === 'string' ? req.query.format : 'html';
      const format = FORMATS[name as keyof typeof FORMATS];
      if (!format) {
        res.status(400).json({ error: `unknown format "${name}"; use html, md, json or junit` });
        return;
      }
      // ?samples=0 leaves the sample bodies out: what the live dashboard polls
      const samples = typeof req.query.samples === 'string' ? Number(req.query.samples) : NaN;
      const opts = Number.isInteger(samples) && samples >= 0 && samples <= 100 ? { ...options, samplesPerGroup: samples } : options;
      hooks.beforeRead?.();
      const body = format.render(queryReport(store, opts));
      res.set('content-type', format.type).set('content-security-policy', REPORT_CSP).set('cache-control', 'no-store').send(body);
    });

    router.get('/api/diffs', (req: Request, res: Response) => {
      const route = typeof req.query.route === 'string' && req.query.route !== '' ? req.query.route : undefined;
      const fingerprint = typeof req.query.fingerprint === 'string' && req.query.fingerprint !== '' ? req.query.fingerprint : undefined;
      if (!fingerprint) {
        res.json({ route: route ?? null, groups: store.readGroups(route) });
        return;
      }
      if (!route) {
        res.status(400).json({ error: 'fingerprint needs route: /api/diffs?route=<route id>&fingerprint=<id>' });
        return;
      }
      const group = store.readGroups(route).find((g) => g.fingerprint === fingerprint);
      if (!group) {
        res.status(404).json({ error: `no diff group ${fingerprint} on route ${route}` });
        return;
      }
      const limit = Number(req.query.limit);
      res.json({ route, group, samples: store.readSamples(route, fingerprint, Number.isInteger(limit) && limit > 0 ? limit : undefined) });
    });
  };
}
