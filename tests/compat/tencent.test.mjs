// The official Tencent Cloud SDK (tencentcloud-sdk-nodejs-ocr, pinned in package.json) against the
// real ocrserve on loopback: PermitOCR, MainlandPermitOCR, MLIDPassportOCR and GeneralBasicOCR on
// synthetic documents, every value compared with the generator's ground truth written the way
// Tencent prints it, and the errors as the SDK throws them (TencentCloudSDKHttpException.code).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import {
  startServer, credentials, synth, cleanupSynth, serveFiles, tencentClient, TENCENT,
  sexChinese, compactLatinName, chinesePermitType, mrzNationality,
  bbox, iou, matchLines, sameRegion, noSpace, jpegSize,
} from './server.mjs';

const require = createRequire(import.meta.url);
const TencentCloudSDKHttpException =
  require('tencentcloud-sdk-nodejs-common/tencentcloud/common/exception/tencent_cloud_sdk_exception').default;

const TENCENT_REQUEST_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
// Not an image: 16 bytes no format starts with.
const NOT_AN_IMAGE = Buffer.from('0102030405060708090a0b0c0d0e0f10', 'hex').toString('base64');
const RESTRICTED = { secretId: 'AKIDRESTRICTED', secretKey: 'RESTRICTEDSECRET' };  // GeneralBasicOCR only
const THROTTLED = { secretId: 'AKIDTHROTTLED', secretKey: 'THROTTLEDSECRET' };     // one request, then none

let server, images, client;

before(async () => {
  const hk = synth('permit', 'exit-entry-hkmo', 'front', 7);
  images = await serveFiles({ 'hk.png': hk.bytes });
  server = await startServer({
    url_allow: [`127.0.0.1/32:${images.port}`],  // the image server only; other loopback ports stay refused
    rate_limit_burst: 1,
    credentials: [
      ...credentials(),
      { type: 'tencent', secret_id: RESTRICTED.secretId, secret_key: RESTRICTED.secretKey, apis: ['GeneralBasicOCR'] },
      { type: 'tencent', secret_id: THROTTLED.secretId, secret_key: THROTTLED.secretKey, rate_limit_rps: 0.001 },
    ],
  });
  client = tencentClient(server.hostPort);
});

after(async () => {
  server?.stop();
  await images?.close();
  cleanupSynth();
});

// The fields PermitOCR answers for an exit-entry permit front, from the generator's truth.
function expectedPermit(doc) {
  const f = doc.truth.truth.fields;
  return {
    Name: f.name,
    EnglishName: compactLatinName(f.name_en),
    Number: f.number,
    Sex: sexChinese(f.sex),
    ValidDate: f.valid_period,
    IssueAuthority: f.issuing_authority,
    IssueAddress: f.issue_place,
    Birthday: f.birth_date,
    Type: chinesePermitType(doc.truth.permit),
  };
}

function expectedMainlandFront(doc) {
  const f = doc.truth.truth.fields;
  return {
    Name: f.name,
    EnglishName: compactLatinName(f.name_en),
    Sex: sexChinese(f.sex),
    Birthday: f.birth_date,
    IssueAuthority: f.issuing_authority,
    ValidDate: f.valid_period,
    Number: f.number,
    IssueAddress: f.issue_place ?? '',  // only the Taiwan residents' permit prints a place of issue
    IssueNumber: f.issue_times,
    Type: chinesePermitType(doc.truth.permit),
    Nationality: '中国',
    MainlandTravelPermitBackInfos: null,
  };
}

function pick(object, keys) {
  return Object.fromEntries(keys.map((k) => [k, object[k]]));
}

// A base64 JPEG about the size of the portrait the generator drew.
function assertPortrait(base64, doc) {
  const size = jpegSize(Buffer.from(base64, 'base64'));
  assert.ok(size, 'a JPEG');
  const q = bbox(doc.truth.truth.portrait_quad);
  const w = q.x1 - q.x0, h = q.y1 - q.y0;
  assert.ok(Math.abs(size.width - w) <= 0.1 * w && Math.abs(size.height - h) <= 0.1 * h,
    `portrait ${size.width}x${size.height}, drawn ${w}x${h}`);
}

