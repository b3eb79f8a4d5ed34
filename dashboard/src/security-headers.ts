import type { FastifyInstance } from 'fastify';

/**
 * Everything the page needs is served from this origin: MapLibre's worker
 * is a script of its own (the CSP build, no blob: workers), its canvas reads
 * images from data:/blob:, and it sets inline styles on markers and popups.
 * Socket.IO needs ws:/wss: to self.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "img-src 'self' data: blob:",
  "worker-src 'self'",
  "child-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "connect-src 'self' ws: wss:",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export function installSecurityHeaders(app: FastifyInstance, options: { hsts: boolean }): void {
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('x-frame-options', 'DENY');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('cross-origin-opener-policy', 'same-origin');
    reply.header('cross-origin-resource-policy', 'same-origin');
    reply.header('permissions-policy', 'geolocation=(), camera=(), microphone=()');
    if (options.hsts) reply.header('strict-transport-security', 'max-age=31536000');
    return payload;
  });
}
