// Test fixture (not exported from index.ts): a raw TCP peer that speaks MQTT bytes,
// for the hostile inputs a well-behaved client library refuses to produce.
import net from 'node:net';
import mqttPacket, { type Packet } from 'mqtt-packet';

export interface RawPeer {
  socket: net.Socket;
  /** packets parsed from what the broker sent */
  received: Packet[];
  /** resolves when the broker closes the connection */
  closed: Promise<void>;
  isClosed(): boolean;
  write(bytes: Buffer | readonly number[]): void;
  send(packet: Packet): void;
  /** resolves with the first received packet of this kind */
  next(cmd: Packet['cmd'], timeoutMs?: number): Promise<Packet>;
}

export const encode = (packet: Packet): Buffer => mqttPacket.generate(packet, { protocolVersion: 4 });

export function connectPacket(
  options: { clientId?: string; username?: string; password?: string; keepalive?: number; protocolVersion?: number; clean?: boolean } = {},
): Packet {
  return {
    cmd: 'connect',
    protocolId: 'MQTT',
    protocolVersion: (options.protocolVersion ?? 4) as 4,
    clean: options.clean ?? true,
    clientId: options.clientId ?? `raw-${Math.random().toString(36).slice(2, 8)}`,
    keepalive: options.keepalive ?? 0,
    ...(options.username === undefined ? {} : { username: options.username }),
    ...(options.password === undefined ? {} : { password: Buffer.from(options.password) }),
  };
}

export async function rawPeer(port: number, host = '127.0.0.1'): Promise<RawPeer> {
  const socket = net.connect(port, host);
  socket.setNoDelay(true);
  socket.on('error', () => undefined);
  const received: Packet[] = [];
  const parser = mqttPacket.parser({ protocolVersion: 4 });
  parser.on('packet', (p: Packet) => received.push(p));
  parser.on('error', () => undefined);
  socket.on('data', (d: Buffer) => parser.parse(d));
  let isClosed = false;
  const closed = new Promise<void>((resolve) =>
    socket.once('close', () => {
      isClosed = true;
      resolve();
    }),
  );
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('error', reject);
  });
  return {
    socket,
    received,
    closed,
    isClosed: () => isClosed,
    write: (bytes) => {
      if (!socket.destroyed) socket.write(Buffer.from(bytes));
    },
    send: (packet) => {
      if (!socket.destroyed) socket.write(encode(packet));
    },
    async next(cmd, timeoutMs = 5_000) {
      const start = Date.now();
      for (;;) {
        const found = received.find((p) => p.cmd === cmd);
        if (found !== undefined) return found;
        if (Date.now() - start > timeoutMs) throw new Error(`no ${cmd} within ${timeoutMs} ms`);
        if (isClosed) throw new Error(`closed before ${cmd}`);
        await new Promise((r) => setTimeout(r, 5));
      }
    },
  };
}

/** Resolves with how long the broker took to close the connection, or rejects after `timeoutMs`. */
export async function closedWithin(peer: RawPeer, timeoutMs: number): Promise<number> {
  const start = Date.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      peer.closed,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`connection still open after ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
    peer.socket.destroy();
  }
  return Date.now() - start;
}
