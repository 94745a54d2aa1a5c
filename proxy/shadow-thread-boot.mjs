// Entry of the shadow thread when its bundle cannot be built or written (shadow-thread-build.ts). tsx's loader,
// registered on the main thread by `--import tsx`, does not reach worker threads: the thread registers it for itself,
// then loads its TypeScript.
import { register } from 'tsx/esm/api';

register();
await import('./shadow-thread-worker.ts');
