import type { Duplex } from 'node:stream';
import type http from 'node:http';
import type { Aedes, Client } from 'aedes';
import type { Logger } from 'pino';
import type { ConnectionLimits } from './limits.ts';
import type { BrokerMetrics } from './metrics.ts';
import { createPacketGuard, type GuardViolation, type PacketGuard } from './packet-guard.ts';
import { createTokenBuckets } from './token-buckets.ts';

/**
 * Admission and byte-level protection for every transport (TCP, TLS,
 * WebSocket): the connection cap and per-address connection rate are checked
 * before Aedes sees the socket; afterwards each chunk passes the packet guard
 * before Aedes' parser buffers it, and a sweep drops connections that never
 * send CONNECT or leave a packet incomplete for too long.
 */

export type DropReason = GuardViolation | 'connect_timeout';

const UNACCEPTABLE_PROTOCOL = Buffer.from([0x20, 0x02, 0x00, 0x01]);

export interface ConnectionGuard {
  /** Takes a new connection: refuses it, or hands it to Aedes with the guard attached. */
  accept(conn: Duplex, remoteAddress: string | undefined, req?: http.IncomingMessage): void;
  /** the client address a connection came from ('unknown' if the transport did not say) */
  addressOf(client: Client): string;
  readonly open: number;
  close(): void;
}

interface Tracked {
  conn: Duplex;
  guard: PacketGuard;
  openedAt: number;
  address: string;
  dropped: boolean;
}

interface ParserLike {
  parse(buf: Buffer): unknown;
}

/** '::ffff:10.0.0.1' (an IPv4 peer on a dual-stack socket) and '10.0.0.1' are the same address. */
export function normalizeAddress(address: string | undefined): string {
  if (address === undefined || address === '') return 'unknown';
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

export function createConnectionGuard(aedes: Aedes, limits: ConnectionLimits, metrics: BrokerMetrics, logger: Logger): ConnectionGuard {
  const tracked = new Set<Tracked>();
  const addresses = new WeakMap<Client, string>();
  const rate = createTokenBuckets(limits.connectionRate);

  const drop = (entry: Tracked, reason: DropReason, clientId: string | null): void => {
    if (entry.dropped || entry.conn.destroyed) return;
    entry.dropped = true;
    metrics.connectionsDropped.inc({ reason });
    logger.warn({ address: entry.address, clientId, reason }, 'mqtt connection dropped');
    // [MQTT-3.1.2-2]: CONNACK 0x01 "unacceptable protocol version", then close.
    if (reason === 'protocol_level') {
      entry.conn.end(UNACCEPTABLE_PROTOCOL);
      setTimeout(() => entry.conn.destroy(), 1_000).unref();
    } else {
      entry.conn.destroy();
    }
  };

  // One timer for all connections instead of one per connection and packet.
  const sweepEvery = Math.max(50, Math.min(1_000, Math.floor(Math.min(limits.connectTimeoutMs, limits.packetTimeoutMs) / 4)));
  const sweep = setInterval(() => {
    const now = Date.now();
    for (const entry of tracked) {
      if (entry.guard.packets === 0 && now - entry.openedAt > limits.connectTimeoutMs) drop(entry, 'connect_timeout', null);
      else if (entry.guard.partialSince !== null && now - entry.guard.partialSince > limits.packetTimeoutMs) drop(entry, 'slow_packet', null);
    }
  }, sweepEvery);
  sweep.unref();

  return {
    get open() {
      return tracked.size;
    },

    accept(conn, remoteAddress, req) {
      const address = normalizeAddress(remoteAddress);
      const refuse = (reason: 'max_connections' | 'connection_rate'): void => {
        metrics.connectionsRefused.inc({ reason });
        logger.warn({ address, reason }, 'mqtt connection refused');
        conn.destroy();
      };
      if (tracked.size >= limits.maxConnections) return refuse('max_connections');
      if (!rate.take(address, Date.now())) return refuse('connection_rate');

      const entry: Tracked = { conn, guard: createPacketGuard(limits), openedAt: Date.now(), address, dropped: false };
      tracked.add(entry);
      conn.once('close', () => tracked.delete(entry));
      const client = aedes.handle(conn, req) as Client;
      addresses.set(client, address);
      // Aedes feeds each read to its mqtt-packet parser; the guard sees the bytes first.
      const parser = (client as unknown as { _parser: ParserLike })._parser;
      const parse = parser.parse.bind(parser);
      parser.parse = (buf: Buffer) => {
        if (entry.dropped) return undefined;
        const violation = entry.guard.scan(buf, Date.now());
        if (violation === null) return parse(buf);
        drop(entry, violation, client.id ?? null);
        return undefined;
      };
    },

    addressOf(client) {
      return addresses.get(client) ?? 'unknown';
    },

    close() {
      clearInterval(sweep);
    },
  };
}
