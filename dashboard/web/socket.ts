import type { ClientToServerEvents, ServerToClientEvents } from '@cityops/contracts';
import { io, type Socket } from 'socket.io-client';

export type LiveSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
export type ConnectionState = 'connected' | 'reconnecting' | 'offline';

export interface LiveHandlers {
  onState(state: ConnectionState): void;
  /** The page's first connection: events from before it were never sent to it. */
  onFirstConnect(): void;
  /** After a reconnect: events were missed, the caller reloads its snapshot. */
  onResync(): void;
  /** The server no longer accepts our session. */
  onUnauthorized(): void;
}

/** Same-origin connection: the httpOnly session cookie authenticates the handshake. */
export function connectLive(handlers: LiveHandlers): LiveSocket {
  const socket: LiveSocket = io({ withCredentials: true, reconnectionDelayMax: 10_000 });
  let everConnected = false;

  socket.on('connect', () => {
    handlers.onState('connected');
    if (everConnected) handlers.onResync();
    else handlers.onFirstConnect();
    everConnected = true;
  });
  socket.on('disconnect', (reason) => {
    // The server said goodbye on purpose (sign-out, shutdown): socket.io will not retry on its own.
    if (reason === 'io server disconnect') {
      handlers.onState('offline');
      setTimeout(() => socket.connect(), 2000);
    } else {
      handlers.onState('reconnecting');
    }
  });
  socket.on('connect_error', (err) => {
    if (err.message === 'CITYOPS_DASHBOARD_UNAUTHENTICATED') {
      socket.disconnect();
      handlers.onUnauthorized();
      return;
    }
    handlers.onState('reconnecting');
  });
  return socket;
}
