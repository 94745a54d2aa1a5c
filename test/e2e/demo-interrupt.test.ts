// Ctrl-C in the middle of the demo's traffic: the shoppers stop, everything started is closed, and the
// demo rejects with a UserError (exit code 130) instead of leaving servers or open databases behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../../common/user-error.ts';
import { runDemo } from '../../demo/run.ts';
import { RANDOM_PORTS } from '../../demo/stack.ts';

test('aborting during the traffic stops the run and closes everything', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'strangler-demo-abort-'));
  try {
    const stop = new AbortController();
    let proxyUrl = '';
    let sentAtAbort = 0;
    let sentAtEnd = 0;
    const run = runDemo({
      out: dir,
      ports: RANDOM_PORTS,
      requests: 1_000_000,
      adminToken: 'abort-test',
      say: (line) => {
        const m = /^proxy (http:\/\/\S+)/.exec(line);
        if (m) proxyUrl = m[1];
      },
      onProgress: (p) => {
        sentAtEnd = p.sent;
        if (p.done >= 50 && !stop.signal.aborted) {
          sentAtAbort = p.sent;
          stop.abort();
        }
      },
      signal: stop.signal,
    });
    await assert.rejects(run, (err: unknown) => err instanceof UserError && err.exitCode === 130 && /interrupted/.test(err.message));
    assert.ok(sentAtAbort > 0, 'traffic was running when aborted');
    assert.ok(sentAtEnd <= sentAtAbort, `no request sent after the abort (${sentAtAbort} → ${sentAtEnd})`);
    assert.ok(proxyUrl, 'the proxy had started');
    await assert.rejects(fetch(`${proxyUrl}/books/1`), 'proxy stopped');
    for (const f of ['diffs.sqlite', 'data/monolith.sqlite', 'data/reviews.sqlite']) {
      assert.ok(existsSync(join(dir, f)), f);
      assert.ok(!existsSync(join(dir, `${f}-wal`)), `${f} closed`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
