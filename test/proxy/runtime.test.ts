import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { MEMORY_REDUCER_ENV, SERVING_V8_FLAGS, V8_DEFAULTS_ENV, missingServingFlags, servingFlagsNotice, servingV8Flags } from '../../proxy/runtime.ts';

test('serving processes want V8\'s memory reducer off; the opt-out wants nothing', () => {
  assert.deepEqual([...SERVING_V8_FLAGS], ['--no-memory-reducer', '--max-semi-space-size=32']);
  assert.deepEqual([...servingV8Flags({})], SERVING_V8_FLAGS);
  assert.deepEqual([...servingV8Flags({ [V8_DEFAULTS_ENV]: 'on' })], []);
  assert.deepEqual([...servingV8Flags({ [MEMORY_REDUCER_ENV]: 'on' })], [], 'the first name of the switch still works');
});

test('missingServingFlags reads node\'s command line, in either of V8\'s spellings, any value the operator chose', () => {
  assert.deepEqual(missingServingFlags(['--import', 'tsx'], {}), ['--no-memory-reducer', '--max-semi-space-size=32']);
  assert.deepEqual(missingServingFlags(['--import', 'tsx', '--no-memory-reducer'], {}), ['--max-semi-space-size=32']);
  assert.deepEqual(missingServingFlags(['--no_memory_reducer', '--max_semi_space_size=64'], {}), []);
  assert.deepEqual(missingServingFlags(['--max-semi-space-size=16', '--no-memory-reducer'], {}), []);
  assert.deepEqual(missingServingFlags([], { [V8_DEFAULTS_ENV]: 'on' }), []);
});

test('servingFlagsNotice: info with the flags, a warning that says how to start it without them, nothing when opted out', () => {
  assert.deepEqual(servingFlagsNotice([...SERVING_V8_FLAGS], {})?.level, 'info');
  const warn = servingFlagsNotice(['--import', 'tsx', '--no-memory-reducer'], {});
  assert.equal(warn?.level, 'warn');
  assert.deepEqual(warn?.v8Flags, ['--max-semi-space-size=32']);
  assert.ok(warn?.msg.includes('node --max-semi-space-size=32 --import tsx bin/strangler.ts'), warn?.msg);
  assert.match(warn?.msg ?? '', new RegExp(`${V8_DEFAULTS_ENV}=on`));
  assert.equal(servingFlagsNotice([], { [V8_DEFAULTS_ENV]: 'on' }), undefined);
});

test('the launchers that serve put the flags on node\'s command line (V8 reads them at start-up only)', () => {
  const root = new URL('../../', import.meta.url);
  const shebang = readFileSync(new URL('bin/strangler.ts', root), 'utf8').split('\n')[0];
  const scripts = (JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { scripts: Record<string, string> }).scripts;
  for (const flag of SERVING_V8_FLAGS) {
    assert.ok(shebang.split(' ').includes(flag), `bin/strangler.ts shebang: ${shebang}`);
    for (const name of ['start', 'demo', 'proxy']) assert.ok(scripts[name].split(' ').includes(flag), `npm run ${name}: ${scripts[name]}`);
  }
});

test('a process started with the flags sees them in process.execArgv, so the check holds at run time', () => {
  const code = `import('${new URL('../../proxy/runtime.ts', import.meta.url).href}').then((m) => console.log(JSON.stringify(m.missingServingFlags())))`;
  const run = (flags: string[]) => {
    const r = spawnSync(process.execPath, [...flags, '--import', 'tsx', '--input-type=module', '-e', code], { encoding: 'utf8', env: { ...process.env, [MEMORY_REDUCER_ENV]: '', [V8_DEFAULTS_ENV]: '' } });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout) as string[];
  };
  assert.deepEqual(run([...SERVING_V8_FLAGS]), []);
  assert.deepEqual(run([]), [...SERVING_V8_FLAGS]);
});
