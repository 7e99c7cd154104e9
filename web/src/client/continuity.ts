// The browser's continuity (PROTOCOL.md, "Continuity"; the CLI's client/src/continuity.cpp):
// the recovery key and key backup, the device transfer and the history share.
//
// What this device keeps, in IndexedDB, sealed to its own box key (crypto_box_seal), so that
// nothing is there in the clear: the recovery key's secret ("recovery-sealed", as the CLI's
// recovery.sealed) and the message keys that came by restore, transfer or share ("extra-keys").
// Every such key opens a message only through openWithKey (the envelope's signed commitment).
//
// Owned by one Session; used from the page's thread only.
import { derive } from './background';
import {
  type HistoryShare, type KeyEntry, backupKeyPair, backupKeyValid, newRecoverySecret,
  newTransferCode, normaliseTransferCode, openBackupEntry, openOwn, openSharedEntry, openTransfer,
  parseRecoveryKey, recoveryText, sealKeyEntry, sealTransfer, shareFromJson, shareToJson, shareValid,
  signBackupKey, signShare,
} from '../crypto/continuity';
import { type Envelope, envelopeFromJson, messageHash, messageKeyFor, transcript } from '../crypto/envelope';
import { CryptoError, type DeviceKeys, identityFromJson, verifyIdentity } from '../crypto/keys';
import { fromBase64, fromBase64Sized, sodium, toBase64 } from '../crypto/sodium';
import { type Json, ProtocolError } from '../protocol/connection';
import * as store from './store';

/** What a Session offers this module. */
export interface Host {
  readonly keys: DeviceKeys;
  readonly profile: store.Profile;
  request(type: string, fields?: Json): Promise<Json>;
  /** The rooms this account is in, as the server lists them. */
  roomNames(): string[];
  /** The room's members with their devices, as the server last listed them. */
  members(room: string): { user: string; devices?: { device: string }[] }[];
  /** The Ed25519 key pinned for (user, device) in base64, and whether the person is verified. */
  pinnedKey(user: string, device: string): string | undefined;
  isVerified(user: string): boolean;
  /** Opens again, with the keys now held, the messages of the timeline that did not open. */
  reopen(): Promise<number>;
  /** Adds messages (as `sync` gives them) to a room's timeline, now that they may open. */
  addMessages(room: string, messages: Json[]): Promise<void>;
}

export interface BackupStatus {
  /** 0: the account has no key backup. */
  version: number;
  /** The device that signed the current backup key. */
  device: string;
  /** This device keeps the recovery key of the current backup. */
  onThisDevice: boolean;
  /** This device backs up the keys it receives (it vouched for the backup key itself). */
  trusted: boolean;
}

const kPutBatch = 500;
/** The server's default max_frame_bytes (PROTOCOL.md, "Limits"): the largest request it reads. */
const kMaxFrameBytes = 1 << 20;
const entryId = (room: string, seq: number): string => `${room}\n${seq}`;

export class Continuity {
  /** Notes for the person (keys left out, and why), in words; the UI shows and clears them. */
  notes: string[] = [];
  private secret: Uint8Array | null = null;
  private target: { version: number; publicKey: Uint8Array } | null = null;
  private checked = false;
  private extra = new Map<string, KeyEntry>();
  private pending = new Map<string, Map<number, KeyEntry>>();
  private backedUp = new Set<string>();
  private flushTimer = 0;

  constructor(private readonly host: Host) {}

  /** Reads what this device keeps (the recovery key, moved keys); call once after unlocking. */
  async load(): Promise<void> {
    const sealedSecret = await store.get<string>('recovery-sealed');
    const secret = sealedSecret ? openOwn(this.host.keys, fromBase64(sealedSecret) ?? new Uint8Array(0)) : null;
    this.secret = secret && secret.length === 28 ? secret : null;
    const kept = (await store.get<Record<string, string>>('extra-keys')) ?? {};
    for (const [id, sealed] of Object.entries(kept)) {
      const [room, seqText] = id.split('\n');
      const bytes = fromBase64(sealed);
      if (room === undefined || !bytes) continue;
      try {
        // Checked as any moved key is (it was sealed here, to this device, for that message).
        this.extra.set(id, openSharedEntry(this.host.keys, bytes, room, Number(seqText)));
      } catch { /* not this device's: left out */ }
    }
  }

