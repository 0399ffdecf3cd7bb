// One image, three front doors: the same document sent through the official Huawei, Tencent and
// Aliyun SDKs to one ocrserve must give the same readings, only written each vendor's way (Huawei
// sex M/F <-> 男/女, name_en "A, B" <-> "A,B", dates YYYY-MM-DD <-> YYMMDD / YYYYMMDD). Every
// Huawei value is also checked against the generator's ground truth, so the three agree on the truth.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createReadStream } from 'node:fs';
import {
  startServer, synth, cleanupSynth, huaweiClient, tencentClient, aliyunClient, AliyunOcr,
  sexChinese, compactLatinName, chinesePermitType,
} from './server.mjs';

let server, huawei, tencent, aliyun;

before(async () => {
  server = await startServer();
  huawei = huaweiClient(server.endpoint);
  tencent = tencentClient(server.hostPort);
  aliyun = aliyunClient(server.hostPort);
});

after(() => {
  server?.stop();
  cleanupSynth();
});

const aliyunData = (response) => JSON.parse(response.body.data).data;

// [Huawei field, Tencent key, Aliyun key, Huawei value -> the value Tencent/Aliyun print].
const same = (v) => v;
const PERMIT_FIELDS = [
  ['name', 'Name', 'nameCn', same],
  ['name_en', 'EnglishName', 'nameEn', compactLatinName],
  ['sex', 'Sex', 'sex', sexChinese],
  ['birth_date', 'Birthday', 'birthDate', same],
  ['number', 'Number', 'permitNumber', same],
  ['issuing_authority', 'IssueAuthority', 'issueAuthority', same],
  ['issue_place', 'IssueAddress', 'issuePlace', same],
  ['valid_period', 'ValidDate', 'validPeriod', same],
  ['type', 'Type', 'permitType', same],  // Huawei asked with type_language "zh"
];

// Huawei's result against the truth, then Tencent's and Aliyun's against Huawei's.
function assertThreeAgree(doc, fields, hw, tc, al) {
  const truth = { ...doc.truth.truth.fields, type: chinesePermitType(doc.truth.permit) };
  const huaweiValues = {}, truthValues = {}, tencentValues = {}, aliyunValues = {}, fromHuawei = {}, fromHuaweiAliyun = {};
  for (const [field, tcKey, alKey, map] of fields) {
    truthValues[field] = truth[field] ?? '';  // a field the permit does not print reads as ""
    huaweiValues[field] = hw[field];
    if (tcKey) {
      tencentValues[field] = tc[tcKey];
      fromHuawei[field] = map(hw[field]);
    }
    if (alKey) {
      aliyunValues[field] = al[alKey];
      fromHuaweiAliyun[field] = map(hw[field]);
    }
  }
  assert.deepEqual(huaweiValues, truthValues, 'Huawei reads the truth');
  assert.deepEqual(tencentValues, fromHuawei, 'Tencent agrees with Huawei');
  assert.deepEqual(aliyunValues, fromHuaweiAliyun, 'Aliyun agrees with Huawei');
}

test('an exit-entry permit front reads the same through Huawei, Tencent PermitOCR and Aliyun ToHK', async () => {
  const doc = synth('permit', 'exit-entry-hkmo', 'front', 7);
  const hw = (await huawei.recognizeExitEntryPermit({ image: doc.base64, type_language: 'zh' })).result;
  const tc = await tencent.PermitOCR({ ImageBase64: doc.base64 });
  const al = aliyunData(await aliyun.recognizeExitEntryPermitToHK(
    new AliyunOcr.RecognizeExitEntryPermitToHKRequest({ body: createReadStream(doc.png) })));
  assert.equal(hw.side, 'front');
  assertThreeAgree(doc, [...PERMIT_FIELDS, ['machine_code', null, 'mrzCode', same]], hw, tc, al);
});

