import { describe, expect, it } from 'vitest';
import { buildMessage, formatNumber, renderTemplate } from './message-format.ts';

const ctx = { value: 34.04, unit: 'cm', threshold: 30, sensorName: 'Nguyễn Hữu Cảnh', district: 'Bình Thạnh' };

describe('formatNumber', () => {
  it('rounds to one decimal and uses the Vietnamese decimal comma', () => {
    expect(formatNumber(34, 'vi')).toBe('34');
    expect(formatNumber(62.345, 'en')).toBe('62.3');
    expect(formatNumber(62.345, 'vi')).toBe('62,3');
    expect(formatNumber(-0.01, 'en')).toBe('0');
  });
});

describe('renderTemplate', () => {
  it('fills every placeholder and leaves other text alone', () => {
    expect(renderTemplate('{value} {unit} ≥ {threshold} tại {sensor}, {district} {other}', 'vi', ctx)).toBe(
      '34 cm ≥ 30 tại Nguyễn Hữu Cảnh, Bình Thạnh {other}',
    );
  });
});

describe('buildMessage', () => {
  it('appends the level note after an em dash in both languages', () => {
    const message = buildMessage(
      { vi: 'Ngập {value} {unit} tại {sensor}', en: 'Flooding {value} {unit} at {sensor}' },
      { severity: 'major', value: 30, note: { vi: 'xe máy dễ chết máy', en: 'motorbikes stall' } },
      ctx,
    );
    expect(message).toEqual({
      vi: 'Ngập 34 cm tại Nguyễn Hữu Cảnh — xe máy dễ chết máy',
      en: 'Flooding 34 cm at Nguyễn Hữu Cảnh — motorbikes stall',
    });
  });

  it('has no dangling dash without a note', () => {
    expect(buildMessage({ vi: '{value}', en: '{value}' }, { severity: 'minor', value: 1 }, ctx)).toEqual({ vi: '34', en: '34' });
  });
});
