import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { collectDefaultMetrics, Counter, Registry } from 'prom-client';
import { alertTopic, type Alert } from '@cityops/contracts';
import { createCityBroker, createSqliteDeviceAccounts, type CityBroker, type CityBrokerOptions, type DeviceAccounts } from '@cityops/broker';
import { createIngest, createSqliteDeadLetterStore, type DeadLetterStore, type Ingest, type TelemetryStore } from '@cityops/ingest';
import { HCMC_DEFAULT_RULES } from '@cityops/rules';
import { buildDashboard, createSqliteOperatorAccounts, type Dashboard } from '@cityops/dashboard';
import { startSimulation, type Simulation } from '@cityops/simulators';
import type { CenterConfig } from './config/config.ts';
import { openCenterDatabase } from './database.ts';
import { createSensorDirectory, type SensorDirectory } from './sensors/sensor-directory.ts';
import { createAlertService, type AlertService } from './alerts/alert-service.ts';
import { createAirQualityService, type AirQualityService } from './alerts/air-quality-service.ts';
import { loadRulesFile, watchRulesFile } from './alerts/rules-file.ts';
import { createWebhookSender } from './alerts/webhook-sender.ts';
import { loadDistrictAreas } from './alerts/district-areas.ts';
import { provisionSimulatedSensors } from './sim-provisioning.ts';
import { createTelemetryStore } from './storage/create-telemetry-store.ts';
import { startRollups } from './storage/rollups.ts';

export interface StartCenterOptions {
  logger: Logger;
  /** Run simulated HCMC sensors against this center (development/demo). */
  simulate?: boolean | { seed?: number; scenario?: 'demo' | 'calm' };
  /** Milliseconds between time-driven rule evaluations (clearFor, silence). */
  tickMs?: number;
}

export interface Center {
  readonly config: CenterConfig;
  readonly httpPort: number;
  readonly mqttPort: number;
  readonly urls: { map: string; mqtt: string; mqttWebSocket: string };
  readonly devices: DeviceAccounts;
  readonly sensors: SensorDirectory;
  readonly alerts: AlertService;
  readonly airQuality: AirQualityService;
  readonly store: TelemetryStore;
  readonly deadLetters: DeadLetterStore;
  readonly ingest: Ingest;
  readonly broker: CityBroker;
  readonly dashboard: Dashboard;
  readonly metrics: Registry;
  readonly simulation?: Simulation;
  close(): Promise<void>;
}

const urlHost = (host: string) => (host === '::' || host === '0.0.0.0' ? 'localhost' : host.includes(':') ? `[${host}]` : host);

