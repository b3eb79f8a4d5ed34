import { Command, InvalidArgumentError, Option } from 'commander';
import { DOMAINS, isSensorId, telemetryTopic, type Domain } from '@cityops/contracts';
import { createSqliteDeviceAccounts } from '@cityops/broker';
import { createSqliteOperatorAccounts } from '@cityops/dashboard';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  attachReplayControls,
  batchForGateway,
  createReplayProgress,
  expandFleet,
  loadPayload,
  loadReplaySource,
  parseFaultSpec,
  parseFleetCounts,
  runLoad,
  parseWindowTime,
  selectItems,
  startRecorder,
  startReplay,
  startSimulation,
  type FaultOptions,
  type FleetCounts,
  type SimulatedGateway,
  type SourceKind,
} from '@cityops/simulators';
import { loadConfig, CONFIG_VARIABLES, type CenterConfig } from '../config/config.ts';
import { openCenterDatabase } from '../database.ts';
import { createLogger } from '../logger.ts';
import { createSensorDirectory } from '../sensors/sensor-directory.ts';
import { provisionSimulatedSensors } from '../sim-provisioning.ts';
import { startCenter } from '../center.ts';
import { ensureFirstAdmin } from './first-admin.ts';

const program = new Command('cityops')
  .description('CityOps — IoT operations center: MQTT broker, ingest, rules, control-room map')
  .option('-c, --config <file>', 'JSON config file with CITYOPS_* keys (env wins over file)')
  .showHelpAfterError();

const config = (): CenterConfig => {
  const file = program.opts<{ config?: string }>().config;
  return loadConfig(file ? { file } : {});
};

const number = (value: string) => {
  const n = Number(value);
  if (!Number.isFinite(n)) throw new InvalidArgumentError('not a number');
  return n;
};

const print = (value: unknown) => process.stdout.write(`${JSON.stringify(value)}\n`);

program
  .command('start')
  .description('run the center: broker, ingest, rules, API and map')
  .option('--simulate', 'also run simulated HCMC sensors (traffic, flood, air) against it')
  .option('--seed <n>', 'simulator seed', number)
  .addOption(new Option('--scenario <name>', 'simulator scenario').choices(['demo', 'calm']).default('demo'))
  .addHelpText('after', `\nConfiguration (environment or config file):\n${Object.entries(CONFIG_VARIABLES)
    .map(([name, v]) => `  ${name.padEnd(26)} ${v.doc}${v.default !== undefined && typeof v.default !== 'string' ? ` (default ${String(v.default)})` : v.default !== undefined && !String(v.default).startsWith('/') ? ` (default ${String(v.default)})` : ''}`)
    .join('\n')}`)
  .action(async (opts: { simulate?: boolean; seed?: number; scenario: 'demo' | 'calm' }) => {
    const cfg = config();
    const logger = createLogger(cfg.logLevel);
    const admin = await ensureFirstAdmin(cfg, Boolean(opts.simulate));
    const center = await startCenter(cfg, {
      logger,
      ...(opts.simulate ? { simulate: { scenario: opts.scenario, ...(opts.seed !== undefined ? { seed: opts.seed } : {}) } } : {}),
    });
    const lines = [
      '',
      `  CityOps is running for city "${cfg.city}"`,
      `  Map:        ${center.urls.map}`,
      `  MQTT:       ${center.urls.mqtt}`,
      `  MQTT/WS:    ${center.urls.mqttWebSocket}`,
      admin ? `  Sign in:    ${admin.username} / ${admin.password}  (first run; saved in ${admin.file})` : '  Sign in:    an operator account (create one: npx cityops users add <name> --role operator)',
      opts.simulate ? `  Simulating: ${center.sensors.all().length} HCMC sensors (scenario ${opts.scenario}); first alerts within a minute` : '',
      '',
    ];
    process.stdout.write(`${lines.filter((l) => l !== '').join('\n')}\n\n`);
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'stopping');
      center.close().then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error({ err: error }, 'error while stopping');
          process.exit(1);
        },
      );
    };
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
  });

const devices = program.command('devices').description('field devices (sensors, gateways, integrators) and their MQTT credentials');

