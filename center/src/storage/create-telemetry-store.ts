import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import {
  createEmbeddedTelemetryStore,
  createInfluxTelemetryStore,
  createSpooledTelemetryStore,
  type DeadLetterStore,
  type TelemetryStore,
} from '@cityops/ingest';
import type { CenterConfig } from '../config/config.ts';
import { CenterError } from '../errors.ts';

export type StoreKind = 'embedded' | 'influx-v1' | 'influx-v2';

export interface SelectedStore {
  store: TelemetryStore;
  kind: StoreKind;
}

/** Which adapter the configuration asks for (pure, so the rules are testable on their own). */
export function storeKindOf(config: Pick<CenterConfig, 'influxUrl' | 'influxToken' | 'influxOrg' | 'influxBucket' | 'influxDatabase'>): StoreKind {
  if (!config.influxUrl) return 'embedded';
  const v2 = config.influxOrg !== undefined || config.influxBucket !== undefined || config.influxToken !== undefined;
  if (v2) {
    if (!config.influxOrg || !config.influxBucket) {
      throw new CenterError('CITYOPS_CENTER_CONFIG_INVALID', 'CITYOPS_INFLUX_URL with the v2 API needs CITYOPS_INFLUX_ORG and CITYOPS_INFLUX_BUCKET (and usually CITYOPS_INFLUX_TOKEN)');
    }
    return 'influx-v2';
  }
  if (config.influxDatabase) return 'influx-v1';
  throw new CenterError(
    'CITYOPS_CENTER_CONFIG_INVALID',
    'CITYOPS_INFLUX_URL needs either CITYOPS_INFLUX_ORG + CITYOPS_INFLUX_BUCKET (+ TOKEN) for InfluxDB 2.x/3.x/1.8+, or CITYOPS_INFLUX_DATABASE for InfluxDB 1.x',
  );
}

/**
 * The store selection: the embedded SQLite store when no InfluxDB is configured;
 * otherwise the InfluxDB adapter behind the on-disk spool in `<dataDir>/spool`, so
 * an acknowledged reading is durable even while InfluxDB is down.
 */
export async function createTelemetryStore(
  config: CenterConfig,
  deps: { logger: Logger; metrics: Registry; deadLetters: DeadLetterStore },
): Promise<SelectedStore> {
  const kind = storeKindOf(config);
  const logger = deps.logger;
  if (kind === 'embedded') {
    return { kind, store: await createEmbeddedTelemetryStore({ dataDir: config.dataDir, logger }) };
  }
  const influx = await createInfluxTelemetryStore(
    kind === 'influx-v2'
      ? {
          url: config.influxUrl!,
          api: 'v2',
          org: config.influxOrg!,
          bucket: config.influxBucket!,
          ...(config.influxToken ? { token: config.influxToken } : {}),
          logger,
        }
      : {
          url: config.influxUrl!,
          api: 'v1',
          database: config.influxDatabase!,
          ...(config.influxRetentionPolicy ? { retentionPolicy: config.influxRetentionPolicy } : {}),
          ...(config.influxUsername !== undefined ? { username: config.influxUsername } : {}),
          ...(config.influxPassword !== undefined ? { password: config.influxPassword } : {}),
          logger,
        },
  );
  const store = await createSpooledTelemetryStore({
    store: influx,
    spoolDir: join(config.dataDir, 'spool'),
    spoolMaxBytes: config.spoolMaxBytes,
    deadLetters: deps.deadLetters,
    logger,
    metrics: deps.metrics,
  });
  logger.info({ kind, url: config.influxUrl }, 'telemetry goes to InfluxDB through the spool');
  return { kind, store };
}
