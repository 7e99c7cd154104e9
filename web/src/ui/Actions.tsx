// "My actions": the actions given to this person, overdue and due-soon first; each one's
// status and evidence can be updated here.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Action, Session } from '../client/session';

const kStatuses: [string, string][] = [
  ['open', 'Open'], ['in_progress', 'In progress'], ['done', 'Done'], ['not_done', 'Not done'],
  ['carried_forward', 'Carried forward'], ['cancelled', 'Cancelled'],
];
const label = (status: string) => kStatuses.find(([s]) => s === status)?.[1] ?? status;

function dueSoon(a: Action, now = new Date()): boolean {
  const due = Date.parse(`${a.due}T23:59:59Z`);
  return !a.overdue && due - now.getTime() < 7 * 86400000 && !['done', 'not_done', 'cancelled'].includes(a.status);
}

const ukDate = (d: string) => new Date(`${d}T12:00:00Z`).toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric' });

export function ActionsView({ session, onBack }: { session: Session; onBack: () => void }) {
  const [actions, setActions] = useState<Action[] | null>(null);
  const [error, setError] = useState('');
  const heading = useRef<HTMLHeadingElement>(null);
  const load = () => session.myActions().then(setActions, (e: Error) => setError(e.message));
  useEffect(() => {
    heading.current?.focus();
    void load();
  }, []);
  return (
    <main id="main" class="actions-view" aria-labelledby="actions-title">
      <div class="room-head">
        <button type="button" class="link back" onClick={onBack}>← All rooms</button>
        <h1 id="actions-title" ref={heading} tabIndex={-1}>My actions</h1>
        <p class="audience-line">Actions agreed in meetings and given to you. Overdue and due-soon ones come first.</p>
      </div>
      {error && <p class="error" role="alert">{error}</p>}
      <div class="actions-list">
        {actions === null && !error && <p role="status">Loading your actions…</p>}
        {actions?.length === 0 && <p>You have no actions.</p>}
        {actions && actions.length > 0 && (
          <ul>
            {actions.map((a) => <ActionCard key={a.id} session={session} action={a} onSaved={load} />)}
          </ul>
        )}
      </div>
    </main>
  );
}

function ActionCard({ session, action, onSaved }: { session: Session; action: Action; onSaved: () => void }) {
  const [status, setStatus] = useState(action.status);
  const [evidence, setEvidence] = useState(action.evidence ?? '');
  const [message, setMessage] = useState('');
  const [error, setError] = useState('');
  const id = `action-${action.id}`;
  const save = async (e: Event) => {
    e.preventDefault();
    setError('');
    setMessage('');
    try {
      await session.updateAction(action.id, status, evidence);
      setMessage('Saved.');
      onSaved();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  const flag = action.overdue ? <span class="badge danger-badge">Overdue</span>
    : dueSoon(action) ? <span class="badge warn-badge">Due soon</span> : null;
  return (
    <li class="action-card">
      <h2 id={`${id}-title`}>{action.what} {flag}</h2>
      <p class="meta">Due {ukDate(action.due)} · {action.room}{action.meeting_title ? ` · ${action.meeting_title}` : ''} · {label(action.status)}</p>
      {action.outcome && <p>Outcome wanted: {action.outcome}</p>}
      <form onSubmit={save} aria-labelledby={`${id}-title`}>
        {error && <p class="error" role="alert">{error}</p>}
        <label for={`${id}-status`}>Status</label>
        <select id={`${id}-status`} value={status} onChange={(e) => setStatus(e.currentTarget.value)}>
          {kStatuses.map(([s, l]) => <option key={s} value={s}>{l}</option>)}
        </select>
        <label for={`${id}-evidence`}>Evidence or note</label>
        <textarea id={`${id}-evidence`} rows={2} value={evidence} onInput={(e) => setEvidence(e.currentTarget.value)}
          aria-describedby={`${id}-hint`} />
        <p class="hint" id={`${id}-hint`}>Needed for Done, Not done and Cancelled: what was done, or why not.</p>
        <button type="submit" class="primary">Save<span class="visually-hidden"> {action.what}</span></button>
        {message && <span role="status" class="saved">{message}</span>}
      </form>
    </li>
  );
}
