// strangler itself, as a bench target: startProxy with one route (GET /books/:id, plus /big/:id for
// the memory run) in legacy or shadow mode. In shadow mode the comparison runs for real when
// proxy/comparator.ts is present (diffs compared and stored in a scratch SQLite file); logging is
// on at info level (to /dev/null), as an operator would run it.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseConfig, type ProxyConfigInput } from '../../proxy/config.ts';
import type { Logger } from '../../common/log.ts';
import { createProxyLogger } from '../../proxy/request-log.ts';
import { startProxy, type ProxyOptions, type RunningProxy } from '../../proxy/server.ts';
import { startShadowThread } from '../../proxy/shadow-thread.ts';
import { SplitEngine } from '../../proxy/shadow-split.ts';
import { childArg, serveBenchChild } from '../lib/ipc.ts';

const mode = childArg('mode') as 'legacy' | 'shadow';
const storePath = childArg('store');
// --compare off: capture both responses but skip the comparison (diagnostic: what capture alone costs)
const compareOn = childArg('compare', 'on') !== 'off';
// --thread on: `shadowThread: true` (every copy, its comparison and the store in a worker thread); slow (the config's
// default): a service's copies go through a worker thread while its candidate is slow; off: all on the request thread
const threadArg = childArg('thread', 'slow');
const threadOn = mode === 'shadow' && threadArg === 'on';
const threadSlow = mode === 'shadow' && threadArg === 'slow';
// --sample: the share of the route's requests copied (shadow.sample; 1 unless given)
const sample = Number(childArg('sample', '1'));
// --second <url>: GET /reviews/:id migrated to a second service there, so that the process talks to an upstream
// besides the monolith and the candidate, as a proxy in the middle of a migration does (off unless given)
const second = childArg('second', '');
// --concurrency <n>: the copy cap (shadow.concurrency; the config's default unless given)
const concurrency = childArg('concurrency', '');
// --shadow-timeout <ms>: the copies' timeout (shadow.timeoutMs; the config's default unless given)
const shadowTimeout = childArg('shadow-timeout', '');
// --adaptive off: the copy cap stays fixed however slow the candidate (shadow.adaptive; on by default)
const adaptive = childArg('adaptive', 'on') !== 'off';
// --pipeline on: in legacy mode too, the comparison pipeline and its store (as `strangler proxy` runs it whatever the
// modes); off by default in legacy mode, the bench's baseline
const pipeline = mode === 'shadow' || childArg('pipeline', 'off') === 'on';

const compare = { ignore: ['$.servedAt', '$.requestId'] };
const input: ProxyConfigInput = {
  version: 1,
  listen: { host: '127.0.0.1', port: 0 },
  legacy: { url: childArg('upstream') },
  services: { catalog: { url: childArg('candidate'), owner: 'team-catalog' }, ...(second ? { reviews: { url: second, owner: 'team-reviews' } } : {}) },
  defaults: { mode: 'legacy' },
  routes: [
    { id: 'catalog.getBook', method: 'GET', path: '/books/:id', service: 'catalog', mode, compare, shadow: { sample, ...(shadowTimeout ? { timeoutMs: Number(shadowTimeout) } : {}), ...(concurrency ? { concurrency: Number(concurrency) } : {}), adaptive } },
    { id: 'reporting.inventory', method: 'GET', path: '/big/:id', service: 'catalog', mode },
    ...(second ? [{ id: 'reviews.get', method: 'GET' as const, path: '/reviews/:id', service: 'reviews', mode: 'migrated' as const }] : []),
  ],
  store: { path: storePath },
  shadowThread: threadOn ? true : threadSlow ? 'slow' : false,
  admin: { host: '127.0.0.1', port: 0, token: 'bench-admin-token' },
};
const config = parseConfig(input, 'bench config');

interface Comparator {
  onPair: NonNullable<ProxyOptions['onPair']>;
  close(): Promise<void> | void;
}

/** H5's comparator + store, when they are in the tree; otherwise shadow mode captures without comparing. */
async function comparator(): Promise<Comparator | undefined> {
  const file = fileURLToPath(new URL('../../proxy/comparator.ts', import.meta.url));
  if (!pipeline || !compareOn || !existsSync(file)) return undefined;
  // imported by a computed path: the glue module only type-checks once the comparator exists
  const glue = new URL('./strangler-compare.ts', import.meta.url).href;
  const { createComparatorForConfig } = (await import(glue)) as {
    createComparatorForConfig: (c: typeof config, proxyStats: () => ReturnType<RunningProxy['stats']>, logger: Logger) => Promise<Comparator>;
  };
  // as the proxy CLI wires it: live counters copied into the store, one logger for the proxy and the pipeline
  return createComparatorForConfig(config, () => proxy?.stats() ?? [], logger);
}

let proxy: RunningProxy | undefined;
// as `strangler proxy` runs: one logger for the proxy and the pipeline (started with the V8 flags strangler serves
// with, as every bench child: ../lib/target.ts)
const logger = createProxyLogger();
const thread = threadOn ? await startShadowThread(config, { logger, proxyStats: () => proxy?.stats() ?? [] }) : undefined;
const cmp = thread ? undefined : await comparator();
// as `strangler proxy` wires shadowThread "slow": the request thread's copies to the pipeline, a slow candidate's to a thread
const split = threadSlow && cmp ? new SplitEngine(config, { logger, onPair: cmp.onPair }) : undefined;
proxy = await startProxy(config, { adminPort: 0, onPair: cmp?.onPair, shadowEngine: thread?.engine ?? split, logger });
const running = proxy;
serveBenchChild({ url: running.url, urls: { admin: running.adminUrl } }, async () => {
  await running.close();
  await split?.end();
  await cmp?.close();
  await thread?.close();
});
