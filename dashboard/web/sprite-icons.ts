import type { Domain, Severity } from '@cityops/contracts';

/*
 * Ids of the map's sprite images: the file names in dashboard/sprite/icons/
 * (built into /sprites/cityops by the Vite build). One list for the layers,
 * the legend and the sprite test, so a renamed icon fails a test, not a map.
 */
export const SENSOR_OFFLINE_ICON = 'sensor-offline';
export const SENSOR_NO_DATA_ICON = 'sensor-no-data';
export const FLOOD_HOTSPOT_ICON = 'flood-hotspot';
export const alertIcon = (severity: Severity): string => `alert-${severity}`;
export const DOMAIN_ICONS: Record<Domain, string> = { traffic: 'traffic-detector', flood: 'flood-gauge', air: 'air-station' };
/** Where the legend finds an icon's SVG (emitted next to the sprite). */
export const iconUrl = (id: string): string => `/sprites/icons/${id}.svg`;
