import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import {
  READING_PAYLOAD_SCHEMAS,
  SENSOR_ID_PATTERN,
  statusTopic,
  telemetryTopic,
  type Domain,
  type SensorFeature,
} from '@cityops/contracts';
import {
  connectFailed,
  connectTimeout,
  duplicateSensor,
  invalidOptions,
  invalidPayload,
  publishFailed,
} from './errors.ts';
import { formatHcmcTimestamp } from './hcmc-time.ts';
import { getScenario, type PlannedEvent, type ScenarioName } from './scenarios.ts';
import { planSimulation, type ReadingPayload, type SensorProgram } from './sensor-program.ts';
import { createRng, deriveSeed } from './rng.ts';
import { createFaultInjector, type FaultInjector, type Outgoing } from './faults/fault-injector.ts';
import { validateFaults, type FaultOptions } from './faults/fault-options.ts';
import { startGateway, type GatewayRunner, type SimulatedGateway } from './gateway-runner.ts';

export interface SimulatedSensor {
  feature: SensorFeature;
  credentials: { username: string; password: string };
}

export interface SimulationOptions {
  brokerUrl: string;
  city: string;
  sensors: SimulatedSensor[];
  seed?: number;
  scenario?: ScenarioName;
  logger: Logger;
  intervalMs?: Partial<Record<Domain, number>>;
  /** Clients connecting at once (default 20). */
  connectConcurrency?: number;
  /** How long startSimulation waits for one client's first CONNACK before moving on (default 10 s); it keeps retrying. */
  connectTimeoutMs?: number;
  /** MQTT.js reconnect period after a drop (default 1 s). */
  reconnectPeriodMs?: number;
  /** How long stop() lets one client close gracefully before forcing it (default 5 s). */
  stopTimeoutMs?: number;
  /** Field faults to inject (all off by default); seeded per sensor from the run seed. */
  faults?: FaultOptions;
  /** Gateways that publish batches for their sensors (those sensors then do not connect on their own). */
  gateways?: SimulatedGateway[];
}

export interface SimulationStats {
  /** Telemetry PUBLISHes handed to the client. */
  published: number;
  /** Telemetry PUBLISHes the broker acknowledged (QoS 1 PUBACK). */
  acked: number;
  /** Connection refusals, timeouts, transport and publish errors. */
  errors: number;
  /** Sensors connected right now. */
  connected: number;
  /** Sensors given up on (the broker refused their credentials). */
  failed: number;
  /** Readings due while their sensor was offline (not buffered). */
  skipped: number;
  /** Messages shaped by each injected fault, and readings dropped (`dropout`). */
  faults: Partial<Record<Outgoing['fault'] | 'dropout', number>>;
  /** Reconnect storms fired. */
  storms: number;
}

export interface Simulation {
  stop(): Promise<void>;
  stats(): SimulationStats;
  /** When the scenario timeline started (epoch ms). */
  readonly startMs: number;
  readonly seed: number;
  /** The scenario's events as planned for this run. */
  readonly events: readonly PlannedEvent[];
}

const CHECKS: { [D in Domain]: TypeCheck<(typeof READING_PAYLOAD_SCHEMAS)[D]> } = {
  traffic: TypeCompiler.Compile(READING_PAYLOAD_SCHEMAS.traffic),
  flood: TypeCompiler.Compile(READING_PAYLOAD_SCHEMAS.flood),
  air: TypeCompiler.Compile(READING_PAYLOAD_SCHEMAS.air),
};

/** Null when the payload meets the contract, else the first violation. */
export function checkPayload(domain: Domain, payload: unknown): string | null {
  const check = CHECKS[domain];
  if (check.Check(payload)) return null;
  const first = check.Errors(payload).First();
  return first ? `${first.path || '/'}: ${first.message}` : 'invalid';
}

const DEFAULTS = { connectConcurrency: 20, connectTimeoutMs: 10_000, reconnectPeriodMs: 1_000, stopTimeoutMs: 5_000 };
/** After a stall longer than this many intervals a sensor skips ahead instead of bursting old readings. */
const MAX_CATCH_UP_INTERVALS = 5;

