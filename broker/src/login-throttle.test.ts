import { describe, expect, it } from 'vitest';
import { createLoginThrottle } from './login-throttle.ts';
import { createTokenBuckets } from './token-buckets.ts';

describe('createLoginThrottle', () => {
  const limits = { perAddress: 5, perUsername: 3, windowMs: 1_000, lockoutMs: 10_000 };

  it('locks a username out after repeated failures, from any address, until the lockout ends', () => {
    const t = createLoginThrottle(limits);
    expect(t.fail('10.0.0.1', 'flood-001', 0)).toEqual([]);
    expect(t.fail('10.0.0.2', 'flood-001', 1)).toEqual([]);
    expect(t.fail('10.0.0.3', 'flood-001', 2)).toEqual(['username']);
    expect(t.locked('10.0.0.9', 'flood-001', 3)).toBe('username');
    expect(t.locked('10.0.0.9', 'flood-002', 3)).toBeNull();
    expect(t.locked('10.0.0.9', 'flood-001', 10_003)).toBeNull();
  });

  it('locks an address out after failures across usernames', () => {
    const t = createLoginThrottle(limits);
    const scopes = [1, 2, 3, 4, 5].flatMap((i) => t.fail('10.0.0.1', `user-${i}`, i));
    expect(scopes).toEqual(['address']);
    expect(t.locked('10.0.0.1', 'anyone', 6)).toBe('address');
    expect(t.locked('10.0.0.2', 'anyone', 6)).toBeNull();
  });

  it('forgets failures outside the window and after a success', () => {
    const t = createLoginThrottle(limits);
    t.fail('a', 'u', 0);
    t.fail('a', 'u', 1);
    expect(t.fail('a', 'u', 2_000)).toEqual([]);
    t.fail('a', 'u', 2_001);
    t.succeed('u');
    expect(t.fail('a', 'u', 2_002)).toEqual([]);
  });
});

describe('createTokenBuckets', () => {
  it('allows the burst, then the sustained rate', () => {
    const b = createTokenBuckets({ perSecond: 2, burst: 3 });
    expect([0, 0, 0, 0].map(() => b.take('k', 0))).toEqual([true, true, true, false]);
    expect(b.take('k', 499)).toBe(false);
    expect(b.take('k', 500)).toBe(true);
    expect(b.take('other', 500)).toBe(true);
  });

  it('bounds the number of keys it remembers', () => {
    const b = createTokenBuckets({ perSecond: 1, burst: 1 }, 100);
    for (let i = 0; i < 1_000; i++) b.take(`k${i}`, 0);
    expect(b.size).toBeLessThanOrEqual(100);
  });
});
