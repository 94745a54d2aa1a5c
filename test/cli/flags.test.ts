// The numeric flag validators every verb uses: a bad or empty value is refused with the flag's name.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { InvalidArgumentError } from 'commander';
import { integerFlag, percentFlag } from '../../bin/commands/flags.ts';

describe('numeric flags', () => {
  test('integers within their range pass; empty, blank, fractional and out-of-range values are refused', () => {
    const port = integerFlag('--port', 0, 65535);
    assert.equal(port('0'), 0);
    assert.equal(port('8080'), 8080);
    for (const bad of ['', '  ', '1.5', '-1', '65536', 'abc', 'NaN', 'Infinity']) {
      assert.throws(() => port(bad), (err: Error) => err instanceof InvalidArgumentError && err.message === `--port expects an integer 0..65535, got "${bad}"`, bad);
    }
    assert.throws(() => integerFlag('--limit', 1)('0'), /--limit expects a positive integer, got "0"/);
    assert.throws(() => integerFlag('--samples', 0)(''), /--samples expects an integer ≥ 0, got ""/);
    assert.equal(integerFlag('--samples', 0)('0'), 0);
  });

  test('percentages take an optional %; empty is refused', () => {
    const pct = percentFlag('--fail-under');
    assert.equal(pct('99.5'), 99.5);
    assert.equal(pct('99.5%'), 99.5);
    for (const bad of ['', '%', '101', '-1', 'x']) assert.throws(() => pct(bad), /--fail-under expects a percentage between 0 and 100/, bad);
  });

  test('`strangler proxy --port ""` exits 2 with one line instead of listening on a random port', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'bin/strangler.ts', 'proxy', '--port', ''], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--port expects an integer 0\.\.65535, got ""/);
  });
});
