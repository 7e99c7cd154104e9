// One meeting's minutes. For its chair and minute-taker, while it is a draft, this is the
// minute-taking view used live in the meeting: every entry is a small form saved on its own, so
// nothing typed is lost when another is saved. The plain-language check lists each finding with
// a link to the place in the text, where it is fixed. Then circulate (signed), approve (the chair,
// signed, acknowledging any findings left), and corrections as new versions. Fixed versions are
// shown as they were signed, with each signature checked on this device.
import { useEffect, useState } from 'preact/hooks';
import {
  type Attendee, type Check, type CheckFinding, kActionStatuses, kCaseReferenceHint, kKinds, type Minutes, type MinutesClient, personLabel, type SignatureVerdict,
} from '../../client/minutes';
import type { Action, Session } from '../../client/session';
import { Page } from './Meetings';
import { ActionsTable, Record, Signatures } from './Record';
import { ReadingAgeNote, ageFromJson } from '../ReadingAge';
import { CopySections, Deadlines, TemplateEditor } from './Template';
import { FollowUp } from './FollowUp';
import { Field, SaveForm, download, fields, hashOf, refusal, useLiveReload, useSynced } from './shared';

export function MeetingView({ client, session, meeting, version }: {
  client: MinutesClient; session: Session; meeting: number; version: number;
}) {
  const [m, setM] = useState<Minutes | null>(null);
  const [fixed, setFixed] = useState<Minutes | null>(null);
  const [verdicts, setVerdicts] = useState<SignatureVerdict[] | null>(null);
  const [unsigned, setUnsigned] = useState('');
  const [error, setError] = useState('');
  const load = async () => {
    try {
      const current = await client.show(meeting, version || undefined);
      setM(current);
      // A circulated or approved version is checked as it was fixed (what was signed).
      if (current.status !== 'draft') {
        const f = version ? current : await client.show(meeting, current.version);
        setFixed(f);
        const r = await client.verify(f);
        setVerdicts(r.verdicts);
        setUnsigned(r.unsignedApproval);
      } else {
        setFixed(null);
      }
    } catch (e) {
      setError(refusal(e));
    }
  };
  useEffect(() => void load(), [meeting, version]);
  // Someone else's change (in a browser or with the command) shows here without a reload.
  useLiveReload(client, m?.room ?? null, load);
  if (!m) {
    return (
      <Page title={`Meeting ${meeting}`} back={{ page: 'rooms' }}>
        {error ? <p class="error" role="alert">{error}</p> : <p role="status">Loading the minutes…</p>}
      </Page>
    );
  }
  const me = client.user;
  const isChair = m.chair.user === me;
  const isTaker = m.minute_taker.user === me;
  const editing = !version && m.status === 'draft' && (isChair || isTaker);
  const earlier = (m.versions ?? []).filter((v) => v.version !== m.version || version);
  return (
    <Page wide title={`${m.title}${version ? ` — version ${version}` : ''}`} back={{ page: 'room', room: m.room }}
      intro={`${m.marking} · meeting ${m.meeting} in ${m.room} · version ${m.version}, ${m.status}`}>
      <p class={`marking-line ${m.marking === 'OFFICIAL-SENSITIVE' ? 'sensitive' : ''}`}>{m.marking}</p>
      {error && <p class="error" role="alert">{error}</p>}
      <nav class="tools" aria-label="This meeting">
        <a href={hashOf({ page: 'print', meeting, version })}>Print view (save as PDF)</a>
        <button type="button" onClick={() => void exportAs(client, m, 'markdown', version).catch((e) => setError(refusal(e)))}>Export Markdown</button>
        <button type="button" onClick={() => void exportAs(client, m, 'html', version).catch((e) => setError(refusal(e)))}>Export HTML</button>
      </nav>
      {earlier.length > 0 && (
        <details class="versions">
          <summary>Versions ({(m.versions ?? []).length})</summary>
          <ul>
            {(m.versions ?? []).map((v) => (
              <li key={v.version}><a href={hashOf({ page: 'meeting', meeting, version: v.version })}>Version {v.version}</a>, {v.status}</li>
            ))}
            <li><a href={hashOf({ page: 'meeting', meeting, version: 0 })}>The current version</a></li>
          </ul>
        </details>
      )}
      {!editing && m.status === 'draft' && !version && <p class="hint">Only the chair ({personLabel(m.chair)}) and the minute-taker ({personLabel(m.minute_taker)}) edit this draft.</p>}
      {!version && <Deadlines m={m} />}
      {editing ? <Editor client={client} session={session} m={m} reload={load} isChair={isChair} />
        : <Record m={fixed ?? m} />}
      {!editing && fixed && <Copies client={client} m={fixed} version={version} onError={setError} />}
      {!editing && fixed && <Signatures verdicts={verdicts} unsigned={unsigned} />}
      {!version && <Lifecycle client={client} m={m} isChair={isChair} isTaker={isTaker} reload={load} />}
      {!version && <FollowUp client={client} m={m} isChair={isChair} isTaker={isTaker} reload={load} />}
      {!version && m.carried_forward.length > 0 && (
        <ActionProgress title="Carried-forward actions: progress" actions={m.carried_forward} client={client} canUpdate={isChair || isTaker} me={me} reload={load} />
      )}
      {!version && m.status !== 'draft' && m.actions.length > 0 && (
        <ActionProgress title="Actions: progress" actions={m.actions} client={client} canUpdate={isChair || isTaker} me={me} reload={load} />
      )}
    </Page>
  );
}

