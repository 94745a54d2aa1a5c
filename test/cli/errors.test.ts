// The CLI's promise: bad input is one line on stderr and exit 2, never a stack trace.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { UserError } from '../../common/user-error.ts';
import { resolveTokens } from '../../proxy/admin.ts';
import { parseConfig } from '../../proxy/config.ts';
import { startProxy } from '../../proxy/server.ts';
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
    assert.match(r.stderr, /^strangler: --out .* is a folder; pass a file in it, e\.g\. .*diffs\.html$/m);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    const nested = cli('report', '--store', store, '--out', join(file, 'report.html'));
    assert.equal(nested.status, 2);
    assert.equal(nested.stderr.trim().split('\n').length, 1, nested.stderr);
    assert.match(nested.stderr, /^strangler: --out .*a-file\/report\.html: .*a-file is a file, not a folder; pass a path in a folder$/m);
  });

  test('report --out naming the diff store itself is refused and the store left intact', () => {
    const store = join(dir, 'keep.sqlite');
    openStore(store, { logger: pino({ level: 'silent' }) }).close();
    const before = readFileSync(store);
    for (const out of [store, join(dir, '.', 'keep.sqlite')]) {
      const r = cli('report', '--store', store, '--out', out);
      assert.equal(r.status, 2, r.stderr);
      assert.equal(r.stderr, `strangler: --out ${out} is the diff store ${store}; writing the report there would destroy it, pass another file\n`);
      assert.deepEqual(readFileSync(store), before);
    }
  });

  test('proxy --record to a path that cannot be written stops the start: one line, exit 2', () => {
    const config = join(dir, 'record.config.json');
    writeFileSync(config, JSON.stringify({ version: 1, listen: { host: '127.0.0.1', port: 0 }, legacy: { url: 'http://127.0.0.1:1' }, services: {}, routes: [], admin: { port: 0 }, store: { path: join(dir, 'record.sqlite') } }));
    const file = join(dir, 'plain-file');
    writeFileSync(file, 'x');
    const r = cli('proxy', '--config', config, '--admin-insecure-local', '--record', join(file, 'traffic.ndjson'));
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /^strangler: cannot record traffic to .*plain-file\/traffic\.ndjson: ENOTDIR/m);
    assert.doesNotMatch(r.stdout, /strangler proxy on/);
  });

  test('proxy --record naming the diff store, the config or the state file is refused before anything is written', () => {
    const config = join(dir, 'own.config.json');
    const store = join(dir, 'own.sqlite');
    writeFileSync(config, JSON.stringify({ version: 1, listen: { host: '127.0.0.1', port: 0 }, legacy: { url: 'http://127.0.0.1:1' }, services: {}, routes: [], admin: { port: 0 }, store: { path: store } }));
    openStore(store, { logger: pino({ level: 'silent' }) }).close();
    const state = `${config}.state.json`;
    writeFileSync(state, JSON.stringify({ version: 1, overrides: {}, audit: [] }));
    const before = [config, store, state].map((f) => readFileSync(f));
    for (const [target, what] of [[store, `the diff store (store.path)`], [config, 'the config file'], [state, 'the proxy state file']]) {
      const r = cli('proxy', '--config', config, '--admin-insecure-local', '--record', target);
      assert.equal(r.status, 2, r.stderr);
      assert.equal(r.stderr, `strangler: --record ${target} is ${what}; recording there would destroy it, pass another file\n`);
    }
    assert.deepEqual([config, store, state].map((f) => readFileSync(f)), before);
  });

  test('a proxy that refuses to start (no admin token, a corrupt state file) creates no diff store, data folder or --record file', () => {
    const base = join(dir, 'refused');
    const config = join(base, 'strangler.config.json');
    const data = join(base, 'data');
    const record = join(base, 'traffic.ndjson');
    const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'test' };
    delete env.STRANGLER_TEST_REFUSED_TOKEN;
    const run = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'bin/strangler.ts', 'proxy', '--config', config, '--record', record, ...args], { encoding: 'utf8', timeout: 60_000, env });
    const raw = { version: 1, listen: { host: '127.0.0.1', port: 0 }, legacy: { url: 'http://127.0.0.1:1' }, services: {}, routes: [], admin: { port: 0, token: 'env:STRANGLER_TEST_REFUSED_TOKEN' }, store: { path: join(data, 'diffs.sqlite') } };
    mkdirSync(base);
    writeFileSync(config, JSON.stringify(raw));
    for (const workers of ['1', '2']) {
      const r = run('--workers', workers);
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, /^strangler: admin API has no token: set STRANGLER_TEST_REFUSED_TOKEN/);
      assert.deepEqual(readdirSync(base), ['strangler.config.json'], `--workers ${workers}`);
    }
    writeFileSync(`${config}.state.json`, '{ "version": 1, ');
    const r = run('--admin-insecure-local');
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /^strangler: proxy state file .* is corrupt/);
    assert.deepEqual(readdirSync(base).sort(), ['strangler.config.json', 'strangler.config.json.state.json']);
  });

  test('the admin port taken: the error names admin.port, not --port', async () => {
    const taken = http.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    try {
      const port = (taken.address() as AddressInfo).port;
      const config = parseConfig({ version: 1, legacy: { url: 'http://127.0.0.1:1' }, services: {}, routes: [] });
      await assert.rejects(
        startProxy(config, { port: 0, host: '127.0.0.1', adminPort: port, adminInsecureLocal: true, logger: pino({ level: 'silent' }) }),
        (err: unknown) => err instanceof UserError && err.message === `port ${port} on 127.0.0.1 is already in use; pick another with admin.port (or admin.host)`,
      );
    } finally {
      taken.close();
    }
  });

  test('a listen host that cannot be used: the error names listen.host, not the port', async () => {
    const config = parseConfig({ version: 1, listen: { host: 'no-such-host.invalid', port: 0 }, legacy: { url: 'http://127.0.0.1:1' }, services: {}, routes: [] });
    await assert.rejects(
      startProxy(config, { adminPort: 0, adminInsecureLocal: true, logger: pino({ level: 'silent' }) }),
      (err: unknown) => err instanceof UserError && /^cannot listen on no-such-host\.invalid:0 \((ENOTFOUND|EAI_AGAIN)\); check listen\.host$/.test(err.message),
    );
  });

  test('an admin token that is only blanks counts as no token', () => {
    process.env.STRANGLER_TEST_BLANK_TOKEN = '   ';
    try {
      assert.equal(resolveTokens('env:STRANGLER_TEST_BLANK_TOKEN'), undefined);
      assert.equal(resolveTokens({ ops: 'env:STRANGLER_TEST_BLANK_TOKEN' }), undefined);
      assert.deepEqual([...resolveTokens(' padded-token-value ')!], [['padded-token-value', 'admin']]);
    } finally {
      delete process.env.STRANGLER_TEST_BLANK_TOKEN;
    }
  });

  test('a reader that goes away (strangler report | head) is no EPIPE stack trace; the exit code is still the command\'s', async () => {
    const store = join(dir, 'piped.sqlite');
    openStore(store, { logger: pino({ level: 'silent' }) }).close();
    const run = (...args: string[]) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'bin/strangler.ts', 'report', '--store', store, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout.destroy(); // the read end closed before anything is written: every write fails with EPIPE
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      return once(child, 'close').then(([code]) => ({ code: code as number | null, stderr }));
    };
    const plain = await run('--format', 'md');
    assert.equal(plain.stderr, '');
    assert.equal(plain.code, 0);
    const gated = await run('--format', 'md', '--fail-under', '99');
    assert.equal(gated.code, 1, 'the gate still fails: nothing was compared');
    assert.match(gated.stderr, /^strangler: --fail-under 99%: nothing was compared/);
  });

  test('a usage error is the error and a hint, not the whole help', () => {
    const r = cli('report', '--bogus');
    assert.equal(r.status, 2);
    assert.deepEqual(r.stderr.trim().split('\n'), ["error: unknown option '--bogus'", '(add --help for usage)']);
  });

  test('an empty path ("$UNSET") is refused by name before anything runs, for every path a verb takes', () => {
    const cases: [string[], string][] = [
      [['analyze', 'legacy-monolith', '--out', ''], '--out'],
      [['analyze', 'legacy-monolith', '--pins', ' '], '--pins'],
      [['analyze', 'legacy-monolith', '--reference', ''], '--reference'],
      [['analyze', 'legacy-monolith', '--migration', ''], '--migration'],
      [['analyze', 'legacy-monolith', '--not-migration', ' '], '--not-migration'],
      [['analyze', ''], '<root>'],
      [['demo', '--out', ''], '--out'],
      [['proxy', '-c', ''], '--config'],
      [['proxy', '--record', ''], '--record'],
      [['report', '--store', ''], '--store'],
      [['report', '--out', ''], '--out'],
      [['replay', ''], '<file>'],
    ];
    for (const [args, flag] of cases) {
      const r = cli(...args);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      const lines = r.stderr.trim().split('\n');
      assert.match(lines[0], new RegExp(`${flag.replace(/[<>]/g, '.')} is empty: give it `), args.join(' '));
      assert.deepEqual(lines.slice(1), ['(add --help for usage)'], args.join(' '));
    }
  });

  test('--version prints the package version', () => {
    const r = cli('--version');
    assert.equal(r.status, 0);
    assert.equal(r.stdout.trim(), (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version);
  });
});