devices
  .command('add <id>')
  .description('register a sensor device; prints {"id","username","password"} (the secret is shown once, stored hashed)')
  .addOption(new Option('--domain <domain>', 'sensor domain').choices([...DOMAINS]))
  .addOption(new Option('--kind <kind>', 'device kind').choices(['sensor', 'gateway', 'integrator']).default('sensor'))
  .option('--lon <x>', 'longitude (WGS84)', number)
  .option('--lat <y>', 'latitude (WGS84)', number)
  .option('--name <name>', 'display name')
  .option('--district <district>', 'district name')
  .option('--road-name <name>', 'traffic: road name')
  .option('--free-flow-kmh <n>', 'traffic: free-flow speed', number)
  .option('--sensors <ids>', 'gateway: comma-separated sensor ids it may speak for')
  .action(async (id: string, opts: { domain?: Domain; kind: 'sensor' | 'gateway' | 'integrator'; lon?: number; lat?: number; name?: string; district?: string; roadName?: string; freeFlowKmh?: number; sensors?: string }) => {
    if (!isSensorId(id)) throw new InvalidArgumentError(`device id "${id}" must match ^[a-z0-9][a-z0-9_-]{1,63}$`);
    if (opts.kind === 'sensor' && !opts.domain) throw new InvalidArgumentError('--domain is required for a sensor');
    const cfg = config();
    const db = openCenterDatabase(cfg.dataDir);
    try {
      const accounts = createSqliteDeviceAccounts(db);
      if (opts.kind === 'sensor' && opts.domain) {
        const directory = createSensorDirectory({ db, registryFile: cfg.registryFile });
        if (!directory.get(id)) {
          if (opts.lon === undefined || opts.lat === undefined) throw new InvalidArgumentError(`sensor ${id} is not in the registry: give --lon and --lat`);
          directory.register({
            type: 'Feature',
            properties: {
              id,
              domain: opts.domain,
              name: opts.name ?? id,
              district: opts.district ?? 'unknown',
              ...(opts.roadName ? { roadName: opts.roadName } : {}),
              ...(opts.freeFlowKmh !== undefined ? { freeFlowKmh: opts.freeFlowKmh } : {}),
            },
            geometry: { type: 'Point', coordinates: [opts.lon, opts.lat] },
          });
        }
      }
      const credentials = await accounts.add({
        id,
        kind: opts.kind,
        ...(opts.domain ? { domain: opts.domain } : {}),
        ...(opts.sensors ? { sensorIds: opts.sensors.split(',').map((s) => s.trim()).filter(Boolean) } : {}),
      });
      print(credentials);
    } finally {
      db.close();
    }
  });

devices
  .command('list')
  .description('list devices as JSON lines')
  .action(() => {
    const db = openCenterDatabase(config().dataDir);
    try {
      for (const device of createSqliteDeviceAccounts(db).list()) print(device);
    } finally {
      db.close();
    }
  });

devices
  .command('remove <id>')
  .description('remove a device and its credentials (and its operator-registered sensor)')
  .action((id: string) => {
    const cfg = config();
    const db = openCenterDatabase(cfg.dataDir);
    try {
      const removed = createSqliteDeviceAccounts(db).remove(id);
      createSensorDirectory({ db, registryFile: cfg.registryFile }).unregister(id);
      print({ id, removed });
      if (!removed) process.exitCode = 1;
    } finally {
      db.close();
    }
  });

devices
  .command('rotate <id>')
  .description('issue a new secret for a device; prints {"id","username","password"}')
  .action(async (id: string) => {
    const db = openCenterDatabase(config().dataDir);
    try {
      print(await createSqliteDeviceAccounts(db).rotate(id));
    } finally {
      db.close();
    }
  });

const users = program.command('users').description('operator accounts for the map and the API');

users
  .command('add <name>')
  .description('create an operator account; prints {"username","role","password"}')
  .addOption(new Option('--role <role>', 'role').choices(['viewer', 'operator', 'admin']).makeOptionMandatory())
  .action(async (name: string, opts: { role: 'viewer' | 'operator' | 'admin' }) => {
    const db = openCenterDatabase(config().dataDir);
    try {
      print(await createSqliteOperatorAccounts(db).add(name, opts.role));
    } finally {
      db.close();
    }
  });

