// A reference decomposition whose paths do not fit the analysed files: refused when none match (it would score a
// meaningless "100.0 (0 files)"), warned about when most do not.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { UserError } from '../../common/user-error.ts';
import { planFromFacts } from '../../analyzer/pipeline.ts';
import { formatSummary } from '../../analyzer/report/summary.ts';
import { shopFacts, shopReference } from './shop-facts.ts';

const prefixed = (prefix: string, ref: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(ref).map(([file, context]) => [`${prefix}${file}`, context]));

describe('reference overlap', () => {
  test('no reference path is an analysed file: a UserError naming the file, an expected key and one it got', () => {
    assert.throws(
      () => planFromFacts(shopFacts(), { rootLabel: 'shop', reference: prefixed('shop/', shopReference()), referenceLabel: 'ref.json' }),
      (err: unknown) => {
        assert.ok(err instanceof UserError);
        assert.equal(err.exitCode, 2);
        assert.match(err.message, /^reference file ref\.json names none of the 15 analysed files: its paths must be relative to shop/);
        // the example pair shows the mistake: a prefix
        assert.match(err.message, /expected keys like "app\.ts", got "shop\/app\.ts"/);
        return true;
      },
    );
  });

  test('under half of the reference analysed: a reference warning, and the summary says how many were left out', () => {
    const ref = { ...prefixed('elsewhere/', shopReference()), 'app.ts': 'shared', 'db.ts': 'shared' };
    const plan = planFromFacts(shopFacts(), { rootLabel: 'shop', reference: ref });
    assert.equal(plan.metrics.reference?.compared, 2);
    const warning = plan.warnings.find((w) => w.kind === 'reference');
    assert.ok(warning, 'no reference warning');
    assert.match(warning.message, /^MoJoFM scores 2 of the reference's 17 files; not analysed: elsewhere\/app\.ts, elsewhere\/catalog\/catalog\.ts, \.\.\./);
    const text = formatSummary(plan, ['out/report.md'], 'ref.json');
    assert.match(text, /MoJoFM {3}\d+\.\d against ref\.json \(2 files; 15 of its files not analysed\)/);
    assert.match(text, /1 reference mismatch/);
  });

  test('a reference that fits gets no warning', () => {
    const plan = planFromFacts(shopFacts(), { rootLabel: 'shop', reference: shopReference() });
    assert.equal(plan.warnings.some((w) => w.kind === 'reference'), false);
    assert.match(formatSummary(plan, [], 'ref.json'), /against ref\.json \(15 files\)\n/);
  });
});
