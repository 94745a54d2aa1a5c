// A responder that ends the routes of many files (Directus's `router.get(path, …, asyncHandler(handler), respond)`, where
// `respond` sends what the handler left in `res.locals`) is a step after each route's handler, not the handler: the
// route's own code before it is. Read once every route is registered, since "many files" is a count over all of them.
import { ts } from 'ts-morph';
import { exprName } from './express-syntax.ts';
import type { LoadedProject } from './project.ts';
import { handlerRef } from './route-args.ts';
import type { LocalRoute, RouterNode } from './route-tree.ts';
import type { HandlerRef } from './types.ts';

/** A function ending the routes of this many files or more is a shared responder. */
const SHARED_IN_FILES = 3;

const idOf = (ref: HandlerRef): string | undefined => (ref.kind !== 'unresolved' && ref.file ? `${ref.file}#${ref.name}` : undefined);

/**
 * Routes ending in a shared responder take as handler the last argument before it that is code written for the route:
 * a function written in the registration (also given to a wrapper), or one of the registering file's own; the
 * responder is listed after the route's middleware. A route with no such argument keeps the responder.
 */
export function handOverSharedResponders(project: LoadedProject, nodes: Iterable<RouterNode>): void {
  const filesOf = new Map<string, Set<string>>();
  const ending: LocalRoute[] = [];
  for (const node of nodes) {
    for (const route of node.routes) {
      const id = idOf(route.handler);
      if (!id) continue;
      let files = filesOf.get(id);
      if (!files) filesOf.set(id, (files = new Set()));
      files.add(route.file.rel);
      if (route.handlers) ending.push(route);
    }
  }
  const shared = (id: string | undefined): boolean => id !== undefined && (filesOf.get(id)?.size ?? 0) >= SHARED_IN_FILES;
  for (const route of ending) {
    const args = route.handlers!;
    if (!shared(idOf(route.handler))) continue;
    for (let i = args.length - 2; i >= 0; i--) {
      if (ts.isArrayLiteralExpression(args[i])) continue;
      const ref = handlerRef(project, args[i], route.file.source);
      const own = ref.kind === 'inline' || (ref.kind === 'named' && ref.file === route.file.rel);
      if (!own || shared(idOf(ref))) continue;
      const name = exprName(args[i]);
      const at = route.middleware.findIndex((m) => m.name === name);
      const phase = at === -1 ? 0 : route.middleware[at].phase;
      if (at !== -1) route.middleware.splice(at, 1);
      route.middleware.push({ name: exprName(args[args.length - 1]), phase });
      route.handler = ref;
      break;
    }
  }
}