async function exportAs(client: MinutesClient, m: Minutes, format: 'markdown' | 'html', version: number) {
  const doc = await client.exportDoc(m.meeting, format, version || undefined);
  if (!doc.ok && !window.confirm('A signature on these minutes does NOT verify on this device (see Signatures). Save the export anyway?')) return;
  download(`minutes-${m.meeting}-v${doc.version}.${format === 'html' ? 'html' : 'md'}`, doc.content,
    format === 'html' ? 'text/html' : 'text/markdown');
}

/**
 * The copies for people without an account on a fixed version's distribution, each made on this
 * device from the signed version (only the sections it gives them): the chair or minute-taker
 * prints or sends it.
 */
function Copies({ client, m, version, onError }: { client: MinutesClient; m: Minutes; version: number; onError: (s: string) => void }) {
  const copies = (m.distribution ?? []).filter((d) => !d.user && d.entry);
  if (copies.length === 0) return null;
  const save = async (entry: number, name: string, format: 'markdown' | 'html') => {
    const doc = await client.exportCopy(m.meeting, entry, format, version || m.version);
    const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || `entry-${entry}`;
    download(`minutes-${m.meeting}-v${doc.version}-copy-${slug}.${format === 'html' ? 'html' : 'md'}`, doc.content,
      format === 'html' ? 'text/html' : 'text/markdown');
  };
  return (
    <section aria-labelledby="copies-title">
      <h2 id="copies-title">Copies to be given</h2>
      <p class="hint">People without an account receive a copy that holds only the sections chosen for them. Each copy is made on this device from the version above, and only when its signatures verify: the server cannot add a section to anyone’s copy.</p>
      <ul class="copies">
        {copies.map((d) => (
          <li key={d.entry}>
            <span>{d.name}{d.family ? ' (family)' : ''}: {d.sections ? `${d.sections.length} section${d.sections.length === 1 ? '' : 's'}` : 'the whole record'}</span>{' '}
            <button type="button" onClick={() => void save(d.entry as number, d.name, 'markdown').catch((e) => onError(refusal(e)))}>Export {d.name}’s copy (Markdown)</button>{' '}
            <button type="button" onClick={() => void save(d.entry as number, d.name, 'html').catch((e) => onError(refusal(e)))}>Export {d.name}’s copy (HTML)</button>
          </li>
        ))}
      </ul>
    </section>
  );
}

// ---- the minute-taking view ------------------------------------------------------------------

