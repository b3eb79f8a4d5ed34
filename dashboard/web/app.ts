import type { Alert, LiveSensorFeature } from '@cityops/contracts';
import type { Map as MapLibreMap } from 'maplibre-gl';
import { fetchOpenAlerts, fetchSensors, fetchSnapshot, signOut, type Me } from './api.ts';
import { createAlertsPanel, type AlertsPanel } from './alerts-panel.ts';
import { createConnectionIndicator } from './connection-indicator.ts';
import { createCriticalAnnouncer } from './critical-announcer.ts';
import { h } from './dom.ts';
import { language, onLanguageChange, setLanguage, t, tryT } from './i18n.ts';
import { addIconLayers, type IconLayers } from './icon-layers.ts';
import { CLUSTER_THRESHOLD, addSensorLayers, type SensorLayers } from './layers.ts';
import { createLegend } from './legend.ts';
import { createMap, DISTRICT_LABEL_LAYER } from './map.ts';
import { addRoadTraffic, type RoadTraffic } from './road-traffic.ts';
import { createSensorPanel, type SensorPanel } from './sensor-panel.ts';
import { formatTime } from './format.ts';
import { createTimeSlider, type TimeSlider } from './time-slider.ts';
import { connectLive, type LiveSocket } from './socket.ts';

/** Handles for tests and for debugging from the devtools console. */
export interface CityOpsHandle {
  map: MapLibreMap;
  me: Me;
  sensors?: SensorLayers;
  /** Traffic detectors' roads in level-of-service colours. */
  roads?: RoadTraffic;
  alerts: AlertsPanel;
  sensorPanel: SensorPanel;
  slider: TimeSlider;
  /** Settles when the last time-slider move is shown. */
  replayed(): Promise<void>;
  socket: LiveSocket;
  /** Settles once the first snapshot of sensors and alerts is on the map and the map has loaded (its first complete frame). */
  ready: Promise<void>;
}

declare global {
  interface Window {
    __cityops?: CityOpsHandle;
  }
}

function header(me: Me, connection: HTMLElement, extra: HTMLElement): HTMLElement {
  const title = h('h1');
  const city = h('span', { class: 'city' });
  const who = h('span', { class: 'who' });
  const lang = h('button', { class: 'link-button', attrs: { type: 'button', 'data-action': 'language' }, on: { click: () => setLanguage(language() === 'vi' ? 'en' : 'vi') } });
  const out = h('button', {
    class: 'link-button',
    attrs: { type: 'button', 'data-action': 'sign-out' },
    on: { click: () => void signOut().finally(() => location.reload()) },
  });
  const render = (): void => {
    title.textContent = t('app.title');
    city.textContent = t('app.city');
    who.textContent = `${me.username} · ${tryT(`role.${me.role}`) ?? me.role}`;
    lang.textContent = t('app.language');
    out.textContent = t('app.signOut');
    document.title = `CityOps — ${t('app.city')}`;
  };
  render();
  onLanguageChange(render);
  return h('header', { class: 'topbar' }, h('div', { class: 'brand' }, title, city), connection, h('div', { class: 'account' }, who, extra, lang, out));
}

/** The registry entries of these sensor ids (a telemetry batch names each sensor once or more). */
function* changedSensors(sensors: SensorLayers, ids: readonly string[]): Generator<LiveSensorFeature> {
  for (const id of new Set(ids)) {
    const sensor = sensors.state.get(id);
    if (sensor) yield sensor;
  }
}

