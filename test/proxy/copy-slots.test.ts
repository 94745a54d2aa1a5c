// The per-service copy cap and the lower limit a slow candidate gets (shadow.adaptive), on a clock the test moves.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ByteBudget } from '../../proxy/capture.ts';
import { admit, type ShadowPlan } from '../../proxy/shadow.ts';
import { CopySlots, logCopyLimit, slowCopy, type CopyLimitChange } from '../../proxy/copy-slots.ts';
import { captureLogger } from './helpers.ts';
import { RouteCounters } from '../../proxy/stats.ts';
import { lowestCopyLimits } from '../../proxy/workers.ts';

function slots() {
  let t = 0;
  const changes: CopyLimitChange[] = [];
  const s = new CopySlots(() => t);
  s.onLimit = (c) => changes.push(c);
  return {
    s,
    changes,
    advance: (ms: number) => (t += ms),
    /** n copies admitted and ended, `slow` of them slow, within the current second */
    copies(n: number, slow: number, cap = 64, adaptive = true) {
      for (let i = 0; i < n; i++) {
        assert.ok(s.acquire('catalog', cap), `copy ${i} admitted`);
        s.ended('catalog', i < slow, cap, adaptive);
      }
    },
    /** how many copies are admitted at once now (then freed again) */
    admittedAtOnce(cap = 64) {
      let n = 0;
      while (n < 1000 && s.acquire('catalog', cap)) n++;
      s.release('catalog', n);
      return n;
    },
  };
}

describe('slowCopy: a copy that held its slot much longer than the monolith took', () => {
  test('over 4× the monolith and 50 ms more is slow; either alone is not', () => {
    assert.equal(slowCopy(300, 3), true);
    assert.equal(slowCopy(60, 5), true);
    assert.equal(slowCopy(40, 2), false, '20× but only 38 ms more');
    assert.equal(slowCopy(900, 400), false, '500 ms more but not 4×');
    assert.equal(slowCopy(300, undefined), false, 'no monolith answer to measure against');
  });
});

describe('CopySlots: the cap, and a slow candidate\'s limit', () => {
  test('the cap bounds copies in flight per service; released slots are free again', () => {
    const { s } = slots();
    assert.ok(s.acquire('catalog', 2));
    assert.ok(s.acquire('catalog', 2));
    assert.equal(s.acquire('catalog', 2), false);
    assert.ok(s.acquire('reviews', 2), 'another service has slots of its own');
    s.release('catalog');
    assert.ok(s.acquire('catalog', 2));
    assert.equal(s.inFlight('catalog'), 2);
  });

  test('a second in which most copies were slow halves the limit, down to a quarter of the cap', () => {
    const t = slots();
    t.copies(20, 20);
    assert.equal(t.admittedAtOnce(), 64, 'nothing decided within the first second');
    t.advance(1_000);
    // the first copy to end after the second is up decides; the second begins the next second (a second with no copy
    // in flight and none ending would count as a calm one: see the idle tests below)
    t.copies(2, 2);
    assert.deepEqual(t.changes, [{ service: 'catalog', from: 64, to: 32, ended: 21, slow: 21, cap: 64 }]);
    assert.equal(t.admittedAtOnce(), 32);
    assert.equal(t.s.limit('catalog', 64), 32);
    for (let i = 0; i < 4; i++) {
      t.advance(1_000);
      t.copies(10, 9);
    }
    assert.deepEqual(t.changes.map((c) => c.to), [32, 16], 'halved once more, then held at 64 / 4');
    assert.equal(t.admittedAtOnce(), 16);
  });

  test('calm seconds raise it by an eighth of the cap back to the cap; a mixed second holds it', () => {
    const t = slots();
    t.copies(10, 10);
    t.advance(1_000);
    t.copies(10, 10);
    t.advance(1_000);
    t.copies(2, 2);
    assert.equal(t.s.limit('catalog', 64), 16);
    t.advance(1_000);
    t.copies(10, 3); // 30% slow: neither most nor few
    assert.equal(t.s.limit('catalog', 64), 16);
    for (let i = 0; i < 7; i++) {
      t.advance(1_000);
      t.copies(10, 0); // the first second still holds the mixed one's tail: 2 slow of 10, held
    }
    assert.deepEqual(t.changes.map((c) => c.to), [32, 16, 24, 32, 40, 48, 56, 64]);
    assert.equal(t.admittedAtOnce(), 64);
  });

  test('too few copies in a second decide nothing downward; a candidate as fast as the monolith is never limited', () => {
    const t = slots();
    for (let i = 0; i < 5; i++) {
      t.advance(1_000);
      t.copies(6, 6); // slow, but fewer than 8 end in any second
    }
    for (let i = 0; i < 5; i++) {
      t.advance(1_000);
      t.copies(5_000, 0); // busy and fast
    }
    assert.deepEqual(t.changes, []);
    assert.equal(t.admittedAtOnce(), 64);
  });

  test('with adaptive off the cap alone applies, and a lowered limit is lifted', () => {
    const t = slots();
    t.copies(10, 10);
    t.advance(1_000);
    t.copies(10, 10);
    assert.equal(t.s.limit('catalog', 64), 32);
    t.copies(1, 1, 64, false);
    assert.equal(t.admittedAtOnce(), 64);
    t.advance(1_000);
    t.copies(20, 20, 64, false);
    assert.equal(t.admittedAtOnce(), 64);
  });

  test('a cap lowered by a reload under a lowered limit: the smaller applies', () => {
    const t = slots();
    t.copies(10, 10);
    t.advance(1_000);
    t.copies(10, 10);
    assert.equal(t.s.limit('catalog', 64), 32);
    assert.equal(t.admittedAtOnce(8), 8);
    assert.equal(t.s.limit('catalog', 8), 8);
  });
});

