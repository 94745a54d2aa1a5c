// The demo's proxy config, made from the one the analyzer emitted: its routes, ids and order, narrowed to
// the routes an extracted service really serves (services/ownership.ts decides where the analyzer's
// proposal and the extracted code disagree), with the real URLs of the running processes.
import type { EmittedProxyConfig } from '../analyzer/proxy-config.ts';
import type { ProxyConfigInput } from '../proxy/config.ts';
import type { OwnedRoute } from '../services/ownership.ts';

export type ExtractedService = 'catalog' | 'inventory' | 'reviews';
export const EXTRACTED: readonly ExtractedService[] = ['catalog', 'inventory', 'reviews'];

export interface DemoUrls {
  legacy: string;
  services: Record<ExtractedService, string>;
}

export interface DemoConfigOptions {
  urls: DemoUrls;
  port: number;
  adminPort: number;
  storePath: string;
  /** share of shadowed requests the monolith is asked twice to learn its noise */
  noiseSample: number;
  /** reviews canary in the final phase */
  canaryPercent: number;
}

/** Where the demo's route table departs from the analyzer's proposal, for the summary. */
export interface ConfigNotes {
  /** routes the analyzer gave to another service than the one that serves them */
  reassigned: Array<{ id: string; from: string; to: ExtractedService }>;
  /** routes an extracted service serves that the analyzer did not list (added from ownership) */
  added: string[];
  /** routes the analyzer put in an extracted service that no service serves yet: they stay on the monolith */
  notExtracted: string[];
  /** routes of services that are not extracted yet: they stay on the monolith (default route) */
  onMonolith: number;
}

export interface DemoConfig {
  config: ProxyConfigInput;
  notes: ConfigNotes;
}

const key = (method: string, path: string): string => `${method} ${path}`;

export function demoConfig(emitted: EmittedProxyConfig, owned: Record<ExtractedService, OwnedRoute[]>, options: DemoConfigOptions): DemoConfig {
  const owner = new Map<string, ExtractedService>();
  for (const service of EXTRACTED) for (const r of owned[service]) owner.set(key(r.method, r.route), service);
  const isExtracted = (s: string): s is ExtractedService => (EXTRACTED as readonly string[]).includes(s);

  const notes: ConfigNotes = { reassigned: [], added: [], notExtracted: [], onMonolith: 0 };
  const seen = new Set<string>();
  const routes: NonNullable<ProxyConfigInput['routes']> = [];
  for (const r of emitted.routes) {
    const service = owner.get(key(r.method, r.path));
    if (!service) {
      if (isExtracted(r.service)) notes.notExtracted.push(r.id);
      else notes.onMonolith++;
      continue;
    }
    seen.add(key(r.method, r.path));
    let id = r.id;
    if (r.service !== service) {
      id = `${service}.${r.id.slice(r.id.indexOf('.') + 1)}`;
      notes.reassigned.push({ id, from: r.service, to: service });
    }
    routes.push(route(id, r.method, r.path, service, options));
  }
  // a route the analyzer missed still goes to its service
  for (const service of EXTRACTED) {
    for (const r of owned[service]) {
      if (seen.has(key(r.method, r.route))) continue;
      const id = `${service}.${r.method.toLowerCase()}${r.route.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ?? '').toUpperCase())}`;
      notes.added.push(id);
      routes.push(route(id, r.method, r.route, service, options));
    }
  }

  // first match wins in the proxy: keep the analyzer's order (literal segments before parameters) and put
  // added routes where that order says
  routes.sort((a, b) => specificity(b.path) - specificity(a.path));

  const services: NonNullable<ProxyConfigInput['services']> = {};
  for (const s of EXTRACTED) services[s] = { url: options.urls.services[s], owner: emitted.services[s]?.owner ?? `team-${s}` };

  return {
    config: {
      version: 1,
      listen: { host: '127.0.0.1', port: options.port },
      legacy: { url: options.urls.legacy },
      services,
      defaults: {
        mode: 'legacy',
        shadow: emitted.defaults.shadow,
        noise: { ...emitted.defaults.noise, sample: options.noiseSample },
      },
      routes,
      store: { path: options.storePath, samplesPerFingerprint: emitted.store.samplesPerFingerprint },
      redact: emitted.redact,
      // the token itself is never written to disk: the demo passes it to the proxy directly
      admin: { host: '127.0.0.1', port: options.adminPort, token: 'env:STRANGLER_ADMIN_TOKEN' },
    },
    notes,
  };
}

function route(id: string, method: string, path: string, service: ExtractedService, options: DemoConfigOptions): NonNullable<ProxyConfigInput['routes']>[number] {
  const r: NonNullable<ProxyConfigInput['routes']>[number] = { id, method: method as 'GET', path, service, mode: 'legacy' };
  // settings the later phases rely on: a sticky canary split per customer, and fallback once migrated
  if (service === 'reviews') r.canary = { percent: options.canaryPercent, stickyBy: 'header:x-customer-id' };
  if (service === 'inventory') r.fallback = true;
  return r;
}

/** Literal segments before parameters (the analyzer's emitted order); sort is stable, so ties keep their order. */
function specificity(path: string): number {
  let score = 0;
  for (const s of path.split('/').filter(Boolean)) score += s.startsWith('*') ? 0 : s.startsWith(':') ? 1 : 2;
  return score * 1000 - path.split('/').length;
}
