export { startCenter, type Center, type StartCenterOptions } from './center.ts';
export { loadConfig, CONFIG_VARIABLES, CenterConfigSchema, type CenterConfig, type LoadConfigOptions } from './config/config.ts';
export { createSensorDirectory, readRegistryFile, type SensorDirectory, type SensorEntry } from './sensors/sensor-directory.ts';
export { createAlertService, type AlertService, type AlertFilter } from './alerts/alert-service.ts';
export { openCenterDatabase } from './database.ts';
export { createLogger } from './logger.ts';
export { provisionSimulatedSensors } from './sim-provisioning.ts';
export { CenterError, CENTER_ERRORS, type CenterErrorCode } from './errors.ts';
