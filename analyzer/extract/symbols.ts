// Symbol → declaration through the type checker (imports, aliases, re-exports, require(), members),
// and declaration → function id. The one place that decides whether a reference lands in the
// project, outside it (npm package, runtime), or nowhere known.
import path from 'node:path';
import { ts } from 'ts-morph';
import { comesFromPackage, importSpecifierOf, isBareSpecifier } from './package-values.ts';
import { functionName, isFunctionLike, lineOf, memberName, ownFunctionName } from './functions.ts';
import type { LoadedFile, LoadedProject } from './project.ts';

export interface CodeTarget {
  file: LoadedFile;
  /** name part of the function id */
  name: string;
  line: number;
  /** the declaration the reference landed on */
  decl: ts.Node;
}

export type Target = { kind: 'project'; target: CodeTarget } | { kind: 'external' } | { kind: 'unknown' };

const UNKNOWN: Target = { kind: 'unknown' };
const EXTERNAL: Target = { kind: 'external' };

export function fileOf(project: LoadedProject, node: ts.Node): LoadedFile | undefined {
  return project.byAbs.get(path.normalize(node.getSourceFile().fileName));
}

function resolveAlias(checker: ts.TypeChecker, symbol: ts.Symbol): ts.Symbol {
  return symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
}

function propertyOf(checker: ts.TypeChecker, type: ts.Type, name: string): ts.Symbol | undefined {
  const direct = checker.getPropertyOfType(type, name);
  if (direct || !type.isUnionOrIntersection()) return direct;
  for (const t of type.types) {
    const p = checker.getPropertyOfType(t, name);
    if (p) return p;
  }
  return undefined;
}

/**
 * The symbol of a name, walking `a.b.c` through symbol tables and declared/inferred types of symbols
 * instead of asking the checker for the type of each expression: the latter runs control-flow
 * narrowing at every reference, which dominates on untyped JavaScript (10× slower on real codebases).
 * Narrowing seldom changes which declaration a member resolves to.
 */
function rawSymbol(checker: ts.TypeChecker, node: ts.Node, depth = 0): ts.Symbol | undefined {
  const parent = node.parent;
  if (depth < 8 && parent && ts.isPropertyAccessExpression(parent) && parent.name === node) {
    let base: ts.Expression = parent.expression;
    while (ts.isParenthesizedExpression(base) || ts.isNonNullExpression(base)) base = base.expression;
    let baseType: ts.Type | undefined;
    if (base.kind === ts.SyntaxKind.ThisKeyword) {
      baseType = checker.getTypeAtLocation(base);
    } else if (ts.isIdentifier(base) || ts.isPropertyAccessExpression(base)) {
      const baseSymbol = rawSymbol(checker, ts.isIdentifier(base) ? base : base.name, depth + 1);
      if (!baseSymbol) return undefined;
      const resolved = resolveAlias(checker, baseSymbol);
      if (!resolved.declarations?.length) return undefined; // an import from a package that is not parsed
      baseType = checker.getTypeOfSymbol(resolved);
    }
    if (baseType) return propertyOf(checker, baseType, (node as ts.Identifier).text);
  }
  return checker.getSymbolAtLocation(node);
}

/** The symbol a reference stands for, aliases followed to the end. */
export function symbolOf(project: LoadedProject, node: ts.Node): { symbol?: ts.Symbol; viaExternalImport: boolean } {
  const checker = project.checker;
  const symbol = rawSymbol(checker, node);
  if (!symbol) return { viaExternalImport: comesFromPackage(checker, node) };
  if (symbol.flags & ts.SymbolFlags.Alias) {
    const aliased = checker.getAliasedSymbol(symbol);
    if (aliased.declarations?.length) return { symbol: aliased, viaExternalImport: false };
    const spec = symbol.declarations?.[0] && importSpecifierOf(symbol.declarations[0]);
    return { viaExternalImport: spec !== undefined && isBareSpecifier(spec) };
  }
  const decl = symbol.declarations?.[0];
  const spec = decl && (ts.isVariableDeclaration(decl) || ts.isBindingElement(decl)) ? importSpecifierOf(decl) : undefined;
  if (spec !== undefined && isBareSpecifier(spec)) return { viaExternalImport: true };
  return { symbol, viaExternalImport: false };
}

function unwrap(expr: ts.Expression): ts.Expression {
  while (ts.isParenthesizedExpression(expr) || ts.isAsExpression(expr) || ts.isSatisfiesExpression(expr) || ts.isNonNullExpression(expr)) expr = expr.expression;
  return expr;
}

/** Declaration → the code it names, or undefined when it names no code (a parameter, an interface member). */
export function codeTargetOf(project: LoadedProject, decl: ts.Node): CodeTarget | undefined {
  const file = fileOf(project, decl);
  if (!file) return undefined;
  const source = file.source;
  const make = (name: string, node: ts.Node): CodeTarget => ({ file, name, line: lineOf(node, source), decl: node });
  if (isFunctionLike(decl)) return make(ownFunctionName(decl, source), decl);
  if (ts.isClassDeclaration(decl) || ts.isClassExpression(decl)) return make(decl.name?.text ?? 'default', decl);
  if (ts.isVariableDeclaration(decl) && ts.isIdentifier(decl.name)) {
    const init = decl.initializer && unwrap(decl.initializer);
    if (init && (isFunctionLike(init) || ts.isClassExpression(init))) return make(ownFunctionName(init, source), init);
    return make(decl.name.text, decl);
  }
  if (ts.isPropertyAssignment(decl)) {
    const init = unwrap(decl.initializer);
    if (isFunctionLike(init)) return make(ownFunctionName(init, source), init);
    const name = functionNameOfMember(decl);
    return name ? make(name, decl) : undefined;
  }
  if (ts.isPropertyDeclaration(decl)) {
    const init = decl.initializer && unwrap(decl.initializer);
    if (init && isFunctionLike(init)) return make(ownFunctionName(init, source), init);
    const name = functionNameOfMember(decl);
    return name ? make(name, decl) : undefined;
  }
  if (ts.isBinaryExpression(decl)) {
    const right = unwrap(decl.right);
    if (isFunctionLike(right)) return make(ownFunctionName(right, source), right);
    return undefined;
  }
  if (ts.isPropertyAccessExpression(decl) && ts.isBinaryExpression(decl.parent)) return codeTargetOf(project, decl.parent);
  if (ts.isExportAssignment(decl)) {
    const e = unwrap(decl.expression);
    if (isFunctionLike(e)) return make(ownFunctionName(e, source), e);
    return undefined;
  }
  return undefined;
}

