// Foreign keys of TypeORM entities: the owning side of a relation, `@ManyToOne(() => Author, { onDelete: 'CASCADE' })`
// and `@OneToOne(() => Profile) @JoinColumn()`, puts a key on the entity's table pointing at the target's. Its columns
// are `@JoinColumn({ name })`'s, else TypeORM's default name, `<property><ReferencedProperty>` (`authorId`); the
// referenced columns are those `referencedColumnName` names, else the target's primary columns (a composite key: one
// column each; `keyColumns` in typeorm-junction-keys.ts). An owning `@ManyToMany` (with
// `@JoinTable`) puts two on its junction table (typeorm-junction-keys.ts). A custom naming strategy is not followed.
import path from 'node:path';
import { ts } from 'ts-morph';
import type { AccessCollector } from './access-collector.ts';
import { lineOf } from './functions.ts';
import { guarded } from './guard.ts';
import { objectLiteralOf } from './object-literal.ts';
import type { OrmModel, OrmModels } from './orm-models.ts';
import { calleeName, objectOption } from './orm-values.ts';
import type { LoadedFile, LoadedProject } from './project.ts';
import { stringValue } from './string-value.ts';
import { joinColumnsOf, junctionKeys, keyColumns } from './typeorm-junction-keys.ts';
import type { EntityRelations } from './typeorm-relations.ts';
import type { Warning } from './types.ts';
import { unwrap } from './value-key.ts';

const OWNING = new Set(['ManyToOne', 'OneToOne']);
const PRIMARY = new Set(['PrimaryGeneratedColumn', 'PrimaryColumn']);
const COLUMNS = new Set([...PRIMARY, 'Column']);
const JOIN_COLUMN = new Set(['JoinColumn']);
const MANY_TO_MANY = new Set(['ManyToMany']);
const JOIN_TABLE = new Set(['JoinTable']);
const RELATIONS = new Set([...OWNING, 'OneToMany', 'ManyToMany']);

function decorator(node: ts.Node, names: Set<string>): ts.CallExpression | undefined {
  for (const d of (ts.canHaveDecorators(node) ? ts.getDecorators(node) : undefined) ?? []) {
    const e = d.expression;
    if (ts.isCallExpression(e) && names.has(calleeName(e) ?? '')) return e;
  }
  return undefined;
}

function propertyName(m: ts.ClassElement): string | undefined {
  return ts.isPropertyDeclaration(m) && (ts.isIdentifier(m.name) || ts.isStringLiteral(m.name)) ? m.name.text : undefined;
}

/** A decorated entity's columns: a property's column (`@Column({ name })`, a primary column's too, else the property's name) and its primary properties. */
export interface EntityColumns {
  column(property: string): string;
  /** the primary properties in declaration order (`['id']` when none is declared): more than one for a composite key */
  primaries(): string[];
}

export function classColumns(cls: ts.ClassDeclaration | undefined, checker: ts.TypeChecker): EntityColumns {
  const str = (e: ts.Expression | undefined): string | undefined => (e ? stringValue(e, checker) : undefined);
  return {
    column(property) {
      const m = cls?.members.find((x) => propertyName(x) === property);
      const column = m && decorator(m, COLUMNS);
      return str(objectOption(column?.arguments.find((a) => ts.isObjectLiteralExpression(unwrap(a))), 'name')) ?? property;
    },
    primaries() {
      const found = (cls?.members ?? []).filter((m) => decorator(m, PRIMARY)).map((m) => propertyName(m) ?? 'id');
      return found.length > 0 ? found : ['id'];
    },
  };
}

/** A relation decorator's options object: `@ManyToOne(() => Author, (a) => a.books, { onDelete })`. */
function relationOptions(relation: ts.CallExpression): ts.Expression | undefined {
  return relation.arguments.find((a) => ts.isObjectLiteralExpression(unwrap(a)));
}

function onDeleteOf(relation: ts.CallExpression, checker: ts.TypeChecker): string | undefined {
  const option = objectOption(relationOptions(relation), 'onDelete');
  return option && stringValue(option, checker)?.toLowerCase();
}

/** The relation a class declares on the property, if any, with its `onDelete`. */
export function classRelation(cls: ts.ClassDeclaration | undefined, property: string, checker: ts.TypeChecker): { onDelete?: string } | undefined {
  const m = cls?.members.find((x) => propertyName(x) === property);
  const relation = m && decorator(m, RELATIONS);
  const onDelete = relation && onDeleteOf(relation, checker);
  return relation && (onDelete ? { onDelete } : {});
}

