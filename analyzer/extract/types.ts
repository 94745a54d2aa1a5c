// The facts the analyzer extracts from a codebase: plain, JSON-serialisable data.
// This is the contract between analyzer/extract/ and everything after it (graph, decompose, plan).
// All file paths are POSIX paths relative to the analyzed root (e.g. "catalog/routes.ts").

export interface FileFact {
  path: string;
  /** lines of code (non-blank lines) */
  loc: number;
  /** bytes on disk */
  size: number;
  language: 'ts' | 'tsx' | 'mts' | 'cts' | 'js' | 'mjs' | 'cjs';
  /** external packages imported by this file (bare specifiers, package name only) */
  externals: string[];
}

export type ImportKind = 'static' | 're-export' | 'dynamic' | 'require';

export interface ImportEdge {
  from: string;
  to: string;
  kind: ImportKind;
  typeOnly: boolean;
  /** the specifier as written in the source */
  specifier: string;
  line: number;
}

export interface CallEdge {
  /** caller function id: "<file>#<name>" (name "<module>" for top-level code) */
  from: string;
  /** callee function id: "<file>#<name>" */
  to: string;
  fromFile: string;
  toFile: string;
  count: number;
}

export interface FileCallCount {
  from: string;
  to: string;
  count: number;
}

export interface CallFacts {
  /** function-level edges across files */
  edges: CallEdge[];
  /** the same, aggregated to file → file */
  fileEdges: FileCallCount[];
  /** calls whose target could not be resolved to a declaration in the project */
  unresolved: number;
  /** calls resolved to a declaration in the project (including same-file calls) */
  resolved: number;
  /** calls resolved to something outside the project (an npm package, the JS/Node runtime) */
  external?: number;
}

export interface HandlerRef {
  kind: 'inline' | 'named' | 'factory' | 'unresolved';
  /** file of the handler's declaration */
  file?: string;
  /**
   * the name part of the handler's function id, the same id calls and tables use ("<file>#<name>"):
   * "listBooks", "bookHandlers.top", "BookController.get", the factory's name for kind "factory", or
   * "<anonymous@LINE>" for a top-level inline function (an inline function nested in a named one
   * takes that one's name); for kind "unresolved", the expression as written
   */
  name?: string;
  line?: number;
}

export interface RouteFact {
  method: string; // GET, POST, PUT, PATCH, DELETE, ALL, ...
  /** full path after following mounts, e.g. "/api/books/:id" */
  path: string;
  /** where the route is registered */
  file: string;
  line: number;
  /** names of middleware before the handler (e.g. ["requireAuth"]) */
  middleware: string[];
  handler: HandlerRef;
}

export interface UnresolvedRoute {
  file: string;
  line: number;
  method: string;
  /** the source text of the non-literal path expression */
  expression: string;
  reason: string;
}

export interface TableAccess {
  file: string;
  /** enclosing function name, "<module>" for top-level */
  function: string;
  table: string;
  access: 'read' | 'write';
  line: number;
  /**
   * how it was found; for `redis`, `table` is `redis:<key prefix>` (`redis:session:`); for `session`, a handler
   * read or wrote `req.session` and `table` is the session store's resource (`redis:sess:`, `sessions`,
   * `session:memory`, `session:store`); for `passport`, a handler read passport's `req.user`, which
   * `passport.session()` loads on every request through the app's `deserializeUser()` function, and `table` is
   * one that function (or what it calls) reads or writes
   */
  via: 'sql' | 'knex' | 'sequelize' | 'typeorm' | 'bookshelf' | 'prisma' | 'mongoose' | 'mongodb' | 'drizzle' | 'redis' | 'session' | 'passport';
}

/**
 * A table declared by schema code (CREATE TABLE, an ORM model, a Prisma model, a Drizzle table, a
 * Mongoose model's collection, a MongoDB `createCollection()`): not a data access.
 */
