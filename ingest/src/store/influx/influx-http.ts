import { storeQueryFailedError, storeRejectedError, storeUnavailableError } from '../../errors.ts';
import type { InfluxQueryResponse } from './influxql.ts';

export interface InfluxAuth {
  /** v2/v3 token, sent as `Authorization: Token …` */
  token?: string;
  /** v1 credentials, sent as u/p parameters */
  username?: string;
  password?: string;
}

const headersFor = (auth: InfluxAuth): Record<string, string> => (auth.token ? { authorization: `Token ${auth.token}` } : {});

const withCredentials = (params: URLSearchParams, auth: InfluxAuth): URLSearchParams => {
  if (auth.username !== undefined) params.set('u', auth.username);
  if (auth.password !== undefined) params.set('p', auth.password);
  return params;
};

/**
 * Maps an HTTP answer to the two failures the spool cares about: content the
 * database will never take (400 bad line / field type conflict, 413, 422 → dead
 * letters) versus everything else (network, 401/403/404, 429, 5xx → retry later).
 */
export function writeFailure(status: number, body: string): Error {
  if (status === 400 || status === 413 || status === 422) return storeRejectedError(status, body.slice(0, 500));
  return storeUnavailableError(`HTTP ${status}: ${body.slice(0, 500)}`);
}

/** The v1 `/write` endpoint (InfluxDB 1.x before 1.8 has nothing else). */
export async function postV1Write(
  baseUrl: string,
  target: { database: string; retentionPolicy?: string },
  auth: InfluxAuth,
  body: string,
  timeoutMs: number,
): Promise<void> {
  const params = withCredentials(new URLSearchParams({ db: target.database, precision: 'ms' }), auth);
  if (target.retentionPolicy) params.set('rp', target.retentionPolicy);
  let res: Response;
  try {
    res = await fetch(`${baseUrl}/write?${params}`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain; charset=utf-8', ...headersFor(auth) },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    throw storeUnavailableError(`POST /write failed: ${(err as Error).message}`, err);
  }
  if (res.status === 204 || res.status === 200) {
    await res.body?.cancel();
    return;
  }
  throw writeFailure(res.status, await res.text().catch(() => ''));
}

/** InfluxQL over `/query` (1.x, 2.x with a DBRP mapping, 3.x). Statement errors reject. */
export async function influxQuery(
  baseUrl: string,
  database: string,
  auth: InfluxAuth,
  q: string,
  timeoutMs: number,
  method: 'GET' | 'POST' = 'GET',
): Promise<InfluxQueryResponse> {
  const params = withCredentials(new URLSearchParams({ db: database, q, epoch: 'ms' }), auth);
  let res: Response;
  try {
    res = await fetch(`${baseUrl}/query?${params}`, { method, headers: headersFor(auth), signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    throw storeUnavailableError(`/query failed: ${(err as Error).message}`, err);
  }
  const text = await res.text();
  if (res.status >= 500 || res.status === 401 || res.status === 403) throw storeUnavailableError(`/query HTTP ${res.status}: ${text.slice(0, 300)}`);
  let json: InfluxQueryResponse;
  try {
    json = JSON.parse(text) as InfluxQueryResponse;
  } catch (err) {
    throw storeQueryFailedError(`/query HTTP ${res.status} answered non-JSON: ${text.slice(0, 200)}`, err);
  }
  const error = json.error ?? json.results?.find((r) => r.error)?.error;
  if (error !== undefined || res.status >= 400) throw storeQueryFailedError(`${error ?? `HTTP ${res.status}`} (query: ${q.slice(0, 200)})`);
  return json;
}
