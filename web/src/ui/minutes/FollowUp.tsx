// After circulation (PROTOCOL.md, "After circulation"): a recipient acknowledges the minutes and
// sends accuracy comments within the window; the chair and minute-taker see who has and has not
// acknowledged and every comment, and the chair resolves each by an answer or by the version that
// corrects it. Dates in UK order. The same requests as `liaise meeting acknowledge|comment|
// comments|resolve`.
//
// Acknowledgements and comments are signed by the recipient's device (PROTOCOL.md, "Signed
// acknowledgements and comments"): this device signs its own, and checks everyone else's against
// the key it pinned. One that does not verify is said to be the server's claim, in red like the
// other trust warnings, never shown as given.
import { useEffect, useState } from 'preact/hooks';
import { type AccuracyComment, dateShown, type Minutes, type MinutesClient, named, personLabel, type ReceiptVerdict } from '../../client/minutes';
import { Field, SaveForm, refusal } from './shared';

const kStatusWords: Record<string, string> = { open: 'Open', answered: 'Answered', corrected: 'Corrected' };

const ukDate = (ms: number | null | undefined): string =>
  ms ? new Date(ms).toLocaleDateString('en-GB', { timeZone: 'Europe/London', day: 'numeric', month: 'short', year: 'numeric' }) : '';

