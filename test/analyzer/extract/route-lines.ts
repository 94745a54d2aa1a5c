// What the route tests compare: routes as one line each, and the small projects several of them build on.
import type { Facts } from '../../../analyzer/extract/types.ts';

/** `METHOD path kind file#name` per route. */
export const handlerLines = (facts: Facts): string[] =>
  facts.routes.map((r) => `${r.method} ${r.path} ${r.handler.kind} ${r.handler.kind === 'unresolved' ? r.handler.name : `${r.handler.file}#${r.handler.name}`}`);

/** `METHOD path [middleware]` per route. */
export const routeLines = (facts: Facts): string[] => facts.routes.map((r) => `${r.method} ${r.path} [${r.middleware.join(', ')}]`);

export const warningLines = (facts: Facts): string[] => facts.warnings.map((w) => w.message);

/** Two controller modules of the same shape, each with a nested `admin` object. */
export const TWO_CONTROLLERS = {
  'src/controllers/index.js': `exports.list = function (req, res) { res.end(); };
exports.show = function (req, res) { res.end(); };
exports.admin = { list: function (req, res) { res.end(); } };
`,
  'src/other.js': `exports.list = function (req, res) { res.end(); };
exports.show = function (req, res) { res.end(); };
exports.admin = { list: function (req, res) { res.end(); } };
`,
};

/** A router module per name, each with one GET route at /<name>, so a route's full path shows the mount it came through. */
export function routerFiles(...names: string[]): Record<string, string> {
  return Object.fromEntries(names.map((name) => [`routes/${name}.js`, `const express = require('express');
const router = express.Router();
router.get('/${name}', function ${name}List(req, res) { res.json([]); });
module.exports = router;
`]));
}