/** TypeORM's default join column: `<property><ReferencedProperty>` (`authorId`). */
export function defaultJoinColumn(property: string, referenced: string): string {
  return property + referenced[0].toUpperCase() + referenced.slice(1);
}

export function recordTypeormForeignKeys(project: LoadedProject, models: OrmModels, relations: EntityRelations, out: AccessCollector, warnings: Warning[]): void {
  const checker = project.checker;
  const classes = new Map<OrmModel, ts.ClassDeclaration>();
  for (const [key, model] of models.byKey) if (model.via === 'typeorm' && ts.isClassDeclaration(key)) classes.set(model, key);
  const str = (e: ts.Expression | undefined): string | undefined => (e ? stringValue(e, checker) : undefined);

  for (const [entity, cls] of classes) {
    const source = cls.getSourceFile();
    if (!/\b(?:ManyToOne|OneToOne|ManyToMany)\b/.test(source.text)) continue;
    const file = project.byAbs.get(path.normalize(source.fileName));
    if (file) guarded(file, warnings, 'TypeORM foreign keys', () => keysOf(entity, cls, file));
  }

  function keysOf(entity: OrmModel, cls: ts.ClassDeclaration, file: LoadedFile): void {
    for (const m of cls.members) {
      const property = propertyName(m);
      const manyToMany = property && decorator(m, MANY_TO_MANY);
      if (manyToMany) junctionOf(entity, cls, m, property, manyToMany, file);
      const relation = property && decorator(m, OWNING);
      if (!property || !relation) continue;
      const joinColumn = decorator(m, JOIN_COLUMN);
      if (calleeName(relation) === 'OneToOne' && !joinColumn) continue; // the inverse side: the key is on the other table
      const target = relations.relation(entity, property)?.target;
      if (!target) continue;
      const joinArg = joinColumn?.arguments[0] && unwrap(joinColumn.arguments[0]);
      const joins = (joinArg && ts.isArrayLiteralExpression(joinArg) ? [...joinArg.elements] : [joinArg]).map((j) => ({
        name: str(objectOption(j, 'name')),
        referencedColumnName: str(objectOption(j, 'referencedColumnName')),
      }));
      // `referencedColumnName` and the default name are by property; the key points at that property's column
      const { columns, referencedColumns } = keyColumns(joins, classColumns(classes.get(target), checker), (p) => defaultJoinColumn(property, p));
      const onDelete = onDeleteOf(relation, checker);
      out.foreignKey({ table: entity.table, columns, references: target.table, referencedColumns, ...(onDelete ? { onDelete } : {}), file: file.rel, line: lineOf(relation, file.source), via: 'typeorm' });
    }
  }

  /** An owning `@ManyToMany(() => Category, …) @JoinTable({ name, joinColumn, inverseJoinColumn })`: the junction's two keys. */
  function junctionOf(entity: OrmModel, cls: ts.ClassDeclaration, m: ts.ClassElement, property: string, manyToMany: ts.CallExpression, file: LoadedFile): void {
    const joinTable = decorator(m, JOIN_TABLE);
    const relation = joinTable && relations.relation(entity, property);
    if (!joinTable || !relation?.junction) return;
    if (objectOption(relationOptions(manyToMany), 'createForeignKeyConstraints')?.kind === ts.SyntaxKind.FalseKeyword) return;
    const tableOptions = joinTable.arguments[0] && objectLiteralOf(project, joinTable.arguments[0]);
    const targetClass = classes.get(relation.target);
    const keys = junctionKeys({
      junction: relation.junction,
      owner: { table: entity.table, joins: joinColumnsOf(project, tableOptions, 'joinColumn'), ...classColumns(cls, checker) },
      target: { table: relation.target.table, joins: joinColumnsOf(project, tableOptions, 'inverseJoinColumn'), ...classColumns(targetClass, checker) },
      onDelete: onDeleteOf(manyToMany, checker),
      inverse: relation.inverse ? classRelation(targetClass, relation.inverse, checker) : undefined,
    });
    for (const key of keys) out.foreignKey({ ...key, file: file.rel, line: lineOf(manyToMany, file.source), via: 'typeorm' });
  }
}
