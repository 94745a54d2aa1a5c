// The two foreign keys of a TypeORM many-to-many junction table, as TypeORM's JunctionEntityMetadataBuilder makes
// them (0.3.31; 1.x names them alike): junction → owner and junction → target, one column per referenced column (those
// the join columns name by `referencedColumnName`, else every primary column: two for a composite key), each a `joinColumn(s)` / `inverseJoinColumn(s)`
// `name`, else the default naming strategy's camelCase of `<table>_<referenced column>` (`booksId`), the two renamed
// `_1`/`_2` when alike (a self relation). The owner's key takes the owning relation's `onDelete`, else cascade; the
// target's takes the inverse relation's (the one the owning side names, when the target declares it), else cascade.
// A custom naming strategy is not followed.
import { ts } from 'ts-morph';
import { objectLiteralOf, valueProperty } from './object-literal.ts';
import type { LoadedProject } from './project.ts';
import { stringValue } from './string-value.ts';
import type { EntityColumns } from './typeorm-foreign-keys.ts';
import type { ForeignKey } from './types.ts';
import { unwrap } from './value-key.ts';

/** One `joinColumn` of a join table: both by property, as TypeORM reads them. */
export interface JoinColumnOptions {
  name?: string;
  referencedColumnName?: string;
}

/** One side of the junction: the entity's table and columns, and the join columns naming the junction's. */
export interface JunctionSide extends EntityColumns {
  table: string;
  joins: JoinColumnOptions[];
}

export interface JunctionRelation {
  junction: string;
  owner: JunctionSide;
  target: JunctionSide;
  /** the owning relation's `onDelete`, lower case */
  onDelete?: string;
  /** the inverse relation the owning side names, when the target declares it */
  inverse?: { onDelete?: string };
}

export type JunctionKey = Pick<ForeignKey, 'table' | 'columns' | 'references' | 'referencedColumns' | 'onDelete'>;

/** TypeORM's own camelCase (util/StringUtils): `books_author_id` → `booksAuthorId`. */
function camelCase(s: string): string {
  return s.replace(/^([A-Z])|[\s_-](\w)/g, (_, first: string | undefined, next: string | undefined) => (next ? next.toUpperCase() : (first ?? '').toLowerCase()));
}

/** The join table's options (`@JoinTable({…})`, an entity schema's `joinTable: {…}`): `joinColumn` or `joinColumns`, or the inverse ones. */
export function joinColumnsOf(project: LoadedProject, options: ts.ObjectLiteralExpression | undefined, side: 'joinColumn' | 'inverseJoinColumn'): JoinColumnOptions[] {
  const one = options && valueProperty(options, side);
  const many = options && valueProperty(options, `${side}s`);
  const manyArg = many && unwrap(many);
  const list = one ? [one] : manyArg && ts.isArrayLiteralExpression(manyArg) ? [...manyArg.elements] : [];
  const str = (e: ts.Expression | undefined): string | undefined => (e ? stringValue(e, project.checker) : undefined);
  return list.map((e) => {
    const join = objectLiteralOf(project, e);
    return { name: str(join && valueProperty(join, 'name')), referencedColumnName: str(join && valueProperty(join, 'referencedColumnName')) };
  });
}

/**
 * A key's columns and the columns they reference, as TypeORM 0.3 collects them for a junction side
 * (JunctionEntityMetadataBuilder) and for a many-to-one or one-to-one (RelationJoinColumnBuilder): the referenced
 * properties are those the join columns name by `referencedColumnName`, else every primary property (a composite key:
 * one column each); each column is the `name` of the join column standing for that property (or for none), else
 * `defaultName(property)`.
 */
export function keyColumns(joins: readonly JoinColumnOptions[], target: EntityColumns, defaultName: (property: string) => string): { columns: string[]; referencedColumns: string[] } {
  const named = joins.map((j) => j.referencedColumnName).filter((r): r is string => r !== undefined);
  const referenced = named.length > 0 ? named : target.primaries();
  return {
    columns: referenced.map((p) => joins.find((j) => (!j.referencedColumnName || j.referencedColumnName === p) && j.name)?.name ?? defaultName(p)),
    referencedColumns: referenced.map((p) => target.column(p)),
  };
}

function sideKey(junction: string, side: JunctionSide): JunctionKey {
  const { columns, referencedColumns } = keyColumns(side.joins, side, (p) => camelCase(`${side.table}_${side.column(p)}`));
  return { table: junction, columns, references: side.table, referencedColumns };
}

export function junctionKeys(relation: JunctionRelation): JunctionKey[] {
  const owner = sideKey(relation.junction, relation.owner);
  const target = sideKey(relation.junction, relation.target);
  // a self relation's default names are alike: TypeORM suffixes them
  const alike = new Set(owner.columns.filter((c) => target.columns.includes(c)));
  owner.columns = owner.columns.map((c) => (alike.has(c) ? `${c}_1` : c));
  target.columns = target.columns.map((c) => (alike.has(c) ? `${c}_2` : c));
  const ownerDelete = relation.onDelete ?? 'cascade';
  // TypeORM 0.3 gives the target's key a declared inverse relation's onDelete even when it says none (no action);
  // 1.x falls back to cascade there. Most monoliths run 0.3.
  const targetDelete = relation.inverse ? relation.inverse.onDelete : 'cascade';
  return [
    { ...owner, onDelete: ownerDelete },
    { ...target, ...(targetDelete ? { onDelete: targetDelete } : {}) },
  ];
}
