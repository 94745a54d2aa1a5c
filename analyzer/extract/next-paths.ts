// Where a Next.js app's routes live and the URL path each route file is served on: the pages/ and app/ folders
// (at the root, else under src/, as Next looks for them), dynamic segments in the proxy's syntax, and
// next.config's basePath when it is a literal.
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { ts } from 'ts-morph';
import { parseJsonText } from '../../common/json-text.ts';
import { lineOf, shownSource } from './functions.ts';
import type { LoadedProject } from './project.ts';
import { stringValue } from './string-value.ts';
import type { Warning } from './types.ts';

/** Files that can hold routes at all: anything under pages/api/ or app/, at the root or under src/. */
export const NEXT_ROUTE_CANDIDATE = /^(src\/)?(pages\/api|app)\//;

/** The extensions Next reads route files with when next.config sets no pageExtensions (its default, and .mjs). */
export const DEFAULT_EXTENSIONS: readonly string[] = ['tsx', 'ts', 'jsx', 'js', 'mjs'];

/** `.tsx`, `.public.js`, …: a route file's ending, the longest extension first (`public.js` before `js`). */
function extensionPattern(extensions: readonly string[]): RegExp {
  const escaped = [...extensions].sort((a, b) => b.length - a.length).map((e) => e.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`\\.(${escaped.join('|')})$`);
}

/**
 * The folder the pages/ and app/ folders are in: the root, or `src/` when the root has neither (Next ignores
 * src/pages and src/app when pages/ or app/ sits at the root).
 */
export function routeBase(root: string): '' | 'src/' {
  const isDir = (name: string): boolean => {
    const abs = path.join(root, name);
    return existsSync(abs) && statSync(abs).isDirectory();
  };
  return isDir('pages') || isDir('app') ? '' : 'src/';
}

/** Does the project use Next.js: `next` in the root package.json's dependencies, or a file importing from it? */
export function usesNext(project: LoadedProject): boolean {
  const manifest = path.join(project.root, 'package.json');
  if (existsSync(manifest)) {
    try {
      const pkg = parseJsonText(readFileSync(manifest, 'utf8')) as Record<string, unknown>;
      for (const field of ['dependencies', 'devDependencies', 'peerDependencies']) {
        const deps = pkg[field];
        if (deps && typeof deps === 'object' && 'next' in deps) return true;
      }
    } catch {
      // an unreadable package.json: fall back to the imports
    }
  }
  return project.files.some((f) => f.source.statements.some((s) => {
    const spec = (ts.isImportDeclaration(s) || ts.isExportDeclaration(s)) && s.moduleSpecifier && ts.isStringLiteral(s.moduleSpecifier) ? s.moduleSpecifier.text : undefined;
    return spec !== undefined && (spec === 'next' || spec.startsWith('next/'));
  }));
}

/** A route file's path below pages/ (`api/books/[id].ts`): the URL segments, or undefined when it is no route. */
export function pagesSegments(rel: string, extensions: readonly string[] = DEFAULT_EXTENSIONS): string[] | undefined {
  const ending = extensionPattern(extensions);
  if (!ending.test(rel) || /\.d\.[cm]?ts$/.test(rel)) return undefined;
  const parts = rel.replace(ending, '').split('/');
  // _app, _document, _middleware and helpers named _x are not routes
  if (parts[parts.length - 1].startsWith('_')) return undefined;
  if (parts[parts.length - 1] === 'index') parts.pop();
  return parts;
}

/**
 * A file's path below app/ (`(shop)/api/cart/route.ts`): the URL segments of a route handler file, or undefined
 * when it is not one (a page, a layout, a file in a private `_folder` or a parallel-route `@slot`).
 */
export function appSegments(rel: string, extensions: readonly string[] = DEFAULT_EXTENSIONS): string[] | undefined {
  const parts = rel.split('/');
  const name = parts.pop()!;
  const ending = extensionPattern(extensions);
  if (!ending.test(name) || name.replace(ending, '') !== 'route') return undefined;
  // `_lib` is private (not routable), `@slot` a parallel route's slot, `(.)photo` an intercepting route
  if (parts.some((p) => p.startsWith('_') || p.startsWith('@') || p.startsWith('(.'))) return undefined;
  // route groups `(shop)` organise folders without being part of the URL
  return parts.filter((p) => !/^\(.*\)$/.test(p));
}

