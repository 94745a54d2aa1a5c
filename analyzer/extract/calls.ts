// Function → function call edges across files, resolved through the type checker. A call whose target
// cannot be found is counted as unresolved, never guessed; calls into packages or the runtime are
// counted as external. A project function handed to a method that calls it back (`p.then(saveUser)`,
// `emitter.on('x', handler)`, `rows.reduce(addTotal, 0)`, `list.forEach(index)`: callback-calls.ts) is a call of it
// from the function handing it, once.
import { ts } from 'ts-morph';
import { callbacksGiven } from './callback-calls.ts';
import { enclosingFunctionName, isFunctionLike } from './functions.ts';
import type { LoadedFile, LoadedProject } from './project.ts';
import { resolveReference, type CodeTarget } from './symbols.ts';

export interface CallTally {
  /** "<fromId>\0<toId>\0<fromFile>\0<toFile>" → count, for cross-file calls */
  edges: Map<string, number>;
  resolved: number;
  unresolved: number;
  external: number;
}

export function newCallTally(): CallTally {
  return { edges: new Map(), resolved: 0, unresolved: 0, external: 0 };
}

/** The node naming the callee: `f` in f(), `m` in a.b.m(), `X` in new X(). */
function calleeNameNode(expr: ts.Expression): ts.Node | undefined {
  while (ts.isParenthesizedExpression(expr) || ts.isNonNullExpression(expr)) expr = expr.expression;
  if (ts.isIdentifier(expr)) return expr;
  if (ts.isPropertyAccessExpression(expr)) return expr.name;
  if (ts.isElementAccessExpression(expr) && ts.isStringLiteralLike(expr.argumentExpression)) return expr.argumentExpression;
  return undefined;
}

function isRequireOrImport(call: ts.CallExpression): boolean {
  const e = call.expression;
  return e.kind === ts.SyntaxKind.ImportKeyword || e.kind === ts.SyntaxKind.SuperKeyword || (ts.isIdentifier(e) && e.text === 'require');
}

export function extractCalls(project: LoadedProject, file: LoadedFile, tally: CallTally): void {
  const source = file.source;
  const called = (node: ts.Node, target: { target: CodeTarget }): void => {
    tally.resolved++;
    const to = target.target;
    if (to.file !== file) {
      const from = enclosingFunctionName(node, source);
      const key = `${file.rel}#${from}\0${to.file.rel}#${to.name}\0${file.rel}\0${to.file.rel}`;
      tally.edges.set(key, (tally.edges.get(key) ?? 0) + 1);
    }
  };
  const visit = (node: ts.Node): void => {
    if ((ts.isCallExpression(node) && !isRequireOrImport(node)) || ts.isNewExpression(node)) {
      const nameNode = calleeNameNode(node.expression);
      const target = nameNode ? resolveReference(project, nameNode) : { kind: 'unknown' as const };
      if (target.kind === 'project') {
        called(node, target);
      } else if (target.kind === 'external') {
        tally.external++;
      } else {
        tally.unresolved++;
      }
      const callbacks = ts.isCallExpression(node) ? callbacksGiven(project, node) : undefined;
      for (const fn of callbacks?.fns ?? []) {
        const name = calleeNameNode(fn);
        const given = name && resolveReference(project, name);
        // `async.map(uids, …)` is no array's map: its first argument is data, not a function
        if (given?.kind === 'project' && isFunctionLike(given.target.decl)) called(node, given);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
}
