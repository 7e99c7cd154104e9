// Signed acknowledgements and accuracy comments (PROTOCOL.md, "Signed acknowledgements and
// comments"), as protocol/src/minutes_receipts.cpp encodes them: the bytes a recipient's device
// signs, each starting with its label, in the minutes digest's length-prefixed encoding.
import { Encoder } from '../crypto/encoder';
import { minutesDigest } from './minutes-digest';

type Json = Record<string, unknown>;

const obj = (v: unknown): Json => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const str = (o: Json, k: string): string => (typeof o[k] === 'string' ? (o[k] as string) : '');
const num = (o: Json, k: string): number => (Number.isSafeInteger(o[k]) ? (o[k] as number) : 0);

/** Numbers as the C++ writes them: 8 bytes big-endian, two's complement for negatives. */
const n = (x: number): bigint => BigInt.asUintN(64, BigInt(x));

/**
 * The minutes digest (v2) the circulation of a fixed version signs: its "circulate" signature's
 * account and time, or circulated_by and circulated_at for a version circulated before
 * signatures. An acknowledgement binds it, so it binds the exact text received.
 */
export function circulationDigest(minutes: Json): Uint8Array {
  const signed = (Array.isArray(minutes.signatures) ? minutes.signatures : []).map(obj).find((s) => str(s, 'act') === 'circulate');
  if (signed) return minutesDigest(minutes, 'circulate', str(signed, 'user'), num(signed, 'signed_at'), 2);
  return minutesDigest(minutes, 'circulate', str(obj(minutes.circulated_by), 'user'), num(minutes, 'circulated_at'), 2);
}

export interface Acknowledgement {
  meeting: number;
  room: string;
  version: number;
  circulation: Uint8Array;
  account: string;
  signedAt: number;
}

export interface CommentFields {
  meeting: number;
  version: number;
  section: string;
  text: string;
  account: string;
  signedAt: number;
}

/** "liaise-minutes-ack-v1", meeting, room, version, circulation digest, account, signed_at. */
export function acknowledgementMessage(a: Acknowledgement): Uint8Array {
  return new Encoder().str('liaise-minutes-ack-v1').num(n(a.meeting)).str(a.room).num(n(a.version))
    .bin(a.circulation).str(a.account).num(n(a.signedAt)).result();
}

/** "liaise-minutes-comment-v1", meeting, version, section, text, account, signed_at. */
export function commentMessage(c: CommentFields): Uint8Array {
  return new Encoder().str('liaise-minutes-comment-v1').num(n(c.meeting)).num(n(c.version))
    .str(c.section).str(c.text).str(c.account).num(n(c.signedAt)).result();
}
