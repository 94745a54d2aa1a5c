// Nest handlers on Express reach the session through parameter decorators from @nestjs/common:
// `@Session() session` is the session itself, `@Req() req` / `@Request() req` the Express request that
// carries it. A parameter without the decorator is not one, whatever its name or type.
import { ts } from 'ts-morph';
import { nestDecorators, importsNest } from './nest-syntax.ts';
import type { LoadedProject } from './project.ts';

/** `@Session() session`: parameters that hold the session. */
export function sessionParameters(project: LoadedProject): Set<ts.ParameterDeclaration> {
  return decoratedParameters(project, new Set(['Session']));
}

/** `@Req() req`, `@Request() req`: parameters that hold the request. */
export function nestRequestParameters(project: LoadedProject): Set<ts.ParameterDeclaration> {
  return decoratedParameters(project, new Set(['Req', 'Request']));
}

/** A parameter some other Nest decorator fills (`@Body() dto`): never the request, first or not. */
export function isOtherNestParameter(param: ts.ParameterDeclaration, checker: ts.TypeChecker): boolean {
  const names = nestDecorators(param, checker).map((d) => d.name);
  return names.length > 0 && !names.includes('Req') && !names.includes('Request');
}

function decoratedParameters(project: LoadedProject, names: ReadonlySet<string>): Set<ts.ParameterDeclaration> {
  const found = new Set<ts.ParameterDeclaration>();
  for (const file of project.files) {
    if (!importsNest(file.source)) continue;
    const visit = (node: ts.Node): void => {
      if (ts.isParameter(node)) {
        if (nestDecorators(node, project.checker).some((d) => names.has(d.name))) found.add(node);
        return;
      }
      ts.forEachChild(node, visit);
    };
    visit(file.source);
  }
  return found;
}
