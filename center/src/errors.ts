/** The center's error catalogue: stable codes, tests assert `err.code`. */
export const CENTER_ERRORS = {
  CITYOPS_CENTER_CONFIG_INVALID: 'configuration is invalid',
  CITYOPS_CENTER_REGISTRY_INVALID: 'sensor registry is invalid',
  CITYOPS_CENTER_SENSOR_EXISTS: 'sensor already registered',
  CITYOPS_CENTER_SENSOR_NOT_FOUND: 'sensor not found',
  CITYOPS_CENTER_ALERT_NOT_FOUND: 'alert not found',
  CITYOPS_CENTER_ALERT_RESOLVED: 'alert already resolved',
} as const;
export type CenterErrorCode = keyof typeof CENTER_ERRORS;

export class CenterError extends Error {
  readonly code: CenterErrorCode;
  constructor(code: CenterErrorCode, message: string = CENTER_ERRORS[code]) {
    super(message);
    this.name = 'CenterError';
    this.code = code;
  }
}
