// Lighthouse 12.8.2 (13.x needs Node 22) against the release build, mobile profile, offline,
// with Debian's Chromium. Installed on demand into target/lighthouse (not a test dependency).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { startStatic } from './serve.mjs';

const prefix = 'target/lighthouse';
const bin = `${prefix}/node_modules/.bin/lighthouse`;
if (!existsSync(bin)) {
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefix', prefix, 'lighthouse@12.8.2'], { stdio: 'inherit' });
}
const server = await startStatic({ dir: 'dist', compress: true });
try {
  execFileSync(bin, [server.url, '--quiet', '--output=json', `--output-path=${prefix}/report.json`,
    '--only-categories=performance,accessibility,best-practices', '--form-factor=mobile', '--throttling-method=simulate',
    '--chrome-flags=--headless=new --no-sandbox --disable-gpu --no-first-run --disable-background-networking --disable-component-update --disable-sync'],
    { stdio: 'inherit', env: { ...process.env, CHROME_PATH: process.env.CHROME_PATH || '/usr/bin/chromium' } });
  const report = JSON.parse(readFileSync(`${prefix}/report.json`, 'utf8'));
  for (const [key, category] of Object.entries(report.categories)) console.log(`${category.title.padEnd(16)} ${Math.round(category.score * 100)}`);
  for (const id of ['first-contentful-paint', 'largest-contentful-paint', 'total-blocking-time', 'cumulative-layout-shift', 'interactive']) {
    const audit = report.audits[id];
    if (audit) console.log(`  ${audit.title.padEnd(28)} ${audit.displayValue}`);
  }
} finally {
  await server.close();
}
