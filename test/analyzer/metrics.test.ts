// Metrics on small graphs whose values are computed by hand in the comments.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  crossServiceCycles,
  interPartitionCallPercentage,
  interfaceNumber,
  modularizationQuality,
  mojoFM,
  newmanModularity,
  nonExtremeDistribution,
  sharedWriteTables,
  structuralModularity,
  type DependencyGraph,
} from '../../analyzer/metrics.ts';

// A = {a1, a2, a3}, B = {b1, b2}
// a1→a2 (3), a2→a3 (1), a3→a1 (1), b1→b2 (4), a1→b1 (2), b2→a3 (1)
const graph: DependencyGraph = {
  nodes: ['a1', 'a2', 'a3', 'b1', 'b2'],
  edges: [
    { from: 'a1', to: 'a2', weight: 3 },
    { from: 'a2', to: 'a3', weight: 1 },
    { from: 'a3', to: 'a1', weight: 1 },
    { from: 'b1', to: 'b2', weight: 4 },
    { from: 'a1', to: 'b1', weight: 2 },
    { from: 'b2', to: 'a3', weight: 1 },
  ],
};
const partition = new Map([
  ['a1', 'A'],
  ['a2', 'A'],
  ['a3', 'A'],
  ['b1', 'B'],
  ['b2', 'B'],
]);
const close = (actual: number, expected: number): void => assert.ok(Math.abs(actual - expected) < 1e-9, `${actual} ≠ ${expected}`);

describe('Mono2Micro metrics', () => {
  test('SM: mean cohesion minus mean coupling', () => {
    // scoh_A = 3/3² = 1/3, scoh_B = 1/2² = 1/4 → mean 7/24; scop_AB = 2/(2·3·2) = 1/6 over 1 pair
    close(structuralModularity(graph, partition), 7 / 24 - 1 / 6);
  });

  test('SM of a single service is its cohesion', () => {
    const one = new Map([...partition].map(([f]) => [f, 'X']));
    close(structuralModularity(graph, one), 6 / 25);
  });

  test('ICP: crossing call weight over all call weight', () => {
    // crossing: a1→b1 (2) + b2→a3 (1) = 3 of 12
    close(interPartitionCallPercentage(graph, partition), 25);
  });

  test('IFN: files called from another service, per service', () => {
    // interfaces: b1 (from a1), a3 (from b2) → 2 over 2 services
    close(interfaceNumber(graph, partition), 1);
  });

  test('NED: share of files in services outside [5, 20]', () => {
    close(nonExtremeDistribution(partition), 1);
    close(nonExtremeDistribution(partition, 3, 20), 2 / 5);
    close(nonExtremeDistribution(partition, 2, 3), 0);
  });

  test('self-loops and files outside the partition are ignored', () => {
    const noisy: DependencyGraph = { ...graph, edges: [...graph.edges, { from: 'a1', to: 'a1', weight: 100 }, { from: 'zz', to: 'a1', weight: 50 }] };
    close(interPartitionCallPercentage(noisy, partition), 25);
    close(structuralModularity(noisy, partition), 7 / 24 - 1 / 6);
  });
});

describe('MQ and modularity', () => {
  test('MQ: sum of cluster factors 2μ/(2μ+ε)', () => {
    // μ_A = 5, μ_B = 4, boundary weight of each = 3 → 10/13 + 8/11
    close(modularizationQuality(graph, partition), 10 / 13 + 8 / 11);
  });

  test('MQ counts 0 for a service with no internal edges', () => {
    const p = new Map([...partition, ['b2', 'C']]);
    // A: μ=5, boundary 2 (a1→b1) + 1 (b2→a3) = 3 → 10/13; B: μ=0; C: μ=0
    close(modularizationQuality(graph, p), 10 / 13);
  });

  test('Newman modularity Σ L_c/m − (D_c/2m)²', () => {
    // m = 12; L_A = 5, L_B = 4; D_A = 6+4+3 = 13, D_B = 6+5 = 11
    const expected = 5 / 12 - (13 / 24) ** 2 + (4 / 12 - (11 / 24) ** 2);
    close(newmanModularity(graph.edges, partition), expected);
  });

  test('one cluster holding everything has modularity 0', () => {
    const one = new Map([...partition].map(([f]) => [f, 'X']));
    close(newmanModularity(graph.edges, one), 0);
  });
});

