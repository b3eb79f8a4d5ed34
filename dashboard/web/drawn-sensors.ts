import { DOMAINS } from '@cityops/contracts';
import type { GeoJSONSource, Map as MapLibreMap } from 'maplibre-gl';
import type { SensorState } from './sensor-state.ts';

/*
 * Which sensor changes the map would actually show. Every re-tiling of the
 * sensor source costs a few repaints of the whole map, and in software
 * WebGL each one is a long task (~100 ms at 1920×1080). At city zoom 10,000
 * sensors are drawn as a few hundred clusters whose look (worst class per
 * domain, any member offline) rarely changes when one member's class does,
 * and sensors outside the view are not drawn at all. So the map keeps what
 * it has drawn — the single sensors and the clusters in its loaded tiles,
 * with each cluster's members (positions never move, so a cluster's members
 * are fixed) — and re-tiles only when a change alters that. Changes it skips
 * leave the source behind the state ("stale"); the next re-tiling, or any
 * newly loaded tile (pan, zoom) while stale, brings it up to date.
 */

export interface DrawnSensors {
  /** True when a change to these sensors alters what is drawn, or when what is drawn is not known (yet). */
  affectsView(ids: ReadonlySet<string>): boolean;
  /** The source was given the current state (setData). */
  rendered(): void;
  /** The sensor set was replaced: cluster membership is unknown again. */
  reset(): void;
}

export function watchDrawnSensors(map: MapLibreMap, sourceId: string, state: SensorState, options: { onStaleTiles: () => void }): DrawnSensors {
  /** Cluster id → member sensor ids (ids are stable for the same sensor set: supercluster is deterministic). */
  const members = new Map<number, readonly string[]>();
  let singles = new Set<string>();
  /** Cluster id → how it is drawn, for the clusters in the loaded tiles. */
  let clusters = new Map<number, string>();
  let clusterOf = new Map<string, number[]>();
  let known = false;
  let stale = false;
  let generation = 0;

  /** What the cluster layers draw from a cluster: its worst class per domain and whether a member is offline. */
  const look = (clusterId: number): string => {
    const worst: Record<string, number> = {};
    let offline = false;
    for (const id of members.get(clusterId) ?? []) {
      const p = state.painted(id);
      if (!p) continue;
      worst[p.domain] = Math.max(worst[p.domain] ?? -1, p.cls);
      offline ||= !p.online;
    }
    return `${DOMAINS.map((d) => worst[d] ?? -1).join(',')}|${offline ? 1 : 0}`;
  };

  const refresh = async (): Promise<void> => {
    const mine = ++generation;
    const source = map.getSource(sourceId) as GeoJSONSource | undefined;
    if (!source) return;
    const drawnSingles = new Set<string>();
    const drawnClusters = new Set<number>();
    for (const feature of map.querySourceFeatures(sourceId)) {
      const clusterId: unknown = feature.properties?.cluster_id;
      const id: unknown = feature.properties?.id;
      if (typeof clusterId === 'number') drawnClusters.add(clusterId);
      else if (typeof id === 'string') drawnSingles.add(id);
    }
    try {
      await Promise.all(
        [...drawnClusters].filter((c) => !members.has(c)).map(async (c) => {
          const leaves = await source.getClusterLeaves(c, Number.POSITIVE_INFINITY, 0);
          members.set(c, leaves.map((f) => String(f.properties?.id)));
        }),
      );
    } catch {
      return; // the source changed meanwhile; the next idle asks again
    }
    if (mine !== generation) return;
    const newTiles = [...drawnSingles].some((id) => !singles.has(id)) || [...drawnClusters].some((c) => !clusters.has(c));
    const nextClusters = new Map<number, string>();
    const nextClusterOf = new Map<string, number[]>();
    for (const c of drawnClusters) {
      // A cluster drawn before keeps its recorded look (skipped changes did not alter it); a new one is drawn from the state.
      nextClusters.set(c, clusters.get(c) ?? look(c));
      for (const id of members.get(c) ?? []) {
        const list = nextClusterOf.get(id);
        if (list) list.push(c);
        else nextClusterOf.set(id, [c]);
      }
    }
    singles = drawnSingles;
    clusters = nextClusters;
    clusterOf = nextClusterOf;
    known = true;
    if (stale && newTiles) options.onStaleTiles();
  };
  // Once the source's tiles in view have all loaded (not 'idle': under a steady stream the map may never be idle).
  map.on('sourcedata', (event) => {
    if (event.sourceId === sourceId && event.isSourceLoaded) void refresh();
  });

  return {
    affectsView(ids) {
      if (!known) return true;
      const touched = new Set<number>();
      for (const id of ids) {
        if (singles.has(id)) return true;
        for (const c of clusterOf.get(id) ?? []) touched.add(c);
      }
      for (const c of touched) if (look(c) !== clusters.get(c)) return true;
      if (ids.size > 0) stale = true;
      return false;
    },
    rendered() {
      stale = false;
      for (const c of clusters.keys()) clusters.set(c, look(c));
    },
    reset() {
      generation++;
      members.clear();
      singles = new Set();
      clusters = new Map();
      clusterOf = new Map();
      known = false;
      stale = false;
    },
  };
}