function Editor({ client, session, m, reload, isChair }: {
  client: MinutesClient; session: Session; m: Minutes; reload: () => Promise<void>; isChair: boolean;
}) {
  const id = m.meeting;
  const members = session.rooms.get(m.room)?.members ?? [];
  const saved = (p: Promise<unknown>) => p.then(reload);
  // The forms for a new entry start empty again after each of this person's own additions
  // (not when someone else adds one: what is being typed here stays).
  const [fresh, setFresh] = useState({ agenda: 0, decision: 0, action: 0 });
  const added = (what: keyof typeof fresh) => () => setFresh((f) => ({ ...f, [what]: f[what] + 1 }));
  return (
    <div class="editor">
      <section aria-labelledby="sec-details">
        <h2 id="sec-details">Details</h2>
        <DetailsForm client={client} m={m} reload={reload} isChair={isChair} members={members} />
        {isChair && <HandOver client={client} m={m} members={members} reload={reload} />}
      </section>
      {m.carried_forward.length > 0 && (
        <section aria-labelledby="sec-carried">
          <h2 id="sec-carried">Actions carried forward from the last meeting</h2>
          <p class="hint">Review each one below: record progress, or close it with evidence.</p>
          <ActionsTable actions={m.carried_forward} caption="Carried forward" />
        </section>
      )}
      <section aria-labelledby="sec-attendance">
        <h2 id="sec-attendance">Attendance</h2>
        <ul class="entries">
          {m.attendance.map((a) => (
            <li key={a.id}>
              <AttendanceEntry client={client} meeting={id} a={a} reload={reload} />
              {isChair && a.copy && !a.user && (m.sections ?? []).length > 0 && (
                <CopySections client={client} meeting={id} a={a} sections={m.sections ?? []} reload={reload} />
              )}
              <RemoveButton what={`${a.name || a.user} from attendance`} run={() => saved(client.remove(id, 'attendance', a.id))} />
            </li>
          ))}
        </ul>
        <AddAttendee client={client} meeting={id} members={members} reload={reload} />
      </section>
      <TemplateEditor client={client} m={m} reload={reload} isChair={isChair} />
      <section aria-labelledby="sec-agenda">
        <h2 id="sec-agenda">Agenda and discussion</h2>
        <ol class="entries">
          {m.agenda.map((a) => (
            <li key={a.id}>
              <AgendaForm label={`Agenda item ${a.title}`} idp={`ag-${a.id}`} initial={a} submit="Save item"
                save={(f) => saved(client.agenda(id, { ...f, item: a.id }))} />
              <RemoveButton what={`agenda item ${a.title}`} run={() => saved(client.remove(id, 'agenda', a.id))} />
            </li>
          ))}
        </ol>
        <AgendaForm key={`new-${fresh.agenda}`} label="New agenda item" idp="ag-new" initial={kNoAgenda} submit="Add agenda item"
          save={(f) => saved(client.agenda(id, f)).then(added('agenda'))} />
      </section>
      <section aria-labelledby="sec-decisions">
        <h2 id="sec-decisions">Decisions</h2>
        <ol class="entries">
          {m.decisions.map((d) => (
            <li key={d.id}>
              <DecisionForm m={m} idp={`de-${d.id}`} initial={d} submit="Save decision"
                save={(f) => saved(client.decision(id, { ...f, item: d.id }))} />
              <RemoveButton what="this decision" run={() => saved(client.remove(id, 'decision', d.id))} />
            </li>
          ))}
        </ol>
        <DecisionForm key={`new-${fresh.decision}`} m={m} idp="de-new" initial={kNoDecision}
          submit="Add decision" save={(f) => saved(client.decision(id, f)).then(added('decision'))} />
      </section>
      <section aria-labelledby="sec-actions">
        <h2 id="sec-actions">Actions</h2>
        <ol class="entries">
          {m.actions.map((a) => (
            <li key={a.id}>
              <ActionEdit client={client} a={a} members={members} reload={reload} />
              <RemoveButton what={`action ${a.id}`} run={() => saved(client.remove(id, 'action', a.id))} />
            </li>
          ))}
        </ol>
        <AddAction key={`new-${fresh.action}`} client={client} meeting={id} members={members} reload={() => reload().then(added('action'))} />
      </section>
      <CheckPanel client={client} meeting={id} />
    </div>
  );
}

const kNoAgenda = { title: '', discussion: '' };
const kNoDecision = { decision: '', reasons: '', dissent: '', agenda: null };

function RemoveButton({ what, run }: { what: string; run: () => Promise<unknown> }) {
  const [error, setError] = useState('');
  return (
    <>
      <button type="button" class="link danger-link" onClick={() => {
        if (window.confirm(`Remove ${what}?`)) run().catch((e) => setError(refusal(e)));
      }}>Remove<span class="visually-hidden"> {what}</span></button>
      {error && <p class="error" role="alert">{error}</p>}
    </>
  );
}

