// The CLI's promise: bad input is one line on stderr and exit 2, never a stack trace.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { openStore } from '../../proxy/store.ts';

const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'bin/strangler.ts', ...args], { encoding: 'utf8', timeout: 60_000 });

describe('CLI errors', () => {
  const dir = mkdtempSync(join(tmpdir(), 'strangler-cli-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('an output path that cannot be written is one line naming it, exit 2', () => {
    const store = join(dir, 'diffs.sqlite');
    openStore(store, { logger: pino({ level: 'silent' }) }).close();
    const r = cli('report', '--store', store, '--out', dir);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^strangler: EISDIR: illegal operation on a directory/);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    const nested = cli('report', '--store', store, '--out', join(file, 'report.html'));
    assert.equal(nested.status, 2);
    assert.equal(nested.stderr.trim().split('\n').length, 1, nested.stderr);
    assert.match(nested.stderr, /^strangler: E[A-Z]+: .*a-file/);
  });

  test('a usage error is the error and a hint, not the whole help', () => {
    const r = cli('report', '--bogus');
    assert.equal(r.status, 2);
    assert.deepEqual(r.stderr.trim().split('\n'), ["error: unknown option '--bogus'", '(add --help for usage)']);
  });

  test('--version prints the package version', () => {
    const r = cli('--version');
    assert.equal(r.status, 0);
    assert.equal(r.stdout.trim(), (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version);
  });
});
