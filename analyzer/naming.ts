// Names services after what they hold — the dominant folder, else the dominant route prefix, else the table they
// write most — so a plan says "catalog", not "cluster-3".
import type { Facts, TableAccess } from './extract/types.ts';
import { appSegments, argmax, compare, routeOwnerFile, routePrefix } from './graph.ts';
import { domainWords, slug } from './vocabulary.ts';

export { slug };

/**
 * A file's domain label: its deepest non-generic folder, else its own name when that is not generic. Generic words
 * inside a name are dropped too: `tags-controller.ts`, `BooksController.ts` and `books-module/` say `tags`, `books`.
 */
export function folderLabel(path: string): string | undefined {
  const parts = path.split('/');
  // `books.routes.ts` → `books`
  const stem = parts.pop()!.split('.')[0];
  for (let i = parts.length - 1; i >= 0; i--) {
    const segment = routingOnly(parts[i]) ? undefined : domainWords(parts[i]);
    if (segment) return segment;
  }
  return routingOnly(stem) ? undefined : domainWords(stem);
}

/** Next.js file-system routing names a parameter or a slot, not a domain: `[id]`, `[...slug]`, `@modal`. */
function routingOnly(name: string): boolean {
  return /^\[.*\]$/.test(name) || name.startsWith('@');
}

/** What a table says about its owner: a Redis key prefix without the `redis:` that marks it (`redis:cart:` → `cart:`). */
function tableName(access: TableAccess): string {
  return access.via === 'redis' ? access.table.replace(/^redis:/, '') : access.table;
}

/** Every domain label on a file's folder path, outermost first (`core/frontend/services/routing/x.js` → frontend, routing). */
function pathLabels(path: string): string[] {
  const parts = path.split('/');
  parts.pop();
  const out: string[] = [];
  for (const part of parts) {
    const label = routingOnly(part) ? undefined : domainWords(part);
    if (label && !out.includes(label)) out.push(label);
  }
  return out;
}

/** How many of the codebase's files each folder label is on the path of. */
const labelSpreadCache = new WeakMap<Facts, Map<string, number>>();
function labelSpread(facts: Facts): Map<string, number> {
  let spread = labelSpreadCache.get(facts);
  if (!spread) {
    spread = new Map();
    for (const f of facts.files) for (const label of pathLabels(f.path)) spread.set(label, (spread.get(label) ?? 0) + 1);
    labelSpreadCache.set(facts, spread);
  }
  return spread;
}

/**
 * A folder label on the path of at least half the group's files, but of at most a third of the codebase's (a label
 * every file has, the app's own folder, names nothing); the most files, then the fewest in the codebase.
 */
function enclosingLabel(files: readonly string[], facts: Facts): string | undefined {
  const counts = new Map<string, number>();
  for (const f of files) for (const label of pathLabels(f)) counts.set(label, (counts.get(label) ?? 0) + 1);
  const spread = labelSpread(facts);
  let best: string | undefined;
  for (const [label, n] of [...counts].sort((a, b) => compare(a[0], b[0]))) {
    if (n * 2 < files.length || (spread.get(label) ?? 0) * 3 > facts.files.length) continue;
    if (best === undefined || n > counts.get(best)! || (n === counts.get(best)! && spread.get(label)! < spread.get(best)!)) best = label;
  }
  return best;
}

/** Ranked name candidates for a group of files, best first. */
export function nameCandidates(files: readonly string[], facts: Facts): string[] {
  const inGroup = new Set(files);
  const out: string[] = [];
  const folders = new Map<string, number>();
  for (const f of files) {
    const label = folderLabel(f);
    if (label) folders.set(label, (folders.get(label) ?? 0) + 1);
  }
  const prefixes = new Map<string, number>();
  const shared = appSegments(facts.routes);
  for (const route of facts.routes) {
    const prefix = routePrefix(route.path, shared);
    if (prefix && inGroup.has(routeOwnerFile(route))) prefixes.set(slug(prefix), (prefixes.get(slug(prefix)) ?? 0) + 1);
  }
  const tables = new Map<string, number>();
  for (const access of facts.tables) {
    // writing the session (logging in) names no service: every service with handlers touches it
    if (access.access !== 'write' || access.via === 'session' || !inGroup.has(access.file)) continue;
    const name = slug(tableName(access));
    tables.set(name, (tables.get(name) ?? 0) + 1);
  }
  const folder = folders.size > 0 ? argmax(folders) : undefined;
  const prefix = prefixes.size > 0 ? argmax(prefixes) : undefined;
  const table = tables.size > 0 ? argmax(tables) : undefined;
  // a folder that labels at least half the files is the clearest name; then a folder above them that holds at least
  // half (Ghost's theme rendering: `frontend/helpers/`, `frontend/services/routing/`, `frontend/meta/`), as long as no
  // more than a third of the codebase is under it; otherwise what the routes say
  if (folder && folders.get(folder)! * 2 >= files.length) out.push(folder);
  const above = enclosingLabel(files, facts);
  if (above) out.push(above);
  if (prefix) out.push(prefix);
  if (folder) out.push(folder);
  if (table) out.push(table);
  for (const [label] of [...folders].sort((a, b) => b[1] - a[1] || compare(a[0], b[0]))) out.push(label);
  return [...new Set(out.filter((n) => n.length > 0))];
}

/**
 * Gives every group a unique name. Groups are served largest first so the biggest claimant of a name keeps it;
 * `fixed` names (pins) are reserved up front. A group with no free candidate gets `<best>-2`, `<best>-3`, ...
 */
export function nameGroups(
  groups: ReadonlyArray<{ key: string; files: string[]; fixed?: string }>,
  facts: Facts,
  reserved: readonly string[] = [],
): Map<string, string> {
  const taken = new Set<string>(reserved);
  const out = new Map<string, string>();
  for (const g of groups) if (g.fixed) {
    out.set(g.key, g.fixed);
    taken.add(g.fixed);
  }
  const ordered = groups
    .filter((g) => !g.fixed)
    .sort((a, b) => b.files.length - a.files.length || compare(a.files[0] ?? '', b.files[0] ?? ''));
  for (const g of ordered) {
    const candidates = nameCandidates(g.files, facts);
    let name = candidates.find((c) => !taken.has(c));
    if (!name) {
      const base = candidates[0] ?? 'service';
      for (let i = 2; !name; i++) if (!taken.has(`${base}-${i}`)) name = `${base}-${i}`;
    }
    taken.add(name);
    out.set(g.key, name);
  }
  return out;
}
