// The web console in Debian's headless chromium (driven by playwright-core, pinned in
// package.json) against the real ocrserve with a token credential: a synthetic permit and the
// sample receipt go through the page as a person would send them; the fields table must show the
// generator's truth, and the overlay canvas must really have drawn the returned quads.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { startServer, synthPermit, fixtures, artifacts } from './server.mjs';

const TOKEN = 'console-browser-token';
const CHROMIUM = process.env.OCRSERVE_CHROMIUM ?? '/usr/bin/chromium';
const COLOURS = { words: [0xe6, 0x00, 0x7e], chars: [0x00, 0x91, 0xd5], portrait: [0x00, 0xa6, 0x51] };
const receipt = join(fixtures, 'sample_receipt.png');

let server;
let images;  // a loopback server the console's URL input points at
let browser;
let permit;
let permitBack;
const pageErrors = [];

before(async () => {
  images = createServer((req, res) => {
    if (req.url !== '/receipt.png') return res.writeHead(404).end();
    res.writeHead(200, { 'Content-Type': 'image/png' }).end(readFileSync(receipt));
  });
  await new Promise((resolve) => images.listen(0, '127.0.0.1', resolve));
  server = await startServer({
    credentials: [{ type: 'token', token: TOKEN }],
    url_allow: [`127.0.0.1/32:${images.address().port}`],
  });
  permit = synthPermit('exit-entry-hkmo', 'front', 7);
  permitBack = synthPermit('exit-entry-hkmo', 'back', 7);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  mkdirSync(artifacts, { recursive: true });
});

after(async () => {
  await browser?.close();
  server?.stop();
  images?.close();
  for (const p of [permit, permitBack]) if (p) rmSync(p.dir, { recursive: true, force: true });
});

// A fresh page on /console with every console error and CSP violation collected.
async function openConsole() {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') pageErrors.push(`console: ${m.text()}`); });
  const response = await page.goto(`${server.endpoint}/console`);
  assert.equal(response.status(), 200);
  assert.equal(new URL(page.url()).pathname, '/console/');
  return { context, page };
}

// Fills the form, sends, and waits for the answer; returns the result's state ("done"/"error").
async function send(page, { api, token = TOKEN, file, url, options = {} }) {
  await page.fill('#token', token);
  await page.selectOption('#api', api);
  for (const [name, value] of Object.entries(options)) {
    const input = page.locator(`#options [data-option="${name}"]`);
    if (value === true) await input.check();
    else if ((await input.evaluate((e) => e.tagName)) === 'SELECT') await input.selectOption(String(value));
    else await input.fill(String(value));
  }
  if (file) await page.setInputFiles('#file', file);
  if (url) await page.fill('#url', url);
  await page.click('#send');
  await page.waitForFunction(() => ['done', 'error'].includes(document.getElementById('result').dataset.state),
    null, { timeout: 120000 });
  return page.locator('#result').getAttribute('data-state');
}

const cell = (page, field) => page.locator(`#fields tr[data-field="${field}"] td.value`).textContent();

// Pixels of the overlay canvas (which holds only the drawn shapes) close to a colour, and whether
// the given points are painted in it (each within a few pixels).
function overlayPixels(page, rgb, points = []) {
  return page.evaluate(({ rgb, points }) => {
    const canvas = document.getElementById('overlay');
    const { data, width, height } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    const near = (i) => data[i + 3] > 60 && Math.abs(data[i] - rgb[0]) + Math.abs(data[i + 1] - rgb[1]) +
      Math.abs(data[i + 2] - rgb[2]) < 60;
    let count = 0;
    for (let i = 0; i < data.length; i += 4) if (near(i)) count++;
    const hits = points.map(([x, y]) => {
      for (let dy = -3; dy <= 3; dy++) {
        for (let dx = -3; dx <= 3; dx++) {
          const px = Math.round(x) + dx, py = Math.round(y) + dy;
          if (px >= 0 && py >= 0 && px < width && py < height && near((py * width + px) * 4)) return true;
        }
      }
      return false;
    });
    return { count, hits, width, height, shapes: Number(canvas.dataset.shapes) };
  }, { rgb, points });
}

const midpoints = (q) => q.map((p, i) => [(p[0] + q[(i + 1) % 4][0]) / 2, (p[1] + q[(i + 1) % 4][1]) / 2]);

