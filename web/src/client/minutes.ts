// Meetings and minutes for chairs and minute-takers: the same server requests as `liaise
// meeting …` and `liaise action …` (PROTOCOL.md, "Meetings and minutes"), and the signed
// circulation and approval of "Signed minutes": this device signs the version it fetched, and
// checks every signature on a fixed version against the key it pinned for the signer, as
// client/src/minutes.cpp does. Acknowledgements and accuracy comments are signed by this device
// and checked the same way ("Signed acknowledgements and comments").
import { identityFromJson, sign, verifyIdentity } from '../crypto/keys';
import { fromBase64Sized, sodium, toBase64 } from '../crypto/sodium';
import { type Json, ProtocolError } from '../protocol/connection';
import type { Action, Session } from './session';
import { type MinutesAct, minutesDigest, signedMessage } from './minutes-digest';
import { acknowledgementMessage, circulationDigest, commentMessage } from './minutes-receipts';
import { copyDocument, copyOf } from './minutes-copy';
import { exportHtml, exportMarkdown, kMeetingKinds, minuteTime } from './minutes-export';

export { minuteTime };

export interface Person {
  user: string;
  display_name: string;
  agency: string;
}

export interface Attendee {
  id: number;
  user?: string;
  name: string;
  agency: string;
  role: string;
  discipline?: string;
  family: boolean;
  copy: boolean;
  status: 'present' | 'apologies' | 'absent';
  /** Someone without an account who receives a copy: the section ids the chair chose for it. */
  receives?: string[];
}

/** A section of the record the meeting's kind asks for (PROTOCOL.md, "Templates and copies"). */
export interface TemplateSection {
  id: string;
  label: string;
  guidance: string;
  text: string;
  professionals_only: boolean;
  /** `child-views` only: how the child's views were gathered. */
  how_gathered?: string;
}

export interface Report {
  id: number;
  report: string;
  by: string;
  shared_with_parents: boolean;
}

/** A circulation clock of the meeting's kind, in working days (PROTOCOL.md, "Deadlines"). */
export interface Deadline {
  clock: string;
  label: string;
  days: number;
  due: string | null;
  status: string;
  problem?: string;
}

export interface AgendaItem {
  id: number;
  title: string;
  discussion: string;
}

export interface Decision {
  id: number;
  agenda: number | null;
  decision: string;
  reasons: string;
  dissent: string;
}

export interface Signature {
  act: string;
  user: string;
  display_name: string;
  agency: string;
  device: string;
  signed_at: number;
  signature: string;
  signer_keys?: Json;
}

/** A recipient device's signature on an acknowledgement (PROTOCOL.md, "Signed acknowledgements and comments"). */
export interface AckSignature {
  device: string;
  signed_at: number;
  signature: string;
  signer_keys?: Json;
}

/** How this device judges an acknowledgement or a comment: only "verified" may be shown as given. */
export interface ReceiptVerdict {
  user: string;
  result: 'verified' | 'not_signed' | 'does_not_verify';
  note: string;
  /** The verdict in words, as `liaise` prints it. */
  words: string;
}

export interface Minutes {
  meeting: number;
  room: string;
  version: number;
  status: 'draft' | 'circulated' | 'approved' | 'superseded';
  kind: string;
  title: string;
  starts_at: string;
  place: string;
  chair: Person;
  minute_taker: Person;
  marking: string;
  next_meeting?: string | null;
  attendance: Attendee[];
  agenda: AgendaItem[];
  decisions: Decision[];
  actions: Action[];
  carried_forward: Action[];
  correction?: { reason: string; of_version: number; by: string; at: number };
  versions?: { version: number; status: string; circulated_at: number; approved_at: number | null }[];
  audience?: string;
  circulated_by?: Person;
  circulated_at?: number;
  approved_by?: Person;
  approved_at?: number;
  distribution?: {
    user?: string; name: string; agency: string; sent_at: number | null; received_at: number | null;
    /** Accounts only: when they acknowledged receipt (null: not yet). */
    acknowledged_at?: number | null;
    /** Their device's signature on it; null for one recorded before they were signed. */
    ack_signature?: AckSignature | null;
    /** A copy for someone without an account: its attendance entry and the sections it holds. */
    entry?: number; family?: boolean; sections?: string[];
  }[];
  signatures?: Signature[];
  case_reference?: string;
  kind_label?: string;
  /** The kind's decision records each agency's view. */
  vote_recorded?: boolean;
  /** The record follows its kind's template: every section is needed to circulate. */
  templated?: boolean;
  sections?: TemplateSection[];
  reports?: Report[];
  agency_views?: { agency: string; view: string }[];
  missing_sections?: { id: string; label: string; why: string }[];
  deadlines?: Deadline[];
}