function DetailsForm({ client, m, reload, isChair, members }: {
  client: MinutesClient; m: Minutes; reload: () => Promise<void>; isChair: boolean; members: { user: string; display_name: string; agency: string }[];
}) {
  const [title, setTitle, titleClash] = useSynced(m.title);
  const [at, setAt, atClash] = useSynced(m.starts_at);
  const [place, setPlace, placeClash] = useSynced(m.place);
  const [next, setNext, nextClash] = useSynced(m.next_meeting ?? '');
  const [marking, setMarking] = useSynced(m.marking);
  const [kind, setKind] = useSynced(m.kind);
  const [taker, setTaker] = useSynced(m.minute_taker.user);
  const [caseRef, setCaseRef, caseClash] = useSynced(m.case_reference ?? '');
  // A case reference is sent when it changed, empty to clear it.
  const caseField = caseRef.trim() !== (m.case_reference ?? '') ? { case_reference: caseRef.trim() } : {};
  return (
    <SaveForm label="Details" submit="Save details" class="entry-form grid-form" save={() => client.update(m.meeting, {
      ...fields({ title, kind, starts_at: at, place, next_meeting: next, marking, minute_taker: taker }), ...caseField,
    }).then(reload)}>
      <Field id="md-title" label="Title" value={title} onInput={setTitle} required changed={titleClash} />
      <div class="field">
        <label for="md-kind">Kind of meeting</label>
        <select id="md-kind" value={kind} onChange={(e) => setKind(e.currentTarget.value)}>
          {kKinds.map(([k, l]) => <option key={k} value={k}>{l}</option>)}
        </select>
      </div>
      <Field id="md-at" label="Date and time" value={at} onInput={setAt} required hint="YYYY-MM-DD HH:MM" changed={atClash} />
      <Field id="md-place" label="Place" value={place} onInput={setPlace} required changed={placeClash} />
      <Field id="md-next" label="Next meeting" value={next} onInput={setNext} hint="YYYY-MM-DD" changed={nextClash} />
      <Field id="md-case" label="Case reference" value={caseRef} onInput={setCaseRef} hint={kCaseReferenceHint} changed={caseClash} />
      <div class="field">
        <label for="md-marking">Protective marking</label>
        <select id="md-marking" value={marking} onChange={(e) => setMarking(e.currentTarget.value)}>
          <option value="OFFICIAL">OFFICIAL</option><option value="OFFICIAL-SENSITIVE">OFFICIAL-SENSITIVE</option>
        </select>
      </div>
      <div class="field">
        <label for="md-taker">Minute-taker</label>
        <select id="md-taker" value={taker} onChange={(e) => setTaker(e.currentTarget.value)}>
          {members.map((x) => <option key={x.user} value={x.user}>{x.display_name || x.user} ({x.agency})</option>)}
        </select>
      </div>
      <p class="hint">Chair: {personLabel(m.chair)}.{isChair ? '' : ' Only the chair can hand over the chair.'}</p>
    </SaveForm>
  );
}

/** The chair hands the chair to another member of the room (`meeting_update` with `chair`). */
function HandOver({ client, m, members, reload }: {
  client: MinutesClient; m: Minutes; members: { user: string; display_name: string; agency: string }[]; reload: () => Promise<void>;
}) {
  const [to, setTo] = useState('');
  return (
    <SaveForm label="Hand over the chair" submit="Hand over the chair" class="entry-form hand-over" done="Handed over."
      save={() => client.update(m.meeting, { chair: to }).then(reload)}>
      <div class="field">
        <label for="md-chair">New chair</label>
        <select id="md-chair" value={to} required aria-describedby="md-chair-hint" onChange={(e) => setTo(e.currentTarget.value)}>
          <option value="">Choose…</option>
          {members.filter((x) => x.user !== m.chair.user).map((x) => <option key={x.user} value={x.user}>{x.display_name || x.user} ({x.agency})</option>)}
          {to && !members.some((x) => x.user === to) && <option value={to}>{to}, no longer in the room</option>}
        </select>
        <p class="hint" id="md-chair-hint">The new chair approves the minutes and accepts any plain-language findings left. You keep editing only if you take the minutes.</p>
      </div>
    </SaveForm>
  );
}

function AttendanceEntry({ client, meeting, a, reload }: {
  client: MinutesClient; meeting: number; a: Attendee; reload: () => Promise<void>;
}) {
  const [status, setStatus] = useSynced<string>(a.status);
  const who = a.name || a.user || '';
  // An entry is changed by sending it again with its id (an account's by its user alone).
  const save = () => client.attend(meeting, fields(a.user ? { entry: a.id, user: a.user, role: a.role, status } : {
    entry: a.id, name: a.name, agency: a.agency, discipline: a.discipline, family: a.family, copy: a.copy, role: a.role, status,
  })).then(reload);
  return (
    <SaveForm label={`Attendance of ${who}`} submit="Save" save={save} class="entry-form inline-form">
      <span class="entry-name">{who}{a.agency ? ` (${a.agency})` : ''}{a.role ? `, ${a.role}` : ''}{a.family ? ' · family member' : ''}{a.copy ? ' · receives a copy' : ''}</span>
      <label for={`at-${a.id}-status`} class="visually-hidden">Attendance of {who}</label>
      <select id={`at-${a.id}-status`} value={status} onChange={(e) => setStatus(e.currentTarget.value)}>
        <option value="present">Present</option><option value="apologies">Apologies</option><option value="absent">Absent</option>
      </select>
    </SaveForm>
  );
}

