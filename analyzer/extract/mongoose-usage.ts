// Which code reads and writes Mongoose collections: model statics (Book.find(), Book.create()), the
// native collection (Book.collection.insertOne()), documents (new Book(…).save(), a document found by
// Book.findById() then saved), `this` in schema statics and methods, populate() of a field's `ref`, and
// the collections an aggregation pipeline names ($lookup, $unionWith, $out, $merge). Model values are
// followed to their declaration through the type checker (value-key.ts), across files.
import { ts } from 'ts-morph';
import type { AccessCollector } from './access-collector.ts';
import { isFunctionLike } from './functions.ts';
import type { MongooseModel, MongooseModels } from './mongoose-models.ts';
import { pipelineCollections } from './mongo-pipeline.ts';
import { calleeName, objectOption } from './orm-values.ts';
import type { LoadedFile, LoadedProject } from './project.ts';
import { stringValue } from './string-value.ts';
import type { TableAccess } from './types.ts';
import { unwrap, valueKey } from './value-key.ts';

const STATIC_READ = new Set(['find', 'findOne', 'findById', 'countDocuments', 'estimatedDocumentCount', 'count', 'aggregate', 'exists', 'distinct', 'where']);
const STATIC_WRITE = new Set(['create', 'insertMany', 'insertOne', 'updateOne', 'updateMany', 'update', 'findOneAndUpdate', 'findByIdAndUpdate',
  'findOneAndReplace', 'replaceOne', 'deleteOne', 'deleteMany', 'remove', 'findOneAndDelete', 'findByIdAndDelete', 'findOneAndRemove',
  'findByIdAndRemove', 'bulkWrite', 'bulkSave']);
/**
 * passport-local-mongoose's statics (`userSchema.plugin(passportLocalMongoose)`): `register()` saves the new user,
 * `findByUsername()` reads one, and the function `deserializeUser()` makes, given to passport's `deserializeUser()`,
 * reads the user on every logged-in request (passport.ts hands that read to the handlers reading `req.user`).
 */
const PLUGIN_STATICS: Record<string, TableAccess['access']> = { register: 'write', findByUsername: 'read', deserializeUser: 'read' };
const DOCUMENT_WRITE = new Set(['save', 'deleteOne', 'remove', 'updateOne', 'replaceOne']);
/** statics whose result holds documents (one, or an array to loop over), which code then changes and saves */
const RETURNS_DOCUMENTS = new Set(['find', 'findOne', 'findById', 'findOneAndUpdate', 'findByIdAndUpdate', 'findOneAndReplace', 'create', 'insertMany']);
const MAX_DEPTH = 4;

