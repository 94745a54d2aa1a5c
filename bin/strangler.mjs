#!/usr/bin/env -S node --no-memory-reducer --max-semi-space-size=32
// The strangler command as installed (package.json "bin"; `npm link`, `npm install -g`, a path from any folder).
// bin/strangler.ts's shebang loads tsx with `--import tsx`, which node resolves from the working directory: it
// works only inside the clone. Here tsx's loader is registered from this package's own node_modules, then the CLI
// runs. The V8 flags a serving process needs stay on the shebang (proxy/runtime.ts); `--workers` children run
// this file again and inherit them.
import { register } from 'tsx/esm/api';

register();
await import('./strangler.ts');
