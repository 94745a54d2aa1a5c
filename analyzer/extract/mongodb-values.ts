// Which MongoDB driver value an expression stands for: a client (`new MongoClient(url)`,
// `MongoClient.connect(url)`), a database (`client.db('shop')`, a value typed `Db`,
// `mongoose.connection.db`) or a collection (`db.collection('books')`) with its name. Followed through
// variables, properties (`this.books = db.collection('books')`), object members, imports and project
// functions that return one (`export const Books = () => db.collection('books')`), a function's
// parameters bound to the call's arguments (`collection('books')` over `db.collection(name)`).
// The package is seldom parsed (project.ts), so a value is recognised by where it visibly comes from
// (an import from 'mongodb'), and by the type checker when the package's types are loaded.
import { ts } from 'ts-morph';
import { isFunctionLike } from './functions.ts';
import { importSpecifierOf } from './package-values.ts';
import type { LoadedProject } from './project.ts';
import { stringValue } from './string-value.ts';
import { namedFunction } from './symbols.ts';
import { functionResult, laterAssigned, memoized, unwrap, valueKey } from './value-key.ts';

export type MongoValue =
  | { kind: 'client' | 'db' | 'connection' }
  /** `name` when known statically; else `computed`, the expression that makes it at run time (if any) */
  | { kind: 'collection'; name?: string; computed?: ts.Expression };

/** a function's parameters → the arguments of the call being followed */
type Bindings = ReadonlyMap<ts.Node, ts.Expression>;

const NONE: Bindings = new Map();
const MAX_DEPTH = 8;
const DRIVER_CLASSES = new Set(['MongoClient', 'Db', 'Collection']);
const PACKAGE_TYPES = /[\\/]node_modules[\\/](?:@types[\\/])?mongodb[\\/]/;

export interface MongoValues {
  valueOf(expr: ts.Expression): MongoValue | undefined;
  /** what a function returns, when it is a driver value (its parameters unbound) */
  returnedBy(fn: ts.SignatureDeclaration): MongoValue | undefined;
  isDb(expr: ts.Expression): boolean;
}

