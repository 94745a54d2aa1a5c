// `strangler analyze` from the terminal: a bad --out fails before the analysis, a reference that names none of the
// analysed files is refused, extraction warnings reach the summary, and a hand-edited proxy config is kept.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const cli = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'bin/strangler.ts', 'analyze', ...args], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, NODE_ENV: 'test' } });

const oneLine = (r: ReturnType<typeof cli>, pattern: RegExp): void => {
  assert.equal(r.status, 2, r.stderr);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr.trim(), pattern);
};

describe('strangler analyze: output folder, reference, warnings, edited config', () => {
  const dir = mkdtempSync(join(tmpdir(), 'strangler-analyze-cli-'));
  const src = join(dir, 'src');
  const out = join(dir, 'out');
  before(() => {
    mkdirSync(src);
    writeFileSync(join(src, 'app.ts'), "import express from 'express';\nimport { list } from './books.ts';\nconst app = express();\napp.get('/books', (_req, res) => res.json(list()));\nexport default app;\n");
    // a syntax error: the extractor warns and goes on
    writeFileSync(join(src, 'books.ts'), 'export function list() { return [1, 2; }\n');
    writeFileSync(join(dir, 'a-file'), 'x');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('--out under a regular file: one line naming it, before any analysis (with and without --facts-only)', () => {
    const bad = join(dir, 'a-file', 'out');
    for (const extra of [[], ['--facts-only']]) {
      oneLine(cli(src, '--out', bad, ...extra), /^strangler: --out .*a-file\/out cannot be used as the output folder: a part of the path is a file, not a folder$/);
    }
  });

  test('--out followed by another option is refused, and no folder named after the option is made', () => {
    oneLine(cli(src, '--out', '--json'), /^strangler: --out --json looks like an option, not a folder/);
    assert.equal(existsSync('--json'), false);
  });

  test('an analysis that fails leaves no output folder it made behind; one that existed stays', () => {
    const empty = join(dir, 'empty-src');
    mkdirSync(empty);
    const fresh = join(dir, 'fresh', 'nested', 'out');
    for (const extra of [[], ['--facts-only']]) {
      oneLine(cli(empty, '--out', fresh, ...extra), /^strangler: no \.ts.* source files under /);
      assert.equal(existsSync(join(dir, 'fresh')), false, 'the folders --out made are removed');
    }
    const kept = join(dir, 'kept');
    mkdirSync(kept);
    oneLine(cli(empty, '--out', kept), /^strangler: no \.ts/);
    assert.equal(existsSync(kept), true);
  });

  test('a reference naming none of the analysed files is refused, not scored 100.0 on 0 files', () => {
    const ref = join(dir, 'ref.json');
    writeFileSync(ref, JSON.stringify({ 'src/app.ts': 'web', 'src/books.ts': 'books' }));
    oneLine(cli(src, '--out', out, '--reference', ref), /^strangler: reference file .*ref\.json names none of the 2 analysed files: its paths must be relative to .*src \(expected keys like "app\.ts", got "src\/app\.ts"\)$/);
  });

  test('the summary counts the extraction warnings, lists them and points at report.md; --facts-only too', () => {
    const r = cli(src, '--out', out);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /\n {2}warnings \d+ \(.*1 extraction problem.*\) — see .*out\/report\.md\n {11}books\.ts:1: syntax error/);
    const facts = cli(src, '--out', out, '--facts-only');
    assert.equal(facts.status, 0, facts.stderr);
    assert.match(facts.stdout, /\n {2}warnings 1 \(1 extraction problem\) — see "warnings" in .*facts\.json\n {11}books\.ts:1: syntax error/);
  });

  test('--migration and --not-migration (repeatable) reach the extractor; a glob that matches nothing is a warning naming it', () => {
    mkdirSync(join(src, 'migrations'), { recursive: true });
    writeFileSync(join(src, 'migrations', '2024-report.ts'), 'export const report = 1;\n');
    writeFileSync(join(src, 'backfill.ts'), 'export async function backfill() {}\n');
    try {
      const r = cli(src, '--out', out, '--facts-only', '--migration', 'backfill.ts', '--migration', 'nothing/**', '--not-migration', 'migrations/2024-*.ts');
      assert.equal(r.status, 0, r.stderr);
      const facts = JSON.parse(readFileSync(join(out, 'facts.json'), 'utf8'));
      assert.deepEqual(facts.migrations, [{ file: 'backfill.ts', kind: 'migration', by: 'option', folder: '.' }]);
      assert.match(r.stdout, /migration glob "nothing\/\*\*" matches no analysed file/);
    } finally {
      rmSync(join(src, 'migrations'), { recursive: true, force: true });
      rmSync(join(src, 'backfill.ts'));
    }
  });

  test('--help says which files a run writes, all of them', () => {
    const r = cli(src, '--out', join(dir, 'help-out'));
    assert.equal(r.status, 0, r.stderr);
    const written = /\n {2}wrote {4}(.*)\n/.exec(r.stdout)?.[1].split(', ').map((p) => p.split('/').pop() ?? p) ?? [];
    assert.deepEqual(written, ['plan.json', 'strangler.config.json', 'report.md', 'report.html', 'facts.json']);
    // the description (between the usage line and the arguments), which commander wraps: read it as one line
    const help = cli('--help').stdout;
    const description = help.slice(help.indexOf('\n'), help.indexOf('Arguments:')).replace(/\s+/g, ' ');
    for (const file of written) assert.ok(description.includes(file), `analyze --help does not name ${file}: ${description}`);
  });

  test('a hand-edited strangler.config.json is kept and this run writes strangler.config.new.json; unedited runs say nothing', () => {
    const config = join(out, 'strangler.config.json');
    const again = cli(src, '--out', out);
    assert.equal(again.status, 0, again.stderr);
    assert.equal(again.stderr, '');
    const edited = readFileSync(config, 'utf8').replace('"mode": "legacy"', '"mode": "shadow"');
    writeFileSync(config, edited);
    const r = cli(src, '--out', out);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /^strangler: .*strangler\.config\.json was edited since strangler wrote it: kept it; this run's config is .*strangler\.config\.new\.json/);
    assert.match(r.stdout, /wrote .*strangler\.config\.new\.json/);
    assert.equal(readFileSync(config, 'utf8'), edited);
    assert.ok(existsSync(join(out, 'strangler.config.new.json')));
  });
});

describe('strangler analyze: a root outside the working directory', () => {
  const dir = mkdtempSync(join(tmpdir(), 'strangler-analyze-root-'));
  const src = join(dir, 'shop');
  before(() => {
    mkdirSync(src);
    writeFileSync(join(src, 'app.ts'), "import express from 'express';\nconst app = express();\napp.get('/books', (_req, res) => res.json([]));\nexport default app;\n");
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('is named by its absolute path in the summary, plan.json and the reports, whether typed absolute or as ../..', () => {
    const climbing = relative(process.cwd(), src);
    assert.match(climbing, /^\.\.\//);
    for (const typed of [src, climbing]) {
      const out = join(dir, `out-${typed === src ? 'absolute' : 'relative'}`);
      const r = cli(typed, '--out', out);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout.split('\n')[0].startsWith(`${src}: 1 file, 1 route`), true, r.stdout);
      assert.equal(JSON.parse(readFileSync(join(out, 'plan.json'), 'utf8')).root, src);
      assert.ok(readFileSync(join(out, 'report.md'), 'utf8').includes(`# Strangler analysis of \`${src}\``));
      const facts = cli(typed, '--out', out, '--facts-only');
      assert.equal(facts.status, 0, facts.stderr);
      assert.equal(facts.stdout.split('\n')[0].startsWith(`${src}: 1 file,`), true, facts.stdout);
    }
  });
});

describe('strangler analyze --json: names from the analysed code reach the terminal escaped', () => {
  test('bidi and C1 characters in a file name are written as \\u escapes; the JSON reads back the same', () => {
    const dir = mkdtempSync(join(tmpdir(), 'strangler-analyze-json-'));
    try {
      const src = join(dir, 'src');
      mkdirSync(src);
      const name = 'evil\u202etxt\u009b.ts';
      writeFileSync(join(src, name), "import express from 'express';\nconst app = express();\napp.get('/a', (_req, res) => res.json({}));\nexport default app;\n");
      const r = cli(src, '--out', join(dir, 'out'), '--facts-only', '--json');
      assert.equal(r.status, 0, r.stderr);
      assert.doesNotMatch(r.stdout, /[\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
      assert.match(r.stdout, /\\u202e/);
      assert.ok(JSON.stringify(JSON.parse(r.stdout)).includes(name), 'the same value once parsed');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
