// What sits around NestJS controllers and changes their paths: the bootstraps (`NestFactory.create(AppModule)`)
// with their global prefix, its exclusions and URI versioning; the @Module graph (which module lists which
// controller, which modules an app reaches); and RouterModule.register() path prefixes per module.
import { ts } from 'ts-morph';
import { calledFunction, joinPath } from './express-syntax.ts';
import { lineOf, shownSource } from './functions.ts';
import type { LoadedFile, LoadedProject } from './project.ts';
import { stringValue } from './string-value.ts';
import { fileOf, symbolOf } from './symbols.ts';
import { unwrap, valueKey } from './value-key.ts';
import { arrayElements, excludeMatcher, nestDecorators, nestEnumMember, nestName, objectLiteral, property, versionList } from './nest-syntax.ts';
import type { Warning } from './types.ts';

/** A path fragment read from the code; `value` is undefined when it is built at run time. */
export interface StaticPath {
  value?: string;
  expression: string;
}

export interface VersionSpec {
  /** the versions, '' for VERSION_NEUTRAL; undefined when chosen at run time */
  values?: string[];
  expression: string;
}

export interface NestApp {
  prefix?: StaticPath;
  exclude: { matcher: RegExp; method: string }[];
  /** set when URI versioning is enabled (other versioning types leave paths alone) */
  versioning?: { prefix: string; defaultVersion?: VersionSpec };
  /** the modules reachable from the root module through `imports` */
  modules: Set<ts.ClassDeclaration>;
}

/** What one pass over the files that import from @nestjs/ collects; interpreted once all files are read. */
export interface NestScan {
  controllers: ts.ClassDeclaration[];
  modules: { decl: ts.ClassDeclaration; options: ts.Expression | undefined }[];
  creates: ts.CallExpression[];
  /** `<app>.setGlobalPrefix(…)` / `<app>.enableVersioning(…)` */
  configCalls: ts.CallExpression[];
  routerRegistrations: ts.CallExpression[];
  /** calls that pass an identifier along: candidates for "a function that receives the app" */
  passing: ts.CallExpression[];
}

export interface NestModules {
  /** module → the modules its `imports` name (dynamic modules and forwardRef() included) */
  imports: Map<ts.ClassDeclaration, ts.ClassDeclaration[]>;
  /** controller → the modules whose `controllers` list it */
  modulesOf: Map<ts.ClassDeclaration, ts.ClassDeclaration[]>;
  /** module → its RouterModule path */
  paths: Map<ts.ClassDeclaration, StaticPath>;
}

export function newScan(): NestScan {
  return { controllers: [], modules: [], creates: [], configCalls: [], routerRegistrations: [], passing: [] };
}

export function scanNestFile(project: LoadedProject, file: LoadedFile, scan: NestScan): void {
  const checker = project.checker;
  const visit = (n: ts.Node): void => {
    if (ts.isClassDeclaration(n)) {
      for (const d of nestDecorators(n, checker)) {
        if (d.name === 'Controller') scan.controllers.push(n);
        else if (d.name === 'Module') scan.modules.push({ decl: n, options: d.args[0] });
      }
    } else if (ts.isCallExpression(n)) {
      const callee = n.expression;
      if (ts.isPropertyAccessExpression(callee)) {
        const method = callee.name.text;
        if (method === 'setGlobalPrefix' || method === 'enableVersioning') scan.configCalls.push(n);
        else if (method === 'create' && nestName(unwrap(callee.expression), checker) === 'NestFactory') scan.creates.push(n);
        else if (method === 'register' && nestName(unwrap(callee.expression), checker) === 'RouterModule') scan.routerRegistrations.push(n);
      }
      if (n.arguments.some((a) => ts.isIdentifier(a))) scan.passing.push(n);
    }
    ts.forEachChild(n, visit);
  };
  visit(file.source);
}

export function classOf(project: LoadedProject, expr: ts.Expression): ts.ClassDeclaration | undefined {
  const e = unwrap(expr);
  if (!ts.isIdentifier(e) && !ts.isPropertyAccessExpression(e)) return undefined;
  const decl = symbolOf(project, ts.isIdentifier(e) ? e : e.name).symbol?.declarations?.find(ts.isClassDeclaration);
  return decl && fileOf(project, decl) ? decl : undefined;
}

/** An entry of `imports`: `X`, `forwardRef(() => X)`, or a dynamic module `X.forRoot(…)` (→ X). */
function moduleRef(project: LoadedProject, expr: ts.Expression): ts.ClassDeclaration | undefined {
  const e = unwrap(expr);
  if (!ts.isCallExpression(e)) return classOf(project, e);
  const fn = e.arguments[0] && unwrap(e.arguments[0]);
  if (fn && ts.isArrowFunction(fn) && !ts.isBlock(fn.body) && nestName(unwrap(e.expression), project.checker) === 'forwardRef') return moduleRef(project, fn.body);
  return ts.isPropertyAccessExpression(e.expression) ? classOf(project, e.expression.expression) : undefined;
}

