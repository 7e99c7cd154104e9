// Test support for the browser tests: a real liaise-server on a free loopback port, the real
// `liaise` command for other people, and Debian's Chromium driven by playwright-core.
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const SERVER = process.env.LIAISE_SERVER_BINARY ?? '';
export const CLI = process.env.LIAISE_BINARY ?? '';
export const CHROMIUM = process.env.LIAISE_CHROMIUM || '/usr/bin/chromium';
export const PASSPHRASE = 'plum lantern orbit meadow';

if (!SERVER || !CLI)
  throw new Error('set LIAISE_SERVER_BINARY and LIAISE_BINARY (ctest does: ctest -R browser)');

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** One liaise-server with its own data directory, started and stopped as a test likes. */
export class Server {
  constructor() {
    this.dir = mkdtempSync(join(tmpdir(), 'liaise-web-'));
    this.proc = null;
    this.config = null;
  }

  async init() {
    const { stdout } = await run(SERVER, ['init', '--data', join(this.dir, 'data'), '--admin', 'ann',
      '--agency', 'Westshire Council', '--discipline', 'social-care', '--json']);
    this.adminCode = JSON.parse(stdout).code;
    this.port = await freePort();
    this.url = `http://127.0.0.1:${this.port}`;
  }

  /** From the next start(): serve with these TOML settings (written to server.toml). */
  setConfig(toml) {
    writeFileSync(join(this.dir, 'server.toml'), toml);
    this.config = join(this.dir, 'server.toml');
  }

  async start() {
    const log = openSync(join(this.dir, 'server.log'), 'a');
    this.proc = spawn(SERVER, ['serve', '--data', join(this.dir, 'data'), '--listen', `127.0.0.1:${this.port}`,
      '--threads', '2', ...(this.config ? ['--config', this.config] : [])], { stdio: ['ignore', log, log] });
    for (let i = 0; i < 200; i++) {
      try {
        const r = await fetch(`${this.url}/healthz`);
        if (r.ok) return;
      } catch { /* not up yet */ }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`liaise-server did not start: ${this.log()}`);
  }

  async stop() {
    if (!this.proc) return;
    const p = this.proc;
    this.proc = null;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGTERM');
    await exited;
  }

  log() {
    try { return readFileSync(join(this.dir, 'server.log'), 'utf8'); } catch { return ''; }
  }

  async cleanup() {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Runs `liaise ARGS` as `who` (home under the server's directory); resolves with stdout. */
  async cli(who, args, { input } = {}) {
    const home = join(this.dir, `home-${who}`);
    mkdirSync(home, { recursive: true });
    const env = { ...process.env, LIAISE_HOME: home, LIAISE_PASSPHRASE: PASSPHRASE };
    try {
      const child = execFile(CLI, args, { env });
      if (input !== undefined) child.stdin.end(input);
      else child.stdin.end();
      let out = '', err = '';
      child.stdout.on('data', (d) => { out += d; });
      child.stderr.on('data', (d) => { err += d; });
      const code = await new Promise((r) => child.on('exit', r));
      if (code !== 0) throw new Error(`liaise ${args.join(' ')} (as ${who}) exited ${code}: ${err}`);
      return out;
    } catch (e) {
      throw e;
    }
  }

  home(who) {
    return join(this.dir, `home-${who}`);
  }
}

/** Launches Debian's Chromium, headless; loopback only. */
export async function launch() {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/**
 * A page in its own browser context (its own IndexedDB: one person's browser). Fails the test
 * on any console error or CSP violation.
 */
export async function personPage(browser, url, errors, viewport = { width: 1100, height: 760 }, init = null) {
  const context = await browser.newContext({ viewport, acceptDownloads: true });
  const page = await context.newPage();
  if (init) await page.addInitScript(init);
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`${m.text()}`); });
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  await page.goto(url);
  return page;
}

const axeSource = readFileSync(new URL('../node_modules/axe-core/axe.min.js', import.meta.url), 'utf8');

/**
 * axe-core's WCAG 2.x A/AA violations on the page as it is now. axe is evaluated through the
 * DevTools protocol, not as a page script, so the page's CSP stays as strict as served.
 */
/**
 * Enrols a fresh browser profile with an enrolment (or replacement) code, naming the computer
 * `computer` and choosing the test passphrase, and waits for the room list.
 */
export async function enrolInBrowser(page, code, computer) {
  await page.getByLabel('Enrolment code').fill(code);
  await page.getByLabel('Name for this computer').fill(computer);
  await page.getByLabel('Passphrase', { exact: true }).fill(PASSPHRASE);
  await page.getByLabel('Passphrase again').fill(PASSPHRASE);
  await page.getByRole('button', { name: 'Set up this computer' }).click();
  await page.getByRole('navigation', { name: 'Rooms' }).waitFor({ timeout: 60000 });
}

export async function axeViolations(page) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(() => globalThis.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
  }));
  return result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}
