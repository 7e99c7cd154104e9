// Envelopes (PROTOCOL.md, "Envelopes (version 3)"): seal version 3; open versions 1, 2 and 3;
// the message hash. A port of seal(), open() and message_hash() in protocol/src/crypto.cpp.
import { Encoder } from './encoder';
import { CryptoError, type DeviceKeys, type PublicIdentity, verifyIdentity } from './keys';
import { compareUtf8, fromBase64, fromBase64Sized, sodium, toBase64, utf8 } from './sodium';

const kEnvelopeV1 = 'liaise-envelope-v1';
const kEnvelopeV2 = 'liaise-envelope-v2';
const kEnvelopeV3 = 'liaise-envelope-v3';
const kMessageHash = 'liaise-message-hash-v3';
const kCommitment = 'liaise-message-key-commitment-v2';
const kAd = 'liaise-envelope-ad-v1';

export interface WrappedKey {
  device: string;
  wrapped: Uint8Array;
}

export interface History {
  sender: string;
  counter: number;
  sentAt: number;
  previousSeq: number;
  previousHash: Uint8Array; // 32 bytes when previousSeq > 0, else empty
}

export interface Envelope {
  v: number;
  room: string;
  senderDevice: string;
  clientMsgId: string;
  nonce: Uint8Array;
  ciphertext: Uint8Array;
  keyCommitment: Uint8Array; // v2 and v3
  recipients: string[]; // v2 and v3, ascending byte order
  history: History | null; // v3
  signature: Uint8Array;
  keys: WrappedKey[];
}

export interface Recipient {
  device: string;
  boxKey: Uint8Array;
}

/** The AEAD associated data of an envelope. */
export function associatedData(v: number, room: string, senderDevice: string, clientMsgId: string): Uint8Array {
  return new Encoder().str(kAd).num(v).str(room).str(senderDevice).str(clientMsgId).result();
}

function commitment(messageKey: Uint8Array): Uint8Array {
  return sodium.crypto_generichash(32, utf8.encode(kCommitment), messageKey);
}

/** What the sender signs (see envelope_transcript in crypto.cpp). */
export function transcript(env: Envelope): Uint8Array {
  const e = new Encoder()
    .str(env.v === 3 ? kEnvelopeV3 : env.v === 2 ? kEnvelopeV2 : kEnvelopeV1)
    .num(env.v).str(env.room).str(env.senderDevice).str(env.clientMsgId)
    .bin(env.nonce).bin(env.ciphertext);
  if (env.v >= 2) {
    e.bin(env.keyCommitment).num(env.recipients.length);
    for (const r of env.recipients) e.str(r);
    if (env.v === 3 && env.history) {
      const h = env.history;
      e.str(h.sender).num(h.counter).num(h.sentAt).num(h.previousSeq).bin(h.previousHash);
    }
    return e.result();
  }
  const keys = [...env.keys].sort((a, b) => {
    const d = compareUtf8(a.device, b.device);
    if (d !== 0) return d;
    for (let i = 0; i < Math.min(a.wrapped.length, b.wrapped.length); i++) {
      const x = (a.wrapped[i] as number) - (b.wrapped[i] as number);
      if (x !== 0) return x;
    }
    return a.wrapped.length - b.wrapped.length;
  });
  e.num(keys.length);
  for (const k of keys) e.str(k.device).bin(k.wrapped);
  return e.result();
}

/**
 * The random values a seal uses. Only the golden-vector test (web/test/vectors.test.mjs) fixes
 * them; a real seal always draws fresh ones.
 */
export interface SealRandomness {
  messageKey: Uint8Array; // 32 bytes
  nonce: Uint8Array; // 24 bytes
  wrapNonces: Uint8Array[]; // 24 bytes each, one per recipient in sorted order
}

function freshRandomness(count: number): SealRandomness {
  return {
    messageKey: sodium.crypto_aead_xchacha20poly1305_ietf_keygen(),
    nonce: sodium.randombytes_buf(24),
    wrapNonces: Array.from({ length: count }, () => sodium.randombytes_buf(24)),
  };
}

