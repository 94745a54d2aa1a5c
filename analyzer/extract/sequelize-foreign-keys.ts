// Foreign keys of Sequelize models and migrations: a column's `references: { model: 'authors', key: 'id' }` (with
// `onDelete`) in `sequelize.define()`, `Model.init()`, `queryInterface.createTable()` and `addColumn()`,
// `addConstraint(table, { type: 'foreign key', fields, references: { table, field } })`, and the associations:
// `Book.belongsTo(Author)` keys books (also `this.belongsTo(models.Author)` in sequelize-cli's `static associate`),
// `Author.hasMany(Book)` / `hasOne` key books, and `belongsToMany(Tag, { through })` keys the join table both ways.
// An association's column is its `foreignKey` option's; left empty when not written (Sequelize's default name
// depends on `underscored` and the model's name). sequelize-typescript: a property's `@ForeignKey(() => Author)`
// (its `onDelete` from the `@BelongsTo` naming that property), and a `@BelongsTo(() => Author, 'authorId')` whose
// property has no `@ForeignKey`.
import { ts } from 'ts-morph';
import type { AccessCollector } from './access-collector.ts';
import { lineOf } from './functions.ts';
import { guarded } from './guard.ts';
import type { OrmModel, OrmModels } from './orm-models.ts';
import { modelOf } from './orm-usage.ts';
import { calleeName, objectOption } from './orm-values.ts';
import type { LoadedFile, LoadedProject } from './project.ts';
import { stringValue } from './string-value.ts';
import type { ForeignKey, Warning } from './types.ts';
import { unwrap, valueKey } from './value-key.ts';

