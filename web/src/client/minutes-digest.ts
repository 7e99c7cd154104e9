// The canonical minutes digest and the signature over it (PROTOCOL.md, "Signed minutes"), as
// protocol/src/minutes_digest.cpp computes them: BLAKE2b-256 over the length-prefixed encoding
// of a version as `meeting_show` returns it. A missing or mistyped field counts as "", 0 or
// false, exactly as the C++ reads them, so both sides hash the same bytes.
import { Encoder } from '../crypto/encoder';
import { concat, sodium } from '../crypto/sodium';

type Json = Record<string, unknown>;

export type MinutesAct = 'circulate' | 'approve';

/**
 * The digest's encodings: v2 covers the whole record (case reference, kind label, template
 * sections, reports, agency views, the sections each copy holds); v1 is what signatures made
 * before it used, checked only as a fallback that the verdict names.
 */
export type MinutesDigestVersion = 1 | 2;
const kDigestLabels: Record<MinutesDigestVersion, string> = { 1: 'liaise-minutes-v1', 2: 'liaise-minutes-v2' };
const kSignatureLabel = 'liaise-minutes-signature-v1';

const obj = (v: unknown): Json => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const str = (o: Json, k: string): string => (typeof o[k] === 'string' ? (o[k] as string) : '');
const num = (o: Json, k: string): number => (Number.isSafeInteger(o[k]) ? (o[k] as number) : 0);
const flag = (o: Json, k: string): boolean => o[k] === true;
const list = (o: Json, k: string): Json[] => (Array.isArray(o[k]) ? (o[k] as unknown[]).map(obj) : []);

function optionalText(e: Encoder, o: Json, k: string): void {
  if (typeof o[k] === 'string') e.num(1).str(o[k] as string);
  else e.num(0);
}

function optionalNumber(e: Encoder, o: Json, k: string): void {
  if (Number.isSafeInteger(o[k])) e.num(1).num(o[k] as number);
  else e.num(0);
}

/** Numbers as the C++ writes them: 8 bytes big-endian, two's complement for negatives. */
function n(x: number): bigint {
  return BigInt.asUintN(64, BigInt(x));
}

function person(e: Encoder, p: Json): void {
  e.str(str(p, 'user')).str(str(p, 'display_name')).str(str(p, 'agency'));
}

function actions(e: Encoder, items: Json[]): void {
  e.num(items.length);
  for (const a of items) {
    const owner = obj(a.owner);
    e.num(n(num(a, 'id'))).num(n(num(a, 'meeting')));
    e.str(str(a, 'what')).str(str(a, 'outcome'));
    e.str(str(owner, 'user')).str(str(owner, 'name')).str(str(owner, 'agency'));
    e.str(str(a, 'due'));
    optionalText(e, a, 'review');
    e.str(str(a, 'status')).str(str(a, 'evidence'));
  }
}

/** v2: the sections a copy holds as the chair chose them; 0 when the entry has no list. */
function receives(e: Encoder, a: Json): void {
  const chosen = a.receives;
  if (!Array.isArray(chosen)) {
    e.num(0);
    return;
  }
  e.num(1).num(chosen.length);
  for (const id of chosen) e.str(typeof id === 'string' ? id : '');
}

/** v2: what issue #27 added to the record, after the correction. */
function record(e: Encoder, m: Json): void {
  e.str(str(m, 'case_reference')).str(str(m, 'kind_label'));
  const sections = list(m, 'sections');
  e.num(sections.length);
  for (const s of sections) {
    e.str(str(s, 'id')).str(str(s, 'label')).str(str(s, 'text'));
    e.num(flag(s, 'professionals_only') ? 1 : 0).str(str(s, 'how_gathered'));
  }
  const reports = list(m, 'reports');
  e.num(reports.length);
  for (const r of reports) {
    e.num(n(num(r, 'id'))).str(str(r, 'report')).str(str(r, 'by'));
    e.num(flag(r, 'shared_with_parents') ? 1 : 0);
  }
  const views = list(m, 'agency_views');
  e.num(views.length);
  for (const v of views) e.str(str(v, 'agency')).str(str(v, 'view'));
}

/**
 * The 32-byte digest of `minutes` for `act` by `account` at `signedAt` (ms), in `version`'s
 * encoding (v2, what is signed now, unless asked).
 */
export function minutesDigest(minutes: Json, act: MinutesAct, account: string, signedAt: number, version: MinutesDigestVersion = 2): Uint8Array {
  const v2 = version === 2;
  const m = obj(minutes);
  const e = new Encoder();
  e.str(kDigestLabels[version]).str(act).str(account).num(n(signedAt));
  e.num(n(num(m, 'meeting'))).str(str(m, 'room')).num(n(num(m, 'version')));
  e.str(str(m, 'kind')).str(str(m, 'title')).str(str(m, 'starts_at')).str(str(m, 'place'));
  person(e, obj(m.chair));
  person(e, obj(m.minute_taker));
  e.str(str(m, 'marking'));
  optionalText(e, m, 'next_meeting');
  const attendance = list(m, 'attendance');
  e.num(attendance.length);
  for (const a of attendance) {
    e.num(n(num(a, 'id'))).str(str(a, 'user')).str(str(a, 'name')).str(str(a, 'agency'));
    e.str(str(a, 'role')).str(str(a, 'discipline')).str(str(a, 'status'));
    e.num(flag(a, 'family') ? 1 : 0).num(flag(a, 'copy') ? 1 : 0);
    if (v2) receives(e, a);
  }
  const agenda = list(m, 'agenda');
  e.num(agenda.length);
  for (const a of agenda) e.num(n(num(a, 'id'))).str(str(a, 'title')).str(str(a, 'discussion'));
  const decisions = list(m, 'decisions');
  e.num(decisions.length);
  for (const d of decisions) {
    e.num(n(num(d, 'id')));
    optionalNumber(e, d, 'agenda');
    e.str(str(d, 'decision')).str(str(d, 'reasons')).str(str(d, 'dissent'));
  }
  actions(e, list(m, 'actions'));
  actions(e, list(m, 'carried_forward'));
  const c = m.correction;
  if (c !== null && typeof c === 'object' && !Array.isArray(c)) {
    const o = c as Json;
    e.num(1).num(n(num(o, 'of_version'))).str(str(o, 'reason')).str(str(o, 'by')).num(n(num(o, 'at')));
  } else {
    e.num(0);
  }
  if (v2) record(e, m);
  return sodium.crypto_generichash(32, e.result(), null);
}

/** What is signed: the label's bytes, then the 32 digest bytes. */
export function signedMessage(digest: Uint8Array): Uint8Array {
  return concat(kSignatureLabel, digest);
}
