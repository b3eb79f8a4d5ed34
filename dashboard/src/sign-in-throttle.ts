export interface SignInThrottle {
  /** True when this key may try again now. */
  allowed(key: string): boolean;
  failed(key: string): void;
  succeeded(key: string): void;
}

/**
 * Slows password guessing: after `maxFailures` failures within `windowMs`
 * for one key (username + client address) further attempts are refused
 * until the window passes. In memory: a restart forgets, which is fine for
 * one center process.
 */
export function createSignInThrottle(options: { maxFailures?: number; windowMs?: number; clock?: () => number } = {}): SignInThrottle {
  const maxFailures = options.maxFailures ?? 5;
  const windowMs = options.windowMs ?? 15 * 60_000;
  const clock = options.clock ?? Date.now;
  const failures = new Map<string, { count: number; first: number }>();

  const current = (key: string) => {
    const entry = failures.get(key);
    if (entry && clock() - entry.first >= windowMs) {
      failures.delete(key);
      return undefined;
    }
    return entry;
  };

  return {
    allowed: (key) => (current(key)?.count ?? 0) < maxFailures,
    failed(key) {
      const entry = current(key);
      if (entry) entry.count++;
      else failures.set(key, { count: 1, first: clock() });
      // Bound memory under a spray of random usernames.
      if (failures.size > 10_000) failures.delete(failures.keys().next().value as string);
    },
    succeeded: (key) => void failures.delete(key),
  };
}
