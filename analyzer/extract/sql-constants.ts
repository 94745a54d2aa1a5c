// SQL kept in module-level constants (`const FIND_BOOK = 'SELECT …'`, `const Q = { find: 'SELECT …' }`)
// is attributed to the functions that use the constant — in its file or in any file importing it —
// rather than to the module that holds the string. A constant nobody visibly uses stays at "<module>".
import { ts } from 'ts-morph';
import type { AccessCollector } from './access-collector.ts';
import type { LoadedFile, LoadedProject } from './project.ts';
import { symbolOf } from './symbols.ts';
import type { TableAccess, Warning } from './types.ts';
import { guarded } from './guard.ts';

export interface SqlConstant {
  /** the declaration holding the SQL: a const variable or a property of a const object */
  holder: ts.VariableDeclaration | ts.PropertyAssignment;
  name: string;
  file: LoadedFile;
  node: ts.Node;
  tables: { table: string; access: TableAccess['access'] }[];
}

/** The module-level constant a SQL string is the value of, if it is one. */
export function constantHolder(node: ts.Node): SqlConstant['holder'] | undefined {
  let parent = node.parent;
  while (ts.isParenthesizedExpression(parent) || ts.isAsExpression(parent) || ts.isSatisfiesExpression(parent)) parent = parent.parent;
  if (ts.isPropertyAssignment(parent) && (ts.isIdentifier(parent.name) || ts.isStringLiteral(parent.name))) {
    const obj = parent.parent;
    let owner = obj.parent;
    while (ts.isAsExpression(owner) || ts.isSatisfiesExpression(owner)) owner = owner.parent;
    return ts.isVariableDeclaration(owner) && isConst(owner) ? parent : undefined;
  }
  return ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name) && isConst(parent) ? parent : undefined;
}

function isConst(decl: ts.VariableDeclaration): boolean {
  return (ts.getCombinedNodeFlags(decl) & ts.NodeFlags.Const) !== 0;
}

export function attributeSqlConstants(project: LoadedProject, constants: SqlConstant[], out: AccessCollector, warnings: Warning[]): void {
  if (constants.length === 0) return;
  const byName = new Map<string, SqlConstant[]>();
  for (const c of constants) byName.set(c.name, [...(byName.get(c.name) ?? []), c]);
  const used = new Set<SqlConstant>();
  for (const file of project.files) {
    const visit = (node: ts.Node): void => {
      if (ts.isIdentifier(node) && byName.has(node.text) && !isDeclarationName(node)) {
        const { symbol } = symbolOf(project, node);
        const decls = symbol?.declarations ?? [];
        for (const c of byName.get(node.text) ?? []) {
          if (!decls.includes(c.holder)) continue;
          used.add(c);
          for (const t of c.tables) out.access(file, node, t.table, t.access, 'sql');
        }
      }
      ts.forEachChild(node, visit);
    };
    guarded(file, warnings, 'SQL constants', () => visit(file.source));
  }
  for (const c of constants) {
    if (used.has(c)) continue;
    for (const t of c.tables) out.access(c.file, c.node, t.table, t.access, 'sql');
  }
}

/** Names that declare, import, re-export or re-bind the constant are not uses of it. */
function isDeclarationName(node: ts.Identifier): boolean {
  const p = node.parent;
  if (ts.isImportSpecifier(p) || ts.isImportClause(p) || ts.isExportSpecifier(p) || ts.isShorthandPropertyAssignment(p)) return true;
  return (ts.isVariableDeclaration(p) || ts.isPropertyAssignment(p) || ts.isBindingElement(p)) && (p.name === node || ('propertyName' in p && p.propertyName === node));
}
