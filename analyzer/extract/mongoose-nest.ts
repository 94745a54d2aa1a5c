// NestJS's @nestjs/mongoose, read syntactically: schema classes (`@Schema({ collection }) class Book`
// with `@Prop({ ref: 'Author' })` fields), `SchemaFactory.createForClass(Book)`, the models a module
// registers (`MongooseModule.forFeature([{ name: Book.name, schema: BookSchema, collection }])`) and
// the places they are injected (`@InjectModel(Book.name) private books: Model<Book>`).
import { ts } from 'ts-morph';
import { calleeName, objectOption } from './orm-values.ts';
import { importSpecifierOf } from './package-values.ts';
import { stringValue } from './string-value.ts';
import { unwrap } from './value-key.ts';

export interface NestSchemaClass {
  collection?: string;
  refs: Map<string, ts.Expression>;
}

export interface FeatureEntry {
  name: string;
  schema?: ts.Expression;
  collection?: string;
  at: ts.Node;
}

function decoratorCall(node: ts.Node, name: string): ts.CallExpression | undefined {
  for (const d of (ts.canHaveDecorators(node) ? ts.getDecorators(node) : undefined) ?? []) {
    if (ts.isCallExpression(d.expression) && calleeName(d.expression) === name) return d.expression;
  }
  return undefined;
}

/** A model's name as Nest code writes it: 'Book' or `Book.name` (the class's name). */
function modelName(expr: ts.Expression | undefined, checker: ts.TypeChecker): string | undefined {
  if (!expr) return undefined;
  const e = unwrap(expr);
  if (ts.isPropertyAccessExpression(e) && e.name.text === 'name' && ts.isIdentifier(e.expression)) return e.expression.text;
  return stringValue(e, checker);
}

/** `@Schema(…) class Book { @Prop({ ref: 'Author' }) author; @Prop({ type: [{ ref: 'Review' }] }) reviews }` */
export function nestSchemaClass(node: ts.ClassDeclaration, checker: ts.TypeChecker): NestSchemaClass | undefined {
  const schema = decoratorCall(node, 'Schema');
  if (!schema || !node.name) return undefined;
  const collection = objectOption(schema.arguments[0], 'collection');
  const refs = new Map<string, ts.Expression>();
  for (const member of node.members) {
    const prop = ts.isPropertyDeclaration(member) && (ts.isIdentifier(member.name) || ts.isStringLiteral(member.name)) ? decoratorCall(member, 'Prop') : undefined;
    if (!prop) continue;
    let options = prop.arguments[0] && unwrap(prop.arguments[0]);
    const typed = objectOption(options, 'type');
    if (typed && ts.isArrayLiteralExpression(unwrap(typed))) options = unwrap(typed);
    if (options && ts.isArrayLiteralExpression(options)) options = options.elements[0];
    const ref = objectOption(options, 'ref');
    if (ref) refs.set((member.name as ts.Identifier).text, ref);
  }
  return { collection: collection && stringValue(collection, checker), refs };
}

/** MongooseModule.forFeature([{ name: Book.name, schema: BookSchema, collection: 'x' }]) */
export function featureEntries(call: ts.CallExpression, checker: ts.TypeChecker): FeatureEntry[] {
  const method = calleeName(call);
  const list = call.arguments[0] && unwrap(call.arguments[0]);
  if ((method !== 'forFeature' && method !== 'forFeatureAsync') || !list || !ts.isArrayLiteralExpression(list)) return [];
  const entries: FeatureEntry[] = [];
  for (const el of list.elements) {
    const name = modelName(objectOption(el, 'name'), checker);
    const collection = objectOption(el, 'collection');
    if (name !== undefined) entries.push({ name, schema: objectOption(el, 'schema'), collection: collection && stringValue(collection, checker), at: el });
  }
  return entries;
}

/** `@InjectModel(Book.name)` on a constructor parameter or a property: the model's name. */
export function injectedModel(node: ts.ParameterDeclaration | ts.PropertyDeclaration, checker: ts.TypeChecker): string | undefined {
  const inject = decoratorCall(node, 'InjectModel');
  return inject && modelName(inject.arguments[0], checker);
}

/** `SchemaFactory.createForClass(Book)` → `Book` */
export function schemaClassArgument(expr: ts.Expression): ts.Expression | undefined {
  const e = unwrap(expr);
  return ts.isCallExpression(e) && calleeName(e) === 'createForClass' ? e.arguments[0] : undefined;
}

/**
 * A value typed `Model<Book>` (`Model` from mongoose): the declaration of the type its documents have —
 * a class or interface, seen through `BookDocument = Book & Document` and `HydratedDocument<Book>` —
 * so that a model passed as a parameter (`function archive(books: Model<BookDocument>)`) is known.
 */
export function modelTypeDeclaration(node: ts.ParameterDeclaration | ts.PropertyDeclaration, checker: ts.TypeChecker): ts.Node | undefined {
  const type = node.type;
  if (!type || !ts.isTypeReferenceNode(type) || type.typeArguments?.length !== 1) return undefined;
  const name = type.typeName;
  const last = ts.isIdentifier(name) ? name : name.right;
  if (last.text !== 'Model') return undefined;
  const root = ts.isIdentifier(name) ? name : name.left;
  const decl = ts.isIdentifier(root) ? checker.getSymbolAtLocation(root)?.declarations?.[0] : undefined;
  if (!decl || importSpecifierOf(decl) !== 'mongoose') return undefined;
  return documentTypeDeclaration(type.typeArguments[0], checker, 0);
}

function documentTypeDeclaration(type: ts.TypeNode, checker: ts.TypeChecker, depth: number): ts.Node | undefined {
  if (depth > 4) return undefined;
  if (ts.isIntersectionTypeNode(type)) {
    for (const t of type.types) {
      const found = documentTypeDeclaration(t, checker, depth + 1);
      if (found) return found;
    }
    return undefined;
  }
  if (!ts.isTypeReferenceNode(type)) return undefined;
  const name = ts.isIdentifier(type.typeName) ? type.typeName : type.typeName.right;
  // HydratedDocument<Book>, Document<unknown, {}, Book>: the document type is a type argument
  if (name.text === 'HydratedDocument' && type.typeArguments?.[0]) return documentTypeDeclaration(type.typeArguments[0], checker, depth + 1);
  let symbol = checker.getSymbolAtLocation(name);
  if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
  const decl = symbol?.declarations?.[0];
  if (!decl) return undefined;
  if (ts.isTypeAliasDeclaration(decl)) return documentTypeDeclaration(decl.type, checker, depth + 1);
  return ts.isClassDeclaration(decl) || ts.isInterfaceDeclaration(decl) ? decl : undefined;
}
