import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';

/** An app listening on 127.0.0.1 on a free port, and how to stop it. */
export interface Listening {
  port: number;
  url: string;
  close(): Promise<void>;
}

/**
 * Listen on loopback (a real server, not supertest's in-process one) for tests of headers and sockets.
 * @example const s = await listen(app); await rawGet(s.port, '/', { host: 'x' }); await s.close();
 */
export function listen(app: Express): Promise<Listening> {
  return new Promise((resolve, reject) => {
    const server = app.listen(0, '127.0.0.1', (err?: Error) => {
      if (err) {
        reject(err);
        return;
      }
      const { port } = server.address() as AddressInfo;
      resolve({
        port,
        url: `http://127.0.0.1:${port}/`,
        close: () =>
          new Promise<void>((r) => {
            server.closeAllConnections();
            server.close(() => r());
          }),
      });
    });
  });
}

/** A raw HTTP response (status, headers, body text). */
export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * A request with any headers, Host included (fetch does not let a caller set Host), with a deadline.
 * @example await rawRequest(port, 'GET', '/api/fits', { host: 'rebind.evil.example' })
 */
export function rawRequest(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string | Buffer,
  timeoutMs = 10_000,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, method, path, headers, setHost: !('host' in headers) },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          text += c;
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }),
        );
        res.on('error', reject);
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}