describe('admit: copies a slow candidate\'s limit turns away are counted apart (droppedSlow), as well as in dropped', () => {
  const plan = (concurrency: number): ShadowPlan =>
    ({ routeId: 'book', service: 'catalog', sample: 1, concurrency, adaptive: true, writes: false, maxBodyBytes: 1024, counters: new RouteCounters('book') }) as ShadowPlan;
  const get = { method: 'GET', url: '/books/1', headers: {} };
  /** a clock-driven CopySlots whose catalog limit is down to 32 of 64 */
  function lowered() {
    const t = slots();
    t.copies(10, 10);
    t.advance(1_000);
    t.copies(1, 1);
    assert.equal(t.s.limit('catalog', 64), 32);
    return t.s;
  }

  test('at the lowered limit, under the cap: dropped and droppedSlow', () => {
    const s = lowered();
    const p = plan(64);
    for (let i = 0; i < 32; i++) assert.ok(admit(get, p, new ByteBudget(1e9), s));
    assert.equal(admit(get, p, new ByteBudget(1e9), s), false);
    assert.equal(admit(get, p, new ByteBudget(1e9), s), false);
    assert.equal(p.counters.dropped, 2);
    assert.equal(p.counters.droppedSlow, 2);
  });

  test('the cap itself, the byte budget, a body too big: dropped only', () => {
    const fresh = slots().s;
    const atCap = plan(2);
    assert.ok(admit(get, atCap, new ByteBudget(1e9), fresh));
    assert.ok(admit(get, atCap, new ByteBudget(1e9), fresh));
    assert.equal(admit(get, atCap, new ByteBudget(1e9), fresh), false, 'the cap is full');
    const s = lowered();
    const small = plan(8); // a route whose own cap is below the service's lowered limit: its cap turns copies away
    for (let i = 0; i < 8; i++) assert.ok(admit(get, small, new ByteBudget(1e9), s));
    assert.equal(admit(get, small, new ByteBudget(1e9), s), false, 'the cap (8), not the limit (32)');
    const budget = plan(64);
    const full = new ByteBudget(10);
    full.take(10);
    assert.equal(admit(get, budget, full, s), false, 'the byte budget');
    const big = plan(64);
    assert.equal(admit({ ...get, headers: { 'content-length': '5000' } }, big, new ByteBudget(1e9), s), false, 'over maxBodyBytes');
    for (const p of [atCap, small, budget, big]) {
      assert.equal(p.counters.dropped, 1);
      assert.equal(p.counters.droppedSlow, 0);
    }
  });
});

