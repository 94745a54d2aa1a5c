// The shadow thread's entry file: its TypeScript bundled by esbuild into one ESM file, so the thread starts without
// tsx's loader (measured: an idle started thread adds ~41 MiB of RSS instead of ~66). It is built in memory when a
// process first starts a thread (60-110 ms, in esbuild's own process, off the request thread's event loop) and written
// only when its content is new, so an edited .ts file is never served from an old bundle: the file's name is a hash of
// its content.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { threadId } from 'node:worker_threads';
import type { Logger } from 'pino';

const ROOT = new URL('../', import.meta.url);
/** the boot file that registers tsx in the thread: the entry when no bundle can be had */
export const TSX_BOOT = new URL('./shadow-thread-boot.mjs', import.meta.url);

export interface BuildOptions {
  /** the TypeScript to bundle (default: proxy/shadow-thread-worker.ts) */
  entryPoint?: string;
  /** where bundles go (default: node_modules/.cache/strangler/ of the package: the bundle imports its packages
   * from there as the .ts files do from theirs) */
  cacheDir?: string;
}

/** Builds the worker bundle and returns its file, written there unless a file of the same content already is. */
export async function buildWorker(options: BuildOptions = {}): Promise<URL> {
  const entryPoint = options.entryPoint ?? fileURLToPath(new URL('./shadow-thread-worker.ts', import.meta.url));
  const cacheDir = options.cacheDir ?? fileURLToPath(new URL('node_modules/.cache/strangler/', ROOT));
  const contents = await bundle(entryPoint, cacheDir);
  const file = join(cacheDir, `worker-${createHash('sha256').update(contents).digest('hex').slice(0, 16)}.mjs`);
  if (await sameContent(file, contents)) return pathToFileURL(file);
  await mkdir(cacheDir, { recursive: true });
  // written beside it and renamed over: a process starting its thread at the same time (--workers) reads the whole
  // file or none
  const temp = `${file}.${process.pid}-${threadId}-${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temp, contents);
    await rename(temp, file);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
  return pathToFileURL(file);
}

/**
 * The file the thread starts from: the bundle, or tsx's boot file when it cannot be built or written (esbuild
 * missing, a read-only install), which is logged once at warn.
 */
export async function workerEntry(log: Logger, build: () => Promise<URL> = builtOnce): Promise<URL> {
  try {
    return await build();
  } catch (err) {
    log.warn({ err }, `shadow thread: no bundle (${err instanceof Error ? err.message : String(err)}); it starts through tsx's loader`);
    return TSX_BOOT;
  }
}

/**
 * The bundle of this process: a thread started again (shadowThread "slow" ends it while no candidate needs it) starts
 * from the file built for the first, as the request thread runs the modules it loaded then. A build that failed is
 * tried again next time.
 */
let built: Promise<URL> | undefined;
function builtOnce(): Promise<URL> {
  built ??= buildWorker().catch((err: unknown) => {
    built = undefined;
    throw err;
  });
  return built;
}

/** esbuild's service (a child process) is stopped once no build of ours is running: it would stay for the process's life */
let building = 0;

async function bundle(entryPoint: string, cacheDir: string): Promise<Uint8Array> {
  const esbuild = await import('esbuild');
  building++;
  try {
    const result = await esbuild.build({
      entryPoints: [entryPoint],
      outfile: join(cacheDir, 'worker.mjs'),
      // paths in the bundle's comments are relative to it, so the content (and name) does not depend on the cwd
      absWorkingDir: fileURLToPath(ROOT),
      bundle: true,
      platform: 'node',
      format: 'esm',
      packages: 'external',
      write: false,
      logLevel: 'silent',
    });
    return result.outputFiles[0].contents;
  } finally {
    if (--building === 0) void esbuild.stop();
  }
}

async function sameContent(file: string, contents: Uint8Array): Promise<boolean> {
  try {
    return Buffer.from(contents).equals(await readFile(file));
  } catch {
    return false;
  }
}
