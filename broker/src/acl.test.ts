import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allowSubscribe, decidePublish, DEFAULT_PAYLOAD_LIMITS } from './acl.ts';
import type { DevicePrincipal } from './types.ts';

const sensor: DevicePrincipal = { id: 'flood-001', kind: 'sensor', domain: 'flood' };
const gateway: DevicePrincipal = { id: 'gw-1', kind: 'gateway', sensorIds: ['flood-002'] };
const integrator: DevicePrincipal = { id: 'portal', kind: 'integrator' };
const allowed = (principal: DevicePrincipal | null, topic: string, bytes = 10) => decidePublish('hcmc', principal, topic, bytes).allow;

describe('decidePublish', () => {
  it('lets a sensor publish telemetry and status on its own topics only', () => {
    expect(decidePublish('hcmc', sensor, 'city/hcmc/flood/flood-001/telemetry', 10)).toEqual({
      allow: true,
      parsed: { kind: 'telemetry', domain: 'flood', sensorId: 'flood-001' },
    });
    expect(allowed(sensor, 'city/hcmc/flood/flood-001/status')).toBe(true);
    expect(allowed(sensor, 'city/hcmc/flood/flood-002/telemetry')).toBe(false);
    expect(allowed(sensor, 'city/hcmc/air/flood-001/telemetry')).toBe(false);
    expect(allowed(sensor, 'city/hanoi/flood/flood-001/telemetry')).toBe(false);
    expect(allowed(sensor, 'city/hcmc/flood/flood-001/cmd')).toBe(false);
    expect(allowed(sensor, 'city/hcmc/gateway/flood-001/telemetry')).toBe(false);
  });

  it('lets a gateway publish only its own batch topic', () => {
    expect(allowed(gateway, 'city/hcmc/gateway/gw-1/telemetry')).toBe(true);
    expect(allowed(gateway, 'city/hcmc/gateway/gw-2/telemetry')).toBe(false);
    expect(allowed(gateway, 'city/hcmc/flood/flood-002/telemetry')).toBe(false);
  });

  it('lets integrators publish nothing and anonymous-dev any non-alert contract topic', () => {
    expect(allowed(integrator, 'city/hcmc/flood/flood-001/telemetry')).toBe(false);
    expect(allowed(null, 'city/hcmc/flood/flood-001/telemetry')).toBe(true);
    expect(allowed(null, 'city/hcmc/gateway/gw-9/telemetry')).toBe(true);
    expect(allowed(null, 'city/hcmc/air/air-1/status')).toBe(true);
    expect(allowed(null, 'city/hcmc/alerts/flood/a1')).toBe(false);
    expect(allowed(null, '$SYS/broker/x')).toBe(false);
    expect(allowed(null, 'city/hanoi/air/air-1/status')).toBe(false);
  });

  it('enforces per-kind payload limits as too_large', () => {
    const sensorTopic = 'city/hcmc/flood/flood-001/telemetry';
    expect(decidePublish('hcmc', sensor, sensorTopic, DEFAULT_PAYLOAD_LIMITS.sensor).allow).toBe(true);
    expect(decidePublish('hcmc', sensor, sensorTopic, DEFAULT_PAYLOAD_LIMITS.sensor + 1)).toMatchObject({ allow: false, reason: 'too_large' });
    expect(decidePublish('hcmc', gateway, 'city/hcmc/gateway/gw-1/telemetry', 60 * 1024).allow).toBe(true);
    expect(decidePublish('hcmc', gateway, 'city/hcmc/gateway/gw-1/telemetry', 64 * 1024 + 1)).toMatchObject({ reason: 'too_large' });
    // An unauthorized topic is reported as such even when also too large.
    expect(decidePublish('hcmc', sensor, 'city/hcmc/flood/x-9/telemetry', 1e6)).toMatchObject({ reason: 'not_authorized' });
  });

  it('never lets anyone publish alerts or outside the city tree (property)', () => {
    const principals = fc.constantFrom<DevicePrincipal | null>(sensor, gateway, integrator, null);
    const segment = fc.constantFrom('city', 'hcmc', 'hanoi', 'alerts', 'flood', 'gateway', 'flood-001', 'gw-1', 'telemetry', 'status', '$SYS', '');
    fc.assert(
      fc.property(principals, fc.array(segment, { minLength: 1, maxLength: 6 }), (principal, parts) => {
        const topic = parts.join('/');
        const decision = decidePublish('hcmc', principal, topic, 1);
        if (decision.allow) {
          expect(topic.startsWith('city/hcmc/')).toBe(true);
          expect(decision.parsed.kind).not.toBe('alert');
          expect(principal?.kind).not.toBe('integrator');
        }
      }),
    );
  });
});

describe('allowSubscribe', () => {
  it('confines devices to their own subtree', () => {
    expect(allowSubscribe('hcmc', sensor, 'city/hcmc/flood/flood-001/#')).toBe(true);
    expect(allowSubscribe('hcmc', sensor, 'city/hcmc/flood/flood-001/cmd')).toBe(true);
    expect(allowSubscribe('hcmc', sensor, 'city/hcmc/flood/flood-001')).toBe(false);
    expect(allowSubscribe('hcmc', sensor, 'city/hcmc/flood/+/#')).toBe(false);
    expect(allowSubscribe('hcmc', sensor, 'city/hcmc/flood/#')).toBe(false);
    expect(allowSubscribe('hcmc', gateway, 'city/hcmc/gateway/gw-1/#')).toBe(true);
    expect(allowSubscribe('hcmc', gateway, 'city/hcmc/gateway/+/#')).toBe(false);
  });

  it('gives integrators this city read-only and nothing else', () => {
    expect(allowSubscribe('hcmc', integrator, 'city/hcmc/#')).toBe(true);
    expect(allowSubscribe('hcmc', integrator, 'city/hcmc/+/+/telemetry')).toBe(true);
    expect(allowSubscribe('hcmc', integrator, 'city/+/#')).toBe(false);
    expect(allowSubscribe('hcmc', integrator, '#')).toBe(false);
    expect(allowSubscribe('hcmc', integrator, '$SYS/#')).toBe(false);
    expect(allowSubscribe('hcmc', integrator, '$share/g/city/hcmc/#')).toBe(false);
  });

  it('lets only the development-mode anonymous client see $SYS', () => {
    expect(allowSubscribe('hcmc', null, '$SYS/#')).toBe(true);
    expect(allowSubscribe('hcmc', null, '#')).toBe(true);
  });
});
