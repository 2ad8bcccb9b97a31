import type { ErrorRequestHandler } from 'express';
import { BayesbenchError } from '../errors.js';
import { webMessage } from './messages.js';
import { LIMITS } from './requests.js';

/**
 * Map an error to a status and a message for people; unknown errors are 500 without details.
 * @example describeError(new NotFoundError('fit 9 not found')) // { status: 404, message: 'fit 9 not found' }
 */
export function describeError(err: unknown): { status: number; message: string } {
  const { status, message } = describeRaw(err);
  return { status, message: webMessage(message) };
}

function describeRaw(err: unknown): { status: number; message: string } {
  if (err instanceof BayesbenchError) return { status: err.status, message: err.message };
  const e = err as { status?: number; statusCode?: number; type?: string; code?: string };
  const status = e?.status ?? e?.statusCode;
  // 413 Payload Too Large (RFC 9110 §15.5.14), with the limits in the line
  if (e?.code === 'LIMIT_FILE_SIZE')
    return {
      status: 413,
      message: `the file is over the upload limit of ${LIMITS.bytes / 1024 / 1024} MB (${LIMITS.jsonlBytes / 1024 / 1024} MB for a per-sample .jsonl)`,
    };
  if (typeof e?.code === 'string' && e.code.startsWith('LIMIT_')) {
    return { status: 400, message: `upload rejected: ${(err as Error).message}` };
  }
  if (e?.type === 'entity.parse.failed')
    return { status: 400, message: 'the request body is not valid JSON' };
  if (e?.type === 'entity.too.large')
    return { status: 413, message: 'the request body is too large' };
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return { status, message: (err as Error).message || 'bad request' };
  }
  return { status: 500, message: 'internal error (see the server log)' };
}

/**
 * The app's last handler: typed errors become 400/404/409/421/429/503 pages or JSON with their
 * message for people; anything else is a 500 without details (logged with its stack).
 * @example app.use(errorHandler);
 */
export const errorHandler: ErrorRequestHandler = (err, req, res, _next) => {
  const { status, message } = describeError(err);
  // 500 is a bug (logged with its stack); 503 "busy" is the server protecting itself.
  if (status === 500) console.error(`bayesbench web: ${req.method} ${req.path}:`, err);
  if (res.headersSent) {
    res.end();
    return;
  }
  res.status(status);
  if (status === 503) res.set('Retry-After', '5');
  if (req.path.startsWith('/api/') || req.path === '/api' || !req.accepts('html')) {
    res.json({ error: message, status });
    return;
  }
  res.render('error', { title: status === 404 ? 'Not found' : 'Error', status, message });
};
