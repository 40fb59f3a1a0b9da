// One way to start the desk for the browser tests: `xinjing-desk serve` on 127.0.0.1:0 with a
// fresh SQLite database and photo folder per test, optional staff accounts (made with the
// real `user add`, password on stdin) and extra environment (robots, the widget's dist/).
// The binary: DESK_BIN, else target/server/xinjing-desk (scripts/test.sh builds it).
// No test framework in it: the Playwright desk tests (desk-fixture.mjs) and the WebKit suite
// (tests/webkit/) share it.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

export const DESK_BIN = resolve(process.env.DESK_BIN || 'target/server/xinjing-desk');
export const PASSWORD = 'correct horse battery';

/**
 * Starts the desk. `users`: [{ name, role, communities, unit }]; `env`: more variables;
 * `widget`: serve the widget's release build (DIST or dist/) at `/`.
 */
export async function startDesk({ users = [], env: extra = {}, widget = false, tag = 'e2e' } = {}) {
  const dir = mkdtempSync(join(tmpdir(), `xinjing-desk-${tag}-`));
  const env = {
    PATH: process.env.PATH,
    DESK_LISTEN: '127.0.0.1:0',
    DATABASE_URL: `sqlite://${join(dir, 'desk.db')}`,
    DESK_PHOTOS: join(dir, 'photos'),
    DESK_LOG_FORMAT: 'json',
    ...(widget ? { DESK_DIST: resolve(process.env.DIST || 'dist') } : {}),
    ...extra,
  };
  const cli = (args, input = '') => execFileSync(DESK_BIN, args, { env, input, encoding: 'utf8' });
  for (const { name, role, communities = [], unit } of users) {
    const scope = [...communities.flatMap((c) => ['--community', c]), ...(unit ? ['--unit', unit] : [])];
    cli(['user', 'add', name, '--role', role, ...scope], `${PASSWORD}\n`);
  }
  const child = spawn(DESK_BIN, ['serve', '--dev'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  const log = [];
  const origin = await new Promise((done, fail) => {
    const lines = createInterface({ input: child.stderr });
    lines.on('line', (line) => {
      log.push(line);
      try {
        const entry = JSON.parse(line);
        if (entry.fields?.message === 'desk listening') done(`http://${entry.fields.addr}`);
      } catch { /* not JSON */ }
    });
    child.on('exit', (code) => fail(new Error(`the desk exited (${code}):\n${log.join('\n')}`)));
    setTimeout(() => fail(new Error('the desk did not start in 30 s')), 30_000);
  });
  const sql = (query) => JSON.parse(execFileSync('sqlite3', ['-json', join(dir, 'desk.db'), query], { encoding: 'utf8' }) || '[]');
  return {
    origin, dir, env, log, sql,
    cli: (...args) => cli(args),
    async stop() {
      child.kill('SIGTERM');
      await new Promise((done) => (child.exitCode !== null ? done() : child.on('exit', done)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
