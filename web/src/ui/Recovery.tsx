// "Recovery key and devices" (PROTOCOL.md, "Continuity"): the recovery key (created and shown
// once, printed, confirmed as kept), its status, a restore on a new device, the move of keys from
// an old device to a new one with a short code, and sharing a room's history with a new member.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { BackupStatus } from '../client/continuity';
import type { Session } from '../client/session';

const ukDate = (ms: number) => new Date(ms).toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric' });

/** An error in words, with the protocol's code kept out of the sentence. */
const words = (e: unknown) => (e instanceof Error ? e.message : String(e));

export function RecoveryView({ session, onBack }: { session: Session; onBack: () => void }) {
  const heading = useRef<HTMLHeadingElement>(null);
  const [status, setStatus] = useState<BackupStatus | null>(null);
  const [error, setError] = useState('');
  const load = () => session.continuity.status().then(setStatus, (e: unknown) => setError(words(e)));
  useEffect(() => {
    heading.current?.focus();
    void load();
  }, []);
  return (
    <main id="main" class="actions-view recovery-view" aria-labelledby="recovery-title">
      <div class="room-head no-print">
        <button type="button" class="link back" onClick={onBack}>← All rooms</button>
        <h1 id="recovery-title" ref={heading} tabIndex={-1}>Recovery key and devices</h1>
        <p class="audience-line">Keep reading your history when you change computer, and hand a case over to a new worker.</p>
      </div>
      <div class="actions-list recovery">
        {error && <p class="error" role="alert">{error}</p>}
        <StatusPanel status={status} />
        {status && status.version > 0 && !status.trusted ? (
          <>
            <Restore key="restore" session={session} status={status} onChanged={load} />
            <CreateKey key="create" session={session} status={status} onChanged={load} />
          </>
        ) : (
          <>
            <CreateKey key="create" session={session} status={status} onChanged={load} />
            <Restore key="restore" session={session} status={status} onChanged={load} />
          </>
        )}
        <Transfer session={session} />
        <ShareHistory session={session} />
      </div>
    </main>
  );
}

function StatusPanel({ status }: { status: BackupStatus | null }) {
  return (
    <section class="no-print" aria-labelledby="status-title">
      <h2 id="status-title">Your key backup</h2>
      {status === null ? <p role="status">Checking your key backup…</p>
        : status.version === 0 ? <p class="status-line">You have no recovery key yet. Without one, a new computer cannot read your earlier messages.</p>
        : status.trusted ? <p class="status-line verified-line">Backed up: the key of every message this computer reads is kept, sealed so that only your recovery key opens it.</p>
        : <p class="status-line">You have a recovery key, made on another device. Restore it on this computer (below) to read your earlier messages here and back up from here too.</p>}
    </section>
  );
}

function CreateKey({ session, status, onChanged }: { session: Session; status: BackupStatus | null; onChanged: () => void }) {
  const [key, setKey] = useState('');
  const [kept, setKept] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [done, setDone] = useState(false);
  const create = async () => {
    if (status && status.version > 0 && !window.confirm('A new recovery key replaces the old one: the old one stops working. Make a new one?'))
      return;
    setBusy(true);
    setError('');
    try {
      setKey(await session.continuity.create());
      setDone(false);
    } catch (e) {
      setError(words(e));
    } finally {
      setBusy(false);
    }
  };
  if (key && !done) {
    return (
      <section class="recovery-key" aria-labelledby="key-title">
        <h2 id="key-title">Your recovery key</h2>
        <p class="print-only">Liaise recovery key for {String(session.account.display_name || session.user)} (account {session.user}), made on {ukDate(Date.now())}.</p>
        <p class="no-print">This is shown once. Print it or write it down, and keep it where you keep other important papers, not on this computer.</p>
        <p class="letter-code"><span class="code" aria-label={`Recovery key: ${key}`}>{key}</span></p>
        <p>With it, a new computer reads all the messages you can read now. Keys of new messages are backed up from now on, sealed so that only this key opens them.</p>
        <div class="no-print">
          <button type="button" onClick={() => window.print()}>Print the recovery key</button>
          <div class="kept-check">
            <input id="kept" type="checkbox" checked={kept} onChange={(e) => setKept(e.currentTarget.checked)} />
            <label for="kept">I have kept my recovery key somewhere safe</label>
          </div>
          <button type="button" class="primary" disabled={!kept} onClick={() => { setKey(''); setDone(true); onChanged(); }}>Done</button>
        </div>
      </section>
    );
  }
  return (
    <section class="no-print" aria-labelledby="create-title">
      <h2 id="create-title">{status && status.version > 0 ? 'Make a new recovery key' : 'Make a recovery key'}</h2>
      {error && <p class="error" role="alert">{error}</p>}
      {done && <p role="status">Your recovery key is kept. It was not stored anywhere in the clear.</p>}
      <button type="button" class="primary" disabled={busy} onClick={create}>{busy ? 'Making it…' : 'Make a recovery key'}</button>
    </section>
  );
}

