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
