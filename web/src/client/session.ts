// A logged-in browser device: connects, logs in, keeps each room's timeline (decrypted and
// checked), sends, and reconnects by itself, catching up by sequence number. The UI reads its
// state and subscribes to changes; it never touches the connection or the keys itself.
//
// The checks follow PROTOCOL.md, "Checking the history" and "Pinning and verification": keys
// are pinned on first use; a changed key is a warning, or for a verified person blocks the
// room; each room's ledger (counter, message hashes, readers) lives in IndexedDB.
import { type Envelope, envelopeFromJson, envelopeToJson, messageHash, messageKeyFor, open, seal, transcript } from '../crypto/envelope';
import { openWithKey } from '../crypto/continuity';
import { Continuity } from './continuity';
import { CryptoError, type DeviceKeys, identityFromJson, signLogin, verifyIdentity } from '../crypto/keys';
import { fromBase64, sodium, toBase64 } from '../crypto/sodium';
import { safetyNumber } from '../crypto/safety';
import { Connection, type Json, ProtocolError } from '../protocol/connection';
import * as ledgers from './ledger';
import type { Ledger, Warning } from './ledger';
import * as store from './store';
import * as plain from './plain';
import { describeEvent, describeNotice, personName, ukWhen } from './words';
import { signWithdrawal, withdrawalValid } from '../crypto/withdrawal';

export interface Device {
  device: string;
  name: string;
  sign_key: string;
  box_key: string;
  box_key_signature: string;
}

export interface Member {
  user: string;
  display_name: string;
  agency: string;
  discipline: string;
  role: string;
  suspended?: boolean;
  devices?: Device[];
}

export type { Warning } from './ledger';

export interface Item {
  seq: number;
  kind: 'message' | 'event';
  sentAt: number;
  /** For messages: who (account) and how to show them. */
  sender?: string;
  senderName?: string;
  mine?: boolean;
  /** The decrypted text, or null when it cannot be read (then `problem` says why). */
  text?: string | null;
  problem?: string;
  /** For events: what happened, in words. */
  eventText?: string;
  warnings: Warning[];
  /** A signed message this device could not open: opened again when keys arrive (continuity). */
  sealed?: { env: Envelope; hash: Uint8Array };
  /** For a signed message: its message hash (base64), to check a withdrawal against. */
  hash?: string;
  /** For an event: a warning to show it as (a withdrawal that was refused). */
  alert?: boolean;
  /** For an event whose words already say when (a withdrawal, at the time it was signed). */
  timed?: boolean;
}

/** A term a room's chairs agreed its members know (PROTOCOL.md, "Room glossary"). */
export interface AgreedTerm {
  term: string;
  meaning: string;
  by: string;
  at: number;
}

export interface Glossary {
  version: number;
  public: boolean;
  terms: AgreedTerm[];
}

export interface Room {
  name: string;
  lastSeq: number;
  memberCount: number;
  members: Member[];
  public: boolean;
  /** Disciplines of the members, sorted (the room's audience unless public). */
  disciplines: string[];
  /** The terms the room agreed its members know (room_show's glossary); refreshed on a change. */
  glossary: AgreedTerm[];
  items: Item[];
  /** The highest seq this device has fetched for the timeline. */
  loadedSeq: number;
  /** The oldest seq the timeline holds (0: none yet); older history loads on request. */
  firstSeq: number;
  readSeq: number;
  loaded: boolean;
  /** Set when a verified person's key changed: sending is blocked until verified again. */
  blocked: string;
}

export interface Action {
  id: number;
  room: string;
  meeting: number;
  meeting_title?: string;
  what: string;
  outcome: string;
  owner: { user?: string; name: string; agency: string };
  due: string;
  review: string | null;
  status: string;
  evidence: string;
  overdue: boolean;
}

/** This account's daily email digest setting (Session.emailDigest). */
export interface EmailDigest {
  on: boolean;
  email: 'on' | 'no_address' | 'server_off' | 'unknown';
  /** When it goes, London time ("08:00" unless the operator chose another). */
  time: string;
}

/** A question this account asked the administrators (PROTOCOL.md, "questions"). */
export interface Question {
  id: number;
  term: string;
  room: string;
  status: string; // open, answered, dismissed
  reply?: string;
}

export interface Notice {
  id: number;
  at: number;
  text: string;
}

interface KnownKeys {
  keys: Record<string, Record<string, string>>;
  verified: Record<string, boolean>;
}

export type ConnectionState = 'online' | 'connecting' | 'offline';

/** Messages fetched when a room is first opened, and per "load earlier" step. */
const kPage = 50;

/** The client_msg_id of PROTOCOL.md: ms as 12 hex digits, then 96 random bits in base64. */
function newMessageId(): string {
  return Date.now().toString(16).padStart(12, '0') + toBase64(sodium.randombytes_buf(12));
}

interface FeedbackState {
  counts: Record<string, { fixed: number; sent_anyway: number }>;
  counted: string; // UTC days, "YYYY-MM-DD"
  reported: string;
}

const utcDay = (): string => new Date().toISOString().slice(0, 10);

export class Session {
  account: Json = {};
  rooms = new Map<string, Room>();
  notices: Notice[] = [];
  state: ConnectionState = 'connecting';
  private conn: Connection | null = null;
  private listeners = new Set<() => void>();
  private eventListeners = new Set<(e: Json) => void>();
  private known: KnownKeys = { keys: {}, verified: {} };
  private ledgers = new Map<string, Ledger>();
  private closed = false;
  private retry = 0;
  private retryTimer = 0;
  private noticeId = 0;
  private syncing = new Map<string, Promise<void>>();
  /** Per room, the read position the server has (or is being sent): see recordRead. */
  private recordedRead = new Map<string, number>();
  private loadingEarlier = new Set<string>();
  /** Called for a message from someone else, for desktop notifications (never given the text). */
  onIncoming: ((room: string) => void) | null = null;
  /** The recovery key, key backup, transfer and history share (PROTOCOL.md, "Continuity"). */
  readonly continuity: Continuity;

