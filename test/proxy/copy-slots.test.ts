// The per-service copy cap and the lower limit a slow candidate gets (shadow.adaptive), on a clock the test moves.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { CopySlots, slowCopy, type CopyLimitChange } from '../../proxy/shadow.ts';

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
    t.copies(1, 1); // the first copy to end after the second is up decides
    assert.deepEqual(t.changes, [{ service: 'catalog', from: 64, to: 32, ended: 21, slow: 21 }]);
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
    t.copies(1, 1);
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