describe('cycles and shared tables', () => {
  test('A→B and B→A is a cycle', () => {
    assert.deepEqual(crossServiceCycles(graph, partition), [['A', 'B']]);
  });

  test('no cycle when dependencies point one way', () => {
    const oneWay = { ...graph, edges: graph.edges.filter((e) => !(e.from === 'b2' && e.to === 'a3')) };
    assert.deepEqual(crossServiceCycles(oneWay, partition), []);
  });

  test('a three-service cycle is reported once, sorted', () => {
    const g: DependencyGraph = {
      nodes: ['x', 'y', 'z', 'w'],
      edges: [
        { from: 'x', to: 'y', weight: 1 },
        { from: 'y', to: 'z', weight: 1 },
        { from: 'z', to: 'x', weight: 1 },
        { from: 'w', to: 'x', weight: 1 },
      ],
    };
    const p = new Map([['x', 'orders'], ['y', 'catalog'], ['z', 'payments'], ['w', 'reporting']]);
    assert.deepEqual(crossServiceCycles(g, p), [['catalog', 'orders', 'payments']]);
  });

  test('tables written by more than one service', () => {
    const writes = [
      { file: 'a1', table: 'books' },
      { file: 'a2', table: 'books' },
      { file: 'b1', table: 'stock' },
      { file: 'a3', table: 'stock' },
      { file: 'b2', table: 'orders' },
    ];
    assert.deepEqual(sharedWriteTables(writes, partition), ['stock']);
  });
});

describe('MoJoFM', () => {
  const from = (groups: Record<string, string[]>): Map<string, string> =>
    new Map(Object.entries(groups).flatMap(([c, files]) => files.map((f) => [f, c] as [string, string])));
  const reference = from({ B1: ['1', '2', '3', '4'], B2: ['5', '6', '7', '8'] });

  test('identical partitions score 100', () => {
    const r = mojoFM(from({ x: ['1', '2', '3', '4'], y: ['5', '6', '7', '8'] }), reference);
    assert.equal(r.distance, 0);
    assert.equal(r.mojofm, 100);
  });

  test('one move and one join', () => {
    // A1 = {1,2,3} → B1; A2 = {4,5} ties B1/B2 (1 move); A3 = {6,7,8} → B2.
    // Matching gives 2 groups for 3 clusters → 1 join. mno = 2; max = 8 − 2 = 6 → (1 − 2/6)·100
    const r = mojoFM(from({ A1: ['1', '2', '3'], A2: ['4', '5'], A3: ['6', '7', '8'] }), reference);
    assert.equal(r.distance, 2);
    close(r.mojofm, 200 / 3);
  });

  test('all singletons are as far as any partition can be (0)', () => {
    const r = mojoFM(from(Object.fromEntries(['1', '2', '3', '4', '5', '6', '7', '8'].map((f) => [`s${f}`, [f]]))), reference);
    assert.equal(r.distance, 6);
    assert.equal(r.mojofm, 0);
  });

  test('ties are resolved by matching, not first come', () => {
    // A1 = {1,5} ties B1/B2; A2 = {2} → B1. Greedy tagging A1→B1 would need 1 join; matching A1→B2 needs none.
    const ref = from({ B1: ['1', '2'], B2: ['5'] });
    const r = mojoFM(from({ A1: ['1', '5'], A2: ['2'] }), ref);
    assert.equal(r.distance, 1);
  });

  test('files outside either partition are ignored and listed', () => {
    const r = mojoFM(from({ x: ['1', '2', '3', '4', 'extra'], y: ['5', '6', '7'] }), reference);
    assert.equal(r.compared, 7);
    assert.deepEqual(r.onlyInProposal, ['extra']);
    assert.deepEqual(r.onlyInReference, ['8']);
    assert.equal(r.mojofm, 100);
  });
});
