import type { EventEmitter } from 'node:events';
import http from 'node:http';
import https from 'node:https';
import { parseTopic } from '@cityops/contracts';
import { Aedes, type Client, type PublishPacket, type Subscription } from 'aedes';
import { decidePublish, allowSubscribe, DEFAULT_PAYLOAD_LIMITS } from './acl.ts';
import { createAuthenticate, type PrincipalRegistry } from './auth.ts';
import { createConnectionGuard } from './connection-guard.ts';
import { invalidTopic, limitExceeded, notListening, publishFailed, telemetryFailed } from './errors.ts';
import { resolveLimits, topicExceeds } from './limits.ts';
import { createLoginThrottle } from './login-throttle.ts';
import { createBrokerMetrics } from './metrics.ts';
import { parseStatus } from './status.ts';
import { createBrokerPersistence } from './persistence.ts';
import { createTokenBuckets } from './token-buckets.ts';
import { attachWebSocketTransport, createTcpTransport, type TcpTransport, type WebSocketTransport } from './transports.ts';
import type { CityBroker, CityBrokerOptions, DeniedPublish, DenyReason, InboundPublish, ListeningPorts, PayloadLimits } from './types.ts';

/**
 * Where refused publishes go. MQTT 3.1.1 has no negative PUBACK: the server
 * must either acknowledge normally or close the connection [MQTT-3.3.5-2].
 * Aedes closes the connection whenever authorizePublish reports an error
 * (no PUBACK, `clientError`), and MQTT.js then resends the same message on
 * every reconnect — a refused topic or an oversized payload can never succeed,
 * so that would be an endless reconnect loop and one dead letter per second.
 * Like Mosquitto, we therefore acknowledge and drop: the packet is re-pointed
 * at this `$SYS` topic with an empty payload and no retain flag, so it is
 * neither stored nor delivered (`#`/`+` filters never match `$` topics
 * [MQTT-4.7.2-1] and only the development-mode anonymous client may subscribe
 * to `$SYS`). The refusal is still visible through `onDenied` and the metric.
 * Storage failures are the opposite case and do close the connection (below).
 */
const DROPPED_TOPIC = '$SYS/cityops/dropped';
const EMPTY = Buffer.alloc(0);

type AuthorizePublishCallback = (error?: Error | null) => void;

function dropAndAcknowledge(packet: PublishPacket, callback: AuthorizePublishCallback): void {
  packet.topic = DROPPED_TOPIC;
  packet.payload = EMPTY;
  packet.retain = false;
  callback(null);
}

/** Aedes authorizes a client's Last Will with the very object it stored at CONNECT. */
function isWillOf(client: Client | null, packet: PublishPacket): boolean {
  return client !== null && (client as Client & { will?: unknown }).will === packet;
}

const asBuffer = (payload: string | Buffer): Buffer => (typeof payload === 'string' ? Buffer.from(payload) : payload);