test('exit-entry-permit: the fields table shows the truth, low confidences marked, the portrait quad drawn', async () => {
  const { context, page } = await openConsole();
  try {
    const state = await send(page, {
      api: 'exit-entry-permit', file: permit.png, options: { return_portrait_location: true, return_portrait_image: true },
    });
    assert.equal(state, 'done', await page.locator('#error').textContent());
    assert.match(await page.locator('#status').textContent(), /^HTTP 200 · \d+ ms · POST \/v2\/console\/ocr\/exit-entry-permit/);
    const truth = permit.truth.truth.fields;
    for (const field of ['name', 'number', 'birth_date']) {
      assert.equal(await cell(page, field), truth[field], field);
    }
    for (const field of Object.keys(truth)) {
      assert.equal(await page.locator(`#fields tr[data-field="${field}"]`).count(), 1, `a row for ${field}`);
    }
    const raw = JSON.parse(await page.locator('#raw').textContent());
    // Confidences come from the result's confidence object; those below 0.8 are marked.
    for (const [field, conf] of Object.entries(raw.result.confidence)) {
      const row = page.locator(`#fields tr[data-field="${field}"]`);
      assert.equal(await row.locator('td.confidence').textContent(), conf.toFixed(4), field);
      assert.equal(await row.evaluate((tr) => tr.classList.contains('low')), conf < 0.8, field);
    }
    // The portrait JPEG is shown as an image (a data: URL, which the CSP allows).
    const portrait = page.locator('#fields tr[data-field="portrait_image"] td.value img');
    assert.ok(await portrait.evaluate((img) => img.complete && img.naturalWidth > 50), 'portrait image decoded');
    const quad = raw.result.portrait_location;
    assert.ok(Array.isArray(quad) && quad.length === 4, 'portrait_location returned');
    const drawn = await overlayPixels(page, COLOURS.portrait, midpoints(quad));
    assert.equal(drawn.width, permit.truth.width, 'the overlay is in image pixels');
    assert.equal(drawn.shapes, 1);
    assert.ok(drawn.count > 500, `portrait outline painted (${drawn.count} px)`);
    assert.deepEqual(drawn.hits, [true, true, true, true], 'each side of the returned quad is painted');
    await page.screenshot({ path: join(artifacts, 'console-exit-entry-permit.png'), fullPage: true });
    // The token lives in this tab's sessionStorage only.
    assert.equal(await page.evaluate(() => sessionStorage.getItem('ocrserve.console.token')), TOKEN);
    assert.equal(await page.evaluate(() => localStorage.length + document.cookie.length), 0);
    await page.reload();
    assert.equal(await page.inputValue('#token'), TOKEN, 'kept across a reload of the tab');
  } finally {
    await context.close();
  }
});

test('exit-entry-permit back: endorsement blocks as nested fields with their nested confidences', async () => {
  const { context, page } = await openConsole();
  try {
    const state = await send(page, { api: 'exit-entry-permit', file: permitBack.png, options: { type_language: 'zh' } });
    assert.equal(state, 'done', await page.locator('#error').textContent());
    const { result } = JSON.parse(await page.locator('#raw').textContent());
    assert.equal(await cell(page, 'type'), result.type);
    assert.match(result.type, /往来港澳通行证/, 'type_language zh was sent');
    let nested = 0;
    for (const [block, fields] of Object.entries(result).filter(([k]) => k.startsWith('endorsement_info_'))) {
      for (const [field, value] of Object.entries(fields)) {
        const row = page.locator(`#fields tr[data-field="${block}.${field}"]`);
        assert.equal(await row.locator('td.value').textContent(), value, `${block}.${field}`);
        assert.equal(await row.locator('td.confidence').textContent(), result.confidence[block][field].toFixed(4));
        nested++;
      }
    }
    assert.ok(nested >= 5, `${nested} endorsement fields`);
    // The generator names them "endorsement_info_hk.endorsement_type", as the table does.
    const truth = Object.keys(permitBack.truth.truth.fields);
    assert.ok(truth.length >= 5);
    for (const field of truth) {
      assert.equal(await page.locator(`#fields tr[data-field="${field}"]`).count(), 1, `${field} shown`);
    }
    assert.equal(await page.locator('#overlay').getAttribute('data-shapes'), '0', 'a back has no quads');
  } finally {
    await context.close();
  }
});

