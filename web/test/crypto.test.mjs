// The browser client's crypto (web/src/crypto) against the C++ code, by interoperating with
// the real `liaise` command: keystores move both ways, key numbers and safety numbers agree;
// and tampering is refused.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { bundled } from './bundle.mjs';
import { PASSPHRASE, Server } from './support.mjs';

const server = new Server();
let c; // the crypto modules, bundled for Node

before(async () => {
  c = await bundled(`export * from './src/crypto/keys'; export * from './src/crypto/envelope';
                 export * from './src/crypto/safety'; export * from './src/crypto/sodium';`);
  await c.loadSodium();
  await server.init();
  await server.start();
  await server.cli('ann', ['enrol', '--server', `ws://127.0.0.1:${server.port}`, '--code', server.adminCode]);
});

after(() => server.cleanup());

test('a keystore made by the liaise command opens in the browser code, with the same key number', async () => {
  const json = readFileSync(join(server.home('ann'), 'keystore.json'), 'utf8');
  const keys = c.openKeystore(json, PASSPHRASE);
  const printed = await server.cli('ann', ['fingerprint']);
  assert.ok(printed.includes(c.keyNumber(keys.identity.signKey)), `${printed} has the key number`);
  assert.throws(() => c.openKeystore(json, 'not the passphrase'), (e) => e.code === 'bad_passphrase');
  const o = JSON.parse(json);
  const box = c.fromBase64(o.box);
  box[10] ^= 1;
  assert.throws(() => c.openKeystore(JSON.stringify({ ...o, box: c.toBase64(box) }), PASSPHRASE), (e) => e.code === 'bad_passphrase');
  assert.throws(() => c.openKeystore(JSON.stringify({ ...o, extra: 1 }), PASSPHRASE), (e) => e.code === 'bad_keystore');
  assert.throws(() => c.openKeystore(JSON.stringify({ ...o, opslimit: 1 }), PASSPHRASE), (e) => e.code === 'bad_keystore');
});

test('a keystore sealed by the browser code works in the liaise command', async () => {
  // bea's device is made and sealed in JavaScript, enrolled by the command with those keys.
  const code = JSON.parse(await server.cli('ann', ['admin', 'enrol', 'bea', '--agency', 'Westshire Council',
    '--role', 'member', '--display-name', 'Bea Patel', '--json'])).code;
  await server.cli('bea', ['enrol', '--server', `ws://127.0.0.1:${server.port}`, '--code', code]);
  const cli = c.openKeystore(readFileSync(join(server.home('bea'), 'keystore.json'), 'utf8'), PASSPHRASE);
  // Sealed again by the browser code, with its own salt and nonce, replacing the command's.
  const sealed = c.sealKeystore(cli, PASSPHRASE);
  assert.notEqual(sealed, readFileSync(join(server.home('bea'), 'keystore.json'), 'utf8'));
  writeFileSync(join(server.home('bea'), 'keystore.json'), sealed);
  const whoami = await server.cli('bea', ['whoami']);
  assert.match(whoami, /^bea \(Bea Patel\)/);

  // Safety numbers agree: ann and bea share a room, and the command prints theirs.
  await server.cli('ann', ['room', 'create', 'case-7', '--member', 'bea']);
  const shown = JSON.parse(await server.cli('ann', ['fingerprint', 'bea', '--json']));
  const ann = c.openKeystore(readFileSync(join(server.home('ann'), 'keystore.json'), 'utf8'), PASSPHRASE);
  const mine = c.safetyNumber({ account: 'ann', signKeys: [ann.identity.signKey] },
    { account: 'bea', signKeys: [cli.identity.signKey] });
  assert.equal(mine, shown.safety_number);
  assert.notEqual(c.safetyNumber({ account: 'ann', signKeys: [ann.identity.signKey] },
    { account: 'bee', signKeys: [cli.identity.signKey] }), shown.safety_number);
});

test('envelopes: sealed and opened; any change to what is signed is refused', () => {
  const a = c.generateDeviceKeys();
  const b = c.generateDeviceKeys();
  assert.ok(c.verifyIdentity(a.identity));
  const history = { sender: 'ann', counter: 1, sentAt: 1795000000000, previousSeq: 0, previousHash: new Uint8Array(0) };
  // Recipients whose UTF-8 order differs from UTF-16 order sort as C++ sorts them.
  const env = c.seal(a, '\u{FFFF}', 'case-2041', 'id-1', 'Hello 👋',
    [{ device: '\u{1F600}', boxKey: b.identity.boxKey }, { device: '\u{FFFF}', boxKey: a.identity.boxKey }], history);
  assert.deepEqual(env.recipients, ['\u{FFFF}', '\u{1F600}']);
  const wire = JSON.parse(JSON.stringify(c.envelopeToJson(env)));
  assert.deepEqual(Object.keys(wire), ['v', 'room', 'sender_device', 'client_msg_id', 'nonce', 'ciphertext',
    'key_commitment', 'recipients', 'sender', 'counter', 'sent_at', 'previous_seq', 'signature', 'keys']);
  assert.equal(c.open(c.envelopeFromJson(wire), b, '\u{1F600}', a.identity), 'Hello 👋');
  const flipped = c.envelopeFromJson(wire);
  flipped.ciphertext[0] ^= 1;
  assert.throws(() => c.open(flipped, b, '\u{1F600}', a.identity), (e) => e.code === 'bad_signature');
  const other = c.envelopeFromJson({ ...wire, counter: 2 });
  assert.throws(() => c.open(other, b, '\u{1F600}', a.identity), (e) => e.code === 'bad_signature');
  assert.throws(() => c.open(c.envelopeFromJson(wire), b, 'nobody', a.identity), (e) => e.code === 'not_a_recipient');
  assert.throws(() => c.open(c.envelopeFromJson(wire), b, '\u{1F600}', b.identity), (e) => e.code === 'bad_signature');
});