/** The composition root: wires broker → ingest → rules → dashboard. */
export async function startCenter(config: CenterConfig, options: StartCenterOptions): Promise<Center> {
  const { logger } = options;
  mkdirSync(config.dataDir, { recursive: true });
  const db = openCenterDatabase(config.dataDir);
  const metrics = new Registry();
  collectDefaultMetrics({ register: metrics, prefix: 'cityops_process_' });

  const sensors = createSensorDirectory({ db, registryFile: config.registryFile });
  const devices = createSqliteDeviceAccounts(db);
  const users = createSqliteOperatorAccounts(db);

  const deadLetters = createSqliteDeadLetterStore(db);
  // Embedded SQLite unless CITYOPS_INFLUX_URL is set; InfluxDB always sits behind the on-disk spool.
  const { store } = await createTelemetryStore(config, { logger: logger.child({ module: 'store' }), metrics, deadLetters });
  const rollups = startRollups(store, config, logger.child({ module: 'rollups' }));
  const ingest = createIngest({
    store,
    deadLetters,
    sensors: {
      get(id) {
        const entry = sensors.get(id);
        return entry ? { domain: entry.domain, district: entry.district, ...(entry.gatewayId ? { gatewayId: entry.gatewayId } : {}) } : undefined;
      },
    },
    metrics,
    logger,
  });
  ingest.onReading((reading) => rollups.markDirty(reading));
  try {
    for (const reading of await store.latest()) sensors.recordReading(reading);
  } catch (error) {
    // InfluxDB may be down at start: the center still starts (the spool takes readings); the map fills as they arrive.
    logger.warn({ err: error }, 'could not load the latest readings from the telemetry store; starting without them');
  }
  const airQuality = createAirQualityService({ logger: logger.child({ module: 'air-quality' }) });
  await airQuality.seed({
    sensorIds: sensors.all().filter((s) => s.domain === 'air').map((s) => s.feature.properties.id),
    history: (query) => store.history(query),
    now: Date.now(),
  });

  // Webhook deliveries go to an outbox table written in each alert change's transaction (durable across restarts).
  const webhook = config.webhookUrl
    ? createWebhookSender({
        url: config.webhookUrl,
        ...(config.webhookSecret ? { secret: config.webhookSecret } : {}),
        db,
        maxPending: config.webhookMaxPending,
        logger: logger.child({ module: 'webhook' }),
        metrics,
      })
    : undefined;

  // Late-bound: alerts are published through the dashboard and the broker, which need the alert service themselves.
  let publishAlert: (alert: Alert, change: string) => void = () => {};
  const alerts = createAlertService({
    db,
    ...(webhook ? { record: (alert: Alert, change: string) => webhook.enqueue(alert, change) } : {}),
    // CITYOPS_RULES_FILE is validated here: an invalid file stops the start with every problem listed.
    rules: config.rulesFile ? loadRulesFile(config.rulesFile) : HCMC_DEFAULT_RULES,
    sensors,
    publish: (alert, change) => publishAlert(alert, change),
    areas: loadDistrictAreas(config.basemapDir, logger.child({ module: 'alerts' })),
    reorderWindowMs: config.rulesReorderWindowS * 1000,
    logger: logger.child({ module: 'alerts' }),
  });
  new Counter({
    name: 'cityops_rules_late_readings_total',
    help: 'Readings older than the newest one of their rule and sensor (threshold and rate-of-change rules): reordered (put in event-time order and re-judged), dropped (older than CITYOPS_RULES_REORDER_WINDOW_S), and what re-judging had to settle forward (withdrawn, renamed, omitted, kept_as_sent; docs/rules.md)',
    labelNames: ['outcome'],
    registers: [metrics],
    collect() {
      const late = alerts.lateReadings();
      this.reset();
      const outcomes = { reordered: late.reordered, dropped: late.dropped, withdrawn: late.withdrawn, renamed: late.renamed, omitted: late.omitted, kept_as_sent: late.keptAsSent };
      for (const [outcome, n] of Object.entries(outcomes)) this.inc({ outcome }, n);
    },
  });

  let listening = { http: false, mqtt: false };
  const dashboard = await buildDashboard(
    {
      sensors: () => airQuality.decorate(sensors.live()),
      sensorDomain: (id) => sensors.get(id)?.domain,
      history: (query) => store.history(query),
      // GET /api/snapshot: the whole fleet at an instant in one query per domain.
      latestIn: (window) => store.latestIn(window),
      alerts: {
        list: (filter) => alerts.list(filter),
        acknowledge: (id, by, comment) => alerts.acknowledge(id, by, comment),
        comment: (id, by, text) => alerts.comment(id, by, text),
        comments: (id) => alerts.comments(id),
        audit: (id) => alerts.audit(id),
      },
      rules: () => ({ source: config.rulesFile ?? 'built-in HCMC defaults', rules: alerts.rules() }),
      users,
      ready: async () => {
        const checks = { http: listening.http, mqtt: listening.mqtt, database: db.open };
        return { ok: Object.values(checks).every(Boolean), checks };
      },
      metrics: { contentType: metrics.contentType, render: () => metrics.metrics() },
      logger,
    },
    { webRoot: config.webRoot, basemapDir: config.basemapDir, secureCookies: config.secureCookies },
  );

  const broker = await createCityBroker({
    city: config.city,
    host: config.host,
    mqttPort: config.mqttPort,
    allowAnonymous: config.allowAnonymous,
    accounts: devices,
    ...brokerHardening(config),
    onTelemetry: (message) => ingest.handle(message).then(() => undefined),
    onDenied: (denied) => ingest.reject(denied, denied.reason, denied.detail),
    onStatus: (event) => {
      const status = { sensorId: event.sensorId, domain: event.domain, online: event.online, since: event.ts };
      sensors.recordStatus(status);
      alerts.status(event.sensorId, event.online, event.ts);
      dashboard.publishStatus(status);
    },
    logger,
    metrics,
  });

  publishAlert = (alert) => {
    dashboard.publishAlert(alert);
    webhook?.notify(); // the change is already in the outbox, committed with the alert
    // Retained while open so integrators joining later see it; an empty retained payload clears it (contracts §1).
    const topic = alertTopic(config.city, alert.domain, alert.id);
    broker.publishRetained(topic, alert.state === 'resolved' ? '' : JSON.stringify(alert)).catch((error: unknown) => {
      logger.error({ err: error, topic }, 'publishing a retained alert failed');
    });
  };

  ingest.onReading((reading) => {
    sensors.recordReading(reading);
    // The index goes with the reading so index-category rules judge the same value the map shows.
    const live = airQuality.record(reading);
    alerts.evaluate(live);
    dashboard.publishReading(live);
  });

  const { port: httpPort } = await dashboard.listen({ host: config.host, port: config.httpPort });
  broker.attachWebSocket(dashboard.app.server, '/mqtt');
  const { mqttPort } = await broker.listen();
  listening = { http: true, mqtt: true };
  webhook?.notify(); // deliveries left pending by the previous run resume, attempt counts and backoff kept

  const tick = setInterval(() => {
    try {
      alerts.tick(Date.now());
    } catch (error) {
      logger.error({ err: error }, 'rule tick failed');
    }
  }, options.tickMs ?? 1000);
  tick.unref();
  const saveState = setInterval(() => alerts.saveState(), 5000);
  saveState.unref();
  const rulesWatcher = config.rulesFile
    ? watchRulesFile({ path: config.rulesFile, apply: (rules) => alerts.reloadRules(rules), logger: logger.child({ module: 'rules-file' }) })
    : undefined;

  const host = urlHost(config.host);
  const urls = {
    map: `http://${host}:${httpPort}/`,
    mqtt: `mqtt://${host}:${mqttPort}`,
    mqttWebSocket: `ws://${host}:${httpPort}/mqtt`,
  };

  let simulation: Simulation | undefined;
  if (options.simulate) {
    const sim = typeof options.simulate === 'object' ? options.simulate : {};
    const simulated = await provisionSimulatedSensors({ dataDir: config.dataDir, accounts: devices, sensors: sensors.all() });
    simulation = await startSimulation({
      brokerUrl: `mqtt://${host === 'localhost' ? '127.0.0.1' : host}:${mqttPort}`,
      city: config.city,
      sensors: simulated,
      logger,
      // Faster than the registry's field intervals so a demo shows live movement and alerts within a minute.
      intervalMs: { flood: 5000, air: 10_000, traffic: 10_000 },
      ...(sim.seed !== undefined ? { seed: sim.seed } : {}),
      ...(sim.scenario ? { scenario: sim.scenario } : {}),
    });
  }

  let closing: Promise<void> | undefined;
  return {
    config,
    httpPort,
    mqttPort,
    urls,
    devices,
    sensors,
    alerts,
    airQuality,
    store,
    deadLetters,
    ingest,
    broker,
    dashboard,
    metrics,
    ...(simulation ? { simulation } : {}),
    close() {
      closing ??= (async () => {
        clearInterval(tick);
        clearInterval(saveState);
        rulesWatcher?.close();
        await webhook?.close(); // a request in flight is aborted; its row stays for the next start
        await simulation?.stop();
        await broker.close();
        await ingest.close();
        await dashboard.close();
        alerts.saveState();
        await rollups.stop();
        await store.close();
        db.close();
      })();
      return closing;
    },
  };
}


