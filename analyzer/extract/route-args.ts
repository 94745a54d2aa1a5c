// What the arguments of a route registration mean: the path or paths (static values only), whether an
// argument can be a request handler at all, and the handler's function id.
import { ts } from 'ts-morph';
import { calleeName, exprName } from './express-syntax.ts';
import { isFunctionLike, lineOf, ownFunctionName } from './functions.ts';
import { chainMember, projectMember } from './handler-member.ts';
import type { LoadedProject } from './project.ts';
import { stringValue } from './string-value.ts';
import { fileOf, namedFunction, resolveReference, symbolOf } from './symbols.ts';
import { unwrap } from './value-key.ts';
import type { HandlerRef } from './types.ts';

/** The handler's function id: inline, a named declaration, a factory's, or unresolved (as written). */
export function handlerRef(project: LoadedProject, arg: ts.Expression, source: ts.SourceFile): HandlerRef {
  const e = unwrap(arg);
  if (isFunctionLike(e)) return { kind: 'inline', file: fileOf(project, e)?.rel, name: ownFunctionName(e, source), line: lineOf(e, source) };
  if (ts.isCallExpression(e)) {
    // this.list.bind(this): the handler is the bound function
    const callee = e.expression;
    if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'bind') return handlerRef(project, callee.expression, source);
    // asyncHandler(async (req, res) => …): the code that handles the request is the inline function
    const inline = e.arguments.find((a) => isFunctionLike(unwrap(a)));
    if (inline) return handlerRef(project, inline, source);
    // catchErrors(stores.create), asyncHandler(users.lookup): a wrapper given a function of the project; the code
    // that handles the request is that function (a factory given data, makeGetHandler('books'), stays a factory)
    const wrapped = e.arguments.find((a) => namedFunction(project, unwrap(a)) !== undefined);
    if (wrapped) return handlerRef(project, wrapped, source);
    // http(api.posts.browse): a package's wrapper given a member of a project object (Ghost's controllers, objects
    // whose members are configurations); the project code that handles the request is that member
    const wrapper = calleeName(e);
    const member = wrapper && resolveReference(project, wrapper).kind === 'external' ? e.arguments.map((a) => projectMember(project, a)).find((m) => m !== undefined) : undefined;
    if (member) return { kind: 'named', file: member.file.rel, name: member.name, line: member.line };
  }
  // controllers['list'], controllers[NAME] with a const string: the member, as `controllers.list` would be
  const member = ts.isElementAccessExpression(e) ? chainMember(project, e) : undefined;
  if (member) return { kind: 'named', file: member.file.rel, name: member.name, line: member.line };
  const ref = ts.isIdentifier(e) ? e : ts.isPropertyAccessExpression(e) ? e.name : ts.isCallExpression(e) ? calleeName(e) : undefined;
  const held = ref && !ts.isCallExpression(e) ? heldWrappedFunction(project, ref) : undefined;
  if (held) {
    const heldSource = held.getSourceFile();
    return { kind: 'named', file: fileOf(project, held)?.rel, name: ownFunctionName(held, heldSource), line: lineOf(held, heldSource) };
  }
  const target = ref ? resolveReference(project, ref) : undefined;
  if (target?.kind === 'project') {
    const t = target.target;
    return { kind: ts.isCallExpression(e) ? 'factory' : 'named', file: t.file.rel, name: t.name, line: t.line };
  }
  return { kind: 'unresolved', name: exprName(e) };
}

/**
 * `const list = asyncHandler(async (req, res) => …)`, `export default wrap(function (req, res) { … })`: the function a
 * const (or a default export) holds is what a call of a wrapper returns; the code that handles the request is the
 * function written in that call, not the wrapper's (which the checker's type of the const leads to).
 */
function heldWrappedFunction(project: LoadedProject, ref: ts.Node): ts.SignatureDeclaration | undefined {
  const decl = symbolOf(project, ref).symbol?.valueDeclaration;
  if (!decl || !fileOf(project, decl)) return undefined;
  const held = ts.isVariableDeclaration(decl) && ts.isVariableDeclarationList(decl.parent) && decl.parent.flags & ts.NodeFlags.Const ? decl.initializer : ts.isExportAssignment(decl) ? decl.expression : undefined;
  const call = held && unwrap(held);
  if (!call || !ts.isCallExpression(call)) return undefined;
  // this.list.bind(this) is the bound function, which the reference leads to already
  if (ts.isPropertyAccessExpression(call.expression) && call.expression.name.text === 'bind') return undefined;
  const inline = call.arguments.map((a) => unwrap(a)).find(isFunctionLike);
  return inline as ts.SignatureDeclaration | undefined;
}

/** Is this argument plausibly a request handler (and not, say, axios.post's body)? */
export function plausibleHandler(project: LoadedProject, arg: ts.Expression): boolean {
  const e = unwrap(arg);
  if (isFunctionLike(e) || ts.isCallExpression(e)) return true;
  // `ctrl['list']`: a member named by a string known statically, like `ctrl.list`
  if (ts.isElementAccessExpression(e)) return stringValue(e.argumentExpression, project.checker) !== undefined;
  if (!(ts.isIdentifier(e) || ts.isPropertyAccessExpression(e))) return false;
  const { symbol } = symbolOf(project, ts.isIdentifier(e) ? e : e.name);
  const decl = symbol?.valueDeclaration;
  if (decl && ts.isVariableDeclaration(decl) && decl.initializer) {
    const init = unwrap(decl.initializer);
    return !(ts.isObjectLiteralExpression(init) || ts.isArrayLiteralExpression(init) || ts.isLiteralExpression(init) || ts.isTemplateExpression(init));
  }
  return true;
}

/** The paths a path argument stands for (an array gives several), or why they are not known statically. */
export function pathsOf(project: LoadedProject, arg: ts.Expression): { paths?: string[]; reason: string } {
  const e = unwrap(arg);
  if (ts.isArrayLiteralExpression(e)) {
    const paths: string[] = [];
    for (const el of e.elements) {
      const v = stringValue(el, project.checker);
      if (v === undefined) return { reason: ts.isRegularExpressionLiteral(el) ? 'regular expression path' : 'path built at run time' };
      paths.push(v);
    }
    return { paths, reason: '' };
  }
  if (ts.isRegularExpressionLiteral(e)) return { reason: 'regular expression path' };
  const v = stringValue(e, project.checker);
  return v === undefined ? { reason: 'path built at run time' } : { paths: [v], reason: '' };
}
