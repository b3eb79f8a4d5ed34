import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { Aedes, type AuthenticateError } from 'aedes';

export interface Received {
  topic: string;
  payload: Buffer;
  clientId: string;
  qos: number;
}

export interface TestAedes {
  url: string;
  received: Received[];
  close(): Promise<void>;
}

/**
 * A bare Aedes on a free port: username = password check against `accounts`,
 * subscriptions only for accounts listed in `readers` (like the center's integrators).
 * Records every client PUBLISH with its exact bytes.
 */
export async function startTestAedes(accounts: Record<string, string>, readers: readonly string[] = []): Promise<TestAedes> {
  const broker = await Aedes.createBroker({
    authenticate: (client, username, password, done) => {
      if (username !== undefined && accounts[username] !== undefined && accounts[username] === password?.toString()) {
        (client as unknown as { cityUser?: string }).cityUser = username;
        return done(null, true);
      }
      done(Object.assign(new Error('bad username or password'), { returnCode: 4 }) as AuthenticateError, false);
    },
    authorizeSubscribe: (client, sub, done) => {
      const user = (client as unknown as { cityUser?: string }).cityUser;
      // null → SUBACK 0x80, connection stays up (as the center's broker does)
      done(null, user !== undefined && readers.includes(user) ? sub : null);
    },
  });
  const received: Received[] = [];
  broker.on('publish', (packet, client) => {
    if (!client || packet.topic.startsWith('$SYS')) return;
    received.push({ topic: packet.topic, payload: Buffer.from(packet.payload), clientId: client.id, qos: packet.qos });
  });
  const server = net.createServer((socket) => broker.handle(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `mqtt://127.0.0.1:${port}`,
    received,
    close: async () => {
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
