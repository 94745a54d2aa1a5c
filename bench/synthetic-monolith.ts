// Generates a synthetic Express monolith for the analyzer bench: `modules` feature folders, each with
// a router (routes calling services), services (functions running SQL on the module's own tables and,
// now and then, on another module's), calls and imports into other modules, and an index re-exporting
// the services; app.ts mounts every router, db.ts is the shared connection. Deterministic for a size.
//   tsx bench/synthetic-monolith.ts --files 1000 [--out bench/generated/synthetic-1000]
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { mulberry32 } from '../common/random.ts';

export const FILES_PER_MODULE = 10;
const SERVICES_PER_MODULE = FILES_PER_MODULE - 2; // + routes.ts + index.ts
const FUNCTIONS_PER_SERVICE = 10;
const ROUTES_PER_MODULE = 8;

export interface GeneratedTree {
  root: string;
  files: number;
  modules: number;
  routes: number;
}

const mod = (m: number) => `m${String(m).padStart(3, '0')}`;

function serviceFile(m: number, s: number, modules: number, rand: () => number): string {
  const lines: string[] = [`import { db } from '../db';`];
  // imports from two other modules' services (and sometimes a sibling), so there are cycles and fan-in
  const deps: { module: number; service: number }[] = [];
  for (let k = 0; k < 2; k++) deps.push({ module: Math.floor(rand() * modules), service: 1 + Math.floor(rand() * SERVICES_PER_MODULE) });
  if (s > 1) deps.push({ module: m, service: s - 1 });
  const seen = new Set<string>();
  deps.forEach((d, i) => {
    const spec = d.module === m ? `./svc${d.service}` : `../${mod(d.module)}/svc${d.service}`;
    if (d.module === m && d.service === s) return;
    if (seen.has(spec)) return;
    seen.add(spec);
    lines.push(`import { ${mod(d.module)}s${d.service}f1 as dep${i} } from '${spec}';`);
  });
  const depNames = [...seen].map((_, i) => `dep${i}`);
  const own = `${mod(m)}_t${s}`;
  const other = `${mod(Math.floor(rand() * modules))}_t${1 + Math.floor(rand() * SERVICES_PER_MODULE)}`;
  lines.push('', `export interface ${mod(m).toUpperCase()}S${s}Row { id: number; name: string; qty: number }`, '');
  for (let f = 1; f <= FUNCTIONS_PER_SERVICE; f++) {
    const name = `${mod(m)}s${s}f${f}`;
    const body: string[] = [];
    switch (f % 3) {
      case 0:
        body.push(`  db.prepare('UPDATE ${own} SET qty = qty - 1 WHERE id = ?').run(id);`);
        break;
      case 1:
        body.push(`  const rows = db.prepare(\`SELECT t.id, t.name, o.qty FROM ${own} t JOIN ${other} o ON o.id = t.id WHERE t.id > \${id}\`).all() as ${mod(m).toUpperCase()}S${s}Row[];`);
        body.push('  if (rows.length > 1000) return rows.length;');
        break;
      default:
        body.push(`  db.prepare('INSERT INTO ${own} (name, qty) VALUES (?, ?)').run('x' + id, id);`);
    }
    if (f > 1) body.push(`  ${mod(m)}s${s}f${f - 1}(id + 1);`);
    if (depNames.length > 0 && f % 2 === 0) body.push(`  ${depNames[f % depNames.length]}(id);`);
    lines.push(`export function ${name}(id: number): number {`, ...body, '  return id * 2;', '}', '');
  }
  return lines.join('\n');
}

function routesFile(m: number, rand: () => number): string {
  const lines = [`import { Router } from 'express';`];
  const imported = new Set<number>();
  const routes: string[] = [];
  for (let r = 0; r < ROUTES_PER_MODULE; r++) {
    const s = 1 + Math.floor(rand() * SERVICES_PER_MODULE);
    const f = 1 + Math.floor(rand() * FUNCTIONS_PER_SERVICE);
    imported.add(s);
    const verb = ['get', 'get', 'post', 'put', 'delete'][r % 5];
    const p = r % 2 === 0 ? `/r${r}` : `/r${r}/:id`;
    routes.push(`router.${verb}('${p}', (req, res) => {`, `  res.json({ value: svc${s}.${mod(m)}s${s}f${f}(Number(req.params.id ?? 1)) });`, '});');
  }
  for (const s of [...imported].sort((a, b) => a - b)) lines.push(`import * as svc${s} from './svc${s}';`);
  lines.push('', 'export const router = Router();', '', ...routes, '');
  return lines.join('\n');
}

export function generate(files: number, root: string): GeneratedTree {
  const modules = Math.max(1, Math.round((files - 2) / FILES_PER_MODULE));
  const rand = mulberry32(files); // the same size gives the same tree
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  writeFileSync(path.join(root, 'db.ts'), "import Database from 'better-sqlite3';\nexport const db = new Database(':memory:');\n");
  const app = [`import express from 'express';`];
  for (let m = 0; m < modules; m++) {
    const dir = path.join(root, mod(m));
    mkdirSync(dir);
    for (let s = 1; s <= SERVICES_PER_MODULE; s++) writeFileSync(path.join(dir, `svc${s}.ts`), serviceFile(m, s, modules, rand));
    writeFileSync(path.join(dir, 'routes.ts'), routesFile(m, rand));
    writeFileSync(path.join(dir, 'index.ts'), Array.from({ length: SERVICES_PER_MODULE }, (_, i) => `export * from './svc${i + 1}';`).join('\n') + "\nexport { router } from './routes';\n");
    app.push(`import { router as ${mod(m)}Router } from './${mod(m)}';`);
  }
  app.push('', 'export const app = express();', 'app.use(express.json());');
  for (let m = 0; m < modules; m++) app.push(`app.use('/${mod(m)}', ${mod(m)}Router);`);
  writeFileSync(path.join(root, 'app.ts'), app.join('\n') + '\n');
  return { root, files: 2 + modules * FILES_PER_MODULE, modules, routes: modules * ROUTES_PER_MODULE };
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? process.argv[i + 1] : undefined;
  };
  const files = Number(arg('files') ?? 1000);
  const here = path.dirname(fileURLToPath(import.meta.url));
  const tree = generate(files, path.resolve(arg('out') ?? path.join(here, 'generated', `synthetic-${files}`)));
  process.stdout.write(`${JSON.stringify(tree)}\n`);
}
