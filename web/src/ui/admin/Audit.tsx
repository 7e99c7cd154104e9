// The audit log in words, from a date on; and its check: the server walks the hash chain and
// its signed head and says whether every record fits (PROTOCOL.md, "Signed audit heads").
import { useEffect, useState } from 'preact/hooks';
import { type Admin, type AuditRecord, type Verification, describeAudit } from '../../client/admin';
import { OutcomeLine, ukDateTimeOf, useOutcome } from './common';

export function AuditPage({ admin }: { admin: Admin }) {
  const [since, setSince] = useState('');
  const [records, setRecords] = useState<AuditRecord[] | null>(null);
  const [check, setCheck] = useState<Verification | null>(null);
  const [loaded, load] = useOutcome();
  const [checked, runCheck] = useOutcome();
  const refresh = () => load(async () => {
    const from = since ? Date.parse(`${since}T00:00:00`) : undefined;
    setRecords((await admin.audit(from)).reverse());
  });
  useEffect(() => { void refresh(); }, [since]);
  return (
    <section class="admin-section" aria-labelledby="audit-title">
      <h2 id="audit-title">Audit log</h2>
      <p class="hint">Every change an administrator or chair makes is recorded here, newest first. Each record is chained to the
        one before, so a record that was changed, removed or moved shows when the log is checked.</p>
      <div class="verify-box">
        <button type="button" class="primary" onClick={() => void runCheck(async () => setCheck(await admin.verifyAudit()))}>Check the log</button>
        <OutcomeLine outcome={checked} />
        {check && (check.verified
          ? <p class="verified-line" role="status">The audit log checks out: {check.records} record{check.records === 1 ? '' : 's'}, each chained to the one before, and the server’s signed head agrees.</p>
          : <p class="error" role="alert">The audit log does NOT check out: record {check.first_bad} does not fit ({check.reason}). Treat this as an incident: tell your operator and change nothing on the server.</p>)}
      </div>
      <label for="audit-since">From (date)</label>
      <input id="audit-since" type="date" value={since} onChange={(e) => setSince(e.currentTarget.value)} />
      <OutcomeLine outcome={loaded} />
      {records?.length === 0 && <p>No records{since ? ' since then' : ''}.</p>}
      {records && records.length > 0 && (
        <table class="admin-table stack-table">
          <caption class="visually-hidden">Audit records, newest first</caption>
          <thead><tr><th scope="col">No.</th><th scope="col">When</th><th scope="col">What happened</th></tr></thead>
          <tbody>
            {records.map((r) => (
              <tr key={r.seq}><td data-label="No.">{r.seq}</td><td data-label="When">{ukDateTimeOf(r.at)}</td><td data-label="What happened">{describeAudit(r)}</td></tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
