// Builds the browser client: bundles src/main.tsx and src/app.css with content-hashed names,
// writes index.html, a gzip copy of every file, SHA256SUMS (sha256sum's format, sorted by
// name) and, with --cpp FILE, the C++ source that embeds them all in liaise-server.
//
//   node build.mjs [--out DIR] [--cpp FILE] [--wasm DIR]
//
// --wasm DIR names the plain-language engine's WebAssembly build (liaise_jargon.js and
// liaise_jargon.wasm, CMake's jargon_wasm target). The glue is bundled as a chunk of its own
// (imported as 'liaise-jargon-glue', only after unlocking); the .wasm is shipped content-hashed
// and named in index.html's <meta name="liaise-jargon">. Without it the client offers no
// plain-language help.
//
// The bundle's hash (what `liaise-server --version` and the About box show) is the SHA-256 of
// SHA256SUMS, so anyone can rebuild from source and compare: `sha256sum dist/SHA256SUMS`.
// The build is deterministic: the same sources and lockfile give the same bytes.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync, constants } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(name);
  return at >= 0 && args[at + 1] ? args[at + 1] : fallback;
};
const out = option('--out', join(here, 'dist'));
const cpp = option('--cpp', '');
const wasmDir = option('--wasm', '') && resolve(option('--wasm', ''));

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

// The engine's Emscripten glue: a CommonJS file outside web/, or nothing without --wasm.
const jargonGlue = {
  name: 'liaise-jargon-glue',
  setup(b) {
    b.onResolve({ filter: /^liaise-jargon-glue$/ }, () =>
      wasmDir ? { path: join(wasmDir, 'liaise_jargon.js') } : { path: 'none', namespace: 'no-engine' });
    b.onLoad({ filter: /.*/, namespace: 'no-engine' }, () => ({ contents: 'module.exports = null;', loader: 'js' }));
  },
};

const result = await build({
  plugins: [jargonGlue],
  // The worker (Argon2id off the page's thread) shares libsodium's chunk with the page.
  entryPoints: [join(here, 'src/main.tsx'), join(here, 'src/worker.ts'), join(here, 'src/app.css')],
  bundle: true,
  minify: true,
  format: 'esm',
  // The passphrase checker's dictionaries (zxcvbn-ts) are a chunk of their own, loaded only
  // when a passphrase is chosen; everything else a first visit needs is in the entry script.
  splitting: true,
  metafile: true,
  chunkNames: 'chunk-[hash]',
  target: ['es2022'],
  platform: 'browser',
  write: false,
  outdir: out,
  entryNames: '[name]-[hash]',
  legalComments: 'none',
  logLevel: 'warning',
  // libsodium's loader mentions Node's modules behind a runtime check; the browser never
  // takes that path.
  external: ['fs', 'path', 'crypto', 'url', 'worker_threads'],
  define: { 'process.env.NODE_ENV': '"production"' },
});

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const files = new Map(); // served path -> bytes
let script = '';
let style = '';
let worker = '';
const firstVisit = new Set(); // what the page loads before anything is asked of it
for (const f of result.outputFiles) {
  const name = f.path.slice(out.length + 1);
  files.set('/' + name, Buffer.from(f.contents));
  const meta = Object.entries(result.metafile.outputs).find(([p]) => p.endsWith('/' + name))?.[1];
  if (meta?.entryPoint?.endsWith('main.tsx')) {
    script = '/' + name;
    firstVisit.add('/' + name);
    for (const i of meta.imports) if (i.kind === 'import-statement') firstVisit.add('/' + i.path.split('/').pop());
  }
  // Started at the first unlock or enrolment: counted in a first visit, with its imports.
  if (meta?.entryPoint?.endsWith('worker.ts')) {
    worker = '/' + name;
    firstVisit.add('/' + name);
    for (const i of meta.imports) if (i.kind === 'import-statement') firstVisit.add('/' + i.path.split('/').pop());
  }
  if (name.endsWith('.css')) { style = '/' + name; firstVisit.add('/' + name); }
}
if (!script || !style || !worker) throw new Error('build: the bundle has no script, worker or stylesheet');

const favicon = readFileSync(join(here, 'public/favicon.svg'));
const faviconName = `/favicon-${sha256(favicon).slice(0, 8)}.svg`;
files.set(faviconName, favicon);

// The engine: not part of a first visit (the page loads it after unlocking).
let jargonMeta = '';
if (wasmDir) {
  const wasm = readFileSync(join(wasmDir, 'liaise_jargon.wasm'));
  const wasmName = `/liaise_jargon-${sha256(wasm).slice(0, 8)}.wasm`;
  files.set(wasmName, wasm);
  jargonMeta = `<meta name="liaise-jargon" content="${wasmName}">\n`;
}

