// Shared by the console tests: the real ocrserve on loopback with a config file, synthetic
// documents with their ground truth, and the route table the binary prints.
import { spawn, execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

export const binary = process.env.OCRSERVE_BINARY ?? join(here, '../../build/ocrserve');
// The generator is built next to the server (build/ or build-sanitize/).
export const synthBinary = process.env.OCRSERVE_SYNTH ?? join(dirname(binary), 'synth');
export const fixtures = join(here, '../fixtures');
export const artifacts = join(here, '../artifacts');

// Starts `ocrserve serve --port 0 --config <file> [...extra]`; reads the port from the first line
// of stdout ("ocrserve listening on http://127.0.0.1:PORT") and, unless told otherwise, waits for
// /readyz. Returns { endpoint, port, stop() }.
export async function startServer(config, { extraArgs = [], waitReady = true } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'ocrserve-console-'));
  const file = join(dir, 'config.json');
  writeFileSync(file, JSON.stringify(config));
  const server = spawn(binary, ['serve', '--port', '0', '--config', file, ...extraArgs], {
    stdio: ['ignore', 'pipe', 'ignore'],
    env: { ...process.env, OMP_THREAD_LIMIT: '1' },
  });
  const stop = () => {
    server.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const port = await new Promise((resolve, reject) => {
      server.stdout.once('data', (d) => {
        const m = /^ocrserve listening on http:\/\/127\.0\.0\.1:(\d+)\s*$/m.exec(d.toString());
        m ? resolve(Number(m[1])) : reject(new Error(`unexpected start line: ${d}`));
      });
      server.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
      server.once('error', reject);
    });
    server.stdout.resume();  // never let an unread pipe stall the server
    const endpoint = `http://127.0.0.1:${port}`;
    if (!waitReady) return { endpoint, port, stop };
    for (let i = 0; i < 1200; i++) {
      try {
        if ((await fetch(`${endpoint}/readyz`)).status === 200) return { endpoint, port, stop };
      } catch { /* not listening yet */ }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('server never became ready');
  } catch (e) {
    stop();
    throw e;
  }
}

// `build/synth --permit exit-entry-hkmo --side front --count 1 --seed 7 --out DIR`:
// { dir, png, truth } (truth: the generator's JSON). Remove dir when done.
export function synthPermit(permit, side, seed) {
  const dir = mkdtempSync(join(tmpdir(), 'ocrserve-console-synth-'));
  execFileSync(synthBinary, ['--permit', permit, '--side', side, '--count', '1', '--seed', String(seed), '--out', dir],
    { stdio: ['ignore', 'ignore', 'inherit'] });
  const stem = join(dir, `${permit}_${side}_${seed}`);
  return { dir, png: `${stem}.png`, truth: JSON.parse(readFileSync(`${stem}.json`, 'utf8')) };
}

// `ocrserve routes`: [{method, path, note?}].
export function routes() {
  return JSON.parse(execFileSync(binary, ['routes'], { encoding: 'utf8' }));
}