/** The broker's transports, persistence and abuse limits from the configuration (issue 7). */
function brokerHardening(config: CenterConfig): Pick<CityBrokerOptions, 'tls' | 'persistence' | 'connectionLimits'> {
  const persistence: CityBrokerOptions['persistence'] =
    config.mqttPersistence === 'redis'
      ? { kind: 'redis', url: config.mqttRedisUrl ?? 'redis://127.0.0.1:6379' }
      : config.mqttPersistence === 'level'
        ? { kind: 'level', path: join(config.dataDir, 'mqtt') }
        : { kind: 'memory' };
  const tls: CityBrokerOptions['tls'] =
    config.mqttTlsCert === undefined || config.mqttTlsKey === undefined
      ? undefined
      : {
          cert: readFileSync(config.mqttTlsCert),
          key: readFileSync(config.mqttTlsKey),
          port: config.mqttTlsPort,
          ...(config.mqttWssPort === undefined ? {} : { wssPort: config.mqttWssPort }),
          ...(config.mqttTlsClientCa === undefined ? {} : { clientCa: readFileSync(config.mqttTlsClientCa) }),
        };
  return {
    persistence,
    ...(tls === undefined ? {} : { tls }),
    connectionLimits: {
      maxConnections: config.mqttMaxConnections,
      maxPacketBytes: config.mqttMaxPacketKb * 1024,
      publishRate: { perSecond: config.mqttPublishRate, burst: config.mqttPublishRate * 5 },
      connectionRate: { perSecond: config.mqttConnectionRate, burst: config.mqttConnectionRate * 10 },
    },
  };
}
