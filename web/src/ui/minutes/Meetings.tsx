// "Meetings and minutes": the rooms' meetings, starting one, and the pages below them (the
// minute-taking view, earlier versions, the print view, actions across rooms). The page is
// chosen by the address ("#/meetings/…"), so the browser's back button and bookmarks work.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { dateShown, kCaseReferenceHint, kKinds, kindLabel, type MeetingSummary, MinutesClient, personLabel } from '../../client/minutes';
import type { Session } from '../../client/session';
import { useSession } from '../Main';
import { ChairActions } from './ChairActions';
import { MeetingView } from './MeetingView';
import { PrintView } from './PrintView';
import { Field, SaveForm, fields, go, hashOf, type Route, routeFromHash, useLiveReload } from './shared';

export function MeetingsView({ session }: { session: Session }) {
  useSession(session);
  const [route, setRoute] = useState<Route>(routeFromHash(window.location.hash));
  const client = useMemo(() => new MinutesClient(session), [session]);
  useEffect(() => {
    const onHash = () => setRoute(routeFromHash(window.location.hash));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  switch (route.page) {
    case 'rooms': return <RoomPicker session={session} />;
    case 'room': return <RoomMeetings key={route.room} session={session} client={client} room={route.room} />;
    case 'actions': return <ChairActions client={client} />;
    case 'meeting': return <MeetingView key={`${route.meeting}/${route.version}`} client={client} session={session} meeting={route.meeting} version={route.version} />;
    case 'print': return <PrintView key={`${route.meeting}/${route.version}`} client={client} meeting={route.meeting} version={route.version} />;
  }
}

/** A page's main region with its heading focused on arrival (for screen readers and keyboards). */
export function Page({ title, intro, back, children, wide }: {
  title: string; intro?: string; back?: Route; children: preact.ComponentChildren; wide?: boolean;
}) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), [title]);
  return (
    <main id="main" class={`minutes-page${wide ? ' wide' : ''}`} aria-labelledby="page-title">
      <div class="room-head">
        {back && <p class="crumb"><a href={hashOf(back)}>← {back.page === 'rooms' ? 'Meetings' : back.page === 'room' ? `Meetings in ${back.room}` : 'Back'}</a></p>}
        <h1 id="page-title" ref={heading} tabIndex={-1}>{title}</h1>
        {intro && <p class="audience-line">{intro}</p>}
      </div>
      <div class="minutes-body">{children}</div>
    </main>
  );
}

function RoomPicker({ session }: { session: Session }) {
  const rooms = [...session.rooms.values()].sort((a, b) => a.name.localeCompare(b.name));
  return (
    <Page title="Meetings and minutes" intro="Choose a room to see its meetings, or look at the actions from all your rooms.">
      <p><a class="button-link" href={hashOf({ page: 'actions' })}>Actions across my rooms</a></p>
      <h2>Rooms</h2>
      {rooms.length === 0 ? <p>You are not in any room yet.</p> : (
        <ul class="plain-list">
          {rooms.map((r) => <li key={r.name}><a href={hashOf({ page: 'room', room: r.name })}>Meetings in {r.name}</a></li>)}
        </ul>
      )}
    </Page>
  );
}

/** The next circulation clock still running for a meeting ("Full record due Fri 11 Dec 2026"). */
function NextDeadline({ m }: { m: MeetingSummary }) {
  const running = (m.deadlines ?? []).filter((d) => (d.status === 'due' || d.status === 'late') && d.due)
    .sort((a, b) => (a.due as string).localeCompare(b.due as string));
  const next = running[0];
  if (!next) return null;
  return (
    <><br /><span class={next.status === 'late' ? 'late-note' : 'hint'}>
      {next.label} {next.status === 'late' ? 'late: was due' : 'due'} {dateShown(next.due)}
    </span></>
  );
}

const kStatusWords: Record<string, string> = {
  draft: 'Draft', circulated: 'Circulated', approved: 'Approved', superseded: 'Superseded',
};

