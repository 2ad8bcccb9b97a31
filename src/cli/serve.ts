import type { Command } from 'commander';
import { ConfigError } from '../errors.js';
import { runAction } from './shell.js';

function integer(name: string, raw: string): number {
  if (!/^\d+$/.test(raw)) throw new ConfigError(`${name} must be a whole number (got "${raw}")`);
  return Number(raw);
}

/**
 * Register `bayesbench serve`: the local web app over a SQLite database (README.md, "The web app").
 *
 * @example bayesbench serve --port 3000 --db bayesbench.db
 */
export function register(program: Command): void {
  program
    .command('serve')
    .description(
      'Start the web app: upload benchmark CSVs, fit in the background, browse reports (http://127.0.0.1:3000/).',
    )
    .option('--port <n>', 'port to listen on (0 = any free port)', '3000')
    .option('--host <host>', 'address to bind; other than loopback needs --token', '127.0.0.1')
    .option('--db <path>', 'SQLite database file', 'bayesbench.db')
    .option('--token <token>', 'require this token (Authorization: Bearer, or the login form)')
    .option('--jobs <n>', 'fits running at once', '1')
    .option('--no-demo', 'do not import the demo dataset into an empty database')
    .action(
      runAction(
        async (opts: {
          port: string;
          host: string;
          db: string;
          token?: string;
          jobs: string;
          demo: boolean;
        }) => {
          const { startServer } = await import('../web/server.js');
          const running = await startServer({
            port: integer('--port', opts.port),
            host: opts.host,
            db: opts.db,
            token: opts.token || process.env.BAYESBENCH_TOKEN || undefined,
            jobs: integer('--jobs', opts.jobs),
            demo: opts.demo,
          });
          process.stdout.write(`bayesbench: serving ${running.url} (database ${opts.db})\n`);
          let stopping = false;
          const stop = (signal: string) => {
            if (stopping) return;
            stopping = true;
            process.stderr.write(
              `bayesbench: ${signal}: stopping (running fits become interrupted)\n`,
            );
            running.close().then(
              () => process.exit(0),
              () => process.exit(1),
            );
          };
          process.on('SIGINT', () => stop('SIGINT'));
          process.on('SIGTERM', () => stop('SIGTERM'));
          return undefined;
        },
      ),
    );
}
