// The router tree the route extractor builds — apps and routers (by declaration), their routes, and
// which router mounts which under what prefix — and the walk from the roots (routers nobody mounts)
// that turns it into full paths, middleware chains and the routes that cannot be placed.
import type { ts } from 'ts-morph';
import { joinPath, type RouterInit } from './express-syntax.ts';
import type { LoadedFile } from './project.ts';
import type { HandlerRef, RouteFact, UnresolvedRoute, Warning } from './types.ts';

export interface LocalRoute {
  method: string;
  /** undefined when the path is not known statically */
  paths: string[] | undefined;
  expression: string;
  reason: string;
  file: LoadedFile;
  line: number;
  pos: number;
  middleware: string[];
  handler: HandlerRef;
}

export interface Mount {
  prefixes: string[] | undefined;
  expression: string;
  /** the arguments after the prefix, in order: routers and middleware */
  args: ts.Expression[];
  file: LoadedFile;
  line: number;
  pos: number;
}

export interface RouterNode {
  key: ts.Node;
  name: string;
  file: LoadedFile;
  init: RouterInit;
  routes: LocalRoute[];
  mounts: Mount[];
  /** children this router mounts, resolved after all files are read */
  children: { node: RouterNode; prefixes: string[] | undefined; expression: string; middleware: string[]; file: LoadedFile; line: number; pos: number }[];
  /** pathless `use(fn)` middleware, by position */
  middleware: { file: LoadedFile; pos: number; name: string }[];
  mountedBy: number;
}

/** Full paths for every route reachable from a root; warns about routers that nothing mounts. */
export function routeTable(nodes: Iterable<RouterNode>, warnings: Warning[]): { routes: RouteFact[]; unresolved: UnresolvedRoute[] } {
  const routes: RouteFact[] = [];
  const unresolved: UnresolvedRoute[] = [];
  const seen = new Set<string>();
  const walk = (node: RouterNode, prefix: string | undefined, prefixExpr: string, inherited: string[], stack: Set<RouterNode>, isRoot: boolean): void => {
    if (stack.has(node)) return;
    stack.add(node);
    for (const r of node.routes) {
      const own = isRoot ? [] : node.middleware.filter((m) => m.file !== r.file || m.pos < r.pos).map((m) => m.name);
      const middleware = [...inherited, ...own, ...r.middleware];
      if (prefix === undefined || r.paths === undefined) {
        const key = `U\0${r.method}\0${r.file.rel}\0${r.line}`;
        if (seen.has(key)) continue;
        seen.add(key);
        unresolved.push({ file: r.file.rel, line: r.line, method: r.method, expression: r.paths === undefined ? r.expression : prefixExpr, reason: r.paths === undefined ? r.reason : 'mounted under a prefix built at run time' });
        continue;
      }
      for (const p of r.paths) {
        const path = joinPath(prefix, p);
        const key = `${r.method}\0${path}\0${r.file.rel}\0${r.line}`;
        if (seen.has(key)) continue;
        seen.add(key);
        routes.push({ method: r.method, path, file: r.file.rel, line: r.line, middleware, handler: r.handler });
      }
    }
    for (const c of node.children) {
      const own = isRoot ? [] : node.middleware.filter((m) => m.file !== c.file || m.pos < c.pos).map((m) => m.name);
      const childInherited = [...inherited, ...own, ...c.middleware];
      if (prefix === undefined || c.prefixes === undefined) walk(c.node, undefined, prefix === undefined ? prefixExpr : c.expression, childInherited, stack, false);
      else for (const p of c.prefixes) walk(c.node, joinPath(prefix, p), prefixExpr, childInherited, stack, false);
    }
    stack.delete(node);
  };
  for (const node of nodes) {
    if (node.mountedBy > 0 || (node.routes.length === 0 && node.children.length === 0)) continue;
    if (node.init === 'router') {
      warnings.push({ file: node.file.rel, message: `router '${node.name}' in ${node.file.rel} is not mounted anywhere the analyzer can see; its routes are reported with their own paths` });
    }
    walk(node, '', '', [], new Set(), true);
  }
  routes.sort((a, b) => cmp(a.path, b.path) || cmp(a.method, b.method) || cmp(a.file, b.file) || a.line - b.line);
  unresolved.sort((a, b) => cmp(a.file, b.file) || a.line - b.line);
  return { routes, unresolved };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
