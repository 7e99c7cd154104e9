// Retention schedules, legal holds and the information-governance permission (admins), and
// subject access requests (accounts holding that permission): the same requests as `liaise admin
// retention|hold|governance|sar` (client/src/retention_cli.cpp, sar_cli.cpp), PROTOCOL.md
// "Retention and legal hold" and "Subject access requests". The server decides every one; the
// checks here only say early, in the same words, what it would refuse anyway.
import type { Json } from '../protocol/connection';
import type { Request } from './admin';
import { kMeetingKinds } from './minutes-export';

/** A record kind's period when no agency set one. */
export interface RetentionDefault {
  record: string;
  days: number;
}

/** An agency's own period for one kind of record. */
export interface Schedule {
  agency: string;
  record: string;
  days: number;
  set_by: string;
  set_at: number;
  reason: string;
}

export interface Hold {
  target: 'room' | 'meeting';
  room: string;
  meeting?: number;
  placed_by: string;
  placed_at: number;
  reason: string;
}

/** A record past its period, as a sweep reports it: never any content. */
export interface Expired {
  kind: 'messages' | 'minutes';
  room: string;
  meeting?: number;
  count?: number;
  record: string;
  last_contact: number;
  days: number;
  schedule: string;
  hold?: 'room' | 'meeting';
  hold_reason?: string;
  why?: string;
}

export interface Sweep {
  preview: boolean;
  at: number;
  deleted: Expired[];
  held: Expired[];
  kept: Expired[];
}

export interface Officer {
  user: string;
  display_name: string;
  agency: string;
  suspended: boolean;
  granted_by: string;
  granted_at: number;
  reason: string;
}

/** Something a legal hold can be placed on, as the admin picks it from a list. */
export interface HoldTarget {
  target: 'room' | 'meeting';
  room: string;
  meeting?: number;
  /** How it is shown: "case-7", "Meeting 3 in case-7: Core group, 4 December 2026 (minutes approved)". */
  label: string;
}

const kKindNames: Record<string, string> = Object.fromEntries(kMeetingKinds);
const kStatusWords: Record<string, string> = { draft: 'minutes not circulated', circulated: 'minutes circulated', approved: 'minutes approved' };

/** "Meeting 3 in case-7: Core group, 4 December 2026 (minutes not circulated)". */
export function meetingLabel(m: { meeting: number; room: string; kind: string; starts_at: string; status: string }): string {
  const kind = kKindNames[m.kind] ?? m.kind.replace(/-/g, ' ');
  const day = /^(\d{4})-(\d{2})-(\d{2})/.exec(m.starts_at);
  const date = day
    ? new Date(Date.UTC(Number(day[1]), Number(day[2]) - 1, Number(day[3]))).toLocaleDateString('en-GB', { timeZone: 'UTC', day: 'numeric', month: 'long', year: 'numeric' })
    : m.starts_at;
  const state = kStatusWords[m.status] ?? m.status;
  return `Meeting ${m.meeting} in ${m.room}: ${kind}${date ? `, ${date}` : ''}${state ? ` (${state})` : ''}`;
}

/** Whom a subject access request is for: an account, or a name as written in the minutes. */
export type Subject = { user: string } | { name: string };

export const kMaxDays = 36500;
const kMaxReasonBytes = 500;
const bytes = (s: string) => new TextEncoder().encode(s).length;
const array = <T>(r: Json, key: string): T[] => (Array.isArray(r[key]) ? (r[key] as T[]) : []);

/** Why `days` (as typed) is not a period the server takes, or "" when it is. */
export function daysProblem(days: string): string {
  const n = Number(days.trim());
  if (!days.trim() || !Number.isInteger(n) || n < 1 || n > kMaxDays)
    return `A period is a whole number of days from 1 to ${kMaxDays.toLocaleString('en-GB')} (100 years).`;
  return '';
}

