import type { Database } from '@cityops/sqlite';
import type { Logger } from 'pino';
import { REJECT_REASONS, type RejectReason } from '@cityops/contracts';

export interface DeadLetter {
  receivedAt: number;
  topic: string;
  clientId: string;
  reason: RejectReason;
  detail: string;
  /** the payload as UTF-8 text, truncated to MAX_DEAD_LETTER_PAYLOAD_BYTES */
  payload: string;
}

export interface DeadLetterStore {
  add(letter: DeadLetter): void;
  /** newest first */
  list(options?: { limit?: number; reason?: RejectReason }): DeadLetter[];
  countsByReason(): Partial<Record<RejectReason, number>>;
}

export interface SqliteDeadLetterStore extends DeadLetterStore {
  /** writes letters buffered by add(); list/countsByReason call it themselves */
  flush(): void;
}

export const MAX_DEAD_LETTER_PAYLOAD_BYTES = 4096;
export const DEFAULT_MAX_DEAD_LETTERS = 100_000;
const DEFAULT_LIST_LIMIT = 100;
// add() buffers; one transaction per this many letters (or per event-loop turn)
// so a device spraying garbage costs one commit per burst, not one fsync per letter.
const FLUSH_AT = 500;

/** Cuts UTF-8 text to at most `maxBytes`, never in the middle of a character. */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (text.length * 3 <= maxBytes) return text;
  const buf = Buffer.from(text, 'utf8');
  if (buf.length <= maxBytes) return text;
  let end = maxBytes;
  while (end > 0 && ((buf[end] ?? 0) & 0xc0) === 0x80) end--;
  return buf.subarray(0, end).toString('utf8');
}

/**
 * Dead letters in the center's SQLite database (`ingest_dead_letters`). Bounded:
 * rows older than the newest `maxRows` are deleted by rowid range after each flush
 * (an index range delete, no scan), so the table hovers just above `maxRows`.
 */
export function createSqliteDeadLetterStore(
  db: Database,
  options: { maxRows?: number; logger?: Logger } = {},
): SqliteDeadLetterStore {
  const maxRows = options.maxRows ?? DEFAULT_MAX_DEAD_LETTERS;
  db.exec(`
    CREATE TABLE IF NOT EXISTS ingest_dead_letters (
      id INTEGER PRIMARY KEY,
      received_at INTEGER NOT NULL,
      topic TEXT NOT NULL,
      client_id TEXT NOT NULL,
      reason TEXT NOT NULL,
      detail TEXT NOT NULL,
      payload TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS ingest_dead_letters_reason ON ingest_dead_letters (reason, id);
  `);
  const insert = db.prepare(
    'INSERT INTO ingest_dead_letters (received_at, topic, client_id, reason, detail, payload) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const trim = db.prepare('DELETE FROM ingest_dead_letters WHERE id <= (SELECT max(id) FROM ingest_dead_letters) - ?');
  const cols = 'received_at AS receivedAt, topic, client_id AS clientId, reason, detail, payload';
  const listAll = db.prepare(`SELECT ${cols} FROM ingest_dead_letters ORDER BY id DESC LIMIT ?`);
  const listReason = db.prepare(`SELECT ${cols} FROM ingest_dead_letters WHERE reason = ? ORDER BY id DESC LIMIT ?`);
  const counts = db.prepare('SELECT reason, count(*) AS n FROM ingest_dead_letters GROUP BY reason').raw();

  let pending: DeadLetter[] = [];
  let scheduled: NodeJS.Immediate | null = null;

  const writeAll = db.transaction((letters: DeadLetter[]) => {
    for (const l of letters) {
      insert.run(l.receivedAt, l.topic, l.clientId, l.reason, l.detail, truncateUtf8(l.payload, MAX_DEAD_LETTER_PAYLOAD_BYTES));
    }
    trim.run(maxRows);
  });

  const flush = (): void => {
    if (scheduled) {
      clearImmediate(scheduled);
      scheduled = null;
    }
    if (pending.length === 0) return;
    const letters = pending;
    pending = [];
    writeAll(letters);
  };

  const flushSoon = (): void => {
    scheduled = null;
    const n = pending.length;
    // A closed database at shutdown must not become an uncaught exception.
    try {
      flush();
    } catch (err) {
      options.logger?.warn({ err, lost: n }, 'dead letters could not be written');
      pending = [];
    }
  };

  return {
    add(letter) {
      pending.push(letter);
      if (pending.length >= FLUSH_AT) flush();
      else if (scheduled === null) scheduled = setImmediate(flushSoon);
    },
    list(opts = {}) {
      flush();
      const limit = Math.max(0, Math.min(opts.limit ?? DEFAULT_LIST_LIMIT, maxRows));
      return (opts.reason === undefined ? listAll.all(limit) : listReason.all(opts.reason, limit)) as DeadLetter[];
    },
    countsByReason() {
      flush();
      const out: Partial<Record<RejectReason, number>> = {};
      for (const row of counts.all() as Array<[string, number]>) {
        if ((REJECT_REASONS as readonly string[]).includes(row[0])) out[row[0] as RejectReason] = row[1];
      }
      return out;
    },
    flush,
  };
}
