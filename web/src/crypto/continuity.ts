// Continuity (PROTOCOL.md, "Continuity"): the recovery key and the key backup, the device
// transfer and the history share, byte for byte as protocol/src/continuity.cpp writes them
// (checked against protocol/testdata/vectors/continuity.json by web/test/vectors.test.mjs).
// Every key that arrives through one of them opens a message only through openWithKey, which
// checks it against the envelope's signed key commitment: a key the server forges or moves
// opens nothing.
import { Encoder } from './encoder';
import { associatedData, type Envelope } from './envelope';
import { CryptoError, type Derive, type DeviceKeys } from './keys';
import { fromBase64, fromBase64Sized, sodium, toBase64, utf8 } from './sodium';

const kKeyEntry = 'liaise-key-entry-v1';
const kRecoveryCheck = 'liaise-recovery-check-v1';
const kBackupKey = 'liaise-backup-key-v1';
const kBackupPublicKey = 'liaise-backup-public-key-v1';
const kTransfer = 'liaise-transfer-v1';
const kShare = 'liaise-history-share-v1';
const kCommitment = 'liaise-message-key-commitment-v2';
const kBase32 = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'; // Crockford
export const kRecoverySecretBytes = 28;
const kRecoverySymbols = 48;
const kTransferSymbols = 10;
const kSealBytes = 48;
/** Argon2id13 INTERACTIVE limits, as crypto_pwhash_OPSLIMIT/MEMLIMIT_INTERACTIVE. */
export const kTransferLimits = { ops: 2, mem: 67108864 };

/** One message key with what it belongs to: the room, the message's seq and message hash. */
export interface KeyEntry {
  room: string;
  seq: number;
  messageHash: Uint8Array; // 32 bytes
  key: Uint8Array; // 32 bytes
}

// ---- key entries -----------------------------------------------------------------------------

/** str("liaise-key-entry-v1") || str(room) || num(seq) || bin(message_hash) || bin(key). */
export function keyEntryPlaintext(e: KeyEntry): Uint8Array {
  return new Encoder().str(kKeyEntry).str(e.room).num(e.seq).bin(e.messageHash).bin(e.key).result();
}

/** crypto_box_seal of the entry to `to` (a backup public key, or a device's box key). */
export function sealKeyEntry(e: KeyEntry, to: Uint8Array): Uint8Array {
  const plain = keyEntryPlaintext(e);
  const out = sodium.crypto_box_seal(plain, to);
  sodium.memzero(plain);
  return out;
}

/** A reader of the length-prefixed encoding; every read returns null past the end. */
class Reader {
  at = 0;
  constructor(private readonly p: Uint8Array) {}

  num(): number | null {
    if (this.p.length - this.at < 8) return null;
    const n = new DataView(this.p.buffer, this.p.byteOffset + this.at, 8).getBigUint64(0);
    this.at += 8;
    return n > BigInt(Number.MAX_SAFE_INTEGER) ? null : Number(n);
  }

  bin(): Uint8Array | null {
    const n = this.num();
    if (n === null || this.p.length - this.at < n) return null;
    const out = this.p.slice(this.at, this.at + n);
    this.at += n;
    return out;
  }

  str(): string | null {
    const b = this.bin();
    if (!b) return null;
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(b);
    } catch {
      return null;
    }
  }

  done(): boolean {
    return this.at === this.p.length;
  }
}

function parseEntry(p: Uint8Array): KeyEntry | null {
  const r = new Reader(p);
  if (r.str() !== kKeyEntry) return null;
  const room = r.str();
  const seq = r.num();
  const messageHash = r.bin();
  const key = r.bin();
  if (room === null || seq === null || !messageHash || !key || messageHash.length !== 32 || key.length !== 32 ||
    !r.done())
    return null;
  return { room, seq, messageHash, key };
}

/** The entry of an opened plaintext (wiped here), checked to be for `room` and `seq`, or `code`. */
function checkedEntry(plain: Uint8Array, room: string, seq: number, code: string): KeyEntry {
  const entry = parseEntry(plain);
  sodium.memzero(plain);
  if (!entry) throw new CryptoError(code, 'the key entry is malformed');
  if (entry.room !== room || entry.seq !== seq)
    throw new CryptoError(code, `the key entry belongs to another message (room ${entry.room}, seq ${entry.seq})`);
  return entry;
}

