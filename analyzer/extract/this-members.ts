// What a class keeps in `this.<name>` (`this.Model = Model` in its constructor, a field's initializer), in the class and
// its subclasses: read as a value where each assignment is written, a constructor's parameter at the class's
// constructions (call-sites.ts). Used for the models Ghost's repositories and services are given (bookshelf-instances.ts).
import { ts } from 'ts-morph';
import { wholeParameter, type ClassUses } from './call-sites.ts';
import { isFunctionLike } from './functions.ts';
import { isAssignment } from './value-key.ts';

/**
 * `this.Model` in a class's methods: what every assignment to it in the class and its subclasses gives, through `read`.
 * Nothing when one assignment gives something else or cannot be read. `once` computes it once per class (keyed by its
 * first assignment); the subclasses are looked for only once the class's own assignments agree.
 */
export function keptValue<T>(
  e: ts.PropertyAccessExpression,
  classes: ClassUses,
  read: (value: ts.Expression) => T | undefined,
  once: (first: ts.Node, compute: () => T | undefined) => T | undefined,
): T | undefined {
  const cls = classOfThis(e);
  const name = e.name.text;
  const own = cls ? assignedToThis(cls, name) : [];
  const [first] = own;
  if (!cls || !first) return undefined;
  const agreeing = (values: (ts.Expression | undefined)[], agreed: T | undefined): T | undefined => {
    for (const value of values) {
      const found = value && read(value);
      if (!found || (agreed && agreed !== found)) return undefined;
      agreed = found;
    }
    return agreed;
  };
  return once(first, () => {
    const agreed = agreeing(own, undefined);
    return agreed && agreeing(classes.subclasses(cls).flatMap((sub) => assignedToThis(sub, name)), agreed);
  });
}

/**
 * `this.collection` where the class keeps its constructor's parameter there (`constructor(collection) { this.collection =
 * collection }`) and nothing else, in the class or its subclasses: the class and the parameter's position, so that each
 * construction's argument says what the member holds.
 */
export function keptParameter(e: ts.PropertyAccessExpression, classes: ClassUses, checker: ts.TypeChecker): { cls: ts.ClassLikeDeclaration; index: number } | undefined {
  if (e.expression.kind !== ts.SyntaxKind.ThisKeyword) return undefined;
  const cls = classOfThis(e);
  const own = cls ? assignedToThis(cls, e.name.text) : [];
  if (!cls || own.length !== 1 || !own[0]) return undefined;
  const param = wholeParameter(own[0], checker);
  if (!param || !ts.isConstructorDeclaration(param.parent) || param.parent.parent !== cls) return undefined;
  if (classes.subclasses(cls).some((sub) => assignedToThis(sub, e.name.text).length > 0)) return undefined;
  return { cls, index: param.parent.parameters.indexOf(param) };
}

/** The class whose instance `this` is, in a method, an accessor, the constructor or a field (not a static one) and the arrows inside them. */
function classOfThis(node: ts.Node): ts.ClassLikeDeclaration | undefined {
  return thisMember(node)?.parent;
}

/** The instance member (method, accessor, constructor, field) whose `this` is the one at `node`, through the arrows inside it. */
export function thisMember(node: ts.Node): (ts.ClassElement & { parent: ts.ClassLikeDeclaration }) | undefined {
  for (let p = node.parent; p; p = p.parent) {
    if (ts.isArrowFunction(p)) continue;
    if (ts.isConstructorDeclaration(p) || ts.isMethodDeclaration(p) || ts.isGetAccessor(p) || ts.isSetAccessor(p) || ts.isPropertyDeclaration(p)) {
      return ts.isClassLike(p.parent) && !isStatic(p) ? (p as ts.ClassElement & { parent: ts.ClassLikeDeclaration }) : undefined;
    }
    if (isFunctionLike(p) || ts.isClassLike(p) || ts.isClassStaticBlockDeclaration(p)) return undefined;
  }
  return undefined;
}

export function isStatic(member: ts.Node): boolean {
  return ts.canHaveModifiers(member) && !!ts.getModifiers(member)?.some((m) => m.kind === ts.SyntaxKind.StaticKeyword);
}

/**
 * What a class's instance members put in `this.<name>`: a field's initializer and each `this.<name> = …` (also `??=`,
 * `||=`) in its methods; undefined stands for an assignment that cannot be read (`this.count += 1`).
 */
function assignedToThis(cls: ts.ClassLikeDeclaration, name: string): (ts.Expression | undefined)[] {
  const values: (ts.Expression | undefined)[] = [];
  const visit = (n: ts.Node): void => {
    if ((isFunctionLike(n) && !ts.isArrowFunction(n)) || ts.isClassLike(n)) return;
    if (ts.isBinaryExpression(n) && ts.isPropertyAccessExpression(n.left) && n.left.expression.kind === ts.SyntaxKind.ThisKeyword && n.left.name.text === name) {
      const op = n.operatorToken.kind;
      if (op === ts.SyntaxKind.EqualsToken || op === ts.SyntaxKind.QuestionQuestionEqualsToken || op === ts.SyntaxKind.BarBarEqualsToken) values.push(n.right);
      else if (isAssignment(op)) values.push(undefined);
    }
    ts.forEachChild(n, visit);
  };
  for (const member of cls.members) {
    if (isStatic(member)) continue;
    if (ts.isPropertyDeclaration(member) && member.initializer && propertyName(member.name) === name) values.push(member.initializer);
    const body = isFunctionLike(member) ? (member as ts.FunctionLikeDeclaration).body : undefined;
    if (body) ts.forEachChild(body, visit);
  }
  return values;
}

/** The name a property or binding is written with, when it is written out (an identifier, `#x`, a string). */
export function propertyName(name: ts.PropertyName | ts.BindingName): string | undefined {
  return ts.isIdentifier(name) || ts.isPrivateIdentifier(name) || ts.isStringLiteralLike(name) ? name.text : undefined;
}
