/**
 * The simulators' error catalogue. Every error carries a stable `code`;
 * callers and tests branch on the code, never on the message.
 */
export const SIM_ERROR_CODES = {
  INVALID_OPTIONS: 'CITYOPS_SIM_INVALID_OPTIONS',
  UNKNOWN_SCENARIO: 'CITYOPS_SIM_UNKNOWN_SCENARIO',
  DUPLICATE_SENSOR: 'CITYOPS_SIM_DUPLICATE_SENSOR',
  CONNECT_FAILED: 'CITYOPS_SIM_CONNECT_FAILED',
  CONNECT_TIMEOUT: 'CITYOPS_SIM_CONNECT_TIMEOUT',
  PUBLISH_FAILED: 'CITYOPS_SIM_PUBLISH_FAILED',
  INVALID_PAYLOAD: 'CITYOPS_SIM_INVALID_PAYLOAD',
  RECORDING_UNREADABLE: 'CITYOPS_SIM_RECORDING_UNREADABLE',
  DATASET_UNREADABLE: 'CITYOPS_SIM_DATASET_UNREADABLE',
  MISSING_CREDENTIALS: 'CITYOPS_SIM_MISSING_CREDENTIALS',
  SUBSCRIBE_FAILED: 'CITYOPS_SIM_SUBSCRIBE_FAILED',
} as const;

export type SimErrorCode = (typeof SIM_ERROR_CODES)[keyof typeof SIM_ERROR_CODES];

export class SimulatorError extends Error {
  readonly code: SimErrorCode;

  constructor(code: SimErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SimulatorError';
    this.code = code;
  }
}

export const invalidOptions = (detail: string): SimulatorError =>
  new SimulatorError(SIM_ERROR_CODES.INVALID_OPTIONS, `invalid simulation options: ${detail}`);

export const unknownScenario = (name: string): SimulatorError =>
  new SimulatorError(SIM_ERROR_CODES.UNKNOWN_SCENARIO, `unknown scenario "${name}"`);

export const duplicateSensor = (id: string): SimulatorError =>
  new SimulatorError(SIM_ERROR_CODES.DUPLICATE_SENSOR, `sensor "${id}" is listed more than once`);

export const connectFailed = (sensorId: string, cause: unknown): SimulatorError =>
  new SimulatorError(
    SIM_ERROR_CODES.CONNECT_FAILED,
    `sensor "${sensorId}" could not connect: ${cause instanceof Error ? cause.message : String(cause)}`,
    { cause },
  );

export const connectTimeout = (sensorId: string, ms: number): SimulatorError =>
  new SimulatorError(
    SIM_ERROR_CODES.CONNECT_TIMEOUT,
    `sensor "${sensorId}" not connected after ${ms} ms; still retrying in the background`,
  );

export const publishFailed = (sensorId: string, cause: unknown): SimulatorError =>
  new SimulatorError(
    SIM_ERROR_CODES.PUBLISH_FAILED,
    `sensor "${sensorId}" publish failed: ${cause instanceof Error ? cause.message : String(cause)}`,
    { cause },
  );

export const invalidPayload = (sensorId: string, detail: string): SimulatorError =>
  new SimulatorError(
    SIM_ERROR_CODES.INVALID_PAYLOAD,
    `sensor "${sensorId}" generated a payload that breaks the contract: ${detail}`,
  );

export const recordingUnreadable = (file: string, detail: string): SimulatorError =>
  new SimulatorError(SIM_ERROR_CODES.RECORDING_UNREADABLE, `recording "${file}" cannot be read: ${detail}`);

export const datasetUnreadable = (file: string, detail: string): SimulatorError =>
  new SimulatorError(SIM_ERROR_CODES.DATASET_UNREADABLE, `dataset "${file}" cannot be read: ${detail}`);

export const missingCredentials = (sensorId: string): SimulatorError =>
  new SimulatorError(SIM_ERROR_CODES.MISSING_CREDENTIALS, `no MQTT credentials for sensor "${sensorId}"`);

export const subscribeFailed = (filter: string, detail: string): SimulatorError =>
  new SimulatorError(SIM_ERROR_CODES.SUBSCRIBE_FAILED, `subscription to "${filter}" refused: ${detail}`);