function openSeal(sealed: Uint8Array, pk: Uint8Array, sk: Uint8Array): Uint8Array | null {
  if (sealed.length < kSealBytes) return null;
  try {
    return sodium.crypto_box_seal_open(sealed, pk, sk);
  } catch {
    return null;
  }
}

/** A history share's entry opened with this device's box key and checked (bad_share). */
export function openSharedEntry(me: DeviceKeys, sealed: Uint8Array, room: string, seq: number): KeyEntry {
  const plain = openSeal(sealed, me.identity.boxKey, me.boxSecret);
  if (!plain) throw new CryptoError('bad_share', 'a shared key does not open for this device');
  return checkedEntry(plain, room, seq, 'bad_share');
}

/** Something sealed to this device's own box key (what it keeps for itself), or null. */
export function openOwn(me: DeviceKeys, sealed: Uint8Array): Uint8Array | null {
  return openSeal(sealed, me.identity.boxKey, me.boxSecret);
}

/**
 * Opens `env` with a key that came by backup, transfer or share: refused (bad_wrapped_key)
 * unless it matches the envelope's signed commitment (version 2 and 3 only). The signature of
 * the envelope must already have been checked by the caller.
 */
export function openWithKey(env: Envelope, key: Uint8Array): string {
  if (env.v < 2 || env.keyCommitment.length !== 32 ||
    !sodium.memcmp(sodium.crypto_generichash(32, utf8.encode(kCommitment), key), env.keyCommitment))
    throw new CryptoError('bad_wrapped_key', 'the key does not match the message’s signed commitment');
  try {
    const plain = sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(null, env.ciphertext,
      associatedData(env.v, env.room, env.senderDevice, env.clientMsgId), env.nonce, key);
    return new TextDecoder('utf-8', { fatal: true }).decode(plain);
  } catch {
    throw new CryptoError('bad_ciphertext', 'the message does not decrypt');
  }
}

// ---- base32 ------------------------------------------------------------------------------------

function base32(bytes: Uint8Array): string {
  let out = '';
  let acc = 0;
  let bits = 0;
  for (const b of bytes) {
    acc = ((acc << 8) | b) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += kBase32[(acc >> bits) & 31];
    }
  }
  return out;
}

/** Canonical symbols of loosely typed base32 (case, spaces, dashes; O, I, L), or null. */
function canonicalSymbols(text: string): string | null {
  let out = '';
  for (let c of text) {
    if (c === ' ' || c === '-') continue;
    c = c.toUpperCase();
    if (c === 'O') c = '0';
    if (c === 'I' || c === 'L') c = '1';
    if (c.length !== 1 || !kBase32.includes(c)) return null;
    out += c;
  }
  return out;
}

function fromBase32(symbols: string): Uint8Array {
  const out: number[] = [];
  let acc = 0;
  let bits = 0;
  for (const c of symbols) {
    acc = ((acc << 5) | kBase32.indexOf(c)) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((acc >> bits) & 0xff);
    }
  }
  return Uint8Array.from(out);
}

// ---- recovery key ------------------------------------------------------------------------------

function recoveryCheck(secret: Uint8Array): Uint8Array {
  const label = utf8.encode(kRecoveryCheck);
  const input = new Uint8Array(label.length + secret.length);
  input.set(label, 0);
  input.set(secret, label.length);
  const h = sodium.crypto_generichash(32, input, null);
  sodium.memzero(input);
  return h.slice(0, 2);
}

/** A fresh recovery secret (28 random bytes). */
export function newRecoverySecret(): Uint8Array {
  return sodium.randombytes_buf(kRecoverySecretBytes);
}

