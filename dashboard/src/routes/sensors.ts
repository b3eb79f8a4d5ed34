import { SENSOR_ID_PATTERN, type Domain } from '@cityops/contracts';
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { dashboardError } from '../errors.ts';
import type { DashboardDeps } from '../ports.ts';
import { parseHistoryWindow } from '../query-params.ts';

export interface SensorRoutesOptions {
  deps: Pick<DashboardDeps, 'sensors' | 'sensorDomain' | 'history'>;
  clock: () => number;
}

const SensorParams = Type.Object({ id: Type.String({ pattern: SENSOR_ID_PATTERN.source }) });
const HistoryQuerystring = Type.Object({
  from: Type.Optional(Type.String({ maxLength: 40 })),
  to: Type.Optional(Type.String({ maxLength: 40 })),
  every: Type.Optional(Type.String({ maxLength: 16 })),
});

export const sensorRoutes: FastifyPluginAsyncTypebox<SensorRoutesOptions> = async (app, { deps, clock }) => {
  const domainOf = (id: string): Domain | undefined =>
    deps.sensorDomain
      ? deps.sensorDomain(id)
      : deps.sensors().features.find((f) => f.properties.id === id)?.properties.domain;

  app.get('/sensors', async () => deps.sensors());

  app.get(
    '/sensors/:id/history',
    { schema: { params: SensorParams, querystring: HistoryQuerystring } },
    async (request) => {
      const { id } = request.params;
      // Validate the window before the lookup so a bad query answers 400 whatever the id.
      const window = parseHistoryWindow(request.query, clock());
      const domain = domainOf(id);
      if (!domain) throw dashboardError('CITYOPS_DASHBOARD_SENSOR_NOT_FOUND');
      return deps.history({ sensorId: id, domain, ...window });
    },
  );
};