export interface SchemaTable {
  table: string;
  file: string;
  line: number;
  via: 'sql' | 'sequelize' | 'typeorm' | 'bookshelf' | 'prisma' | 'mongoose' | 'mongodb' | 'drizzle';
  /** ORM model / entity name (a Drizzle table's const), when declared through an ORM */
  model?: string;
}

/**
 * A foreign key declared in the schema (DDL, a migration, an ORM model): rows of `table` point at rows of
 * `references`. Once the two tables belong to different services the database can no longer enforce it, and a
 * cascade makes a delete in one service's table write the other's.
 */
export interface ForeignKey {
  /** the table holding the key */
  table: string;
  /** its columns, in order; empty when the declaration does not name them */
  columns: string[];
  /** the table pointed at */
  references: string;
  /** the columns pointed at; empty when not named (the primary key) */
  referencedColumns: string[];
  /** what deleting a referenced row does, in SQL's words, lower case ('cascade', 'set null', 'restrict', 'no action', 'set default'); absent when not said */
  onDelete?: string;
  file: string;
  line: number;
  via: 'sql' | 'knex' | 'sequelize' | 'typeorm' | 'prisma' | 'drizzle';
}

/**
 * A database migration or seed among the source files: in a `migrations/`, `migration/`, `seeds/` or `seeders/` folder
 * and shaped like one (`migrations.ts`). Schema history, not service code: it stays in `files`, its table accesses and
 * keys are read like any file's, and the plan sets it aside from the services.
 */
export interface MigrationFile {
  file: string;
  kind: 'migration' | 'seed';
  /**
   * what marks it besides its folder: it exports `up` or `seed` (`exports`), a class with `up` extending or
   * implementing a migration base (`class`), a versioned name, `20240101_init.js` (`name`), or only migrations
   * import it (`helper`), it is in a seeds, seeders or fixtures folder that only migrations and seeds load (seeds and
   * seeders: also scripts nothing imports; `script`), or the user said so (`option`: `ExtractOptions.migrations`, `--migration`)
   */
  by: 'exports' | 'class' | 'name' | 'helper' | 'script' | 'option';
  /** the migrations or seeds folder it is in (`db/migrations`) */
  folder: string;
}

export interface Warning {
  file?: string;
  message: string;
}

export interface Facts {
  version: 1;
  root: string;
  files: FileFact[];
  imports: ImportEdge[];
  calls: CallFacts;
  routes: RouteFact[];
  unresolvedRoutes: UnresolvedRoute[];
  tables: TableAccess[];
  /** tables declared (DDL, ORM models); accesses are in `tables` */
  schema?: SchemaTable[];
  /** foreign keys declared between tables (sorted by table, columns, references) */
  foreignKeys?: ForeignKey[];
  /** database migrations and seeds among `files` (sorted by file): read like any file, set aside from the services */
  migrations?: MigrationFile[];
  warnings: Warning[];
}

export interface ExtractOptions {
  includeTests?: boolean;
  /** files larger than this are skipped with a warning (default 1 MB) */
  maxFileBytes?: number;
  /** also read JavaScript files that look minified or bundled (project.ts `looksMinified`; default false: skipped, one warning) */
  includeMinified?: boolean;
  /**
   * globs (root-relative; a folder covers what is under it) of files that are database migrations or seeds whatever
   * the hints of migrations.ts say: set aside from the services. A glob matching no file is a warning.
   */
  migrations?: readonly string[];
  /** globs of files that are not migrations or seeds whatever the hints say: they stay in the graph; they win over `migrations` */
  notMigrations?: readonly string[];
  /**
   * also parse the type declarations of installed packages (node_modules), so that calls into them
   * resolve through their types; slower on big dependency trees (default false)
   */
  packageTypes?: boolean;
  /** called as files are read ("read") and then analysed ("analyze"), for progress display */
  onProgress?: (done: number, total: number, phase?: 'read' | 'analyze') => void;
}