  /** The key moved to this device for (room, seq), if it belongs to the message with `hash`. */
  keyFor(room: string, seq: number, hash: Uint8Array): Uint8Array | null {
    const e = this.extra.get(entryId(room, seq));
    return e && sodium.memcmp(e.messageHash, hash) ? e.key : null;
  }

  /**
   * Forgets every key this device holds for message `seq` of `room` (a withdrawn message): a
   * moved key kept in IndexedDB, and one waiting to be backed up.
   */
  async forget(room: string, seq: number): Promise<void> {
    const id = entryId(room, seq);
    this.extra.delete(id);
    this.pending.get(room)?.delete(seq);
    const kept = (await store.get<Record<string, string>>('extra-keys')) ?? {};
    if (id in kept) {
      delete kept[id];
      await store.put('extra-keys', kept);
    }
  }

  /** A message key this device read: backed up soon (when this device backs up). */
  noteKey(entry: KeyEntry): void {
    const id = entryId(entry.room, entry.seq);
    if (this.backedUp.has(id)) return;
    if (this.checked && !this.target) return;
    let room = this.pending.get(entry.room);
    if (!room) this.pending.set(entry.room, (room = new Map()));
    room.set(entry.seq, entry);
    if (!this.flushTimer) this.flushTimer = window.setTimeout(() => {
      this.flushTimer = 0;
      void this.flush().catch(() => undefined);
    }, 300);
  }

  /** Sends the keys noted since the last flush to the backup (sealed to the backup key). */
  async flush(): Promise<void> {
    if (!this.checked) await this.status();
    const pending = this.pending;
    this.pending = new Map();
    const target = this.target;
    if (!target) return;
    for (const [room, entries] of pending) {
      let batch: Json = {};
      let n = 0;
      const ids: string[] = [];
      const send = async () => {
        await this.host.request('backup_put', { room, version: target.version, keys: batch });
        for (const id of ids) this.backedUp.add(id);
        batch = {};
        n = 0;
        ids.length = 0;
      };
      for (const [seq, e] of entries) {
        batch[String(seq)] = toBase64(sealKeyEntry(e, target.publicKey));
        ids.push(entryId(room, seq));
        if (++n === kPutBatch) await send();
      }
      if (n > 0) await send();
    }
  }

  /**
   * The account's backup as the server states it, and whether this device backs up to it: only
   * to a backup key it vouched for itself (a record it signed, or the key of the recovery key it
   * keeps), never to one another device or the server names.
   */
  async status(): Promise<BackupStatus> {
    const o = await this.host.request('backup_key');
    const version = Number(o.version ?? 0);
    const s: BackupStatus = { version, device: '', onThisDevice: false, trusted: false };
    this.checked = true;
    this.target = null;
    if (version === 0) return s;
    s.device = typeof o.device === 'string' ? o.device : '';
    const pk = fromBase64Sized(o.public_key, 32);
    const sig = fromBase64Sized(o.signature, 64);
    s.onThisDevice = !!(pk && this.secret && sodium.memcmp(backupKeyPair(this.secret).publicKey, pk));
    if (pk && sig && s.device === this.host.profile.device)
      s.trusted = backupKeyValid({ account: this.host.profile.user, version, publicKey: pk, device: s.device }, sig,
        this.host.keys.identity.signKey);
    s.trusted ||= s.onThisDevice;
    if (s.trusted && pk) this.target = { version, publicKey: pk };
    return s;
  }

