// The console's static routes and the route table, against the real binary (node built-ins only:
// no browser needed). `ocrserve routes` must list exactly what the server answers; the web
// directory must give out only its own regular files, with the console's security headers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { mkdtempSync, mkdirSync, writeFileSync, symlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, routes } from './server.mjs';

const TOKEN = 'console-static-token';
let server;

before(async () => {
  // The routes answer before the models are loaded; /readyz is not awaited.
  server = await startServer({ credentials: [{ type: 'token', token: TOKEN }] }, { waitReady: false });
});
after(() => server?.stop());

// A request written byte for byte (fetch would resolve the ".." segments itself). The socket is
// not half-closed: httplib takes a peer that has shut its side for gone and does not answer.
function raw(port, path, method = 'GET') {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(`${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
    });
    const chunks = [];
    socket.on('data', (d) => chunks.push(d));
    socket.on('error', reject);
    socket.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const [head, ...rest] = text.split('\r\n\r\n');
      resolve({ status: Number(head.split(' ')[1]), head, body: rest.join('\r\n\r\n') });
    });
  });
}

const FALLBACK = /^Not found: use POST \/v2\/\{project_id\}\/ocr\/<api>$|^The API does not exist/;

test('ocrserve routes lists the probes, every Huawei API, the two vendor doors, the console and openapi.json', () => {
  const list = routes();
  const keys = list.map((r) => `${r.method} ${r.path}`);
  assert.equal(new Set(keys).size, keys.length, 'no route twice');
  for (const r of list) {
    assert.deepEqual(Object.keys(r).filter((k) => !['method', 'path', 'note'].includes(k)), [], JSON.stringify(r));
    assert.match(r.method, /^(GET|POST)$/);
  }
  for (const key of ['GET /healthz', 'GET /readyz', 'GET /metrics', 'GET /console', 'GET /console/{file}',
    'GET /openapi.json', 'POST /v2/{project_id}/ocr/general-text', 'POST /v2/{project_id}/ocr/exit-entry-permit',
    'POST /v2/{project_id}/ocr/mainland-travel-permit', 'POST /v2/{project_id}/ocr/passport',
    'POST /v2/{project_id}/ocr/general-table']) {
    assert.ok(keys.includes(key), `${key} listed`);
  }
  const root = list.find((r) => r.method === 'POST' && r.path === '/');
  assert.equal(root.note, 'Tencent (X-TC-Action) and Aliyun (x-acs-action)');
});

test('every listed route is answered by its own handler; paths not listed get the JSON 404', async () => {
  for (const r of routes()) {
    const path = r.path.replace('{project_id}', 'console').replace('{file}', 'index.html');
    const res = await fetch(`${server.endpoint}${path}`, {
      method: r.method,
      redirect: 'manual',
      headers: r.method === 'POST' ? { 'Content-Type': 'application/json' } : {},
      body: r.method === 'POST' ? '{}' : undefined,
    });
    const text = await res.text();
    let message = '';
    try { message = JSON.parse(text).error_msg ?? ''; } catch { /* not JSON */ }
    assert.doesNotMatch(message, FALLBACK, `${r.method} ${r.path} -> ${res.status} ${text.slice(0, 200)}`);
    if (r.method === 'POST' && r.path.startsWith('/v2/')) {
      assert.equal(res.status, 401, `${r.path} wants the token`);  // authenticated before anything else
    }
  }
  for (const [method, path] of [['GET', '/nothing'], ['POST', '/v2/console/ocr/no-such-api'], ['GET', '/console.js'],
    ['POST', '/console/index.html']]) {
    const res = await fetch(`${server.endpoint}${path}`, { method, body: method === 'POST' ? '{}' : undefined });
    const body = await res.json();
    assert.equal(body.error_code, 'APIGW.0101', `${method} ${path}`);
    assert.ok(res.status === 404 || res.status === 405, `${method} ${path}: ${res.status}`);
  }
});

test('the console is served without credentials, with its types, CSP, nosniff and a short max-age', async () => {
  const redirect = await fetch(`${server.endpoint}/console`, { redirect: 'manual' });
  assert.equal(redirect.status, 302);
  assert.equal(redirect.headers.get('location'), '/console/');
  const want = {
    '/console/': 'text/html; charset=utf-8',
    '/console/index.html': 'text/html; charset=utf-8',
    '/console/console.js': 'text/javascript; charset=utf-8',
    '/console/console.css': 'text/css; charset=utf-8',
  };
  for (const [path, type] of Object.entries(want)) {
    const res = await fetch(`${server.endpoint}${path}`);
    assert.equal(res.status, 200, path);
    assert.equal(res.headers.get('content-type'), type, path);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff', path);
    const csp = res.headers.get('content-security-policy');
    assert.match(csp, /default-src 'self'/);
    assert.match(csp, /img-src 'self' data: blob:/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*/, 'no inline or foreign script');
    const maxAge = /^max-age=(\d+)$/.exec(res.headers.get('cache-control'));
    assert.ok(maxAge && Number(maxAge[1]) <= 300, `short max-age: ${res.headers.get('cache-control')}`);
    assert.equal(res.headers.get('etag'), null);
    assert.equal(res.headers.get('expires'), null);
  }
  // The page itself: scripts and styles only from files of this origin, nothing inline.
  const html = await (await fetch(`${server.endpoint}/console/`)).text();
  assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/i, 'no inline <script>');
  assert.doesNotMatch(html, /\son[a-z]+\s*=/i, 'no inline event handlers');
  assert.doesNotMatch(html, /\sstyle\s*=|<style/i, 'no inline styles');
  assert.doesNotMatch(html, /(src|href)="(https?:)?\/\//i, 'nothing from another origin');
});

test('/openapi.json is served from the web directory when present, a JSON 404 otherwise', async () => {
  const res = await fetch(`${server.endpoint}/openapi.json`);
  if (res.status === 200) {
    assert.equal(res.headers.get('content-type'), 'application/json');
    assert.ok((await res.json()).openapi, 'an OpenAPI document');
  } else {
    assert.equal(res.status, 404);
    assert.equal((await res.json()).error_code, 'APIGW.0101');
  }
});

test('.. segments, encoded or not, never leave the console directory', async () => {
  for (const path of ['/console/../../etc/passwd', '/console/../console/index.html', '/console/%2e%2e/%2e%2e/etc/passwd',
    '/console/..%2f..%2fREADME.md', '/console/%2E%2E%5C..%5Cetc%5Cpasswd', '/console/./index.html',
    '/console/.%2e/openapi.json', '/console/index.html%00.png']) {
    const res = await raw(server.port, path);
    assert.equal(res.status, 404, `${path}: ${res.head.split('\r\n')[0]}`);
    assert.equal(JSON.parse(res.body).error_code, 'APIGW.0101', path);
  }
});

test('only regular files of the known types inside web_dir: no symlink escape, no directories', async () => {
  const base = mkdtempSync(join(tmpdir(), 'ocrserve-web-'));
  const web = join(base, 'web');
  mkdirSync(join(web, 'console', 'sub.js'), { recursive: true });
  writeFileSync(join(base, 'secret.html'), '<p>outside</p>');
  writeFileSync(join(web, 'outside-console.html'), '<p>web root, not console</p>');
  writeFileSync(join(web, 'console', 'index.html'), '<p>index</p>');
  writeFileSync(join(web, 'console', 'logo.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  writeFileSync(join(web, 'console', 'pixel.png'), Buffer.from('89504e470d0a1a0a', 'hex'));
  writeFileSync(join(web, 'console', 'data.json'), '{}');
  writeFileSync(join(web, 'console', 'notes.txt'), 'unknown type');
  writeFileSync(join(web, 'console', '.hidden.html'), 'hidden');
  symlinkSync(join(base, 'secret.html'), join(web, 'console', 'escape.html'));
  symlinkSync('../outside-console.html', join(web, 'console', 'up.html'));
  symlinkSync('/etc', join(web, 'console', 'etc'));
  symlinkSync('index.html', join(web, 'console', 'alias.html'));  // inside: served
  const other = await startServer({}, { extraArgs: ['--web_dir', web], waitReady: false });
  try {
    const served = { 'index.html': 'text/html; charset=utf-8', 'alias.html': 'text/html; charset=utf-8',
      'logo.svg': 'image/svg+xml', 'pixel.png': 'image/png', 'data.json': 'application/json' };
    for (const [name, type] of Object.entries(served)) {
      const res = await fetch(`${other.endpoint}/console/${name}`);
      assert.equal(res.status, 200, name);
      assert.equal(res.headers.get('content-type'), type, name);
    }
    for (const name of ['escape.html', 'up.html', 'etc/passwd', 'etc/hostname', 'sub.js', 'sub.js/', 'notes.txt',
      '.hidden.html', 'missing.html', '../outside-console.html']) {
      const res = await raw(other.port, `/console/${name}`);
      assert.equal(res.status, 404, name);
      assert.equal(JSON.parse(res.body).error_code, 'APIGW.0101', name);
    }
    const openapi = await fetch(`${other.endpoint}/openapi.json`);
    assert.equal(openapi.status, 404, 'no openapi.json in this web_dir');
    assert.equal((await openapi.json()).error_code, 'APIGW.0101');
  } finally {
    other.stop();
    rmSync(base, { recursive: true, force: true });
  }
});
