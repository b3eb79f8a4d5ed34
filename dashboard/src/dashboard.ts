import type { Alert, Reading, SensorStatus } from '@cityops/contracts';
import fastifyCookie from '@fastify/cookie';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { isAbsolute } from 'node:path';
import { dashboardError } from './errors.ts';
import { installErrorHandler } from './error-handler.ts';
import { createLiveServer, type LiveHub, type LiveServer } from './live.ts';
import type { DashboardDeps, DashboardOptions } from './ports.ts';
import { csrfGuard, requireSignedIn } from './request-auth.ts';
import { alertRoutes } from './routes/alerts.ts';
import { alertCommentRoutes } from './routes/alert-comments.ts';
import { ruleRoutes } from './routes/rules.ts';
import { healthRoutes } from './routes/health.ts';
import { sensorRoutes } from './routes/sensors.ts';
import { sessionRoutes } from './routes/session.ts';
import { snapshotRoutes } from './routes/snapshot.ts';
import { alertAuditRoutes } from './routes/alert-audit.ts';
import { createSignInThrottle } from './sign-in-throttle.ts';
import { installSecurityHeaders } from './security-headers.ts';
import { registerStaticFiles } from './static-files.ts';
import { createTelemetryCoalescer } from './telemetry-coalescer.ts';

export interface Dashboard {
  app: FastifyInstance;
  io: LiveServer;
  /** Coalesced per sensor, flushed as one `telemetry` batch per window. */
  publishReading(reading: Reading): void;
  publishStatus(status: SensorStatus): void;
  /** Any alert change; the center calls it for acknowledgements made through the API too. */
  publishAlert(alert: Alert): void;
  listen(options: { host: string; port: number }): Promise<{ port: number }>;
  close(): Promise<void>;
}

const QUIET_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

type ResolvedOptions = Readonly<Required<Omit<DashboardOptions, 'allowedOrigins'>> & { allowedOrigins: readonly string[] }>;

function resolveOptions(options: DashboardOptions): ResolvedOptions {
  const flushMs = options.telemetryFlushMs ?? 250;
  if (!isAbsolute(options.webRoot) || !isAbsolute(options.basemapDir)) {
    throw dashboardError('CITYOPS_DASHBOARD_INVALID_OPTIONS', 'webRoot and basemapDir must be absolute paths');
  }
  if (!Number.isFinite(flushMs) || flushMs < 10 || flushMs > 60_000) {
    throw dashboardError('CITYOPS_DASHBOARD_INVALID_OPTIONS', 'telemetryFlushMs must be between 10 and 60000');
  }
  return Object.freeze({
    webRoot: options.webRoot,
    basemapDir: options.basemapDir,
    telemetryFlushMs: flushMs,
    secureCookies: options.secureCookies ?? false,
    allowedOrigins: Object.freeze([...(options.allowedOrigins ?? [])]),
    clock: options.clock ?? Date.now,
  });
}

export async function buildDashboard(deps: DashboardDeps, options: DashboardOptions): Promise<Dashboard> {
  const config = resolveOptions(options);
  const logger = deps.logger.child({ module: 'dashboard' });
  // Created after the routes (it needs the server they are registered on); sign-out reaches it through this.
  let live: LiveHub | undefined;

  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    // Probes and scrapes every few seconds would drown the request log.
    logController: new LogController({ disableRequestLogging: (request) => QUIET_PATHS.has(request.url) }),
    bodyLimit: 16 * 1024,
  });

  installErrorHandler(app);
  installSecurityHeaders(app, { hsts: config.secureCookies });
  await app.register(fastifyCookie);

  await app.register(healthRoutes, { deps });

  await app.register(
    async (api) => {
      api.addHook('onRequest', csrfGuard(config.allowedOrigins));
      api.addHook('onSend', async (_request, reply, payload) => {
        reply.header('cache-control', 'no-store');
        return payload;
      });
      await api.register(sessionRoutes, {
        users: deps.users,
        secureCookies: config.secureCookies,
        throttle: createSignInThrottle(),
        onSignOut: (token) => live?.endSession(token),
      });
      await api.register(async (signedIn) => {
        signedIn.addHook('onRequest', requireSignedIn(deps.users));
        await signedIn.register(sensorRoutes, { deps, clock: config.clock });
        await signedIn.register(alertRoutes, { alerts: deps.alerts });
        await signedIn.register(alertCommentRoutes, { alerts: deps.alerts });
        if (deps.rules) await signedIn.register(ruleRoutes, { rules: deps.rules });
        await signedIn.register(snapshotRoutes, { deps, clock: config.clock });
        if (deps.alerts.audit) await signedIn.register(alertAuditRoutes, { audit: deps.alerts.audit.bind(deps.alerts) });
      });
    },
    { prefix: '/api' },
  );

  await registerStaticFiles(app, config);

  live = createLiveServer(app.server, {
    users: deps.users,
    parseCookie: (header) => app.parseCookie(header),
    allowedOrigins: config.allowedOrigins,
    logger,
  });
  const io = live.io;

  const telemetry = createTelemetryCoalescer((batch) => io.emit('telemetry', batch), config.telemetryFlushMs);
  let closing: Promise<void> | undefined;

  return {
    app,
    io,
    publishReading: (reading) => telemetry.add(reading),
    publishStatus: (status) => void io.emit('sensor:status', status),
    publishAlert: (alert) => void io.emit('alert', alert),

    async listen({ host, port }) {
      await app.listen({ host, port });
      const address = app.server.address();
      if (address === null || typeof address === 'string') throw dashboardError('CITYOPS_DASHBOARD_INVALID_OPTIONS', 'not a TCP listener');
      return { port: address.port };
    },

    close() {
      closing ??= (async () => {
        telemetry.close();
        // Not io.close(): it would also close the HTTP server, which fastify owns.
        live?.close();
        await app.close();
      })();
      return closing;
    },
  };
}
