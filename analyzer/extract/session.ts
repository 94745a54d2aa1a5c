// The HTTP session as shared state: every handler that reads or writes `req.session` needs the store
// express-session keeps sessions in, so once the monolith is split that store is shared between services
// exactly as a table is. Its resource is named after the store (session-store.ts): `redis:shop:` for
// connect-redis, the collection or table of the database stores, `session:memory` for the MemoryStore.
// A request is a handler's or middleware's parameter as request-params.ts knows it, never a name.
//   req.session.x, const { x } = req.session, req.sessionID, ({ session }) => session.x       → read
//   req.session.x = …, delete req.session.x, req.session = null, req.session.save() / regenerate() /
//   destroy() / reload() / touch(), Object.assign(req.session, …)                              → write
//   passport's req.login() / logout() → write, req.isAuthenticated() → read; req.flash() → write
//   passport's req.user, const { user } = req (ctx.state.user on Koa) → read, when the app uses passport.session()
//     (passport.ts); the tables its deserializeUser() function reads are read there too (`via: 'passport'`)
// Accesses carry `via: 'session'`: the resource is the store's, so they join the store's other readers and
// writers (the Redis reader's `redis:sess:` keys), while the access says the middleware made it.
//
// Koa (koa-session, koa-generic-session: `ctx.session`), Fastify (@fastify/session: `request.session.get('x')`
// reads, `set('x', v)` writes) and Nest on Express (`@Session() session`, `@Req() req`) are read the same way:
// the context or request is the first parameter of the route handlers and middleware their extraction knows.
//
// Cheap on trees that use no session package: only a text check per file.
import { ts } from 'ts-morph';
import type { AccessCollector } from './access-collector.ts';
import type { LoadedFile, LoadedProject } from './project.ts';
import { sessionParameters } from './nest-session.ts';
import { collectPassport, MENTIONS_PASSPORT, type PassportSession } from './passport.ts';
import { requestParameters } from './request-params.ts';
import { MEMORY_STORE, SESSION_PACKAGES, sessionMiddlewares, UNKNOWN_STORE } from './session-store.ts';
import type { RouteFact, TableAccess, Warning } from './types.ts';
import { isAssignment } from './value-key.ts';

/** Array methods that change the array in place: `req.session.cart.push(item)` writes the session. */
const MUTATING_ARRAY_METHODS = new Set(['push', 'pop', 'shift', 'unshift', 'splice', 'sort', 'reverse', 'fill', 'copyWithin']);

/** Session methods that change what the store holds (`set(key, value)`: @fastify/session's). */
const WRITING_METHODS = new Set(['save', 'regenerate', 'destroy', 'reload', 'touch', 'set']);

/**
 * Methods libraries add to the request that go through the session: passport keeps the logged-in user in
 * `req.session.passport` (`login` stores it, 0.6+ regenerating the session; `logout` removes it;
 * `isAuthenticated` answers from what `passport.session()` read back), connect-flash and express-flash keep
 * their messages in `req.session.flash` (`flash(type)` reads and clears them). Only these libraries put these
 * names on an express request, so a call on a known request is theirs.
 */
const REQUEST_METHODS: Record<string, TableAccess['access']> = {
  login: 'write', logIn: 'write', logout: 'write', logOut: 'write',
  isAuthenticated: 'read', isUnauthenticated: 'read',
  flash: 'write',
};

/** a file that names none of these touches no session */
const MENTIONS_SESSION = /session|log[iI]n|log[oO]ut|isAuthenticated|isUnauthenticated|flash/;
/** with passport's session support, a file that names no `user` reads no logged-in user */
const MENTIONS_USER = /\buser\b/;

export interface SessionReader {
  /** the resources sessions are kept in (one, nearly always; none when only passport's deserializer is read) */
  resources: string[];
  requests: Set<ts.ParameterDeclaration>;
  /** parameters that are the session itself: Nest's `@Session() session` */
  sessions: Set<ts.ParameterDeclaration>;
  /** passport's session support, when the app has it */
  passport?: PassportSession;
}

