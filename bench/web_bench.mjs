// The browser client's speed and size, against a real liaise-server on loopback, in Debian's
// headless Chromium:
//   - the bytes a first visit downloads (gzipped, as served): index.html and everything it
//     loads before anything is asked of the person (not the passphrase checker's chunk,
//     fetched only when a passphrase is chosen);
//   - unlock to room list: from the keystore opened (after Argon2id) to the room list drawn,
//     with ROOMS rooms of a few messages each;
//   - the key derivation itself (Argon2id, MODERATE: 3 passes, 256 MiB) in the browser (in the
//     page's Web Worker), and the longest the page's own thread was busy meanwhile;
//   - the writing help's check of a 1,000-character draft (bench/draft-1000.txt) in the page:
//     the engine's draft check with its fixes, as each pause in typing runs it (ten edits a run,
//     after the first check since unlocking, which is reported on its own), with the part of it
//     the check itself took in the worker.
// Usage (after scripts/test or a build with the web client):
//   LIAISE_SERVER_BINARY=build/server/liaise-server LIAISE_BINARY=build/client/liaise \
//     node bench/web_bench.mjs [RUNS] [ROOMS]
// (LIAISE_BENCH_RAW=1 prints every draft check's times too.)
import { readFileSync } from 'node:fs';
import { request } from 'node:http';

const { PASSPHRASE, Server, launch, personPage } = await import('../web/test/support.mjs');
const runs = Number(process.argv[2] ?? 5);
const roomCount = Number(process.argv[3] ?? 10);

