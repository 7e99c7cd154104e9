// Subject access requests in the browser, for accounts holding the information-governance
// permission (PROTOCOL.md, "Subject access requests"): a bundle for an account or for a name as
// written in the minutes (a parent without an account), with a reason; a summary; and the bundle
// downloaded as JSON, Markdown and HTML, the same files `liaise admin sar` writes (rendered here
// by subject-access-export.ts, a port of the command's code). The entry is shown only to those
// the server says hold the permission (`whoami`); the server checks again on every request and
// its refusal is shown in words.
import { useEffect, useRef, useState } from 'preact/hooks';
import { type Json, ProtocolError } from '../../protocol/connection';
import { Governance, reasonProblem } from '../../client/governance';
import type { Session } from '../../client/session';
import { kSources, sourceLine, subjectAccessHtml, subjectAccessJson, subjectAccessMarkdown, subjectLine } from '../../client/subject-access-export';
import { OutcomeLine, useOutcome } from '../admin/common';

/** Whether the server says this account holds the permission; null until it has answered. */
export function useGovernance(session: Session): boolean | null {
  const [holds, setHolds] = useState<boolean | null>(null);
  const online = session.state === 'online';
  useEffect(() => {
    if (!online) return;
    void new Governance((t, f) => session.request(t, f)).holdsPermission().then(setHolds, () => setHolds(false));
  }, [session, online]);
  return holds;
}

export function SubjectAccessLink({ session, current, onOpen }: { session: Session; current: boolean; onOpen: () => void }) {
  if (useGovernance(session) !== true) return null;
  return (
    <p class="my-actions">
      <a href="#/subject-access" aria-current={current ? 'page' : undefined}
        onClick={(e) => { e.preventDefault(); onOpen(); }}>Subject access requests</a>
    </p>
  );
}

function download(name: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

const str = (o: Json, k: string) => (typeof o[k] === 'string' ? (o[k] as string) : '');
const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40) || 'person';

export function SubjectAccessView({ session, onBack }: { session: Session; onBack: () => void }) {
  const holds = useGovernance(session);
  const gov = new Governance((t, f) => session.request(t, f));
  const [kind, setKind] = useState<'user' | 'name'>('user');
  const [who, setWho] = useState('');
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState('');
  const [bundle, setBundle] = useState<Json | null>(null);
  const [outcome, run] = useOutcome();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  const submit = async (e: Event) => {
    e.preventDefault();
    const why = !who.trim() ? (kind === 'user' ? 'Give the account name.' : 'Give the name as it is written in the minutes.') : reasonProblem(reason);
    setProblem(why);
    if (why) return;
    setBundle(null);
    const b = await run(() => gov.subjectAccess(kind === 'user' ? { user: who.trim() } : { name: who.trim() }, reason).catch((err: unknown) => {
      // The server's own words name a command; someone in the browser needs the next step.
      if (err instanceof ProtocolError && err.code === 'forbidden')
        throw new ProtocolError('forbidden', 'you do not hold the information-governance permission that subject access requests need; ask an administrator to give it to you');
      throw err;
    }));
    if (b) setBundle(b);
  };
  return (
    <main id="main" class="admin-view" aria-labelledby="sar-title">
      <div class="room-head">
        <button type="button" class="link back" onClick={onBack}>← All rooms</button>
        <h1 id="sar-title" ref={heading} tabIndex={-1}>Subject access requests</h1>
      </div>
      <div class="admin-page">
        {holds === false && (
          <p class="notice-box" role="status">Subject access requests need the information-governance permission, which an
            administrator gives. You do not hold it, so Liaise will refuse a request from you. Ask your administrator if you
            answer these requests for your organisation.</p>
        )}
        <section class="admin-section" aria-labelledby="sar-form-title">
          <h2 id="sar-form-title">Find everything held about a person</h2>
          <p class="hint">Liaise searches every meeting record (as it is now and as each version was circulated), every action
            and the whole audit log for entries that name the person. The request and its reason are recorded in the audit log.</p>
          <form class="admin-form" aria-labelledby="sar-form-title" onSubmit={submit} noValidate>
            <fieldset>
              <legend>Whose records</legend>
              <label class="choice"><input type="radio" name="sar-kind" checked={kind === 'user'} onChange={() => setKind('user')} /> A person with a Liaise account</label>
              <label class="choice"><input type="radio" name="sar-kind" checked={kind === 'name'} onChange={() => setKind('name')} /> A person without an account (for example a parent)</label>
            </fieldset>
            <label for="sar-who">{kind === 'user' ? 'Account name' : 'Name as written in the minutes'}</label>
            <input id="sar-who" value={who} onInput={(e) => setWho(e.currentTarget.value)} autocomplete="off" spellcheck={false} aria-describedby="sar-who-hint" />
            <p class="hint" id="sar-who-hint">{kind === 'user'
              ? 'Such as bea.patel. Their full name and account name are both searched.'
              : 'Whole words, any capitals: “Kelly Smith” finds “KELLY SMITH” but not “Kelly Smithson”. Other spellings, initials and nicknames are not found: search again for each.'}</p>
            <label for="sar-reason">Reason or the request’s case reference (kept in the audit log)</label>
            <input id="sar-reason" value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
            {problem && <p class="error" role="alert">{problem}</p>}
            <OutcomeLine outcome={outcome} />
            <button type="submit" class="primary">Find and make the bundle</button>
          </form>
        </section>
        {bundle && <Summary bundle={bundle} />}
      </div>
    </main>
  );
}