export function collectSession(project: LoadedProject, routes: readonly RouteFact[], warnings: Warning[]): SessionReader | undefined {
  const seed = project.files.filter((f) => SESSION_PACKAGES.test(f.source.text));
  const passportFiles = project.files.filter((f) => MENTIONS_PASSPORT.test(f.source.text));
  if (seed.length === 0 && passportFiles.length === 0) return undefined;
  const passport = passportFiles.length > 0 ? collectPassport(project, passportFiles) : undefined;
  const stores = seed.length > 0 ? sessionStores(project, seed, warnings) : [];
  // a session kept in the cookie (cookie-session, koa-session with no store) shares nothing server-side; what
  // passport's deserializer reads for `req.user` still is
  if (stores.length === 0 && !passport) return undefined;
  return { resources: stores, requests: requestParameters(project, routes), sessions: sessionParameters(project), passport };
}

/** The resources the session middlewares keep sessions in; none when they keep them in the cookie. */
function sessionStores(project: LoadedProject, seed: readonly LoadedFile[], warnings: Warning[]): string[] {
  const middlewares = sessionMiddlewares(project, seed);
  for (const m of middlewares) {
    if (m.resource !== MEMORY_STORE) continue;
    warnings.push({
      file: m.file,
      message: `${m.file}:${m.line}: ${m.package} keeps its sessions in memory (MemoryStore: no \`store\`, or an in-process one); a memory store cannot be shared between processes, so services split from this app lose the sessions: move them to a shared store (${SHARED_STORES[m.package] ?? SHARED_STORES['express-session']}) first`,
    });
  }
  const resources = [...new Set(middlewares.flatMap((m) => (m.resource === null ? [] : [m.resource])))].sort();
  // koa-session with no store: the session is the cookie, nothing server-side is shared
  if (resources.length === 0 && middlewares.length > 0) return [];
  return resources.length > 0 ? resources : [UNKNOWN_STORE];
}

/** The shared stores each package's users reach for, named in the memory-store warning. */
const SHARED_STORES: Record<string, string> = {
  'express-session': 'connect-redis, connect-mongo, connect-pg-simple',
  '@fastify/session': 'connect-redis, connect-mongo',
  'fastify-session': 'connect-redis, connect-mongo',
  'koa-generic-session': 'koa-redis',
};

export function scanSession(project: LoadedProject, file: LoadedFile, session: SessionReader | undefined, out: AccessCollector): void {
  if (!session || (session.requests.size === 0 && session.sessions.size === 0)) return;
  const passport = session.passport;
  if (!MENTIONS_SESSION.test(file.source.text) && !(passport && MENTIONS_USER.test(file.source.text))) return;
  const checker = project.checker;
  /** Nest's `@Session() session`, wherever it is used */
  const isSessionParameter = (id: ts.Identifier): boolean => {
    const decl = checker.getSymbolAtLocation(id)?.valueDeclaration;
    return !!decl && ts.isParameter(decl) && session.sessions.has(decl);
  };
  const isRequest = (e: ts.Expression): boolean => {
    const decl = ts.isIdentifier(e) ? checker.getSymbolAtLocation(e)?.valueDeclaration : undefined;
    return !!decl && ts.isParameter(decl) && session.requests.has(decl);
  };
  /** what passport fills the user in: the request, or Koa's `ctx.state` */
  const holdsUser = (e: ts.Expression): boolean =>
    isRequest(e) || (ts.isPropertyAccessExpression(e) && e.name.text === 'state' && isRequest(e.expression));
  /** `({ session }, res) =>`, `const { sessionID } = req`, `const { user } = ctx.state`: a binding of the request's `name` */
  const bindsRequest = (decl: ts.Node | undefined, name: string, holds: (e: ts.Expression) => boolean = isRequest): boolean => {
    if (!decl || !ts.isBindingElement(decl) || decl.dotDotDotToken) return false;
    const key = decl.propertyName ?? decl.name;
    if (!ts.isIdentifier(key) || key.text !== name) return false;
    const holder = decl.parent.parent;
    if (ts.isParameter(holder)) return session.requests.has(holder);
    return ts.isVariableDeclaration(holder) && !!holder.initializer && holds(holder.initializer);
  };
  const record = (at: ts.Node, access: TableAccess['access']): void => {
    for (const resource of session.resources) out.access(file, at, resource, access, 'session');
  };
  /** passport read the user from the session, through its deserializer */
  const readUser = (at: ts.Node): void => {
    record(at, 'read');
    passport!.userReads.push({ file, node: at });
  };

  // the names `session` is bound to by destructuring (`{ session: s }`), met before their uses: only these
  // identifiers are asked of the checker
  const bound = new Set(['session']);
  const sessionNames = new Set([...session.sessions].flatMap((p) => (ts.isIdentifier(p.name) ? [p.name.text] : [])));
  const visit = (node: ts.Node): void => {
    if (ts.isPropertyAccessExpression(node) && (node.name.text === 'session' || node.name.text === 'sessionID') && isRequest(node.expression)) {
      record(node, node.name.text === 'session' ? accessOf(node) : 'read');
    } else if (passport && ts.isPropertyAccessExpression(node) && node.name.text === 'user' && holdsUser(node.expression) && !isReplaced(node)) {
      readUser(node);
    } else if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && Object.hasOwn(REQUEST_METHODS, node.expression.name.text) &&
      isRequest(node.expression.expression) && !sessionless(node)) {
      record(node, REQUEST_METHODS[node.expression.name.text]!);
    } else if (ts.isIdentifier(node) && bound.has(node.text) && !isDeclarationName(node) && bindsRequest(checker.getSymbolAtLocation(node)?.valueDeclaration, 'session')) {
      record(node, accessOf(node));
    } else if (ts.isIdentifier(node) && sessionNames.has(node.text) && !isDeclarationName(node) && isSessionParameter(node)) {
      record(node, accessOf(node));
    } else if (ts.isBindingElement(node) && ts.isIdentifier(node.name)) {
      const key = node.propertyName ?? node.name;
      if (ts.isIdentifier(key) && key.text === 'session') bound.add(node.name.text);
      else if (bindsRequest(node, 'sessionID')) record(node, 'read');
      else if (passport && bindsRequest(node, 'user', holdsUser)) readUser(node);
    }
    ts.forEachChild(node, visit);
  };
  visit(file.source);
}

