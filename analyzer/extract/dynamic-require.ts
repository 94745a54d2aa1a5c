// `require('./database/' + name)`: a module picked at run time (by configuration, a plugin's name) from a folder
// written out. The file depends on every source file the written prefix can name, as it loads one of them
// however it is configured; which one is not known statically, so value following reads them all.
import path from 'node:path';
import { ts } from 'ts-morph';
import type { LoadedFile, LoadedProject } from './project.ts';

export interface DynamicRequire {
  /** the specifier as shown: its written parts, `…` for what is made at run time (`'./database/' + …`) */
  shown: string;
  /** the project's source files the written parts can name, sorted by path */
  files: LoadedFile[];
}

/**
 * A `require()` of a relative folder written out and a name made at run time (`'./database/' + name`,
 * `` `./strategies/${name}` ``, `'./x/' + name + '.js'`): the source files directly in that folder whose name
 * begins with what follows the folder and ends with the written suffix, the requiring file left out. A prefix
 * that names no folder (`'./' + name`) reads as any sibling and gives nothing.
 */
export function dynamicRequire(project: LoadedProject, call: ts.CallExpression): DynamicRequire | undefined {
  if (!ts.isIdentifier(call.expression) || call.expression.text !== 'require' || call.arguments.length !== 1) return undefined;
  const parts = writtenParts(call.arguments[0]);
  if (!parts) return undefined;
  const { prefix, suffix } = parts;
  const slash = prefix.lastIndexOf('/');
  if (!prefix.startsWith('.') || slash < 0) return undefined;
  const folderPart = prefix.slice(0, slash);
  if (folderPart.split('/').every((s) => s === '.' || s === '..' || s === '')) return undefined;
  const from = call.getSourceFile().fileName;
  const folder = path.resolve(path.dirname(from), folderPart);
  const lead = prefix.slice(slash + 1);
  const files = project.files
    .filter((f) => {
      const abs = f.source.fileName;
      if (abs === from || path.dirname(abs) !== folder) return false;
      const base = path.basename(abs);
      const stem = base.replace(/\.[^.]+$/, '');
      return stem.startsWith(lead) && (suffix === '' || base.endsWith(suffix) || stem.endsWith(suffix));
    })
    .sort((a, b) => a.rel.localeCompare(b.rel));
  const shown = `'${prefix}' + …${suffix ? ` + '${suffix}'` : ''}`;
  return { shown, files };
}

/** The literal text before and after the run-time part of `'a/' + x + '.js'` or `` `a/${x}.js` ``; undefined when all of it is written. */
function writtenParts(arg: ts.Expression): { prefix: string; suffix: string } | undefined {
  let e = arg;
  while (ts.isParenthesizedExpression(e)) e = e.expression;
  if (ts.isTemplateExpression(e)) {
    const spans = e.templateSpans;
    return { prefix: e.head.text, suffix: spans.length === 1 ? spans[0].literal.text : '' };
  }
  if (!ts.isBinaryExpression(e) || e.operatorToken.kind !== ts.SyntaxKind.PlusToken) return undefined;
  const terms: ts.Expression[] = [];
  const flatten = (x: ts.Expression): void => {
    if (ts.isBinaryExpression(x) && x.operatorToken.kind === ts.SyntaxKind.PlusToken) {
      flatten(x.left);
      flatten(x.right);
    } else terms.push(x);
  };
  flatten(e);
  const literal = (x: ts.Expression): string | undefined => (ts.isStringLiteral(x) || ts.isNoSubstitutionTemplateLiteral(x) ? x.text : undefined);
  const prefix = literal(terms[0]);
  if (prefix === undefined) return undefined;
  // the written prefix, a run-time name, and at most a written suffix
  const last = terms.length > 2 ? literal(terms[terms.length - 1]) : undefined;
  if (terms.length > 3 || (terms.length === 3 && last === undefined)) return undefined;
  if (terms.slice(1, last === undefined ? undefined : -1).some((t) => literal(t) !== undefined)) return undefined;
  return { prefix, suffix: last ?? '' };
}
