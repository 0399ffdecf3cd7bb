// web/openapi.json against the real ocrserve: (a) a valid OpenAPI 3.1 document whose schemas
// compile under JSON Schema 2020-12 in strict mode, (b) the same routes as `ocrserve routes`, (c)
// real answers of every built API, through the three front doors, valid against the document's
// response schemas (and the requests sent valid against its request schemas).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { readFileSync, mkdtempSync, rmSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { validate, compileErrors } from '@readme/openapi-parser';
import Ajv2020 from 'ajv/dist/2020.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '../..');
const docPath = join(root, 'web/openapi.json');
const binary = process.env.OCRSERVE_BINARY ?? join(root, 'build/ocrserve');
const synthBinary = process.env.OCRSERVE_SYNTH ?? join(dirname(binary), 'synth');
const doc = JSON.parse(readFileSync(docPath, 'utf8'));

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

// ---- JSON Schema: the document's component schemas under 2020-12, strict ----------------------
// OpenAPI refs point into the document (#/components/schemas/X); ajv gets the schemas as $defs of
// one schema of their own and every ref is rewritten to it.
const DEFS = 'https://ocrserve.invalid/openapi-schemas.json';
function rewriteRefs(node) {
  if (Array.isArray(node)) return node.map(rewriteRefs);
  if (node === null || typeof node !== 'object') return node;
  const out = {};
  for (const [k, v] of Object.entries(node)) {
    out[k] = k === '$ref' && typeof v === 'string' && v.startsWith('#/components/schemas/')
      ? `${DEFS}#/$defs/${v.slice('#/components/schemas/'.length)}`
      : rewriteRefs(v);
  }
  return out;
}
// strictRequired is off: `oneOf: [{required: ['image']}, {required: ['url']}]` names properties its
// parent defines, the usual way to say "exactly one of".
const ajv = new Ajv2020({ strict: true, strictRequired: false, allErrors: true });
// OpenAPI's format names (and uuid): checked where a check means something, annotations otherwise.
ajv.addFormat('uuid', /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
for (const f of ['int32', 'int64', 'float', 'double', 'byte', 'binary', 'password']) ajv.addFormat(f, true);
ajv.addSchema({ $id: DEFS, $defs: rewriteRefs(doc.components.schemas) });
const compiled = new Map();
function validator(schema) {
  if (!compiled.has(schema)) compiled.set(schema, ajv.compile(rewriteRefs(schema)));
  return compiled.get(schema);
}
function assertValid(schema, value, what) {
  const check = validator(schema);
  assert.ok(check(value), `${what}: ${ajv.errorsText(check.errors, { separator: '\n  ' })}\n${JSON.stringify(value).slice(0, 600)}`);
}

const deref = (node) => {
  if (!node?.$ref) return node;
  const parts = node.$ref.replace(/^#\//, '').split('/');
  return parts.reduce((o, k) => o[k], doc);
};
// The schema of a documented response: fails when the status or media type is not documented.
function responseSchema(method, path, status, mediaType = 'application/json') {
  const op = doc.paths[path]?.[method.toLowerCase()];
  assert.ok(op, `${method} ${path} is not in the document`);
  const response = deref(op.responses[String(status)]);
  assert.ok(response, `${method} ${path}: status ${status} is not documented (documented: ${Object.keys(op.responses)})`);
  const content = response.content?.[mediaType];
  assert.ok(content, `${method} ${path} ${status}: no ${mediaType} content documented`);
  return { schema: content.schema, response };
}
function requestSchema(method, path, mediaType = 'application/json') {
  const schema = doc.paths[path]?.[method.toLowerCase()]?.requestBody?.content?.[mediaType]?.schema;
  assert.ok(schema, `${method} ${path}: no ${mediaType} request body documented`);
  return schema;
}

// ---- (a) the document ----------------------------------------------------------------------
test('web/openapi.json is a valid OpenAPI 3.1 document', async () => {
  assert.match(doc.openapi, /^3\.1\.\d+$/);
  const result = await validate(structuredClone(doc));
  assert.ok(result.valid, compileErrors(result));
  assert.deepEqual(result.warnings, []);
});

test('every schema in the document compiles under JSON Schema 2020-12 in strict mode', () => {
  let n = 0;
  for (const name of Object.keys(doc.components.schemas)) {
    assert.ok(ajv.getSchema(`${DEFS}#/$defs/${name}`), name);
    n++;
  }
  // ...and every schema inline in an operation (request bodies, responses, parameters).
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS.filter((m) => item[m])) {
      const op = item[method];
      const bodies = Object.values(op.requestBody?.content ?? {});
      const responses = Object.values(op.responses).map(deref).flatMap((r) => Object.values(r.content ?? {}));
      const params = (op.parameters ?? []).map(deref);
      for (const { schema } of [...bodies, ...responses, ...params]) {
        assert.doesNotThrow(() => validator(schema), `${method} ${path}`);
        n++;
      }
    }
  }
  assert.ok(n > 50);
});

