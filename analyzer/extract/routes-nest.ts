// HTTP entry points of NestJS apps: @Controller classes and their @Get/@Post/… methods, with the path Nest
// builds for them — global prefix (unless excluded), URI version, RouterModule path, controller path,
// method path — and the guards, interceptors and pipes that run before the handler. Files that import
// nothing from @nestjs/ are not read.
import { ts } from 'ts-morph';
import { joinPath } from './express-syntax.ts';
import { lineOf } from './functions.ts';
import { guarded } from './guard.ts';
import { classOf, newScan, readApps, readModules, scanNestFile, type NestApp, type StaticPath, type VersionSpec } from './nest-app.ts';
import {
  arrayElements, HTTP_DECORATORS, importsNest, middlewareName, MIDDLEWARE_DECORATORS, nestDecorators, objectLiteral, property, stringList, versionList, type NestDecorator,
} from './nest-syntax.ts';
import type { LoadedFile, LoadedProject } from './project.ts';
import type { RouteResult } from './routes.ts';
import { codeTargetOf, fileOf } from './symbols.ts';
import type { HandlerRef, RouteFact, UnresolvedRoute, Warning } from './types.ts';

/** Paths read from a decorator: `values` undefined when built at run time. */
type Paths = { values?: string[]; expression: string };

interface Controller {
  paths: Paths;
  version?: VersionSpec;
  /** class-level names per kind (guards, interceptors, pipes), base classes' first */
  middleware: string[][];
}

interface RouteMethod {
  file: LoadedFile;
  method: string;
  /** the line of the @Get/@Post/… decorator */
  line: number;
  paths: Paths;
  version?: VersionSpec;
  middleware: string[][];
  handler: HandlerRef;
}

interface Sink {
  routes: RouteFact[];
  unresolved: UnresolvedRoute[];
  seen: Set<string>;
}

export function extractNestRoutes(project: LoadedProject): RouteResult {
  const warnings: Warning[] = [];
  const scan = newScan();
  for (const file of project.files) {
    if (importsNest(file.source)) guarded(file, warnings, 'NestJS routes', () => scanNestFile(project, file, scan));
  }
  if (scan.controllers.length === 0) return { routes: [], unresolved: [], warnings };

  const modules = readModules(project, scan, warnings);
  const apps = readApps(project, scan, modules.imports, warnings);
  if (apps.length === 0) {
    warnings.push({ message: 'NestJS controllers found but no NestFactory.create() the analyzer can see; their routes are reported without a global prefix or URI version' });
  }
  const sink: Sink = { routes: [], unresolved: [], seen: new Set() };
  for (const decl of scan.controllers) {
    const file = fileOf(project, decl)!;
    guarded(file, warnings, 'NestJS routes', () => {
      const listing = modules.modulesOf.get(decl) ?? [];
      const contexts: { app?: NestApp; modulePath?: StaticPath }[] = [];
      for (const app of apps) for (const m of listing) if (app.modules.has(m)) contexts.push({ app, modulePath: modules.paths.get(m) });
      if (contexts.length === 0) {
        // listed in no module an app reaches (a dynamic module, a module list built at run time): with one app, it is that app's
        const app = apps.length === 1 ? apps[0] : undefined;
        if (apps.length > 1) {
          warnings.push({ file: file.rel, message: `controller ${decl.name?.text ?? 'default'} in ${file.rel} is in no module that one of the ${apps.length} NestJS apps imports; its routes are reported without a global prefix` });
        }
        if (listing.length === 0) contexts.push({ app });
        for (const m of listing) contexts.push({ app, modulePath: modules.paths.get(m) });
      }
      const controller = readController(project, decl);
      for (const method of routeMethods(project, decl)) {
        for (const { app, modulePath } of contexts) place(controller, method, app, modulePath, sink);
      }
    });
  }
  sink.routes.sort((a, b) => cmp(a.path, b.path) || cmp(a.method, b.method) || cmp(a.file, b.file) || a.line - b.line);
  sink.unresolved.sort((a, b) => cmp(a.file, b.file) || a.line - b.line);
  return { routes: sink.routes, unresolved: sink.unresolved, warnings };
}

