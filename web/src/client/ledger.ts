// What this browser remembers of each room's history, to check what the server shows against
// what senders signed (PROTOCOL.md, "Checking the history"): the same rules and warnings as the
// `liaise` command's ledger (client/src/ledger.cpp). Pure functions on a plain object that the
// session keeps in IndexedDB (`ledger:ROOM`); web/test/ledger.test.mjs holds them to the table.

/** Something a reader should know about a message: a stable code and a sentence. */
export interface Warning {
  code: string; // gap, replay, sender_mismatch, clock, new_reader, key_changed
  message: string;
}

export interface Ledger {
  counter: number; // this device's last counter in the room
  firstSeq: number; // the first seq this device was shown (0: nothing yet)
  contiguousTo: number; // seen without a hole from firstSeq up to here
  lastSeq: number; // the newest message seen (for the next message's previous_seq)
  lastHash: string;
  hashes: Record<string, string>; // seq -> base64 message hash, the most recent kHashesKept
  senders: Record<string, { counter: number; seq: number }>; // sender device -> last seen
  readers: string[]; // "user/device" this device has encrypted to
  recipientsSeen: string[]; // devices the room's messages were encrypted to
  seenAny: boolean;
}

/** What the server showed at a seq, once its signature has been verified. */
export interface Shown {
  seq: number;
  sentAt: number; // the server's time
  sender: string; // the account the server says sent it
  senderDevice: string;
  hash: string; // base64 message hash
  v: number;
  history: { sender: string; counter: number; sentAt: number; previousSeq: number; previousHash: string } | null;
  recipients: string[];
}

export const kHashesKept = 4000;
/** The most a sender's clock may differ from the server's before a reader is told. */
export const kClockToleranceMs = 10 * 60 * 1000;

export function newLedger(): Ledger {
  return {
    counter: 0, firstSeq: 0, contiguousTo: 0, lastSeq: 0, lastHash: '', hashes: {}, senders: {},
    readers: [], recipientsSeen: [], seenAny: false,
  };
}

