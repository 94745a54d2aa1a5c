// Which of a class's members run on the instance a `new C(…)` makes, when the constructing code says: the methods it
// calls on it (chained, `new C('t').readOne(id)`, or on a const/let holding it that nothing reassigns), the members
// those reach through `this.other()` and `super.other()` (inherited and overridden ones as the instance's class has
// them), and the constructors. Lets a table a class keeps from its constructor be the constructing code's read or
// write as the methods it calls make it (knex.ts), not every access the class makes.
import { ts } from 'ts-morph';
import { classOf } from './call-sites.ts';
import { isFunctionLike } from './functions.ts';
import type { LoadedProject } from './project.ts';
import { isStatic, propertyName } from './this-members.ts';
import { reassignedVariable } from './value-key.ts';

/**
 * The members run on the instance `site` makes, its class's and its bases' constructors and field initializers among them;
 * undefined when the instance goes where its uses are not followed: returned, passed on, stored, a variable given
 * another value, a member called that the class does not have, or a reached member that hands `this` itself on
 * (`audit(this)`, `return this`, `this[name]`, `this.constructor`).
 */
export type MembersRun = (site: ts.NewExpression) => ReadonlySet<ts.Node> | undefined;

/** A member reached from another: the class whose member it is (where `super.x` starts looking) and the member. */
interface Reached {
  cls: ts.ClassLikeDeclaration;
  member: ts.ClassElement;
}

export function membersRun(project: LoadedProject): MembersRun {
  const checker = project.checker;
  const memo = new Map<ts.NewExpression, ReadonlySet<ts.Node> | null>();
  const parentMemo = new Map<ts.ClassLikeDeclaration, ts.ClassLikeDeclaration | null>();

  const parentOf = (cls: ts.ClassLikeDeclaration): ts.ClassLikeDeclaration | undefined => {
    let parent = parentMemo.get(cls);
    if (parent === undefined) {
      const base = cls.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword)?.types[0]?.expression;
      parent = (base && classOf(project, base)) || null;
      parentMemo.set(cls, parent);
    }
    return parent ?? undefined;
  };

  /** `name` as an instance of `cls` has it: its own member or the nearest base's (a bodiless overload is no member). */
  const lookup = (cls: ts.ClassLikeDeclaration | undefined, name: string): Reached | undefined => {
    for (let c = cls, depth = 0; c && depth < 10; c = parentOf(c), depth++) {
      const member = c.members.find((m) => !isStatic(m) && m.name !== undefined && propertyName(m.name) === name && (!isFunctionLike(m) || !!(m as ts.FunctionLikeDeclaration).body));
      if (member) return { cls: c, member };
    }
    return undefined;
  };

  /** The members `reached` names through `this.x` and `super.x`, false when it hands `this` on. */
  const reachedFrom = (instance: ts.ClassLikeDeclaration, { cls, member }: Reached): Reached[] | false => {
    const found: Reached[] = [];
    let escapes = false;
    const visit = (n: ts.Node): void => {
      if (escapes || ts.isClassLike(n)) return;
      if (n.kind === ts.SyntaxKind.ThisKeyword || n.kind === ts.SyntaxKind.SuperKeyword) {
        const p = n.parent;
        const name = ts.isPropertyAccessExpression(p) && p.expression === n ? p.name.text : undefined;
        if (name === 'constructor' || (name === undefined && !benignThis(n, member))) escapes = true;
        else if (name !== undefined) {
          const to = lookup(n.kind === ts.SyntaxKind.SuperKeyword ? parentOf(cls) : instance, name);
          if (to) found.push(to);
        }
        return;
      }
      ts.forEachChild(n, visit);
    };
    ts.forEachChild(member, visit);
    return escapes ? false : found;
  };

  const compute = (site: ts.NewExpression): ReadonlySet<ts.Node> | undefined => {
    const instance = classOf(project, site.expression);
    const called = instance && calledNames(site, checker);
    if (!instance || !called) return undefined;
    const run = new Set<ts.Node>();
    const work: Reached[] = [];
    for (const name of called) {
      const to = lookup(instance, name);
      // a field that holds no function: what calling it does is not known
      if (!to || (!isFunctionLike(to.member) && !(ts.isPropertyDeclaration(to.member) && to.member.initializer && isFunctionLike(to.member.initializer)))) return undefined;
      work.push(to);
    }
    // the constructors and the initializers of fields that hold no function run on every instance: what they reach runs too
    for (let c: ts.ClassLikeDeclaration | undefined = instance, depth = 0; c && depth < 10; c = parentOf(c), depth++) {
      for (const m of c.members) if (!isStatic(m) && (ts.isConstructorDeclaration(m) || (ts.isPropertyDeclaration(m) && m.initializer && !isFunctionLike(m.initializer)))) work.push({ cls: c, member: m });
    }
    for (let next = work.pop(); next; next = work.pop()) {
      if (run.has(next.member)) continue;
      run.add(next.member);
      const more = reachedFrom(instance, next);
      if (!more) return undefined;
      work.push(...more);
    }
    return run;
  };

  return (site) => {
    let run = memo.get(site);
    if (run === undefined) memo.set(site, (run = compute(site) ?? null));
    return run ?? undefined;
  };
}