// No inline script or style anywhere: the Content-Security-Policy forbids both.
const index = `<!doctype html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<title>Liaise</title>
${jargonMeta}<meta name="liaise-worker" content="${worker}">
<link rel="icon" href="${faviconName}" type="image/svg+xml">
<link rel="stylesheet" href="${style}">
<script type="module" src="${script}"></script>
</head>
<body>
<div id="app"><main class="loading"><p>Liaise is starting…</p></main></div>
<noscript><p>Liaise needs JavaScript and WebAssembly. Ask your IT team to allow this site.</p></noscript>
</body>
</html>
`;
files.set('/', Buffer.from(index));

const typeOf = (path) =>
  path === '/' ? 'text/html; charset=utf-8'
  : path.endsWith('.js') ? 'text/javascript; charset=utf-8'
  : path.endsWith('.css') ? 'text/css; charset=utf-8'
  : path.endsWith('.svg') ? 'image/svg+xml'
  : path.endsWith('.wasm') ? 'application/wasm'
  : path === '/SHA256SUMS' ? 'text/plain; charset=utf-8'
  : 'application/octet-stream';

const sums = [...files.keys()].sort()
  .map((path) => `${sha256(files.get(path))}  ${path === '/' ? 'index.html' : path.slice(1)}\n`)
  .join('');
const bundleHash = sha256(Buffer.from(sums));
// Served too, so that the About box can show the hash and anyone can check each file.
files.set('/SHA256SUMS', Buffer.from(sums));

let totalGzip = 0;
let firstVisitGzip = 0;
const entries = [];
for (const [path, body] of [...files.entries()].sort(([a], [b]) => a.localeCompare(b))) {
  const gz = gzipSync(body, { level: constants.Z_BEST_COMPRESSION, mtime: 0 });
  // gzip's header holds an OS byte; fix it so the output is the same on every machine.
  gz[9] = 3;
  totalGzip += gz.length;
  if (path === '/' || firstVisit.has(path)) firstVisitGzip += gz.length;
  const file = path === '/' ? 'index.html' : path.slice(1);
  writeFileSync(join(out, file), body);
  writeFileSync(join(out, file + '.gz'), gz);
  entries.push({
    path,
    type: typeOf(path),
    cache: path === '/' || path === '/SHA256SUMS' ? 'no-cache' : 'public, max-age=31536000, immutable',
    etag: `"${sha256(body).slice(0, 32)}"`,
    body,
    gz,
  });
}

if (cpp) {
  const bytes = (buf) => {
    const lines = [];
    for (let i = 0; i < buf.length; i += 24) lines.push(Array.from(buf.subarray(i, i + 24)).join(','));
    return lines.join(',\n');
  };
  const quote = (s) => JSON.stringify(s);
  let src = `// Generated by web/build.mjs: the browser client's files. Do not edit.\n` +
    `#include "web_assets.hpp"\n\n#include <array>\n\nnamespace liaise::server::web {\nnamespace {\n`;
  entries.forEach((e, i) => {
    src += `constexpr unsigned char kBody${i}[] = {\n${bytes(e.body)}};\n`;
    src += `constexpr unsigned char kGzip${i}[] = {\n${bytes(e.gz)}};\n`;
  });
  src += `template <std::size_t N>\nstd::string_view view(const unsigned char (&a)[N]) {\n` +
    `    return {reinterpret_cast<const char*>(a), N};\n}\n`;
  src += `const std::array<Asset, ${entries.length}> kAssets{{\n`;
  entries.forEach((e, i) => {
    src += `    {${quote(e.path)}, ${quote(e.type)}, ${quote(e.cache)}, ${quote(e.etag)}, ` +
      `view(kBody${i}), view(kGzip${i})},\n`;
  });
  src += `}};\n}  // namespace\n\nstd::span<const Asset> assets() {\n    return kAssets;\n}\n\n` +
    `std::string_view bundle_sha256() {\n    return ${quote(bundleHash)};\n}\n\n` +
    `}  // namespace liaise::server::web\n`;
  mkdirSync(dirname(cpp), { recursive: true });
  writeFileSync(cpp, src);
}

writeFileSync(join(out, 'sizes.json'), JSON.stringify({ firstVisitGzip, totalGzip }) + '\n');
console.log(`web: ${files.size} files, ${totalGzip} bytes gzipped (a first visit loads ${firstVisitGzip}), ` +
  `bundle sha256 ${bundleHash}`);
