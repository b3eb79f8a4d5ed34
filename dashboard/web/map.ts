import { AttributionControl, Map as MapLibreMap, NavigationControl, ScaleControl, setWorkerUrl, type StyleSpecification } from 'maplibre-gl';
import 'maplibre-gl/dist/maplibre-gl.css';
import mapWorkerUrl from 'maplibre-gl/dist/maplibre-gl-csp-worker.js?url';
import { language, onLanguageChange, type Language } from './i18n.ts';
import { FLOOD_HOTSPOT_ICON } from './sprite-icons.ts';

export const HCMC_CENTER: [number, number] = [106.7, 10.78];
export const HCMC_ZOOM = 11.5;

const OSM = '© OpenStreetMap contributors';

/** Label font: SDF glyph PBFs generated from DejaVu Sans by scripts/generate-glyphs.ts, served from web/public/glyphs/. */
export const LABEL_FONT = ['DejaVu Sans Bold'];
export const DISTRICT_LABEL_LAYER = 'districts-label';

/** The district name property for a UI language (the GeoJSON carries name_vi and name_en). */
export const districtNameField = (lang: Language): ['get', string] => ['get', lang === 'vi' ? 'name_vi' : 'name_en'];

/*
 * The basemap's GeoJSON is tiled in MapLibre's worker, on the page's critical path to the first
 * map paint. A 32-px tile buffer (the widest line, a coloured road at zoom 17, is 12 px) and a
 * little more simplification (0.5 px) cut that work (bench:map: first map paint ~0.15 s sooner);
 * the data stops at zoom 16 (~0.6 m simplification) and is drawn magnified beyond.
 */
const BASEMAP_TILING = { maxzoom: 16, buffer: 32, tolerance: 0.5 } as const;

/*
 * The whole style lives here with same-origin sources only: the control
 * room is on a closed network, so no tile, sprite or glyph server. MapLibre
 * needs absolute glyph and sprite URLs, hence the origin parameter. The
 * sprite is the project's own icons, built by the Vite build (sprite/).
 */
export const basemapStyle = (origin: string, lang: Language): StyleSpecification => ({
  version: 8,
  name: 'cityops-hcmc',
  glyphs: `${origin}/glyphs/{fontstack}/{range}.pbf`,
  sprite: `${origin}/sprites/cityops`,
  sources: {
    districts: {
      type: 'geojson',
      data: '/basemap/districts.geojson',
      ...BASEMAP_TILING,
      attribution: 'Ranh giới: nguyenhn1299/hcm-map',
    },
    roads: {
      type: 'geojson',
      data: '/basemap/roads.geojson',
      ...BASEMAP_TILING,
      // Traffic detectors colour their way by feature-state (road-traffic.ts); a way's segments share its id.
      promoteId: 'osm_way_id',
      attribution: `${OSM} (ODbL)`,
    },
    'flood-hotspots': {
      type: 'geojson',
      data: '/basemap/flood-hotspots.geojson',
      attribution: 'Điểm ngập: CSGT TP.HCM (PC08), MapForPeople',
    },
  },
  layers: [
    /*
     * No background layer: the map container's CSS background (#0b1422, `.map` in styles.css)
     * shows through where nothing is drawn. In software WebGL a full-screen layer costs ~10 ms
     * of SwiftShader CPU per frame at 1920×1080; the page compositor paints the colour anyway.
     */
    {
      id: 'districts-fill',
      type: 'fill',
      source: 'districts',
      paint: {
        // Opaque: the former 0.95 opacity over the background, mixed in advance (#14223a, #172a44, #1a2d4a),
        // so the fill needs no blending and no antialiased edge (the outline layer draws the edges).
        'fill-color': ['match', ['get', 'unit_type'], 'huyen', '#142139', 'thanh_pho', '#162942', '#192c48'],
        'fill-antialias': false,
      },
    },
    {
      id: 'districts-outline',
      type: 'line',
      source: 'districts',
      paint: { 'line-color': '#4a6a92', 'line-width': ['interpolate', ['linear'], ['zoom'], 9, 0.6, 14, 1.8], 'line-opacity': 0.9 },
    },
    {
      id: 'roads',
      type: 'line',
      source: 'roads',
      layout: { 'line-cap': 'round', 'line-join': 'round' },
      paint: {
        'line-color': [
          'match', ['get', 'highway'],
          ['trunk', 'trunk_link'], '#d39b4a',
          ['primary', 'primary_link'], '#b99a6b',
          ['secondary', 'secondary_link'], '#7d8ca3',
          '#5b6b82',
        ],
        'line-width': [
          'interpolate', ['linear'], ['zoom'],
          11, ['match', ['get', 'highway'], ['trunk', 'trunk_link'], 1.6, ['primary', 'primary_link'], 1.2, ['secondary', 'secondary_link'], 0.8, 0.5],
          16, ['match', ['get', 'highway'], ['trunk', 'trunk_link'], 9, ['primary', 'primary_link'], 7, ['secondary', 'secondary_link'], 5, 3],
        ],
      },
    },
    {
      // A known flooding place (PC08 list) as a hollow drop; a gauge there is drawn over it in its depth colour.
      id: 'flood-hotspots',
      type: 'symbol',
      source: 'flood-hotspots',
      layout: {
        'icon-image': FLOOD_HOTSPOT_ICON,
        'icon-size': ['interpolate', ['linear'], ['zoom'], 10, 0.6, 15, 1],
        'icon-anchor': 'bottom',
        'icon-allow-overlap': true,
        'icon-ignore-placement': true,
      },
      paint: { 'icon-opacity': 0.9 },
    },
    {
      id: DISTRICT_LABEL_LAYER,
      type: 'symbol',
      source: 'districts',
      layout: {
        'text-field': districtNameField(lang),
        'text-font': LABEL_FONT,
        'text-size': ['interpolate', ['linear'], ['zoom'], 9, 10, 14, 15],
        'text-max-width': 8,
        'text-padding': 4,
      },
      paint: { 'text-color': '#b8c9e0', 'text-halo-color': '#0b1422', 'text-halo-width': 1.4, 'text-opacity': 0.85 },
    },
  ],
});

export function createMap(container: HTMLElement): MapLibreMap {
  setWorkerUrl(mapWorkerUrl);
  const map = new MapLibreMap({
    container,
    style: basemapStyle(location.origin, language()),
    center: HCMC_CENTER,
    zoom: HCMC_ZOOM,
    minZoom: 8,
    maxZoom: 19,
    maxBounds: [[105.9, 10.2], [107.5, 11.4]],
    attributionControl: false,
    // No outside requests, ever: the telemetry of MapLibre's own is off by default in v5, keep it that way.
    collectResourceTiming: false,
    // Symbols appear at once: a fade animates (repaints) the whole map for 300 ms after every placement change.
    fadeDuration: 0,
  });
  onLanguageChange((lang) => {
    if (map.getLayer(DISTRICT_LABEL_LAYER)) map.setLayoutProperty(DISTRICT_LABEL_LAYER, 'text-field', districtNameField(lang));
  });
  map.addControl(new NavigationControl({ showCompass: false }), 'top-left');
  map.addControl(new ScaleControl({ unit: 'metric' }), 'bottom-left');
  map.addControl(new AttributionControl({ compact: false, customAttribution: ['Không khí: U.S. State Dept. AirNow, HealthyAir (doi:10.17632/pk6tzrjks8.1)'] }), 'bottom-right');
  return map;
}
