import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../legacy-monolith/', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(full);
    return /\.(ts|js|mjs|cjs)$/.test(e.name) ? [relative(root, full).split(sep).join('/')] : [];
  });
}

test('reference-decomposition.json maps every monolith source file, and only those, to a context', () => {
  const mapping = JSON.parse(readFileSync(join(root, 'reference-decomposition.json'), 'utf8')) as Record<string, string>;
  assert.deepEqual(Object.keys(mapping).sort(), sourceFiles(root).sort());
  const contexts = new Set(Object.values(mapping));
  for (const c of ['catalog', 'inventory', 'reviews']) assert.ok(contexts.has(c), `no ${c} context`);
  assert.ok(Object.values(mapping).every((c) => /^[a-z]+$/.test(c)));
});
