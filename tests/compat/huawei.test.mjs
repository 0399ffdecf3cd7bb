// The official Huawei Cloud SDK core (@huaweicloud/huaweicloud-sdk-core, pinned in package.json)
// driven against the real ocrserve on loopback, building requests exactly as a generated OcrClient
// does: POST /v2/{project_id}/ocr/general-text, JSON body, AK/SK signature, project id from the
// credentials.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { startServer, huaweiClient, HUAWEI } from './server.mjs';

const require = createRequire(import.meta.url);
const { ClientRequestException } = require('@huaweicloud/huaweicloud-sdk-core/exception/ClientRequestException');

const here = dirname(fileURLToPath(import.meta.url));
const sample = readFileSync(join(here, '../fixtures/sample_receipt.png')).toString('base64');

let server;

// The generated OcrClient's request shape lives in server.mjs (huaweiClient).
function client(sk = HUAWEI.sk) {
  return huaweiClient(server.endpoint, { sk });
}

before(async () => {
  server = await startServer({
    credentials: [{ type: 'huawei_aksk', ak: HUAWEI.ak, sk: HUAWEI.sk, projects: [HUAWEI.project] }],
  });
});

after(() => server?.stop());

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
