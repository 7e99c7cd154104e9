// The WebAssembly engine (jargon/wasm) against the native one, byte for byte: every text of the
// test corpus and the fuzz corpus, for several audiences, readers and two dictionary sets, through
// parity_driver (the native engine, JSON built as `liaise check --json --fix` builds it), and a
// sample through the real `liaise check --json --fix`. Any difference fails.
//   node parity_test.js SOURCE_DIR WASM_DIR PARITY_DRIVER LIAISE
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');

const [root, wasmDir, driver, liaise] = process.argv.slice(2);
if (!liaise) {
  console.error('usage: node parity_test.js SOURCE_DIR WASM_DIR PARITY_DRIVER LIAISE');
  process.exit(2);
}

function files(dir) {
  return fs.readdirSync(dir).sort().map((f) => path.join(dir, f)).filter((f) => fs.statSync(f).isFile());
}

// Texts from C++ test sources: string literals that are plain enough to read back with JSON.
function literals(file) {
  const out = [];
  const src = fs.readFileSync(file, 'utf8');
  for (const m of src.matchAll(/"((?:[^"\\\n]|\\.)*)"/g)) {
    if (m[1].length < 2 || /\\[xX0-7]/.test(m[1])) continue;
    try {
      out.push(JSON.parse('"' + m[1] + '"'));
    } catch (e) {
      // a C escape JSON does not know: skip it
    }
  }
  return out;
}

// Words written to stress the Unicode seam: case folding beyond ASCII, NFC and NFD forms,
// compatibility forms, Greek final sigma and iota subscript, Turkish dotted and dotless i,
// Cherokee, combining marks, non-ASCII spaces and punctuation.
const unicodeTexts = [
  'Die STRASSE und die Straße und die strasse. ẞTRASSE.',
  'ΟΔΟΣ, οδος, οδοσ and Οδός. ᾅδης ᾍΔΗΣ ἅιδης.',
  'İSTANBUL, istanbul, İstanbul and ıSI, ISI, ısı.',
  'The cafe\u0301 au lait and the café au lait and the CAFÉ AU LAIT.',
  'A ﬁnal notice, a final notice, a FINAL NOTICE and a ＦＩＮＡＬ notice.',
  'ꮳꮃꭹ and ᏣᎳᎩ and Ꮳꮃꭹ.',
  'ǅungla, Ǆungla, ǆungla.',
  'The CIN\u00a0plan\u2009was agreed\u2014at core\u00adgroup. The GP\u2019s letter. SENCO\u2011led.',
  'Ｃｏｒｅ ｇｒｏｕｐ and ＣＩＮ and ᴄɪɴ.',
  'e\u0301\u0323 e\u0323\u0301 \u1e19\u0307 \u0391\u0313\u0345\u0301 \u1f88\u0abc',
  'Line one.\u2028Line two\u2029Line three\u0085CIN … done.',
  '\ufeffCIN\u200bplan and the plan\u200d of the CIN.',
];

const unicodeDictionary = [
  'term\tvariants\talternatives\texplanation\tkind\toptions',
  'straße\t\tstreet\tA road.\tterm\t',
  'ΟΔΟΣ\t\troad\tGreek for road.\tacronym\t',
  'ᾅδης\t\tthe underworld\tHades.\tterm\t',
  'İstanbul\t\tthe city\tA city.\tterm\t',
  'ısı\t\theat\tTurkish for heat.\tterm\t',
  'café au lait\t\tmilky coffee\tCoffee with milk.\tphrase\t',
  'ﬁnal notice\t\tlast letter\tThe last warning.\tphrase\t',
  'ꮳꮃꭹ\t\ta Cherokee word\tA word.\tterm\t',
  'ǆungla\t\tjungle\tTitle case.\tterm\t',
  '',
].join('\n');

