// The lifecycle the demo walks, as data: which mode each extracted service's routes are in per phase.
// Modes change through the admin API (PATCH /api/routes/:id), the way an operator would, so every change
// is validated, persisted and in the audit trail.
import type { ExtractedService } from './config.ts';

export interface ModeSetting {
  mode: 'legacy' | 'shadow' | 'canary' | 'migrated';
  percent?: number;
}

export interface Phase {
  name: string;
  description: string;
  modes: Record<ExtractedService, ModeSetting>;
  /** signed-in shoppers may check out (writes stock): only once no inventory route is compared */
  checkout: boolean;
}

export function demoPhases(canaryPercent: number): Phase[] {
  return [
    {
      name: 'shadow',
      description: 'every extracted route in shadow: the monolith answers, each service gets a copy, answers are compared',
      modes: { catalog: { mode: 'shadow' }, inventory: { mode: 'shadow' }, reviews: { mode: 'shadow' } },
      checkout: false,
    },
    {
      name: 'rollout',
      description: `catalog stays in shadow, reviews in canary at ${canaryPercent}%, inventory migrated (with fallback)`,
      modes: { catalog: { mode: 'shadow' }, inventory: { mode: 'migrated' }, reviews: { mode: 'canary', percent: canaryPercent } },
      checkout: true,
    },
  ];
}

export interface AdminClient {
  setMode(routeId: string, setting: ModeSetting): Promise<void>;
}

export function adminClient(adminUrl: string, token: string): AdminClient {
  return {
    async setMode(routeId, setting) {
      const res = await fetch(`${adminUrl}/api/routes/${encodeURIComponent(routeId)}`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(setting),
      });
      if (!res.ok) throw new Error(`admin API refused ${routeId} → ${setting.mode}: ${res.status} ${await res.text()}`);
      await res.arrayBuffer();
    },
  };
}

/** Moves every route of each service to the phase's mode; routes already there are left alone. */
export async function enterPhase(
  admin: AdminClient,
  phase: Phase,
  routes: ReadonlyArray<{ id: string; service: string; mode?: string; canary?: { percent: number } }>,
): Promise<number> {
  let changed = 0;
  for (const r of routes) {
    const want = phase.modes[r.service as ExtractedService];
    if (!want) continue;
    if (r.mode === want.mode && (want.percent === undefined || r.canary?.percent === want.percent)) continue;
    await admin.setMode(r.id, want);
    changed++;
  }
  return changed;
}
