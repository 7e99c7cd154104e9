// The WebAssembly engine's JavaScript API (jargon/wasm/README.md) as the browser client uses it:
// loading (and a bad load keeping the dictionaries before it), errors, explain, and UTF-16
// ranges for underlining.
//   node api_test.js SOURCE_DIR WASM_DIR
'use strict';
const assert = require('assert');
const fs = require('fs');
const path = require('path');

const [root, wasmDir] = process.argv.slice(2);

(async () => {
  const create = require(path.resolve(wasmDir, 'liaise_jargon.js'));
  const engine = await create({ wasmBinary: fs.readFileSync(path.join(wasmDir, 'liaise_jargon.wasm')) });

  assert.deepStrictEqual(engine.check('The CIN plan.', 'public'),
    { error: { code: 'no_dictionaries', message: 'no dictionaries loaded' } });

  const dir = path.join(root, 'tests/data/dicts');
  const dictionaries = fs.readdirSync(dir).filter((f) => f.endsWith('.tsv')).map((f) => ({
    discipline: f.slice(0, -4), tsv: fs.readFileSync(path.join(dir, f), 'utf8') }));
  const reply = { version: 3, dictionaries, common_acronyms: fs.readFileSync(path.join(dir, 'common-acronyms.txt'), 'utf8') };
  const loaded = engine.load(JSON.stringify(reply));
  assert.strictEqual(loaded.ok, true);
  assert.deepStrictEqual(loaded.disciplines, ['education', 'general', 'health', 'social-care']);

  // A bad download reports every problem with its line and keeps the engine loaded before.
  const bad = engine.load({ dictionaries: [{ discipline: 'health', tsv: dictionaries[0].tsv + 'CIN\t\t\t\tacronym\t\n' }] });
  assert.strictEqual(bad.ok, false);
  assert.match(bad.problems.join('\n'), /^health:\d+: /);
  assert.strictEqual(engine.load('not json').ok, false);
  const r = engine.check('The CIN plan was agreed.', 'education');
  assert.deepStrictEqual(r.findings.map((f) => [f.text, f.kind, f.disciplines]), [['CIN', 'acronym', ['social-care']]]);
  assert.strictEqual(r.audience, 'education');
  assert.strictEqual(r.readability, null);
  assert.strictEqual('fixed' in r, false);

  // Arrays and comma lists are the same audience, flagged for whoever of it lacks a term;
  // fix adds the rewritten text.
  const both = engine.check('The CIN plan was agreed.', ['social-care', 'health']);
  assert.strictEqual(both.audience, 'health,social-care');
  assert.deepStrictEqual(both.findings.map((f) => f.text), ['CIN']);
  const fixed = engine.check('The CIN plan was agreed.', ['social-care'], { fix: true });
  assert.strictEqual(fixed.findings.length, 0);
  assert.strictEqual(fixed.fixed, 'The CIN plan was agreed.');
  // "CIN plan": CIN describes the plan, so the fix explains it rather than replacing it.
  assert.strictEqual(engine.check('The CIN plan was agreed.', 'education', { fix: true }).fixed,
    'The CIN (child in need) plan was agreed.');
  assert.strictEqual(engine.check('The CIN was closed.', 'education', { fix: true }).fixed,
    'The child who needs extra help was closed.');
  assert.strictEqual(engine.check('x', 'social-care,,').error.code, 'bad_audience');

  // Offsets are UTF-8 bytes; utf16Ranges gives what a browser's strings use.
  const text = '😀 Ünïcödé — the CIN plan and the XYZ.';
  const found = engine.check(text, 'public');
  assert.deepStrictEqual(found.findings.map((f) => f.text), ['CIN', 'XYZ']);
  assert.notStrictEqual(found.findings[0].start, text.indexOf('CIN'));
  assert.deepStrictEqual(engine.utf16Ranges(text, found.findings).map(([s, e]) => text.slice(s, e)), ['CIN', 'XYZ']);

  // Reading: a nurse reading a social worker's "CP" is told what the social worker means by it
  // (child protection, that meaning only); from another nurse it means what she thinks; the CIN
  // from social care is explained either way.
  const fromSocialWorker = engine.checkForReader('The CP conference and the CIN plan.', 'health', ['social-care']);
  assert.deepStrictEqual(fromSocialWorker.findings.map((f) => [f.text, f.meanings.map((m) => m.discipline)]),
    [['CP', ['social-care']], ['CIN', ['social-care']]]);
  assert.strictEqual(fromSocialWorker.reader, 'health');
  const fromNurse = engine.checkForReader('The CP conference and the CIN plan.', 'health', 'health');
  assert.deepStrictEqual(fromNurse.findings.map((f) => f.text), ['CIN']);
  assert.strictEqual(engine.checkForReader('CP', '', 'health').error.code, 'bad_audience');

  // Writing: "CP" means two things (child protection, cerebral palsy); written by a social
  // worker it means theirs (the writer settles the meaning), so it can be replaced; from a
  // writer whose discipline is not known it is left for them to choose.
  const cp = 'The CP conference was held.';
  const unsettled = engine.draft(cp, 'education', []);
  assert.deepStrictEqual(unsettled.findings[0].meanings.map((m) => m.discipline), ['health', 'social-care']);
  assert.strictEqual(unsettled.fixes.length, 1);
  assert.strictEqual(unsettled.fixes[0].replace, null);
  assert.strictEqual(unsettled.fixes[0].explain, null);
  assert.strictEqual(unsettled.fixed, cp);
  const settled = engine.draft(cp, 'education', ['social-care']);
  assert.deepStrictEqual(settled.findings[0].meanings.map((m) => m.discipline), ['social-care']);
  assert.strictEqual(settled.audience, 'education');
  // "CP conference": CP describes the conference, so it is explained, not replaced.
  assert.strictEqual(settled.fixes[0].replace, null);
  assert.deepStrictEqual(settled.fixes[0].explain, { start: 4, end: 6, text: 'CP (child protection)' });
  assert.strictEqual(settled.fixed, 'The CP (child protection) conference was held.');
  assert.strictEqual(settled.explained, settled.fixed);
  // Each finding's own fixes, in UTF-8 bytes: an article changes to fit ("a" before a vowel).
  const holistic = engine.draft('Ünï wrote a holistic plan for the CIN.', 'public', 'social-care');
  assert.deepStrictEqual(holistic.findings.map((f) => f.text), ['holistic', 'CIN']);
  const [h, cin] = holistic.fixes;
  assert.deepStrictEqual(h.replace && h.replace.text, 'an all-round');
  assert.ok(h.replace.start < holistic.findings[0].start, 'the fix takes the article in');
  assert.strictEqual(cin.replace.text, 'child who needs extra help');
  assert.strictEqual(cin.explain.text, 'CIN (child in need)');
  const [[s16, e16]] = engine.utf16Ranges('Ünï wrote a holistic plan for the CIN.', [h.replace]);
  assert.strictEqual('Ünï wrote a holistic plan for the CIN.'.slice(s16, e16), 'a holistic');
  assert.strictEqual(holistic.fixed, 'Ünï wrote an all-round plan for the child who needs extra help.');
  assert.strictEqual(holistic.explained, 'Ünï wrote a holistic (all-round) plan for the CIN (child in need).');
  // Not a modifier: "the CP" alone, settled, is replaced.
  assert.strictEqual(engine.draft('The CP was discussed.', 'education', 'social-care').fixed, 'The child protection was discussed.');
  // The room's agreed terms pass in a room of professionals (apply_glossary, as `liaise send`):
  // the CIN is no longer flagged, fixed or explained; in a room that includes the public it is.
  const agreed = [{ term: 'CIN', meaning: 'child in need, as this room uses it', by: 'ann', at: 1 }];
  const inRoom = engine.draft('Ünï wrote a holistic plan for the CIN.', 'education', 'social-care', agreed);
  assert.deepStrictEqual(inRoom.findings.map((f) => f.text), ['holistic']);
  assert.strictEqual(inRoom.fixes.length, 1);
  assert.strictEqual(inRoom.explained, 'Ünï wrote a holistic (all-round) plan for the CIN.');
  assert.deepStrictEqual(engine.draft('Ünï wrote a holistic plan for the CIN.', 'public', 'social-care', agreed)
    .findings.map((f) => f.text), ['holistic', 'CIN']);
  // A glossary that does not validate (brackets in a term) is not applied, as in the CLI.
  assert.deepStrictEqual(engine.draft('The CIN.', 'education', [], [{ term: '(CIN)', meaning: 'x' }])
    .findings.map((f) => f.text), ['CIN']);
  assert.strictEqual(engine.draftJson('The CIN.', 'education', [], false, []),
    engine.draftJson('The CIN.', 'education', [], false));
  // The reader's side (meet_agreed_terms, as `liaise read`): an agreed term is not marked; the
  // room's meaning is given the first time the reader meets it, then not again.
  const readOnce = engine.checkForReader('The CIN plan. The CIN again.', 'education', ['social-care'], agreed, []);
  assert.deepStrictEqual(readOnce.findings.map((f) => f.text), []);
  assert.deepStrictEqual(readOnce.room_terms, [{ term: 'CIN', meaning: agreed[0].meaning }]);
  assert.deepStrictEqual(readOnce.met, ['cin']);
  const readAgain = engine.checkForReader('The CIN plan.', 'education', ['social-care'], agreed, readOnce.met);
  assert.deepStrictEqual([readAgain.findings.length, readAgain.room_terms], [0, []]);
  assert.strictEqual(engine.checkForReader('The CIN plan.', 'education', ['social-care']).room_terms, undefined);
  assert.strictEqual(engine.draft('x', 'education', 'public').error.code, 'bad_audience');
  assert.strictEqual(engine.draft('x', 'education,,', []).error.code, 'bad_audience');

  const explained = engine.explain('CIN');
  assert.strictEqual(explained.term, 'CIN');
  assert.deepStrictEqual(explained.meanings.map((m) => m.discipline), ['social-care']);
  assert.deepStrictEqual(engine.explain('no such term'), { term: 'no such term', meanings: [] });

  // Bytes in, bytes out: the same JSON; invalid UTF-8 is read as separators, not refused.
  const asBytes = engine.checkJson(Buffer.from('The CIN plan.'), 'public', false, true);
  assert.strictEqual(Buffer.from(asBytes).toString(), engine.checkJson('The CIN plan.', 'public', false));
  const invalid = JSON.parse(Buffer.from(engine.checkJson(Buffer.from([0x43, 0x49, 0x4e, 0xff, 0x20, 0x43, 0x50]), 'public', false, true)).toString('latin1'));
  assert.deepStrictEqual(invalid.findings.map((f) => f.text), ['CIN', 'CP']);
  // Reading age for families: the same rule and JSON as the native engine (reading_age.hpp).
  const hard = 'Following the multi-agency strategy discussion, the local authority determined that the ' +
    'threshold for statutory intervention under section forty-seven had been met, and an initial ' +
    'child protection conference will be convened.';
  const family = 'We met on Monday. ' + hard + ' Sam is safe at home.';
  const age = engine.readingAge(family);
  assert.strictEqual(age.sentences, 3);
  assert.strictEqual(age.above_aim, true);
  assert.strictEqual(age.aim, '9-11');
  assert.deepStrictEqual(age.hardest.map((h) => h.text), [hard]);
  assert.strictEqual(age.hardest[0].start, Buffer.byteLength('We met on Monday. '));
  assert.strictEqual(engine.readingAge('We met on Monday. Sam is safe.').above_aim, false);
  assert.deepStrictEqual(engine.readingAge('12 34'), { reading_age: null });
  assert.strictEqual(engine.readingAge(family, 0).hardest.length, 0);
  console.log('PASSED');
})().catch((e) => {
  console.error(e.stack || String(e));
  process.exit(1);
});
