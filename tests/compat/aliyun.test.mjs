// The official Aliyun SDK (@alicloud/ocr-api20210707 on @alicloud/openapi-core, pinned in
// package.json) against the real ocrserve on loopback: RecognizeExitEntryPermitToHK,
// RecognizeExitEntryPermitToMainland, RecognizePassport and RecognizeGeneral with the image as the
// (chunked) body or as Url, every value compared with the generator's ground truth written the way
// Aliyun prints it, and the errors as the SDK throws them (ClientError / ThrottlingError .code).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { createRequire } from 'node:module';
import {
  startServer, credentials, synth, cleanupSynth, serveFiles, aliyunClient, AliyunOcr, ALIYUN,
  sexChinese, compactLatinName, chinesePermitType, mrzNationality,
  bbox, iou, matchLines, sameRegion, noSpace,
} from './server.mjs';

const require = createRequire(import.meta.url);
const { ClientError, ThrottlingError } = require('@alicloud/openapi-core');

const ALIYUN_REQUEST_ID = /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/;
const NOT_AN_IMAGE = Buffer.from('0102030405060708090a0b0c0d0e0f10', 'hex');
const RESTRICTED = { accessKeyId: 'LTAIRESTRICTED', accessKeySecret: 'RESTRICTEDSECRET' };  // RecognizeGeneral only
const THROTTLED = { accessKeyId: 'LTAITHROTTLED', accessKeySecret: 'THROTTLEDSECRET' };     // one request, then none

// Characters the SDK leaves unescaped on the wire but the signature's canonical query escapes
// (see the -url-query vector), plus a path that is not ASCII.
const TRICKY_NAME = "证件(1)*!'~.png";

let server, images, client;

before(async () => {
  const hk = synth('permit', 'exit-entry-hkmo', 'front', 7);
  images = await serveFiles({ 'hk.png': hk.bytes, [TRICKY_NAME]: hk.bytes });
  server = await startServer({
    url_allow: [`127.0.0.1/32:${images.port}`],  // the image server only; other loopback ports stay refused
    rate_limit_burst: 1,
    credentials: [
      ...credentials(),
      { type: 'aliyun', access_key_id: RESTRICTED.accessKeyId, access_key_secret: RESTRICTED.accessKeySecret,
        apis: ['RecognizeGeneral'] },
      { type: 'aliyun', access_key_id: THROTTLED.accessKeyId, access_key_secret: THROTTLED.accessKeySecret,
        rate_limit_rps: 0.001 },
    ],
  });
  client = aliyunClient(server.hostPort);
});

after(async () => {
  server?.stop();
  await images?.close();
  cleanupSynth();
});

const toHK = (fields) => new AliyunOcr.RecognizeExitEntryPermitToHKRequest(fields);
const toMainland = (fields) => new AliyunOcr.RecognizeExitEntryPermitToMainlandRequest(fields);
const bytes = (buffer) => Readable.from([buffer]);

// A success: HTTP 200, {RequestId, Data: "<JSON string>"}; returns Data parsed.
function dataOf(response, doc) {
  assert.equal(response.statusCode, 200);
  assert.match(response.body.requestId, ALIYUN_REQUEST_ID);
  assert.equal(typeof response.body.data, 'string', 'Data is a JSON string');
  const data = JSON.parse(response.body.data);
  // Nothing is warped into a new image: the sizes are the image's own.
  assert.deepEqual(pick(data, ['ftype', 'width', 'height', 'orgWidth', 'orgHeight']), {
    ftype: 0, width: doc.truth.width, height: doc.truth.height, orgWidth: doc.truth.width, orgHeight: doc.truth.height,
  });
  return data;
}

function pick(object, keys) {
  return Object.fromEntries(keys.map((k) => [k, object[k]]));
}

// Aliyun key -> the generator's (Huawei-schema) field, and the value as Aliyun writes it.
function expectedPermit(doc) {
  const f = doc.truth.truth.fields;
  const mainland = doc.truth.permit.startsWith('mainland');
  const data = {
    permitType: chinesePermitType(doc.truth.permit),
    nameCn: f.name,
    nameEn: compactLatinName(f.name_en),
    birthDate: f.birth_date,
    sex: sexChinese(f.sex),
    validPeriod: f.valid_period,
    issueAuthority: f.issuing_authority,
    issuePlace: f.issue_place ?? '',  // the Hong Kong/Macao residents' permit prints none
    permitNumber: f.number,
  };
  if (mainland) data.issueCount = f.issue_times;
  else data.mrzCode = f.machine_code;
  return data;
}
const FIELD_OF = {
  nameCn: 'name', nameEn: 'name_en', birthDate: 'birth_date', sex: 'sex', validPeriod: 'valid_period',
  issueAuthority: 'issuing_authority', issuePlace: 'issue_place', permitNumber: 'number', mrzCode: 'machine_code',
  issueCount: 'issue_times',
};

