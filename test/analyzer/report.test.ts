// Reports are pure functions of the plan: Markdown with a Mermaid map, a self-contained HTML page, the CLI summary.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { planFromFacts } from '../../analyzer/pipeline.ts';
import { renderMarkdown, mermaidId } from '../../analyzer/report/markdown.ts';
import { renderHtml, renderHtmlReport, escapeHtml } from '../../analyzer/report/html.ts';
import { serviceGraphDot } from '../../analyzer/report/graphviz.ts';
import { formatFactsSummary, formatSummary } from '../../analyzer/report/summary.ts';
import { drawnEdges } from '../../analyzer/report/service-edges.ts';
import { shopFacts, shopReference } from './shop-facts.ts';

const plan = planFromFacts(shopFacts(), { rootLabel: 'shop', reference: shopReference() });

describe('report.md', () => {
  const md = renderMarkdown(plan);

  test('has every section the architect reads', () => {
    for (const heading of ['# Strangler analysis of `shop`', '## Summary', '## Metrics', '## Service map', '## Extraction waves', '## Services', '## Shared kernel', '## Shared tables', '## Cross-service calls', '## Warnings']) {
      assert.ok(md.includes(`\n${heading}`) || md.startsWith(heading), `missing ${heading}`);
    }
    for (const s of plan.services) assert.ok(md.includes(`### ${s.name}\n`), `no section for ${s.name}`);
  });

  test('draws the services and their dependencies, with weights, in a Mermaid block', () => {
    const block = md.slice(md.indexOf('```mermaid'), md.indexOf('```', md.indexOf('```mermaid') + 3) + 3);
    assert.match(block, /^```mermaid\ngraph LR\n/);
    assert.ok(block.includes(`${mermaidId('orders')} -->|"3 calls · 1 table"| ${mermaidId('inventory')}`));
    assert.ok(block.includes(`${mermaidId('catalog')}["catalog<br/>3 files · 4 routes · wave 2"]`));
  });

  test('shows metrics with MoJoFM, shared tables with the recommended owner, and warnings', () => {
    assert.match(md, /\| MoJoFM \| 100\.0 \|/);
    assert.match(md, /\| `stock` \| inventory, orders \| inventory \| inventory \| orders \|/);
    assert.match(md, /- \*\*unresolved-route\*\*: GET route with a non-literal path/);
  });

  test('shows metrics with and without pins side by side when pins are given', () => {
    const pinned = renderMarkdown(planFromFacts(shopFacts(), { pins: [{ pattern: 'inventory/**', service: 'orders' }] }));
    assert.match(pinned, /\| Metric \| With pins \| Without pins \|/);
    assert.match(pinned, /\| Services \| 3 \| 4 \|/);
  });

  test('is deterministic', () => {
    assert.equal(renderMarkdown(planFromFacts(shopFacts(), { rootLabel: 'shop', reference: shopReference() })), md);
  });
});

describe('report.html', () => {
  test('is self-contained: inline SVG, no external src or href', async () => {
    const html = await renderHtmlReport(plan);
    assert.match(html, /^<!doctype html>/);
    assert.match(html, /<svg[\s\S]*<\/svg>/);
    assert.doesNotMatch(html, /\s(src|href)\s*=\s*["']?\s*(https?:)?\/\//i);
    assert.doesNotMatch(html, /<link\b|<script\s+src/i);
    assert.doesNotMatch(html, /<!DOCTYPE svg|<\?xml/);
    for (const s of plan.services) assert.ok(html.includes(`id="service-${s.name}"`));
    assert.ok(html.includes('class="sortable"') && html.includes("addEventListener('click'"));
  });

  test('its table-sorting script is valid JavaScript', () => {
    const html = renderHtml(plan, '<svg></svg>');
    const script = html.slice(html.indexOf('<script>') + 8, html.indexOf('</script>'));
    assert.ok(script.includes('querySelectorAll'));
    assert.doesNotThrow(() => new Function(script));
  });

  test('escapes what comes from the analysed code', () => {
    const facts = shopFacts();
    facts.unresolvedRoutes[0].expression = '<img onerror=alert(1)>';
    const html = renderHtml(planFromFacts(facts), '<svg></svg>');
    assert.ok(!html.includes('<img onerror'));
    assert.ok(html.includes(escapeHtml('<img onerror=alert(1)>')));
  });

  test('the Graphviz source holds every service and dependency', () => {
    const dot = serviceGraphDot(plan);
    for (const s of plan.services) assert.ok(dot.includes(`"${s.name}" [label=`));
    assert.ok(dot.includes('"orders" -> "inventory"'));
  });
});

describe('service pictures', () => {
  test('a dense plan draws only its strongest dependencies and says how many it left out', () => {
    const all = plan.services.reduce((n, s) => n + s.dependsOn.length, 0);
    const { edges, omitted } = drawnEdges(plan, 1);
    assert.equal(omitted, all - 1);
    // orders → inventory: 3 calls + 1 import + 5 for the stock table beats orders → customers (1 call + 1 import)
    assert.deepEqual(edges.map((e) => `${e.from}->${e.to}`), ['orders->inventory']);
    assert.equal(drawnEdges(plan).omitted, 0);
  });
});

describe('CLI summary', () => {
  test('names services by wave, metrics, MoJoFM, shared tables and written files', () => {
    const text = formatSummary(plan, ['out/plan.json'], 'ref.json');
    assert.match(text, /^shop: 15 files, 11 routes, 7 tables → 4 services \+ shared kernel \(3 files\)/);
    assert.match(text, /wave 1 {3}orders \(3 files, 3 routes\)/);
    assert.match(text, /MoJoFM {3}100\.0 against ref\.json/);
    assert.match(text, /shared {3}2 tables used by several services: books → catalog, stock → inventory/);
    assert.match(text, /wrote {4}out\/plan\.json/);
  });

  // regression: extraction warnings (a syntax error, an unreadable tsconfig) never reached the terminal
  test('counts every warning by kind, says where to read them and lists the first extraction problems', () => {
    const facts = shopFacts();
    facts.warnings = [
      { file: 'tsconfig.json', message: "tsconfig.json could not be read ('}' expected.), using defaults" },
      ...['a', 'b', 'c', 'd'].map((f) => ({ file: `${f}.ts`, message: `${f}.ts:1: syntax error (',' expected.); facts from this file may be incomplete` })),
    ];
    const withWarnings = planFromFacts(facts, { rootLabel: 'shop' });
    const lines = formatSummary(withWarnings, ['out/plan.json', 'out/report.md']).split('\n');
    const at = lines.findIndex((l) => l.startsWith('  warnings '));
    assert.match(lines[at], /^ {2}warnings \d+ \(.*5 extraction problems.*\) — see out\/report\.md$/);
    assert.deepEqual(lines.slice(at + 1, at + 5), [
      "           tsconfig.json could not be read ('}' expected.), using defaults",
      "           a.ts:1: syntax error (',' expected.); facts from this file may be incomplete",
      "           b.ts:1: syntax error (',' expected.); facts from this file may be incomplete",
      '           +2 more',
    ]);
    const factsOnly = formatFactsSummary('shop', facts, 'out/facts.json');
    assert.match(factsOnly, /\n {2}warnings 5 \(5 extraction problems\) — see "warnings" in out\/facts\.json\n/);
    assert.match(factsOnly, /\+2 more\n {2}wrote {4}out\/facts\.json$/);
  });
});
