// The browser client's crypto and protocol code (web/src) against the golden vectors in
// protocol/testdata/vectors: identities, key numbers and safety numbers, the login signature,
// envelopes sealed with fixed keys and nonces (byte for byte, and opened by every recipient),
// the keystore (sealed byte for byte and opened), the minutes digest in both its encodings, and
// the reply and event shapes. Needs no
// server: `node --test test/vectors.test.mjs` in web/.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, test } from 'node:test';
import { bundled } from './bundle.mjs';

const vectors = new URL('../../protocol/testdata/vectors/', import.meta.url);
const load = (name) => JSON.parse(readFileSync(new URL(name, vectors), 'utf8'));
const identity = load('identity.json');
const login = load('login.json');
const envelopes = load('envelope.json');
const keystore = load('passphrase-sealed-device.json');
const frames = load('frames.json');
const continuity = load('continuity.json');
const minutesDigests = load('minutes-digest.json');
const minutesReceipts = load('minutes-receipts.json');

let c; // the browser's modules, bundled for Node

before(async () => {
  c = await bundled(`export * from './src/crypto/keys'; export * from './src/crypto/envelope';
                 export * from './src/crypto/safety'; export * from './src/crypto/sodium';
                 export * from './src/crypto/continuity';
                 export { minutesDigest } from './src/client/minutes-digest';
                 export { acknowledgementMessage, circulationDigest, commentMessage } from './src/client/minutes-receipts';
                 export { describeEvent, describeNotice } from './src/client/words';`);
  await c.loadSodium();
});


const b64 = (s) => {
  const bytes = c.fromBase64(s);
  assert.ok(bytes, `${s} is URL-safe base64 without padding`);
  return bytes;
};
const hex = (bytes) => Buffer.from(bytes).toString('hex');
const device = (name) => identity.devices.find((d) => d.device === name);
/** The device's keys as the browser holds them after opening its keystore. */
const keysOf = (d) => ({
  signSecret: b64(d.sign_secret_key),
  boxSecret: b64(d.box_secret_key),
  identity: { signKey: b64(d.sign_key), boxKey: b64(d.box_key), boxKeySignature: b64(d.box_key_signature) },
});

test('identities: the sign key from its seed, the box key and its signature, the key number', () => {
  assert.ok(identity.devices.length >= 2);
  for (const d of identity.devices) {
    const pair = c.sodium.crypto_sign_seed_keypair(b64(d.sign_seed));
    assert.equal(c.toBase64(pair.publicKey), d.sign_key, d.device);
    assert.equal(c.toBase64(pair.privateKey), d.sign_secret_key, d.device);
    assert.equal(c.toBase64(c.sodium.crypto_scalarmult_base(b64(d.box_secret_key))), d.box_key, d.device);
    const id = c.identityFromJson(d);
    assert.ok(id && c.verifyIdentity(id), `${d.device}'s box key signature verifies`);
    assert.deepEqual(c.identityToJson(id), { sign_key: d.sign_key, box_key: d.box_key, box_key_signature: d.box_key_signature });
    assert.equal(c.keyNumber(id.signKey), d.fingerprint, d.device);
    // Ed25519 signatures are deterministic: the browser's own signature over the box key is the vector's.
    const made = c.sodium.crypto_sign_detached(c.concat('liaise-box-key-v1', id.boxKey), b64(d.sign_secret_key));
    assert.equal(c.toBase64(made), d.box_key_signature, d.device);
  }
  // An identity whose box key is signed by another device does not verify.
  const [a, b] = identity.devices;
  assert.equal(c.verifyIdentity({ ...c.identityFromJson(a), boxKeySignature: b64(b.box_key_signature) }), false);
});

test('safety numbers: every pair, in either order, with repeated and unsorted keys', () => {
  assert.ok(identity.safety_numbers.length >= 3);
  for (const pair of identity.safety_numbers) {
    const party = (p) => ({ account: p.account, signKeys: p.sign_keys.map(b64) });
    assert.equal(c.safetyNumber(party(pair.a), party(pair.b)), pair.safety_number);
    assert.equal(c.safetyNumber(party(pair.b), party(pair.a)), pair.safety_number);
    // Each party's 30 digits appear in the number, the smaller first.
    const [x, y] = [pair.a.digits, pair.b.digits].sort();
    assert.equal(pair.safety_number.replaceAll(' ', ''), x + y);
    // Another account name with the same keys gives another number.
    assert.notEqual(c.safetyNumber({ ...party(pair.a), account: `${pair.a.account}x` }, party(pair.b)), pair.safety_number);
  }
});

