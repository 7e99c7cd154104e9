// A room's shared language: the terms its chairs agreed its members know, each with the room's
// meaning (PROTOCOL.md, "Room glossary"). Every member sees them; a chair who is a member agrees
// and withdraws them here. The first time a person opens a room on this device (a newcomer, or a
// new device) the list is open if the room has agreed terms, as `liaise chat` prints them on
// entering; after that it stays as they leave it, and changes arrive as timeline events.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Glossary, Room, Session } from '../client/session';

export function GlossaryPanel({ session, room }: { session: Session; room: Room }) {
  const [glossary, setGlossary] = useState<Glossary | null>(null);
  const [error, setError] = useState('');
  const [status, setStatus] = useState('');
  const [term, setTerm] = useState('');
  const [meaning, setMeaning] = useState('');
  const [open, setOpen] = useState(false);
  const [newcomer, setNewcomer] = useState(false);
  const shownFor = useRef('');
  const chair = session.role === 'chair' || session.role === 'admin';
  const load = () => session.glossary(room.name).then((g) => {
    setGlossary(g);
    if (shownFor.current === room.name) return;
    // Only the first answer for this room decides: a term agreed later is a timeline event.
    shownFor.current = room.name;
    const first = firstVisit(session.user, room.name);
    setNewcomer(first && g.terms.length > 0);
    setOpen(first && g.terms.length > 0);
  }, (e: Error) => setError(e.message));
  // Reloaded when the room changes: a chair's change arrives as a room event (lastSeq moves).
  useEffect(() => { void load(); }, [room.name, room.lastSeq]);

  const agree = async (e: Event) => {
    e.preventDefault();
    setError('');
    setStatus('');
    try {
      const change = await session.agreeTerm(room.name, term, meaning);
      setStatus(change === 'none' ? `${term.trim()} was already agreed with that meaning.` : `Agreed: ${term.trim()}.`);
      setTerm('');
      setMeaning('');
      await load();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  const withdraw = async (t: string) => {
    setError('');
    setStatus('');
    try {
      await session.withdrawTerm(room.name, t);
      setStatus(`No longer agreed: ${t}.`);
      await load();
    } catch (err) {
      setError((err as Error).message);
    }
  };

  const terms = glossary?.terms ?? [];
  return (
    <details class="glossary" open={open} onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>Agreed terms ({terms.length})</summary>
      {newcomer && <p class="newcomer">New to this room? These are the words its members have agreed to use, with what they mean here.</p>}
      <p class="hint">
        Words this room has agreed its members know. Your drafts are not stopped for them
        {glossary?.public ? ', except that this room includes the public, who have not agreed them' : ''}.
      </p>
      {terms.length > 0 && (
        <dl>
          {terms.map((t) => (
            <div key={t.term} class="agreed-term">
              <dt>{t.term}</dt>
              <dd>
                {t.meaning} <span class="meta">(agreed by {t.by})</span>
                {chair && (
                  <button type="button" class="link" onClick={() => void withdraw(t.term)}>
                    Withdraw<span class="visually-hidden"> {t.term}</span>
                  </button>
                )}
              </dd>
            </div>
          ))}
        </dl>
      )}
      {error && <p class="error" role="alert">{error}</p>}
      {status && <p role="status">{status}</p>}
      {chair && (
        <form class="agree-term" onSubmit={agree}>
          <label for="agree-term">Term</label>
          <input id="agree-term" value={term} maxLength={64} required onInput={(e) => setTerm(e.currentTarget.value)} />
          <label for="agree-meaning">Meaning in this room</label>
          <input id="agree-meaning" value={meaning} maxLength={300} required onInput={(e) => setMeaning(e.currentTarget.value)} />
          <button type="submit" class="primary">Agree term</button>
        </form>
      )}
    </details>
  );
}

/**
 * True the first time `user` opens `room` on this device (then remembered): a flag in the
 * browser's storage, holding no message or term.
 */
function firstVisit(user: string, room: string): boolean {
  const key = `liaise.room-seen.${user}.${room}`;
  try {
    if (window.localStorage.getItem(key) !== null) return false;
    window.localStorage.setItem(key, '1');
    return true;
  } catch {
    return false; // storage refused (private mode): never open it unasked
  }
}
