// Retention: how long each agency keeps each kind of record (chat, and the minutes of each kind
// of meeting), with the default where it set none and who set it, when and why where it did;
// a period changed with a reason; the next sweep previewed (what would go: counts, rooms, meeting
// numbers, never content) and run now after a confirmation. PROTOCOL.md, "Retention and legal
// hold"; the same requests as `liaise admin retention`.
import { useEffect, useState } from 'preact/hooks';
import type { Admin, Agency } from '../../client/admin';
import { type Expired, type Governance, type RetentionDefault, type Schedule, type Sweep, daysProblem, kMaxDays, periodWords, reasonProblem } from '../../client/governance';
import { kMeetingKinds } from '../../client/minutes-export';
import { Confirm, OutcomeLine, ukDateTimeOf, useOutcome } from './common';

const kKindLabels: Record<string, string> = Object.fromEntries(kMeetingKinds);

/** "Chat messages", "Core group minutes". */
export function recordName(record: string): string {
  if (record === 'chat') return 'Chat messages';
  return `${kKindLabels[record] ?? record.replace(/-/g, ' ')} minutes`;
}

export function RetentionPage({ admin, gov, myAgency }: { admin: Admin; gov: Governance; myAgency: string }) {
  const [agencies, setAgencies] = useState<Agency[]>([]);
  const [data, setData] = useState<{ defaults: RetentionDefault[]; schedules: Schedule[] } | null>(null);
  const [agency, setAgency] = useState('');
  const [loaded, load] = useOutcome();
  const refresh = () => load(async () => {
    setAgencies(await admin.agencies());
    setData(await gov.retention());
  });
  useEffect(() => { void refresh(); }, []);
  // The administrator's own agency first, as the one they most often look after.
  const chosen = agency || agencies.find((a) => a.name === myAgency)?.name || agencies[0]?.name || '';
  const own = (record: string) => data?.schedules.find((s) => s.agency === chosen && s.record === record);
  return (
    <>
      <section class="admin-section" aria-labelledby="retention-title">
        <h2 id="retention-title">How long records are kept</h2>
        <p class="hint">Each agency keeps each kind of record for a period counted from its last contact: a room’s newest
          message, or a meeting record’s last change. Where the people of several agencies share a room or meeting, the
          longest of their periods applies. After that the server deletes the record, unless a legal hold is on it.</p>
        <OutcomeLine outcome={loaded} />
        {data === null && !loaded.error && <p role="status">Loading the schedules…</p>}
        {data && (
          <>
            <div class="filters">
              <div>
                <label for="retention-agency">Agency</label>
                <select id="retention-agency" value={chosen} onChange={(e) => setAgency(e.currentTarget.value)}>
                  {agencies.map((a) => <option key={a.name} value={a.name}>{a.name}</option>)}
                </select>
              </div>
            </div>
            <table class="admin-table stack-table long-labels">
              <caption>Schedules of {chosen}</caption>
              <thead><tr><th scope="col">Record</th><th scope="col">Kept for</th><th scope="col">Where the period comes from</th></tr></thead>
              <tbody>
                {data.defaults.map((d) => {
                  const s = own(d.record);
                  return (
                    <tr key={d.record}>
                      <th scope="row" data-label="Record">{recordName(d.record)}</th>
                      <td class="period" data-label="Kept for">{periodWords(s ? s.days : d.days)}</td>
                      <td data-label="Where it comes from">{s
                        ? <>Set by {s.set_by} on {ukDateTimeOf(s.set_at)}: “{s.reason}” <span class="meta">(default {periodWords(d.days)})</span></>
                        : <>The default</>}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
            <ChangeSchedule gov={gov} agency={chosen} defaults={data.defaults} current={(r) => own(r)?.days ?? data.defaults.find((d) => d.record === r)?.days ?? 0}
              onChanged={() => void refresh()} />
          </>
        )}
      </section>
      <SweepSection gov={gov} />
    </>
  );
}

function ChangeSchedule({ gov, agency, defaults, current, onChanged }: {
  gov: Governance; agency: string; defaults: RetentionDefault[]; current: (record: string) => number; onChanged: () => void;
}) {
  const [record, setRecord] = useState('');
  const [days, setDays] = useState('');
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState('');
  const [outcome, run] = useOutcome();
  const chosen = record || defaults[0]?.record || 'chat';
  const submit = async (e: Event) => {
    e.preventDefault();
    const why = daysProblem(days) || reasonProblem(reason);
    setProblem(why);
    if (why) return;
    const r = await run(() => gov.setRetention(agency, chosen, Number(days.trim()), reason),
      (r) => `${agency} now keeps ${recordName(chosen).toLowerCase()} for ${periodWords(r.days)}; it was ${periodWords(r.previous_days)}.`);
    if (r) {
      setReason('');
      onChanged();
    }
  };
  return (
    <form class="admin-form" aria-labelledby="retention-change-title" onSubmit={submit} noValidate>
      <h3 id="retention-change-title">Change a period for {agency}</h3>
      <label for="retention-record">Record</label>
      <select id="retention-record" value={chosen} onChange={(e) => setRecord(e.currentTarget.value)}>
        {defaults.map((d) => <option key={d.record} value={d.record}>{recordName(d.record)}</option>)}
      </select>
      <label for="retention-days">Keep for (days)</label>
      <input id="retention-days" type="number" inputMode="numeric" min={1} max={kMaxDays} value={days}
        onInput={(e) => setDays(e.currentTarget.value)} aria-describedby="retention-days-hint" aria-invalid={problem.startsWith('A period') ? true : undefined} />
      <p class="hint" id="retention-days-hint">Now {periodWords(current(chosen))}. From 1 day to 36,500 days (100 years); a year is 365 days, 2 years 730.</p>
      <label for="retention-reason">Reason (kept in the audit log)</label>
      <textarea id="retention-reason" rows={2} value={reason} onInput={(e) => setReason(e.currentTarget.value)}
        aria-invalid={problem.startsWith('Give') || problem.startsWith('A reason') ? true : undefined} />
      {problem && <p class="error" role="alert">{problem}</p>}
      <OutcomeLine outcome={outcome} />
      <button type="submit" class="primary">Change the period</button>
    </form>
  );
}

/** "12 messages of the room case-7", "the minutes of meeting 3 in the room case-7". */
function expiredWhat(e: Expired): string {
  return e.kind === 'messages'
    ? `${e.count ?? 0} message${e.count === 1 ? '' : 's'} of the room ${e.room}`
    : `The minutes of meeting ${e.meeting ?? '?'} in the room ${e.room}`;
}

function ExpiredTable({ caption, rows, note }: { caption: string; rows: Expired[]; note: (e: Expired) => string }) {
  if (rows.length === 0) return null;
  return (
    <table class="admin-table stack-table long-labels">
      <caption>{caption}</caption>
      <thead><tr><th scope="col">What</th><th scope="col">Record</th><th scope="col">Last contact</th><th scope="col">Period</th><th scope="col">Note</th></tr></thead>
      <tbody>
        {rows.map((e) => (
          <tr key={`${e.kind}:${e.room}:${e.meeting ?? ''}`}>
            <td data-label="What">{expiredWhat(e)}</td>
            <td data-label="Record">{recordName(e.record)}</td>
            <td data-label="Last contact">{ukDateTimeOf(e.last_contact)}</td>
            <td data-label="Period">{periodWords(e.days)} ({e.schedule === 'default' ? 'the default' : `${e.schedule}’s`})</td>
            <td data-label="Note">{note(e)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function SweepSection({ gov }: { gov: Governance }) {
  const [sweep, setSweep] = useState<Sweep | null>(null);
  const [asking, setAsking] = useState(false);
  const [outcome, run] = useOutcome();
  const preview = () => run(async () => setSweep(await gov.sweep(true)));
  const answered = async (yes: boolean) => {
    setAsking(false);
    if (!yes) return;
    await run(async () => setSweep(await gov.sweep(false)));
  };
  const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  return (
    <section class="admin-section" aria-labelledby="sweep-title">
      <h2 id="sweep-title">The sweep</h2>
      <p class="hint">The server deletes expired records by itself every hour: messages lose their encrypted text and keys,
        meetings their minutes, actions and signatures. The audit log records each deletion. Copies already on people’s
        devices are theirs; the server cannot delete them.</p>
      <div class="card-controls">
        <button type="button" onClick={() => void preview()}>Preview the next sweep</button>
        <button type="button" class="danger" onClick={() => setAsking(true)}>Run the sweep now</button>
      </div>
      <OutcomeLine outcome={outcome} />
      {sweep && (
        <div class="sweep-result" role="status">
          <p><strong>{sweep.preview ? `The next sweep (as of ${ukDateTimeOf(sweep.at)}) would delete ` : `The sweep at ${ukDateTimeOf(sweep.at)} deleted `}
            {count(sweep.deleted.length, 'record', 'records')}</strong>; {count(sweep.held.length, 'expired record is', 'expired records are')} under a legal
            hold and {count(sweep.kept.length, 'is', 'are')} kept for another reason.</p>
        </div>
      )}
      {sweep && (
        <>
          <ExpiredTable caption={sweep.preview ? 'Would be deleted' : 'Deleted'} rows={sweep.deleted} note={() => ''} />
          <ExpiredTable caption="Expired but under a legal hold" rows={sweep.held}
            note={(e) => `Held (${e.hold === 'room' ? 'the room' : 'the meeting'}): ${e.hold_reason ?? ''}`} />
          <ExpiredTable caption="Expired but kept" rows={sweep.kept} note={(e) => e.why ?? ''} />
        </>
      )}
      {asking && (
        <Confirm title="Run the sweep now?" yes="Delete the expired records" onAnswer={(y) => void answered(y)}>
          <p>Every expired record that is not under a legal hold is deleted now and cannot be brought back.
            {sweep?.preview ? ` The preview found ${count(sweep.deleted.length, 'record', 'records')} to delete.` : ' Preview the sweep first to see what would go.'}</p>
        </Confirm>
      )}
    </section>
  );
}
