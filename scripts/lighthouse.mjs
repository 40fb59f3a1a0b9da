// Lighthouse 12.8.2 (13.x needs Node 22) against the release build, mobile profile, offline,
// with Debian's Chromium. Installed on demand into target/lighthouse (not a test dependency).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { startStatic } from './serve.mjs';

const prefix = 'target/lighthouse';
const bin = `${prefix}/node_modules/.bin/lighthouse`;
if (!existsSync(bin)) {
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefix', prefix, 'lighthouse@12.8.2'], { stdio: 'inherit' });
}
// The production build has no mock backend: a local endpoint keeps its config valid (the
// page sends nothing while Lighthouse loads it).
const config = { ...JSON.parse(readFileSync('dist/config.json', 'utf8')), endpoint: 'http://127.0.0.1:9/reports' };
const server = await startStatic({ dir: 'dist', compress: true, routes: { '/config.json': config } });
try {
  // Async: the static server lives in this process and must keep answering.
  await run(bin, [server.url, '--output=json', `--output-path=${prefix}/report.json`,
    '--only-categories=performance,accessibility,best-practices', '--form-factor=mobile', '--throttling-method=simulate',
    '--chrome-flags=--headless=new --no-sandbox --disable-gpu --no-first-run --disable-background-networking --disable-component-update --disable-sync'],
    { CHROME_PATH: process.env.CHROME_PATH || '/usr/bin/chromium' });
  const report = JSON.parse(readFileSync(`${prefix}/report.json`, 'utf8'));
  for (const [key, category] of Object.entries(report.categories)) console.log(`${category.title.padEnd(16)} ${Math.round(category.score * 100)}`);
  for (const id of ['first-contentful-paint', 'largest-contentful-paint', 'total-blocking-time', 'cumulative-layout-shift', 'interactive']) {
    const audit = report.audits[id];
    if (audit) console.log(`  ${audit.title.padEnd(28)} ${audit.displayValue}`);
  }
} finally {
  await server.close();
}

function run(command, args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'ignore'], env: { ...process.env, ...env } });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`lighthouse exited with ${code}`))));
  });
}
