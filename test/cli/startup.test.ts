// Each verb imports its implementation when it runs, not when the CLI starts: `strangler --help`, `--version` and
// every other verb used to load the proxy, the diff store, the replay client and zod first (about 0.8 s of each start).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { openStore } from '../../proxy/store.ts';

/**
 * What a `strangler` run imports: a module resolve hook registered after tsx's sees every import, project files and
 * packages alike, and the list is written to stderr as the process exits.
 */
function loaded(args: string[]): { status: number | null; modules: string[]; stderr: string } {
  const dir = mkdtempSync(join(tmpdir(), 'strangler-startup-'));
  try {
    const hooks = join(dir, 'hooks.mjs');
    writeFileSync(
      hooks,
      `let port;
export function initialize(data) { port = data.port; }
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  port.postMessage(result.url);
  return result;
}
`,
    );
    const recorder = join(dir, 'recorder.mjs');
    writeFileSync(
      recorder,
      `import { register } from 'node:module';
import { MessageChannel } from 'node:worker_threads';
const seen = new Set();
const { port1, port2 } = new MessageChannel();
port1.on('message', (url) => seen.add(url));
port1.unref();
register(${JSON.stringify(pathToFileURL(hooks).href)}, { data: { port: port2 }, transferList: [port2] });
process.on('exit', () => process.stderr.write('\\nLOADED ' + JSON.stringify([...seen]) + '\\n'));
`,
    );
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--import', pathToFileURL(recorder).href, 'bin/strangler.ts', ...args], { encoding: 'utf8', timeout: 60_000 });
    const line = r.stderr.split('\n').find((l) => l.startsWith('LOADED '));
    assert.ok(line, r.stderr);
    return { status: r.status, modules: JSON.parse(line.slice('LOADED '.length)) as string[], stderr: r.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const HEAVY = [/\/proxy\/(server|config|comparator|store|replay|shadow-[a-z-]+|workers)\.ts$/, /\/analyzer\/(index|pins|extract\/index)\.ts$/, /\/proxy\/report\/index\.ts$/];
const PACKAGES = ['http-proxy-3', 'express', 'better-sqlite3', 'undici', 'zod', 'ts-morph', 'pino'];
const heavy = (modules: string[]): string[] =>
  modules.filter((url) => HEAVY.some((re) => re.test(url)) || PACKAGES.some((p) => url.includes(`/node_modules/${p}/`)));

describe('strangler start-up', () => {
  test('--help and --version load no verb\'s implementation', () => {
    for (const args of [['--help'], ['--version'], ['proxy', '--help']]) {
      const r = loaded(args);
      assert.equal(r.status, 0, r.stderr);
      assert.ok(r.modules.some((url) => url.endsWith('/bin/commands/proxy.ts')), 'the hook sees the project\'s modules');
      assert.deepEqual(heavy(r.modules), [], `strangler ${args.join(' ')}`);
    }
  });

  test('a verb loads its own implementation, not the others\'', () => {
    const r = loaded(['report', '--store', 'no-such-store.sqlite']);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /diff store no-such-store\.sqlite not found/);
    assert.deepEqual(heavy(r.modules), []);
    // a report that runs loads the store; nothing of the proxy's serving side or the analyzer
    const dir = mkdtempSync(join(tmpdir(), 'strangler-startup-store-'));
    try {
      const store = join(dir, 'diffs.sqlite');
      openStore(store).close();
      const ran = loaded(['report', '--store', store, '--format', 'json']);
      assert.equal(ran.status, 0, ran.stderr);
      assert.ok(ran.modules.some((url) => url.endsWith('/proxy/store.ts')), ran.stderr);
      assert.deepEqual(
        heavy(ran.modules).filter((url) => !/\/proxy\/(store|report\/index)\.ts$|\/node_modules\/(better-sqlite3|pino)\//.test(url)),
        [],
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
