import { Counter, Gauge, type Registry } from 'prom-client';

export interface SpoolMetrics {
  bytes: Gauge;
  capacity: Gauge;
  readings: Counter<'op'>;
  retries: Counter;
  deadLettered: Counter;
}

// Several spools may share a registry (tests, restarts in one process): reuse what is registered.
function reuse<T>(registry: Registry, name: string, make: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make();
}

export function createSpoolMetrics(registry: Registry): SpoolMetrics {
  const registers = [registry];
  return {
    bytes: reuse(registry, 'cityops_ingest_spool_bytes', () => new Gauge({ name: 'cityops_ingest_spool_bytes', help: 'Bytes of acknowledged readings waiting in the on-disk spool for the database.', registers })),
    capacity: reuse(registry, 'cityops_ingest_spool_capacity_bytes', () => new Gauge({ name: 'cityops_ingest_spool_capacity_bytes', help: 'Spool size limit (CITYOPS_SPOOL_MAX_BYTES); at the limit new readings are not acknowledged.', registers })),
    readings: reuse(registry, 'cityops_ingest_spool_readings_total', () => new Counter({ name: 'cityops_ingest_spool_readings_total', help: 'Readings appended to / drained from the spool, and refused because it was full.', labelNames: ['op'] as const, registers })),
    retries: reuse(registry, 'cityops_ingest_store_retries_total', () => new Counter({ name: 'cityops_ingest_store_retries_total', help: 'Failed attempts to drain the spool into the database (each followed by a backoff).', registers })),
    deadLettered: reuse(registry, 'cityops_ingest_store_dead_lettered_total', () => new Counter({ name: 'cityops_ingest_store_dead_lettered_total', help: 'Readings the database rejected for their content, moved to dead letters.', registers })),
  };
}
