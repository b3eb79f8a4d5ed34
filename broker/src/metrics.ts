import { Counter, Gauge, type Registry } from 'prom-client';

export interface BrokerMetrics {
  authFailures: Counter<'reason'>;
  publishDenied: Counter<'reason'>;
  statusInvalid: Counter<'source'>;
  telemetryFailures: Counter;
  clientErrors: Counter<'kind'>;
  connectionsRefused: Counter<'reason'>;
  connectionsDropped: Counter<'reason'>;
  limitExceeded: Counter<'limit'>;
  loginLockouts: Counter<'scope'>;
}

function counter<L extends string>(registry: Registry, name: string, help: string, labelNames: readonly L[]): Counter<L> {
  // The center may rebuild the broker on the same registry (tests, restarts): keep counting, don't throw on re-register.
  const existing = registry.getSingleMetric(name);
  if (existing instanceof Counter) return existing as Counter<L>;
  return new Counter({ name, help, labelNames, registers: [registry] });
}

export function createBrokerMetrics(registry: Registry, connectedClients: () => number): BrokerMetrics {
  // The gauge reads the live broker at scrape time, so it must point at the newest broker.
  registry.removeSingleMetric('cityops_broker_connected_clients');
  new Gauge({
    name: 'cityops_broker_connected_clients',
    help: 'MQTT clients currently connected and authenticated',
    registers: [registry],
    collect() {
      this.set(connectedClients());
    },
  });
  return {
    authFailures: counter(registry, 'cityops_broker_auth_failures_total', 'Refused MQTT CONNECTs by reason', ['reason']),
    publishDenied: counter(registry, 'cityops_broker_publish_denied_total', 'PUBLISHes dropped by the ACL or size limit', ['reason']),
    statusInvalid: counter(registry, 'cityops_broker_status_invalid_total', 'Status / Last Will payloads that failed validation', ['source']),
    telemetryFailures: counter(registry, 'cityops_broker_telemetry_failures_total', 'Telemetry the center could not make durable (PUBACK withheld)', []),
    clientErrors: counter(registry, 'cityops_broker_client_errors_total', 'Connections closed for protocol errors or misbehaviour', ['kind']),
    connectionsRefused: counter(registry, 'cityops_broker_connections_refused_total', 'Connections refused before MQTT (max_connections, connection_rate)', ['reason']),
    connectionsDropped: counter(registry, 'cityops_broker_connections_dropped_total', 'Connections dropped by the broker (too_large, malformed, connect_first, protocol_level, slow_packet, connect_timeout, credentials_revoked)', ['reason']),
    limitExceeded: counter(registry, 'cityops_broker_limit_exceeded_total', 'Devices disconnected for exceeding a limit (publish_rate, inflight, topic)', ['limit']),
    loginLockouts: counter(registry, 'cityops_broker_login_lockouts_total', 'Lockouts after repeated failed logins, by scope (address, username)', ['scope']),
  };
}
