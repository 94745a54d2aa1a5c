import { test } from 'node:test';
import assert from 'node:assert/strict';
import { quoteInput, showInput } from '../../common/unprintable.ts';

test('quoteInput: a JSON string, unprintables escaped, cut with the full length said, never half a character', () => {
  assert.equal(quoteInput('book'), '"book"');
  assert.equal(quoteInput('a\nb\u202ec\u0085'), '"a\\nb\\u202ec\\u0085"');
  assert.equal(quoteInput('z'.repeat(100_000)), `"${'z'.repeat(80)}"… (100000 characters)`);
  assert.equal(quoteInput(`${'a'.repeat(79)}😀b`), `"${'a'.repeat(79)}"… (82 characters)`, 'the emoji would be cut in two: left out whole');
});

test('showInput: the same unquoted, for paths', () => {
  assert.equal(showInput('/api/x\r\n'), '/api/x\\r\\n');
  assert.equal(showInput('/'.repeat(90), 10), `${'/'.repeat(10)}… (90 characters)`);
});
