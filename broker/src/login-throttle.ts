/**
 * Failed-login throttling per client address and per username. Scrypt makes
 * each guess cost the attacker a round trip, but not enough: after too many
 * failures within `windowMs` the address (or the username) is locked out for
 * `lockoutMs`, and a locked-out attempt is refused before any hash is computed.
 *
 * The per-username lockout lets an attacker who knows a device id keep that
 * device out for a while; the lockout is therefore short and the refusal is
 * "server unavailable" (CONNACK 3), which field clients treat as "retry later".
 */

export interface LoginThrottleLimits {
  /** failures from one address within the window before it is locked out */
  perAddress: number;
  /** failures for one username within the window before it is locked out */
  perUsername: number;
  windowMs: number;
  lockoutMs: number;
}

export type LockScope = 'address' | 'username';

export interface LoginThrottle {
  /** the scope that is currently locked out, if any */
  locked(address: string, username: string, now: number): LockScope | null;
  /** records a failure; returns the scopes this failure locked out */
  fail(address: string, username: string, now: number): LockScope[];
  /** a successful login forgets the username's failures */
  succeed(username: string): void;
}

interface Entry {
  failures: number;
  windowStart: number;
  lockedUntil: number;
}

const MAX_ENTRIES = 50_000;

export function createLoginThrottle(limits: LoginThrottleLimits): LoginThrottle {
  const byScope: Record<LockScope, Map<string, Entry>> = { address: new Map(), username: new Map() };
  const threshold: Record<LockScope, number> = { address: limits.perAddress, username: limits.perUsername };

  const isLocked = (scope: LockScope, key: string, now: number): boolean => (byScope[scope].get(key)?.lockedUntil ?? 0) > now;

  const prune = (map: Map<string, Entry>, now: number): void => {
    for (const [key, entry] of map) {
      if (entry.lockedUntil <= now && now - entry.windowStart > limits.windowMs) map.delete(key);
    }
    for (const key of map.keys()) {
      if (map.size < MAX_ENTRIES) break;
      map.delete(key);
    }
  };

  const record = (scope: LockScope, key: string, now: number): boolean => {
    const map = byScope[scope];
    let entry = map.get(key);
    if (entry === undefined || now - entry.windowStart > limits.windowMs) {
      if (entry === undefined && map.size >= MAX_ENTRIES) prune(map, now);
      entry = { failures: 0, windowStart: now, lockedUntil: entry?.lockedUntil ?? 0 };
      map.set(key, entry);
    }
    entry.failures++;
    if (entry.failures >= threshold[scope] && entry.lockedUntil <= now) {
      entry.lockedUntil = now + limits.lockoutMs;
      entry.failures = 0;
      entry.windowStart = now;
      return true;
    }
    return false;
  };

  return {
    locked(address, username, now) {
      if (isLocked('address', address, now)) return 'address';
      if (isLocked('username', username, now)) return 'username';
      return null;
    },
    fail(address, username, now) {
      const locked: LockScope[] = [];
      if (record('address', address, now)) locked.push('address');
      if (record('username', username, now)) locked.push('username');
      return locked;
    },
    succeed(username) {
      const entry = byScope.username.get(username);
      if (entry !== undefined && entry.lockedUntil === 0) byScope.username.delete(username);
      else if (entry !== undefined) entry.failures = 0;
    },
  };
}
