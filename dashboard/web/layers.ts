import { DOMAINS, type Domain, type LiveSensorCollection, type LiveSensorFeature, type Reading, type SensorStatus } from '@cityops/contracts';
import { Popup, type GeoJSONSource, type Map as MapLibreMap, type MapLayerMouseEvent } from 'maplibre-gl';
import { onLanguageChange } from './i18n.ts';
import { districtPopupContent, hotspotPopupContent, sensorPopupContent } from './sensor-popup.ts';
import { NO_DATA_COLOR, OFFLINE_COLOR, PALETTES, type AirScheme } from './sensor-classes.ts';
import { SensorState } from './sensor-state.ts';
import { watchDrawnSensors } from './drawn-sensors.ts';

export const SENSOR_SOURCE = 'sensors';
export const sensorLayerId = (domain: Domain): string => `sensors-${domain}`;

/** Redraws at most ~3 times a second however fast telemetry arrives: each update re-tiles the source's tiles in view. */
const RENDER_INTERVAL_MS = 300;
/**
 * From this many sensors the map clusters each domain below zoom 13 and
 * redraws at most once a second: every repaint of thousands of circles
 * costs the wall display a frame, and nobody reads 10,000 dots at city zoom.
 */
export const CLUSTER_THRESHOLD = 2000;
const CLUSTER_RENDER_INTERVAL_MS = 1000;
const CLUSTER_MAX_ZOOM = 12;
export const clusterLayerId = (domain: Domain): string => `sensors-${domain}-clusters`;
const CLUSTER_OFFSETS: Record<Domain, [number, number]> = { traffic: [-11, -6], flood: [11, -6], air: [0, 11] };

const RADIUS: Record<Domain, number> = { traffic: 5, flood: 6, air: 7 };

export interface SensorLayers {
  readonly state: SensorState;
  setSensors(collection: LiveSensorCollection): void;
  applyTelemetry(readings: readonly Reading[]): void;
  applyStatus(status: SensorStatus): void;
  setVisible(domain: Domain, visible: boolean): void;
  setAirScheme(scheme: AirScheme): void;
  /** Shows the city at a past instant (time slider); null returns to live values. */
  showSnapshot(readings: Parameters<SensorState['toGeoJSONAt']>[0] | null): void;
  /** How many times the source was redrawn (for tests and diagnostics). */
  renders(): number;
}

