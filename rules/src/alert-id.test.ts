import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { buildAlertId, escapeIdPart } from './alert-id.ts';

const URL_SAFE = /^[A-Za-z0-9._~-]+$/;

describe('buildAlertId', () => {
  it('is deterministic and readable for contract sensor ids', () => {
    expect(buildAlertId('flood-depth', 'fl-q7-01', 1_757_919_630_000)).toBe('flood-depth.fl-q7-01.1757919630000');
    expect(buildAlertId('flood-depth', 'fl-q7-01', 1_757_919_630_000)).toBe(buildAlertId('flood-depth', 'fl-q7-01', 1_757_919_630_000));
  });

  it('differs when the raise time differs', () => {
    expect(buildAlertId('r', 's1', 1)).not.toBe(buildAlertId('r', 's1', 2));
  });

  it('stays URL- and topic-safe and injective for arbitrary subject ids', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        const idA = buildAlertId('air-pm25', a || 'x', 5);
        expect(idA).toMatch(URL_SAFE);
        if ((a || 'x') !== (b || 'x')) expect(idA).not.toBe(buildAlertId('air-pm25', b || 'x', 5));
      }),
    );
    expect(escapeIdPart('Quận 1/a')).toBe('Qu~1eadn~00201~002fa');
  });
});
