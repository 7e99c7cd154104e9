// Changing the passphrase that locks this browser's keys (the same rule as at enrolment and as
// `liaise passphrase`: at least 50 bits, the person's own names counted as guessable).
import { useEffect, useRef, useState } from 'preact/hooks';
import { changePassphrase } from '../client/device';
import type { Session } from '../client/session';

export function ChangePassphrase({ session, onClose }: { session: Session; onClose: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [again, setAgain] = useState('');
  const [error, setError] = useState('');
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);
  useEffect(() => dialog.current?.showModal(), []);
  const submit = async (e: Event) => {
    e.preventDefault();
    setError('');
    if (next !== again) return setError('The two new passphrases are not the same. Type them again.');
    setBusy(true);
    try {
      const { checkPassphrase } = await import('../client/strength');
      const a = session.account;
      const strength = await checkPassphrase(next, [session.user, String(a.display_name ?? ''), String(a.agency ?? '')]);
      if (!strength.ok) {
        setError(`Too easy to guess: ${strength.why}. Try four or more unrelated words.`);
        return;
      }
      await new Promise((r) => setTimeout(r, 0));
      await changePassphrase(current, next);
      setDone(true);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <dialog ref={dialog} class="dialog" aria-labelledby="pass-title" onClose={onClose}>
      <h2 id="pass-title">Change your passphrase</h2>
      {done ? (
        <>
          <p role="status" class="verified-line">Your passphrase is changed. Use the new one from now on.</p>
          <p class="hint">Keys you exported earlier still open with the old one: export them again.</p>
          <form method="dialog"><button class="primary" type="submit">Close</button></form>
        </>
      ) : (
        <form onSubmit={submit}>
          {error && <p class="error" role="alert">{error}</p>}
          <label for="pass-current">Current passphrase</label>
          <input id="pass-current" type="password" autocomplete="current-password" value={current} onInput={(e) => setCurrent(e.currentTarget.value)} required />
          <label for="pass-next">New passphrase</label>
          <input id="pass-next" type="password" autocomplete="new-password" value={next} onInput={(e) => setNext(e.currentTarget.value)} required />
          <label for="pass-again">New passphrase again</label>
          <input id="pass-again" type="password" autocomplete="new-password" value={again} onInput={(e) => setAgain(e.currentTarget.value)} required />
          <div class="dialog-actions">
            <button type="submit" class="primary" disabled={busy}>{busy ? 'Changing…' : 'Change passphrase'}</button>
            <button type="button" onClick={() => dialog.current?.close()}>Cancel</button>
          </div>
        </form>
      )}
    </dialog>
  );
}
