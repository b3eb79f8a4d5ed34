import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { dashboardError } from '../errors.ts';
import type { AlertComment, DashboardDeps } from '../ports.ts';
import { operatorOf, requireRole } from '../request-auth.ts';

export interface AlertCommentRoutesOptions {
  alerts: DashboardDeps['alerts'];
}

const AlertParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) });
const CommentBody = Type.Object({ comment: Type.String({ minLength: 1, maxLength: 2000, pattern: '\\S' }) }, { additionalProperties: false });

const notFound = (err: unknown): unknown => {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.endsWith('_NOT_FOUND') ? dashboardError('CITYOPS_DASHBOARD_ALERT_NOT_FOUND') : err;
};

/** Operators' notes on an alert: kept in its audit trail, open or resolved. */
export const alertCommentRoutes: FastifyPluginAsyncTypebox<AlertCommentRoutesOptions> = async (app, { alerts }) => {
  const { comment, comments } = alerts;
  if (!comment || !comments) return;

  app.get('/alerts/:id/comments', { schema: { params: AlertParams } }, async (request): Promise<AlertComment[]> => {
    try {
      return comments(request.params.id);
    } catch (err) {
      throw notFound(err);
    }
  });

  app.post(
    '/alerts/:id/comments',
    { schema: { params: AlertParams, body: CommentBody }, onRequest: requireRole('operator') },
    async (request, reply): Promise<AlertComment> => {
      const by = operatorOf(request).username;
      try {
        const added = comment(request.params.id, by, request.body.comment);
        request.log.info({ alertId: added.alertId, by }, 'alert comment added');
        reply.code(201);
        return added;
      } catch (err) {
        throw notFound(err);
      }
    },
  );
};