export function startApp(root: HTMLElement, me: Me): CityOpsHandle {
  const connection = createConnectionIndicator();
  const mapContainer = h('div', { class: 'map', attrs: { 'aria-label': 'map' } });
  let map: MapLibreMap | undefined;
  const focusAlert = (alert: Alert): void => {
    map?.flyTo({ center: alert.location, zoom: Math.max(map.getZoom(), 15), essential: true });
    // The alert's sensor opens in the detail panel, so its history is one click away.
    const subject = alert.subject.kind === 'sensor' ? sensors?.state.get(alert.subject.id) : undefined;
    if (subject) sensorPanel.open(subject);
  };
  let icons: IconLayers | undefined;
  const alerts = createAlertsPanel({ canAcknowledge: me.role === 'operator' || me.role === 'admin', onSelect: focusAlert, onChange: (open) => icons?.setAlerts(open) });
  let sensors: SensorLayers | undefined;
  let roads: RoadTraffic | undefined;
  const legend = createLegend(
    (domain, visible) => {
      sensors?.setVisible(domain, visible);
      icons?.setVisible(domain, visible);
      if (domain === 'traffic') roads?.setVisible(visible);
    },
    (scheme) => sensors?.setAirScheme(scheme),
  );
  const sensorPanel = createSensorPanel({ onClose: () => map?.getCanvas().focus() });
  const announcer = createCriticalAnnouncer({ onSelect: (alert) => focusAlert(alert) });
  const banner = h('div', { class: 'replay-banner', attrs: { role: 'status', hidden: '' } });
  let replayAt: number | null = null;
  let replayRequest = 0;
  const showReplay = async (at: number): Promise<void> => {
    const mine = ++replayRequest;
    const snapshot = await fetchSnapshot(at);
    if (mine !== replayRequest || replayAt === null) return;
    sensors?.showSnapshot(snapshot.readings);
    if (sensors) {
      const byId = new Map(snapshot.readings.map((r) => [r.sensorId, r]));
      roads?.update(sensors.state.all(), (id) => byId.get(id));
    }
    alerts.replace(snapshot.alerts);
    appRoot.dataset.mode = 'replay';
    banner.hidden = false;
    banner.textContent = t('replay.banner', { at: formatTime(at) });
    appRoot.dataset.replayAt = String(at);
  };
  let replayDone: Promise<void> = Promise.resolve();
  const slider = createTimeSlider({
    onScrub: (at) => {
      replayAt = at;
      replayDone = showReplay(at).catch((err: unknown) => console.warn('snapshot failed', err));
    },
    onLive: () => {
      replayAt = null;
      replayRequest++;
      sensors?.showSnapshot(null);
      if (sensors) roads?.update(sensors.state.all());
      banner.hidden = true;
      appRoot.dataset.mode = 'live';
      delete appRoot.dataset.replayAt;
      // Alerts changed while we looked at the past: take the current list again.
      replayDone = fetchOpenAlerts().then((open) => alerts.replace(open)).catch((err: unknown) => console.warn('alerts reload failed', err));
    },
  });

  const appRoot = h('div', { class: 'app', dataset: { mode: 'live' } }, header(me, connection.element, announcer.soundToggle), h('div', { class: 'body' }, h('div', { class: 'map-wrap' }, mapContainer, legend, banner, announcer.element, sensorPanel.element, slider.element), alerts.element));
  root.replaceChildren(appRoot);
  // Only now: MapLibre sizes its canvas from the container, which must be laid out.
  const readyMap = createMap(mapContainer);
  map = readyMap;

  /*
   * The sensor layers join as soon as the style is parsed, not at the map's `load` (the basemap
   * loaded and drawn): the fleet is then tiled while the basemap loads, instead of after it.
   */
  const styleLoaded = new Promise<void>((resolve) => readyMap.once('style.load', () => resolve()));
  const mapLoaded = new Promise<void>((resolve) => readyMap.once('load', () => resolve()));
  // Alert events that arrive while a snapshot is in flight are replayed over it, so the snapshot cannot undo them.
  const collecting = new Set<Alert[]>();
  const collect = (): Alert[] => {
    const arriving: Alert[] = [];
    collecting.add(arriving);
    return arriving;
  };
  /** The open alerts as fetched, with the alert events that arrived while they were on the way over them. */
  const showOpen = (open: Alert[], arriving: readonly Alert[]): void => {
    alerts.replace(open);
    for (const alert of arriving) alerts.upsert(alert);
  };
  const loadSnapshot = async (): Promise<void> => {
    const inFlight = collect();
    try {
      const [collection, open] = await Promise.all([fetchSensors(), fetchOpenAlerts()]);
      announcer.known(open);
      showOpen(open, inFlight);
      await styleLoaded;
      sensors ??= addSensorLayers(readyMap, { onSensorClick: (sensor) => sensorPanel.open(sensor), cluster: collection.features.length >= CLUSTER_THRESHOLD && new URLSearchParams(location.search).get('cluster') !== '0', large: collection.features.length >= CLUSTER_THRESHOLD });
      if (!icons) {
        icons = addIconLayers(readyMap);
        icons.setAlerts(alerts.alerts.ordered());
      }
      sensors.setSensors(collection);
      // Under the district names, over the basemap roads it colours.
      roads ??= addRoadTraffic(readyMap, DISTRICT_LABEL_LAYER);
      roads.update(collection.features);
    } finally {
      collecting.delete(inFlight);
    }
  };
  let firstSnapshot: Promise<void> = Promise.resolve();
  /*
   * Alert events reach the page only once its live connection is up, and the first snapshot is
   * fetched while it connects: an alert raised between the two would never be shown. So on the
   * first connection the open alerts are fetched once more, applied after the first snapshot.
   */
  const catchUpAlerts = async (): Promise<void> => {
    await firstSnapshot.catch(() => undefined);
    const arriving = collect();
    try {
      const open = await fetchOpenAlerts();
      // While replaying, the panel shows the past; going live reloads the list anyway.
      if (replayAt !== null) return;
      for (const alert of open) announcer.consider(alert);
      showOpen(open, arriving);
    } finally {
      collecting.delete(arriving);
    }
  };

  const socket = connectLive({
    onState: connection.set,
    onFirstConnect: () => void catchUpAlerts().catch((err: unknown) => console.warn('alerts catch-up failed', err)),
    onResync: () => void loadSnapshot().catch((err: unknown) => console.warn('resync failed', err)),
    onUnauthorized: () => location.reload(),
  });
  socket.on('alert', (alert) => {
    for (const arriving of collecting) arriving.push(alert);
    announcer.consider(alert);
    // While replaying, the panel shows the past; going live reloads the current list.
    if (replayAt === null) alerts.upsert(alert);
  });
  // Readings that arrive before the layers exist are dropped: the snapshot carries the latest values and the next batch catches up.
  socket.on('telemetry', (batch) => {
    connection.fresh();
    sensors?.applyTelemetry(batch);
    if (sensors && replayAt === null) roads?.update(changedSensors(sensors, batch.map((r) => r.sensorId)));
    const open = sensorPanel.openId();
    const sensor = open && batch.some((r) => r.sensorId === open) ? sensors?.state.get(open) : undefined;
    if (sensor) sensorPanel.update(sensor);
  });
  socket.on('sensor:status', (status) => {
    sensors?.applyStatus(status);
    if (sensors && replayAt === null) roads?.update(changedSensors(sensors, [status.sensorId]));
  });

  firstSnapshot = loadSnapshot();
  return {
    map: readyMap,
    me,
    alerts,
    sensorPanel,
    slider,
    replayed: () => replayDone,
    socket,
    get sensors() {
      return sensors;
    },
    get roads() {
      return roads;
    },
    ready: firstSnapshot.then(() => mapLoaded),
  };
}
