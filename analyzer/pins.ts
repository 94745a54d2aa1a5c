// Pins fix files to services before clustering ("what if billing owned these files?"). They come from
// `--pin <file-or-glob>=<service>` flags and from a `strangler.pins.json` file ({ "<glob>": "<service>" }).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { pathMatcher } from '../common/glob.ts';
import { parseJsonText } from '../common/json-text.ts';
import { UserError } from '../common/user-error.ts';

export interface Pin {
  /** a file path relative to the analysed root, or a glob (`*` within a segment, `**` across segments, `?`) */
  pattern: string;
  service: string;
}

export const PINS_FILE = 'strangler.pins.json';

const serviceName = z.string().regex(/^[a-z][a-z0-9-]*$/, 'service names are lower-case letters, digits and dashes');
const pinsFileSchema = z.union([
  z.object({ pins: z.record(z.string().min(1), serviceName) }),
  z.record(z.string().min(1), serviceName),
]);

/** Parses `--pin` flag values (`glob=service`). */
export function parsePinFlags(values: readonly string[]): Pin[] {
  return values.map((value) => {
    const at = value.lastIndexOf('=');
    const pattern = value.slice(0, at).trim();
    const service = value.slice(at + 1).trim();
    if (at <= 0 || !pattern || !serviceName.safeParse(service).success) {
      throw new UserError(
        `--pin "${value}" is not <file-or-glob>=<service> (service: lower-case letters, digits, dashes), e.g. --pin "orders/**=orders"`,
      );
    }
    return { pattern, service };
  });
}

/** Reads pins from a file; a missing default file is no pins, a missing explicit file is an error. */
export function readPinsFile(path: string, required: boolean): Pin[] {
  if (!existsSync(path)) {
    if (required) throw new UserError(`pins file ${path} does not exist; pass an existing JSON file`);
    return [];
  }
  let raw: unknown;
  try {
    raw = parseJsonText(readFileSync(path, 'utf8'));
  } catch (err) {
    if (!(err instanceof SyntaxError)) throw new UserError(`pins file ${path} cannot be read (${(err as Error).message}); pass a JSON file`);
    throw new UserError(`pins file ${path} is not valid JSON (${err.message}); fix it or remove it`);
  }
  const parsed = pinsFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UserError(`pins file ${path}: ${issue.path.join('.') || '(root)'}: ${issue.message}; expected { "<glob>": "<service>" }`);
  }
  const record = 'pins' in parsed.data && typeof parsed.data.pins === 'object' ? parsed.data.pins : parsed.data;
  return Object.entries(record as Record<string, string>).map(([pattern, service]) => ({ pattern, service }));
}

export function defaultPinsPath(root: string): string {
  return join(root, PINS_FILE);
}

/**
 * Resolves pins against the analysed files: file → service. The first pin matching a file wins. A pin that matches
 * no file is a user error (a typo would otherwise silently change nothing); so is one matching only migration files
 * (`setAside`), which are in no service.
 */
export function resolvePins(pins: readonly Pin[], files: readonly string[], setAside: readonly string[] = []): Map<string, string> {
  const out = new Map<string, string>();
  for (const pin of pins) {
    // a folder name pins everything under it
    const matches = pathMatcher(pin.pattern);
    const matched = files.filter(matches);
    const migrations = matched.length === 0 ? setAside.filter(matches) : [];
    if (migrations.length > 0) {
      const shown = migrations.slice(0, 2).join(', ') + (migrations.length > 2 ? ', ...' : '');
      throw new UserError(
        `pin "${pin.pattern}=${pin.service}" matches only database migration or seed files (${shown}), which are set aside from the services; pin application code`,
      );
    }
    if (matched.length === 0) {
      throw new UserError(`pin "${pin.pattern}=${pin.service}" matches no analysed file; use a path relative to the analysed root`);
    }
    for (const f of matched) if (!out.has(f)) out.set(f, pin.service);
  }
  return out;
}
