import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { dashboardError } from '../errors.ts';
import type { AlertAuditEntry } from '../ports.ts';

export interface AlertAuditRoutesOptions {
  audit(id: string): AlertAuditEntry[];
}

const AlertParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) });

/** GET /api/alerts/:id/audit — any signed-in role may read an alert's history; an unknown id answers 404. */
export const alertAuditRoutes: FastifyPluginAsyncTypebox<AlertAuditRoutesOptions> = async (app, { audit }) => {
  app.get('/alerts/:id/audit', { schema: { params: AlertParams } }, async (request): Promise<AlertAuditEntry[]> => {
    let entries: AlertAuditEntry[];
    try {
      entries = audit(request.params.id);
    } catch (err) {
      const code = (err as { code?: unknown } | null)?.code;
      if (typeof code === 'string' && code.endsWith('_NOT_FOUND')) throw dashboardError('CITYOPS_DASHBOARD_ALERT_NOT_FOUND');
      throw err;
    }
    if (entries.length === 0) throw dashboardError('CITYOPS_DASHBOARD_ALERT_NOT_FOUND');
    return entries;
  });
};