function AddAttendee({ client, meeting, members, reload }: {
  client: MinutesClient; meeting: number; members: { user: string; display_name: string; agency: string }[]; reload: () => Promise<void>;
}) {
  const [who, setWho] = useState('');
  const [name, setName] = useState('');
  const [agency, setAgency] = useState('');
  const [discipline, setDiscipline] = useState('');
  const [role, setRole] = useState('');
  const [family, setFamily] = useState(false);
  const [copy, setCopy] = useState(false);
  const [status, setStatus] = useState('present');
  const account = who !== '' && who !== '#other';
  const save = async () => {
    await client.attend(meeting, fields(account ? { user: who, role, status } : {
      name, agency, discipline, role, status, family, copy,
    }));
    setName(''); setAgency(''); setDiscipline(''); setRole(''); setFamily(false); setCopy(false); setWho('');
    await reload();
  };
  return (
    <SaveForm label="Add someone to the attendance" submit="Add to attendance" class="entry-form grid-form" save={save} done="Added.">
      <div class="field">
        <label for="at-who">Who</label>
        <select id="at-who" value={who} onChange={(e) => setWho(e.currentTarget.value)}>
          <option value="">Choose…</option>
          {members.map((x) => <option key={x.user} value={x.user}>{x.display_name || x.user} ({x.agency})</option>)}
          <option value="#other">Someone without an account (a parent, a GP…)</option>
        </select>
      </div>
      {who === '#other' && (
        <>
          <Field id="at-name" label="Name" value={name} onInput={setName} required />
          <Field id="at-agency" label="Agency" value={agency} onInput={setAgency} hint="Leave empty for family members." />
          <Field id="at-discipline" label="Discipline" value={discipline} onInput={setDiscipline} hint="For the plain-language check, e.g. health." />
          <div class="field checks">
            <input id="at-family" type="checkbox" checked={family} onChange={(e) => setFamily(e.currentTarget.checked)} />
            <label for="at-family">A family member (parent, carer, young person)</label>
            <input id="at-copy" type="checkbox" checked={copy} onChange={(e) => setCopy(e.currentTarget.checked)} />
            <label for="at-copy">Receives a copy of the minutes</label>
          </div>
        </>
      )}
      <Field id="at-role" label="Role" value={role} onInput={setRole} hint="For example Class teacher, Mother." />
      <div class="field">
        <label for="at-status">Attendance</label>
        <select id="at-status" value={status} onChange={(e) => setStatus(e.currentTarget.value)}>
          <option value="present">Present</option><option value="apologies">Apologies</option><option value="absent">Absent</option>
        </select>
      </div>
    </SaveForm>
  );
}

function AgendaForm({ label, idp, initial, submit, save }: {
  label: string; idp: string; initial: { title: string; discussion: string }; submit: string; save: (f: Record<string, unknown>) => Promise<unknown>;
}) {
  const [title, setTitle, titleClash] = useSynced(initial.title);
  const [discussion, setDiscussion, discussionClash] = useSynced(initial.discussion);
  return (
    <SaveForm label={label} submit={submit} save={() => save(fields({ title, discussion }))}>
      <Field id={`${idp}-title`} label="Agenda item" value={title} onInput={setTitle} required changed={titleClash} />
      <Field id={`${idp}-discussion`} label="Discussion" value={discussion} onInput={setDiscussion} multiline rows={5} changed={discussionClash} />
    </SaveForm>
  );
}

function DecisionForm({ m, idp, initial, submit, save }: {
  m: Minutes; idp: string; initial: { decision: string; reasons: string; dissent: string; agenda: number | null };
  submit: string; save: (f: Record<string, unknown>) => Promise<unknown>;
}) {
  const [decision, setDecision, decisionClash] = useSynced(initial.decision);
  const [reasons, setReasons, reasonsClash] = useSynced(initial.reasons);
  const [dissent, setDissent, dissentClash] = useSynced(initial.dissent);
  const [agenda, setAgenda] = useSynced(initial.agenda ? String(initial.agenda) : '');
  return (
    <SaveForm label={idp === 'de-new' ? 'New decision' : `Decision ${initial.decision}`} submit={submit}
      save={() => save(fields({ decision, reasons, dissent, agenda: agenda ? Number(agenda) : undefined }))}>
      <Field id={`${idp}-decision`} label="Decision" value={decision} onInput={setDecision} multiline rows={2} required changed={decisionClash} />
      <Field id={`${idp}-reasons`} label="Reasons" value={reasons} onInput={setReasons} multiline rows={2} changed={reasonsClash} />
      <Field id={`${idp}-dissent`} label="Dissent" value={dissent} onInput={setDissent} multiline rows={2} hint="Who disagreed, and why." changed={dissentClash} />
      <div class="field">
        <label for={`${idp}-agenda`}>Agenda item<span class="optional"> (optional)</span></label>
        <select id={`${idp}-agenda`} value={agenda} onChange={(e) => setAgenda(e.currentTarget.value)}>
          <option value="">None</option>
          {m.agenda.map((a, i) => <option key={a.id} value={String(a.id)}>{i + 1}. {a.title}</option>)}
        </select>
      </div>
    </SaveForm>
  );
}