test('the login signature and the login request', () => {
  const d = device(login.device);
  assert.equal(d.sign_key, login.sign_key);
  const challenge = b64(login.challenge);
  assert.equal(hex(c.concat('liaise-login-v1', challenge)), login.signed_hex);
  const signature = c.signLogin(keysOf(d), challenge);
  assert.equal(c.toBase64(signature), login.signature);
  assert.equal(c.sodium.crypto_sign_verify_detached(signature, Buffer.from(login.signed_hex, 'hex'), b64(login.sign_key)), true);
  assert.equal(c.sodium.crypto_sign_verify_detached(signature, challenge, b64(login.sign_key)), false,
    'the label is part of what is signed');
  // The request as web/src/client/session.ts builds it.
  const request = { type: 'login', id: login.request.id, user: d.account, device: d.device, signature: c.toBase64(signature) };
  assert.deepEqual(request, login.request);
  assert.equal(JSON.stringify(request), JSON.stringify(login.request));
});

test('envelopes sealed with the fixed keys and nonces are the vectors, byte for byte', () => {
  assert.ok(envelopes.envelopes.length >= 2);
  for (const v of envelopes.envelopes) {
    const i = v.inputs;
    const sender = keysOf(device(i.sender));
    const history = {
      sender: i.history.sender, counter: i.history.counter, sentAt: i.history.sent_at,
      previousSeq: i.history.previous_seq, previousHash: i.history.previous_hash ? b64(i.history.previous_hash) : new Uint8Array(0),
    };
    const recipients = i.recipients.map((r) => ({ device: r, boxKey: b64(device(r).box_key) }));
    const env = c.seal(sender, i.sender, i.room, i.client_msg_id, i.plaintext, recipients, history, {
      messageKey: b64(i.message_key), nonce: b64(i.nonce), wrapNonces: i.wrap_nonces.map(b64),
    });
    assert.equal(hex(c.associatedData(3, i.room, i.sender, i.client_msg_id)), v.associated_data_hex);
    assert.equal(hex(c.transcript(env)), v.transcript_hex);
    assert.deepEqual(c.envelopeToJson(env), v.envelope);
    assert.equal(JSON.stringify(c.envelopeToJson(env)), v.envelope_text, 'the exact text, fields in order');
    assert.equal(c.toBase64(c.messageHash(env)), v.message_hash);
    // The vector's text read back gives the same envelope and hash.
    const parsed = c.envelopeFromJson(JSON.parse(v.envelope_text));
    assert.equal(c.toBase64(c.messageHash(parsed)), v.message_hash);
  }
  // The second envelope's history names the first's hash.
  const [first, second] = envelopes.envelopes;
  assert.equal(second.inputs.history.previous_hash, first.message_hash);
});

test('every recipient opens its copy of each vector envelope; nobody else does', () => {
  for (const v of envelopes.envelopes) {
    const senderId = c.identityFromJson(device(v.inputs.sender));
    for (const [name, text] of Object.entries(v.copies)) {
      const copy = c.envelopeFromJson(JSON.parse(text));
      assert.equal(copy.keys.length, 1, `${name}'s copy holds only its own wrapped key`);
      assert.equal(copy.keys[0].device, name);
      assert.equal(c.open(copy, keysOf(device(name)), name, senderId), v.opens_to[name]);
      assert.equal(c.toBase64(c.messageHash(copy)), v.message_hash, 'the hash does not depend on the copy');
    }
    // A device that is not a recipient cannot open the full envelope.
    const outsider = identity.devices.find((d) => !v.inputs.recipients.includes(d.device));
    if (outsider) {
      assert.throws(() => c.open(c.envelopeFromJson(v.envelope), keysOf(outsider), outsider.device, senderId),
        (e) => e.code === 'not_a_recipient');
    }
    // Another device's copy, claimed by a recipient, or a changed field: refused.
    const [one, two] = Object.keys(v.copies);
    assert.throws(() => c.open(c.envelopeFromJson(JSON.parse(v.copies[one])), keysOf(device(two)), two, senderId),
      (e) => e.code === 'not_a_recipient');
    for (const change of [{ room: 'case-9999' }, { counter: v.envelope.counter + 1 }, { sent_at: v.envelope.sent_at + 1 },
      { client_msg_id: 'another' }, { recipients: v.envelope.recipients.slice(1) }]) {
      const changed = c.envelopeFromJson({ ...JSON.parse(v.copies[one]), ...change });
      assert.throws(() => c.open(changed, keysOf(device(one)), one, senderId), (e) => e.code === 'bad_signature',
        `changed ${Object.keys(change)[0]} is refused`);
    }
  }
});

