// The administrator's requests (PROTOCOL.md, "Administration"), the same ones `liaise admin`
// sends (client/src/admin_cli.cpp), with replies typed for the admin pages. The server decides:
// every one of these is refused (`forbidden`) for anyone who is not an admin, whatever a page
// shows. Also here: the dictionaries' TSV read into entries for searching, and audit records
// and refusals put into words.
import { type Json, ProtocolError } from '../protocol/connection';

export type Request = (type: string, fields?: Json) => Promise<Json>;

export interface Agency {
  name: string;
  discipline: string;
}

export interface Account {
  user: string;
  display_name: string;
  agency: string;
  discipline: string;
  role: string;
  suspended: boolean;
  created_at: number;
  devices: number;
}

/**
 * A code issued and not used yet (`account_list`'s `pending`): for a new account ("enrol") or a
 * new device for one ("device"). The code itself is never listed (the server keeps its hash).
 */
export interface PendingCode {
  user: string;
  display_name: string;
  agency: string;
  role: string;
  kind: 'enrol' | 'device';
  issued_at: number;
  issued_by: string;
  expires_at: number;
  state: 'pending' | 'expired';
}

/** An enrolment or replacement-device code as the server issued it. */
export interface Code {
  user: string;
  code: string;
  expires_at: number;
  withdrawn: number;
}

/** One row of a discipline's dictionary (dictionaries/README.md). */
export interface Entry {
  discipline: string;
  term: string;
  variants: string[];
  alternatives: string[];
  explanation: string;
  kind: string;
  options: string;
}

/** What a dictionary change replied: the version it made, or that nothing changed. */
export interface Change {
  changed: boolean;
  version: number;
  summary: string;
}

export interface Version {
  version: number;
  by: string;
  at: number;
  summary: string;
}

export interface Noisy {
  discipline: string;
  term: string;
  fixed: number;
  sent_anyway: number;
  override_rate: number;
}

export interface Question {
  id: number;
  term: string;
  room: string;
  asked_by: string;
  asked_at: number;
  status: string;
  reply: string;
  answered_at: number | null;
}

export interface AuditRecord {
  seq: number;
  at: number;
  actor: string;
  kind: string;
  details: Json;
}

export interface Verification {
  verified: boolean;
  records: number;
  first_bad?: number;
  reason?: string;
}

/** One line the server found wrong in a dictionary change or import (`invalid_dictionary`). */
export interface Problem {
  discipline: string;
  line: number;
  message: string;
}

const array = <T>(r: Json, key: string): T[] => (Array.isArray(r[key]) ? (r[key] as T[]) : []);

function change(r: Json): Change {
  return { changed: r.changed === true, version: Number(r.version ?? 0), summary: String(r.summary ?? '') };
}

/** Fields an entry is added or edited with (`dict_add`, `dict_edit`); absent ones stay as they are. */
export interface EntryFields {
  discipline: string;
  term: string;
  alternatives?: string[];
  explanation?: string;
  variants?: string[];
  kind?: string;
  options?: string;
}

export class Admin {
  constructor(private readonly request: Request) {}

  // ---- agencies and accounts ---------------------------------------------------------------

  async agencies(): Promise<Agency[]> {
    return array<Agency>(await this.request('agency_list'), 'agencies');
  }

  async addAgency(name: string, discipline: string): Promise<true> {
    await this.request('agency_add', { name, discipline });
    return true;
  }

  async renameAgency(name: string, newName: string): Promise<true> {
    await this.request('agency_rename', { name, new_name: newName });
    return true;
  }

  async accounts(filter: { agency?: string; suspended?: boolean } = {}): Promise<Account[]> {
    return (await this.accountList(filter)).accounts;
  }

  /** Accounts, and the codes issued and not used yet (none when only suspended are asked for). */
  async accountList(filter: { agency?: string; suspended?: boolean } = {}): Promise<{ accounts: Account[]; pending: PendingCode[] }> {
    const fields: Json = {};
    if (filter.agency) fields.agency = filter.agency;
    if (filter.suspended !== undefined) fields.suspended = filter.suspended;
    const r = await this.request('account_list', fields);
    return { accounts: array<Account>(r, 'accounts'), pending: array<PendingCode>(r, 'pending') };
  }