export function mongoValues(project: LoadedProject): MongoValues {
  const checker = project.checker;
  const byDecl = new Map<ts.Node, MongoValue | null>();
  const byFunction = new Map<ts.Node, MongoValue | null>();

  /** The package object itself: `require('mongodb')`, `import * as mongodb`, `import mongodb from`, a const holding one. */
  const isDriverModule = (expr: ts.Node | undefined, depth = 0): boolean => {
    const e = expr && ts.isExpression(expr) ? unwrap(expr) : expr;
    if (!e || depth > 2) return false;
    if (ts.isCallExpression(e)) {
      const [arg] = e.arguments;
      return ts.isIdentifier(e.expression) && e.expression.text === 'require' && !!arg && ts.isStringLiteral(arg) && arg.text === 'mongodb';
    }
    if (!ts.isIdentifier(e)) return false;
    const decl = checker.getSymbolAtLocation(e)?.declarations?.[0];
    if (!decl) return false;
    if (ts.isVariableDeclaration(decl)) return isDriverModule(decl.initializer, depth + 1);
    return (ts.isNamespaceImport(decl) || ts.isImportClause(decl) || ts.isImportEqualsDeclaration(decl)) && importSpecifierOf(decl) === 'mongodb';
  };

  /**
   * `MongoClient`, `Db`, `Collection` taken from 'mongodb': `import { MongoClient }`, `mongodb.MongoClient`,
   * `const { MongoClient } = require('mongodb')` (or `= mongodb`), `const MongoClient = require('mongodb').MongoClient`.
   */
  const driverClass = (node: ts.Node): string | undefined => {
    const member = (name: ts.Node | undefined): string | undefined =>
      name && (ts.isIdentifier(name) || ts.isStringLiteral(name)) && DRIVER_CLASSES.has(name.text) ? name.text : undefined;
    if (ts.isPropertyAccessExpression(node)) return isDriverModule(node.expression) ? member(node.name) : undefined;
    if (ts.isQualifiedName(node)) return isDriverModule(node.left) ? member(node.right) : undefined;
    if (!ts.isIdentifier(node)) return undefined;
    const decl = checker.getSymbolAtLocation(node)?.declarations?.[0];
    if (!decl) return undefined;
    if (ts.isImportSpecifier(decl)) return importSpecifierOf(decl) === 'mongodb' ? member(decl.propertyName ?? decl.name) : undefined;
    if (ts.isBindingElement(decl)) {
      const holder = decl.parent.parent;
      return ts.isVariableDeclaration(holder) && isDriverModule(holder.initializer) ? member(decl.propertyName ?? decl.name) : undefined;
    }
    const init = ts.isVariableDeclaration(decl) && decl.initializer ? unwrap(decl.initializer) : undefined;
    return init && ts.isPropertyAccessExpression(init) && isDriverModule(init.expression) ? member(init.name) : undefined;
  };

  const isMongooseImport = (expr: ts.Expression): boolean => {
    const e = unwrap(expr);
    const decl = ts.isIdentifier(e) ? checker.getSymbolAtLocation(e)?.declarations?.[0] : undefined;
    return !!decl && importSpecifierOf(decl) === 'mongoose';
  };

  /** The checker's word, when the package's declarations are loaded (`packageTypes`). */
  const typedAs = (expr: ts.Expression, cls: string): boolean => {
    if (project.compilerOptions.noResolve) return false;
    const type = checker.getTypeAtLocation(expr);
    const symbol = type.getSymbol() ?? type.aliasSymbol;
    return symbol?.name === cls && (symbol.declarations ?? []).some((d) => PACKAGE_TYPES.test(d.getSourceFile().fileName));
  };

  const typeValue = (type: ts.TypeNode | undefined): MongoValue | undefined => {
    if (!type) return undefined;
    if (ts.isUnionTypeNode(type)) {
      for (const t of type.types) {
        const v = typeValue(t);
        if (v) return v;
      }
      return undefined;
    }
    if (ts.isParenthesizedTypeNode(type)) return typeValue(type.type);
    if (!ts.isTypeReferenceNode(type)) return undefined;
    const cls = driverClass(type.typeName);
    return cls === 'MongoClient' ? { kind: 'client' } : cls === 'Db' ? { kind: 'db' } : cls === 'Collection' ? { kind: 'collection' } : undefined;
  };

  const collectionName = (arg: ts.Expression, bindings: Bindings): MongoValue => {
    const name = stringValue(arg, checker);
    if (name !== undefined) return { kind: 'collection', name };
    const a = unwrap(arg);
    const decl = ts.isIdentifier(a) ? checker.getSymbolAtLocation(a)?.valueDeclaration : undefined;
    const bound = decl && bindings.get(decl);
    if (bound) {
      const boundName = stringValue(bound, checker);
      return boundName !== undefined ? { kind: 'collection', name: boundName } : { kind: 'collection', computed: bound };
    }
    return { kind: 'collection', computed: arg };
  };

  const valueOf = (expr: ts.Expression, bindings: Bindings, depth: number): MongoValue | undefined => {
    if (depth > MAX_DEPTH) return undefined;
    const e = unwrap(expr);
    if (ts.isBinaryExpression(e) && (e.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken || e.operatorToken.kind === ts.SyntaxKind.BarBarToken)) {
      return valueOf(e.left, bindings, depth + 1) ?? valueOf(e.right, bindings, depth + 1);
    }
    if (ts.isConditionalExpression(e)) return valueOf(e.whenTrue, bindings, depth + 1) ?? valueOf(e.whenFalse, bindings, depth + 1);
    if (ts.isNewExpression(e)) return driverClass(e.expression) === 'MongoClient' ? { kind: 'client' } : undefined;
    if (ts.isCallExpression(e)) return callValue(e, bindings, depth);
    if (ts.isPropertyAccessExpression(e)) {
      // mongoose.connection, mongoose.connection.db: the driver's database behind Mongoose
      if (e.name.text === 'connection' && isMongooseImport(e.expression)) return { kind: 'connection' };
      if (e.name.text === 'db' && valueOf(e.expression, bindings, depth + 1)?.kind === 'connection') return { kind: 'db' };
    }
    if (ts.isIdentifier(e) || ts.isPropertyAccessExpression(e)) return heldValue(e, bindings, depth);
    return undefined;
  };

  const callValue = (call: ts.CallExpression, bindings: Bindings, depth: number): MongoValue | undefined => {
    const callee = unwrap(call.expression);
    if (ts.isPropertyAccessExpression(callee)) {
      const method = callee.name.text;
      const receiver = callee.expression;
      const [first] = call.arguments;
      if (method === 'collection' && first && dbLike(receiver, bindings, depth)) return collectionName(first, bindings);
      if (method === 'db' && isClient(receiver, bindings, depth)) return { kind: 'db' };
      if (method === 'connect' && (driverClass(unwrap(receiver)) === 'MongoClient' || isClient(receiver, bindings, depth))) return { kind: 'client' };
      if (method === 'createConnection' && isMongooseImport(receiver)) return { kind: 'connection' };
    }
    return returnedValue(call, depth);
  };

  const isClient = (expr: ts.Expression, bindings: Bindings, depth: number): boolean =>
    valueOf(expr, bindings, depth + 1)?.kind === 'client' || typedAs(expr, 'MongoClient');

  // a client too: driver 2.x's MongoClient.connect() handed back the database (clients never had collection())
  const dbLike = (expr: ts.Expression, bindings: Bindings, depth: number): boolean => {
    const kind = valueOf(expr, bindings, depth + 1)?.kind;
    return kind === 'db' || kind === 'connection' || kind === 'client' || typedAs(expr, 'Db');
  };

  /** `MongoClient.connect(url, (err, client) => …)`: the callback's second parameter (the callback API of driver 2–4). */
  const connectCallback = (param: ts.ParameterDeclaration): boolean => {
    const fn = param.parent;
    const call = fn.parent;
    if (fn.parameters[1] !== param || !ts.isCallExpression(call) || call.arguments[call.arguments.length - 1] !== fn) return false;
    const callee = unwrap(call.expression);
    return ts.isPropertyAccessExpression(callee) && callee.name.text === 'connect' && driverClass(unwrap(callee.expression)) === 'MongoClient';
  };

  /** A project function's return value, its parameters bound to the call's arguments. */
  const returnedValue = (call: ts.CallExpression, depth: number): MongoValue | undefined => {
    const fn = namedFunction(project, unwrap(call.expression));
    if (!fn) return undefined;
    if (call.arguments.length === 0) return functionValue(fn, NONE, depth);
    const bindings = new Map<ts.Node, ts.Expression>();
    fn.parameters.forEach((p, i) => {
      if (call.arguments[i]) bindings.set(p, call.arguments[i]);
    });
    return functionValue(fn, bindings, depth);
  };

  const functionValue = (fn: ts.SignatureDeclaration, bindings: Bindings, depth: number): MongoValue | undefined => {
    const returned = () => functionResult(fn, (e: ts.Expression) => valueOf(e, bindings, depth + 1));
    // a call with arguments bound is read for those arguments; without, once per function (one that returns itself: unknown)
    return bindings === NONE ? memoized(byFunction, fn, returned) : returned();
  };

  /** A variable, property or parameter: what it was given. */
  const heldValue = (e: ts.Identifier | ts.PropertyAccessExpression, bindings: Bindings, depth: number): MongoValue | undefined => {
    if (ts.isIdentifier(e) && bindings !== NONE) {
      const decl = checker.getSymbolAtLocation(e)?.valueDeclaration;
      const bound = decl && bindings.get(decl);
      if (bound) return valueOf(bound, NONE, depth + 1);
    }
    const key = valueKey(project, e);
    if (!key) return undefined;
    if (ts.isParameter(key) && connectCallback(key)) return { kind: 'client' };
    return memoized(byDecl, key, () => declValue(key, depth));
  };

  const declValue = (key: ts.Node, depth: number): MongoValue | undefined => {
    if (ts.isVariableDeclaration(key) || ts.isPropertyDeclaration(key) || ts.isParameter(key)) {
      const init = key.initializer;
      if (init && isFunctionLike(unwrap(init))) return undefined;
      const given = init && valueOf(init, NONE, depth + 1);
      if (given) return given;
      // a type says what it is, not which collection: an assignment may say that
      const typed = typeValue(key.type);
      return typed && typed.kind !== 'collection' ? typed : assignedValue(key, depth) ?? typed;
    }
    if (ts.isPropertyAssignment(key)) return valueOf(key.initializer, NONE, depth + 1);
    if (ts.isPropertySignature(key)) return typeValue(key.type); // interface Locals { db: Db }
    // JavaScript's `this.books = db.collection('books')`: the assignment declares the property
    if (ts.isBinaryExpression(key) && key.operatorToken.kind === ts.SyntaxKind.EqualsToken) return valueOf(key.right, NONE, depth + 1);
    const parent = key.parent;
    if (ts.isPropertyAccessExpression(key) && parent && ts.isBinaryExpression(parent) && parent.left === key) return valueOf(parent.right, NONE, depth + 1);
    // `export default db.collection('x')`, `module.exports = client.db()`
    return ts.isExpression(key) ? valueOf(key, NONE, depth + 1) : undefined;
  };

  /** `let db; … db = client.db()`, `private books; constructor(db: Db) { this.books = db.collection('books') }` */
  const assignedValue = (decl: ts.VariableDeclaration | ts.PropertyDeclaration | ts.ParameterDeclaration, depth: number): MongoValue | undefined =>
    laterAssigned(checker, decl, (right) => valueOf(right, NONE, depth + 1));

  return {
    valueOf: (expr) => valueOf(expr, NONE, 0),
    returnedBy: (fn) => functionValue(fn, NONE, 0),
    isDb: (expr) => dbLike(expr, NONE, 0),
  };
}
