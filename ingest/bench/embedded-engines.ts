/**
 * Chooses the embedded telemetry engine by measurement (docs/storage-engines.md).
 *
 *   npx tsx ingest/bench/embedded-engines.ts [--readings 1000000] [--dir /path/on/real/disk]
 *
 * Workload: `readings` readings of 4 float fields from 1,000 sensors, written in
 * batches of 1,000 (the ingest group-commit size), each batch one durable commit.
 * Then 200 queries of one sensor's last 24 h in 1-minute buckets (mean per field),
 * and the bytes the engine uses on disk.
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import Database from '@cityops/sqlite';
import { open as openLmdb } from 'lmdb';

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
};

const TOTAL = Number(arg('readings', '1000000'));
const SENSORS = 1000;
const BATCH = 1000;
const PER_SENSOR = TOTAL / SENSORS;
// Spread each sensor's readings over exactly 24 h so the history query sees all of them.
const DAY_MS = 86_400_000;
const STEP_MS = Math.floor(DAY_MS / PER_SENSOR);
const T0 = Date.UTC(2026, 10, 24);
const QUERIES = 200;
const BUCKET_MS = 60_000;
const baseDir = arg('dir', fileURLToPath(new URL('../.bench-tmp', import.meta.url)));

interface Engine {
  name: string;
  writeBatch(batch: Float64Array, sensorIdx: Int32Array, n: number): Promise<void>;
  history(sensor: number, from: number, to: number, every: number): Promise<number>;
  close(): Promise<void>;
}

function diskBytes(dir: string): { apparent: number; allocated: number } {
  let apparent = 0;
  let allocated = 0;
  for (const name of readdirSync(dir, { recursive: true }) as string[]) {
    const st = statSync(join(dir, name));
    if (!st.isFile()) continue;
    apparent += st.size;
    allocated += st.blocks * 512;
  }
  return { apparent, allocated };
}

const sensorName = (i: number): string => `tr-${String(i).padStart(4, '0')}`;

function sqliteEngine(dir: string, synchronous: 'FULL' | 'NORMAL', cacheMb?: number): Engine {
  const db = new Database(join(dir, 'bench.db'));
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${synchronous}`);
  // The default 2 MB page cache is smaller than the 1,000 series' tail pages a batch touches.
  if (cacheMb !== undefined) db.pragma(`cache_size = -${cacheMb * 1024}`);
  db.exec(`CREATE TABLE series (id INTEGER PRIMARY KEY, sensor_id TEXT UNIQUE NOT NULL);
    CREATE TABLE traffic (series_id INTEGER NOT NULL, ts INTEGER NOT NULL,
      received_at INTEGER NOT NULL, f0 REAL, f1 REAL, f2 REAL, f3 REAL,
      PRIMARY KEY (series_id, ts)) WITHOUT ROWID;`);
  const insSeries = db.prepare('INSERT INTO series (id, sensor_id) VALUES (?, ?)');
  db.transaction(() => {
    for (let i = 0; i < SENSORS; i++) insSeries.run(i + 1, sensorName(i));
  })();
  const ins = db.prepare(
    'INSERT OR REPLACE INTO traffic (series_id, ts, received_at, f0, f1, f2, f3) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const write = db.transaction((batch: Float64Array, idx: Int32Array, n: number) => {
    for (let i = 0; i < n; i++) {
      const o = i * 5;
      ins.run(idx[i]! + 1, batch[o]!, batch[o]!, batch[o + 1]!, batch[o + 2]!, batch[o + 3]!, batch[o + 4]!);
    }
  });
  const q = db.prepare(
    `SELECT (ts / @every) * @every AS b, avg(f0), avg(f1), avg(f2), avg(f3) FROM traffic
     WHERE series_id = (SELECT id FROM series WHERE sensor_id = @sensor) AND ts >= @from AND ts < @to
     GROUP BY b ORDER BY b`,
  ).raw();
  return {
    name: `better-sqlite3 WAL synchronous=${synchronous}${cacheMb ? ` cache=${cacheMb}MB` : ''}`,
    async writeBatch(batch, idx, n) {
      write(batch, idx, n);
    },
    async history(sensor, from, to, every) {
      return q.all({ every, sensor: sensorName(sensor), from, to }).length;
    },
    async close() {
      db.pragma('wal_checkpoint(TRUNCATE)');
      db.close();
    },
  };
}

function lmdbEngine(dir: string): Engine {
  // Key [sensorIdx, ts] keeps one sensor's readings contiguous and time-ordered,
  // the same clustering the SQLite WITHOUT ROWID primary key gives.
  const db = openLmdb<Buffer, [number, number]>({
    path: join(dir, 'bench.lmdb'),
    encoding: 'binary',
    compression: false,
  });
  return {
    name: 'lmdb (lmdb-js 3, sync commits)',
    async writeBatch(batch, idx, n) {
      await db.transaction(() => {
        for (let i = 0; i < n; i++) {
          const o = i * 5;
          const value = new Float64Array(5);
          value[0] = batch[o]!;
          value.set(batch.subarray(o + 1, o + 5), 1);
          db.put([idx[i]!, batch[o]!], Buffer.from(value.buffer));
        }
      });
    },
    async history(sensor, from, to, every) {
      const sums = new Map<number, number[]>();
      for (const { key, value } of db.getRange({ start: [sensor, from], end: [sensor, to] })) {
        const ts = key[1];
        const v = value;
        const f = new Float64Array(v.buffer, v.byteOffset, 5);
        const b = Math.floor(ts / every) * every;
        let s = sums.get(b);
        if (!s) sums.set(b, (s = [0, 0, 0, 0, 0]));
        s[0]! += f[1]!;
        s[1]! += f[2]!;
        s[2]! += f[3]!;
        s[3]! += f[4]!;
        s[4]! += 1;
      }
      return sums.size;
    },
    async close() {
      await db.close();
    },
  };
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function run(make: (dir: string) => Engine): Promise<Record<string, string | number>> {
  const dir = mkdtempSync(join(baseDir, 'e-'));
  const engine = make(dir);
  // Generation is outside the timed region: ts, 4 fields per reading.
  const batch = new Float64Array(BATCH * 5);
  const idx = new Int32Array(BATCH);
  let rng = 42;
  const rand = (): number => ((rng = (rng * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  let writeMs = 0;
  let n = 0;
  for (let step = 0; step < PER_SENSOR; step++) {
    for (let s = 0; s < SENSORS; s++) {
      const o = n * 5;
      batch[o] = T0 + step * STEP_MS + s;
      batch[o + 1] = rand() * 120;
      batch[o + 2] = Math.floor(rand() * 500);
      batch[o + 3] = rand() * 100;
      batch[o + 4] = 60;
      idx[n] = s;
      n++;
      if (n === BATCH) {
        const t = performance.now();
        await engine.writeBatch(batch, idx, n);
        writeMs += performance.now() - t;
        n = 0;
      }
    }
  }
  if (n > 0) {
    const t = performance.now();
    await engine.writeBatch(batch, idx, n);
    writeMs += performance.now() - t;
  }
  const lat: number[] = [];
  let buckets = 0;
  for (let i = 0; i < QUERIES; i++) {
    const sensor = (i * 7919) % SENSORS;
    const t = performance.now();
    buckets += await engine.history(sensor, T0, T0 + DAY_MS, BUCKET_MS);
    lat.push(performance.now() - t);
  }
  await engine.close();
  lat.sort((a, b) => a - b);
  const disk = diskBytes(dir);
  rmSync(dir, { recursive: true, force: true });
  return {
    engine: engine.name,
    'writes/s': Math.round(TOTAL / (writeMs / 1000)),
    'query p50 ms': Number(pct(lat, 50).toFixed(2)),
    'query p99 ms': Number(pct(lat, 99).toFixed(2)),
    'buckets/query': Math.round(buckets / QUERIES),
    'disk MB / 1M readings (apparent)': Number(((disk.apparent / TOTAL) * 1e6 / 1e6).toFixed(1)),
    'disk MB / 1M readings (allocated)': Number(((disk.allocated / TOTAL) * 1e6 / 1e6).toFixed(1)),
  };
}

rmSync(baseDir, { recursive: true, force: true });
const { mkdirSync } = await import('node:fs');
mkdirSync(baseDir, { recursive: true });
const results = [];
for (const make of [
  (d: string) => sqliteEngine(d, 'FULL'),
  (d: string) => sqliteEngine(d, 'NORMAL'),
  (d: string) => sqliteEngine(d, 'FULL', 64),
  (d: string) => lmdbEngine(d),
]) {
  const r = await run(make);
  console.log(JSON.stringify(r));
  results.push(r);
}
console.table(results);
rmSync(baseDir, { recursive: true, force: true });
