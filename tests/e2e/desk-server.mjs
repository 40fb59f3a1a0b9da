// Starts `xinjing-desk serve` for the e2e tests of the desk: port 0, a fresh SQLite database
// and photo folder, the release widget from dist/. Shared by the desk*.e2e.mjs files.
import { test as base, expect } from './fixtures.mjs';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

export const DESK_BIN = resolve(process.env.DESK_BIN || 'target/server/xinjing-desk');

/** A running desk: its origin, folder, log lines, `cli(...args)` and `sql(query)`. */
export async function startDesk(extraEnv = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'xinjing-desk-e2e-'));
  const env = {
    PATH: process.env.PATH,
    DESK_LISTEN: '127.0.0.1:0',
    DATABASE_URL: `sqlite://${join(dir, 'desk.db')}`,
    DESK_PHOTOS: join(dir, 'photos'),
    DESK_DIST: resolve(process.env.DIST || 'dist'),
    DESK_LOG_FORMAT: 'json',
    ...extraEnv,
  };
  const child = spawn(DESK_BIN, ['serve'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
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
  const cli = (...args) => execFileSync(DESK_BIN, args, { env, encoding: 'utf8' });
  const sql = (query) => JSON.parse(execFileSync('sqlite3', ['-json', join(dir, 'desk.db'), query], { encoding: 'utf8' }) || '[]');
  /** `xinjing-desk user add`, the password on standard input as a person would type it. */
  const addUser = (name, password, role, communities = []) =>
    execFileSync(DESK_BIN, ['user', 'add', name, '--role', role, ...communities.flatMap((c) => ['--community', c])], {
      env, input: `${password}\n`, encoding: 'utf8',
    });
  return {
    origin, dir, log, cli, sql, addUser,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((done) => (child.exitCode !== null ? done() : child.on('exit', done)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The test with a `desk` fixture started per test (extra environment from `deskEnv`). */
export const test = base.extend({
  deskEnv: [{}, { option: true }],
  desk: async ({ deskEnv }, use) => {
    const desk = await startDesk(deskEnv);
    await use(desk);
    await desk.stop();
  },
});

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core (WCAG 2.2 AA) on the page, injected from the test: the desk's CSP allows no script. */
export async function axe(page, screen) {
  await page.evaluate(AXE);
  const result = await page.evaluate(() =>
    window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] }, resultTypes: ['violations'] }));
  const violations = result.violations.map((v) => `${screen}: ${v.id} (${v.impact}) ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
  expect(violations, screen).toEqual([]);
}
