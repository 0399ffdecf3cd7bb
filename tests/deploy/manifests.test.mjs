// deploy/ checked without kubectl or systemd: every Kubernetes manifest parses and validates against
// the Kubernetes API schemas (kubernetes-models, pinned), and the pieces agree with each other and
// with the real binary: probe paths are routes it serves, probe ports are the Service's target and
// the port it binds, every option and environment variable is one it declares, the config in the
// Secret is one it accepts. The systemd unit and the nginx config are checked against the same.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '../..');
const deploy = join(root, 'deploy');
const binary = process.env.OCRSERVE_BINARY ?? join(root, 'build/ocrserve');

// What the binary declares: its routes and its options with their environment twins.
const routes = JSON.parse(execFileSync(binary, ['routes'], { encoding: 'utf8' }));
const help = execFileSync(binary, ['serve', '--help'], { encoding: 'utf8' });
const options = new Map([...help.matchAll(/^\s+--(\w+)\s+\(env (\w+), default '([^']*)'\)/gm)].map((m) => [m[1], { env: m[2], def: m[3] }]));
const envTwins = new Set([...options.values()].map((o) => o.env));
const defaultDeadlineMs = Number(options.get('deadline_ms').def);
const defaultMaxBody = Number(options.get('max_body_bytes').def);

// ---- Kubernetes ----------------------------------------------------------------------------
const k8sDir = join(deploy, 'k8s');
const manifests = [];
for (const file of readdirSync(k8sDir).filter((f) => /\.ya?ml$/.test(f)).sort()) {
  for (const doc of parseAllDocuments(readFileSync(join(k8sDir, file), 'utf8'), { prettyErrors: true })) {
    manifests.push({ file, doc });
  }
}
const objects = manifests.map(({ doc }) => doc.toJS());
const find = (kind) => {
  const all = objects.filter((o) => o?.kind === kind);
  assert.equal(all.length, 1, `exactly one ${kind}`);
  return all[0];
};

test('every YAML document in deploy/k8s parses cleanly', () => {
  assert.ok(manifests.length >= 6, `${manifests.length} documents`);
  for (const { file, doc } of manifests) {
    assert.deepEqual(doc.errors.map(String), [], file);
    assert.deepEqual(doc.warnings.map(String), [], file);
    const o = doc.toJS();
    assert.ok(o && typeof o === 'object', `${file}: an object`);
    assert.ok(o.apiVersion && o.kind && o.metadata?.name, `${file}: apiVersion, kind, metadata.name`);
  }
});

test('every manifest validates against the Kubernetes API schema of its kind', async () => {
  for (const [i, o] of objects.entries()) {
    const module = await import(`kubernetes-models/${o.apiVersion}/${o.kind}`);
    const Model = module[o.kind];
    assert.ok(Model, `${manifests[i].file}: no model for ${o.apiVersion} ${o.kind}`);
    assert.doesNotThrow(() => new Model(o).validate(), `${manifests[i].file}: ${o.kind} ${o.metadata.name}`);
  }
});

const deployment = find('Deployment');
const service = find('Service');
const configMap = find('ConfigMap');
const secret = find('Secret');
const hpa = find('HorizontalPodAutoscaler');
const pdb = find('PodDisruptionBudget');
const pod = deployment.spec.template.spec;
const container = pod.containers[0];
const podLabels = deployment.spec.template.metadata.labels;
const containerPort = (port) => {
  if (typeof port === 'number') return port;
  const named = container.ports.find((p) => p.name === port);
  assert.ok(named, `no container port named ${port}`);
  return named.containerPort;
};
const subsetOf = (a, b) => Object.entries(a).every(([k, v]) => b[k] === v);

test('selectors, the HPA target and the config references agree', () => {
  assert.ok(subsetOf(deployment.spec.selector.matchLabels, podLabels), 'Deployment selector');
  assert.ok(subsetOf(service.spec.selector, podLabels), 'Service selector');
  assert.ok(subsetOf(pdb.spec.selector.matchLabels, podLabels), 'PodDisruptionBudget selector');
  assert.deepEqual(hpa.spec.scaleTargetRef, { apiVersion: deployment.apiVersion, kind: 'Deployment', name: deployment.metadata.name });
  assert.ok(hpa.spec.minReplicas >= 2 && pdb.spec.maxUnavailable < hpa.spec.minReplicas, 'a disruption leaves a replica');
  assert.ok(hpa.spec.metrics.some((m) => m.resource?.name === 'cpu'), 'the HPA scales on CPU');
  assert.deepEqual(container.envFrom.map((e) => e.configMapRef.name), [configMap.metadata.name]);
  const configVolume = pod.volumes.find((v) => v.secret);
  assert.equal(configVolume.secret.secretName, secret.metadata.name);
  const mount = container.volumeMounts.find((m) => m.name === configVolume.name);
  const configArg = container.args[container.args.indexOf('--config') + 1];
  const item = configVolume.secret.items.find((it) => join(mount.mountPath, it.path) === configArg);
  assert.ok(item, `--config ${configArg} is a file of the mounted Secret`);
  assert.ok(secret.stringData[item.key], `the Secret has ${item.key}`);
});

test('the probes use routes the server serves, on the port it binds and the Service targets', () => {
  const served = new Set(routes.filter((r) => r.method === 'GET').map((r) => r.path));
  assert.equal(container.readinessProbe.httpGet.path, '/readyz');
  assert.equal(container.livenessProbe.httpGet.path, '/healthz');
  const bound = Number(configMap.data.OCRSERVE_PORT);
  for (const probe of [container.readinessProbe, container.livenessProbe, container.startupProbe].filter(Boolean)) {
    assert.ok(served.has(probe.httpGet.path), `${probe.httpGet.path} is a GET route of \`ocrserve routes\``);
    assert.equal(containerPort(probe.httpGet.port), bound, `${probe.httpGet.path}: probe port`);
  }
  for (const p of service.spec.ports) assert.equal(containerPort(p.targetPort), bound, `Service port ${p.name}: targetPort`);
  assert.equal(containerPort('http'), bound);
});

test('the container runs `ocrserve serve` with options and environment the binary declares', () => {
  assert.equal(container.args[0], 'serve');
  for (const arg of container.args.slice(1).filter((a) => a.startsWith('--'))) {
    assert.ok(options.has(arg.slice(2).replaceAll('-', '_')), `${arg} is an option of ocrserve serve`);
  }
  for (const key of Object.keys(configMap.data).filter((k) => k.startsWith('OCRSERVE_'))) {
    assert.ok(envTwins.has(key), `${key} is an environment twin in \`ocrserve serve --help\``);
  }
  const cpu = Number(container.resources.requests.cpu);
  const threads = Number(configMap.data.OCRSERVE_WORKERS) * Number(configMap.data.OCRSERVE_THREADS_PER_REQUEST ?? 1);
  assert.equal(threads, cpu, 'workers x threads_per_request = the CPUs requested');
  const deadline = Number(configMap.data.OCRSERVE_DEADLINE_MS ?? defaultDeadlineMs) / 1000;
  assert.ok(pod.terminationGracePeriodSeconds > deadline, 'in-flight requests can finish before SIGKILL');
  const mi = (q) => Number(/^(\d+)Mi$/.exec(q)?.[1] ?? NaN) || Number(/^(\d+)Gi$/.exec(q)?.[1]) * 1024;
  assert.ok(mi(container.resources.requests.memory) >= 512, 'requests cover the ~0.5 GiB RSS of the README');
  assert.ok(mi(container.resources.limits.memory) > mi(container.resources.requests.memory));
  assert.equal(container.securityContext.readOnlyRootFilesystem, true);
  assert.equal(container.securityContext.allowPrivilegeEscalation, false);
});

// Runs `ocrserve serve --config FILE` with the ConfigMap's environment (host and port overridden to
// stay on loopback) until it prints its listening line or exits. Returns { listening, code, stderr }.
function tryServe(config, env) {
  const dir = mkdtempSync(join(tmpdir(), 'ocrserve-deploy-'));
  const file = join(dir, 'config.json');
  writeFileSync(file, typeof config === 'string' ? config : JSON.stringify(config));
  return new Promise((resolve) => {
    const child = spawn(binary, ['serve', '--config', file], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => { stderr += d; });
    child.stdout.on('data', (d) => {
      if (/^ocrserve listening on /m.test(String(d))) {
        child.kill('SIGTERM');
        resolve({ listening: true, stderr });
      }
    });
    child.on('exit', (code) => resolve({ listening: false, code, stderr }));
  }).finally(() => rmSync(dir, { recursive: true, force: true }));
}
const podEnv = () => {
  const env = { ...configMap.data };
  delete env.OCRSERVE_MODEL_DIR;  // the image's paths; the test uses the build tree's
  delete env.OCRSERVE_WEB_DIR;
  return env;
};

test('the Secret\'s config is refused as shipped, accepted once filled in, and needed to bind 0.0.0.0', async () => {
  const shipped = secret.stringData['config.json'];
  const config = JSON.parse(shipped);
  assert.ok(Array.isArray(config.credentials) && config.credentials.length > 0);
  assert.equal(configMap.data.OCRSERVE_HOST, '0.0.0.0');
  // As shipped (empty secrets): refused before binding anything.
  const refused = await tryServe(shipped, { ...podEnv(), OCRSERVE_HOST: '127.0.0.1', OCRSERVE_PORT: '0' });
  assert.equal(refused.listening, false);
  assert.equal(refused.code, 2, refused.stderr);
  // Filled in: accepted with the pod's environment (on loopback here).
  const filled = structuredClone(config);
  for (const c of filled.credentials) {
    for (const k of Object.keys(c)) if (c[k] === '') c[k] = `test-${k}`;
  }
  const accepted = await tryServe(filled, { ...podEnv(), OCRSERVE_HOST: '127.0.0.1', OCRSERVE_PORT: '0' });
  assert.ok(accepted.listening, `the filled-in config must start the server: ${accepted.stderr}`);
  // The pod's 0.0.0.0 without credentials: refused (exit 2) before binding.
  const open = await tryServe({}, { ...podEnv(), OCRSERVE_PORT: '0' });
  assert.equal(open.listening, false);
  assert.equal(open.code, 2);
  assert.match(open.stderr, /refusing to bind 0\.0\.0\.0 without credentials/);
});

// ---- systemd -------------------------------------------------------------------------------
const unitText = readFileSync(join(deploy, 'systemd/ocrserve.service'), 'utf8');
const unit = {};
for (const line of unitText.split('\n')) {
  const m = /^([A-Za-z]+)=(.*)$/.exec(line.trim());
  if (m) (unit[m[1]] ??= []).push(m[2]);
}

test('the systemd unit runs `ocrserve serve --config /etc/ocrserve/config.json`, hardened, with declared options', () => {
  const [exec] = unit.ExecStart;
  const argv = exec.split(/\s+/);
  assert.equal(argv[1], 'serve');
  assert.equal(argv[argv.indexOf('--config') + 1], '/etc/ocrserve/config.json');
  for (const arg of argv.slice(2).filter((a) => a.startsWith('--'))) assert.ok(options.has(arg.slice(2)), arg);
  for (const env of unit.Environment ?? []) {
    const name = env.split('=')[0];
    if (name.startsWith('OCRSERVE_')) assert.ok(envTwins.has(name), name);
  }
  const want = {
    User: 'ocrserve', NoNewPrivileges: 'yes', CapabilityBoundingSet: '', ProtectSystem: 'strict', ProtectHome: 'yes',
    PrivateTmp: 'yes', Restart: 'on-failure',
  };
  for (const [k, v] of Object.entries(want)) assert.deepEqual(unit[k], [v], k);
  assert.ok(unit.SystemCallFilter.includes('@system-service'));
  assert.match(unit.RestrictAddressFamilies[0], /AF_INET\b.*AF_INET6/);
  assert.ok(Number(unit.LimitNOFILE[0]) >= 65536);
  assert.match(unit.MemoryMax[0], /^\d+[MG]$/);
  assert.ok(Number(unit.TimeoutStopSec[0]) > defaultDeadlineMs / 1000, 'SIGTERM drains before SIGKILL');
  assert.ok(unit.EnvironmentFile[0].startsWith('-'), 'the environment file is optional');
  for (const line of readFileSync(join(deploy, 'systemd/ocrserve.env'), 'utf8').split('\n')) {
    const m = /^#?(OCRSERVE_\w+)=/.exec(line);
    if (m) assert.ok(envTwins.has(m[1]), `ocrserve.env: ${m[1]}`);
  }
});

test('the systemd example config is refused as shipped (empty token) and accepted filled in', async () => {
  const text = readFileSync(join(deploy, 'systemd/config.example.json'), 'utf8');
  const config = JSON.parse(text);
  const refused = await tryServe(text, { OCRSERVE_PORT: '0' });
  assert.equal(refused.code, 2, refused.stderr);
  config.credentials[0].token = 'test-token';
  const accepted = await tryServe({ ...config, port: 0 }, {});
  assert.ok(accepted.listening, accepted.stderr);
});

// ---- nginx ---------------------------------------------------------------------------------
test('the nginx config admits the bodies ocrserve admits and waits longer than its deadline', () => {
  const conf = readFileSync(join(deploy, 'nginx/ocrserve.conf'), 'utf8').replace(/#.*$/gm, '');
  const directive = (name) => {
    const m = new RegExp(`^\\s*${name}\\s+([^;]+);`, 'm').exec(conf);
    assert.ok(m, `${name} is set`);
    return m[1].trim();
  };
  const size = /^(\d+)([km]?)$/.exec(directive('client_max_body_size'));
  const bytes = Number(size[1]) * { '': 1, k: 1024, m: 1024 * 1024 }[size[2]];
  assert.ok(bytes >= defaultMaxBody, `client_max_body_size ${bytes} >= ocrserve's max_body_bytes ${defaultMaxBody}`);
  const seconds = (v) => Number(/^(\d+)s$/.exec(v)[1]);
  assert.ok(seconds(directive('proxy_read_timeout')) > defaultDeadlineMs / 1000);
  assert.ok(seconds(directive('proxy_send_timeout')) > defaultDeadlineMs / 1000);
  assert.deepEqual(directive('proxy_next_upstream').split(/\s+/).sort(),
    ['error', 'http_502', 'http_503', 'non_idempotent', 'timeout']);
  assert.equal(directive('proxy_set_header Host'), '$http_host', 'the signed Host reaches the replica');
  const servers = [...conf.matchAll(/^\s*server\s+(127\.0\.0\.1:\d+)\s+([^;]*);/gm)];
  assert.ok(servers.length >= 2, 'two replicas or more');
  for (const s of servers) assert.match(s[2], /max_fails=\d+ fail_timeout=\d+s/);
});
