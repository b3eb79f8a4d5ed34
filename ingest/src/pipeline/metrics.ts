import { Counter, Histogram, type Registry } from 'prom-client';
import { DOMAINS, REJECT_REASONS, type Domain, type RejectReason } from '@cityops/contracts';

export interface IngestMetrics {
  accepted(domain: Domain, n: number): void;
  rejected(reason: RejectReason, n: number): void;
  committed(size: number, durationMs: number): void;
  internalError(): void;
}

// Two ingest instances may share a registry (tests, restarts in one process):
// reuse a metric already registered under the name instead of throwing.
function counter<L extends string>(registry: Registry, name: string, help: string, labelNames: L[]): Counter<L> {
  const existing = registry.getSingleMetric(name);
  if (existing) return existing as Counter<L>;
  return new Counter({ name, help, labelNames, registers: [registry] });
}

function histogram(registry: Registry, name: string, help: string, buckets: number[]): Histogram {
  const existing = registry.getSingleMetric(name);
  if (existing) return existing as Histogram;
  return new Histogram({ name, help, buckets, registers: [registry] });
}

export function createIngestMetrics(registry: Registry): IngestMetrics {
  const accepted = counter(registry, 'cityops_readings_accepted_total', 'Readings stored durably, by domain.', ['domain']);
  const rejected = counter(registry, 'cityops_readings_rejected_total', 'Readings rejected, by reason (contracts §2).', ['reason']);
  const batchSize = histogram(registry, 'cityops_ingest_batch_size_readings', 'Readings per group-commit batch.', [
    1, 5, 25, 100, 250, 500, 1000, 2500,
  ]);
  const commitSeconds = histogram(registry, 'cityops_ingest_commit_duration_seconds', 'Duration of one durable batch write.', [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1,
  ]);
  const internal = counter(registry, 'cityops_ingest_internal_errors_total', 'Unexpected errors inside ingest (bugs).', []);

  // Label children resolved once: inc() on a child skips per-call label hashing.
  const acceptedBy = Object.fromEntries(DOMAINS.map((d) => [d, accepted.labels(d)])) as Record<Domain, { inc(n: number): void }>;
  const rejectedBy = Object.fromEntries(REJECT_REASONS.map((r) => [r, rejected.labels(r)])) as Record<
    RejectReason,
    { inc(n: number): void }
  >;
  // Zero series exist from the start, so rate() and alerts work before the first event.
  for (const d of DOMAINS) acceptedBy[d].inc(0);
  for (const r of REJECT_REASONS) rejectedBy[r].inc(0);

  return {
    accepted: (domain, n) => acceptedBy[domain].inc(n),
    rejected: (reason, n) => rejectedBy[reason].inc(n),
    committed(size, durationMs) {
      batchSize.observe(size);
      commitSeconds.observe(durationMs / 1000);
    },
    internalError: () => internal.inc(),
  };
}
