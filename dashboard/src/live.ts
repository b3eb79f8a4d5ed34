import type { ClientToServerEvents, ServerToClientEvents } from '@cityops/contracts';
import type { Server as HttpServer } from 'node:http';
import type { Logger } from 'pino';
import { Server, type Socket } from 'socket.io';
import { authenticate, originAllowed, parseAuthorization, SESSION_COOKIE, type Credentials } from './auth.ts';
import type { Operator, OperatorAccounts } from './ports.ts';

interface SocketData {
  operator: Operator;
  /** The session the connection was opened with; absent for Basic-style credentials. */
  sessionToken?: string;
}
export type LiveServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
type LiveSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

export interface LiveHub {
  io: LiveServer;
  /** Disconnects the connections opened with this session (sign-out). */
  endSession(token: string): void;
  close(): void;
}

export interface LiveServerOptions {
  users: OperatorAccounts;
  parseCookie: (header: string) => Record<string, string | undefined>;
  allowedOrigins: readonly string[];
  logger: Logger;
  /** How often open connections are checked against their session's expiry; default 60 s. */
  sessionSweepMs?: number;
}

function credentialsOf(socket: LiveSocket, parseCookie: LiveServerOptions['parseCookie']): { credentials: Credentials; viaCookie: boolean } {
  const auth = (socket.handshake.auth ?? {}) as Record<string, unknown>;
  if (typeof auth.token === 'string' && auth.token) return { credentials: { token: auth.token }, viaCookie: false };
  if (typeof auth.username === 'string' && typeof auth.password === 'string') {
    return { credentials: { basic: { username: auth.username, password: auth.password } }, viaCookie: false };
  }
  const header = parseAuthorization(socket.handshake.headers.authorization);
  if (header.token || header.basic) return { credentials: header, viaCookie: false };
  const cookieHeader = socket.handshake.headers.cookie;
  const token = cookieHeader ? parseCookie(cookieHeader)[SESSION_COOKIE] : undefined;
  return { credentials: token ? { token } : {}, viaCookie: true };
}

/**
 * Socket.IO on the dashboard's HTTP server. destroyUpgrade must stay false:
 * MQTT over WebSocket (/mqtt) listens on the same server's `upgrade` event,
 * and engine.io would otherwise destroy upgrades it does not own.
 */
export function createLiveServer(httpServer: HttpServer, options: LiveServerOptions): LiveHub {
  const log = options.logger;
  const io: LiveServer = new Server(httpServer, { serveClient: false, destroyUpgrade: false });

  io.use((socket, next) => {
    const { credentials, viaCookie } = credentialsOf(socket, options.parseCookie);
    // A cookie rides along on any page's WebSocket to us; only our own pages may use it (cross-site WebSocket hijacking).
    if (viaCookie && !originAllowed(socket.handshake.headers.origin, socket.handshake.headers.host, options.allowedOrigins)) {
      next(new Error('CITYOPS_DASHBOARD_CROSS_ORIGIN'));
      return;
    }
    authenticate(options.users, credentials).then(
      (operator) => {
        if (!operator) {
          next(new Error('CITYOPS_DASHBOARD_UNAUTHENTICATED'));
          return;
        }
        socket.data.operator = operator;
        if (credentials.token) socket.data.sessionToken = credentials.token;
        next();
      },
      (err: unknown) => {
        log.error({ err }, 'socket authentication failed');
        next(new Error('CITYOPS_DASHBOARD_INTERNAL'));
      },
    );
  });

  io.on('connection', (socket) => {
    log.debug({ username: socket.data.operator.username, id: socket.id }, 'live client connected');
  });

  const disconnectWhere = (predicate: (socket: LiveSocket) => boolean): void => {
    for (const socket of io.of('/').sockets.values()) if (predicate(socket)) socket.disconnect(true);
  };

  // A session that expires or is revoked elsewhere (user removed) must not keep streaming.
  const sweep = setInterval(() => {
    disconnectWhere((socket) => socket.data.sessionToken !== undefined && options.users.resolveSession(socket.data.sessionToken) === null);
  }, options.sessionSweepMs ?? 60_000);
  sweep.unref();

  return {
    io,
    endSession: (token) => disconnectWhere((socket) => socket.data.sessionToken === token),
    close() {
      clearInterval(sweep);
      io.disconnectSockets(true);
      io.engine.close();
    },
  };
}
