// Redis commands that name keys: whether each reads or writes, and which of its arguments are keys. ioredis
// spells them in lower case (`hset`), node-redis v4+ in camelCase (`hSet`) or capitals (`HSET`): names are
// compared lower-cased, and ioredis's `…Buffer` twins (`getBuffer`) are their command. Pub/sub commands
// (`publish`, `subscribe`, `pSubscribe`…) name channels, not keys, and are deliberately absent; so are commands
// without a key (`ping`, `flushdb`) and those whose keys cannot be told from their arguments (`eval`, `xread`).
import { ts } from 'ts-morph';
import { isFunctionLike } from './functions.ts';
import { unwrap } from './value-key.ts';

type Access = 'read' | 'write';

/** Where a command's keys are among its arguments. */
type KeyShape =
  | 'first' // GET key …
  | 'all' // DEL key [key …], MGET, EXISTS
  | 'pairs' // MSET key value [key value …], mset({ key: value })
  | 'allButLast' // BLPOP key [key …] timeout
  | 'firstTwo' // RENAME source destination, LMOVE, SMOVE: both written
  | 'copy' // COPY source destination: the source read
  | 'storeOne' // ZRANGESTORE destination source …
  | 'storeAll' // SINTERSTORE destination key [key …], PFMERGE
  | 'numkeys' // ZUNION numkeys key [key …] (node-redis: zUnion([a, b]))
  | 'storeNumkeys' // ZUNIONSTORE destination numkeys key [key …]
  | 'bitop' // BITOP operation destination key [key …]
  | 'pattern' // KEYS pattern
  | 'match'; // SCAN cursor MATCH pattern, scan(cursor, { MATCH }), scanStream({ match }), scanIterator({ MATCH })

/** shapes whose lone array argument is a list of keys (or key-value pairs), not the command's whole argument list */
const KEY_LISTS = new Set<KeyShape>(['all', 'pairs', 'numkeys', 'pattern', 'match']);

interface Command {
  access: Access;
  keys: KeyShape;
}

/** One key a command names: its expression, or a name written as an object key (`mset({ total: 1 })`). */
export interface KeyArg {
  key: ts.Expression | string;
  access: Access;
  /** a glob (`session:*`): what follows its first wildcard is not part of the prefix */
  pattern: boolean;
}

const COMMANDS = new Map<string, Command>();
function define(access: Access, keys: KeyShape, names: string): void {
  for (const name of names.split(/\s+/).filter(Boolean)) COMMANDS.set(name, { access, keys });
}

define('read', 'first', `
  get getrange substr strlen ttl pttl expiretime pexpiretime type dump
  hget hmget hgetall hexists hkeys hvals hlen hstrlen hscan hrandfield hscanstream hscaniterator
  lrange lindex llen lpos
  smembers sismember smismember scard srandmember sscan sscanstream sscaniterator
  zrange zrangebyscore zrangebylex zrevrange zrevrangebyscore zrevrangebylex zrank zrevrank zscore zmscore zcard
  zcount zlexcount zscan zrandmember zscanstream zscaniterator
  getbit bitcount bitpos bitfield_ro geopos geodist geohash georadius georadiusbymember georadius_ro
  georadiusbymember_ro geosearch xrange xrevrange xlen xpending sort sort_ro`);
define('read', 'all', 'mget exists touch sinter sunion sdiff pfcount lcs');
define('read', 'numkeys', 'zunion zinter zdiff zintercard sintercard');
define('read', 'pattern', 'keys');
define('read', 'match', 'scan scanstream scaniterator');
define('write', 'first', `
  set setex psetex setnx getset getdel getex append setrange incr incrby incrbyfloat decr decrby
  expire pexpire expireat pexpireat persist restore
  hset hsetnx hmset hdel hincrby hincrbyfloat
  lpush rpush lpushx rpushx lpop rpop lset lrem ltrim linsert
  sadd srem spop
  zadd zrem zincrby zremrangebyscore zremrangebyrank zremrangebylex zpopmin zpopmax
  pfadd setbit bitfield geoadd xadd xdel xtrim xack xclaim xautoclaim`);
define('write', 'all', 'del unlink');
define('write', 'pairs', 'mset msetnx');
define('write', 'allButLast', 'blpop brpop bzpopmin bzpopmax');
define('write', 'firstTwo', 'rename renamenx lmove blmove rpoplpush brpoplpush smove');
define('write', 'copy', 'copy');
define('write', 'storeOne', 'zrangestore');
define('write', 'storeAll', 'sinterstore sunionstore sdiffstore pfmerge');
define('write', 'storeNumkeys', 'zunionstore zinterstore zdiffstore');
define('write', 'bitop', 'bitop');

/**
 * node-redis's names for one command that differ only in the reply they ask for (`zRangeWithScores`,
 * `zRangeByScoreWithScores`, `sRandMemberCount`, `zPopMinCount`, `hRandFieldCountWithValues`, `geoSearchWith`,
 * `hScanNoValues`): the command is the name without the suffix.
 */
const REPLY_VARIANT = /(?:countwithscores|countwithvalues|withscores|withvalues|count|with|novalues)$/;

/** `hSet`, `HSET`, `hsetBuffer` → `hset`; `zRangeWithScores` → `zrange`. */
export function commandName(method: string): string {
  const name = method.replace(/Buffer$/, '').toLowerCase();
  if (COMMANDS.has(name)) return name;
  const base = name.replace(REPLY_VARIANT, '');
  return COMMANDS.has(base) ? base : name;
}

export function isKeyCommand(method: string): boolean {
  return COMMANDS.has(commandName(method));
}

