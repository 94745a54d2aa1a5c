// The analyzer's output folder: a bad --out fails before any work, and a strangler.config.json edited by hand is
// kept (this run's config goes beside it), while runs without edits stay silent.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../../common/user-error.ts';
import { NEW_PROXY_CONFIG, PROXY_CONFIG, prepareOutDir, writeProxyConfig } from '../../analyzer/output.ts';

const dir = mkdtempSync(join(tmpdir(), 'strangler-output-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const userError = (pattern: RegExp) => (err: unknown) => err instanceof UserError && err.exitCode === 2 && pattern.test(err.message);

describe('prepareOutDir', () => {
  test('creates a missing folder and its parents', () => {
    const out = join(dir, 'a', 'b', 'out');
    prepareOutDir(out);
    assert.ok(existsSync(out));
  });

  test('a path under a regular file, a file, or a value that is an option: one UserError naming --out', () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    assert.throws(() => prepareOutDir(join(file, 'out')), userError(/^--out .*a-file\/out cannot be used as the output folder: a part of the path is a file, not a folder$/));
    assert.throws(() => prepareOutDir(file), userError(/^--out .*a-file is a file; pass a folder/));
    assert.throws(() => prepareOutDir('--json'), userError(/^--out --json looks like an option, not a folder/));
    assert.equal(existsSync('--json'), false);
  });
});

describe('writeProxyConfig', () => {
  const out = join(dir, 'config');
  prepareOutDir(out);
  const path = join(out, PROXY_CONFIG);
  const newPath = join(out, NEW_PROXY_CONFIG);

  test('first and repeated runs write strangler.config.json without a notice', () => {
    assert.deepEqual(writeProxyConfig(out, '{"v":1}\n'), { path });
    assert.deepEqual(writeProxyConfig(out, '{"v":1}\n'), { path });
    // a new config from a changed plan replaces one the user did not touch
    assert.deepEqual(writeProxyConfig(out, '{"v":2}\n'), { path });
    assert.equal(readFileSync(path, 'utf8'), '{"v":2}\n');
  });

  test('a hand-edited config is kept; the new one goes to strangler.config.new.json with a notice', () => {
    writeFileSync(path, '{"v":2,"mine":true}\n');
    const r = writeProxyConfig(out, '{"v":3}\n');
    assert.equal(r.path, newPath);
    assert.match(r.notice ?? '', /strangler\.config\.json was edited since strangler wrote it: kept it; this run's config is .*strangler\.config\.new\.json/);
    assert.equal(readFileSync(path, 'utf8'), '{"v":2,"mine":true}\n');
    assert.equal(readFileSync(newPath, 'utf8'), '{"v":3}\n');
    // still kept on the next run
    assert.equal(writeProxyConfig(out, '{"v":3}\n').path, newPath);
  });

  test('once the user deletes their file, the config is ours again and the stale .new.json goes', () => {
    rmSync(path);
    assert.deepEqual(writeProxyConfig(out, '{"v":3}\n'), { path });
    assert.equal(existsSync(newPath), false);
  });

  test('a config strangler did not write (no record of it) that differs is kept', () => {
    const fresh = join(dir, 'fresh');
    prepareOutDir(fresh);
    writeFileSync(join(fresh, PROXY_CONFIG), '{"handwritten":true}\n');
    assert.ok(writeProxyConfig(fresh, '{"v":1}\n').notice);
    assert.equal(readFileSync(join(fresh, PROXY_CONFIG), 'utf8'), '{"handwritten":true}\n');
  });
});
