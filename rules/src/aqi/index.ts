export { AQI_POLLUTANTS, type AqiPollutant, type AqiCategory, type AqiResult, type HourlySeries } from './aqi-types.ts';
export { VN_AQI_CATEGORIES, US_AQI_CATEGORIES, categoryOf, combineSubIndices } from './aqi-category.ts';
export { nowcast, meanIfComplete, maxPresent } from './nowcast.ts';
export { ugm3ToPpb, ugm3ToPpm, ppbToUgm3, MOLAR_MASS, MOLAR_VOLUME_25C_L, type Gas } from './gas-units.ts';
export { VN_AQI_BREAKPOINTS, VN_AQI_INDEX, vnSubIndex, vnHourlyAqi, vnDailyAqi, maxEightHourMean, type VnAqiParameter, type VnHourlyInput, type VnDailyInput } from './vn-aqi.ts';
export { US_AQI_BREAKPOINTS, usSubIndex, usCurrentAqi, type UsAqiParameter, type UsCurrentInput } from './us-aqi.ts';
export { createAirQualityTracker, summarizeAqi, type AirQualityTracker } from './air-quality-tracker.ts';
