// How long the WebAssembly engine (jargon/wasm) takes to check a 1,000-character draft
// (bench/draft-1000.txt, audience social-care + education, every shipped dictionary): in node,
// and with --chromium in headless Chromium (a page served on 127.0.0.1 that posts its timings
// back). Compare with `jargon_bench --benchmark_filter=Draft1000` (the native engine).
//   node bench/jargon_wasm_bench.js build/jargon-wasm [--chromium /usr/bin/chromium]
'use strict';
const fs = require('fs');
const http = require('http');
const path = require('path');
const { spawn } = require('child_process');

const root = path.resolve(__dirname, '..');
const wasmDir = process.argv[2];
const chromiumAt = process.argv.indexOf('--chromium');
const chromium = chromiumAt > 0 ? process.argv[chromiumAt + 1] : null;
if (!wasmDir) {
  console.error('usage: node bench/jargon_wasm_bench.js WASM_DIR [--chromium PATH]');
  process.exit(2);
}

function dictionariesReply() {
  const dir = path.join(root, 'dictionaries');
  const dictionaries = fs.readdirSync(dir).filter((f) => f.endsWith('.tsv')).map((f) => ({
    discipline: f.slice(0, -4),
    tsv: fs.readFileSync(path.join(dir, f), 'utf8'),
  }));
  return { version: 1, dictionaries, common_acronyms: fs.readFileSync(path.join(dir, 'common-acronyms.txt'), 'utf8') };
}

// Runs where it is pasted: node and the browser page both call it with a created module.
// Times are per check, in microseconds: the median and the fastest of 25 batches of 200.
function measure(engine, reply, draft, now) {
  const t0 = now();
  const loaded = engine.load(reply);
  const loadMs = now() - t0;
  const audience = 'social-care,education';
  const first0 = now();
  const findings = engine.check(draft, audience).findings.length;
  const firstMs = now() - first0;
  const time = (fn) => {
    for (let i = 0; i < 500; i++) fn();
    const per = [];
    for (let b = 0; b < 25; b++) {
      const s = now();
      for (let i = 0; i < 200; i++) fn();
      per.push(((now() - s) * 1000) / 200);
    }
    per.sort((a, b) => a - b);
    return { median_us: +per[12].toFixed(2), fastest_us: +per[0].toFixed(2) };
  };
  return {
    entries: loaded.entries,
    findings,
    load_and_compile_ms: +loadMs.toFixed(1),
    first_check_ms: +firstMs.toFixed(2),
    check_json: time(() => engine.checkJson(draft, audience, false)),
    check_parsed: time(() => engine.check(draft, audience)),
    check_fix_parsed: time(() => engine.check(draft, audience, { fix: true })),
    // What the browser's writing help asks at each pause in typing (src/client/engine.ts).
    draft_parsed: time(() => engine.draft(draft, audience, ['health'])),
  };
}

async function inNode() {
  const create = require(path.resolve(wasmDir, 'liaise_jargon.js'));
  const t0 = performance.now();
  const engine = await create({ wasmBinary: fs.readFileSync(path.join(wasmDir, 'liaise_jargon.wasm')) });
  const instantiateMs = performance.now() - t0;
  const draft = fs.readFileSync(path.join(root, 'bench/draft-1000.txt'), 'utf8');
  const r = measure(engine, dictionariesReply(), draft, () => performance.now());
  // The same by the process's CPU time, which a shared, busy machine distorts less.
  const cpu = measure(engine, dictionariesReply(), draft, () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  });
  return { where: `node ${process.version}`, instantiate_ms: +instantiateMs.toFixed(1), ...r,
    cpu: { check_json: cpu.check_json, check_parsed: cpu.check_parsed, check_fix_parsed: cpu.check_fix_parsed,
      draft_parsed: cpu.draft_parsed } };
}

function inChromium() {
  const draft = fs.readFileSync(path.join(root, 'bench/draft-1000.txt'), 'utf8');
  const page = `<!doctype html><meta charset="utf-8"><title>bench</title>
<script src="/liaise_jargon.js"></script>
<script>
${measure.toString()}
(async () => {
  const t0 = performance.now();
  const engine = await createLiaiseJargon({ locateFile: (f) => '/' + f });
  const instantiateMs = performance.now() - t0;
  const reply = await (await fetch('/dictionaries.json')).json();
  const r = measure(engine, reply, ${JSON.stringify(draft)}, () => performance.now());
  await fetch('/result', { method: 'POST', body: JSON.stringify(
    { where: navigator.userAgent.match(/Chrome\\/[0-9.]+/)[0], instantiate_ms: +instantiateMs.toFixed(1), ...r }) });
})().catch((e) => fetch('/result', { method: 'POST', body: JSON.stringify({ error: String(e) }) }));
</script>`;
  const types = { js: 'text/javascript', wasm: 'application/wasm', json: 'application/json' };
  const profile = fs.mkdtempSync('/tmp/liaise-bench-chromium-');
  const done = () => fs.rmSync(profile, { recursive: true, force: true });
  return new Promise((resolve, reject) => {
    let browser;
    const server = http.createServer((req, res) => {
      if (req.method === 'POST') {
        let body = '';
        req.on('data', (c) => (body += c));
        req.on('end', () => {
          res.end();
          browser.on('exit', done);
          browser.kill();
          server.close();
          resolve(JSON.parse(body));
        });
        return;
      }
      const url = req.url.split('?')[0];
      if (url === '/') return res.end(page);
      if (url === '/dictionaries.json') return res.end(JSON.stringify(dictionariesReply()));
      const file = path.join(wasmDir, path.basename(url));
      if (!fs.existsSync(file)) {
        res.statusCode = 404;
        return res.end();
      }
      res.setHeader('Content-Type', types[path.extname(file).slice(1)] || 'application/octet-stream');
      res.end(fs.readFileSync(file));
    });
    server.listen(0, '127.0.0.1', () => {
      const url = `http://127.0.0.1:${server.address().port}/`;
      browser = spawn(chromium, ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
        `--user-data-dir=${profile}`, url], { stdio: 'ignore' });
      browser.on('error', reject);
      setTimeout(() => { browser.kill(); server.close(); reject(new Error('no result within 120 s')); }, 120000).unref();
    });
  });
}

(async () => {
  console.log(JSON.stringify(await inNode()));
  if (chromium) console.log(JSON.stringify(await inChromium()));
})().catch((e) => {
  console.error(e.stack || String(e));
  process.exit(1);
});
