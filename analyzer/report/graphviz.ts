// The service graph as an SVG, laid out by Graphviz compiled to WebAssembly (@hpcc-js/wasm-graphviz inlines its
// wasm, so this works offline). `serviceGraphDot` is pure; `renderServiceGraphSvg` only adds the layout engine.
import { Graphviz } from '@hpcc-js/wasm-graphviz';
import type { Plan } from '../plan-schema.ts';
import { edgeLabel } from './markdown.ts';
import { drawnEdges } from './service-edges.ts';
import { counted } from './plural.ts';

const quote = (s: string): string => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

export function serviceGraphDot(plan: Plan): string {
  const lines = [
    'digraph services {',
    '  graph [rankdir=LR, fontname="Helvetica", bgcolor="transparent", pad=0.2];',
    '  node [shape=box, style="rounded,filled", fillcolor="#eef4ff", color="#4a6fa5", fontname="Helvetica", fontsize=11];',
    '  edge [color="#777777", fontname="Helvetica", fontsize=9];',
  ];
  for (const s of plan.services) {
    lines.push(`  ${quote(s.name)} [label=${quote(`${s.name}\n${counted(s.size.files, 'file')} · ${counted(s.size.routes, 'route')}\nwave ${s.wave}`)}];`);
  }
  for (const { from, to, dependency: d } of drawnEdges(plan).edges) {
    const weight = Math.max(1, Math.round(Math.log2(1 + d.calls + d.imports + d.tables.length)));
    lines.push(`  ${quote(from)} -> ${quote(to)} [label=${quote(edgeLabel(d))}, penwidth=${Math.min(weight, 5)}];`);
  }
  lines.push('}');
  return lines.join('\n');
}

let engine: Promise<Graphviz> | undefined;

/** SVG markup without the XML prologue and DOCTYPE, ready to inline in HTML. */
export async function renderServiceGraphSvg(plan: Plan): Promise<string> {
  engine ??= Graphviz.load();
  const svg = (await engine).dot(serviceGraphDot(plan));
  return svg
    .replace(/<\?xml[^>]*\?>/, '')
    .replace(/<!DOCTYPE[^>]*>/, '')
    .replace(/<!--[\s\S]*?-->/g, '')
    .trim();
}
