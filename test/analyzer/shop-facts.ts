// Hand-written facts of a small shop: four modules (catalog, orders, inventory, customers), a db singleton and a
// utils grab-bag used by all of them, an app.ts that mounts every router, and orders reading other modules' tables.
import type { Facts, ImportEdge, RouteFact, TableAccess } from '../../analyzer/extract/types.ts';

const modules = {
  catalog: { tables: ['books', 'authors'], routes: ['GET /api/books', 'GET /api/books/:id', 'POST /api/books', 'GET /api/authors'] },
  orders: { tables: ['orders', 'order_items'], routes: ['GET /api/orders', 'POST /api/orders', 'POST /api/orders/:id/cancel'] },
  inventory: { tables: ['stock'], routes: ['GET /api/stock/:bookId', 'PUT /api/stock/:bookId'] },
  customers: { tables: ['customers', 'addresses'], routes: ['GET /api/customers/:id', 'POST /api/customers'] },
};

export function shopFacts(): Facts {
  const files: string[] = ['app.ts', 'db.ts', 'utils.ts'];
  const imports: ImportEdge[] = [];
  const fileEdges: Facts['calls']['fileEdges'] = [];
  const edges: Facts['calls']['edges'] = [];
  const routes: RouteFact[] = [];
  const tables: TableAccess[] = [];
  const imp = (from: string, to: string): void => {
    imports.push({ from, to, kind: 'static', typeOnly: false, specifier: `./${to}`, line: 1 });
  };
  const call = (from: string, to: string, count: number, fn = 'run'): void => {
    fileEdges.push({ from, to, count });
    edges.push({ from: `${from}#handler`, to: `${to}#${fn}`, fromFile: from, toFile: to, count });
  };
  for (const [name, m] of Object.entries(modules)) {
    const logic = `${name}/${name}.ts`;
    const router = `${name}/routes.ts`;
    const repo = `${name}/repo.ts`;
    files.push(logic, router, repo);
    imp(router, logic);
    imp(logic, repo);
    imp(repo, 'db.ts');
    imp(logic, 'utils.ts');
    imp(router, 'utils.ts');
    imp('app.ts', router);
    call(router, logic, 6);
    call(logic, repo, 8);
    call(repo, 'db.ts', 4, 'db');
    call(logic, 'utils.ts', 2, 'parseId');
    m.routes.forEach((r, i) => {
      const [method, path] = r.split(' ');
      routes.push({ method, path, file: router, line: 10 + i, middleware: [], handler: { kind: 'inline', file: router, name: `<anonymous@${10 + i}>`, line: 10 + i } });
    });
    for (const t of m.tables) {
      tables.push({ file: repo, function: 'save', table: t, access: 'write', line: 5, via: 'sql' });
      tables.push({ file: repo, function: 'find', table: t, access: 'read', line: 9, via: 'sql' });
    }
  }
  // orders checks stock and prices directly: reads other modules' tables and calls their code
  tables.push({ file: 'orders/repo.ts', function: 'checkout', table: 'books', access: 'read', line: 20, via: 'sql' });
  tables.push({ file: 'orders/repo.ts', function: 'checkout', table: 'stock', access: 'write', line: 21, via: 'sql' });
  imp('orders/orders.ts', 'inventory/inventory.ts');
  call('orders/orders.ts', 'inventory/inventory.ts', 3, 'reserve');
  imp('orders/orders.ts', 'customers/customers.ts');
  call('orders/orders.ts', 'customers/customers.ts', 1, 'find');
  imp('db.ts', 'utils.ts');
  return {
    version: 1,
    root: '/work/shop',
    files: files.sort().map((path) => ({ path, loc: 40, size: 1200, language: 'ts' as const, externals: [] })),
    imports,
    calls: { edges, fileEdges, unresolved: 3, resolved: 60 },
    routes,
    unresolvedRoutes: [{ file: 'app.ts', line: 30, method: 'GET', expression: 'prefix + "/x"', reason: 'path is not a literal' }],
    tables,
    warnings: [],
  };
}

/** The intended cut of the shop: each module folder is a service, db/utils/app are the shared kernel. */
export function shopReference(): Record<string, string> {
  const out: Record<string, string> = { 'app.ts': 'shared', 'db.ts': 'shared', 'utils.ts': 'shared' };
  for (const name of Object.keys(modules)) for (const f of ['routes', name, 'repo']) out[`${name}/${f}.ts`] = name;
  return out;
}