  async enrolCode(user: string, agency: string, role: string, displayName: string, hours: number): Promise<Code> {
    const fields: Json = { user, agency, role, hours };
    if (displayName) fields.display_name = displayName;
    return (await this.request('enrol_code', fields)) as unknown as Code;
  }

  /** Sets `user`'s role; true when it changed (their open sessions were ended). */
  async setRole(user: string, role: string): Promise<boolean> {
    return (await this.request('account_role', { user, role })).changed === true;
  }

  async suspend(user: string, reason: string): Promise<boolean> {
    const fields: Json = { user };
    if (reason.trim()) fields.reason = reason.trim();
    return (await this.request('account_suspend', fields)).changed === true;
  }

  async reinstate(user: string): Promise<boolean> {
    return (await this.request('account_reinstate', { user })).changed === true;
  }

  async replaceDevice(user: string, hours: number): Promise<Code> {
    return (await this.request('device_replace', { user, hours })) as unknown as Code;
  }

  // ---- dictionaries ------------------------------------------------------------------------

  /** Every discipline's entries (the `dictionaries` request) and the current version. */
  async dictionaries(): Promise<{ version: number; disciplines: string[]; entries: Entry[] }> {
    const r = await this.request('dictionaries');
    const dicts = array<{ discipline: string; tsv: string }>(r, 'dictionaries');
    return {
      version: Number(r.version ?? 0),
      disciplines: dicts.map((d) => d.discipline).sort(),
      entries: dicts.flatMap((d) => parseEntries(d.discipline, d.tsv)),
    };
  }

  async addEntry(f: EntryFields): Promise<Change> {
    return change(await this.request('dict_add', f as unknown as Json));
  }

  async editEntry(f: EntryFields): Promise<Change> {
    return change(await this.request('dict_edit', f as unknown as Json));
  }

  async removeEntry(discipline: string, term: string): Promise<Change> {
    return change(await this.request('dict_remove', { discipline, term }));
  }

  async addDiscipline(discipline: string): Promise<Change> {
    return change(await this.request('dict_discipline_add', { discipline }));
  }

  async removeDiscipline(discipline: string): Promise<Change> {
    return change(await this.request('dict_discipline_remove', { discipline }));
  }

  /** Replaces a discipline's dictionary; a file with any bad line is refused whole (`problemsOf`). */
  async importTsv(discipline: string, tsv: string): Promise<Change & { entries: number }> {
    const r = await this.request('dict_import', { discipline, tsv });
    return { ...change(r), entries: Number(r.entries ?? 0) };
  }

  async exportTsv(discipline: string): Promise<{ version: number; tsv: string }> {
    const r = await this.request('dict_export', { discipline });
    return { version: Number(r.version ?? 0), tsv: String(r.tsv ?? '') };
  }

  async versions(limit = 50): Promise<{ current: number; versions: Version[] }> {
    const r = await this.request('dict_versions', { limit });
    return { current: Number(r.version ?? 0), versions: array<Version>(r, 'versions') };
  }

  async revert(version: number): Promise<Change> {
    return change(await this.request('dict_revert', { version }));
  }

  async noisy(limit = 50): Promise<Noisy[]> {
    return array<Noisy>(await this.request('dict_noisy', { limit }), 'entries');
  }

  // ---- questions ---------------------------------------------------------------------------

  async questions(status: string): Promise<Question[]> {
    return array<Question>(await this.request('question_list', { status }), 'questions');
  }

  /** Answers with a reply, or (with `entry`) by adding the asked term to a dictionary. */
  async answer(id: number, reply: string, entry?: { discipline: string; alternatives: string[]; explanation: string }): Promise<Json> {
    const fields: Json = { question: id };
    if (reply.trim()) fields.reply = reply.trim();
    if (entry) Object.assign(fields, entry);
    return this.request('question_answer', fields);
  }

