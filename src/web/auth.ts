import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { BayesbenchError } from '../errors.js';

/**
 * Name of the login cookie set by the login form.
 * @example res.cookie(TOKEN_COOKIE, token, { httpOnly: true })
 */
export const TOKEN_COOKIE = 'bayesbench_token';

/**
 * Constant-time comparison of a presented token with the server's (hashes first: equal lengths).
 * @example tokenMatches('abc', 'abc') // true
 */
export function tokenMatches(presented: string | undefined, token: string): boolean {
  if (!presented) return false;
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(token).digest();
  return timingSafeEqual(a, b);
}

/**
 * One cookie's value from a Cookie header, or undefined.
 * @example readCookie('a=1; b=2', 'b') // '2'
 */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/**
 * Require the token on every request: `Authorization: Bearer <token>` (scripts) or the login cookie
 * (browsers). The API answers 401 JSON; pages redirect to the login form.
 *
 * @example app.use(tokenAuth('s3cret'));
 */
export function tokenAuth(token: string): RequestHandler {
  return (req, res, next) => {
    const auth = req.get('authorization');
    const bearer = auth?.startsWith('Bearer ') ? auth.slice('Bearer '.length).trim() : undefined;
    const cookie = readCookie(req.headers.cookie, TOKEN_COOKIE);
    if (tokenMatches(bearer, token) || tokenMatches(cookie, token)) {
      next();
      return;
    }
    if (req.path.startsWith('/api/') || !req.accepts('html')) {
      res
        .status(401)
        .set('WWW-Authenticate', 'Bearer')
        .json({ error: 'a token is required', status: 401 });
      return;
    }
    const back = req.method === 'GET' ? req.originalUrl : '/';
    res.redirect(303, `/login?next=${encodeURIComponent(back)}`);
  };
}

/**
 * Refuse state-changing requests (POST...) sent by a page of another site: it cannot make the browser
 * upload data or start fits here (cross-site request forgery, also on a loopback server without a
 * token). Browsers say where a request comes from in Sec-Fetch-Site (only 'same-origin' and 'none',
 * typed by the user, pass); older ones in Origin (with helmet's no-referrer policy a same-origin form
 * sends `Origin: null`, which passes). Requests without either (curl, scripts) pass.
 *
 * @example app.use(sameOrigin());
 */
export function sameOrigin(): RequestHandler {
  return (req, res, next) => {
    if (req.method === 'GET' || req.method === 'HEAD') {
      next();
      return;
    }
    const site = req.get('sec-fetch-site');
    const origin = req.get('origin');
    let ok: boolean;
    if (site) ok = site === 'same-origin' || site === 'none';
    else if (!origin || origin === 'null') ok = true;
    else {
      try {
        ok = new URL(origin).host === req.get('host');
      } catch {
        ok = false;
      }
    }
    if (ok) {
      next();
      return;
    }
    res.status(403).json({ error: 'cross-site request refused', status: 403 });
  };
}

/**
 * Whether a Host header names this loopback server: `localhost`, a 127.x.x.x address or `[::1]`, on
 * `port` (a missing port is 80). Only IP literals and localhost pass: any other name could be a DNS
 * name an attacker points at 127.0.0.1 after the page loaded (DNS rebinding), which would make the
 * attacker's page same-origin with this server.
 * @example loopbackHostMatches('localhost:3000', 3000) // true
 * @example loopbackHostMatches('rebind.evil.example:3000', 3000) // false
 */
export function loopbackHostMatches(host: string | undefined, port: number): boolean {
  if (!host) return false;
  const m = /^(\[::1\]|localhost|127\.\d{1,3}\.\d{1,3}\.\d{1,3})(?::(\d{1,5}))?$/i.exec(host);
  if (!m) return false;
  return (m[2] === undefined ? 80 : Number(m[2])) === port;
}

/**
 * Without a token, answer only requests whose Host header is a loopback name for the port being
 * served (421 otherwise, with a message saying what is accepted): defeats DNS rebinding, where a site
 * whose name resolves to 127.0.0.1 would otherwise read, upload, fit and delete here.
 *
 * @example if (!token) app.use(loopbackHostOnly());
 */
export function loopbackHostOnly(): RequestHandler {
  return (req, _res, next) => {
    const port = req.socket.localPort ?? 0;
    const host = req.get('host');
    if (loopbackHostMatches(host, port)) {
      next();
      return;
    }
    const shown =
      host === undefined ? '(none)' : `"${host.slice(0, 80)}${host.length > 80 ? '…' : ''}"`;
    next(
      new BayesbenchError(
        `Host ${shown} refused: without --token this server answers only localhost, 127.0.0.1 or [::1] on port ${port}`,
        'host',
        421,
      ),
    );
  };
}
