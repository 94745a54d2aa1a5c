// Which code reads and writes MongoDB collections through the Node driver (package `mongodb`): the
// methods called on a collection value (mongodb-values.ts), attributed to the function that calls
// them, wherever the collection was made; the collections an aggregation pipeline names; and the
// database's own createCollection (schema), dropCollection and renameCollection. A collection whose
// name is made at run time is a warning, never a guess. Mongoose models are mongoose-usage.ts's: only
// the driver's database behind Mongoose (`mongoose.connection.db`) is read here.
//
// Cheap on trees that do not use the driver: only files that mention 'mongodb' (or a Mongoose
// connection) are read, then the files that mention a name declared there holding a driver value
// (`import { books } from './db'`), and so on, a few rounds deep.
import { ts } from 'ts-morph';
import type { AccessCollector } from './access-collector.ts';
import { isFunctionLike, lineOf } from './functions.ts';
import { guarded } from './guard.ts';
import { pipelineCollections } from './mongo-pipeline.ts';
import { mongoValues, type MongoValue, type MongoValues } from './mongodb-values.ts';
import type { LoadedFile, LoadedProject } from './project.ts';
import { stringValue } from './string-value.ts';
import { fileOf } from './symbols.ts';
import type { Warning } from './types.ts';
import { unwrap } from './value-key.ts';

const READ = new Set(['find', 'findOne', 'aggregate', 'countDocuments', 'estimatedDocumentCount', 'count', 'distinct', 'watch',
  'listIndexes', 'indexes', 'indexExists', 'indexInformation', 'isCapped', 'options', 'listSearchIndexes']);
const WRITE = new Set(['insertOne', 'insertMany', 'updateOne', 'updateMany', 'replaceOne', 'deleteOne', 'deleteMany',
  'findOneAndUpdate', 'findOneAndReplace', 'findOneAndDelete', 'findAndModify', 'bulkWrite', 'drop', 'rename',
  'createIndex', 'createIndexes', 'dropIndex', 'dropIndexes', 'initializeOrderedBulkOp', 'initializeUnorderedBulkOp',
  'createSearchIndex', 'createSearchIndexes', 'updateSearchIndex', 'dropSearchIndex', 'insert', 'update', 'remove', 'save']);
const DATABASE_METHODS = new Set(['createCollection', 'dropCollection', 'renameCollection']);
const MAX_ROUNDS = 4;

export interface MongoDriver {
  values: MongoValues;
  /** the files read for driver calls */
  files: Set<LoadedFile>;
  /** run-time collection names already warned about */
  warned: Set<ts.Node>;
}

function mentionsDriver(file: LoadedFile): boolean {
  const text = file.source.text;
  return text.includes('mongodb') || (text.includes('mongoose') && text.includes('onnection'));
}

export function collectMongoDriver(project: LoadedProject, warnings: Warning[]): MongoDriver | undefined {
  let round = project.files.filter(mentionsDriver);
  if (round.length === 0) return undefined;
  const driver: MongoDriver = { values: mongoValues(project), files: new Set(), warned: new Set() };
  const names = new Set<string>();
  for (let i = 0; i < MAX_ROUNDS && round.length > 0; i++) {
    const fresh: string[] = [];
    for (const file of round) {
      driver.files.add(file);
      guarded(file, warnings, 'MongoDB collections', () => holderNames(file, driver.values, names, fresh));
    }
    if (fresh.length === 0) break;
    const mentions = new RegExp(`\\b(?:${fresh.map((n) => n.replace(/\$/g, '\\$')).join('|')})\\b`);
    round = project.files.filter((f) => !driver.files.has(f) && mentions.test(f.source.text));
  }
  return driver;
}