  async dismiss(id: number, reply: string): Promise<true> {
    const fields: Json = { question: id };
    if (reply.trim()) fields.reply = reply.trim();
    await this.request('question_dismiss', fields);
    return true;
  }

  // ---- audit -------------------------------------------------------------------------------

  async audit(since?: number): Promise<AuditRecord[]> {
    const fields: Json = {};
    if (since !== undefined) fields.since = since;
    return array<AuditRecord>(await this.request('audit', fields), 'records');
  }

  async verifyAudit(): Promise<Verification> {
    return (await this.request('audit', { verify: true })) as unknown as Verification;
  }
}

/** A dictionary file's entries: comment lines, blank lines and the header row skipped. */
export function parseEntries(discipline: string, tsv: string): Entry[] {
  const out: Entry[] = [];
  for (const line of tsv.split('\n')) {
    const row = line.replace(/\r$/, '');
    if (!row.trim() || row.startsWith('#') || row.startsWith('term\t')) continue;
    const [term = '', variants = '', alternatives = '', explanation = '', kind = '', options = ''] = row.split('\t');
    const list = (s: string) => s.split('|').map((x) => x.trim()).filter(Boolean);
    out.push({ discipline, term, variants: list(variants), alternatives: list(alternatives), explanation, kind, options });
  }
  return out;
}

/** Entries whose term, variants, plain words or explanation contain `query` (any case). */
export function searchEntries(entries: Entry[], query: string, discipline = ''): Entry[] {
  const q = query.trim().toLocaleLowerCase('en-GB');
  return entries.filter((e) => (!discipline || e.discipline === discipline) && (!q ||
    [e.term, ...e.variants, ...e.alternatives, e.explanation].some((s) => s.toLocaleLowerCase('en-GB').includes(q))));
}

/** The lines the server refused a dictionary change for; empty for any other error. */
export function problemsOf(e: unknown): Problem[] {
  if (!(e instanceof ProtocolError) || e.code !== 'invalid_dictionary') return [];
  return array<Problem>(e.reply, 'problems');
}

const kRefusals: Record<string, string> = {
  forbidden: 'The server refused: your account is not allowed to do this.',
  not_found: 'The server found no such account, agency, entry or question.',
  conflict: 'The server refused: that would clash with what is already there.',
  invalid_dictionary: 'The server refused the dictionary change: nothing was changed.',
  wrong_status: 'The server refused: that question is already answered or dismissed.',
  rate_limited: 'Too many requests at once: wait a moment and try again.',
  connection_closed: 'Not connected to the server just now: Liaise is reconnecting. Try again in a moment.',
  timeout: 'The server did not answer in time. Try again.',
};

/**
 * A refusal in words for a person: what it means, then the server's own explanation, then
 * the stable code in brackets (what the operator guide and PROTOCOL.md list).
 */
export function refusal(e: unknown): string {
  if (!(e instanceof ProtocolError)) return `Something went wrong: ${(e as Error)?.message ?? String(e)}.`;
  const lead = kRefusals[e.code] ?? 'The server refused.';
  const detail = e.message && e.message !== e.code ? ` It said: “${e.message}”.` : '';
  return `${lead}${detail} (${e.code})`;
}

const words = (s: string) => s.replace(/[_-]/g, ' ');
const text = (d: Json, k: string) => (d[k] === undefined || d[k] === null ? '' : String(d[k]));

