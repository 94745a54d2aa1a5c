// The live dashboard: a static page (proxy/dashboard/) served by the admin API without auth. The page holds
// no data; everything it shows comes from admin API calls that carry the token the operator types in.
import { readFileSync } from 'node:fs';
import type express from 'express';

const ASSETS = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/dashboard/dashboard.js': { file: 'dashboard.js', type: 'text/javascript; charset=utf-8' },
  '/dashboard/dashboard.css': { file: 'dashboard.css', type: 'text/css; charset=utf-8' },
} as const;

// only its own script and style, and fetches to this origin; nothing inline, nothing from elsewhere
export const DASHBOARD_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** Read once at mount: the files are small and a running proxy should not change its page under an open tab. */
function loadAssets(): Map<string, { body: Buffer; type: string }> {
  const dir = new URL('./dashboard/', import.meta.url);
  const out = new Map<string, { body: Buffer; type: string }>();
  for (const [path, a] of Object.entries(ASSETS)) out.set(path, { body: readFileSync(new URL(a.file, dir)), type: a.type });
  return out;
}

/** Serves GET / (the page) and its script and stylesheet. Mount it before the admin auth. Returns the paths it serves. */
export function mountDashboard(app: express.Express): string[] {
  const assets = loadAssets();
  for (const [path, asset] of assets) {
    app.get(path, (_req, res) => {
      res
        .set('content-type', asset.type)
        .set('content-security-policy', DASHBOARD_CSP)
        .set('x-content-type-options', 'nosniff')
        .set('referrer-policy', 'no-referrer')
        .set('cache-control', 'no-cache')
        .send(asset.body);
    });
  }
  return [...assets.keys()];
}
