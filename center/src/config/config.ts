import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Type, type Static } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { CenterError } from '../errors.ts';

const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '../..');
const repoRoot = join(packageRoot, '..');

/**
 * contracts §7. One entry per `CITYOPS_*` variable: its config key, type and
 * default. The same `CITYOPS_*` keys may be set in a JSON config file
 * (`CITYOPS_CONFIG_FILE`, or `./cityops.config.json` when present); the
 * environment wins over the file.
 */
export const CONFIG_VARIABLES = {
  CITYOPS_CITY: { key: 'city', type: 'string', default: 'hcmc', doc: 'City id used in MQTT topics `city/{city}/...`.' },
  CITYOPS_HTTP_PORT: { key: 'httpPort', type: 'port', default: 8080, doc: 'API, map, Socket.IO and MQTT over WebSocket at `/mqtt`.' },
  CITYOPS_MQTT_PORT: { key: 'mqttPort', type: 'port', default: 1883, doc: 'MQTT over TCP.' },
  CITYOPS_HOST: { key: 'host', type: 'string', default: '::', doc: 'Listen address; `::` is every IPv6 and IPv4 address.' },
  CITYOPS_DATA_DIR: { key: 'dataDir', type: 'path', default: './data', doc: 'Embedded store, spool, device registry.' },
  CITYOPS_INFLUX_URL: { key: 'influxUrl', type: 'string', default: undefined, doc: 'InfluxDB URL; unset → embedded store.' },
  CITYOPS_INFLUX_TOKEN: { key: 'influxToken', type: 'string', default: undefined, doc: 'InfluxDB 2.x/3.x token.' },
  CITYOPS_INFLUX_ORG: { key: 'influxOrg', type: 'string', default: undefined, doc: 'InfluxDB 2.x organisation.' },
  CITYOPS_INFLUX_BUCKET: { key: 'influxBucket', type: 'string', default: undefined, doc: 'InfluxDB 2.x/3.x bucket.' },
  CITYOPS_INFLUX_DATABASE: { key: 'influxDatabase', type: 'string', default: undefined, doc: 'InfluxDB 1.x database.' },
  CITYOPS_INFLUX_USERNAME: { key: 'influxUsername', type: 'string', default: undefined, doc: 'InfluxDB 1.x user.' },
  CITYOPS_INFLUX_PASSWORD: { key: 'influxPassword', type: 'string', default: undefined, doc: 'InfluxDB 1.x password.' },
  CITYOPS_INFLUX_RETENTION_POLICY: { key: 'influxRetentionPolicy', type: 'string', default: undefined, doc: 'InfluxDB 1.x retention policy to write raw readings to (unset → the database default).' },
  CITYOPS_RETENTION_RAW_DAYS: { key: 'retentionRawDays', type: 'integer', default: 30, doc: 'Days raw readings are kept (both stores); the center deletes older ones hourly.' },
  CITYOPS_RETENTION_ROLLUP_DAYS: { key: 'retentionRollupDays', type: 'integer', default: 730, doc: 'Days the 1-minute rollups (`<domain>_1m`) are kept; long history queries read them.' },
  CITYOPS_SPOOL_MAX_BYTES: { key: 'spoolMaxBytes', type: 'integer', default: 1024 * 1024 * 1024, doc: 'Size limit of the on-disk spool `<dataDir>/spool` that holds acknowledged readings while InfluxDB is down or slow; when full, new readings get no PUBACK (devices resend) — docs/storage.md.' },
  CITYOPS_MQTT_TLS_CERT: { key: 'mqttTlsCert', type: 'path', default: undefined, doc: 'PEM certificate chain of the broker; with `CITYOPS_MQTT_TLS_KEY` it enables MQTT over TLS.' },
  CITYOPS_MQTT_TLS_KEY: { key: 'mqttTlsKey', type: 'path', default: undefined, doc: 'PEM private key for `CITYOPS_MQTT_TLS_CERT`.' },
  CITYOPS_MQTT_TLS_PORT: { key: 'mqttTlsPort', type: 'port', default: 8883, doc: 'MQTT over TLS (only with a certificate and key).' },
  CITYOPS_MQTT_WSS_PORT: { key: 'mqttWssPort', type: 'port', default: undefined, doc: 'Secure WebSocket `wss://host:port/mqtt` with the TLS certificate; unset → off.' },
  CITYOPS_MQTT_TLS_CLIENT_CA: { key: 'mqttTlsClientCa', type: 'path', default: undefined, doc: 'PEM CA of device certificates: a device with a valid certificate whose CN is its device id logs in without a password.' },
  CITYOPS_MQTT_PERSISTENCE: { key: 'mqttPersistence', type: 'string', default: 'level', doc: 'Broker sessions, retained messages, in-flight QoS 1/2 and wills: `level` (`<dataDir>/mqtt`), `redis` (`CITYOPS_MQTT_REDIS_URL`) or `memory` (lost on restart).' },
  CITYOPS_MQTT_REDIS_URL: { key: 'mqttRedisUrl', type: 'string', default: undefined, doc: '`redis://[:password@]host:port[/db]` for `CITYOPS_MQTT_PERSISTENCE=redis`.' },
  CITYOPS_MQTT_MAX_CONNECTIONS: { key: 'mqttMaxConnections', type: 'port', default: 20000, doc: 'Open MQTT connections over all transports (at most 65535); more are refused.' },
  CITYOPS_MQTT_MAX_PACKET_KB: { key: 'mqttMaxPacketKb', type: 'port', default: 66, doc: 'Largest MQTT packet in KiB, refused from its header before the body is read.' },
  CITYOPS_MQTT_PUBLISH_RATE: { key: 'mqttPublishRate', type: 'port', default: 100, doc: 'PUBLISHes per second per device (burst 5×); a faster device is disconnected.' },
  CITYOPS_MQTT_CONNECTION_RATE: { key: 'mqttConnectionRate', type: 'port', default: 100, doc: 'New connections per second per client address (burst 10×); more are refused.' },
  CITYOPS_ALLOW_ANONYMOUS: { key: 'allowAnonymous', type: 'boolean', default: false, doc: 'Development only: accept MQTT clients without credentials.' },
  CITYOPS_LOG_LEVEL: { key: 'logLevel', type: 'string', default: 'info', doc: 'pino level: fatal, error, warn, info, debug, trace.' },
  CITYOPS_REGISTRY_FILE: { key: 'registryFile', type: 'path', default: join(packageRoot, 'data/hcmc-sensors.geojson'), doc: 'Sensor registry GeoJSON (contracts §3); defaults to the bundled HCMC registry.' },
  CITYOPS_BASEMAP_DIR: { key: 'basemapDir', type: 'path', default: join(repoRoot, 'dashboard/basemap/hcmc'), doc: 'Folder with districts.geojson, roads.geojson, flood-hotspots.geojson served at `/basemap/`.' },
  CITYOPS_WEB_ROOT: { key: 'webRoot', type: 'path', default: join(repoRoot, 'dashboard/dist'), doc: 'The built map (Vite output).' },
  CITYOPS_SECURE_COOKIES: { key: 'secureCookies', type: 'boolean', default: false, doc: 'Mark session cookies `Secure` (set when served over HTTPS).' },
  CITYOPS_RULES_FILE: { key: 'rulesFile', type: 'path', default: undefined, doc: 'Alert rules, YAML or JSON (docs/rules.md); re-read when it changes, an invalid edit keeps the running rules. Unset → the built-in HCMC defaults (same as `rules/hcmc-default-rules.yaml`).' },
  CITYOPS_RULES_REORDER_WINDOW_S: { key: 'rulesReorderWindowS', type: 'integer', default: 600, doc: 'How far (event time) behind a sensor\'s newest reading a late or out-of-order reading is still put in order and its alerts re-judged (docs/rules.md, "Event time"); older ones are dropped and counted in `cityops_rules_late_readings_total{outcome="dropped"}`.' },
  CITYOPS_WEBHOOK_URL: { key: 'webhookUrl', type: 'string', default: undefined, doc: 'POST every alert change here as JSON `{change, alert}`, in order, retried with backoff.' },
  CITYOPS_WEBHOOK_MAX_PENDING: { key: 'webhookMaxPending', type: 'integer', default: 10_000, doc: 'Webhook deliveries kept in the outbox (`center_webhook_outbox`) while the endpoint is down; past it the oldest waiting ones are dropped, logged and counted (`cityops_alert_webhook_deliveries_total{outcome="dropped"}`).' },
  CITYOPS_WEBHOOK_SECRET: { key: 'webhookSecret', type: 'string', default: undefined, doc: 'Shared secret: requests carry `X-CityOps-Signature: sha256=HMAC(secret, "<X-CityOps-Timestamp>.<body>")`.' },
} as const;