function ActionEdit({ client, a, members, reload }: {
  client: MinutesClient; a: Action; members: { user: string; display_name: string; agency: string }[]; reload: () => Promise<void>;
}) {
  const [what, setWhat, whatClash] = useSynced(a.what);
  const [outcome, setOutcome, outcomeClash] = useSynced(a.outcome);
  const [due, setDue, dueClash] = useSynced(a.due);
  const [review, setReview, reviewClash] = useSynced(a.review ?? '');
  const [evidence, setEvidence, evidenceClash] = useSynced(a.evidence ?? '');
  // The owner: an account ("bea"), or "#other" for someone without one (a name and agency).
  const ownerNow = a.owner.user || '#other';
  const [owner, setOwner] = useSynced(ownerNow);
  const [ownerName, setOwnerName, nameClash] = useSynced(a.owner.user ? '' : a.owner.name);
  const [ownerAgency, setOwnerAgency, agencyClash] = useSynced(a.owner.user ? '' : a.owner.agency);
  const other = owner === '#other';
  const idp = `ac-${a.id}`;
  // A new owner is sent only when it changed (`action_update` tells an account it is theirs).
  const ownerFields = () => {
    if (!other) return owner !== ownerNow ? { owner } : {};
    if (!a.owner.user && ownerName.trim() === a.owner.name && ownerAgency.trim() === a.owner.agency) return {};
    return { owner_name: ownerName, owner_agency: ownerAgency };
  };
  // The owner, or the person chosen, may have left the room meanwhile: still shown as chosen.
  const gone = [...new Set([a.owner.user ?? '', owner])].filter((u) => u && u !== '#other' && !members.some((x) => x.user === u));
  return (
    <SaveForm label={`Action ${a.id}`} submit="Save action" class="entry-form grid-form"
      save={() => client.updateAction(a.id, fields({ what, outcome, due, review, evidence, ...ownerFields() })).then(reload)}>
      <p class="entry-name">Action {a.id}, owner {a.owner.name || a.owner.user}{a.owner.agency ? ` (${a.owner.agency})` : ''}</p>
      <Field id={`${idp}-what`} label="What is to be done" value={what} onInput={setWhat} multiline rows={2} required changed={whatClash} />
      <Field id={`${idp}-outcome`} label="The outcome it serves" value={outcome} onInput={setOutcome} multiline rows={2} changed={outcomeClash} />
      <div class="field">
        <label for={`${idp}-owner`}>Owner<span class="visually-hidden"> of action {a.id}</span></label>
        <select id={`${idp}-owner`} value={owner} onChange={(e) => setOwner(e.currentTarget.value)}>
          {members.map((x) => <option key={x.user} value={x.user}>{x.display_name || x.user} ({x.agency})</option>)}
          {gone.map((u) => <option key={u} value={u}>{u === a.owner.user ? `${a.owner.name || u} (${a.owner.agency})` : u}, no longer in the room</option>)}
          <option value="#other">Someone without an account</option>
        </select>
      </div>
      {other && <Field id={`${idp}-owner-name`} label={`Owner’s name (action ${a.id})`} value={ownerName} onInput={setOwnerName} required changed={nameClash} />}
      {other && <Field id={`${idp}-owner-agency`} label={`Owner’s agency (action ${a.id})`} value={ownerAgency} onInput={setOwnerAgency} hint="For family members, “Family”." changed={agencyClash} />}
      <Field id={`${idp}-due`} label="Due" type="date" value={due} onInput={setDue} required changed={dueClash} />
      <Field id={`${idp}-review`} label="Review" type="date" value={review} onInput={setReview} changed={reviewClash} />
      <Field id={`${idp}-evidence`} label="Evidence" value={evidence} onInput={setEvidence} multiline rows={2} changed={evidenceClash} />
    </SaveForm>
  );
}

