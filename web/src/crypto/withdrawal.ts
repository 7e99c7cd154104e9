// Withdrawing a misdirected message (PROTOCOL.md, "Withdrawing a message"): the statement the
// withdrawing device signs, byte for byte as protocol/src/withdrawal.cpp makes it, and its check.
import { Encoder } from './encoder';
import { type DeviceKeys, sign } from './keys';
import { sodium } from './sodium';

export interface Withdrawal {
  room: string;
  seq: number;
  messageHash: Uint8Array; // 32 bytes
  by: string;
  byDevice: string;
  withdrawnAt: number;
}

/** str("liaise-withdrawal-v1") || str(room) || num(seq) || bin(hash) || str(by) || str(by_device) || num(withdrawn_at). */
export function withdrawalTranscript(w: Withdrawal): Uint8Array {
  return new Encoder().str('liaise-withdrawal-v1').str(w.room).num(w.seq).bin(w.messageHash)
    .str(w.by).str(w.byDevice).num(w.withdrawnAt).result();
}

export function signWithdrawal(keys: DeviceKeys, w: Withdrawal): Uint8Array {
  return sign(keys, withdrawalTranscript(w));
}

/** True when the fields are in range and `signature` is `signKey`'s over the statement. */
export function withdrawalValid(w: Withdrawal, signature: Uint8Array, signKey: Uint8Array): boolean {
  const id = (s: string) => s.length > 0 && s.length <= 128;
  if (!id(w.room) || !id(w.by) || !id(w.byDevice) || !(w.seq >= 1) || !(w.withdrawnAt >= 0) ||
    w.messageHash.length !== 32 || signature.length !== 64 || signKey.length !== 32) return false;
  try {
    return sodium.crypto_sign_verify_detached(signature, withdrawalTranscript(w), signKey);
  } catch {
    return false;
  }
}
