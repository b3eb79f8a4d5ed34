// Child process: the CityOps broker as the bench measures it, reporting over IPC.
// onTelemetry stands for the hand-off to ingest: the payload is parsed and validated
// against the contract schema (contracts §2), then the promise resolves (no storage).
import pino from 'pino';
import { Registry } from 'prom-client';
import { Value } from '@sinclair/typebox/value';
import { READING_PAYLOAD_SCHEMAS, type Domain } from '@cityops/contracts';
import { createCityBroker } from '../src/index.ts';
import type { DevicePrincipal } from '../src/index.ts';

let accepted = 0;
let rejected = 0;

const broker = await createCityBroker({
  city: 'hcmc',
  host: '127.0.0.1',
  mqttPort: 0,
  allowAnonymous: false,
  // Credentials are not what is measured: every username is a flood sensor of that id (no scrypt).
  accounts: {
    verify: async (username: string): Promise<DevicePrincipal> => ({ id: username, kind: 'sensor', domain: 'flood' }),
  },
  onTelemetry: async (message) => {
    const domain = message.parsed.kind === 'telemetry' ? message.parsed.domain : ('flood' as Domain);
    let ok = false;
    try {
      ok = Value.Check(READING_PAYLOAD_SCHEMAS[domain], JSON.parse(message.payload.toString('utf8')));
    } catch {
      ok = false;
    }
    if (ok) accepted++;
    else rejected++;
  },
  onDenied: () => undefined,
  onStatus: () => undefined,
  logger: pino({ level: 'warn' }),
  metrics: new Registry(),
  connectionLimits: {
    maxConnections: 50_000,
    connectionRate: { perSecond: 1e9, burst: 1e9 },
    publishRate: { perSecond: 1e9, burst: 1e9 },
    maxInflight: 10_000,
    connectTimeoutMs: 120_000,
  },
});
const { mqttPort } = await broker.listen();
process.send?.({ type: 'ready', port: mqttPort, pid: process.pid });
process.on('message', (msg: { type: string }) => {
  if (msg.type === 'stats') {
    global.gc?.();
    process.send?.({ type: 'stats', accepted, rejected, rss: process.memoryUsage().rss, heapUsed: process.memoryUsage().heapUsed });
  } else if (msg.type === 'stop') {
    void broker.close().then(() => process.exit(0));
  }
});