interface Runner {
  sensor: SimulatedSensor;
  id: string;
  domain: Domain;
  statusTopic: string;
  telemetryTopic: string;
  client: MqttClient | null;
  failed: boolean;
  program: SensorProgram | null;
  timer: NodeJS.Timeout | null;
  k: number;
  log: Logger;
  transportErrors: number;
  faults: FaultInjector | null;
  gateway: GatewayRunner | null;
}

function validateOptions(options: SimulationOptions): void {
  if (typeof options.brokerUrl !== 'string' || options.brokerUrl.length === 0) throw invalidOptions('brokerUrl is required');
  if (typeof options.city !== 'string' || !/^[a-z0-9][a-z0-9_-]*$/.test(options.city)) {
    throw invalidOptions(`city "${String(options.city)}" is not a valid topic level`);
  }
  if (!Array.isArray(options.sensors)) throw invalidOptions('sensors must be an array');
  if (options.seed !== undefined && !Number.isFinite(options.seed)) throw invalidOptions('seed must be a finite number');
  getScenario(options.scenario ?? 'demo');
  for (const [domain, ms] of Object.entries(options.intervalMs ?? {})) {
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 10) {
      throw invalidOptions(`intervalMs.${domain} must be a number ≥ 10`);
    }
  }
  const seen = new Set<string>();
  for (const s of options.sensors) {
    const id = s?.feature?.properties?.id;
    if (typeof id !== 'string' || !SENSOR_ID_PATTERN.test(id)) throw invalidOptions(`sensor id "${String(id)}" is not valid`);
    if (seen.has(id)) throw duplicateSensor(id);
    seen.add(id);
  }
}

async function forEachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}

const statusJson = (online: boolean): string => JSON.stringify({ online, ts: formatHcmcTimestamp(Date.now()) });

/**
 * Starts one MQTT client per sensor, each with its own credentials, and has
 * them publish their readings on their own schedule. Resolves once every
 * client has connected, been refused, or timed out (and keeps retrying).
 */
