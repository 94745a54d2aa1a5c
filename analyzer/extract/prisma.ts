// Prisma: models from schema.prisma (table = @@map("…") or the model name) and the code that uses
// them through the client: prisma.book.findMany(), tx.book.update(), this.prisma.book.count().
import { readFileSync } from 'node:fs';
import { ts } from 'ts-morph';
import { methodName, type AccessCollector } from './access-collector.ts';
import type { LoadedFile, LoadedProject } from './project.ts';
import type { Warning } from './types.ts';

const READ = new Set(['findMany', 'findUnique', 'findFirst', 'findUniqueOrThrow', 'findFirstOrThrow', 'count', 'aggregate', 'groupBy']);
const WRITE = new Set(['create', 'createMany', 'createManyAndReturn', 'update', 'updateMany', 'updateManyAndReturn', 'upsert', 'delete', 'deleteMany']);

/** client accessor (lowerCamel model name) → table */
export type PrismaModels = Map<string, string>;

export function loadPrismaModels(project: LoadedProject, out: AccessCollector, warnings: Warning[]): PrismaModels {
  const models: PrismaModels = new Map();
  for (const schema of project.prismaSchemas) {
    let text: string;
    try {
      text = readFileSync(schema.abs, 'utf8');
    } catch (err) {
      warnings.push({ file: schema.rel, message: `cannot read ${schema.rel}: ${(err as Error).message}` });
      continue;
    }
    const model = /^\s*model\s+(\w+)\s*\{([\s\S]*?)^\s*\}/gm;
    for (let m = model.exec(text); m; m = model.exec(text)) {
      const name = m[1];
      const map = /@@map\(\s*(?:name\s*:\s*)?"([^"]+)"/.exec(m[2]);
      const table = map ? map[1] : name;
      models.set(name[0].toLowerCase() + name.slice(1), table);
      const line = text.slice(0, m.index + m[0].indexOf('model')).split('\n').length;
      out.declare({ table, file: schema.rel, line, via: 'prisma', model: name });
    }
  }
  return models;
}

export function scanPrisma(file: LoadedFile, models: PrismaModels, out: AccessCollector): void {
  if (models.size === 0) return;
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node)) {
      const method = methodName(node);
      const access = method === undefined ? undefined : READ.has(method) ? 'read' : WRITE.has(method) ? 'write' : undefined;
      const accessor = access && (node.expression as ts.PropertyAccessExpression).expression;
      if (access && accessor && ts.isPropertyAccessExpression(accessor)) {
        const table = models.get(accessor.name.text);
        if (table) out.access(file, node, table, access, 'prisma');
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file.source);
}