export function FollowUp({ client, m, isChair, isTaker, reload }: {
  client: MinutesClient; m: Minutes; isChair: boolean; isTaker: boolean; reload: () => Promise<void>;
}) {
  const me = client.user;
  // The newest fixed version: the one before a correction in progress.
  const fixedVersion = m.status === 'draft' ? m.version - 1 : m.version;
  const [comments, setComments] = useState<{ all: boolean; open: number; comments: AccuracyComment[] } | null>(null);
  const [error, setError] = useState('');
  // This device's verdict on each acknowledgement (by account) and comment (by number).
  const [acks, setAcks] = useState<Record<string, ReceiptVerdict>>({});
  const [commentChecks, setCommentChecks] = useState<Record<number, ReceiptVerdict>>({});
  const loadComments = () => client.comments(m.meeting).then(async (r) => {
    const checks: Record<number, ReceiptVerdict> = {};
    for (const c of r.comments) checks[c.comment] = await client.checkComment(c);
    setCommentChecks(checks);
    setComments(r);
  }, (e) => setError(refusal(e)));
  useEffect(() => { if (fixedVersion >= 1) void loadComments(); }, [m.meeting, m.version, m.status]);
  // Checked against the fixed version as circulated (what was signed), not the live meeting.
  useEffect(() => {
    if (fixedVersion < 1 || !(isChair || isTaker) || !(m.distribution ?? []).some((d) => d.acknowledged_at)) return;
    void client.show(m.meeting, fixedVersion).then(async (fixed) => {
      const out: Record<string, ReceiptVerdict> = {};
      for (const d of fixed.distribution ?? [])
        if (d.user && d.acknowledged_at) out[d.user] = await client.checkAcknowledgement(fixed, d);
      setAcks(out);
    }, (e) => setError(refusal(e)));
  }, [m.meeting, m.version, m.status, isChair, isTaker]);
  if (fixedVersion < 1) return null;
  const mine = (m.distribution ?? []).find((d) => d.user === me);
  const accounts = (m.distribution ?? []).filter((d) => d.user);
  const commentsClock = (m.deadlines ?? []).find((d) => d.clock === 'accuracy_comments');
  // The kind's sections, then the parts every record has (one entry per id: a template may
  // name its own "attendance").
  const sections = [...(m.sections ?? []).map((s) => [s.id, s.label] as [string, string]),
    ['general', 'General'], ['attendance', 'Attendance'], ['agenda', 'Agenda'], ['decisions', 'Decisions'], ['actions', 'Actions']]
    .filter(([id], i, all) => all.findIndex(([k]) => k === id) === i) as [string, string][];
  const sectionName = (id: string) => sections.find(([k]) => k === id)?.[1] ?? id;
  const acknowledged = accounts.filter((d) => d.acknowledged_at);
  const waiting = accounts.filter((d) => !d.acknowledged_at).map((d) => named(d.name || d.user || '', d.agency));
  // The recipient's part: acknowledging, and accuracy comments. The chair and minute-taker
  // (recipients too) see who has acknowledged and the comments first, their own part after.
  const own = (
    <>
      {mine && m.status !== 'draft' && (
        mine.acknowledged_at
          ? <p role="status">You acknowledged version {m.version} on {ukDate(mine.acknowledged_at)}.</p>
          : <SaveForm label="Acknowledge" submit={`Acknowledge receipt of version ${m.version}`} done="Acknowledged."
              save={() => client.acknowledge(m.meeting).then(reload)}><p>Please read the minutes, then acknowledge that you received them.</p></SaveForm>
      )}
      {mine && <CommentForm client={client} meeting={m.meeting} sections={sections} closes={commentsClock?.due ?? null}
        onSent={() => loadComments()} />}
    </>
  );
  return (
    <section aria-labelledby="followup-h" class="followup">
      <h2 id="followup-h">After circulation</h2>
      {error && <p class="error" role="alert">{error}</p>}
      {!(isChair || isTaker) && own}
      {(isChair || isTaker) && accounts.length > 0 && (
        <p class="ack-summary">{acknowledged.length} of {accounts.length} recipient{accounts.length === 1 ? ' has' : 's have'} acknowledged
          version {fixedVersion}{waiting.length > 0 ? `; not yet: ${waiting.join(', ')}.` : '.'}</p>
      )}
      {(isChair || isTaker) && accounts.length > 0 && (
        <table class="minutes-table stack-table">
          <caption>Acknowledgements of version {fixedVersion}</caption>
          <thead><tr><th scope="col">Recipient</th><th scope="col">Acknowledged</th></tr></thead>
          <tbody>
            {accounts.map((d) => (
              <tr key={d.user}>
                <td data-label="Recipient">{named(d.name || d.user || '', d.agency)}</td>
                <td data-label="Acknowledged"><Acknowledged at={d.acknowledged_at} verdict={d.user ? acks[d.user] : undefined} /></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {comments && comments.comments.length > 0 && (
        <>
          <h3>{comments.all ? 'Accuracy comments' : 'Your accuracy comments'} ({comments.open} open)</h3>
          <ul class="comments">
            {comments.comments.map((c) => (
              <li key={c.comment} class={`comment ${c.status}`}>
                <p class="comment-head"><strong>Comment {c.comment}</strong> on {sectionName(c.section)} (version {c.version}), from {personLabel(c.by)} on {ukDate(c.sent_at)}{' '}
                  <span class={`badge${c.status === 'open' ? ' warn-badge' : ''}`}>{kStatusWords[c.status] ?? c.status}</span></p>
                <p class="text">{c.text}</p>
                {commentChecks[c.comment] && <Verdict v={commentChecks[c.comment] as ReceiptVerdict} />}
                {c.status === 'answered' && <p class="text">Answered by {personLabel(c.resolved_by)} on {ukDate(c.resolved_at)}: {c.answer}</p>}
                {c.status === 'corrected' && <p>Corrected in version {c.corrected_in} ({ukDate(c.resolved_at)}).</p>}
                {isChair && c.status === 'open' && <Resolve client={client} m={m} c={c} onDone={() => loadComments()} />}
              </li>
            ))}
          </ul>
        </>
      )}
      {(isChair || isTaker) && mine && (
        <>
          <h3>Your own copy</h3>
          {own}
        </>
      )}
    </section>
  );
}

/** An acknowledgement as this device judged it: a date only when its signature verified. */
function Acknowledged({ at, verdict }: { at: number | null | undefined; verdict: ReceiptVerdict | undefined }) {
  if (!at) return <>Not yet</>;
  if (!verdict) return <>Checking the signature…</>;
  if (verdict.result === 'verified') return <span class="sig-ok">{ukDate(at)}, signature verified</span>;
  return <Verdict v={verdict} />;
}

/** The verdict in words: red (a trust warning) unless it verified. */
function Verdict({ v }: { v: ReceiptVerdict }) {
  return v.result === 'does_not_verify'
    ? <p class="sig-bad" role="alert"><span aria-hidden="true">✖ </span>{v.words}</p>
    : <p class={v.result === 'verified' ? 'sig-ok' : 'sig-partial'}><span aria-hidden="true">{v.result === 'verified' ? '✔ ' : '? '}</span>{v.words}</p>;
}

function CommentForm({ client, meeting, sections, closes, onSent }: {
  client: MinutesClient; meeting: number; sections: [string, string][]; closes: string | null; onSent: () => void;
}) {
  const [section, setSection] = useState(sections[0]?.[0] ?? 'general');
  const [text, setText] = useState('');
  return (
    <SaveForm label="Accuracy comment" submit="Send comment to the chair" done="Sent to the chair."
      save={() => client.comment(meeting, section, text).then(() => { setText(''); onSent(); })}>
      <p class="hint">If something in the minutes is wrong, tell the chair{closes ? ` by ${dateShown(closes)}` : ''}.</p>
      <div class="field">
        <label for="fc-section">Section</label>
        <select id="fc-section" value={section} onChange={(e) => setSection(e.currentTarget.value)}>
          {sections.map(([id, label]) => <option key={id} value={id}>{label}</option>)}
        </select>
      </div>
      <Field id="fc-text" label="What is inaccurate, and what it should say" value={text} onInput={setText} multiline required />
    </SaveForm>
  );
}

function Resolve({ client, m, c, onDone }: { client: MinutesClient; m: Minutes; c: AccuracyComment; onDone: () => void }) {
  const [answer, setAnswer] = useState('');
  const corrected = m.version > c.version ? m.version : 0;
  return (
    <>
      <SaveForm label={`Answer comment ${c.comment}`} submit="Answer (the record stays as it is)" done="Answered."
        save={() => client.resolve(m.meeting, c.comment, { answer }).then(onDone)}>
        <Field id={`fr-${c.comment}`} label="Your answer" value={answer} onInput={setAnswer} multiline required />
      </SaveForm>
      {corrected > 0 && (
        <SaveForm label={`Resolve comment ${c.comment} by correction`} submit={`Corrected in version ${corrected}`} done="Resolved."
          save={() => client.resolve(m.meeting, c.comment, { corrected_in: corrected }).then(onDone)}>
          <></>
        </SaveForm>
      )}
    </>
  );
}