/** Why `reason` is not one the server takes, or "" when it is. */
export function reasonProblem(reason: string): string {
  if (!reason.trim()) return 'Give a reason: it is kept in the audit log.';
  if (bytes(reason.trim()) > kMaxReasonBytes) return `A reason is at most ${kMaxReasonBytes} characters (fewer for accented letters).`;
  return '';
}

/** "2 years (730 days)", "35 years (12,783 days)", "90 days". */
export function periodWords(days: number): string {
  const n = days.toLocaleString('en-GB');
  // The server's years: 365 days and a leap day every fourth (PROTOCOL.md).
  const years = Math.round(days / 365.25);
  if (years >= 1 && Math.abs(days - Math.floor(years * 365.25)) <= 1 && days >= 365) return `${years} year${years === 1 ? '' : 's'} (${n} days)`;
  return `${n} day${days === 1 ? '' : 's'}`;
}

export class Governance {
  constructor(private readonly request: Request) {}

  async retention(): Promise<{ defaults: RetentionDefault[]; schedules: Schedule[]; holds: Hold[] }> {
    const r = await this.request('retention_show');
    return { defaults: array(r, 'defaults'), schedules: array(r, 'schedules'), holds: array(r, 'holds') };
  }

  async setRetention(agency: string, record: string, days: number, reason: string): Promise<{ days: number; previous_days: number }> {
    const r = await this.request('retention_set', { agency, record, days, reason: reason.trim() });
    return { days: Number(r.days), previous_days: Number(r.previous_days) };
  }

  async sweep(preview: boolean): Promise<Sweep> {
    const r = await this.request('retention_sweep', { preview });
    return { preview: r.preview === true, at: Number(r.at ?? 0), deleted: array(r, 'deleted'), held: array(r, 'held'), kept: array(r, 'kept') };
  }

  async placeHold(t: { room: string } | { meeting: number }, reason: string): Promise<Json> {
    return this.request('hold_place', { ...t, reason: reason.trim() });
  }

  async liftHold(t: { room: string } | { meeting: number }, reason: string): Promise<Json> {
    return this.request('hold_lift', { ...t, reason: reason.trim() });
  }

  /**
   * What a hold can be placed on: every room and meeting on the server, whether or not this
   * admin is in it (`hold_targets`). A meeting is named by its kind, date and state, not its
   * title: that is in its sealed record, for its room's members.
   */
  async holdTargets(): Promise<HoldTarget[]> {
    const r = await this.request('hold_targets');
    const out: HoldTarget[] = array<{ room: string }>(r, 'rooms').map((t) => ({ target: 'room', room: t.room, label: t.room }));
    for (const m of array<{ meeting: number; room: string; kind: string; starts_at: string; status: string }>(r, 'meetings'))
      out.push({ target: 'meeting', room: m.room, meeting: m.meeting, label: meetingLabel(m) });
    return out;
  }

  async officers(): Promise<Officer[]> {
    return array<Officer>(await this.request('governance_list'), 'officers');
  }

  /** Gives (`grant`) or withdraws the permission; true when something changed. */
  async grant(user: string, grant: boolean, reason: string): Promise<boolean> {
    return (await this.request('governance_grant', { user, grant, reason: reason.trim() })).changed === true;
  }

  /** Whether this account holds the permission, as the server says (`whoami`). */
  async holdsPermission(): Promise<boolean> {
    return (await this.request('whoami')).governance === true;
  }

  /**
   * A subject access bundle: page 1, then each next page until `pages`, the items joined (as
   * `liaise admin sar` does). Each page is recorded in the audit log by the server.
   */
  async subjectAccess(subject: Subject, reason: string): Promise<Json> {
    let bundle: Json = {};
    const items: unknown[] = [];
    let pages = 1;
    for (let page = 1; page <= pages; ++page) {
      const r = await this.request('subject_access', { ...subject, reason: reason.trim(), page });
      pages = Number(r.pages ?? 1);
      const b = (r.bundle ?? {}) as Json;
      items.push(...(Array.isArray(b.items) ? b.items : []));
      if (page === 1) bundle = b;
    }
    bundle.items = items;
    delete bundle.first_item;
    return bundle;
  }
}
