// Test fixture: runs the command-line MQTT clients field teams use (mosquitto_pub/sub, Eclipse Paho).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a client to completion; a missing binary rejects (a test failure, never a skip). */
export function run(command: string, args: string[], timeoutMs = 15_000): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const PAHO_SCRIPT = fileURLToPath(new URL('./paho-device.py', import.meta.url));
/** Debian's interpreter: python3-paho-mqtt is installed for it, not for any other python3 on PATH. */
const DEBIAN_PYTHON = '/usr/bin/python3';

export type PahoEvent =
  | { event: 'connack'; rc: number; sessionPresent: boolean }
  | { event: 'suback'; granted: number[] }
  | { event: 'message'; topic: string; payload: string; qos: number; retain: boolean }
  | { event: 'published'; mid: number }
  | { event: 'done'; messages: number; unacked: number }
  | { event: 'error'; detail: string };

export interface PahoSpec {
  host: string;
  port: number;
  clientId: string;
  username?: string;
  password?: string;
  clean?: boolean;
  keepalive?: number;
  will?: { topic: string; payload: string; qos?: number; retain?: boolean };
  subscribe?: { topic: string; qos?: number }[];
  publish?: { topic: string; payload: string; qos?: number; retain?: boolean }[];
  delayPublishS?: number;
  expect?: number;
  timeout?: number;
  holdS?: number;
  end?: 'disconnect' | 'drop';
}

export async function paho(spec: PahoSpec): Promise<PahoEvent[]> {
  const result = await run(DEBIAN_PYTHON, [PAHO_SCRIPT, JSON.stringify(spec)], ((spec.timeout ?? 10) + 10) * 1000);
  if (result.code !== 0) throw new Error(`paho exited ${result.code}: ${result.stderr}${result.stdout}`);
  return result.stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as PahoEvent);
}

export const messagesOf = (events: PahoEvent[]) => events.filter((e): e is Extract<PahoEvent, { event: 'message' }> => e.event === 'message');
