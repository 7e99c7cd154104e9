// One room: who is in it and for whom to write, the timeline, and the message box.
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { checkDraft, engineAvailable } from '../client/plain';
import type { Item, Room, Session } from '../client/session';
import * as store from '../client/store';
import { isoTime, personName, ukWhen } from '../client/words';
import { audienceOf } from './Main';
import { Verify } from './Verify';

export function RoomView({ session, room, onBack }: { session: Session; room: Room; onBack: () => void }) {
  const [error, setError] = useState('');
  const [loading, setLoading] = useState(!room.loaded);
  const [verifying, setVerifying] = useState<{ user: string; name: string } | null>(null);
  const timeline = useRef<HTMLOListElement>(null);
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    heading.current?.focus();
    session.openRoom(room.name).catch((e: Error) => setError(e.message)).finally(() => setLoading(false));
  }, [room.name]);

  const blockedMember = room.members.find((m) => m.user === room.blocked);
  const blockedName = blockedMember ? blockedMember.display_name || blockedMember.user : room.blocked;

  // Keep the newest message in view, and the room marked read while it is open; when older
  // history is added above, keep what was on screen where it was.
  const newest = room.items.length ? (room.items[room.items.length - 1] as Item).seq : 0;
  const oldest = room.items.length ? (room.items[0] as Item).seq : 0;
  const heightBefore = useRef(0);
  useLayoutEffect(() => {
    const t = timeline.current;
    if (t) t.scrollTop = t.scrollHeight;
    if (document.visibilityState === 'visible') void session.markRead(room);
  }, [newest]);
  useLayoutEffect(() => {
    const t = timeline.current;
    if (t && heightBefore.current) t.scrollTop += t.scrollHeight - heightBefore.current;
    heightBefore.current = 0;
  }, [oldest]);
  const earlier = () => {
    if (timeline.current) heightBefore.current = timeline.current.scrollHeight;
    session.loadEarlier(room.name).catch((e: Error) => setError(e.message));
  };

  return (
    <main id="main" class="room" aria-labelledby="room-title">
      <div class="room-head">
        <button type="button" class="link back" onClick={onBack}>← All rooms</button>
        <h1 id="room-title" ref={heading} tabIndex={-1}>{room.name}</h1>
        <p class="audience-line"><strong>Writing for:</strong> {audienceOf(room)}</p>
        <details class="members">
          <summary>{room.memberCount} {room.memberCount === 1 ? 'member' : 'members'}</summary>
          <ul>
            {room.members.map((m) => {
              const name = personName(m.display_name, m.agency, m.user);
              return (
                <li key={m.user}>
                  {name}{m.suspended ? ' — suspended' : ''}
                  {m.user === session.user ? ' (you)'
                    : session.isVerified(m.user) ? <span class="badge">Verified</span>
                    : <button type="button" class="link" onClick={() => setVerifying({ user: m.user, name: m.display_name || m.user })}>
                        Verify<span class="visually-hidden"> {name}</span></button>}
                </li>
              );
            })}
          </ul>
        </details>
      </div>
      {room.blocked && (
        <p class="banner danger" role="alert">
          Sending is stopped in this room: {blockedName}’s key changed since you verified them. Compare safety numbers with them again before trusting it.{' '}
          <button type="button" class="link" onClick={() => setVerifying({ user: room.blocked, name: blockedName })}>Compare safety numbers with {blockedName}</button>
        </p>
      )}
      {error && <p class="error" role="alert">{error}</p>}
      <ol class="timeline" ref={timeline} tabIndex={0} aria-label={`Messages in ${room.name}`} aria-busy={loading}
        onScroll={(e) => { if (e.currentTarget.scrollTop < 40 && session.hasEarlier(room)) earlier(); }}>
        {session.hasEarlier(room) && (
          <li class="event"><button type="button" class="link" onClick={earlier}>Load earlier messages</button></li>
        )}
        {loading && room.items.length === 0 && <li class="event">Loading messages…</li>}
        {!loading && room.items.length === 0 && <li class="event">No messages yet. Say hello.</li>}
        {room.items.map((item) => <TimelineItem key={item.seq} item={item} />)}
      </ol>
      <Composer session={session} room={room} />
      <AskTerm session={session} room={room} />
      {verifying && <Verify session={session} user={verifying.user} name={verifying.name} onClose={() => setVerifying(null)} />}
    </main>
  );
}