/** Seals `text` for `recipients` (every current device of the room, this one included). */
export function seal(sender: DeviceKeys, senderDevice: string, room: string, clientMsgId: string,
  text: string, recipients: Recipient[], history: History,
  random: SealRandomness = freshRandomness(recipients.length)): Envelope {
  if (recipients.length === 0) throw new Error('seal: no recipients');
  if (history.previousHash.length !== (history.previousSeq > 0 ? 32 : 0))
    throw new Error('seal: previous_hash must be 32 bytes exactly when previous_seq > 0');
  if (random.messageKey.length !== 32 || random.nonce.length !== 24 ||
    random.wrapNonces.length !== recipients.length || random.wrapNonces.some((n) => n.length !== 24))
    throw new Error('seal: a 32-byte key, a 24-byte nonce and one 24-byte nonce per recipient');
  const messageKey = random.messageKey.slice();
  const nonce = random.nonce;
  const ciphertext = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(
    utf8.encode(text), associatedData(3, room, senderDevice, clientMsgId), null, nonce, messageKey);
  const sorted = [...recipients].sort((a, b) => compareUtf8(a.device, b.device));
  const keys: WrappedKey[] = sorted.map((r, i) => {
    const shared = sodium.crypto_box_beforenm(r.boxKey, sender.boxSecret);
    const boxNonce = random.wrapNonces[i] as Uint8Array;
    const boxed = sodium.crypto_box_easy_afternm(messageKey, boxNonce, shared);
    sodium.memzero(shared);
    const wrapped = new Uint8Array(72);
    wrapped.set(boxNonce, 0);
    wrapped.set(boxed, 24);
    return { device: r.device, wrapped };
  });
  const env: Envelope = {
    v: 3, room, senderDevice, clientMsgId, nonce, ciphertext,
    keyCommitment: commitment(messageKey),
    recipients: sorted.map((r) => r.device),
    history, signature: new Uint8Array(64), keys,
  };
  sodium.memzero(messageKey);
  env.signature = sodium.crypto_sign_detached(transcript(env), sender.signSecret);
  return env;
}

/** Opens an envelope sent by `sender` to this device; throws CryptoError with the protocol's code. */
export function open(env: Envelope, me: DeviceKeys, myDevice: string, sender: PublicIdentity): string {
  if (env.v < 1 || env.v > 3) throw new CryptoError('bad_request', 'envelope.v: unsupported version');
  if (!verifyIdentity(sender)) throw new CryptoError('bad_signature', 'sender identity does not verify');
  if (!sodium.crypto_sign_verify_detached(env.signature, transcript(env), sender.signKey))
    throw new CryptoError('bad_signature', 'envelope signature does not verify');
  const mine = env.keys.find((k) => k.device === myDevice);
  const listed = env.v === 1 || env.recipients.includes(myDevice);
  if (!mine || !listed)
    throw new CryptoError('not_a_recipient', 'not encrypted for this device (sent before it was enrolled, or not to it)');
  let messageKey: Uint8Array;
  try {
    if (mine.wrapped.length !== 72) throw new Error();
    messageKey = sodium.crypto_box_open_easy(mine.wrapped.subarray(24), mine.wrapped.subarray(0, 24),
      sender.boxKey, me.boxSecret);
  } catch {
    throw new CryptoError('bad_wrapped_key', 'the message key does not unwrap for this device');
  }
  if (env.v >= 2 && !(env.keyCommitment.length === 32 && sodium.memcmp(commitment(messageKey), env.keyCommitment)))
    throw new CryptoError('bad_wrapped_key', 'the message key does not match the signed commitment');
  try {
    if (env.nonce.length !== 24 || env.ciphertext.length < 16) throw new Error();
    const plain = sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(null, env.ciphertext,
      associatedData(env.v, env.room, env.senderDevice, env.clientMsgId), env.nonce, messageKey);
    return new TextDecoder('utf-8', { fatal: true }).decode(plain);
  } catch {
    throw new CryptoError('bad_ciphertext', 'the message does not decrypt');
  } finally {
    sodium.memzero(messageKey);
  }
}

/**
 * The message key of a signed version 2 or 3 envelope, unwrapped for this device and checked
 * against the commitment (what backup, transfer and share move on), or null when there is none.
 * The caller has verified the envelope's signature. The caller wipes the key.
 */
