// The prefix a Redis key is known by: the static leading part of the key, up to and including its last `:`
// before anything made at run time (`session:${id}` → `session:`, `'cart:' + userId` → `cart:`, a static
// `'config:flags'` whole). A key is followed through constants (`const key = \`session:${id}\``, `KEYS.cart`, a
// class's readonly field, a `var`/`let` given no other value), `[…].join(':')`, project functions that build it
// (`sessionKey(id)`, their parameters bound to the call's arguments), and an array's `map()` whose callback returns
// one key (`uids.map(uid => 'user:' + uid)`: each element's prefix is the array's); string-value.ts does the same
// for whole strings.
import { ts } from 'ts-morph';
import { isFunctionLike } from './functions.ts';
import type { LoadedProject } from './project.ts';
import { namedFunction, resolveReference } from './symbols.ts';
import { reassignedVariable } from './value-key.ts';

/** What is known of a key's beginning: `text`, and whether that is the whole key. */
interface Lead {
  text: string;
  complete: boolean;
}

interface Bound {
  expr: ts.Expression;
  bindings: Bindings;
}

/** a function's parameters → the arguments of the call being followed */
type Bindings = ReadonlyMap<ts.Node, Bound>;

const NONE: Bindings = new Map();
const DYNAMIC: Lead = { text: '', complete: false };
const MAX_DEPTH = 8;
const GLOB = /[*?[\\]/;

export type KeyPrefix = { prefix: string } | { made: ts.Expression };

/**
 * A key's prefix, or, when nothing of it is static, the expression that makes it (for the warning). A
 * pattern's wildcards end its static part (`session:*` → `session:`). A static lead without any `:`
 * (`'user_' + id`) is the prefix as it stands.
 */
export function keyPrefix(project: LoadedProject, key: ts.Expression | string, pattern: boolean): KeyPrefix {
  let { text, complete } = typeof key === 'string' ? { text: key, complete: true } : lead(project, key, NONE, 0);
  const glob = pattern ? text.search(GLOB) : -1;
  if (glob >= 0) {
    text = text.slice(0, glob);
    complete = false;
  }
  if (!complete) {
    const colon = text.lastIndexOf(':');
    if (colon >= 0) text = text.slice(0, colon + 1);
  }
  if (text !== '' || typeof key === 'string') return { prefix: text };
  const named = namedAfterRunTimeLead(project, key, pattern);
  return named !== undefined ? { prefix: named } : { made: madeBy(project, key) };
}

/**
 * The prefix every key of an array made with `map()` has (`uids.map(uid => 'user:' + uid)`, or a variable holding one):
 * undefined for any other array, or when the callback's key has no static part.
 */
export function mappedKeyPrefix(project: LoadedProject, array: ts.Expression, pattern: boolean): string | undefined {
  const made = madeBy(project, array);
  if (!ts.isCallExpression(made) || !mappedKey(project, made)) return undefined;
  const key = keyPrefix(project, made, pattern);
  return 'prefix' in key ? key.prefix : undefined;
}

/** stands for a part of a key made at run time in `shape()` */
const RUN_TIME = '\u0000';

/**
 * A key that starts with run-time segments and names its kind after them (`${userId}:cart`,
 * `${tenant}:${id}:session:${sid}`): those segments become `*` (`*:cart`, `*:*:session:`), up to the first
 * segment written in full, from which the prefix is read as usual. A key with no segment written in full
 * (`${tenant}:${id}`) has none.
 */
function namedAfterRunTimeLead(project: LoadedProject, key: ts.Expression, pattern: boolean): string | undefined {
  let text = shape(project, key, NONE, 0);
  if (pattern) text = text.replace(/[*?[\\]/g, RUN_TIME);
  const segments = text.split(':');
  const first = segments.findIndex((s) => s !== '' && !s.includes(RUN_TIME));
  if (first <= 0) return undefined;
  const lead = segments.slice(0, first).map((s) => (s.includes(RUN_TIME) ? '*' : s));
  let rest = segments.slice(first).join(':');
  const cut = rest.indexOf(RUN_TIME);
  if (cut >= 0) {
    rest = rest.slice(0, cut);
    const colon = rest.lastIndexOf(':');
    if (colon >= 0) rest = rest.slice(0, colon + 1);
  }
  return `${lead.join(':')}:${rest}`;
}

/** The whole key as far as it is known, each part made at run time standing as `RUN_TIME`. */
function shape(project: LoadedProject, expr: ts.Expression, bindings: Bindings, depth: number): string {
  if (depth > MAX_DEPTH) return RUN_TIME;
  const e = strip(expr);
  if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e) || ts.isNumericLiteral(e)) return e.text;
  if (ts.isTemplateExpression(e)) return e.templateSpans.reduce((text, span) => text + shape(project, span.expression, bindings, depth + 1) + span.literal.text, e.head.text);
  if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.PlusToken) return shape(project, e.left, bindings, depth + 1) + shape(project, e.right, bindings, depth + 1);
  if (ts.isIdentifier(e) || ts.isPropertyAccessExpression(e)) {
    const held = heldExpression(project, e, bindings);
    return held ? shape(project, held.expr, held.bindings, depth + 1) : RUN_TIME;
  }
  if (!ts.isCallExpression(e)) return RUN_TIME;
  const callee = strip(e.expression);
  const joined = ts.isPropertyAccessExpression(callee) && callee.name.text === 'join' ? arrayOf(project, callee.expression, bindings) : undefined;
  if (joined) {
    const sep = e.arguments[0] ? shape(project, e.arguments[0], bindings, depth + 1) : ',';
    return sep.includes(RUN_TIME) ? RUN_TIME : joined.elements.map((el) => shape(project, el, bindings, depth + 1)).join(sep);
  }
  const mapped = mappedKey(project, e);
  if (mapped) return shape(project, mapped, bindings, depth + 1);
  const returned = returnedExpression(project, e, bindings);
  return returned ? shape(project, returned.expr, returned.bindings, depth + 1) : RUN_TIME;
}

