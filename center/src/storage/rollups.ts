import type { Logger } from 'pino';
import type { Reading } from '@cityops/contracts';
import { createRollupJob, isRollupStore, type TelemetryStore } from '@cityops/ingest';
import type { CenterConfig } from '../config/config.ts';

const DAY = 86_400_000;

export interface Rollups {
  markDirty(reading: Reading): void;
  stop(): Promise<void>;
}

/** The center's own 1-minute rollups and retention (CITYOPS_RETENTION_*), for whichever store was chosen. */
export function startRollups(store: TelemetryStore, config: Pick<CenterConfig, 'retentionRawDays' | 'retentionRollupDays'>, logger: Logger): Rollups {
  if (!isRollupStore(store)) {
    logger.warn('this telemetry store keeps no rollups; long history queries read raw readings');
    return { markDirty() {}, stop: async () => {} };
  }
  const job = createRollupJob({
    store,
    logger,
    rawRetentionMs: config.retentionRawDays * DAY,
    rollupRetentionMs: config.retentionRollupDays * DAY,
  });
  return { markDirty: (r) => job.markDirty(r), stop: () => job.stop() };
}
