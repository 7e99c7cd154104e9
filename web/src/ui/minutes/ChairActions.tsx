// Actions across rooms, for a chair: every action in the rooms this person is in, grouped as
// overdue, due within a week and other open ones (closed ones last), filterable by owner and by
// agency. The same `actions` request as `liaise actions`.
import { useEffect, useState } from 'preact/hooks';
import { actionStatusLabel, dateShown, isClosed, type MinutesClient, ownerLabel } from '../../client/minutes';
import type { Action } from '../../client/session';
import { Page } from './Meetings';
import { hashOf, refusal } from './shared';

const kWeek = 7 * 86400000;

function group(a: Action, now: number): 'overdue' | 'soon' | 'open' | 'closed' {
  if (isClosed(a)) return 'closed';
  if (a.overdue) return 'overdue';
  return Date.parse(`${a.due}T23:59:59Z`) - now < kWeek ? 'soon' : 'open';
}

const kGroups: [ReturnType<typeof group>, string][] = [
  ['overdue', 'Overdue'], ['soon', 'Due within a week'], ['open', 'Open'], ['closed', 'Closed'],
];

export function ChairActions({ client }: { client: MinutesClient }) {
  const [all, setAll] = useState<Action[] | null>(null);
  const [error, setError] = useState('');
  const [owner, setOwner] = useState('');
  const [agency, setAgency] = useState('');
  useEffect(() => void client.allActions().then(setAll, (e) => setError(refusal(e))), []);
  const owners = [...new Set((all ?? []).map(ownerLabel))].sort();
  const agencies = [...new Set((all ?? []).map((a) => a.owner.agency).filter(Boolean))].sort();
  const shown = (all ?? []).filter((a) => (!owner || ownerLabel(a) === owner) && (!agency || a.owner.agency === agency));
  const now = Date.now();
  return (
    <Page wide title="Actions across my rooms" back={{ page: 'rooms' }}
      intro="Every action agreed in the meetings of the rooms you are in.">
      {error && <p class="error" role="alert">{error}</p>}
      {all === null && !error && <p role="status">Loading the actions…</p>}
      {all && (
        <>
          <div class="filters">
            <div class="field">
              <label for="fa-owner">Owner</label>
              <select id="fa-owner" value={owner} onChange={(e) => setOwner(e.currentTarget.value)}>
                <option value="">Everyone</option>
                {owners.map((o) => <option key={o} value={o}>{o}</option>)}
              </select>
            </div>
            <div class="field">
              <label for="fa-agency">Agency</label>
              <select id="fa-agency" value={agency} onChange={(e) => setAgency(e.currentTarget.value)}>
                <option value="">Every agency</option>
                {agencies.map((o) => <option key={o} value={o}>{o}</option>)}
              </select>
            </div>
          </div>
          <p role="status">{shown.length} action{shown.length === 1 ? '' : 's'} shown.</p>
          {kGroups.map(([g, title]) => {
            const rows = shown.filter((a) => group(a, now) === g);
            if (rows.length === 0) return null;
            return (
              <section key={g} aria-labelledby={`ag-${g}`}>
                <h2 id={`ag-${g}`}>{title} ({rows.length})</h2>
                <table class="minutes-table stack-table">
                  <caption class="visually-hidden">{title}</caption>
                  <thead><tr><th scope="col">Action</th><th scope="col">Owner</th><th scope="col">Due</th><th scope="col">Status</th><th scope="col">Meeting</th></tr></thead>
                  <tbody>
                    {rows.map((a) => (
                      <tr key={a.id}>
                        <td data-label="Action" class="text">{a.what}</td>
                        <td data-label="Owner">{ownerLabel(a)}</td>
                        <td data-label="Due">{dateShown(a.due)}</td>
                        <td data-label="Status">{actionStatusLabel(a.status)}</td>
                        <td data-label="Meeting"><a href={hashOf({ page: 'meeting', meeting: a.meeting, version: 0 })}>{a.meeting_title ?? `Meeting ${a.meeting}`}</a> ({a.room})</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </section>
            );
          })}
        </>
      )}
    </Page>
  );
}
