import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from '@cityops/sqlite';
import {
  createSqliteDeadLetterStore,
  truncateUtf8,
  MAX_DEAD_LETTER_PAYLOAD_BYTES,
  type DeadLetter,
} from './sqlite-dead-letter-store.ts';

const letter = (i: number, over: Partial<DeadLetter> = {}): DeadLetter => ({
  receivedAt: 1_800_000_000_000 + i,
  topic: `city/hcmc/flood/fl-${i}/telemetry`,
  clientId: `fl-${i}`,
  reason: 'out_of_range',
  detail: `waterLevelCm=${600 + i} is above the maximum 500 cm`,
  payload: `{"waterLevelCm":${600 + i}}`,
  ...over,
});

describe('sqlite dead-letter store', () => {
  let dir: string;
  let db: Database.Database;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cityops-dl-'));
    db = new Database(join(dir, 'center.db'));
    db.pragma('journal_mode = WAL');
  });
  afterEach(async () => {
    db.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('stores letters and lists them newest first, filtered by reason', () => {
    const store = createSqliteDeadLetterStore(db);
    store.add(letter(1));
    store.add(letter(2, { reason: 'invalid_json', detail: 'payload is not valid JSON', payload: '{' }));
    store.add(letter(3));
    expect(store.list()).toEqual([letter(3), letter(2, { reason: 'invalid_json', detail: 'payload is not valid JSON', payload: '{' }), letter(1)]);
    expect(store.list({ reason: 'out_of_range', limit: 1 })).toEqual([letter(3)]);
    expect(store.list({ reason: 'too_large' })).toEqual([]);
    expect(store.countsByReason()).toEqual({ out_of_range: 2, invalid_json: 1 });
  });

  it('writes buffered letters on the next turn of the event loop, visible to another connection', async () => {
    const store = createSqliteDeadLetterStore(db);
    store.add(letter(1));
    await new Promise((resolve) => setImmediate(resolve));
    const other = new Database(join(dir, 'center.db'), { readonly: true });
    expect(other.prepare('SELECT count(*) FROM ingest_dead_letters').pluck().get()).toBe(1);
    other.close();
  });

  it('truncates the payload to 4 KiB of UTF-8 without splitting a character', () => {
    const store = createSqliteDeadLetterStore(db);
    const payload = `x${'ệ'.repeat(3000)}`; // 1 + 9000 bytes
    store.add(letter(1, { payload }));
    const [stored] = store.list();
    const bytes = Buffer.byteLength(stored!.payload, 'utf8');
    expect(bytes).toBeLessThanOrEqual(MAX_DEAD_LETTER_PAYLOAD_BYTES);
    expect(bytes).toBeGreaterThan(MAX_DEAD_LETTER_PAYLOAD_BYTES - 3);
    expect(stored!.payload).not.toContain('\ufffd');
    expect(payload.startsWith(stored!.payload)).toBe(true);
  });

  it('truncateUtf8 leaves short text alone and cuts on character boundaries', () => {
    expect(truncateUtf8('abc', 2)).toBe('ab');
    expect(truncateUtf8('ab', 10)).toBe('ab');
    expect(truncateUtf8('aệ', 3)).toBe('a');
    expect(truncateUtf8('aệ', 4)).toBe('aệ');
  });

  it('keeps only the newest maxRows letters', () => {
    const store = createSqliteDeadLetterStore(db, { maxRows: 1000 });
    for (let i = 0; i < 2600; i++) store.add(letter(i));
    const counts = store.countsByReason();
    expect(counts.out_of_range).toBe(1000);
    const newest = store.list({ limit: 5000 });
    expect(newest).toHaveLength(1000);
    expect(newest[0]).toEqual(letter(2599));
    expect(newest.at(-1)).toEqual(letter(1600));
  });

  it('reopens on an existing table and keeps the letters', () => {
    const first = createSqliteDeadLetterStore(db);
    first.add(letter(1));
    first.flush();
    const again = createSqliteDeadLetterStore(db);
    expect(again.list()).toEqual([letter(1)]);
  });
});
