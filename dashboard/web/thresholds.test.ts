import { describe, expect, it } from 'vitest';
import { readAqi } from './aqi-view.ts';
import { ruleList, thresholdLines } from './thresholds.ts';

const RULES = [
  { id: 'flood-depth', domain: 'flood', field: 'waterLevelCm', levelsFrom: 'alertLevelsCm', levels: [{ severity: 'minor', value: 10 }, { severity: 'major', value: 30 }, { severity: 'critical', value: 50 }] },
  { id: 'traffic-congestion', domain: 'traffic', field: 'speedKmh', relativeTo: 'freeFlowKmh', levels: [{ severity: 'major', value: 0.4 }] },
  { id: 'air-pm25', domain: 'air', field: 'pm25', levels: [{ severity: 'major', value: 55.5 }, { severity: 'critical', value: 125.5 }] },
];

describe('chart threshold lines from rule definitions', () => {
  it('takes the rule levels of the charted field', () => {
    expect(thresholdLines(ruleList(RULES), { domain: 'air' }, 'pm25').map((l) => [l.value, l.severity])).toEqual([[55.5, 'major'], [125.5, 'critical']]);
    expect(thresholdLines(ruleList({ rules: RULES }), { domain: 'air' }, 'pm10')).toEqual([]);
  });

  it('scales relative levels by the road free-flow speed and skips them without one', () => {
    expect(thresholdLines(RULES, { domain: 'traffic', freeFlowKmh: 50 }, 'speedKmh').map((l) => l.value)).toEqual([20]);
    expect(thresholdLines(RULES, { domain: 'traffic' }, 'speedKmh')).toEqual([]);
  });

  it("uses a sensor's own alert levels in place of the rule's", () => {
    expect(thresholdLines(RULES, { domain: 'flood', alertLevelsCm: [15, 25] }, 'waterLevelCm').map((l) => l.value)).toEqual([15, 25, 50]);
  });

  it('ignores payloads that are not rule lists', () => {
    expect(ruleList({ code: 'CITYOPS_DASHBOARD_NOT_FOUND' })).toEqual([]);
    expect(ruleList(null)).toEqual([]);
  });
});

describe('AQI view', () => {
  it('reads VN and US results with sub-indices and category', () => {
    const views = readAqi({
      aqi: {
        vn: { value: 112, dominant: 'pm25', subIndices: { pm25: 112, pm10: 60 }, category: { hex: '#FF7E00', name: { vi: 'Kém', en: 'Poor' } } },
        us: { value: 150, dominant: 'pm25', subIndices: { pm25: 150 }, category: { hex: '#FF7E00', name: { vi: 'x', en: 'y' } } },
      },
    });
    expect(views.map((v) => [v.scheme, v.value, v.color, v.name?.vi])).toEqual([['vn', 112, '#FF7E00', 'Kém'], ['us', 150, '#FF7E00', 'x']]);
    expect(views[0]?.subIndices).toEqual([['pm25', 112], ['pm10', 60]]);
  });

  it('shows nothing for stations without AQI', () => {
    expect(readAqi({ latest: { fields: { pm25: 3 } } })).toEqual([]);
  });
});
