import type { Reading } from '@cityops/contracts';
import type { PrincipalLike, SensorLookup, StepRejection } from './types.ts';

// principal.sensorIds is an array from the device registry; the Set is built once
// per principal object and reused for every reading of every batch it sends.
const allowedSets = new WeakMap<readonly string[], ReadonlySet<string>>();

/**
 * authorize: a gateway may speak only for the sensors registered to it. The
 * broker has already checked the topic ACL; a sensor's own topic carries only
 * its own readings, so sensor messages need nothing here.
 */
export function authorizeGatewayReading(
  gatewayId: string,
  principal: PrincipalLike | null,
  reading: Reading,
): StepRejection {
  if (principal === null) return null; // anonymous development mode
  const ids = principal.sensorIds;
  if (ids !== undefined) {
    let allowed = allowedSets.get(ids);
    if (allowed === undefined) allowedSets.set(ids, (allowed = new Set(ids)));
    if (allowed.has(reading.sensorId)) return null;
  }
  return {
    reason: 'not_authorized',
    detail: `gateway ${gatewayId} (device ${principal.id}) may not speak for sensor ${reading.sensorId}: it is not registered to it`,
  };
}

/** enrich: the sensor must be registered for this domain; fills reading.district. */
export function enrichReading(sensors: SensorLookup, reading: Reading): StepRejection {
  const info = sensors.get(reading.sensorId);
  if (info === undefined) {
    return { reason: 'unknown_sensor', detail: `sensor ${reading.sensorId} is not in the sensor registry` };
  }
  if (info.domain !== reading.domain) {
    return {
      reason: 'wrong_domain',
      detail: `sensor ${reading.sensorId} is registered as ${info.domain}, not ${reading.domain}`,
    };
  }
  reading.district = info.district;
  return null;
}