function strip(expr: ts.Expression): ts.Expression {
  while (ts.isParenthesizedExpression(expr) || ts.isAsExpression(expr) || ts.isSatisfiesExpression(expr) || ts.isNonNullExpression(expr)) expr = expr.expression;
  return expr;
}

function lead(project: LoadedProject, expr: ts.Expression, bindings: Bindings, depth: number): Lead {
  if (depth > MAX_DEPTH) return DYNAMIC;
  const e = strip(expr);
  if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e) || ts.isNumericLiteral(e)) return { text: e.text, complete: true };
  if (ts.isTemplateExpression(e)) {
    let text = e.head.text;
    for (const span of e.templateSpans) {
      const part = lead(project, span.expression, bindings, depth + 1);
      text += part.text;
      if (!part.complete) return { text, complete: false };
      text += span.literal.text;
    }
    return { text, complete: true };
  }
  if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.PlusToken) {
    const left = lead(project, e.left, bindings, depth + 1);
    if (!left.complete) return left;
    const right = lead(project, e.right, bindings, depth + 1);
    return { text: left.text + right.text, complete: right.complete };
  }
  if (ts.isIdentifier(e) || ts.isPropertyAccessExpression(e)) {
    const held = heldExpression(project, e, bindings);
    return held ? lead(project, held.expr, held.bindings, depth + 1) : DYNAMIC;
  }
  if (ts.isCallExpression(e)) return callLead(project, e, bindings, depth);
  return DYNAMIC;
}

/** A constant's initializer, or the argument a bound parameter was given. */
function heldExpression(project: LoadedProject, e: ts.Identifier | ts.PropertyAccessExpression, bindings: Bindings): Bound | undefined {
  const checker = project.checker;
  let symbol = checker.getSymbolAtLocation(ts.isIdentifier(e) ? e : e.name);
  if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
  const decl = symbol?.valueDeclaration;
  if (!decl) return undefined;
  const bound = bindings.get(decl);
  if (bound) return bound;
  // constants, and a `var`/`let` nothing gives another value (one that is may be reassigned before use)
  if (ts.isVariableDeclaration(decl) && decl.initializer && (ts.getCombinedNodeFlags(decl) & ts.NodeFlags.Const || !reassignedVariable(decl, checker))) return { expr: decl.initializer, bindings: NONE };
  if (ts.isPropertyAssignment(decl)) return { expr: decl.initializer, bindings: NONE };
  if (ts.isEnumMember(decl) && decl.initializer) return { expr: decl.initializer, bindings: NONE };
  const readonly = ts.isPropertyDeclaration(decl) && decl.modifiers?.some((m) => m.kind === ts.SyntaxKind.ReadonlyKeyword);
  if (readonly && decl.initializer) return { expr: decl.initializer, bindings: NONE };
  return undefined;
}


