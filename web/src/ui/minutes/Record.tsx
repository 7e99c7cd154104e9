// The minutes as a read-only record: a fixed (circulated or approved) version, an earlier
// version, or the print view. Everything is shown as text (never as HTML).
import type { Action } from '../../client/session';
import { TemplateRecord } from './Template';
import {
  actionStatusLabel, dateShown, kindOf, type Minutes, named, ownerLabel, personLabel, type SignatureVerdict, utcTime,
} from '../../client/minutes';

const kAttendance: Record<string, string> = { present: 'Present', apologies: 'Apologies', absent: 'Absent' };

export function Details({ m }: { m: Minutes }) {
  return (
    <dl class="details">
      <dt>Kind</dt><dd>{kindOf(m)}</dd>
      {m.case_reference && <><dt>Case reference</dt><dd>{m.case_reference}</dd></>}
      <dt>When</dt><dd>{dateShown(m.starts_at)}</dd>
      <dt>Place</dt><dd>{m.place}</dd>
      <dt>Chair</dt><dd>{personLabel(m.chair)}</dd>
      <dt>Minute-taker</dt><dd>{personLabel(m.minute_taker)}</dd>
      <dt>Version</dt><dd>{m.version}, {m.status}{m.approved_by ? ` (approved by ${personLabel(m.approved_by)}${m.approved_at ? ` on ${utcTime(m.approved_at)}` : ''})` : ''}</dd>
      {m.next_meeting && <><dt>Next meeting</dt><dd>{dateShown(m.next_meeting)}</dd></>}
      {m.correction && <><dt>Correction</dt><dd>Corrects version {m.correction.of_version}: {m.correction.reason}</dd></>}
    </dl>
  );
}

/** A table of actions; its caption is read out, and shown unless a heading already says it. */
export function ActionsTable({ actions, caption, showCaption }: { actions: Action[]; caption: string; showCaption?: boolean }) {
  return (
    <table class="minutes-table stack-table">
      <caption class={showCaption ? undefined : 'visually-hidden'}>{caption}</caption>
      <thead><tr><th scope="col">#</th><th scope="col">Action</th><th scope="col">Owner</th><th scope="col">Due</th><th scope="col">Review</th><th scope="col">Status</th></tr></thead>
      <tbody>
        {actions.map((a) => (
          <tr key={a.id}>
            <td data-label="#">{a.id}</td>
            <td data-label="Action" class="text">{a.what}{a.outcome && <><br /><span class="hint">Outcome: {a.outcome}</span></>}{a.evidence && <><br /><span class="hint">Evidence: {a.evidence}</span></>}</td>
            <td data-label="Owner">{ownerLabel(a)}</td>
            <td data-label="Due">{dateShown(a.due)}</td>
            <td data-label="Review">{dateShown(a.review)}</td>
            <td data-label="Status">{actionStatusLabel(a.status)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function AttendanceTable({ m }: { m: Minutes }) {
  return (
    <table class="minutes-table stack-table">
      <caption class="visually-hidden">Attendance</caption>
      <thead><tr><th scope="col">Name</th><th scope="col">Role</th><th scope="col">Attendance</th><th scope="col">Notes</th></tr></thead>
      <tbody>
        {m.attendance.map((a) => (
          <tr key={a.id}>
            <td data-label="Name">{named(a.name || a.user || '', a.agency)}</td>
            <td data-label="Role">{a.role}</td>
            <td data-label="Attendance">{kAttendance[a.status] ?? a.status}</td>
            <td data-label="Notes">{[a.family ? 'Family member' : '', a.copy ? 'Receives a copy' : '', a.user ? '' : 'No account'].filter(Boolean).join(', ')}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The whole record, heading levels starting at h2. */
export function Record({ m }: { m: Minutes }) {
  return (
    <div class="record">
      <Details m={m} />
      <h2>Attendance</h2>
      {m.attendance.length ? <AttendanceTable m={m} /> : <p>No attendance recorded.</p>}
      <TemplateRecord m={m} />
      <h2>Agenda and discussion</h2>
      {m.agenda.length === 0 && <p>No agenda items.</p>}
      {m.agenda.map((a, i) => (
        <section key={a.id} class="record-item">
          <h3>{i + 1}. {a.title}</h3>
          {a.discussion && <p class="text">{a.discussion}</p>}
        </section>
      ))}
      <h2>Decisions</h2>
      {m.decisions.length === 0 && <p>No decisions.</p>}
      {m.decisions.map((d, i) => (
        <section key={d.id} class="record-item">
          <h3>Decision {i + 1}</h3>
          <p class="text">{d.decision}</p>
          {d.reasons && <p class="text"><strong>Reasons:</strong> {d.reasons}</p>}
          {d.dissent && <p class="text"><strong>Dissent:</strong> {d.dissent}</p>}
        </section>
      ))}
      {m.carried_forward.length > 0 && <><h2>Actions carried forward</h2><ActionsTable actions={m.carried_forward} caption="Actions from the previous meeting" /></>}
      <h2>Actions</h2>
      {m.actions.length ? <ActionsTable actions={m.actions} caption="Actions agreed" /> : <p>No actions.</p>}
      {m.distribution && m.distribution.length > 0 && (
        <>
          <h2>Distribution</h2>
          <ul>{m.distribution.map((d, i) => <li key={i}>{named(d.name || d.user || '', d.agency)}{d.user ? '' : ' (copy, no account)'}</li>)}</ul>
        </>
      )}
    </div>
  );
}

/** The signatures as this device judges them, one line each. */
export function Signatures({ verdicts, unsigned }: { verdicts: SignatureVerdict[] | null; unsigned: string }) {
  if (verdicts === null) return <p role="status">Checking the signatures…</p>;
  return (
    <section class="signatures" aria-labelledby="sig-title">
      <h2 id="sig-title">Signatures</h2>
      <p class="hint">Checked on this device against the keys it pinned.</p>
      <ul>
        {verdicts.map((v, i) => (
          <li key={i} class={v.verified ? (v.beforeSections ? 'sig-ok sig-partial' : 'sig-ok') : 'sig-bad'}>
            <span aria-hidden="true">{v.verified ? '✔ ' : '✖ '}</span>{v.words}
          </li>
        ))}
        {unsigned && <li class="sig-bad">{unsigned}</li>}
        {verdicts.length === 0 && !unsigned && <li>Circulated before signatures: no signature to check.</li>}
      </ul>
    </section>
  );
}
