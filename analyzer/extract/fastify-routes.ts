// Fastify's registrations that Express has no counterpart for: `route({ method, url, handler })`, `addHook()`,
// and `register(plugin, { prefix })`, read in pass 1 and resolved in pass 2 to the plugin's instance, mounted
// under the prefix the call gives (or, for a fastify-plugin, on the instance that registers it).
import { ts } from 'ts-morph';
import type { PluginMount, RouterNode } from './route-tree.ts';
import { exprName } from './express-syntax.ts';
import { forwardsPrefix, HOOK_PHASES, pluginFunction, pluginOptionsParameter, registerPrefix, setsPrefix, type Plugin, type RegisterPrefix, type RouteDeclaration } from './fastify-syntax.ts';
import { lineOf, ownFunctionName } from './functions.ts';
import { handlerRef, pathsOf } from './route-args.ts';
import { markFastify, type RouteContext } from './router-registry.ts';
import { expressionAt, loopIterations, readsLoop, stringAt } from './mount-loops.ts';
import type { LoadedFile } from './project.ts';
import { stringValue } from './string-value.ts';

/** `fastify.route({ method, url, preHandler, handler })`: one route per method. */
export function addDeclaredRoute({ project, routers }: RouteContext, file: LoadedFile, call: ts.CallExpression, receiver: ts.Expression, route: RouteDeclaration): void {
  const node = routers.routerOf(receiver);
  if (!node) return;
  markFastify(node);
  const source = file.source;
  const { paths, reason } = pathsOf(project, route.url);
  const line = lineOf(ts.isPropertyAccessExpression(call.expression) ? call.expression.name : call, source);
  const common = { file, line, pos: call.getStart(source), middleware: route.hooks, handler: handlerRef(project, route.handler, source) };
  if (!route.methods) {
    node.routes.push({ ...common, method: '*', paths: undefined, reason: 'method chosen at run time', expression: route.method.getText(source) });
    return;
  }
  for (const method of route.methods) node.routes.push({ ...common, method, paths, reason, expression: route.url.getText(source) });
}

/**
 * `fastify.register(plugin, options)`: resolved to the plugin's instance once every file is read. In a loop (`for (const
 * [prefix, plugin] of table) app.register(plugin, { prefix })`, `for (const app of [a, b]) app.register(…)`): one at each
 * element, with the plugin and instance it gives; its options are read at that element in pass 2 (mount-loops.ts).
 */
export function addRegister({ project, warnings, routers }: RouteContext, file: LoadedFile, call: ts.CallExpression, receiver: ts.Expression): void {
  // (a register() on anything else, `hbs.register(…)`, is not read further)
  const looped = ts.isIdentifier(receiver) && readsLoop(project, receiver);
  if (!looped && !routers.routerOf(receiver)) return;
  const [plugin, options] = call.arguments;
  const written = looped ? [receiver, ...call.arguments] : call.arguments;
  const line = lineOf(call, file.source);
  const pos = call.getStart(file.source);
  for (const at of loopIterations(project, written, warnings, undefined, false) ?? [undefined]) {
    const node = routers.routerOf(at ? expressionAt(project, receiver, at) ?? receiver : receiver);
    if (!node) continue;
    node.plugins.push({ plugin: at ? expressionAt(project, plugin, at) ?? plugin : plugin, options, file, line, pos, ...(at ? { at } : {}) });
  }
}

/** `fastify.addHook('preHandler', auth)`: a hook that runs before the handlers of the instance's routes. */
export function addHook({ project, routers }: RouteContext, call: ts.CallExpression, receiver: ts.Expression): void {
  const phase = HOOK_PHASES.get(stringValue(call.arguments[0], project.checker) ?? '');
  if (phase === undefined) return;
  const node = routers.routerOf(receiver);
  if (!node) return;
  node.hooks.push({ name: exprName(call.arguments[1]), phase });
  markFastify(node);
}

/**
 * Pass 2 for register(): reads the plugin of every register() call met so far, and gives back what mounts a
 * router's registered plugin instances as its children.
 */
export function pluginMounter({ project, warnings, routers }: RouteContext): (node: RouterNode) => void {
  // each register() call's plugin, and the register() calls that load each plugin function
  const plugins = new Map<PluginMount, Plugin | undefined>();
  const registrations = new Map<ts.Node, PluginMount[]>();
  for (const node of [...routers.nodes.values()]) {
    for (const mount of node.plugins) {
      const plugin = pluginFunction(project, mount.plugin);
      plugins.set(mount, plugin);
      if (plugin) registrations.set(plugin.fn, [...(registrations.get(plugin.fn) ?? []), mount]);
    }
  }
  /**
   * The prefixes a register() call gives, reading a plugin's own options passed on to the plugins it
   * registers (`{ prefix: opts.prefix }`, `register(inner, opts)`) from the register() calls that load it.
   */
  const mountPrefix = (mount: PluginMount, depth: number): RegisterPrefix => registerPrefix(project, optionsOf(mount), (expr) => {
    const options = pluginOptionsParameter(project, expr);
    const outer = options && registrations.get(options.parent);
    if (!outer || depth > 4) return undefined;
    const prefixes = new Set<string>();
    for (const m of outer) {
      const given = mountPrefix(m, depth + 1);
      if (!given.prefixes) return given;
      for (const p of given.prefixes) prefixes.add(p);
    }
    return { prefixes: [...prefixes], expression: expr.getText() };
  }, mount.at && ((expr) => stringAt(project, expr, mount.at!)));
  /** A register()'s options, at its loop's element when it is written in one (`[['/a', { prefix: '/a' }], …]`). */
  const optionsOf = (mount: PluginMount): ts.Expression | undefined => mount.at && mount.options ? expressionAt(project, mount.options, mount.at) ?? mount.options : mount.options;
  return (node) => {
    for (const mount of node.plugins) {
      const plugin = plugins.get(mount);
      const param = plugin?.fn.parameters[0];
      const child = param && routers.nodeFor(param);
      if (!plugin || !child || child === node) continue;
      let { prefixes, expression } = mountPrefix(mount, 0);
      if (plugin.shared) {
        if (setsPrefix(project, optionsOf(mount)) && !forwardsPrefix(project, plugin.fn)) {
          const name = ownFunctionName(plugin.fn, plugin.fn.getSourceFile());
          warnings.push({ file: mount.file.rel, message: `${mount.file.rel}:${mount.line}: plugin '${name}' is wrapped in fastify-plugin, so Fastify ignores its prefix ${expression}; its routes are reported under the prefix of the instance that registers it` });
        }
        prefixes = ['/'];
        expression = '';
      }
      node.children.push({ node: child, prefixes, expression, middleware: [], file: mount.file, line: mount.line, pos: mount.pos, ...(plugin.shared ? { shared: true } : {}) });
      child.mountedBy++;
    }
  };
}
