// `strangler report` run as a user runs it: child processes, real exit codes. The runs start
// together in `before` (each pays the CLI's start-up), the tests then check one run each.
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

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', CLI, 'report', ...args], { env: { ...process.env, NODE_ENV: 'test' } }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

let dir: string;
let junitOut: string;
let runs: Record<'missing' | 'failing' | 'junit' | 'badFormat' | 'suggest', Run>;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'strangler-report-cli-'));
  const storePath = join(dir, 'diffs.sqlite');
  const store = openStore(storePath);
  seedStore(store);
  store.close();
  junitOut = join(dir, 'ci', 'readiness.xml');
  const [missing, failing, junit, badFormat, suggest] = await Promise.all([
    run(['--store', join(dir, 'nope.sqlite')]),
    run(['--store', storePath, '--fail-under', '99.5', '--format', 'json']),
    run(['--store', storePath, '--out', junitOut, '--fail-under', '87', '--min-samples', '10']),
    run(['--store', storePath, '--format', 'pdf']),
    run(['--store', storePath, '--suggest-rules']),
  ]);
  runs = { missing, failing, junit, badFormat, suggest };
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('strangler report', () => {
  test('a missing store is one line and exit 2', () => {
    const { code, stderr, stdout } = runs.missing;
    assert.equal(code, 2);
    assert.equal(stdout, '');
    assert.match(stderr, /^strangler: diff store .*nope\.sqlite not found; run the proxy .*\n$/);
  });

  test('--fail-under exits 1 naming the shadow routes below it; the report is still written', () => {
    const { code, stderr, stdout } = runs.failing;
    assert.equal(code, 1);
    assert.match(stderr, /--fail-under 99\.5%: 1 shadow route below: orders\.get 87\.5%/);
    assert.equal(JSON.parse(stdout).totals.routes, 5);
  });

  test('--out *.xml writes valid JUnit; all routes above --fail-under exit 0; --min-samples moves verdicts', () => {
    const { code, stderr } = runs.junit;
    assert.equal(code, 0, stderr);
    assert.match(stderr, /wrote .*readiness\.xml \(junit; 5 routes: 3 ready, 1 not ready, 1 not enough data\)/);
    const xml = readFileSync(junitOut, 'utf8');
    assert.deepEqual(checkXml(xml), []);
    assert.match(xml, /<testcase classname="team-orders\.orders" name="orders\.list">\n\s+<system-out>/, 'orders.list passes with --min-samples 10');
  });

  test('a bad flag exits 2', () => {
    assert.equal(runs.badFormat.code, 2);
    assert.match(runs.badFormat.stderr, /pdf/);
  });

  test('--suggest-rules prints config rules from the learned noise', () => {
    assert.equal(runs.suggest.code, 0);
    assert.deepEqual(JSON.parse(runs.suggest.stdout), { routes: [{ id: 'catalog.search', compare: { ignore: ['$.servedAt'], unordered: ['$.results'] } }] });
  });
});