const ASSOCIATIONS = new Set(['belongsTo', 'hasMany', 'hasOne', 'belongsToMany']);
const MAY_DECLARE = /\breferences\s*:|\.(?:belongsTo|hasMany|hasOne|belongsToMany)\s*\(|@(?:ForeignKey|BelongsTo)\s*\(/;

/** `this` in a class's static method (sequelize-cli's `static associate(models)`) → the class's name; else the expression. */
function thisClass(e: ts.Expression): ts.Expression {
  if (unwrap(e).kind !== ts.SyntaxKind.ThisKeyword) return e;
  for (let p: ts.Node | undefined = e.parent; p; p = p.parent) {
    if (ts.isMethodDeclaration(p) || ts.isPropertyDeclaration(p) || ts.isClassStaticBlockDeclaration(p)) {
      const static_ = ts.isClassStaticBlockDeclaration(p) || (ts.getCombinedModifierFlags(p) & ts.ModifierFlags.Static) !== 0;
      return static_ && ts.isClassLike(p.parent) && p.parent.name ? p.parent.name : e;
    }
    if (ts.isFunctionDeclaration(p) || ts.isFunctionExpression(p)) return e;
  }
  return e;
}

export function recordSequelizeForeignKeys(project: LoadedProject, models: OrmModels, out: AccessCollector, warnings: Warning[]): void {
  const checker = project.checker;
  const str = (e: ts.Expression | undefined): string | undefined => (e ? stringValue(e, checker) : undefined);
  const sequelizeModel = (e: ts.Expression | undefined): OrmModel | undefined => {
    const m = modelOf(project, models, e && thisClass(e));
    return m?.via === 'sequelize' ? m : undefined;
  };
  /** `'authors'` (a table), a model, `{ tableName: 'authors', schema }` */
  const tableOf = (e: ts.Expression | undefined): string | undefined =>
    str(e) ?? sequelizeModel(e)?.table ?? str(objectOption(e, 'tableName'));

  for (const file of project.files) {
    if (!MAY_DECLARE.test(file.source.text)) continue;
    guarded(file, warnings, 'Sequelize foreign keys', () => scan(file));
  }

  function scan(file: LoadedFile): void {
    const key = (k: Omit<ForeignKey, 'file' | 'line' | 'via'>, at: ts.Node): void =>
      out.foreignKey({ ...k, file: file.rel, line: lineOf(at, file.source), via: 'sequelize' });

    /** `{ authorId: { type, field: 'author_id', references: { model, key }, onDelete } }` */
    const attributes = (table: string, attrs: ts.Expression | undefined): void => {
      const obj = attrs && unwrap(attrs);
      if (!obj || !ts.isObjectLiteralExpression(obj)) return;
      for (const p of obj.properties) {
        if (ts.isPropertyAssignment(p) && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name))) column(table, p.name.text, p.initializer, p);
      }
    };
    const column = (table: string, name: string, options: ts.Expression, at: ts.Node): void => {
      const references = objectOption(options, 'references');
      if (!references) return;
      // `references: { model, key }`, or the old `references: 'authors', referencesKey: 'id'`
      const target = str(references) ?? tableOf(objectOption(references, 'model'));
      if (!target) return;
      const referenced = str(objectOption(references, 'key')) ?? str(objectOption(options, 'referencesKey'));
      const onDelete = str(objectOption(options, 'onDelete'))?.toLowerCase();
      const columnName = str(objectOption(options, 'field')) ?? name;
      key({ table, columns: [columnName], references: target.split('.').pop()!, referencedColumns: referenced ? [referenced] : [], ...(onDelete ? { onDelete } : {}) }, at);
    };
    /** `foreignKey: 'author_id'` / `foreignKey: { name, field }` */
    const foreignKeyOption = (e: ts.Expression | undefined): string[] => {
      const named = str(e) ?? str(objectOption(e, 'field')) ?? str(objectOption(e, 'name'));
      return named ? [named] : [];
    };
    /** `addConstraint('books', { type: 'foreign key', fields: ['author_id'], references: { table: 'authors', field: 'id' }, onDelete })`, or v4's `addConstraint('books', ['author_id'], { … })` */
    const constraint = (call: ts.CallExpression): void => {
      const [first, second, third] = call.arguments;
      const table = str(first);
      const listed = second && ts.isArrayLiteralExpression(unwrap(second));
      const options = listed ? third : second;
      if (!table || str(objectOption(options, 'type'))?.toLowerCase() !== 'foreign key') return;
      const strings = (e: ts.Expression | undefined): string[] => {
        const u = e && unwrap(e);
        return u && ts.isArrayLiteralExpression(u) ? u.elements.map((x) => str(x)).filter((x): x is string => x !== undefined) : [];
      };
      const references = objectOption(options, 'references');
      const target = tableOf(objectOption(references, 'table'));
      if (!target) return;
      const field = str(objectOption(references, 'field'));
      const onDelete = str(objectOption(options, 'onDelete'))?.toLowerCase();
      const columns = strings(listed ? second : objectOption(options, 'fields'));
      key({ table: table.split('.').pop()!, columns, references: target.split('.').pop()!, referencedColumns: field ? [field] : [], ...(onDelete ? { onDelete } : {}) }, call);
    };
    const association = (call: ts.CallExpression, method: string, source: OrmModel): void => {
      const target = sequelizeModel(call.arguments[0]);
      const options = call.arguments[1];
      if (!target) return;
      const onDelete = str(objectOption(options, 'onDelete'))?.toLowerCase();
      const action = onDelete ? { onDelete } : {};
      const columns = foreignKeyOption(objectOption(options, 'foreignKey'));
      if (method === 'belongsTo') {
        const targetKey = str(objectOption(options, 'targetKey'));
        key({ table: source.table, columns, references: target.table, referencedColumns: targetKey ? [targetKey] : [], ...action }, call);
      } else if (method === 'hasMany' || method === 'hasOne') {
        const sourceKey = str(objectOption(options, 'sourceKey'));
        key({ table: target.table, columns, references: source.table, referencedColumns: sourceKey ? [sourceKey] : [], ...action }, call);
      } else {
        const through = objectOption(options, 'through');
        const join = tableOf(through) ?? tableOf(objectOption(through, 'model'));
        if (!join) return;
        key({ table: join, columns, references: source.table, referencedColumns: [], ...action }, call);
        key({ table: join, columns: foreignKeyOption(objectOption(options, 'otherKey')), references: target.table, referencedColumns: [], ...action }, call);
      }
    };

    /** sequelize-typescript's decorated model class */
    const decorated = (cls: ts.ClassDeclaration, source: OrmModel): void => {
      const decorator = (m: ts.ClassElement, name: string): ts.CallExpression | undefined =>
        (ts.canHaveDecorators(m) ? ts.getDecorators(m) : undefined)?.map((d) => d.expression).find((e): e is ts.CallExpression => ts.isCallExpression(e) && calleeName(e) === name);
      const target = (call: ts.CallExpression): OrmModel | undefined => {
        const fn = call.arguments[0] && unwrap(call.arguments[0]);
        return sequelizeModel(fn && (ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) && !ts.isBlock(fn.body) ? fn.body : fn);
      };
      const properties = cls.members.filter((m): m is ts.PropertyDeclaration => ts.isPropertyDeclaration(m) && (ts.isIdentifier(m.name) || ts.isStringLiteral(m.name)));
      const keyed = new Set<string>();
      for (const p of properties) if (decorator(p, 'ForeignKey')) keyed.add(p.name.getText().replace(/^['"]|['"]$/g, ''));
      // `@BelongsTo(() => Author, 'authorId')` / `{ foreignKey: 'authorId' | { name }, onDelete }`
      const belongsTo = properties.flatMap((p) => {
        const call = decorator(p, 'BelongsTo');
        const model = call && target(call);
        if (!call || !model) return [];
        const options = call.arguments[1];
        const column = str(options) ?? foreignKeyOption(objectOption(options, 'foreignKey'))[0];
        return [{ call, model, column, onDelete: str(objectOption(options, 'onDelete'))?.toLowerCase() }];
      });
      for (const p of properties) {
        const call = decorator(p, 'ForeignKey');
        const model = call && target(call);
        if (!call || !model) continue;
        const property = p.name.getText().replace(/^['"]|['"]$/g, '');
        const association = belongsTo.find((b) => b.model === model && b.column === property) ?? belongsTo.find((b) => b.model === model && b.column === undefined);
        const columnOptions = decorator(p, 'Column')?.arguments[0];
        const column = str(objectOption(columnOptions, 'field')) ?? property;
        key({ table: source.table, columns: [column], references: model.table, referencedColumns: [], ...(association?.onDelete ? { onDelete: association.onDelete } : {}) }, call);
      }
      for (const b of belongsTo) {
        if (b.column === undefined || keyed.has(b.column)) continue;
        key({ table: source.table, columns: [b.column], references: b.model.table, referencedColumns: [], ...(b.onDelete ? { onDelete: b.onDelete } : {}) }, b.call);
      }
    };

    const visit = (node: ts.Node): void => {
      if (ts.isClassDeclaration(node)) {
        const model = models.byKey.get(node);
        if (model?.via === 'sequelize') decorated(node, model);
      }
      if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
        const method = node.expression.name.text;
        const [first, second, third] = node.arguments;
        if (method === 'define' && first && ts.isStringLiteralLike(first)) {
          const model = models.byName.get(first.text);
          if (model?.via === 'sequelize') attributes(model.table, second);
        } else if (method === 'init' && second && objectOption(second, 'sequelize')) {
          const cls = valueKey(project, node.expression.expression);
          const model = cls && models.byKey.get(cls);
          if (model?.via === 'sequelize') attributes(model.table, first);
        } else if (method === 'createTable' && first && second && ts.isObjectLiteralExpression(unwrap(second))) {
          const table = str(first);
          if (table) attributes(table.split('.').pop()!, second);
        } else if (method === 'addColumn' && third) {
          const table = str(first);
          const name = second && str(second);
          if (table && name) column(table.split('.').pop()!, name, third, node);
        } else if (method === 'addConstraint' && second) {
          constraint(node);
        } else if (ASSOCIATIONS.has(method)) {
          const source = sequelizeModel(node.expression.expression);
          if (source) association(node, method, source);
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(file.source);
  }
}
