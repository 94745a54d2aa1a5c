// The installed command (package.json "bin": bin/strangler.mjs) runs from any folder: bin/strangler.ts's shebang
// (`--import tsx`) resolves tsx from the working directory, so outside the clone it died with ERR_MODULE_NOT_FOUND.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/strangler.mjs', import.meta.url));
const FIXTURE = fileURLToPath(new URL('../fixtures/cjs-routes', import.meta.url));
const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { bin: Record<string, string>; version: string };

describe('the installed strangler command', () => {
  test('package.json names the launcher as the bin', () => {
    assert.equal(pkg.bin.strangler, 'bin/strangler.mjs');
  });

  test('runs a verb from a folder outside the clone, with the serving V8 flags on its shebang', (t) => {
    const cwd = mkdtempSync(join(tmpdir(), 'strangler-launcher-'));
    t.after(() => rmSync(cwd, { recursive: true, force: true }));
    assert.match(readFileSync(BIN, 'utf8').split('\n')[0], /^#!\/usr\/bin\/env -S node --no-memory-reducer --max-semi-space-size=32$/);

    const version = spawnSync(process.execPath, [BIN, '--version'], { cwd, encoding: 'utf8', timeout: 60_000 });
    assert.equal(version.status, 0, version.stderr);
    assert.equal(version.stdout.trim(), pkg.version);

    // a verb that loads the analyzer's TypeScript modules and writes its output into the working directory
    const r = spawnSync(process.execPath, [BIN, 'analyze', FIXTURE, '--facts-only', '--out', 'o'], { cwd, encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /ERR_MODULE_NOT_FOUND/);
    const facts = JSON.parse(readFileSync(join(cwd, 'o', 'facts.json'), 'utf8')) as { routes: unknown[] };
    assert.equal(facts.routes.length, 5);
  });
});
