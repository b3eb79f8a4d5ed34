import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { sendError } from './error-handler.ts';

export interface StaticFilesOptions {
  webRoot: string;
  basemapDir: string;
}

// Paths the SPA fallback must never answer with index.html: an API client expects JSON 404s.
const NON_PAGE_PREFIXES = ['/api/', '/basemap/', '/socket.io/', '/mqtt', '/assets/', '/glyphs/', '/sprites/'];

/**
 * The Vite build at `/` (hashed /assets/ cached for a year, index.html
 * revalidated so a deploy is picked up) and the basemap GeoJSON at
 * `/basemap/` (cached an hour: a city may swap its GIS layers).
 */
export async function registerStaticFiles(app: FastifyInstance, options: StaticFilesOptions): Promise<void> {
  await app.register(fastifyStatic, {
    root: options.webRoot,
    prefix: '/',
    cacheControl: false,
    setHeaders(res, path) {
      // Vite content-hashes everything under assets/, so those names never change meaning.
      const immutable = path.includes('/assets/');
      // Glyph PBFs change only when regenerated; a day's cache spares a wall display hundreds of revalidations.
      const glyphs = path.includes('/glyphs/');
      res.setHeader('cache-control', immutable ? 'public, max-age=31536000, immutable' : glyphs ? 'public, max-age=86400' : 'no-cache');
    },
  });

  await app.register(fastifyStatic, {
    root: options.basemapDir,
    prefix: '/basemap/',
    decorateReply: false,
    index: false,
    cacheControl: false,
    setHeaders(res) {
      res.setHeader('cache-control', 'public, max-age=3600');
    },
  });

  const indexHtml = join(options.webRoot, 'index.html');
  app.setNotFoundHandler(async (request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    const wantsPage =
      (request.method === 'GET' || request.method === 'HEAD') &&
      !NON_PAGE_PREFIXES.some((prefix) => path.startsWith(prefix)) &&
      (request.headers.accept ?? '').includes('text/html');
    if (wantsPage && existsSync(indexHtml)) {
      return reply.header('cache-control', 'no-cache').sendFile('index.html');
    }
    if (wantsPage) request.log.warn({ webRoot: options.webRoot }, 'no web build found; run npm run build:web');
    return sendError(reply, 'CITYOPS_DASHBOARD_NOT_FOUND');
  });
}
