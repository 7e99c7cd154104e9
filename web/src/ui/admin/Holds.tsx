// Legal holds: the holds in force (room or meeting, who placed it, when, why), a hold placed on
// a room or meeting picked from a list, and lifted, each with a reason for the audit log. A hold
// on a room holds its meetings too. PROTOCOL.md, "Retention and legal hold"; the same requests as
// `liaise admin hold`.
import { useEffect, useState } from 'preact/hooks';
import { type Governance, type Hold, type HoldTarget, reasonProblem } from '../../client/governance';
import { Confirm, OutcomeLine, ukDateTimeOf, useOutcome } from './common';

const keyOf = (t: { target: string; room: string; meeting?: number }) => (t.target === 'meeting' ? `meeting:${t.meeting}` : `room:${t.room}`);
const holdName = (h: Hold) => (h.target === 'meeting' ? `Meeting ${h.meeting} in the room ${h.room}` : `The room ${h.room}`);
const targetOf = (t: { target: string; room: string; meeting?: number }) =>
  (t.target === 'meeting' ? { meeting: t.meeting as number } : { room: t.room });

export function HoldsPage({ gov }: { gov: Governance }) {
  const [holds, setHolds] = useState<Hold[] | null>(null);
  const [targets, setTargets] = useState<HoldTarget[]>([]);
  const [loaded, load] = useOutcome();
  const refresh = () => load(async () => {
    setHolds((await gov.retention()).holds);
    setTargets(await gov.holdTargets());
  });
  useEffect(() => { void refresh(); }, []);
  // What a lift did: said here, as the hold's card goes once it is done.
  const [notice, setNotice] = useState('');
  const held = new Set((holds ?? []).map(keyOf));
  return (
    <>
      <section class="admin-section" aria-labelledby="holds-title">
        <h2 id="holds-title">Legal holds in place</h2>
        <p class="hint">A record under a legal hold is not deleted when its retention period ends, until the hold is lifted.
          A hold on a room holds its meetings too. Use one when a record may be needed for proceedings, an inquiry or a
          complaint.</p>
        <OutcomeLine outcome={loaded} />
        {notice && <p class="saved-line" role="status">{notice}</p>}
        {holds === null && !loaded.error && <p role="status">Loading the holds…</p>}
        {holds?.length === 0 && <p>No legal holds are in place.</p>}
        {holds && holds.length > 0 && (
          <ul class="cards" aria-labelledby="holds-title">
            {holds.map((h) => <HoldCard key={keyOf(h)} gov={gov} hold={h} onChanged={(said) => { setNotice(said); void refresh(); }} />)}
          </ul>
        )}
      </section>
      <PlaceHold gov={gov} targets={targets.filter((t) => !held.has(keyOf(t)))} onChanged={() => void refresh()} />
    </>
  );
}

function HoldCard({ gov, hold: h, onChanged }: { gov: Governance; hold: Hold; onChanged: (said: string) => void }) {
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState('');
  const [asking, setAsking] = useState(false);
  const [outcome, run] = useOutcome();
  const id = `hold-${keyOf(h).replace(/[^A-Za-z0-9]/g, '-')}`;
  const answered = async (yes: boolean) => {
    setAsking(false);
    if (!yes) return;
    if (await run(() => gov.liftHold(targetOf(h), reason))) onChanged(`Lifted the legal hold on ${holdName(h).replace(/^The/, 'the')}.`);
  };
  return (
    <li class="admin-card" aria-labelledby={`${id}-name`}>
      <h3 id={`${id}-name`}>{holdName(h)} <span class="badge">{h.target === 'room' ? 'Room and its meetings' : 'Meeting'}</span></h3>
      <p class="meta">Placed by {h.placed_by} on {ukDateTimeOf(h.placed_at)}</p>
      <p>Reason: {h.reason}</p>
      <form class="inline-form" onSubmit={(e) => {
        e.preventDefault();
        const why = reasonProblem(reason);
        setProblem(why);
        if (!why) setAsking(true);
      }} noValidate>
        <label for={`${id}-reason`}>Reason for lifting (kept in the audit log)</label>
        <input id={`${id}-reason`} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
        <button type="submit">Lift the hold<span class="visually-hidden"> on {holdName(h).replace(/^The/, 'the')}</span></button>
      </form>
      {problem && <p class="error" role="alert">{problem}</p>}
      <OutcomeLine outcome={outcome} />
      {asking && (
        <Confirm title={`Lift the hold on ${holdName(h).replace(/^The/, 'the')}?`} yes="Lift the hold" onAnswer={(y) => void answered(y)}>
          <p>Once lifted, the record is deleted at the next sweep if its retention period has ended.</p>
        </Confirm>
      )}
    </li>
  );
}

function PlaceHold({ gov, targets, onChanged }: { gov: Governance; targets: HoldTarget[]; onChanged: () => void }) {
  const [target, setTarget] = useState('');
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState('');
  const [outcome, run] = useOutcome();
  const chosen = targets.find((t) => keyOf(t) === target) ?? targets[0];
  const rooms = targets.filter((t) => t.target === 'room');
  const meetings = targets.filter((t) => t.target === 'meeting');
  const submit = async (e: Event) => {
    e.preventDefault();
    const why = !chosen ? 'Choose a room or meeting to hold.' : reasonProblem(reason);
    setProblem(why);
    if (why || !chosen) return;
    const what = chosen.target === 'room' ? `the room ${chosen.room} and its meetings` : `meeting ${chosen.meeting} in the room ${chosen.room}`;
    if (await run(() => gov.placeHold(targetOf(chosen), reason), `Placed a legal hold on ${what}.`)) {
      setReason('');
      setTarget('');
      onChanged();
    }
  };
  return (
    <section class="admin-section" aria-labelledby="hold-place-title">
      <h2 id="hold-place-title">Place a legal hold</h2>
      <form class="admin-form" aria-labelledby="hold-place-title" onSubmit={submit} noValidate>
        <label for="hold-target">Room or meeting</label>
        <select id="hold-target" value={chosen ? keyOf(chosen) : ''} onChange={(e) => setTarget(e.currentTarget.value)} aria-describedby="hold-target-hint">
          {targets.length === 0 && <option value="">Nothing to hold</option>}
          {rooms.length > 0 && <optgroup label="Rooms (with their meetings)">{rooms.map((t) => <option key={keyOf(t)} value={keyOf(t)}>{t.label}</option>)}</optgroup>}
          {meetings.length > 0 && <optgroup label="Meetings">{meetings.map((t) => <option key={keyOf(t)} value={keyOf(t)}>{t.label}</option>)}</optgroup>}
        </select>
        <p class="hint" id="hold-target-hint">Every room and meeting on this server, including those you are not a member of.
          Meetings are named by their kind and date: their titles are for their room’s members.</p>
        <label for="hold-reason">Reason (kept in the audit log)</label>
        <textarea id="hold-reason" rows={2} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
        {problem && <p class="error" role="alert">{problem}</p>}
        <OutcomeLine outcome={outcome} />
        <button type="submit" class="primary">Place the hold</button>
      </form>
    </section>
  );
}
