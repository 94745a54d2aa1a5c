// Foreign keys of TypeORM entities declared without decorators, `new EntitySchema({ name, tableName, columns, relations })`:
// as for decorated entities (typeorm-foreign-keys.ts), a `many-to-one` relation, and a `one-to-one` with `joinColumn`,
// put a key on the entity's table pointing at the target's, and a `many-to-many` with `joinTable` two on its junction
// table (typeorm-junction-keys.ts); `one-to-many` holds none here. The table is `tableName`, else TypeORM's default,
// snake_case of `name`. The target is an entity schema's `name`, a decorated entity's class name, or the schema or
// class itself (a class given as a schema's `target` is that schema); `createForeignKeyConstraints: false` makes no key.
import { ts } from 'ts-morph';
import type { AccessCollector } from './access-collector.ts';
import { lineOf } from './functions.ts';
import { guarded } from './guard.ts';
import { objectLiteralOf, valueProperty } from './object-literal.ts';
import { snakeCase, type OrmModels } from './orm-models.ts';
import { assignedKey } from './orm-values.ts';
import type { LoadedFile, LoadedProject } from './project.ts';
import { stringValue } from './string-value.ts';
import { classColumns, classRelation, defaultJoinColumn, type EntityColumns } from './typeorm-foreign-keys.ts';
import { joinColumnsOf, junctionKeys, keyColumns } from './typeorm-junction-keys.ts';
import { defaultJunctionName } from './typeorm-relations.ts';
import type { Warning } from './types.ts';
import { unwrap, valueKey } from './value-key.ts';

interface SchemaEntity {
  name: string;
  table: string;
  options: ts.ObjectLiteralExpression;
  file: LoadedFile;
}

/** A relation's target: its table and columns, and the relation it declares on a property, if any. */
interface Target extends EntityColumns {
  table: string;
  relation(property: string): { onDelete?: string } | undefined;
}

const OWNING = new Set(['many-to-one', 'one-to-one']);

function isEntitySchema(node: ts.NewExpression): boolean {
  const callee = unwrap(node.expression);
  return (ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : '') === 'EntitySchema';
}

