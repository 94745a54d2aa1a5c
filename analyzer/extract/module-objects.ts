// A CommonJS module's exports object as older JavaScript builds it: members assigned one by one on `exports`, on an
// IIFE's parameter given `exports` (`(function (module) { module.init = … }(exports))`), on `var User =
// module.exports`, and on the parameter of another module's exported function it is handed to
// (`require('./redis/hash')(redisClient, module)`, whose `module.getObject = function (key) {…}` adds to it). The type
// checker follows none of these; this file does, so that `db.getObject(key)` in the app reaches the function and
// `module.client` the client `init()` put there.
import { ts } from 'ts-morph';
import { callbackCalls, handsOver } from './callback-calls.ts';
import { dynamicRequire } from './dynamic-require.ts';
import { isFunctionLike } from './functions.ts';
import type { LoadedFile, LoadedProject } from './project.ts';
import { fileOf } from './symbols.ts';
import { moduleWord } from './value-holders.ts';
import { exportedValue, reassignedVariable, requiredFile, unwrap } from './value-key.ts';

export interface MemberCall {
  call: ts.CallExpression;
  /** the member's name as written: where the call is */
  callee: ts.Node;
  file: LoadedFile;
}

export interface ModuleObjects {
  /** The modules whose exports object an expression stands for (`require('./database')`, a holder of one); empty for anything else. */
  objectsOf(expr: ts.Expression): LoadedFile[];
  /** What is assigned to `name` on a module's exports object, by any of its holders. */
  member(file: LoadedFile, name: string): ts.Expression[];
  /** The module and member a function is assigned to (`module.getObject = function (key) {…}`). */
  memberOf(fn: ts.SignatureDeclaration): { file: LoadedFile; name: string } | undefined;
  /** The calls of a member function on anything standing for its module's exports object (`db.getObject(…)`, also handed over to be called back). */
  callsOf(fn: ts.SignatureDeclaration): MemberCall[];
  /** What a parameter is given: by its IIFE's call, or by each `require('./x')(…)` of the module exporting its function. */
  argumentsOf(param: ts.ParameterDeclaration): ts.Expression[];
  /** The modules a file loads and calls with arguments (`require('./redis/hash')(client, module)`). */
  calledModules(file: LoadedFile): LoadedFile[];
}

interface ExportsObject {
  /** declarations (parameters, variables) that hold the object */
  holders: Set<ts.Node>;
  members: Map<string, ts.Expression[]>;
}

const MAX_DEPTH = 6;
/** how many members deep a chain on a module's object is followed (`module.helpers.redis`) */
const MAX_CHAIN = 3;