// prism_keyValueInfo: one entry per data key, its value, and where the generator drew that value.
function assertKeyValueInfo(data, doc) {
  const f = doc.truth.truth.fields;
  assert.deepEqual(data.prism_keyValueInfo.map((kv) => kv.key).sort(), Object.keys(data.data).sort());
  for (const kv of data.prism_keyValueInfo) {
    assert.equal(kv.value, data.data[kv.key], kv.key);
    assert.equal(kv.keyProb, 100);
    assert.ok(Number.isInteger(kv.valueProb) && kv.valueProb >= 0 && kv.valueProb <= 100, `${kv.key} valueProb ${kv.valueProb}`);
    const field = FIELD_OF[kv.key];
    if (!field || !f[field]) continue;  // permitType; a field this permit does not print
    const drawn = doc.truth.lines.find((l) => l.text === f[field] || (field === 'sex' && l.text.startsWith(`${kv.value}/`)));
    assert.ok(drawn, `the generator drew ${field}`);
    assert.equal(kv.valuePos?.length, 4, `${kv.key} valuePos`);
    assert.ok(sameRegion(bbox(kv.valuePos), bbox(drawn.quad)),
      `${kv.key} at ${JSON.stringify(bbox(kv.valuePos))}, drawn at ${JSON.stringify(bbox(drawn.quad))}`);
  }
}

// sliceRect: the card's corners (the generator's card fills the image).
function assertSliceRect(rect, doc) {
  const card = doc.truth.truth.card_quad;
  for (let i = 0; i < 4; i++) {
    assert.ok(Math.abs(rect[`x${i}`] - card[i][0]) <= 10 && Math.abs(rect[`y${i}`] - card[i][1]) <= 10,
      `corner ${i}: ${rect[`x${i}`]},${rect[`y${i}`]} vs ${card[i]}`);
  }
}

async function rejectsWith(promise, code, status, kind = ClientError) {
  await assert.rejects(promise, (e) => {
    assert.ok(e instanceof kind, `got ${e?.constructor?.name}: ${e?.message}`);
    assert.equal(e.code, code, e.message);
    assert.equal(e.statusCode, status, e.message);
    assert.match(e.requestId, ALIYUN_REQUEST_ID);
    assert.equal(e.data.Code, code);
    assert.equal(e.data.RequestId, e.requestId);
    assert.ok(e.data.Message.length > 0);
    return true;
  });
}

test('RecognizeExitEntryPermitToHK reads a Hong Kong/Macao exit-entry permit, with the face on OutputFigure', async () => {
  const doc = synth('permit', 'exit-entry-hkmo', 'front', 7);
  const data = dataOf(await client.recognizeExitEntryPermitToHK(toHK({ body: createReadStream(doc.png), outputFigure: true })), doc);
  assert.deepEqual(data.data, expectedPermit(doc));
  assert.equal(data.data.permitType, '往来港澳通行证');
  assertKeyValueInfo(data, doc);
  assertSliceRect(data.sliceRect, doc);
  assert.equal(data.figure.length, 1);
  const face = data.figure[0];
  assert.equal(face.type, 'face');
  const drawn = bbox(doc.truth.truth.portrait_quad);
  const found = { x0: face.x, y0: face.y, x1: face.x + face.w, y1: face.y + face.h };
  assert.ok(iou(found, drawn) > 0.8, `face ${JSON.stringify(found)}, portrait drawn at ${JSON.stringify(drawn)}`);
  assert.ok(sameRegion(bbox(face.points), found));
  assert.ok(Math.abs(face.box.x - (face.x + face.w / 2)) <= 2 && Math.abs(face.box.y - (face.y + face.h / 2)) <= 2);
});

test('RecognizeExitEntryPermitToHK reads a Taiwan exit-entry permit; no figure without OutputFigure', async () => {
  const doc = synth('permit', 'exit-entry-tw', 'front', 7);
  const data = dataOf(await client.recognizeExitEntryPermitToHK(toHK({ body: createReadStream(doc.png) })), doc);
  assert.deepEqual(data.data, expectedPermit(doc));
  assert.equal(data.data.permitType, '往来台湾通行证');
  assertKeyValueInfo(data, doc);
  assert.equal(data.figure, undefined);
});

test('RecognizeExitEntryPermitToHK fetches the image from Url (an allow-listed loopback server)', async () => {
  const doc = synth('permit', 'exit-entry-hkmo', 'front', 7);  // the same render the image server holds
  const data = dataOf(await client.recognizeExitEntryPermitToHK(toHK({ url: `http://127.0.0.1:${images.port}/hk.png` })), doc);
  assert.deepEqual(data.data, expectedPermit(doc));
});