export const CenterConfigSchema = Type.Object({
  city: Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,63}$' }),
  httpPort: Type.Integer({ minimum: 0, maximum: 65535 }),
  mqttPort: Type.Integer({ minimum: 0, maximum: 65535 }),
  host: Type.String({ minLength: 1 }),
  dataDir: Type.String({ minLength: 1 }),
  influxUrl: Type.Optional(Type.String({ pattern: '^https?://' })),
  influxToken: Type.Optional(Type.String()),
  influxOrg: Type.Optional(Type.String()),
  influxBucket: Type.Optional(Type.String()),
  influxDatabase: Type.Optional(Type.String()),
  influxUsername: Type.Optional(Type.String()),
  influxPassword: Type.Optional(Type.String()),
  influxRetentionPolicy: Type.Optional(Type.String()),
  spoolMaxBytes: Type.Integer({ minimum: 65536 }),
  retentionRawDays: Type.Integer({ minimum: 1 }),
  retentionRollupDays: Type.Integer({ minimum: 1 }),
  mqttTlsCert: Type.Optional(Type.String()),
  mqttTlsKey: Type.Optional(Type.String()),
  mqttTlsPort: Type.Integer({ minimum: 0, maximum: 65535 }),
  mqttWssPort: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
  mqttTlsClientCa: Type.Optional(Type.String()),
  mqttPersistence: Type.Union([Type.Literal('level'), Type.Literal('redis'), Type.Literal('memory')]),
  mqttRedisUrl: Type.Optional(Type.String({ pattern: '^redis://' })),
  mqttMaxConnections: Type.Integer({ minimum: 1, maximum: 65535 }),
  mqttMaxPacketKb: Type.Integer({ minimum: 1, maximum: 65535 }),
  mqttPublishRate: Type.Integer({ minimum: 1, maximum: 65535 }),
  mqttConnectionRate: Type.Integer({ minimum: 1, maximum: 65535 }),
  allowAnonymous: Type.Boolean(),
  logLevel: Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l))),
  registryFile: Type.String(),
  basemapDir: Type.String(),
  webRoot: Type.String(),
  secureCookies: Type.Boolean(),
  rulesFile: Type.Optional(Type.String()),
  webhookUrl: Type.Optional(Type.String({ pattern: '^https?://' })),
  webhookSecret: Type.Optional(Type.String({ minLength: 1 })),
  webhookMaxPending: Type.Integer({ minimum: 1 }),
  rulesReorderWindowS: Type.Integer({ minimum: 0, maximum: 86_400 }),
});
export type CenterConfig = Readonly<Static<typeof CenterConfigSchema>>;
const checkConfig = TypeCompiler.Compile(CenterConfigSchema);