export async function createCityBroker(options: CityBrokerOptions): Promise<CityBroker> {
  const { city, onTelemetry, onDenied, onStatus } = options;
  const logger = options.logger.child({ module: 'broker' });
  const limits: PayloadLimits = { ...DEFAULT_PAYLOAD_LIMITS, ...options.limits };
  const connLimits = resolveLimits(options.connectionLimits);
  const principals: PrincipalRegistry = new WeakMap();
  /** per connection: settles when its latest acknowledgement has been released */
  const ackTails = new WeakMap<Client, Promise<void>>();

  // Packets that arrived in one read are handled concurrently, but [MQTT-4.6.0-2] wants
  // PUBACKs in arrival order: every decision is released only after the previous one.
  function releaseInOrder<T>(client: Client, outcome: Promise<T> | T, release: (value: T) => void): void {
    const turn = (ackTails.get(client) ?? Promise.resolve()).then(() => outcome);
    ackTails.set(client, turn.then(() => undefined));
    void turn.then(release);
  }
  let closing = false;

  // Aedes' own CONNECT timer stays as a backstop to the connection guard's sweep (which counts the drop).
  const persistence = await createBrokerPersistence(options.persistence ?? { kind: 'memory' });
  const aedes = await Aedes.createBroker({
    connectTimeout: connLimits.connectTimeoutMs * 2,
    ...(persistence.instance === undefined ? {} : { persistence: persistence.instance as never }),
  });
  const metrics = createBrokerMetrics(options.metrics, () => (aedes.closed ? 0 : aedes.connectedClients));
  const liveClients = (aedes as Aedes & { clients: Record<string, Client | undefined> }).clients;
  const guard = createConnectionGuard(aedes, connLimits, metrics, logger);
  const publishRate = createTokenBuckets(connLimits.publishRate);
  // A gateway speaks for many sensors (and replays backlogs after an outage): ten times the rate.
  const gatewayRate = createTokenBuckets({ perSecond: connLimits.publishRate.perSecond * 10, burst: connLimits.publishRate.burst * 10 });
  /** per connection: QoS 1/2 telemetry awaiting its durable PUBACK */
  const inflight = new WeakMap<Client, number>();

  /** connected clients per device id, for the per-device connection cap */
  const deviceClients = new Map<string, Set<Client>>();
  const EMPTY_SET: ReadonlySet<Client> = new Set();
  aedes.on('client', (client) => {
    const id = principals.get(client)?.id;
    if (id === undefined) return;
    let set = deviceClients.get(id);
    if (set === undefined) deviceClients.set(id, (set = new Set()));
    set.add(client);
  });
  aedes.on('clientDisconnect', (client) => {
    const id = principals.get(client)?.id;
    if (id === undefined) return;
    const set = deviceClients.get(id);
    set?.delete(client);
    if (set?.size === 0) deviceClients.delete(id);
  });

  // Sessions outlive the credentials they logged in with unless someone looks: `cityops devices
  // rotate|remove` runs in another process, so the broker re-reads each device's credential version.
  const credentialVersions = new WeakMap<Client, string>();
  const credentialVersion = options.accounts.credentialVersion?.bind(options.accounts);
  const credentialSweep =
    credentialVersion === undefined
      ? undefined
      : setInterval(() => {
          for (const client of Object.values(liveClients)) {
            const principal = client === undefined ? undefined : principals.get(client);
            if (client === undefined || principal == null) continue;
            const now = credentialVersion(principal.id);
            const then = credentialVersions.get(client);
            if (now !== undefined && (then === undefined || then === now)) continue;
            metrics.connectionsDropped.inc({ reason: 'credentials_revoked' });
            logger.warn({ clientId: client.id, device: principal.id }, 'device credentials rotated or removed: session closed');
            client.close();
          }
        }, connLimits.credentialCheckMs);
  credentialSweep?.unref();

  aedes.authenticate = createAuthenticate({
    allowAnonymous: options.allowAnonymous,
    accounts: options.accounts,
    principals,
    throttle: createLoginThrottle(connLimits.loginFailures),
    addressOf: (client) => guard.addressOf(client),
    clientCertificates: options.tls?.clientCa !== undefined,
    deviceClients: (id) => deviceClients.get(id) ?? EMPTY_SET,
    onPasswordLogin: (client, principal) => {
      const version = credentialVersion?.(principal.id);
      if (version !== undefined) credentialVersions.set(client, version);
    },
    maxConnectionsPerDevice: connLimits.maxConnectionsPerDevice,
    liveClient: (clientId) => liveClients[clientId],
    metrics,
    logger,
  });

  /** Disconnects (through Aedes' error path) a client over a limit; counted and logged. */
  const overLimit = (client: Client, limit: 'publish_rate' | 'inflight' | 'topic', detail: string): Error => {
    metrics.limitExceeded.inc({ limit });
    logger.warn({ clientId: client.id, address: guard.addressOf(client), limit, detail }, 'mqtt client over limit, disconnected');
    return limitExceeded(limit, detail);
  };

  // Callbacks from the center must never take the broker down with them.
  const report = (denied: DeniedPublish): void => {
    metrics.publishDenied.inc({ reason: denied.reason });
    logger.warn(
      { clientId: denied.clientId, username: denied.username, topic: denied.topic, reason: denied.reason, detail: denied.detail },
      'mqtt publish denied',
    );
    try {
      onDenied(denied);
    } catch (err) {
      logger.error({ err }, 'onDenied threw');
    }
  };

  aedes.authorizePublish = (client, packet, callback) => {
    const receivedAt = Date.now();
    const isWill = isWillOf(client, packet);
    const principal = client === null ? undefined : principals.get(client);
    // Wills fired by our own shutdown are not real outages; a closing broker also accepts nothing new.
    if (closing) return callback(new Error('broker is closing'));
    // Only Aedes itself publishes without a client: the stored Last Will of a device that was
    // connected to an earlier run of the center and has not come back within a heartbeat.
    if (client === null) return restoredWill(packet, receivedAt, callback);
    if (principal === undefined) return callback(new Error('publish from an unauthenticated client'));

    // Limits first and cheapest; an error here makes Aedes close the connection.
    const tooBig = topicExceeds(packet.topic, connLimits);
    if (tooBig !== null && !isWill) return callback(overLimit(client, 'topic', tooBig));
    const buckets = principal?.kind === 'gateway' ? gatewayRate : publishRate;
    if (!isWill && !buckets.take(principal?.id ?? `client:${client.id}`, receivedAt)) {
      return callback(overLimit(client, 'publish_rate', `more than ${connLimits.publishRate.perSecond}/s`));
    }

    const payload = asBuffer(packet.payload);
    const decision = decidePublish(city, principal, packet.topic, payload.length, limits);
    const deny = (reason: DenyReason, detail: string): void => {
      report({
        topic: packet.topic,
        payload,
        clientId: client.id,
        username: principal?.id ?? null,
        reason,
        detail,
        receivedAt,
      });
      // A will is published while the client is already gone: nothing to acknowledge.
      if (isWill) callback(new Error(detail));
      else releaseInOrder(client, null, () => dropAndAcknowledge(packet, callback));
    };

    if (!decision.allow) return deny(decision.reason, decision.detail);
    const parsed = decision.parsed;

    if (parsed.kind === 'status') {
      const source = isWill ? 'will' : 'status';
      const status = parseStatus(parsed.domain, parsed.sensorId, payload, source, receivedAt);
      if (!status.ok) {
        metrics.statusInvalid.inc({ source });
        logger.warn({ clientId: client.id, topic: packet.topic, detail: status.detail }, 'invalid status payload ignored');
        // Keep garbage out of the retained tree integrators read.
        if (isWill) return callback(new Error(status.detail));
        return releaseInOrder(client, null, () => dropAndAcknowledge(packet, callback));
      }
      try {
        onStatus(status.event);
      } catch (err) {
        logger.error({ err }, 'onStatus threw');
      }
      return isWill ? callback(null) : releaseInOrder(client, null, () => callback(null));
    }

    if (parsed.kind !== 'telemetry' && parsed.kind !== 'gateway') return deny('not_authorized', `unexpected topic ${packet.topic}`);
    // Readings must be acknowledged only once durable; a will has no one to acknowledge to.
    if (isWill) return deny('not_authorized', 'a Last Will is accepted only on a status topic');

    const message: InboundPublish = {
      topic: packet.topic,
      parsed,
      payload,
      clientId: client.id,
      principal,
      receivedAt,
      qos: packet.qos,
    };
    // Aedes sends the PUBACK (PUBREC for QoS 2) only after this callback, so awaiting the
    // center here is what makes "acknowledged" mean "durable".
    const pending = (inflight.get(client) ?? 0) + 1;
    if (packet.qos > 0 && pending > connLimits.maxInflight) {
      return callback(overLimit(client, 'inflight', `more than ${connLimits.maxInflight} unacknowledged publishes`));
    }
    if (packet.qos > 0) inflight.set(client, pending);
    const outcome = Promise.resolve()
      .then(() => onTelemetry(message))
      .then(
        () => null,
        (err: unknown) => ({ err }),
      )
      .finally(() => {
        if (packet.qos > 0) inflight.set(client, (inflight.get(client) ?? 1) - 1);
      });
    releaseInOrder(client, outcome, (failure) => {
      if (failure === null) return callback(null);
      metrics.telemetryFailures.inc();
      logger.error({ err: failure.err, clientId: client.id, topic: packet.topic }, 'telemetry not made durable');
      // QoS 0 promises nothing, so there is nobody to make retry: just don't relay it.
      if (packet.qos === 0) return dropAndAcknowledge(packet, callback);
      // Withhold the PUBACK: Aedes closes the connection and the device resends the
      // unacknowledged message after reconnecting, by which time storage may be back.
      callback(telemetryFailed(packet.topic, failure.err));
    });
  };

  /**
   * Wills restored from persistence: a status will becomes an outage report like any other
   * will; anything else is dropped. Either way the callback succeeds, because Aedes deletes
   * a stored will only once it has been published (it would retry it every heartbeat).
   */
  function restoredWill(packet: PublishPacket, receivedAt: number, callback: AuthorizePublishCallback): void {
    const parsed = parseTopic(city, packet.topic);
    const payload = asBuffer(packet.payload);
    if (parsed?.kind === 'status' && payload.length <= limits.status) {
      const status = parseStatus(parsed.domain, parsed.sensorId, payload, 'will', receivedAt);
      if (status.ok) {
        try {
          onStatus(status.event);
        } catch (err) {
          logger.error({ err }, 'onStatus threw');
        }
        logger.info({ topic: packet.topic }, 'stored Last Will of a device that did not return after a restart');
        return callback(null);
      }
    }
    logger.warn({ topic: packet.topic }, 'stored Last Will dropped');
    dropAndAcknowledge(packet, callback);
  }

  aedes.authorizeSubscribe = (client, subscription: Subscription, callback) => {
    const tooBig = topicExceeds(subscription.topic, connLimits);
    if (tooBig !== null) return callback(overLimit(client, 'topic', tooBig), null);
    const principal = principals.get(client);
    if (principal !== undefined && allowSubscribe(city, principal, subscription.topic)) {
      return callback(null, subscription);
    }
    logger.warn({ clientId: client.id, filter: subscription.topic }, 'mqtt subscribe denied');
    // null → SUBACK return code 0x80 for this filter; the connection stays up.
    callback(null, null);
  };

  aedes.on('clientError', (client, err) => {
    metrics.clientErrors.inc({ kind: 'client' });
    logger.debug({ clientId: client.id, err: err.message }, 'mqtt client error, connection closed');
  });
  aedes.on('connectionError', (_client, err) => {
    // Garbage or a port scan before any CONNECT.
    metrics.clientErrors.inc({ kind: 'connection' });
    logger.debug({ err: err.message }, 'mqtt connection error before CONNECT, connection closed');
  });
  // Persistence failures surface as 'error' (missing from Aedes' typings); unhandled, it would throw.
  (aedes as EventEmitter).on('error', (err: Error) => logger.error({ err }, 'aedes error'));

  const accept = guard.accept.bind(guard);
  const tcp = createTcpTransport(accept, logger);
  const tlsOptions =
    options.tls === undefined
      ? undefined
      : {
          cert: options.tls.cert,
          key: options.tls.key,
          // Ask for a certificate only when one can log a device in. A missing or unverified
          // one does not fail the handshake: the client must then log in with username/password.
          ...(options.tls.clientCa === undefined ? {} : { ca: options.tls.clientCa, requestCert: true, rejectUnauthorized: false }),
        };
  const secureTcp: TcpTransport | undefined = tlsOptions === undefined ? undefined : createTcpTransport(accept, logger, tlsOptions);
  const wssServer = tlsOptions === undefined || options.tls?.wssPort === undefined ? undefined : https.createServer(tlsOptions);
  wssServer?.on('request', (_req: http.IncomingMessage, res: http.ServerResponse) => {
    res.writeHead(426, { 'content-type': 'text/plain' }).end('MQTT over secure WebSocket: upgrade on /mqtt\n');
  });
  const webSockets: WebSocketTransport[] = [];
  if (wssServer !== undefined) webSockets.push(attachWebSocketTransport(accept, wssServer, '/mqtt', logger));
  let listening: Promise<ListeningPorts> | undefined;
  let closed: Promise<void> | undefined;

  return {
    aedes,

    listen() {
      if (closing) return Promise.reject(notListening());
      listening ??= (async () => {
        const ports: ListeningPorts = { mqttPort: await tcp.listen(options.host, options.mqttPort) };
        if (secureTcp !== undefined) ports.mqttsPort = await secureTcp.listen(options.host, options.tls?.port ?? 8883);
        if (wssServer !== undefined) ports.wssPort = await listenHttps(wssServer, options.host, options.tls?.wssPort ?? 0);
        logger.info({ host: options.host, ...ports }, 'mqtt broker listening');
        return ports;
      })();
      return listening;
    },

    attachWebSocket(server: http.Server, path = '/mqtt') {
      if (closing) throw notListening();
      webSockets.push(attachWebSocketTransport(accept, server, path, logger));
    },

    publishRetained(topic, payload) {
      if (closing) return Promise.reject(notListening());
      if (!topic.startsWith(`city/${city}/`) || topic.includes('+') || topic.includes('#')) {
        return Promise.reject(invalidTopic(topic, `retained publishes must be concrete topics under city/${city}/`));
      }
      const packet: PublishPacket = { cmd: 'publish', topic, payload: asBuffer(payload), qos: 1, retain: true, dup: false };
      return new Promise((resolve, reject) => {
        aedes.publish(packet, (err) => (err ? reject(publishFailed(topic, err)) : resolve()));
      });
    },

    close() {
      closing = true;
      closed ??= (async () => {
        await Promise.all(webSockets.map((ws) => ws.close()));
        await tcp.close();
        await secureTcp?.close();
        if (wssServer?.listening) await new Promise<void>((resolve) => wssServer.close(() => resolve()));
        guard.close();
        clearInterval(credentialSweep);
        await new Promise<void>((resolve) => aedes.close(() => resolve()));
        await persistence.close();
        logger.info('mqtt broker closed');
      })();
      return closed;
    },
  };
}

function listenHttps(server: https.Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port, ipv6Only: false }, () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : port);
    });
  });
}