users
  .command('list')
  .description('list operator accounts as JSON lines')
  .action(() => {
    const db = openCenterDatabase(config().dataDir);
    try {
      for (const user of createSqliteOperatorAccounts(db).list()) print(user);
    } finally {
      db.close();
    }
  });

users
  .command('remove <name>')
  .description('remove an operator account')
  .action((name: string) => {
    const db = openCenterDatabase(config().dataDir);
    try {
      const removed = createSqliteOperatorAccounts(db).remove(name);
      print({ username: name, removed });
      if (!removed) process.exitCode = 1;
    } finally {
      db.close();
    }
  });

program
  .command('sim')
  .description('run simulated HCMC sensors against a running center (uses this data dir to provision their credentials)')
  .option('--url <url>', 'broker URL', 'mqtt://127.0.0.1:1883')
  .option('--seed <n>', 'seed for repeatable runs', number)
  .addOption(new Option('--scenario <name>', 'scenario').choices(['demo', 'calm']).default('demo'))
  .option('--domain <domains>', 'only these domains (comma-separated)')
  .option('--faults <spec>', 'inject field faults, e.g. dropout=0.05,spike=0.02,duplicate,outOfOrder,malformed,foreignTopic,stuck,clockSkew=0.2,clockSkewMs=120000,reconnectStorm=60000 (bare name = default rate)', (v) => parseFaultSpec(v))
  .option('--sensors <ids>', 'only these sensors (comma-separated ids)')
  .option('--count <spec>', 'sensors per domain, e.g. traffic=2000,flood=1000,air=100: beyond the registry, copies of its sites 50–300 m away are registered (default: the registry as it is)', (v) => parseFleetCounts(v))
  .option('--interval <s>', 'reporting interval for every sensor, seconds (default: the registry\'s, else 5–10 s)', number)
  .option('--gateways <n>', 'put the flood sensors behind n simulated gateways (accounts sim-gw-1…n) that publish batches', number)
  .option('--load', 'load mode for benchmarks: the sensors send small readings at a fixed total rate, then print achieved rate and publish→ack latency')
  .option('--rate <n>', 'load mode: messages per second across all sensors', number, 1000)
  .option('--duration <s>', 'load mode: seconds to run', number, 10)
  .addOption(new Option('--qos <n>', 'load mode: MQTT QoS').choices(['0', '1']).default('1'))
  .action(async (opts: { url: string; seed?: number; scenario: 'demo' | 'calm'; domain?: string; faults?: FaultOptions; sensors?: string; count?: FleetCounts; interval?: number; gateways?: number; load?: boolean; rate: number; duration: number; qos: '0' | '1' }) => {
    const cfg = config();
    const logger = createLogger(cfg.logLevel);
    const db = openCenterDatabase(cfg.dataDir);
    const directory = createSensorDirectory({ db, registryFile: cfg.registryFile });
    const only = opts.domain ? new Set(opts.domain.split(',')) : undefined;
    const ids = opts.sensors ? new Set(opts.sensors.split(',').map((s) => s.trim())) : undefined;
    let fleet = directory.all();
    if (opts.count) {
      const features = expandFleet(fleet.filter((s) => !s.registered).map((s) => s.feature), opts.count, opts.seed ?? 1);
      // The center learns of the extra sensors through its registry table, even while it runs.
      for (const feature of features) if (!directory.get(feature.properties.id)) directory.register(feature);
      fleet = features.map((f) => directory.get(f.properties.id)!);
      logger.info({ sensors: fleet.length }, 'simulated fleet registered; provisioning device accounts (scrypt, once per sensor)');
    }
    const sensors = await provisionSimulatedSensors({
      dataDir: cfg.dataDir,
      accounts: createSqliteDeviceAccounts(db),
      sensors: fleet.filter((s) => (!only || only.has(s.domain)) && (!ids || ids.has(s.feature.properties.id))),
    });
    // flood gauges are the sensors most often wired to a field gateway (LoRaWAN) in practice
    const gateways: SimulatedGateway[] = [];
    const gatewayCount = Math.max(0, Math.floor(opts.gateways ?? 0));
    const behind = sensors.filter((s) => s.feature.properties.domain === 'flood').map((s) => s.feature.properties.id);
    try {
      for (let g = 1; g <= gatewayCount && behind.length > 0; g++) {
        const sensorIds = behind.filter((_, i) => i % gatewayCount === g - 1);
        const id = `sim-gw-${g}`;
        gateways.push({ id, sensorIds, credentials: await provisionToolAccount(cfg.dataDir, createSqliteDeviceAccounts(db), { id, kind: 'gateway', sensorIds }) });
      }
    } finally {
      db.close();
    }
    if (opts.load) {
      if (opts.rate / sensors.length > cfg.mqttPublishRate) logger.warn({ perDevice: opts.rate / sensors.length, limit: cfg.mqttPublishRate }, 'rate per sensor is above CITYOPS_MQTT_PUBLISH_RATE: the center will disconnect them');
      const result = await runLoad({
        brokerUrl: opts.url,
        devices: sensors.map((s) => ({ id: s.feature.properties.id, topic: telemetryTopic(cfg.city, s.feature.properties.domain, s.feature.properties.id), credentials: s.credentials, payload: loadPayload(s.feature.properties.domain) })),
        ratePerS: opts.rate,
        durationS: opts.duration,
        qos: opts.qos === '0' ? 0 : 1,
        logger,
      });
      print(result);
      process.exit(result.errors > 0 ? 1 : 0);
    }
    const simulation = await startSimulation({
      brokerUrl: opts.url,
      city: cfg.city,
      sensors,
      logger,
      scenario: opts.scenario,
      ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
      ...(opts.faults ? { faults: opts.faults } : {}),
      ...(gateways.length > 0 ? { gateways } : {}),
      ...(opts.interval !== undefined ? { intervalMs: { traffic: opts.interval * 1000, flood: opts.interval * 1000, air: opts.interval * 1000 } } : {}),
    });
    logger.info({ sensors: sensors.length, url: opts.url, faults: opts.faults }, 'simulation running; Ctrl-C to stop');
    const stop = () => void simulation.stop().then(() => process.exit(0));
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });

