import { DOMAINS, SEVERITIES, type Domain } from '@cityops/contracts';
import { h } from './dom.ts';
import { onLanguageChange, t, tryT } from './i18n.ts';
import { FLOOD_HOTSPOT_ICON, SENSOR_NO_DATA_ICON, SENSOR_OFFLINE_ICON, alertIcon, iconUrl } from './sprite-icons.ts';
import { AIR_SCHEMES, AQI_COLORS, NO_DATA_COLOR, OFFLINE_COLOR, PALETTES, type AirScheme } from './sensor-classes.ts';

/** Layer toggles with the colour key of each domain; the palette comes from sensor-classes so map and key agree. */
export function createLegend(onToggle: (domain: Domain, visible: boolean) => void, onAirScheme?: (scheme: AirScheme) => void): HTMLElement {
  const visible: Record<Domain, boolean> = { traffic: true, flood: true, air: true };
  let airScheme: AirScheme = 'pm25';
  const airSwitch = (): HTMLElement => {
    const select = h('select', { attrs: { name: 'air-scheme', 'aria-label': t('legend.airScheme') } });
    select.append(...AIR_SCHEMES.map((scheme) => h('option', { text: t(`legend.scheme.${scheme}`), attrs: { value: scheme } })));
    select.value = airScheme;
    select.addEventListener('change', () => {
      airScheme = select.value as AirScheme;
      onAirScheme?.(airScheme);
      render();
    });
    return h('li', {}, select);
  };
  const entries = (domain: Domain): HTMLElement[] => {
    if (domain === 'air' && airScheme !== 'pm25') {
      return [airSwitch(), ...AQI_COLORS.map((color, i) => swatch(color, tryT(`legend.aqi.${airScheme}.${i}`) ?? String(i + 1)))];
    }
    const classes = PALETTES[domain].map((color, i) => swatch(color, tryT(`legend.${domain}.${i}`) ?? String(i)));
    if (domain === 'traffic') return [...classes, h('li', { class: 'legend-note', text: t('legend.traffic.roads') })];
    return domain === 'air' ? [airSwitch(), ...classes] : classes;
  };
  const root = h('section', { class: 'legend', attrs: { 'aria-label': 'legend' } });

  const swatch = (color: string, label: string, hollow = false) =>
    h('li', {}, h('span', { class: hollow ? 'swatch hollow' : 'swatch', attrs: { style: `--swatch: ${color}` } }), label);
  // The map's own sprite icons (their SVG sources, served beside the sprite), so key and map cannot differ.
  const icon = (id: string) => h('img', { class: 'legend-icon', attrs: { src: iconUrl(id), alt: '', 'data-icon': id } });
  const iconEntry = (id: string, label: string, color?: string) =>
    h('li', {}, ...(color ? [h('span', { class: 'swatch', attrs: { style: `--swatch: ${color}` } })] : []), icon(id), label);

  const render = (): void => {
    root.replaceChildren(
      h('h2', { text: t('legend.title') }),
      ...DOMAINS.map((domain) => {
        const box = h('input', { attrs: { type: 'checkbox', name: `layer-${domain}` } });
        box.checked = visible[domain];
        box.addEventListener('change', () => {
          visible[domain] = box.checked;
          onToggle(domain, box.checked);
        });
        return h(
          'div',
          { class: 'legend-domain', dataset: { domain } },
          h('label', { class: 'legend-toggle' }, box, tryT(`domain.${domain}`) ?? domain),
          h('ul', {}, ...entries(domain)),
        );
      }),
      h(
        'ul',
        { class: 'legend-common' },
        iconEntry(SENSOR_OFFLINE_ICON, t('legend.offline'), OFFLINE_COLOR),
        iconEntry(SENSOR_NO_DATA_ICON, t('legend.noData'), NO_DATA_COLOR),
        iconEntry(FLOOD_HOTSPOT_ICON, t('legend.hotspot')),
      ),
      h(
        'ul',
        { class: 'legend-common legend-alerts' },
        // Most severe first, as in the alert list.
        ...[...SEVERITIES].reverse().map((severity) => iconEntry(alertIcon(severity), `${t('legend.alert')}: ${tryT(`severity.${severity}`) ?? severity}`)),
      ),
    );
  };
  render();
  onLanguageChange(render);
  return root;
}