function functionNameOfMember(decl: ts.PropertyAssignment | ts.PropertyDeclaration): string | undefined {
  const n = decl.name;
  if (!(ts.isIdentifier(n) || ts.isStringLiteral(n))) return undefined;
  return functionName(decl) ?? memberName(decl.parent, n.text);
}

/**
 * `res.json()` with `res: Response` from express, `db().prepare()` returning a better-sqlite3 type: in
 * TypeScript, a receiver whose declared type comes from a package the analyzer does not parse has the
 * checker's error type. Such a call goes into that package (external), it is not unknown. Untyped
 * JavaScript receivers are `any`, not the error type, and stay unresolved.
 */
function receiverTypedByUnreadPackage(project: LoadedProject, node: ts.Node): boolean {
  const parent = node.parent;
  if (!project.compilerOptions.noResolve || !parent || !ts.isPropertyAccessExpression(parent) || parent.name !== node) return false;
  if (isJsFile(node.getSourceFile())) return false;
  const type = project.checker.getTypeAtLocation(parent.expression);
  return (type.flags & ts.TypeFlags.Any) !== 0 && (type as { intrinsicName?: string }).intrinsicName === 'error';
}

function isJsFile(source: ts.SourceFile): boolean {
  return /\.[cm]?jsx?$/.test(source.fileName);
}

/** Where a reference (identifier, property name) leads: a declaration in the project, outside, or unknown. */
export function resolveReference(project: LoadedProject, node: ts.Node): Target {
  const { symbol, viaExternalImport } = symbolOf(project, node);
  if (!symbol) return viaExternalImport || receiverTypedByUnreadPackage(project, node) ? EXTERNAL : UNKNOWN;
  const decls = symbol.declarations ?? [];
  if (decls.length === 0) return UNKNOWN;
  let inProject = false;
  for (const raw of decls) {
    let decl: ts.Node = raw;
    if (ts.isShorthandPropertyAssignment(decl)) {
      const value = project.checker.getShorthandAssignmentValueSymbol(decl);
      const valueDecl = value && (value.flags & ts.SymbolFlags.Alias ? project.checker.getAliasedSymbol(value) : value).declarations?.[0];
      if (!valueDecl) continue;
      decl = valueDecl;
    }
    if (!fileOf(project, decl)) continue;
    inProject = true;
    const direct = codeTargetOf(project, decl);
    if (direct && !needsTypeFallback(decl)) return { kind: 'project', target: direct };
    // `const { f } = require('./x')`, `const f = other.f`, `const h = makeHandler()`: follow the value's
    // type to the function it holds (one checker call, only on this path).
    const viaType = functionFromType(project, decl);
    if (viaType) return { kind: 'project', target: viaType };
    if (direct) return { kind: 'project', target: direct };
  }
  return inProject ? UNKNOWN : EXTERNAL;
}

/** The project function an expression names (`fn`, `stores.create`, imported or required too), or undefined. */
export function namedFunction(project: LoadedProject, expr: ts.Expression): ts.SignatureDeclaration | undefined {
  const ref = ts.isIdentifier(expr) ? expr : ts.isPropertyAccessExpression(expr) ? expr.name : undefined;
  const target = ref && resolveReference(project, ref);
  return target?.kind === 'project' && isFunctionLike(target.target.decl) ? target.target.decl : undefined;
}

function needsTypeFallback(decl: ts.Node): boolean {
  if (ts.isBindingElement(decl)) return true;
  // an index object's member holding a module or a value from elsewhere (`{ users: require('./users') }`, Ghost's
  // mappers): the code is the module's, not the index's
  if (ts.isPropertyAssignment(decl)) {
    const init = unwrap(decl.initializer);
    return !isFunctionLike(init) && !ts.isClassExpression(init) && !ts.isObjectLiteralExpression(init);
  }
  if (ts.isVariableDeclaration(decl)) {
    const init = decl.initializer && unwrap(decl.initializer);
    return !!init && !isFunctionLike(init) && !ts.isClassExpression(init) && !ts.isObjectLiteralExpression(init);
  }
  return false;
}

function functionFromType(project: LoadedProject, decl: ts.Node): CodeTarget | undefined {
  const name = (decl as ts.NamedDeclaration).name;
  if (!name) return undefined;
  const type = project.checker.getTypeAtLocation(name);
  const symbol = type.getSymbol();
  for (const d of symbol?.declarations ?? []) {
    if (!isFunctionLike(d) && !ts.isClassDeclaration(d)) continue;
    const target = codeTargetOf(project, d);
    if (target) return target;
  }
  return undefined;
}