export async function startSimulation(options: SimulationOptions): Promise<Simulation> {
  validateOptions(options);
  const logger = options.logger.child({ module: 'simulators' });
  const cfg = {
    connectConcurrency: options.connectConcurrency ?? DEFAULTS.connectConcurrency,
    connectTimeoutMs: options.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs,
    reconnectPeriodMs: options.reconnectPeriodMs ?? DEFAULTS.reconnectPeriodMs,
    stopTimeoutMs: options.stopTimeoutMs ?? DEFAULTS.stopTimeoutMs,
  };
  const counters = { published: 0, acked: 0, errors: 0, skipped: 0, storms: 0 };
  const faultCounts: SimulationStats['faults'] = {};
  const faults = options.faults ? validateFaults(options.faults) : null;
  const countFault = (fault: Outgoing['fault'] | 'dropout'): void => {
    faultCounts[fault] = (faultCounts[fault] ?? 0) + 1;
  };
  let stopping = false;

  const runners: Runner[] = options.sensors.map((sensor) => {
    const { id, domain } = sensor.feature.properties;
    return {
      sensor,
      id,
      domain,
      statusTopic: statusTopic(options.city, domain, id),
      telemetryTopic: telemetryTopic(options.city, domain, id),
      client: null,
      failed: false,
      program: null,
      timer: null,
      k: 0,
      log: logger.child({ sensorId: id }),
      transportErrors: 0,
      faults: null,
      gateway: null,
    };
  });

  const connect = (r: Runner): Promise<void> =>
    new Promise((resolve) => {
      const clientOptions: IClientOptions = {
        clientId: `sim-${r.id}`,
        username: r.sensor.credentials.username,
        password: r.sensor.credentials.password,
        clean: true,
        keepalive: 30,
        protocolVersion: 4,
        reconnectPeriod: cfg.reconnectPeriodMs,
        connectTimeout: cfg.connectTimeoutMs,
        will: { topic: r.statusTopic, payload: Buffer.from(statusJson(false)), qos: 1, retain: true },
      };
      const client = mqtt.connect(options.brokerUrl, clientOptions);
      r.client = client;
      let settled = false;
      const settle = (): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timeout);
        resolve();
      };
      const timeout = setTimeout(() => {
        counters.errors++;
        const err = connectTimeout(r.id, cfg.connectTimeoutMs);
        r.log.warn({ code: err.code }, err.message);
        settle();
      }, cfg.connectTimeoutMs);

      client.on('connect', () => {
        r.transportErrors = 0;
        const socket = client.stream as unknown as { setNoDelay?: (on: boolean) => void };
        // MQTT.js leaves Nagle on; small telemetry packets would wait for delayed ACKs
        if (typeof socket.setNoDelay === 'function') socket.setNoDelay(true);
        client.publish(r.statusTopic, statusJson(true), { qos: 1, retain: true }, (err) => {
          if (err && !stopping) r.log.warn({ err }, 'online status publish failed');
        });
        r.log.debug('connected');
        settle();
      });
      client.on('reconnect', () => {
        // the will is fixed at CONNECT time; give it a fresh timestamp for the new session
        if (client.options.will) client.options.will.payload = Buffer.from(statusJson(false));
      });
      client.on('error', (error: Error & { code?: unknown }) => {
        counters.errors++;
        if (typeof error.code === 'number') {
          // CONNACK refusal (bad credentials, not authorised): MQTT.js stops retrying, and so do we
          r.failed = true;
          const err = connectFailed(r.id, error);
          r.log.error({ code: err.code, returnCode: error.code }, err.message);
          stopTicker(r);
          client.end(true);
          settle();
          return;
        }
        // transport errors: MQTT.js reconnects on its own; log the first of a streak loudly
        r.transportErrors++;
        if (r.transportErrors === 1) r.log.warn({ err: error }, 'transport error, reconnecting');
        else r.log.debug({ err: error }, 'transport error, reconnecting');
      });
    });

  const stopTicker = (r: Runner): void => {
    if (r.timer) clearTimeout(r.timer);
    r.timer = null;
  };

  const tick = (r: Runner): void => {
    const program = r.program;
    if (!program || stopping || r.failed) return;
    const now = Date.now();
    if (program.timeOf(r.k) < now - MAX_CATCH_UP_INTERVALS * program.intervalMs) {
      const behind = Math.floor((now - program.timeOf(r.k)) / program.intervalMs);
      counters.skipped += behind;
      r.k += behind;
    }
    const tMs = program.timeOf(r.k);
    // always step the generator, connected or not, so the sequence does not depend on connectivity
    const payload: ReadingPayload = program.next(tMs);
    r.k++;
    const client = r.client;
    const problem = checkPayload(r.domain, payload);
    if (problem !== null) {
      counters.errors++;
      const err = invalidPayload(r.id, problem);
      r.log.error({ code: err.code, payload }, err.message);
    } else if (r.gateway) {
      if (r.gateway.connected()) r.gateway.add(r.id, r.domain, payload);
      else counters.skipped++;
    } else if (client?.connected) {
      // faults change only what goes on the wire; the generator sequence above is untouched
      const outgoing: Outgoing[] = r.faults ? r.faults.apply(payload, tMs) : [{ topic: r.telemetryTopic, payload: JSON.stringify(payload), fault: 'none' }];
      if (outgoing.length === 0) countFault('dropout');
      for (const message of outgoing) {
        if (message.fault !== 'none') countFault(message.fault);
        counters.published++;
        client.publish(message.topic, message.payload, { qos: 1 }, (error) => {
          if (error) {
            // a publish cut short by our own stop is not a sensor fault
            if (stopping) return;
            counters.errors++;
            const err = publishFailed(r.id, error);
            r.log.warn({ code: err.code }, err.message);
          } else counters.acked++;
        });
      }
    } else {
      counters.skipped++;
    }
    schedule(r);
  };

  const schedule = (r: Runner): void => {
    if (!r.program || stopping || r.failed) return;
    const due = r.program.timeOf(r.k);
    r.timer = setTimeout(() => tick(r), Math.max(0, due - Date.now()));
  };

  const gateways: GatewayRunner[] = [];
  for (const gateway of options.gateways ?? []) {
    const runner = await startGateway({ gateway, brokerUrl: options.brokerUrl, city: options.city, logger, counters, reconnectPeriodMs: cfg.reconnectPeriodMs });
    gateways.push(runner);
    const members = new Set(gateway.sensorIds);
    for (const r of runners) if (members.has(r.id)) r.gateway = runner;
  }
  await forEachLimited(runners.filter((r) => r.gateway === null), cfg.connectConcurrency, connect);

  // the timeline starts once the fleet is up, so connection time does not eat into scenario events
  const startMs = Date.now();
  const seed = options.seed;
  const plan = planSimulation(
    runners.map((r) => r.sensor.feature.properties),
    { startMs, scenario: options.scenario ?? 'demo', ...(seed !== undefined ? { seed } : {}), ...(options.intervalMs ? { intervalMs: options.intervalMs } : {}) },
  );
  runners.forEach((r, i) => {
    r.program = plan.programs[i] ?? null;
    if (faults) {
      // a foreign topic is a neighbour's: what a mis-provisioned device would hit
      const neighbour = runners[(i + 1) % runners.length];
      r.faults = createFaultInjector({
        sensorId: r.id,
        domain: r.domain,
        topic: r.telemetryTopic,
        foreignTopic: neighbour && neighbour !== r ? neighbour.telemetryTopic : null,
        faults,
        rng: createRng(deriveSeed(plan.seed, `faults:${r.id}`)),
      });
    }
    schedule(r);
  });
  let stormTimer: NodeJS.Timeout | null = null;
  if (faults?.reconnectStormEveryMs !== undefined) {
    const stormRng = createRng(deriveSeed(plan.seed, 'reconnect-storm'));
    stormTimer = setInterval(() => {
      counters.storms++;
      // drop the transport under many clients at once; MQTT.js reconnects them all together
      for (const r of runners) {
        if (r.client?.connected && stormRng.chance(faults.reconnectStormFraction ?? 0.5)) {
          (r.client.stream as unknown as { destroy(): void }).destroy();
        }
      }
    }, faults.reconnectStormEveryMs);
    stormTimer.unref();
  }
  for (const p of plan.events) logger.info({ sensorId: p.sensorId, event: p.label, kind: p.event.kind }, 'scenario event planned');
  const failed = runners.filter((r) => r.failed).length;
  logger.info(
    { sensors: runners.length, failed, scenario: options.scenario ?? 'demo', seed: plan.seed },
    'simulation started',
  );

  let stopped: Promise<void> | null = null;
  const closeOne = async (r: Runner): Promise<void> => {
    stopTicker(r);
    const client = r.client;
    if (!client) return;
    const graceful = async (): Promise<void> => {
      if (client.connected) {
        // a reading held back by the out-of-order fault still goes out, late, as it would in the field
        for (const message of r.faults?.flush() ?? []) {
          await client.publishAsync(message.topic, message.payload, { qos: 1 }).catch(() => undefined);
        }
        // a clean stop says so itself; the will is only for unexpected loss
        await client
          .publishAsync(r.statusTopic, statusJson(false), { qos: 1, retain: true })
          .catch((err: unknown) => r.log.debug({ err }, 'offline status not delivered'));
      }
      await client.endAsync(false);
    };
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), cfg.stopTimeoutMs);
    });
    // a broker that stops answering must not keep stop() pending forever
    const outcome = await Promise.race([graceful().then(() => 'ended' as const), deadline]).catch(() => 'error' as const);
    clearTimeout(timer);
    if (outcome !== 'ended') {
      r.log.warn({ outcome }, 'graceful close did not finish; forcing');
      await client.endAsync(true).catch(() => undefined);
    }
  };

  return {
    startMs,
    seed: plan.seed,
    events: plan.events,
    stats: () => ({
      ...counters,
      faults: { ...faultCounts },
      connected: runners.filter((r) => r.client?.connected === true).length,
      failed: runners.filter((r) => r.failed).length,
    }),
    stop: () => {
      if (!stopped) {
        stopping = true;
        if (stormTimer) clearInterval(stormTimer);
        stopped = Promise.all([...runners.map(closeOne), ...gateways.map((g) => g.stop())]).then(() => {
          logger.info({ ...counters }, 'simulation stopped');
        });
      }
      return stopped;
    },
  };
}