test('every example in the document is valid against its schema', () => {
  let n = 0;
  const check = (schema, value, what) => { assertValid(schema, value, what); n++; };
  for (const [name, schema] of Object.entries(doc.components.schemas)) {
    for (const [i, example] of (schema.examples ?? []).entries()) check(schema, example, `${name} examples[${i}]`);
  }
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS.filter((m) => item[m])) {
      const op = item[method];
      for (const [type, media] of Object.entries(op.requestBody?.content ?? {})) {
        if ('example' in media) check(media.schema, media.example, `${method} ${path} request ${type}`);
      }
      for (const [status, response] of Object.entries(op.responses)) {
        for (const [type, media] of Object.entries(deref(response).content ?? {})) {
          if ('example' in media) check(media.schema, media.example, `${method} ${path} ${status} ${type}`);
        }
      }
      for (const p of (op.parameters ?? []).map(deref)) if ('example' in p) check(p.schema, p.example, `${method} ${path} ${p.name}`);
    }
  }
  assert.ok(n >= 10, `${n} examples`);
});

// ---- (b) the routes --------------------------------------------------------------------------
test('the document has exactly the routes `ocrserve routes` lists', () => {
  let listed;
  try {
    listed = JSON.parse(execFileSync(binary, ['routes'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }));
  } catch (e) {
    assert.fail(`\`${binary} routes\` did not print the route list (JSON [{method, path}]): ${e.stderr || e.message}`);
  }
  assert.ok(Array.isArray(listed) && listed.length > 0, 'a non-empty JSON array');
  const served = new Set(listed.map((r) => `${r.method.toUpperCase()} ${r.path}`));
  const documented = new Set();
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS.filter((m) => item[m])) documented.add(`${method.toUpperCase()} ${path}`);
  }
  const missing = [...served].filter((r) => !documented.has(r));
  const extra = [...documented].filter((r) => !served.has(r));
  assert.deepEqual({ missing, extra }, { missing: [], extra: [] }, 'served but not documented / documented but not served');
});

// ---- (c) real answers -------------------------------------------------------------------------
let server, base, work;
const images = {};

function render(args, stem) {
  const dir = join(work, stem);
  execFileSync(synthBinary, [...args, '--count', '1', '--seed', '7', '--out', dir], { stdio: ['ignore', 'ignore', 'inherit'] });
  const png = readdirSync(dir).find((f) => f.endsWith('.png'));
  return readFileSync(join(dir, png));
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'ocrserve-openapi-'));
  images.exitEntryFront = render(['--permit', 'exit-entry-hkmo', '--side', 'front'], 'ee-front');
  images.exitEntryBack = render(['--permit', 'exit-entry-tw', '--side', 'back'], 'ee-back');
  images.mainlandFront = render(['--permit', 'mainland-tw', '--side', 'front'], 'ml-front');
  images.mainlandBack = render(['--permit', 'mainland-hkmo', '--side', 'back'], 'ml-back');
  images.passport = render(['--passport', 'chn'], 'pp-chn');
  images.text = readFileSync(join(root, 'tests/fixtures/sample_receipt.png'));

  // Anonymous on loopback: no credentials, so no signatures are needed through any door.
  server = spawn(binary, ['serve', '--port', '0', '--workers', '2'], {
    stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, OMP_THREAD_LIMIT: '1' },
  });
  server.stderr.resume();  // the access log: never let an unread pipe stall the server
  const port = await new Promise((resolve, reject) => {
    let line = '';
    server.stdout.on('data', function first(d) {
      line += d;
      if (!line.includes('\n')) return;
      server.stdout.off('data', first);
      server.stdout.resume();
      const m = /^ocrserve listening on http:\/\/127\.0\.0\.1:(\d+)\s*$/m.exec(line);
      m ? resolve(Number(m[1])) : reject(new Error(`unexpected first line: ${line}`));
    });
    server.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 2400; i++) {
    try {
      if ((await fetch(`${base}/readyz`)).status === 200) return;
    } catch { /* not accepting yet */ }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('server never became ready');
});

