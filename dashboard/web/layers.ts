import { DOMAINS, type Domain, type LiveSensorCollection, type LiveSensorFeature, type Reading, type SensorStatus } from '@cityops/contracts';
import { Popup, type GeoJSONSource, type Map as MapLibreMap, type MapLayerMouseEvent } from 'maplibre-gl';
import { onLanguageChange } from './i18n.ts';
import { districtPopupContent, hotspotPopupContent, sensorPopupContent } from './sensor-popup.ts';
import { SensorState } from './sensor-state.ts';

export const SENSOR_SOURCE = 'sensors';
export const sensorLayerId = (domain: Domain): string => `sensors-${domain}`;

/** Redraws at most ~3 times a second however fast telemetry arrives: setData re-tiles the whole source. */
const RENDER_INTERVAL_MS = 300;

const RADIUS: Record<Domain, number> = { traffic: 5, flood: 6, air: 7 };

export interface SensorLayers {
  readonly state: SensorState;
  setSensors(collection: LiveSensorCollection): void;
  applyTelemetry(readings: readonly Reading[]): void;
  applyStatus(status: SensorStatus): void;
  setVisible(domain: Domain, visible: boolean): void;
  /** Shows the city at a past instant (time slider); null returns to live values. */
  showSnapshot(readings: Parameters<SensorState['toGeoJSONAt']>[0] | null): void;
  /** How many times the source was redrawn (for tests and diagnostics). */
  renders(): number;
}

export function addSensorLayers(map: MapLibreMap, options: { onSensorClick?: (sensor: LiveSensorFeature) => void } = {}): SensorLayers {
  const state = new SensorState();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let lastRender = 0;
  let renderCount = 0;
  let popup: { popup: Popup; render: () => HTMLElement } | undefined;

  map.addSource(SENSOR_SOURCE, { type: 'geojson', data: state.toGeoJSON() });
  for (const domain of DOMAINS) {
    map.addLayer({
      id: sensorLayerId(domain),
      type: 'circle',
      source: SENSOR_SOURCE,
      filter: ['==', ['get', 'domain'], domain],
      paint: {
        'circle-color': ['get', 'color'],
        'circle-radius': ['interpolate', ['linear'], ['zoom'], 10, RADIUS[domain] - 2, 15, RADIUS[domain] + 4],
        'circle-stroke-color': domain === 'air' ? '#ffffff' : '#0b1422',
        'circle-stroke-width': domain === 'air' ? 1.5 : 1,
        'circle-opacity': ['case', ['get', 'online'], 1, 0.7],
      },
    });
  }

  let snapshot: Parameters<SensorState['toGeoJSONAt']>[0] | null = null;
  const render = (): void => {
    timer = undefined;
    lastRender = Date.now();
    renderCount++;
    // While replaying, live values keep landing in the state but the map shows the past.
    (map.getSource(SENSOR_SOURCE) as GeoJSONSource | undefined)?.setData(snapshot ? state.toGeoJSONAt(snapshot) : state.toGeoJSON());
    if (popup?.popup.isOpen()) popup.popup.setDOMContent(popup.render());
  };
  const scheduleRender = (): void => {
    if (timer) return;
    timer = setTimeout(render, Math.max(0, RENDER_INTERVAL_MS - (Date.now() - lastRender)));
  };

  const openPopup = (lngLat: [number, number], content: () => HTMLElement): void => {
    popup?.popup.remove();
    const p = new Popup({ closeButton: true, maxWidth: '280px' }).setLngLat(lngLat).setDOMContent(content()).addTo(map);
    popup = { popup: p, render: content };
  };

  const sensorLayers = DOMAINS.map(sensorLayerId);
  map.on('click', (event) => {
    const hit = map.queryRenderedFeatures(event.point, { layers: sensorLayers })[0];
    const id = hit?.properties?.id;
    const sensor = typeof id === 'string' ? state.get(id) : undefined;
    if (sensor) {
      openPopup(sensor.geometry.coordinates, () => sensorPopupContent(state.get(sensor.properties.id) ?? sensor));
      options.onSensorClick?.(sensor);
      return;
    }
    const hotspot = map.queryRenderedFeatures(event.point, { layers: ['flood-hotspots'] })[0];
    if (hotspot) {
      openPopup([event.lngLat.lng, event.lngLat.lat], () => hotspotPopupContent(hotspot.properties));
      return;
    }
    const district = map.queryRenderedFeatures(event.point, { layers: ['districts-fill'] })[0];
    if (district) openPopup([event.lngLat.lng, event.lngLat.lat], () => districtPopupContent(district.properties));
  });
  const pointer = (cursor: string) => (_event: MapLayerMouseEvent) => (map.getCanvas().style.cursor = cursor);
  for (const layer of [...sensorLayers, 'flood-hotspots']) {
    map.on('mouseenter', layer, pointer('pointer'));
    map.on('mouseleave', layer, pointer(''));
  }
  onLanguageChange(() => {
    if (popup?.popup.isOpen()) popup.popup.setDOMContent(popup.render());
  });

  return {
    state,
    setSensors(collection) {
      state.replace(collection);
      render();
    },
    applyTelemetry(readings) {
      if (state.applyReadings(readings)) scheduleRender();
    },
    applyStatus(status) {
      if (state.applyStatus(status)) scheduleRender();
    },
    setVisible(domain, visible) {
      map.setLayoutProperty(sensorLayerId(domain), 'visibility', visible ? 'visible' : 'none');
    },
    showSnapshot(readings) {
      snapshot = readings;
      render();
    },
    renders: () => renderCount,
  };
}