describe('RouteCounters: droppedSlow goes through snapshots, deltas and merges (shadow thread, --workers)', () => {
  test('a delta hands it over and zeroes it; a merge sums it; an older snapshot without it adds nothing', () => {
    const thread = new RouteCounters('book');
    thread.dropped = 3;
    thread.droppedSlow = 2;
    const delta = thread.takeDelta();
    assert.equal(thread.droppedSlow, 0);
    const main = new RouteCounters('book');
    main.merge(delta);
    main.merge(delta);
    const { droppedSlow: _, ...older } = delta;
    main.merge(older);
    assert.equal(main.droppedSlow, 4);
    assert.equal(main.dropped, 9);
    const since = main.snapshot();
    main.droppedSlow += 5;
    assert.equal(main.toStats('shadow', 'catalog', since).droppedSlow, 5, 'a started-over route counts from then');
    assert.equal(main.toStats('shadow', 'catalog').droppedSlow, 9);
  });
});

describe('lowestCopyLimits: --workers, each process with its own limit', () => {
  test('per route, the lowest any worker holds; a route no worker limits has none', () => {
    const merged = lowestCopyLimits([
      [['book', { limit: 32, cap: 64 }]],
      [
        ['book', { limit: 16, cap: 64 }],
        ['review', { limit: 48, cap: 64 }],
      ],
      [],
    ]);
    assert.deepEqual([...merged].sort(), [
      ['book', { limit: 16, cap: 64 }],
      ['review', { limit: 48, cap: 64 }],
    ]);
    assert.equal(lowestCopyLimits([]).size, 0);
  });
});

describe('CopySlots.lowered: what the admin API shows', () => {
  test('undefined while the cap alone applies; the limit and the route\'s cap once lower', () => {
    const t = slots();
    assert.equal(t.s.lowered('catalog', 64), undefined);
    t.copies(10, 10);
    t.advance(1_000);
    t.copies(1, 1);
    assert.deepEqual(t.s.lowered('catalog', 64), { limit: 32, cap: 64 });
    assert.equal(t.s.lowered('catalog', 16), undefined, 'a route whose own cap is under the limit is not held by it');
    assert.equal(t.s.lowered('reviews', 64), undefined, 'another service');
  });
});

describe('logCopyLimit: one line per move', () => {
  test('down at warn, up at info, back at the cap said so', () => {
    const { logger, lines } = captureLogger();
    const base = { service: 'catalog', ended: 12, cap: 64 };
    logCopyLimit(logger, { ...base, from: 64, to: 32, slow: 12 });
    logCopyLimit(logger, { ...base, from: 16, to: 24, slow: 0 });
    logCopyLimit(logger, { ...base, from: 56, to: 64, slow: 0 });
    assert.deepEqual(lines.map((l) => [l.level, l.msg]), [
      [40, 'candidate much slower than the monolith (12 of 12 copies in the last second): copies in flight limited to 32'],
      [30, 'candidate keeping up again: copies in flight limited to 24'],
      [30, 'candidate keeping up again: copies in flight back to the cap (64)'],
    ]);
    assert.deepEqual({ service: lines[0].service, from: lines[0].from, to: lines[0].to }, { service: 'catalog', from: 64, to: 32 });
  });

  test('raised for want of copies: says so, with the idle seconds', () => {
    const { logger, lines } = captureLogger();
    logCopyLimit(logger, { service: 'catalog', from: 16, to: 32, ended: 0, slow: 0, cap: 64, idleSeconds: 2 });
    logCopyLimit(logger, { service: 'catalog', from: 32, to: 64, ended: 0, slow: 0, cap: 64, idleSeconds: 30 });
    assert.deepEqual(lines.map((l) => [l.level, l.msg, l.idleSeconds]), [
      [30, 'no copy in flight or ended for 2 s: copies in flight limited to 32', 2],
      [30, 'no copy in flight or ended for 30 s: copies in flight back to the cap (64)', 30],
    ]);
  });
});

