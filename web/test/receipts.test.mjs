// Signed acknowledgements and accuracy comments in the browser client (PROTOCOL.md, "Signed
// acknowledgements and comments"), without a server: MinutesClient's checks against keys pinned
// in a session held in memory, played by a server that invents an acknowledgement, moves one
// onto another version, re-attributes one, or rewrites a comment. Only an acknowledgement or a
// comment the recipient's pinned key signed is "verified"; the rest say so in words.
// `node --test test/receipts.test.mjs` in web/.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, test } from 'node:test';
import { bundled } from './bundle.mjs';

let c;

before(async () => {
  c = await bundled(`export * from './src/client/minutes'; export * from './src/client/minutes-receipts';
                 export * from './src/crypto/keys'; export * from './src/crypto/sodium';`);
  await c.loadSodium();
});


/** A session as MinutesClient sees it, for `user`: pins kept in memory. */
function session(user, keys, verified = {}) {
  const pins = {};
  return {
    user, account: {}, keys,
    pinnedKey: (u, d) => pins[u]?.[d],
    otherOwner: (u, k) => Object.entries(pins).find(([o, ds]) => o !== u && Object.values(ds).includes(k))?.[0],
    knowsAnyKey: (u) => Object.keys(pins[u] ?? {}).length > 0,
    isVerified: (u) => verified[u] === true,
    pinKey: async (u, d, k) => { (pins[u] ??= {})[d] = k; },
  };
}

const digestVectors = () => JSON.parse(readFileSync(new URL('../../protocol/testdata/vectors/minutes-digest.json', import.meta.url), 'utf8')).vectors;

/** A fixed version as meeting_show shows it, circulated (signed) by tess. */
function circulated(version = 1) {
  const v = digestVectors().find((x) => x.label === 'liaise-minutes-v2' && x.act === 'circulate');
  return { ...structuredClone(v.minutes), version, status: 'circulated', signatures: [{ act: 'circulate', user: v.account, signed_at: v.signed_at }] };
}

/** `keys` (bea's device d1, or an impostor's) acknowledge `minutes` as bea: the entry the server would show. */
function acknowledged(minutes, keys, { user = 'bea', device = 'd1', signedAt = 1830000100000 } = {}) {
  const message = c.acknowledgementMessage({
    meeting: minutes.meeting, room: minutes.room, version: minutes.version,
    circulation: c.circulationDigest(minutes), account: user, signedAt,
  });
  return {
    user, name: 'Bea Patel', agency: 'Riverside Primary', sent_at: 1, received_at: 2, acknowledged_at: signedAt + 5,
    ack_signature: { device, signed_at: signedAt, signature: c.toBase64(c.sign(keys, message)), signer_keys: { device, ...c.identityToJson(keys.identity) } },
  };
}

function commented(keys, { user = 'bea', device = 'd1', text = 'The decision was a plan, not an enquiry.' } = {}) {
  const signedAt = 1830000200000;
  const fields = { meeting: 9, version: 1, section: 'decisions', text, account: user, signedAt };
  return {
    comment: 1, meeting: 9, version: 1, section: 'decisions', by: { user, display_name: 'Bea Patel', agency: 'Riverside Primary' },
    sent_at: signedAt + 5, text, status: 'open', signed_at: signedAt, device,
    signature: c.toBase64(c.sign(keys, c.commentMessage(fields))), signer_keys: { device, ...c.identityToJson(keys.identity) },
  };
}

