import { describe, expect, it } from 'vitest';
import { createSignInThrottle } from './sign-in-throttle.ts';

describe('createSignInThrottle', () => {
  it('locks a key after repeated failures until the window passes', () => {
    let now = 0;
    const throttle = createSignInThrottle({ maxFailures: 3, windowMs: 1000, clock: () => now });
    for (let i = 0; i < 3; i++) {
      expect(throttle.allowed('op|1.2.3.4')).toBe(true);
      throttle.failed('op|1.2.3.4');
    }
    expect(throttle.allowed('op|1.2.3.4')).toBe(false);
    expect(throttle.allowed('op|5.6.7.8')).toBe(true);
    now = 1000;
    expect(throttle.allowed('op|1.2.3.4')).toBe(true);
    throttle.failed('op|1.2.3.4');
    throttle.succeeded('op|1.2.3.4');
    throttle.failed('op|1.2.3.4');
    throttle.failed('op|1.2.3.4');
    expect(throttle.allowed('op|1.2.3.4')).toBe(true);
  });
});