test('a mainland travel permit front reads the same through Huawei, Tencent MainlandPermitOCR and Aliyun ToMainland', async () => {
  // Hong Kong/Macao residents' permit: no place of issue, so issue_place is "" at every door.
  const doc = synth('permit', 'mainland-hkmo', 'front', 11);
  const hw = (await huawei.recognizeMainlandTravelPermit({ image: doc.base64, type_language: 'zh' })).result;
  const tc = await tencent.MainlandPermitOCR({ ImageBase64: doc.base64 });
  const al = aliyunData(await aliyun.recognizeExitEntryPermitToMainland(
    new AliyunOcr.RecognizeExitEntryPermitToMainlandRequest({ body: createReadStream(doc.png) })));
  assert.equal(hw.side, 'front');
  assert.equal(tc.Profile, '', 'no photo without RetProfile');
  assertThreeAgree(doc, [...PERMIT_FIELDS, ['issue_times', 'IssueNumber', 'issueCount', same]], hw, tc, al);
});

test('a passport reads the same through Huawei, Tencent MLIDPassportOCR and Aliyun RecognizePassport', async () => {
  const doc = synth('passport', 'chn', null, 7);
  const f = doc.truth.truth.fields;
  const hwResponse = await huawei.recognizePassport({ image: doc.base64 });
  assert.match(hwResponse['X-Request-Id'], /^[0-9a-f]{32}$/);
  const hw = hwResponse.result;
  const tc = await tencent.MLIDPassportOCR({ ImageBase64: doc.base64 });
  const al = aliyunData(await aliyun.recognizePassport(
    new AliyunOcr.RecognizePassportRequest({ body: createReadStream(doc.png) })));

  const fields = ['passport_type', 'country_code', 'passport_number', 'surname', 'given_name', 'sex',
    'date_of_birth', 'date_of_expiry', 'date_of_issue', 'machine_code', 'machine_code2', 'nationality',
    'issuing_authority', 'place_of_birth', 'place_of_issue'];
  assert.deepEqual(Object.fromEntries(fields.map((k) => [k, hw[k]])), Object.fromEntries(fields.map((k) => [k, f[k]])),
    'Huawei reads the truth');
  assert.equal(hw.extra_info.local_language.name, f['extra_info.local_language.name']);

  const yymmdd = (date) => date.slice(2).replaceAll('-', '');
  const yyyymmdd = (date) => date.replaceAll('-', '');
  assert.deepEqual({
    ID: tc.ID, Surname: tc.Surname, GivenName: tc.GivenName, Name: tc.Name, Sex: tc.Sex, CodeSet: tc.CodeSet,
    CodeCrc: tc.CodeCrc, IssuingCountry: tc.IssuingCountry, Type: tc.Type, DateOfBirth: tc.DateOfBirth,
    DateOfExpiration: tc.DateOfExpiration, LocalName: tc.PassportRecognizeInfos.Name,
  }, {
    ID: hw.passport_number, Surname: hw.surname, GivenName: hw.given_name, Name: `${hw.surname} ${hw.given_name}`,
    Sex: hw.sex, CodeSet: hw.machine_code, CodeCrc: hw.machine_code2, IssuingCountry: hw.country_code,
    Type: hw.passport_type, DateOfBirth: yymmdd(hw.date_of_birth), DateOfExpiration: yymmdd(hw.date_of_expiry),
    LocalName: hw.extra_info.local_language.name,
  }, 'Tencent agrees with Huawei');
  assert.deepEqual({
    passportNumber: al.passportNumber, nameEn: al.nameEn, sex: al.sex, mrzLine1: al.mrzLine1, mrzLine2: al.mrzLine2,
    countryCode: al.countryCode, passportType: al.passportType, birthDate: al.birthDate, validToDate: al.validToDate,
    issueDate: al.issueDate, name: al.name, issueAuthority: al.issueAuthority,
  }, {
    passportNumber: hw.passport_number, nameEn: `${hw.surname} ${hw.given_name}`, sex: hw.sex, mrzLine1: hw.machine_code,
    mrzLine2: hw.machine_code2, countryCode: hw.country_code, passportType: hw.passport_type,
    birthDate: yyyymmdd(hw.date_of_birth), validToDate: yyyymmdd(hw.date_of_expiry), issueDate: yyyymmdd(hw.date_of_issue),
    name: hw.extra_info.local_language.name, issueAuthority: hw.issuing_authority,
  }, 'Aliyun agrees with Huawei');
  // Tencent and Aliyun both give the nationality as the machine zone's alpha-3 code.
  assert.equal(tc.Nationality, al.nationality);
  assert.equal(tc.Nationality, f.machine_code2.slice(10, 13));
});
