export { createCityBroker } from './city-broker.ts';
export { createSqliteDeviceAccounts, type SqliteDeviceAccountsOptions } from './device-accounts.ts';
export { decidePublish, allowSubscribe, DEFAULT_PAYLOAD_LIMITS, type PublishDecision } from './acl.ts';
export { CONNACK } from './auth.ts';
export { DEFAULT_CONNECTION_LIMITS } from './limits.ts';
export { parseStatus, type StatusParse } from './status.ts';
export { generateSecret, DEFAULT_SCRYPT_COST } from './secret-hash.ts';
export {
  BrokerError,
  isBrokerError,
  type BrokerErrorCode,
} from './errors.ts';
export {
  DEVICE_KINDS,
  type DeviceKind,
  type DevicePrincipal,
  type DeviceCredentials,
  type AddDeviceInput,
  type DeviceAccounts,
  type InboundTopic,
  type InboundPublish,
  type DenyReason,
  type DeniedPublish,
  type SensorStatusEvent,
  type PayloadLimits,
  type CityBrokerOptions,
  type CityBroker,
  type ConnectionLimits,
  type BrokerTlsOptions,
  type BrokerPersistenceOptions,
  type ListeningPorts,
} from './types.ts';
