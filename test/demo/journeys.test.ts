// The demo's shoppers: deterministic sessions that never write to a route an extracted service owns (the
// services' data would drift from the monolith's and the report would show differences nobody made).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isLogin, nextSession, type HttpStep, type Session } from '../../demo/journeys.ts';
import { seededRandom } from '../../demo/random.ts';
import { compileRouter } from '../../proxy/router.ts';
import { divergences } from '../../services/divergences.ts';
import { serviceRoutes } from '../../services/ownership.ts';

const owned = compileRouter(Object.entries(serviceRoutes).flatMap(([service, rs]) => rs.map((r) => ({ method: r.method, path: r.route, value: `${service} ${r.method} ${r.route}` }))));

function sessions(seed: number, n: number, checkout: boolean): Session[] {
  const r = seededRandom(seed);
  return Array.from({ length: n }, (_, i) => nextSession(r, `visitor-${i}`, { checkout }));
}

const httpSteps = (ss: Session[]): HttpStep[] => ss.flatMap((s) => s.steps.filter((x): x is HttpStep => !isLogin(x)));
const pathOnly = (p: string): string => p.split('?')[0];

describe('demo journeys', () => {
  test('the same seed gives the same sessions; another seed other ones', () => {
    assert.deepEqual(sessions(7, 50, true), sessions(7, 50, true));
    assert.notDeepEqual(sessions(7, 50, true), sessions(8, 50, true));
  });

  test('no write goes to a route an extracted service owns', () => {
    for (const checkout of [false, true]) {
      const writes = httpSteps(sessions(3, 2000, checkout)).filter((s) => s.method !== 'GET');
      assert.ok(writes.length > 100, 'shoppers do write (cart, addresses, login)');
      const offending = writes.map((s) => owned.match(s.method, pathOnly(s.path))).filter((x) => x !== undefined);
      assert.deepEqual([...new Set(offending)], []);
    }
  });

  test('checkout only when allowed', () => {
    const orders = (ss: Session[]) => httpSteps(ss).filter((s) => s.method === 'POST' && s.path === '/orders').length;
    assert.equal(orders(sessions(5, 1000, false)), 0);
    assert.ok(orders(sessions(5, 1000, true)) > 10);
  });

  test('signed-in steps follow a login, and every session kind shows up', () => {
    const ss = sessions(11, 1000, true);
    for (const s of ss) {
      const login = s.steps.findIndex(isLogin);
      const firstAuth = s.steps.findIndex((x) => !isLogin(x) && x.auth === true);
      if (firstAuth !== -1) assert.ok(login !== -1 && login < firstAuth, `${s.kind}: login before authenticated steps`);
    }
    assert.deepEqual(new Set(ss.map((s) => s.kind)), new Set(['browse', 'search', 'account', 'staff', 'mistakes']));
  });

  test('every route with a documented divergence, and its counter-example, is exercised', () => {
    const gets = httpSteps(sessions(13, 300, false)).filter((s) => s.method === 'GET').map((s) => s.path);
    for (const d of divergences) {
      assert.ok(gets.some((p) => owned.match('GET', pathOnly(p)) === `${d.service} GET ${d.route}`), d.route);
      if (d.counterExample) assert.ok(gets.includes(d.counterExample), `${d.counterExample} (a request that must match)`);
    }
  });
});
