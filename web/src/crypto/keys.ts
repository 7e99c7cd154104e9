// Device keys, their public identity and the keystore: the same formats and checks as
// protocol/src/crypto.cpp (PROTOCOL.md, "Device keys" and "Keystore"), so that a keystore.json
// moves between the `liaise` command and the browser in both directions.
import { concat, fromBase64Sized, sodium, toBase64 } from './sodium';

const kBoxKeyLabel = 'liaise-box-key-v1';
const kLoginLabel = 'liaise-login-v1';

/** A device's public keys as the server lists them (`sign_key`, `box_key`, `box_key_signature`). */
export interface PublicIdentity {
  signKey: Uint8Array; // Ed25519, 32 bytes
  boxKey: Uint8Array; // X25519, 32 bytes
  boxKeySignature: Uint8Array; // 64 bytes
}

/** The device's secret keys with its identity. Only this module and envelope.ts read secrets. */
export interface DeviceKeys {
  readonly signSecret: Uint8Array; // 64 bytes (seed || public key)
  readonly boxSecret: Uint8Array; // 32 bytes
  readonly identity: PublicIdentity;
}

export class CryptoError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

/** The identity from its JSON form, or null when a field is missing or the wrong size. */
export function identityFromJson(o: unknown): PublicIdentity | null {
  if (typeof o !== 'object' || o === null) return null;
  const r = o as Record<string, unknown>;
  const signKey = fromBase64Sized(r.sign_key, 32);
  const boxKey = fromBase64Sized(r.box_key, 32);
  const boxKeySignature = fromBase64Sized(r.box_key_signature, 64);
  return signKey && boxKey && boxKeySignature ? { signKey, boxKey, boxKeySignature } : null;
}

export function identityToJson(id: PublicIdentity): Record<string, string> {
  return {
    sign_key: toBase64(id.signKey),
    box_key: toBase64(id.boxKey),
    box_key_signature: toBase64(id.boxKeySignature),
  };
}

/** True when the box key is signed by the identity key and is not a low-order point. */
export function verifyIdentity(id: PublicIdentity): boolean {
  if (!sodium.crypto_sign_verify_detached(id.boxKeySignature, concat(kBoxKeyLabel, id.boxKey), id.signKey))
    return false;
  try {
    sodium.crypto_scalarmult(new Uint8Array(32).fill(1), id.boxKey); // throws on a low-order point
    return true;
  } catch {
    return false;
  }
}

export function generateDeviceKeys(): DeviceKeys {
  const sign = sodium.crypto_sign_keypair();
  const box = sodium.crypto_box_keypair();
  const boxKeySignature = sodium.crypto_sign_detached(concat(kBoxKeyLabel, box.publicKey), sign.privateKey);
  return {
    signSecret: sign.privateKey,
    boxSecret: box.privateKey,
    identity: { signKey: sign.publicKey, boxKey: box.publicKey, boxKeySignature },
  };
}

export function sign(keys: DeviceKeys, message: Uint8Array): Uint8Array {
  return sodium.crypto_sign_detached(message, keys.signSecret);
}

/** The login signature: Ed25519 over "liaise-login-v1" || challenge. */
export function signLogin(keys: DeviceKeys, challenge: Uint8Array): Uint8Array {
  return sign(keys, concat(kLoginLabel, challenge));
}

/** Best-effort wipe (JavaScript may hold other copies). */
export function forgetKeys(keys: DeviceKeys): void {
  sodium.memzero(keys.signSecret);
  sodium.memzero(keys.boxSecret);
}

// ---- keystore --------------------------------------------------------------------------------

const kPlainBytes = 64 + 32 + 32 + 32 + 64;
const kMacBytes = 16;
export const kModerate = { ops: 3, mem: 268435456 };
const kMinOps = 2;
const kMaxOps = 4;
const kMinMem = 67108864;
const kMaxMem = 1073741824;

function badKeystore(why: string): CryptoError {
  return new CryptoError('bad_keystore', `keystore: ${why}`);
}

/** The keystore's key: Argon2id13 of the passphrase (32 bytes). */
export function deriveKey(passphrase: string, salt: Uint8Array, ops: number, mem: number): Uint8Array {
  return sodium.crypto_pwhash(32, passphrase, salt, ops, mem, sodium.crypto_pwhash_ALG_ARGON2ID13);
}

/** Derives a keystore's key: deriveKey here, or the same off the page's thread (a Worker). */
export type Derive = (passphrase: string, salt: Uint8Array, ops: number, mem: number) => Promise<Uint8Array>;

/**
 * The keystore JSON (v1, Argon2id, MODERATE limits), byte-compatible with the CLI's. `fixed`
 * (salt and nonce) is for the golden-vector test only; a real keystore draws fresh ones.
 */
export function sealKeystore(keys: DeviceKeys, passphrase: string, limits = kModerate,
  fixed?: { salt: Uint8Array; nonce: Uint8Array }): string {
  const salt = fixed?.salt ?? sodium.randombytes_buf(16);
  return sealWithKey(keys, deriveKey(passphrase, salt, limits.ops, limits.mem), salt, limits, fixed?.nonce);
}