const where = (node: ts.Node, project: LoadedProject): string => {
  const file = fileOf(project, node);
  return file ? `${file.rel}:${lineOf(node, file.source)}` : '?';
};


export function readModules(project: LoadedProject, scan: NestScan, warnings: Warning[]): NestModules {
  const checker = project.checker;
  const modulesOf = new Map<ts.ClassDeclaration, ts.ClassDeclaration[]>();
  const imports = new Map<ts.ClassDeclaration, ts.ClassDeclaration[]>();
  const paths = new Map<ts.ClassDeclaration, StaticPath>();
  for (const { decl, options } of scan.modules) {
    const obj = objectLiteral(options, checker);
    const list = (name: string): ts.Expression[] => {
      const value = obj && property(obj, name);
      if (!value) return [];
      const elements = arrayElements(value, checker);
      if (!elements) warnings.push({ file: fileOf(project, value)?.rel, message: `${where(value, project)}: the ${name} of module ${decl.name?.text ?? 'default'} are built at run time; its routes may lack a RouterModule path or the app's prefix` });
      return elements ?? [];
    };
    imports.set(decl, list('imports').map((e) => moduleRef(project, e)).filter((m): m is ts.ClassDeclaration => !!m));
    for (const c of list('controllers')) {
      const controller = classOf(project, c);
      if (controller) modulesOf.set(controller, [...(modulesOf.get(controller) ?? []), decl]);
    }
  }
  // RouterModule.register([{ path, module, children: [{ path, module }, ChildModule] }]): a child's path is its
  // parent's path joined with its own; a child given as a bare module takes the parent's path.
  const walk = (elements: readonly ts.Expression[], parent: StaticPath): void => {
    for (const el of elements) {
      const obj = objectLiteral(el, checker);
      if (!obj) {
        const module = classOf(project, el);
        if (module) paths.set(module, parent);
        continue;
      }
      const pathExpr = property(obj, 'path');
      const own = pathExpr && stringValue(unwrap(pathExpr), checker);
      const full: StaticPath = parent.value !== undefined && own !== undefined
        ? { value: joinPath(parent.value, own), expression: pathExpr!.getText() }
        : { expression: parent.value === undefined ? parent.expression : pathExpr?.getText() ?? '' };
      const moduleExpr = property(obj, 'module');
      const module = moduleExpr && classOf(project, moduleExpr);
      if (module) paths.set(module, full);
      const children = property(obj, 'children');
      if (children) walk(arrayElements(children, checker) ?? [], full);
    }
  };
  for (const call of scan.routerRegistrations) {
    const elements = call.arguments[0] && arrayElements(call.arguments[0], checker);
    if (elements) walk(elements, { value: '', expression: '' });
    else warnings.push({ file: fileOf(project, call)?.rel, message: `${where(call, project)}: RouterModule.register() routes built at run time; module paths are not applied` });
  }
  return { modulesOf, imports, paths };
}

/** The declaration a value is held in (`const app = await NestFactory.create(…)` → that declaration). */
function holder(call: ts.Node): ts.Node {
  let n: ts.Node = call;
  while (n.parent && (ts.isAwaitExpression(n.parent) || ts.isParenthesizedExpression(n.parent) || ts.isAsExpression(n.parent) || ts.isNonNullExpression(n.parent))) n = n.parent;
  return n.parent && ts.isVariableDeclaration(n.parent) && n.parent.initializer === n ? n.parent : call;
}