/** The recovery key's text: 48 symbols in 12 groups of 4 separated by single spaces. */
export function recoveryText(secret: Uint8Array): string {
  const bytes = new Uint8Array(kRecoverySecretBytes + 2);
  bytes.set(secret, 0);
  bytes.set(recoveryCheck(secret), kRecoverySecretBytes);
  const symbols = base32(bytes);
  sodium.memzero(bytes);
  return symbols.match(/.{4}/g)!.join(' ');
}

/**
 * The secret of a typed recovery key, read loosely (any case, spaces and dashes anywhere, O as 0,
 * I and L as 1); bad_recovery_key unless it is 48 symbols whose check matches.
 */
export function parseRecoveryKey(text: string): Uint8Array {
  const symbols = canonicalSymbols(text);
  if (symbols === null || symbols.length !== kRecoverySymbols)
    throw new CryptoError('bad_recovery_key',
      'A recovery key is 48 letters and digits (12 groups of 4). Check what you typed.');
  const bytes = fromBase32(symbols);
  const secret = bytes.slice(0, kRecoverySecretBytes);
  const check = recoveryCheck(secret);
  const ok = bytes[kRecoverySecretBytes] === check[0] && bytes[kRecoverySecretBytes + 1] === check[1];
  sodium.memzero(bytes);
  if (!ok) {
    sodium.memzero(secret);
    throw new CryptoError('bad_recovery_key',
      'That is not a recovery key: a letter is wrong or two are swapped. Check what you typed.');
  }
  return secret;
}

/** The backup key pair: crypto_box_seed_keypair(BLAKE2b-256 keyed by the secret over the label). */
export function backupKeyPair(secret: Uint8Array): { publicKey: Uint8Array; privateKey: Uint8Array } {
  const seed = sodium.crypto_generichash(32, utf8.encode(kBackupKey), secret);
  const pair = sodium.crypto_box_seed_keypair(seed);
  sodium.memzero(seed);
  return { publicKey: pair.publicKey, privateKey: pair.privateKey };
}

/** Opens a backup entry stored for `room` and `seq`; bad_backup_entry if it does not open or is moved. */
export function openBackupEntry(secret: Uint8Array, sealed: Uint8Array, room: string, seq: number): KeyEntry {
  const pair = backupKeyPair(secret);
  const plain = openSeal(sealed, pair.publicKey, pair.privateKey);
  sodium.memzero(pair.privateKey);
  if (!plain) throw new CryptoError('bad_backup_entry', 'the backup entry does not open with this recovery key');
  return checkedEntry(plain, room, seq, 'bad_backup_entry');
}

// ---- backup public key record ------------------------------------------------------------------

export interface BackupKeyRecord {
  account: string;
  version: number;
  publicKey: Uint8Array;
  device: string;
}

export function backupKeyTranscript(r: BackupKeyRecord): Uint8Array {
  return new Encoder().str(kBackupPublicKey).str(r.account).num(r.version).bin(r.publicKey).str(r.device).result();
}

export function signBackupKey(r: BackupKeyRecord, keys: DeviceKeys): Uint8Array {
  return sodium.crypto_sign_detached(backupKeyTranscript(r), keys.signSecret);
}

export function backupKeyValid(r: BackupKeyRecord, signature: Uint8Array, signer: Uint8Array): boolean {
  try {
    return r.version >= 1 && signature.length === 64 &&
      sodium.crypto_sign_verify_detached(signature, backupKeyTranscript(r), signer);
  } catch {
    return false;
  }
}

// ---- device transfer ---------------------------------------------------------------------------

/** A fresh transfer code: 10 symbols (50 random bits), "XXXXX-XXXXX". */
export function newTransferCode(): string {
  const bytes = sodium.randombytes_buf(kTransferSymbols);
  let code = '';
  for (let i = 0; i < kTransferSymbols; i++) {
    if (i === kTransferSymbols / 2) code += '-';
    code += kBase32[(bytes[i] as number) & 31];
  }
  return code;
}

/** The code's 10 canonical symbols, or null when it is not a transfer code. */
export function normaliseTransferCode(text: string): string | null {
  const s = canonicalSymbols(text);
  return s !== null && s.length === kTransferSymbols ? s : null;
}

export interface TransferContents {
  account: string;
  fromDevice: string;
  entries: KeyEntry[];
}