/** An accuracy comment on a circulated version (PROTOCOL.md, "After circulation"). */
export interface AccuracyComment {
  /** The author's device's signature over it; null for one sent before comments were signed. */
  signature?: string | null;
  signed_at?: number;
  device?: string;
  signer_keys?: Json;
  comment: number;
  meeting: number;
  version: number;
  section: string;
  by: Person;
  sent_at: number;
  text: string;
  status: 'open' | 'answered' | 'corrected';
  resolved_by?: Person;
  resolved_at?: number;
  answer?: string;
  corrected_in?: number;
}

export interface MeetingSummary {
  meeting: number;
  room: string;
  kind: string;
  title: string;
  starts_at: string;
  status: string;
  version: number;
  /** The account names (`meetings` replies "hana", not a person). */
  chair: string | Person;
  minute_taker: string | Person;
  case_reference?: string;
  deadlines?: Deadline[];
}

/** One finding of the server's check (PROTOCOL.md, "Findings"): UTF-8 offsets into its text. */
export interface CheckFinding {
  start: number;
  end: number;
  text: string;
  term: string;
  alternatives: string[];
  explanation: string;
}

export interface CheckSection {
  section: 'title' | 'agenda' | 'decision' | 'action' | 'correction' | 'section' | 'report' | 'agency_view';
  id: number;
  field: string;
  label: string;
  findings: CheckFinding[];
}

export interface Check {
  audience: string;
  findings: number;
  sections: CheckSection[];
  /** Each family member's copy: how old a reader it needs (null: a copy without words). */
  copies?: { entry: number; name: string; role: string; sections: number; reading_age: Json | null }[];
}

/** How this device judges one signature on a fixed version. */
export interface SignatureVerdict {
  act: string;
  user: string;
  displayName: string;
  agency: string;
  signedAt: number;
  verified: boolean;
  verifiedContact: boolean;
  /**
   * It verifies only under the v1 digest: made before signatures covered the case reference,
   * sections, reports, agency views and each copy's sections, so it does not protect them.
   */
  beforeSections: boolean;
  note: string;
  /** The verdict in words, as `liaise meeting verify` prints it. */
  words: string;
}

export const kKinds = kMeetingKinds;

/** What a v1 signature leaves unprotected, in the words client/src/minutes.cpp uses. */
const kBeforeSections = 'signed before the record sections were covered: its case reference, sections, reports, agency views and the sections each copy holds are not protected by it';

export const kindLabel = (kind: string): string => kKinds.find(([k]) => k === kind)?.[1] ?? kind;

/** What a case reference may hold (PROTOCOL.md, meeting_create). */
export const kCaseReferenceHint = 'The case’s number in your records, e.g. WS/2026/0412: up to 40 letters, digits, spaces and - / . _';

/** The kind's label as the minutes carry it, else as this client knows it. */
export const kindOf = (m: Minutes): string => m.kind_label || kindLabel(m.kind);

export const kActionStatuses: [string, string][] = [
  ['open', 'Open'], ['in_progress', 'In progress'], ['done', 'Done'], ['not_done', 'Not done'],
  ['carried_forward', 'Carried forward'], ['cancelled', 'Cancelled'],
];

export const actionStatusLabel = (s: string): string => kActionStatuses.find(([k]) => k === s)?.[1] ?? s;

