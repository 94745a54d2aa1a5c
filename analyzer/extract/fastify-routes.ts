// Fastify's `register(plugin, { prefix })`, resolved in pass 2 to the plugin's instance, mounted under the prefix
// the call gives (or, for a fastify-plugin, on the instance that registers it).
import { ts } from 'ts-morph';
import type { PluginMount, RouterNode } from './route-tree.ts';
import { forwardsPrefix, pluginFunction, pluginOptionsParameter, registerPrefix, setsPrefix, type Plugin, type RegisterPrefix } from './fastify-syntax.ts';
import { ownFunctionName } from './functions.ts';
import type { RouteContext } from './router-registry.ts';

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
  const mountPrefix = (mount: PluginMount, depth: number): RegisterPrefix => registerPrefix(project, mount.options, (expr) => {
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
  });
  return (node) => {
    for (const mount of node.plugins) {
      const plugin = plugins.get(mount);
      const param = plugin?.fn.parameters[0];
      const child = param && routers.nodeFor(param);
      if (!plugin || !child || child === node) continue;
      let { prefixes, expression } = mountPrefix(mount, 0);
      if (plugin.shared) {
        if (setsPrefix(project, mount.options) && !forwardsPrefix(project, plugin.fn)) {
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