async function rejectsWith(promise, code) {
  await assert.rejects(promise, (e) => {
    assert.ok(e instanceof TencentCloudSDKHttpException, `got ${e?.constructor?.name}: ${e?.message}`);
    assert.equal(e.code, code, e.message);
    assert.match(e.requestId, TENCENT_REQUEST_ID);
    assert.ok(e.message.length > 0);
    return true;
  });
}

test('PermitOCR reads a Hong Kong/Macao exit-entry permit front, with the portrait on CropPortrait', async () => {
  const doc = synth('permit', 'exit-entry-hkmo', 'front', 7);
  const r = await client.PermitOCR({ ImageBase64: doc.base64, CropPortrait: true });
  const expected = expectedPermit(doc);
  assert.deepEqual(pick(r, Object.keys(expected)), expected);
  assert.equal(r.Type, '往来港澳通行证');
  assertPortrait(r.PortraitImage, doc);
  assert.match(r.RequestId, TENCENT_REQUEST_ID);
  assert.deepEqual(Object.keys(r).sort(), [...Object.keys(expected), 'PortraitImage', 'RequestId'].sort());
});

test('PermitOCR reads a Taiwan exit-entry permit front; no CropPortrait gives an empty PortraitImage', async () => {
  const doc = synth('permit', 'exit-entry-tw', 'front', 7);
  const r = await client.PermitOCR({ ImageBase64: doc.base64 });
  const expected = expectedPermit(doc);
  assert.deepEqual(pick(r, Object.keys(expected)), expected);
  assert.equal(r.Type, '往来台湾通行证');
  assert.equal(r.PortraitImage, '');
});

test('PermitOCR takes the image from ImageUrl (an allow-listed loopback server)', async () => {
  const doc = synth('permit', 'exit-entry-hkmo', 'front', 7);  // the same render the image server holds
  const r = await client.PermitOCR({ ImageUrl: `http://127.0.0.1:${images.port}/hk.png` });
  assert.deepEqual(pick(r, Object.keys(expectedPermit(doc))), expectedPermit(doc));
});

test('MainlandPermitOCR reads a Taiwan residents\' permit front, with the photo on RetProfile', async () => {
  const doc = synth('permit', 'mainland-tw', 'front', 7);
  const r = await client.MainlandPermitOCR({ ImageBase64: doc.base64, RetProfile: true });
  const expected = expectedMainlandFront(doc);
  assert.deepEqual(pick(r, Object.keys(expected)), expected);
  assert.equal(r.Type, '台湾居民来往大陆通行证');
  assert.equal(r.IssueAddress, doc.truth.truth.fields.issue_place);
  assertPortrait(r.Profile, doc);
  assert.match(r.RequestId, TENCENT_REQUEST_ID);
});

test('MainlandPermitOCR with CardSide BACK reads the back of a Hong Kong/Macao residents\' permit', async () => {
  const doc = synth('permit', 'mainland-hkmo', 'back', 7);
  const f = doc.truth.truth.fields;
  const r = await client.MainlandPermitOCR({ ImageBase64: doc.base64, CardSide: 'BACK' });
  assert.deepEqual(r.MainlandTravelPermitBackInfos, {
    Type: '港澳居民来往内地通行证', Name: f.id_name, IDNumber: f.id_number, HistoryNumber: '',
  });
  assert.equal(r.Type, '港澳居民来往内地通行证');
  for (const k of ['Name', 'EnglishName', 'Sex', 'Birthday', 'Number', 'IssueNumber', 'Profile']) assert.equal(r[k], '', k);
});

