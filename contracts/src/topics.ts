import { isDomain, type Domain } from './domains.ts';

/** contracts §1: `{sensorId}` (and gateway ids) match this. */
export const SENSOR_ID_PATTERN = /^[a-z0-9][a-z0-9_-]{1,63}$/;

export function isSensorId(value: unknown): value is string {
  return typeof value === 'string' && SENSOR_ID_PATTERN.test(value);
}

export const telemetryTopic = (city: string, domain: Domain, sensorId: string): string =>
  `city/${city}/${domain}/${sensorId}/telemetry`;

export const statusTopic = (city: string, domain: Domain, sensorId: string): string =>
  `city/${city}/${domain}/${sensorId}/status`;

export const gatewayTelemetryTopic = (city: string, gatewayId: string): string =>
  `city/${city}/gateway/${gatewayId}/telemetry`;

export const alertTopic = (city: string, domain: Domain, alertId: string): string =>
  `city/${city}/alerts/${domain}/${alertId}`;

export type ParsedTopic =
  | { kind: 'telemetry'; domain: Domain; sensorId: string }
  | { kind: 'status'; domain: Domain; sensorId: string }
  | { kind: 'gateway'; gatewayId: string }
  | { kind: 'alert'; domain: Domain; alertId: string };

/**
 * Parses a topic of this city's tree. Returns null for anything that is not
 * one of the contract's topics (other cities, wildcards, `$SYS`, malformed ids).
 */
export function parseTopic(city: string, topic: string): ParsedTopic | null {
  const parts = topic.split('/');
  if (parts.length < 4 || parts[0] !== 'city' || parts[1] !== city) return null;
  if (parts.length === 4 && parts[2] === 'gateway') return null;
  if (parts.length === 5) {
    const [, , second, id, leaf] = parts as [string, string, string, string, string];
    if (second === 'gateway') {
      return leaf === 'telemetry' && isSensorId(id) ? { kind: 'gateway', gatewayId: id } : null;
    }
    if (second === 'alerts') {
      return isDomain(id) && leaf.length > 0 && !leaf.includes('+') && !leaf.includes('#')
        ? { kind: 'alert', domain: id, alertId: leaf }
        : null;
    }
    if (!isDomain(second) || !isSensorId(id)) return null;
    if (leaf === 'telemetry') return { kind: 'telemetry', domain: second, sensorId: id };
    if (leaf === 'status') return { kind: 'status', domain: second, sensorId: id };
  }
  return null;
}