function AddAction({ client, meeting, members, reload }: {
  client: MinutesClient; meeting: number; members: { user: string; display_name: string; agency: string }[]; reload: () => Promise<void>;
}) {
  const [what, setWhat] = useState('');
  const [outcome, setOutcome] = useState('');
  const [owner, setOwner] = useState('');
  const [ownerName, setOwnerName] = useState('');
  const [ownerAgency, setOwnerAgency] = useState('');
  const [due, setDue] = useState('');
  const [review, setReview] = useState('');
  const other = owner === '#other';
  return (
    <SaveForm label="New action" submit="Add action" class="entry-form grid-form" done="Added." save={() => client.addAction(meeting, fields({
      what, outcome, due, review, owner: other ? '' : owner, owner_name: other ? ownerName : '', owner_agency: other ? ownerAgency : '',
    })).then(reload)}>
      <Field id="ac-new-what" label="What is to be done" value={what} onInput={setWhat} multiline rows={2} required />
      <Field id="ac-new-outcome" label="The outcome it serves" value={outcome} onInput={setOutcome} multiline rows={2} />
      <div class="field">
        <label for="ac-new-owner">Owner</label>
        <select id="ac-new-owner" value={owner} onChange={(e) => setOwner(e.currentTarget.value)}>
          <option value="">Choose…</option>
          {members.map((x) => <option key={x.user} value={x.user}>{x.display_name || x.user} ({x.agency})</option>)}
          <option value="#other">Someone without an account</option>
        </select>
      </div>
      {other && <Field id="ac-new-owner-name" label="Owner’s name" value={ownerName} onInput={setOwnerName} required />}
      {other && <Field id="ac-new-owner-agency" label="Owner’s agency" value={ownerAgency} onInput={setOwnerAgency} hint="For family members, “Family”." />}
      <Field id="ac-new-due" label="Due" type="date" value={due} onInput={setDue} required />
      <Field id="ac-new-review" label="Review" type="date" value={review} onInput={setReview} />
    </SaveForm>
  );
}

// ---- the plain-language check ----------------------------------------------------------------

/** A UTF-8 byte offset into `text` as a UTF-16 offset (what text fields count). */
function utf16Offset(text: string, utf8: number): number {
  let bytes = 0;
  let i = 0;
  while (i < text.length && bytes < utf8) {
    const c = text.codePointAt(i) ?? 0;
    bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
    i += c > 0xffff ? 2 : 1;
  }
  return i;
}

/** The id of the field a check section's text is in (the minute-taking view's ids). */
function fieldId(section: string, id: number, field: string): string {
  if (section === 'title') return 'md-title';
  // A template section (its id as the field; "child-views.how_gathered" for how they were
  // gathered) and a report are edited in the record's forms (Template.tsx).
  if (section === 'section') return field.endsWith('.how_gathered') ? `sx-${field.slice(0, -'.how_gathered'.length)}-how` : `sx-${field}-text`;
  if (section === 'report') return `rp-${id}-report`;
  const p = { agenda: 'ag', decision: 'de', action: 'ac' }[section];
  return p ? `${p}-${id}-${field}` : '';
}

/** Why a finding has no field to go to. */
const notHere = (section: string) => (section === 'correction' ? 'the reason for this correction'
  : section === 'agency_view' ? 'an agency’s view: save it again under “Each agency’s view of the decision”'
    : 'an action carried forward; record its progress instead');

function goToFinding(section: string, id: number, field: string, f: CheckFinding): void {
  const el = document.getElementById(fieldId(section, id, field)) as HTMLInputElement | HTMLTextAreaElement | null;
  if (!el) return;
  el.focus();
  el.setSelectionRange(utf16Offset(el.value, f.start), utf16Offset(el.value, f.end));
  el.scrollIntoView({ block: 'center' });
}

