// Mongoose models and the collection each stands for. A model is `mongoose.model('Book', bookSchema)`,
// `model<IBook>('Book', schema, 'custom')`, `conn.model(…)`, `Base.discriminator('Ebook', schema)` or
// a NestJS model (mongoose-nest.ts); its collection is the third argument (Nest: forFeature's
// `collection`), else the schema's `collection` option (`new Schema(def, { collection })`,
// `schema.set('collection', …)`, `@Schema({ collection })`), else Mongoose's default name
// (mongoose-plural.ts, or the model name itself after `mongoose.pluralize(null)`). Schemas also give
// the models their fields' `ref`s (for populate) and the functions in which `this` is the model
// (statics) or a document (methods). Only files that mention mongoose are read.
import { ts } from 'ts-morph';
import type { AccessCollector } from './access-collector.ts';
import { lineOf } from './functions.ts';
import { guarded } from './guard.ts';
import { featureEntries, injectedModel, modelTypeDeclaration, nestSchemaClass, schemaClassArgument } from './mongoose-nest.ts';
import { mongooseCollectionName } from './mongoose-plural.ts';
import { assignedKey, objectOption } from './orm-values.ts';
import type { LoadedFile, LoadedProject } from './project.ts';
import { stringValue } from './string-value.ts';
import { fileOf } from './symbols.ts';
import type { Warning } from './types.ts';
import { unwrap, valueKey } from './value-key.ts';

export interface MongooseModel {
  name: string;
  collection: string;
  /** key of the schema it was compiled from, when the analyzer found it */
  schema?: ts.Node;
  /** the model a discriminator extends: its fields (and their refs) are the discriminator's too */
  base?: MongooseModel;
}

interface SchemaInfo {
  collection?: string;
  /** field path → the `ref` expression written for it ('Author', Author.modelName…) */
  refs: Map<string, ts.Expression>;
}

export interface MongooseModels {
  byKey: Map<ts.Node, MongooseModel>;
  byName: Map<string, MongooseModel>;
  schemas: Map<ts.Node, SchemaInfo>;
  /** schema key → the models compiled from it */
  bySchema: Map<ts.Node, MongooseModel[]>;
  /** functions in which `this` is a model (schema statics) or one of its documents (schema methods) */
  thisOf: Map<ts.Node, { schema: ts.Node; is: 'model' | 'document' }>;
}

interface PendingModel {
  /** where it is declared (the `model()` call, the Nest schema class) */
  at: ts.Node;
  /** the declaration code reaches the model value by; Nest models are reached by injection instead */
  key?: ts.Node;
  /** a Nest schema class not registered by any forFeature seen: a model of the class's name, if none other is */
  fallback?: boolean;
  name: string;
  schema?: ts.Node;
  collection?: string;
  /** a discriminator shares its base model's collection */
  base?: ts.Expression;
}

function mentionsMongoose(file: LoadedFile): boolean {
  return file.source.text.includes('mongoose');
}

/** `new Schema(…)` / `new mongoose.Schema(…)` / `new Schema<IBook>(…)` */
function isNewSchema(node: ts.Node): node is ts.NewExpression {
  if (!ts.isNewExpression(node)) return false;
  const c = node.expression;
  return (ts.isIdentifier(c) && c.text === 'Schema') || (ts.isPropertyAccessExpression(c) && c.name.text === 'Schema');
}

/** Where the schema a model is compiled from was declared (its key), or undefined when it is not visible. */
function schemaKeyOf(project: LoadedProject, expr: ts.Expression | undefined): ts.Node | undefined {
  if (!expr) return undefined;
  const e = unwrap(expr);
  if (isNewSchema(e)) return assignedKey(e);
  if (!ts.isIdentifier(e) && !ts.isPropertyAccessExpression(e)) return undefined;
  const key = valueKey(project, e);
  if (!key || !ts.isVariableDeclaration(key) || !key.initializer) return undefined;
  if (isNewSchema(unwrap(key.initializer))) return key;
  // const BookSchema = SchemaFactory.createForClass(Book): the schema is the class
  const cls = schemaClassArgument(key.initializer);
  const clsKey = cls && valueKey(project, cls);
  return clsKey && ts.isClassDeclaration(clsKey) ? clsKey : undefined;
}

function collectRefs(def: ts.Expression | undefined, prefix: string, refs: Map<string, ts.Expression>, depth = 0): void {
  const obj = def && unwrap(def);
  if (!obj || !ts.isObjectLiteralExpression(obj) || depth > 4) return;
  for (const p of obj.properties) {
    if (!ts.isPropertyAssignment(p) || !(ts.isIdentifier(p.name) || ts.isStringLiteral(p.name))) continue;
    const path = prefix + p.name.text;
    let value = unwrap(p.initializer);
    // `type: [{ type: ObjectId, ref: 'Review' }]` and `[{ type: ObjectId, ref: 'Review' }]`: an array of references
    const typed = objectOption(value, 'type');
    if (typed && ts.isArrayLiteralExpression(unwrap(typed))) value = unwrap(typed);
    if (ts.isArrayLiteralExpression(value)) value = value.elements[0] ? unwrap(value.elements[0]) : value;
    if (!ts.isObjectLiteralExpression(value)) continue;
    const ref = objectOption(value, 'ref');
    if (ref) refs.set(path, ref);
    else if (!objectOption(value, 'type')) collectRefs(value, `${path}.`, refs, depth + 1);
  }
}