/** The full paths of one route method in one app and module (as Nest's RoutePathFactory builds them), or why they cannot be known. */
function place(c: Controller, m: RouteMethod, app: NestApp | undefined, modulePath: StaticPath | undefined, sink: Sink): void {
  const unresolved = (expression: string, reason: string): void => {
    const key = `U\0${m.method}\0${m.file.rel}\0${m.line}`;
    if (!sink.seen.has(key)) sink.unresolved.push({ file: m.file.rel, line: m.line, method: m.method, expression, reason });
    sink.seen.add(key);
  };
  // the method's version wins over the controller's, which falls back to the app's default; without URI versioning, none
  const version = app?.versioning ? m.version ?? c.version ?? app.versioning.defaultVersion : undefined;
  if (m.paths.values === undefined) return unresolved(m.paths.expression, 'path built at run time');
  if (c.paths.values === undefined) return unresolved(c.paths.expression, 'under a controller path built at run time');
  if (modulePath && modulePath.value === undefined) return unresolved(modulePath.expression, 'under a module path (RouterModule) built at run time');
  if (version && version.values === undefined) return unresolved(version.expression, 'version chosen at run time');
  const middleware = MIDDLEWARE_DECORATORS.flatMap((_, i) => [...c.middleware[i], ...m.middleware[i]]);
  for (const v of version?.values ?? ['']) {
    for (const ctrl of c.paths.values) {
      for (const own of m.paths.values) {
        // exclusions match the path without prefix and version
        const local = joinPath(joinPath(modulePath?.value ?? '', ctrl), own);
        const excluded = app?.exclude.some((e) => (e.method === 'ALL' || e.method === m.method) && e.matcher.test(local)) ?? false;
        const prefix = excluded ? undefined : app?.prefix;
        if (prefix && prefix.value === undefined) {
          unresolved(prefix.expression, 'under a global prefix built at run time');
          continue;
        }
        const versioned = v === '' ? local : joinPath(`/${app!.versioning!.prefix}${v}`, local);
        const path = trimSlash(prefix ? joinPath(joinPath('', prefix.value!), versioned) : versioned);
        const key = `${m.method}\0${path}\0${m.file.rel}\0${m.line}`;
        if (sink.seen.has(key)) continue;
        sink.seen.add(key);
        sink.routes.push({ method: m.method, path, file: m.file.rel, line: m.line, middleware, handler: m.handler });
      }
    }
  }
}

/** The class and the classes it extends, base first (Nest reads class metadata through the prototype chain). */
function lineage(project: LoadedProject, decl: ts.ClassDeclaration): ts.ClassDeclaration[] {
  const chain: ts.ClassDeclaration[] = [];
  for (let c: ts.ClassDeclaration | undefined = decl; c && !chain.includes(c) && chain.length < 10;) {
    chain.unshift(c);
    const base: ts.Expression | undefined = c.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword)?.types[0]?.expression;
    c = base && classOf(project, base);
  }
  return chain;
}

/**
 * Names per kind (guards, interceptors, pipes). Decorators apply bottom-up and each appends to the list,
 * so `@UseGuards(A) @UseGuards(B)` runs B before A; within one decorator, arguments run in order.
 */
function middlewareOf(project: LoadedProject, decorators: NestDecorator[]): string[][] {
  return MIDDLEWARE_DECORATORS.map((kind) =>
    decorators.filter((d) => d.name === kind).reverse().flatMap((d) =>
      d.args.flatMap((a) => (ts.isSpreadElement(a) ? arrayElements(a.expression, project.checker) ?? [a.expression] : [a]).map(middlewareName)),
    ),
  );
}

function readController(project: LoadedProject, decl: ts.ClassDeclaration): Controller {
  const checker = project.checker;
  const own = nestDecorators(decl, checker);
  const arg = own.find((d) => d.name === 'Controller')?.args[0];
  const options = arg && objectLiteral(arg, checker);
  const pathExpr = options ? property(options, 'path') : arg;
  const versionExpr = options && property(options, 'version');
  const perClass = lineage(project, decl).map((c) => middlewareOf(project, c === decl ? own : nestDecorators(c, checker)));
  return {
    paths: pathExpr ? { values: stringList(pathExpr, checker), expression: pathExpr.getText() } : { values: [''], expression: '' },
    ...(versionExpr ? { version: { values: versionList(versionExpr, checker), expression: versionExpr.getText() } } : {}),
    middleware: MIDDLEWARE_DECORATORS.map((_, i) => perClass.flatMap((kinds) => kinds[i])),
  };
}

/** Route methods of a controller, inherited ones included; a method overridden without a decorator is no route. */
function routeMethods(project: LoadedProject, decl: ts.ClassDeclaration): RouteMethod[] {
  const checker = project.checker;
  const out: RouteMethod[] = [];
  const seen = new Set<string>();
  for (const cls of lineage(project, decl).reverse()) {
    const file = fileOf(project, cls);
    if (!file) continue;
    for (const member of cls.members) {
      if (!ts.isMethodDeclaration(member) || !(ts.isIdentifier(member.name) || ts.isStringLiteral(member.name)) || seen.has(member.name.text)) continue;
      // Nest reads routes from the prototype: static methods are never routes
      if (member.modifiers?.some((m) => m.kind === ts.SyntaxKind.StaticKeyword)) continue;
      seen.add(member.name.text);
      const decorators = nestDecorators(member, checker);
      // the topmost decorator applies last, and its metadata is the one Nest reads
      const http = decorators.find((d) => HTTP_DECORATORS.has(d.name));
      if (!http) continue;
      const versionArg = decorators.find((d) => d.name === 'Version')?.args[0];
      const pathArg = http.args[0];
      const target = codeTargetOf(project, member);
      out.push({
        file,
        method: HTTP_DECORATORS.get(http.name)!,
        line: lineOf(http.node, file.source),
        paths: pathArg ? { values: stringList(pathArg, checker), expression: pathArg.getText() } : { values: [''], expression: '' },
        ...(versionArg ? { version: { values: versionList(versionArg, checker), expression: versionArg.getText() } } : {}),
        middleware: middlewareOf(project, decorators),
        handler: target ? { kind: 'named', file: target.file.rel, name: target.name, line: target.line } : { kind: 'unresolved', name: member.name.text },
      });
    }
  }
  return out;
}

/** Nest drops one trailing slash ('/books/' → '/books'); the root stays '/'. */
function trimSlash(path: string): string {
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