function gzippedSize(url) {
  return new Promise((resolve, reject) => {
    request(url, { headers: { 'accept-encoding': 'gzip' } }, (res) => {
      let n = 0;
      res.on('data', (d) => { n += d.length; });
      res.on('end', () => resolve({ bytes: n, type: res.headers['content-type'], body: null }));
    }).on('error', reject).end();
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const server = new Server();
await server.init();
await server.start();
let browser;
try {
  const html = await (await fetch(`${server.url}/`)).text();
  const names = ['/', ...[...html.matchAll(/(?:src|href)="(\/[^"]+)"/g)].map((m) => m[1])];
  // The modules the entry script imports statically load at once too.
  const entry = names.find((n) => n.endsWith('.js'));
  const js = await (await fetch(`${server.url}${entry}`)).text();
  for (const m of js.matchAll(/from"\.\/(chunk-[A-Z0-9]+\.js)"/g)) names.push(`/${m[1]}`);
  // The worker (started at the first unlock or enrolment) and the chunks it imports.
  const worker = html.match(/<meta name="liaise-worker" content="([^"]+)">/)?.[1];
  if (worker) {
    names.push(worker);
    const wjs = await (await fetch(`${server.url}${worker}`)).text();
    for (const m of wjs.matchAll(/from"\.\/(chunk-[A-Z0-9]+\.js)"/g)) names.push(`/${m[1]}`);
  }
  let firstVisit = 0;
  for (const n of new Set(names)) firstVisit += (await gzippedSize(`${server.url}${n}`)).bytes;
  // The plain-language engine, loaded after unlocking: the .wasm (named in a meta tag) and the
  // glue, the one chunk the entry script imports dynamically that mentions createLiaiseJargon.
  let engineBytes = 0;
  const wasmName = html.match(/<meta name="liaise-jargon" content="([^"]+)">/)?.[1];
  if (wasmName) {
    engineBytes += (await gzippedSize(`${server.url}${wasmName}`)).bytes;
    for (const m of js.matchAll(/import\("\.\/(chunk-[A-Z0-9]+\.js)"\)/g)) {
      const chunk = await (await fetch(`${server.url}/${m[1]}`)).text();
      if (chunk.includes('liaise_jargon.wasm')) engineBytes += (await gzippedSize(`${server.url}/${m[1]}`)).bytes;
    }
  }

  await server.cli('ann', ['enrol', '--server', `ws://127.0.0.1:${server.port}`, '--code', server.adminCode]);
  const code = JSON.parse(await server.cli('ann', ['admin', 'enrol', 'bea', '--agency', 'Westshire Council',
    '--role', 'member', '--display-name', 'Bea Patel', '--json'])).code;
  browser = await launch();
  const errors = [];
  const page = await personPage(browser, server.url, errors);
  await page.getByLabel('Enrolment code').fill(code);
  await page.getByLabel('Passphrase', { exact: true }).fill(PASSPHRASE);
  await page.getByLabel('Passphrase again').fill(PASSPHRASE);
  await page.getByRole('button', { name: 'Set up this computer' }).click();
  await page.getByRole('navigation', { name: 'Rooms' }).waitFor({ timeout: 60000 });
  for (let i = 1; i <= roomCount; i++) {
    await server.cli('ann', ['room', 'create', `case-${1000 + i}`, '--member', 'bea']);
    await server.cli('ann', ['send', `case-${1000 + i}`, `Message ${i}`, '--anyway', '--accept-new-readers']);
  }
  const toRooms = [];
  const kdf = [];
  const blocked = [];
  const toPlain = [];
  const drafts = [];
  const firstDrafts = []; // the first check of each run, after unlocking
  const inWorkerMs = []; // the check's own time in the worker
  const trips = []; // the rest of the wait: the messages there and back, and the page's turn
  const draft = readFileSync(new URL('draft-1000.txt', import.meta.url), 'utf8').slice(0, 1000);
  for (let r = 0; r < runs; r++) {
    await page.reload();
    await page.getByLabel('Passphrase').fill(PASSPHRASE);
    await page.evaluate(() => {
      window.ticks = [performance.now()];
      window.ticker = setInterval(() => window.ticks.push(performance.now()), 5);
    });
    await page.getByRole('button', { name: 'Unlock' }).click();
    await page.getByRole('link', { name: new RegExp(`case-${1000 + roomCount}`) }).waitFor({ timeout: 60000 });
    await page.waitForFunction(() => performance.getEntriesByName('liaise:rooms-shown').length > 0);
    const m = await page.evaluate(() => Object.fromEntries(performance.getEntriesByType('mark').map((e) => [e.name, e.startTime])));
    kdf.push(m['liaise:keys-open'] - m['liaise:unlock-start']);
    blocked.push(await page.evaluate(([start, open]) => {
      clearInterval(window.ticker);
      let longest = 0;
      for (let i = 1; i < window.ticks.length; i++)
        if (window.ticks[i] > start && window.ticks[i - 1] < open) longest = Math.max(longest, window.ticks[i] - window.ticks[i - 1]);
      return longest;
    }, [m['liaise:unlock-start'], m['liaise:keys-open']]));
    toRooms.push(m['liaise:rooms-shown'] - m['liaise:keys-open']);
    if (wasmName) {
      await page.waitForFunction(() => performance.getEntriesByName('liaise:plain-ready').length > 0, null, { timeout: 60000 });
      const ready = await page.evaluate(() => performance.getEntriesByName('liaise:plain-ready')[0].startTime);
      toPlain.push(ready - m['liaise:rooms-shown']);
      // The draft, checked as typing pauses: five edits of it, each timed by the page.
      await page.getByRole('link', { name: new RegExp(`case-${1000 + roomCount}`) }).click();
      const box = page.getByLabel(`Message to case-${1000 + roomCount}`);
      // The first check after unlocking runs the engine's code before V8 has optimised it, and
      // is reported on its own; the rest are the checks of someone typing.
      for (let k = 0; k < 11; k++) {
        await page.evaluate(() => performance.clearMeasures('liaise:draft-check'));
        await box.fill(draft.slice(0, 1000 - k) + 'x'.repeat(k));
        await page.waitForFunction(() => performance.getEntriesByName('liaise:draft-check').length > 0);
        const [wait, inWorker] = await page.evaluate(() => [
          performance.getEntriesByName('liaise:draft-check')[0].duration,
          performance.getEntriesByName('liaise:draft-worker')[0]?.detail ?? null,
        ]);
        if (k === 0) { firstDrafts.push(wait); continue; }
        drafts.push(wait);
        if (typeof inWorker === 'number') { inWorkerMs.push(inWorker); trips.push(wait - inWorker); }
      }
      await box.fill('');
    }
  }
  const fmt = (xs) => `median ${median(xs).toFixed(0)} ms (min ${Math.min(...xs).toFixed(0)}, max ${Math.max(...xs).toFixed(0)})`;
  console.log(`chromium ${browser.version()}`);
  console.log(`first visit: ${firstVisit} bytes gzipped (${names.length} files; aim: at most 400 KB = 409600)`);
  console.log(`unlock to room list (${roomCount} rooms, after the key derivation), ${runs} runs: ${fmt(toRooms)} (aim: < 1500 ms)`);
  console.log(`key derivation (Argon2id MODERATE) in the browser's worker, ${runs} runs: ${fmt(kdf)}`);
  console.log(`longest the page's thread was busy during it, ${runs} runs: ${fmt(blocked)}`);
  if (wasmName) {
    console.log(`plain-language engine, loaded after unlocking: ${engineBytes} bytes gzipped (.wasm and glue)`);
    console.log(`room list shown to engine and dictionaries ready, ${runs} runs: ${fmt(toPlain)}`);
    const fine = (xs) => `median ${median(xs).toFixed(2)} ms (min ${Math.min(...xs).toFixed(2)}, max ${Math.max(...xs).toFixed(2)})`;
    console.log(`first check of a ${draft.length}-character draft after unlocking, ${firstDrafts.length} runs: ${fine(firstDrafts)}`);
    console.log(`check of a ${draft.length}-character draft in the page while typing, ${drafts.length} checks: ${fine(drafts)} (aim: < 2 ms)`);
    if (process.env.LIAISE_BENCH_RAW) console.log(JSON.stringify({ firstDrafts, drafts, inWorkerMs }));
    if (inWorkerMs.length) {
      console.log(`  of which the check itself, in the worker: ${fine(inWorkerMs)}`);
      console.log(`  of which the round trip to the worker and back: ${fine(trips)}`);
    }
  }
  if (errors.length) console.log(`console errors: ${errors.join('; ')}`);
} finally {
  await browser?.close();
  await server.cleanup();
}