export function collectMongooseModels(project: LoadedProject, out: AccessCollector, warnings: Warning[]): MongooseModels {
  const models: MongooseModels = { byKey: new Map(), byName: new Map(), schemas: new Map(), bySchema: new Map(), thisOf: new Map() };
  const checker = project.checker;
  const pending: PendingModel[] = [];
  const injected: { decl: ts.Node; name: string }[] = [];
  /** values typed `Model<Book>`, and the interfaces `model<IBook>('Book', …)` names its documents by */
  const typed: { decl: ts.Node; documentType: ts.Node }[] = [];
  const byDocumentType = new Map<ts.Node, string>();
  let pluralize = true;

  const schemaInfo = (key: ts.Node): SchemaInfo => {
    let info = models.schemas.get(key);
    if (!info) models.schemas.set(key, (info = { refs: new Map() }));
    return info;
  };
  /** `schema.statics.f = function`, `schema.static('f', fn)`, `{ statics: { f() {} } }` */
  const markThis = (schema: ts.Node | undefined, fn: ts.Node | undefined, is: 'model' | 'document'): void => {
    const f = fn && ts.isExpression(fn) ? unwrap(fn) : fn;
    if (!schema || !f) return;
    if (ts.isFunctionExpression(f) || ts.isMethodDeclaration(f)) models.thisOf.set(f, { schema, is });
    else if (ts.isObjectLiteralExpression(f)) {
      for (const m of f.properties) markThis(schema, ts.isPropertyAssignment(m) ? m.initializer : m, is);
    }
  };
  const roleOf = (name: string): 'model' | 'document' | undefined => (name === 'statics' || name === 'static' ? 'model' : name === 'methods' || name === 'method' ? 'document' : undefined);

  for (const file of project.files) {
    if (!mentionsMongoose(file)) continue;
    const visit = (node: ts.Node): void => {
      if (isNewSchema(node)) {
        const [def, options] = node.arguments ?? [];
        const info = schemaInfo(assignedKey(node));
        collectRefs(def, '', info.refs);
        const collection = objectOption(options, 'collection');
        info.collection = (collection && stringValue(collection, checker)) ?? info.collection;
        markThis(assignedKey(node), objectOption(options, 'statics'), 'model');
        markThis(assignedKey(node), objectOption(options, 'methods'), 'document');
      } else if (ts.isCallExpression(node)) {
        visitCall(file, node);
      } else if (ts.isClassDeclaration(node) && node.name) {
        const nest = nestSchemaClass(node, checker);
        if (nest) {
          const info = schemaInfo(node);
          info.collection = nest.collection ?? info.collection;
          for (const [path, ref] of nest.refs) info.refs.set(path, ref);
          pending.push({ at: node, name: node.name.text, schema: node, fallback: true });
        }
      } else if (ts.isParameter(node) || ts.isPropertyDeclaration(node)) {
        const name = injectedModel(node, checker);
        if (name !== undefined) injected.push({ decl: node, name });
        else {
          const documentType = modelTypeDeclaration(node, checker);
          if (documentType) typed.push({ decl: node, documentType });
        }
      } else if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
        // bookSchema.statics.byTitle = function (…) { return this.find(…) }
        const left = node.left;
        if (ts.isPropertyAccessExpression(left) && ts.isPropertyAccessExpression(left.expression)) {
          const role = roleOf(left.expression.name.text);
          if (role) markThis(schemaKeyOf(project, left.expression.expression), node.right, role);
        }
      }
      ts.forEachChild(node, visit);
    };
    const visitCall = (file: LoadedFile, call: ts.CallExpression): void => {
      const callee = call.expression;
      const method = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : undefined;
      const receiver = ts.isPropertyAccessExpression(callee) ? callee.expression : undefined;
      const [first, second, third] = call.arguments;
      if (method === 'pluralize' && first?.kind === ts.SyntaxKind.NullKeyword) {
        pluralize = false;
      } else if (method === 'model' && first && second) {
        // model('OrderItem', { qty: Number }): Mongoose makes the schema from the plain object
        const plain = unwrap(second);
        const schema = schemaKeyOf(project, second) ?? (ts.isObjectLiteralExpression(plain) ? plain : undefined);
        if (!schema && !isMongooseImport(checker, callee)) return;
        if (schema === plain) collectRefs(plain, '', schemaInfo(plain).refs);
        const name = stringValue(first, checker);
        if (name === undefined) {
          warnings.push({ file: file.rel, message: `${file.rel}:${lineOf(call, file.source)}: Mongoose model name is computed at run time; its collection and uses are not reported` });
          return;
        }
        pending.push({ at: call, key: assignedKey(call), name, schema, collection: third && stringValue(third, checker) });
        const documentType = call.typeArguments?.[0];
        const typeDecl = documentType && ts.isTypeReferenceNode(documentType) ? checker.getSymbolAtLocation(documentType.typeName)?.declarations?.[0] : undefined;
        if (typeDecl) byDocumentType.set(typeDecl, name);
      } else if (method === 'discriminator' && receiver && first && second) {
        const name = stringValue(first, checker);
        if (name !== undefined) pending.push({ at: call, key: assignedKey(call), name, schema: schemaKeyOf(project, second), base: receiver });
      } else if (method === 'forFeature' || method === 'forFeatureAsync') {
        for (const entry of featureEntries(call, checker)) {
          const schema = schemaKeyOf(project, entry.schema);
          pending.push({ at: schema && ts.isClassDeclaration(schema) ? schema : entry.at, name: entry.name, schema, collection: entry.collection });
        }
      } else if (receiver && method === 'set' && first && stringValue(first, checker) === 'collection' && second) {
        const schema = schemaKeyOf(project, receiver);
        const collection = stringValue(second, checker);
        if (schema && collection) schemaInfo(schema).collection = collection;
      } else if (receiver && method === 'virtual' && first && second && objectOption(second, 'ref')) {
        // virtual populate: schema.virtual('reviews', { ref: 'Review', localField, foreignField })
        const schema = schemaKeyOf(project, receiver);
        const path = stringValue(first, checker);
        if (schema && path) schemaInfo(schema).refs.set(path, objectOption(second, 'ref')!);
      } else if (receiver && method && roleOf(method) && first) {
        const schema = schemaKeyOf(project, receiver);
        markThis(schema, second ?? first, roleOf(method)!);
      }
    };
    guarded(file, warnings, 'Mongoose models', () => visit(file.source));
  }

  const add = (p: PendingModel, collection: string, base?: MongooseModel): void => {
    const model: MongooseModel = { name: p.name, collection, schema: p.schema, base };
    const key = p.key;
    if (key) {
      models.byKey.set(key, model);
      // `exports.Book = model(…)`: code that requires the file may land on the assignment or its target
      const parent = key.parent;
      if (key === p.at && ts.isBinaryExpression(parent) && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken) models.byKey.set(parent.left, model);
    }
    models.byName.set(model.name, model);
    if (model.schema) models.bySchema.set(model.schema, [...(models.bySchema.get(model.schema) ?? []), model]);
    const file = fileOf(project, p.at);
    if (file) out.declare({ table: collection, file: file.rel, line: lineOf(p.at, file.source), via: 'mongoose', model: model.name });
  };
  const defaultName = (name: string): string => (pluralize ? mongooseCollectionName(name) : name);
  const collectionOf = (p: PendingModel): string => p.collection ?? (p.schema && models.schemas.get(p.schema)?.collection) ?? defaultName(p.name);
  for (const p of pending.filter((m) => !m.base && !m.fallback)) add(p, collectionOf(p));
  for (const p of pending.filter((m) => m.fallback && !models.byName.has(m.name))) add(p, collectionOf(p));
  for (const p of pending.filter((m) => m.base)) {
    const key = valueKey(project, p.base!);
    const base = key && models.byKey.get(key);
    if (base) add(p, base.collection, base);
  }
  for (const { decl, name } of injected) {
    const model = models.byName.get(name);
    if (model) models.byKey.set(decl, model);
  }
  // `tasks: Model<TaskDocument>`: the model compiled from that schema class, or named by the interface in model<ITask>()
  for (const { decl, documentType } of typed) {
    const model = models.bySchema.get(documentType)?.[0] ?? models.byName.get(byDocumentType.get(documentType) ?? '');
    if (model && !models.byKey.has(decl)) models.byKey.set(decl, model);
  }
  return models;
}

/** `mongoose.model`, `model` imported from mongoose (when the schema argument is not one the analyzer can see). */
function isMongooseImport(checker: ts.TypeChecker, callee: ts.Expression): boolean {
  let root = callee;
  while (ts.isPropertyAccessExpression(root)) root = root.expression;
  if (!ts.isIdentifier(root)) return false;
  for (let d: ts.Node | undefined = checker.getSymbolAtLocation(root)?.declarations?.[0]; d; d = d.parent) {
    if (ts.isImportDeclaration(d)) return ts.isStringLiteral(d.moduleSpecifier) && d.moduleSpecifier.text === 'mongoose';
    if (ts.isVariableDeclaration(d)) {
      const init = d.initializer && unwrap(d.initializer);
      return !!init && ts.isCallExpression(init) && init.arguments[0] !== undefined && ts.isStringLiteral(init.arguments[0]) && init.arguments[0].text === 'mongoose';
    }
  }
  return false;
}