  /**
   * A new recovery key for the account: vouched for by this device, kept here sealed, and every
   * key this device can read backed up to it. Returns its text, to be shown once.
   */
  async create(): Promise<string> {
    const current = await this.status();
    // Rotation: what the old recovery key opens is carried over to the new one, so keys backed
    // up by other devices (or restored here) are not lost with the old key.
    let carried: KeyEntry[] = [];
    if (current.version > 0 && current.onThisDevice && this.secret) {
      const opened = await this.openBackup(this.secret);
      carried = opened.found;
      if (opened.refused > 0)
        this.notes.push(`${opened.refused} backed-up ${opened.refused === 1 ? 'key' : 'keys'} did not open with your old recovery key, or belonged to another message; ${opened.refused === 1 ? 'it was' : 'they were'} left out of the new backup.`);
    } else if (current.version > 0) {
      this.notes.push('This browser does not keep your old recovery key: the new backup holds the keys of the messages this browser can read, and keys only the old backup held are left out. To carry them over, restore the old recovery key here first.');
    }
    const secret = newRecoverySecret();
    const publicKey = backupKeyPair(secret).publicKey;
    await this.setBackupKey(current.version + 1, publicKey);
    await this.keep(secret);
    await this.backUpAll(carried);
    if (current.version > 0) await this.prune();
    return recoveryText(secret);
  }

  /**
   * Backs up `entries` and the key of every message this device can read, to the current backup
   * key, all in one flush that throws if a put fails (collected first, so that the flush timer
   * cannot take part of them and swallow a failure).
   */
  private async backUpAll(entries: KeyEntry[]): Promise<void> {
    const all = [...entries];
    for (const room of this.host.roomNames()) for (const e of await this.keysOf(room)) all.push(e.entry);
    this.backedUp.clear();
    for (const e of all) this.noteKey(e);
    await this.flush();
  }

  /** Every entry of the current backup that `secret` opens, in the rooms of this account. */
  private async openBackup(secret: Uint8Array): Promise<{ found: KeyEntry[]; refused: number }> {
    const found: KeyEntry[] = [];
    let refused = 0;
    for (const room of this.host.roomNames()) {
      let after = 0;
      for (;;) {
        const page = await this.host.request('backup_get', { room, after });
        const keys = (page.keys ?? {}) as Record<string, unknown>;
        for (const [seqText, sealed] of Object.entries(keys)) {
          const seq = Number(seqText);
          after = Math.max(after, seq);
          const bytes = typeof sealed === 'string' ? fromBase64(sealed) : null;
          try {
            if (!bytes) throw new CryptoError('bad_backup_entry', 'not base64');
            found.push(openBackupEntry(secret, bytes, room, seq));
          } catch {
            refused++;
          }
        }
        if (page.more !== true) break;
      }
    }
    return { found, refused };
  }

  /** Deletes the entries of earlier backup versions, once all were stored again (flush threw otherwise). */
  private async prune(): Promise<void> {
    if (!this.target) return;
    await this.host.request('backup_prune', { version: this.target.version }).catch(() => {
      this.notes.push('The old recovery key’s backup could not be deleted from the server; it is deleted the next time you make or restore a recovery key.');
    });
  }

  /**
   * Restores the backup with a typed recovery key: bad_recovery_key (nothing changed) when it is
   * mistyped or not the account's current one. Each entry that does not open, or belongs to
   * another message (one the server moved), is left out and counted. Then this device keeps the
   * key, vouches for it (the next version) and backs up again everything it can now read.
   */
  async restore(text: string): Promise<{ restored: number; refused: number; opened: number }> {
    const secret = parseRecoveryKey(text);
    const o = await this.host.request('backup_key');
    const version = Number(o.version ?? 0);
    const pk = fromBase64Sized(o.public_key, 32);
    if (version === 0) throw new ProtocolError('not_found', 'Your account has no key backup: there is nothing to restore.');
    if (!pk || !sodium.memcmp(backupKeyPair(secret).publicKey, pk))
      throw new CryptoError('bad_recovery_key',
        'That is not your account’s current recovery key. Nothing was changed: check the key and type it again.');
    const { found, refused } = await this.openBackup(secret);
    const restored = found.length;
    await this.addExtra(found);
    if (refused > 0)
      this.notes.push(`${refused} backed-up ${refused === 1 ? 'key' : 'keys'} did not open with your recovery key, or belonged to another message; ${refused === 1 ? 'it was' : 'they were'} left out.`);
    await this.keep(secret);
    await this.setBackupKey(version + 1, pk);
    // Entries of the earlier version are sealed to the same key: carry them over to this one.
    await this.backUpAll(found);
    await this.prune();
    const opened = await this.host.reopen();
    return { restored, refused, opened };
  }

