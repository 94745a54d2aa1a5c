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

/** report.md as a renderer reads its Markdown and HTML: fenced blocks dropped, each code span replaced by CODE. */
function outsideCode(md: string): string {
  const text = md.replace(/^```[^\n]*\n[\s\S]*?\n```$/gm, '');
  let out = '';
  for (let i = 0; i < text.length; ) {
    if (text[i] === '\\') {
      out += text.slice(i, i + 2);
      i += 2;
    } else if (text[i] === '`') {
      const run = /^`+/.exec(text.slice(i))![0];
      const close = new RegExp(`(?<!\`)${run}(?!\`)`, 'g');
      close.lastIndex = i + run.length;
      const end = close.exec(text);
      out += end ? 'CODE' : run;
      i = end ? end.index + run.length : i + run.length;
    } else out += text[i++];
  }
  return out;
}

/** The cells of a table row, split at unescaped pipes. */
const cells = (row: string): string[] => row.split(/(?<!\\)\|/).slice(1, -1);

describe('report.md with names from the analysed code', () => {
  test('a route path, a folder or a file name cannot forge table rows, headings or HTML', () => {
    const crafted = structuredClone(plan);
    const svc = crafted.services[0];
    svc.routes[0] = { ...svc.routes[0], path: '/path\r\n| a | b |', file: 'src/"><img src=x onerror=alert(11)>/x.ts' };
    svc.files.push('src/evil\n# Heading\n<img src=x onerror=alert(12)>.ts');
    crafted.kernel.files.push({ file: 'lib/\r# Kernel\r.ts', reason: 'composition root <b>' });
    const md = renderMarkdown(crafted);
    assert.ok(!md.includes('\r'));
    assert.doesNotMatch(md, /^#+ (Heading|Kernel)/m);
    assert.doesNotMatch(outsideCode(md), /</);
    const row = md.split('\n').find((l) => l.includes(svc.routes[0].id))!;
    assert.deepEqual(cells(row).map((c) => c.trim()), [
      `\`${svc.routes[0].id}\``,
      svc.routes[0].method,
      '`/path\\r\\n\\| a \\| b \\|`',
      `src/"&gt;&lt;img src=x onerror=alert(11)&gt;/x.ts:${svc.routes[0].line}`,
    ]);
    assert.ok(md.includes('`src/evil\\n# Heading\\n<img src=x onerror=alert(12)>.ts`'));
  });

  test('warnings show an import specifier and a path expression as text, not HTML', () => {
    const facts = shopFacts();
    facts.unresolvedRoutes[0].expression = 'cfg.prefix + "`<img src=x onerror=alert(23)>`"';
    facts.warnings = [{ file: 'a.ts', message: "a.ts:1: cannot resolve './missing<img src=x onerror=alert(22)>'" }];
    const crafted = planFromFacts(facts);
    // the quoted expression is one code span in plain text too: its own backticks do not end the quote
    const unresolved = crafted.warnings.find((w) => w.kind === 'unresolved-route')!;
    assert.equal(unresolved.message, 'GET route with a non-literal path ``cfg.prefix + "`<img src=x onerror=alert(23)>`"`` (path is not a literal)');
    const md = renderMarkdown(crafted);
    assert.doesNotMatch(outsideCode(md), /</);
    assert.ok(md.includes("- **extractor**: a.ts:1: cannot resolve './missing&lt;img src=x onerror=alert(22)&gt;' (`a.ts`)"));
  });

  test('bidi controls in a file name are shown, not obeyed', () => {
    const crafted = structuredClone(plan);
    crafted.services[0].files.push('src/invoice\u202etxt.ts');
    const md = renderMarkdown(crafted);
    const html = renderHtml(crafted, '<svg></svg>');
    assert.ok(!md.includes('\u202e') && !html.includes('\u202e'));
    assert.ok(md.includes('`src/invoice\\u202etxt.ts`') && html.includes('<code>src/invoice\\u202etxt.ts</code>'));
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

  test('one shared table and one foreign key read in the singular', () => {
    const key = { table: 'order_items', owner: 'orders', columns: ['book_id'], references: 'books', referencedOwner: 'catalog', referencedColumns: ['id'], onDelete: 'cascade', file: 'schema.sql', line: 3, advice: '' };
    const one = { ...plan, sharedTables: plan.sharedTables.slice(0, 1), crossServiceForeignKeys: [key] };
    const text = formatSummary(one, [], undefined);
    assert.match(text, /shared {3}1 table used by several services: books → catalog\n/);
    assert.match(text, /keys {5}1 foreign key across services: order_items → books \(on delete cascade\)/);
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
    assert.match(factsOnly, /^shop: 15 files, \d+ imports, 11 routes, 7 tables\n/, 'no keys declared: not mentioned');
    facts.foreignKeys = [{ table: 'orders', columns: ['customer_id'], references: 'customers', referencedColumns: ['id'], file: 'db.ts', line: 3, via: 'sql' }];
    assert.match(formatFactsSummary('shop', facts, 'out/facts.json'), /^shop: 15 files, \d+ imports, 11 routes, 7 tables, 1 foreign key\n/);
  });

  test('sends no terminal escape or bidi control from a file or table name to the terminal', () => {
    const facts = shopFacts();
    const file = 'src/esc\x1b[2K\x1b[1A\x1b[32mall-good.ts';
    facts.warnings = [{ file, message: `${file}:1: syntax error (',' expected.); facts from this file may be incomplete` }];
    for (const t of facts.tables) if (t.table === 'stock') t.table = 'st\u202eock\x9b';
    const summary = formatSummary(planFromFacts(facts, { rootLabel: 'shop\r' }), ['out/plan.json']);
    const factsOnly = formatFactsSummary('shop\r', facts, 'out/facts.json');
    for (const text of [summary, factsOnly]) {
      assert.doesNotMatch(text, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
      assert.ok(text.includes('src/esc\\u001b[2K\\u001b[1A\\u001b[32mall-good.ts:1: syntax error'));
      assert.ok(text.startsWith('shop\\r: '));
    }
    assert.ok(summary.includes('st\\u202eock\\u009b → '));
  });
});
