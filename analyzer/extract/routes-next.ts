// HTTP entry points of Next.js apps, routed by file: pages-router API routes (pages/api/**, the default export
// handles every method, branching on req.method) and app-router route handlers (app/**/route.ts, one exported
// function per method). Projects that do not use Next (no `next` dependency or import) cost a file-list check.
import { ts } from 'ts-morph';
import { exprName } from './express-syntax.ts';
import { isFunctionLike, lineOf, ownFunctionName, shownSource } from './functions.ts';
import { guarded } from './guard.ts';
import { connectRoutes, dynamicImport, exportedTable, forwardedTable, resolvedModuleDefault, type DispatchEntry } from './next-dispatch.ts';
import { handledMethods, HTTP_METHODS } from './next-methods.ts';
import { appSegments, NEXT_ROUTE_CANDIDATE, nextPath, pagesSegments, readBasePath, readPageExtensions, routeBase, usesNext } from './next-paths.ts';
import type { LoadedFile, LoadedProject } from './project.ts';
import { resolveSpecifier } from './resolve.ts';
import type { RouteResult } from './routes.ts';
import { codeTargetOf, fileOf, resolveReference } from './symbols.ts';
import type { HandlerRef, RouteFact, Warning } from './types.ts';
import { unwrap } from './value-key.ts';

/** A handler as read from an export: its function id, the function itself when known, wrappers outermost first. */
interface Handler {
  ref: HandlerRef;
  fn?: ts.SignatureDeclaration;
  middleware: string[];
}

/** Wrappers followed from an export to the function they wrap (`withAuth(withLog(handler))`). */
const MAX_WRAPPERS = 4;

export function extractNextRoutes(project: LoadedProject): RouteResult {
  const warnings: Warning[] = [];
  if (!project.files.some((f) => NEXT_ROUTE_CANDIDATE.test(f.rel)) || !usesNext(project)) return { routes: [], unresolved: [], warnings };
  const base = routeBase(project.root);
  const basePath = readBasePath(project, warnings);
  const extensions = readPageExtensions(project, warnings);
  const routes: RouteFact[] = [];
  for (const file of project.files) {
    if (!file.rel.startsWith(base)) continue;
    const rel = file.rel.slice(base.length);
    if (rel.startsWith('pages/api/')) {
      const segments = pagesSegments(rel.slice('pages/'.length), extensions);
      if (segments) guarded(file, warnings, 'Next.js routes', () => routes.push(...pagesRoutes(project, file, placed(file, basePath, segments, warnings), warnings)));
    } else if (rel.startsWith('app/')) {
      const segments = appSegments(rel.slice('app/'.length), extensions);
      if (segments) guarded(file, warnings, 'Next.js routes', () => routes.push(...appRoutes(project, file, placed(file, basePath, segments, warnings), warnings)));
    }
  }
  routes.sort((a, b) => cmp(a.path, b.path) || cmp(a.method, b.method) || cmp(a.file, b.file) || a.line - b.line);
  return { routes, unresolved: [], warnings };
}

function placed(file: LoadedFile, basePath: string, segments: string[], warnings: Warning[]): string {
  const { path, problem } = nextPath(basePath, segments);
  if (problem) warnings.push({ file: file.rel, message: `${file.rel}: ${problem}; reported as ${path}` });
  return path;
}

/** pages/api: the default export handles every method; one route per method it branches on, else one ALL route. */
function pagesRoutes(project: LoadedProject, file: LoadedFile, path: string, warnings: Warning[]): RouteFact[] {
  const exported = defaultExport(file.source);
  if (!exported) {
    warnings.push({ file: file.rel, message: `${file.rel}: no default export the analyzer can read (Next.js serves the default export of a pages/api file); no route reported for ${path}` });
    return [];
  }
  const expr = ts.isFunctionDeclaration(exported.value) ? undefined : exported.value;
  const connect = expr && connectRoutes(project, file.source, expr);
  if (connect) return connect.map((entry) => dispatched(project, file, path, entry, []));
  const handler = expr ? fromExpression(project, expr, 0) : declared(project, exported.value as ts.FunctionDeclaration);
  const table = expr && exportedTable(expr);
  if (table) return table.map((entry) => dispatched(project, file, path, entry, []));
  // the handler runs first (an auth check, say), then hands the request to the table: it is the methods' middleware
  const forwarded = handler.fn && forwardedTable(handler.fn);
  if (forwarded) return forwarded.map((entry) => dispatched(project, file, path, entry, [...handler.middleware, handler.ref.name ?? 'default']));
  const read = handler.fn ? handledMethods(handler.fn) : { methods: [], others: true };
  const methods = read.methods.length === 0 ? ['ALL'] : read.others ? [...read.methods, 'ALL'] : read.methods;
  const line = lineOf(exported.node, file.source);
  return methods.map((method) => ({ method, path, file: file.rel, line, middleware: handler.middleware, handler: handler.ref }));
}

