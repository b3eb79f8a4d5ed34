import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { run } from './interop/run-client.ts';
import { CITY, closeAllClients, connect, eventually, reading, startHarness, type Harness } from './test-support.ts';
import type { DeviceCredentials } from './types.ts';

const TELEMETRY = (id: string) => `city/${CITY}/flood/${id}/telemetry`;

/** A throwaway PKI made with the openssl binary: a CA, the broker's certificate and device certificates. */
function makePki(dir: string) {
  const ossl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const ca = (name: string) => {
    ossl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
      '-subj', `/CN=${name}`, '-keyout', `${name}.key`, '-out', `${name}.crt`);
  };
  const leaf = (name: string, cn: string, signer: string, ext?: string) => {
    ossl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', `/CN=${cn}`,
      '-keyout', `${name}.key`, '-out', `${name}.csr`);
    const extArgs = ext === undefined ? [] : (writeFileSync(path.join(dir, `${name}.ext`), ext), ['-extfile', `${name}.ext`]);
    ossl('x509', '-req', '-in', `${name}.csr`, '-CA', `${signer}.crt`, '-CAkey', `${signer}.key`, '-CAcreateserial',
      '-days', '2', '-out', `${name}.crt`, ...extArgs);
  };
  ca('city-ca');
  ca('rogue-ca');
  leaf('server', 'localhost', 'city-ca', 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\n');
  leaf('flood-001', 'flood-001', 'city-ca');
  leaf('stranger', 'flood-999', 'city-ca');
  leaf('forged', 'flood-001', 'rogue-ca');
  const file = (name: string) => path.join(dir, name);
  const read = (name: string) => readFileSync(file(name));
  return { file, read };
}

describe('MQTT over TLS and secure WebSocket', () => {
  let dir: string;
  let pki: ReturnType<typeof makePki>;
  let h: Harness;
  let sensor: DeviceCredentials;
  let mqttsPort = 0;
  let wssPort = 0;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'cityops-tls-'));
    pki = makePki(dir);
    h = await startHarness({
      host: '::',
      tls: { cert: pki.read('server.crt'), key: pki.read('server.key'), clientCa: pki.read('city-ca.crt'), port: 0, wssPort: 0 },
    });
    const ports = await h.broker.listen();
    mqttsPort = ports.mqttsPort ?? 0;
    wssPort = ports.wssPort ?? 0;
    sensor = await h.accounts.add({ id: 'flood-001', kind: 'sensor', domain: 'flood' });
    await h.accounts.add({ id: 'flood-002', kind: 'sensor', domain: 'flood' });
  });
  afterEach(closeAllClients);
  afterAll(async () => {
    await closeAllClients();
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('listens on its own TLS and WSS ports', () => {
    expect(mqttsPort).toBeGreaterThan(0);
    expect(wssPort).toBeGreaterThan(0);
    expect(new Set([h.port, mqttsPort, wssPort]).size).toBe(3);
  });

  it.each(['127.0.0.1', '::1'])('carries MQTT.js over mqtts:// on %s with username and password', async (host) => {
    const url = `mqtts://${host.includes(':') ? `[${host}]` : host}:${mqttsPort}`;
    // Node 22 compares an IPv6 host with the certificate's IP names as text ("::1" vs OpenSSL's
    // "0:0:0:0:0:0:0:1") and refuses; Node 20 and 24 do not. Over IPv6 the name checked is localhost.
    const servername = host.includes(':') ? { servername: 'localhost' } : {};
    const client = await connect(url, { username: sensor.username, password: sensor.password, clientId: `tls-${host}`, ca: pki.read('city-ca.crt'), ...servername });
    await client.publishAsync(TELEMETRY('flood-001'), reading(), { qos: 1 });
    expect(h.telemetry.some((m) => m.clientId === `tls-${host}`)).toBe(true);
  });

  it('carries MQTT.js over wss:// on /mqtt', async () => {
    const client = await connect(`wss://localhost:${wssPort}/mqtt`, {
      username: sensor.username, password: sensor.password, clientId: 'wss-1', ca: pki.read('city-ca.crt'),
    });
    await client.publishAsync(TELEMETRY('flood-001'), reading(), { qos: 1 });
    expect(h.telemetry.some((m) => m.clientId === 'wss-1')).toBe(true);
  });

  it('logs a device in by its client certificate (CN = device id), without a password — mosquitto_pub', async () => {
    const result = await run('mosquitto_pub', [
      '-h', 'localhost', '-p', String(mqttsPort), '--cafile', pki.file('city-ca.crt'),
      '--cert', pki.file('flood-001.crt'), '--key', pki.file('flood-001.key'),
      '-i', 'cert-pub', '-q', '1', '-t', TELEMETRY('flood-001'), '-m', reading(),
    ]);
    expect(result.code, result.stderr).toBe(0);
    await eventually(() => h.telemetry.some((m) => m.clientId === 'cert-pub'));
    expect(h.telemetry.find((m) => m.clientId === 'cert-pub')?.principal).toMatchObject({ id: 'flood-001', kind: 'sensor' });
  });

  it('logs a device in by its client certificate over wss:// too, and applies its ACL', async () => {
    const client = await connect(`wss://localhost:${wssPort}/mqtt`, {
      clientId: 'cert-wss', ca: pki.read('city-ca.crt'), cert: pki.read('flood-001.crt'), key: pki.read('flood-001.key'),
    });
    await client.publishAsync(TELEMETRY('flood-002'), reading(), { qos: 1 });
    await client.publishAsync(TELEMETRY('flood-001'), reading(), { qos: 1 });
    expect(h.telemetry.filter((m) => m.clientId === 'cert-wss').map((m) => m.topic)).toEqual([TELEMETRY('flood-001')]);
    expect(h.denied.some((d) => d.clientId === 'cert-wss' && d.topic === TELEMETRY('flood-002'))).toBe(true);
  });

  it('refuses a valid certificate that names no registered device (CONNACK 5)', async () => {
    const err = await connect(`mqtts://localhost:${mqttsPort}`, {
      ca: pki.read('city-ca.crt'), cert: pki.read('stranger.crt'), key: pki.read('stranger.key'),
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 5 });
  });

  it('ignores a certificate from another CA: no password, no entry', async () => {
    const err = await connect(`mqtts://localhost:${mqttsPort}`, {
      ca: pki.read('city-ca.crt'), cert: pki.read('forged.crt'), key: pki.read('forged.key'),
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 5 });
  });

  it('drops plain MQTT sent to the TLS port without harm', async () => {
    const err = await connect(`mqtt://127.0.0.1:${mqttsPort}`, { username: sensor.username, password: sensor.password, connectTimeout: 2_000 }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(Error);
    const ok = await connect(`mqtts://localhost:${mqttsPort}`, { username: sensor.username, password: sensor.password, ca: pki.read('city-ca.crt') });
    expect(ok.connected).toBe(true);
  });
});
