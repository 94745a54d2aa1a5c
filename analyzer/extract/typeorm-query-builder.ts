// Which tables a TypeORM query builder reads and writes. A query starts at `createQueryBuilder` on a
// repository (`repo.createQueryBuilder('b')`, active record `Book.createQueryBuilder()`, `this` in a
// custom repository) — its entity — or on a data source / entity manager (`ds.createQueryBuilder(Book,
// 'b')`, `ds.createQueryBuilder()`), or at `qb.subQuery()`; its methods are read along the chain and
// through a variable that holds it (`const qb = …; qb.leftJoin(…)`). Selects read the main entity,
// `from(E)` and the joins (`leftJoin('b.author', 'a')`: the relation's entity, resolved on the entity
// class, and a many-to-many's junction table); `insert().into(E)`, `update(E)`, `delete().from(E)`,
// `softDelete()`, `restore()` write (the main entity when none is named); `relation(E, 'prop').of(x)`
// writes the relation's table on add/remove/set. Each access is attributed to the function whose code
// names the table, on the line of the method that names it.
import { ts } from 'ts-morph';
import type { AccessCollector } from './access-collector.ts';
import { isFunctionLike } from './functions.ts';
import type { OrmModel, OrmModels } from './orm-models.ts';
import { modelOf, repositoryTarget } from './orm-usage.ts';
import { calleeName } from './orm-values.ts';
import { packageOf } from './package-values.ts';
import type { LoadedFile, LoadedProject } from './project.ts';
import { stringValue } from './string-value.ts';
import type { EntityRelations, Relation } from './typeorm-relations.ts';
import { unwrap, valueKey } from './value-key.ts';

const STARTS = new Set(['createQueryBuilder', 'subQuery']);
const JOIN = /^(?:inner|left)Join(?:AndSelect|AndMapOne|AndMapMany)?$/;
const WRITES = new Set(['insert', 'update', 'delete', 'softDelete', 'restore']);
const RELATION_WRITES = new Set(['add', 'remove', 'addAndRemove', 'set']);
const RELATION_READS = new Set(['loadMany', 'loadOne']);
const REPOSITORY_CLASSES = /^(?:Repository|TreeRepository|MongoRepository)$/;
const MAX_HOPS = 3;

interface Step {
  method: string;
  call: ts.CallExpression;
  /** the method's name: accesses are reported on its line */
  at: ts.Identifier;
}

function mentionsQueryBuilder(file: LoadedFile): boolean {
  return file.source.text.includes('createQueryBuilder') || file.source.text.includes('subQuery');
}

