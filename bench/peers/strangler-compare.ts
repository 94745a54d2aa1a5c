// Glue for the bench's strangler target: the diff pipeline (store + comparator) the proxy CLI uses,
// built from the same config. Kept apart so the target still runs, capture-only, without it.
import { createDiffPipeline, type ProxyRouteCounters } from '../../proxy/comparator.ts';
import type { Logger } from '../../common/log.ts';
import type { ProxyConfig } from '../../proxy/config.ts';
import type { Pair } from '../../proxy/types.ts';

export async function createComparatorForConfig(
  config: ProxyConfig,
  proxyStats: () => readonly ProxyRouteCounters[],
  logger: Logger,
): Promise<{ onPair: (pair: Pair) => void; close(): Promise<void> }> {
  const pipeline = createDiffPipeline(() => config, { proxyStats, logger });
  return { onPair: (pair) => pipeline.comparator.onPair(pair), close: () => pipeline.close() };
}