/**
 * The recorder reads the city tree, which only an integrator account may do.
 * Like the simulated sensors' secrets, its secret is kept in clear in
 * `<dataDir>/sim-credentials.json` (mode 0600) — development tooling only.
 */
async function provisionToolAccount(
  dataDir: string,
  accounts: ReturnType<typeof createSqliteDeviceAccounts>,
  device: { id: string; kind: 'integrator' | 'gateway'; sensorIds?: string[] },
): Promise<{ username: string; password: string }> {
  const { id, kind } = device;
  const file = join(dataDir, 'sim-credentials.json');
  const stored = (existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {}) as Record<string, { username: string; password: string }>;
  let credentials = stored[id];
  let principal = accounts.get(id);
  if (principal && principal.kind !== kind) throw new InvalidArgumentError(`device "${id}" exists and is a ${principal.kind}, not a ${kind}`);
  // a replay gateway must be allowed to speak for every sensor it replays; accounts have no update, so re-create
  if (principal && device.sensorIds && !device.sensorIds.every((s) => principal?.sensorIds?.includes(s))) {
    accounts.remove(id);
    principal = undefined;
  }
  if (!principal) credentials = await accounts.add({ id, kind, ...(device.sensorIds ? { sensorIds: device.sensorIds } : {}) });
  else if (!credentials || !(await accounts.verify(credentials.username, credentials.password))) credentials = await accounts.rotate(id);
  else return credentials;
  stored[id] = { username: credentials.username, password: credentials.password };
  writeFileSync(file, `${JSON.stringify(stored, null, 1)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return stored[id];
}

const speedArg = (value: string): number | 'max' => {
  if (value === 'max') return 'max';
  const n = Number(value.replace(/^x/i, ''));
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('a factor > 0 (1 … 1000) or "max"');
  return n;
};

const timeArg = (value: string): number => {
  const ms = parseWindowTime(value);
  if (ms === null) throw new InvalidArgumentError('ISO-8601 (HCMC local time unless an offset is given) or epoch ms');
  return ms;
};

program
  .command('record')
  .description('record live telemetry from the broker into gzip NDJSON files (topic, payload, receive time), rotated by size/age; Ctrl-C to stop')
  .option('--url <url>', 'broker URL (default mqtt://127.0.0.1:<CITYOPS_MQTT_PORT>)')
  .option('--out <dir>', 'folder for the recording files (default <dataDir>/recordings)')
  .option('--prefix <name>', 'file name prefix', 'cityops')
  .option('--rotate-mb <n>', 'start a new file after this many MiB of NDJSON (before gzip; files on disk are smaller)', number, 256)
  .option('--rotate-minutes <n>', 'start a new file after this many minutes', number, 60)
  .option('--duration <s>', 'stop by itself after this many seconds', number)
  .option('--include-status', 'also record sensor status messages')
  .option('--account <id>', 'integrator device account to record with (created if missing)', 'sim-recorder')
  .action(async (opts: { url?: string; out?: string; prefix: string; rotateMb: number; rotateMinutes: number; duration?: number; includeStatus?: boolean; account: string }) => {
    const cfg = config();
    const logger = createLogger(cfg.logLevel);
    const db = openCenterDatabase(cfg.dataDir);
    let credentials;
    try {
      credentials = await provisionToolAccount(cfg.dataDir, createSqliteDeviceAccounts(db), { id: opts.account, kind: 'integrator' });
    } finally {
      db.close();
    }
    const recorder = await startRecorder({
      brokerUrl: opts.url ?? `mqtt://127.0.0.1:${cfg.mqttPort}`,
      city: cfg.city,
      credentials,
      logger,
      dir: opts.out ?? join(cfg.dataDir, 'recordings'),
      prefix: opts.prefix,
      maxBytes: Math.max(1, opts.rotateMb * 1024 * 1024),
      maxAgeMs: Math.max(1, opts.rotateMinutes * 60_000),
      includeStatus: opts.includeStatus === true,
    });
    let stopping = false;
    const stop = () => {
      if (stopping) return;
      stopping = true;
      void recorder.stop().then((files) => {
        print({ ...recorder.stats(), files });
        process.exit(0);
      });
    };
    if (opts.duration !== undefined) setTimeout(stop, opts.duration * 1000);
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });

