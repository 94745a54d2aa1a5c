// `strangler report` run as a user runs it: a child process, real exit codes.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../proxy/store.ts';
import { seedStore } from './report-fixtures.ts';
import { checkXml } from './xml-check.ts';

const CLI = join(import.meta.dirname, '../../bin/strangler.ts');
let dir: string;
let storePath: string;

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', CLI, 'report', ...args], { env: { ...process.env, NODE_ENV: 'test' } }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'strangler-report-cli-'));
  storePath = join(dir, 'diffs.sqlite');
  const store = openStore(storePath);
  seedStore(store);
  store.close();
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('strangler report', () => {
  test('a missing store is one line and exit 2', async () => {
    const { code, stderr, stdout } = await run(['--store', join(dir, 'nope.sqlite')]);
    assert.equal(code, 2);
    assert.equal(stdout, '');
    assert.match(stderr, /^strangler: diff store .*nope\.sqlite not found; run the proxy .*\n$/);
  });

  test('--fail-under exits 1 naming the shadow routes below it, 0 when all clear it', async () => {
    const failing = await run(['--store', storePath, '--fail-under', '99.5', '--format', 'json']);
    assert.equal(failing.code, 1);
    assert.match(failing.stderr, /--fail-under 99\.5%: 1 shadow route below: orders\.get 87\.5%/);
    assert.equal(JSON.parse(failing.stdout).totals.routes, 5, 'the report is still written');
    const passing = await run(['--store', storePath, '--fail-under', '87', '--format', 'json']);
    assert.equal(passing.code, 0, passing.stderr);
  });

  test('--format junit --out writes valid XML; bad flags exit 2', async () => {
    const out = join(dir, 'ci', 'readiness.xml');
    const { code, stderr } = await run(['--store', storePath, '--out', out]);
    assert.equal(code, 0, stderr);
    assert.match(stderr, /wrote .*readiness\.xml \(junit; 5 routes: 2 ready, 1 not ready, 2 not enough data\)/);
    assert.deepEqual(checkXml(readFileSync(out, 'utf8')), []);
    assert.equal((await run(['--store', storePath, '--format', 'pdf'])).code, 2);
    assert.equal((await run(['--store', storePath, '--fail-under', '120'])).code, 2);
  });

  test('--suggest-rules prints config rules from learned noise; --min-samples moves the verdict', async () => {
    const { code, stdout } = await run(['--store', storePath, '--suggest-rules']);
    assert.equal(code, 0);
    assert.deepEqual(JSON.parse(stdout), { routes: [{ id: 'catalog.search', compare: { ignore: ['$.servedAt'], unordered: ['$.results'] } }] });
    const md = await run(['--store', storePath, '--min-samples', '10']);
    assert.match(md.stdout, /\| `orders\.list` \|.*✅ READY \|/);
  });
});
