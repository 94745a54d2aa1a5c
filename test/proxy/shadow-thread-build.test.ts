// The shadow thread starts from its worker bundle (one ESM file built by esbuild, no tsx loader in the thread), never
// from a bundle older than the .ts files, and through tsx's loader when no bundle can be built or written.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ProxyConfig } from '../../proxy/config.ts';
import { buildWorker, TSX_BOOT } from '../../proxy/shadow-thread-build.ts';
import { ShadowThreadEngine } from '../../proxy/shadow-thread.ts';
import { captureLogger, testConfig } from './helpers.ts';

describe('shadow thread: started from a bundle built ahead', () => {
  let dir: string;
  let config: ProxyConfig;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'strangler-thread-build-'));
    config = testConfig('http://127.0.0.1:1', 'http://127.0.0.1:2', { shadowThread: true, store: { path: join(dir, 'diffs.sqlite') } });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("the thread starts from the worker bundle in the package's node_modules/.cache/strangler", async () => {
    const { logger, lines } = captureLogger();
    const engine = new ShadowThreadEngine(config, { logger });
    await engine.ready;
    try {
      const file = fileURLToPath(engine.entry!);
      assert.match(file, /node_modules\/\.cache\/strangler\/worker-[0-9a-f]{16}\.mjs$/);
      assert.ok(existsSync(file));
      assert.equal((await engine.settle(5_000)).compared, 0, 'the thread answers');
      assert.deepEqual(lines.filter((l) => (l.level as number) >= 40), [], 'no warning: the bundle was used');
    } finally {
      await engine.end();
    }
  });

  test('a thread asked to end while its bundle is still being built starts, then ends', async () => {
    const { logger } = captureLogger();
    let built!: (url: URL) => void;
    const engine = new ShadowThreadEngine(config, { logger, build: () => new Promise<URL>((resolve) => (built = resolve)) });
    let ended = false;
    const end = engine.end().then(() => (ended = true));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(ended, false);
    built(await buildWorker());
    await end;
    await engine.ready;
    assert.equal(engine.alive, false, 'the thread exited');
  });

  test('an edited source gets a new bundle, never the old one; an unchanged one reuses its file', async () => {
    const src = join(dir, 'src');
    const cacheDir = join(dir, 'cache');
    mkdirSync(src);
    writeFileSync(join(src, 'entry.ts'), "import { value } from './value.ts';\nexport const seen: number = value;\n");
    writeFileSync(join(src, 'value.ts'), 'export const value: number = 1;\n');
    const entryPoint = join(src, 'entry.ts');

    const first = await buildWorker({ entryPoint, cacheDir });
    assert.equal(((await import(first.href)) as { seen: number }).seen, 1);

    writeFileSync(join(src, 'value.ts'), 'export const value: number = 2;\n'); // an edit to a file the entry imports
    const second = await buildWorker({ entryPoint, cacheDir });
    assert.notEqual(second.href, first.href);
    assert.equal(((await import(second.href)) as { seen: number }).seen, 2);

    const before = statSync(second);
    const again = await buildWorker({ entryPoint, cacheDir });
    assert.equal(again.href, second.href);
    assert.equal(statSync(again).mtimeMs, before.mtimeMs, 'not written again');
  });

  test('builds at once (the processes of --workers) all get the whole file, and leave no temporary file', async () => {
    const cacheDir = join(dir, 'cache-together');
    const urls = await Promise.all([1, 2, 3, 4].map(() => buildWorker({ cacheDir })));
    assert.equal(new Set(urls.map((u) => u.href)).size, 1);
    assert.deepEqual(readdirSync(cacheDir), [fileURLToPath(urls[0]).split('/').pop()]);
  });

  test("when the bundle cannot be written, the thread starts through tsx's loader, with one warning saying why", async () => {
    const { logger, lines } = captureLogger();
    const notADir = join(dir, 'a-file');
    writeFileSync(notADir, '');
    const engine = new ShadowThreadEngine(config, { logger, build: () => buildWorker({ cacheDir: join(notADir, 'cache') }) });
    await engine.ready;
    try {
      assert.equal(engine.entry?.href, TSX_BOOT.href);
      assert.equal((await engine.settle(5_000)).compared, 0, 'the thread answers');
      const warnings = lines.filter((l) => (l.level as number) >= 40);
      assert.equal(warnings.length, 1);
      assert.match(warnings[0].msg as string, /no bundle \(.*ENOTDIR.*\); it starts through tsx's loader/);
    } finally {
      await engine.end();
    }
  });

  test('when the build fails, the same', async () => {
    const { logger, lines } = captureLogger();
    const engine = new ShadowThreadEngine(config, { logger, build: () => Promise.reject(new Error('esbuild is not installed')) });
    await engine.ready;
    try {
      assert.equal(engine.entry?.href, TSX_BOOT.href);
      assert.equal((await engine.settle(5_000)).compared, 0);
      assert.deepEqual(
        lines.filter((l) => (l.level as number) >= 40).map((l) => l.msg),
        ["shadow thread: no bundle (esbuild is not installed); it starts through tsx's loader"],
      );
    } finally {
      await engine.end();
    }
  });
});
