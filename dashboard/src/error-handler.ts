import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { DASHBOARD_ERRORS, isDashboardError, type DashboardErrorCode, type ErrorBody } from './errors.ts';

export function sendError(reply: FastifyReply, code: DashboardErrorCode, message?: string): FastifyReply {
  const status = DASHBOARD_ERRORS[code].status;
  const body: ErrorBody = { statusCode: status, code, message: message ?? DASHBOARD_ERRORS[code].message };
  return reply.status(status).header('cache-control', 'no-store').send(body);
}

/** Fastify's own client errors (body parsing, schema validation) mapped onto our catalogue. */
function clientErrorCode(err: FastifyError): DashboardErrorCode | null {
  if (err.validation) return 'CITYOPS_DASHBOARD_BAD_REQUEST';
  const status = err.statusCode ?? 500;
  if (status === 413) return 'CITYOPS_DASHBOARD_PAYLOAD_TOO_LARGE';
  if (status === 415) return 'CITYOPS_DASHBOARD_UNSUPPORTED_MEDIA_TYPE';
  if (status >= 400 && status < 500 && typeof err.code === 'string' && err.code.startsWith('FST_')) {
    return 'CITYOPS_DASHBOARD_BAD_REQUEST';
  }
  return null;
}

/**
 * Known errors answer with their catalogue entry; schema messages are ours
 * (generated from our schemas) so they may be shown. Everything else is
 * logged and answered with a generic 500: upstream messages can hold paths,
 * SQL or secrets.
 */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (isDashboardError(err)) return sendError(reply, err.code, err.message);
    const code = clientErrorCode(err);
    if (code) return sendError(reply, code, err.validation ? err.message : undefined);
    request.log.error({ err, url: request.url, method: request.method }, 'unhandled error');
    return sendError(reply, 'CITYOPS_DASHBOARD_INTERNAL');
  });
}
