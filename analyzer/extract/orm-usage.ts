// Which code uses the ORM models, and how: Sequelize model statics (Book.findAll, Book.create),
// TypeORM repositories (ds.getRepository(Book).find(), @InjectRepository(Book) repo, Repository<Book>),
// entity managers (manager.save(Book, …)) and active-record entities (Book.find()). TypeORM's query
// builders are typeorm-query-builder.ts's.
import { ts } from 'ts-morph';
import { methodName, type AccessCollector } from './access-collector.ts';
import type { OrmModel, OrmModels } from './orm-models.ts';
import type { LoadedFile, LoadedProject } from './project.ts';
import { guarded } from './guard.ts';
import type { Warning } from './types.ts';
import { unwrap, valueKey } from './value-key.ts';

const SEQUELIZE_READ = new Set(['findAll', 'findOne', 'findByPk', 'findAndCountAll', 'count', 'max', 'min', 'sum', 'aggregate', 'findOrBuild']);
const SEQUELIZE_WRITE = new Set(['create', 'bulkCreate', 'update', 'destroy', 'upsert', 'increment', 'decrement', 'truncate', 'findOrCreate', 'restore']);
const TYPEORM_READ = new Set(['find', 'findOne', 'findOneBy', 'findBy', 'findAndCount', 'findAndCountBy', 'count', 'countBy', 'exists', 'existsBy',
  'findOneOrFail', 'findOneByOrFail', 'findByIds', 'sum', 'average', 'minimum', 'maximum']);
const TYPEORM_WRITE = new Set(['save', 'insert', 'update', 'delete', 'remove', 'softDelete', 'softRemove', 'restore', 'upsert', 'increment', 'decrement', 'clear', 'recover']);
const ANY_METHOD = new Set([...SEQUELIZE_READ, ...SEQUELIZE_WRITE, ...TYPEORM_READ, ...TYPEORM_WRITE]);
const REPOSITORY_FACTORIES = new Set(['getRepository', 'getTreeRepository', 'getMongoRepository', 'getCustomRepository']);

function accessOf(model: OrmModel, method: string): 'read' | 'write' | undefined {
  const [read, write] = model.via === 'sequelize' ? [SEQUELIZE_READ, SEQUELIZE_WRITE] : [TYPEORM_READ, TYPEORM_WRITE];
  return read.has(method) ? 'read' : write.has(method) ? 'write' : undefined;
}

/** The entity class named by an expression (`Book`, `entities.Book`). */
export function modelOf(project: LoadedProject, models: OrmModels, expr: ts.Expression | undefined): OrmModel | undefined {
  if (!expr) return undefined;
  const e = unwrap(expr);
  if (!(ts.isIdentifier(e) || ts.isPropertyAccessExpression(e) || ts.isCallExpression(e))) return undefined;
  const key = valueKey(project, e);
  const byKey = key && models.byKey.get(key);
  if (byKey) return byKey;
  // Reached through a registry (db.Book, models.Book): fall back to the model's name.
  const name = ts.isIdentifier(e) ? e.text : ts.isPropertyAccessExpression(e) ? e.name.text : undefined;
  return name !== undefined ? models.byName.get(name) : undefined;
}

/** Declarations that hold a repository: `const repo = ds.getRepository(Book)`, `@InjectRepository(Book)`, `Repository<Book>`. */
export function collectRepositories(project: LoadedProject, models: OrmModels, warnings: Warning[]): Map<ts.Node, OrmModel> {
  const repos = new Map<ts.Node, OrmModel>();
  if (![...models.byKey.values()].some((m) => m.via === 'typeorm')) return repos;
  for (const file of project.files) {
    const visit = (node: ts.Node): void => {
      if (ts.isVariableDeclaration(node) || ts.isPropertyDeclaration(node) || ts.isParameter(node)) {
        const model = repositoryModel(project, models, node);
        if (model) repos.set(node, model);
      } else if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isPropertyAccessExpression(node.left)) {
        // this.repo = ds.getRepository(Book)
        const model = repositoryFactoryModel(project, models, node.right);
        const key = model && valueKey(project, node.left);
        if (model && key) repos.set(key, model);
      }
      ts.forEachChild(node, visit);
    };
    guarded(file, warnings, 'repositories', () => visit(file.source));
  }
  return repos;
}

export function repositoryFactoryModel(project: LoadedProject, models: OrmModels, expr: ts.Expression | undefined): OrmModel | undefined {
  const e = expr && unwrap(expr);
  if (!e || !ts.isCallExpression(e)) return undefined;
  const c = e.expression;
  const name = ts.isIdentifier(c) ? c.text : ts.isPropertyAccessExpression(c) ? c.name.text : '';
  return REPOSITORY_FACTORIES.has(name) ? modelOf(project, models, e.arguments[0]) : undefined;
}

