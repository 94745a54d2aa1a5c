// What a receiver of a Bookshelf call stands for (bookshelf-usage.ts): a model (bookshelf-models.ts), a chain on one,
// or an instance or collection a model call handed back — held by a local, a `.then` callback's first parameter, a
// loop's element, returned by a project function, or given to a helper's parameter or a class's constructor (kept as
// `this.Model`), read at the helper's calls or the class's constructions when every one of them gives the same model.
import { ts } from 'ts-morph';
import { methodBodyOf, type BookshelfModel, type BookshelfModels } from './bookshelf-models.ts';
import type { CallSites, ClassUses } from './call-sites.ts';
import { calledFunction } from './express-syntax.ts';
import { isFunctionLike } from './functions.ts';
import { objectOption } from './orm-values.ts';
import type { LoadedProject } from './project.ts';
import { keptValue, propertyName } from './this-members.ts';
import { assignedWithin, laterAssigned, memoized, unwrap } from './value-key.ts';

/** methods that hand back the model, an instance or its query, so the chain still stands for the model's table */
const CHAIN = new Set(['forge', 'where', 'query', 'orderBy', 'clone', 'resetQuery']);
/** calls that hand back an instance (or a collection) of the model they are made on: what a variable or a `.then` holds */
const INSTANCE_RESULT = new Set(['fetch', 'fetchOne', 'fetchAll', 'findOne', 'findAll', 'add', 'edit', 'save']);
/** a collection's (and its `.models` array's) methods whose callback gets one instance first */
const ITERATION = new Set(['map', 'forEach', 'filter', 'find', 'each', 'some', 'every', 'flatMap']);
const MAX_DEPTH = 8;
/** How many helpers a value is followed up through, each handing its parameter on to the next. */
const MAX_HELPERS = 3;

export interface BookshelfValues {
  /** The model a receiver stands for: the model, a chain on it, or an instance or collection of it. */
  modelOf(expr: ts.Expression): BookshelfModel | undefined;
  /**
   * `post.related('tags')` or `post.tags()` (also through a chain on it, or a local holding it) of a `belongsToMany`:
   * the join table its fetches read too, and its `attach()` writes.
   */
  junctionOf(expr: ts.Expression): string | undefined;
}

type Param = ts.ParameterDeclaration & { parent: ts.SignatureDeclaration };
/** by a parameter or function, and the number of helpers passed on the way to it: a model, or null for none */
type Memo = Map<ts.Node, Map<number, BookshelfModel | null>>;

/** `compute()` once per node and helper count; while it runs (a helper reached again through its own calls) it reads as nothing. */
function memo(cache: Memo, node: ts.Node, helpers: number, compute: () => BookshelfModel | undefined): BookshelfModel | undefined {
  let byHelpers = cache.get(node);
  if (!byHelpers) cache.set(node, (byHelpers = new Map()));
  return memoized(byHelpers, helpers, compute);
}

/** The expressions a function hands back: its expression body, or its `return`s (nested functions' left out) but `return`, `return null` and `return undefined`. */
function returnedValues(fn: ts.SignatureDeclaration): ts.Expression[] {
  const body = 'body' in fn ? (fn.body as ts.Node | undefined) : undefined;
  if (!body) return [];
  if (!ts.isBlock(body)) return [body as ts.Expression];
  const values: ts.Expression[] = [];
  const visit = (n: ts.Node): void => {
    if (isFunctionLike(n) || ts.isClassLike(n)) return;
    if (ts.isReturnStatement(n)) {
      const e = n.expression && unwrap(n.expression);
      if (e && e.kind !== ts.SyntaxKind.NullKeyword && !(ts.isIdentifier(e) && e.text === 'undefined') && !ts.isVoidExpression(e)) values.push(e);
    } else {
      ts.forEachChild(n, visit);
    }
  };
  ts.forEachChild(body, visit);
  return values;
}