/** Does a chain in `member` run on an instance whose run members are `run` (undefined: any may run)? */
export function runsOn(member: ts.Node | undefined, run: ReadonlySet<ts.Node> | undefined): boolean {
  return !run || !member || run.has(member);
}

/**
 * The names of the methods called on the instance a `new` expression makes, chained on it or on the const/let holding
 * it in its function (or file, not exported); undefined when it is used in any other way.
 */
function calledNames(site: ts.NewExpression, checker: ts.TypeChecker): Set<string> | undefined {
  const holder = skipWrappers(site);
  const direct = calledOn(holder);
  if (direct !== undefined) return new Set([direct]);
  const decl = holder.parent;
  if (!ts.isVariableDeclaration(decl) || decl.initializer !== holder || !ts.isIdentifier(decl.name) || reassignedVariable(decl, checker)) return undefined;
  // `export const svc = new C(…)`: other modules call what they like on it
  const statement = decl.parent.parent;
  if (ts.isVariableStatement(statement) && ts.getModifiers(statement)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) return undefined;
  const symbol = checker.getSymbolAtLocation(decl.name);
  const scope = ts.findAncestor(decl.parent, isFunctionLike) ?? decl.getSourceFile();
  const text = decl.name.text;
  const names = new Set<string>();
  let other = false;
  const visit = (n: ts.Node): void => {
    if (other) return;
    if (ts.isIdentifier(n) && n.text === text && n !== decl.name) {
      const p = n.parent;
      // a member's or a key's own name is no reference; `{ users }` and `export { users }` hand the instance on
      if ((ts.isPropertyAccessExpression(p) && p.name === n) || (ts.isPropertyAssignment(p) && p.name === n) || ((ts.isMethodDeclaration(p) || ts.isPropertyDeclaration(p)) && p.name === n)) return;
      if (ts.isShorthandPropertyAssignment(p) || ts.isExportSpecifier(p)) {
        other = true;
        return;
      }
      if (checker.getSymbolAtLocation(n) !== symbol) return;
      const name = calledOn(skipWrappers(n));
      if (name === undefined) other = true;
      else names.add(name);
      return;
    }
    ts.forEachChild(n, visit);
  };
  visit(scope);
  return other ? undefined : names;
}

/** `x.name(…)` on `x`: the name; undefined for any other use of `x`. */
function calledOn(x: ts.Expression): string | undefined {
  const p = x.parent;
  return ts.isPropertyAccessExpression(p) && p.expression === x && ts.isCallExpression(p.parent) && p.parent.expression === p ? p.name.text : undefined;
}

/** `(x)`, `x!`, `x as T`: the outermost of these around `x`. */
function skipWrappers(x: ts.Expression): ts.Expression {
  let e = x;
  while (ts.isParenthesizedExpression(e.parent) || ts.isNonNullExpression(e.parent) || ts.isAsExpression(e.parent) || ts.isSatisfiesExpression(e.parent)) e = e.parent;
  return e;
}

/** `this` that does not hand the instance on: `super(…)` and a constructor's `return this` (the instance it makes anyway). */
function benignThis(n: ts.Node, member: ts.ClassElement): boolean {
  if (n.kind === ts.SyntaxKind.SuperKeyword) return ts.isCallExpression(n.parent) && n.parent.expression === n;
  return ts.isConstructorDeclaration(member) && ts.isReturnStatement(n.parent) && ts.findAncestor(n, isFunctionLike) === member;
}