test('general-text with character_mode: every word and character box drawn over the receipt', async () => {
  const { context, page } = await openConsole();
  try {
    const state = await send(page, { api: 'general-text', file: receipt, options: { character_mode: true } });
    assert.equal(state, 'done', await page.locator('#error').textContent());
    const { result } = JSON.parse(await page.locator('#raw').textContent());
    const blocks = result.words_block_list;
    assert.ok(blocks.length > 20);
    const chars = blocks.flatMap((b) => b.char_list ?? []);
    assert.ok(chars.length > blocks.length, 'character boxes returned');
    assert.equal(await page.locator('#fields tr[data-field^="words_block_list["]').count(), blocks.length);
    assert.equal(await cell(page, 'words_block_list[0]'), blocks[0].words);
    const words = await overlayPixels(page, COLOURS.words, blocks.flatMap((b) => midpoints(b.location).slice(0, 1)));
    assert.equal(words.shapes, blocks.length + chars.length);
    assert.ok(words.count > 1000, `word boxes painted (${words.count} px)`);
    // Top edges of word boxes (drawn over the character boxes, which share them).
    assert.ok(words.hits.filter(Boolean).length >= blocks.length * 0.9, `${words.hits.filter(Boolean).length}/${blocks.length} word boxes found`);
    const charPixels = await overlayPixels(page, COLOURS.chars);
    assert.ok(charPixels.count > 1000, `character boxes painted (${charPixels.count} px)`);
    await page.screenshot({ path: join(artifacts, 'console-general-text.png'), fullPage: true });
  } finally {
    await context.close();
  }
});

test('an image URL is sent as {"url"}: the server fetches it and the boxes are drawn on a blank page', async () => {
  const { context, page } = await openConsole();
  try {
    const url = `http://127.0.0.1:${images.address().port}/receipt.png`;
    const state = await send(page, { api: 'general-text', url });
    assert.equal(state, 'done', await page.locator('#error').textContent());
    const { result } = JSON.parse(await page.locator('#raw').textContent());
    const drawn = await overlayPixels(page, COLOURS.words);
    assert.equal(drawn.shapes, result.words_block_count);
    assert.ok(drawn.count > 1000, `word boxes painted (${drawn.count} px)`);
    assert.match(await page.locator('#preview-note').textContent(), /fetched/);
  } finally {
    await context.close();
  }
});

test('errors show error_code and error_msg: a wrong token, then a permit sent to the passport API', async () => {
  const { context, page } = await openConsole();
  try {
    let state = await send(page, { api: 'exit-entry-permit', token: 'not-the-token', file: permit.png });
    assert.equal(state, 'error');
    assert.match(await page.locator('#status').textContent(), /^HTTP 401 /);
    assert.match(await page.locator('#error').textContent(), /^ModelArts\.4103: \S/);
    assert.ok(await page.locator('#fields').isHidden());
    state = await send(page, { api: 'passport', file: permit.png });
    assert.equal(state, 'error');
    assert.match(await page.locator('#status').textContent(), /^HTTP 400 /);
    assert.match(await page.locator('#error').textContent(), /^AIS\.0104: \S/);
    assert.equal(JSON.parse(await page.locator('#raw').textContent()).error_code, 'AIS.0104');
    await page.screenshot({ path: join(artifacts, 'console-error.png'), fullPage: true });
  } finally {
    await context.close();
  }
});

test('confidences below 0.8 are highlighted, nested ones too (an answer stubbed in the page)', async () => {
  const { context, page } = await openConsole();
  try {
    const answer = { result: {
      passport_number: 'E12345678', surname: 'ZHANG', extra_info: { local_language: { name: '张三' } },
      confidence: { passport_number: 0.95, surname: 0.42, extra_info: { local_language: { name: 0.61 } } },
    } };
    let sent;
    await page.route('**/v2/console/ocr/passport', (route) => {
      sent = { body: route.request().postDataJSON(), token: route.request().headers()['x-auth-token'] };
      return route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(answer) });
    });
    assert.equal(await send(page, { api: 'passport', file: receipt, options: { country_code: 'CHN' } }), 'done');
    // What the console sends: the API's options, the image as plain base64, the token as X-Auth-Token.
    assert.deepEqual(Object.keys(sent.body).sort(), ['country_code', 'image']);
    assert.equal(sent.body.country_code, 'CHN');
    assert.equal(sent.body.image, readFileSync(receipt).toString('base64'));
    assert.equal(sent.token, TOKEN);
    const low = await page.locator('#fields tr.low').evaluateAll((rows) => rows.map((r) => r.dataset.field));
    assert.deepEqual(low.sort(), ['extra_info.local_language.name', 'surname']);
    assert.equal(await cell(page, 'extra_info.local_language.name'), '张三');
    assert.equal(await page.locator('#overlay').getAttribute('data-shapes'), '0');
  } finally {
    await context.close();
  }
});

test('no script error and no CSP violation on any page', () => {
  assert.deepEqual(pageErrors.filter((e) => !/the server responded with a status of 40[01]/.test(e)), []);
});
