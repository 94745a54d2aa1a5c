// strangler live dashboard: polls the admin API with the operator's token and draws every route.
// Plain browser JavaScript, no build step. Every text from the server goes through textContent, never
// parsed as HTML: route ids, paths and diff fields come from config and live traffic.
'use strict';

(function () {
  const MODES = ['legacy', 'shadow', 'canary', 'migrated'];
  const TOKEN_KEY = 'strangler.adminToken';
  const POLL_MS = 1500;
  // the report is built from the whole store (groups with their samples): asked for less often than the counters
  const REPORT_EVERY_MS = 4500;
  const DEFAULT_CANARY_PERCENT = 10;

  const $ = (id) => document.getElementById(id);
  const ui = {
    status: $('status'),
    login: $('login'),
    token: $('token'),
    loginError: $('login-error'),
    signOut: $('sign-out'),
    board: $('board'),
    flash: $('flash'),
    totals: $('totals'),
    tbody: document.querySelector('#routes tbody'),
    defaultRow: $('default-route'),
    filter: $('filter'),
    filterCount: $('filter-count'),
  };

  /** route id → { row, cells, detail, open } — rows are updated in place so clicks never hit a replaced node */
  const rows = new Map();
  let latest = { routes: [], report: null };
  let timer = null;
  let busy = false;
  let report = { at: 0, body: null };
  // the proxy runs with --admin-insecure-local: its admin API answers without a token, so none is asked for
  let noAuth = false;

  // ---------- DOM helpers (text only) ----------
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class') node.className = v;
      else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of children) if (c !== undefined && c !== null) node.append(c instanceof Node ? c : String(c));
    return node;
  }
  function setText(node, text, title) {
    const t = String(text);
    if (node.textContent !== t) node.textContent = t;
    if (title !== undefined && node.title !== title) node.title = title;
  }

  // ---------- formatting ----------
  const DASH = '—';
  function ms(v) {
    if (v === undefined || v === null || !isFinite(v) || v === 0) return DASH;
    return v < 10 ? v.toFixed(1) : String(Math.round(v));
  }
  function pair(a, b) {
    return `${a} / ${b}`;
  }
  /** Same rule as the reports: 99.95% never prints as 100%. */
  function percent(p) {
    if (p === undefined || p === null) return DASH;
    if (p === 100) return '100%';
    const fixed = p >= 99 ? Math.floor(p * 100) / 100 : Math.floor(p * 10) / 10;
    return `${fixed.toFixed(p >= 99 ? 2 : 1)}%`;
  }
  /** The canary guard's limits in a sentence (the tooltip of "guarded"). */
  function guardLimits(g) {
    const limits = [`over ${+(g.maxErrorRate * 100).toFixed(2)}% of its answers are 5xx or failures`];
    if (g.maxP99Ms !== undefined) limits.push(`its p99 is over ${g.maxP99Ms} ms`);
    if (g.maxP99Ratio !== undefined) limits.push(`its p99 is over ${g.maxP99Ratio}× the monolith's`);
    return `The canary guard moves it to ${g.rollbackTo} when the candidate's answers over the last ${g.windowSeconds} s (${g.minRequests} at least) show ${limits.join(', or ')}.`;
  }

  function modeLabel(route) {
    return route.mode === 'canary' && route.canary ? `canary ${route.canary.percent}%` : route.mode;
  }

  // ---------- API ----------
  class Unauthorized extends Error {}
  async function api(path, init) {
    const token = sessionStorage.getItem(TOKEN_KEY) || '';
    const res = await fetch(path, {
      ...init,
      headers: {
        ...(noAuth ? {} : { authorization: `Bearer ${token}` }),
        accept: 'application/json',
        ...(init && init.body ? { 'content-type': 'application/json' } : {}),
      },
      cache: 'no-store',
    });
    if (res.status === 401) throw new Unauthorized('the admin API refused the token');
    let body = null;
    try {
      body = await res.json();
    } catch {
      body = null;
    }
    return { status: res.status, body };
  }

  async function fetchState(fresh) {
    const wantReport = fresh || Date.now() - report.at >= REPORT_EVERY_MS;
    const [routes, rep] = await Promise.all([api('/api/routes'), wantReport ? api('/report?format=json&samples=0') : null]);
    if (routes.status !== 200) throw new Error((routes.body && routes.body.error) || `GET /api/routes answered ${routes.status}`);
    // 404: this proxy runs without a diff store, so there is no match rate to show
    if (rep) report = { at: Date.now(), body: rep.status === 200 ? rep.body : null };
    return { routes: routes.body, report: report.body };
  }

  function reportByRoute(report) {
    const map = new Map();
    if (!report || !Array.isArray(report.teams)) return map;
    for (const team of report.teams) for (const svc of team.services || []) for (const r of svc.routes || []) map.set(r.routeId, r);
    return map;
  }

  // ---------- polling ----------
  async function poll(fresh) {
    clearTimeout(timer);
    if (busy) return;
    busy = true;
    try {
      const state = await fetchState(fresh === true);
      latest = state;
      render(state);
      setText(ui.status, `live · updated ${new Date().toLocaleTimeString()}`);
      ui.status.className = 'status ok';
    } catch (err) {
      if (err instanceof Unauthorized) {
        signOut(err.message);
        return;
      }
      setText(ui.status, `cannot reach the admin API (${err.message}); retrying`);
      ui.status.className = 'status bad';
    } finally {
      busy = false;
    }
    if (noAuth || sessionStorage.getItem(TOKEN_KEY)) timer = setTimeout(poll, POLL_MS);
  }

  // ---------- rendering ----------
  function render(state) {
    const list = (state.routes && state.routes.routes) || [];
    const reports = reportByRoute(state.report);
    const seen = new Set();
    list.forEach((route, i) => {
      seen.add(route.id);
      let r = rows.get(route.id);
      if (!r) rows.set(route.id, (r = createRow(route.id)));
      // keep declared order (first match wins, so order means something)
      const at = ui.tbody.children[i * 2];
      if (at !== r.row) {
        ui.tbody.insertBefore(r.row, at || null);
        ui.tbody.insertBefore(r.detail, r.row.nextSibling);
      }
      updateRow(r, route, reports.get(route.id), state.report !== null);
    });
    for (const [id, r] of rows) {
      if (!seen.has(id)) {
        r.row.remove();
        r.detail.remove();
        rows.delete(id);
      }
    }
    renderDefault(state.routes && state.routes.default);
    renderTotals(list, state.report);
    applyFilter();
  }

  // ---------- filter ----------
  /** Every word of the filter appears in the route's id, method and path, service, owner or mode. */
  function matches(route, words) {
    const text = [route.id, `${route.method} ${route.path}`, route.service, route.owner || '', route.mode].join(' ').toLowerCase();
    return words.every((w) => text.includes(w));
  }

  function applyFilter() {
    const words = ui.filter.value.toLowerCase().split(/\s+/).filter(Boolean);
    let shown = 0;
    for (const r of rows.values()) {
      const show = !r.route || matches(r.route, words);
      r.row.hidden = !show;
      r.detail.hidden = !show || !r.open;
      if (show) shown++;
    }
    setText(ui.filterCount, words.length ? `${shown} of ${rows.size} routes` : '');
  }
  ui.filter.addEventListener('input', applyFilter);

  function createRow(id) {
    const c = {};
    const row = el('tr', { 'data-route': id });
    c.route = el('td', { class: 'route' });
    c.service = el('td');
    c.mode = el('td');
    c.requests = el('td', { class: 'num requests' });
    c.shadowed = el('td', { class: 'num' });
    c.errors = el('td', { class: 'num' });
    c.p50 = el('td', { class: 'num' });
    c.p99 = el('td', { class: 'num' });
    c.match = el('td', { class: 'num match' });
    c.verdict = el('td', { class: 'verdict' });
    c.diffs = el('td');
    c.move = el('td', { class: 'move' });
    row.append(c.route, c.service, c.mode, c.requests, c.shadowed, c.errors, c.p50, c.p99, c.match, c.verdict, c.diffs, c.move);
    const detail = el('tr', { class: 'detail', hidden: true, 'data-detail': id });
    const r = { id, row, cells: c, detail, open: false, key: '' };
    c.routeId = el('code', {}, '');
    c.routePath = el('div', { class: 'muted path' }, '');
    c.route.append(c.routeId, c.routePath);
    c.shadowedCount = el('span');
    c.limitNote = el('span', { class: 'limit-note' });
    c.shadowed.append(c.shadowedCount, c.limitNote);
    c.modeBadge = el('span', { class: 'mode' });
    c.guardNote = el('span', { class: 'guard-note' });
    c.guardOn = el('span', { class: 'guard-on' });
    c.mode.append(c.modeBadge, c.guardNote, c.guardOn);
    c.verdictBadge = el('span', { class: 'badge' });
    c.verdict.append(c.verdictBadge);
    c.diffLink = el('a', { href: `#diffs-${encodeURIComponent(id)}`, class: 'diff-link', onclick: (e) => (e.preventDefault(), toggleDetail(r)) });
    c.diffs.append(c.diffLink);
    c.back = el('button', { type: 'button', class: 'back', onclick: () => move(r, -1) });
    c.next = el('button', { type: 'button', class: 'next', onclick: () => move(r, +1) });
    c.move.append(c.back, c.next);
    return r;
  }

  function updateRow(r, route, rep, hasStore) {
    const c = r.cells;
    r.route = route;
    r.report = rep;
    const s = route.stats || {};
    const lat = s.latency || { monolith: {}, candidate: {} };
    setText(c.routeId, route.id);
    setText(c.routePath, `${route.method} ${route.path}`);
    setText(c.service, route.service, route.owner ? `owner: ${route.owner}` : '');
    const change = route.lastChange;
    const why = change && change.reason ? `: ${change.reason}` : '';
    setText(c.modeBadge, modeLabel(route), change ? `${change.from} → ${change.to} by ${change.who} (${change.source}), ${new Date(change.at).toLocaleString()}${why}` : '');
    // a canary the guard moved back says so next to its mode, until someone moves it again; hovering says why
    const guarded = change && change.source === 'guard' && change.to === route.mode;
    setText(c.guardNote, guarded ? 'moved back by the guard' : '', guarded ? change.reason || '' : '');
    c.modeBadge.className = `mode mode-${MODES.includes(route.mode) ? route.mode : 'unknown'}`;
    // a canary under the guard says so, and hovering tells the limits it is held to
    const watched = route.guard && route.mode === 'canary';
    setText(c.guardOn, watched ? 'guarded' : '', watched ? guardLimits(route.guard) : '');
    // after a start over, the row's counts (not only the diffs) are from then: hovering says since when
    setText(c.requests, s.requests ?? 0, route.countedSince ? `Counted since it was started over, ${new Date(route.countedSince).toLocaleString()}` : '');
    const slowDrops = s.droppedSlow ? `; ${s.droppedSlow} of the dropped were turned away while the candidate was much slower than the monolith` : '';
    setText(c.shadowedCount, pair(s.shadowed ?? 0, s.dropped ?? 0), `${s.skippedUnsafe ?? 0} unsafe requests not copied${slowDrops}`);
    // a slow candidate's service gets fewer copies in flight (shadow.adaptive): the reason dropped climbs
    const limit = route.copyLimit;
    setText(
      c.limitNote,
      limit ? `copies limited to ${limit.limit} of ${limit.cap}: candidate slow` : '',
      limit ? `The candidate of ${route.service} is much slower than the monolith, so its copies in flight are held to ${limit.limit} (the cap is ${limit.cap}); ${s.droppedSlow ?? 0} of the ${s.dropped ?? 0} dropped copies were turned away by such a limit. It rises back as the candidate keeps up.` : '',
    );
    setText(c.errors, pair(s.candidateErrors ?? 0, s.fallbacks ?? 0), `${s.candidate5xx ?? 0} of ${s.candidateAnswers ?? 0} answers from the candidate side were 5xx (what the canary guard watches)`);
    setText(c.p50, pair(ms(lat.monolith.p50), ms(lat.candidate.p50)));
    setText(c.p99, pair(ms(lat.monolith.p99), ms(lat.candidate.p99)));
    if (rep) {
      setText(c.match, percent(rep.matchRate), `${rep.compared} compared, ${rep.matching} matching after noise`);
      setText(c.verdictBadge, rep.verdict, (rep.reasons || []).join('; '));
      c.verdictBadge.className = `badge v-${rep.verdict.replace(/\s+/g, '-').toLowerCase()}`;
      const real = (rep.groups || []).filter((g) => g.real).length;
      const n = (rep.groups || []).length;
      setText(c.diffLink, n === 0 ? 'no differences' : `${real} real of ${n} group${n === 1 ? '' : 's'}`);
    } else {
      setText(c.match, DASH, hasStore ? 'nothing compared yet' : 'no diff store attached to this proxy');
      setText(c.verdictBadge, DASH, hasStore ? 'nothing compared yet' : 'no diff store attached to this proxy');
      c.verdictBadge.className = 'badge';
      setText(c.diffLink, hasStore ? 'none yet' : DASH);
    }
    const i = MODES.indexOf(route.mode);
    setButton(c.back, i > 0 ? MODES[i - 1] : null, '← ');
    setButton(c.next, i >= 0 && i < MODES.length - 1 ? MODES[i + 1] : null, '→ ');
    if (r.open) renderDetail(r);
  }

  function setButton(button, target, arrow) {
    button.hidden = target === null;
    button.dataset.target = target || '';
    setText(button, target ? `${arrow}${target}` : '');
  }

  function renderDefault(stats) {
    ui.defaultRow.replaceChildren();
    if (!stats) return;
    const lat = stats.latency || { monolith: {}, candidate: {} };
    ui.defaultRow.append(
      el('td', { class: 'route' }, el('code', {}, stats.routeId || '(default)'), el('div', { class: 'muted path' }, 'no route matched → monolith')),
      el('td', {}, DASH),
      el('td', {}, el('span', { class: 'mode mode-legacy' }, 'legacy')),
      el('td', { class: 'num' }, String(stats.requests ?? 0)),
      el('td', { class: 'num' }, DASH),
      el('td', { class: 'num' }, DASH),
      el('td', { class: 'num' }, pair(ms(lat.monolith.p50), DASH)),
      el('td', { class: 'num' }, pair(ms(lat.monolith.p99), DASH)),
      el('td', { colspan: 4 }),
    );
  }

  function renderTotals(list, report) {
    const byMode = {};
    let requests = 0;
    for (const r of list) {
      byMode[r.mode] = (byMode[r.mode] || 0) + 1;
      requests += (r.stats && r.stats.requests) || 0;
    }
    const parts = [`${list.length} routes`, ...MODES.filter((m) => byMode[m]).map((m) => `${byMode[m]} ${m}`), `${requests} requests`];
    if (report && report.totals) {
      const t = report.totals;
      parts.push(`${t.compared} compared`, `${t.ready} ready`, `${t.notReady} not ready`, `${t.notEnoughData} need data`);
    } else parts.push('no diff store');
    setText(ui.totals, parts.join(' · '));
  }

  // ---------- diff groups ----------
  function toggleDetail(r) {
    r.open = !r.open;
    r.detail.hidden = !r.open;
    r.key = '';
    if (r.open) renderDetail(r);
  }

  function renderDetail(r) {
    const rep = r.report;
    const groups = (rep && rep.groups) || [];
    // redraw only when the groups changed, so an opened sample stays open while the page refreshes
    const key = JSON.stringify([rep && rep.startedOverAt, groups.map((g) => [g.fingerprint, g.count, g.real])]);
    if (key === r.key) return;
    r.key = key;
    const cell = el('td', { colspan: 12 });
    if (!rep || (rep.compared === 0 && groups.length === 0 && !(rep.errors && rep.errors.total))) {
      cell.append(el('p', { class: 'muted' }, latest.report ? 'Nothing compared on this route yet.' : 'This proxy runs without a diff store.'));
    }
    else if (groups.length === 0) cell.append(el('p', { class: 'muted' }, `No differences in ${rep.compared} compared requests.`));
    else {
      const list = el('ul', { class: 'groups' });
      for (const g of groups) {
        const sample = el('div', { class: 'sample', hidden: true });
        const link = `/api/diffs?route=${encodeURIComponent(r.id)}&fingerprint=${encodeURIComponent(g.fingerprint)}&limit=3`;
        list.append(
          el(
            'li',
            { class: g.real ? 'real' : 'noise', 'data-fingerprint': g.fingerprint },
            el('span', { class: 'count' }, `${g.count}×`),
            el('span', { class: 'kind' }, g.real ? 'real' : 'noise only'),
            el('span', { class: 'fields' }, (g.fields || []).map((f) => `${f.path} (${f.kind}${f.real ? '' : ', noise'})`).join(', ')),
            el('button', { type: 'button', class: 'link', onclick: () => showSamples(link, sample) }, 'samples'),
            sample,
          ),
        );
      }
      cell.append(list);
    }
    if (rep && rep.startedOverAt) {
      cell.append(el('p', { class: 'muted started-over' }, `Counted since it was started over, ${new Date(rep.startedOverAt).toLocaleString()}.`));
    }
    if (rep && rep.compared + ((rep.errors && rep.errors.total) || 0) > 0) {
      cell.append(
        el(
          'p',
          { class: 'start-over' },
          el('button', { type: 'button', class: 'reset', onclick: () => startOver(r) }, 'start over'),
          el('span', { class: 'muted' }, ' after a fix to the candidate: clears these comparisons so the verdict judges the new version'),
        ),
      );
    }
    r.detail.replaceChildren(cell);
  }

  async function startOver(r) {
    const rep = r.report;
    const question =
      `Start the comparisons of route ${r.id} over?\n\n${rep ? `Its ${rep.compared} compared requests, ` : 'Its compared requests, '}` +
      'candidate errors, mismatch groups and samples are cleared; what it learned of the monolith\'s own noise is kept.';
    if (!window.confirm(question)) return;
    try {
      const { status, body } = await api(`/api/routes/${encodeURIComponent(r.id)}/reset-diffs`, { method: 'POST', body: '{}' });
      if (status !== 200) throw new Error((body && body.error) || `answered ${status}`);
      flash(`${r.id}: started over (${body.cleared.compared} compared, ${body.cleared.groups} groups cleared)`, 'ok');
    } catch (err) {
      if (err instanceof Unauthorized) return signOut(err.message);
      flash(`${r.id} not started over: ${err.message}`, 'bad');
    }
    r.key = '';
    await poll(true);
  }

  async function showSamples(path, box) {
    if (!box.hidden) {
      box.hidden = true;
      return;
    }
    box.hidden = false;
    box.replaceChildren(el('span', { class: 'muted' }, 'loading…'));
    try {
      const { status, body } = await api(path);
      if (status !== 200) throw new Error((body && body.error) || `answered ${status}`);
      const lines = [];
      for (const s of body.samples || []) {
        lines.push(`${s.method} ${s.path}${s.query ? `?${s.query}` : ''}  monolith ${s.monolith.status} / candidate ${s.candidate.status}  (request ${s.requestId || '?'})`);
        for (const e of s.entries || []) lines.push(`  ${e.path}  ${e.kind}: ${show(e.monolith)} → ${show(e.candidate)}`);
      }
      box.replaceChildren(el('pre', {}, lines.join('\n') || 'no samples kept for this group'));
    } catch (err) {
      if (err instanceof Unauthorized) return signOut(err.message);
      box.replaceChildren(el('span', { class: 'error' }, `cannot load samples: ${err.message}`));
    }
  }
  function show(v) {
    if (v === undefined) return '(absent)';
    const t = JSON.stringify(v);
    return t.length > 120 ? `${t.slice(0, 119)}…` : t;
  }

  // ---------- mode changes ----------
  async function move(r, step) {
    const route = r.route;
    const i = MODES.indexOf(route.mode);
    const to = MODES[i + step];
    if (!to) return;
    const body = { mode: to };
    if (to === 'canary') body.percent = route.canary ? route.canary.percent : DEFAULT_CANARY_PERCENT;
    const target = to === 'canary' ? `canary (${body.percent}% of requests to ${route.service})` : to;
    // moving forward puts more clients on the candidate: say what the diff store thinks of it
    const warnings = [];
    if (step > 0 && to !== 'shadow') {
      if (!r.report) warnings.push('Nothing has been compared on this route yet.');
      else if (r.report.verdict !== 'READY') warnings.push(`The diff report says ${r.report.verdict}${r.report.reasons && r.report.reasons.length ? `: ${r.report.reasons.join('; ')}` : ''}.`);
    }
    if (to === 'migrated' && !route.fallback) warnings.push('This route has no fallback: candidate failures will reach clients.');
    const question = `Move route ${route.id} (${route.method} ${route.path}) from ${modeLabel(route)} to ${target}?`;
    if (!window.confirm([question, ...warnings].join('\n\n'))) return;
    try {
      const { status, body: answer } = await api(`/api/routes/${encodeURIComponent(route.id)}`, { method: 'PATCH', body: JSON.stringify(body) });
      if (status !== 200) throw new Error((answer && answer.error) || `answered ${status}`);
      flash(`${route.id}: ${modeLabel(route)} → ${modeLabel(answer)}`, 'ok');
    } catch (err) {
      if (err instanceof Unauthorized) return signOut(err.message);
      flash(`${route.id} not moved: ${err.message}`, 'bad');
    }
    await poll(true);
  }

  function flash(text, kind) {
    ui.flash.hidden = false;
    ui.flash.className = `flash ${kind}`;
    setText(ui.flash, text);
  }

  // ---------- token ----------
  function signOut(reason) {
    clearTimeout(timer);
    noAuth = false;
    sessionStorage.removeItem(TOKEN_KEY);
    ui.board.hidden = true;
    ui.signOut.hidden = true;
    ui.login.hidden = false;
    ui.loginError.hidden = !reason;
    setText(ui.loginError, reason || '');
    setText(ui.status, 'not connected');
    ui.status.className = 'status';
    ui.token.focus();
  }

  function connect() {
    ui.login.hidden = true;
    ui.board.hidden = false;
    ui.signOut.hidden = false;
    setText(ui.status, 'connecting…');
    void poll(true);
  }

  ui.login.addEventListener('submit', (e) => {
    e.preventDefault();
    const token = ui.token.value.trim();
    if (!token) return;
    sessionStorage.setItem(TOKEN_KEY, token);
    ui.token.value = '';
    connect();
  });
  ui.signOut.addEventListener('click', () => signOut(''));

  async function start() {
    if (sessionStorage.getItem(TOKEN_KEY)) return connect();
    try {
      const res = await fetch('/api/routes', { cache: 'no-store' });
      if (res.status === 200) {
        noAuth = true;
        connect();
        ui.signOut.hidden = true; // no token to forget
        return;
      }
    } catch {
      // unreachable admin API: the form stays, and the first poll after a token says why
    }
    signOut('');
  }
  void start();
})();
