// With --workers only the primary writes the state file; a worker's control reads it and follows, never writes.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { parseConfig } from '../../proxy/config.ts';
import { ProxyControl } from '../../proxy/control.ts';
import { RouteCounters } from '../../proxy/stats.ts';

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