test('a Url with ( ) * ! \' ~, non-ASCII and a query of its own: signed, verified, fetched', async () => {
  const doc = synth('permit', 'exit-entry-hkmo', 'front', 7);
  const url = `http://127.0.0.1:${images.port}/${TRICKY_NAME}?x=1&y=2`;
  const data = dataOf(await client.recognizeExitEntryPermitToHK(toHK({ url, outputFigure: true })), doc);
  assert.deepEqual(data.data, expectedPermit(doc));
  assert.equal(data.figure.length, 1);
});

test('RecognizeExitEntryPermitToMainland reads a Taiwan residents\' permit: issueCount, no mrzCode', async () => {
  const doc = synth('permit', 'mainland-tw', 'front', 7);
  const data = dataOf(await client.recognizeExitEntryPermitToMainland(toMainland({ body: createReadStream(doc.png) })), doc);
  assert.deepEqual(data.data, expectedPermit(doc));
  assert.equal(data.data.permitType, '台湾居民来往大陆通行证');
  assert.equal(data.data.issueCount, doc.truth.truth.fields.issue_times);
  assert.equal('mrzCode' in data.data, false);
  assertKeyValueInfo(data, doc);
  assertSliceRect(data.sliceRect, doc);
});

test('RecognizePassport reads a Chinese passport', async () => {
  const doc = synth('passport', 'chn', null, 7);
  const f = doc.truth.truth.fields;
  const local = (k) => f[`extra_info.local_language.${k}`];
  const compact = (date) => date.replaceAll('-', '');
  const data = dataOf(await client.recognizePassport(new AliyunOcr.RecognizePassportRequest({ body: createReadStream(doc.png) })), doc);
  assert.deepEqual(data.data, {
    passportType: f.passport_type,
    countryCode: f.country_code,
    passportNumber: f.passport_number,
    nameEn: `${f.surname} ${f.given_name}`,
    name: local('name'),
    sex: f.sex,
    birthPlace: local('place_of_birth'),
    nationality: mrzNationality(f.machine_code2),
    issuePlace: local('place_of_issue'),
    issueAuthority: f.issuing_authority,
    birthDate: compact(f.date_of_birth),
    validToDate: compact(f.date_of_expiry),
    issueDate: compact(f.date_of_issue),
    mrzLine1: f.machine_code,
    mrzLine2: f.machine_code2,
  });
  assert.equal(data.data.nationality, 'CHN');
});

test('RecognizeGeneral reads every line of a receipt where it was drawn', async () => {
  const doc = synth('kind', 'receipt', null, 7);
  const data = dataOf(await client.recognizeGeneral(new AliyunOcr.RecognizeGeneralRequest({ body: createReadStream(doc.png) })), doc);
  const words = data.prism_wordsInfo;
  assert.equal(data.prism_wnum, words.length);
  assert.equal(words.length, doc.truth.lines.length);
  assert.equal(data.content, words.map((w) => w.word).join(' '));
  const boxes = words.map((w) => bbox(w.pos));
  const matches = matchLines(doc.truth.lines, boxes);
  for (const { line, index } of matches) {
    assert.ok(index >= 0 && sameRegion(bbox(line.quad), boxes[index]), `"${line.text}" found where it was drawn`);
    assert.equal(noSpace(words[index].word), noSpace(line.text));
  }
  assert.equal(new Set(matches.map((m) => m.index)).size, matches.length, 'one word entry per line');
  for (const [i, w] of words.entries()) {
    assert.ok(Number.isInteger(w.prob) && w.prob >= 0 && w.prob <= 100, `prob ${w.prob}`);
    assert.ok(Math.abs(w.angle) <= 2, `angle ${w.angle} of an upright line`);
    assert.equal(w.direction, 0);
    assert.equal(w.pos.length, 4);
    const b = boxes[i];  // x, y, width, height: the box of pos (rounding aside)
    for (const [got, want] of [[w.x, b.x0], [w.y, b.y0], [w.x + w.width, b.x1], [w.y + w.height, b.y1]]) {
      assert.ok(Math.abs(got - want) <= 2, `${JSON.stringify(pick(w, ['x', 'y', 'width', 'height']))} around ${JSON.stringify(w.pos)}`);
    }
  }
  assert.equal(typeof data.prism_version, 'string');
});