export function scanMongoose(project: LoadedProject, file: LoadedFile, models: MongooseModels, out: AccessCollector): void {
  if (models.byName.size === 0) return;
  const checker = project.checker;

  /**
   * The model an expression stands for: `Book`, `db.Book`, `mongoose.model('Book')`, `mongoose.models.Book`, `this` in a static,
   * and a variable or property holding one of those (`const Book = mongoose.model('Book')`, the way CommonJS code fetches a
   * model registered elsewhere; `module.exports = { Book: require('./book') }`).
   */
  const modelOf = (expr: ts.Expression, depth = 0): MongooseModel | undefined => {
    const e = unwrap(expr);
    if (e.kind === ts.SyntaxKind.ThisKeyword) {
      const ctx = thisContext(e);
      return ctx?.is === 'model' ? models.bySchema.get(ctx.schema)?.[0] : undefined;
    }
    if (ts.isCallExpression(e) && e.arguments.length === 1 && calleeName(e) === 'model') {
      const name = stringValue(e.arguments[0], checker);
      return name === undefined ? undefined : models.byName.get(name);
    }
    if (ts.isPropertyAccessExpression(e) && ts.isPropertyAccessExpression(e.expression) && e.expression.name.text === 'models') {
      const byName = models.byName.get(e.name.text);
      if (byName) return byName;
    }
    if (!(ts.isIdentifier(e) || ts.isPropertyAccessExpression(e) || ts.isCallExpression(e))) return undefined;
    const key = valueKey(project, e);
    const model = key && models.byKey.get(key);
    if (model || !key || depth >= MAX_DEPTH) return model;
    // `const Book = mongoose.model('Book')`, `module.exports = { Book: require('./book') }`
    return (ts.isVariableDeclaration(key) || ts.isPropertyAssignment(key)) && key.initializer ? modelOf(key.initializer, depth + 1) : undefined;
  };

  const thisContext = (node: ts.Node): { schema: ts.Node; is: 'model' | 'document' } | undefined => {
    for (let cur: ts.Node | undefined = node.parent; cur; cur = cur.parent) {
      if (!isFunctionLike(cur) || ts.isArrowFunction(cur)) continue;
      return models.thisOf.get(cur);
    }
    return undefined;
  };

  /** The model of the documents an expression holds: `new Book(…)`, `const b = await Book.findById(…)`, `this` in a method. */
  const documentModel = (expr: ts.Expression, depth = 0): MongooseModel | undefined => {
    const e = unwrap(expr);
    if (depth > MAX_DEPTH) return undefined;
    if (e.kind === ts.SyntaxKind.ThisKeyword) {
      const ctx = thisContext(e);
      return ctx?.is === 'document' ? models.bySchema.get(ctx.schema)?.[0] : undefined;
    }
    if (ts.isNewExpression(e)) return modelOf(e.expression);
    if (ts.isCallExpression(e)) return queryModel(e, RETURNS_DOCUMENTS, depth + 1);
    if (!ts.isIdentifier(e)) return undefined;
    const decl = checker.getSymbolAtLocation(e)?.valueDeclaration;
    // Book.findById(id).then(function (book) { … book.save() }): the first parameter of the query's then() callback
    if (decl && ts.isParameter(decl) && decl.parent.parameters[0] === decl) {
      const then = decl.parent.parent;
      const callee = ts.isCallExpression(then) && then.arguments[0] === decl.parent ? unwrap(then.expression) : undefined;
      return callee && ts.isPropertyAccessExpression(callee) && callee.name.text === 'then' && ts.isCallExpression(unwrap(callee.expression))
        ? queryModel(unwrap(callee.expression) as ts.CallExpression, RETURNS_DOCUMENTS, depth + 1) : undefined;
    }
    if (!decl || !ts.isVariableDeclaration(decl)) return undefined;
    if (decl.initializer) return documentModel(decl.initializer, depth + 1);
    // for (const book of await Book.find(…))
    const loop = decl.parent.parent;
    return ts.isForOfStatement(loop) ? documentModel(loop.expression, depth + 1) : undefined;
  };

  /** `Book.find(…).populate(…).sort(…)`: the model of the query at the root of a chain, when its static is one of `statics`. */
  const queryModel = (call: ts.CallExpression, statics: Set<string>, depth = 0): MongooseModel | undefined => {
    let cur: ts.Expression = call;
    for (let i = 0; i < 12 && ts.isCallExpression(cur); i++) {
      const callee = unwrap(cur.expression);
      if (!ts.isPropertyAccessExpression(callee)) return undefined;
      if (statics.has(callee.name.text)) {
        const model = modelOf(callee.expression);
        if (model) return model;
      }
      cur = unwrap(callee.expression);
    }
    return depth < MAX_DEPTH && ts.isIdentifier(cur) ? documentModel(cur, depth + 1) : undefined;
  };

  /** populate('author'), populate('author reviews'), populate(['author']), populate({ path: 'author', populate: { path: … } }) */
  const populated = (model: MongooseModel, arg: ts.Expression | undefined, at: ts.Node, depth = 0): void => {
    if (!arg || depth > MAX_DEPTH) return;
    const a = unwrap(arg);
    if (ts.isArrayLiteralExpression(a)) {
      for (const el of a.elements) populated(model, el, at, depth + 1);
      return;
    }
    const path = ts.isObjectLiteralExpression(a) ? objectOption(a, 'path') : a;
    const paths = path && stringValue(path, checker);
    for (const p of paths?.split(/\s+/).filter(Boolean) ?? []) {
      const target = refTarget(model, p);
      if (!target) continue;
      out.access(file, at, target.collection, 'read', 'mongoose');
      if (ts.isObjectLiteralExpression(a)) populated(target, objectOption(a, 'populate'), at, depth + 1);
    }
  };

  const refTarget = (model: MongooseModel, path: string): MongooseModel | undefined => {
    const ref = model.schema && models.schemas.get(model.schema)?.refs.get(path);
    if (!ref) return model.base && refTarget(model.base, path);
    const name = stringValue(ref, checker);
    if (name !== undefined) return models.byName.get(name);
    // ref: Author.modelName, ref: Author
    const r = unwrap(ref);
    return modelOf(ts.isPropertyAccessExpression(r) && r.name.text === 'modelName' ? r.expression : r);
  };

  /** Collections named inside an aggregation pipeline. */
  const pipeline = (arg: ts.Expression | undefined, at: ts.Node): void => {
    for (const stage of pipelineCollections(arg, checker)) out.access(file, at, stage.collection, stage.access, 'mongoose');
  };

  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node)) {
      const callee = unwrap(node.expression);
      if (ts.isPropertyAccessExpression(callee)) checkCall(node, callee.name.text, unwrap(callee.expression));
    }
    ts.forEachChild(node, visit);
  };

  const checkCall = (call: ts.CallExpression, method: string, receiver: ts.Expression): void => {
    const access = STATIC_READ.has(method) ? 'read' : STATIC_WRITE.has(method) ? 'write' : undefined;
    if (access) {
      // Book.collection.insertOne(…): the driver's collection behind the model
      const native = ts.isPropertyAccessExpression(receiver) && receiver.name.text === 'collection' ? modelOf(receiver.expression) : undefined;
      const model = native ?? modelOf(receiver);
      if (model) {
        out.access(file, call, model.collection, access, 'mongoose');
        if (method === 'aggregate') pipeline(call.arguments[0], call);
        return;
      }
    }
    if (Object.hasOwn(PLUGIN_STATICS, method) && (method !== 'deserializeUser' || isPassportDeserializer(call))) {
      const model = modelOf(receiver);
      if (model) return out.access(file, call, model.collection, PLUGIN_STATICS[method]!, 'mongoose');
    }
    if (DOCUMENT_WRITE.has(method)) {
      const model = documentModel(receiver);
      if (model) out.access(file, call, model.collection, 'write', 'mongoose');
    } else if (method === 'populate') {
      // populate(path, select, …): only the first argument names paths
      const model = ts.isCallExpression(receiver) ? queryModel(receiver, RETURNS_DOCUMENTS) : documentModel(receiver);
      if (model) populated(model, call.arguments[0], call);
    }
  };

  visit(file.source);
}

/** `passport.deserializeUser(User.deserializeUser())`: the plugin's function, handed to passport. */
function isPassportDeserializer(call: ts.CallExpression): boolean {
  let top: ts.Node = call;
  while (ts.isParenthesizedExpression(top.parent)) top = top.parent;
  const parent = top.parent;
  return ts.isCallExpression(parent) && parent.arguments[0] === top && ts.isPropertyAccessExpression(parent.expression) && parent.expression.name.text === 'deserializeUser';
}
