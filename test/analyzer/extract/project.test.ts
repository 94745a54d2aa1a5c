import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { extractFacts } from '../../../analyzer/extract/index.ts';
import { UserError } from '../../../common/user-error.ts';
import { guarded } from '../../../analyzer/extract/guard.ts';
import type { LoadedFile } from '../../../analyzer/extract/project.ts';
import type { Warning } from '../../../analyzer/extract/types.ts';

describe('project loading: bad input and awkward trees', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'strangler-extract-'));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const tree = (name: string, files: Record<string, string>): string => {
    const root = path.join(dir, name);
    for (const [rel, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
      writeFileSync(path.join(root, rel), text);
    }
    return root;
  };

  test('a path that does not exist is a UserError naming it', async () => {
    const missing = path.join(dir, 'nope');
    await assert.rejects(extractFacts(missing), (err: unknown) => err instanceof UserError && err.exitCode === 2 && err.message.includes(missing));
  });

  test('a folder without source files is a UserError', async () => {
    const root = tree('empty', { 'README.md': '# nothing', 'node_modules/x/index.js': 'module.exports = 1;' });
    await assert.rejects(extractFacts(root), (err: unknown) => err instanceof UserError && /no .*source files/.test(err.message));
  });

  test('a file with syntax errors is a warning naming the file; the rest is analysed', async () => {
    const root = tree('syntax', { 'ok.ts': "import { f } from './broken';\nexport const x = f();\n", 'broken.ts': 'export function f( {\n  return 1;\n' });
    const facts = await extractFacts(root);
    assert.deepEqual(facts.files.map((f) => f.path), ['broken.ts', 'ok.ts']);
    assert.equal(facts.warnings.length, 1);
    assert.match(facts.warnings[0].message, /^broken\.ts:\d+: syntax error/);
    assert.deepEqual(facts.imports.map((e) => `${e.from}->${e.to}`), ['ok.ts->broken.ts']);
  });

  test('files over the size cap are skipped with a warning', async () => {
    const root = tree('big', { 'small.js': 'module.exports = 1;\n', 'big.js': `module.exports = '${'x'.repeat(2000)}';\n` });
    const facts = await extractFacts(root, { maxFileBytes: 1000 });
    assert.deepEqual(facts.files.map((f) => f.path), ['small.js']);
    assert.match(facts.warnings[0].message, /big\.js is \d+ bytes, over the 1000-byte cap/);
  });

  test('every source file over the size cap: the error says they were too big, not that there were none', async () => {
    const root = tree('all-big', { 'a.js': `module.exports = '${'x'.repeat(200)}';\n`, 'b.ts': `export const b = '${'y'.repeat(200)}';\n` });
    await assert.rejects(
      extractFacts(root, { maxFileBytes: 100 }),
      (err: unknown) => err instanceof UserError && err.message === `all 2 source files under ${root} are over the 100-byte cap and were skipped; raise --max-file-bytes to read them`,
    );
  });

  test('node_modules, dist, build, built and tests are skipped; tests come back with includeTests', async () => {
    const root = tree('skips', {
      'src/a.ts': 'export const a = 1;\n',
      'src/a.test.ts': "import { a } from './a';\n",
      'src/__tests__/b.ts': 'export {};\n',
      'test/c.spec.js': '',
      'dist/a.js': '',
      'build/a.js': '',
      'core/built/admin/app.js': 'export const x = 1;\n',
      'node_modules/p/index.js': '',
      'src/types.d.ts': 'export type T = 1;\n',
      'public/jquery.min.js': '!function(){}();\n',
    });
    assert.deepEqual((await extractFacts(root)).files.map((f) => f.path), ['src/a.ts']);
    const withTests = await extractFacts(root, { includeTests: true });
    assert.deepEqual(withTests.files.map((f) => f.path), ['src/__tests__/b.ts', 'src/a.test.ts', 'src/a.ts', 'test/c.spec.js']);
    assert.deepEqual(withTests.imports.map((e) => `${e.from}->${e.to}`), ['src/a.test.ts->src/a.ts']);
  });

  test('JavaScript that looks minified or bundled is skipped with one warning; includeMinified reads it', async () => {
    // a bundler's one-line output, and a bundle of short lines with a few very long ones (average over 110)
    const oneLine = `!function(e){var t={};function n(r){if(t[r])return t[r].exports}${'n.d=function(e,t){return e};'.repeat(40)}}([]);`;
    const longLines = ['"use strict";', `var a=${JSON.stringify('x'.repeat(900))};`, `var b=${JSON.stringify('y'.repeat(900))};`, 'module.exports={a,b};'].join('\n');
    const root = tree('minified', {
      'server/app.js': "const express = require('express');\nconst app = express();\napp.get('/health', (req, res) => res.send('ok'));\n",
      // hand-written and short, one long line: kept (the longest line is under 500 characters)
      'server/index.js': `module.exports = { ${Array.from({ length: 8 }, (_, i) => `m${i}: require('./app')`).join(', ')} };\n`,
      // a TypeScript file is never taken for build output
      'server/data.ts': `export const table = ${JSON.stringify('z'.repeat(1200))};\n`,
      'public/js/app.js': oneLine,
      'public/js/vendor.bundle.js': longLines,
    });
    const facts = await extractFacts(root);
    assert.deepEqual(facts.files.map((f) => f.path), ['server/app.js', 'server/data.ts', 'server/index.js']);
    const skipped = facts.warnings.filter((w) => /minified or bundled/.test(w.message));
    assert.equal(skipped.length, 1, JSON.stringify(facts.warnings));
    assert.equal(skipped[0].message, '2 JavaScript files that look minified or bundled skipped (build output, not source): public/js/app.js and 1 more; --include-minified reads them');
    assert.equal(facts.routes.length, 1);

    const all = await extractFacts(root, { includeMinified: true });
    assert.deepEqual(all.files.map((f) => f.path), ['public/js/app.js', 'public/js/vendor.bundle.js', 'server/app.js', 'server/data.ts', 'server/index.js']);
    assert.ok(!all.warnings.some((w) => /minified/.test(w.message)));
  });

  test('every source file minified: the error says so and names the flag', async () => {
    const root = tree('all-minified', { 'bundle.js': `(()=>{${'var a=1;'.repeat(200)}})();` });
    await assert.rejects(
      extractFacts(root),
      (err: unknown) => err instanceof UserError && err.message === `all 1 source file under ${root} looks minified or bundled (build output, not source) and was skipped; pass the folder that holds the codebase's source, or --include-minified to read it`,
    );
  });

  test('a broken tsconfig.json is a warning; the analysis goes on with defaults', async () => {
    const root = tree('bad-tsconfig', { 'tsconfig.json': '{ "compilerOptions": { "paths": ', 'a.ts': "import { b } from './b';\nexport const a = b;\n", 'b.ts': 'export const b = 1;\n' });
    const facts = await extractFacts(root);
    assert.deepEqual(facts.imports.map((e) => `${e.from}->${e.to}`), ['a.ts->b.ts']);
    assert.ok(facts.warnings.some((w) => w.file === 'tsconfig.json'), JSON.stringify(facts.warnings));
  });

  test('tsconfig paths from an extended config are honoured', async () => {
    const root = tree('extends', {
      'tsconfig.base.json': JSON.stringify({ compilerOptions: { paths: { '~/*': ['./src/*'] } } }),
      'tsconfig.json': JSON.stringify({ extends: './tsconfig.base.json' }),
      'src/a.ts': "import { b } from '~/lib/b';\nexport const a = b;\n",
      'src/lib/b.ts': 'export const b = 1;\n',
    });
    const facts = await extractFacts(root);
    assert.deepEqual(facts.imports.map((e) => `${e.from}->${e.to}`), ['src/a.ts->src/lib/b.ts']);
    assert.deepEqual(facts.warnings, []);
  });

  test('a symlink loop ends, with each real folder read once', async () => {
    const root = tree('loop', { 'src/a.js': 'module.exports = 1;\n' });
    symlinkSync(path.join(root, 'src'), path.join(root, 'src', 'again'));
    symlinkSync(root, path.join(root, 'src', 'up'));
    const facts = await extractFacts(root);
    assert.deepEqual(facts.files.map((f) => f.path), ['src/a.js']);
    assert.ok(facts.warnings.some((w) => /symlink loop/.test(w.message)));
  });

  test('a symlink to a folder that holds the root is not followed: the analysis stays inside the root', async () => {
    const outer = tree('outer', { 'elsewhere/x.js': 'module.exports = 1;\n', 'other/y.js': 'module.exports = 3;\n', 'app/src/a.js': 'module.exports = 2;\n' });
    const root = path.join(outer, 'app');
    symlinkSync(outer, path.join(root, 'src', 'up'));
    symlinkSync(path.join(outer, 'elsewhere'), path.join(root, 'lib')); // a link out to a sibling folder is followed
    const facts = await extractFacts(root);
    assert.deepEqual(facts.files.map((f) => f.path), ['lib/x.js', 'src/a.js']);
    assert.ok(facts.warnings.some((w) => w.file === 'src/up' && /holds the folder being analysed/.test(w.message)), JSON.stringify(facts.warnings));
  });

  test('progress is reported for reading and for analysing', async () => {
    const root = tree('progress', { 'a.js': '', 'b.js': '' });
    const calls: string[] = [];
    await extractFacts(root, { onProgress: (done, total, phase) => calls.push(`${phase} ${done}/${total}`) });
    assert.deepEqual(calls, ['read 1/2', 'read 2/2', 'analyze 1/2', 'analyze 2/2']);
  });

  test('facts are plain JSON: they survive a round trip unchanged', async () => {
    const root = tree('json', { 'app.js': "const express = require('express');\nconst app = express();\napp.get('/x', (req, res) => res.end());\n" });
    const facts = await extractFacts(root);
    assert.deepEqual(JSON.parse(JSON.stringify(facts)), facts);
    assert.equal(facts.routes.length, 1);
  });
});

describe('guarded', () => {
  test('a failure while reading one file becomes a warning naming it; the work after it still runs', () => {
    const warnings: Warning[] = [];
    const file = { rel: 'src/odd.ts' } as LoadedFile;
    let after = false;
    guarded(file, warnings, 'calls', () => {
      throw new Error('Debug Failure. False expression\nstack');
    });
    guarded(file, warnings, 'routes', () => {
      after = true;
    });
    assert.equal(after, true);
    assert.deepEqual(warnings, [{ file: 'src/odd.ts', message: 'src/odd.ts: reading calls failed (Debug Failure. False expression); facts from this file are incomplete' }]);
  });
});
