import { describe, expect, it } from 'vitest';
import { alertTopic, gatewayTelemetryTopic, parseTopic, statusTopic, telemetryTopic } from './topics.ts';

describe('topics (contracts §1)', () => {
  it('round-trips every topic kind', () => {
    expect(parseTopic('hcmc', telemetryTopic('hcmc', 'flood', 'flood-001'))).toEqual({ kind: 'telemetry', domain: 'flood', sensorId: 'flood-001' });
    expect(parseTopic('hcmc', statusTopic('hcmc', 'air', 'air-us-consulate'))).toEqual({ kind: 'status', domain: 'air', sensorId: 'air-us-consulate' });
    expect(parseTopic('hcmc', gatewayTelemetryTopic('hcmc', 'gw-q1'))).toEqual({ kind: 'gateway', gatewayId: 'gw-q1' });
    expect(parseTopic('hcmc', alertTopic('hcmc', 'traffic', 'a1'))).toEqual({ kind: 'alert', domain: 'traffic', alertId: 'a1' });
  });

  it.each([
    'city/danang/flood/flood-001/telemetry',
    'city/hcmc/water/flood-001/telemetry',
    'city/hcmc/flood/Flood-001/telemetry',
    'city/hcmc/flood/f/telemetry',
    'city/hcmc/flood/+/telemetry',
    'city/hcmc/flood/#',
    'city/hcmc/flood/flood-001/telemetry/extra',
    'city/hcmc/flood/flood-001/command',
    'city/hcmc/gateway/gw-1/status',
    '$SYS/broker/uptime',
    '',
  ])('rejects %j', (topic) => {
    expect(parseTopic('hcmc', topic)).toBeNull();
  });
});