after(() => {
  server?.kill('SIGTERM');
  if (work) rmSync(work, { recursive: true, force: true });
});

async function call(method, path, { headers = {}, body, query = '' } = {}) {
  const res = await fetch(`${base}${path}${query}`, { method, headers, body, redirect: 'manual' });
  const text = await res.text();
  const type = res.headers.get('content-type') ?? '';
  return { status: res.status, headers: res.headers, text, type, json: type.includes('json') ? JSON.parse(text) : undefined };
}

const requestIdSchema = doc.components.headers.XRequestId.schema;
function assertRequestId(res, what) {
  assertValid(requestIdSchema, res.headers.get('x-request-id'), `${what}: X-Request-Id`);
}

// A Huawei call: the request checked against the document, the answer against the documented status.
async function huawei(api, body, expectStatus = 200) {
  const path = `/v2/{project_id}/ocr/${api}`;
  assertValid(requestSchema('POST', path), body, `${api} request`);
  const res = await call('POST', `/v2/0123456789abcdef0123456789abcdef/ocr/${api}`, {
    headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
  });
  assert.equal(res.status, expectStatus, res.text.slice(0, 300));
  assertValid(responseSchema('POST', path, res.status).schema, res.json, `${api} ${res.status}`);
  assertRequestId(res, api);
  return res.json;
}

test('general-text: a real answer (characters, markdown, direction) matches GeneralTextResult', async () => {
  const r = await huawei('general-text', {
    image: images.text.toString('base64'), detect_direction: true, character_mode: true, return_markdown_result: true,
  });
  assert.ok(r.result.words_block_count > 10);
  assert.ok(r.result.words_block_list[0].char_list.length > 0);
  const plain = await huawei('general-text', { image: images.text.toString('base64'), quick_mode: false });
  assert.equal(plain.result.direction, -1);
});

test('exit-entry-permit: a front with the portrait and a back with endorsements match ExitEntryPermitResult', async () => {
  const front = await huawei('exit-entry-permit', {
    image: images.exitEntryFront.toString('base64'), return_portrait_image: true, return_portrait_location: true,
  });
  assert.equal(front.result.side, 'front');
  assert.equal(front.result.portrait_location.length, 4);
  const back = await huawei('exit-entry-permit', { image: images.exitEntryBack.toString('base64'), type_language: 'zh' });
  assert.equal(back.result.side, 'back');
  assert.equal(back.result.type, '往来台湾通行证');
  assert.ok(back.result.endorsement_info_tw);
});

test('mainland-travel-permit: a front and a back match MainlandTravelPermitResult', async () => {
  const front = await huawei('mainland-travel-permit', { image: images.mainlandFront.toString('base64'), return_portrait_image: true });
  assert.equal(front.result.side, 'front');
  const back = await huawei('mainland-travel-permit', { image: images.mainlandBack.toString('base64') });
  assert.equal(back.result.side, 'back');
  assert.ok(back.result.machine_code1);
});

test('passport: a Chinese passport (every field) and its machine zone alone match PassportResult', async () => {
  const full = await huawei('passport', { image: images.passport.toString('base64'), country_code: 'CHN' });
  assert.equal(full.result.country_code, 'CHN');
  assert.ok(full.result.extra_info.local_language);
  const mrz = await huawei('passport', { image: images.passport.toString('base64'), country_code: 'GENERAL' });
  assert.equal(mrz.result.machine_code2.length, 44);
});

