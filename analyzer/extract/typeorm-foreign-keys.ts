// Foreign keys of TypeORM entities: the owning side of a relation, `@ManyToOne(() => Author, { onDelete: 'CASCADE' })`
// and `@OneToOne(() => Profile) @JoinColumn()`, puts a key on the entity's table pointing at the target's. Its columns
// are `@JoinColumn({ name })`'s, else TypeORM's default name, `<property><ReferencedProperty>` (`authorId`); the
// referenced column is `referencedColumnName`'s, else the target's primary column. A custom naming strategy is not followed.
import path from 'node:path';
import { ts } from 'ts-morph';
import type { AccessCollector } from './access-collector.ts';
import { lineOf } from './functions.ts';
import { guarded } from './guard.ts';
import type { OrmModel, OrmModels } from './orm-models.ts';
import { calleeName, objectOption } from './orm-values.ts';
import type { LoadedFile, LoadedProject } from './project.ts';
import { stringValue } from './string-value.ts';
import type { EntityRelations } from './typeorm-relations.ts';
import type { Warning } from './types.ts';
import { unwrap } from './value-key.ts';

const OWNING = new Set(['ManyToOne', 'OneToOne']);
const PRIMARY = new Set(['PrimaryGeneratedColumn', 'PrimaryColumn']);
const COLUMNS = new Set([...PRIMARY, 'Column']);
const JOIN_COLUMN = new Set(['JoinColumn']);

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

/** A decorated entity's columns: a property's column (`@Column({ name })`, a primary column's too, else the property's name) and its primary property. */
export interface EntityColumns {
  column(property: string): string;
  primary(): string;
}

export function classColumns(cls: ts.ClassDeclaration | undefined, checker: ts.TypeChecker): EntityColumns {
  const str = (e: ts.Expression | undefined): string | undefined => (e ? stringValue(e, checker) : undefined);
  return {
    column(property) {
      const m = cls?.members.find((x) => propertyName(x) === property);
      const column = m && decorator(m, COLUMNS);
      return str(objectOption(column?.arguments.find((a) => ts.isObjectLiteralExpression(unwrap(a))), 'name')) ?? property;
    },
    primary() {
      for (const m of cls?.members ?? []) if (decorator(m, PRIMARY)) return propertyName(m) ?? 'id';
      return 'id';
    },
  };
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
    if (!/\b(?:ManyToOne|OneToOne)\b/.test(source.text)) continue;
    const file = project.byAbs.get(path.normalize(source.fileName));
    if (file) guarded(file, warnings, 'TypeORM foreign keys', () => keysOf(entity, cls, file));
  }

  function keysOf(entity: OrmModel, cls: ts.ClassDeclaration, file: LoadedFile): void {
    for (const m of cls.members) {
      const property = propertyName(m);
      const relation = property && decorator(m, OWNING);
      if (!property || !relation) continue;
      const joinColumn = decorator(m, JOIN_COLUMN);
      if (calleeName(relation) === 'OneToOne' && !joinColumn) continue; // the inverse side: the key is on the other table
      const target = relations.relation(entity, property)?.target;
      if (!target) continue;
      const joinArg = joinColumn?.arguments[0] && unwrap(joinColumn.arguments[0]);
      const joins = joinArg && ts.isArrayLiteralExpression(joinArg) ? [...joinArg.elements] : [joinArg];
      const columns: string[] = [];
      const referencedColumns: string[] = [];
      for (const j of joins) {
        // `referencedColumnName` and the default name are by property; the key points at that property's column
        const targetColumns = classColumns(classes.get(target), checker);
        const referenced = str(objectOption(j, 'referencedColumnName')) ?? targetColumns.primary();
        referencedColumns.push(targetColumns.column(referenced));
        columns.push(str(objectOption(j, 'name')) ?? defaultJoinColumn(property, referenced));
      }
      const options = relation.arguments.find((a) => ts.isObjectLiteralExpression(unwrap(a)));
      const onDelete = str(objectOption(options, 'onDelete'))?.toLowerCase();
      out.foreignKey({ table: entity.table, columns, references: target.table, referencedColumns, ...(onDelete ? { onDelete } : {}), file: file.rel, line: lineOf(relation, file.source), via: 'typeorm' });
    }
  }
}