test('MLIDPassportOCR reads a Chinese passport: the machine zone and the labelled visual zone', async () => {
  const doc = synth('passport', 'chn', null, 7);
  const f = doc.truth.truth.fields;
  const local = (k) => f[`extra_info.local_language.${k}`];
  const yymmdd = (date) => date.slice(2).replaceAll('-', '');  // "1990-10-24" -> "901024"
  const r = await client.MLIDPassportOCR({ ImageBase64: doc.base64 });
  assert.deepEqual(pick(r, ['ID', 'Name', 'DateOfBirth', 'Sex', 'DateOfExpiration', 'IssuingCountry', 'Nationality',
    'CodeSet', 'CodeCrc', 'Surname', 'GivenName', 'Type', 'Warn', 'WarnCardInfos']), {
    ID: f.passport_number,
    Name: `${f.surname} ${f.given_name}`,
    DateOfBirth: yymmdd(f.date_of_birth),
    Sex: f.sex,
    DateOfExpiration: yymmdd(f.date_of_expiry),
    IssuingCountry: f.country_code,
    Nationality: mrzNationality(f.machine_code2),
    CodeSet: f.machine_code,
    CodeCrc: f.machine_code2,
    Surname: f.surname,
    GivenName: f.given_name,
    Type: f.passport_type,
    Warn: [],
    WarnCardInfos: [],
  });
  assert.equal(r.Nationality, 'CHN');
  assert.deepEqual(r.PassportRecognizeInfos, {
    Type: f.passport_type,
    IssuingCountry: f.country_code,
    PassportID: f.passport_number,
    Surname: f.surname,
    GivenName: f.given_name,
    Name: local('name'),
    Nationality: f.nationality,
    DateOfBirth: f.date_of_birth,
    Sex: f.sex,
    DateOfIssuance: f.date_of_issue,
    DateOfExpiration: f.date_of_expiry,
    Signature: '',
    IssuePlace: local('place_of_issue'),
    IssuingAuthority: local('issuing_authority'),
    BirthPlace: local('place_of_birth'),
  });
  assert.match(r.RequestId, TENCENT_REQUEST_ID);
});

test('MLIDPassportOCR reads a foreign passport from its machine zone', async () => {
  const doc = synth('passport', 'foreign', null, 7);
  const f = doc.truth.truth.fields;
  const r = await client.MLIDPassportOCR({ ImageBase64: doc.base64 });
  assert.deepEqual(pick(r, ['ID', 'Name', 'Sex', 'IssuingCountry', 'Nationality', 'CodeSet', 'CodeCrc', 'Surname', 'GivenName']), {
    ID: f.passport_number,
    Name: `${f.surname} ${f.given_name}`,
    Sex: f.sex,
    IssuingCountry: f.country_code,
    Nationality: f.country_code,  // the generator's foreign passports are their own country's
    CodeSet: f.machine_code,
    CodeCrc: f.machine_code2,
    Surname: f.surname,
    GivenName: f.given_name,
  });
  assert.equal(r.DateOfBirth, f.date_of_birth.slice(2).replaceAll('-', ''));
  assert.equal(r.DateOfExpiration, f.date_of_expiry.slice(2).replaceAll('-', ''));
  assert.equal(r.PassportRecognizeInfos.PassportID, '', 'no labelled visual zone is read on a foreign passport');
});

