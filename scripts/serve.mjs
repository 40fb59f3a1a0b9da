// A tiny static server for the release build (dist/): the demo command and the e2e tests
// use it. Brotli/gzip are left to real deployments; this serves files as they are.
//   node scripts/serve.mjs [dist] [--port 8080] [--csp]
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve } from 'node:path';
import { brotliCompressSync, gzipSync, constants } from 'node:zlib';

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json; charset=utf-8', '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.jpg': 'image/jpeg', '.ico': 'image/x-icon',
};

/** The headers a deployment should send (README "Security headers"). */
export function securityHeaders({ endpointOrigin = '', parentOrigins = [] } = {}) {
  const connect = ["'self'", endpointOrigin].filter(Boolean).join(' ');
  const ancestors = parentOrigins.length ? ["'self'", ...parentOrigins].join(' ') : "'self'";
  return {
    'Content-Security-Policy': `default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data: blob:; connect-src ${connect}; frame-ancestors ${ancestors}; base-uri 'none'; form-action 'none'`,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
  };
}

/**
 * routes: { '/config.json': object|string|{status, body, type} } answered instead of files.
 * headers: added to every answer of an HTML page (e.g. securityHeaders()).
 * dir: the folder served, or a function naming it per request (a test swaps deploys).
 */
const COMPRESSIBLE = new Set(['.html', '.js', '.css', '.json', '.wasm', '.svg']);

/**
 * A gate for requests whose path matches `pattern`: each waits, unanswered, until release()
 * (a slow download that a test ends when it chooses, in any browser, with no driver support),
 * or until refuse(), which cuts them and every later one off (no signal) until release().
 */
export function holdGate(pattern) {
  let state = 'hold';
  let settle;
  const parked = new Promise((resolve) => { settle = resolve; });
  const asked = [];
  return {
    pattern,
    /** Paths that matched, in order (held or not). */
    asked,
    /** null: answer now; else a promise of 'go' or 'refuse' (cut the connection). */
    pass(path) {
      if (!pattern.test(path)) return null;
      asked.push(path);
      if (state === 'open') return null;
      return state === 'refuse' ? Promise.resolve('refuse') : parked;
    },
    release() { state = 'open'; settle('go'); },
    refuse() { state = 'refuse'; settle('refuse'); },
  };
}

/**
 * compress: answer with brotli or gzip as the browser accepts, as a real deployment would.
 * hold: a holdGate(); the requests it matches wait until it is released (or are refused).
 */
export function startStatic({ dir = 'dist', port = 0, host = '127.0.0.1', routes = {}, headers = {}, compress = false, hold = null } = {}) {
  const packed = new Map();
  const rootOf = () => resolve(typeof dir === 'function' ? dir() : dir);
  const log = [];
  const server = createServer(async (req, res) => {
    const url = new URL(req.url, 'http://static');
    log.push(url.pathname);
    const wait = hold?.pass(url.pathname);
    if (wait && (await wait) === 'refuse') return req.socket.destroy();
    const route = routes[url.pathname];
    const common = { 'Cache-Control': 'no-store', ...headers };
    if (route !== undefined) {
      const value = typeof route === 'function' ? route(req) : route;
      const spec = value && typeof value === 'object' && 'body' in value ? value : { body: value };
      const body = typeof spec.body === 'string' ? spec.body : JSON.stringify(spec.body);
      res.writeHead(spec.status ?? 200, { 'Content-Type': spec.type ?? 'application/json; charset=utf-8', ...common });
      return res.end(body);
    }
    const root = rootOf();
    let path = normalize(join(root, decodeURIComponent(url.pathname)));
    if (!path.startsWith(root)) { res.writeHead(403); return res.end(); }
    try {
      if ((await stat(path)).isDirectory()) path = join(path, 'index.html');
      let data = await readFile(path);
      const type = { 'Content-Type': TYPES[extname(path)] ?? 'application/octet-stream' };
      const accepts = String(req.headers['accept-encoding'] || '');
      if (compress && COMPRESSIBLE.has(extname(path))) {
        const encoding = accepts.includes('br') ? 'br' : accepts.includes('gzip') ? 'gzip' : null;
        if (encoding) {
          const key = `${encoding}:${path}`;
          if (!packed.has(key)) {
            packed.set(key, encoding === 'br' ? brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }) : gzipSync(data, { level: 9 }));
          }
          data = packed.get(key);
          type['Content-Encoding'] = encoding;
        }
      }
      res.writeHead(200, { ...type, ...common });
      res.end(data);
    } catch {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('not found');
    }
  });
  return new Promise((done) => server.listen(port, host, () => {
    const origin = `http://${host}:${server.address().port}`;
    done({ origin, url: origin + '/', log, close: () => { server.closeAllConnections?.(); return new Promise((r) => server.close(() => r())); } });
  }));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const portAt = args.indexOf('--port');
  const port = portAt >= 0 ? Number(args[portAt + 1]) : 8080;
  const dir = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--port') ?? 'dist';
  const headers = args.includes('--csp') ? securityHeaders() : {};
  const server = await startStatic({ dir, port, headers, compress: true });
  console.log(`\nXinjing safety widget (demo, mock backend): ${server.url}\nPress Ctrl+C to stop.\n`);
}
