// Options objects as the route extractor reads them (Fastify route and register options, koa-router's
// constructor options): an object literal written in place or held by a `const`, and its properties as written.
import { ts } from 'ts-morph';
import type { LoadedProject } from './project.ts';
import { unwrap } from './value-key.ts';

/** An object literal, written in place or held by a `const` (`const opts = { schema }`). */
export function objectLiteralOf(project: LoadedProject, expr: ts.Expression, depth = 0): ts.ObjectLiteralExpression | undefined {
  const e = unwrap(expr);
  if (ts.isObjectLiteralExpression(e)) return e;
  if (!ts.isIdentifier(e) || depth > 2) return undefined;
  const decl = project.checker.getSymbolAtLocation(e)?.valueDeclaration;
  if (!decl || !ts.isVariableDeclaration(decl) || !decl.initializer || !(ts.getCombinedNodeFlags(decl) & ts.NodeFlags.Const)) return undefined;
  return objectLiteralOf(project, decl.initializer, depth + 1);
}

/** A property's value as written: the initializer, the shorthand's identifier, or the method itself (the last one wins). */
export function property(obj: ts.ObjectLiteralExpression, name: string): ts.Expression | ts.MethodDeclaration | undefined {
  let found: ts.Expression | ts.MethodDeclaration | undefined;
  for (const p of obj.properties) {
    const n = p.name && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) ? p.name.text : undefined;
    if (n !== name) continue;
    if (ts.isPropertyAssignment(p)) found = p.initializer;
    else if (ts.isShorthandPropertyAssignment(p)) found = p.name;
    else if (ts.isMethodDeclaration(p)) found = p;
  }
  return found;
}

/** A property holding a value (not a method). */
export function valueProperty(obj: ts.ObjectLiteralExpression, name: string): ts.Expression | undefined {
  const v = property(obj, name);
  return v && !ts.isMethodDeclaration(v) ? v : undefined;
}

/** `{ ...base }`: a spread may bring any property. */
export function hasSpread(obj: ts.ObjectLiteralExpression): boolean {
  return obj.properties.some(ts.isSpreadAssignment);
}
