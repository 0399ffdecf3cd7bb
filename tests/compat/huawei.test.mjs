// The official Huawei Cloud SDK core (@huaweicloud/huaweicloud-sdk-core, pinned in package.json)
// driven against the real ocrserve on loopback, building requests exactly as a generated OcrClient
// does: POST /v2/{project_id}/ocr/general-text, JSON body, AK/SK signature, project id from the
// credentials.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { BasicCredentials } = require('@huaweicloud/huaweicloud-sdk-core');
const { ClientBuilder } = require('@huaweicloud/huaweicloud-sdk-core/ClientBuilder');
const { ClientRequestException } = require('@huaweicloud/huaweicloud-sdk-core/exception/ClientRequestException');

const here = dirname(fileURLToPath(import.meta.url));
const binary = process.env.OCRSERVE_BINARY ?? join(here, '../../build/ocrserve');
const sample = readFileSync(join(here, '../fixtures/sample_receipt.png')).toString('base64');
const AK = 'HWAKEXAMPLE', SK = 'HWSKEXAMPLE', PROJECT = '0123456789abcdef0123456789abcdef';

let server, endpoint;

// What a generated OcrClient does with its HcClient.
class OcrClient {
  constructor(hcClient) { this.hcClient = hcClient; }
  recognizeGeneralText(body) {
    return this.hcClient.sendRequest({
      method: 'POST', url: '/v2/{project_id}/ocr/general-text', contentType: 'application/json;charset=UTF-8',
      headers: {}, queryParams: {}, pathParams: {}, data: body,
    });
  }
}

function client(sk = SK) {
  const credentials = new BasicCredentials().withAk(AK).withSk(sk).withProjectId(PROJECT);
  return new ClientBuilder((hc) => new OcrClient(hc)).withCredential(credentials).withEndpoint(endpoint).build();
}

before(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ocrserve-compat-'));
  const config = join(dir, 'config.json');
  writeFileSync(config, JSON.stringify({
    credentials: [{ type: 'huawei_aksk', ak: AK, sk: SK, projects: [PROJECT] }],
  }));
  server = spawn(binary, ['serve', '--port', '0', '--config', config], {
    stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, OMP_THREAD_LIMIT: '1' },
  });
  const port = await new Promise((resolve, reject) => {
    server.stdout.once('data', (d) => {
      const m = /:(\d+)\s*$/.exec(d.toString());
      m ? resolve(Number(m[1])) : reject(new Error(`unexpected start line: ${d}`));
    });
    server.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  endpoint = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 600; i++) {
    try {
      if ((await fetch(`${endpoint}/readyz`)).status === 200) return;
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('server never became ready');
});

after(() => server?.kill('SIGTERM'));

test('general-text through the official SDK returns the parsed result', async () => {
  const result = await client().recognizeGeneralText({ image: sample, return_markdown_result: true });
  assert.equal(result.httpStatusCode, 200);
  assert.ok(result.result.words_block_count > 20);
  assert.match(result.result.markdown_result, /合计/);
  assert.equal(result.result.direction, -1);
});

test('a bad image surfaces as ClientRequestException with AIS.0102', async () => {
  await assert.rejects(client().recognizeGeneralText({ image: 'data:image/png;base64,AAAA' }), (e) => {
    assert.ok(e instanceof ClientRequestException, `got ${e?.constructor?.name}`);
    assert.equal(e.httpStatusCode, 400);
    assert.equal(e.errorCode, 'AIS.0102');
    assert.ok(e.requestId, 'request id from the X-Request-Id header');
    return true;
  });
});

test('a wrong secret key surfaces as ClientRequestException with APIGW.0301', async () => {
  await assert.rejects(client('NOT-THE-SECRET').recognizeGeneralText({ image: sample }), (e) => {
    assert.ok(e instanceof ClientRequestException, `got ${e?.constructor?.name}`);
    assert.equal(e.httpStatusCode, 401);
    assert.equal(e.errorCode, 'APIGW.0301');
    return true;
  });
});

test('image and url together surface as AIS.0101', async () => {
  await assert.rejects(client().recognizeGeneralText({ image: sample, url: 'https://example.com/a.png' }), (e) => {
    assert.equal(e.errorCode, 'AIS.0101');
    return true;
  });
});