/** One audit record in a sentence: "ann suspended bea's account (reason: left the service)". */
export function describeAudit(r: AuditRecord): string {
  const d = r.details && typeof r.details === 'object' ? r.details : {};
  const who = r.actor || 'the server';
  const user = text(d, 'user');
  switch (r.kind) {
    case 'enrolment_code_issued':
      return `${who} issued an enrolment code for ${user} (${text(d, 'role')} at ${text(d, 'agency')})` +
        (d.withdrawn ? `, withdrawing ${text(d, 'withdrawn')} earlier unused code(s)` : '');
    case 'enrolled':
      return `${user} set up their first device (device ${text(d, 'device')}) as ${text(d, 'role')} at ${text(d, 'agency')}`;
    case 'device_replacement_issued':
      return `${who} issued a replacement-device code for ${user}`;
    case 'device_replaced':
      return `${user} set up a replacement device (device ${text(d, 'device')}); their old device(s) stopped working`;
    case 'agency_added':
      return `${who} added the agency ${text(d, 'name')} (${words(text(d, 'discipline'))})`;
    case 'agency_renamed':
      return `${who} renamed the agency ${text(d, 'from')} to ${text(d, 'to')}`;
    case 'role_changed':
      return `${who} changed ${user}’s role from ${text(d, 'from')} to ${text(d, 'to')}`;
    case 'account_suspended':
      return `${who} suspended ${user}’s account${d.reason ? ` (reason: ${text(d, 'reason')})` : ''}`;
    case 'account_reinstated':
      return `${who} reinstated ${user}’s account`;
    case 'dictionary_changed':
      return `${who} changed the dictionaries to version ${text(d, 'version')}: ${text(d, 'summary')}`;
    case 'question_answered':
      return `${who} answered question ${text(d, 'question')} about “${text(d, 'term')}”`;
    case 'question_dismissed':
      return `${who} dismissed question ${text(d, 'question')} about “${text(d, 'term')}”`;
    case 'room_created':
      return `${who} created the room ${text(d, 'room')}`;
    case 'room_member_added':
      return `${who} added ${user} to the room ${text(d, 'room')}`;
    case 'room_member_removed':
      return `${who} removed ${user} from the room ${text(d, 'room')}`;
    case 'room_audience_changed':
      return `${who} marked the room ${text(d, 'room')} as ${d.public === true ? 'including the public' : 'for professionals only'}`;
    case 'minutes_circulated':
      return `${who} circulated the minutes of meeting ${text(d, 'meeting')} (version ${text(d, 'version')})`;
    case 'minutes_approved':
      return `${who} approved the minutes of meeting ${text(d, 'meeting')} (version ${text(d, 'version')})`;
    case 'minutes_correction_started':
      return `${who} started a correction of the minutes of meeting ${text(d, 'meeting')} (version ${text(d, 'version')})`;
    case 'minutes_exported':
      return `${who} exported the minutes of meeting ${text(d, 'meeting')} (version ${text(d, 'version')}) as ${text(d, 'format')}`;
    case 'message_withdrawn':
      return `${who} withdrew message #${text(d, 'seq')} of the room ${text(d, 'room')}` +
        (text(d, 'sender') && text(d, 'sender') !== who ? `, sent by ${text(d, 'sender')}` : '');
    case 'retention_set':
      return `${who} set how long ${text(d, 'agency')} keeps ${text(d, 'record')} records: ${text(d, 'days')} days (was ${text(d, 'previous_days')}; reason: ${text(d, 'reason')})`;
    case 'retention_deleted':
      return (d.kind === 'messages'
        ? `Deleted ${text(d, 'count')} message(s) of the room ${text(d, 'room')}`
        : `Deleted the minutes of meeting ${text(d, 'meeting')} in the room ${text(d, 'room')}`) +
        ` under ${d.schedule === 'default' ? 'the default schedule' : `${text(d, 'schedule')}’s schedule`} (${text(d, 'days')} days)`;
    case 'hold_placed':
    case 'hold_lifted':
      return `${who} ${r.kind === 'hold_placed' ? 'placed a legal hold on' : 'lifted the legal hold on'} ` +
        (d.meeting !== undefined ? `meeting ${text(d, 'meeting')} in ` : '') +
        `the room ${text(d, 'room')} (reason: ${text(d, 'reason')})`;
    case 'audit_log_converted':
      return 'The server converted its audit log to the chained format';
    default: {
      const rest = Object.entries(d).map(([k, v]) => `${words(k)} ${typeof v === 'string' ? v : JSON.stringify(v)}`).join(', ');
      return `${who}: ${words(r.kind)}${rest ? ` (${rest})` : ''}`;
    }
  }
}