/** One method of a dispatching pages handler, at the line that names the method. */
function dispatched(project: LoadedProject, file: LoadedFile, path: string, entry: DispatchEntry, outer: string[]): RouteFact {
  const handler = entryHandler(project, file, entry.value);
  return { method: entry.method, path, file: file.rel, line: lineOf(entry.node, file.source), middleware: [...outer, ...entry.middleware, ...handler.middleware], handler: handler.ref };
}

/** A method table's value: a function or wrapper, `import('./_get')` (that module's default export), `Promise.resolve({ default: h })`. */
function entryHandler(project: LoadedProject, file: LoadedFile, value: ts.Expression): Handler {
  const loaded = resolvedModuleDefault(value);
  if (loaded) return fromExpression(project, loaded, 0);
  const specifier = dynamicImport(value);
  if (specifier === undefined) return fromExpression(project, value, 0);
  const target = resolveSpecifier(project, specifier, file.source.fileName, ts.ModuleKind.ESNext);
  const exported = target.kind === 'file' ? defaultExport(target.file.source) : undefined;
  if (!exported) return { ref: { kind: 'unresolved', name: `import(${JSON.stringify(specifier)})` }, middleware: [] };
  return ts.isFunctionDeclaration(exported.value) ? declared(project, exported.value) : fromExpression(project, exported.value, 0);
}

/** `export default function`, `export default <expr>`, `export { h as default }`, `module.exports = <expr>`. */
function defaultExport(source: ts.SourceFile): { node: ts.Node; value: ts.Expression | ts.FunctionDeclaration } | undefined {
  for (const s of source.statements) {
    if (ts.isFunctionDeclaration(s) && hasModifier(s, ts.SyntaxKind.ExportKeyword) && hasModifier(s, ts.SyntaxKind.DefaultKeyword)) return { node: s, value: s };
    if (ts.isExportAssignment(s) && !s.isExportEquals) return { node: s, value: s.expression };
    if (ts.isExportDeclaration(s) && !s.moduleSpecifier && s.exportClause && ts.isNamedExports(s.exportClause)) {
      const spec = s.exportClause.elements.find((e) => e.name.text === 'default');
      if (spec) return { node: spec, value: spec.propertyName && ts.isIdentifier(spec.propertyName) ? spec.propertyName : spec.name };
    }
    if (ts.isExpressionStatement(s) && ts.isBinaryExpression(s.expression) && s.expression.operatorToken.kind === ts.SyntaxKind.EqualsToken && s.expression.left.getText(source) === 'module.exports') {
      return { node: s, value: s.expression.right };
    }
  }
  return undefined;
}