function RoomMeetings({ session, client, room }: { session: Session; client: MinutesClient; room: string }) {
  const [list, setList] = useState<MeetingSummary[] | null>(null);
  const [error, setError] = useState('');
  const load = () => client.meetings(room).then(setList, (e: Error) => setError(e.message));
  useEffect(() => void load(), [room]);
  useLiveReload(client, room, load);
  // Chairs and admins who are members start meetings (the server's rule).
  const canStart = ['chair', 'admin'].includes(client.role) && session.rooms.has(room);
  // The list names people by account ("hana"); the room's members give their names.
  const members = session.rooms.get(room)?.members ?? [];
  const who = (p: MeetingSummary['chair']) => {
    if (typeof p !== 'string') return personLabel(p);
    const m = members.find((x) => x.user === p);
    return m ? personLabel(m) : p;
  };
  return (
    <Page title={`Meetings in ${room}`} back={{ page: 'rooms' }}
      intro="Only this room’s members can read these minutes; only a meeting’s chair and minute-taker edit its draft.">
      {error && <p class="error" role="alert">{error}</p>}
      {list === null && !error && <p role="status">Loading the meetings…</p>}
      {list?.length === 0 && <p>No meetings yet in this room.</p>}
      {list && list.length > 0 && (
        <table class="minutes-table stack-table">
          <caption class="visually-hidden">Meetings in {room}</caption>
          <thead><tr><th scope="col">Meeting</th><th scope="col">When</th><th scope="col">Chair</th><th scope="col">Minute-taker</th><th scope="col">Status</th></tr></thead>
          <tbody>
            {list.map((m) => (
              <tr key={m.meeting}>
                <td data-label="Meeting"><a href={hashOf({ page: 'meeting', meeting: m.meeting, version: 0 })}>{m.title}</a><br /><span class="hint">{kindLabel(m.kind)} · meeting {m.meeting}{m.case_reference ? ` · case ${m.case_reference}` : ''}</span></td>
                <td data-label="When">{dateShown(m.starts_at)}</td>
                <td data-label="Chair">{who(m.chair)}</td>
                <td data-label="Minute-taker">{who(m.minute_taker)}</td>
                <td data-label="Status">{kStatusWords[m.status] ?? m.status}, version {m.version}<NextDeadline m={m} /></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {canStart ? <CreateMeeting session={session} client={client} room={room} />
        : <p class="hint">Chairs and administrators start meetings; ask the chair of this case.</p>}
    </Page>
  );
}

function CreateMeeting({ session, client, room }: { session: Session; client: MinutesClient; room: string }) {
  const members = session.rooms.get(room)?.members ?? [];
  const [title, setTitle] = useState('');
  const [kind, setKind] = useState('core-group');
  const [date, setDate] = useState('');
  const [time, setTime] = useState('10:00');
  const [place, setPlace] = useState('');
  const [chair, setChair] = useState(client.user);
  const [taker, setTaker] = useState(client.user);
  const [marking, setMarking] = useState('OFFICIAL-SENSITIVE');
  const [next, setNext] = useState('');
  const [caseRef, setCaseRef] = useState('');
  const save = async () => {
    const m = await client.create(fields({
      room, title, kind, starts_at: `${date} ${time}`, place, chair, minute_taker: taker, marking, next_meeting: next, case_reference: caseRef,
    }));
    go({ page: 'meeting', meeting: m.meeting, version: 0 });
  };
  const people = (id: string, label: string, value: string, set: (v: string) => void) => (
    <div class="field">
      <label for={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => set(e.currentTarget.value)}>
        {members.map((m) => <option key={m.user} value={m.user}>{m.display_name || m.user} ({m.agency}) — {m.user}</option>)}
      </select>
    </div>
  );
  return (
    <section aria-labelledby="new-meeting">
      <h2 id="new-meeting">Start a meeting’s minutes</h2>
      <SaveForm label="Start a meeting’s minutes" save={save} submit="Start the minutes" class="entry-form grid-form">
        <Field id="nm-title" label="Title" value={title} onInput={setTitle} required hint="For example “Core group for J”. Everyone on the distribution reads it." />
        <div class="field">
          <label for="nm-kind">Kind of meeting</label>
          <select id="nm-kind" value={kind} onChange={(e) => setKind(e.currentTarget.value)}>
            {kKinds.map(([k, l]) => <option key={k} value={k}>{l}</option>)}
          </select>
        </div>
        <Field id="nm-date" label="Date" type="date" value={date} onInput={setDate} required />
        <Field id="nm-time" label="Time" type="time" value={time} onInput={setTime} required />
        <Field id="nm-place" label="Place" value={place} onInput={setPlace} required hint="An address or room, or “remote”." />
        {people('nm-chair', 'Chair', chair, setChair)}
        {people('nm-taker', 'Minute-taker', taker, setTaker)}
        <div class="field">
          <label for="nm-marking">Protective marking</label>
          <select id="nm-marking" value={marking} onChange={(e) => setMarking(e.currentTarget.value)}>
            <option value="OFFICIAL">OFFICIAL</option>
            <option value="OFFICIAL-SENSITIVE">OFFICIAL-SENSITIVE</option>
          </select>
        </div>
        <Field id="nm-next" label="Next meeting" type="date" value={next} onInput={setNext} />
        <Field id="nm-case" label="Case reference" value={caseRef} onInput={setCaseRef} hint={kCaseReferenceHint} />
      </SaveForm>
    </section>
  );
}
