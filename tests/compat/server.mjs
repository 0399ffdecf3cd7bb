// Shared by the compat tests: start the real ocrserve on loopback with a config file, render
// synthetic documents with their ground truth, and the credentials and clients of the three
// vendors' official SDKs pointed at that server.
import { spawn, execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));

export const binary = process.env.OCRSERVE_BINARY ?? join(here, '../../build/ocrserve');
// The generator is built next to the server (build/ or build-sanitize/).
export const synthBinary = process.env.OCRSERVE_SYNTH ?? join(dirname(binary), 'synth');

export const HUAWEI = { ak: 'HWAKEXAMPLE', sk: 'HWSKEXAMPLE', project: '0123456789abcdef0123456789abcdef' };
export const TENCENT = { secretId: 'AKIDEXAMPLE', secretKey: 'SECRETEXAMPLE' };
export const ALIYUN = { accessKeyId: 'LTAIEXAMPLE', accessKeySecret: 'SECRETEXAMPLE' };

// One credential of each vendor, every API allowed, no rate limit.
export function credentials() {
  return [
    { type: 'huawei_aksk', ak: HUAWEI.ak, sk: HUAWEI.sk, projects: [HUAWEI.project] },
    { type: 'tencent', secret_id: TENCENT.secretId, secret_key: TENCENT.secretKey },
    { type: 'aliyun', access_key_id: ALIYUN.accessKeyId, access_key_secret: ALIYUN.accessKeySecret },
  ];
}

// Starts `ocrserve serve --port 0 --config <file>` and waits for /readyz. Returns
// { endpoint: 'http://127.0.0.1:PORT', hostPort: '127.0.0.1:PORT', stop() }.
export async function startServer(config = { credentials: credentials() }) {
  const dir = mkdtempSync(join(tmpdir(), 'ocrserve-compat-'));
  const file = join(dir, 'config.json');
  writeFileSync(file, JSON.stringify(config));
  const server = spawn(binary, ['serve', '--port', '0', '--config', file], {
    stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, OMP_THREAD_LIMIT: '1' },
  });
  const stop = () => {
    server.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const port = await new Promise((resolve, reject) => {
      server.stdout.once('data', (d) => {
        const m = /:(\d+)\s*$/.exec(d.toString());
        m ? resolve(Number(m[1])) : reject(new Error(`unexpected start line: ${d}`));
      });
      server.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
      server.once('error', reject);
    });
    server.stdout.resume();  // never let an unread pipe stall the server
    const endpoint = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 1200; i++) {
      try {
        if ((await fetch(`${endpoint}/readyz`)).status === 200) return { endpoint, hostPort: `127.0.0.1:${port}`, port, stop };
      } catch { /* not listening yet */ }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('server never became ready');
  } catch (e) {
    stop();
    throw e;
  }
}