export function addSensorLayers(map: MapLibreMap, options: { onSensorClick?: (sensor: LiveSensorFeature) => void; cluster?: boolean; large?: boolean } = {}): SensorLayers {
  const state = new SensorState();
  const clustered = options.cluster === true;
  const interval = clustered || options.large === true ? CLUSTER_RENDER_INTERVAL_MS : RENDER_INTERVAL_MS;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let lastRender = 0;
  let renderCount = 0;
  let popup: { popup: Popup; render: () => HTMLElement } | undefined;

  if (clustered) {
    /*
     * One clustered source for all domains (one setData, one repaint per
     * update); each cluster carries per-domain counts and worst class. No
     * count labels: symbol placement on every repaint doubled the frame
     * time in the 10k benchmark.
     */
    const clusterProperties: Record<string, unknown> = { offline: ['+', ['case', ['get', 'online'], 0, 1]] };
    for (const domain of DOMAINS) {
      clusterProperties[`n_${domain}`] = ['+', ['case', ['==', ['get', 'domain'], domain], 1, 0]];
      clusterProperties[`w_${domain}`] = ['max', ['case', ['==', ['get', 'domain'], domain], ['get', 'cls'], -1]];
    }
    map.addSource(SENSOR_SOURCE, {
      type: 'geojson',
      data: state.toGeoJSON(),
      // Features keyed by sensor id, so a change is sent as a diff (updateData), not as the whole fleet.
      promoteId: 'id',
      cluster: true,
      clusterMaxZoom: CLUSTER_MAX_ZOOM,
      clusterRadius: 40,
      clusterProperties,
    });
    for (const domain of DOMAINS) {
      const palette = PALETTES[domain];
      // The three domains of a cluster sit side by side around its centre.
      const offset = CLUSTER_OFFSETS[domain];
      map.addLayer({
        id: clusterLayerId(domain),
        type: 'circle',
        source: SENSOR_SOURCE,
        filter: ['all', ['has', 'point_count'], ['>', ['get', `n_${domain}`], 0]],
        paint: {
          'circle-color': ['match', ['get', `w_${domain}`], ...palette.flatMap((color, i) => [i, color]), NO_DATA_COLOR] as unknown as string,
          'circle-radius': ['step', ['get', `n_${domain}`], 9, 20, 11, 100, 14, 500, 18],
          'circle-stroke-color': ['case', ['>', ['get', 'offline'], 0], OFFLINE_COLOR, '#0b1422'],
          'circle-stroke-width': 1.5,
          'circle-translate': offset,
          'circle-opacity': 0.92,
        },
      });
    }
  } else {
    map.addSource(SENSOR_SOURCE, { type: 'geojson', data: state.toGeoJSON(), promoteId: 'id' });
  }
  for (const domain of DOMAINS) {
    map.addLayer({
      id: sensorLayerId(domain),
      type: 'circle',
      source: SENSOR_SOURCE,
      filter: clustered ? ['all', ['!', ['has', 'point_count']], ['==', ['get', 'domain'], domain]] : ['==', ['get', 'domain'], domain],
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
  /** The source is behind what it should show. */
  let dataDirty = false;
  /** The next update replaces the whole data (new fleet, air scheme, replay or back to live). */
  let whole = true;
  /** Sensors whose drawing changed since the source last had them: sent as a diff, not the whole fleet. */
  const pending = new Set<string>();
  const render = (): void => {
    timer = undefined;
    lastRender = Date.now();
    if (dataDirty) {
      dataDirty = false;
      renderCount++;
      const source = map.getSource(SENSOR_SOURCE) as GeoJSONSource | undefined;
      if (snapshot) {
        // While replaying, live values keep landing in the state but the map shows the past.
        source?.setData(state.toGeoJSONAt(snapshot));
      } else if (whole) {
        whole = false;
        pending.clear();
        source?.setData(state.toGeoJSON());
      } else if (pending.size > 0) {
        // A diff of the changed sensors' paint properties: the structured clone of 10,000 features to the
        // worker was the longest main-thread task left once rendering no longer blocks (bench:map --gl swiftshader).
        const update = [];
        for (const id of pending) {
          const p = state.painted(id);
          if (p) update.push({ id, addOrUpdateProperties: [{ key: 'color', value: p.color }, { key: 'cls', value: p.cls }, { key: 'online', value: p.online }] });
        }
        pending.clear();
        source?.updateData({ update });
      }
      drawn.rendered();
    }
    if (popup?.popup.isOpen()) popup.popup.setDOMContent(popup.render());
  };
  const redraw = (): void => {
    whole = true;
    dataDirty = true;
    clearTimeout(timer);
    render();
  };
  const scheduleRender = (): void => {
    if (timer || (!dataDirty && !popup?.popup.isOpen())) return;
    timer = setTimeout(render, Math.max(0, interval - (Date.now() - lastRender)));
  };
  // Only changes the map would show re-tile the source (drawn-sensors.ts); tiles loaded while it is behind catch up at once.
  const drawn = watchDrawnSensors(map, SENSOR_SOURCE, state, {
    onStaleTiles: () => {
      if (snapshot) return;
      dataDirty = true;
      scheduleRender();
    },
  });
  const changed = (ids: ReadonlySet<string>): void => {
    for (const id of ids) pending.add(id);
    // In replay the map shows the past: live changes only refresh an open popup; going live redraws.
    if (!snapshot && ids.size > 0 && drawn.affectsView(ids)) dataDirty = true;
    scheduleRender();
  };

  const openPopup = (lngLat: [number, number], content: () => HTMLElement): void => {
    popup?.popup.remove();
    const p = new Popup({ closeButton: true, maxWidth: '280px' }).setLngLat(lngLat).setDOMContent(content()).addTo(map);
    popup = { popup: p, render: content };
  };

  const sensorLayers = DOMAINS.map(sensorLayerId);
  map.on('click', (event) => {
    // A cluster click zooms to where it splits apart.
    const cluster = clustered ? map.queryRenderedFeatures(event.point, { layers: DOMAINS.map(clusterLayerId) })[0] : undefined;
    const clusterId = cluster?.properties?.cluster_id;
    if (cluster && typeof clusterId === 'number' && cluster.source) {
      const source = map.getSource(cluster.source) as GeoJSONSource | undefined;
      void source?.getClusterExpansionZoom(clusterId).then((zoom) => map.easeTo({ center: event.lngLat, zoom: Math.max(zoom, CLUSTER_MAX_ZOOM + 1) }));
      return;
    }
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
      drawn.reset();
      redraw();
    },
    applyTelemetry(readings) {
      const ids = new Set<string>();
      if (state.applyReadings(readings, ids)) changed(ids);
    },
    applyStatus(status) {
      if (state.applyStatus(status)) changed(new Set([status.sensorId]));
    },
    setVisible(domain, visible) {
      const ids = clustered ? [sensorLayerId(domain), clusterLayerId(domain)] : [sensorLayerId(domain)];
      for (const id of ids) map.setLayoutProperty(id, 'visibility', visible ? 'visible' : 'none');
    },
    setAirScheme(scheme) {
      state.airScheme = scheme;
      redraw();
    },
    showSnapshot(readings) {
      snapshot = readings;
      redraw();
    },
    renders: () => renderCount,
  };
}
