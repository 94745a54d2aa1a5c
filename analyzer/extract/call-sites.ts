// The calls of a project function: found by its name in the files that mention it, confirmed through the type
// checker. Lets a value a helper only receives (a Redis key given to `cached(key, load)`, a table given to a knex
// query helper `findById(table, id)`) be read where the caller makes it.
import { ts } from 'ts-morph';
import { isFunctionLike } from './functions.ts';
import type { LoadedFile, LoadedProject } from './project.ts';
import { resolveReference } from './symbols.ts';
import { unwrap } from './value-key.ts';

export interface CallSite {
  call: ts.CallExpression;
  /** the callee's name as written: where the call is */
  callee: ts.Node;
  file: LoadedFile;
}

export type CallSites = (fn: ts.SignatureDeclaration) => CallSite[];

export function callSites(project: LoadedProject): CallSites {
  const memo = new Map<ts.Node, CallSite[]>();
  return (fn) => {
    let sites = memo.get(fn);
    if (!sites) {
      sites = findCalls(project, fn);
      memo.set(fn, sites);
    }
    return sites;
  };
}

function findCalls(project: LoadedProject, fn: ts.SignatureDeclaration): CallSite[] {
  const name = nameOf(fn);
  if (!name) return [];
  const mentions = new RegExp(`\\b${name.replace(/\$/g, '\\$')}\\b`);
  const out: CallSite[] = [];
  for (const file of project.files) {
    if (!mentions.test(file.source.text)) continue;
    const visit = (node: ts.Node): void => {
      if (ts.isCallExpression(node)) {
        const callee = unwrap(node.expression);
        const nameNode = ts.isIdentifier(callee) ? callee : ts.isPropertyAccessExpression(callee) ? callee.name : undefined;
        if (nameNode && nameNode.text === name) {
          const target = resolveReference(project, nameNode);
          if (target.kind === 'project' && target.target.decl === fn) out.push({ call: node, callee: nameNode, file });
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(file.source);
  }
  return out;
}

/** The name a function is called by: its own, or the variable, property or member holding it. */
function nameOf(fn: ts.SignatureDeclaration): string | undefined {
  if ((ts.isFunctionDeclaration(fn) || ts.isMethodDeclaration(fn)) && fn.name && ts.isIdentifier(fn.name)) return fn.name.text;
  let parent = fn.parent;
  while (parent && (ts.isParenthesizedExpression(parent) || ts.isAsExpression(parent) || ts.isSatisfiesExpression(parent))) parent = parent.parent;
  if (isFunctionLike(fn) && parent && (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) && ts.isIdentifier(parent.name)) {
    return parent.name.text;
  }
  return undefined;
}

/** `redis.get(key)` in `function cached(key, …)`, `knex(table)` in `function findById(table, id)`: the helper's parameter the whole value is. */
export function wholeParameter(value: ts.Expression, checker: ts.TypeChecker): (ts.ParameterDeclaration & { parent: ts.SignatureDeclaration }) | undefined {
  const e = unwrap(value);
  if (!ts.isIdentifier(e)) return undefined;
  const decl = checker.getSymbolAtLocation(e)?.valueDeclaration;
  if (!decl || !ts.isParameter(decl) || decl.dotDotDotToken || !ts.isIdentifier(decl.name) || !isFunctionLike(decl.parent)) return undefined;
  return decl as ts.ParameterDeclaration & { parent: ts.SignatureDeclaration };
}