/** passport's `req.login(user, { session: false }, cb)` keeps nothing in the session. */
function sessionless(call: ts.CallExpression): boolean {
  return call.arguments.some((a) => ts.isObjectLiteralExpression(a) && a.properties.some((p) =>
    ts.isPropertyAssignment(p) && ts.isIdentifier(p.name) && p.name.text === 'session' && p.initializer.kind === ts.SyntaxKind.FalseKeyword));
}

/** `req.user = guest`, `delete req.user`: the request's own user for this request, not the session's. */
function isReplaced(user: ts.Expression): boolean {
  let top: ts.Node = user;
  while (ts.isParenthesizedExpression(top.parent) || ts.isNonNullExpression(top.parent)) top = top.parent;
  const parent = top.parent;
  return (ts.isBinaryExpression(parent) && parent.left === top && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken) || ts.isDeleteExpression(parent);
}

function isDeclarationName(id: ts.Identifier): boolean {
  const parent = id.parent;
  return (ts.isBindingElement(parent) && (parent.name === id || parent.propertyName === id)) || (ts.isParameter(parent) && parent.name === id);
}

/** Whether an expression standing for the session is read or written where it stands. */
function accessOf(session: ts.Expression): TableAccess['access'] {
  let top: ts.Expression = session;
  for (;;) {
    const parent = top.parent;
    if (ts.isParenthesizedExpression(parent) || ts.isNonNullExpression(parent)) top = parent;
    else if ((ts.isPropertyAccessExpression(parent) || ts.isElementAccessExpression(parent)) && parent.expression === top) {
      // req.session.save(), req.session.regenerate(cb)
      const called = ts.isPropertyAccessExpression(parent) && ts.isCallExpression(parent.parent) && parent.parent.expression === parent;
      if (called && top === session && WRITING_METHODS.has(parent.name.text)) return 'write';
      // req.session.messages.push(msg): a value kept in the session, changed in place
      if (called && top !== session && MUTATING_ARRAY_METHODS.has(parent.name.text)) return 'write';
      top = parent;
    } else break;
  }
  const parent = top.parent;
  if (ts.isBinaryExpression(parent) && parent.left === top && isAssignment(parent.operatorToken.kind)) return 'write';
  if (ts.isDeleteExpression(parent)) return 'write';
  if ((ts.isPrefixUnaryExpression(parent) || ts.isPostfixUnaryExpression(parent)) && (parent.operator === ts.SyntaxKind.PlusPlusToken || parent.operator === ts.SyntaxKind.MinusMinusToken)) return 'write';
  // Object.assign(req.session, { … })
  if (top === session && ts.isCallExpression(parent) && parent.arguments[0] === top && ts.isPropertyAccessExpression(parent.expression) &&
    ts.isIdentifier(parent.expression.expression) && parent.expression.expression.text === 'Object' && parent.expression.name.text === 'assign') return 'write';
  return 'read';
}