function Restore({ session, status, onChanged }: { session: Session; status: BackupStatus | null; onChanged: () => void }) {
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [result, setResult] = useState('');
  const [leftOut, setLeftOut] = useState('');
  if (!result && status !== null && (status.version === 0 || status.onThisDevice)) return null;
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    setResult('');
    try {
      const r = await session.continuity.restore(text);
      setLeftOut(session.continuity.notes.splice(0).join(' '));
      setResult(`Restored: ${r.restored} message ${r.restored === 1 ? 'key' : 'keys'} from your backup. Open a room to read its earlier messages.`);
      setText('');
      onChanged();
    } catch (err) {
      setError(words(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="no-print" aria-labelledby="restore-title">
      <h2 id="restore-title">Restore on this computer</h2>
      <form onSubmit={submit} class="recovery-form">
        {error && <p class="error" role="alert">{error}</p>}
        {result && <p class="verified-line" role="status">{result}</p>}
        {leftOut && <p class="left-out" role="alert">{leftOut}</p>}
        {!result && <>
        <label for="recovery-text">Recovery key</label>
        <p class="hint" id="recovery-hint">48 letters and digits in 12 groups of 4. Capitals, spaces and dashes do not matter.</p>
        <input id="recovery-text" aria-describedby="recovery-hint" autocomplete="off" spellcheck={false} value={text}
          onInput={(e) => setText(e.currentTarget.value)} required />
        <button type="submit" class="primary" disabled={busy}>{busy ? 'Restoring…' : 'Restore my history'}</button>
        </>}
      </form>
    </section>
  );
}

function Transfer({ session }: { session: Session }) {
  const [code, setCode] = useState('');
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [result, setResult] = useState('');
  const offer = async () => {
    setBusy(true);
    setError('');
    try {
      setCode(await session.continuity.offerTransfer());
    } catch (e) {
      setError(words(e));
    } finally {
      setBusy(false);
    }
  };
  const receive = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    setResult('');
    try {
      const n = await session.continuity.receiveTransfer(typed);
      setResult(`Your keys arrived from your old device. ${n} earlier ${n === 1 ? 'message' : 'messages'} on screen now open; open a room to read the rest.`);
      setTyped('');
    } catch (err) {
      setError(words(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="no-print" aria-labelledby="transfer-title">
      <h2 id="transfer-title">Move my keys to a new device</h2>
      {error && <p class="error" role="alert">{error}</p>}
      <p class="hint">On the old device, make a code. On the new one (enrolled with a replacement code), type it within ten minutes. The code never goes to the server.</p>
      {code ? (
        <p class="letter-code" role="status">Type this on your new device: <span class="code">{code}</span></p>
      ) : (
        <button type="button" disabled={busy} onClick={offer}>Make a transfer code on this (old) device</button>
      )}
      <form onSubmit={receive} class="recovery-form">
        {result && <p class="verified-line" role="status">{result}</p>}
        <label for="transfer-code">Transfer code from your old device</label>
        <input id="transfer-code" autocomplete="off" spellcheck={false} value={typed} onInput={(e) => setTyped(e.currentTarget.value)} required />
        <button type="submit" disabled={busy}>Receive my keys</button>
      </form>
    </section>
  );
}

function ShareHistory({ session }: { session: Session }) {
  const rooms = [...session.rooms.values()].sort((a, b) => a.name.localeCompare(b.name));
  const [room, setRoom] = useState(rooms[0]?.name ?? '');
  const members = (session.rooms.get(room)?.members ?? []).filter((m) => m.user !== session.user);
  const [user, setUser] = useState('');
  const [since, setSince] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [result, setResult] = useState('');
  if (rooms.length === 0) return null;
  const who = user || members[0]?.user || '';
  const submit = async (e: Event) => {
    e.preventDefault();
    setError('');
    setResult('');
    const ms = Date.parse(`${since}T00:00:00`);
    if (!since || Number.isNaN(ms)) return setError('Choose the date to share from.');
    const person = members.find((m) => m.user === who);
    if (!window.confirm(`Share ${room}’s history since ${ukDate(ms)} with ${person?.display_name || who}? Every member sees that you did.`)) return;
    setBusy(true);
    try {
      await session.continuity.shareHistory(room, who, ms);
      setResult(`Shared: ${person?.display_name || who} can now read ${room}’s messages since ${ukDate(ms)}. Every member sees this in the room.`);
    } catch (err) {
      setError(words(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="no-print" aria-labelledby="share-title">
      <h2 id="share-title">Share a room’s history with a new member</h2>
      <p class="hint">A new member cannot read messages sent before they joined. You can give them the keys of the messages since a date you choose. It is never automatic, and everyone in the room sees it.</p>
      <form onSubmit={submit} class="recovery-form">
        {error && <p class="error" role="alert">{error}</p>}
        {result && <p class="verified-line" role="status">{result}</p>}
        <label for="share-room">Room</label>
        <select id="share-room" value={room} onChange={(e) => { setRoom(e.currentTarget.value); setUser(''); }}>
          {rooms.map((r) => <option key={r.name} value={r.name}>{r.name}</option>)}
        </select>
        <label for="share-user">New member</label>
        <select id="share-user" value={who} onChange={(e) => setUser(e.currentTarget.value)}>
          {members.map((m) => <option key={m.user} value={m.user}>{m.display_name || m.user}{m.agency ? ` (${m.agency})` : ''}</option>)}
        </select>
        <label for="share-since">Share messages sent since</label>
        <input id="share-since" type="date" value={since} onInput={(e) => setSince(e.currentTarget.value)} required />
        <button type="submit" class="primary" disabled={busy || !who}>{busy ? 'Sharing…' : 'Share history'}</button>
      </form>
    </section>
  );
}