function Summary({ bundle }: { bundle: Json }) {
  const items = Array.isArray(bundle.items) ? (bundle.items as Json[]) : [];
  const rooms = Array.isArray(bundle.rooms) ? (bundle.rooms as Json[]) : [];
  const notes = (bundle.notes ?? {}) as Json;
  const subject = (bundle.subject ?? {}) as Json;
  const base = `subject-access-${slug(str(subject, 'user') || str(subject, 'name'))}`;
  const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  return (
    <section class="admin-section" aria-labelledby="sar-result-title">
      <h2 id="sar-result-title">Bundle for {subjectLine(bundle)}</h2>
      <p class="marking-line">OFFICIAL-SENSITIVE: PERSONAL DATA</p>
      <dl class="facts">
        <dt>Items found</dt><dd>{count(items.length, 'item', 'items')}: {kSources.map(([s, label]) => `${items.filter((i) => i.source === s).length} ${label.toLowerCase()}`).join(', ')}</dd>
        <dt>Rooms to search</dt><dd>{rooms.length}</dd>
        <dt>Generated</dt><dd>{str(bundle, 'generated')} (UK time)</dd>
        <dt>Answer due by</dt><dd>{str(bundle, 'respond_by')}</dd>
      </dl>
      <p class="notice-box"><strong>Messages are not in this bundle.</strong> {str(notes, 'messages')}</p>
      <p class="hint">Nothing is redacted: other people’s names and information are left visible. Review every item before release.</p>
      <div class="card-controls downloads">
        <button type="button" class="primary" onClick={() => download(`${base}.html`, subjectAccessHtml(bundle), 'text/html')}>Download as HTML<span class="visually-hidden"> (to read and print)</span></button>
        <button type="button" onClick={() => download(`${base}.md`, subjectAccessMarkdown(bundle), 'text/markdown')}>Download as Markdown</button>
        <button type="button" onClick={() => download(`${base}.json`, subjectAccessJson(bundle), 'application/json')}>Download as JSON</button>
      </div>
      {rooms.length > 0 && (
        <table class="admin-table stack-table long-labels">
          <caption>Rooms whose messages the members should search</caption>
          <thead><tr><th scope="col">Room</th><th scope="col">Member now</th><th scope="col">Messages sent</th><th scope="col">First sent</th><th scope="col">Last sent</th><th scope="col">Named in minutes</th></tr></thead>
          <tbody>
            {rooms.map((r) => (
              <tr key={str(r, 'room')}>
                <td data-label="Room">{str(r, 'room')}</td>
                <td data-label="Member now">{r.member === true ? 'Yes' : 'No'}</td>
                <td data-label="Messages sent">{Number(r.messages_sent ?? 0)}</td>
                <td data-label="First sent">{str(r, 'first_sent') || '–'}</td>
                <td data-label="Last sent">{str(r, 'last_sent') || '–'}</td>
                <td data-label="Named in minutes">{r.named_in_minutes === true ? 'Yes' : 'No'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {items.length > 0 && (
        <>
          <h3 id="sar-items-title">What was found</h3>
          <ol class="sar-items" aria-labelledby="sar-items-title">
            {items.slice(0, 50).map((i, n) => (
              <li key={n}><strong>{str(i, 'section')}</strong> <span class="meta">{sourceLine(i)}</span></li>
            ))}
          </ol>
          {items.length > 50 && <p class="hint">The first 50 of {items.length}; the downloads have them all.</p>}
        </>
      )}
    </section>
  );
}