  // ---- transfer ------------------------------------------------------------------------------

  /** Offers every key this device holds to the account's next device; returns the code to show. */
  async offerTransfer(): Promise<string> {
    const entries: KeyEntry[] = [];
    for (const room of this.host.roomNames()) for (const e of await this.keysOf(room)) entries.push(e.entry);
    const code = newTransferCode();
    const bundle = await sealTransfer(derive, { account: this.host.profile.user, fromDevice: this.host.profile.device, entries },
      this.host.keys, code);
    await this.host.request('transfer_put', { bundle });
    return code;
  }

  /** Takes the waiting transfer and opens it with the typed code; returns how many messages now open. */
  async receiveTransfer(typed: string): Promise<number> {
    if (!normaliseTransferCode(typed))
      throw new CryptoError('bad_transfer_code', 'A transfer code is 10 letters and digits, like 7K3QD-M9XPA.');
    const taken = await this.host.request('transfer_take');
    if (taken.waiting !== true)
      throw new ProtocolError('not_found',
        'No transfer is waiting. On your old device, choose “Move my keys to a new device” first (a transfer lasts ten minutes).');
    const from = identityFromJson(taken.from_keys);
    const fromDevice = String(taken.from_device ?? '');
    const me = this.host.profile.user;
    const contents = await openTransfer(derive, String(taken.bundle ?? ''), typed, me, (device) => {
      if (!from || !verifyIdentity(from) || device !== fromDevice) return null;
      if (device === this.host.profile.device) return sodium.memcmp(from.signKey, this.host.keys.identity.signKey) ? from.signKey : null;
      const pinned = this.host.pinnedKey(me, device);
      if (pinned ? pinned !== toBase64(from.signKey) : this.host.isVerified(me)) return null;
      return from.signKey;
    }).catch((e: unknown) => {
      // The transfer stays on the server for its ten minutes: a mistyped code can be typed again.
      if (e instanceof CryptoError && e.code === 'bad_transfer_code')
        throw new CryptoError('bad_transfer_code', 'The transfer did not open with that code. Check it against the code your old device shows and type it again (it works for ten minutes from when it was shown).');
      throw e;
    });
    // Opened: nobody needs it any more (if this fails, it is gone in ten minutes anyway).
    await this.host.request('transfer_done').catch(() => undefined);
    await this.addExtra(contents.entries);
    for (const e of contents.entries) this.noteKey(e);
    await this.flush().catch(() => undefined);
    return this.host.reopen();
  }

  // ---- history share -------------------------------------------------------------------------

