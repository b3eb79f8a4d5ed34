import net from 'node:net';
import type http from 'node:http';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocketServer, createWebSocketStream, type WebSocket } from 'ws';

/** Hands a new connection to the broker (admission, packet guard, Aedes). */
export type AcceptConnection = (conn: Duplex, remoteAddress: string | undefined, req?: http.IncomingMessage) => void;

export interface TcpTransport {
  server: net.Server;
  listen(host: string, port: number): Promise<number>;
  close(): Promise<void>;
}

/** Plain MQTT over TCP, or over TLS when `tlsOptions` are given. */
export function createTcpTransport(accept: AcceptConnection, logger: Logger, tlsOptions?: tls.TlsOptions): TcpTransport {
  const sockets = new Set<net.Socket>();
  const onSocket = (socket: net.Socket): void => {
    socket.setNoDelay(true); // (a TLS socket too: its own, not only the listener's, setting)
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    accept(socket, socket.remoteAddress);
  };
  // Nagle holds small PUBACKs back by tens of ms (platform-notes); devices send small packets.
  const server =
    tlsOptions === undefined
      ? net.createServer({ noDelay: true }, onSocket)
      : tls.createServer({ ...tlsOptions, noDelay: true }, onSocket);
  server.on('error', (err) => logger.error({ err }, 'mqtt tcp server error'));
  // A failed TLS handshake (plain MQTT on the TLS port, a scanner) is not a broker error.
  server.on('tlsClientError', (err: Error) => logger.debug({ err: err.message }, 'mqtt tls handshake failed'));

  return {
    server,
    listen(host, port) {
      return new Promise((resolve, reject) => {
        const onError = (err: Error) => reject(err);
        server.once('error', onError);
        // On '::' Node leaves IPV6_V6ONLY off, so one socket serves IPv4 (mapped) and IPv6.
        server.listen({ host, port, ipv6Only: false }, () => {
          server.off('error', onError);
          const address = server.address();
          resolve(typeof address === 'object' && address !== null ? address.port : port);
        });
      });
    },
    close() {
      return new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        if (!server.listening) return resolve();
        server.close(() => resolve());
      });
    },
  };
}

export interface WebSocketTransport {
  close(): Promise<void>;
}

/**
 * MQTT over WebSocket on a shared HTTP server. Only upgrades for `path` are
 * taken; anything else (Socket.IO's `/socket.io/`) is left to its own listener.
 */
export function attachWebSocketTransport(accept: AcceptConnection, server: http.Server, path: string, logger: Logger): WebSocketTransport {
  const wss = new WebSocketServer({ noServer: true, clientTracking: true });
  wss.on('error', (err) => logger.error({ err }, 'mqtt websocket server error'));

  const onUpgrade = (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (pathname !== path) return;
    if (socket instanceof net.Socket) socket.setNoDelay(true);
    wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      const stream = createWebSocketStream(ws);
      // Aedes attaches its own error handling once it takes the stream; this covers the gap before.
      stream.on('error', (err) => logger.debug({ err }, 'mqtt websocket stream error'));
      accept(stream, req.socket.remoteAddress, req);
    });
  };
  server.on('upgrade', onUpgrade);

  return {
    close() {
      server.off('upgrade', onUpgrade);
      for (const ws of wss.clients) ws.terminate();
      return new Promise((resolve) => wss.close(() => resolve()));
    },
  };
}
