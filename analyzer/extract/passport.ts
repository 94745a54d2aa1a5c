// passport's logged-in user, read from what it is loaded from: `passport.session()` reads the user's id back
// from the session on every request and hands it to the function given to `passport.deserializeUser()`, which
// loads the user (`SELECT … FROM users`). A handler reading `req.user` so reads the session store and whatever
// that function reads: those tables are added to it as reads, `via: 'passport'`. A stateless strategy
// (`authenticate('jwt', { session: false })`) fills `req.user` from no session: with no `passport.session()`
// in the app, `req.user` counts for nothing.
import { ts } from 'ts-morph';
import type { AccessCollector } from './access-collector.ts';
import { isFunctionLike, lineOf, ownFunctionName } from './functions.ts';
import { packageOf } from './package-values.ts';
import type { LoadedFile, LoadedProject } from './project.ts';
import { fileOf, namedFunction } from './symbols.ts';
import type { TableAccess } from './types.ts';
import { unwrap } from './value-key.ts';

/** passport on express, koa-passport (`ctx.state.user`), @fastify/passport (`request.user`) */
const PASSPORT = new Set(['passport', 'koa-passport', '@fastify/passport']);

/** a file that names none of these sets up no passport */
export const MENTIONS_PASSPORT = /passport/;

/** how many calls deep the deserializer's helpers are followed (`findUser(id)` in a users module) */
const MAX_CALLS = 3;

export interface PassportSession {
  /** the functions given to `deserializeUser()` (@fastify/passport: `registerUserDeserializer()`) */
  deserializers: ts.Node[];
  /** where handlers read `req.user`, filled as the files are scanned: the deserializers' tables are read there */
  userReads: { file: LoadedFile; node: ts.Node }[];
}

/**
 * passport's session support, when the app has it: `passport.session()` or `passport.authenticate('session')`
 * given to a `use()` (@fastify/passport: `secureSession()` given to `register()`), passport imported from its
 * package. A `deserializeUser(fn)` is taken on any receiver: the config module handed passport as a parameter
 * (`require('./config/passport')(passport)`) is where apps write it.
 */
export function collectPassport(project: LoadedProject, files: readonly LoadedFile[]): PassportSession | undefined {
  let session = false;
  const deserializers: ts.Node[] = [];
  /** project functions that return `passport.session()`: the files that name one are read for its `use()` too */
  const helpers = new Set<string>();
  const scan = (file: LoadedFile, inPassportFile: boolean): void => {
    const visit = (node: ts.Node): void => {
      if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
        const method = node.expression.name.text;
        if ((method === 'use' || method === 'register') && node.arguments.some((a) => isSessionStrategy(project, a))) session = true;
        else if (inPassportFile && (method === 'deserializeUser' || method === 'registerUserDeserializer') && node.arguments.length === 1) {
          const fn = functionOf(project, node.arguments[0]!);
          if (fn) deserializers.push(fn);
        }
      } else if (inPassportFile && isFunctionLike(node) && returned(node).some((e) => isSessionStrategy(project, e, 1))) {
        // `AuthModule.session` is called by its own name
        const name = ownFunctionName(node, file.source).split('.').pop()!;
        if (/^[\w$]+$/.test(name)) helpers.add(name);
      }
      ts.forEachChild(node, visit);
    };
    visit(file.source);
  };
  for (const file of files) scan(file, true);
  if (!session && helpers.size > 0) {
    const named = new RegExp(`\\b(?:${[...helpers].join('|')})\\b`);
    for (const file of project.files) if (!files.includes(file) && named.test(file.source.text)) scan(file, false);
  }
  return session ? { deserializers, userReads: [] } : undefined;
}

/**
 * `passport.session()`, `passport.authenticate('session')`, `authenticate(['session', 'anonymous'])`, `fastifyPassport.secureSession()`,
 * also returned by a project function given to `use()`: `export const initializeSession = () => passport.session()`.
 */
