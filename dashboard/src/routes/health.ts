import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { DashboardDeps } from '../ports.ts';

export interface HealthRoutesOptions {
  deps: Pick<DashboardDeps, 'ready' | 'metrics'>;
}

/** Probes and metrics: unauthenticated on purpose, for the orchestrator and the city's monitoring on the closed network. */
export const healthRoutes: FastifyPluginAsyncTypebox<HealthRoutesOptions> = async (app, { deps }) => {
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('cache-control', 'no-store');
    return payload;
  });

  app.get('/healthz', async () => ({ ok: true }));

  app.get('/readyz', async (request, reply) => {
    try {
      const result = await deps.ready();
      return reply.status(result.ok ? 200 : 503).send(result);
    } catch (err) {
      request.log.error({ err }, 'readiness check failed');
      return reply.status(503).send({ ok: false, checks: {} });
    }
  });

  app.get('/metrics', async (_request, reply) => {
    const body = await deps.metrics.render();
    return reply.type(deps.metrics.contentType).send(body);
  });
};
