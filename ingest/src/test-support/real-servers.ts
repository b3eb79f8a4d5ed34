import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A free loopback TCP port (bind 0, read it, release it). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface RealServer {
  url: string;
  port: number;
  dir: string;
  /** SIGTERM and wait; the data dir stays for start() */
  stop(): Promise<void>;
  /** starts again on the same port and data (no-op while running) */
  start(): Promise<void>;
  /** stop and delete the data dir */
  close(): Promise<void>;
}

function requireBinary(path: string, pkg: string): void {
  // A missing server is a failure, never a skip (CI installs it: apt-get install -y ${pkg}).
  if (!existsSync(path)) throw new Error(`${path} is missing: apt-get install -y ${pkg}`);
}

async function waitHttp(url: string, child: ChildProcess, output: () => string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}: ${output().slice(-2000)}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      await res.body?.cancel();
      if (res.status < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`server at ${url} did not come up in ${timeoutMs} ms: ${output().slice(-2000)}`);
}

async function managed(
  prefix: string,
  makeArgs: (dir: string, port: number) => Promise<{ cmd: string; args: string[] }>,
  readyPath: string,
): Promise<RealServer> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const port = await freePort();
  const { cmd, args } = await makeArgs(dir, port);
  let child: ChildProcess | null = null;
  let out = '';
  const url = `http://127.0.0.1:${port}`;
  const start = async (): Promise<void> => {
    if (child && child.exitCode === null) return; // already running
    out = '';
    const c = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = c;
    c.stdout?.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
    c.stderr?.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
    await waitHttp(url + readyPath, c, () => out);
  };
  const stop = async (): Promise<void> => {
    const c = child;
    child = null;
    if (!c || c.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      const kill = setTimeout(() => c.kill('SIGKILL'), 10_000);
      c.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      c.kill('SIGTERM');
    });
  };
  await start();
  return {
    url,
    port,
    dir,
    start,
    stop,
    close: async () => {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Debian's influxdb 1.6 (v1 /write, InfluxQL /query) on a free port with its data in a temp dir. */
export async function startInfluxDb1(options: { dataSettings?: string[] } = {}): Promise<RealServer> {
  requireBinary('/usr/bin/influxd', 'influxdb');
  return managed('cityops-influx1-', async (dir, port) => {
    const rpcPort = await freePort();
    const conf = join(dir, 'influxdb.conf');
    await writeFile(
      conf,
      [
        'reporting-disabled = true',
        `bind-address = "127.0.0.1:${rpcPort}"`,
        '[meta]',
        `  dir = "${join(dir, 'meta')}"`,
        '[data]',
        `  dir = "${join(dir, 'data')}"`,
        `  wal-dir = "${join(dir, 'wal')}"`,
        '  query-log-enabled = false',
        ...(options.dataSettings ?? []).map((l) => `  ${l}`),
        '[monitor]',
        '  store-enabled = false',
        '[continuous_queries]',
        '  enabled = false',
        '[http]',
        `  bind-address = "127.0.0.1:${port}"`,
        '  log-enabled = false',
        '',
      ].join('\n'),
    );
    return { cmd: '/usr/bin/influxd', args: ['-config', conf] };
  }, '/ping');
}

/** Debian's victoria-metrics (accepts /api/v2/write line protocol; read back with /api/v1/export). */
export async function startVictoriaMetrics(): Promise<RealServer> {
  requireBinary('/usr/bin/victoria-metrics', 'victoria-metrics');
  return managed('cityops-vm-', async (dir, port) => ({
    cmd: '/usr/bin/victoria-metrics',
    args: [`-httpListenAddr=127.0.0.1:${port}`, `-storageDataPath=${join(dir, 'data')}`, '-loggerLevel=ERROR', '-search.disableCache'],
  }), '/health');
}

/** VictoriaMetrics /api/v1/export as parsed JSON lines. */
export async function exportVictoriaMetrics(url: string, match: string): Promise<Array<{ metric: Record<string, string>; values: number[]; timestamps: number[] }>> {
  await fetch(`${url}/internal/force_flush`).then((r) => r.body?.cancel());
  const res = await fetch(`${url}/api/v1/export?${new URLSearchParams({ 'match[]': match, start: '0' })}`);
  const text = await res.text();
  if (res.status !== 200) throw new Error(`export HTTP ${res.status}: ${text}`);
  return text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l));
}