function isSessionStrategy(project: LoadedProject, arg: ts.Expression, depth = 0): boolean {
  const call = unwrap(arg);
  if (!ts.isCallExpression(call)) return false;
  const callee = unwrap(call.expression);
  const helper = depth === 0 ? namedFunction(project, callee) : undefined;
  if (helper) return returned(helper).some((e) => isSessionStrategy(project, e, 1));
  if (!ts.isPropertyAccessExpression(callee) || !PASSPORT.has(packageOf(project.checker, callee.expression) ?? '')) return false;
  const name = callee.name.text;
  if (name === 'session' || name === 'secureSession') return true;
  if (name !== 'authenticate' || !call.arguments[0]) return false;
  const strategies = unwrap(call.arguments[0]);
  const names = ts.isArrayLiteralExpression(strategies) ? strategies.elements : [strategies];
  return names.some((s) => ts.isStringLiteralLike(s) && s.text === 'session');
}

/** What a function returns: an arrow's expression body, or the expressions of its own `return`s. */
function returned(fn: ts.SignatureDeclaration): ts.Expression[] {
  const body = (fn as ts.FunctionLikeDeclaration).body;
  if (!body) return [];
  if (!ts.isBlock(body)) return [body];
  const found: ts.Expression[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isReturnStatement(node) && node.expression) found.push(node.expression);
    else if (!isFunctionLike(node)) ts.forEachChild(node, visit);
  };
  visit(body);
  return found;
}

/**
 * The function an argument is: written in place, or a project function it names (imported too). A call that makes
 * it (passport-local-mongoose's `User.deserializeUser()`, a project's `makeDeserializer(db)`) stands for it: what
 * is recorded on the call's lines, and the project functions it calls, are what the function it returns reads.
 */
function functionOf(project: LoadedProject, arg: ts.Expression): ts.Node | undefined {
  const e = unwrap(arg);
  return isFunctionLike(e) || ts.isCallExpression(e) ? e : namedFunction(project, e);
}

/**
 * Adds, where each handler reads `req.user`, a read of every table the deserializers touch (read or written:
 * either runs on that handler's request) — the accesses recorded inside them and inside the project functions
 * they call, a few calls deep. Run once all files are scanned: a deserializer's file may come after its readers.
 */
export function recordPassportReads(project: LoadedProject, passport: PassportSession, out: AccessCollector): void {
  if (passport.userReads.length === 0 || passport.deserializers.length === 0) return;
  const tables = deserializedTables(project, passport.deserializers, out.accesses);
  for (const { file, node } of passport.userReads) for (const table of tables) out.access(file, node, table, 'read', 'passport');
}

function deserializedTables(project: LoadedProject, roots: readonly ts.Node[], accesses: readonly TableAccess[]): string[] {
  const byFile = new Map<string, TableAccess[]>();
  for (const a of accesses) {
    // the session is what passport.session() read the id from: the handler reads it already
    if (a.via === 'session' || a.via === 'passport') continue;
    byFile.set(a.file, [...(byFile.get(a.file) ?? []), a]);
  }
  const tables = new Set<string>();
  const seen = new Set<ts.Node>();
  let frontier = [...roots];
  for (let depth = 0; depth <= MAX_CALLS && frontier.length > 0; depth++) {
    const next: ts.Node[] = [];
    for (const fn of frontier) {
      const file = seen.has(fn) ? undefined : fileOf(project, fn);
      seen.add(fn);
      if (!file) continue;
      // accesses are known by function name and line; a function's lines are its own and its callbacks'
      const from = lineOf(fn, file.source);
      const to = file.source.getLineAndCharacterOfPosition(fn.getEnd()).line + 1;
      for (const a of byFile.get(file.rel) ?? []) if (a.line >= from && a.line <= to) tables.add(a.table);
      if (depth === MAX_CALLS) continue;
      const visit = (node: ts.Node): void => {
        if (ts.isCallExpression(node)) {
          const fn = namedFunction(project, unwrap(node.expression));
          if (fn && !seen.has(fn)) next.push(fn);
        }
        ts.forEachChild(node, visit);
      };
      visit(fn);
    }
    frontier = next;
  }
  return [...tables].sort();
}