describe('CopySlots: a lowered limit recovers over seconds with no copy in flight and none ending', () => {
  /** a clock-driven CopySlots whose catalog limit is down at the floor, 16 of 64, the window just closed */
  function atFloor() {
    const t = slots();
    t.copies(10, 10);
    t.advance(1_000);
    t.copies(10, 10);
    t.advance(1_000);
    t.copies(1, 1);
    assert.equal(t.s.limit('catalog', 64), 16);
    t.changes.length = 0;
    return t;
  }
  /** one copy admitted (and kept in flight) */
  const admitOne = (t: ReturnType<typeof slots>) => assert.ok(t.s.acquire('catalog', 64), 'admitted');

  test('each whole idle second raises it by an eighth of the cap, as a calm second would, back to the cap', () => {
    const t = atFloor();
    t.advance(999);
    admitOne(t);
    t.s.release('catalog');
    assert.equal(t.s.limit('catalog', 64), 16, 'not a whole second yet');
    t.advance(1);
    admitOne(t);
    assert.equal(t.s.limit('catalog', 64), 24, 'one idle second: one step');
    assert.deepEqual(t.changes, [{ service: 'catalog', from: 16, to: 24, ended: 0, slow: 0, cap: 64, idleSeconds: 1 }]);
    t.s.ended('catalog', false, 64, true); // a fast copy, ended within the new window: decides nothing yet
    t.advance(3_500);
    // the copy that ended is evidence: the window it ended in is decided by ended(), as before (fast: up a step)
    t.copies(1, 0);
    assert.equal(t.s.limit('catalog', 64), 32);
    t.advance(2_000);
    admitOne(t);
    assert.equal(t.s.limit('catalog', 64), 48, 'two idle seconds: two steps');
    t.s.release('catalog');
    t.advance(60_000);
    assert.equal(t.admittedAtOnce(), 64, 'an idle minute: back to the cap');
    assert.equal(t.s.lowered('catalog', 64), undefined);
    assert.deepEqual(t.changes.map((c) => [c.from, c.to]), [[16, 24], [24, 32], [32, 48], [48, 64]]);
  });

  test('copies in flight hold it: they may yet end slow (a candidate that hangs until the copy timeout)', () => {
    const t = atFloor();
    for (let i = 0; i < 16; i++) admitOne(t);
    t.advance(5_000);
    assert.equal(t.s.acquire('catalog', 64), false, 'the lowered limit turns copies away');
    assert.equal(t.s.refusedBelowCap, true);
    for (let i = 0; i < 15; i++) t.s.release('catalog'); // given back without a candidate call: no evidence either way
    t.advance(5_000);
    assert.equal(t.s.acquire('catalog', 64), true);
    assert.equal(t.s.limit('catalog', 64), 16, 'one copy still in flight: held');
    t.s.ended('catalog', true, 64, true); // the hung ones time out: slow
    t.s.ended('catalog', true, 64, true);
    assert.equal(t.s.limit('catalog', 64), 16, 'too few to move it down, slow enough to hold it');
    assert.deepEqual(t.changes, []);
  });

  test('a copy that ended since the window began holds it until its window is decided', () => {
    const t = atFloor();
    t.advance(500);
    t.copies(1, 1); // slow, within the window: too little to decide, but not idle
    t.advance(5_000);
    admitOne(t);
    assert.equal(t.s.limit('catalog', 64), 16);
    assert.deepEqual(t.changes, []);
  });

  test('the admin API reads an idle service\'s limit as recovered, without a copy to admit', () => {
    const t = atFloor();
    assert.deepEqual(t.s.lowered('catalog', 64), { limit: 16, cap: 64 });
    t.advance(2_000);
    assert.deepEqual(t.s.lowered('catalog', 64), { limit: 32, cap: 64 });
    t.advance(10_000);
    assert.equal(t.s.lowered('catalog', 64), undefined);
    assert.deepEqual(t.changes.map((c) => [c.from, c.to, c.idleSeconds]), [[16, 32, 2], [32, 64, 10]]);
  });

  test('an unlowered service is left alone, however long idle', () => {
    const t = slots();
    t.copies(5, 0);
    t.advance(60_000);
    assert.equal(t.admittedAtOnce(), 64);
    assert.deepEqual(t.changes, []);
  });
});