// Every line the generator drew is found where it was drawn, with its text.
function assertDetections(detections, doc) {
  assert.equal(detections.length, doc.truth.lines.length);
  const boxes = detections.map((d) => bbox(d.Polygon));
  const matches = matchLines(doc.truth.lines, boxes);
  for (const { line, index } of matches) {
    assert.ok(index >= 0 && sameRegion(bbox(line.quad), boxes[index]), `"${line.text}" found where it was drawn`);
    assert.equal(noSpace(detections[index].DetectedText), noSpace(line.text));
  }
  assert.equal(new Set(matches.map((m) => m.index)).size, matches.length, 'one detection per line');
  let previous = 0;
  for (const d of detections) {
    assert.ok(Number.isInteger(d.Confidence) && d.Confidence >= 0 && d.Confidence <= 100, `Confidence ${d.Confidence}`);
    assert.equal(d.Polygon.length, 4);
    const box = bbox(d.Polygon);
    const item = d.ItemPolygon;  // the polygon's bounding box (rounding aside)
    for (const [got, want] of [[item.X, box.x0], [item.Y, box.y0], [item.X + item.Width, box.x1], [item.Y + item.Height, box.y1]]) {
      assert.ok(Math.abs(got - want) <= 2, `ItemPolygon ${JSON.stringify(item)} around ${JSON.stringify(d.Polygon)}`);
    }
    const paragraph = JSON.parse(d.AdvancedInfo).Parag.ParagNo;
    assert.ok(Number.isInteger(paragraph) && paragraph >= previous && paragraph >= 1, `ParagNo ${paragraph}`);
    previous = paragraph;
  }
  // Lines the generator drew on one row (a receipt's item, count and price) are one paragraph.
  for (const a of matches) {
    for (const b of matches) {
      if (a.line.quad[0][1] === b.line.quad[0][1]) {
        assert.equal(detections[a.index].AdvancedInfo, detections[b.index].AdvancedInfo, `${a.line.text} / ${b.line.text}`);
      }
    }
  }
}

test('GeneralBasicOCR with IsWords reads every line of a receipt, with its characters', async () => {
  const doc = synth('kind', 'receipt', null, 7);
  const r = await client.GeneralBasicOCR({ ImageBase64: doc.base64, IsWords: true });
  assertDetections(r.TextDetections, doc);
  for (const d of r.TextDetections) {
    assert.equal(noSpace(d.Words.map((w) => w.Character).join('')), noSpace(d.DetectedText));
    assert.equal(d.WordCoordPoint.length, d.Words.length);
    const line = bbox(d.Polygon);
    for (const [i, w] of d.Words.entries()) {
      assert.ok(Number.isInteger(w.Confidence) && w.Confidence >= 0 && w.Confidence <= 100);
      const c = bbox(d.WordCoordPoint[i].WordCoordinate);
      assert.ok(iou(c, line) > 0 && c.x0 >= line.x0 - 3 && c.x1 <= line.x1 + 3, `character ${w.Character} inside its line`);
    }
  }
  assert.equal(r.Language, 'zh');
  assert.ok(Math.abs(r.Angle) < 2, `Angle ${r.Angle} of an upright receipt`);
  assert.equal(r.Angel, r.Angle);
  assert.equal(r.PdfPageSize, 0);
  assert.match(r.RequestId, TENCENT_REQUEST_ID);
});

test('GeneralBasicOCR without IsWords leaves Words and WordCoordPoint empty', async () => {
  const doc = synth('kind', 'receipt', null, 7);
  const r = await client.GeneralBasicOCR({ ImageBase64: doc.base64 });
  assertDetections(r.TextDetections, doc);
  for (const d of r.TextDetections) {
    assert.deepEqual(d.Words, []);
    assert.deepEqual(d.WordCoordPoint, []);
  }
});

test('every answer has its own RequestId', async () => {
  const ids = new Set();
  for (let i = 0; i < 3; i++) {
    await rejectsWith(client.PermitOCR({ ImageBase64: NOT_AN_IMAGE }).catch((e) => { ids.add(e.requestId); throw e; }),
      'FailedOperation.ImageDecodeFailed');
  }
  assert.equal(ids.size, 3);
});

test('bytes that are no image: FailedOperation.ImageDecodeFailed', async () => {
  await rejectsWith(client.PermitOCR({ ImageBase64: NOT_AN_IMAGE }), 'FailedOperation.ImageDecodeFailed');
  await rejectsWith(client.GeneralBasicOCR({ ImageBase64: NOT_AN_IMAGE }), 'FailedOperation.ImageDecodeFailed');
});

test('a wrong SecretKey: AuthFailure.SignatureFailure', async () => {
  const wrong = tencentClient(server.hostPort, { secretId: TENCENT.secretId, secretKey: 'NOT-THE-SECRET' });
  await rejectsWith(wrong.PermitOCR({ ImageBase64: NOT_AN_IMAGE }), 'AuthFailure.SignatureFailure');
});