// Renders one synthetic document: synth('permit', 'exit-entry-hkmo', 'front', 7),
// synth('passport', 'chn', null, 7) or synth('kind', 'receipt', null, 7). Returns
// { png (path), bytes (Buffer), base64, truth (the generator's JSON) }. The files live in a temp
// directory removed by cleanupSynth().
const synthDirs = [];
export function synth(flag, kind, side, seed) {
  const dir = mkdtempSync(join(tmpdir(), 'ocrserve-synth-'));
  synthDirs.push(dir);
  const args = [`--${flag}`, kind];
  if (side) args.push('--side', side);
  args.push('--count', '1', '--seed', String(seed), '--out', dir);
  execFileSync(synthBinary, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  const stem = flag === 'passport' ? `passport-${kind}_${seed}` : side ? `${kind}_${side}_${seed}` : `${kind}_${seed}`;
  const png = join(dir, `${stem}.png`);
  const bytes = readFileSync(png);
  return { png, bytes, base64: bytes.toString('base64'), truth: JSON.parse(readFileSync(join(dir, `${stem}.json`), 'utf8')) };
}
export function cleanupSynth() {
  for (const dir of synthDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

// ---- Tencent: tencentcloud-sdk-nodejs-ocr ---------------------------------------------------
const { ocr } = require('tencentcloud-sdk-nodejs-ocr');
export function tencentClient(hostPort, { secretId = TENCENT.secretId, secretKey = TENCENT.secretKey } = {}) {
  return new ocr.v20181119.Client({
    credential: { secretId, secretKey },
    region: 'ap-guangzhou',
    profile: { httpProfile: { endpoint: hostPort, protocol: 'http://', reqTimeout: 60 } },
  });
}

// ---- Aliyun: @alicloud/ocr-api20210707 on @alicloud/openapi-core -----------------------------
const AliyunOcr = require('@alicloud/ocr-api20210707');
const { $OpenApiUtil } = require('@alicloud/openapi-core');
export { AliyunOcr };
export function aliyunClient(hostPort, { accessKeyId = ALIYUN.accessKeyId, accessKeySecret = ALIYUN.accessKeySecret } = {}) {
  return new AliyunOcr.default(new $OpenApiUtil.Config({
    accessKeyId, accessKeySecret, endpoint: hostPort, protocol: 'http', readTimeout: 60000, connectTimeout: 60000,
  }));
}

// ---- Huawei: @huaweicloud/huaweicloud-sdk-core, requests built as a generated OcrClient does ---
const { BasicCredentials } = require('@huaweicloud/huaweicloud-sdk-core');
const { ClientBuilder } = require('@huaweicloud/huaweicloud-sdk-core/ClientBuilder');
class HuaweiOcrClient {
  constructor(hcClient) { this.hcClient = hcClient; }
  post(api, body) {
    return this.hcClient.sendRequest({
      method: 'POST', url: `/v2/{project_id}/ocr/${api}`, contentType: 'application/json;charset=UTF-8',
      headers: {}, queryParams: {}, pathParams: {}, data: body, responseHeaders: ['X-Request-Id'],
    });
  }
  recognizeGeneralText(body) { return this.post('general-text', body); }
  recognizeExitEntryPermit(body) { return this.post('exit-entry-permit', body); }
  recognizeMainlandTravelPermit(body) { return this.post('mainland-travel-permit', body); }
  recognizePassport(body) { return this.post('passport', body); }
}
export function huaweiClient(endpoint, { ak = HUAWEI.ak, sk = HUAWEI.sk, project = HUAWEI.project } = {}) {
  const credentials = new BasicCredentials().withAk(ak).withSk(sk).withProjectId(project);
  return new ClientBuilder((hc) => new HuaweiOcrClient(hc)).withCredential(credentials).withEndpoint(endpoint).build();
}

// ---- Ground truth (Huawei's schema) written the way Tencent and Aliyun print it ------------------
export const sexChinese = (sex) => ({ M: '男', F: '女' })[sex] ?? sex;
export const compactLatinName = (name) => name.replaceAll(', ', ',');
const CHINESE_TYPE = {
  'exit-entry-hkmo': '往来港澳通行证',
  'exit-entry-tw': '往来台湾通行证',
  'mainland-hkmo': '港澳居民来往内地通行证',
  'mainland-tw': '台湾居民来往大陆通行证',
};
export const chinesePermitType = (permit) => CHINESE_TYPE[permit];
// TD3 line 2: birth date (YYMMDD) at 13, expiry at 21, nationality at 10..12.
export const mrzBirth = (line2) => line2.slice(13, 19);
export const mrzExpiry = (line2) => line2.slice(21, 27);
export const mrzNationality = (line2) => line2.slice(10, 13).replace(/<+$/, '');

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// ---- Geometry and images -------------------------------------------------------------------------
// A quad as [[x,y]...] (the generator) or [{X,Y}...] / [{x,y}...] (Tencent, Aliyun) -> its box.
export function bbox(quad) {
  const pts = quad.map((p) => (Array.isArray(p) ? p : [p.X ?? p.x, p.Y ?? p.y]));
  const xs = pts.map((p) => p[0]), ys = pts.map((p) => p[1]);
  return { x0: Math.min(...xs), y0: Math.min(...ys), x1: Math.max(...xs), y1: Math.max(...ys) };
}
export function iou(a, b) {
  const w = Math.max(0, Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0));
  const h = Math.max(0, Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0));
  const area = (r) => (r.x1 - r.x0) * (r.y1 - r.y0);
  return (w * h) / (area(a) + area(b) - w * h);
}
// Pairs each ground-truth line with the recognized box that overlaps it most.
export function matchLines(truthLines, boxes) {
  return truthLines.map((line) => {
    const t = bbox(line.quad);
    let best = -1, bestIou = 0;
    boxes.forEach((b, i) => {
      const v = iou(t, b);
      if (v > bestIou) { bestIou = v; best = i; }
    });
    return { line, index: best, iou: bestIou };
  });
}
// Two boxes mark the same thing when each holds the other's centre (IoU is too harsh on one-glyph
// lines, whose detected boxes carry the detector's padding).
export function sameRegion(a, b) {
  const inside = (r, x, y) => x >= r.x0 && x <= r.x1 && y >= r.y0 && y <= r.y1;
  return inside(a, (b.x0 + b.x1) / 2, (b.y0 + b.y1) / 2) && inside(b, (a.x0 + a.x1) / 2, (a.y0 + a.y1) / 2);
}
export const noSpace = (s) => s.replace(/\s+/g, '');

// Width and height from a JPEG's SOF marker; null when the bytes are not a baseline/progressive JPEG.
export function jpegSize(buf) {
  if (buf.length < 4 || buf[0] !== 0xff || buf[1] !== 0xd8) return null;
  let i = 2;
  while (i + 9 < buf.length) {
    if (buf[i] !== 0xff) return null;
    const marker = buf[i + 1];
    if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker))
      return { height: buf.readUInt16BE(i + 5), width: buf.readUInt16BE(i + 7) };
    i += 2 + buf.readUInt16BE(i + 2);
  }
  return null;
}

// A loopback HTTP server answering GET /<name> (percent-decoded, any query ignored) with the given
// bytes, for ImageUrl / Url requests.
export async function serveFiles(files) {
  const { createServer } = await import('node:http');
  const server = createServer((req, res) => {
    const body = files[decodeURIComponent(new URL(req.url, 'http://files').pathname.slice(1))];
    if (!body) { res.writeHead(404).end(); return; }
    res.writeHead(200, { 'Content-Type': 'image/png', 'Content-Length': body.length }).end(body);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: server.address().port, close: () => new Promise((r) => server.close(r)) };
}
