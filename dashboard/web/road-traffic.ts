import type { LiveSensorFeature, Reading } from '@cityops/contracts';
import type { ExpressionSpecification, Map as MapLibreMap } from 'maplibre-gl';
import { OFFLINE_COLOR, PALETTES, trafficClass } from './sensor-classes.ts';

/*
 * A traffic detector measures one road: its OSM way (`osmWayId` in the
 * registry) is drawn in the detector's level-of-service colour, so the
 * operator sees which street is jammed, not only a dot beside it. The road
 * geometry is the basemap's own `roads` source (features keyed by
 * `osm_way_id`, promoteId); the colour is feature-state, so a reading
 * changes one state entry and never re-tiles the roads.
 */

export const ROAD_SOURCE = 'roads';
export const ROAD_TRAFFIC_LAYER = 'roads-traffic';
/** feature-state `los`: 0–3 as trafficClass (free flow … jammed), −1 offline. */
const OFFLINE = -1;

const TRAFFIC_COLOR: ExpressionSpecification = [
  'match',
  ['coalesce', ['feature-state', 'los'], -2],
  ...PALETTES.traffic.flatMap((color, i) => [i, color]),
  OFFLINE,
  OFFLINE_COLOR,
  'rgba(0,0,0,0)',
] as unknown as ExpressionSpecification;

/** A detector's reading at a replayed instant (time slider); undefined: no reading then. */
export type ReadingAt = (sensorId: string) => Pick<Reading, 'fields'> | undefined;

export interface RoadTraffic {
  /**
   * Colours the ways of these detectors from their latest readings, or from
   * `at` while the time slider shows the past (a detector without a reading
   * then leaves its road uncoloured).
   */
  update(sensors: Iterable<LiveSensorFeature>, at?: ReadingAt): void;
  /** Ways coloured now (tests, diagnostics). */
  coloured(): number;
  setVisible(visible: boolean): void;
}

/** The level of service of a detector's reading, or null when it says nothing about speed. */
export function roadLevel(sensor: LiveSensorFeature, at?: ReadingAt): number | null {
  const p = sensor.properties;
  if (p.domain !== 'traffic') return null;
  if (at === undefined && !p.online) return OFFLINE;
  const reading = at === undefined ? p.latest : at(p.id);
  const speed = reading?.fields.speedKmh;
  return speed === undefined || !Number.isFinite(speed) ? null : trafficClass(speed, p.freeFlowKmh);
}

export function addRoadTraffic(map: MapLibreMap, beforeLayer?: string): RoadTraffic {
  map.addLayer(
    {
      id: ROAD_TRAFFIC_LAYER,
      type: 'line',
      source: ROAD_SOURCE,
      layout: { 'line-cap': 'round', 'line-join': 'round' },
      paint: {
        'line-color': TRAFFIC_COLOR,
        // Wider than the road under it, so the basemap road shows as a dark edge.
        'line-width': ['interpolate', ['linear'], ['zoom'], 11, 2.5, 14, 5, 17, 12],
        'line-opacity': 0.9,
      },
    },
    beforeLayer,
  );
  /** Way id → level last set, so unchanged readings cost nothing. */
  const shown = new Map<number, number>();
  /*
   * The layer draws only the ways that carry a level: unfiltered, it would
   * draw every basemap road again in a transparent colour: ~25 ms of
   * SwiftShader CPU per frame at 1920×1080 (bench:map). The filter changes (and the
   * road tiles re-tile) only when a way gains or loses its colour.
   */
  let filtered = '';
  const refilter = (): void => {
    const ways = [...shown.keys()].sort((a, b) => a - b);
    const key = ways.join(',');
    if (key === filtered) return;
    filtered = key;
    map.setFilter(ROAD_TRAFFIC_LAYER, ['in', ['get', 'osm_way_id'], ['literal', ways]]);
  };
  refilter();
  return {
    update(sensors, at) {
      for (const sensor of sensors) {
        const wayId = sensor.properties.osmWayId;
        if (wayId === undefined) continue;
        const level = roadLevel(sensor, at);
        if (level === null) {
          if (shown.delete(wayId)) map.removeFeatureState({ source: ROAD_SOURCE, id: wayId }, 'los');
          continue;
        }
        if (shown.get(wayId) === level) continue;
        shown.set(wayId, level);
        map.setFeatureState({ source: ROAD_SOURCE, id: wayId }, { los: level });
      }
      refilter();
    },
    coloured: () => shown.size,
    setVisible(visible) {
      map.setLayoutProperty(ROAD_TRAFFIC_LAYER, 'visibility', visible ? 'visible' : 'none');
    },
  };
}
