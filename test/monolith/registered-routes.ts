// Lists the routes an Express 5 app really registers, by walking app.router.stack and recursing into
// mounted routers. The analyzer's static route extraction is checked against this list.
import type express from 'express';

export interface RegisteredRoute {
  method: string;
  path: string;
}

// The parts of router@2's Layer/Route that we read; not exported by @types/express.
interface LayerLike {
  rawPath?: unknown;
  route?: { path: unknown; methods: Record<string, boolean> };
  handle?: { stack?: LayerLike[] };
}

function joinPath(prefix: string, part: string): string {
  const joined = `${prefix.replace(/\/+$/, '')}/${part.replace(/^\/+/, '')}`;
  const trimmed = joined.length > 1 ? joined.replace(/\/+$/, '') : joined;
  return trimmed === '' ? '/' : trimmed;
}

function paths(raw: unknown): string[] {
  if (typeof raw === 'string') return [raw];
  if (Array.isArray(raw)) return raw.filter((p): p is string => typeof p === 'string');
  return []; // regexp paths have no Express-notation form
}

function walk(stack: LayerLike[], prefix: string, out: RegisteredRoute[]): void {
  for (const layer of stack) {
    if (layer.route) {
      for (const path of paths(layer.route.path)) {
        for (const [method, on] of Object.entries(layer.route.methods)) {
          if (!on) continue;
          out.push({ method: method === '_all' ? 'ALL' : method.toUpperCase(), path: joinPath(prefix, path) });
        }
      }
    } else if (layer.handle?.stack) {
      for (const mount of paths(layer.rawPath ?? '/')) walk(layer.handle.stack, joinPath(prefix, mount), out);
    }
  }
}

export function registeredRoutes(app: express.Express): RegisteredRoute[] {
  const router = (app as unknown as { router: { stack: LayerLike[] } }).router;
  const out: RegisteredRoute[] = [];
  walk(router.stack, '/', out);
  return out;
}