test('the keystore: the Argon2id key, sealed byte for byte, opened, and refused when wrong', () => {
  const k = keystore.keystore;
  assert.equal(JSON.stringify(k), keystore.keystore_text);
  const key = c.deriveKey(keystore.passphrase, b64(k.salt), k.opslimit, k.memlimit);
  assert.equal(c.toBase64(key), keystore.derived_key);
  const keys = c.openKeystore(keystore.keystore_text, keystore.passphrase);
  const d = device('alice-laptop');
  assert.deepEqual(keys, keysOf(d));
  const sealed = c.sealKeystore(keys, keystore.passphrase, { ops: k.opslimit, mem: k.memlimit },
    { salt: b64(k.salt), nonce: b64(k.nonce) });
  assert.equal(sealed, keystore.keystore_text);
  assert.equal(c.keystoreWeak(keystore.keystore_text), true, 'INTERACTIVE limits are below MODERATE');
  // The passphrase is taken as UTF-8 exactly: another normalisation of é does not open it.
  assert.throws(() => c.openKeystore(keystore.keystore_text, keystore.passphrase.normalize('NFD')),
    (e) => e.code === 'bad_passphrase');
  assert.throws(() => c.openKeystore(keystore.keystore_text, `${keystore.passphrase} `), (e) => e.code === 'bad_passphrase');
});

/** A frame conforms to a shape: every 'always' field, each field of one of its kinds, no other. */
function conforms(frame, shape, skip) {
  const kindOf = (v) => (v === null ? 'null' : Array.isArray(v) ? 'array' : Number.isInteger(v) ? 'integer'
    : typeof v === 'number' ? 'number' : typeof v === 'boolean' ? 'boolean' : typeof v);
  const fields = new Map(shape.fields.map((f) => [f.name, f]));
  for (const f of shape.fields) if (f.always && !(f.name in frame)) return `missing ${f.name}`;
  for (const [name, value] of Object.entries(frame)) {
    if (skip.includes(name)) continue;
    const f = fields.get(name);
    if (!f) return `unexpected field ${name}`;
    const kind = kindOf(value);
    if (!f.kinds.includes(kind) && !(kind === 'integer' && f.kinds.includes('number'))) return `${name} is ${kind}`;
  }
  return null;
}

test('minutes digests, v2 and v1, are the vectors byte for byte; any changed field of what each covers changes them', () => {
  const labels = { 'liaise-minutes-v1': 1, 'liaise-minutes-v2': 2 };
  const seen = { 1: 0, 2: 0 };
  for (const v of minutesDigests.vectors) {
    const version = labels[v.label];
    assert.ok(version, `a vector's label: ${v.label}`);
    seen[version] += 1;
    const digest = (m) => hex(c.minutesDigest(m, v.act, v.account, v.signed_at, version));
    assert.equal(digest(v.minutes), v.digest, `${v.label}: ${v.act} by ${v.account}`);
    // One changed word gives another digest, in either encoding.
    const changed = structuredClone(v.minutes);
    changed.title = `${changed.title}.`;
    assert.notEqual(digest(changed), v.digest);
    // What v2 added: covered by v2 only.
    for (const edit of [
      (m) => { m.case_reference = 'CP-9/27'; },
      (m) => { if (m.sections?.length) m.sections[0].text += ' Changed.'; else m.sections = [{ id: 'risks', text: 'x' }]; },
      (m) => { if (m.reports?.length) m.reports[0].shared_with_parents = !m.reports[0].shared_with_parents; else m.reports = [{ report: 'x' }]; },
      (m) => { m.agency_views = [...(m.agency_views ?? []), { agency: 'Police', view: 'Disagrees.' }]; },
      (m) => { if (m.attendance.length) m.attendance[0].receives = ['purpose']; else m.kind_label = 'Other'; },
    ]) {
      const m = structuredClone(v.minutes);
      edit(m);
      if (version === 2) assert.notEqual(digest(m), v.digest, `${edit}`);
      else assert.equal(digest(m), v.digest, `v1 does not cover: ${edit}`);
    }
  }
  assert.ok(seen[1] >= 3 && seen[2] >= 3, JSON.stringify(seen));
  // The C++ default, what is signed now, is v2.
  const v2 = minutesDigests.vectors.find((v) => v.label === 'liaise-minutes-v2');
  assert.equal(hex(c.minutesDigest(v2.minutes, v2.act, v2.account, v2.signed_at)), v2.digest);
});

