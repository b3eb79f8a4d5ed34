import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '@cityops/contracts';
import { loadConfig, type CenterConfig } from '../config/config.ts';
import { startCenter, type Center, type StartCenterOptions } from '../center.ts';

const run = promisify(execFile);
export const CLI = join(import.meta.dirname, '../../bin/cityops.js');

export interface TestCenter {
  center: Center;
  config: CenterConfig;
  dataDir: string;
  httpUrl: string;
  mqttUrl: string;
  close(): Promise<void>;
}

/** A real center on free ports with a fresh data dir. */
export async function startTestCenter(
  overrides: Partial<Record<keyof CenterConfig, unknown>> = {},
  options: Partial<StartCenterOptions> = {},
  dataDir = mkdtempSync(join(tmpdir(), 'cityops-test-')),
): Promise<TestCenter> {
  const config = loadConfig({ env: {}, overrides: { httpPort: 0, mqttPort: 0, host: '::', dataDir, logLevel: 'silent', ...overrides } });
  const center = await startCenter(config, { logger: pino({ level: 'silent' }), tickMs: 100, ...options });
  return {
    center,
    config,
    dataDir,
    httpUrl: `http://127.0.0.1:${center.httpPort}`,
    mqttUrl: `mqtt://127.0.0.1:${center.mqttPort}`,
    async close() {
      await center.close();
    },
  };
}

export const removeDir = (dir: string) => rmSync(dir, { recursive: true, force: true });

/** Runs the real `cityops` CLI against a data dir and parses its JSON output. */
export async function cli(dataDir: string, ...args: string[]): Promise<unknown> {
  const { stdout } = await run(process.execPath, [CLI, ...args], {
    env: { ...process.env, CITYOPS_DATA_DIR: dataDir, CITYOPS_LOG_LEVEL: 'silent' },
  });
  return JSON.parse(stdout.trim().split('\n').pop() ?? 'null');
}

export async function signIn(httpUrl: string, username: string, password: string): Promise<string> {
  const res = await fetch(`${httpUrl}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (res.status !== 200) throw new Error(`sign-in failed: ${res.status} ${await res.text()}`);
  const cookie = res.headers.get('set-cookie');
  if (!cookie) throw new Error('sign-in set no cookie');
  return cookie.split(';')[0]!;
}

export type CitySocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export async function connectSocket(httpUrl: string, cookie: string): Promise<CitySocket> {
  const socket: CitySocket = io(httpUrl, { transports: ['websocket'], extraHeaders: { cookie }, reconnection: false });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return socket;
}

export async function waitFor<T>(probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** mosquitto_pub from Debian's mosquitto-clients: a second, independent MQTT implementation. */
export async function mosquittoPub(options: { port: number; username: string; password: string; topic: string; message: string; qos?: 0 | 1 }): Promise<void> {
  await run('mosquitto_pub', [
    '-h', '127.0.0.1', '-p', String(options.port), '-u', options.username, '-P', options.password,
    '-t', options.topic, '-m', options.message, '-q', String(options.qos ?? 1), '-i', `pub-${options.username}`,
  ], { timeout: 10_000 });
}
