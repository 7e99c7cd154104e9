// The browser's history checks (web/src/client/ledger.ts) against PROTOCOL.md's table,
// "Checking the history": the same warnings as the `liaise` command for holes in the room's
// seqs, replays, counters, clocks, the sender's previous message and new readers, each done the
// way a server would try it. Needs no server: `node --test test/ledger.test.mjs` in web/.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { bundled } from './bundle.mjs';

let L;

before(async () => {
  L = await bundled(`export * from './src/client/ledger';`);
});


const T0 = 1796000000000;
const nobody = () => '';

/** A message as the server shows it; history fields default to an honest sender's. */
function msg(seq, { sender = 'bea', device = '2', counter, sentAt = T0 + seq * 1000, serverAt, previousSeq = 0,
  previousHash = '', hash = `hash-${seq}`, recipients = ['1', '2'], signedSender, v = 3 } = {}) {
  return {
    seq, sentAt: serverAt ?? sentAt, sender, senderDevice: device, hash, v, recipients,
    history: v === 3 ? { sender: signedSender ?? sender, counter: counter ?? seq, sentAt, previousSeq, previousHash } : null,
  };
}

const codes = (ws) => ws.map((w) => w.code);

test('an honest room gives no warnings, events included', () => {
  const l = L.newLedger();
  assert.deepEqual(L.observe(l, msg(1, { counter: 1 }), nobody), []);
  assert.deepEqual(L.observeEvent(l, 2, false), []);
  assert.deepEqual(L.observe(l, msg(3, { counter: 2, previousSeq: 1, previousHash: 'hash-1' }), nobody), []);
  assert.deepEqual(L.observe(l, msg(4, { sender: 'cal', device: '3', counter: 7, previousSeq: 3, previousHash: 'hash-3' }), nobody), []);
  assert.equal(l.firstSeq, 1);
  assert.equal(l.contiguousTo, 4);
  // Shown again (a reload, a reconnect): the same messages say nothing.
  assert.deepEqual(L.observe(l, msg(3, { counter: 2, previousSeq: 1, previousHash: 'hash-1' }), nobody), []);
});

