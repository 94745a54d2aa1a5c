import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { BodyCapture, ByteBudget } from '../../proxy/capture.ts';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const bytes = (n: number, fill = 97) => Buffer.alloc(n, fill);

test('an announced length is reserved up front and filled in place', () => {
  const budget = new ByteBudget(1000);
  const c = new BodyCapture(500, budget, '300');
  assert.equal(budget.used, 300);
  const a = bytes(100, 97);
  const b = bytes(200, 98);
  c.add(a);
  c.add(b);
  const r = c.finish(200, { 'content-length': '300' }, 1);
  assert.deepEqual(r.body, Buffer.concat([a, b]));
  assert.equal(r.size, 300);
  assert.equal(r.hash, '', 'a kept body is not hashed');
  c.release();
  c.release(); // idempotent
  assert.equal(budget.used, 0);
});

test('more bytes than announced are still all kept and accounted', () => {
  const budget = new ByteBudget(1000);
  const c = new BodyCapture(500, budget, '10');
  c.add(bytes(10, 97));
  c.add(bytes(5, 98));
  assert.equal(budget.used, 15);
  assert.deepEqual(c.body(), Buffer.concat([bytes(10, 97), bytes(5, 98)]));
  c.release();
  assert.equal(budget.used, 0);
});

test('fewer bytes than announced: the body is what arrived', () => {
  const budget = new ByteBudget(1000);
  const c = new BodyCapture(500, budget, '100');
  c.add(bytes(40));
  assert.deepEqual(c.body(), bytes(40));
});

test('over maxBytes only size and hash (of every byte, kept ones included) are kept; the bytes go back', () => {
  const budget = new ByteBudget(10_000);
  const c = new BodyCapture(100, budget);
  const all = Buffer.concat([bytes(60), bytes(60, 98)]);
  c.add(all.subarray(0, 60));
  assert.equal(budget.used, 60);
  c.add(all.subarray(60));
  assert.equal(budget.used, 0);
  const r = c.finish(200, {}, 1);
  assert.equal(r.truncated, true);
  assert.equal(r.body, undefined);
  assert.equal(r.size, 120);
  assert.equal(r.hash, sha(all));
  assert.equal(c.shed, false);
});

test('an announced length over maxBytes reserves nothing', () => {
  const budget = new ByteBudget(10);
  const c = new BodyCapture(100, budget, '5000');
  assert.equal(c.truncated, true);
  assert.equal(c.shed, false);
  c.add(bytes(5000));
  assert.equal(budget.used, 0);
  const r = c.finish(200, {}, 1);
  assert.equal(r.size, 5000);
  assert.equal(r.hash, sha(bytes(5000)));
});

test('a body the budget cannot cover is shed, mid-stream or up front, holding nothing', () => {
  const budget = new ByteBudget(100);
  const other = new BodyCapture(1000, budget);
  other.add(bytes(70)); // another exchange holds 70 of the 100
  const streamed = new BodyCapture(1000, budget);
  streamed.add(bytes(20));
  assert.equal(budget.used, 90);
  streamed.add(bytes(20));
  assert.equal(streamed.shed, true);
  assert.equal(streamed.body(), undefined);
  assert.equal(budget.used, 70, 'the shed capture gave back what it held');
  streamed.add(bytes(20));
  assert.equal(budget.used, 70, 'a shed capture takes nothing more');

  const announced = new BodyCapture(1000, budget, '50');
  assert.equal(announced.shed, true);
  assert.equal(budget.used, 70);
  other.release();
  assert.equal(budget.used, 0);
});

test('an announced body that runs past maxBytes hashes from its first byte', () => {
  const budget = new ByteBudget(10_000);
  const c = new BodyCapture(100, budget, '80');
  const all = Buffer.concat([bytes(80), bytes(50, 98)]);
  c.add(all.subarray(0, 80));
  c.add(all.subarray(80));
  const r = c.finish(200, {}, 1);
  assert.equal(r.truncated, true);
  assert.equal(r.hash, sha(all));
  assert.equal(budget.used, 0);
});