test('signed acknowledgements and comments are the vectors byte for byte, sign the same, and bind every field', () => {
  const kinds = { acknowledgement: 0, comment: 0 };
  for (const v of minutesReceipts.vectors) {
    kinds[v.kind] += 1;
    const d = device(v.device);
    assert.equal(d.sign_key, v.sign_key, v.device);
    const ack = v.kind === 'acknowledgement';
    const fields = ack
      ? { meeting: v.meeting, room: v.room, version: v.version, circulation: Buffer.from(v.circulation, 'hex'), account: v.account, signedAt: v.signed_at }
      : { meeting: v.meeting, version: v.version, section: v.section, text: v.text, account: v.account, signedAt: v.signed_at };
    const message = (f) => (ack ? c.acknowledgementMessage(f) : c.commentMessage(f));
    assert.equal(hex(message(fields)), v.message, `${v.kind} by ${v.device}`);
    // Ed25519 is deterministic: the browser's signature with the device's key is the vector's.
    assert.equal(c.toBase64(c.sodium.crypto_sign_detached(message(fields), b64(d.sign_secret_key))), v.signature);
    assert.ok(c.sodium.crypto_sign_verify_detached(b64(v.signature), message(fields), b64(v.sign_key)));
    // Any field changed, and the signature no longer verifies: a replay onto another version,
    // another person's name, other words.
    for (const edit of ack
      ? [(f) => { f.version += 1; }, (f) => { f.meeting += 1; }, (f) => { f.room += 'x'; }, (f) => { f.account = 'mallory'; }, (f) => { f.signedAt += 1; },
        (f) => { f.circulation = Uint8Array.from(f.circulation, (b, i) => (i === 0 ? b ^ 1 : b)); }]
      : [(f) => { f.version += 1; }, (f) => { f.text += '!'; }, (f) => { f.section = 'actions'; }, (f) => { f.account = 'mallory'; }, (f) => { f.signedAt += 1; }]) {
      const changed = { ...fields };
      edit(changed);
      assert.equal(c.sodium.crypto_sign_verify_detached(b64(v.signature), message(changed), b64(v.sign_key)), false, `${edit}`);
    }
  }
  assert.deepEqual(kinds, { acknowledgement: 2, comment: 2 });
  // The circulation digest is the v2 digest the circulator signed.
  const circulated = minutesDigests.vectors.find((v) => v.label === 'liaise-minutes-v2' && v.act === 'circulate');
  const m = { ...structuredClone(circulated.minutes), signatures: [{ act: 'circulate', user: circulated.account, signed_at: circulated.signed_at }] };
  assert.equal(hex(c.circulationDigest(m)), circulated.digest);
  assert.equal(hex(c.circulationDigest(m)), minutesReceipts.vectors[0].circulation);
});

