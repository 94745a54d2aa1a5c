// SQL written in string literals, template literals and `+` concatenations, wherever it appears
// (better-sqlite3 prepare/exec, pg query, knex.raw, sequelize.query, prisma.$queryRaw`...`).
import { ts } from 'ts-morph';
import type { AccessCollector } from './access-collector.ts';
import { enclosingFunctionName, lineOf, MODULE_SCOPE } from './functions.ts';
import type { LoadedFile, LoadedProject } from './project.ts';
import { constantHolder, type SqlConstant } from './sql-constants.ts';
import { foreignKeysInSql } from './sql-foreign-keys.ts';
import { looksLikeSql, PLACEHOLDER, tablesInSql } from './sql.ts';
import { stringValue } from './string-value.ts';

function isPlus(node: ts.Node): node is ts.BinaryExpression {
  return ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusToken;
}

function hole(expr: ts.Expression, checker: ts.TypeChecker): string {
  return stringValue(expr, checker) ?? ` ${PLACEHOLDER} `;
}

/** The text of a string-ish expression with run-time parts as placeholders, or undefined if not a string. */
function sqlText(node: ts.Node, checker: ts.TypeChecker): string | undefined {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isTemplateExpression(node)) {
    let out = node.head.text;
    for (const span of node.templateSpans) out += hole(span.expression, checker) + span.literal.text;
    return out;
  }
  if (isPlus(node)) {
    const leaves: ts.Expression[] = [];
    const flatten = (e: ts.Expression): void => {
      if (isPlus(e)) {
        flatten(e.left);
        flatten(e.right);
      } else if (ts.isParenthesizedExpression(e) && isPlus(e.expression)) flatten(e.expression);
      else leaves.push(e);
    };
    flatten(node);
    if (!leaves.some((l) => ts.isStringLiteralLike(l) || ts.isTemplateExpression(l))) return undefined;
    return leaves.map((l) => sqlText(l, checker) ?? hole(l, checker)).join('');
  }
  return undefined;
}

/**
 * A template literal's keys are on the line of their REFERENCES keyword; a quoted string's, or a concatenation's,
 * on the line where the string starts.
 */
function recordForeignKeys(file: LoadedFile, node: ts.Node, text: string, out: AccessCollector): void {
  const line = lineOf(node, file.source);
  const multiline = ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateExpression(node);
  for (const { at, constraint: _constraint, ...key } of foreignKeysInSql(text)) {
    const offset = multiline ? text.slice(0, at).split('\n').length - 1 : 0;
    out.foreignKey({ ...key, file: file.rel, line: line + offset, via: 'sql' });
  }
}

/** Finds SQL in one file; SQL held in module-level constants is handed over in `constants` instead. */
export function scanSqlLiterals(project: LoadedProject, file: LoadedFile, out: AccessCollector, constants: SqlConstant[]): void {
  const checker = project.checker;
  const visit = (node: ts.Node): void => {
    const isString = ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateExpression(node) || (isPlus(node) && !isPlus(node.parent));
    if (isString) {
      const text = sqlText(node, checker);
      if (text !== undefined && looksLikeSql(text)) {
        const { reads, writes, ddl } = tablesInSql(text);
        const holder = enclosingFunctionName(node, file.source) === MODULE_SCOPE ? constantHolder(node) : undefined;
        if (holder && reads.length + writes.length > 0) {
          const tables = [...reads.map((table) => ({ table, access: 'read' as const })), ...writes.map((table) => ({ table, access: 'write' as const }))];
          constants.push({ holder, name: holder.name.getText(file.source).replace(/^['"]|['"]$/g, ''), file, node, tables });
        } else {
          for (const t of reads) out.access(file, node, t, 'read', 'sql');
          for (const t of writes) out.access(file, node, t, 'write', 'sql');
        }
        for (const t of ddl) out.declare({ table: t, file: file.rel, line: lineOf(node, file.source), via: 'sql' });
        if (ddl.length > 0 && /\breferences\b/i.test(text)) recordForeignKeys(file, node, text, out);
        if (reads.length + writes.length + ddl.length > 0) return;
      }
      if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return;
    }
    ts.forEachChild(node, visit);
  };
  visit(file.source);
}
