import type { LoadedProject } from './project.ts';
import type { SchemaTable, TableAccess, Warning } from './types.ts';
export function extractTables(project: LoadedProject): { accesses: TableAccess[]; schema: SchemaTable[]; warnings: Warning[] } {
  void project;
  return { accesses: [], schema: [], warnings: [] };
}
