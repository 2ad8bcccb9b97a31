import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { Request, Response } from 'express';
import { createLru, type Lru } from './lru.js';

/** A rendered page kept in memory: the bytes, gzipped once, and an ETag. */
export interface CachedPage {
  body: Buffer;
  gzip: Buffer;
  etag: string;
}

/**
 * Bounds of the per-app cache of rendered report pages (stated in the README's limits): a page is
 * ~100-400 kB, so 64 pages and 32 MB (body + gzip) together.
 */
export const PAGE_CACHE_LIMITS = { entries: 64, bytes: 32 * 1024 * 1024 };

/**
 * A bounded LRU of rendered pages for one app.
 * @example const pages = createPageCache(); pages.set(key, page, pageBytes(page));
 */
export function createPageCache(limits = PAGE_CACHE_LIMITS): Lru<CachedPage> {
  return createLru<CachedPage>(limits);
}

/**
 * Bytes a cached page holds.
 * @example pageBytes(cachePage('<p>hi</p>'))
 */
export function pageBytes(page: CachedPage): number {
  return page.body.length + page.gzip.length;
}

/**
 * A page for the cache: its bytes, their gzip and an ETag.
 * @example sendCached(req, res, cachePage(html));
 */
export function cachePage(html: string): CachedPage {
  const body = Buffer.from(html, 'utf8');
  const etag = `"${createHash('sha1').update(body).digest('base64url')}"`;
  return { body, gzip: gzipSync(body, { level: 6 }), etag };
}

/**
 * Send a cached page: 304 on a matching If-None-Match, gzip when the client accepts it.
 * @example sendCached(req, res, page);
 */
export function sendCached(req: Request, res: Response, page: CachedPage): void {
  res.set({ ETag: page.etag, Vary: 'Accept-Encoding', 'Cache-Control': 'no-cache' });
  res.type('html');
  if (req.get('if-none-match') === page.etag) {
    res.status(304).end();
    return;
  }
  if (req.acceptsEncodings('gzip', 'identity') === 'gzip') {
    res.set('Content-Encoding', 'gzip').send(page.gzip);
    return;
  }
  res.send(page.body);
}
