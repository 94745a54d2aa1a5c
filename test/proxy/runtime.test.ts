import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MEMORY_REDUCER_ENV, SERVING_V8_FLAGS, tuneForServing } from '../../proxy/runtime.ts';

test('tuneForServing turns V8\'s memory reducer off and says so', () => {
  assert.deepEqual([...tuneForServing({})], ['--no-memory-reducer']);
  assert.deepEqual([...SERVING_V8_FLAGS], ['--no-memory-reducer']);
});

test(`${MEMORY_REDUCER_ENV}=on keeps V8's defaults: nothing applied`, () => {
  assert.deepEqual([...tuneForServing({ [MEMORY_REDUCER_ENV]: 'on' })], []);
});
