import { describe, it, expect, afterEach } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { decodeRecordedMessage, encodeRecordedMessage } from './recorded-message.ts';
import { createRecordingWriter } from './recording-writer.ts';
import { readRecording, recordingFiles } from './recording-reader.ts';
import { SIM_ERROR_CODES } from '../errors.ts';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'cityops-rec-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const collect = async <T>(it: AsyncIterable<T>): Promise<T[]> => {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
};

describe('recorded message lines', () => {
  it('keeps UTF-8 payloads as text and anything else as base64, byte for byte', () => {
    const text = Buffer.from('{"ts":"2026-11-24T07:00:00+07:00","pm25":12,"note":"Quận 1"}');
    const binary = Buffer.from([0xff, 0xfe, 0x00, 0x7b, 0xc3]);
    const l1 = encodeRecordedMessage({ receivedAt: 1, topic: 'city/hcmc/air/a1/telemetry', payload: text });
    const l2 = encodeRecordedMessage({ receivedAt: 2, topic: 'city/hcmc/air/a1/telemetry', payload: binary });
    expect(JSON.parse(l1)).toMatchObject({ t: 1, payload: text.toString() });
    expect(JSON.parse(l2)).toHaveProperty('payloadBase64');
    expect(decodeRecordedMessage(l1)?.payload.equals(text)).toBe(true);
    expect(decodeRecordedMessage(l2)?.payload.equals(binary)).toBe(true);
  });

  it('rejects lines that are not recorded messages', () => {
    expect(decodeRecordedMessage('{"t":1,"topic":"x"')).toBeNull();
    expect(decodeRecordedMessage('{"t":"1","topic":"x","payload":""}')).toBeNull();
    expect(decodeRecordedMessage('{"t":1,"topic":"x"}')).toBeNull();
    expect(decodeRecordedMessage('[]')).toBeNull();
  });
});

describe('recording files', () => {
  it('rotates by size, each file a complete gzip stream, and reads back in order', async () => {
    const dir = tempDir();
    const writer = createRecordingWriter({ dir, maxBytes: 4096 });
    const payloads: string[] = [];
    for (let i = 0; i < 3000; i++) {
      // incompressible-ish payloads so the size limit is reached quickly
      const p = JSON.stringify({ ts: i, v: Math.random().toString(36).repeat(3) });
      payloads.push(p);
      writer.write({ receivedAt: 1000 + i, topic: `city/hcmc/air/s${i % 7}/telemetry`, payload: Buffer.from(p) });
    }
    const files = await writer.close();
    expect(files.length).toBeGreaterThan(1);
    expect(files.every((f) => f.endsWith('.ndjson.gz'))).toBe(true);
    expect(recordingFiles(dir)).toEqual(files);
    for (const f of files) expect(gunzipSync(readFileSync(f)).toString().endsWith('\n')).toBe(true);
    const back = await collect(readRecording(dir));
    expect(back.map((m) => m.payload.toString())).toEqual(payloads);
    expect(back.map((m) => m.receivedAt)).toEqual(payloads.map((_, i) => 1000 + i));
  });

  it('rotates by age on the clock it is given', async () => {
    const dir = tempDir();
    let now = 0;
    const writer = createRecordingWriter({ dir, maxAgeMs: 60_000, clock: () => now });
    for (let i = 0; i < 10; i++) {
      now = i * 20_000;
      writer.write({ receivedAt: now, topic: 't', payload: Buffer.from(String(i)) });
    }
    const files = await writer.close();
    // 0–40 s, 60–100 s, 120–160 s, 180 s
    expect(files).toHaveLength(4);
    expect((await collect(readRecording(files))).map((m) => m.payload.toString())).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  });

  it('survives a recorder killed mid-file: bad lines and a truncated gzip tail are skipped and counted', async () => {
    const dir = tempDir();
    const writer = createRecordingWriter({ dir });
    for (let i = 0; i < 500; i++) writer.write({ receivedAt: i, topic: 't', payload: Buffer.from(`reading number ${i} `.repeat(5)) });
    const [file] = await writer.close();
    const whole = readFileSync(file!);
    writeFileSync(file!, whole.subarray(0, Math.floor(whole.length * 0.7)));
    const plain = join(dir, 'extra.ndjson');
    writeFileSync(plain, '{"t":1,"topic":"t","payload":"ok"}\nnot json\n');
    const stats = { lines: 0, invalid: 0 };
    const back = await collect(readRecording([file!, plain], stats));
    expect(back.length).toBeGreaterThan(100);
    expect(back.length).toBeLessThan(501);
    expect(back[back.length - 1]?.payload.toString()).toBe('ok');
    expect(stats.invalid).toBeGreaterThanOrEqual(1);
  });

  it('reports a missing recording with a stable code', async () => {
    await expect(collect(readRecording('/nonexistent/rec.ndjson.gz'))).rejects.toMatchObject({ code: SIM_ERROR_CODES.RECORDING_UNREADABLE });
  });
});
