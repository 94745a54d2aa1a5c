// ORM models found in the code, and the table each stands for:
//   Sequelize  sequelize.define('Book', attrs, { tableName })  /  class Book extends Model + Book.init(attrs, { tableName })
//              / sequelize-typescript @Table({ tableName })
//   TypeORM    @Entity('books') / @Entity({ name }) / @Entity() (table = snake_case of the class name)
// Models are keyed by their declaration (see value-key.ts) and also known by name, for code that reaches
// them through a registry the analyzer cannot follow (`db.Book.findAll()` in sequelize-cli projects).
import { ts } from 'ts-morph';
import type { AccessCollector } from './access-collector.ts';
import { lineOf } from './functions.ts';
import { guarded } from './guard.ts';
import type { LoadedFile, LoadedProject } from './project.ts';
import { stringValue } from './string-value.ts';
import type { Warning } from './types.ts';
import { unwrap, valueKey } from './value-key.ts';
import { objectOption } from './orm-values.ts';

export interface OrmModel {
  name: string;
  table: string;
  via: 'sequelize' | 'typeorm';
}

export interface OrmModels {
  byKey: Map<ts.Node, OrmModel>;
  byName: Map<string, OrmModel>;
}

export function pluralize(word: string): string {
  if (/[^aeiou]y$/i.test(word)) return `${word.slice(0, -1)}ies`;
  if (/(?:s|x|z|ch|sh)$/i.test(word)) return `${word}es`;
  return `${word}s`;
}

export function snakeCase(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/([A-Z])([A-Z][a-z])/g, '$1_$2').toLowerCase();
}


function sequelizeTable(modelName: string, options: ts.Expression | undefined, checker: ts.TypeChecker): string {
  const explicit = objectOption(options, 'tableName');
  const table = explicit && stringValue(explicit, checker);
  if (table) return table;
  const freeze = objectOption(options, 'freezeTableName');
  return freeze && freeze.kind === ts.SyntaxKind.TrueKeyword ? modelName : pluralize(modelName);
}

function decoratorCall(node: ts.Node, name: string): ts.CallExpression | undefined {
  const decorators = ts.canHaveDecorators(node) ? ts.getDecorators(node) : undefined;
  for (const d of decorators ?? []) {
    const e = d.expression;
    if (!ts.isCallExpression(e)) continue;
    const c = e.expression;
    const n = ts.isIdentifier(c) ? c.text : ts.isPropertyAccessExpression(c) ? c.name.text : '';
    if (n === name) return e;
  }
  return undefined;
}

/** `@Name` written without a call (sequelize-typescript's `@Table class Post extends Model`) */
function bareDecorator(node: ts.Node, name: string): boolean {
  return (ts.canHaveDecorators(node) ? ts.getDecorators(node) : undefined)?.some((d) => ts.isIdentifier(d.expression) && d.expression.text === name) ?? false;
}

/** The key of what a model-creating expression is assigned to. */
function keyOfAssignedValue(expr: ts.Expression): ts.Node {
  let p: ts.Node = expr.parent;
  while (ts.isParenthesizedExpression(p) || ts.isAsExpression(p)) p = p.parent;
  if (ts.isVariableDeclaration(p) || ts.isPropertyDeclaration(p)) return p;
  return expr; // `module.exports = sequelize.define(...)`: valueKey() lands on the call itself
}

export function collectOrmModels(project: LoadedProject, out: AccessCollector, warnings: Warning[]): OrmModels {
  const models: OrmModels = { byKey: new Map(), byName: new Map() };
  const checker = project.checker;
  const add = (key: ts.Node, model: OrmModel, file: LoadedFile, at: ts.Node): void => {
    models.byKey.set(key, model);
    models.byName.set(model.name, model);
    out.declare({ table: model.table, file: file.rel, line: lineOf(at, file.source), via: model.via, model: model.name });
  };
  for (const file of project.files) {
    const visit = (node: ts.Node): void => {
      if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
        const method = node.expression.name.text;
        const [first, second, third] = node.arguments;
        if (method === 'define' && first && ts.isStringLiteralLike(first) && second && ts.isObjectLiteralExpression(unwrap(second))) {
          const name = first.text;
          add(keyOfAssignedValue(node), { name, table: sequelizeTable(name, third, checker), via: 'sequelize' }, file, node);
        } else if (method === 'init' && second && ts.isObjectLiteralExpression(unwrap(second)) && objectOption(second, 'sequelize')) {
          const cls = valueKey(project, node.expression.expression);
          if (cls && ts.isClassDeclaration(cls)) {
            const given = objectOption(second, 'modelName');
            const modelName = (given && stringValue(given, checker)) ?? cls.name?.text ?? 'default';
            const name = cls.name?.text ?? modelName;
            add(cls, { name, table: sequelizeTable(modelName, second, checker), via: 'sequelize' }, file, node);
          }
        }
      }
      if (ts.isClassDeclaration(node) && node.name) {
        const entity = decoratorCall(node, 'Entity');
        const table = decoratorCall(node, 'Table');
        if (entity) {
          const arg = entity.arguments[0];
          const given = arg && (stringValue(arg, checker) ?? stringValue(objectOption(arg, 'name') ?? arg, checker));
          add(node, { name: node.name.text, table: given ?? snakeCase(node.name.text), via: 'typeorm' }, file, node);
        } else if (table || bareDecorator(node, 'Table')) {
          const tableOption = objectOption(table?.arguments[0], 'tableName');
          const given = tableOption && stringValue(tableOption, checker);
          add(node, { name: node.name.text, table: given ?? pluralize(node.name.text), via: 'sequelize' }, file, node);
        }
      }
      ts.forEachChild(node, visit);
    };
    guarded(file, warnings, 'ORM models', () => visit(file.source));
  }
  return models;
}
