// An upstream URL that is the proxy's own address (legacy.url or a service's url on the port the proxy listens on):
// every request to it would come back to the proxy, which would forward it again, hop after hop, each adding its
// X-Forwarded-For, until the headers grew too large (431) — hundreds of hops and log lines for one client request.
// Refused at start-up and on a reload, from the addresses alone: no DNS, and nothing added to the request path.
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import os from 'node:os';
import { UserError } from '../common/user-error.ts';
import type { ProxyConfig } from './config.ts';

/** The config's upstreams that are the proxy itself, listening at `listening`: `legacy.url`, `services.<name>.url`. */
export function selfUpstreams(config: ProxyConfig, listening: AddressInfo): { setting: string; url: string }[] {
  const upstreams = [{ setting: 'legacy.url', url: config.legacy.url }, ...Object.entries(config.services).map(([name, s]) => ({ setting: `services.${name}.url`, url: s.url }))];
  return upstreams.filter((u) => pointsAt(u.url, listening));
}

/** A UserError naming each upstream that is the proxy itself (see selfUpstreams); nothing when there is none. */
export function refuseSelfUpstreams(config: ProxyConfig, listening: AddressInfo): void {
  const loops = selfUpstreams(config, listening);
  if (loops.length === 0) return;
  const where = `${listening.family === 'IPv6' ? `[${listening.address}]` : listening.address}:${listening.port}`;
  const list = loops.map((l) => `${l.setting} ${l.url}`).join(', ');
  throw new UserError(
    `${list} ${loops.length === 1 ? 'is' : 'are'} this proxy's own address (it listens on ${where}): every request sent there would come back to the proxy, hop after hop; point ${loops.length === 1 ? 'it' : 'them'} at the monolith or the service, or move the proxy with listen.port`,
  );
}

function pointsAt(raw: string, listening: AddressInfo): boolean {
  const url = new URL(raw);
  // https to a port that speaks plain HTTP fails its handshake: an error, not a loop
  if (url.protocol !== 'http:' || Number(url.port || 80) !== listening.port) return false;
  return addressesOf(url.hostname).some((a) => accepts(listening.address, a));
}

/** The addresses a URL's host names without asking DNS: an IP, localhost, this machine's own name; else none. */
function addressesOf(hostname: string): string[] {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return ['127.0.0.1', '::1'];
  // connecting to the unspecified address reaches this machine, as to loopback
  if (host === '0.0.0.0') return ['127.0.0.1'];
  if (host === '::') return ['::1'];
  if (net.isIP(host)) return [host];
  if (host === os.hostname().toLowerCase()) return interfaceAddresses();
  return [];
}

/** Whether a server listening on `listen` accepts a connection made to `target`. */
function accepts(listen: string, target: string): boolean {
  if (listen === target) return true;
  const local = target.startsWith('127.') || target === '::1' || interfaceAddresses().includes(target);
  if (listen === '::') return local; // dual stack: IPv4 connections too
  if (listen === '0.0.0.0') return local && net.isIPv4(target);
  return false;
}

function interfaceAddresses(): string[] {
  return Object.values(os.networkInterfaces()).flatMap((list) => (list ?? []).map((i) => i.address));
}
