// Pieces every admin page uses: running a request with its refusal shown in words, a
// confirmation dialog for changes that cannot simply be undone, and UK dates.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { refusal } from '../../client/admin';

/** The outcome line of a form: a refusal (role="alert") or what was done (role="status"). */
export interface Outcome {
  error: string;
  done: string;
}

/**
 * State for one form: `run(fn, done)` clears the last outcome, runs `fn` and shows `done` (or
 * what `fn` returns) on success, or the server's refusal in words.
 */
export function useOutcome(): [Outcome, <T>(fn: () => Promise<T>, done?: string | ((r: T) => string)) => Promise<T | undefined>] {
  const [outcome, setOutcome] = useState<Outcome>({ error: '', done: '' });
  const run = async <T,>(fn: () => Promise<T>, done: string | ((r: T) => string) = ''): Promise<T | undefined> => {
    setOutcome({ error: '', done: '' });
    try {
      const r = await fn();
      setOutcome({ error: '', done: typeof done === 'function' ? done(r) : done });
      return r;
    } catch (e) {
      setOutcome({ error: refusal(e), done: '' });
      return undefined;
    }
  };
  return [outcome, run];
}

export function OutcomeLine({ outcome }: { outcome: Outcome }) {
  return (
    <>
      {outcome.error && <p class="error" role="alert">{outcome.error}</p>}
      {outcome.done && <p class="saved-line" role="status">{outcome.done}</p>}
    </>
  );
}

/** A modal question: `onAnswer(true)` for the first (confirming) button, false for Cancel or Escape. */
export function Confirm({ title, children, yes, onAnswer }: {
  title: string; children: ComponentChildren; yes: string; onAnswer: (yes: boolean) => void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const answered = useRef(false);
  useEffect(() => { dialog.current?.showModal(); }, []);
  const answer = (v: boolean) => {
    if (answered.current) return;
    answered.current = true;
    dialog.current?.close();
    onAnswer(v);
  };
  return (
    <dialog ref={dialog} class="dialog" aria-labelledby="confirm-title" onClose={() => answer(false)}>
      <h2 id="confirm-title">{title}</h2>
      {children}
      <div class="dialog-actions">
        <button type="button" class="primary" onClick={() => answer(true)}>{yes}</button>
        <button type="button" onClick={() => answer(false)}>Cancel</button>
      </div>
    </dialog>
  );
}

const ukDateTime = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London', day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit',
});

/** "7 December 2026 at 14:05" (UK time). */
export function ukDateTimeOf(ms: number): string {
  return ukDateTime.format(new Date(ms)).replace(', ', ' at ');
}

/** A discipline's name as people say it: "social care". */
export const disciplineName = (d: string) => d.replace(/-/g, ' ');

/** One item per line, blank lines dropped (plain alternatives, variants). */
export const lines = (s: string) => s.split('\n').map((x) => x.trim()).filter(Boolean);