test('a seq the server leaves out is a gap in words; a rejoin is not', () => {
  const l = L.newLedger();
  L.observe(l, msg(5, { counter: 1 }), nobody);
  const one = L.observe(l, msg(7, { counter: 2 }), nobody);
  assert.deepEqual(codes(one), ['gap']);
  assert.match(one[0].message, /^message #6 of this room was not shown to this device/);
  const many = L.observeEvent(l, 11, false);
  assert.match(many[0].message, /^messages #8 to #10 of this room were not shown/);
  assert.deepEqual(L.observeEvent(l, 20, true), [], 'added back to the room: the seqs it was out for are not a hole');
  assert.deepEqual(L.observeEvent(l, 21, false), []);
});

test('another message at a seq shown before is a replay', () => {
  const l = L.newLedger();
  L.observe(l, msg(1, { counter: 1 }), nobody);
  L.observe(l, msg(2, { counter: 2 }), nobody);
  const w = L.observe(l, msg(2, { counter: 2, hash: 'forged' }), nobody);
  assert.ok(codes(w).includes('replay'));
  assert.match(w[0].message, /message #2 is not the message this device was shown as #2 before/);
});

test('counters: a withheld message is a gap, an old one shown as new a replay', () => {
  const l = L.newLedger();
  L.observe(l, msg(1, { counter: 4 }), nobody);
  const gap = L.observe(l, msg(2, { counter: 7 }), nobody);
  assert.deepEqual(codes(gap), ['gap']);
  assert.match(gap[0].message, /^2 earlier messages from bea are missing/);
  const replay = L.observe(l, msg(3, { counter: 6 }), nobody);
  assert.deepEqual(codes(replay), ['replay']);
  assert.match(replay[0].message, /old message shown again as new/);
  // History read again (a seq at or below the highest seen from that device) is not compared.
  assert.deepEqual(L.observe(l, msg(2, { counter: 7 }), nobody), []);
  // Another device of the same person keeps its own count.
  assert.deepEqual(L.observe(l, msg(4, { device: '9', counter: 100 }), nobody), []);
});

test('the sender’s clock more than 10 minutes from the server’s', () => {
  const l = L.newLedger();
  assert.deepEqual(L.observe(l, msg(1, { counter: 1, sentAt: T0, serverAt: T0 + 9 * 60000 }), nobody), []);
  const late = L.observe(l, msg(2, { counter: 2, sentAt: T0, serverAt: T0 + 25 * 60000 }), nobody);
  assert.deepEqual(codes(late), ['clock']);
  assert.equal(late[0].message, 'bea’s device says it was sent 25 minutes earlier than the server says');
  const ahead = L.observe(l, msg(3, { counter: 3, sentAt: T0 + 3 * 3600000, serverAt: T0 }), nobody);
  assert.match(ahead[0].message, /180 minutes later than the server says/);
});

test('signed by one account, shown as from another', () => {
  const l = L.newLedger();
  const w = L.observe(l, msg(1, { counter: 1, sender: 'cal', signedSender: 'bea' }), nobody);
  assert.deepEqual(codes(w), ['sender_mismatch']);
  assert.equal(w[0].message, 'shown as from cal, but signed as a message from bea');
});

test('the message the sender had seen last must be the one this device was shown there', () => {
  const l = L.newLedger();
  L.observe(l, msg(1, { counter: 1 }), nobody);
  L.observe(l, msg(2, { sender: 'cal', device: '3', counter: 1 }), nobody);
  // Shown differently: bea saw another message at #2.
  const other = L.observe(l, msg(3, { counter: 2, previousSeq: 2, previousHash: 'what-bea-saw' }), nobody);
  assert.deepEqual(codes(other), ['gap']);
  assert.match(other[0].message, /^bea had seen a message \(#2\) that this device was not shown, or was shown differently/);
  // A previous_seq not below its own seq.
  assert.deepEqual(codes(L.observe(l, msg(4, { counter: 3, previousSeq: 4, previousHash: 'hash-4' }), nobody)), ['gap']);
  // A seq in the contiguous range with no message hash (this device was shown an event there).
  L.observeEvent(l, 5, false);
  assert.deepEqual(codes(L.observe(l, msg(6, { counter: 4, previousSeq: 5, previousHash: 'x' }), nobody)), ['gap']);
  // Beyond the contiguous range (never shown to this device): not flagged.
  const k = L.newLedger();
  L.observe(k, msg(10, { counter: 1 }), nobody);
  assert.deepEqual(L.observe(k, msg(11, { counter: 2, previousSeq: 8, previousHash: 'y' }), nobody), []);
});

test('a reader the room never had before is named by its pinned owner', () => {
  const l = L.newLedger();
  assert.deepEqual(L.observe(l, msg(1, { counter: 1, recipients: ['1', '2'] }), nobody), [], 'the first message sets who reads');
  const w = L.observe(l, msg(2, { counter: 2, recipients: ['1', '2', '9', '12'] }),
    (d) => (d === '9' ? 'Ghost Person (Nowhere Ltd)' : ''));
  assert.deepEqual(codes(w), ['new_reader']);
  assert.equal(w[0].message, 'also readable by Ghost Person (Nowhere Ltd) (device 9), device 12, who could not read this room’s earlier messages');
  assert.deepEqual(L.observe(l, msg(3, { counter: 3, recipients: ['1', '9'] }), nobody), []);
});

test('history before the first thing shown, and a new start, are not checked as holes', () => {
  const l = L.newLedger();
  L.observe(l, msg(50, { counter: 10 }), nobody);
  // Scrolling up: older messages are not this device's history (no gap, no counter check).
  assert.deepEqual(L.observe(l, msg(40, { counter: 1, previousSeq: 39, previousHash: 'z' }), nobody), []);
  assert.equal(l.firstSeq, 50);
  // ... but a different message at a seq it was shown is still a replay.
  assert.deepEqual(codes(L.observe(l, msg(40, { counter: 1, hash: 'other' }), nobody)), ['replay']);
  // Opening the room at its newest page after a long time away is a new start.
  L.readingFrom(l, 200);
  assert.deepEqual(L.observe(l, msg(201, { counter: 11 }), nobody), []);
  assert.equal(l.firstSeq, 201);
  // Reading from within what was seen changes nothing.
  L.readingFrom(l, 150);
  assert.equal(l.firstSeq, 201);
});

test('sending: counters and the last message seen; a stored ledger from before keeps working', () => {
  const l = L.fromStore({ counter: 3, lastSeq: 0, lastHash: '', hashes: {}, senders: {}, readers: ['ann/1'], recipientsSeen: [], seenAny: false });
  assert.equal(l.firstSeq, 0);
  assert.deepEqual(L.nextHistory(l), { counter: 4, previousSeq: 0, previousHash: '' });
  L.sent(l, 1, 'mine-1', '1', 4, ['1', '2']);
  L.observe(l, msg(2, { counter: 1 }), nobody);
  assert.deepEqual(L.nextHistory(l), { counter: 5, previousSeq: 2, previousHash: 'hash-2' });
  L.sent(l, 3, 'mine-3', '1', 5, ['1', '2']);
  assert.equal(l.contiguousTo, 3);
  // Its own message shown back to it says nothing.
  assert.deepEqual(L.observe(l, msg(3, { sender: 'ann', device: '1', counter: 5, hash: 'mine-3', previousSeq: 2, previousHash: 'hash-2' }), nobody), []);
});

test('only the newest 4000 hashes are kept', () => {
  const l = L.newLedger();
  for (let s = 1; s <= 4010; s++) L.observe(l, msg(s, { counter: s }), nobody);
  assert.equal(Object.keys(l.hashes).length, 4000);
  assert.equal(l.hashes['10'], undefined);
  assert.equal(l.hashes['11'], 'hash-11');
});