  /**
   * Shares `room`'s history since `since` (ms) with `user`, a member: the keys of the messages
   * this device holds from that date, sealed to each of their current devices. Returns the seq
   * of the event every member sees.
   */
  async shareHistory(room: string, user: string, since: number, maxFrame = kMaxFrameBytes): Promise<number> {
    const shown = await this.host.request('room_show', { room });
    const member = (Array.isArray(shown.members) ? (shown.members as Json[]) : []).find((m) => m.user === user);
    if (!member) throw new ProtocolError('not_found', `${user} is not a member of ${room}: add them first.`);
    // Every device of the newcomer, checked before anything is sealed to it.
    const to: { device: string; boxKey: Uint8Array }[] = [];
    for (const d of Array.isArray(member.devices) ? (member.devices as Json[]) : []) {
      const device = String(d.device);
      const id = identityFromJson(d);
      if (!id || !verifyIdentity(id))
        throw new CryptoError('bad_signature', `${user}’s device ${device} does not have properly signed keys; nothing was shared.`);
      const pinned = this.host.pinnedKey(user, device);
      if (this.host.isVerified(user) && pinned !== toBase64(id.signKey))
        throw new CryptoError('key_changed', `${user}’s keys changed since you verified them: compare safety numbers again first.`);
      to.push({ device, boxKey: id.boxKey });
    }
    if (to.length === 0) throw new ProtocolError('not_found', `${user} has no device to share with.`);
    const chosen = (await this.keysOf(room)).filter((h) => h.sentAt >= since);
    if (chosen.length === 0)
      throw new ProtocolError('not_found', `This device holds no message of ${room} sent since that date.`);
    // Parts that fit in half a frame (the first announces the share, the others continue it):
    // an entry takes about 300 bytes of JSON per device.
    const part = Math.max(1, Math.floor(maxFrame / 2 / ((300 + 2 * room.length) * to.length)));
    let eventSeq = 0;
    for (let begin = 0; begin < chosen.length; begin += part) {
      const slice = chosen.slice(begin, begin + part);
      const shares: Json = {};
      for (const { device, boxKey } of to) {
        const share: HistoryShare = {
          room, fromUser: this.host.profile.user, fromDevice: this.host.profile.device, toUser: user, toDevice: device,
          since, firstSeq: (slice[0] as Held).entry.seq, lastSeq: (slice[slice.length - 1] as Held).entry.seq,
          entries: slice.map((h) => ({ seq: h.entry.seq, messageHash: h.entry.messageHash, sealed: sealKeyEntry(h.entry, boxKey) })),
          signature: new Uint8Array(64),
        };
        signShare(share, this.host.keys);
        shares[device] = shareToJson(share);
      }
      const fields: Json = begin === 0
        ? { room, user, shares, through: (chosen[chosen.length - 1] as Held).entry.seq }
        : { room, user, shares, continues: true };
      try {
        const reply = await this.host.request('history_share', fields);
        if (begin === 0) eventSeq = Number(reply.seq);
      } catch (e) {
        if (begin === 0 || !(e instanceof ProtocolError)) throw e;
        throw new ProtocolError(e.code, `Only part of the history was shared (up to message #${(chosen[begin - 1] as Held).entry.seq}): ${e.message}`);
      }
    }
    return eventSeq;
  }

  /**
   * Reads the history shared with this device in `room`: each share must be signed by a current
   * member's device (as the room's member list gives it, and its pin), for this device; each key
   * must match its message, sent at or after the shared date. Returns how many messages it adds.
   */
  async readShared(room: string): Promise<number> {
    const reply = await this.host.request('history_shared', { room });
    const list = Array.isArray(reply.shares) ? (reply.shares as Json[]) : [];
    if (list.length === 0) return 0;
    const shown = await this.host.request('room_show', { room });
    const devices = new Map<string, { user: string; signKey: Uint8Array }>();
    for (const m of Array.isArray(shown.members) ? (shown.members as Json[]) : [])
      for (const d of Array.isArray(m.devices) ? (m.devices as Json[]) : []) {
        const id = identityFromJson(d);
        if (id && verifyIdentity(id)) devices.set(String(d.device), { user: String(m.user), signKey: id.signKey });
      }
    const sinceOf = new Map<number, number>();
    const found: KeyEntry[] = [];
    for (const v of list) {
      let s: HistoryShare;
      try {
        s = shareFromJson(v);
      } catch {
        this.notes.push('A history share is malformed: it was left out.');
        continue;
      }
      const from = devices.get(s.fromDevice);
      if (!from || from.user !== s.fromUser || s.toDevice !== this.host.profile.device ||
        s.toUser !== this.host.profile.user || s.room !== room) {
        this.notes.push(`A history share from ${s.fromUser} is not from a current member’s device, or not for this device: it was left out.`);
        continue;
      }
      const pinned = this.host.pinnedKey(s.fromUser, s.fromDevice);
      if (this.host.isVerified(s.fromUser) && pinned !== toBase64(from.signKey)) {
        this.notes.push(`A history share from ${s.fromUser} is signed by a key you have not verified: it was left out.`);
        continue;
      }
      if (!shareValid(s, from.signKey)) {
        this.notes.push(`A history share from ${s.fromUser} does not verify: it was left out.`);
        continue;
      }
      for (const e of s.entries) {
        try {
          const entry = openSharedEntry(this.host.keys, e.sealed, room, e.seq);
          if (!sodium.memcmp(entry.messageHash, e.messageHash)) continue;
          found.push(entry);
          sinceOf.set(e.seq, s.since);
        } catch { /* counted below, as a message that does not open */ }
      }
    }
    // Only messages sent at or after the shared date count, whatever key came with them.
    const messages: Json[] = [];
    const keep: KeyEntry[] = [];
    for (const m of Array.isArray(reply.messages) ? (reply.messages as Json[]) : []) {
      const seq = Number(m.seq);
      const since = sinceOf.get(seq);
      if (since === undefined) continue;
      let env: Envelope;
      try {
        env = envelopeFromJson(m.envelope);
      } catch {
        continue;
      }
      if (!env.history || env.history.sentAt < since) {
        this.notes.push(`Message #${seq} was sent before the shared date: it was left out.`);
        continue;
      }
      const entry = found.find((f) => f.seq === seq);
      if (entry) keep.push(entry);
      messages.push(m);
    }
    await this.addExtra(keep);
    for (const e of keep) this.noteKey(e);
    await this.host.addMessages(room, messages);
    return messages.length;
  }