export const isClosed = (a: Action): boolean => ['done', 'not_done', 'cancelled'].includes(a.status);

/** "Hana Ali (Westshire NHS)", as people are named everywhere else. */
export function named(name: string, agency: string): string {
  return agency ? `${name} (${agency})` : name;
}

export function personLabel(p: Person | undefined): string {
  if (!p) return '';
  return named(p.display_name || p.user, p.agency);
}

export function ownerLabel(a: Action): string {
  return named(a.owner.name || a.owner.user || '', a.owner.agency);
}

/** A UTC time in ms as "4 Dec 2026, 10:05 UTC". */
export function utcTime(ms: number): string {
  return `${new Date(ms).toLocaleString('en-GB', { timeZone: 'UTC', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' })} UTC`;
}


/** A line as a terminal or document may show it: controls and bidi marks as U+FFFD. */
function displayLine(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069\u2028\u2029]/g, '\ufffd');
}

/** `s` with what Markdown or HTML would read as markup escaped (as `liaise meeting export`). */
function escaped(s: string, html: boolean): string {
  if (html) return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c);
  return s.replace(/[\\`*_[\]<>|#]/g, (c) => `\\${c}`);
}

/**
 * The exported document with a "Signatures" section (this device's verdicts) before its closing
 * protective marking, byte for byte as `liaise meeting export` adds it.
 */
export function withSignatures(content: string, lines: string[], html: boolean): string {
  let section: string;
  if (html) {
    section = '<h2>Signatures</h2>\n<p>Checked by the exporting device against the keys it pinned.</p>\n<ul>\n';
    for (const l of lines) section += `<li>${escaped(displayLine(l), true)}</li>\n`;
    section += '</ul>\n';
  } else {
    section = '\n## Signatures\n\nChecked by the exporting device against the keys it pinned.\n\n';
    for (const l of lines) section += `- ${escaped(displayLine(l), false)}\n`;
  }
  const at = html ? content.lastIndexOf('<div class="marking">') : content.lastIndexOf('\n**');
  const where = at < 0 ? content.length : at;
  return content.slice(0, where) + section + content.slice(where);
}

/** A wire date or date-time ("2026-12-04", "2026-12-04 10:00") as people read it. */
export function dateShown(d: string | null | undefined): string {
  if (!d) return '';
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2}))?$/.exec(d);
  if (!m) return d;
  const day = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  const text = day.toLocaleDateString('en-GB', { timeZone: 'UTC', weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' });
  return m[4] ? `${text}, ${m[4]}:${m[5]}` : text;
}

/** The minutes' requests, for one logged-in session. */
export class MinutesClient {
  constructor(private session: Session) {}

  get user(): string {
    return this.session.user;
  }

  /** This account's role ("member", "chair", "admin"). */
  get role(): string {
    return String(this.session.account.role ?? 'member');
  }

  /**
   * Calls `fn` when minutes in `room` (every room for null) may have changed: the server's
   * `minutes_changed` and `minutes_circulated` events (identifiers only: `fn` fetches what it
   * shows), and a connection that comes back (events may have been missed meanwhile).
   */
  watch(room: string | null, fn: () => void): () => void {
    let state = this.session.state;
    const stopEvents = this.session.onEvent((e) => {
      if ((e.type === 'minutes_changed' || e.type === 'minutes_circulated') && (room === null || e.room === room)) fn();
    });
    const stopState = this.session.subscribe(() => {
      const was = state;
      state = this.session.state;
      if (state === 'online' && was !== 'online') fn();
    });
    return () => { stopEvents(); stopState(); };
  }

  private call(type: string, fields: Json): Promise<Json> {
    return this.session.request(type, fields);
  }

  async meetings(room: string): Promise<MeetingSummary[]> {
    const r = await this.call('meetings', { room });
    return Array.isArray(r.meetings) ? (r.meetings as MeetingSummary[]) : [];
  }

  async show(meeting: number, version?: number): Promise<Minutes> {
    const fields: Json = { meeting };
    if (version) fields.version = version;
    return (await this.call('meeting_show', fields)) as unknown as Minutes;
  }

  async create(fields: Json): Promise<Minutes> {
    return (await this.call('meeting_create', fields)) as unknown as Minutes;
  }

  async update(meeting: number, fields: Json): Promise<Minutes> {
    return (await this.call('meeting_update', { meeting, ...fields })) as unknown as Minutes;
  }

  attend(meeting: number, fields: Json): Promise<Json> {
    return this.call('meeting_attend', { meeting, ...fields });
  }

  agenda(meeting: number, fields: Json): Promise<Json> {
    return this.call('meeting_agenda', { meeting, ...fields });
  }

  decision(meeting: number, fields: Json): Promise<Json> {
    return this.call('meeting_decision', { meeting, ...fields });
  }

  /** A template section, a report (`reports`) or an agency's view (`decision`): meeting_section. */
  section(meeting: number, section: string, fields: Json): Promise<Json> {
    return this.call('meeting_section', { meeting, section, ...fields });
  }

  remove(meeting: number, section: string, item: number): Promise<Json> {
    return this.call('meeting_remove', { meeting, section, item });
  }

  addAction(meeting: number, fields: Json): Promise<Json> {
    return this.call('action_add', { meeting, ...fields });
  }

  updateAction(action: number, fields: Json): Promise<Json> {
    return this.call('action_update', { action, ...fields });
  }

  async check(meeting: number): Promise<Check> {
    return (await this.call('meeting_check', { meeting })) as unknown as Check;
  }

  /** Every action in the rooms this account is in (`actions` with no filter), by due date. */
  async allActions(): Promise<Action[]> {
    const r = await this.call('actions', {});
    return Array.isArray(r.actions) ? (r.actions as Action[]) : [];
  }

  /**
   * Circulates (the draft as fetched now) or approves (the circulated version as it was fixed),
   * signed by this device. The server refuses with bad_signature if what it stores is not what
   * was fetched and signed.
   */
  async signAndSend(meeting: number, act: MinutesAct, acknowledge: boolean): Promise<Json> {
    let minutes = await this.show(meeting);
    if (act === 'approve' && minutes.status !== 'draft') minutes = await this.show(meeting, minutes.version);
    const signedAt = Date.now();
    const digest = minutesDigest(minutes as unknown as Json, act, this.user, signedAt);
    const signature = toBase64(sign(this.session.keys, signedMessage(digest)));
    const fields: Json = { meeting, signed_at: signedAt, signature };
    if (acknowledge) fields.acknowledge = true;
    return this.call(act === 'circulate' ? 'meeting_circulate' : 'meeting_approve', fields);
  }

  /** The newest circulated version of a meeting, as the server picks it for a recipient. */
  private async fixedVersion(meeting: number): Promise<number> {
    const m = await this.show(meeting);
    return m.status === 'draft' ? m.version - 1 : m.version;
  }

  /**
   * Acknowledges receipt of the newest circulated version (recipients only), signed by this
   * device over that version as it fetched it: the text received.
   */
  async acknowledge(meeting: number): Promise<Json> {
    const v = await this.fixedVersion(meeting);
    if (v < 1) return this.call('minutes_acknowledge', { meeting });  // refused, in the server's words
    const minutes = await this.show(meeting, v);
    const signedAt = Date.now();
    const message = acknowledgementMessage({
      meeting, room: minutes.room, version: v, circulation: circulationDigest(minutes as unknown as Json),
      account: this.user, signedAt,
    });
    return this.call('minutes_acknowledge', { meeting, version: v, signed_at: signedAt, signature: toBase64(sign(this.session.keys, message)) });
  }

  /** Sends the chair an accuracy comment on a section of the newest circulated version, signed by this device. */
  async comment(meeting: number, section: string, text: string): Promise<AccuracyComment & { window_closes: string }> {
    const v = await this.fixedVersion(meeting);
    const signedAt = Date.now();
    const signature = toBase64(sign(this.session.keys, commentMessage({ meeting, version: v, section, text, account: this.user, signedAt })));
    const fields: Json = { meeting, section, text, signed_at: signedAt, signature };
    if (v >= 1) fields.version = v;
    return (await this.call('minutes_comment', fields)) as unknown as AccuracyComment & { window_closes: string };
  }

  /** The meeting's comments: every one for its chair and minute-taker, else this person's own. */
  async comments(meeting: number): Promise<{ all: boolean; open: number; comments: AccuracyComment[] }> {
    const r = await this.call('minutes_comments', { meeting });
    return { all: r.all === true, open: Number(r.open ?? 0), comments: Array.isArray(r.comments) ? (r.comments as unknown as AccuracyComment[]) : [] };
  }

  /** The chair resolves a comment by an answer, or by the version that corrects it. */
  resolve(meeting: number, comment: number, how: { answer: string } | { corrected_in: number }): Promise<Json> {
    return this.call('minutes_comment_resolve', { meeting, comment, ...how });
  }

  async correct(meeting: number, reason: string): Promise<Minutes> {
    return (await this.call('meeting_correct', { meeting, reason })) as unknown as Minutes;
  }

  /**
   * Markdown or printable HTML, as `liaise meeting export` writes it. The server is always asked
   * (it records the export); a draft is its rendering, but a circulated or approved version is
   * rendered here from the version whose signatures this device checked (the server's rendering
   * is not signed), with a "Signatures" section of this device's verdicts. `ok` is false when a
   * signature does not verify.
   */
  async exportDoc(meeting: number, format: 'markdown' | 'html', version?: number): Promise<{ content: string; version: number; ok: boolean }> {
    const fields: Json = { meeting, format };
    if (version) fields.version = version;
    const r = await this.call('meeting_export', fields);
    const content = String(r.content ?? '');
    const v = Number(r.version);
    if (r.status === 'draft') return { content, version: v, ok: true };
    const fixed = await this.show(meeting, v);
    const { verdicts, unsignedApproval } = await this.verify(fixed);
    const lines = verdicts.map((x) => x.words);
    if (unsignedApproval) lines.push(unsignedApproval);
    if (lines.length === 0) lines.push('circulated before signatures: no signature to check');
    const html = format === 'html';
    const own = (html ? exportHtml : exportMarkdown)(fixed as unknown as Json);
    return { content: withSignatures(own, lines, html), version: v, ok: verdicts.every((x) => x.verified) };
  }

  /**
   * One recipient's copy (an attendance entry without an account) of a circulated or approved
   * version, made on this device from the fixed version whose signatures it checked (who gets a
   * copy, whether they are family, the sections chosen for them and which are professionals-only
   * are all signed), as `liaise meeting export --for` makes it; never the server's rendering.
   * Refused, with nothing made, when a signature does not verify, none covers copies (v2), or
   * the version gives the entry no copy.
   */
  async exportCopy(meeting: number, recipient: number, format: 'markdown' | 'html', version?: number): Promise<{ content: string; version: number }> {
    // Asked of the server first, as the command does, so that the audit log records who exported
    // whose copy (and a draft or an entry with no copy is refused there); its rendering is not used.
    const fields: Json = { meeting, format, recipient };
    if (version) fields.version = version;
    const asked = await this.call('meeting_export', fields);
    const fixed = await this.show(meeting, Number(asked.version) || version);
    if (fixed.status === 'draft') throw new ProtocolError('wrong_status', 'A draft has no copies: circulate it first.');
    // Every signature must verify, and one under the v2 encoding (which covers copies): a
    // version shown with its signatures stripped, or signed before copies were covered, is the
    // server's word alone.
    const { verdicts } = await this.verify(fixed);
    let why = '';
    if (!verdicts.every((x) => x.verified)) why = 'as the server shows it is not the one signed';
    else if (verdicts.length === 0) why = 'carries no signature to check';
    else if (verdicts.every((x) => x.beforeSections)) why = 'was signed before signatures covered copies';
    if (why) {
      throw new ProtocolError('bad_signature', `Version ${fixed.version} ${why}, so its copies cannot be trusted to hold only what the chair chose; no copy was made.`);
    }
    const copy = copyOf(fixed as unknown as Json, recipient);
    if (!copy) throw new ProtocolError('not_found', `Version ${fixed.version} gives this person no copy.`);
    const doc = copyDocument(fixed as unknown as Json, copy);
    return { content: (format === 'html' ? exportHtml : exportMarkdown)(doc), version: fixed.version };
  }

  /**
   * Checks each signature on a fixed version against the key this device pinned for the
   * signer's device; a key not yet pinned is pinned from `signer_keys` after its self-signature
   * is checked, unless the signer is a verified contact (then a new device is refused).
   */
  async verify(minutes: Minutes): Promise<{ verdicts: SignatureVerdict[]; unsignedApproval: string }> {
    const verdicts: SignatureVerdict[] = [];
    let approvalSigned = false;
    for (const s of minutes.signatures ?? []) {
      approvalSigned ||= s.act === 'approve';
      verdicts.push(await this.verifyOne(minutes, s));
    }
    let unsignedApproval = '';
    if (minutes.status === 'approved' && !approvalSigned)
      unsignedApproval = `approved${minutes.approved_by ? ` by ${minutes.approved_by.display_name} (${minutes.approved_by.user})` : ''}: not signed (approved before signatures)`;
    return { verdicts, unsignedApproval };
  }

  /**
   * The key to check a signature by `user`'s `device` with: the pinned one, or one first seen,
   * pinned now from `signerKeys` after its self-signature is checked (said in `note`); null
   * when it must be refused (the reason in `note`), as client/src/minutes.cpp decides.
   */
  private async signerKey(user: string, device: string, signerKeys: Json | undefined): Promise<{ key: string | null; note: string }> {
    const identity = identityFromJson(signerKeys);
    if (!user || !device || !identity || !verifyIdentity(identity) || signerKeys?.device !== device)
      return { key: null, note: 'the signer’s keys or signature are missing or malformed' };
    const shownKey = toBase64(identity.signKey);
    const other = this.session.otherOwner(user, shownKey);
    if (other) return { key: null, note: `signed with a key this device knows as ${other}’s` };
    const key = this.session.pinnedKey(user, device);
    if (key) {
      return { key, note: key !== shownKey ? `the server shows another key for ${user}’s device ${device} than the one this device pinned` : '' };
    }
    if (this.session.isVerified(user) && this.session.knowsAnyKey(user))
      return { key: null, note: `signed by a device of ${user} you have not verified (device ${device}); compare safety numbers again` };
    const note = this.session.knowsAnyKey(user)
      ? `signed from a device of ${user} first seen now (device ${device})`
      : `first time this device sees ${user}’s key; compare safety numbers with them`;
    await this.session.pinKey(user, device, shownKey);
    return { key: shownKey, note };
  }

  /**
   * Checks an acknowledgement as the distribution of `minutes` (a fixed version) shows it
   * against the recipient's pinned key: only a verified one may be shown as given.
   */
  async checkAcknowledgement(minutes: Minutes, entry: NonNullable<Minutes['distribution']>[number]): Promise<ReceiptVerdict> {
    const user = entry.user ?? '';
    const who = entry.name || user;
    const words = (result: ReceiptVerdict['result'], note: string): ReceiptVerdict => {
      let w = result === 'verified'
        ? `acknowledged by ${who} (${user}${entry.agency ? `, ${entry.agency}` : ''}), signature verified`
        : result === 'not_signed'
          ? `the server shows an acknowledgement from ${who} (${user}) recorded before acknowledgements were signed: not signed, so not verified`
          : `the server shows an acknowledgement from ${who} (${user}) that their device did not sign: NOT verified, do not count it as acknowledged`;
      if (note) w += ` [${note}]`;
      return { user, result, note, words: w };
    };
    const s = entry.ack_signature;
    if (!s || typeof s !== 'object') return words('not_signed', '');
    const signature = fromBase64Sized(s.signature, 64);
    const { key, note } = await this.signerKey(user, String(s.device ?? ''), s.signer_keys);
    const pinned = key ? fromBase64Sized(key, 32) : null;
    if (!signature || !pinned) return words('does_not_verify', note || 'the signature is malformed');
    const message = acknowledgementMessage({
      meeting: minutes.meeting, room: minutes.room, version: minutes.version,
      circulation: circulationDigest(minutes as unknown as Json), account: user, signedAt: Number(s.signed_at) || 0,
    });
    return words(sodium.crypto_sign_verify_detached(signature, message, pinned) ? 'verified' : 'does_not_verify', note);
  }

  /** Checks an accuracy comment's signature against its author's pinned key. */
  async checkComment(c: AccuracyComment): Promise<ReceiptVerdict> {
    const user = c.by?.user ?? '';
    const who = c.by?.display_name || user;
    const words = (result: ReceiptVerdict['result'], note: string): ReceiptVerdict => {
      let w = result === 'verified'
        ? `signed by ${who}’s device, signature verified`
        : result === 'not_signed'
          ? 'sent before comments were signed: not signed, so not verified'
          : `the server shows a comment from ${who} (${user}) that their device did not sign: NOT verified, these may not be their words`;
      if (note) w += ` [${note}]`;
      return { user, result, note, words: w };
    };
    if (typeof c.signature !== 'string') return words('not_signed', '');
    const signature = fromBase64Sized(c.signature, 64);
    const { key, note } = await this.signerKey(user, String(c.device ?? ''), c.signer_keys);
    const pinned = key ? fromBase64Sized(key, 32) : null;
    if (!signature || !pinned) return words('does_not_verify', note || 'the signature is malformed');
    const message = commentMessage({
      meeting: c.meeting, version: c.version, section: c.section, text: c.text, account: user, signedAt: Number(c.signed_at) || 0,
    });
    return words(sodium.crypto_sign_verify_detached(signature, message, pinned) ? 'verified' : 'does_not_verify', note);
  }

  private async verifyOne(minutes: Minutes, s: Signature): Promise<SignatureVerdict> {
    const v: SignatureVerdict = {
      act: s.act, user: s.user ?? '', displayName: s.display_name ?? '', agency: s.agency ?? '',
      signedAt: Number(s.signed_at) || 0, verified: false, verifiedContact: false, beforeSections: false, note: '', words: '',
    };
    const finish = (): SignatureVerdict => {
      const who = v.displayName || v.user;
      const past = v.act === 'circulate' ? 'circulated' : 'approved';
      let w = `${past} by ${who} (${v.user}${v.agency ? `, ${v.agency}` : ''})`;
      if (v.signedAt) w += ` on ${minuteTime(v.signedAt)}`;
      w += v.verified ? `, signature verified${v.verifiedContact ? ' (a verified contact)' : ''}${v.beforeSections ? ` (${kBeforeSections})` : ''}`
        : `: signature does NOT verify — this version is not the one ${who} ${past}`;
      if (v.note) w += ` [${v.note}]`;
      v.words = w;
      return v;
    };
    if (s.act !== 'circulate' && s.act !== 'approve') {
      v.note = 'an unknown kind of signature';
      return finish();
    }
    const signature = fromBase64Sized(s.signature, 64);
    if (!signature) {
      v.note = 'the signer’s keys or signature are missing or malformed';
      return finish();
    }
    const { key, note } = await this.signerKey(v.user, s.device, s.signer_keys);
    v.note = note;
    if (!key) return finish();
    const pinned = fromBase64Sized(key, 32);
    // v2 first; v1 only for signatures made before it, which the verdict says. A v2 signature
    // never verifies as v1: the label is the first thing hashed.
    for (const version of [2, 1] as const) {
      const digest = minutesDigest(minutes as unknown as Json, s.act, v.user, v.signedAt, version);
      if (pinned !== null && sodium.crypto_sign_verify_detached(signature, signedMessage(digest), pinned)) {
        v.verified = true;
        v.beforeSections = version === 1;
        break;
      }
    }
    v.verifiedContact = v.verified && this.session.isVerified(v.user);
    return finish();
  }
}