  constructor(readonly keys: DeviceKeys, readonly profile: store.Profile, private url: string) {
    this.continuity = new Continuity({
      keys, profile,
      request: (t, f) => this.request(t, f),
      roomNames: () => [...this.rooms.keys()],
      members: (room) => this.rooms.get(room)?.members ?? [],
      pinnedKey: (u, d) => this.pinnedKey(u, d),
      isVerified: (u) => this.isVerified(u),
      reopen: () => this.reopen(),
      addMessages: (room, messages) => this.addMessages(room, messages),
    });
  }

  get user(): string {
    return this.profile.user;
  }

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** `fn` gets every event the server sends unasked (after the session's own handling). */
  onEvent(fn: (e: Json) => void): () => void {
    this.eventListeners.add(fn);
    return () => this.eventListeners.delete(fn);
  }

  private changed(): void {
    for (const fn of this.listeners) fn();
  }

  notice(text: string): void {
    this.notices = [{ id: ++this.noticeId, at: Date.now(), text }, ...this.notices].slice(0, 50);
    this.changed();
  }

  dismissNotice(id: number): void {
    this.notices = this.notices.filter((n) => n.id !== id);
    this.changed();
  }

  /** Connects and logs in; rejects with the server's error (bad_signature, suspended, …). */
  async start(): Promise<void> {
    this.known = (await store.get<KnownKeys>('known-keys')) ?? { keys: {}, verified: {} };
    await this.continuity.load();
    await this.connect();
    await this.refreshRooms();
    // Plain-language help loads after the room list is shown, never before it.
    setTimeout(() => void plain.startEngine((t, f) => this.request(t, f)).then(() => this.reportFeedback()), 0);
  }

  /** This account's discipline (empty when the server gave none). */
  get discipline(): string {
    return typeof this.account.discipline === 'string' ? this.account.discipline : '';
  }

  /** The discipline of `user` as a member of `room` (empty when not known). */
  disciplineOf(room: Room, user: string): string {
    return room.members.find((m) => m.user === user)?.discipline ?? '';
  }

  /**
   * Counts, as `liaise send` does, each term of a message sent as written ("sent_anyway") or
   * changed to plain words ("fixed"), per discipline; the counts go to the server with
   * `dict_feedback` at most once a UTC day, at a later login (PROTOCOL.md, "Dictionary feedback").
   */
  async recordFeedback(outcome: 'fixed' | 'sent_anyway', findings: plain.Finding[]): Promise<void> {
    if (findings.length === 0) return;
    const state = (await store.get<FeedbackState>('dict-feedback')) ?? { counts: {}, counted: '', reported: '' };
    for (const f of findings) {
      for (const d of f.disciplines) {
        const entry = (state.counts[`${d}:${f.term}`] ??= { fixed: 0, sent_anyway: 0 });
        entry[outcome] = Math.min(entry[outcome] + 1, 1000);
      }
    }
    const today = utcDay();
    state.counted = today;
    if (!state.reported) state.reported = today; // a new device waits a day like any other
    await store.put('dict-feedback', state);
  }

  private async reportFeedback(): Promise<void> {
    const state = await store.get<FeedbackState>('dict-feedback');
    const today = utcDay();
    if (!state || Object.keys(state.counts).length === 0 || !(state.counted < today && state.reported < today)) return;
    try {
      await this.request('dict_feedback', { counts: state.counts as unknown as Json });
      state.counts = {};
    } catch (e) {
      const code = e instanceof ProtocolError ? e.code : '';
      if (code === 'bad_request') state.counts = {};
      else if (code !== 'already_reported') return; // the next login tries again
    }
    state.reported = today;
    await store.put('dict-feedback', state);
  }

  /** Ends the session: closes the connection and forgets the keys held here. */
  stop(): void {
    this.closed = true;
    this.conn?.close();
    this.conn = null;
    this.listeners.clear();
    this.eventListeners.clear();
  }

  private async connect(): Promise<void> {
    this.state = 'connecting';
    this.changed();
    const conn = new Connection(this.url, (e) => this.event(e), () => this.lost(conn));
    this.conn = conn;
    const hello = await conn.request('hello', { version: 1, client: 'liaise-web/0.1.0' });
    const challenge = typeof hello.challenge === 'string' ? fromBase64(hello.challenge) : null;
    if (!challenge) throw new ProtocolError('bad_reply', 'The server’s hello carried no challenge.');
    const fields: Json = {
      user: this.profile.user, device: this.profile.device, signature: toBase64(signLogin(this.keys, challenge)),
    };
    const last = (await store.get<number>('last-session')) ?? 0;
    if (last > 0) fields.last_session = last;
    const reply = await conn.request('login', fields);
    this.account = reply;
    await store.keepAccountName(reply);
    if (typeof reply.session === 'number' && reply.session > last) await store.put('last-session', reply.session);
    for (const l of Array.isArray(reply.new_logins) ? (reply.new_logins as Json[]) : []) {
      const own = l.device === this.profile.device;
      this.notice(own
        ? `This device’s keys were used to log in from ${String(l.address)} at ${new Date(Number(l.at)).toLocaleString('en-GB', { timeZone: 'Europe/London' })}. If that was not you, tell your administrator.`
        : `New login from ${String(l.address)} (device ${String(l.device)}${l.device_name ? `, ${String(l.device_name)}` : ''}).`);
    }
    this.retry = 0;
    this.state = 'online';
    this.changed();
  }

  private lost(conn: Connection): void {
    if (this.closed || conn !== this.conn) return;
    this.state = 'offline';
    this.changed();
    // One attempt at a time: a failed attempt reports itself twice (its socket's close event
    // and reconnect()'s catch), and two attempts would leave two sessions getting every event.
    if (this.retryTimer) return;
    const delay = Math.min(10000, 500 * 2 ** this.retry++);
    this.retryTimer = window.setTimeout(() => {
      this.retryTimer = 0;
      void this.reconnect();
    }, delay);
  }

  private async reconnect(): Promise<void> {
    if (this.closed) return;
    try {
      await this.connect();
      await this.refreshRooms();
      for (const room of this.rooms.values()) if (room.loaded) await this.catchUp(room.name);
    } catch (e) {
      if (e instanceof ProtocolError && ['bad_signature', 'suspended', 'device_replaced'].includes(e.code)) {
        this.notice(`The server refused this device: ${e.message}`);
        this.closed = true;
        this.state = 'offline';
        this.changed();
        return;
      }
      // A connection that opened but whose catch-up failed is closed first (its close event
      // schedules the next attempt): left open, it would stay logged in beside the next one
      // and every event would arrive twice.
      const conn = this.conn;
      if (conn?.isOpen()) conn.close();
      else if (conn) this.lost(conn);
    }
  }

  /** One request to the server; rejects with a ProtocolError (its code and plain words). */
  request(type: string, fields: Json = {}): Promise<Json> {
    if (!this.conn || this.state !== 'online')
      return Promise.reject(new ProtocolError('connection_closed', 'Not connected to the server just now: Liaise is reconnecting.'));
    return this.conn.request(type, fields);
  }

  // ---- rooms ---------------------------------------------------------------------------------

  async refreshRooms(): Promise<void> {
    const reply = await this.request('rooms');
    const list = Array.isArray(reply.rooms) ? (reply.rooms as Json[]) : [];
    const names = new Set<string>();
    for (const r of list) {
      const name = String(r.room);
      names.add(name);
      let room = this.rooms.get(name);
      if (!room) {
        room = {
          name, lastSeq: 0, memberCount: 0, members: [], public: false, disciplines: [], glossary: [], items: [],
          loadedSeq: 0, firstSeq: 0, readSeq: (await store.get<number>(`read:${name}`)) ?? 0, loaded: false, blocked: '',
        };
        this.rooms.set(name, room);
      }
      room.lastSeq = Number(r.last_seq ?? 0);
      room.memberCount = Number(r.members ?? 0);
      // How far this person read it on any device (PROTOCOL.md, "Read positions").
      const readSeq = Number(r.read_seq ?? 0);
      this.recordedRead.set(name, Math.max(this.recordedRead.get(name) ?? 0, readSeq));
      if (readSeq > room.readSeq) {
        room.readSeq = Math.min(readSeq, room.lastSeq);
        await store.put(`read:${name}`, room.readSeq);
      }
    }
    for (const name of [...this.rooms.keys()]) if (!names.has(name)) this.rooms.delete(name);
    await Promise.all([...this.rooms.values()].map((r) => this.showRoom(r.name).catch(() => undefined)));
    this.changed();
  }

  private async showRoom(name: string): Promise<void> {
    const reply = await this.request('room_show', { room: name });
    const room = this.rooms.get(name);
    if (!room) return;
    this.setMembers(room, Array.isArray(reply.members) ? (reply.members as Member[]) : []);
    room.public = reply.public === true;
    const glossary = reply.glossary as Json | undefined;
    room.glossary = glossary && Array.isArray(glossary.terms) ? (glossary.terms as AgreedTerm[]) : [];
    if (typeof reply.last_seq === 'number') room.lastSeq = Math.max(room.lastSeq, reply.last_seq);
  }

  private setMembers(room: Room, members: Member[]): void {
    room.members = members;
    room.memberCount = members.length;
    room.disciplines = [...new Set(members.map((m) => m.discipline).filter(Boolean))].sort();
  }

  /**
   * The daily email digest (PROTOCOL.md, "Read positions"), as `whoami` says: whether it is on,
   * and whether email can reach this person at all (`server_off`: the server sends no email;
   * `no_address`: no address for this account; `unknown`: an older server did not say).
   */
  async emailDigest(): Promise<EmailDigest> {
    const r = await this.request('whoami');
    const email = ['on', 'no_address', 'server_off'].includes(String(r.email)) ? (r.email as EmailDigest['email']) : 'unknown';
    const time = typeof r.digest_time === 'string' && /^\d\d:\d\d$/.test(r.digest_time) ? r.digest_time : '08:00';
    return { on: r.email_digest !== false, email, time };
  }

  /** Turns this account's daily email digest on or off; resolves with the server's answer. */
  async setEmailDigest(on: boolean): Promise<boolean> {
    return (await this.request('email_digest', { on })).on === true;
  }

  unread(room: Room): number {
    return Math.max(0, room.lastSeq - room.readSeq);
  }

  /** Loads a room's timeline the first time it is opened, then keeps it live. */
  async openRoom(name: string): Promise<void> {
    const room = this.rooms.get(name);
    if (!room) return;
    if (!room.loaded) {
      room.loaded = true;
      // The newest page first; older history loads as the person scrolls up (loadEarlier).
      if (room.lastSeq > kPage) {
        room.loadedSeq = room.lastSeq - kPage;
        room.firstSeq = room.loadedSeq + 1;
      }
      // Opening beyond what this device saw last time starts its history again (not a hole).
      ledgers.readingFrom(await this.ledger(name), room.loadedSeq);
      await this.catchUp(name);
      // History a member shared with this device (PROTOCOL.md, "Continuity"), if any.
      await this.readShared(name);
    }
    await this.markRead(room);
  }

  async markRead(room: Room): Promise<void> {
    if (room.readSeq >= room.lastSeq) return;
    room.readSeq = room.lastSeq;
    await store.put(`read:${room.name}`, room.readSeq);
    this.changed();
  }

  /**
   * Tells the server the person has seen the room up to its newest message (room_read), so
   * that their other devices and the daily email digest know. Only for what was on screen in a
   * visible, focused tab (RoomView decides); a room merely loaded is not read. Best effort: a
   * failure is tried again the next time the room is seen.
   */
  async recordRead(room: Room): Promise<void> {
    const seq = room.lastSeq;
    if (seq <= (this.recordedRead.get(room.name) ?? 0)) return;
    this.recordedRead.set(room.name, seq);
    try {
      await this.request('room_read', { room: room.name, seq });
    } catch {
      if ((this.recordedRead.get(room.name) ?? 0) === seq) this.recordedRead.delete(room.name);
    }
  }

  /** Fetches everything after the last seq the timeline holds (one fetch at a time per room). */
  catchUp(name: string): Promise<void> {
    const running = this.syncing.get(name);
    if (running) return running.then(() => this.catchUp(name));
    const job = (async () => {
      const room = this.rooms.get(name);
      if (!room) return;
      for (;;) {
        const page = await this.request('sync', { room: name, after: room.loadedSeq, limit: 200 });
        for (const m of Array.isArray(page.messages) ? (page.messages as Json[]) : []) await this.take(room, m);
        if (typeof page.last_seq === 'number') room.lastSeq = Math.max(room.lastSeq, page.last_seq);
        this.changed();
        if (page.more !== true) break;
      }
    })().finally(() => this.syncing.delete(name));
    this.syncing.set(name, job);
    return job;
  }

  /** Reads the history shared with this device in `name`; problems become notices. */
  private async readShared(name: string): Promise<void> {
    try {
      await this.continuity.readShared(name);
    } catch (e) {
      this.notice(`The history shared with you in ${name} could not be read: ${(e as Error).message}`);
    }
    for (const note of this.continuity.notes.splice(0)) this.notice(note);
  }

  /** True when the room has history before what the timeline holds. */
  hasEarlier(room: Room): boolean {
    return room.loaded && room.firstSeq > 1;
  }

  /** Loads the page of history before the oldest the timeline holds. */
  async loadEarlier(name: string): Promise<void> {
    const room = this.rooms.get(name);
    if (!room || !this.hasEarlier(room) || this.loadingEarlier.has(name)) return;
    this.loadingEarlier.add(name);
    try {
      const after = Math.max(0, room.firstSeq - 1 - kPage);
      const page = await this.request('sync', { room: name, after, limit: room.firstSeq - 1 - after });
      const older: Item[] = [];
      for (const m of Array.isArray(page.messages) ? (page.messages as Json[]) : [])
        if (Number(m.seq) < room.firstSeq) await this.take(room, m, older);
      room.items = [...older, ...room.items];
      room.firstSeq = after + 1;
      this.changed();
    } finally {
      this.loadingEarlier.delete(name);
    }
  }

  private displayName(room: Room, user: string): string {
    const m = room.members.find((x) => x.user === user);
    return m ? personName(m.display_name, m.agency, m.user) : user;
  }

  /**
   * Adds a stored message or room event to the room's timeline, checked and decrypted: after
   * the newest (the default), or to `older` (earlier history being loaded).
   */
  private async take(room: Room, m: Json, older?: Item[]): Promise<void> {
    const seq = Number(m.seq);
    if (!older) {
      if (!(seq > room.loadedSeq)) return;
      room.loadedSeq = seq;
      if (room.firstSeq === 0) room.firstSeq = seq;
    }
    room.lastSeq = Math.max(room.lastSeq, seq);
    const sink = older ?? room.items;
    const sentAt = Number(m.sent_at ?? 0);
    if (m.event && typeof m.event === 'object') {
      const ev = m.event as Json;
      // This account added back to the room: the seqs it was out for are not a hole.
      const rejoined = ev.kind === 'member_added' && ev.user === this.user;
      const ledger = await this.ledger(room.name);
      const warnings = older ? [] : ledgers.observeEvent(ledger, seq, rejoined);
      const item: Item = { seq, kind: 'event', sentAt, eventText: describeEvent(ev), warnings };
      if (ev.kind === 'message_withdrawn') this.takeWithdrawal(room, item, ev, older);
      sink.push(item);
      await this.saveLedger(room.name, ledger);
      return;
    }
    const sender = String(m.sender ?? '');
    const item: Item = {
      seq, kind: 'message', sentAt, sender, senderName: this.displayName(room, sender),
      mine: sender === this.user && m.sender_device === this.profile.device, text: null, warnings: [],
    };
    sink.push(item);
    let env: Envelope;
    try {
      env = envelopeFromJson(m.envelope);
    } catch (e) {
      item.problem = `cannot read this message: ${(e as Error).message}`;
      return;
    }
    const senderKeys = identityFromJson(m.sender_keys);
    if (!senderKeys || env.room !== room.name || env.senderDevice !== m.sender_device) {
      item.problem = 'cannot read this message: it does not belong here (bad_signature)';
      return;
    }
    // Verify the signature first: only a signed message goes into the history checks.
    try {
      if (!verifyIdentity(senderKeys) ||
        !sodium.crypto_sign_verify_detached(env.signature, transcript(env), senderKeys.signKey))
        throw new CryptoError('bad_signature', 'the signature does not verify');
    } catch (e) {
      item.problem = `cannot read this message: ${(e as Error).message} (bad_signature)`;
      if (!older) item.warnings.push(...ledgers.observeEvent(await this.ledger(room.name), seq, false));
      return;
    }
    const ledger = await this.ledger(room.name);
    const h = env.history;
    item.warnings.push(...ledgers.observe(ledger, {
      seq, sentAt, sender, senderDevice: String(m.sender_device), hash: toBase64(messageHash(env)), v: env.v,
      history: h ? { ...h, previousHash: toBase64(h.previousHash) } : null, recipients: env.recipients,
    }, (device) => this.ownerOf(room, device)));
    const keyWarning = this.checkKey(sender, String(m.sender_device), toBase64(senderKeys.signKey));
    if (keyWarning === 'blocked') {
      item.problem = `cannot read this message: ${this.displayName(room, sender)}’s key changed since you verified them (key_changed)`;
      room.blocked = sender;
      await this.saveLedger(room.name, ledger);
      return;
    }
    if (keyWarning) item.warnings.push(keyWarning);
    const hash = messageHash(env);
    item.hash = toBase64(hash);
    try {
      item.text = open(env, this.keys, this.profile.device, senderKeys);
      // Backed up, as the CLI does, when this device backs up (PROTOCOL.md, "Continuity").
      const key = messageKeyFor(env, this.keys, this.profile.device, senderKeys);
      if (key) this.continuity.noteKey({ room: room.name, seq, messageHash: hash, key });
    } catch (e) {
      const code = e instanceof CryptoError ? e.code : 'bad_ciphertext';
      if (!this.openMoved(item, env, hash))
        item.problem = code === 'not_a_recipient'
          ? 'not encrypted for this device (sent before it was enrolled, or not to it)'
          : `cannot read this message (${code})`;
    }
    await this.saveLedger(room.name, ledger);
    await store.put('known-keys', this.known);
  }

  // ---- withdrawing a misdirected message (PROTOCOL.md, "Withdrawing a message") -------------

  /**
   * A `message_withdrawn` event: deletes this device's copy of the message (its text in the
   * timeline and any key kept for it) only if the signed statement verifies against the key
   * this device already pinned for the withdrawer's device, and matches the copy (its sender,
   * or an admin; its hash). Anything else is refused: the message stays and `item` says so.
   */
  private takeWithdrawal(room: Room, item: Item, ev: Json, older?: Item[]): void {
    const seq = Number(ev.seq);
    const by = String(ev.by ?? '');
    const byDevice = String(ev.by_device ?? '');
    const hash = fromBase64(String(ev.hash ?? ''));
    const signature = fromBase64(String(ev.signature ?? ''));
    const signer = identityFromJson(ev.signer_keys);
    const name = String(ev.by_display_name || by);
    const refuse = (why: string) => {
      item.alert = true;
      item.eventText = `Warning: the server says ${name} withdrew a message, but ${why}. It is refused and the message is kept (the server may be hiding it).`;
      item.warnings.push({ code: 'withdrawal_refused', message: `a withdrawal of message #${seq} was refused: ${why}` });
    };
    if (!hash || !signature || !signer || !verifyIdentity(signer) || !(seq >= 1 && seq < item.seq) ||
      !withdrawalValid({ room: room.name, seq, messageHash: hash, by, byDevice, withdrawnAt: Number(ev.withdrawn_at ?? -1) },
        signature, signer.signKey))
      return refuse(`it is not signed by ${name}’s device`);
    const own = by === this.user && byDevice === this.profile.device;
    const held = own ? toBase64(this.keys.identity.signKey) : this.pinnedKey(by, byDevice);
    if (held !== toBase64(signer.signKey))
      return refuse(`it is not signed with the key this device holds for ${name}’s device ${byDevice}`);
    // The sender's own withdrawal: its message counts as seen in the history checks.
    if (!older && ev.sender === by) {
      const ledger = this.ledgers.get(room.name);
      if (ledger) ledgers.withdrawn(ledger, seq, byDevice, String(ev.hash));
    }
    const list = older ?? room.items;
    const at = list.findIndex((i) => i.seq === seq);
    const copy = at >= 0 ? list[at] : undefined;
    if (copy && copy.kind === 'message') {
      if (copy.sender !== by && ev.by_role !== 'admin') return refuse(`${name} did not send it`);
      if (copy.hash && copy.hash !== String(ev.hash)) return refuse('it names another message than the one this device has');
    }
    item.eventText = `A message was withdrawn by ${name} at ${ukWhen(Number(ev.withdrawn_at))}`;
    item.timed = true;
    if (copy) {
      const what = copy.kind !== 'message' ? 'A message was withdrawn'
        : copy.mine ? 'Your message was withdrawn' : `A message from ${copy.senderName ?? copy.sender} was withdrawn`;
      list[at] = { seq, kind: 'event', sentAt: copy.sentAt, eventText: what, warnings: [] };
    }
    void this.continuity.forget(room.name, seq);
  }

  /**
   * Withdraws one's own message `seq` of `roomName` (an admin: anyone's): signs the statement
   * over the message's hash and sends message_withdraw. The room event that follows deletes
   * every member's copy, this device's too.
   */
  async withdraw(roomName: string, seq: number): Promise<void> {
    const page = await this.request('sync', { room: roomName, after: seq - 1, limit: 1 });
    const m = Array.isArray(page.messages) ? (page.messages as Json[])[0] : undefined;
    if (!m || Number(m.seq) !== seq || !m.envelope)
      throw new ProtocolError('not_found', `There is no message #${seq} in ${roomName} to withdraw.`);
    const env = envelopeFromJson(m.envelope);
    const w = { room: roomName, seq, messageHash: messageHash(env), by: this.user, byDevice: this.profile.device, withdrawnAt: Date.now() };
    const signature = signWithdrawal(this.keys, w);
    await this.request('message_withdraw', {
      room: roomName, seq, hash: toBase64(w.messageHash), withdrawn_at: w.withdrawnAt, signature: toBase64(signature),
    });
    if (this.rooms.get(roomName)?.loaded) await this.catchUp(roomName);
  }

  /**
   * Opens a signed message with a key that came by restore, transfer or share (checked against
   * the envelope's commitment); otherwise keeps the envelope to try again when keys arrive.
   */
  private openMoved(item: Item, env: Envelope, hash: Uint8Array): boolean {
    const key = this.continuity.keyFor(env.room, item.seq, hash);
    if (key) {
      try {
        item.text = openWithKey(env, key);
        item.problem = undefined;
        item.sealed = undefined;
        return true;
      } catch { /* a key that does not match its message opens nothing */ }
    }
    item.sealed = { env, hash };
    return false;
  }

  /** Opens again the timeline's messages that did not open; returns how many now do. */
  async reopen(): Promise<number> {
    let opened = 0;
    for (const room of this.rooms.values())
      for (const item of room.items)
        if (item.sealed && item.text == null && this.openMoved(item, item.sealed.env, item.sealed.hash)) opened++;
    if (opened > 0) this.changed();
    return opened;
  }

  /** Adds stored messages (a history share's) to the room's timeline, in seq order. */
  async addMessages(name: string, messages: Json[]): Promise<void> {
    const room = this.rooms.get(name);
    if (!room || !room.loaded) return;
    const have = new Set(room.items.map((i) => i.seq));
    const added: Item[] = [];
    for (const m of messages) if (!have.has(Number(m.seq))) await this.take(room, m, added);
    const changedItems = room.items.filter((i) => i.sealed && i.text == null);
    for (const i of changedItems) if (i.sealed) this.openMoved(i, i.sealed.env, i.sealed.hash);
    room.items = [...added, ...room.items].sort((a, b) => a.seq - b.seq);
    this.changed();
  }

  /** Pins a key on first use; a changed key warns, or for a verified person blocks. */
  private checkKey(user: string, device: string, signKey: string): Warning | 'blocked' | null {
    for (const [other, devices] of Object.entries(this.known.keys))
      if (other !== user && Object.values(devices).includes(signKey))
        return { code: 'sender_mismatch', message: `this key belongs to ${other}, not ${user}` };
    const mine = (this.known.keys[user] ??= {});
    const pinned = mine[device];
    if (pinned === signKey) return null;
    if (this.known.verified[user]) return 'blocked';
    mine[device] = signKey;
    if (pinned) return { code: 'key_changed', message: `${user}’s device ${device} has a new key` };
    if (Object.keys(mine).length > 1) return { code: 'key_changed', message: `${user} has a new device (${device})` };
    return null;
  }

  private async ledger(room: string): Promise<Ledger> {
    let l = this.ledgers.get(room);
    if (!l) {
      l = ledgers.fromStore(await store.get<Partial<Ledger>>(`ledger:${room}`));
      this.ledgers.set(room, l);
    }
    return l;
  }

  /** Who owns `device` as this device has pinned it, in words ('' when not known). */
  private ownerOf(room: Room, device: string): string {
    for (const [user, devices] of Object.entries(this.known.keys))
      if (device in devices) return this.displayName(room, user);
    return '';
  }

  private saveLedger(room: string, l: Ledger): Promise<void> {
    return store.put(`ledger:${room}`, l);
  }

  // ---- events --------------------------------------------------------------------------------

  private event(e: Json): void {
    void this.handleEvent(e).catch(() => undefined);
  }

  private async handleEvent(e: Json): Promise<void> {
    const type = String(e.type);
    const roomName = typeof e.room === 'string' ? e.room : '';
    if (type === 'message') {
      let room = this.rooms.get(roomName);
      if (!room) {
        await this.refreshRooms();
        room = this.rooms.get(roomName);
        if (!room) return;
      }
      const seq = Number(e.seq);
      room.lastSeq = Math.max(room.lastSeq, seq);
      if (e.event) await this.showRoom(roomName).catch(() => undefined);
      if (room.loaded) {
        if (seq === room.loadedSeq + 1 && !this.syncing.has(roomName)) await this.take(room, e);
        else await this.catchUp(roomName);
        const ev = e.event as Json | undefined;
        if (ev && ev.kind === 'history_shared' && ev.user === this.user) await this.readShared(roomName);
      }
      if (!e.event && e.sender !== this.user) this.onIncoming?.(roomName);
      this.changed();
      return;
    }
    if (type === 'membership' || type === 'keys_changed') await this.refreshRooms();
    if (type === 'question') this.questionsChanged++;
    if (type === 'dictionaries') void plain.startEngine((t, f) => this.request(t, f), true);
    const words = describeNotice(e, this.user);
    if (words) this.notice(words);
    this.changed();
    for (const fn of this.eventListeners) fn(e);
  }

  // ---- questions -----------------------------------------------------------------------------

  /** Asks the administrators what `term` means (in `room`); the answer comes as a notice. */
  async ask(term: string, room: string): Promise<number> {
    const reply = await this.request('ask', { term: term.trim(), room });
    this.questionsChanged++;
    return Number(reply.id);
  }

  /** Counts asks and answers: a list of questions shown reloads when it changes. */
  questionsChanged = 0;

  /** This account's own questions, newest first, with the answers given so far. */
  async myQuestions(): Promise<Question[]> {
    const reply = await this.request('questions');
    return Array.isArray(reply.questions) ? (reply.questions as Question[]) : [];
  }

  // ---- a room's agreed terms (PROTOCOL.md, "Room glossary") ----------------------------------

  /** This account's role: "member", "chair" or "admin". */
  get role(): string {
    return typeof this.account.role === 'string' ? this.account.role : 'member';
  }

  /** The terms `room` has agreed its members know, with the room's meaning of each. */
  async glossary(room: string): Promise<Glossary> {
    const reply = await this.request('glossary', { room });
    const terms = Array.isArray(reply.terms) ? (reply.terms as AgreedTerm[]) : [];
    // The draft check uses the newest terms at once (the composer checks again).
    const shown = this.rooms.get(room);
    if (shown && JSON.stringify(shown.glossary) !== JSON.stringify(terms)) {
      shown.glossary = terms;
      this.changed();
    }
    return { version: Number(reply.version ?? 0), public: reply.public === true, terms };
  }

  /** Agrees `term` for `room` with `meaning` (chairs who are members); returns the change. */
  async agreeTerm(room: string, term: string, meaning: string): Promise<string> {
    const reply = await this.request('glossary_add', { room, term: term.trim(), meaning: meaning.trim() });
    return String(reply.change);
  }

  /** Withdraws an agreed term from `room` (chairs who are members). */
  async withdrawTerm(room: string, term: string): Promise<void> {
    await this.request('glossary_remove', { room, term });
  }

  // ---- actions -------------------------------------------------------------------------------

  /** The actions owned by this account: overdue first, then by due date; closed ones last. */
  async myActions(): Promise<Action[]> {
    const reply = await this.request('actions', { mine: true });
    const list = Array.isArray(reply.actions) ? (reply.actions as Action[]) : [];
    const closed = (a: Action) => ['done', 'not_done', 'cancelled'].includes(a.status);
    return list.sort((a, b) => Number(closed(a)) - Number(closed(b)) || Number(b.overdue) - Number(a.overdue) ||
      a.due.localeCompare(b.due));
  }

  /** Sets an action's status and evidence (done, not_done and cancelled need evidence). */
  async updateAction(id: number, status: string, evidence: string): Promise<Action> {
    const fields: Json = { action: id, status };
    if (evidence.trim()) fields.evidence = evidence.trim();
    return (await this.request('action_update', fields)) as unknown as Action;
  }

  // ---- verification --------------------------------------------------------------------------

  isVerified(user: string): boolean {
    return this.known.verified[user] === true;
  }

  /** The Ed25519 key this device pinned for `user`'s `device` (base64), if any. */
  pinnedKey(user: string, device: string): string | undefined {
    return this.known.keys[user]?.[device];
  }

  /** The account, other than `user`, that this device pinned `signKey` for, if any. */
  otherOwner(user: string, signKey: string): string | undefined {
    return Object.entries(this.known.keys).find(([other, d]) => other !== user && Object.values(d).includes(signKey))?.[0];
  }

  /** Whether this device has pinned any key for `user`. */
  knowsAnyKey(user: string): boolean {
    return Object.keys(this.known.keys[user] ?? {}).length > 0;
  }

  /** Pins `signKey` for `user`'s `device` (trust on first use), kept in IndexedDB. */
  async pinKey(user: string, device: string, signKey: string): Promise<void> {
    (this.known.keys[user] ??= {})[device] = signKey;
    await store.put('known-keys', this.known);
  }

  /** An account's current devices' Ed25519 keys, each self-signature checked (`user_keys`). */
  private async keysOf(user: string): Promise<Map<string, string>> {
    const reply = await this.request('user_keys', { user });
    const out = new Map<string, string>();
    for (const d of Array.isArray(reply.devices) ? (reply.devices as Device[]) : []) {
      const id = identityFromJson(d);
      if (!id || !verifyIdentity(id))
        throw new CryptoError('bad_signature', `${user}’s device ${d.device} has keys that are not self-signed`);
      out.set(d.device, toBase64(id.signKey));
    }
    return out;
  }

  /**
   * The safety number with `user` (PROTOCOL.md, "Safety numbers"), computed here from the keys
   * the server lists for both accounts; refused (key_changed) when this device's own key is not
   * among its account's.
   */
  async safetyNumberWith(user: string): Promise<{ number: string; devices: Map<string, string> }> {
    const [mine, theirs] = await Promise.all([this.keysOf(this.user), this.keysOf(user)]);
    const own = toBase64(this.keys.identity.signKey);
    if (![...mine.values()].includes(own))
      throw new CryptoError('key_changed', 'The server does not list this device’s key for your account: do not trust a safety number now, and tell your administrator.');
    if (theirs.size === 0) throw new ProtocolError('not_found', `${user} has no devices`);
    const keys = (m: Map<string, string>) => [...m.values()].map((k) => fromBase64(k) as Uint8Array);
    return {
      number: safetyNumber({ account: this.user, signKeys: keys(mine) }, { account: user, signKeys: keys(theirs) }),
      devices: theirs,
    };
  }

  /**
   * Compares `typed` (60 digits; spaces and dashes ignored) with the safety number: the same
   * pins exactly the devices that went into it and marks `user` verified; a different one is
   * number_mismatch and pins nothing.
   */
  async verify(user: string, typed: string): Promise<void> {
    const digits = typed.replace(/[\s-]/g, '');
    if (!/^[0-9]{60}$/.test(digits))
      throw new ProtocolError('bad_request', 'A safety number is 60 digits (12 groups of five). Check it and type it again.');
    const { number, devices } = await this.safetyNumberWith(user);
    if (number.replace(/ /g, '') !== digits)
      throw new ProtocolError('number_mismatch', `That is not the safety number this device computes with ${user}. Nothing was marked as verified: ask them to read theirs out again, and if it still differs, tell your administrator.`);
    this.known.keys[user] = Object.fromEntries(devices);
    this.known.verified[user] = true;
    await store.put('known-keys', this.known);
    for (const room of this.rooms.values()) if (room.blocked === user) room.blocked = '';
    this.changed();
  }

  // ---- sending -------------------------------------------------------------------------------

  /**
   * Seals `text` for the room's current devices and sends it. `confirmReaders` is asked when
   * the message would go to devices this device has not written to in the room before; a
   * false answer sends nothing (new_readers).
   */
  async send(roomName: string, text: string, confirmReaders: (names: string[]) => Promise<boolean>): Promise<void> {
    const room = this.rooms.get(roomName);
    if (!room) throw new ProtocolError('not_found', `No room named ${roomName}.`);
    const reply = await this.request('room_show', { room: roomName });
    let members = Array.isArray(reply.members) ? (reply.members as Member[]) : [];
    this.setMembers(room, members);
    const glossary = reply.glossary as Json | undefined;
    if (glossary && Array.isArray(glossary.terms)) room.glossary = glossary.terms as AgreedTerm[];
    const ledger = await this.ledger(roomName);
    const clientMsgId = newMessageId();
    for (let attempt = 0; attempt < 3; attempt++) {
      const recipients = this.recipientsOf(room, members);
      const fresh = recipients.filter((r) => !(r.user === this.user && r.device === this.profile.device) &&
        !ledger.readers.includes(`${r.user}/${r.device}`));
      if (fresh.length > 0) {
        const names = fresh.map((r) => `${this.displayName(room, r.user)} — ${r.user}, device ${r.device}`);
        if (!(await confirmReaders(names)))
          throw new ProtocolError('new_readers', 'Nothing was sent: you did not confirm the new readers.');
        ledger.readers.push(...fresh.map((r) => `${r.user}/${r.device}`));
      }
      const { counter, previousSeq, previousHash } = ledgers.nextHistory(ledger);
      await this.saveLedger(roomName, ledger);
      const env = seal(this.keys, this.profile.device, roomName, clientMsgId, text,
        recipients.map((r) => ({ device: r.device, boxKey: r.boxKey })),
        {
          sender: this.user, counter, sentAt: Date.now(), previousSeq,
          previousHash: previousSeq > 0 ? (fromBase64(previousHash) ?? new Uint8Array(0)) : new Uint8Array(0),
        });
      try {
        const sent = await this.request('send', { room: roomName, envelope: envelopeToJson(env) });
        const seq = Number(sent.seq);
        ledgers.sent(ledger, seq, toBase64(messageHash(env)), this.profile.device, counter, env.recipients);
        await this.saveLedger(roomName, ledger);
        room.lastSeq = Math.max(room.lastSeq, seq);
        if (room.loaded && seq === room.loadedSeq + 1) {
          room.loadedSeq = seq;
          room.items.push({
            seq, kind: 'message', sentAt: Number(sent.sent_at ?? Date.now()), sender: this.user,
            senderName: this.displayName(room, this.user), mine: true, text, warnings: [],
            hash: toBase64(messageHash(env)),
          });
        } else if (room.loaded) {
          await this.catchUp(roomName);
        }
        await this.markRead(room);
        this.changed();
        return;
      } catch (e) {
        if (e instanceof ProtocolError && e.code === 'stale_membership' && Array.isArray(e.reply.members)) {
          ledger.counter = counter - 1;
          members = e.reply.members as Member[];
          this.setMembers(room, members);
          continue;
        }
        // Refused outright: the counter was not used. A lost connection may have stored it.
        if (e instanceof ProtocolError && e.code !== 'connection_closed' && e.code !== 'timeout') {
          ledger.counter = counter - 1;
          await this.saveLedger(roomName, ledger);
        }
        throw e;
      }
    }
    throw new ProtocolError('stale_membership', 'The room’s membership kept changing; try again.');
  }

  private recipientsOf(room: Room, members: Member[]): { user: string; device: string; boxKey: Uint8Array }[] {
    const out: { user: string; device: string; boxKey: Uint8Array }[] = [];
    for (const m of members) {
      if (m.suspended) continue;
      for (const d of m.devices ?? []) {
        const id = identityFromJson(d);
        if (!id || !verifyIdentity(id))
          throw new CryptoError('bad_signature', `${m.user}’s device ${d.device} has keys that are not self-signed; nothing was sent`);
        const check = this.checkKey(m.user, d.device, toBase64(id.signKey));
        if (check === 'blocked') {
          room.blocked = m.user;
          this.changed();
          throw new CryptoError('key_changed', `${this.displayName(room, m.user)}’s key changed since you verified them; nothing was sent`);
        }
        if (check && check.code === 'sender_mismatch')
          throw new CryptoError('key_changed', 'one key cannot be two people’s; nothing was sent');
        if (check) this.notice(`Note: ${check.message}.`);
        out.push({ user: m.user, device: d.device, boxKey: id.boxKey });
      }
    }
    void store.put('known-keys', this.known);
    return out;
  }
}
