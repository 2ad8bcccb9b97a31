import express, { Router } from 'express';
import type { AppContext } from '../app.js';
import { TOKEN_COOKIE, tokenMatches } from '../auth.js';

/** A local path to go back to after login (never another host). */
function safeNext(next: unknown): string {
  return typeof next === 'string' && next.startsWith('/') && !next.startsWith('//') ? next : '/';
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