test('bytes that are no image: illegalImageContent (400)', async () => {
  await rejectsWith(client.recognizeExitEntryPermitToHK(toHK({ body: bytes(NOT_AN_IMAGE) })), 'illegalImageContent', 400);
  await rejectsWith(client.recognizeGeneral(new AliyunOcr.RecognizeGeneralRequest({ body: bytes(NOT_AN_IMAGE) })),
    'illegalImageContent', 400);
});

test('every answer has its own RequestId', async () => {
  const ids = new Set();
  for (let i = 0; i < 3; i++) {
    await rejectsWith(client.recognizeExitEntryPermitToHK(toHK({ body: bytes(NOT_AN_IMAGE) }))
      .catch((e) => { ids.add(e.requestId); throw e; }), 'illegalImageContent', 400);
  }
  assert.equal(ids.size, 3);
});

test('a wrong AccessKeySecret: SignatureDoesNotMatch', async () => {
  const wrong = aliyunClient(server.hostPort, { accessKeyId: ALIYUN.accessKeyId, accessKeySecret: 'NOT-THE-SECRET' });
  await rejectsWith(wrong.recognizeExitEntryPermitToHK(toHK({ body: bytes(NOT_AN_IMAGE) })), 'SignatureDoesNotMatch', 400);
});

test('an unknown AccessKeyId: InvalidAccessKeyId.NotFound (404)', async () => {
  const stranger = aliyunClient(server.hostPort, { accessKeyId: 'LTAINOBODY', accessKeySecret: ALIYUN.accessKeySecret });
  await rejectsWith(stranger.recognizeExitEntryPermitToHK(toHK({ body: bytes(NOT_AN_IMAGE) })), 'InvalidAccessKeyId.NotFound', 404);
});

test('a receipt sent to RecognizeExitEntryPermitToHK: unmatchedImageType', async () => {
  const doc = synth('kind', 'receipt', null, 7);
  await rejectsWith(client.recognizeExitEntryPermitToHK(toHK({ body: createReadStream(doc.png) })), 'unmatchedImageType', 400);
});

test('an exit-entry permit sent to RecognizeExitEntryPermitToMainland: unmatchedImageType', async () => {
  const doc = synth('permit', 'exit-entry-tw', 'front', 7);
  await rejectsWith(client.recognizeExitEntryPermitToMainland(toMainland({ body: createReadStream(doc.png) })),
    'unmatchedImageType', 400);
});

test('the back of a permit: unmatchedImageType (these APIs read the front)', async () => {
  const doc = synth('permit', 'mainland-hkmo', 'back', 7);
  await rejectsWith(client.recognizeExitEntryPermitToMainland(toMainland({ body: createReadStream(doc.png) })),
    'unmatchedImageType', 400);
});

test('a loopback Url that is not allow-listed: illegalImageUrl (SSRF guard)', async () => {
  await rejectsWith(client.recognizeExitEntryPermitToHK(toHK({ url: 'http://127.0.0.1:1/x.png' })), 'illegalImageUrl', 400);
});

test('both a body and a Url: InvalidParameter; neither: MissingParameter', async () => {
  await rejectsWith(client.recognizeExitEntryPermitToHK(toHK({ url: 'http://127.0.0.1:1/x.png', body: bytes(NOT_AN_IMAGE) })),
    'InvalidParameter', 400);
  await rejectsWith(client.recognizeExitEntryPermitToHK(toHK({})), 'MissingParameter', 400);
});

test('an action this server does not serve: InvalidAction.NotFound (404)', async () => {
  await rejectsWith(client.recognizeIdcard(new AliyunOcr.RecognizeIdcardRequest({ body: bytes(NOT_AN_IMAGE) })),
    'InvalidAction.NotFound', 404);
});

test('a key limited to RecognizeGeneral calling another action: noPermission (403)', async () => {
  const restricted = aliyunClient(server.hostPort, RESTRICTED);
  await rejectsWith(restricted.recognizeExitEntryPermitToHK(toHK({ body: bytes(NOT_AN_IMAGE) })), 'noPermission', 403);
  // Its own action passes admission and fails only on the image.
  await rejectsWith(restricted.recognizeGeneral(new AliyunOcr.RecognizeGeneralRequest({ body: bytes(NOT_AN_IMAGE) })),
    'illegalImageContent', 400);
});

test('a key over its rate limit: Throttling.User, thrown as the SDK\'s ThrottlingError (429)', async () => {
  const throttled = aliyunClient(server.hostPort, THROTTLED);
  await rejectsWith(throttled.recognizeExitEntryPermitToHK(toHK({ body: bytes(NOT_AN_IMAGE) })), 'illegalImageContent', 400);
  await rejectsWith(throttled.recognizeExitEntryPermitToHK(toHK({ body: bytes(NOT_AN_IMAGE) })),
    'Throttling.User', 429, ThrottlingError);
});
