// Safety numbers and key numbers (PROTOCOL.md, "Safety numbers" and "Pinning and
// verification"); a port of safety_number() and fingerprint() in protocol/src/crypto.cpp.
import { Encoder } from './encoder';
import { compareBytes, concat, sodium } from './sodium';

function groupsOf(h: Uint8Array, split: boolean): string[] {
  const out: string[] = [];
  for (let chunk = 0; chunk < 6; chunk++) {
    let v = 0n;
    for (let i = 0; i < 5; i++) v = (v << 8n) | BigInt(h[chunk * 5 + i] as number);
    const parts = split ? [v >> 20n, v & 0xfffffn] : [v];
    for (const p of parts) out.push((p % 100000n).toString().padStart(5, '0'));
  }
  return out;
}

/** One party's 30 digits: its account and Ed25519 keys (sorted, each once). */
function partyDigits(account: string, signKeys: Uint8Array[]): string {
  const keys = [...signKeys].sort(compareBytes)
    .filter((k, i, all) => i === 0 || compareBytes(k, all[i - 1] as Uint8Array) !== 0);
  const e = new Encoder().str('liaise-safety-number-v1').str(account).num(keys.length);
  for (const k of keys) e.bin(k);
  return groupsOf(sodium.crypto_generichash(32, e.result(), null), false).join('');
}

/** The 60-digit safety number of two parties, as 12 groups of five digits. */
export function safetyNumber(a: { account: string; signKeys: Uint8Array[] },
  b: { account: string; signKeys: Uint8Array[] }): string {
  if (!a.account || !b.account || a.signKeys.length === 0 || b.signKeys.length === 0)
    throw new Error('safetyNumber: each party needs an account name and at least one key');
  const x = partyDigits(a.account, a.signKeys);
  const y = partyDigits(b.account, b.signKeys);
  const digits = x < y ? x + y : y + x;
  return digits.match(/.{5}/g)!.join(' ');
}

/** A device key's number: twelve five-digit groups. */
export function keyNumber(signKey: Uint8Array): string {
  const h = sodium.crypto_generichash(32, concat('liaise-fingerprint-v1', signKey), null);
  return groupsOf(h, true).join(' ');
}
