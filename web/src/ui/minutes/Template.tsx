// The record a meeting's kind asks for (PROTOCOL.md, "Templates and copies"): its template's
// sections, the reports received, each agency's view of the decision, what is still missing
// before the record can be circulated, and the circulation deadlines. Read-only in a fixed
// version; in a draft, for its chair and minute-taker, each section is a small form saved on its
// own (meeting_section), and the chair chooses what each copy for someone without an account
// holds.
import { useState } from 'preact/hooks';
import {
  type Attendee, type Deadline, type Minutes, type MinutesClient, type Report, type TemplateSection, dateShown,
} from '../../client/minutes';
import type { Json } from '../../protocol/connection';
import { Field, SaveForm, fields, useSynced } from './shared';

/** Whether the minutes have anything of their kind's template to show (as the exports decide). */
export function hasRecord(m: Minutes): boolean {
  return (m.sections ?? []).some((s) => s.text !== '') || (m.reports ?? []).length > 0 || (m.agency_views ?? []).length > 0;
}

const onlyForProfessionals = (s: TemplateSection) => (s.professionals_only ? ' (professionals only)' : '');

/** The template's record as it stands, headings at h2 then h3. */
export function TemplateRecord({ m }: { m: Minutes }) {
  if (!hasRecord(m)) return null;
  const reports = m.reports ?? [];
  const views = m.agency_views ?? [];
  return (
    <>
      <h2>Record</h2>
      {(m.sections ?? []).filter((s) => s.text !== '').map((s) => (
        <section key={s.id} class="record-item">
          <h3>{s.label}{onlyForProfessionals(s)}</h3>
          <p class="text">{s.text}</p>
          {s.how_gathered && <p class="text"><strong>How they were gathered:</strong> {s.how_gathered}</p>}
        </section>
      ))}
      {reports.length > 0 && (
        <section class="record-item">
          <h3>Reports received</h3>
          <ReportsTable reports={reports} />
        </section>
      )}
      {views.length > 0 && (
        <section class="record-item">
          <h3>Each agency’s view of the decision</h3>
          <ul>{views.map((v) => <li key={v.agency}><strong>{v.agency}:</strong> <span class="text">{v.view}</span></li>)}</ul>
        </section>
      )}
    </>
  );
}

