import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { buildCitySnapshot, type CitySnapshot } from '../city-snapshot.ts';
import { dashboardError } from '../errors.ts';
import type { DashboardDeps } from '../ports.ts';
import { parseEvery, parseInstant } from '../query-params.ts';

export interface SnapshotRoutesOptions {
  deps: Pick<DashboardDeps, 'sensors' | 'history' | 'latestIn' | 'alerts'>;
  clock: () => number;
}

const DEFAULT_LOOKBACK_MS = 15 * 60_000;
const MAX_LOOKBACK_MS = 6 * 3_600_000;
const MAX_AGE_MS = 31 * 86_400_000;

const SnapshotQuerystring = Type.Object({
  at: Type.String({ maxLength: 40 }),
  lookback: Type.Optional(Type.String({ maxLength: 16 })),
});

/** GET /api/snapshot?at=<ISO|epoch ms>[&lookback=15m]: the city as it stood then, for the map's time slider. */
export const snapshotRoutes: FastifyPluginAsyncTypebox<SnapshotRoutesOptions> = async (app, { deps, clock }) => {
  app.get('/snapshot', { schema: { querystring: SnapshotQuerystring } }, async (request): Promise<CitySnapshot> => {
    const at = parseInstant(request.query.at, 'at');
    const now = clock();
    if (at > now + 60_000 || at < now - MAX_AGE_MS) throw dashboardError('CITYOPS_DASHBOARD_BAD_QUERY', 'at must be within the last 31 days');
    const lookbackMs = request.query.lookback === undefined ? DEFAULT_LOOKBACK_MS : parseEvery(request.query.lookback);
    if (lookbackMs > MAX_LOOKBACK_MS) throw dashboardError('CITYOPS_DASHBOARD_BAD_QUERY', 'lookback may be at most 6h');
    return buildCitySnapshot(deps, at, lookbackMs);
  });
};
