// The calls of a project function, and the constructions of a project class: found by name in the files that
// mention it, confirmed through the type checker. Lets a value a helper only receives (a Redis key given to
// `cached(key, load)`, a table given to a knex query helper `findById(table, id)`, a model given to a repository's
// constructor) be read where the caller makes it. A function handed to an array's `forEach`/`map` counts as called with
// each element (callback-calls.ts).
import path from 'node:path';
import { ts } from 'ts-morph';
import { callbackCalls, handsOver } from './callback-calls.ts';
import { isFunctionLike } from './functions.ts';
import type { LoadedFile, LoadedProject } from './project.ts';
import { fileOf, resolveReference } from './symbols.ts';
import { unwrap, valueKey } from './value-key.ts';

export interface CallSite {
  call: ts.CallExpression;
  /** the callee's name as written: where the call is */
  callee: ts.Node;
  file: LoadedFile;
}

export type CallSites = (fn: ts.SignatureDeclaration) => CallSite[];

export function callSites(project: LoadedProject): CallSites {
  const memo = new Map<ts.Node, CallSite[]>();
  return (fn) => {
    let sites = memo.get(fn);
    if (!sites) {
      sites = findCalls(project, fn);
      memo.set(fn, sites);
    }
    return sites;
  };
}

function findCalls(project: LoadedProject, fn: ts.SignatureDeclaration): CallSite[] {
  const name = nameOf(fn);
  if (!name) return [];
  const out: CallSite[] = [];
  for (const file of filesMentioning(project, name)) {
    const visit = (node: ts.Node): void => {
      if (ts.isCallExpression(node)) {
        const callee = unwrap(node.expression);
        const nameNode = ts.isIdentifier(callee) ? callee : ts.isPropertyAccessExpression(callee) ? callee.name : undefined;
        if (nameNode && nameNode.text === name) {
          const target = resolveReference(project, nameNode);
          if (target.kind === 'project' && target.target.decl === fn) out.push({ call: node, callee: nameNode, file });
        }
        // `[a, b].forEach(register)`: a call with each element; `p.then(register)`: one with arguments not known (callback-calls.ts)
        const through = handsOver(node, name) ? callbackCalls(project, node) : undefined;
        for (const call of through ?? []) {
          const given = givenName(call.expression);
          if (given?.text !== name) continue;
          const target = resolveReference(project, given);
          if (target.kind === 'project' && target.target.decl === fn) out.push({ call, callee: given, file });
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(file.source);
  }
  return out;
}

/** `register`, `ctrl.register`: the name a function is handed over by. */
function givenName(arg: ts.Expression): ts.Identifier | ts.MemberName | undefined {
  const e = unwrap(arg);
  return ts.isIdentifier(e) ? e : ts.isPropertyAccessExpression(e) ? e.name : undefined;
}

/**
 * How a function may be called without the analyzer seeing the call: used as a value (`async.apply(user.getHistory,
 * key)`, `cb = helpers.get`), or named in a string (`var method = 'sortedSetsRanks'; db[method](…)`). Then "no caller"
 * would not be true.
 */
export function unseenCalls(project: LoadedProject, fn: ts.SignatureDeclaration): 'value' | 'string' | undefined {
  const name = nameOf(fn);
  if (!name) return undefined;
  let named = false;
  for (const file of filesMentioning(project, name)) {
    let found = false;
    const visit = (node: ts.Node): void => {
      if (found) return;
      if (ts.isIdentifier(node) && node.text === name && asValue(node)) found = true;
      else if ((ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) && node.text === name) named = true;
      else ts.forEachChild(node, visit);
    };
    visit(file.source);
    if (found) return 'value';
  }
  return named ? 'string' : undefined;
}

/** `f` or `x.f` read as a value: not called, not declared or assigned to, not tested, not exported by name. */
function asValue(id: ts.Identifier): boolean {
  const parent = id.parent;
  if (ts.isPropertyAccessExpression(parent) && parent.expression === id) return false; // `f.x`: f is the object
  // a declaration's own name: `function f`, `const f`, `{ f: … }`, a method, an import or export specifier
  if (!ts.isPropertyAccessExpression(parent) && !ts.isShorthandPropertyAssignment(parent) && (parent as { name?: ts.Node }).name === id) return false;
  if (ts.isShorthandPropertyAssignment(parent)) return !exportsObject(parent.parent);
  const ref: ts.Node = ts.isPropertyAccessExpression(parent) ? parent : id;
  let up = ref.parent;
  while (up && (ts.isParenthesizedExpression(up) || ts.isNonNullExpression(up) || ts.isAsExpression(up))) up = up.parent;
  if (!up) return false;
  if ((ts.isCallExpression(up) || ts.isNewExpression(up)) && unwrap(up.expression) === ref) return false;
  if (ts.isPrefixUnaryExpression(up) || ts.isTypeOfExpression(up) || ts.isDeleteExpression(up) || ts.isIfStatement(up)) return false;
  if (ts.isConditionalExpression(up) && up.condition === ref) return false;
  if (ts.isBinaryExpression(up)) {
    const op = up.operatorToken.kind;
    if (op === ts.SyntaxKind.EqualsToken) return up.right === ref;
    return op === ts.SyntaxKind.BarBarToken || op === ts.SyntaxKind.QuestionQuestionToken;
  }
  return true;
}

/** `module.exports = { getAny }`, `export default { getAny }`: an object that only exports its members by name. */
function exportsObject(node: ts.Node): boolean {
  if (!ts.isObjectLiteralExpression(node)) return false;
  const up = node.parent;
  if (ts.isExportAssignment(up)) return true;
  return ts.isBinaryExpression(up) && up.right === node && ts.isPropertyAccessExpression(up.left) && up.left.getText() === 'module.exports';
}

/** The project's files whose text has `name` as a whole word (a cheap look before walking a file's tree). */
function filesMentioning(project: LoadedProject, name: string): LoadedFile[] {
  const mentions = new RegExp(`\\b${name.replace(/\$/g, '\\$')}\\b`);
  return project.files.filter((file) => file.source.text.includes(name) && mentions.test(file.source.text));
}

/** The name a function is called by: its own, or the variable, property or member holding it. */
function nameOf(fn: ts.SignatureDeclaration): string | undefined {
  if ((ts.isFunctionDeclaration(fn) || ts.isMethodDeclaration(fn)) && fn.name && ts.isIdentifier(fn.name)) return fn.name.text;
  let parent = fn.parent;
  while (parent && (ts.isParenthesizedExpression(parent) || ts.isAsExpression(parent) || ts.isSatisfiesExpression(parent))) parent = parent.parent;
  if (isFunctionLike(fn) && parent && (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) && ts.isIdentifier(parent.name)) {
    return parent.name.text;
  }
  // `exports.fn = function …`, `helpers.multiKeyValues = function …`, `Foo.prototype.bar = function …`
  if (isFunctionLike(fn) && parent && ts.isBinaryExpression(parent) && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken && unwrap(parent.right) === fn && ts.isPropertyAccessExpression(parent.left)) {
    return parent.left.name.text;
  }
  return undefined;
}

/** `redis.get(key)` in `function cached(key, …)`, `knex(table)` in `function findById(table, id)`: the helper's parameter the whole value is. */
export function wholeParameter(value: ts.Expression, checker: ts.TypeChecker): (ts.ParameterDeclaration & { parent: ts.SignatureDeclaration }) | undefined {
  const e = unwrap(value);
  if (!ts.isIdentifier(e)) return undefined;
  const decl = checker.getSymbolAtLocation(e)?.valueDeclaration;
  if (!decl || !ts.isParameter(decl) || decl.dotDotDotToken || !ts.isIdentifier(decl.name) || !isFunctionLike(decl.parent)) return undefined;
  return decl as ts.ParameterDeclaration & { parent: ts.SignatureDeclaration };
}

export interface ClassUses {
  /** The argument lists a class's constructor is called with: `new C(…)`, `super(…)` in a subclass's constructor, and `new Sub(…)` of a subclass without one. */
  constructions(cls: ts.ClassLikeDeclaration): (readonly ts.Expression[])[];
  /** The classes extending a class, to any depth. */
  subclasses(cls: ts.ClassLikeDeclaration): ts.ClassLikeDeclaration[];
  /** Where the constructor is called, as `constructions` finds them: the `new` expressions and `super()` calls. */
  constructionSites(cls: ts.ClassLikeDeclaration): (ts.NewExpression | ts.CallExpression)[];
}

interface Uses {
  made: (ts.NewExpression | ts.CallExpression)[];
  /** direct subclasses */
  subclasses: ts.ClassLikeDeclaration[];
}

export function classUses(project: LoadedProject): ClassUses {
  const memo = new Map<ts.Node, Uses>();
  const usesOf = (cls: ts.ClassLikeDeclaration): Uses => {
    let uses = memo.get(cls);
    if (!uses) memo.set(cls, (uses = findUses(project, cls)));
    return uses;
  };
  const subclasses = (cls: ts.ClassLikeDeclaration, seen: Set<ts.Node>): ts.ClassLikeDeclaration[] => {
    seen.add(cls);
    return usesOf(cls).subclasses.flatMap((sub) => (seen.has(sub) ? [] : [sub, ...subclasses(sub, seen)]));
  };
  const sites = (cls: ts.ClassLikeDeclaration, seen: Set<ts.Node>): (ts.NewExpression | ts.CallExpression)[] => {
    seen.add(cls);
    const { made, subclasses: subs } = usesOf(cls);
    const found = [...made];
    // `new Sub(…)` of a subclass without a constructor of its own calls this one with the same arguments
    for (const sub of subs) if (!seen.has(sub) && !sub.members.some(ts.isConstructorDeclaration)) found.push(...sites(sub, seen));
    return found;
  };
  return {
    constructions: (cls) => sites(cls, new Set()).map((site) => site.arguments ?? []),
    subclasses: (cls) => subclasses(cls, new Set()),
    constructionSites: (cls) => sites(cls, new Set()),
  };
}

/**
 * `new C(…)`, the classes extending C and `super(…)` in their constructors, in the files that name C or its module.
 */
function findUses(project: LoadedProject, cls: ts.ClassLikeDeclaration): Uses {
  const uses: Uses = { made: [], subclasses: [] };
  const own = fileOf(project, cls);
  const name = classNameOf(cls);
  if (!own) return uses;
  const base = path.posix.basename(own.rel).replace(/\.[^.]+$/, '');
  // the module as a specifier ends it: `require('./bread-service')`, `from '../members'` for members/index.js
  const word = base === 'index' ? path.posix.basename(path.posix.dirname(own.rel)) : base;
  const escape = (w: string): string => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const mentions = new RegExp(`[/'"]${escape(word)}(?:\\.[cm]?[jt]s)?['"]${name ? `|\\b${escape(name)}\\b` : ''}`);
  for (const file of project.files) {
    const text = file.source.text;
    if (file !== own && !((text.includes(word) || (name !== undefined && text.includes(name))) && mentions.test(text))) continue;
    // asked of the checker only when written with the class's name or a name the file binds to its module
    const bound = namesFrom(file.source, word);
    const isThisClass = (expr: ts.Expression): boolean => {
      const e = unwrap(expr);
      const last = ts.isIdentifier(e) ? e.text : ts.isPropertyAccessExpression(e) ? e.name.text : undefined;
      let root = e;
      while (ts.isPropertyAccessExpression(root)) root = unwrap(root.expression);
      const named = last === name || (ts.isIdentifier(root) && bound.has(root.text));
      return named && classOf(project, e) === cls;
    };
    const visit = (node: ts.Node): void => {
      if (ts.isNewExpression(node) && isThisClass(node.expression)) uses.made.push(node);
      else if (ts.isClassLike(node) && node !== cls) {
        const parent = node.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword)?.types[0]?.expression;
        const extendsThis = !!parent && isThisClass(parent);
        if (extendsThis) uses.subclasses.push(node);
        const ctor = extendsThis ? node.members.find(ts.isConstructorDeclaration) : undefined;
        if (ctor?.body) ctor.body.forEachChild(function superCalls(n: ts.Node): void {
          if (ts.isCallExpression(n) && n.expression.kind === ts.SyntaxKind.SuperKeyword) uses.made.push(n);
          else if (!isFunctionLike(n) && !ts.isClassLike(n)) n.forEachChild(superCalls);
        });
      }
      ts.forEachChild(node, visit);
    };
    visit(file.source);
  }
  return uses;
}

/** The names a file binds to what it requires or imports from a module whose path has `word` in it. */
function namesFrom(source: ts.SourceFile, word: string): Set<string> {
  const names = new Set<string>();
  const add = (name: ts.BindingName): void => {
    if (ts.isIdentifier(name)) names.add(name.text);
    else for (const el of name.elements) if (!ts.isOmittedExpression(el)) add(el.name);
  };
  if (!source.text.includes(word)) return names;
  const visit = (node: ts.Node): void => {
    if (ts.isVariableDeclaration(node) && node.initializer && requireLike(node.initializer) && node.initializer.getText(source).includes(word)) add(node.name);
    else if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier) && node.moduleSpecifier.text.includes(word) && node.importClause) {
      const clause = node.importClause;
      if (clause.name) names.add(clause.name.text);
      const bindings = clause.namedBindings;
      if (bindings && ts.isNamespaceImport(bindings)) names.add(bindings.name.text);
      else if (bindings) for (const el of bindings.elements) names.add(el.name.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return names;
}

/** `require('./x')`, `require('./x').X`, `await import('./x')`: short enough to read its text */
function requireLike(init: ts.Expression): boolean {
  const e = unwrap(init);
  return ts.isCallExpression(e) || (ts.isPropertyAccessExpression(e) && ts.isCallExpression(unwrap(e.expression)));
}

function classNameOf(cls: ts.ClassLikeDeclaration): string | undefined {
  if (cls.name) return cls.name.text;
  const holder = cls.parent;
  return holder && ts.isVariableDeclaration(holder) && ts.isIdentifier(holder.name) ? holder.name.text : undefined;
}

/** The project class a value is: declared, held by a variable, exported (`module.exports = class X {}`, `exports.X = X`) and required. */
export function classOf(project: LoadedProject, expr: ts.Expression, depth = 0): ts.ClassLikeDeclaration | undefined {
  const key = valueKey(project, expr);
  if (!key || depth > 3) return undefined;
  if (ts.isClassLike(key)) return key;
  const value = ts.isVariableDeclaration(key) || ts.isPropertyAssignment(key) ? key.initializer : ts.isBinaryExpression(key) ? key.right : undefined;
  const v = value && unwrap(value);
  if (v && ts.isClassLike(v)) return v;
  return v && (ts.isIdentifier(v) || ts.isPropertyAccessExpression(v)) && v !== expr ? classOf(project, v, depth + 1) : undefined;
}
