// `strangler demo` with an --out it cannot use stops in one line before analysing or starting any server.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const cli = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'bin/strangler.ts', 'demo', '--random-ports', '--requests', '10', ...args], { encoding: 'utf8', timeout: 60_000 });

describe('strangler demo --out', () => {
  const dir = mkdtempSync(join(tmpdir(), 'strangler-demo-cli-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('a path under a regular file: one line naming it, exit 2, nothing analysed or started', () => {
    writeFileSync(join(dir, 'a-file'), 'x');
    const r = cli('--out', join(dir, 'a-file', 'out'));
    assert.equal(r.status, 2, r.stderr);
    assert.deepEqual(r.stderr.trim().split('\n'), [`strangler: --out ${join(dir, 'a-file', 'out')} cannot be used as the output folder: a part of the path is a file, not a folder`]);
    assert.equal(r.stdout, '');
  });

  test('--out followed by another option is refused', () => {
    const r = cli('--out', '--serve');
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr.trim(), /^strangler: --out --serve looks like an option, not a folder/);
    assert.equal(existsSync('--serve'), false);
  });
});
