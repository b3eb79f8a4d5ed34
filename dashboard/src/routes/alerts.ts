import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Alert } from '@cityops/contracts';
import { dashboardError } from '../errors.ts';
import type { AlertFilter, DashboardDeps } from '../ports.ts';
import { parseAlertStates, parseDomain, parseInstant } from '../query-params.ts';
import { operatorOf, requireRole } from '../request-auth.ts';

export interface AlertRoutesOptions {
  alerts: DashboardDeps['alerts'];
}

const AlertsQuerystring = Type.Object({
  state: Type.Optional(Type.String({ maxLength: 64 })),
  domain: Type.Optional(Type.String({ maxLength: 16 })),
  since: Type.Optional(Type.String({ maxLength: 40 })),
});
const AlertParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) });
const AckBody = Type.Object({ comment: Type.Optional(Type.String({ maxLength: 1000 })) });

/** The alert service reports by code; any workspace's *_NOT_FOUND / *_RESOLVED maps onto ours. */
function translateAckError(err: unknown): unknown {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return err;
  if (code.endsWith('_NOT_FOUND')) return dashboardError('CITYOPS_DASHBOARD_ALERT_NOT_FOUND');
  if (code.endsWith('_RESOLVED') || code.endsWith('_CONFLICT')) return dashboardError('CITYOPS_DASHBOARD_ALERT_CONFLICT');
  return err;
}

export const alertRoutes: FastifyPluginAsyncTypebox<AlertRoutesOptions> = async (app, { alerts }) => {
  app.get('/alerts', { schema: { querystring: AlertsQuerystring } }, async (request): Promise<Alert[]> => {
    const { state, domain, since } = request.query;
    const filter: AlertFilter = {};
    if (state !== undefined) filter.state = parseAlertStates(state);
    if (domain !== undefined) filter.domain = parseDomain(domain);
    if (since !== undefined) filter.since = parseInstant(since, 'since');
    return alerts.list(filter);
  });

  app.post(
    '/alerts/:id/ack',
    { schema: { params: AlertParams, body: AckBody }, onRequest: requireRole('operator') },
    async (request): Promise<Alert> => {
      const by = operatorOf(request).username;
      const comment = request.body.comment?.trim() || undefined;
      try {
        const alert = alerts.acknowledge(request.params.id, by, comment);
        request.log.info({ alertId: alert.id, by }, 'alert acknowledged');
        return alert;
      } catch (err) {
        throw translateAckError(err);
      }
    },
  );
};
