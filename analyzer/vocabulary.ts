// Words that describe a layer or a technicality, not a business domain. Naming skips them ("src/modules/catalog"
// is "catalog") and folder affinity ignores folders named after them (all controllers/ are not one service).

export const GENERIC_FOLDER_NAMES: ReadonlySet<string> = new Set([
  'src', 'lib', 'app', 'apps', 'server', 'modules', 'module', 'routes', 'router', 'routers', 'controllers',
  'controller', 'handlers', 'handler', 'services', 'service', 'models', 'model', 'repositories', 'repository', 'repo',
  'repos', 'db', 'data', 'dal', 'domain', 'domains', 'features', 'feature', 'components', 'api', 'http', 'web', 'core',
  'common', 'shared', 'utils', 'util', 'helpers', 'helper', 'index', 'main', 'middleware', 'middlewares', 'store',
  'queries', 'query', 'sql', 'types', 'schema', 'legacy', 'packages', 'pkg', 'internal', 'config', 'entities',
  'entity', 'views', 'view', 'dto', 'dtos', 'validators', 'jobs', 'workers', 'infra', 'infrastructure', 'endpoints',
  'serializers', 'mappers', 'input', 'output', 'adapters',
]);

/** URL path segments that carry no domain: `/api/v1/books/:id` has the prefix `books`. */
export const GENERIC_PATH_SEGMENTS: ReadonlySet<string> = new Set(['api', 'rest', 'v1', 'v2', 'v3', 'v4', 'public', 'internal', '']);

/** A version or a date (`5.0`, `v2`, `2024-01-15`, `20240501`): a migration or API version folder names no domain. */
const VERSION_LIKE = /^v?\d+([._-]\d+)*$/i;

/** The slug of a name without its generic words (`db-middleware` → undefined). */
export function domainWords(name: string): string | undefined {
  if (VERSION_LIKE.test(name)) return undefined;
  const words = slug(name)
    .split('-')
    .filter((w) => w && !GENERIC_FOLDER_NAMES.has(w));
  return words.length > 0 ? words.join('-') : undefined;
}

export function slug(text: string): string {
  return text
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .replace(/^(\d)/, 's$1');
}

/** An English plural's singular, by the common rules (`categories` → `category`, `boxes` → `box`, `status` stays). */
export function singular(word: string): string {
  if (/ies$/.test(word)) return word.slice(0, -3) + 'y';
  if (/(ss|us|is)$/.test(word)) return word;
  if (/(sh|ch|x|ss)es$/.test(word)) return word.slice(0, -2);
  if (/s$/.test(word)) return word.slice(0, -1);
  return word;
}
