// Data access facts: which code reads and writes which table — SQL in literals, knex builders,
// Sequelize/TypeORM/Bookshelf models and TypeORM query builders, Prisma client calls, Mongoose models and the
// MongoDB driver (collections count as tables), Drizzle tables, Redis key prefixes (`redis:session:`) and the
// HTTP session's store (`req.session` in handlers, and through passport's `req.user` the tables its
// deserializer reads) — plus the tables that schema code and `.sql` files declare and the foreign keys between them.
import { AccessCollector } from './access-collector.ts';
import { bookshelfValues } from './bookshelf-instances.ts';
import { collectBookshelfModels } from './bookshelf-models.ts';
import { scanBookshelf } from './bookshelf-usage.ts';
import { callSites, classUses } from './call-sites.ts';
import { recordDrizzleForeignKeys } from './drizzle-foreign-keys.ts';
import { collectDrizzleTables } from './drizzle-tables.ts';
import { scanDrizzle } from './drizzle-usage.ts';
import { guarded } from './guard.ts';
import { membersRun } from './instance-uses.ts';
import { scanKnex } from './knex.ts';
import { collectMongoDriver, scanMongoDriver } from './mongodb-driver.ts';
import { collectMongooseModels } from './mongoose-models.ts';
import { scanMongoose } from './mongoose-usage.ts';
import { collectOrmModels } from './orm-models.ts';
import { collectRepositories, scanOrmUsage } from './orm-usage.ts';
import { recordPassportReads } from './passport.ts';
import { recordSequelizeForeignKeys } from './sequelize-foreign-keys.ts';
import { loadPrismaModels, scanPrisma } from './prisma.ts';
import type { LoadedProject } from './project.ts';
import { collectRedis, scanRedis } from './redis.ts';
import { collectSession, scanSession } from './session.ts';
import { attributeSqlConstants, type SqlConstant } from './sql-constants.ts';
import { loadSqlFiles } from './sql-files.ts';
import { scanSqlLiterals } from './sql-literals.ts';
import { scanQueryBuilders } from './typeorm-query-builder.ts';
import { recordEntitySchemaForeignKeys } from './typeorm-entity-schemas.ts';
import { recordTypeormForeignKeys } from './typeorm-foreign-keys.ts';
import { entityRelations } from './typeorm-relations.ts';
import type { ForeignKey, RouteFact, SchemaTable, TableAccess, Warning } from './types.ts';

export interface TableResult {
  accesses: TableAccess[];
  schema: SchemaTable[];
  foreignKeys: ForeignKey[];
  warnings: Warning[];
}

/** `routes`: the routes already extracted, whose handlers' requests carry the session. */
export function extractTables(project: LoadedProject, routes: readonly RouteFact[] = []): TableResult {
  const out = new AccessCollector();
  const warnings: Warning[] = [];
  loadSqlFiles(project, out, warnings);
  const prisma = loadPrismaModels(project, out, warnings);
  const models = collectOrmModels(project, out, warnings);
  const repos = collectRepositories(project, models, warnings);
  const relations = [...models.byName.values()].some((m) => m.via === 'typeorm') ? entityRelations(project, models) : undefined;
  if (relations) recordTypeormForeignKeys(project, models, relations, out, warnings);
  recordEntitySchemaForeignKeys(project, models, out, warnings);
  recordSequelizeForeignKeys(project, models, out, warnings);
  const bookshelf = collectBookshelfModels(project, out, warnings);
  const mongoose = collectMongooseModels(project, out, warnings);
  const drizzle = collectDrizzleTables(project, out, warnings);
  if (drizzle.byKey.size > 0) recordDrizzleForeignKeys(project, drizzle, out, warnings);
  const mongodb = collectMongoDriver(project, warnings);
  const redis = collectRedis(project, warnings);
  const session = collectSession(project, routes, warnings);
  const constants: SqlConstant[] = [];
  const callers = callSites(project);
  const classes = classUses(project);
  const run = membersRun(project);
  const bookshelfValuesOf = bookshelfValues(project, bookshelf, callers, classes);
  for (const file of project.files) {
    guarded(file, warnings, 'tables', () => {
      scanSqlLiterals(project, file, out, constants);
      scanKnex(project, file, out, callers, { classes, membersRun: run }, mongodb && ((receiver) => mongodb.values.valueOf(receiver)?.kind === 'client'));
      scanOrmUsage(project, file, models, repos, out);
      scanBookshelf(file, bookshelf, bookshelfValuesOf, project.checker, out);
      if (relations) scanQueryBuilders(project, file, models, repos, relations, out);
      scanPrisma(project, file, prisma, out);
      scanMongoose(project, file, mongoose, out);
      scanMongoDriver(project, file, mongodb, out, warnings);
      scanDrizzle(project, file, drizzle, out);
      scanRedis(project, file, redis, out, warnings);
      scanSession(project, file, session, out);
    });
  }
  attributeSqlConstants(project, constants, out, warnings);
  // what passport's deserializer reads, read wherever a handler reads `req.user`: known once every file is
  if (session?.passport) recordPassportReads(project, session.passport, out);
  const accesses = out.accesses.sort((a, b) => cmp(a.file, b.file) || a.line - b.line || cmp(a.table, b.table) || cmp(a.access, b.access));
  const schema = out.schema.sort((a, b) => cmp(a.table, b.table) || cmp(a.file, b.file) || a.line - b.line);
  const foreignKeys = out.foreignKeys.sort(
    (a, b) => cmp(a.table, b.table) || cmp(a.columns.join(','), b.columns.join(',')) || cmp(a.references, b.references) || cmp(a.file, b.file) || a.line - b.line,
  );
  return { accesses, schema, foreignKeys, warnings };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
