import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CITY, closeAllClients, connect, metricValue, reading, startHarness, type Harness } from './test-support.ts';

const TOPIC = (id: string) => `city/${CITY}/flood/${id}/telemetry`;
const closed = (client: Awaited<ReturnType<typeof connect>>) => new Promise<void>((resolve) => client.once('close', () => resolve()));

describe('sessions of rotated or removed credentials', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ connectionLimits: { credentialCheckMs: 100 } });
  });
  afterEach(closeAllClients);
  afterAll(async () => {
    await closeAllClients();
    await h.close();
  });

  it('closes a connected device\'s session once its secret is rotated; the new secret works', async () => {
    const creds = await h.accounts.add({ id: 'flood-020', kind: 'sensor', domain: 'flood' });
    const bystander = await h.accounts.add({ id: 'flood-021', kind: 'sensor', domain: 'flood' });
    const device = await connect(h.url(), { username: creds.username, password: creds.password });
    const other = await connect(h.url(), { username: bystander.username, password: bystander.password });
    await device.publishAsync(TOPIC('flood-020'), reading(), { qos: 1 });
    const gone = closed(device);
    const rotated = await h.accounts.rotate('flood-020');
    await gone;
    expect(await metricValue(h.registry, 'cityops_broker_connections_dropped_total', { reason: 'credentials_revoked' })).toBe(1);
    expect(await connect(h.url(), { username: creds.username, password: creds.password }).catch((e: unknown) => e)).toMatchObject({ code: 4 });
    const back = await connect(h.url(), { username: rotated.username, password: rotated.password });
    await new Promise((r) => setTimeout(r, 300)); // several sweeps: the new session stays
    expect(back.connected).toBe(true);
    expect(other.connected).toBe(true);
  });

  it('closes the session of a removed device', async () => {
    const creds = await h.accounts.add({ id: 'flood-022', kind: 'sensor', domain: 'flood' });
    const device = await connect(h.url(), { username: creds.username, password: creds.password });
    const gone = closed(device);
    expect(h.accounts.remove('flood-022')).toBe(true);
    await gone;
    expect(await metricValue(h.registry, 'cityops_broker_connections_dropped_total', { reason: 'credentials_revoked' })).toBe(2);
  });
});
