// Prisma: models from schema.prisma (table = @@map("…") or the model name) and the code that uses
// them through the client: prisma.book.findMany(), tx.book.update(), this.prisma.book.count(). What a
// call does through relation fields (nested writes, include, relation filters) is read by prisma-relations.ts.
import { readFileSync } from 'node:fs';
import { ts } from 'ts-morph';
import type { AccessCollector } from './access-collector.ts';
import { scanFluentRelation, scanPrismaArgs } from './prisma-relations.ts';
import { parsePrismaSchemas, type PrismaModel, type PrismaSchemaFile } from './prisma-schema.ts';
import type { LoadedFile, LoadedProject } from './project.ts';
import type { Warning } from './types.ts';

const READ = new Set(['findMany', 'findUnique', 'findFirst', 'findUniqueOrThrow', 'findFirstOrThrow', 'count', 'aggregate', 'groupBy']);
const WRITE = new Set(['create', 'createMany', 'createManyAndReturn', 'update', 'updateMany', 'updateManyAndReturn', 'upsert', 'delete', 'deleteMany']);
/** `prisma.user.findUnique(…).posts().comments()` */
const MAX_FLUENT = 4;

/** client accessor (lowerCamel model name) → model */
export type PrismaModels = Map<string, PrismaModel>;

export function loadPrismaModels(project: LoadedProject, out: AccessCollector, warnings: Warning[]): PrismaModels {
  const files: PrismaSchemaFile[] = [];
  for (const schema of project.prismaSchemas) {
    try {
      files.push({ rel: schema.rel, text: readFileSync(schema.abs, 'utf8') });
    } catch (err) {
      warnings.push({ file: schema.rel, message: `cannot read ${schema.rel}: ${(err as Error).message}` });
    }
  }
  const { models, joins, foreignKeys } = parsePrismaSchemas(files);
  const byAccessor: PrismaModels = new Map();
  for (const model of models) {
    byAccessor.set(model.name[0].toLowerCase() + model.name.slice(1), model);
    out.declare({ table: model.table, file: model.file, line: model.line, via: 'prisma', model: model.name });
  }
  for (const join of joins) out.declare({ table: join.table, file: join.file, line: join.line, via: 'prisma' });
  for (const key of foreignKeys) out.foreignKey({ ...key, via: 'prisma' });
  return byAccessor;
}

export function scanPrisma(project: LoadedProject, file: LoadedFile, models: PrismaModels, out: AccessCollector): void {
  if (models.size === 0) return;
  /** the model whose rows a call returns: `prisma.user.findUnique(…)`, then `.posts()` */
  const rowsOf = (call: ts.CallExpression, depth: number): PrismaModel | undefined => {
    if (!ts.isPropertyAccessExpression(call.expression) || depth > MAX_FLUENT) return undefined;
    const method = call.expression.name.text;
    const receiver = call.expression.expression;
    if (READ.has(method) || WRITE.has(method)) return ts.isPropertyAccessExpression(receiver) ? models.get(receiver.name.text) : undefined;
    return ts.isCallExpression(receiver) ? rowsOf(receiver, depth + 1)?.relations.get(method)?.target : undefined;
  };
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
      const method = node.expression.name.text;
      const receiver = node.expression.expression;
      const access = READ.has(method) ? 'read' : WRITE.has(method) ? 'write' : undefined;
      const model = access && ts.isPropertyAccessExpression(receiver) ? models.get(receiver.name.text) : undefined;
      if (access && model) {
        out.access(file, node, model.table, access, 'prisma');
        scanPrismaArgs(project, file, node, model, method, out);
      } else if (!access && ts.isCallExpression(receiver)) {
        const relation = rowsOf(receiver, 0)?.relations.get(method);
        if (relation) scanFluentRelation(project, file, node, relation, out);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file.source);
}
