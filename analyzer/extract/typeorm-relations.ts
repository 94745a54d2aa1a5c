// Where a TypeORM relation property leads, for query builder joins (`leftJoin('b.author', 'a')`): the
// decorator's target (`@ManyToOne(() => Author)`, `@ManyToMany('Category')`), else the property's
// declared type (`author: Author`, `reviews: Review[]`, `Relation<Author>`). A many-to-many relation
// also goes through its junction table: `@JoinTable({ name })`, else TypeORM's default name
// (snake_case of `<owner table>_<property>_<target table>`), found from either side of the relation.
import { ts } from 'ts-morph';
import { snakeCase, type OrmModel, type OrmModels } from './orm-models.ts';
import { modelOf } from './orm-usage.ts';
import { calleeName, objectOption } from './orm-values.ts';
import type { LoadedProject } from './project.ts';
import { stringValue } from './string-value.ts';
import { unwrap } from './value-key.ts';

type RelationKind = 'ManyToOne' | 'OneToMany' | 'OneToOne' | 'ManyToMany';

const RELATIONS = new Set<string>(['ManyToOne', 'OneToMany', 'OneToOne', 'ManyToMany']);
/** types a relation's entity is wrapped in: `Review[]`, `Promise<Author>` (lazy), `Relation<Author>` */
const WRAPPERS = new Set(['Array', 'Promise', 'Relation', 'Lazy']);
const MAX_DEPTH = 4;

export interface Relation {
  kind: RelationKind;
  target: OrmModel;
  /** the junction table of a many-to-many relation */
  junction?: string;
  /** the property on the target that the relation names as its other side (`(category) => category.books`), when declared there */
  inverse?: string;
}

export interface EntityRelations {
  relation(entity: OrmModel, property: string): Relation | undefined;
  /** a TypeORM entity named by a string: its class name or its table */
  byName(name: string): OrmModel | undefined;
}

function decoratorCall(node: ts.Node, names: Set<string>): ts.CallExpression | undefined {
  for (const d of (ts.canHaveDecorators(node) ? ts.getDecorators(node) : undefined) ?? []) {
    const e = d.expression;
    if (ts.isCallExpression(e) && names.has(calleeName(e) ?? '')) return e;
  }
  return undefined;
}

const JOIN_TABLE = new Set(['JoinTable']);

/** TypeORM's default junction table name (DefaultNamingStrategy.joinTableName): snake_case of `<owner table>_<property>_<target table>`. */
export function defaultJunctionName(ownerTable: string, property: string, targetTable: string): string {
  return snakeCase(`${ownerTable}_${property}_${targetTable}`);
}

/** `() => Author`, `(type) => Author`, `(book) => book.categories`: what the arrow returns. */
function arrowResult(expr: ts.Expression | undefined): ts.Expression | undefined {
  const e = expr && unwrap(expr);
  if (!e || !(ts.isArrowFunction(e) || ts.isFunctionExpression(e))) return undefined;
  if (!ts.isBlock(e.body)) return unwrap(e.body);
  const ret = e.body.statements.find(ts.isReturnStatement);
  return ret?.expression && unwrap(ret.expression);
}

export function entityRelations(project: LoadedProject, models: OrmModels): EntityRelations {
  const checker = project.checker;
  const classes = new Map<OrmModel, ts.ClassDeclaration>();
  const byTable = new Map<string, OrmModel>();
  for (const [key, model] of models.byKey) {
    if (model.via !== 'typeorm' || !ts.isClassDeclaration(key)) continue;
    classes.set(model, key);
    byTable.set(model.table, model);
  }

  const classOf = (node: ts.Node): ts.ClassDeclaration | undefined => {
    let symbol = checker.getSymbolAtLocation(node);
    if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
    return symbol?.declarations?.find(ts.isClassDeclaration);
  };

  /** The property, declared on the class or a class it extends. */
  const member = (cls: ts.ClassDeclaration, name: string, depth = 0): ts.PropertyDeclaration | undefined => {
    for (const m of cls.members) {
      if (ts.isPropertyDeclaration(m) && (ts.isIdentifier(m.name) || ts.isStringLiteral(m.name)) && m.name.text === name) return m;
    }
    const base = cls.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword)?.types[0]?.expression;
    const baseClass = base && depth < MAX_DEPTH ? classOf(base) : undefined;
    return baseClass && member(baseClass, name, depth + 1);
  };

  const byName = (name: string): OrmModel | undefined => {
    const model = models.byName.get(name);
    return model?.via === 'typeorm' ? model : byTable.get(name);
  };

  const typeModel = (type: ts.TypeNode | undefined, depth = 0): OrmModel | undefined => {
    if (!type || depth > MAX_DEPTH) return undefined;
    if (ts.isArrayTypeNode(type)) return typeModel(type.elementType, depth + 1);
    if (ts.isUnionTypeNode(type)) {
      for (const t of type.types) {
        const m = typeModel(t, depth + 1);
        if (m) return m;
      }
      return undefined;
    }
    if (!ts.isTypeReferenceNode(type)) return undefined;
    const name = ts.isIdentifier(type.typeName) ? type.typeName.text : type.typeName.right.text;
    if (WRAPPERS.has(name) && type.typeArguments?.length === 1) return typeModel(type.typeArguments[0], depth + 1);
    const cls = classOf(type.typeName);
    const model = cls && models.byKey.get(cls);
    return model?.via === 'typeorm' ? model : undefined;
  };

  const targetOf = (prop: ts.PropertyDeclaration, decorator: ts.CallExpression): OrmModel | undefined => {
    const first = decorator.arguments[0];
    const returned = arrowResult(first);
    const named = returned ? modelOf(project, models, returned) : first && stringValue(first, checker) !== undefined ? byName(stringValue(first, checker)!) : undefined;
    return (named?.via === 'typeorm' ? named : undefined) ?? typeModel(prop.type);
  };

  const joinTableName = (prop: ts.PropertyDeclaration, owner: OrmModel, property: string, target: OrmModel): string | undefined => {
    const joinTable = decoratorCall(prop, JOIN_TABLE);
    if (!joinTable) return undefined;
    const name = objectOption(joinTable.arguments[0], 'name');
    return (name && stringValue(name, checker)) ?? defaultJunctionName(owner.table, property, target.table);
  };

  const relation = (entity: OrmModel, property: string): Relation | undefined => {
    const cls = classes.get(entity);
    const prop = cls && member(cls, property);
    const decorator = prop && decoratorCall(prop, RELATIONS);
    const target = prop && decorator && targetOf(prop, decorator);
    if (!target || !decorator) return undefined;
    const kind = calleeName(decorator) as RelationKind;
    if (kind !== 'ManyToMany') return { kind, target };
    // the other side, named by the relation's second argument: `(book) => book.categories` or `'categories'`
    const inverseArg = decorator.arguments[1];
    const inverseExpr = arrowResult(inverseArg);
    const inverseName = inverseExpr && ts.isPropertyAccessExpression(inverseExpr) ? inverseExpr.name.text : inverseArg && stringValue(inverseArg, checker);
    const targetClass = classes.get(target);
    const other = inverseName && targetClass ? member(targetClass, inverseName) : undefined;
    const inverse = other && decoratorCall(other, RELATIONS) ? { inverse: inverseName as string } : {};
    const owning = joinTableName(prop!, entity, property, target);
    if (owning) return { kind, target, junction: owning, ...inverse };
    // the inverse side: the owning side, on the target, has the @JoinTable
    return { kind, target, junction: other && inverseName ? joinTableName(other, target, inverseName, entity) : undefined, ...inverse };
  };

  return { relation, byName };
}
