// Which code reads and writes MongoDB collections through the Node driver (package `mongodb`): the
// methods called on a collection value (mongodb-values.ts), attributed to the function that calls
// them, wherever the collection was made; the collections an aggregation pipeline names; and the
// database's own createCollection (schema), dropCollection and renameCollection. A collection whose
// name is made at run time is a warning, never a guess. Mongoose models are mongoose-usage.ts's: only
// the driver's database behind Mongoose (`mongoose.connection.db`) is read here.
//
// Cheap on trees that do not use the driver: only files that mention 'mongodb' (or a Mongoose
// connection) are read, then the files that can reach a driver value through them (value-holders.ts).
import { ts } from 'ts-morph';
import type { AccessCollector } from './access-collector.ts';
import { lineOf } from './functions.ts';
import { pipelineCollections } from './mongo-pipeline.ts';
import { mongoValues, type MongoValue, type MongoValues } from './mongodb-values.ts';
import type { LoadedFile, LoadedProject } from './project.ts';
import { stringValue } from './string-value.ts';
import type { Warning } from './types.ts';
import { filesReaching, warnMadeAtRunTime } from './value-holders.ts';
import { unwrap } from './value-key.ts';

const READ = new Set(['find', 'findOne', 'aggregate', 'countDocuments', 'estimatedDocumentCount', 'count', 'distinct', 'watch',
  'listIndexes', 'indexes', 'indexExists', 'indexInformation', 'isCapped', 'options', 'listSearchIndexes']);
const WRITE = new Set(['insertOne', 'insertMany', 'updateOne', 'updateMany', 'replaceOne', 'deleteOne', 'deleteMany',
  'findOneAndUpdate', 'findOneAndReplace', 'findOneAndDelete', 'findAndModify', 'bulkWrite', 'drop', 'rename',
  'createIndex', 'createIndexes', 'dropIndex', 'dropIndexes', 'initializeOrderedBulkOp', 'initializeUnorderedBulkOp',
  'createSearchIndex', 'createSearchIndexes', 'updateSearchIndex', 'dropSearchIndex', 'insert', 'update', 'remove', 'save']);
const DATABASE_METHODS = new Set(['createCollection', 'dropCollection', 'renameCollection']);
/** Words a declaration holding a driver value, or a function returning one, has in its text. */
const DRIVER_WORDS = /\.db\(|\.collection\(|MongoClient|\bDb\b|\bCollection\b|\bconnection\b/;

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
  const seed = project.files.filter(mentionsDriver);
  if (seed.length === 0) return undefined;
  const values = mongoValues(project);
  const files = filesReaching(project, { seed, probe: values, words: DRIVER_WORDS, what: 'MongoDB collections' }, warnings);
  return { values, files, warned: new Set() };
}

export function scanMongoDriver(project: LoadedProject, file: LoadedFile, driver: MongoDriver | undefined, out: AccessCollector, warnings: Warning[]): void {
  if (!driver || !driver.files.has(file)) return;
  const checker = project.checker;

  /** A collection whose name the analyzer cannot know: say so once, where the name is made. */
  const computedName = (value: MongoValue): void => {
    const computed = value.kind === 'collection' ? value.computed : undefined;
    if (computed) warnMadeAtRunTime(project, driver.warned, warnings, computed, 'MongoDB collection name is computed at run time');
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
