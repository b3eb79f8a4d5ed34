/**
 * Token buckets keyed by a string (device id, client address). A key costs
 * two numbers; full buckets are forgotten when the map grows past `maxKeys`,
 * so an attacker cycling through keys cannot grow memory without bound.
 */

export interface RateLimit {
  /** sustained rate */
  perSecond: number;
  /** how many may come at once after a quiet period */
  burst: number;
}

export interface TokenBuckets {
  /** Takes one token; false when the key is over its rate. */
  take(key: string, now: number): boolean;
  readonly size: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export function createTokenBuckets(limit: RateLimit, maxKeys = 100_000): TokenBuckets {
  const buckets = new Map<string, Bucket>();

  const refill = (bucket: Bucket, now: number): void => {
    bucket.tokens = Math.min(limit.burst, bucket.tokens + ((now - bucket.at) / 1000) * limit.perSecond);
    bucket.at = now;
  };

  const prune = (now: number): void => {
    for (const [key, bucket] of buckets) {
      refill(bucket, now);
      if (bucket.tokens >= limit.burst) buckets.delete(key);
    }
    // Still too many (a flood of distinct keys, all busy): drop the oldest; they restart full.
    for (const key of buckets.keys()) {
      if (buckets.size < maxKeys) break;
      buckets.delete(key);
    }
  };

  return {
    get size() {
      return buckets.size;
    },
    take(key, now) {
      let bucket = buckets.get(key);
      if (bucket === undefined) {
        if (buckets.size >= maxKeys) prune(now);
        bucket = { tokens: limit.burst, at: now };
        buckets.set(key, bucket);
      } else {
        refill(bucket, now);
      }
      if (bucket.tokens < 1) return false;
      bucket.tokens -= 1;
      return true;
    },
  };
}