function ReportsTable({ reports }: { reports: Report[] }) {
  return (
    <table class="minutes-table stack-table">
      <caption class="visually-hidden">Reports received</caption>
      <thead><tr><th scope="col">Report</th><th scope="col">By</th><th scope="col">Shared with parents beforehand</th></tr></thead>
      <tbody>
        {reports.map((r) => (
          <tr key={r.id}>
            <td data-label="Report" class="text">{r.report}</td>
            <td data-label="By">{r.by}</td>
            <td data-label="Shared with parents beforehand">{r.shared_with_parents ? 'Yes' : 'No'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** "Full record: due Fri 11 Dec 2026 (15 working days)", with the clock's state. */
function deadlineWords(d: Deadline): string {
  const days = `${d.days} working day${d.days === 1 ? '' : 's'}`;
  if (d.status === 'unknown') return `${d.label}: cannot be worked out (${d.problem ?? 'no bank-holiday data for these dates'})`;
  const when = d.due ? `${dateShown(d.due)} (${days})` : `${days} from the first circulation`;
  return `${d.label}: ${when}, ${d.status}`;
}

/** The circulation clocks of the meeting's kind, in working days of England and Wales. */
export function Deadlines({ m }: { m: Minutes }) {
  const clocks = m.deadlines ?? [];
  if (clocks.length === 0) return null;
  return (
    <section class="deadlines" aria-labelledby="deadlines-title">
      <h2 id="deadlines-title">Deadlines</h2>
      <ul>
        {clocks.map((d) => <li key={d.clock} class={d.status === 'late' || d.status === 'met late' ? 'late' : undefined}>{deadlineWords(d)}</li>)}
      </ul>
    </section>
  );
}

/** What the server says the record still lacks before it can be circulated. */
function Missing({ m }: { m: Minutes }) {
  const missing = m.missing_sections ?? [];
  if (!m.templated) return <p class="hint">This kind of meeting is recorded with its agenda and decisions; the sections below are optional.</p>;
  if (missing.length === 0) return <p class="hint">Every section the template asks for is recorded.</p>;
  return (
    <div class="missing">
      <p>Still to record before the minutes can be circulated:</p>
      <ul>{missing.map((s) => <li key={s.id}><a href={`#sec-${s.id}`} onClick={(e) => { e.preventDefault(); document.getElementById(`sx-${s.id}-text`)?.focus(); }}>{s.label}</a>: {s.why}</li>)}</ul>
    </div>
  );
}

/** The template's sections as forms, for the chair and minute-taker of a draft. */
export function TemplateEditor({ client, m, reload, isChair }: {
  client: MinutesClient; m: Minutes; reload: () => Promise<void>; isChair: boolean;
}) {
  const sections = m.sections ?? [];
  if (sections.length === 0) return null;
  return (
    <section aria-labelledby="sec-record">
      <h2 id="sec-record">Record: {m.kind_label || m.kind}</h2>
      <Missing m={m} />
      <ol class="entries">
        {sections.map((s) => (
          <li key={s.id} id={`sec-${s.id}`}>
            <SectionForm client={client} meeting={m.meeting} s={s} isChair={isChair} needed={m.templated === true} reload={reload} />
            {s.id === 'reports' && <Reports client={client} m={m} reload={reload} />}
            {s.id === 'decision' && m.vote_recorded && <AgencyViews client={client} m={m} reload={reload} />}
          </li>
        ))}
      </ol>
    </section>
  );
}

function SectionForm({ client, meeting, s, isChair, needed, reload }: {
  client: MinutesClient; meeting: number; s: TemplateSection; isChair: boolean;
  /** The record follows its template: the section is needed to circulate (not marked optional). */
  needed: boolean; reload: () => Promise<void>;
}) {
  const [text, setText, textClash] = useSynced(s.text);
  const [how, setHow, howClash] = useSynced(s.how_gathered ?? '');
  const [restricted, setRestricted] = useSynced(s.professionals_only);
  const idp = `sx-${s.id}`;
  // The text is always sent (empty clears it); the marking only by the chair, when it changed.
  const save = () => {
    const f: Json = { text: text.trim() };
    if (s.id === 'child-views') f.how_gathered = how.trim();
    if (isChair && restricted !== s.professionals_only) f.professionals_only = restricted;
    return client.section(meeting, s.id, f).then(reload);
  };
  return (
    <SaveForm label={`Section ${s.label}`} submit="Save section" save={save}>
      <Field id={`${idp}-text`} label={`${s.label}${onlyForProfessionals(s)}`} value={text} onInput={setText} multiline rows={3}
        required={needed} hint={s.guidance} changed={textClash} />
      {s.id === 'child-views' && (
        <Field id={`${idp}-how`} label="How the child’s views were gathered" value={how} onInput={setHow} multiline rows={2} required={needed}
          hint="For example: seen alone at school by the social worker; drawings; an advocate." changed={howClash} />
      )}
      {isChair && (
        <div class="field checks">
          <input id={`${idp}-po`} type="checkbox" checked={restricted} onChange={(e) => setRestricted(e.currentTarget.checked)} />
          <label for={`${idp}-po`}>For professionals only (left out of family members’ copies)</label>
        </div>
      )}
    </SaveForm>
  );
}

function Reports({ client, m, reload }: { client: MinutesClient; m: Minutes; reload: () => Promise<void> }) {
  const [fresh, setFresh] = useState(0);
  return (
    <div class="sub-entries">
      <h3>Reports received</h3>
      <ul class="entries">
        {(m.reports ?? []).map((r) => (
          <li key={r.id}>
            <ReportForm idp={`rp-${r.id}`} initial={r} submit="Save report" label={`Report ${r.report}`}
              save={(f) => client.section(m.meeting, 'reports', { ...f, item: r.id }).then(reload)} />
          </li>
        ))}
      </ul>
      <ReportForm key={`new-${fresh}`} idp="rp-new" initial={{ id: 0, report: '', by: '', shared_with_parents: false }} submit="Add report" label="New report"
        save={(f) => client.section(m.meeting, 'reports', f).then(reload).then(() => setFresh((n) => n + 1))} />
    </div>
  );
}

function ReportForm({ idp, initial, submit, label, save }: {
  idp: string; initial: Report; submit: string; label: string; save: (f: Record<string, string | boolean>) => Promise<unknown>;
}) {
  const [report, setReport, reportClash] = useSynced(initial.report);
  const [by, setBy, byClash] = useSynced(initial.by);
  const [shared, setShared] = useSynced(initial.shared_with_parents);
  return (
    <SaveForm label={label} submit={submit} class="entry-form grid-form"
      save={() => save({ report: report.trim(), report_by: by.trim(), shared_with_parents: shared })}>
      <Field id={`${idp}-report`} label="Report" value={report} onInput={setReport} required hint="For example: Health visitor’s report." changed={reportClash} />
      <Field id={`${idp}-by`} label="Written by" value={by} onInput={setBy} changed={byClash} />
      <div class="field checks">
        <input id={`${idp}-shared`} type="checkbox" checked={shared} onChange={(e) => setShared(e.currentTarget.checked)} />
        <label for={`${idp}-shared`}>Shared with the parents before the meeting</label>
      </div>
    </SaveForm>
  );
}

function AgencyViews({ client, m, reload }: { client: MinutesClient; m: Minutes; reload: () => Promise<void> }) {
  const views = m.agency_views ?? [];
  const [agency, setAgency] = useState('');
  const [view, setView] = useState('');
  return (
    <div class="sub-entries">
      <h3>Each agency’s view of the decision</h3>
      {views.length > 0 && <ul>{views.map((v) => <li key={v.agency}><strong>{v.agency}:</strong> <span class="text">{v.view}</span></li>)}</ul>}
      <SaveForm label="An agency’s view" submit="Save view" class="entry-form grid-form" done="Saved. Saving an empty view removes it."
        save={() => client.section(m.meeting, 'decision', { agency: agency.trim(), view: view.trim() }).then(reload).then(() => { setAgency(''); setView(''); })}>
        <Field id="av-agency" label="Agency" value={agency} onInput={setAgency} required list="av-agencies" />
        <datalist id="av-agencies">{[...new Set(m.attendance.map((a) => a.agency).filter(Boolean))].map((a) => <option key={a} value={a} />)}</datalist>
        <Field id="av-view" label="Its view" value={view} onInput={setView} multiline rows={2} hint="For example: plan needed, under the category of neglect. Leave empty to remove the agency’s view." />
      </SaveForm>
    </div>
  );
}

/**
 * The chair's choice of the sections a copy for someone without an account holds (`receives`):
 * by default every section, less the professionals-only ones for a family member, who can never
 * be given one.
 */
export function CopySections({ client, meeting, a, sections, reload }: {
  client: MinutesClient; meeting: number; a: Attendee; sections: TemplateSection[]; reload: () => Promise<void>;
}) {
  const allowed = (s: TemplateSection) => !(a.family && s.professionals_only);
  const current = a.receives ?? sections.filter(allowed).map((s) => s.id);
  const [chosen, setChosen] = useState<string[]>(current);
  const who = a.name || a.user || '';
  const toggle = (id: string, on: boolean) => setChosen((c) => (on ? [...c, id] : c.filter((x) => x !== id)));
  return (
    <SaveForm label={`Sections in ${who}’s copy`} submit="Save their copy" class="entry-form copy-sections"
      save={() => client.attend(meeting, {
        ...fields({ entry: a.id, name: a.name, agency: a.agency, discipline: a.discipline, family: a.family, copy: a.copy, role: a.role, status: a.status }),
        receives: sections.map((s) => s.id).filter((id) => chosen.includes(id)),
      }).then(reload)}>
      <fieldset>
        <legend>The sections {who}’s copy holds{a.receives ? '' : ' (now: the default)'}</legend>
        <div class="field checks">
          {sections.map((s) => [
            <input key={`i-${s.id}`} id={`cp-${a.id}-${s.id}`} type="checkbox" checked={chosen.includes(s.id)} disabled={!allowed(s)}
              aria-describedby={allowed(s) ? undefined : `cp-${a.id}-po`}
              onChange={(e) => toggle(s.id, e.currentTarget.checked)} />,
            <label key={`l-${s.id}`} for={`cp-${a.id}-${s.id}`}>{s.label}{onlyForProfessionals(s)}</label>,
          ])}
        </div>
        {a.family && sections.some((s) => s.professionals_only) && (
          <p class="hint" id={`cp-${a.id}-po`}>Sections for professionals only are never in a family member’s copy.</p>
        )}
      </fieldset>
    </SaveForm>
  );
}
