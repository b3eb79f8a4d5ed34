import type { AuthenticateError, Client } from 'aedes';
import type { Logger } from 'pino';
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
  accounts: Pick<DeviceAccounts, 'verify'>;
  principals: PrincipalRegistry;
  /** the clients currently registered in Aedes, by client id */
  liveClient(clientId: string): Client | undefined;
  metrics: BrokerMetrics;
  logger: Logger;
}

export function createAuthenticate(deps: AuthenticateDeps): AuthenticateHandler {
  const { allowAnonymous, accounts, principals, metrics, logger } = deps;

  const refuse = (client: Client, reason: string, code: number, message: string, done: Parameters<AuthenticateHandler>[3]) => {
    metrics.authFailures.inc({ reason });
    logger.warn({ clientId: client.id, reason }, 'mqtt connect refused');
    done(refusal(code, message), false);
  };

  return (client, username, password, done) => {
    if (username === undefined || username === '') {
      // [MQTT-3.1.2-19]: no user name → we treat the client as anonymous.
      if (!allowAnonymous) return refuse(client, 'anonymous', CONNACK.NOT_AUTHORIZED, 'anonymous clients are not allowed', done);
      principals.set(client, null);
      return done(null, true);
    }
    if (password === undefined) {
      return refuse(client, 'bad_credentials', CONNACK.BAD_USERNAME_OR_PASSWORD, 'bad username or password', done);
    }
    accounts.verify(username, password.toString('utf8')).then(
      (principal) => {
        if (principal === null) {
          return refuse(client, 'bad_credentials', CONNACK.BAD_USERNAME_OR_PASSWORD, 'bad username or password', done);
        }
        // Aedes closes the older connection when a client id is reused. Allow that for the
        // same device (a reconnect), but never let one device knock another off the network.
        const holder = deps.liveClient(client.id);
        if (holder !== undefined && holder !== client) {
          const holderPrincipal = principals.get(holder);
          if (holderPrincipal?.id !== principal.id) {
            return refuse(client, 'client_id_taken', CONNACK.IDENTIFIER_REJECTED, 'client id is in use by another device', done);
          }
        }
        principals.set(client, principal);
        done(null, true);
      },
      (err: unknown) => {
        metrics.authFailures.inc({ reason: 'error' });
        logger.error({ err, clientId: client.id }, 'credential check failed');
        done(refusal(CONNACK.SERVER_UNAVAILABLE, 'server unavailable'), false);
      },
    );
  };
}
