import express, { type Request, Router } from 'express';
import { TOKEN_COOKIE, tokenMatches } from '../auth.js';
import type { AppContext } from '../context.js';
import { createLru } from '../lru.js';

/**
 * A path on this server to go back to after login, else '/'. Browsers read `\` as `/` and drop tabs
 * and newlines in URLs, so `/\evil.example/` or `/\t/evil.example` would leave the site: only a path
 * of printable characters without backslashes, starting with one `/`, that resolves to this origin.
 * @example safeNext('/fits/1?filter=sd_*') // '/fits/1?filter=sd_*'
 * @example safeNext('/\\evil.example/') // '/'
 */
export function safeNext(next: unknown): string {
  if (typeof next !== 'string' || next.length > 2000) return '/';
  if (!/^\/(?![/\\])[\x21-\x7e]*$/.test(next) || next.includes('\\')) return '/';
  try {
    const base = 'http://same.invalid';
    const url = new URL(next, base);
    // Dot segments can normalize to '//host' ('/x/../..//evil.example'): check the result too.
    const path = `${url.pathname}${url.search}${url.hash}`;
    return url.origin === base && !path.startsWith('//') ? path : '/';
  } catch {
    return '/';
  }
}

/**
 * Login throttle (stated in the README): after `failures` wrong tokens from one address within
 * `windowMs`, /login answers 429 until the window has passed. Addresses are kept in an LRU of
 * `addresses` entries, so a flood of addresses costs bounded memory.
 */
export const LOGIN_LIMITS = { failures: 10, windowMs: 60_000, addresses: 10_000 };

/**
 * Failed logins per client address in a fixed window.
 * @example const t = loginThrottle(); if (t.blocked(ip)) ...; t.fail(ip);
 */
export function loginThrottle(limits = LOGIN_LIMITS, now: () => number = Date.now) {
  const seen = createLru<{ start: number; count: number }>({ entries: limits.addresses });
  const current = (ip: string) => {
    const e = seen.get(ip);
    return e && now() - e.start < limits.windowMs ? e : undefined;
  };
  return {
    /** Seconds until this address may try again, or 0. */
    blocked(ip: string): number {
      const e = current(ip);
      if (!e || e.count < limits.failures) return 0;
      return Math.ceil((e.start + limits.windowMs - now()) / 1000);
    },
    fail(ip: string): void {
      const e = current(ip);
      if (e) e.count++;
      else seen.set(ip, { start: now(), count: 1 });
    },
  };
}

function clientAddress(req: Request): string {
  return req.socket.remoteAddress ?? 'unknown';
}

/**
 * Login and logout pages (only meaningful when the server has a token). The cookie is HttpOnly and
 * SameSite=Strict, so other sites cannot post forms with it.
 *
 * @example app.use(authRoutes(ctx));
 */
export function authRoutes(ctx: AppContext): Router {
  const router = Router();
  const throttle = loginThrottle();
  router.get('/login', (req, res) => {
    res.render('login', { title: 'Log in', next: safeNext(req.query.next), error: null });
  });
  router.post('/login', express.urlencoded({ extended: false, limit: '10kb' }), (req, res) => {
    const next = safeNext(req.body?.next);
    if (!ctx.token) {
      res.redirect(303, next);
      return;
    }
    const ip = clientAddress(req);
    const wait = throttle.blocked(ip);
    if (wait > 0) {
      res
        .status(429)
        .set('Retry-After', String(wait))
        .render('login', {
          title: 'Log in',
          next,
          error: `too many wrong tokens from this address: try again in ${wait} s`,
        });
      return;
    }
    if (
      !tokenMatches(typeof req.body?.token === 'string' ? req.body.token : undefined, ctx.token)
    ) {
      throttle.fail(ip);
      res.status(401).render('login', { title: 'Log in', next, error: 'wrong token' });
      return;
    }
    res.cookie(TOKEN_COOKIE, ctx.token, { httpOnly: true, sameSite: 'strict', path: '/' });
    res.redirect(303, next);
  });
  router.post('/logout', (_req, res) => {
    res.clearCookie(TOKEN_COOKIE, { path: '/' });
    res.redirect(303, '/login');
  });
  return router;
}
