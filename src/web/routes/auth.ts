import express, { Router } from 'express';
import { TOKEN_COOKIE, tokenMatches } from '../auth.js';
import type { AppContext } from '../context.js';

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
 * Login and logout pages (only meaningful when the server has a token). The cookie is HttpOnly and
 * SameSite=Strict, so other sites cannot post forms with it.
 *
 * @example app.use(authRoutes(ctx));
 */
export function authRoutes(ctx: AppContext): Router {
  const router = Router();
  router.get('/login', (req, res) => {
    res.render('login', { title: 'Log in', next: safeNext(req.query.next), error: null });
  });
  router.post('/login', express.urlencoded({ extended: false, limit: '10kb' }), (req, res) => {
    const next = safeNext(req.body?.next);
    if (!ctx.token) {
      res.redirect(303, next);
      return;
    }
    if (
      !tokenMatches(typeof req.body?.token === 'string' ? req.body.token : undefined, ctx.token)
    ) {
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