// Agreed terms for a room: acronyms (matched only in capitals), a phrase, a term with another
// discipline's meaning, and a term no dictionary has.
const roomGlossary = [
  { term: 'CIN', meaning: 'child in need: the council helps this family under section 17' },
  { term: 'IRO', meaning: 'Sam Green, the independent reviewing officer for this case' },
  { term: 'core group', meaning: 'the family and the key workers on the plan' },
  { term: 'PEP', meaning: 'the personal education plan the school keeps for J' },
  { term: 'sunrise huddle', meaning: 'the Monday meeting of the team' },
];

function buildCorpus() {
  const texts = [];
  const add = (t) => texts.push(Buffer.isBuffer(t) ? t : Buffer.from(t, 'utf8'));
  for (const sub of ['check', 'dictionary', 'codec'])
    for (const f of files(path.join(root, 'fuzz/corpus', sub))) add(fs.readFileSync(f));
  const testTexts = [];
  for (const dir of ['tests/jargon', 'tests/e2e', 'tests/client', 'tests/protocol'])
    for (const f of files(path.join(root, dir)).filter((f) => f.endsWith('.cpp')))
      testTexts.push(...literals(f));
  for (const dir of ['dictionaries', 'tests/data/dicts'])
    for (const f of files(path.join(root, dir)).filter((f) => f.endsWith('.tsv'))) {
      const lines = fs.readFileSync(f, 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
      for (const line of lines) {
        const t = line.split('\t').join('. ');
        testTexts.push(t, t.toUpperCase(), t.toLowerCase());
      }
      testTexts.push(lines.join('\n'));
    }
  for (const f of files(path.join(root, 'docs')).filter((f) => f.endsWith('.md')))
    for (const para of fs.readFileSync(f, 'utf8').split(/\n\n+/)) testTexts.push(para);
  testTexts.push(...unicodeTexts);
  for (const t of testTexts) add(t);
  return { texts, testTexts };
}

function frame(texts) {
  const parts = [];
  for (const t of texts) {
    const n = Buffer.alloc(4);
    n.writeUInt32LE(t.length);
    parts.push(n, t);
  }
  return Buffer.concat(parts);
}

function loadDir(engine, dir) {
  const dictionaries = fs.readdirSync(dir).filter((f) => f.endsWith('.tsv')).map((f) => ({
    discipline: f.slice(0, -4),
    tsv: fs.readFileSync(path.join(dir, f), 'utf8'),
  }));
  const common = path.join(dir, 'common-acronyms.txt');
  const reply = { version: 1, dictionaries };
  if (fs.existsSync(common)) reply.common_acronyms = fs.readFileSync(common, 'utf8');
  const loaded = engine.load(reply);
  if (!loaded.ok) throw new Error(`the wasm engine does not load ${dir}: ${loaded.problems}`);
  return loaded;
}

function showDiff(a, b) {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return `at byte ${i}:\n  native: …${a.subarray(Math.max(0, i - 40), i + 80).toString()}\n` +
    `  wasm:   …${b.subarray(Math.max(0, i - 40), i + 80).toString()}`;
}

async function main() {
  const create = require(path.resolve(wasmDir, 'liaise_jargon.js'));
  // Node 18+ has a fetch() that the 2022 glue would use on a file path: hand it the bytes.
  const engine = await create({ wasmBinary: fs.readFileSync(path.join(wasmDir, 'liaise_jargon.wasm')) });
  const { texts, testTexts } = buildCorpus();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'liaise-parity-'));
  const unicodeDir = path.join(tmp, 'unicode-dicts');
  fs.mkdirSync(unicodeDir);
  for (const f of files(path.join(root, 'tests/data/dicts')))
    fs.copyFileSync(f, path.join(unicodeDir, path.basename(f)));
  fs.writeFileSync(path.join(unicodeDir, 'unicode.tsv'), unicodeDictionary);
  const corpusFile = path.join(tmp, 'corpus.bin');
  fs.writeFileSync(corpusFile, frame(texts));

  const sets = [
    { dir: path.join(root, 'dictionaries'),
      audiences: ['public', 'social-care', 'education', 'health', 'mental-health', 'police-justice',
        'housing-benefits', 'social-care,education', 'reader:health:social-care',
        'reader:social-care:health,education,police-justice', 'reader:education:education',
        'draft:public:social-care', 'draft:education,health:', 'draft:education:health,social-care'] },
    { dir: unicodeDir, audiences: ['public', 'education', 'unicode', 'health,social-care',
      'reader:health:social-care,unicode', 'draft:public:unicode'] },
    // A room's agreed terms: drafts leave them out (not for the public), readers meet each once,
    // `met` carried from text to text as a room's messages are read.
    { dir: path.join(root, 'dictionaries'), glossary: roomGlossary,
      audiences: ['draft:education,health:social-care', 'draft:public:social-care', 'draft:social-care:',
        'reader:education:social-care', 'reader:health:social-care,education'] },
  ];
  let failures = 0;
  let compared = 0;
  for (const set of sets) {
    const loaded = loadDir(engine, set.dir);
    const args = [set.dir, corpusFile];
    if (set.glossary) {
      const file = path.join(tmp, 'glossary.json');
      fs.writeFileSync(file, JSON.stringify(set.glossary));
      args.push(`--glossary=${file}`);
    }
    const run = spawnSync(driver, [...args, ...set.audiences], { maxBuffer: 1 << 30 });
    if (run.status !== 0) throw new Error(`parity_driver failed: ${run.stderr}`);
    const native = run.stdout;
    const wasm = [];
    const met = new Map(); // per reader audience: the agreed terms met so far
    let explainedInRoom = 0; // reader checks that explained an agreed term for the first time
    const checkOne = (t, a) => {
      if (a.startsWith('draft:')) {
        const [, audience, writers] = a.split(':');
        return engine.draftJson(t, audience, writers, true, set.glossary);
      }
      if (!a.startsWith('reader:')) return engine.checkJson(t, a, true, true);
      const [, reader, writers] = a.split(':');
      const out = engine.checkForReaderJson(t, reader, writers, true, set.glossary, met.get(a) ?? []);
      if (set.glossary) {
        const parsed = JSON.parse(Buffer.from(out).toString('utf8'));
        if (Array.isArray(parsed.met)) met.set(a, parsed.met);
        if (Array.isArray(parsed.room_terms) && parsed.room_terms.length > 0) explainedInRoom++;
      }
      return out;
    };
    for (const t of texts)
      for (const a of set.audiences) wasm.push(Buffer.from(checkOne(t, a)), Buffer.from('\n'));
    const wasmOut = Buffer.concat(wasm);
    const nativeLines = native.toString('latin1').split('\n');
    const wasmLines = wasmOut.toString('latin1').split('\n');
    if (nativeLines.length !== wasmLines.length) {
      console.error(`${set.dir}: ${nativeLines.length} native results, ${wasmLines.length} wasm results`);
      failures++;
    }
    let differ = 0;
    for (let i = 0; i < Math.min(nativeLines.length, wasmLines.length); i++) {
      if (nativeLines[i] === wasmLines[i]) continue;
      if (++differ <= 5) {
        const text = texts[Math.floor(i / set.audiences.length)];
        console.error(`DIFFERENT for audience ${set.audiences[i % set.audiences.length]}, text ` +
          `${JSON.stringify(text.toString('utf8').slice(0, 100))} ` +
          showDiff(Buffer.from(nativeLines[i], 'latin1'), Buffer.from(wasmLines[i], 'latin1')));
      }
    }
    failures += differ;
    if (set.glossary && explainedInRoom === 0) {
      console.error('the room glossary was never met: the corpus does not exercise it');
      failures++;
    }
    compared += Math.min(nativeLines.length, wasmLines.length) - 1;
    // explain: every term, variant and alternative of the test texts' first words.
    const terms = testTexts.map((t) => t.split(/[.\n]/)[0]).filter((t) => t.length > 0 && t.length < 80);
    const termFile = path.join(tmp, 'terms.bin');
    fs.writeFileSync(termFile, frame(terms.map((t) => Buffer.from(t))));
    const ex = spawnSync(driver, [set.dir, termFile, '--explain'], { maxBuffer: 1 << 30 });
    if (ex.status !== 0) throw new Error(`parity_driver --explain failed: ${ex.stderr}`);
    const exNative = ex.stdout.toString('utf8').split('\n');
    let exDiffer = 0;
    terms.forEach((t, i) => {
      const w = JSON.stringify(engine.explain(t));
      // explain's JSON is compared parsed and re-serialised on both sides (same key order).
      if (JSON.stringify(JSON.parse(exNative[i])) !== w && ++exDiffer <= 5)
        console.error(`explain differs for ${JSON.stringify(t)}:\n  native: ${exNative[i]}\n  wasm:   ${w}`);
    });
    failures += exDiffer;
    console.log(`${path.basename(set.dir)}${set.glossary ? ` with a room glossary (${explainedInRoom} first meetings)` : ''}: ` +
      `${loaded.entries} entries, ${texts.length} texts × ${set.audiences.length} audiences, ${terms.length} explains: ` +
      `${differ + exDiffer} differences`);
  }

  // The real CLI on a sample of valid-UTF-8 texts: parity_driver builds its JSON as the CLI does.
  const home = path.join(tmp, 'home');
  fs.mkdirSync(home);
  const sample = testTexts.filter((t, i) => i % Math.ceil(testTexts.length / 40) === 0).concat(unicodeTexts);
  let cliDiffer = 0;
  for (const [i, t] of sample.entries()) {
    const file = path.join(tmp, `text-${i}.txt`);
    fs.writeFileSync(file, t);
    for (const [dir, audience] of [[path.join(root, 'dictionaries'), 'social-care,education'], [unicodeDir, 'public']]) {
      const cli = spawnSync(liaise, ['check', '--json', '--fix', '--audience', audience, '--dictionaries', dir, file],
        { env: { ...process.env, LIAISE_HOME: home } });
      loadDir(engine, dir);
      const w = Buffer.concat([Buffer.from(engine.checkJson(t, audience, true, true)), Buffer.from('\n')]);
      if (!cli.stdout.equals(w)) {
        if (++cliDiffer <= 5)
          console.error(`liaise check differs for ${JSON.stringify(t.slice(0, 80))} (${audience}): ${cli.stderr}` +
            showDiff(cli.stdout, w));
      }
      // The browser's whole-draft fixes are the CLI's --fix and --explain-fix.
      const draft = engine.draft(t, audience, '');
      const explained = spawnSync(liaise, ['check', '--json', '--explain-fix', '--audience', audience, '--dictionaries', dir, file],
        { env: { ...process.env, LIAISE_HOME: home } });
      const cliFixed = JSON.parse(cli.stdout.toString()).fixed;
      const cliExplained = JSON.parse(explained.stdout.toString()).fixed;
      if ((draft.fixed !== cliFixed || draft.explained !== cliExplained) && ++cliDiffer <= 5)
        console.error(`the draft's fixes differ for ${JSON.stringify(t.slice(0, 80))} (${audience}):\n` +
          `  --fix:         ${JSON.stringify(cliFixed)}\n  draft.fixed:     ${JSON.stringify(draft.fixed)}\n` +
          `  --explain-fix: ${JSON.stringify(cliExplained)}\n  draft.explained: ${JSON.stringify(draft.explained)}`);
    }
  }
  failures += cliDiffer;
  console.log(`liaise check --json --fix and --explain-fix: ${sample.length * 2} texts, ${cliDiffer} differences`);
  fs.rmSync(tmp, { recursive: true, force: true });
  if (failures > 0) {
    console.error(`FAILED: ${failures} differences between the native and WebAssembly engines`);
    process.exit(1);
  }
  console.log(`PASSED: ${compared} check results byte-identical`);
}

main().catch((e) => {
  console.error(e.stack || String(e));
  process.exit(1);
});
