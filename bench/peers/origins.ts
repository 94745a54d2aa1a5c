// The upstreams every bench target forwards to, in one child process: the origin (the monolith's
// stand-in), a candidate answering the same JSON, a candidate answering 300 ms late, and a second service (the same
// JSON, at once) for a route migrated away from the monolith.
// GET /books/:id → ~2 KB JSON (with a servedAt timestamp, the usual monolith noise);
// GET /big/:id → ~1 MB JSON (the memory run). Bodies are prebuilt so the origins stay cheap.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { childArg, serveBenchChild } from '../lib/ipc.ts';

function bookJson(): [string, string] {
  const book = {
    id: 0,
    isbn: '978-0-13-468599-1',
    title: 'Working Effectively with Legacy Code',
    subtitle: 'Refactoring a monolith one seam at a time',
    authors: [
      { id: 17, name: 'Michael Feathers', slug: 'michael-feathers' },
      { id: 23, name: 'Rebecca Wirfs-Brock', slug: 'rebecca-wirfs-brock' },
    ],
    categories: [
      { id: 3, name: 'Software Engineering', path: ['Computers', 'Software Engineering'] },
      { id: 9, name: 'Refactoring', path: ['Computers', 'Programming', 'Refactoring'] },
    ],
    price: { amount: 4999, currency: 'USD', listAmount: 5999, discountPercent: 16.67 },
    stock: [
      { center: 'SEA-1', quantity: 14, reserved: 2, updatedAt: '2026-11-30T08:15:00.000Z' },
      { center: 'PHX-3', quantity: 3, reserved: 0, updatedAt: '2026-11-30T08:15:00.000Z' },
      { center: 'DFW-2', quantity: 0, reserved: 0, updatedAt: '2026-11-29T22:01:00.000Z' },
    ],
    rating: { average: 4.6, count: 1287, histogram: [12, 20, 61, 310, 884] },
    description:
      'A practical guide to changing code that has no tests: finding seams, breaking dependencies, and getting ' +
      'a system under test so that it can be changed safely. Examples in Java, C++, C and C#, with techniques ' +
      'that apply to any language and any codebase that grew faster than its design. '.repeat(4),
    formats: ['paperback', 'ebook', 'audiobook'],
    publisher: { id: 5, name: 'Prentice Hall', country: 'US' },
    published: '2004-09-22',
    pages: 456,
    dimensions: { heightCm: 23.4, widthCm: 17.8, depthCm: 2.8, weightGrams: 780 },
    related: [101, 245, 387, 512, 640, 777, 803, 911],
    servedAt: '@@',
    requestId: '@@',
  };
  const text = JSON.stringify(book);
  const [head, rest] = text.split('"servedAt":"@@"');
  return [head.replace('"id":0', '"id":@ID@'), rest];
}

function bigJson(): Buffer {
  const items: unknown[] = [];
  let size = 0;
  for (let i = 0; size < 1_000_000 - 200; i++) {
    const item = { sku: `SKU-${String(i).padStart(7, '0')}`, title: `Book number ${i}`, price: (i % 97) + 0.99, stock: i % 13 };
    items.push(item);
    size += JSON.stringify(item).length + 1;
  }
  return Buffer.from(JSON.stringify({ report: 'inventory', items }));
}

const [bookHead, bookTail] = bookJson();
const big = bigJson();
let counter = 0;
const stats = { requests: [0, 0, 0, 0], connections: [0, 0, 0, 0] };

function start(index: number, delayMs: number): Promise<Server> {
  const server = createServer((req, res) => {
    stats.requests[index]++;
    const url = req.url ?? '/';
    const answer = (): void => {
      if (url.startsWith('/big/')) {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': big.length });
        res.end(big);
        return;
      }
      const id = /^\/books\/(\d+)/.exec(url)?.[1] ?? '0';
      const body = `${bookHead.replace('@ID@', id)}"servedAt":"${new Date().toISOString()}"${bookTail.replace('@@', `req-${++counter}`)}`;
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    };
    // drain any request body first so keep-alive connections stay usable
    req.resume();
    req.on('end', () => (delayMs > 0 ? setTimeout(answer, delayMs) : answer()));
  });
  server.on('connection', () => stats.connections[index]++);
  server.keepAliveTimeout = 60_000;
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const slowMs = Number(childArg('slow-ms', '300'));
// the fourth: a second service a route is migrated to (a proxy that talks to more upstreams than the monolith)
const servers = await Promise.all([start(0, 0), start(1, 0), start(2, slowMs), start(3, 0)]);
const url = (s: Server): string => `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
serveBenchChild(
  { url: url(servers[0]), urls: { origin: url(servers[0]), candidate: url(servers[1]), slowCandidate: url(servers[2]), second: url(servers[3]) } },
  async () => {
    for (const s of servers) s.closeAllConnections();
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  },
  () => {
    const names = ['origin', 'candidate', 'slowCandidate', 'second'];
    const out: Record<string, number> = {};
    names.forEach((n, i) => {
      out[`${n}.requests`] = stats.requests[i];
      out[`${n}.connections`] = stats.connections[i];
    });
    return out;
  },
);