function TimelineItem({ item }: { item: Item }) {
  const when = <time dateTime={isoTime(item.sentAt)}>{ukWhen(item.sentAt)}</time>;
  if (item.kind === 'event') return <li class="event"><span>{item.eventText}</span> · {when}</li>;
  return (
    <li class={`message ${item.mine ? 'mine' : ''}`}>
      <p class="meta"><span class="sender">{item.mine ? 'You' : item.senderName}</span> · {when}</p>
      {item.text !== null && item.text !== undefined
        ? <p class="text">{item.text}</p>
        : <p class="text unreadable">{item.problem ?? 'This message cannot be read.'}</p>}
      {item.warnings.length > 0 && (
        <ul class="warnings" aria-label="Warnings about this message">
          {item.warnings.map((w, i) => <li key={i}><strong>Warning:</strong> {w.message}</li>)}
        </ul>
      )}
    </li>
  );
}

function Composer({ session, room }: { session: Session; room: Room }) {
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [confirm, setConfirm] = useState<{ names: string[]; answer: (yes: boolean) => void } | null>(null);
  const box = useRef<HTMLTextAreaElement>(null);
  const draftKey = `draft:${room.name}`;
  const saveTimer = useRef<number>(0);

  useEffect(() => {
    void store.get<string>(draftKey).then((d) => { if (d) setText(d); });
  }, [draftKey]);

  const update = (value: string) => {
    setText(value);
    window.clearTimeout(saveTimer.current);
    saveTimer.current = window.setTimeout(() => void (value ? store.put(draftKey, value) : store.remove(draftKey)), 250);
    // The plain-language seam: the WebAssembly engine's findings will be underlined here.
    if (engineAvailable) checkDraft(value, { public: room.public, disciplines: room.disciplines });
  };

  const send = async () => {
    const message = text.trim();
    if (!message || busy) return;
    setBusy(true);
    setError('');
    try {
      await session.send(room.name, message, (names) => new Promise((answer) => setConfirm({ names, answer })));
      setText('');
      window.clearTimeout(saveTimer.current);
      await store.remove(draftKey);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
      setConfirm(null);
      box.current?.focus();
    }
  };

  return (
    <form class="composer" onSubmit={(e) => { e.preventDefault(); void send(); }}>
      {error && <p class="error" role="alert">{error}</p>}
      <label for="composer-text">Message to {room.name}</label>
      <textarea id="composer-text" ref={box} rows={3} value={text} disabled={!!room.blocked}
        aria-describedby="composer-hint"
        onInput={(e) => update(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); void send(); }
        }} />
      <div class="composer-row">
        <p class="hint" id="composer-hint">Enter sends; Shift+Enter starts a new line. Only the people in this room can read it.</p>
        <button type="submit" class="primary" disabled={busy || !text.trim() || !!room.blocked}>{busy ? 'Sending…' : 'Send'}</button>
      </div>
      {confirm && <NewReaders names={confirm.names} roomName={room.name} answer={confirm.answer} />}
    </form>
  );
}

function NewReaders({ names, roomName, answer }: { names: string[]; roomName: string; answer: (yes: boolean) => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    dialog.current?.showModal();
  }, []);
  return (
    <dialog ref={dialog} class="dialog" aria-labelledby="readers-title" aria-describedby="readers-text"
      onCancel={(e) => { e.preventDefault(); answer(false); }}>
      <h2 id="readers-title">New readers</h2>
      <p id="readers-text">This message will also be readable by people you have not written to in {roomName} before:</p>
      <ul>{names.map((n) => <li key={n}>{n}</li>)}</ul>
      <div class="dialog-actions">
        <button type="button" class="primary" onClick={() => answer(true)}>Send to them too</button>
        <button type="button" onClick={() => answer(false)}>Don’t send</button>
      </div>
    </dialog>
  );
}

/** "Ask an administrator about a word": the answer comes back as a notice. */
function AskTerm({ session, room }: { session: Session; room: Room }) {
  const [term, setTerm] = useState('');
  const [status, setStatus] = useState('');
  const [error, setError] = useState('');
  const submit = async (e: Event) => {
    e.preventDefault();
    setError('');
    setStatus('');
    if (!term.trim()) return;
    try {
      await session.ask(term, room.name);
      setStatus(`Your question about “${term.trim()}” was sent to the administrators. Their answer will appear at the top of the page.`);
      setTerm('');
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <details class="ask">
      <summary>Ask an administrator what a word means</summary>
      <form onSubmit={submit}>
        {error && <p class="error" role="alert">{error}</p>}
        <label for="ask-term">Word or abbreviation</label>
        <div class="ask-row">
          <input id="ask-term" value={term} onInput={(e) => setTerm(e.currentTarget.value)} autocomplete="off" />
          <button type="submit">Ask</button>
        </div>
        {status && <p role="status" class="hint">{status}</p>}
      </form>
    </details>
  );
}
