// `tsx bench/shadow-client.ts`: which HTTP client should carry shadow copies? CPU time per captured copy
// (request out, whole body in) for undici Pool.dispatch (what proxy/shadow.ts uses) against node:http with
// a keep-alive agent, same origin (a child process), same concurrency. Prints a Markdown table.
import { spawn } from 'node:child_process';
import http from 'node:http';
import { Pool } from 'undici';

const ORIGIN_SRC = `
const http = require('node:http');
const body = JSON.stringify({ id: 42, title: 'x'.repeat(1800), servedAt: Date.now() });
const s = http.createServer((req, res) => { res.setHeader('content-type', 'application/json'); res.end(body); });
s.keepAliveTimeout = 60000;
s.listen(0, '127.0.0.1', () => process.send(s.address().port));`;

const COPIES = Number(process.env.COPIES ?? 20_000);
const CONCURRENCY = 32;
const ROUNDS = Number(process.env.ROUNDS ?? 5);

type Client = (done: () => void) => void;

function undiciClient(origin: string): Client {
  const pool = new Pool(origin, { pipelining: 1 });
  return (done) => {
    const chunks: Buffer[] = [];
    pool.dispatch(
      { path: '/books/42', method: 'GET', headers: { 'x-strangler-shadow': '1' } },
      {
        onRequestStart() {},
        onResponseStart() {},
        onResponseData: (_c, chunk) => void chunks.push(chunk),
        onResponseEnd: () => done(),
        onResponseError: () => done(),
      },
    );
  };
}

function httpClient(origin: string): Client {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY, scheduling: 'lifo' });
  const url = new URL(origin);
  return (done) => {
    const req = http.request({ host: url.hostname, port: url.port, path: '/books/42', agent, headers: { 'x-strangler-shadow': '1' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', done);
    });
    req.on('error', done);
    req.end();
  };
}

/** CPU µs per copy of `COPIES` copies, CONCURRENCY in flight. */
function run(client: Client): Promise<number> {
  return new Promise((resolve) => {
    let started = 0;
    let finished = 0;
    const cpu = process.cpuUsage();
    const next = (): void => {
      if (++finished === COPIES) {
        const used = process.cpuUsage(cpu);
        resolve((used.user + used.system) / COPIES);
      } else if (started < COPIES) {
        started++;
        client(next);
      }
    };
    for (; started < CONCURRENCY; started++) client(next);
  });
}

const origin = spawn(process.execPath, ['-e', ORIGIN_SRC], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
const port = await new Promise<number>((resolve) => origin.once('message', (p) => resolve(p as number)));
const base = `http://127.0.0.1:${port}`;
const clients: Record<string, Client> = { 'undici Pool.dispatch': undiciClient(base), 'node:http + keep-alive Agent': httpClient(base) };
const samples: Record<string, number[]> = {};
for (const c of Object.values(clients)) await run(c); // warm-up
for (let r = 0; r < ROUNDS; r++) for (const [name, c] of Object.entries(clients)) (samples[name] ??= []).push(await run(c));
origin.kill();

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
process.stdout.write(`| client | CPU µs per copy (median of ${ROUNDS}, ${COPIES} copies, ${CONCURRENCY} in flight) |\n|---|---|\n`);
for (const [name, xs] of Object.entries(samples)) process.stdout.write(`| ${name} | ${median(xs).toFixed(1)} |\n`);
process.exit(0);
