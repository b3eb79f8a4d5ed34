import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** Key length of the stored scrypt hash, bytes. */
const KEY_LENGTH = 32;
/** N=2^14, r=8: ~16 MiB and tens of ms per hash; the verify cache keeps reconnect storms off this path. */
export const DEFAULT_SCRYPT_COST = 16_384;

export interface SecretHash {
  salt: string;
  hash: string;
  cost: number;
}

/** 24 random bytes → 32 url-safe characters, easy to paste into device configs. */
export function generateSecret(): string {
  return randomBytes(24).toString('base64url');
}

function deriveKey(secret: string, salt: Buffer, cost: number): Promise<Buffer> {
  // Memory needed is 128 * N * r; raise maxmem so large costs do not fail with ERR_CRYPTO_INVALID_SCRYPT_PARAMS.
  const options: ScryptOptions = { N: cost, r: 8, p: 1, maxmem: 256 * cost * 8 + 1024 * 1024 };
  return new Promise((resolve, reject) => {
    scrypt(secret, salt, KEY_LENGTH, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

export async function hashSecret(secret: string, cost: number): Promise<SecretHash> {
  const salt = randomBytes(16);
  const key = await deriveKey(secret, salt, cost);
  return { salt: salt.toString('base64url'), hash: key.toString('base64url'), cost };
}

export async function secretMatches(secret: string, stored: SecretHash): Promise<boolean> {
  const expected = Buffer.from(stored.hash, 'base64url');
  const actual = await deriveKey(secret, Buffer.from(stored.salt, 'base64url'), stored.cost);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