program
  .command('replay <file>')
  .description('replay a recording (file or folder of .ndjson[.gz]) or an air-quality dataset CSV (US Consulate, HealthyAir) into the center over MQTT')
  .option('--url <url>', 'broker URL (default mqtt://127.0.0.1:<CITYOPS_MQTT_PORT>)')
  .option('--speed <x>', 'replay speed: a factor (1 … 1000) or "max" (as fast as the center acknowledges)', speedArg, 1 as number | 'max')
  .addOption(new Option('--timestamps <mode>', 'keep the original reading times, or rebase them to now').choices(['original', 'rebase']).default('original'))
  .option('--from <time>', 'start of the event-time window (inclusive; HCMC local unless an offset is given)', timeArg)
  .option('--to <time>', 'end of the event-time window (exclusive)', timeArg)
  .option('--sensors <ids>', 'only these sensors (comma-separated)')
  .addOption(new Option('--qos <n>', 'MQTT QoS of the replayed publishes').choices(['0', '1']).default('1'))
  .addOption(new Option('--source <kind>', 'what the file is (detected from its name and header by default)').choices(['recording', 'us-consulate', 'healthyair']))
  .option('--gateway <id>', 'send readings as gateway batches from this gateway account (created for the replayed sensors); far higher throughput, payloads re-packed')
  .option('--device-rate <n>', 'publishes per second per device (gateways ×10); default CITYOPS_MQTT_PUBLISH_RATE, the rate above which the center disconnects a device', number)
  .addHelpText('after', '\nOn a terminal a progress bar shows rate and ETA; space pauses/resumes, q stops. SIGUSR2 also toggles pause.\nPrints a JSON summary when done. Credentials for the replayed sensors come from this data dir (as for `cityops sim`).')
  .action(async (file: string, opts: { url?: string; speed: number | 'max'; timestamps: 'original' | 'rebase'; from?: number; to?: number; sensors?: string; qos: '0' | '1'; source?: SourceKind; gateway?: string; deviceRate?: number }) => {
    const cfg = config();
    const showProgress = process.stderr.isTTY === true;
    // keep info logs from tearing the progress bar
    const logger = createLogger(showProgress && cfg.logLevel === 'info' ? 'warn' : cfg.logLevel);
    const source = await loadReplaySource(file, { city: cfg.city, ...(opts.source ? { kind: opts.source } : {}) });
    const selected = selectItems(source.items, {
      ...(opts.from !== undefined ? { from: opts.from } : {}),
      ...(opts.to !== undefined ? { to: opts.to } : {}),
      ...(opts.sensors ? { sensors: new Set(opts.sensors.split(',').map((s) => s.trim()).filter(Boolean)) } : {}),
    });
    const db = openCenterDatabase(cfg.dataDir);
    let items: typeof selected;
    let unplayable = 0;
    let credentials: Map<string, { username: string; password: string }>;
    try {
      const directory = createSensorDirectory({ db, registryFile: cfg.registryFile });
      const entries = [...new Set(selected.map((i) => i.deviceId))].map((id) => directory.get(id)).filter((e): e is NonNullable<typeof e> => e !== undefined);
      const provisioned = await provisionSimulatedSensors({ dataDir: cfg.dataDir, accounts: createSqliteDeviceAccounts(db), sensors: entries });
      credentials = new Map(provisioned.map((s) => [s.feature.properties.id, s.credentials]));
      // gateways and sensors outside the registry have no secret we could use
      items = selected.filter((i) => credentials.has(i.deviceId));
      unplayable = selected.length - items.length;
      if (opts.gateway) {
        const sensorIds = [...credentials.keys()];
        credentials.set(opts.gateway, await provisionToolAccount(cfg.dataDir, createSqliteDeviceAccounts(db), { id: opts.gateway, kind: 'gateway', sensorIds }));
        // paced batches cover at most ~50 ms of wall time, so nothing is sent much ahead of its moment
        const batches = batchForGateway(items, { gatewayId: opts.gateway, city: cfg.city, maxSpanMs: opts.speed === 'max' ? Infinity : opts.speed * 50 });
        if (batches.unbatchable > 0) logger.warn({ unbatchable: batches.unbatchable }, 'messages that are not JSON readings cannot ride in a gateway batch and are skipped');
        items = batches.items;
      }
    } finally {
      db.close();
    }
    if (unplayable > 0) logger.warn({ unplayable }, 'messages of devices without known credentials (gateways, unregistered sensors) are skipped');
    const replay = await startReplay({
      brokerUrl: opts.url ?? `mqtt://127.0.0.1:${cfg.mqttPort}`,
      city: cfg.city,
      items,
      speed: opts.speed,
      timestamps: opts.timestamps,
      qos: opts.qos === '0' ? 0 : 1,
      deviceRatePerS: opts.deviceRate ?? cfg.mqttPublishRate,
      credentials: (id) => credentials.get(id),
      logger,
    });
    const progress = createReplayProgress(process.stderr, items.length);
    const timer = setInterval(() => progress.update(replay.stats()), 200);
    const detach = attachReplayControls(replay);
    const stop = () => void replay.stop();
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    const stats = await replay.done;
    clearInterval(timer);
    progress.update(stats);
    progress.stop();
    detach();
    print({ source: source.kind, ...source.stats, selected: selected.length, unplayable, ...stats, rate: Math.round(stats.rate) });
    process.exit(stats.errors > 0 ? 1 : 0);
  });

program.parseAsync(process.argv).catch((error: unknown) => {
  const e = error as { code?: string; message?: string };
  process.stderr.write(`cityops: ${e.code ? `${e.code}: ` : ''}${e.message ?? String(error)}\n`);
  process.exit(1);
});