/** The keys a call of this command names, each with how it is used; empty for a command this file does not know. */
export function commandKeys(method: string, rawArgs: readonly ts.Expression[], isCallback: (arg: ts.Expression) => boolean = isFunctionArgument): KeyArg[] {
  const command = COMMANDS.get(commandName(method));
  if (!command) return [];
  // node-redis v4: client.get(commandOptions({ returnBuffers: true }), key); a trailing callback (node-redis v3, ioredis)
  let args = rawArgs;
  if (args.length > 0 && isCommandOptions(args[0])) args = args.slice(1);
  if (args.length > 0 && isCallback(args[args.length - 1])) args = args.slice(0, -1);
  // node-redis v2/v3 take the arguments as one array (`zrangebyscore([key, min, max, 'LIMIT', 0, 20], cb)`); where
  // an array means keys alone (`del([a, b])`, `mSet([k, v])`, v4's `zUnion([a, b])`) it is read as such below
  const listed = args.length > 0 ? unwrap(args[0]) : undefined;
  if (listed && ts.isArrayLiteralExpression(listed) && !KEY_LISTS.has(command.keys)) args = [...listed.elements, ...args.slice(1)];
  const { access } = command;
  const key = (e: ts.Expression | string, a: Access = access, pattern = false): KeyArg => ({ key: e, access: a, pattern });
  const each = (list: readonly ts.Expression[], a: Access = access): KeyArg[] => spread(list).map((e) => key(e, a));
  switch (command.keys) {
    case 'first':
      return args[0] ? each([args[0]]) : [];
    case 'all':
      return each(args);
    case 'pairs':
      return pairKeys(args).map((k) => key(k));
    case 'allButLast':
      return each(args.length > 1 ? args.slice(0, -1) : args);
    case 'firstTwo':
      return each(args.slice(0, 2));
    case 'copy':
      return [...each(args.slice(0, 1), 'read'), ...each(args.slice(1, 2), 'write')];
    case 'storeOne':
      return [...each(args.slice(0, 1), 'write'), ...each(args.slice(1, 2), 'read')];
    case 'storeAll':
      return [...each(args.slice(0, 1), 'write'), ...each(args.slice(1), 'read')];
    case 'numkeys':
      return each(numkeyed(args, 0), 'read');
    case 'storeNumkeys':
      return [...each(args.slice(0, 1), 'write'), ...each(numkeyed(args, 1), 'read')];
    case 'bitop':
      return [...each(args.slice(1, 2), 'write'), ...each(args.slice(2), 'read')];
    case 'pattern':
      return args[0] ? [key(args[0], access, true)] : [];
    case 'match': {
      const pattern = matchPattern(args);
      return pattern ? [key(pattern, access, true)] : [];
    }
  }
}

/** node-redis takes several keys as one array (`del([a, b])`, `mGet([a, b])`): its elements are the keys. */
function spread(list: readonly ts.Expression[]): ts.Expression[] {
  return list.flatMap((e) => {
    const u = unwrap(e);
    return ts.isArrayLiteralExpression(u) ? [...u.elements] : [e];
  });
}

/** `mset(k1, v1, k2, v2)`, `mSet([k1, v1, k2, v2])`, `mSet([[k1, v1], [k2, v2]])`, `mset({ k1: v1 })`. */
function pairKeys(args: readonly ts.Expression[]): (ts.Expression | string)[] {
  const only = args.length === 1 ? unwrap(args[0]) : undefined;
  if (only && ts.isObjectLiteralExpression(only)) {
    return only.properties.flatMap((p): (ts.Expression | string)[] => {
      if (ts.isShorthandPropertyAssignment(p)) return [p.name.text];
      if (ts.isSpreadAssignment(p)) return [p.expression]; // keys made at run time: warned about
      if (!ts.isPropertyAssignment(p)) return [];
      const n = p.name;
      if (ts.isComputedPropertyName(n)) return [n.expression];
      return ts.isIdentifier(n) || ts.isStringLiteral(n) || ts.isNumericLiteral(n) ? [n.text] : [];
    });
  }
  if (only && ts.isArrayLiteralExpression(only)) {
    const tuples = only.elements.every((e) => ts.isArrayLiteralExpression(unwrap(e)));
    if (tuples) return only.elements.flatMap((e) => (unwrap(e) as ts.ArrayLiteralExpression).elements.slice(0, 1));
    return only.elements.filter((_, i) => i % 2 === 0);
  }
  return args.filter((_, i) => i % 2 === 0);
}

/** `numkeys key [key …]` from `at`, or node-redis's `[key, …]` / one key there. */
function numkeyed(args: readonly ts.Expression[], at: number): ts.Expression[] {
  const count = args[at] && unwrap(args[at]);
  if (!count) return [];
  if (ts.isNumericLiteral(count)) return args.slice(at + 1, at + 1 + Number(count.text));
  return [count];
}

/** The MATCH pattern of a scan: `'MATCH', pattern` among the arguments, or an options object's `MATCH` / `match`. */
function matchPattern(args: readonly ts.Expression[]): ts.Expression | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = unwrap(args[i]);
    if ((ts.isStringLiteral(a) || ts.isNoSubstitutionTemplateLiteral(a)) && a.text.toUpperCase() === 'MATCH') return args[i + 1];
    if (ts.isObjectLiteralExpression(a)) {
      for (const p of a.properties) {
        if (ts.isPropertyAssignment(p) && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) && p.name.text.toUpperCase() === 'MATCH') return p.initializer;
      }
    }
  }
  return undefined;
}

function isFunctionArgument(arg: ts.Expression): boolean {
  return isFunctionLike(unwrap(arg));
}

function isCommandOptions(arg: ts.Expression): boolean {
  const a = unwrap(arg);
  if (!ts.isCallExpression(a)) return false;
  const callee = unwrap(a.expression);
  const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : undefined;
  return name === 'commandOptions';
}
