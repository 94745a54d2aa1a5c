// The request methods a route rule can name, one list for the config's schema, the router's tries and the analyzer's
// emitted rules. SEARCH (RFC 5323; with a body, like POST) is parsed by node and routed by Express
// (`router.search()`, which Directus registers on every collection).
export const RULE_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'SEARCH'] as const;