type Variable = keyof typeof CONFIG_VARIABLES;
type Raw = string | number | boolean | undefined;

function coerce(name: Variable, raw: Raw): unknown {
  const spec = CONFIG_VARIABLES[name];
  if (raw === undefined || raw === '') return undefined;
  switch (spec.type) {
    case 'port': {
      const n = typeof raw === 'number' ? raw : Number(raw);
      if (!Number.isInteger(n)) throw new CenterError('CITYOPS_CENTER_CONFIG_INVALID', `${name}=${String(raw)} is not a port number`);
      return n;
    }
    case 'integer': {
      const n = typeof raw === 'number' ? raw : Number(raw);
      if (!Number.isSafeInteger(n)) throw new CenterError('CITYOPS_CENTER_CONFIG_INVALID', `${name}=${String(raw)} is not an integer`);
      return n;
    }
    case 'boolean': {
      if (typeof raw === 'boolean') return raw;
      const s = String(raw).toLowerCase();
      if (['true', '1', 'yes', 'on'].includes(s)) return true;
      if (['false', '0', 'no', 'off'].includes(s)) return false;
      throw new CenterError('CITYOPS_CENTER_CONFIG_INVALID', `${name}=${String(raw)} is not a boolean (true/false)`);
    }
    default:
      return String(raw);
  }
}

export interface LoadConfigOptions {
  env?: NodeJS.ProcessEnv;
  /** Explicit config file; otherwise CITYOPS_CONFIG_FILE or ./cityops.config.json if present. */
  file?: string;
  /** Highest precedence (CLI flags, tests). */
  overrides?: Partial<Record<keyof CenterConfig, unknown>>;
  cwd?: string;
}

/** Loads defaults ← file ← env ← overrides, validates once and freezes. */
export function loadConfig(options: LoadConfigOptions = {}): CenterConfig {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const filePath = options.file ?? env.CITYOPS_CONFIG_FILE ?? (existsSync(join(cwd, 'cityops.config.json')) ? join(cwd, 'cityops.config.json') : undefined);
  let fromFile: Record<string, Raw> = {};
  if (filePath) {
    try {
      fromFile = JSON.parse(readFileSync(resolve(cwd, filePath), 'utf8')) as Record<string, Raw>;
    } catch (error) {
      throw new CenterError('CITYOPS_CENTER_CONFIG_INVALID', `cannot read config file ${filePath}: ${(error as Error).message}`);
    }
    for (const name of Object.keys(fromFile)) {
      if (!(name in CONFIG_VARIABLES)) throw new CenterError('CITYOPS_CENTER_CONFIG_INVALID', `unknown key ${name} in ${filePath}`);
    }
  }
  const config: Record<string, unknown> = {};
  for (const name of Object.keys(CONFIG_VARIABLES) as Variable[]) {
    const spec = CONFIG_VARIABLES[name];
    const value = coerce(name, env[name]) ?? coerce(name, fromFile[name]) ?? spec.default;
    if (value !== undefined) config[spec.key] = spec.type === 'path' ? (isAbsolute(String(value)) ? value : resolve(cwd, String(value))) : value;
  }
  for (const [key, value] of Object.entries(options.overrides ?? {})) {
    if (value !== undefined) config[key] = value;
  }
  if (!checkConfig.Check(config)) {
    const problems = [...checkConfig.Errors(config)].map((e) => `${e.path.slice(1) || '(root)'}: ${e.message}`);
    throw new CenterError('CITYOPS_CENTER_CONFIG_INVALID', `invalid configuration: ${problems.join('; ')}`);
  }
  return Object.freeze(config as CenterConfig);
}
