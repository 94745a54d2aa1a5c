// Admin endpoints for diffs, mounted by the proxy behind its admin auth:
// GET /report (live report; ?format=html|md|json|junit&samples=0..100), GET /api/diffs?route=&fingerprint=&limit=, and
// POST /api/routes/:id/reset-diffs (start a route's comparisons over after a fix to the candidate).
import type { NextFunction, Request, Response, Router } from 'express';
import { quoteInput } from '../../common/unprintable.ts';
import { AdminError, integerParam, methodNotAllowed, readQuery, refuse, type AdminContext } from '../admin.ts';
import type { DiffStore, ResetResult } from '../store/types.ts';
import { queryReport } from './query.ts';
import { renderHtml, REPORT_CSP } from './html.ts';
import { renderMarkdown } from './markdown.ts';
import { renderJson } from './json.ts';
import { renderJunit } from './junit.ts';
import type { ReportOptions } from './model.ts';

// the page is self-contained: nothing may load from elsewhere, even if escaping ever failed

const FORMATS = {
  html: { type: 'text/html; charset=utf-8', render: renderHtml },
  md: { type: 'text/markdown; charset=utf-8', render: renderMarkdown },
  json: { type: 'application/json; charset=utf-8', render: renderJson },
  junit: { type: 'application/xml; charset=utf-8', render: renderJunit },
} as const;

export interface DiffAdminHooks {
  /** runs before a report is read, e.g. to copy the proxy's live route modes into the store */
  beforeRead?: () => void;
  /** a route's comparisons were started over, by who */
  onReset?: (cleared: ResetResult, who: string) => void;
}

/** Most samples one GET /api/diffs returns; a group keeps store.samplesPerFingerprint of them (default 20). */
const MAX_SAMPLES_LIMIT = 1000;

/**
 * Mounts GET /report and GET /api/diffs on the router. `admin` (from the admin API) says which routes the proxy
 * runs; without it only the routes the store has seen are known.
 */
export function diffAdminRoutes(
  store: DiffStore,
  options: Partial<ReportOptions> | (() => Partial<ReportOptions>) = {},
  hooks: DiffAdminHooks = {},
): (router: Router, admin?: AdminContext) => void {
  // a function: the live config's `report` section, read on every request (a reload changes the bar at once)
  const reportOptions = typeof options === 'function' ? options : () => options;
  return (router, admin) => {
    const knownRoute = (id: string) => admin?.hasRoute(id) === true || store.readRoutes().some((r) => r.routeId === id);

    router
      .route('/report')
      .get(
        answering((req, res) => {
          const q = readQuery(req, ['format', 'samples']);
          const name = q.format ?? 'html';
          const format = Object.hasOwn(FORMATS, name) ? FORMATS[name as keyof typeof FORMATS] : undefined;
          if (!format) throw new AdminError(400, `format: expected html, md, json or junit, got ${quoteInput(name)}`);
          // ?samples=0 leaves the sample bodies out: what the live dashboard polls
          const samples = integerParam('samples', q.samples, 0, 100);
          const opts = samples === undefined ? reportOptions() : { ...reportOptions(), samplesPerGroup: samples };
          hooks.beforeRead?.();
          const body = format.render(queryReport(store, opts));
          res.set('content-type', format.type).set('content-security-policy', REPORT_CSP).set('cache-control', 'no-store').send(body);
        }),
      )
      .all(methodNotAllowed('GET, HEAD'));

    router
      .route('/api/diffs')
      .get(
        answering((req, res) => {
          const q = readQuery(req, ['route', 'fingerprint', 'limit']);
          const { route, fingerprint } = q;
          const limit = integerParam('limit', q.limit, 1, MAX_SAMPLES_LIMIT);
          if (route === '') throw new AdminError(400, 'route: expected a route id (leave route out for every route)');
          if (fingerprint === '') throw new AdminError(400, 'fingerprint: expected a group fingerprint from /api/diffs?route=<route id>');
          if (route !== undefined && !knownRoute(route)) throw new AdminError(404, `no route with id ${quoteInput(route)} (not in the config, nothing stored for it)`);
          if (!fingerprint) {
            if (limit !== undefined) throw new AdminError(400, 'limit applies to samples: send it with route and fingerprint');
            res.json({ route: route ?? null, groups: store.readGroups(route) });
            return;
          }
          if (!route) throw new AdminError(400, 'fingerprint needs route: /api/diffs?route=<route id>&fingerprint=<id>');
          const group = store.readGroups(route).find((g) => g.fingerprint === fingerprint);
          if (!group) throw new AdminError(404, `no diff group ${quoteInput(fingerprint)} on route ${quoteInput(route)}`);
          res.json({ route, group, samples: store.readSamples(route, fingerprint, limit) });
        }),
      )
      .all(methodNotAllowed('GET, HEAD'));

    router
      .route('/api/routes/:id/reset-diffs')
      .post(
        answering((req, res) => {
          // a JSON body, as PATCH asks: a page elsewhere cannot send one without the browser asking first (CORS)
          if (!req.is('application/json')) throw new AdminError(415, 'the header content-type: application/json is required, with a body of {}');
          const id = String(req.params.id);
          if (!knownRoute(id)) throw new AdminError(404, `no route with id ${quoteInput(id)} (not in the config, nothing stored for it)`);
          const cleared = store.resetRoute(id);
          admin?.startedOver(id);
          hooks.onReset?.(cleared, String(res.locals.who ?? 'unknown'));
          const { routeId: _route, ...counts } = cleared;
          res.json({ route: id, cleared: counts });
        }),
      )
      .all(methodNotAllowed('POST'));
  };
}

/** Refusals answered here as one line of JSON, so the routes behave the same mounted on any express router. */
function answering(handler: (req: Request, res: Response) => void) {
  return (req: Request, res: Response, next: NextFunction): void => {
    try {
      handler(req, res);
    } catch (err) {
      if (err instanceof AdminError && err.status < 500) refuse(res, err.status, err.message);
      else next(err);
    }
  };
}