/** sealKeystore, with the key derived by `derive` (the page's Worker). */
export async function sealKeystoreWith(derive: Derive, keys: DeviceKeys, passphrase: string, limits = kModerate): Promise<string> {
  const salt = sodium.randombytes_buf(16);
  return sealWithKey(keys, await derive(passphrase, salt, limits.ops, limits.mem), salt, limits);
}

function sealWithKey(keys: DeviceKeys, key: Uint8Array, salt: Uint8Array, limits: { ops: number; mem: number },
  fixedNonce?: Uint8Array): string {
  const plain = new Uint8Array(kPlainBytes);
  let at = 0;
  for (const part of [keys.signSecret, keys.boxSecret, keys.identity.signKey, keys.identity.boxKey,
    keys.identity.boxKeySignature]) {
    plain.set(part, at);
    at += part.length;
  }
  const nonce = fixedNonce ?? sodium.randombytes_buf(24);
  const box = sodium.crypto_secretbox_easy(plain, nonce, key);
  sodium.memzero(key);
  sodium.memzero(plain);
  // Field order as the CLI writes it.
  return JSON.stringify({
    v: 1, kdf: 'argon2id13', opslimit: limits.ops, memlimit: limits.mem,
    salt: toBase64(salt), nonce: toBase64(nonce), box: toBase64(box),
  });
}

/** Parses a keystore without opening it; throws bad_keystore naming what is wrong. */
export function parseKeystore(json: string): { ops: number; mem: number; salt: Uint8Array; nonce: Uint8Array; box: Uint8Array } {
  let o: unknown;
  try {
    o = JSON.parse(json);
  } catch {
    throw badKeystore('not a JSON object');
  }
  if (typeof o !== 'object' || o === null || Array.isArray(o)) throw badKeystore('not a JSON object');
  const r = o as Record<string, unknown>;
  const fields = ['v', 'kdf', 'opslimit', 'memlimit', 'salt', 'nonce', 'box'];
  const keys = Object.keys(r);
  if (keys.length !== fields.length || keys.some((k) => !fields.includes(k))) throw badKeystore('unexpected fields');
  if (r.v !== 1) throw badKeystore('unsupported version');
  if (r.kdf !== 'argon2id13') throw badKeystore('unsupported kdf');
  const ops = r.opslimit;
  const mem = r.memlimit;
  if (typeof ops !== 'number' || !Number.isInteger(ops) || ops < kMinOps || ops > kMaxOps ||
    typeof mem !== 'number' || !Number.isInteger(mem) || mem < kMinMem || mem > kMaxMem)
    throw badKeystore('kdf limits out of range');
  const salt = fromBase64Sized(r.salt, 16);
  const nonce = fromBase64Sized(r.nonce, 24);
  const box = fromBase64Sized(r.box, kPlainBytes + kMacBytes);
  if (!salt || !nonce || !box) throw badKeystore('salt, nonce or box malformed');
  return { ops, mem, salt, nonce, box };
}

/** True when the keystore's limits are below MODERATE (it should be sealed again). */
export function keystoreWeak(json: string): boolean {
  const k = parseKeystore(json);
  return k.ops < kModerate.ops || k.mem < kModerate.mem;
}

/** Opens a keystore: bad_keystore, or bad_passphrase for a wrong passphrase. */
export function openKeystore(json: string, passphrase: string): DeviceKeys {
  const k = parseKeystore(json);
  return openWithKey(k, deriveKey(passphrase, k.salt, k.ops, k.mem));
}

/** openKeystore, with the key derived by `derive` (the page's Worker). */
export async function openKeystoreWith(derive: Derive, json: string, passphrase: string): Promise<DeviceKeys> {
  const k = parseKeystore(json);
  return openWithKey(k, await derive(passphrase, k.salt, k.ops, k.mem));
}

function openWithKey(k: ReturnType<typeof parseKeystore>, key: Uint8Array): DeviceKeys {
  let plain: Uint8Array;
  try {
    plain = sodium.crypto_secretbox_open_easy(k.box, k.nonce, key);
  } catch {
    throw new CryptoError('bad_passphrase', 'That passphrase does not open this device’s keys.');
  } finally {
    sodium.memzero(key);
  }
  const signSecret = plain.slice(0, 64);
  const boxSecret = plain.slice(64, 96);
  const identity: PublicIdentity = {
    signKey: plain.slice(96, 128),
    boxKey: plain.slice(128, 160),
    boxKeySignature: plain.slice(160, 224),
  };
  sodium.memzero(plain);
  // From the seed, not the copy of the public key inside the secret key.
  const again = sodium.crypto_sign_seed_keypair(sodium.crypto_sign_ed25519_sk_to_seed(signSecret));
  const boxPublic = sodium.crypto_scalarmult_base(boxSecret);
  if (!sodium.memcmp(again.privateKey, signSecret) || !sodium.memcmp(again.publicKey, identity.signKey) ||
    !sodium.memcmp(boxPublic, identity.boxKey) || !verifyIdentity(identity))
    throw badKeystore('keys are inconsistent');
  return { signSecret, boxSecret, identity };
}