test('reply and event shapes: the examples conform, and the browser reads them', () => {
  const shapes = new Map([...frames.replies.map((s) => [`reply:${s.name}`, s]),
    ...frames.events.map((s) => [`event:${s.name}`, s]), ['error', frames.error]]);
  let events = 0;
  let envelopesRead = 0;
  let identitiesRead = 0;
  for (const ex of frames.examples) {
    const shape = shapes.get(ex.shape);
    assert.ok(shape, `${ex.shape} has a shape`);
    assert.equal(conforms(ex.frame, shape, ['re', 'type']), null, ex.shape);
    // A frame with one more field, or without an 'always' one, does not conform.
    assert.notEqual(conforms({ ...ex.frame, surprise: 1 }, shape, ['re', 'type']), null);
    const always = shape.fields.find((f) => f.always);
    if (always) {
      const less = { ...ex.frame };
      delete less[always.name];
      assert.notEqual(conforms(less, shape, ['re', 'type']), null);
    }
    // What the browser makes of them: room events in words, envelopes and device keys parsed.
    const stored = ex.shape === 'reply:sync' ? ex.frame.messages : ex.shape === 'event:message' ? [ex.frame] : [];
    for (const m of stored) {
      if (m.event) {
        const words = c.describeEvent(m.event);
        assert.ok(words && !/undefined|null|\[object/.test(words), `${m.event.kind}: "${words}"`);
        events++;
      }
      if (m.envelope) {
        assert.equal(c.envelopeFromJson(m.envelope).room, m.room);
        assert.ok(c.identityFromJson(m.sender_keys), 'sender_keys parse');
        envelopesRead++;
      }
    }
    for (const d of ex.shape === 'reply:user_keys' ? ex.frame.devices : []) {
      assert.ok(c.verifyIdentity(c.identityFromJson(d)), `device ${d.device}'s keys verify`);
      identitiesRead++;
    }
    if (ex.shape.startsWith('event:') && ex.shape !== 'event:message') {
      const words = c.describeNotice(ex.frame, 'someone-else');
      if (words !== null) assert.ok(!/undefined|\[object/.test(words), `${ex.shape}: "${words}"`);
    }
  }
  assert.ok(events > 0 && identitiesRead > 0, `room events ${events}, envelopes ${envelopesRead}, identities ${identitiesRead}`);
});

test('continuity: the recovery key, its backup key pair, and a typed key read loosely', () => {
  const r = continuity.recovery;
  const secret = b64(r.secret);
  assert.equal(c.recoveryText(secret), r.text);
  assert.equal(c.toBase64(c.backupKeyPair(secret).publicKey), r.backup_public_key);
  assert.deepEqual(c.parseRecoveryKey(r.text), secret);
  // Any case, dashes, O for 0 and I/L for 1.
  const loose = r.text.toLowerCase().replaceAll(' ', '-').replaceAll('0', 'o').replaceAll('1', 'l');
  assert.deepEqual(c.parseRecoveryKey(loose), secret);
  // One symbol changed, two swapped, one missing: bad_recovery_key, before anything is fetched.
  const symbols = r.text.replaceAll(' ', '');
  const changed = (symbols[0] === 'A' ? 'B' : 'A') + symbols.slice(1);
  const swapped = symbols[1] + symbols[0] + symbols.slice(2);
  assert.notEqual(swapped, symbols);
  for (const wrong of [changed, swapped, symbols.slice(1), `${symbols}U`])
    assert.throws(() => c.parseRecoveryKey(wrong), (e) => e.code === 'bad_recovery_key', wrong);
  // A fresh key reads back to itself.
  const fresh = c.newRecoverySecret();
  assert.deepEqual(c.parseRecoveryKey(c.recoveryText(fresh)), fresh);
  assert.match(c.recoveryText(fresh), /^([0-9A-HJKMNP-TV-Z]{4} ){11}[0-9A-HJKMNP-TV-Z]{4}$/);
});

test('continuity: a backup entry opens with the recovery key; a moved one and a wrong key do not', () => {
  const b = continuity.backup_entry;
  const secret = b64(continuity.recovery.secret);
  const entry = { room: b.room, seq: b.seq, messageHash: b64(b.message_hash), key: b64(b.message_key) };
  assert.equal(hex(c.keyEntryPlaintext(entry)), b.plaintext_hex);
  const opened = c.openBackupEntry(secret, b64(b.sealed), b.room, b.seq);
  assert.deepEqual(opened, entry);
  // The browser's own seal (random ephemeral key) opens the same way.
  const mine = c.sealKeyEntry(entry, b64(continuity.recovery.backup_public_key));
  assert.deepEqual(c.openBackupEntry(secret, mine, b.room, b.seq), entry);
  assert.throws(() => c.openBackupEntry(secret, b64(b.moved_sealed), b.room, b.seq), (e) => e.code === 'bad_backup_entry');
  assert.throws(() => c.openBackupEntry(secret, b64(b.sealed), 'case-9999', b.seq), (e) => e.code === 'bad_backup_entry');
  assert.throws(() => c.openBackupEntry(c.newRecoverySecret(), b64(b.sealed), b.room, b.seq), (e) => e.code === 'bad_backup_entry');
  // The key opens the vector envelope only through its commitment.
  const env = c.envelopeFromJson(envelopes.envelopes[0].envelope);
  assert.equal(c.toBase64(c.messageHash(env)), b.message_hash);
  assert.equal(c.openWithKey(env, opened.key), envelopes.envelopes[0].inputs.plaintext);
  assert.throws(() => c.openWithKey(env, c.sodium.randombytes_buf(32)), (e) => e.code === 'bad_wrapped_key');
  const alice = keysOf(device('alice-laptop'));
  assert.deepEqual(c.messageKeyFor(env, alice, 'alice-laptop', alice.identity), opened.key);
});

test('continuity: the backup public key record, signed byte for byte', () => {
  const r = continuity.backup_key_record;
  const rec = { account: r.account, version: r.version, publicKey: b64(r.public_key), device: r.device };
  assert.equal(hex(c.backupKeyTranscript(rec)), r.transcript_hex);
  const alice = keysOf(device(r.device));
  assert.equal(c.toBase64(c.signBackupKey(rec, alice)), r.signature);
  assert.equal(c.backupKeyValid(rec, b64(r.signature), alice.identity.signKey), true);
  assert.equal(c.backupKeyValid({ ...rec, version: 2 }, b64(r.signature), alice.identity.signKey), false);
  assert.equal(c.backupKeyValid(rec, b64(r.signature), keysOf(device('bob-phone')).identity.signKey), false);
});

test('continuity: the transfer bundle opens with its code, byte for byte, and nothing else opens it', async () => {
  const t = continuity.transfer;
  const derive = async (p, salt, ops, mem) => c.deriveKey(p, salt, ops, mem);
  const alice = keysOf(device(t.from_device));
  const signer = (d) => (d === t.from_device ? alice.identity.signKey : null);
  const opened = await c.openTransfer(derive, t.bundle_text, t.code, t.account, signer);
  const b = continuity.backup_entry;
  assert.deepEqual(opened, { account: t.account, fromDevice: t.from_device,
    entries: [{ room: b.room, seq: b.seq, messageHash: b64(b.message_hash), key: b64(b.message_key) }] });
  // Sealed again with the vector's salt and nonce: the same bytes.
  const bundle = JSON.parse(t.bundle_text);
  const again = await c.sealTransfer(derive, opened, alice, t.code.toLowerCase(), { salt: b64(bundle.salt), nonce: b64(bundle.nonce) });
  assert.equal(again, t.bundle_text);
  await assert.rejects(c.openTransfer(derive, t.bundle_text, '7K3QD-M9XPB', t.account, signer), (e) => e.code === 'bad_transfer_code');
  await assert.rejects(c.openTransfer(derive, t.bundle_text, t.code, 'bob', signer), (e) => e.code === 'bad_transfer');
  await assert.rejects(c.openTransfer(derive, t.bundle_text, t.code, t.account, () => keysOf(device('bob-phone')).identity.signKey),
    (e) => e.code === 'bad_transfer');
  await assert.rejects(c.openTransfer(derive, t.bundle_text, 'not a code', t.account, signer), (e) => e.code === 'bad_transfer_code');
  assert.match(c.newTransferCode(), /^[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}$/);
  assert.equal(c.normaliseTransferCode('7k3qd m9xpa'), '7K3QDM9XPA');
});

test('continuity: the history share, its transcript, signature and entry, and a forged one refused', () => {
  const v = continuity.share;
  const s = c.shareFromJson(v.share);
  assert.deepEqual(c.shareToJson(s), v.share);
  assert.equal(JSON.stringify(c.shareToJson(s)), v.share_text);
  assert.equal(hex(c.shareTranscript(s)), v.transcript_hex);
  const alice = keysOf(device('alice-laptop'));
  const again = { ...s };
  c.signShare(again, alice);
  assert.equal(c.toBase64(again.signature), v.share.signature);
  assert.equal(c.shareValid(s, alice.identity.signKey), true);
  assert.equal(c.shareValid({ ...s, since: s.since - 1 }, alice.identity.signKey), false);
  assert.equal(c.shareValid(s, keysOf(device('bob-phone')).identity.signKey), false);
  const bob = keysOf(device('bob-phone'));
  const e = s.entries[0];
  const entry = c.openSharedEntry(bob, e.sealed, s.room, e.seq);
  assert.equal(c.toBase64(entry.key), continuity.backup_entry.message_key);
  assert.deepEqual(entry.messageHash, e.messageHash);
  assert.throws(() => c.openSharedEntry(bob, e.sealed, s.room, e.seq + 1), (x) => x.code === 'bad_share');
  assert.throws(() => c.openSharedEntry(keysOf(device('bob-laptop')), e.sealed, s.room, e.seq), (x) => x.code === 'bad_share');
  assert.throws(() => c.shareFromJson({ ...v.share, entries: 'no' }), (x) => x.code === 'bad_share');
});
