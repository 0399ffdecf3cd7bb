// ocrserve console: one image through POST /v2/{project_id}/ocr/<api>, the answer drawn over the
// image, listed as fields with their confidences, and shown raw. Plain script, no dependencies; the
// page's Content-Security-Policy allows no inline script, so everything is wired here.
'use strict';

(() => {
  const TOKEN_KEY = 'ocrserve.console.token';
  const LOW_CONFIDENCE = 0.8;
  // Overlay colours by the kind of quad (kept in step with the legend in console.css).
  const COLOURS = {
    words: '#e6007e',     // words_block_list[].location
    chars: '#0091d5',     // char_list[].char_location
    portrait: '#00a651',  // portrait_location
    other: '#ff8c00',     // any other *location a future API returns
  };

  const $ = (id) => document.getElementById(id);
  const form = $('request');
  const apiSelect = $('api');
  const projectInput = $('project');
  const tokenInput = $('token');
  const urlInput = $('url');
  const fileInput = $('file');
  const drop = $('drop');
  const result = $('result');
  const imageCanvas = $('image');
  const overlay = $('overlay');

  let chosenFile = null;  // the File to send, or null when the URL (or nothing) is
  let shapes = [];        // [{quad, kind, row}] of the last answer
  let picture = null;     // {width, height} the quads are drawn in

  // ---- inputs -------------------------------------------------------------------------------
  tokenInput.value = sessionStorage.getItem(TOKEN_KEY) ?? '';
  tokenInput.addEventListener('input', () => {
    if (tokenInput.value) sessionStorage.setItem(TOKEN_KEY, tokenInput.value);
    else sessionStorage.removeItem(TOKEN_KEY);
  });

  function endpointPath() {
    const project = projectInput.value.trim() || 'console';
    return `/v2/${encodeURIComponent(project)}/ocr/${apiSelect.value}`;
  }

  function showApiOptions() {
    for (const group of document.querySelectorAll('#options .group')) {
      group.hidden = !group.dataset.for.split(' ').includes(apiSelect.value);
    }
    $('endpoint').textContent = endpointPath();
  }
  apiSelect.addEventListener('change', showApiOptions);
  projectInput.addEventListener('input', showApiOptions);
  showApiOptions();

  function choose(file) {
    chosenFile = file ?? null;
    if (chosenFile) urlInput.value = '';
    $('chosen').textContent = chosenFile ? `${chosenFile.name || 'pasted image'} (${formatBytes(chosenFile.size)})` : '';
    drop.classList.toggle('has-file', Boolean(chosenFile));
  }
  fileInput.addEventListener('change', () => choose(fileInput.files[0]));
  urlInput.addEventListener('input', () => {
    if (urlInput.value) {
      chosenFile = null;
      fileInput.value = '';
      $('chosen').textContent = '';
      drop.classList.remove('has-file');
    }
  });
  drop.addEventListener('click', () => fileInput.click());
  drop.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      fileInput.click();
    }
  });
  for (const type of ['dragenter', 'dragover']) {
    drop.addEventListener(type, (e) => {
      e.preventDefault();
      drop.classList.add('over');
    });
  }
  for (const type of ['dragleave', 'drop']) drop.addEventListener(type, () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    if (e.dataTransfer.files.length) choose(e.dataTransfer.files[0]);
  });
  document.addEventListener('paste', (e) => {
    const file = [...(e.clipboardData?.files ?? [])][0];
    if (file) choose(file);
  });

  // The API's options as the request body carries them: checked boxes as true, filled fields as
  // their value; anything left empty is not sent (the server's default applies).
  function apiOptions() {
    const body = {};
    const group = [...document.querySelectorAll('#options .group')].find((g) => !g.hidden);
    for (const input of group ? group.querySelectorAll('[data-option]') : []) {
      const name = input.dataset.option;
      if (input.type === 'checkbox') {
        if (input.checked) body[name] = true;
      } else if (input.value.trim() !== '') {
        body[name] = input.dataset.type === 'integer' ? Number(input.value) : input.value.trim();
      }
    }
    return body;
  }

  // ---- sending --------------------------------------------------------------------------------
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const url = urlInput.value.trim();
    if (!chosenFile && !url) {
      showError('Choose an image or enter its URL first.');
      return;
    }
    const body = apiOptions();
    const file = chosenFile;  // what this answer will be drawn over, whatever is chosen meanwhile
    const send = $('send');
    send.disabled = true;
    result.dataset.state = 'busy';
    $('status').textContent = 'Sending…';
    $('error').hidden = true;
    try {
      if (file) body.image = await base64Of(file);
      else body.url = url;
      const headers = { 'Content-Type': 'application/json' };
      if (tokenInput.value) headers['X-Auth-Token'] = tokenInput.value;
      const path = endpointPath();
      const started = performance.now();
      const response = await fetch(path, { method: 'POST', headers, body: JSON.stringify(body) });
      const text = await response.text();
      const ms = performance.now() - started;
      let json = null;
      try {
        json = JSON.parse(text);
      } catch {
        /* not JSON: shown as text */
      }
      await show(response, json, text, ms, path, file);
    } catch (err) {
      result.dataset.state = 'error';
      showError(`The request failed: ${err.message}`);
      $('status').textContent = 'No answer.';
    } finally {
      send.disabled = false;
    }
  });

  function base64Of(file) {
    return new Promise((resolve, reject) => {
      const reader = new FileReader();
      reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ''));  // the API refuses a data: prefix
      reader.onerror = () => reject(reader.error);
      reader.readAsDataURL(file);
    });
  }

  // ---- the answer -----------------------------------------------------------------------------
  async function show(response, json, text, ms, path, file) {
    const requestId = response.headers.get('X-Request-Id');
    $('status').textContent = `HTTP ${response.status} · ${Math.round(ms)} ms · POST ${path}` +
      (requestId ? ` · X-Request-Id ${requestId}` : '');
    $('raw').textContent = json ? pretty(json) : text;
    $('raw-box').hidden = false;
    const ok = response.ok && json && json.result && !json.error_code;
    if (!ok) {
      showError(json && json.error_code ? `${json.error_code}: ${json.error_msg ?? ''}`
                                        : `HTTP ${response.status}: ${text.slice(0, 300)}`);
      $('fields').hidden = true;
      $('fields-title').hidden = true;
      $('picture').hidden = true;
      clearOverlay();
      result.dataset.state = 'error';
      return;
    }
    shapes = [];
    fillTable(json.result);
    await drawPicture(file);
    result.dataset.state = 'done';
  }

  function showError(message) {
    $('error').textContent = message;
    $('error').hidden = false;
  }

  // Fields as rows: field | value | confidence. The confidence object mirrors the result (nested
  // for endorsement blocks and extra_info); rows below LOW_CONFIDENCE are marked. Quads anywhere
  // in the result become shapes tied to the row that holds them.
  function fillTable(res) {
    const tbody = $('fields').querySelector('tbody');
    tbody.replaceChildren();
    const confidence = res.confidence && typeof res.confidence === 'object' ? res.confidence : {};
    if (Array.isArray(res.words_block_list)) {
      for (const [key, value] of Object.entries(res)) {
        if (key !== 'words_block_list') addRow(tbody, key, value, undefined);
      }
      res.words_block_list.forEach((block, i) => {
        const row = addRow(tbody, `words_block_list[${i}]`, block.words, block.confidence);
        if (isQuad(block.location)) shapes.push({ quad: block.location, kind: 'words', row });
        for (const ch of Array.isArray(block.char_list) ? block.char_list : []) {
          if (isQuad(ch.char_location)) shapes.push({ quad: ch.char_location, kind: 'chars', row });
        }
      });
    } else {
      addFields(tbody, res, confidence, '');
    }
    $('fields').hidden = false;
    $('fields-title').hidden = false;
  }

  function addFields(tbody, object, confidence, prefix) {
    for (const [key, value] of Object.entries(object)) {
      if (prefix === '' && key === 'confidence') continue;
      const field = prefix + key;
      const conf = confidence && typeof confidence === 'object' ? confidence[key] : undefined;
      if (value && typeof value === 'object' && !Array.isArray(value)) {
        addFields(tbody, value, conf, `${field}.`);
      } else {
        const row = addRow(tbody, field, value, typeof conf === 'number' ? conf : undefined);
        if (isQuad(value)) shapes.push({ quad: value, kind: key === 'portrait_location' ? 'portrait' : 'other', row });
      }
    }
  }

  function addRow(tbody, field, value, confidence) {
    const tr = document.createElement('tr');
    tr.dataset.field = field;
    const name = document.createElement('th');
    name.scope = 'row';
    name.textContent = field;
    const cell = document.createElement('td');
    cell.className = 'value';
    if (field.endsWith('portrait_image') && typeof value === 'string' && value) {
      const img = document.createElement('img');
      img.alt = 'portrait';
      img.src = `data:image/jpeg;base64,${value}`;
      cell.append(img);
    } else if (field === 'markdown_result' && typeof value === 'string') {
      const pre = document.createElement('pre');
      pre.textContent = value;
      cell.append(pre);
    } else {
      cell.textContent = typeof value === 'string' ? value : JSON.stringify(value);
    }
    const conf = document.createElement('td');
    conf.className = 'confidence';
    if (typeof confidence === 'number') {
      conf.textContent = confidence.toFixed(4);
      if (confidence < LOW_CONFIDENCE) tr.classList.add('low');
    }
    tr.append(name, cell, conf);
    tbody.append(tr);
    tr.addEventListener('mouseenter', () => drawShapes(tr));
    tr.addEventListener('mouseleave', () => drawShapes(null));
    return tr;
  }

  const isPoint = (p) => Array.isArray(p) && p.length === 2 && p.every(Number.isFinite);
  const isQuad = (q) => Array.isArray(q) && q.length === 4 && q.every(isPoint);

  // ---- drawing --------------------------------------------------------------------------------
  // The picture goes on one canvas, the quads on a transparent one above it, both at the image's
  // own pixel size (quads are in original-image pixels) and scaled together by CSS.
  async function drawPicture(file) {
    const image = file ? await loadImage(file) : null;
    let note = '';
    if (image) {
      picture = { width: image.naturalWidth, height: image.naturalHeight };
    } else {
      // A URL (fetched by the server), a PDF or a format this browser does not draw: the quads on a
      // blank page as large as they reach.
      const xs = shapes.flatMap((s) => s.quad.map((p) => p[0]));
      const ys = shapes.flatMap((s) => s.quad.map((p) => p[1]));
      picture = { width: Math.max(200, ...xs) + 20, height: Math.max(120, ...ys) + 20 };
      note = file ? 'This browser cannot preview the file: boxes on a blank page.'
                        : 'The server fetched the image: boxes on a blank page.';
    }
    for (const canvas of [imageCanvas, overlay]) {
      canvas.width = picture.width;
      canvas.height = picture.height;
    }
    const ctx = imageCanvas.getContext('2d');
    if (image) {
      ctx.drawImage(image, 0, 0);
      URL.revokeObjectURL(image.src);
    } else {
      ctx.fillStyle = '#f4f4f4';
      ctx.fillRect(0, 0, picture.width, picture.height);
    }
    $('preview-note').textContent = note;
    $('picture').hidden = false;
    drawShapes(null);
  }

  function loadImage(file) {
    return new Promise((resolve) => {
      const img = new Image();
      img.onload = () => resolve(img);
      img.onerror = () => {
        URL.revokeObjectURL(img.src);
        resolve(null);
      };
      img.src = URL.createObjectURL(file);
    });
  }

  function clearOverlay() {
    shapes = [];
    overlay.getContext('2d').clearRect(0, 0, overlay.width, overlay.height);
    overlay.dataset.shapes = '0';
  }

  // Every shape outlined (characters first: a word's box shares their top and bottom edges and is
  // drawn over them); the ones of the row under the pointer filled as well.
  function drawShapes(highlightRow) {
    const ctx = overlay.getContext('2d');
    ctx.clearRect(0, 0, overlay.width, overlay.height);
    const line = Math.max(2, Math.round(Math.max(picture?.width ?? 0, picture?.height ?? 0) / 350));
    const order = (s) => (s.kind === 'chars' ? 0 : 1);
    for (const shape of [...shapes].sort((a, b) => order(a) - order(b))) {
      const [first, ...rest] = shape.quad;
      ctx.beginPath();
      ctx.moveTo(first[0], first[1]);
      for (const p of rest) ctx.lineTo(p[0], p[1]);
      ctx.closePath();
      ctx.strokeStyle = COLOURS[shape.kind];
      ctx.lineWidth = shape.kind === 'chars' ? Math.max(1, line / 2) : line;
      ctx.stroke();
      if (shape.row === highlightRow) {
        ctx.globalAlpha = 0.25;
        ctx.fillStyle = COLOURS[shape.kind];
        ctx.fill();
        ctx.globalAlpha = 1;
      }
    }
    for (const tr of document.querySelectorAll('#fields tr.hot')) tr.classList.remove('hot');
    highlightRow?.classList.add('hot');
    overlay.dataset.shapes = String(shapes.length);
    const counts = {};
    for (const s of shapes) counts[s.kind] = (counts[s.kind] ?? 0) + 1;
    $('shape-count').textContent = shapes.length
      ? `${shapes.length} ${shapes.length === 1 ? 'box' : 'boxes'} drawn (${Object.entries(counts).map(([k, n]) => `${n} ${k}`).join(', ')})`
      : 'no boxes in this answer';
  }

  // JSON indented by two, with points and quads kept on one line each.
  function pretty(value, indent = '') {
    const flat = (v) => Array.isArray(v) && v.every((x) => typeof x === 'number' || (Array.isArray(x) && x.every((y) => typeof y === 'number')));
    if (value === null || typeof value !== 'object' || flat(value)) return JSON.stringify(value);
    const inner = `${indent}  `;
    const items = Array.isArray(value)
      ? value.map((v) => inner + pretty(v, inner))
      : Object.entries(value).map(([k, v]) => `${inner}${JSON.stringify(k)}: ${pretty(v, inner)}`);
    if (!items.length) return Array.isArray(value) ? '[]' : '{}';
    const [open, close] = Array.isArray(value) ? ['[', ']'] : ['{', '}'];
    return `${open}\n${items.join(',\n')}\n${indent}${close}`;
  }

  function formatBytes(n) {
    return n >= 1048576 ? `${(n / 1048576).toFixed(1)} MB` : `${Math.max(1, Math.round(n / 1024))} KB`;
  }
})();