function transferPayload(c: TransferContents): Uint8Array {
  const e = new Encoder().str(kTransfer).str(c.account).str(c.fromDevice).num(c.entries.length);
  for (const x of c.entries) e.str(x.room).num(x.seq).bin(x.messageHash).bin(x.key);
  return e.result();
}

/** For the golden vectors only: a seal's salt and nonce are otherwise fresh. */
export interface TransferRandomness {
  salt: Uint8Array;
  nonce: Uint8Array;
}

/** The bundle's JSON text {"v":1,"salt","nonce","box"} (PROTOCOL.md, "Transfer"). */
export async function sealTransfer(derive: Derive, c: TransferContents, from: DeviceKeys, code: string,
  random: TransferRandomness = { salt: sodium.randombytes_buf(16), nonce: sodium.randombytes_buf(24) }): Promise<string> {
  const canonical = normaliseTransferCode(code);
  if (!canonical) throw new CryptoError('bad_transfer_code', 'not a transfer code');
  const payload = transferPayload(c);
  const sig = sodium.crypto_sign_detached(payload, from.signSecret);
  const plain = new Uint8Array(payload.length + 64);
  plain.set(payload, 0);
  plain.set(sig, payload.length);
  const key = await derive(canonical, random.salt, kTransferLimits.ops, kTransferLimits.mem);
  const box = sodium.crypto_secretbox_easy(plain, random.nonce, key);
  sodium.memzero(key);
  sodium.memzero(plain);
  sodium.memzero(payload);
  return JSON.stringify({ v: 1, salt: toBase64(random.salt), nonce: toBase64(random.nonce), box: toBase64(box) });
}

/**
 * Opens a bundle: bad_transfer_code if it does not open with `code`; bad_transfer if it is
 * malformed, for another account, or not signed by the key `signerOf(fromDevice)` gives.
 */
export async function openTransfer(derive: Derive, bundle: string, code: string, account: string,
  signerOf: (device: string) => Uint8Array | null): Promise<TransferContents> {
  const canonical = normaliseTransferCode(code);
  if (!canonical)
    throw new CryptoError('bad_transfer_code', 'A transfer code is 10 letters and digits, like 7K3QD-M9XPA.');
  let o: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(bundle);
    if (typeof parsed === 'object' && parsed !== null) o = parsed as Record<string, unknown>;
  } catch { /* malformed: below */ }
  const salt = fromBase64Sized(o.salt, 16);
  const nonce = fromBase64Sized(o.nonce, 24);
  const box = typeof o.box === 'string' ? fromBase64(o.box) : null;
  if (!salt || !nonce || !box || box.length < 16 + 64)
    throw new CryptoError('bad_transfer', 'the transfer bundle is malformed');
  const key = await derive(canonical, salt, kTransferLimits.ops, kTransferLimits.mem);
  let plain: Uint8Array;
  try {
    plain = sodium.crypto_secretbox_open_easy(box, nonce, key);
  } catch {
    throw new CryptoError('bad_transfer_code',
      'The transfer does not open with that code. Check the code your old device shows.');
  } finally {
    sodium.memzero(key);
  }
  const payload = plain.subarray(0, plain.length - 64);
  const sig = plain.slice(plain.length - 64);
  const fail = (why: string): never => {
    sodium.memzero(plain);
    throw new CryptoError('bad_transfer', why);
  };
  const r = new Reader(payload);
  const label = r.str();
  const acct = r.str();
  const fromDevice = r.str();
  const count = r.num();
  if (label !== kTransfer || acct === null || fromDevice === null || count === null || count > payload.length / 64)
    return fail('the transfer bundle is malformed');
  const entries: KeyEntry[] = [];
  for (let i = 0; i < count; i++) {
    const room = r.str();
    const seq = r.num();
    const messageHash = r.bin();
    const k = r.bin();
    if (room === null || seq === null || !messageHash || !k || messageHash.length !== 32 || k.length !== 32)
      return fail('the transfer bundle is malformed');
    entries.push({ room, seq, messageHash, key: k });
  }
  if (!r.done()) return fail('the transfer bundle is malformed');
  if (acct !== account) return fail(`the transfer is for another account (${acct})`);
  const signer = signerOf(fromDevice);
  if (!signer || !sodium.crypto_sign_verify_detached(sig, payload, signer))
    return fail(`the transfer is not signed by a device of your account (device ${fromDevice})`);
  sodium.memzero(plain);
  return { account: acct, fromDevice, entries };
}

