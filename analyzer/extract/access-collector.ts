// Where the table extractors (SQL, knex, Sequelize, TypeORM, Prisma, Mongoose, the MongoDB driver, Drizzle, Redis, the HTTP session) put what they find
// (accesses, declared tables, foreign keys), deduplicated.
import { ts } from 'ts-morph';
import { enclosingFunctionName, lineOf } from './functions.ts';
import type { LoadedFile } from './project.ts';
import type { ForeignKey, SchemaTable, TableAccess } from './types.ts';

export class AccessCollector {
  readonly accesses: TableAccess[] = [];
  readonly schema: SchemaTable[] = [];
  readonly foreignKeys: ForeignKey[] = [];
  private readonly seen = new Set<string>();

  access(file: LoadedFile, node: ts.Node, table: string, access: TableAccess['access'], via: TableAccess['via']): void {
    const fn = enclosingFunctionName(node, file.source);
    const line = lineOf(node, file.source);
    const key = `${file.rel}\0${fn}\0${table}\0${access}\0${line}\0${via}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.accesses.push({ file: file.rel, function: fn, table, access, line, via });
  }

  declare(entry: SchemaTable): void {
    const key = `S\0${entry.file}\0${entry.table}\0${entry.line}\0${entry.via}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.schema.push(entry);
  }

  /** A key declared twice alike in one file (a migration repeating the DDL) is kept once. */
  foreignKey(key: ForeignKey): void {
    const id = `F\0${key.file}\0${key.table}\0${key.columns.join(',')}\0${key.references}\0${key.referencedColumns.join(',')}\0${key.onDelete ?? ''}\0${key.via}`;
    if (this.seen.has(id)) return;
    this.seen.add(id);
    this.foreignKeys.push(key);
  }
}

/** `a.b.c(...)`: the method name of a call, when it is a method call. */
export function methodName(call: ts.CallExpression): string | undefined {
  return ts.isPropertyAccessExpression(call.expression) ? call.expression.name.text : undefined;
}