/** app/**\/route.ts: each exported GET, POST, … is one route. */
function appRoutes(project: LoadedProject, file: LoadedFile, path: string, warnings: Warning[]): RouteFact[] {
  const source = file.source;
  const out: RouteFact[] = [];
  const add = (method: string, node: ts.Node, handler: Handler): void => {
    out.push({ method, path, file: file.rel, line: lineOf(node, source), middleware: handler.middleware, handler: handler.ref });
  };
  let unread = false;
  for (const s of source.statements) {
    if (ts.isFunctionDeclaration(s) && s.name && HTTP_METHODS.has(s.name.text) && hasModifier(s, ts.SyntaxKind.ExportKeyword)) {
      add(s.name.text, s, declared(project, s));
    } else if (ts.isVariableStatement(s) && hasModifier(s, ts.SyntaxKind.ExportKeyword)) {
      for (const d of s.declarationList.declarations) {
        if (ts.isIdentifier(d.name)) {
          if (HTTP_METHODS.has(d.name.text) && d.initializer) add(d.name.text, d, fromExpression(project, d.initializer, 0));
        } else if (ts.isObjectBindingPattern(d.name)) {
          // `export const { GET, POST } = handlers` (NextAuth): the handlers are members of a value
          for (const el of d.name.elements) {
            if (!ts.isIdentifier(el.name) || !HTTP_METHODS.has(el.name.text)) continue;
            const handler = fromReference(project, el.name);
            const member = `${d.initializer ? exprName(d.initializer) : '?'}.${(el.propertyName ?? el.name).getText(source)}`;
            add(el.name.text, el, handler.ref.kind === 'unresolved' ? { ...handler, ref: { kind: 'unresolved', name: member } } : handler);
          }
        } else {
          warnings.push({ file: file.rel, message: `${file.rel}:${lineOf(d, source)}: exports ${d.name.getText(source)} from a destructured array; any HTTP method handler in it is not reported` });
        }
      }
    } else if (ts.isExportDeclaration(s) && !s.isTypeOnly) {
      if (!s.exportClause) {
        // `export * from './handlers'`: the module's exported methods, as the checker lists them
        const module = s.moduleSpecifier && project.checker.getSymbolAtLocation(s.moduleSpecifier);
        const inProject = module?.valueDeclaration && fileOf(project, module.valueDeclaration);
        if (!module || !inProject) {
          unread = true;
          warnings.push({ file: file.rel, message: `${file.rel}:${lineOf(s, source)}: ${shownSource(s, source)} re-exports a module the analyzer does not read; HTTP method handlers among its exports are not reported` });
          continue;
        }
        for (const sym of project.checker.getExportsOfModule(module)) {
          if (HTTP_METHODS.has(sym.name)) add(sym.name, s, fromSymbol(project, sym, ts.factory.createIdentifier(sym.name)));
        }
      } else if (ts.isNamedExports(s.exportClause)) {
        for (const el of s.exportClause.elements) {
          const local = el.propertyName ?? el.name;
          if (!el.isTypeOnly && HTTP_METHODS.has(el.name.text) && ts.isIdentifier(local)) add(el.name.text, el, fromReference(project, local, el));
        }
      }
    }
  }
  if (out.length === 0 && !unread) {
    warnings.push({ file: file.rel, message: `${file.rel}: a route file that exports no HTTP method handler (GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS) the analyzer can read; no route reported for ${path}` });
  }
  return out;
}

/** A function declaration: a named handler. */
function declared(project: LoadedProject, fn: ts.FunctionDeclaration): Handler {
  const target = codeTargetOf(project, fn);
  const ref: HandlerRef = target ? { kind: 'named', file: target.file.rel, name: target.name, line: target.line } : { kind: 'unresolved', name: fn.name?.text ?? 'default' };
  return { ref, fn, middleware: [] };
}

/**
 * The handler an exported expression stands for: a function (inline, or named by the const it initialises), a
 * name resolved to its declaration, or a wrapper call around one (`withAuth(handler)`: `withAuth` is middleware).
 */
function fromExpression(project: LoadedProject, expr: ts.Expression, depth: number): Handler {
  const e = unwrap(expr);
  const source = e.getSourceFile();
  if (isFunctionLike(e)) {
    const holder = constHolder(e);
    const line = lineOf(e, source);
    return { ref: { kind: holder ? 'named' : 'inline', file: codeTargetOf(project, e)?.file.rel, name: ownFunctionName(e, source), line }, fn: e, middleware: [] };
  }
  if (ts.isIdentifier(e)) return fromReference(project, e, undefined, depth);
  if (ts.isPropertyAccessExpression(e)) {
    // `export const GET = handlers.list`
    const target = resolveReference(project, e.name);
    if (target.kind === 'project') return { ref: { kind: 'named', file: target.target.file.rel, name: target.target.name, line: target.target.line }, ...(isFunctionLike(target.target.decl) ? { fn: target.target.decl } : {}), middleware: [] };
  }
  if (ts.isCallExpression(e) && depth < MAX_WRAPPERS) {
    const inner = e.arguments.find((a) => wrapsHandler(project, a, depth));
    if (inner) {
      const wrapped = fromExpression(project, inner, depth + 1);
      return { ...wrapped, middleware: [exprName(e.expression), ...wrapped.middleware] };
    }
  }
  // a factory (`createRouter().handler()`, `NextAuth(options)`): its function id when it is in the project
  const callee = ts.isCallExpression(e) ? unwrap(e.expression) : undefined;
  const named = callee && (ts.isIdentifier(callee) ? callee : ts.isPropertyAccessExpression(callee) ? callee.name : undefined);
  const target = named ? resolveReference(project, named) : undefined;
  if (target?.kind === 'project') return { ref: { kind: 'factory', file: target.target.file.rel, name: target.target.name, line: target.target.line }, middleware: [] };
  return { ref: { kind: 'unresolved', name: exprName(e) }, middleware: [] };
}

