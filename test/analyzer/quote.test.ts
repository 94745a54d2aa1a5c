// Names from the analysed code shown to people: control and bidi characters spelled out, code spans nothing closes.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { codeSpan, hasUnprintable, visible } from '../../analyzer/quote.ts';

describe('visible', () => {
  test('spells out line breaks, terminal escapes, DEL, C1 and bidi controls, and leaves the rest alone', () => {
    assert.equal(visible('/a\r\nb\tc'), '/a\\r\\nb\\tc');
    assert.equal(visible('esc\x1b[2K\x7f\x85'), 'esc\\u001b[2K\\u007f\\u0085');
    assert.equal(visible('invoice\u202etxt.exe\u2066\u200f'), 'invoice\\u202etxt.exe\\u2066\\u200f');
    assert.equal(visible('/api/books/:id · ünïcode ↔ 日本'), '/api/books/:id · ünïcode ↔ 日本');
  });

  test('hasUnprintable says whether visible would change the text', () => {
    for (const bad of ['\r', '\n', '\x00', '\x1b', '\x7f', '\x9b', '\u200e', '\u202a', '\u2069']) assert.equal(hasUnprintable(`/a${bad}b`), true, JSON.stringify(bad));
    assert.equal(hasUnprintable('/api/books/:id*'), false);
  });
});

describe('codeSpan', () => {
  test('a backtick inside does not close the span: the fence is longer than any run inside', () => {
    assert.equal(codeSpan('plain'), '`plain`');
    assert.equal(codeSpan('a`b'), '``a`b``');
    assert.equal(codeSpan('x + "``y``"'), '```x + "``y``"```');
    // a backtick at either end is padded with a space, which the renderer strips
    assert.equal(codeSpan('`<img>`'), '`` `<img>` ``');
  });

  test('has no raw line break: a name cannot end the span or start a heading', () => {
    assert.equal(codeSpan('src/a\n# Heading\r<img>.ts'), '`src/a\\n# Heading\\r<img>.ts`');
  });

  test('keeps spaces at both ends and is never empty', () => {
    assert.equal(codeSpan(' a '), '`  a  `');
    assert.equal(codeSpan(''), '` `');
  });
});