test('an unknown SecretId: AuthFailure.SecretIdNotFound', async () => {
  const stranger = tencentClient(server.hostPort, { secretId: 'AKIDNOBODY', secretKey: TENCENT.secretKey });
  await rejectsWith(stranger.PermitOCR({ ImageBase64: NOT_AN_IMAGE }), 'AuthFailure.SecretIdNotFound');
});

test('a receipt sent to PermitOCR: FailedOperation.OcrFailed', async () => {
  const doc = synth('kind', 'receipt', null, 7);
  await rejectsWith(client.PermitOCR({ ImageBase64: doc.base64 }), 'FailedOperation.OcrFailed');
});

test('the back of an exit-entry permit sent to PermitOCR: FailedOperation.OcrFailed', async () => {
  const doc = synth('permit', 'exit-entry-hkmo', 'back', 7);
  await rejectsWith(client.PermitOCR({ ImageBase64: doc.base64 }), 'FailedOperation.OcrFailed');
});

test('a mainland permit front with CardSide BACK: FailedOperation.OcrFailed', async () => {
  const doc = synth('permit', 'mainland-tw', 'front', 7);
  await rejectsWith(client.MainlandPermitOCR({ ImageBase64: doc.base64, CardSide: 'BACK' }), 'FailedOperation.OcrFailed');
});

test('a request field the action does not document: UnknownParameter', async () => {
  await rejectsWith(client.request('PermitOCR', { ImageBase64: NOT_AN_IMAGE, Foo: 1 }), 'UnknownParameter');
  // RetProfile belongs to MainlandPermitOCR, not to PermitOCR.
  await rejectsWith(client.PermitOCR({ ImageBase64: NOT_AN_IMAGE, RetProfile: true }), 'UnknownParameter');
});

test('field values of the wrong type or out of range: InvalidParameter / InvalidParameterValue', async () => {
  await rejectsWith(client.PermitOCR({ ImageBase64: NOT_AN_IMAGE, CropPortrait: 'yes' }), 'InvalidParameter');
  await rejectsWith(client.MainlandPermitOCR({ ImageBase64: NOT_AN_IMAGE, CardSide: 'SIDE' }),
    'InvalidParameterValue.InvalidParameterValueLimit');
  await rejectsWith(client.PermitOCR({}), 'InvalidParameter');
});

test('an action this server does not serve: InvalidAction', async () => {
  await rejectsWith(client.IDCardOCR({ ImageBase64: NOT_AN_IMAGE }), 'InvalidAction');
});

test('an ImageUrl on loopback that is not allow-listed: FailedOperation.DownLoadError', async () => {
  await rejectsWith(client.PermitOCR({ ImageUrl: 'http://127.0.0.1:1/x.png' }), 'FailedOperation.DownLoadError');
});

test('a key limited to GeneralBasicOCR calling PermitOCR: AuthFailure.UnauthorizedOperation', async () => {
  const restricted = tencentClient(server.hostPort, RESTRICTED);
  await rejectsWith(restricted.PermitOCR({ ImageBase64: NOT_AN_IMAGE }), 'AuthFailure.UnauthorizedOperation');
  // Its own action passes admission and fails only on the image.
  await rejectsWith(restricted.GeneralBasicOCR({ ImageBase64: NOT_AN_IMAGE }), 'FailedOperation.ImageDecodeFailed');
});

test('a key over its rate limit: RequestLimitExceeded', async () => {
  const throttled = tencentClient(server.hostPort, THROTTLED);
  await rejectsWith(throttled.PermitOCR({ ImageBase64: NOT_AN_IMAGE }), 'FailedOperation.ImageDecodeFailed');
  await rejectsWith(throttled.PermitOCR({ ImageBase64: NOT_AN_IMAGE }), 'RequestLimitExceeded');
});
