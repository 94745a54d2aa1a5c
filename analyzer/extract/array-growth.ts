// What an array held by a variable holds when a loop goes over it: the literal it starts as, then the push()es (and
// unshift()es) written in the variable's own function before the loop. A push that runs an unknown number of times (in
// a loop, in a function of its own) is not counted, and an array emptied, reordered or assigned again is not known.
import { ts } from 'ts-morph';
import type { LoadedProject } from './project.ts';
import { isAssignment } from './value-key.ts';

/** The calls that grow an array, in the order written. */
export interface ArrayGrowth {
  /** push() (at the end) and unshift() (at the front) made once, in the variable's own function */
  calls: { call: ts.CallExpression; front: boolean }[];
  /** push()es that run an unknown number of times: their elements are not known statically */
  uncounted: ts.CallExpression[];
  /** emptied (`length = 0`, `splice`, `pop`, …) or assigned again: what it holds is not known */
  changed: boolean;
}

const ADDS = new Set(['push', 'unshift']);
const CHANGES = new Set(['pop', 'shift', 'splice', 'reverse', 'sort', 'fill', 'copyWithin']);
const NONE: ArrayGrowth = { calls: [], uncounted: [], changed: false };

const cache = new WeakMap<ts.VariableDeclaration, ArrayGrowth>();

/** How the array a variable is declared with is grown in the file declaring it (other files are not looked at). */
export function arrayGrowth(project: LoadedProject, decl: ts.VariableDeclaration): ArrayGrowth {
  const known = cache.get(decl);
  if (known) return known;
  const growth = readGrowth(project, decl);
  cache.set(decl, growth);
  return growth;
}

function readGrowth(project: LoadedProject, decl: ts.VariableDeclaration): ArrayGrowth {
  if (!ts.isIdentifier(decl.name)) return NONE;
  const name = decl.name.text;
  const symbol = project.checker.getSymbolAtLocation(decl.name);
  // a file that never writes `name.` nor assigns `name` leaves the literal as it is: skip the walk
  const text = decl.getSourceFile().text;
  if (!symbol || !text.includes(`${name}.`) && !text.includes(`${name} =`) && !text.includes(`${name}=`)) return NONE;
  const scope = scopeOf(decl);
  const growth: ArrayGrowth = { calls: [], uncounted: [], changed: false };
  const visit = (n: ts.Node): void => {
    if (growth.changed) return;
    if (ts.isIdentifier(n) && n.text === name && n !== decl.name && project.checker.getSymbolAtLocation(n) === symbol) use(n);
    ts.forEachChild(n, visit);
  };
  const use = (ref: ts.Identifier): void => {
    const parent = ref.parent;
    if (ts.isBinaryExpression(parent) && parent.left === ref && isAssignment(parent.operatorToken.kind)) {
      growth.changed = true;
    } else if (ts.isPropertyAccessExpression(parent) && parent.expression === ref) {
      const member = parent.name.text;
      const call = ts.isCallExpression(parent.parent) && parent.parent.expression === parent ? parent.parent : undefined;
      if (member === 'length' && ts.isBinaryExpression(parent.parent) && parent.parent.left === parent && isAssignment(parent.parent.operatorToken.kind)) growth.changed = true;
      else if (call && CHANGES.has(member)) growth.changed = true;
      else if (call && ADDS.has(member)) {
        const once = runsOnce(call, scope) && !call.arguments.some(ts.isSpreadElement);
        if (once) growth.calls.push({ call, front: member === 'unshift' });
        else growth.uncounted.push(call);
      }
    }
  };
  visit(decl.getSourceFile());
  return growth;
}

/** The calls that grew an array before a loop went over it: those written after the loop in the loop's own function do not count. */
export function grownBefore(growth: ArrayGrowth, decl: ts.VariableDeclaration, loop: ts.Node): ArrayGrowth {
  if (growth.calls.length === 0 && growth.uncounted.length === 0) return growth;
  const same = scopeOf(loop) === scopeOf(decl);
  const before = (call: ts.Node): boolean => !same || call.getStart() < loop.getStart();
  return { calls: growth.calls.filter(({ call }) => before(call)), uncounted: growth.uncounted.filter(before), changed: growth.changed };
}

/** A call made once each time the variable's function runs: no loop and no function of its own between them. */
function runsOnce(call: ts.Node, scope: ts.Node): boolean {
  for (let n = call.parent; n && n !== scope; n = n.parent) {
    if (ts.isIterationStatement(n, false) || isFunction(n)) return false;
  }
  return true;
}

/** Why a push() is not counted: what it is written in that may run it any number of times. */
export function uncountedWhy(call: ts.Node): string {
  for (let n = call.parent; n; n = n.parent) {
    if (ts.isIterationStatement(n, false)) return 'in a loop';
    if (isFunction(n)) return 'in a function of its own';
  }
  return 'in a loop';
}

/** The function (or file) a node is written in. */
function scopeOf(node: ts.Node): ts.Node {
  let n = node.parent;
  while (n && !isFunction(n) && !ts.isSourceFile(n)) n = n.parent;
  return n ?? node.getSourceFile();
}

function isFunction(n: ts.Node): boolean {
  return ts.isFunctionDeclaration(n) || ts.isFunctionExpression(n) || ts.isArrowFunction(n) || ts.isMethodDeclaration(n) || ts.isConstructorDeclaration(n) || ts.isGetAccessor(n) || ts.isSetAccessor(n);
}

