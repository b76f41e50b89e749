// The size budgets of bench/size.mjs, held by npm test: a change that makes the first download bigger
// fails here, not only in a benchmark someone has to run (the element once grew past its budget
// unseen when a formatter spread its CSS over 40 lines). Sizes are bytes, the same on every run.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
// @ts-expect-error: a plain ES module of the benchmark, without declarations
import { BUDGETS, measure } from '../../bench/size.mjs';

describe('size budgets (min+gzip, what a page downloads before the button works)', () => {
  for (const [label, file, budget] of BUDGETS as [string, string, number][]) {
    it(`${label}: ${file} ≤ ${budget} B`, () => {
      const { gzip } = measure(file);
      assert.ok(gzip <= budget, `${file} is ${gzip} B min+gzip, over its ${budget} B budget: move what only some modes need into an import() chunk`);
    });
  }

  it('the element bundled from its source by an app (src/index.ts, Lit external) ≤ 3200 B', () => {
    const { gzip } = measure('src/index.ts', { tsconfig: 'tsconfig.json' });
    assert.ok(gzip <= 3200, `the eager element is ${gzip} B min+gzip, over its 3200 B budget`);
  });
});
