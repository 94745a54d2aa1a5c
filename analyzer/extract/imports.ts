// File → file import edges: static imports, re-exports, import(), require() and `import x = require()`.
// Purely syntactic (no type checker); specifiers are resolved with the project's module resolution.
import { ts } from 'ts-morph';
import type { LoadedFile, LoadedProject } from './project.ts';
import { dynamicRequire } from './dynamic-require.ts';
import { resolveSpecifier } from './resolve.ts';
import type { ImportEdge, ImportKind, Warning } from './types.ts';

export interface FileImports {
  edges: ImportEdge[];
  externals: string[];
  warnings: Warning[];
}

interface RawImport {
  specifier: string;
  /** a `require()` of a folder written out and a name made at run time: the files it can load */
  candidates?: LoadedFile[];
  kind: ImportKind;
  typeOnly: boolean;
  node: ts.Node;
}

function literalText(node: ts.Node | undefined): string | undefined {
  if (node && (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node))) return node.text;
  return undefined;
}

function importIsTypeOnly(decl: ts.ImportDeclaration): boolean {
  const clause = decl.importClause;
  if (!clause) return false; // side-effect import
  if (clause.isTypeOnly) return true;
  if (clause.name) return false;
  const bindings = clause.namedBindings;
  if (!bindings || ts.isNamespaceImport(bindings)) return false;
  return bindings.elements.length > 0 && bindings.elements.every((e) => e.isTypeOnly);
}

function exportIsTypeOnly(decl: ts.ExportDeclaration): boolean {
  if (decl.isTypeOnly) return true;
  const clause = decl.exportClause;
  return !!clause && ts.isNamedExports(clause) && clause.elements.length > 0 && clause.elements.every((e) => e.isTypeOnly);
}

/** `require('x')` (also `require.resolve` is not a dependency and is left out) */
export function requireSpecifier(node: ts.CallExpression): string | undefined {
  if (ts.isIdentifier(node.expression) && node.expression.text === 'require' && node.arguments.length === 1) {
    return literalText(node.arguments[0]);
  }
  return undefined;
}

function collect(project: LoadedProject, source: ts.SourceFile): RawImport[] {
  const found: RawImport[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      const specifier = literalText(node.moduleSpecifier);
      if (specifier !== undefined) found.push({ specifier, kind: 'static', typeOnly: importIsTypeOnly(node), node });
      return;
    }
    if (ts.isExportDeclaration(node)) {
      const specifier = literalText(node.moduleSpecifier);
      if (specifier !== undefined) found.push({ specifier, kind: 're-export', typeOnly: exportIsTypeOnly(node), node });
      return;
    }
    if (ts.isImportEqualsDeclaration(node)) {
      const ref = node.moduleReference;
      if (ts.isExternalModuleReference(ref)) {
        const specifier = literalText(ref.expression);
        if (specifier !== undefined) found.push({ specifier, kind: 'require', typeOnly: node.isTypeOnly, node });
      }
      return;
    }
    if (ts.isCallExpression(node)) {
      if (node.expression.kind === ts.SyntaxKind.ImportKeyword) {
        const specifier = literalText(node.arguments[0]);
        if (specifier !== undefined) found.push({ specifier, kind: 'dynamic', typeOnly: false, node });
      } else {
        const specifier = requireSpecifier(node);
        if (specifier !== undefined) found.push({ specifier, kind: 'require', typeOnly: false, node });
        else if (node.arguments.length === 1 && !ts.isStringLiteralLike(node.arguments[0])) {
          const dynamic = dynamicRequire(project, node);
          if (dynamic) found.push({ specifier: dynamic.shown, candidates: dynamic.files, kind: 'require', typeOnly: false, node });
        }
      }
    }
    if (ts.isImportTypeNode(node)) {
      // `import('./x').Foo` in a type position: a type-only dependency
      const arg = node.argument;
      const specifier = ts.isLiteralTypeNode(arg) ? literalText(arg.literal) : undefined;
      if (specifier !== undefined) found.push({ specifier, kind: 'static', typeOnly: true, node });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

export function extractImports(project: LoadedProject, file: LoadedFile): FileImports {
  const edges: ImportEdge[] = [];
  const externals = new Set<string>();
  const warnings: Warning[] = [];
  const source = file.source;
  for (const raw of collect(project, source)) {
    if (raw.candidates) {
      const line = source.getLineAndCharacterOfPosition(raw.node.getStart(source)).line + 1;
      for (const to of raw.candidates) edges.push({ from: file.rel, to: to.rel, kind: raw.kind, typeOnly: false, specifier: raw.specifier, line });
      if (raw.candidates.length === 0) warnings.push({ file: file.rel, message: `${file.rel}:${line}: cannot resolve ${raw.specifier}: no source file there matches` });
      continue;
    }
    const mode = raw.kind === 'require' ? ts.ModuleKind.CommonJS : ts.ModuleKind.ESNext;
    const resolution = resolveSpecifier(project, raw.specifier, source.fileName, mode);
    const line = source.getLineAndCharacterOfPosition(raw.node.getStart(source)).line + 1;
    switch (resolution.kind) {
      case 'file':
        edges.push({ from: file.rel, to: resolution.file.rel, kind: raw.kind, typeOnly: raw.typeOnly, specifier: raw.specifier, line });
        break;
      case 'external':
        externals.add(resolution.packageName);
        break;
      case 'unresolved':
        warnings.push({ file: file.rel, message: `${file.rel}:${line}: cannot resolve '${raw.specifier}'` });
        break;
      default:
        break;
    }
  }
  return { edges, externals: [...externals].sort(), warnings };
}