// ---- history share -----------------------------------------------------------------------------

export interface SharedEntry {
  seq: number;
  messageHash: Uint8Array;
  sealed: Uint8Array;
}

export interface HistoryShare {
  room: string;
  fromUser: string;
  fromDevice: string;
  toUser: string;
  toDevice: string;
  since: number;
  firstSeq: number;
  lastSeq: number;
  entries: SharedEntry[];
  signature: Uint8Array;
}

export function shareTranscript(s: HistoryShare): Uint8Array {
  const e = new Encoder().str(kShare).str(s.room).str(s.fromUser).str(s.fromDevice).str(s.toUser).str(s.toDevice)
    .num(s.since).num(s.firstSeq).num(s.lastSeq).num(s.entries.length);
  for (const x of s.entries) e.num(x.seq).bin(x.messageHash).bin(x.sealed);
  return e.result();
}

export function signShare(s: HistoryShare, keys: DeviceKeys): void {
  s.signature = sodium.crypto_sign_detached(shareTranscript(s), keys.signSecret);
}

/** The signature holds and the entries are ascending, distinct and within the range. */
export function shareValid(s: HistoryShare, signer: Uint8Array): boolean {
  if (s.since < 0 || s.firstSeq < 1 || s.lastSeq < s.firstSeq) return false;
  let previous = 0;
  for (const e of s.entries) {
    if (e.seq <= previous || e.seq < s.firstSeq || e.seq > s.lastSeq) return false;
    previous = e.seq;
  }
  try {
    return s.signature.length === 64 && sodium.crypto_sign_verify_detached(s.signature, shareTranscript(s), signer);
  } catch {
    return false;
  }
}

/** The share's wire form, fields in PROTOCOL.md's order. */
export function shareToJson(s: HistoryShare): Record<string, unknown> {
  return {
    room: s.room, from_user: s.fromUser, from_device: s.fromDevice, to_user: s.toUser, to_device: s.toDevice,
    since: s.since, first_seq: s.firstSeq, last_seq: s.lastSeq,
    entries: s.entries.map((e) => ({ seq: e.seq, hash: toBase64(e.messageHash), sealed: toBase64(e.sealed) })),
    signature: toBase64(s.signature),
  };
}

/** The share from its wire form; bad_share when it is not one. */
export function shareFromJson(o: unknown): HistoryShare {
  const bad = () => new CryptoError('bad_share', 'a history share is malformed');
  if (typeof o !== 'object' || o === null) throw bad();
  const r = o as Record<string, unknown>;
  const str = (k: string): string => {
    if (typeof r[k] !== 'string') throw bad();
    return r[k] as string;
  };
  const int = (k: string, x: Record<string, unknown> = r): number => {
    const v = x[k];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw bad();
    return v;
  };
  if (!Array.isArray(r.entries)) throw bad();
  const entries = r.entries.map((e: unknown): SharedEntry => {
    if (typeof e !== 'object' || e === null) throw bad();
    const x = e as Record<string, unknown>;
    const messageHash = fromBase64Sized(x.hash, 32);
    const sealed = typeof x.sealed === 'string' ? fromBase64(x.sealed) : null;
    if (!messageHash || !sealed) throw bad();
    return { seq: int('seq', x), messageHash, sealed };
  });
  const signature = fromBase64Sized(r.signature, 64);
  if (!signature) throw bad();
  return {
    room: str('room'), fromUser: str('from_user'), fromDevice: str('from_device'), toUser: str('to_user'),
    toDevice: str('to_device'), since: int('since'), firstSeq: int('first_seq'), lastSeq: int('last_seq'),
    entries, signature,
  };
}