export function scanQueryBuilders(project: LoadedProject, file: LoadedFile, models: OrmModels, repos: Map<ts.Node, OrmModel>, relations: EntityRelations, out: AccessCollector): void {
  if (!mentionsQueryBuilder(file)) return;
  const checker = project.checker;

  const entity = (expr: ts.Expression | undefined): OrmModel | undefined => {
    if (!expr) return undefined;
    const name = stringValue(expr, checker);
    const model = name !== undefined ? relations.byName(name) : modelOf(project, models, expr);
    return model?.via === 'typeorm' ? model : undefined;
  };

  /** `from('audit_log')` on a TypeORM builder: a table no entity maps (a schema prefix dropped). */
  const rawTable = (expr: ts.Expression | undefined, typeorm: boolean): string | undefined => {
    const name = typeorm && expr ? stringValue(expr, checker) : undefined;
    return name && /^[\w$.]+$/.test(name) ? name.slice(name.lastIndexOf('.') + 1) : undefined;
  };

  /** Does the builder visibly come from TypeORM: `new DataSource()`, `manager: EntityManager`, `this.dataSource: DataSource`? */
  const fromTypeorm = (receiver: ts.Expression): boolean => {
    let root = unwrap(receiver);
    while (ts.isPropertyAccessExpression(root) && root.expression.kind !== ts.SyntaxKind.ThisKeyword) root = unwrap(root.expression);
    // `import { dataSource } from './data-source'`: where the project declares it
    const key = ts.isIdentifier(root) ? valueKey(project, root) : undefined;
    let pkg = packageOf(checker, key && ts.isVariableDeclaration(key) && key.initializer ? key.initializer : root);
    if (pkg === undefined && ts.isPropertyAccessExpression(root)) {
      const decl = checker.getSymbolAtLocation(root.name)?.valueDeclaration;
      const type = decl && (ts.isParameter(decl) || ts.isPropertyDeclaration(decl)) ? decl.type : undefined;
      if (type && ts.isTypeReferenceNode(type) && ts.isIdentifier(type.typeName)) pkg = packageOf(checker, type.typeName);
    }
    return pkg === 'typeorm' || !!pkg?.startsWith('typeorm/');
  };

  /** `this` in a custom repository: `ds.getRepository(Book).extend({ m() { this… } })`, `class X extends Repository<Book>`. */
  const thisRepository = (node: ts.Node): OrmModel | undefined => {
    let fn: ts.Node | undefined = node.parent;
    while (fn && !(isFunctionLike(fn) && !ts.isArrowFunction(fn))) fn = fn.parent;
    const holder = fn && (ts.isPropertyAssignment(fn.parent) ? fn.parent.parent : fn.parent);
    if (holder && ts.isObjectLiteralExpression(holder)) {
      const call = holder.parent;
      const callee = ts.isCallExpression(call) ? unwrap(call.expression) : undefined;
      return callee && ts.isPropertyAccessExpression(callee) && callee.name.text === 'extend' ? repositoryTarget(project, models, repos, unwrap(callee.expression)) : undefined;
    }
    if (!holder || !ts.isClassLike(holder)) return undefined;
    for (const d of (ts.canHaveDecorators(holder) ? ts.getDecorators(holder) : undefined) ?? []) {
      if (ts.isCallExpression(d.expression) && calleeName(d.expression) === 'EntityRepository') return entity(d.expression.arguments[0]);
    }
    const base = holder.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword)?.types[0];
    const arg = base && REPOSITORY_CLASSES.test(base.expression.getText()) ? base.typeArguments?.[0] : undefined;
    return arg && ts.isTypeReferenceNode(arg) && ts.isIdentifier(arg.typeName) ? entity(arg.typeName) : undefined;
  };

  /** The entity a query starts from, and its alias. */
  const origin = (call: ts.CallExpression, callee: ts.PropertyAccessExpression): { model?: OrmModel; alias?: string; typeorm: boolean } => {
    const receiver = unwrap(callee.expression);
    if (callee.name.text === 'subQuery') return { typeorm: true }; // on a builder a parameter holds: `where((qb) => qb.subQuery()…)`
    const [first, second] = call.arguments;
    const repository = receiver.kind === ts.SyntaxKind.ThisKeyword ? thisRepository(receiver) : repositoryTarget(project, models, repos, receiver);
    if (repository?.via === 'typeorm') return { model: repository, alias: first && stringValue(first, checker), typeorm: true };
    // ds.createQueryBuilder(Book, 'b'), manager.createQueryBuilder('Book', 'b')
    const model = first && (second || !ts.isStringLiteralLike(unwrap(first))) ? entity(first) : undefined;
    return { model, alias: second && stringValue(second, checker), typeorm: model !== undefined || fromTypeorm(receiver) };
  };

  /** The builder's methods: the chain written on it, and chains on a variable that holds it. */
  const stepsOf = (start: ts.CallExpression): Step[] => {
    const steps: Step[] = [];
    const followed = new Set<ts.Node>();
    const follow = (from: ts.Expression, hops: number): void => {
      let cur: ts.Node = from;
      for (;;) {
        let p = cur.parent;
        while (p && (ts.isParenthesizedExpression(p) || ts.isNonNullExpression(p) || ts.isAsExpression(p))) {
          cur = p;
          p = p.parent;
        }
        if (!p || !ts.isPropertyAccessExpression(p) || p.expression !== cur || !ts.isIdentifier(p.name) || !ts.isCallExpression(p.parent) || p.parent.expression !== p) break;
        if (STARTS.has(p.name.text)) break; // qb.subQuery() is a query of its own
        steps.push({ method: p.name.text, call: p.parent, at: p.name });
        cur = p.parent;
      }
      const holder = heldIn(cur);
      if (!holder || hops >= MAX_HOPS || followed.has(holder)) return;
      followed.add(holder);
      for (const ref of referencesTo(holder)) follow(ref, hops + 1);
    };
    follow(start, 0);
    return steps;
  };

  /** `const qb = <builder>` / `qb = <builder>`: the variable. */
  const heldIn = (expr: ts.Node): ts.VariableDeclaration | undefined => {
    let p = expr.parent;
    while (p && (ts.isParenthesizedExpression(p) || ts.isAsExpression(p) || ts.isAwaitExpression(p))) p = p.parent;
    if (p && ts.isVariableDeclaration(p) && ts.isIdentifier(p.name)) return p;
    if (p && ts.isBinaryExpression(p) && p.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isIdentifier(p.left)) {
      const decl = checker.getSymbolAtLocation(p.left)?.valueDeclaration;
      return decl && ts.isVariableDeclaration(decl) ? decl : undefined;
    }
    return undefined;
  };

  const referencesTo = (decl: ts.VariableDeclaration): ts.Identifier[] => {
    const name = (decl.name as ts.Identifier).text;
    let scope: ts.Node = decl;
    while (scope.parent && !isFunctionLike(scope) && !ts.isSourceFile(scope)) scope = scope.parent;
    const refs: ts.Identifier[] = [];
    const visit = (n: ts.Node): void => {
      if (ts.isIdentifier(n) && n.text === name && n !== decl.name && checker.getSymbolAtLocation(n)?.valueDeclaration === decl) refs.push(n);
      ts.forEachChild(n, visit);
    };
    visit(scope);
    return refs;
  };

  const readQuery = (call: ts.CallExpression, callee: ts.PropertyAccessExpression): void => {
    const main = origin(call, callee);
    const aliases = new Map<string, OrmModel>();
    if (main.model && main.alias) aliases.set(main.alias, main.model);
    const steps = stepsOf(call);
    const writing = steps.find((s) => WRITES.has(s.method));
    let named = false;
    let relation: { owner: OrmModel; relation: Relation } | undefined;
    for (const step of steps) {
      const [first, second] = step.call.arguments;
      if (step.method === 'from' || step.method === 'addFrom' || step.method === 'into' || (step.method === 'update' && first)) {
        const target = entity(first);
        const table = target?.table ?? rawTable(first, main.typeorm);
        if (!table) continue;
        const alias = second && stringValue(second, checker);
        if (alias && target) aliases.set(alias, target);
        const write = step.method === 'into' || step.method === 'update' || writing !== undefined;
        out.access(file, step.at, table, write ? 'write' : 'read', 'typeorm');
        named ||= write;
      } else if (JOIN.test(step.method)) {
        // leftJoinAndMapMany('user.photos', 'user.photos', 'photo'): the first argument is where the rows go
        const [target, aliasArg] = step.method.includes('AndMap') ? step.call.arguments.slice(1) : [first, second];
        const joined = target && joinTarget(target, aliases);
        if (!joined) continue;
        const alias = aliasArg && stringValue(aliasArg, checker);
        if (alias) aliases.set(alias, joined.target);
        out.access(file, step.at, joined.target.table, 'read', 'typeorm');
        if (joined.junction) out.access(file, step.at, joined.junction, 'read', 'typeorm');
      } else if (step.method === 'relation') {
        const owner = step.call.arguments.length >= 2 ? entity(first) : main.model;
        const property = step.call.arguments.length >= 2 ? second : first;
        const name = property && stringValue(property, checker);
        const found = owner && name !== undefined ? relations.relation(owner, name) : undefined;
        relation = owner && found ? { owner, relation: found } : undefined;
      } else if (relation && (RELATION_WRITES.has(step.method) || RELATION_READS.has(step.method))) {
        relationAccess(relation.owner, relation.relation, step);
      }
    }
    if (!main.model || steps.some((s) => s.method === 'relation')) return;
    if (!writing) out.access(file, callee.name, main.model.table, 'read', 'typeorm');
    else if (!named) out.access(file, writing.at, main.model.table, 'write', 'typeorm');
  };

  /** `'b.author'` (a relation of the entity aliased b), `Author`, `'Author'` */
  const joinTarget = (arg: ts.Expression, aliases: Map<string, OrmModel>): Relation | { target: OrmModel; junction?: undefined } | undefined => {
    const path = stringValue(arg, checker);
    const dot = path?.indexOf('.') ?? -1;
    if (path === undefined || dot < 0) {
      const target = entity(arg);
      return target && { target };
    }
    const owner = aliases.get(path.slice(0, dot));
    return owner && relations.relation(owner, path.slice(dot + 1));
  };

  // add/remove/set change the junction (many-to-many), the owner's foreign key (many-to-one, one-to-one)
  // or the related rows' (one-to-many); loadMany/loadOne read the related table
  const relationAccess = (owner: OrmModel, relation: Relation, step: Step): void => {
    if (RELATION_READS.has(step.method)) {
      out.access(file, step.at, relation.target.table, 'read', 'typeorm');
      if (relation.junction) out.access(file, step.at, relation.junction, 'read', 'typeorm');
      return;
    }
    const table = relation.kind === 'ManyToMany' ? relation.junction : relation.kind === 'OneToMany' ? relation.target.table : owner.table;
    if (table) out.access(file, step.at, table, 'write', 'typeorm');
  };

  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node)) {
      const callee = unwrap(node.expression);
      if (ts.isPropertyAccessExpression(callee) && STARTS.has(callee.name.text)) readQuery(node, callee);
    }
    ts.forEachChild(node, visit);
  };
  visit(file.source);
}
