// The plan file (plan.json): a versioned contract. Everything downstream (reports, proxy config, other tools)
// reads a plan through this one schema. A change to its shape bumps `version` and adds a migration note.
import { z } from 'zod';
import { hasUnprintable } from './quote.ts';

export const PLAN_VERSION = 1;

const name = z.string().min(1);

export const metricSetSchema = z.object({
  sm: z.number(),
  icp: z.number(),
  ifn: z.number(),
  ned: z.number(),
  mq: z.number(),
  modularity: z.number(),
  sharedWriteTables: z.number().int().nonnegative(),
  cycles: z.array(z.array(name)),
  services: z.number().int().nonnegative(),
});

export const referenceScoreSchema = z.object({
  mojofm: z.number().min(0).max(100),
  distance: z.number().int().nonnegative(),
  compared: z.number().int().nonnegative(),
  onlyInProposal: z.array(z.string()),
  onlyInReference: z.array(z.string()),
});

export const planRouteSchema = z.object({
  /** unique across the plan, `<service>.<verbNoun>`, e.g. `catalog.getBook` */
  id: z.string().regex(/^[a-z0-9-]+\.[A-Za-z0-9]+$/),
  method: z.string().min(1),
  /** never with control or bidi characters: the proxy refuses them */
  path: z.string().startsWith('/').refine((path) => !hasUnprintable(path), { error: 'no control or bidi characters in a route path' }),
  /** where the route is registered */
  file: z.string(),
  line: z.number().int(),
  /** `<file>#<function>` of the handler, when resolved */
  handler: z.string().optional(),
});

export const dependencySchema = z.object({
  service: name,
  /** static calls across the boundary (sum of call counts) */
  calls: z.number().int().nonnegative(),
  /** import edges across the boundary */
  imports: z.number().int().nonnegative(),
  /** tables owned by the other side that this side touches */
  tables: z.array(z.string()),
});

export const serviceSchema = z.object({
  name,
  owner: z.string(),
  files: z.array(z.string()),
  routes: z.array(planRouteSchema),
  tables: z.object({ owned: z.array(z.string()), read: z.array(z.string()), written: z.array(z.string()) }),
  dependsOn: z.array(dependencySchema),
  usedBy: z.array(dependencySchema),
  size: z.object({
    files: z.number().int().nonnegative(),
    loc: z.number().int().nonnegative(),
    routes: z.number().int().nonnegative(),
    tables: z.number().int().nonnegative(),
  }),
  wave: z.number().int().positive(),
});

export const sharedTableSchema = z.object({
  table: z.string(),
  writers: z.array(name),
  readers: z.array(name),
  recommendation: z.object({
    /** the service that should own the table */
    owner: name,
    /** services that must go through the owner's API instead of the table */
    viaApi: z.array(name),
    reason: z.string(),
  }),
});

/** A foreign key between tables two different services own: the database cannot enforce it once they are apart. */
export const crossServiceForeignKeySchema = z.object({
  /** the table holding the key, and the service that owns it */
  table: z.string(),
  owner: name,
  columns: z.array(z.string()),
  /** the table pointed at, and the service that owns it */
  references: z.string(),
  referencedOwner: name,
  referencedColumns: z.array(z.string()),
  /** what deleting a referenced row does (cascade, set null, restrict…), when declared */
  onDelete: z.string().optional(),
  /** where the key is declared */
  file: z.string(),
  line: z.number().int().positive(),
  /** what to do about it */
  advice: z.string(),
});

export const crossServiceCallSchema = z.object({
  from: name,
  to: name,
  /** caller function id `<file>#<name>` */
  caller: z.string(),
  /** callee function id `<file>#<name>` — becomes a network call once both sides are extracted */
  callee: z.string(),
  count: z.number().int().positive(),
});

export const waveSchema = z.object({
  wave: z.number().int().positive(),
  services: z.array(name),
  reason: z.string(),
});

export const warningSchema = z.object({
  kind: z.enum(['cycle', 'god-module', 'unresolved-route', 'unresolved-calls', 'kernel-route', 'services', 'extractor', 'reference']),
  message: z.string(),
  file: z.string().optional(),
});

/**
 * Database migration and seed files (facts.migrations), set aside from the services: schema history, not service
 * code. They are read for the tables and keys they declare, and count in no service, kernel, table owner or metric.
 */
export const migrationsSchema = z.object({
  /** the migrations and seeds folders (`db/migrations`) with how many of the files each holds, most first */
  folders: z.array(z.object({ folder: z.string(), files: z.number().int().positive() })),
  files: z.array(z.string()),
});

export const planSchema = z.object({
  version: z.literal(PLAN_VERSION),
  tool: z.literal('strangler'),
  root: z.string(),
  options: z.object({
    seed: z.number().int(),
    resolution: z.number().positive(),
    services: z.number().int().positive().optional(),
    minServiceFiles: z.number().int().nonnegative(),
    kernelMinServices: z.number().int().nonnegative(),
    weights: z.record(z.string(), z.number()),
    pins: z.array(z.object({ pattern: z.string(), service: name })),
  }),
  summary: z.object({
    files: z.number().int().nonnegative(),
    loc: z.number().int().nonnegative(),
    routes: z.number().int().nonnegative(),
    tables: z.number().int().nonnegative(),
    services: z.number().int().nonnegative(),
    kernelFiles: z.number().int().nonnegative(),
    unresolvedRoutes: z.number().int().nonnegative(),
    unresolvedCalls: z.number().int().nonnegative(),
  }),
  metrics: z.object({
    proposed: metricSetSchema,
    /** the same cut without pins, present when pins were given */
    unpinned: metricSetSchema.optional(),
    reference: referenceScoreSchema.optional(),
    unpinnedReference: referenceScoreSchema.optional(),
  }),
  services: z.array(serviceSchema),
  kernel: z.object({
    files: z.array(z.object({ file: z.string(), reason: z.string() })),
    /** routes whose handler lives in the shared kernel: they stay on the monolith */
    routes: z.array(planRouteSchema.omit({ id: true })),
  }),
  sharedTables: z.array(sharedTableSchema),
  /** added within version 1: a plan written before it reads as none */
  crossServiceForeignKeys: z.array(crossServiceForeignKeySchema).default([]),
  crossServiceCalls: z.array(crossServiceCallSchema),
  /** added within version 1: a plan written before it reads as none */
  migrations: migrationsSchema.default({ folders: [], files: [] }),
  waves: z.array(waveSchema),
  warnings: z.array(warningSchema),
});

export type Plan = z.infer<typeof planSchema>;
export type PlanService = z.infer<typeof serviceSchema>;
export type PlanRoute = z.infer<typeof planRouteSchema>;
export type PlanWarning = z.infer<typeof warningSchema>;
export type MetricSetJson = z.infer<typeof metricSetSchema>;
export type ReferenceScore = z.infer<typeof referenceScoreSchema>;
export type SharedTable = z.infer<typeof sharedTableSchema>;
export type CrossServiceForeignKey = z.infer<typeof crossServiceForeignKeySchema>;
export type Wave = z.infer<typeof waveSchema>;
export type Dependency = z.infer<typeof dependencySchema>;