  // ---- helpers -------------------------------------------------------------------------------

  /** Every message key this device can use in `room` (its own wrapped keys, and moved ones). */
  private async keysOf(room: string): Promise<Held[]> {
    const out: Held[] = [];
    let after = 0;
    for (;;) {
      const page = await this.host.request('sync', { room, after, limit: 200 });
      const messages = Array.isArray(page.messages) ? (page.messages as Json[]) : [];
      for (const m of messages) {
        const seq = Number(m.seq);
        after = Math.max(after, seq);
        if (!m.envelope) continue;
        const held = this.heldKey(room, seq, m);
        if (held) out.push(held);
      }
      if (page.more !== true || messages.length === 0) break;
    }
    return out;
  }

  /** The key of one stored message, if this device holds it and the envelope is signed. */
  private heldKey(room: string, seq: number, m: Json): Held | null {
    try {
      const env = envelopeFromJson(m.envelope);
      const sender = identityFromJson(m.sender_keys);
      if (!sender || !verifyIdentity(sender) || env.room !== room ||
        !sodium.crypto_sign_verify_detached(env.signature, transcript(env), sender.signKey))
        return null;
      const hash = messageHash(env);
      const key = this.keyFor(room, seq, hash) ?? messageKeyFor(env, this.host.keys, this.host.profile.device, sender);
      if (!key) return null;
      return { entry: { room, seq, messageHash: hash, key }, sentAt: env.history?.sentAt ?? 0 };
    } catch {
      return null;
    }
  }

  /** Keeps moved keys (sealed to this device's own box key) for this and later sessions. */
  private async addExtra(entries: KeyEntry[]): Promise<void> {
    if (entries.length === 0) return;
    for (const e of entries) this.extra.set(entryId(e.room, e.seq), e);
    const kept = (await store.get<Record<string, string>>('extra-keys')) ?? {};
    for (const e of entries) kept[entryId(e.room, e.seq)] = toBase64(sealKeyEntry(e, this.host.keys.identity.boxKey));
    await store.put('extra-keys', kept);
  }

  private async keep(secret: Uint8Array): Promise<void> {
    await store.put('recovery-sealed', toBase64(sodium.crypto_box_seal(secret, this.host.keys.identity.boxKey)));
    this.secret = secret;
  }

  private async setBackupKey(version: number, publicKey: Uint8Array): Promise<void> {
    const record = { account: this.host.profile.user, version, publicKey, device: this.host.profile.device };
    await this.host.request('backup_key_set', {
      version, public_key: toBase64(publicKey), signature: toBase64(signBackupKey(record, this.host.keys)),
    });
    this.checked = true;
    this.target = { version, publicKey };
  }
}

interface Held {
  entry: KeyEntry;
  sentAt: number;
}
