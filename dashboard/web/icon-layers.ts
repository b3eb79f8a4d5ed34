import { DOMAINS, SEVERITIES, severityRank, type Alert, type Domain, type Severity } from '@cityops/contracts';
import type { ExpressionSpecification, GeoJSONSource, Map as MapLibreMap } from 'maplibre-gl';
import type { Feature, FeatureCollection, Point } from 'geojson';
import { SENSOR_SOURCE } from './layers.ts';
import { DOMAIN_ICONS, SENSOR_NO_DATA_ICON, SENSOR_OFFLINE_ICON, alertIcon } from './sprite-icons.ts';

/*
 * Icons from the project's own sprite (sprite/icons/*.svg, built into
 * /sprites/cityops by the Vite build) drawn over the sensor circles: what an
 * operator must not miss in a field of coloured dots — a sensor that went
 * silent, a sensor with nothing to show, and where the open alerts are, with
 * a shape per severity so colour is not the only cue. Kept apart from
 * layers.ts: these are extra symbol layers on the same `sensors` source.
 */

export const ALERT_SOURCE = 'alert-markers';
export const ALERT_LAYER = 'alert-markers';
export const statusIconLayerId = (domain: Domain): string => `sensors-${domain}-status`;
export const domainIconLayerId = (domain: Domain): string => `sensors-${domain}-icon`;

/** From this zoom each sensor carries its domain's pictogram (the circles are big enough for it). */
const DOMAIN_ICON_MIN_ZOOM = 14;
/** Clusters (large fleets) carry their own offline count; these icons are for single sensors. */
const NOT_CLUSTER: ExpressionSpecification = ['!', ['has', 'point_count']];

export interface AlertMarkerProperties {
  id: string;
  severity: Severity;
  /** higher is drawn on top */
  rank: number;
  acknowledged: boolean;
}

export function alertMarkers(alerts: readonly Alert[]): FeatureCollection<Point, AlertMarkerProperties> {
  const features: Array<Feature<Point, AlertMarkerProperties>> = [];
  for (const alert of alerts) {
    if (alert.state === 'resolved') continue;
    features.push({
      type: 'Feature',
      geometry: { type: 'Point', coordinates: alert.location },
      properties: { id: alert.id, severity: alert.severity, rank: severityRank(alert.severity), acknowledged: alert.state === 'acknowledged' },
    });
  }
  return { type: 'FeatureCollection', features };
}

export interface IconLayers {
  setAlerts(alerts: readonly Alert[]): void;
  setVisible(domain: Domain, visible: boolean): void;
}

/** Adds the icon layers above the sensor layers; call after addSensorLayers (needs the `sensors` source). */
export function addIconLayers(map: MapLibreMap): IconLayers {
  const overlap = { 'icon-allow-overlap': true, 'icon-ignore-placement': true } as const;
  for (const domain of DOMAINS) {
    const mine: ExpressionSpecification = ['all', NOT_CLUSTER, ['==', ['get', 'domain'], domain]];
    map.addLayer({
      id: domainIconLayerId(domain),
      type: 'symbol',
      source: SENSOR_SOURCE,
      minzoom: DOMAIN_ICON_MIN_ZOOM,
      filter: mine,
      layout: { 'icon-image': DOMAIN_ICONS[domain], ...overlap },
    });
    // Offline, or online with no reading to colour by (none yet, or none at a replayed instant): a badge at the circle's upper right.
    map.addLayer({
      id: statusIconLayerId(domain),
      type: 'symbol',
      source: SENSOR_SOURCE,
      filter: ['all', mine, ['any', ['!', ['get', 'online']], ['<', ['get', 'cls'], 0]]],
      layout: {
        'icon-image': ['case', ['get', 'online'], SENSOR_NO_DATA_ICON, SENSOR_OFFLINE_ICON],
        'icon-size': ['interpolate', ['linear'], ['zoom'], 10, 0.7, 15, 1],
        'icon-offset': [9, -9],
        ...overlap,
      },
    });
  }
  map.addSource(ALERT_SOURCE, { type: 'geojson', data: alertMarkers([]) });
  map.addLayer({
    id: ALERT_LAYER,
    type: 'symbol',
    source: ALERT_SOURCE,
    layout: {
      'icon-image': ['match', ['get', 'severity'], ...SEVERITIES.flatMap((s) => [s, alertIcon(s)]), alertIcon('info')] as unknown as ExpressionSpecification,
      // Standing above the sensor it concerns, so the sensor's colour stays visible.
      'icon-anchor': 'bottom',
      'icon-offset': [0, -6],
      'symbol-sort-key': ['get', 'rank'],
      ...overlap,
    },
    // Acknowledged: someone is on it; still shown, quieter.
    paint: { 'icon-opacity': ['case', ['get', 'acknowledged'], 0.55, 1] },
  });

  return {
    setAlerts(alerts) {
      (map.getSource(ALERT_SOURCE) as GeoJSONSource | undefined)?.setData(alertMarkers(alerts));
    },
    setVisible(domain, visible) {
      for (const id of [domainIconLayerId(domain), statusIconLayerId(domain)]) map.setLayoutProperty(id, 'visibility', visible ? 'visible' : 'none');
    },
  };
}