/**
 * A name's handler: a const initialised with a wrapper call is unwrapped (`const handler = withAuth(fn)`), a
 * function or a const holding one is named. `spec`: an export specifier, whose local name the checker resolves.
 */
function fromReference(project: LoadedProject, name: ts.Identifier, spec?: ts.ExportSpecifier, depth = 0): Handler {
  const checker = project.checker;
  const symbol = spec ? checker.getExportSpecifierLocalTargetSymbol(spec) : checker.getSymbolAtLocation(name);
  return fromSymbol(project, symbol, name, depth);
}

/** The handler a symbol names (`name`: how the code refers to it, for the checker's fallback and the unresolved name). */
function fromSymbol(project: LoadedProject, found: ts.Symbol | undefined, name: ts.Identifier, depth = 0): Handler {
  let symbol = found;
  if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = project.checker.getAliasedSymbol(symbol);
  const decl = symbol?.valueDeclaration ?? symbol?.declarations?.[0];
  if (decl && ts.isVariableDeclaration(decl) && decl.initializer && ts.getCombinedNodeFlags(decl) & ts.NodeFlags.Const && depth < MAX_WRAPPERS) {
    // a function, a wrapper call, or another name (`export const PUT = PATCH`)
    const init = unwrap(decl.initializer);
    if (isFunctionLike(init) || ts.isCallExpression(init) || ts.isIdentifier(init)) return fromExpression(project, init, depth + 1);
  }
  const target = decl && codeTargetOf(project, decl);
  if (target) {
    const fn = isFunctionLike(target.decl) ? target.decl : undefined;
    return { ref: { kind: 'named', file: target.file.rel, name: target.name, line: target.line }, ...(fn ? { fn } : {}), middleware: [] };
  }
  const resolved = name.parent ? resolveReference(project, name) : { kind: 'unknown' as const };
  if (resolved.kind === 'project') {
    const t = resolved.target;
    return { ref: { kind: 'named', file: t.file.rel, name: t.name, line: t.line }, ...(isFunctionLike(t.decl) ? { fn: t.decl } : {}), middleware: [] };
  }
  return { ref: { kind: 'unresolved', name: name.text }, middleware: [] };
}

/**
 * Is a call argument the handler a wrapper wraps: a function, a name holding one, or another wrapper call around
 * one (`withError('digest', withQstash(async (req) => …))`).
 */
function wrapsHandler(project: LoadedProject, arg: ts.Expression, depth: number): boolean {
  const u = unwrap(arg);
  if (isFunctionLike(u)) return true;
  if (ts.isIdentifier(u)) return namesFunction(project, u);
  return ts.isCallExpression(u) && depth + 1 < MAX_WRAPPERS && u.arguments.some((a) => wrapsHandler(project, a, depth + 1));
}

/**
 * Does a name hold a handler, so that a call passing it is a wrapper (`withAuth(handler)`), not a factory given
 * its options (`NextAuth(authOptions)`): a function, or a const initialised with a function or a call.
 */
function namesFunction(project: LoadedProject, name: ts.Identifier): boolean {
  let symbol = project.checker.getSymbolAtLocation(name);
  if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = project.checker.getAliasedSymbol(symbol);
  const decl = symbol?.valueDeclaration;
  if (!decl) return false;
  if (isFunctionLike(decl)) return true;
  const init = ts.isVariableDeclaration(decl) && decl.initializer ? unwrap(decl.initializer) : undefined;
  return !!init && (isFunctionLike(init) || ts.isCallExpression(init));
}

/** The const a function initialises (`const handler = async () => …`), through parentheses and casts. */
function constHolder(fn: ts.Node): ts.VariableDeclaration | undefined {
  let parent = fn.parent;
  while (ts.isParenthesizedExpression(parent) || ts.isAsExpression(parent) || ts.isSatisfiesExpression(parent)) parent = parent.parent;
  return ts.isVariableDeclaration(parent) ? parent : undefined;
}

function hasModifier(node: ts.Node, kind: ts.SyntaxKind): boolean {
  return ts.canHaveModifiers(node) && (ts.getModifiers(node)?.some((m) => m.kind === kind) ?? false);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
