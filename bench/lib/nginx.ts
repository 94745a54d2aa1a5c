// nginx as a reverse proxy (and with `mirror` for shadow copies), configured the way an operator
// would for a fair comparison: one worker, upstream keep-alive, HTTP/1.1 upstream, no access log.
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, mkdir, writeFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { procTarget, pin, type RunningTarget } from './target.ts';
import { processTree } from './proc.ts';

export function nginxBinary(): string | undefined {
  for (const candidate of ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/bin/nginx']) {
    try {
      execFileSync(candidate, ['-v'], { stdio: 'ignore' });
      return candidate;
    } catch {
      // try the next place
    }
  }
  return undefined;
}

/** "1.22.1" (nginx -v prints to stderr). */
export function nginxVersion(bin: string): string {
  const out = spawnSync(bin, ['-v'], { encoding: 'utf8' });
  return /nginx\/(\S+)/.exec(`${out.stderr}${out.stdout}`)?.[1] ?? 'unknown';
}

async function freePort(): Promise<number> {
  const srv = createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const port = (srv.address() as { port: number }).port;
  srv.close();
  await once(srv, 'close');
  return port;
}

export interface NginxOptions {
  origin: string;
  /** when set, every request is mirrored to this upstream (responses discarded) */
  mirrorTo?: string;
  cpus?: string;
}

function hostPort(url: string): string {
  return new URL(url).host;
}

function config(dir: string, port: number, options: NginxOptions): string {
  const mirror = options.mirrorTo
    ? `
      mirror /__strangler_mirror;
      mirror_request_body on;`
    : '';
  const mirrorLocation = options.mirrorTo
    ? `
    location = /__strangler_mirror {
      internal;
      proxy_pass http://candidate$request_uri;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }`
    : '';
  const candidateUpstream = options.mirrorTo
    ? `
  upstream candidate {
    server ${hostPort(options.mirrorTo)};
    keepalive 128;
    keepalive_requests 1000000;
  }`
    : '';
  return `
${process.getuid?.() === 0 ? 'user root;' : ''}
worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log error;
events { worker_connections 8192; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  keepalive_requests 1000000;
  keepalive_timeout 75s;
  upstream origin {
    server ${hostPort(options.origin)};
    keepalive 128;
    keepalive_requests 1000000;
  }${candidateUpstream}
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://origin;
      proxy_http_version 1.1;
      proxy_set_header Connection "";${mirror}
    }${mirrorLocation}
  }
}
`;
}

export async function startNginx(name: string, bin: string, options: NginxOptions): Promise<RunningTarget> {
  const dir = await mkdtemp(join(tmpdir(), 'strangler-bench-nginx-'));
  await mkdir(join(dir, 'body'));
  const port = await freePort();
  const confPath = join(dir, 'nginx.conf');
  await writeFile(confPath, config(dir, port, options));
  const child = spawn(bin, ['-p', dir, '-c', confPath], { stdio: ['ignore', 'ignore', 'inherit'] });
  const url = `http://127.0.0.1:${port}`;
  // ready when it accepts a request
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`nginx exited with ${child.exitCode}; see ${dir}/error.log`);
    try {
      await fetch(url + '/books/1');
      break;
    } catch {
      if (i > 100) throw new Error(`nginx did not start on ${url}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  if (options.cpus && child.pid) for (const pid of processTree(child.pid)) pin(pid, options.cpus);
  return procTarget(name, url, child, async () => {
    if (child.exitCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGQUIT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    await rm(dir, { recursive: true, force: true });
  });
}
