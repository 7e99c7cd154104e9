// Copies of circulated minutes for people without an account, made by the browser client
// (MinutesClient.exportCopy) from the fixed version whose signature it checked, never from the
// server's rendering; played by a server that widens a parent's copy, lifts a section's
// professionals-only marking, or shows the parent as not family. No server is needed: the
// client's requests are answered here. `node --test test/copies.test.mjs` in web/.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, test } from 'node:test';
import { bundled } from './bundle.mjs';

let c;

before(async () => {
  c = await bundled(`export * from './src/client/minutes'; export * from './src/client/minutes-copy';
                 export * from './src/client/minutes-digest'; export * from './src/crypto/keys';
                 export * from './src/crypto/sodium';`);
  await c.loadSodium();
});


/** The golden vector's v2 minutes (PROTOCOL.md): Kelly Smith (entry 2) is the child's mother,
 * a family member who receives purpose, child-views and decision; professional-information and
 * risks are professionals-only. */
function vectorMinutes() {
  const vectors = JSON.parse(readFileSync(new URL('../../protocol/testdata/vectors/minutes-digest.json', import.meta.url), 'utf8')).vectors;
  return vectors.find((x) => x.label === 'liaise-minutes-v2' && x.act === 'circulate');
}

/** A session for `user` that already pinned tess's device t1. */
function session(user, tessKey) {
  const pins = { tess: { t1: tessKey } };
  return {
    user, account: {},
    pinnedKey: (u, d) => pins[u]?.[d],
    otherOwner: () => undefined,
    knowsAnyKey: (u) => Object.keys(pins[u] ?? {}).length > 0,
    isVerified: () => false,
    pinKey: async (u, d, k) => { (pins[u] ??= {})[d] = k; },
  };
}

/** Tess's device signs the version; `shown` is what the server then shows (the same, or changed). */
function setUp(change = () => {}, encoding = 2) {
  const v = vectorMinutes();
  const tess = c.generateDeviceKeys();
  const fixed = { ...structuredClone(v.minutes), status: 'circulated' };
  const digest = c.minutesDigest(fixed, 'circulate', v.account, v.signed_at, encoding);
  fixed.signatures = [{
    act: 'circulate', user: v.account, device: 't1', signed_at: v.signed_at,
    signature: c.toBase64(c.sign(tess, c.signedMessage(digest))),
    signer_keys: { device: 't1', ...c.identityToJson(tess.identity) },
  }];
  const shown = structuredClone(fixed);
  change(shown);
  const client = new c.MinutesClient(session('sam', c.toBase64(tess.identity.signKey)));
  const asked = [];
  // What the server answers. Its own rendering of a copy (meeting_export) is a parent's copy with
  // the police information in it: the client must never ask for it.
  client.call = async (type, fields) => {
    asked.push(type);
    if (type === 'meeting_show') return structuredClone(shown);
    if (type === 'meeting_export') return { version: 1, status: 'circulated', content: '# Police hold intelligence about the partner.' };
    throw new Error(`unexpected request ${type}`);
  };
  return { client, fixed, asked };
}

test('a family member\'s copy is made from the signed version: her sections, nothing professionals-only', async () => {
  const { client, asked } = setUp();
  const md = await client.exportCopy(9, 2, 'markdown', 1);
  assert.deepEqual(asked, ['meeting_export', 'meeting_show'], 'asked (and audited) by the server, then made here');
  assert.match(md.content, /\*\*Copy for:\*\* Kelly Smith \(Mother\), a partial copy: 2 sections left out/);
  assert.match(md.content, /J said he is scared when there is shouting\./);
  assert.doesNotMatch(md.content, /Police hold intelligence/);
  const html = await client.exportCopy(9, 2, 'html', 1);
  assert.match(html.content, /^<!DOCTYPE html>/i);
  assert.doesNotMatch(html.content, /Police hold intelligence/);
  // A professional with no choice recorded gets every section; one given none gets none.
  const rao = await client.exportCopy(9, 3, 'markdown', 1);
  assert.match(rao.content, /Police hold intelligence about the partner\./);
  const jo = await client.exportCopy(9, 4, 'markdown', 1);
  assert.match(jo.content, /a partial copy: 4 sections left out/);
  // Someone with an account, or no such entry, gets no copy.
  await assert.rejects(client.exportCopy(9, 1, 'markdown', 1), { code: 'not_found' });
  await assert.rejects(client.exportCopy(9, 99, 'markdown', 1), { code: 'not_found' });
});

test('a server that changes who gets what, after the chair signed, gets no copy made', async () => {
  const attacks = {
    'widens the parent\'s choice': (m) => { m.attendance[1].receives.push('professional-information'); },
    'lifts the professionals-only marking': (m) => { m.sections[2].professionals_only = false; },
    'shows the parent as not family': (m) => { m.attendance[1].family = false; delete m.attendance[1].receives; },
  };
  for (const [name, change] of Object.entries(attacks)) {
    const { client } = setUp(change);
    await assert.rejects(client.exportCopy(9, 2, 'markdown', 1), (e) => {
      assert.equal(e.code, 'bad_signature', name);
      assert.match(e.message, /not the one signed.*no copy was made/);
      return true;
    }, name);
  }
  // Unsigned (a version shown with its signature removed) is refused too.
  const { client } = setUp((m) => { m.signatures = []; });
  await assert.rejects(client.exportCopy(9, 2, 'markdown', 1), { code: 'bad_signature', message: /carries no signature to check/ });
  // Signed only under v1, which does not cover who gets what: the server's word alone.
  const v1 = setUp(() => {}, 1).client;
  await assert.rejects(v1.exportCopy(9, 2, 'markdown', 1), { code: 'bad_signature', message: /signed before signatures covered copies/ });
});

test('a copy list naming a professionals-only section still leaves it out of a family member\'s copy', () => {
  const { fixed } = setUp();
  const doc = c.copyDocument(fixed, { name: 'Kelly Smith', role: 'Mother', family: true, sections: ['purpose', 'professional-information'] });
  assert.deepEqual(doc.sections.map((s) => s.id), ['purpose']);
  assert.deepEqual(doc.copy_for, { name: 'Kelly Smith', role: 'Mother', family: true, sections_left_out: 3 });
  assert.deepEqual(doc.agenda, [], 'the agenda goes only to a professional who receives every section');
  const whole = c.copyDocument(fixed, c.copyOf(fixed, 3));
  assert.equal(whole.copy_for.sections_left_out, 0);
  assert.deepEqual(whole.agenda, fixed.agenda);
});