export function recordEntitySchemaForeignKeys(project: LoadedProject, models: OrmModels, out: AccessCollector, warnings: Warning[]): void {
  const checker = project.checker;
  const str = (e: ts.Expression | undefined): string | undefined => (e ? stringValue(e, checker) : undefined);
  /** by the node a use of the schema's value lands on (valueKey), and by its `name` */
  const byKey = new Map<ts.Node, SchemaEntity>();
  const byName = new Map<string, SchemaEntity>();
  for (const file of project.files) {
    if (!file.source.text.includes('EntitySchema') || !/typeorm/.test(file.source.text)) continue;
    const visit = (node: ts.Node): void => {
      if (ts.isNewExpression(node) && isEntitySchema(node) && node.arguments?.[0]) {
        const options = objectLiteralOf(project, node.arguments[0]);
        const name = options && str(valueProperty(options, 'name'));
        if (options && name) {
          const entity = { name, table: str(valueProperty(options, 'tableName')) ?? snakeCase(name), options, file };
          byKey.set(assignedKey(node), entity);
          byName.set(name, entity);
          // `new EntitySchema<Shelf>({ target: Shelf, … })`: the class stands for the schema
          const own = valueProperty(options, 'target');
          const ownKey = own && (ts.isIdentifier(unwrap(own)) || ts.isPropertyAccessExpression(unwrap(own))) ? valueKey(project, own) : undefined;
          if (ownKey) byKey.set(ownKey, entity);
        }
      }
      ts.forEachChild(node, visit);
    };
    guarded(file, warnings, 'TypeORM entity schemas', () => visit(file.source));
  }
  if (byName.size === 0) return;

  /** an object literal option of an object literal (written in place or held by a `const`) */
  const objectOption = (obj: ts.ObjectLiteralExpression | undefined, key: string): ts.ObjectLiteralExpression | undefined => {
    const value = obj && valueProperty(obj, key);
    return value && objectLiteralOf(project, value);
  };
  const schemaColumns = (entity: SchemaEntity): EntityColumns => {
    const columns = objectOption(entity.options, 'columns');
    const option = (property: string, key: string): ts.Expression | undefined => {
      const column = objectOption(columns, property);
      return column && valueProperty(column, key);
    };
    return {
      column: (property) => str(option(property, 'name')) ?? property,
      primaries() {
        const found: string[] = [];
        for (const p of columns?.properties ?? []) {
          const property = p.name && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) ? p.name.text : undefined;
          if (property && option(property, 'primary')?.kind === ts.SyntaxKind.TrueKeyword) found.push(property);
        }
        return found.length > 0 ? found : ['id'];
      },
    };
  };
  const onDeleteOf = (relation: ts.ObjectLiteralExpression): string | undefined => str(valueProperty(relation, 'onDelete'))?.toLowerCase();
  const schemaTarget = (entity: SchemaEntity): Target => ({
    table: entity.table,
    ...schemaColumns(entity),
    relation(property) {
      const relation = objectOption(objectOption(entity.options, 'relations'), property);
      const onDelete = relation && onDeleteOf(relation);
      return relation && (onDelete ? { onDelete } : {});
    },
  });
  const classTarget = (key: ts.Node): Target | undefined => {
    const model = models.byKey.get(key);
    if (model?.via !== 'typeorm' || !ts.isClassDeclaration(key)) return undefined;
    return { table: model.table, ...classColumns(key, checker), relation: (property) => classRelation(key, property, checker) };
  };
  const targetOf = (expr: ts.Expression): Target | undefined => {
    const name = str(expr);
    if (name !== undefined) {
      const schema = byName.get(name);
      if (schema) return schemaTarget(schema);
      const model = models.byName.get(name);
      const cls = model?.via === 'typeorm' ? [...models.byKey].find(([, m]) => m === model)?.[0] : undefined;
      return cls && classTarget(cls);
    }
    const e = unwrap(expr);
    const key = (ts.isIdentifier(e) || ts.isPropertyAccessExpression(e)) && valueKey(project, e);
    if (!key) return undefined;
    const schema = byKey.get(key);
    return schema ? schemaTarget(schema) : classTarget(key);
  };

  for (const entity of byName.values()) guarded(entity.file, warnings, 'TypeORM entity schema foreign keys', () => keysOf(entity));

  function keysOf(entity: SchemaEntity): void {
    for (const p of objectOption(entity.options, 'relations')?.properties ?? []) {
      if (!ts.isPropertyAssignment(p) || !(ts.isIdentifier(p.name) || ts.isStringLiteral(p.name))) continue;
      const property = p.name.text;
      const relation = objectLiteralOf(project, p.initializer);
      const type = relation && str(valueProperty(relation, 'type'));
      if (!relation || !type || valueProperty(relation, 'createForeignKeyConstraints')?.kind === ts.SyntaxKind.FalseKeyword) continue;
      const targetExpr = valueProperty(relation, 'target');
      const target = targetExpr && targetOf(targetExpr);
      if (target && type === 'many-to-many') junctionOf(entity, property, relation, target, p);
      if (!target || !OWNING.has(type)) continue;
      const joinColumn = valueProperty(relation, 'joinColumn');
      const joinArg = joinColumn && unwrap(joinColumn);
      const joins = !joinArg || joinArg.kind === ts.SyntaxKind.TrueKeyword ? [undefined] : ts.isArrayLiteralExpression(joinArg) ? [...joinArg.elements] : [joinArg];
      // the inverse side of a one-to-one: the key is on the other table
      if (type === 'one-to-one' && (!joinArg || joinArg.kind === ts.SyntaxKind.FalseKeyword)) continue;
      const options = joins.map((j) => {
        const join = j && objectLiteralOf(project, j);
        return { name: str(join && valueProperty(join, 'name')), referencedColumnName: str(join && valueProperty(join, 'referencedColumnName')) };
      });
      // `referencedColumnName` and the default name are by property; the key points at that property's column
      const { columns, referencedColumns } = keyColumns(options, target, (referenced) => defaultJoinColumn(property, referenced));
      const onDelete = onDeleteOf(relation);
      out.foreignKey({ table: entity.table, columns, references: target.table, referencedColumns, ...(onDelete ? { onDelete } : {}), file: entity.file.rel, line: lineOf(p, entity.file.source), via: 'typeorm' });
    }
  }

  /** `categories: { type: 'many-to-many', target: 'Category', inverseSide: 'books', joinTable: true | { name, joinColumn, inverseJoinColumn } }` */
  function junctionOf(entity: SchemaEntity, property: string, relation: ts.ObjectLiteralExpression, target: Target, at: ts.Node): void {
    const joinTable = valueProperty(relation, 'joinTable');
    const joinArg = joinTable && unwrap(joinTable);
    if (!joinArg || joinArg.kind === ts.SyntaxKind.FalseKeyword) return; // the inverse side
    const options = objectLiteralOf(project, joinArg);
    const inverseSide = str(valueProperty(relation, 'inverseSide'));
    const keys = junctionKeys({
      junction: str(options && valueProperty(options, 'name')) ?? defaultJunctionName(entity.table, property, target.table),
      owner: { table: entity.table, joins: joinColumnsOf(project, options, 'joinColumn'), ...schemaColumns(entity) },
      target: { ...target, joins: joinColumnsOf(project, options, 'inverseJoinColumn') },
      onDelete: onDeleteOf(relation),
      inverse: inverseSide === undefined ? undefined : target.relation(inverseSide),
    });
    for (const key of keys) out.foreignKey({ ...key, file: entity.file.rel, line: lineOf(at, entity.file.source), via: 'typeorm' });
  }
}
