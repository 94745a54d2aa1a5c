// `strangler report` run as a user runs it: child processes, real exit codes. The runs start
// together in `before` (each pays the CLI's start-up), the tests then check one run each.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openStore } from '../../proxy/store.ts';
import { migrate } from '../../proxy/store/migrations.ts';
import { seedStore } from './report-fixtures.ts';
import { comparison, response } from './store-fixtures.ts';
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
let txtOut: string;
let zeroByte: string;
type RunName = 'twoStores' | 'missing' | 'failing' | 'junit' | 'badFormat' | 'suggest' | 'emptyGate' | 'uncomparedGate' | 'txt' | 'suggestJson' | 'zeroByte' | 'oldSchema' | 'slowGate' | 'badRatio' | 'teamGate' | 'otherTeamGate' | 'noTeam' | 'bigGate' | 'outFolder' | 'outUnderFile' | 'outOption';
let runs: Record<RunName, Run>;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'strangler-report-cli-'));
  const storePath = join(dir, 'diffs.sqlite');
  const store = openStore(storePath);
  seedStore(store);
  store.close();
  junitOut = join(dir, 'ci', 'readiness.xml');
  txtOut = join(dir, 'readiness.txt');

  const emptyPath = join(dir, 'empty.sqlite');
  openStore(emptyPath).close();
  const uncomparedPath = join(dir, 'uncompared.sqlite');
  const uncompared = openStore(uncomparedPath);
  uncompared.upsertRoute({ routeId: 'orders.get', service: 'orders', mode: 'shadow' });
  uncompared.recordComparison(comparison('orders.list', [], { candidate: undefined, candidateError: 'timeout' }));
  uncompared.close();
  zeroByte = join(dir, 'zero.sqlite');
  writeFileSync(zeroByte, '');
  const oldPath = join(dir, 'v1.sqlite');
  const old = new Database(oldPath);
  migrate(old, 1);
  old.prepare("INSERT INTO routes (route_id, service, mode, compared, matched_raw) VALUES ('old.route', 'catalog', 'shadow', 10, 10)").run();
  old.close();

  // a second proxy instance's store: more of orders.list, and catalog.getBook started over there only
  const secondPath = join(dir, 'second.sqlite');
  const second = openStore(secondPath);
  second.upsertRoute({ routeId: 'orders.list', service: 'orders', owner: 'team-orders', mode: 'shadow' });
  second.upsertRoute({ routeId: 'catalog.getBook', service: 'catalog', owner: 'team-catalog', mode: 'shadow' });
  for (let i = 0; i < 480; i++) second.recordComparison(comparison('orders.list', []));
  second.resetRoute('catalog.getBook');
  second.close();

  // a report far larger than a pipe's buffer (64 KB), within execFile's 1 MB: 20 groups, 3 samples of 5 KB bodies each
  const bigPath = join(dir, 'big.sqlite');
  const big = openStore(bigPath);
  big.upsertRoute({ routeId: 'big.route', service: 'catalog', mode: 'shadow' });
  for (let i = 0; i < 60; i++) {
    const key = `k${i % 20}`;
    big.recordComparison(
      comparison('big.route', [{ path: `$.${key}`, kind: 'changed', monolith: 1, candidate: 2 }], {
        monolith: response({ [key]: 1, pad: 'm'.repeat(5_000) }),
        candidate: response({ [key]: 2, pad: 'm'.repeat(5_000) }),
      }),
    );
  }
  big.close();

  const started = {
    twoStores: run(['--store', storePath, '--store', secondPath, '--format', 'json', '--fail-under', '99.5', '--service', 'catalog', '--service', 'orders']),
    missing: run(['--store', join(dir, 'nope.sqlite')]),
    failing: run(['--store', storePath, '--fail-under', '99.5', '--format', 'json']),
    junit: run(['--store', storePath, '--out', junitOut, '--fail-under', '87', '--min-samples', '10']),
    badFormat: run(['--store', storePath, '--format', 'pdf']),
    suggest: run(['--store', storePath, '--suggest-rules']),
    emptyGate: run(['--store', emptyPath, '--fail-under', '99.5']),
    uncomparedGate: run(['--store', uncomparedPath, '--fail-under', '99.5']),
    txt: run(['--store', storePath, '--out', txtOut]),
    suggestJson: run(['--store', storePath, '--suggest-rules', '--format', 'json']),
    zeroByte: run(['--store', zeroByte]),
    oldSchema: run(['--store', oldPath, '--format', 'json', '--fail-under', '99']),
    slowGate: run(['--store', storePath, '--format', 'junit', '--max-p99-ratio', '1.5x']),
    badRatio: run(['--store', storePath, '--max-p99-ratio', '0.5']),
    teamGate: run(['--store', storePath, '--service', 'orders', '--format', 'json', '--fail-under', '99.5']),
    otherTeamGate: run(['--store', storePath, '--owner', 'team-catalog', '--format', 'json', '--fail-under', '99.5']),
    noTeam: run(['--store', storePath, '--service', 'ordres']),
    bigGate: run(['--store', bigPath, '--format', 'json', '--fail-under', '99']),
    outFolder: run(['--store', storePath, '--out', dir]),
    outUnderFile: run(['--store', storePath, '--out', join(zeroByte, 'report.html')]),
    outOption: run(['--store', storePath, '--out', '--suggest-rules']),
  };
  runs = Object.fromEntries(await Promise.all(Object.entries(started).map(async ([name, p]) => [name, await p] as const))) as Record<RunName, Run>;
});
after(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync('--suggest-rules', { force: true }); // what the outOption run would write in the current folder if the check went
});

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

  test('--fail-under on a report larger than a pipe takes: stdout is the whole report, then exit 1', () => {
    const { code, stderr, stdout } = runs.bigGate;
    assert.equal(code, 1);
    assert.match(stderr, /--fail-under 99%: 1 shadow route below: big\.route 0\.0%/);
    assert.ok(stdout.length > 500_000, `a report of ${stdout.length} characters`);
    assert.equal(JSON.parse(stdout).totals.routes, 1);
  });

  test('--out *.xml writes valid JUnit; all routes above --fail-under exit 0; --min-samples moves verdicts', () => {
    const { code, stderr } = runs.junit;
    assert.equal(code, 0, stderr);
    assert.match(stderr, /wrote .*readiness\.xml \(junit; 5 routes: 3 ready, 1 not ready, 1 not enough data\)/);
    const xml = readFileSync(junitOut, 'utf8');
    assert.deepEqual(checkXml(xml), []);
    assert.match(xml, /<testcase classname="team-orders\.orders" name="orders\.list">\n\s+<system-out>/, 'orders.list passes with --min-samples 10');
  });

  test('--store given twice (two proxy instances): one report over both, and a route started over on one of them named', () => {
    const { code, stdout, stderr } = runs.twoStores;
    assert.equal(code, 1, 'orders.get is still below the bar');
    const report = JSON.parse(stdout) as { totals: { compared: number }; teams: { services: { routes: { routeId: string; compared: number; verdict: string }[] }[] }[] };
    const routes = new Map(report.teams.flatMap((t) => t.services.flatMap((s) => s.routes)).map((r) => [r.routeId, r]));
    assert.deepEqual([routes.get('orders.list')?.compared, routes.get('orders.list')?.verdict], [500, 'READY'], '20 compared in one store, 480 in the other');
    assert.equal(routes.get('catalog.getBook')?.compared, 1000);
    assert.match(stderr, /^strangler: catalog\.getBook was not started over on every instance at the same time \(\S*diffs\.sqlite: never, \S*second\.sqlite: 20\d\d-[^)]*\); its counts mix comparisons from before and after$/m);
    assert.match(stderr, /--fail-under 99\.5%: 1 shadow route below: orders\.get 87\.5%/);
  });

  test('a bad flag exits 2', () => {
    assert.equal(runs.badFormat.code, 2);
    assert.match(runs.badFormat.stderr, /pdf/);
    assert.equal(runs.badRatio.code, 2);
    assert.match(runs.badRatio.stderr, /--max-p99-ratio expects a ratio ≥ 1 \(e\.g\. 2 or 2\.5\), got "0\.5"/);
  });

  test("--service / --owner gate one team's routes; one that matches nothing is exit 2 listing what there is", () => {
    assert.equal(runs.teamGate.code, 1);
    assert.match(runs.teamGate.stderr, /--fail-under 99\.5%: 1 shadow route below: orders\.get 87\.5%/);
    assert.deepEqual(JSON.parse(runs.teamGate.stdout).teams.map((t: { owner: string }) => t.owner), ['team-orders']);
    assert.equal(runs.otherTeamGate.code, 0, runs.otherTeamGate.stderr);
    assert.equal(JSON.parse(runs.otherTeamGate.stdout).totals.routes, 2);
    assert.equal(runs.noTeam.code, 2);
    assert.match(runs.noTeam.stderr, /^strangler: --service ordres matches no route in \S+ \(services: catalog, orders, reporting; owners: \(no owner\), team-catalog, team-orders\)\n$/);
  });

  test('--max-p99-ratio: a route whose candidate is slower than that at the tail fails in JUnit, with the reason', () => {
    const { code, stdout, stderr } = runs.slowGate;
    assert.equal(code, 0, stderr);
    assert.deepEqual(checkXml(stdout), []);
    assert.match(stdout, /<testcase classname="team-catalog\.catalog" name="catalog\.getBook">\s*<failure type="NOT READY" message="candidate p99 [\d.]+ ms is 2(\.\d)?× the monolith&#39;s [\d.]+ ms \(limit 1\.5×\)"/);
  });

  test('--suggest-rules prints config rules from the learned noise', () => {
    assert.equal(runs.suggest.code, 0);
    assert.deepEqual(JSON.parse(runs.suggest.stdout), { routes: [{ id: 'catalog.search', compare: { ignore: ['$.servedAt'], unordered: ['$.results'] } }] });
  });

  test('--fail-under fails when nothing was compared at all: an empty store, or routes without one compared pair', () => {
    const empty = runs.emptyGate;
    assert.equal(empty.code, 1);
    assert.equal(empty.stderr, 'strangler: --fail-under 99.5%: nothing was compared (the diff store holds no routes); check --store and that the proxy shadowed traffic\n');
    const uncompared = runs.uncomparedGate;
    assert.equal(uncompared.code, 1);
    assert.match(uncompared.stderr, /^strangler: --fail-under 99\.5%: nothing was compared on any of its 2 routes \(1 candidate error\); check --store .*\n$/);
  });

  test('--out with an unknown extension writes Markdown, as documented', () => {
    assert.equal(runs.txt.code, 0, runs.txt.stderr);
    assert.match(runs.txt.stderr, /wrote .*readiness\.txt \(md; /);
    assert.match(readFileSync(txtOut, 'utf8'), /^# Shadow diff report/);
  });

  test('--suggest-rules with --format and no --out is refused: the rules take stdout', () => {
    assert.equal(runs.suggestJson.code, 2);
    assert.equal(runs.suggestJson.stdout, '');
    assert.match(runs.suggestJson.stderr, /^strangler: --suggest-rules prints the rules on stdout .*--out <file>.*\n$/);
  });

  test('a file that is not a diff store is one line naming it, exit 2, and is left as it was', () => {
    const { code, stderr, stdout } = runs.zeroByte;
    assert.equal(code, 2);
    assert.equal(stdout, '');
    assert.equal(stderr, `strangler: ${zeroByte} is not a strangler diff store (no strangler tables); point --store at the file the proxy writes (store.path in its config)\n`);
    assert.equal(statSync(zeroByte).size, 0);
  });

  test('a store of an older schema is migrated and reported', () => {
    const { code, stderr, stdout } = runs.oldSchema;
    assert.equal(code, 0, stderr);
    assert.equal(JSON.parse(stdout).totals.compared, 10);
  });

  test('an --out that cannot be the report file is one line naming it and the fix, before the store is read', () => {
    assert.equal(runs.outFolder.code, 2);
    assert.equal(runs.outFolder.stderr, `strangler: --out ${dir} is a folder; pass a file in it, e.g. ${join(dir, 'diffs.html')}\n`);
    assert.equal(runs.outUnderFile.code, 2);
    assert.equal(runs.outUnderFile.stderr, `strangler: --out ${join(zeroByte, 'report.html')}: ${zeroByte} is a file, not a folder; pass a path in a folder\n`);
    assert.equal(runs.outOption.code, 2);
    assert.match(runs.outOption.stderr, /^strangler: --out --suggest-rules looks like an option, not a file; give --out a file \(write \.\/--suggest-rules if you mean a file of that name\)\n$/);
    for (const r of [runs.outFolder, runs.outUnderFile, runs.outOption]) assert.equal(r.stdout, '');
    assert.equal(statSync(zeroByte).size, 0);
  });
});
