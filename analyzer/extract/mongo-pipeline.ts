// The collections an aggregation pipeline names, for Mongoose models and the MongoDB driver alike:
// $lookup / $graphLookup / $unionWith read another collection, $out / $merge write one.
import { ts } from 'ts-morph';
import { objectOption } from './orm-values.ts';
import { stringValue } from './string-value.ts';
import { unwrap } from './value-key.ts';

const STAGE_READ = new Set(['$lookup', '$graphLookup', '$unionWith']);
const STAGE_WRITE = new Set(['$out', '$merge']);

export interface StageCollection {
  collection: string;
  access: 'read' | 'write';
}

/** The collections named in `aggregate([...])`'s pipeline, written in place or held in a variable. */
export function pipelineCollections(arg: ts.Expression | undefined, checker: ts.TypeChecker): StageCollection[] {
  let a = arg && unwrap(arg);
  if (a && ts.isIdentifier(a)) {
    const decl = checker.getSymbolAtLocation(a)?.valueDeclaration;
    a = decl && ts.isVariableDeclaration(decl) && decl.initializer ? unwrap(decl.initializer) : undefined;
  }
  if (!a || !ts.isArrayLiteralExpression(a)) return [];
  const found: StageCollection[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isPropertyAssignment(node) && (ts.isIdentifier(node.name) || ts.isStringLiteral(node.name))) {
      const stage = node.name.text;
      const access = STAGE_READ.has(stage) ? 'read' : STAGE_WRITE.has(stage) ? 'write' : undefined;
      const collection = access && stageCollection(node.initializer, checker);
      if (access && collection) found.push({ collection, access });
    }
    ts.forEachChild(node, visit);
  };
  visit(a);
  return found;
}

// { $lookup: { from: 'authors' } }, { $unionWith: 'x' | { coll } }, { $out: 'x' | { coll } }, { $merge: 'x' | { into: 'x' | { coll } } }
function stageCollection(value: ts.Expression, checker: ts.TypeChecker): string | undefined {
  const direct = stringValue(value, checker);
  if (direct !== undefined) return direct;
  const named = objectOption(value, 'from') ?? objectOption(value, 'coll') ?? objectOption(value, 'into');
  if (!named) return undefined;
  return stringValue(named, checker) ?? stringValue(objectOption(named, 'coll') ?? named, checker);
}