test('Huawei errors match the documented error responses', async () => {
  const notBuilt = await huawei('general-table', { image: images.text.toString('base64') }, 403);
  assert.equal(notBuilt.error_code, 'ModelArts.4204');
  const bad = await call('POST', '/v2/p/ocr/general-text', {
    headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ image: 'x', detect_direction: 'yes' }),
  });
  assert.equal(bad.status, 400);
  assertValid(responseSchema('POST', '/v2/{project_id}/ocr/general-text', 400).schema, bad.json, 'AIS.0101');
  const notImage = await call('POST', '/v2/p/ocr/passport', {
    headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ image: Buffer.from('not an image at all').toString('base64') }),
  });
  assert.equal(notImage.status, 400);
  assertValid(responseSchema('POST', '/v2/{project_id}/ocr/passport', 400).schema, notImage.json, 'AIS.0102');
  const unknown = await call('POST', '/v2/p/ocr/no-such-api', { headers: { 'Content-Type': 'application/json' }, body: '{}' });
  assert.equal(unknown.status, 404);
  assertValid(doc.components.schemas.HuaweiError, unknown.json, 'APIGW.0101');
});

// Tencent through POST /: each action's answer is one branch of the documented union.
async function tencent(action, body) {
  assertValid(doc.components.schemas[`Tencent${action}Request`], body, `${action} request`);
  assertValid(requestSchema('POST', '/'), body, `${action} request (union)`);
  const res = await call('POST', '/', {
    headers: { 'Content-Type': 'application/json', 'X-TC-Action': action, 'X-TC-Version': '2018-11-19' },
    body: JSON.stringify(body),
  });
  assert.equal(res.status, 200, res.text.slice(0, 300));
  assertValid(responseSchema('POST', '/', 200).schema, res.json, `${action} answer`);
  assertRequestId(res, action);
  return res.json.Response;
}

test('Tencent: PermitOCR, MainlandPermitOCR, MLIDPassportOCR and GeneralBasicOCR answers match the document', async () => {
  const permit = await tencent('PermitOCR', { ImageBase64: images.exitEntryFront.toString('base64'), CropPortrait: true });
  assertValid(doc.components.schemas.TencentPermitOCRResponse, permit, 'PermitOCR');
  assert.ok(permit.PortraitImage.length > 100);
  const back = await tencent('MainlandPermitOCR', { ImageBase64: images.mainlandBack.toString('base64'), CardSide: 'BACK' });
  assertValid(doc.components.schemas.TencentMainlandPermitOCRResponse, back, 'MainlandPermitOCR BACK');
  const front = await tencent('MainlandPermitOCR', { ImageBase64: images.mainlandFront.toString('base64'), RetProfile: true });
  assertValid(doc.components.schemas.TencentMainlandPermitOCRResponse, front, 'MainlandPermitOCR FRONT');
  assert.equal(front.MainlandTravelPermitBackInfos, null);
  const passport = await tencent('MLIDPassportOCR', { ImageBase64: images.passport.toString('base64') });
  assertValid(doc.components.schemas.TencentMLIDPassportOCRResponse, passport, 'MLIDPassportOCR');
  const text = await tencent('GeneralBasicOCR', { ImageBase64: images.text.toString('base64'), IsWords: true });
  assertValid(doc.components.schemas.TencentGeneralBasicOCRResponse, text, 'GeneralBasicOCR');
  assert.ok(text.TextDetections[0].Words.length > 0);
});

test('Tencent errors are HTTP 200 TencentErrorResponse', async () => {
  const back = await tencent('PermitOCR', { ImageBase64: images.exitEntryBack.toString('base64') });
  assert.equal(back.Error.Code, 'FailedOperation.OcrFailed');
  const res = await call('POST', '/', {
    headers: { 'Content-Type': 'application/json', 'X-TC-Action': 'IDCardOCR', 'X-TC-Version': '2018-11-19' }, body: '{}',
  });
  assert.equal(res.status, 200);
  assertValid(responseSchema('POST', '/', 200).schema, res.json, 'InvalidAction');
  assert.equal(res.json.Response.Error.Code, 'InvalidAction');
});

// Aliyun through POST /: the raw image as the body; Data is a JSON string with its own schema.
const dataSchema = doc.components.schemas.AliyunAnswer.properties.Data.contentSchema;
async function aliyun(action, bytes, query = '') {
  const res = await call('POST', '/', {
    headers: { 'Content-Type': 'application/octet-stream', 'x-acs-action': action, 'x-acs-version': '2021-07-07' },
    body: bytes, query,
  });
  assert.equal(res.status, 200, res.text.slice(0, 300));
  assertValid(responseSchema('POST', '/', 200).schema, res.json, `${action} answer`);
  assertRequestId(res, action);
  const data = JSON.parse(res.json.Data);
  assertValid(dataSchema, data, `${action} Data`);
  return data;
}