test('an acknowledgement verifies only for the version, meeting and person its device signed', async () => {
  const bea = c.generateDeviceKeys();
  const mallory = c.generateDeviceKeys();
  const chair = session('sam', c.generateDeviceKeys());
  await chair.pinKey('bea', 'd1', c.toBase64(bea.identity.signKey));
  const client = new c.MinutesClient(chair);
  const v1 = circulated(1);
  let r = await client.checkAcknowledgement(v1, acknowledged(v1, bea));
  assert.equal(r.result, 'verified', r.words);
  assert.equal(r.words, 'acknowledged by Bea Patel (bea, Riverside Primary), signature verified');

  // Invented: signed by a key of the server's for bea's device. The pinned key is used.
  r = await client.checkAcknowledgement(v1, acknowledged(v1, mallory));
  assert.equal(r.result, 'does_not_verify');
  assert.match(r.words, /^the server shows an acknowledgement from Bea Patel \(bea\) that their device did not sign: NOT verified, do not count it as acknowledged/);
  assert.match(r.words, /another key for bea’s device d1/);

  // Replayed: bea's acknowledgement of version 1 shown on version 2 (another text, another number).
  const v2 = circulated(2);
  v2.decisions = [...(v2.decisions ?? []), { id: 99, decision: 'A corrected decision.' }];
  r = await client.checkAcknowledgement(v2, acknowledged(v1, bea));
  assert.equal(r.result, 'does_not_verify', 'a version 1 acknowledgement does not acknowledge version 2');

  // The text changed under it: the circulation digest differs.
  const changed = structuredClone(v1);
  changed.title = 'Another meeting';
  r = await client.checkAcknowledgement(changed, acknowledged(v1, bea));
  assert.equal(r.result, 'does_not_verify');

  // Re-attributed: cal's genuine acknowledgement shown as bea's.
  const cal = c.generateDeviceKeys();
  await chair.pinKey('cal', 'c1', c.toBase64(cal.identity.signKey));
  const calsAck = acknowledged(v1, cal, { user: 'cal', device: 'c1' });
  r = await client.checkAcknowledgement(v1, { ...calsAck, user: 'bea', name: 'Bea Patel' });
  assert.equal(r.result, 'does_not_verify');

  // Recorded before acknowledgements were signed: not verified, and said so.
  r = await client.checkAcknowledgement(v1, { ...acknowledged(v1, bea), ack_signature: null });
  assert.equal(r.result, 'not_signed');
  assert.match(r.words, /recorded before acknowledgements were signed: not signed, so not verified$/);

  // A verified person's unknown device is refused, never pinned.
  const careful = session('sam', c.generateDeviceKeys(), { bea: true });
  await careful.pinKey('bea', 'd1', c.toBase64(bea.identity.signKey));
  r = await new c.MinutesClient(careful).checkAcknowledgement(v1, acknowledged(v1, mallory, { device: 'd2' }));
  assert.equal(r.result, 'does_not_verify');
  assert.equal(careful.pinnedKey('bea', 'd2'), undefined);
});

test('a comment verifies only with the words and section its device signed', async () => {
  const bea = c.generateDeviceKeys();
  const chair = session('sam', c.generateDeviceKeys());
  await chair.pinKey('bea', 'd1', c.toBase64(bea.identity.signKey));
  const client = new c.MinutesClient(chair);
  const honest = commented(bea);
  let r = await client.checkComment(honest);
  assert.equal(r.result, 'verified', r.words);
  assert.equal(r.words, 'signed by Bea Patel’s device, signature verified');
  for (const [what, edit] of [
    ['its words', (x) => { x.text = 'No changes are needed.'; }],
    ['its section', (x) => { x.section = 'general'; }],
    ['its version', (x) => { x.version = 2; }],
    ['its author', (x) => { x.by = { ...x.by, user: 'cal' }; }],
  ]) {
    const x = structuredClone(honest);
    edit(x);
    r = await client.checkComment(x);
    assert.equal(r.result, 'does_not_verify', what);
  }
  const x = structuredClone(honest);
  x.text = 'No changes are needed.';
  r = await client.checkComment(x);
  assert.match(r.words, /^the server shows a comment from Bea Patel \(bea\) that their device did not sign: NOT verified, these may not be their words/);
  // Stripped of its signature: not signed, never verified.
  r = await client.checkComment({ ...x, signature: null });
  assert.equal(r.result, 'not_signed');
});