/**
 * The URL path of a route file's segments in the proxy's syntax: `[id]` → `:id`, `[...slug]` and `[[...slug]]`
 * → `*slug` (the proxy's trailing wildcard also matches no segment, as the optional catch-all does).
 * `problem` says why the proxy cannot route it as Next does.
 */
export function nextPath(basePath: string, segments: readonly string[]): { path: string; problem?: string } {
  const out: string[] = [];
  let problem: string | undefined;
  segments.forEach((s, i) => {
    const catchAll = /^\[\[?\.\.\.(.+?)\]\]?$/.exec(s);
    const param = /^\[([^[\].]+)\]$/.exec(s);
    if (catchAll) {
      if (i !== segments.length - 1) problem ??= `catch-all segment ${s} before the last segment (Next.js refuses it at build time)`;
      out.push(`*${paramName(catchAll[1])}`);
    } else if (param) {
      out.push(`:${paramName(param[1])}`);
    } else {
      if (/[:*]/.test(s)) problem ??= `segment ${s} has a character the proxy reads as a pattern`;
      out.push(s);
    }
  });
  const own = `/${out.join('/')}`;
  return { path: basePath === '' ? own : own === '/' ? basePath : `${basePath}${own}`, ...(problem ? { problem } : {}) };
}

/** The proxy's parameter names are word characters: `[post-id]` is `:post_id` (the name only labels the segment). */
function paramName(name: string): string {
  return name.replace(/[^A-Za-z0-9_]/g, '_');
}

/**
 * `basePath: '/shop'` in next.config.{js,mjs,cjs,ts,mts} at the root: '' without one; a basePath computed at run
 * time is warned about and left out.
 */
export function readBasePath(project: LoadedProject, warnings: Warning[]): string {
  const config = nextConfig(project);
  const found = config && configProperty(config.source, 'basePath');
  if (!config || !found) return '';
  const value = stringValue(found.initializer, project.checker);
  if (value === undefined || (value !== '' && !value.startsWith('/'))) {
    warnings.push({ file: config.rel, message: `${config.rel}:${lineOf(found, config.source)}: basePath ${found.initializer.getText(config.source)} is not a literal path; Next.js routes are reported without it` });
    return '';
  }
  return value.replace(/\/+$/, '');
}

/**
 * `pageExtensions: ['page.tsx', 'api.ts']` in next.config: the endings of the files Next routes (others beside them,
 * tests and helpers, are not routes); the default ones without it, and with a warning when it is not a literal list.
 */
export function readPageExtensions(project: LoadedProject, warnings: Warning[]): readonly string[] {
  const config = nextConfig(project);
  const found = config && configProperty(config.source, 'pageExtensions');
  if (!config || !found) return DEFAULT_EXTENSIONS;
  const list = found.initializer;
  const values = ts.isArrayLiteralExpression(list) ? list.elements.map((e) => stringValue(e, project.checker)) : [];
  if (values.length === 0 || values.some((v) => !v)) {
    warnings.push({ file: config.rel, message: `${config.rel}:${lineOf(found, config.source)}: pageExtensions ${shownSource(list, config.source)} is not a list of literal extensions; Next.js route files are read with the default extensions` });
    return DEFAULT_EXTENSIONS;
  }
  return values.map((v) => v!.replace(/^\./, ''));
}

function nextConfig(project: LoadedProject): LoadedProject['files'][number] | undefined {
  return project.files.find((f) => /^next\.config\.(js|mjs|cjs|ts|mts)$/.test(f.rel));
}

/** The first `name: …` property anywhere in the config file (the config object may be wrapped or built in a function). */
function configProperty(source: ts.SourceFile, name: string): ts.PropertyAssignment | undefined {
  let found: ts.PropertyAssignment | undefined;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isPropertyAssignment(n) && (ts.isIdentifier(n.name) || ts.isStringLiteral(n.name)) && n.name.text === name) found = n;
    else ts.forEachChild(n, visit);
  };
  visit(source);
  return found;
}