/** What a function body must have for a name in it to be reached from elsewhere. */
const MEMBER_WORDS = /\bthis\.|\bexports\b|\bclass\b/;
/** Words a declaration holding a driver value, or a function returning one, has in its text. */
const DRIVER_WORDS = /\.db\(|\.collection\(|MongoClient|\bDb\b|\bCollection\b|\bconnection\b/;

/**
 * The names another file can reach a driver value by: module-level variables and functions, class and
 * object members, interface members, `this.x =` / `exports.x =` assignments. Locals are not looked at,
 * as no other file can name them, nor declarations whose text has no driver word and no name found
 * so far: they are most of a file, and asking the checker about each of them costs.
 */
function holderNames(file: LoadedFile, values: MongoValues, names: Set<string>, fresh: string[]): void {
  const text = file.source.text;
  let known: RegExp | undefined;
  const mayHold = (node: ts.Node): boolean => {
    const own = text.slice(node.pos, node.end);
    if (DRIVER_WORDS.test(own)) return true;
    if (names.size === 0) return false;
    known ??= new RegExp(`\\b(?:${[...names].map((n) => n.replace(/\$/g, '\\$')).join('|')})\\b`);
    return known.test(own);
  };
  const add = (name: ts.Node | undefined, value: MongoValue | undefined): void => {
    if (!value || !name || !ts.isIdentifier(name) || names.has(name.text)) return;
    names.add(name.text);
    fresh.push(name.text);
    known = undefined;
  };
  const visit = (node: ts.Node, local: boolean): void => {
    if (!local && (ts.isVariableDeclaration(node) || ts.isPropertyDeclaration(node) || ts.isPropertyAssignment(node)) && ts.isIdentifier(node.name)) {
      const init = node.initializer && unwrap(node.initializer);
      if (mayHold(node)) add(node.name, init && isFunctionLike(init) ? values.returnedBy(init) : values.valueOf(node.name));
    } else if (!local && (ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node)) && node.body) {
      if (mayHold(node)) add(node.name, values.returnedBy(node));
    } else if ((ts.isPropertySignature(node) || (ts.isParameter(node) && ts.isParameterPropertyDeclaration(node, node.parent))) && node.type) {
      // interface Locals { db: Db }, constructor(private readonly db: Db)
      add(node.name, ts.isIdentifier(node.name) ? values.valueOf(node.name) : undefined);
    } else if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isPropertyAccessExpression(node.left)) {
      const target = unwrap(node.left.expression);
      const named = target.kind === ts.SyntaxKind.ThisKeyword || (ts.isIdentifier(target) && target.text === 'exports') ||
        (ts.isPropertyAccessExpression(target) && target.name.text === 'exports');
      if (named && mayHold(node)) add(node.left.name, values.valueOf(node.right));
    }
    if (isFunctionLike(node)) {
      // what a function declares is local to it, except the members of a class declared there and what it
      // assigns to this / exports; a body with none of those is not walked
      for (const p of node.parameters) visit(p, true);
      const body = 'body' in node ? (node.body as ts.Node | undefined) : undefined;
      if (body && MEMBER_WORDS.test(text.slice(body.pos, body.end))) visit(body, true);
      return;
    }
    ts.forEachChild(node, (child) => visit(child, local && !ts.isClassLike(node)));
  };
  visit(file.source, false);
}

export function scanMongoDriver(project: LoadedProject, file: LoadedFile, driver: MongoDriver | undefined, out: AccessCollector, warnings: Warning[]): void {
  if (!driver || !driver.files.has(file)) return;
  const checker = project.checker;

  /** A collection whose name the analyzer cannot know: say so once, where the name is made. */
  const computedName = (value: MongoValue): void => {
    const computed = value.kind === 'collection' ? value.computed : undefined;
    if (!computed || driver.warned.has(computed)) return;
    driver.warned.add(computed);
    const where = fileOf(project, computed);
    if (!where) return;
    const text = computed.getText(where.source).replace(/\s+/g, ' ');
    warnings.push({
      file: where.rel,
      message: `${where.rel}:${lineOf(computed, where.source)}: MongoDB collection name is computed at run time (${text.length > 60 ? `${text.slice(0, 57)}...` : text}); its reads and writes are not reported`,
    });
  };

  const collectionCall = (call: ts.CallExpression, method: ts.Identifier, access: 'read' | 'write', receiver: ts.Expression): void => {
    const value = driver.values.valueOf(receiver);
    if (value?.kind !== 'collection') return;
    if (value.name === undefined) return computedName(value);
    out.access(file, method, value.name, access, 'mongodb');
    if (method.text === 'aggregate') {
      for (const stage of pipelineCollections(call.arguments[0], checker)) out.access(file, method, stage.collection, stage.access, 'mongodb');
    }
  };

  // db.createCollection('audit_log') declares it; dropCollection / renameCollection write
  const databaseCall = (call: ts.CallExpression, method: ts.Identifier, receiver: ts.Expression): void => {
    if (!driver.values.isDb(receiver)) return;
    const named = method.text === 'renameCollection' ? call.arguments.slice(0, 2) : call.arguments.slice(0, 1);
    for (const arg of named) {
      const name = stringValue(arg, checker);
      if (name === undefined) computedName({ kind: 'collection', computed: arg });
      else if (method.text === 'createCollection') out.declare({ table: name, file: file.rel, line: lineOf(method, file.source), via: 'mongodb' });
      else out.access(file, method, name, 'write', 'mongodb');
    }
  };

  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node)) {
      const callee = unwrap(node.expression);
      if (ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.name)) {
        const method = callee.name;
        const access = READ.has(method.text) ? 'read' : WRITE.has(method.text) ? 'write' : undefined;
        if (access) collectionCall(node, method, access, callee.expression);
        else if (DATABASE_METHODS.has(method.text)) databaseCall(node, method, callee.expression);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file.source);
}