/**
 * `uids.map(function (uid) { return 'user:' + uid; })`, `ids.map(toKey)`: the one expression the callback returns, every
 * element of the array it makes. Not a project object's own `map()`, nor a callback with more than one return.
 */
function mappedKey(project: LoadedProject, call: ts.CallExpression): ts.Expression | undefined {
  const callee = strip(call.expression);
  if (!ts.isPropertyAccessExpression(callee) || callee.name.text !== 'map' || call.arguments.length === 0) return undefined;
  const given = strip(call.arguments[0]);
  const fn = isFunctionLike(given) ? given : namedFunction(project, given);
  const body = fn && 'body' in fn ? (fn.body as ts.Node | undefined) : undefined;
  if (!body || resolveReference(project, callee.name).kind === 'project') return undefined;
  if (!ts.isBlock(body)) return body as ts.Expression;
  const returns: ts.ReturnStatement[] = [];
  const visit = (n: ts.Node): void => {
    if (isFunctionLike(n)) return;
    if (ts.isReturnStatement(n)) returns.push(n);
    else ts.forEachChild(n, visit);
  };
  ts.forEachChild(body, visit);
  return returns.length === 1 ? returns[0].expression : undefined;
}

/** `[a, b].join(':')`, or a project function's return value with its parameters bound to the call's arguments. */
function callLead(project: LoadedProject, call: ts.CallExpression, bindings: Bindings, depth: number): Lead {
  const callee = strip(call.expression);
  const joined = ts.isPropertyAccessExpression(callee) && callee.name.text === 'join' ? arrayOf(project, callee.expression, bindings) : undefined;
  if (joined) {
    const sep = call.arguments[0] ? lead(project, call.arguments[0], bindings, depth + 1) : { text: ',', complete: true };
    if (!sep.complete) return DYNAMIC;
    let text = '';
    for (const [i, element] of joined.elements.entries()) {
      if (i > 0) text += sep.text;
      const part = lead(project, element, bindings, depth + 1);
      text += part.text;
      if (!part.complete) return { text, complete: false };
    }
    return { text, complete: true };
  }
  const mapped = mappedKey(project, call);
  if (mapped) return lead(project, mapped, bindings, depth + 1);
  const returned = returnedExpression(project, call, bindings);
  return returned ? lead(project, returned.expr, returned.bindings, depth + 1) : DYNAMIC;
}

/** `[a, b]`, a `const` holding one, or a rest parameter (`buildKey(...parts)`) bound to the call's arguments. */
function arrayOf(project: LoadedProject, expr: ts.Expression, bindings: Bindings): ts.ArrayLiteralExpression | undefined {
  const e = strip(expr);
  if (ts.isArrayLiteralExpression(e)) return e;
  if (!ts.isIdentifier(e)) return undefined;
  const held = heldExpression(project, e, bindings);
  const array = held && strip(held.expr);
  return array && ts.isArrayLiteralExpression(array) ? array : undefined;
}

function returnedExpression(project: LoadedProject, call: ts.CallExpression, bindings: Bindings): Bound | undefined {
  const fn = namedFunction(project, strip(call.expression));
  if (!fn) return undefined;
  const body = 'body' in fn ? (fn.body as ts.Node | undefined) : undefined;
  if (!body) return undefined;
  const inner = new Map<ts.Node, Bound>();
  fn.parameters.forEach((p, i) => {
    // `...parts`: the arguments from here on, as the array the function sees
    if (p.dotDotDotToken) inner.set(p, { expr: ts.factory.createArrayLiteralExpression(call.arguments.slice(i)), bindings });
    else if (call.arguments[i]) inner.set(p, { expr: call.arguments[i], bindings });
  });
  if (!ts.isBlock(body)) return { expr: body as ts.Expression, bindings: inner };
  let found: ts.Expression | undefined;
  const visit = (n: ts.Node): void => {
    if (found || isFunctionLike(n)) return;
    if (ts.isReturnStatement(n) && n.expression) found = n.expression;
    else ts.forEachChild(n, visit);
  };
  ts.forEachChild(body, visit);
  return found && { expr: found, bindings: inner };
}

/** Where a key with no static part is made: followed through the constants holding it, to the expression itself. */
function madeBy(project: LoadedProject, key: ts.Expression): ts.Expression {
  let e = strip(key);
  for (let depth = 0; depth < MAX_DEPTH && (ts.isIdentifier(e) || ts.isPropertyAccessExpression(e)); depth++) {
    const held = heldExpression(project, e, NONE);
    if (!held) break;
    e = strip(held.expr);
  }
  return e;
}
