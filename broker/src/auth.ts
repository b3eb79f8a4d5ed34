import tls from 'node:tls';
import type { AuthenticateError, Client } from 'aedes';
import type { Logger } from 'pino';
import type { LoginThrottle } from './login-throttle.ts';
import type { BrokerMetrics } from './metrics.ts';
import type { DeviceAccounts, DevicePrincipal } from './types.ts';

/** CONNACK return codes of MQTT 3.1.1 §3.2.2.3 that the broker sends. */
export const CONNACK = {
  IDENTIFIER_REJECTED: 2,
  SERVER_UNAVAILABLE: 3,
  BAD_USERNAME_OR_PASSWORD: 4,
  NOT_AUTHORIZED: 5,
} as const;

/** Who each connection authenticated as; null = anonymous in development mode. */
export type PrincipalRegistry = WeakMap<Client, DevicePrincipal | null>;

type AuthenticateHandler = (
  client: Client,
  username: Readonly<string | undefined>,
  password: Readonly<Buffer | undefined>,
  done: (error: AuthenticateError | null, success: boolean | null) => void,
) => void;

function refusal(returnCode: number, message: string): AuthenticateError {
  return Object.assign(new Error(message), { returnCode }) as AuthenticateError;
}

export interface AuthenticateDeps {
  allowAnonymous: boolean;
  accounts: Pick<DeviceAccounts, 'verify'> & Partial<Pick<DeviceAccounts, 'get'>>;
  principals: PrincipalRegistry;
  /** called once a password login succeeded (to remember the credential version) */
  onPasswordLogin?(client: Client, principal: DevicePrincipal): void;
  throttle: LoginThrottle;
  /** the client address of a connection, for per-address throttling */
  addressOf(client: Client): string;
  /** true when the broker asked TLS clients for a certificate (tls.clientCa) */
  clientCertificates: boolean;
  /** the connected clients of one device (all client ids) */
  deviceClients(deviceId: string): ReadonlySet<Client>;
  maxConnectionsPerDevice: number;
  /** the clients currently registered in Aedes, by client id */
  liveClient(clientId: string): Client | undefined;
  metrics: BrokerMetrics;
  logger: Logger;
}

/**
 * The device id a verified client certificate names (its subject CN), or null.
 * Over WebSocket the TLS socket is the HTTP request's, not the MQTT stream.
 */
export function certificateIdentity(client: Client): string | null {
  const req = (client as Client & { req?: { socket?: unknown } }).req;
  const socket = client.conn instanceof tls.TLSSocket ? client.conn : req?.socket instanceof tls.TLSSocket ? req.socket : null;
  if (socket === null || !socket.authorized) return null;
  const cn = socket.getPeerCertificate().subject?.CN;
  return typeof cn === 'string' && cn !== '' ? cn : null;
}

export function createAuthenticate(deps: AuthenticateDeps): AuthenticateHandler {
  const { allowAnonymous, accounts, principals, metrics, logger } = deps;

  const refuse = (client: Client, reason: string, code: number, message: string, done: Parameters<AuthenticateHandler>[3]) => {
    metrics.authFailures.inc({ reason });
    logger.warn({ clientId: client.id, reason }, 'mqtt connect refused');
    done(refusal(code, message), false);
  };

  // Aedes closes the older connection when a client id is reused. Allow that for the
  // same device (a reconnect), but never let one device knock another off the network.
  const admit = (client: Client, principal: DevicePrincipal, done: Parameters<AuthenticateHandler>[3]): void => {
    const holder = deps.liveClient(client.id);
    if (holder !== undefined && holder !== client) {
      const holderPrincipal = principals.get(holder);
      if (holderPrincipal?.id !== principal.id) {
        return refuse(client, 'client_id_taken', CONNACK.IDENTIFIER_REJECTED, 'client id is in use by another device', done);
      }
    }
    // One stolen credential must not fill the broker: a device gets a few connections, not thousands.
    // The holder of the same client id does not count: Aedes closes it for this one [MQTT-3.1.4-2].
    const others = [...deps.deviceClients(principal.id)].filter((c) => c !== holder && c !== client).length;
    if (others >= deps.maxConnectionsPerDevice) {
      metrics.limitExceeded.inc({ limit: 'device_connections' });
      return refuse(client, 'device_connections', CONNACK.SERVER_UNAVAILABLE, `device has ${others} connections already`, done);
    }
    principals.set(client, principal);
    done(null, true);
  };

  return (client, username, password, done) => {
    if (deps.clientCertificates) {
      const certId = certificateIdentity(client);
      if (certId !== null && (username === undefined || username === '' || username === certId)) {
        // The TLS layer verified the certificate against the configured CA; the CN must be a registered device.
        const principal = deps.accounts.get?.(certId);
        if (principal === undefined) {
          return refuse(client, 'unknown_certificate', CONNACK.NOT_AUTHORIZED, 'certificate names no registered device', done);
        }
        return admit(client, principal, done);
      }
    }
    if (username === undefined || username === '') {
      // [MQTT-3.1.2-19]: no user name → we treat the client as anonymous.
      if (!allowAnonymous) return refuse(client, 'anonymous', CONNACK.NOT_AUTHORIZED, 'anonymous clients are not allowed', done);
      principals.set(client, null);
      return done(null, true);
    }
    const address = deps.addressOf(client);
    // Refused before any hash is computed, so a locked-out attacker costs no CPU.
    const lock = deps.throttle.locked(address, username, Date.now());
    if (lock !== null) {
      return refuse(client, 'locked_out', CONNACK.SERVER_UNAVAILABLE, `too many failed logins for this ${lock}`, done);
    }
    const failed = (): void => {
      for (const scope of deps.throttle.fail(address, username, Date.now())) {
        metrics.loginLockouts.inc({ scope });
        logger.warn({ address, username, scope }, 'mqtt login locked out after repeated failures');
      }
      refuse(client, 'bad_credentials', CONNACK.BAD_USERNAME_OR_PASSWORD, 'bad username or password', done);
    };
    if (password === undefined) return failed();
    accounts.verify(username, password.toString('utf8')).then(
      (principal) => {
        if (principal === null) return failed();
        deps.throttle.succeed(username);
        deps.onPasswordLogin?.(client, principal);
        admit(client, principal, done);
      },
      (err: unknown) => {
        metrics.authFailures.inc({ reason: 'error' });
        logger.error({ err, clientId: client.id }, 'credential check failed');
        done(refusal(CONNACK.SERVER_UNAVAILABLE, 'server unavailable'), false);
      },
    );
  };
}