export function bookshelfValues(project: LoadedProject, models: BookshelfModels, callers: CallSites, classes: ClassUses): BookshelfValues {
  const checker = project.checker;
  /** what a helper's parameter (or a member of it) was found to be, by the number of helpers already passed */
  const given: Memo = new Map();
  /** what a function hands back, the same way */
  const returned: Memo = new Map();
  /** what a class keeps in `this.x`, by the first value assigned to it */
  const kept: Memo = new Map();

  const chainModel = (expr: ts.Expression, depth: number, helpers: number): BookshelfModel | undefined => {
    if (depth > MAX_DEPTH) return undefined;
    const e = unwrap(expr);
    if (e.kind === ts.SyntaxKind.ThisKeyword) {
      const body = methodBodyOf(e);
      return body && models.modelOfBody(body);
    }
    if (ts.isNewExpression(e)) return models.modelOf(e.expression);
    if (ts.isCallExpression(e)) {
      const callee = unwrap(e.expression);
      if (!ts.isPropertyAccessExpression(callee)) return models.modelOf(e);
      if (CHAIN.has(callee.name.text)) return chainModel(callee.expression, depth + 1, helpers);
      // `post.related('tags')`: the related model's rows
      const [relation] = e.arguments;
      if (callee.name.text === 'related' && relation && ts.isStringLiteralLike(relation)) {
        const from = chainModel(callee.expression, depth + 1, helpers);
        return from && models.relatedModel(from, relation.text);
      }
      return models.modelOf(e);
    }
    if (ts.isIdentifier(e)) {
      const held = heldInstance(e, depth, helpers);
      if (held) return held;
    }
    const model = models.modelOf(e);
    if (model || !ts.isPropertyAccessExpression(e)) return model;
    // `this.Model` a class was given at construction; `deps.model`, a member of a helper's parameter
    const owner = unwrap(e.expression);
    if (owner.kind === ts.SyntaxKind.ThisKeyword) return keptByThis(e, helpers);
    const param = ts.isIdentifier(owner) ? checker.getSymbolAtLocation(owner)?.valueDeclaration : undefined;
    return param && ts.isParameter(param) && isFunctionLike(param.parent) ? givenAt(param as Param, e, e.name.text, helpers) : undefined;
  };

  /** `this.Model` a class was given (this-members.ts), read once per first assignment and helper count. */
  const keptByThis = (e: ts.PropertyAccessExpression, helpers: number): BookshelfModel | undefined =>
    keptValue(e, classes, (value) => valueModel(value, helpers), (first, compute) => memo(kept, first, helpers, compute));

  /**
   * A local holding a model's instance, within one function: `const post = Post.forge({ id })`, `const post = await
   * models.Post.findOne({ id })`, `let tag; tag = await Tag.findOne(…)`, the first parameter of a `.then` callback on
   * such a call (`models.Post.findOne({ id }).then((post) => post.destroy())`), or a helper's parameter its callers
   * give one (`retryEmail(email)`).
   */
  const heldInstance = (id: ts.Identifier, depth: number, helpers: number): BookshelfModel | undefined => {
    let decl = checker.getSymbolAtLocation(id)?.valueDeclaration;
    // `new BreadService({ Model })`: the value the shorthand names
    if (decl && ts.isShorthandPropertyAssignment(decl) && decl.name === id) decl = checker.getShorthandAssignmentValueSymbol(decl)?.valueDeclaration;
    if (!decl) return undefined;
    if (ts.isVariableDeclaration(decl)) {
      if (!insideFunction(decl)) return undefined; // a module-level variable may be assigned anywhere: not followed
      // `const self = this` in a model's statics: the model
      if (decl.initializer?.kind === ts.SyntaxKind.ThisKeyword) return chainModel(decl.initializer, depth + 1, helpers);
      if (decl.initializer) return instanceOf(decl.initializer, depth + 1, helpers);
      // `for (const tag of post.related('tags'))`, `for (const email of emails.models)`
      const loop = decl.parent.parent;
      if (ts.isForOfStatement(loop)) return elementOf(loop.expression, depth + 1, helpers);
      return laterAssigned(checker, decl, (right) => instanceOf(right, depth + 1, helpers));
    }
    // `async function notify({ email })`: what the callers give as that member of the argument
    if (ts.isBindingElement(decl) && ts.isObjectBindingPattern(decl.parent) && ts.isParameter(decl.parent.parent) && !decl.dotDotDotToken) {
      const name = propertyName(decl.propertyName ?? decl.name);
      return name === undefined ? undefined : givenAt(decl.parent.parent as Param, decl, name, helpers);
    }
    if (!ts.isParameter(decl) || !isFunctionLike(decl.parent)) return undefined;
    const fn = decl.parent;
    const call = fn.parent;
    if ((ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) && call && ts.isCallExpression(call) && call.arguments.includes(fn)) {
      // a callback: what the call it is given to hands it
      if (fn.parameters[0] !== decl || call.arguments[0] !== fn) return undefined;
      const callee = unwrap(call.expression);
      if (!ts.isPropertyAccessExpression(callee)) return undefined;
      if (callee.name.text === 'then') return instanceOf(callee.expression, depth + 1, helpers);
      // `votes.models.map((vote) => vote.destroy())`, `tags.forEach((tag) => …)`
      return ITERATION.has(callee.name.text) ? elementOf(callee.expression, depth + 1, helpers) : undefined;
    }
    return givenAt(decl as Param, decl, undefined, helpers);
  };

  /**
   * The model every call of a helper gives for its parameter (or for `member` of the object it is given), MAX_HELPERS
   * helpers up: none when a call gives something else, a call gives nothing, or no call is seen.
   */
  const givenAt = (param: Param, key: ts.Node, member: string | undefined, helpers: number): BookshelfModel | undefined => {
    if (helpers >= MAX_HELPERS || param.dotDotDotToken) return undefined;
    return memo(given, key, helpers, () => {
      const fn = param.parent;
      // `row = await cache.get(id)` in the helper: what the callers gave is not what it holds afterwards
      if (reassigned(fn, ts.isBindingElement(key) ? key : param, checker)) return undefined;
      const index = fn.parameters.indexOf(param);
      let agreed: BookshelfModel | undefined;
      const sites = ts.isConstructorDeclaration(fn) ? classes.constructions(fn.parent) : callers(fn).map((site) => site.call.arguments);
      for (const args of sites) {
        const arg = args[index];
        const value = arg && !ts.isSpreadElement(arg) ? (member === undefined ? arg : objectOption(arg, member)) : undefined;
        const found = value && valueModel(value, helpers + 1);
        if (!found || (agreed && agreed !== found)) return undefined;
        agreed = found;
      }
      return agreed;
    });
  };

  /** What a value handed to a helper stands for: an instance (`await Post.findOne()`, a local holding one) or a model. */
  const valueModel = (expr: ts.Expression, helpers: number): BookshelfModel | undefined =>
    instanceOf(expr, 0, helpers) ?? chainModel(expr, 0, helpers);

  /** The model of each element of a collection a model call handed back (or its `.models` array). */
  const elementOf = (expr: ts.Expression, depth: number, helpers: number): BookshelfModel | undefined => {
    let e = unwrap(expr);
    if (ts.isPropertyAccessExpression(e) && e.name.text === 'models') e = unwrap(e.expression);
    return ts.isIdentifier(e) ? heldInstance(e, depth, helpers) : instanceOf(e, depth, helpers);
  };

  /**
   * The model whose instance an expression gives: `new Post()`, a chain (`Post.forge()`), a call that hands one back
   * (`await Post.findOne()`), or a project function that returns one (`await getPost(id)`).
   */
  const instanceOf = (expr: ts.Expression, depth: number, helpers: number): BookshelfModel | undefined => {
    const e = unwrap(expr);
    if (ts.isNewExpression(e)) return chainModel(e, depth, helpers);
    if (!ts.isCallExpression(e)) return undefined;
    const callee = unwrap(e.expression);
    const method = ts.isPropertyAccessExpression(callee) ? callee.name.text : undefined;
    if (method !== undefined && (CHAIN.has(method) || method === 'related')) return chainModel(e, depth, helpers);
    const made = method !== undefined && INSTANCE_RESULT.has(method) ? chainModel((callee as ts.PropertyAccessExpression).expression, depth, helpers) : undefined;
    return made ?? returnedBy(e, helpers);
  };

  /**
   * What every `return` of the project function a call invokes hands back (a `return null` aside): a model call's
   * instance, returned as it is or awaited into a local first. Nothing when two returns give different models.
   */
  const returnedBy = (call: ts.CallExpression, helpers: number): BookshelfModel | undefined => {
    if (helpers >= MAX_HELPERS) return undefined;
    const fn = calledFunction(project, call);
    if (!fn || !isFunctionLike(fn)) return undefined;
    return memo(returned, fn, helpers, () => {
      let agreed: BookshelfModel | undefined;
      for (const value of returnedValues(fn)) {
        const found = valueModel(value, helpers + 1);
        if (!found || (agreed && agreed !== found)) return undefined;
        agreed = found;
      }
      return agreed;
    });
  };

  const junctionOf = (expr: ts.Expression, depth: number): string | undefined => {
    if (depth > MAX_DEPTH) return undefined;
    const e = unwrap(expr);
    if (ts.isIdentifier(e)) {
      const decl = checker.getSymbolAtLocation(e)?.valueDeclaration;
      return decl && ts.isVariableDeclaration(decl) && decl.initializer && insideFunction(decl) ? junctionOf(decl.initializer, depth + 1) : undefined;
    }
    if (!ts.isCallExpression(e) || !ts.isPropertyAccessExpression(e.expression)) return undefined;
    const callee = e.expression;
    if (CHAIN.has(callee.name.text)) return junctionOf(callee.expression, depth + 1);
    const [relation] = e.arguments;
    // `post.related('tags')`, or the relation's own method called on an instance: `post.tags()`
    const name = callee.name.text === 'related' ? relation && ts.isStringLiteralLike(relation) && relation.text : e.arguments.length === 0 && callee.name.text;
    if (!name) return undefined;
    const from = chainModel(callee.expression, depth + 1, 0);
    return from && models.junction(from, name);
  };

  return { modelOf: (expr) => chainModel(expr, 0, 0), junctionOf: (expr) => junctionOf(expr, 0) };
}

/** Is the parameter (or a name destructured from it) assigned anywhere in its function? */
function reassigned(fn: ts.SignatureDeclaration, decl: ts.ParameterDeclaration | ts.BindingElement, checker: ts.TypeChecker): boolean {
  const body = 'body' in fn ? (fn.body as ts.Node | undefined) : undefined;
  return !!body && ts.isIdentifier(decl.name) && assignedWithin(body, decl.name, checker);
}

function insideFunction(node: ts.Node): boolean {
  for (let p = node.parent; p; p = p.parent) if (isFunctionLike(p)) return true;
  return false;
}
