// A proxy with the comparator and the diff store, run as a child process by the kill -9 test.
// argv[2]: a config file. Tells the parent its URL over IPC; SIGTERM closes it cleanly.
import { createLogger } from '../../../common/log.ts';
import { createDiffPipeline } from '../../../proxy/comparator.ts';
import { loadConfig } from '../../../proxy/config.ts';
import { startProxy, type RunningProxy } from '../../../proxy/server.ts';

const silent = (name: string) => createLogger(name, { level: 'silent' });
const config = loadConfig(process.argv[2]);
let running: RunningProxy | undefined;
const pipeline = createDiffPipeline(() => running?.config() ?? config, { proxyStats: () => running?.stats() ?? [], logger: silent('comparator') });
running = await startProxy(config, {
  port: 0,
  host: '127.0.0.1',
  admin: false,
  watch: false,
  onPair: (pair) => pipeline.comparator.onPair(pair),
  logger: silent('proxy'),
});
process.send?.({ url: running.url });

process.once('SIGTERM', () => {
  void (async () => {
    await running?.close();
    await pipeline.close();
    process.exit(0);
  })();
});