function repositoryModel(project: LoadedProject, models: OrmModels, decl: ts.VariableDeclaration | ts.PropertyDeclaration | ts.ParameterDeclaration): OrmModel | undefined {
  const fromInit = repositoryFactoryModel(project, models, decl.initializer);
  if (fromInit) return fromInit;
  for (const d of (ts.canHaveDecorators(decl) ? ts.getDecorators(decl) : undefined) ?? []) {
    const e = d.expression;
    if (ts.isCallExpression(e) && ts.isIdentifier(e.expression) && e.expression.text === 'InjectRepository') return modelOf(project, models, e.arguments[0]);
  }
  const type = decl.type;
  if (type && ts.isTypeReferenceNode(type) && /Repository$/.test(type.typeName.getText()) && type.typeArguments?.length === 1) {
    const arg = type.typeArguments[0];
    if (ts.isTypeReferenceNode(arg) && ts.isIdentifier(arg.typeName)) {
      const symbol = project.checker.getSymbolAtLocation(arg.typeName);
      const target = symbol && symbol.flags & ts.SymbolFlags.Alias ? project.checker.getAliasedSymbol(symbol) : symbol;
      const classDecl = target?.declarations?.find(ts.isClassDeclaration);
      return (classDecl && models.byKey.get(classDecl)) ?? models.byName.get(arg.typeName.text);
    }
  }
  return undefined;
}

const QUERY_BUILDER_STARTS = new Set(['createQueryBuilder', 'subQuery']);

/**
 * Is `receiver` a TypeORM query builder (`ds.createQueryBuilder()…`, or a variable holding one)? Its
 * `update(Book)` / `delete()` build a query; typeorm-query-builder.ts reads them, not the repository
 * reader.
 */
export function onQueryBuilder(checker: ts.TypeChecker, receiver: ts.Expression, depth = 0): boolean {
  let cur = unwrap(receiver);
  for (let i = 0; i < 32; i++) {
    if (ts.isCallExpression(cur)) {
      const callee = unwrap(cur.expression);
      if (!ts.isPropertyAccessExpression(callee)) return false;
      if (QUERY_BUILDER_STARTS.has(callee.name.text)) return true;
      cur = unwrap(callee.expression);
    } else if (ts.isIdentifier(cur) && depth < 2) {
      const decl = checker.getSymbolAtLocation(cur)?.valueDeclaration;
      return !!decl && ts.isVariableDeclaration(decl) && !!decl.initializer && onQueryBuilder(checker, decl.initializer, depth + 1);
    } else return false;
  }
  return false;
}

/** The model a repository or active-record call is made on: `ds.getRepository(Book)`, `this.books`, `Book`. */
export function repositoryTarget(project: LoadedProject, models: OrmModels, repos: Map<ts.Node, OrmModel>, receiver: ts.Expression): OrmModel | undefined {
  const factory = repositoryFactoryModel(project, models, receiver);
  if (factory) return factory;
  if (!(ts.isIdentifier(receiver) || ts.isPropertyAccessExpression(receiver))) return undefined;
  const key = valueKey(project, receiver);
  return (key && (repos.get(key) ?? models.byKey.get(key))) ?? modelOf(project, models, receiver);
}

export function scanOrmUsage(project: LoadedProject, file: LoadedFile, models: OrmModels, repos: Map<ts.Node, OrmModel>, out: AccessCollector): void {
  if (models.byKey.size === 0) return;
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node)) {
      const method = methodName(node);
      if (method !== undefined && ANY_METHOD.has(method)) {
        const receiver = unwrap((node.expression as ts.PropertyAccessExpression).expression);
        const model = repositoryTarget(project, models, repos, receiver) ?? entityManagerTarget(node);
        const access = model && accessOf(model, method);
        if (model && access) out.access(file, node, model.table, access, model.via);
      }
    }
    ts.forEachChild(node, visit);
  };
  // manager.find(Book, …), dataSource.manager.save(Book, …); not a query builder's update(Book)
  const entityManagerTarget = (call: ts.CallExpression): OrmModel | undefined => {
    const model = modelOf(project, models, call.arguments[0]);
    const receiver = (call.expression as ts.PropertyAccessExpression).expression;
    return model?.via === 'typeorm' && !onQueryBuilder(project.checker, receiver) ? model : undefined;
  };
  visit(file.source);
}