export function messageKeyFor(env: Envelope, me: DeviceKeys, myDevice: string, sender: PublicIdentity): Uint8Array | null {
  const mine = env.keys.find((k) => k.device === myDevice);
  if (env.v < 2 || !mine || mine.wrapped.length !== 72 || env.keyCommitment.length !== 32) return null;
  try {
    const key = sodium.crypto_box_open_easy(mine.wrapped.subarray(24), mine.wrapped.subarray(0, 24),
      sender.boxKey, me.boxSecret);
    if (sodium.memcmp(commitment(key), env.keyCommitment)) return key;
    sodium.memzero(key);
    return null;
  } catch {
    return null;
  }
}

/** BLAKE2b-256("liaise-message-hash-v3" || transcript || signature). */
export function messageHash(env: Envelope): Uint8Array {
  const t = transcript(env);
  const label = utf8.encode(kMessageHash);
  const all = new Uint8Array(label.length + t.length + env.signature.length);
  all.set(label, 0);
  all.set(t, label.length);
  all.set(env.signature, label.length + t.length);
  return sodium.crypto_generichash(32, all, null);
}

/** The envelope's wire form, fields in the order PROTOCOL.md fixes. */
export function envelopeToJson(env: Envelope): Record<string, unknown> {
  const out: Record<string, unknown> = {
    v: env.v, room: env.room, sender_device: env.senderDevice, client_msg_id: env.clientMsgId,
    nonce: toBase64(env.nonce), ciphertext: toBase64(env.ciphertext),
  };
  if (env.v >= 2) {
    out.key_commitment = toBase64(env.keyCommitment);
    out.recipients = env.recipients;
  }
  if (env.v === 3 && env.history) {
    const h = env.history;
    out.sender = h.sender;
    out.counter = h.counter;
    out.sent_at = h.sentAt;
    out.previous_seq = h.previousSeq;
    if (h.previousSeq > 0) out.previous_hash = toBase64(h.previousHash);
  }
  out.signature = toBase64(env.signature);
  out.keys = env.keys.map((k) => ({ device: k.device, wrapped: toBase64(k.wrapped) }));
  return out;
}

/** The envelope from its wire form; throws bad_request naming the field. */
export function envelopeFromJson(o: unknown): Envelope {
  const bad = (field: string) => new CryptoError('bad_request', `envelope.${field}: malformed`);
  if (typeof o !== 'object' || o === null) throw bad('');
  const r = o as Record<string, unknown>;
  const str = (k: string): string => {
    const v = r[k];
    if (typeof v !== 'string' || v.length === 0) throw bad(k);
    return v;
  };
  const int = (k: string): number => {
    const v = r[k];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw bad(k);
    return v;
  };
  const bin = (k: string, size?: number): Uint8Array => {
    const v = typeof r[k] === 'string' ? (size ? fromBase64Sized(r[k], size) : fromBase64(r[k] as string)) : null;
    if (!v) throw bad(k);
    return v;
  };
  const v = int('v');
  if (v < 1 || v > 3) throw bad('v');
  const keysRaw = Array.isArray(r.keys) ? r.keys : [];
  const keys: WrappedKey[] = keysRaw.map((k) => {
    const kr = k as Record<string, unknown>;
    const wrapped = typeof kr.wrapped === 'string' ? fromBase64(kr.wrapped) : null;
    if (typeof kr.device !== 'string' || !wrapped) throw bad('keys');
    return { device: kr.device, wrapped };
  });
  const env: Envelope = {
    v, room: str('room'), senderDevice: str('sender_device'), clientMsgId: str('client_msg_id'),
    nonce: bin('nonce', 24), ciphertext: bin('ciphertext'),
    keyCommitment: v >= 2 ? bin('key_commitment', 32) : new Uint8Array(0),
    recipients: [], history: null, signature: bin('signature', 64), keys,
  };
  if (v >= 2) {
    if (!Array.isArray(r.recipients) || r.recipients.some((x) => typeof x !== 'string')) throw bad('recipients');
    env.recipients = r.recipients as string[];
  }
  if (v === 3) {
    const previousSeq = int('previous_seq');
    env.history = {
      sender: str('sender'), counter: int('counter'), sentAt: int('sent_at'), previousSeq,
      previousHash: previousSeq > 0 ? bin('previous_hash', 32) : new Uint8Array(0),
    };
  }
  return env;
}