/** A stored ledger, with any field an older version did not keep set to its start. */
export function fromStore(stored: Partial<Ledger> | undefined): Ledger {
  return { ...newLedger(), ...(stored ?? {}) };
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

function trim(l: Ledger): void {
  const seqs = Object.keys(l.hashes);
  if (seqs.length <= kHashesKept) return;
  for (const s of seqs.map(Number).sort((a, b) => a - b).slice(0, seqs.length - kHashesKept)) delete l.hashes[String(s)];
}

function oldestHash(l: Ledger): number {
  let min = Infinity;
  for (const s of Object.keys(l.hashes)) min = Math.min(min, Number(s));
  return min;
}

/** Extends the history seen with `seq`; a hole before it is a gap, and a new start. */
function seen(l: Ledger, seq: number, rejoined: boolean): Warning | null {
  if (l.firstSeq === 0) {
    l.firstSeq = seq;
    l.contiguousTo = seq;
    return null;
  }
  if (seq <= l.contiguousTo) return null; // seen before: the hash check says if it is the same
  const from = l.contiguousTo + 1;
  l.contiguousTo = seq;
  if (seq === from) return null;
  // Every seq is a message or an event for each member: a hole is something left out, unless
  // this account was out of the room and has just been added again.
  l.firstSeq = seq;
  if (rejoined) return null;
  return {
    code: 'gap',
    message: `${seq - from === 1 ? `message #${from} of this room was` : `messages #${from} to #${seq - 1} of this room were`} ` +
      'not shown to this device (withheld by the server, or lost)',
  };
}

/**
 * Before showing the room from after `after`: starting beyond what this device has seen (the
 * newest page of a room it has not read for a while) is a new start, not a hole.
 */
export function readingFrom(l: Ledger, after: number): void {
  if (l.firstSeq !== 0 && after > l.contiguousTo) {
    l.firstSeq = 0;
    l.contiguousTo = 0;
  }
}

/** Something at `seq` that is not a checkable message (a room event, or a bad signature). */
export function observeEvent(l: Ledger, seq: number, rejoined: boolean): Warning[] {
  const hole = seen(l, seq, rejoined);
  return hole ? [hole] : [];
}

/**
 * Checks one message and remembers it. `ownerOf` names a recipient device's pinned owner for
 * the new-reader warning ('' when not known). Returns nothing on an honest server.
 */
export function observe(l: Ledger, m: Shown, ownerOf: (device: string) => string): Warning[] {
  const out: Warning[] = [];
  const key = String(m.seq);
  const who = m.v === 3 && m.history ? m.history.sender : m.sender;
  if (l.hashes[key] && l.hashes[key] !== m.hash)
    out.push({ code: 'replay', message: `message #${m.seq} is not the message this device was shown as #${m.seq} before` });
  // History from before the first thing this device was shown (loaded by scrolling up) is not
  // its history: only a changed message at a seq it was shown is worth saying.
  if (l.firstSeq !== 0 && m.seq < l.firstSeq) {
    if (!l.hashes[key]) l.hashes[key] = m.hash;
    trim(l);
    return out;
  }
  const h = m.v === 3 ? m.history : null;
  if (h) {
    if (h.sender !== m.sender)
      out.push({ code: 'sender_mismatch', message: `shown as from ${m.sender}, but signed as a message from ${h.sender}` });
    const skew = Math.abs(h.sentAt - m.sentAt);
    if (skew > kClockToleranceMs)
      out.push({ code: 'clock', message: `${who}’s device says it was sent ${Math.floor(skew / 60000)} minutes ${h.sentAt < m.sentAt ? 'earlier' : 'later'} than the server says` });
    const st = l.senders[m.senderDevice];
    if (st && m.seq > st.seq) {
      if (h.counter > st.counter + 1) {
        const n = h.counter - st.counter - 1;
        out.push({ code: 'gap', message: `${plural(n, 'earlier message', 'earlier messages')} from ${who} ${n === 1 ? 'is' : 'are'} missing (withheld by the server, or lost)` });
      } else if (h.counter <= st.counter) {
        out.push({ code: 'replay', message: `this message from ${who} was shown before: an old message shown again as new` });
      }
    }
    if (!st || m.seq > st.seq) l.senders[m.senderDevice] = { counter: Math.max(h.counter, st?.counter ?? 0), seq: m.seq };
    // The message the sender had seen last must be one this device was shown there.
    if (h.previousSeq > 0) {
      const prev = l.hashes[String(h.previousSeq)];
      const within = h.previousSeq >= l.firstSeq && h.previousSeq <= l.contiguousTo;
      if (h.previousSeq >= m.seq ||
        (prev !== undefined ? prev !== h.previousHash
          : within && Object.keys(l.hashes).length > 0 && h.previousSeq >= oldestHash(l)))
        out.push({ code: 'gap', message: `${who} had seen a message (#${h.previousSeq}) that this device was not shown, or was shown differently` });
    }
  }
  if (m.v >= 2) {
    if (l.recipientsSeen.length > 0) {
      const added = m.recipients.filter((d) => !l.recipientsSeen.includes(d)).map((d) => {
        const owner = ownerOf(d);
        return owner ? `${owner} (device ${d})` : `device ${d}`;
      });
      if (added.length > 0)
        out.push({ code: 'new_reader', message: `also readable by ${added.join(', ')}, who could not read this room’s earlier messages` });
    }
    for (const d of m.recipients) if (!l.recipientsSeen.includes(d)) l.recipientsSeen.push(d);
  }
  l.seenAny = true;
  l.hashes[key] = m.hash;
  if (m.seq > l.lastSeq) {
    l.lastSeq = m.seq;
    l.lastHash = m.hash;
  }
  trim(l);
  const hole = seen(l, m.seq, false);
  if (hole) out.unshift(hole);
  return out;
}

/** The history fields of this device's next message: the next counter and the last message seen. */
export function nextHistory(l: Ledger): { counter: number; previousSeq: number; previousHash: string } {
  l.counter += 1;
  const hash = l.lastSeq > 0 ? l.hashes[String(l.lastSeq)] : undefined;
  return { counter: l.counter, previousSeq: hash ? l.lastSeq : 0, previousHash: hash ?? '' };
}

/** Remembers a message this device sent, stored at `seq`. */
export function sent(l: Ledger, seq: number, hash: string, senderDevice: string, counter: number, recipients: string[]): void {
  l.hashes[String(seq)] = hash;
  if (seq > l.lastSeq) {
    l.lastSeq = seq;
    l.lastHash = hash;
  }
  l.senders[senderDevice] = { counter, seq };
  for (const r of recipients) if (!l.recipientsSeen.includes(r)) l.recipientsSeen.push(r);
  l.seenAny = true;
  if (seq === l.contiguousTo + 1) l.contiguousTo = seq; // its own message: no hole, no proof of one
  trim(l);
}

/**
 * A checked withdrawal of message `seq` by its sender's device (PROTOCOL.md, "Withdrawing a
 * message"): its hash is remembered, and a message this device was not shown counts as that
 * device's next one, so that its following message is not taken for a gap.
 */
export function withdrawn(l: Ledger, seq: number, senderDevice: string, hash: string): void {
  if (!l.hashes[String(seq)]) l.hashes[String(seq)] = hash;
  const st = l.senders[senderDevice];
  if (st && st.seq < seq) l.senders[senderDevice] = { counter: st.counter + 1, seq };
}
