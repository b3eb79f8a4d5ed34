import { MAX_READING_BYTES, parseTopic, type ParsedTopic } from '@cityops/contracts';
import type { DenyReason, DevicePrincipal, PayloadLimits } from './types.ts';

/**
 * Pure ACL decisions (contracts §1). Everything is denied unless a rule
 * below allows it; `principal === null` means an anonymous client that was
 * let in because the center runs in development mode.
 */

export const DEFAULT_PAYLOAD_LIMITS: Readonly<PayloadLimits> = Object.freeze({
  sensor: MAX_READING_BYTES,
  gateway: 64 * 1024,
  status: 1024,
});

export type PublishDecision =
  | { allow: true; parsed: ParsedTopic }
  | { allow: false; reason: DenyReason; detail: string };

const deny = (reason: DenyReason, detail: string): PublishDecision => ({ allow: false, reason, detail });

function ownsTopic(principal: DevicePrincipal, parsed: ParsedTopic): boolean {
  switch (principal.kind) {
    case 'sensor':
      return (
        (parsed.kind === 'telemetry' || parsed.kind === 'status') &&
        parsed.sensorId === principal.id &&
        parsed.domain === principal.domain
      );
    case 'gateway':
      return parsed.kind === 'gateway' && parsed.gatewayId === principal.id;
    case 'integrator':
      return false;
  }
}

function limitFor(parsed: ParsedTopic, limits: PayloadLimits): number {
  if (parsed.kind === 'gateway') return limits.gateway;
  if (parsed.kind === 'status') return limits.status;
  return limits.sensor;
}

export function decidePublish(
  city: string,
  principal: DevicePrincipal | null,
  topic: string,
  payloadBytes: number,
  limits: PayloadLimits = DEFAULT_PAYLOAD_LIMITS,
): PublishDecision {
  const who = principal === null ? 'anonymous client' : `${principal.kind} "${principal.id}"`;
  const parsed = parseTopic(city, topic);
  // parseTopic already rejects $SYS, other cities, wildcards and malformed ids.
  if (parsed === null) return deny('not_authorized', `${who} may not publish to ${topic}: not a contract topic of city "${city}"`);
  // Alerts are the center's voice; a device writing there could forge or clear an alert.
  if (parsed.kind === 'alert') return deny('not_authorized', `${who} may not publish alerts`);
  if (principal !== null && !ownsTopic(principal, parsed)) {
    return deny('not_authorized', `${who} may not publish to ${topic}`);
  }
  const limit = limitFor(parsed, limits);
  if (payloadBytes > limit) return deny('too_large', `payload of ${payloadBytes} bytes exceeds ${limit} bytes for ${topic}`);
  return { allow: true, parsed };
}

/** Splits a filter into levels and checks that the first `prefix.length` levels equal `prefix` literally. */
function underPrefix(filter: string, prefix: readonly string[]): boolean {
  const levels = filter.split('/');
  if (levels.length <= prefix.length) return false;
  return prefix.every((level, i) => levels[i] === level);
}

/**
 * A device may subscribe only below its own id (e.g. commands addressed to it);
 * integrators read this city's tree; nobody but the development-mode anonymous
 * client sees `$SYS` or another city.
 */
export function allowSubscribe(city: string, principal: DevicePrincipal | null, filter: string): boolean {
  if (principal === null) return true;
  if (filter.startsWith('$')) return false;
  switch (principal.kind) {
    case 'sensor':
      return principal.domain !== undefined && underPrefix(filter, ['city', city, principal.domain, principal.id]);
    case 'gateway':
      return underPrefix(filter, ['city', city, 'gateway', principal.id]);
    case 'integrator':
      return underPrefix(filter, ['city', city]);
  }
}