export function moduleObjects(project: LoadedProject): ModuleObjects {
  const checker = project.checker;
  const objects = new Map<LoadedFile, ExportsObject>();
  const calls = new Map<ts.Node, MemberCall[]>();

  const declOf = (id: ts.Identifier): ts.Node | undefined => {
    const symbol = checker.getSymbolAtLocation(id);
    return symbol?.valueDeclaration ?? symbol?.declarations?.[0];
  };

  /** `exports`, or `module.exports` of the module itself (not a parameter named `module`) */
  const isOwnExports = (e: ts.Expression): boolean => {
    if (ts.isIdentifier(e)) return e.text === 'exports' && !declaredInProject(e);
    return ts.isPropertyAccessExpression(e) && e.name.text === 'exports' && ts.isIdentifier(e.expression) && e.expression.text === 'module' && !declaredInProject(e.expression);
  };
  const declaredInProject = (id: ts.Identifier): boolean => {
    const decl = declOf(id);
    return !!decl && (ts.isParameter(decl) || ts.isVariableDeclaration(decl));
  };

  /** Every holder of a module's exports object, and what they assign to it: the module, then the modules it hands it to. */
  const objectOf = (file: LoadedFile): ExportsObject => {
    let object = objects.get(file);
    if (object) return object;
    object = { holders: new Set(), members: new Map() };
    objects.set(file, object);
    const o = object;
    const isHolder = (expr: ts.Expression): boolean => {
      const e = unwrap(expr);
      if (isOwnExports(e)) return e.getSourceFile() === file.source;
      if (!ts.isIdentifier(e)) return false;
      const decl = declOf(e);
      return !!decl && o.holders.has(decl);
    };
    // `var helpers = {}; helpers.x = function …; module.exports = helpers`: the variable is the module's object
    const exportedObject = exportedObjectVariable(file, checker);
    if (exportedObject) o.holders.add(exportedObject);
    const handedTo = new Set<ts.Node>();
    const visit = (node: ts.Node): void => {
      if (ts.isVariableDeclaration(node) && node.initializer && isHolder(node.initializer)) o.holders.add(node);
      else if (ts.isCallExpression(node)) {
        const callee = unwrap(node.expression);
        // (function (module) {…}(exports)); require('./redis/hash')(redisClient, module)
        const fn = isFunctionLike(callee) ? callee : ts.isCallExpression(callee) ? exportedFunction(project, callee) : undefined;
        if (fn) {
          node.arguments.forEach((arg, i) => {
            const param = fn.parameters[i];
            if (!param || !isHolder(arg) || o.holders.has(param)) return;
            o.holders.add(param);
            // another module's function: read it as this module is read
            if (fn.getSourceFile() !== node.getSourceFile() && !handedTo.has(fn)) {
              handedTo.add(fn);
              ts.forEachChild(fn, visit);
            }
          });
        }
      } else if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isPropertyAccessExpression(node.left)) {
        // `module.init = …`, and a member of a member: `module.helpers.redis = require('./redis/helpers')` as `helpers.redis`
        const names: string[] = [];
        let on: ts.Expression = node.left;
        while (ts.isPropertyAccessExpression(on) && !isOwnExports(on) && !isHolder(on)) {
          names.unshift(on.name.text);
          on = unwrap(on.expression);
        }
        if (names.length > 0 && names.length <= MAX_CHAIN && isHolder(on)) {
          const name = names.join('.');
          const list = o.members.get(name) ?? [];
          if (!list.includes(node.right)) list.push(node.right);
          o.members.set(name, list);
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(file.source);
    return o;
  };

  /** The modules a `require()` (written out, or a folder + a run-time name) loads. */
  const required = (call: ts.CallExpression): LoadedFile[] => {
    const one = requiredFile(project, call);
    if (one) return [one];
    return dynamicRequire(project, call)?.files ?? [];
  };

  /** The exports objects a module hands out: its own, unless `module.exports =` replaces it with another module's. */
  const moduleObjectsOf = (file: LoadedFile, depth: number): LoadedFile[] => {
    const value = exportedValue(file);
    if (!value) return [file];
    return isOwnExports(unwrap(value)) ? [file] : objects_(value, depth + 1);
  };

  const objects_ = (expr: ts.Expression, depth: number): LoadedFile[] => {
    if (depth > MAX_DEPTH) return [];
    const e = unwrap(expr);
    if (ts.isCallExpression(e)) return required(e).flatMap((f) => moduleObjectsOf(f, depth + 1));
    if (ts.isPropertyAccessExpression(e)) return chainObjects(e, depth);
    if (!ts.isIdentifier(e)) return [];
    const decl = declOf(e);
    if (!decl) return [];
    if (ts.isVariableDeclaration(decl) && decl.initializer) {
      const init = unwrap(decl.initializer);
      if (ts.isCallExpression(init)) return objects_(init, depth + 1);
      // `var helpers = module.helpers.redis`, once: a variable given another value later is not followed
      if (ts.isPropertyAccessExpression(init) && !reassignedVariable(decl, checker)) return objects_(init, depth + 1);
    }
    // a holder: find the module from where it is declared, then check that module's reading reaches it
    const home = holderHome(decl, depth);
    return home.filter((f) => objectOf(f).holders.has(decl));
  };

  /**
   * `module.helpers.redis` where `module` holds a module's object and the module assigns `helpers.redis` exactly once,
   * to a module's object (`require('./redis/helpers')`), and `helpers` itself only an object literal without a `redis`
   * member or `module.helpers || {}`: the module that value is.
   */
  const chainObjects = (e: ts.PropertyAccessExpression, depth: number): LoadedFile[] => {
    const names: string[] = [];
    let root: ts.Expression = e;
    while (ts.isPropertyAccessExpression(root) && !isOwnExports(root) && names.length <= MAX_CHAIN) {
      names.unshift(root.name.text);
      root = unwrap(root.expression);
    }
    if (names.length === 0 || names.length > MAX_CHAIN) return [];
    const roots = isOwnExports(root) ? fileList(fileOf(project, root)) : ts.isIdentifier(root) || ts.isCallExpression(root) ? objects_(root, depth + 1) : [];
    const out: LoadedFile[] = [];
    for (const file of roots) {
      const members = objectOf(file).members;
      const assigned = members.get(names.join('.')) ?? [];
      if (assigned.length !== 1) continue;
      // every step before the last only made an empty holder for it
      const steps = names.slice(0, -1).every((_, i) => (members.get(names.slice(0, i + 1).join('.')) ?? []).every((v) => onlyHolds(v, names[i + 1])));
      if (steps) out.push(...objects_(assigned[0], depth + 1));
    }
    return [...new Set(out)];
  };

  const homes = new Map<ts.Node, LoadedFile[]>();
  /** The modules whose object a parameter or variable may hold, before checking. */
  const holderHome = (decl: ts.Node, depth: number): LoadedFile[] => {
    if (depth > MAX_DEPTH) return [];
    const known = homes.get(decl);
    if (known) return known;
    homes.set(decl, []);
    const found = findHome(decl, depth);
    homes.set(decl, found);
    return found;
  };
  const findHome = (decl: ts.Node, depth: number): LoadedFile[] => {
    if (ts.isVariableDeclaration(decl)) {
      const init = decl.initializer && unwrap(decl.initializer);
      if (!init) return [];
      if (isOwnExports(init)) return fileList(fileOf(project, decl));
      const own = fileOf(project, decl);
      if (own && exportedObjectVariable(own, checker) === decl) return [own];
      return ts.isIdentifier(init) ? objects_(init, depth + 1) : [];
    }
    if (!ts.isParameter(decl)) return [];
    return argumentsOf(decl).flatMap((arg) => (isOwnExports(unwrap(arg)) ? fileList(fileOf(project, arg)) : objects_(arg, depth + 1)));
  };

  const argsMemo = new Map<ts.Node, ts.Expression[]>();
  /** What a parameter is given: by the IIFE it belongs to, or by each `require('./this')(…)` of the module exporting its function. */
  const argumentsOf = (param: ts.ParameterDeclaration): ts.Expression[] => {
    const known = argsMemo.get(param);
    if (known) return known;
    const found: ts.Expression[] = [];
    argsMemo.set(param, found);
    const fn = param.parent;
    if (!isFunctionLike(fn)) return found;
    const index = fn.parameters.indexOf(param);
    const call = fn.parent && ts.isParenthesizedExpression(fn.parent) ? fn.parent.parent : fn.parent;
    if (call && ts.isCallExpression(call) && unwrap(call.expression) === fn) {
      if (call.arguments[index]) found.push(call.arguments[index]);
      return found;
    }
    const own = fileOf(project, fn);
    const exported = own && exportedValue(own);
    if (!own || !exported || unwrap(exported) !== fn) return found;
    for (const c of requireCalls(own)) if (c.arguments[index]) found.push(c.arguments[index]);
    return found;
  };

  const requireCallsMemo = new Map<LoadedFile, ts.CallExpression[]>();
  /** `require('./x')(…)` of this module, in the files that name it. */
  const requireCalls = (target: LoadedFile): ts.CallExpression[] => {
    const known = requireCallsMemo.get(target);
    if (known) return known;
    const word = moduleWord(target);
    const out: ts.CallExpression[] = [];
    requireCallsMemo.set(target, out);
    for (const file of project.files) {
      if (!file.source.text.includes(word)) continue;
      const visit = (node: ts.Node): void => {
        if (ts.isCallExpression(node)) {
          const callee = unwrap(node.expression);
          if (ts.isCallExpression(callee) && requiredFile(project, callee) === target) out.push(node);
        }
        ts.forEachChild(node, visit);
      };
      visit(file.source);
    }
    return out;
  };

  const memberOf = (fn: ts.SignatureDeclaration): { file: LoadedFile; name: string } | undefined => {
    let parent = fn.parent;
    while (parent && ts.isParenthesizedExpression(parent)) parent = parent.parent;
    if (!parent || !ts.isBinaryExpression(parent) || parent.operatorToken.kind !== ts.SyntaxKind.EqualsToken || !ts.isPropertyAccessExpression(parent.left)) return undefined;
    const left = parent.left;
    const holder = unwrap(left.expression);
    const files = isOwnExports(holder) ? fileList(fileOf(project, holder)) : objects_(holder, 0);
    // a function added to more than one module's object is no one module's
    return files.length === 1 ? { file: files[0], name: left.name.text } : undefined;
  };

  const callsOf = (fn: ts.SignatureDeclaration): MemberCall[] => {
    const known = calls.get(fn);
    if (known) return known;
    const out: MemberCall[] = [];
    calls.set(fn, out);
    const member = memberOf(fn);
    if (!member) return out;
    // only the function the member is, when the module assigns nothing else to the name
    const assigned = objectOf(member.file).members.get(member.name) ?? [];
    if (assigned.length !== 1 || unwrap(assigned[0]) !== fn) return out;
    const name = member.name;
    const mentions = new RegExp(`\\.${name.replace(/\$/g, '\\$')}\\b`);
    for (const file of project.files) {
      if (!file.source.text.includes(name) || !mentions.test(file.source.text)) continue;
      const onObject = (call: ts.CallExpression): void => {
        const callee = unwrap(call.expression);
        if (ts.isPropertyAccessExpression(callee) && callee.name.text === name && objects_(callee.expression, 0).includes(member.file)) {
          out.push({ call, callee: callee.name, file });
        }
      };
      const visit = (node: ts.Node): void => {
        if (ts.isCallExpression(node)) {
          onObject(node);
          // handed over to be called back: `async.apply(db.getObject, key)`, `p.then(db.getObject)` (callback-calls.ts)
          if (handsOver(node, name)) for (const made of callbackCalls(project, node) ?? []) onObject(made);
        }
        ts.forEachChild(node, visit);
      };
      visit(file.source);
    }
    return out;
  };

  return {
    objectsOf: (expr) => objects_(expr, 0),
    member: (file, name) => objectOf(file).members.get(name) ?? [],
    memberOf,
    callsOf,
    argumentsOf,
    calledModules: (file) => {
      const out = new Set<LoadedFile>();
      if (!file.source.text.includes(')(')) return [];
      const visit = (node: ts.Node): void => {
        if (ts.isCallExpression(node) && node.arguments.length > 0 && ts.isCallExpression(unwrap(node.expression))) {
          const loaded = requiredFile(project, unwrap(node.expression) as ts.CallExpression);
          if (loaded) out.add(loaded);
        }
        ts.forEachChild(node, visit);
      };
      visit(file.source);
      return [...out];
    },
  };
}

/** `var helpers = {}; … module.exports = helpers`: the variable declaration, when it is given nothing else. */
function exportedObjectVariable(file: LoadedFile, checker: ts.TypeChecker): ts.VariableDeclaration | undefined {
  const value = exportedValue(file);
  const e = value && unwrap(value);
  if (!e || !ts.isIdentifier(e)) return undefined;
  const decl = file.source.statements.flatMap((st) => (ts.isVariableStatement(st) ? [...st.declarationList.declarations] : [])).find((d) => ts.isIdentifier(d.name) && d.name.text === e.text);
  const init = decl?.initializer && unwrap(decl.initializer);
  return decl && init && ts.isObjectLiteralExpression(init) && !reassignedVariable(decl, checker) ? decl : undefined;
}

/** `{}`, `{ other: … }` or `x.helpers || {}`: a value that gives the chain's next member no value of its own. */
function onlyHolds(value: ts.Expression, next: string): boolean {
  const v = unwrap(value);
  if (ts.isObjectLiteralExpression(v)) return !v.properties.some((p) => !p.name || p.name.getText() === next);
  if (ts.isBinaryExpression(v) && (v.operatorToken.kind === ts.SyntaxKind.BarBarToken || v.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken)) {
    return ts.isPropertyAccessExpression(unwrap(v.left)) && onlyHolds(v.right, next);
  }
  return false;
}

function fileList(file: LoadedFile | undefined): LoadedFile[] {
  return file ? [file] : [];
}

/** `module.exports = function (…) {…}` of the module a `require('./x')` loads. */
function exportedFunction(project: LoadedProject, call: ts.CallExpression): ts.SignatureDeclaration | undefined {
  const file = requiredFile(project, call);
  const value = file && exportedValue(file);
  const fn = value && unwrap(value);
  return fn && isFunctionLike(fn) ? fn : undefined;
}