function CheckPanel({ client, meeting }: { client: MinutesClient; meeting: number }) {
  const [check, setCheck] = useState<Check | null>(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const run = () => {
    setCheck(null);
    setBusy(true);
    return client.check(meeting).then((c) => { setCheck(c); setError(''); }, (e) => setError(refusal(e))).finally(() => setBusy(false));
  };
  return (
    <section aria-labelledby="sec-check" class="check-panel">
      <h2 id="sec-check">Plain-language check</h2>
      <p class="hint">Checks the whole record against the people who will read it. Save your changes first.</p>
      <button type="button" onClick={() => void run()} disabled={busy}>Check the language</button>
      {busy && <p role="status">Checking…</p>}
      {error && <p class="error" role="alert">{error}</p>}
      {check && (
        <div role="status">
          <p>{check.findings === 0 ? `Nothing found for ${check.audience}.` : `${check.findings} finding${check.findings === 1 ? '' : 's'} for ${check.audience}:`}</p>
          <ul class="check-findings">
            {check.sections.flatMap((s) => s.findings.map((f, i) => (
              <li key={`${s.section}-${s.id}-${s.field}-${i}`}>
                {document.getElementById(fieldId(s.section, s.id ?? 0, s.field))
                  ? <a href={`#${fieldId(s.section, s.id ?? 0, s.field)}`} onClick={(e) => { e.preventDefault(); goToFinding(s.section, s.id ?? 0, s.field, f); }}>
                    “{f.text}” in {s.label}</a>
                  : <>“{f.text}” in {s.label} <span class="hint">(not changed here: {notHere(s.section)})</span></>}
                {f.alternatives.length > 0 && <> — try “{f.alternatives.join('”, or “')}”</>}
                {f.explanation && <span class="hint"> ({f.explanation})</span>}
              </li>
            )))}
          </ul>
          {(check.copies ?? []).filter((c) => c.reading_age).map((c) => (
            <ReadingAgeNote key={c.entry} age={ageFromJson(c.reading_age as Record<string, unknown>)}
              lead={<>{c.name}’s copy ({c.sections} {c.sections === 1 ? 'section' : 'sections'}): </>} />
          ))}
        </div>
      )}
    </section>
  );
}

// ---- circulate, approve, correct -------------------------------------------------------------

function Lifecycle({ client, m, isChair, isTaker, reload }: {
  client: MinutesClient; m: Minutes; isChair: boolean; isTaker: boolean; reload: () => Promise<void>;
}) {
  const [ack, setAck] = useState(false);
  const [reason, setReason] = useState('');
  const canCirculate = m.status === 'draft' && (isChair || isTaker);
  const canApprove = m.status === 'circulated' && isChair;
  const canCorrect = (m.status === 'circulated' || m.status === 'approved') && (isChair || isTaker);
  if (!canCirculate && !canApprove && !canCorrect) return null;
  const acknowledge = isChair && (
    <div class="field checks">
      <input id="lc-ack" type="checkbox" checked={ack} onChange={(e) => setAck(e.currentTarget.checked)} />
      <label for="lc-ack">As chair, I have read the plain-language findings that remain and accept them</label>
    </div>
  );
  return (
    <section aria-labelledby="sec-life" class="lifecycle">
      <h2 id="sec-life">{canCorrect ? 'Corrections' : canApprove ? 'Approve' : 'Circulate'}</h2>
      {canCirculate && (
        <SaveForm label="Circulate" submit="Sign and circulate" done="Circulated." save={() => client.signAndSend(m.meeting, 'circulate', ack).then(reload)}>
          <p>Circulating fixes this version and sends it to every member of {m.room} and to everyone marked to receive a copy. This device signs exactly the version shown.</p>
          {acknowledge}
        </SaveForm>
      )}
      {canApprove && (
        <SaveForm label="Approve" submit="Sign and approve" done="Approved." save={() => client.signAndSend(m.meeting, 'approve', ack).then(reload)}>
          <p>Approving locks version {m.version} as the record. Your device signs the version as it was circulated.</p>
          {acknowledge}
        </SaveForm>
      )}
      {canCorrect && (
        <SaveForm label="Start a correction" submit="Start a corrected version" done="Started." save={() => client.correct(m.meeting, reason).then(reload)}>
          <p>A correction starts version {m.version + 1} as a draft; version {m.version} stays readable.</p>
          <Field id="lc-reason" label="Reason for the correction" value={reason} onInput={setReason} multiline rows={2} required />
        </SaveForm>
      )}
    </section>
  );
}

function ActionProgress({ title, actions, client, canUpdate, me, reload }: {
  title: string; actions: Action[]; client: MinutesClient; canUpdate: boolean; me: string; reload: () => Promise<void>;
}) {
  const mine = actions.filter((a) => canUpdate || a.owner.user === me);
  if (mine.length === 0) return null;
  return (
    <section aria-label={title} class="progress">
      <h2>{title}</h2>
      <ul class="entries">
        {mine.map((a) => <ProgressForm key={a.id} a={a} client={client} reload={reload} />)}
      </ul>
    </section>
  );
}

function ProgressForm({ a, client, reload }: { a: Action; client: MinutesClient; reload: () => Promise<void> }) {
  const [status, setStatus] = useSynced(a.status);
  const [evidence, setEvidence, evidenceClash] = useSynced(a.evidence ?? '');
  const idp = `pr-${a.id}`;
  return (
    <li>
      <SaveForm label={`Progress of action ${a.id}`} submit="Save progress" class="entry-form grid-form"
        save={() => client.updateAction(a.id, fields({ status, evidence })).then(reload)}>
        <p class="entry-name">Action {a.id}: {a.what} — {a.owner.name || a.owner.user}</p>
        <div class="field">
          <label for={`${idp}-status`}>Status</label>
          <select id={`${idp}-status`} value={status} onChange={(e) => setStatus(e.currentTarget.value)}>
            {kActionStatuses.map(([s, l]) => <option key={s} value={s}>{l}</option>)}
          </select>
        </div>
        <Field id={`${idp}-evidence`} label="Evidence or note" value={evidence} onInput={setEvidence} multiline rows={2}
          hint="Needed for Done, Not done and Cancelled." changed={evidenceClash} />
      </SaveForm>
    </li>
  );
}
