// A room's shared language: the terms its chairs agreed its members know, each with the room's
// meaning (PROTOCOL.md, "Room glossary"). Every member sees them; a chair who is a member agrees
// and withdraws them here.
import { useEffect, useState } from 'preact/hooks';
import type { Glossary, Room, Session } from '../client/session';

export function GlossaryPanel({ session, room }: { session: Session; room: Room }) {
  const [glossary, setGlossary] = useState<Glossary | null>(null);
  const [error, setError] = useState('');
  const [status, setStatus] = useState('');
  const [term, setTerm] = useState('');
  const [meaning, setMeaning] = useState('');
  const chair = session.role === 'chair' || session.role === 'admin';
  const load = () => session.glossary(room.name).then(setGlossary, (e: Error) => setError(e.message));
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
    <details class="glossary">
      <summary>Agreed terms ({terms.length})</summary>
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