test('Aliyun: the four actions\' answers and their Data match the document', async () => {
  const hk = await aliyun('RecognizeExitEntryPermitToHK', images.exitEntryFront, '?OutputFigure=true');
  assertValid(doc.components.schemas.AliyunPermitData, hk, 'RecognizeExitEntryPermitToHK');
  assert.equal(hk.figure.length, 1);
  const mainland = await aliyun('RecognizeExitEntryPermitToMainland', images.mainlandFront);
  assertValid(doc.components.schemas.AliyunPermitData, mainland, 'RecognizeExitEntryPermitToMainland');
  assert.ok('issueCount' in mainland.data);
  const passport = await aliyun('RecognizePassport', images.passport);
  assertValid(doc.components.schemas.AliyunPassportData, passport, 'RecognizePassport');
  const text = await aliyun('RecognizeGeneral', images.text);
  assertValid(doc.components.schemas.AliyunGeneralData, text, 'RecognizeGeneral');
  assert.ok(text.prism_wnum > 10);
});

test('Aliyun errors and a request naming no vendor match the documented error responses', async () => {
  const back = await call('POST', '/', {
    headers: { 'Content-Type': 'application/octet-stream', 'x-acs-action': 'RecognizeExitEntryPermitToHK', 'x-acs-version': '2021-07-07' },
    body: images.exitEntryBack,
  });
  assert.equal(back.status, 400);
  assertValid(responseSchema('POST', '/', 400).schema, back.json, 'unmatchedImageType');
  assert.equal(back.json.Code, 'unmatchedImageType');
  const noBody = await call('POST', '/', {
    headers: { 'x-acs-action': 'RecognizeGeneral', 'x-acs-version': '2021-07-07', 'Content-Length': '0' },
  });
  assert.equal(noBody.status, 400);
  assertValid(responseSchema('POST', '/', 400).schema, noBody.json, 'MissingParameter');
  const action = await call('POST', '/', {
    headers: { 'x-acs-action': 'RecognizeIdcard', 'x-acs-version': '2021-07-07' }, body: images.text,
  });
  assert.equal(action.status, 404);
  assertValid(responseSchema('POST', '/', 404).schema, action.json, 'InvalidAction.NotFound');
  const neither = await call('POST', '/', { headers: { 'Content-Type': 'application/json' }, body: '{}' });
  assert.equal(neither.status, 404);
  assertValid(responseSchema('POST', '/', 404).schema, neither.json, 'APIGW.0101');
});

test('operations: /healthz, /readyz, /metrics and /openapi.json answer as documented', async () => {
  for (const path of ['/healthz', '/readyz']) {
    const res = await call('GET', path);
    assert.equal(res.status, 200);
    assertValid(responseSchema('GET', path, 200).schema, res.json, path);
    assertRequestId(res, path);
  }
  const metrics = await call('GET', '/metrics');
  assert.equal(metrics.status, 200);
  const mediaType = Object.keys(deref(doc.paths['/metrics'].get.responses['200']).content)[0];
  assert.equal(metrics.type.replace(/\s+/g, ''), mediaType.replace(/\s+/g, ''));
  const self = await call('GET', '/openapi.json');
  assert.equal(self.status, 200, 'GET /openapi.json');
  assert.deepEqual(self.json, doc, 'GET /openapi.json serves web/openapi.json');
});

test('console: /console redirects, /console/ and its files are served with documented types, a missing file is a 404', async () => {
  const index = await call('GET', '/console');
  assert.ok(deref(doc.paths['/console'].get.responses[String(index.status)]), `GET /console: ${index.status} is documented`);
  assert.equal(index.headers.get('location'), '/console/');
  const documentedTypes = Object.keys(doc.paths['/console/{file}'].get.responses['200'].content).map((t) => t.replace(/\s+/g, ''));
  for (const file of ['', 'index.html', 'console.js', 'console.css']) {
    const res = await call('GET', `/console/${file}`);
    assert.equal(res.status, 200, `GET /console/${file}`);
    assert.ok(documentedTypes.includes(res.type.replace(/\s+/g, '')), `GET /console/${file}: ${res.type} is documented`);
  }
  const missing = await call('GET', '/console/no-such-file.js');
  assert.equal(missing.status, 404);
  assertValid(responseSchema('GET', '/console/{file}', 404).schema, missing.json, 'missing console file');
});
