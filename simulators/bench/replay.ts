/**
 * Replay figures for the closing note: how many readings/s `cityops replay`
 * sustains into a real center (`--speed max`), and how close a paced replay
 * (`--speed 100`) comes to its requested rate. The center and the replayer run
 * as separate processes, both through the real `cityops` CLI.
 *   npx tsx simulators/bench/replay.ts [--hours 2] [--paced-hours 1] [--speed 100] [--qos 1]
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { telemetryTopic, type SensorFeature, type SensorProperties } from '@cityops/contracts';
import { createRecordingWriter, planSimulation, runVirtual } from '@cityops/simulators';

const run = promisify(execFile);
const { values: args } = parseArgs({
  options: {
    hours: { type: 'string', default: '2' },
    'paced-hours': { type: 'string', default: '1' },
    speed: { type: 'string', default: '100' },
    qos: { type: 'string', default: '1' },
  },
});
const ROOT = join(import.meta.dirname, '../..');
const CLI = join(ROOT, 'center/bin/cityops.js');

const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });

const waitForPort = async (port: number, timeoutMs = 30_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const c = connect(port, '127.0.0.1', () => (c.end(), resolve(true)));
      c.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`center did not open port ${port}`);
    await new Promise((r) => setTimeout(r, 200));
  }
};

/** The registry's sensors run on a virtual clock with the simulators' own generators, written as a recording. */
async function makeRecording(dir: string, startMs: number, hours: number): Promise<number> {
  const registry = JSON.parse(readFileSync(join(ROOT, 'center/data/hcmc-sensors.geojson'), 'utf8')) as { features: SensorFeature[] };
  const sensors: SensorProperties[] = registry.features.map((f) => f.properties);
  const plan = planSimulation(sensors, { startMs, seed: 6, scenario: 'demo' });
  const readings = runVirtual(plan, startMs + hours * 3_600_000);
  const writer = createRecordingWriter({ dir });
  for (const r of readings) writer.write({ receivedAt: r.tMs, topic: telemetryTopic('hcmc', r.domain, r.sensorId), payload: Buffer.from(JSON.stringify(r.payload)) });
  await writer.close();
  return readings.length;
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'cityops-bench-replay-'));
  const recDir = join(dataDir, 'rec');
  const pacedDir = join(dataDir, 'rec-paced');
  const [mqttPort, httpPort] = [await freePort(), await freePort()];
  const env = { ...process.env, CITYOPS_DATA_DIR: dataDir, CITYOPS_MQTT_PORT: String(mqttPort), CITYOPS_HTTP_PORT: String(httpPort), CITYOPS_HOST: '127.0.0.1', CITYOPS_LOG_LEVEL: 'warn' };
  let center: ChildProcess | null = null;
  try {
    // a past day, so no reading is "in the future" for the center
    const start = Date.parse('2026-11-02T06:00:00+07:00');
    const hours = Number(args.hours);
    const pacedHours = Number(args['paced-hours']);
    const total = await makeRecording(recDir, start, hours);
    const pacedTotal = await makeRecording(pacedDir, start + hours * 3_600_000, pacedHours);
    center = spawn(process.execPath, [CLI, 'start'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
    await waitForPort(mqttPort);
    const replay = async (dir: string, speed: string, ...extra: string[]): Promise<Record<string, number>> => {
      const { stdout } = await run(process.execPath, [CLI, 'replay', dir, '--speed', speed, '--qos', args.qos, ...extra], { env, maxBuffer: 1 << 24 });
      return JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as Record<string, number>;
    };
    // provisions the 149 sensor accounts once (scrypt), so the measured runs do not pay for it
    await replay(pacedDir, 'max');
    const max = await replay(recDir, 'max');
    // the same readings as gateway batches: one MQTT message and one ACL check per 200 readings
    await replay(pacedDir, 'max', '--gateway', 'sim-replay-gw');
    const gateway = await replay(recDir, 'max', '--gateway', 'sim-replay-gw');
    const paced = await replay(pacedDir, args.speed);
    const achieved = (paced.acked! * 1000) / paced.elapsedMs!;
    const requested = (pacedTotal * 1000) / paced.plannedMs!;
    const figures = {
      machine: `${process.platform} ${process.arch}, node ${process.version}`,
      max: { readings: max.readings, errors: max.errors, elapsedMs: Math.round(max.elapsedMs!), readingsPerS: Math.round((max.readings! * 1000) / max.elapsedMs!), qos: Number(args.qos), total },
      maxViaGateway: { readings: gateway.readings, batches: gateway.acked, errors: gateway.errors, elapsedMs: Math.round(gateway.elapsedMs!), readingsPerS: Math.round((gateway.readings! * 1000) / gateway.elapsedMs!) },
      paced: {
        speed: Number(args.speed),
        readings: paced.acked,
        errors: paced.errors,
        plannedMs: Math.round(paced.plannedMs!),
        elapsedMs: Math.round(paced.elapsedMs!),
        requestedPerS: Math.round(requested * 10) / 10,
        achievedPerS: Math.round(achieved * 10) / 10,
        deviationPct: Math.round(((achieved - requested) / requested) * 10_000) / 100,
      },
    };
    process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
  } finally {
    center?.kill('SIGTERM');
    await new Promise((r) => (center ? center.once('exit', r) : r(null)));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
