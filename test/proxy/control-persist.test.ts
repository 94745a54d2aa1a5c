// With --workers only the primary writes the state file; a worker's control reads it and follows, never writes.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { parseConfig } from '../../proxy/config.ts';
import { ProxyControl } from '../../proxy/control.ts';
import { RouteCounters } from '../../proxy/stats.ts';
import { ModeState } from '../../proxy/state.ts';
import { UserError } from '../../common/user-error.ts';

const raw = (mode: string) => ({
  version: 1,
  legacy: { url: 'http://127.0.0.1:3000' },
  services: { catalog: { url: 'http://127.0.0.1:4001' } },
  routes: [{ id: 'book', method: 'GET', path: '/books/:id', service: 'catalog', mode }],
});

describe('state file persistence', () => {
  const dir = mkdtempSync(join(tmpdir(), 'strangler-persist-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const options = (persist?: boolean) => ({
    configPath: join(dir, 'strangler.config.json'),
    log: pino({ level: 'silent' }),
    onApply: () => {},
    stats: (id: string, mode: string, service: string | undefined) => new RouteCounters(id).toStats(mode, service),
    persist,
  });

  test('a state file cut short (not JSON) says so, not that an object was undefined', () => {
    const path = join(dir, 'cut.state.json');
    writeFileSync(path, '{"overrides": {"book": {"mo');
    assert.throws(
      () => new ModeState(path),
      (err: unknown) => err instanceof UserError && /^proxy state file .*cut\.state\.json is corrupt \(not valid JSON: .+\); fix or delete it to start from the config's modes$/.test(err.message),
    );
  });

  test('a state file saved with a byte-order mark (edited on Windows) is read', () => {
    const configPath = join(dir, 'bom.config.json');
    new ProxyControl(parseConfig(raw('legacy')), { ...options(), configPath }).patch('book', { mode: 'shadow' }, 'ops');
    const statePath = `${configPath}.state.json`;
    writeFileSync(statePath, `\uFEFF${readFileSync(statePath, 'utf8')}`);
    assert.equal(new ModeState(statePath).apply(parseConfig(raw('legacy'))).routes[0].mode, 'shadow');
  });

  test('a control that does not persist reads the overrides and drops them with the file, but never writes it', () => {
    const primary = new ProxyControl(parseConfig(raw('legacy')), options());
    primary.patch('book', { mode: 'shadow' }, 'ops');
    const statePath = join(dir, 'strangler.config.json.state.json');
    const written = readFileSync(statePath, 'utf8');

    const worker = new ProxyControl(parseConfig(raw('legacy')), options(false));
    assert.equal(worker.effective().routes[0].mode, 'shadow', 'the override the primary wrote');
    // the file moves the route on: the override is dropped in the worker, the file left to the primary
    worker.apply(parseConfig(raw('migrated')));
    assert.equal(worker.effective().routes[0].mode, 'migrated');
    assert.equal(readFileSync(statePath, 'utf8'), written, 'the worker wrote nothing');

    primary.apply(parseConfig(raw('migrated')));
    const after = JSON.parse(readFileSync(statePath, 'utf8')) as { overrides: object; audit: { source: string }[] };
    assert.deepEqual(after.overrides, {}, 'the primary records the drop');
    assert.equal(after.audit.at(-1)!.source, 'config');
  });

  test("a change's reason (the canary guard's) is kept in the state file and read back after a restart", () => {
    const configPath = join(dir, 'reasons.config.json');
    const first = new ProxyControl(parseConfig(raw('legacy')), { ...options(), configPath });
    first.patch('book', { mode: 'shadow' }, 'guard', 'guard', 'the candidate answered 5xx');
    const restarted = new ProxyControl(parseConfig(raw('legacy')), { ...options(), configPath });
    assert.deepEqual(
      restarted.audit().map((e) => [e.who, e.source, e.to.mode, e.reason]),
      [['guard', 'guard', 'shadow', 'the candidate answered 5xx']],
    );
    assert.equal(restarted.views()[0].lastChange?.reason, 'the candidate answered 5xx');
  });
});

describe('a route started over: its views count from then', () => {
  const dir = mkdtempSync(join(tmpdir(), 'strangler-startover-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  // the counters of a --workers primary: what the workers sent, summed; a worker replaced takes its counts with it
  let counters = new RouteCounters('book');
  const control = new ProxyControl(parseConfig(raw('shadow')), {
    configPath: join(dir, 'strangler.config.json'),
    log: pino({ level: 'silent' }),
    onApply: () => {},
    stats: (_id, mode, service, since) => counters.toStats(mode, service, since),
    snapshot: () => counters.snapshot(),
  });
  const serve = (n: number, monolithMs: number, candidateMs: number) => {
    for (let i = 0; i < n; i++) {
      counters.requests++;
      counters.shadowed++;
      counters.monolith.record(monolithMs);
      counters.candidate.record(candidateMs);
    }
    counters.dropped += 3;
  };

  test('counts, drops and both latencies from the start over on; the guard (and the metrics) still see everything', () => {
    serve(100, 5, 400); // a slow candidate, then fixed
    control.startOver('book', new Date('2026-12-05T10:00:00Z'));
    let view = control.views()[0];
    assert.equal(view.countedSince, '2026-12-05T10:00:00.000Z');
    assert.deepEqual([view.stats.requests, view.stats.shadowed, view.stats.dropped, view.stats.latency.candidate.count], [0, 0, 0, 0]);

    serve(50, 5, 20);
    view = control.views()[0];
    assert.deepEqual([view.stats.requests, view.stats.shadowed, view.stats.dropped], [50, 50, 3]);
    assert.equal(view.stats.latency.candidate.count, 50);
    assert.ok(view.stats.latency.candidate.p99 >= 20 && view.stats.latency.candidate.p99 < 21, `candidate p99 since the start over: ${view.stats.latency.candidate.p99}`);
    assert.ok(view.stats.latency.monolith.p50 >= 5 && view.stats.latency.monolith.p50 < 5.3);

    const whole = control.views(true)[0];
    assert.equal(whole.countedSince, undefined);
    assert.deepEqual([whole.stats.requests, whole.stats.dropped], [150, 6]);
    assert.ok(whole.stats.latency.candidate.p99 >= 400, 'since the start the slow answers are there');
  });

  test('counts below the snapshot (a worker replaced, its counts gone) never read as negative', () => {
    counters = new RouteCounters('book');
    serve(10, 5, 20);
    const view = control.views()[0];
    assert.deepEqual([view.stats.requests, view.stats.shadowed, view.stats.dropped], [0, 0, 0]);
    // latency is taken bucket by bucket: the 20 ms answers were in no bucket of the snapshot's
    assert.deepEqual([view.stats.latency.monolith.count, view.stats.latency.candidate.count], [0, 10]);
  });
});
