// One file's facts must not cost the whole analysis: a failure while reading a file (an unexpected
// syntax shape, a compiler assertion) becomes a warning naming the file, and extraction goes on.
import type { LoadedFile } from './project.ts';
import type { Warning } from './types.ts';

export function guarded(file: LoadedFile, warnings: Warning[], what: string, work: () => void): void {
  try {
    work();
  } catch (err) {
    const reason = (err instanceof Error ? err.message : String(err)).split('\n')[0];
    warnings.push({ file: file.rel, message: `${file.rel}: reading ${what} failed (${reason}); facts from this file are incomplete` });
  }
}
