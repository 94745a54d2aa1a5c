// The analyzer's output folder, shared by `strangler analyze` and the demo: checked (and created) before the long
// work starts, and a strangler.config.json the user edited by hand is never overwritten.
import { createHash } from 'node:crypto';
import { accessSync, constants, existsSync, mkdirSync, readFileSync, rmdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UserError } from '../common/user-error.ts';

/**
 * Creates the output folder (and its parents) and checks it can be written, so a bad --out fails in one line before
 * minutes of analysis instead of after. `flag` names the option in the message. Returns what takes back the folders
 * it made, for a run that then fails: each is removed while it is still empty.
 */
export function prepareOutDir(out: string, flag = '--out'): () => void {
  if (out.startsWith('--')) {
    // commander takes the next word as the value: `--out --json` would create a folder named "--json"
    throw new UserError(`${flag} ${out} looks like an option, not a folder; give ${flag} a folder (write ./${out} if you mean a folder of that name)`);
  }
  if (existsSync(out) && !statSync(out).isDirectory()) throw new UserError(`${flag} ${out} is a file; pass a folder (it is created when missing)`);
  let made: string | undefined;
  try {
    made = mkdirSync(out, { recursive: true });
    accessSync(out, constants.W_OK);
  } catch (err) {
    throw new UserError(`${flag} ${out} cannot be used as the output folder: ${reason(err)}`);
  }
  return () => {
    if (made !== undefined) removeEmptyFolders(resolve(out), resolve(made));
  };
}

/** Removes `from` and the folders above it up to `top`, each only while empty. */
function removeEmptyFolders(from: string, top: string): void {
  for (let dir = from; ; dir = dirname(dir)) {
    try {
      rmdirSync(dir); // fails on a folder that is not empty: what is in it stays
    } catch {
      return;
    }
    if (dir === top || dirname(dir) === dir) return;
  }
}

function reason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOTDIR' || code === 'EEXIST') return 'a part of the path is a file, not a folder';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EROFS') return 'read-only file system';
  return (err as Error).message;
}

export const PROXY_CONFIG = 'strangler.config.json';
export const NEW_PROXY_CONFIG = 'strangler.config.new.json';
/** sha256 of the strangler.config.json this tool last wrote: tells a hand edit from our own previous output */
export const PROXY_CONFIG_HASH = '.strangler.config.json.sha256';

export interface ConfigWrite {
  /** the file this run's config went to: strangler.config.json, or strangler.config.new.json beside a hand-edited one */
  path: string;
  /** one line for the terminal when the user's file was kept */
  notice?: string;
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/**
 * Writes the emitted proxy config to `<out>/strangler.config.json`, unless the file there differs both from this
 * run's config and from what the last run wrote (the user edited it, or it predates the hash): then it is kept and
 * this run's config goes to strangler.config.new.json beside it. Runs without edits stay silent.
 */
export function writeProxyConfig(out: string, content: string): ConfigWrite {
  const path = join(out, PROXY_CONFIG);
  const hashPath = join(out, PROXY_CONFIG_HASH);
  const newPath = join(out, NEW_PROXY_CONFIG);
  const current = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
  const lastWritten = existsSync(hashPath) ? readFileSync(hashPath, 'utf8').trim() : undefined;
  if (current !== undefined && current !== content && sha256(current) !== lastWritten) {
    writeFileSync(newPath, content);
    return {
      path: newPath,
      notice: `${path} was edited since strangler wrote it: kept it; this run's config is ${newPath} (compare them, or delete yours to take the new one)`,
    };
  }
  if (current !== content) writeFileSync(path, content);
  if (lastWritten !== sha256(content)) writeFileSync(hashPath, `${sha256(content)}\n`);
  // a .new.json from an earlier run is stale once strangler.config.json is ours again
  rmSync(newPath, { force: true });
  return { path };
}