export function readApps(project: LoadedProject, scan: NestScan, imports: Map<ts.ClassDeclaration, ts.ClassDeclaration[]>, warnings: Warning[]): NestApp[] {
  const checker = project.checker;
  const byHolder = new Map<ts.Node, NestApp>();
  const apps: NestApp[] = [];
  for (const call of scan.creates) {
    const modules = new Set<ts.ClassDeclaration>();
    const root = call.arguments[0] && classOf(project, call.arguments[0]);
    const queue = root ? [root] : [];
    for (let m = queue.shift(); m; m = queue.shift()) {
      if (modules.has(m)) continue;
      modules.add(m);
      queue.push(...(imports.get(m) ?? []));
    }
    const app: NestApp = { exclude: [], modules };
    apps.push(app);
    byHolder.set(holder(call), app);
  }

  const appOf = (expr: ts.Expression): NestApp | undefined => {
    let e = unwrap(expr);
    // app.setGlobalPrefix('api').enableVersioning(): the app's set…/use…/enable… methods return the app
    while (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) && !byHolder.has(e) && /^(set|use|enable)[A-Z]/.test(e.expression.name.text)) {
      e = unwrap(e.expression.expression);
    }
    // the holder itself, or the declaration the value comes from (through imports and functions that return the app)
    const key = byHolder.has(e) ? e : valueKey(project, e);
    if (!key || byHolder.has(key)) return key && byHolder.get(key);
    // `function configure(app: INestApplication) { app.setGlobalPrefix(…) }`, called as configure(app)
    if (!ts.isParameter(key)) return undefined;
    const index = key.parent.parameters.indexOf(key);
    for (const call of scan.passing) {
      const arg = call.arguments[index];
      const argKey = arg && ts.isIdentifier(arg) && calledFunction(project, call) === key.parent ? valueKey(project, arg) : undefined;
      if (argKey && byHolder.has(argKey)) return byHolder.get(argKey);
    }
    return undefined;
  };

  for (const call of scan.configCalls) {
    const { expression: receiver, name } = call.expression as ts.PropertyAccessExpression;
    const app = appOf(receiver);
    if (!app) {
      warnings.push({ file: fileOf(project, call)?.rel, message: `${where(call, project)}: ${name.text}() is called on '${shownSource(receiver)}', which could not be traced to a NestFactory.create(); not applied` });
      continue;
    }
    const [first, second] = call.arguments;
    if (name.text === 'setGlobalPrefix') {
      if (!first) continue;
      app.prefix = { value: stringValue(unwrap(first), checker), expression: first.getText() };
      app.exclude = second ? exclusions(project, second, warnings) : [];
    } else {
      app.versioning = versioning(project, first, warnings);
    }
  }
  return apps;
}

/** `{ exclude: ['health', { path: 'metrics', method: RequestMethod.GET }] }` */
function exclusions(project: LoadedProject, options: ts.Expression, warnings: Warning[]): NestApp['exclude'] {
  const checker = project.checker;
  const out: NestApp['exclude'] = [];
  const unread = (node: ts.Node): void => {
    warnings.push({ file: fileOf(project, node)?.rel, message: `${where(node, project)}: global-prefix exclusion '${shownSource(node)}' is not known statically; the prefix is applied to the routes it names` });
  };
  const obj = objectLiteral(options, checker);
  const list = obj ? property(obj, 'exclude') : options;
  if (!list) return out;
  const elements = arrayElements(list, checker);
  if (!elements) {
    unread(list);
    return out;
  }
  for (const el of elements) {
    const text = stringValue(unwrap(el), checker);
    const route = text === undefined ? objectLiteral(el, checker) : undefined;
    const path = route ? property(route, 'path') : undefined;
    const pathText = text ?? (path && stringValue(unwrap(path), checker));
    const methodExpr = route ? property(route, 'method') : undefined;
    const method = text !== undefined ? 'ALL' : methodExpr && nestEnumMember(methodExpr, 'RequestMethod', checker);
    if (pathText === undefined || method === undefined) unread(el);
    else out.push({ matcher: excludeMatcher(pathText), method });
  }
  return out;
}

/** `enableVersioning()` (URI by default), `{ type: VersioningType.URI, prefix?, defaultVersion? }`; other types change no path. */
function versioning(project: LoadedProject, options: ts.Expression | undefined, warnings: Warning[]): NestApp['versioning'] {
  const checker = project.checker;
  if (!options) return { prefix: 'v' };
  const obj = objectLiteral(options, checker);
  const type = obj && property(obj, 'type');
  const kind = type && nestEnumMember(type, 'VersioningType', checker);
  if (!obj || !kind) {
    warnings.push({ file: fileOf(project, options)?.rel, message: `${where(options, project)}: versioning options are not known statically; versions are left out of the paths` });
    return undefined;
  }
  if (kind !== 'URI') return undefined;
  const prefixExpr = property(obj, 'prefix');
  let prefix: string | undefined = 'v';
  if (prefixExpr) prefix = unwrap(prefixExpr).kind === ts.SyntaxKind.FalseKeyword ? '' : stringValue(unwrap(prefixExpr), checker);
  if (prefix === undefined) {
    warnings.push({ file: fileOf(project, prefixExpr!)?.rel, message: `${where(prefixExpr!, project)}: the URI version prefix is not known statically; 'v' is assumed` });
    prefix = 'v';
  }
  const defaultExpr = property(obj, 'defaultVersion');
  return { prefix, ...(defaultExpr ? { defaultVersion: { values: versionList(defaultExpr, checker), expression: defaultExpr.getText() } } : {}) };
}
