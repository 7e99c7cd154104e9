// Information governance: who holds the `governance` permission (which lets an account make
// subject access requests), given to or withdrawn from any account with a reason. Being an
// admin does not give it. PROTOCOL.md, "Subject access requests"; the same requests as
// `liaise admin governance`.
import { useEffect, useState } from 'preact/hooks';
import type { Account, Admin } from '../../client/admin';
import { type Governance, type Officer, reasonProblem } from '../../client/governance';
import { personName } from '../../client/words';
import { Confirm, OutcomeLine, ukDateTimeOf, useOutcome } from './common';

export function GovernancePage({ admin, gov }: { admin: Admin; gov: Governance }) {
  const [officers, setOfficers] = useState<Officer[] | null>(null);
  const [accounts, setAccounts] = useState<Account[]>([]);
  const [loaded, load] = useOutcome();
  const refresh = () => load(async () => {
    setOfficers(await gov.officers());
    setAccounts(await admin.accounts());
  });
  useEffect(() => { void refresh(); }, []);
  // What a withdrawal did: said here, as the officer's card goes once it is done.
  const [notice, setNotice] = useState('');
  const holders = new Set((officers ?? []).map((o) => o.user));
  return (
    <>
      <section class="admin-section" aria-labelledby="officers-title">
        <h2 id="officers-title">Who can answer subject access requests</h2>
        <p class="hint">People with the information-governance permission can find everything Liaise holds that names a
          person, to answer a request under UK GDPR. It is separate from the role: administrators do not have it unless
          it is given to them. Every request they make is recorded in the audit log.</p>
        <OutcomeLine outcome={loaded} />
        {notice && <p class="saved-line" role="status">{notice}</p>}
        {officers === null && !loaded.error && <p role="status">Loading…</p>}
        {officers?.length === 0 && <p>Nobody holds the information-governance permission.</p>}
        {officers && officers.length > 0 && (
          <ul class="cards" aria-labelledby="officers-title">
            {officers.map((o) => <OfficerCard key={o.user} gov={gov} officer={o} onChanged={(said) => { setNotice(said); void refresh(); }} />)}
          </ul>
        )}
      </section>
      <Grant gov={gov} accounts={accounts.filter((a) => !holders.has(a.user) && !a.suspended)} onChanged={() => void refresh()} />
    </>
  );
}

function OfficerCard({ gov, officer: o, onChanged }: { gov: Governance; officer: Officer; onChanged: (said: string) => void }) {
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState('');
  const [asking, setAsking] = useState(false);
  const [outcome, run] = useOutcome();
  const id = `officer-${o.user.replace(/[^a-z0-9]/g, '-')}`;
  const name = personName(o.display_name, o.agency, o.user);
  const answered = async (yes: boolean) => {
    setAsking(false);
    if (!yes) return;
    const changed = await run(() => gov.grant(o.user, false, reason));
    if (changed !== undefined) onChanged(changed ? `${o.user} no longer holds the information-governance permission.` : `${o.user} did not hold it.`);
  };
  return (
    <li class="admin-card" aria-labelledby={`${id}-name`}>
      <h3 id={`${id}-name`}>{name} {o.suspended && <span class="badge danger-badge">Suspended</span>}</h3>
      <p class="meta">{o.user} · given by {o.granted_by} on {ukDateTimeOf(o.granted_at)}</p>
      <p>Reason: {o.reason}</p>
      <form class="inline-form" noValidate onSubmit={(e) => {
        e.preventDefault();
        const why = reasonProblem(reason);
        setProblem(why);
        if (!why) setAsking(true);
      }}>
        <label for={`${id}-reason`}>Reason for withdrawing (kept in the audit log)</label>
        <input id={`${id}-reason`} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
        <button type="submit">Withdraw<span class="visually-hidden"> the permission from {o.user}</span></button>
      </form>
      {problem && <p class="error" role="alert">{problem}</p>}
      <OutcomeLine outcome={outcome} />
      {asking && (
        <Confirm title={`Withdraw the permission from ${name}?`} yes="Withdraw" onAnswer={(y) => void answered(y)}>
          <p>They can no longer make subject access requests. Bundles they made already are not affected.</p>
        </Confirm>
      )}
    </li>
  );
}

function Grant({ gov, accounts, onChanged }: { gov: Governance; accounts: Account[]; onChanged: () => void }) {
  const [user, setUser] = useState('');
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState('');
  const [outcome, run] = useOutcome();
  const chosen = accounts.find((a) => a.user === user) ?? accounts[0];
  const submit = async (e: Event) => {
    e.preventDefault();
    const why = !chosen ? 'Choose an account.' : reasonProblem(reason);
    setProblem(why);
    if (why || !chosen) return;
    const changed = await run(() => gov.grant(chosen.user, true, reason),
      (c) => c ? `${chosen.user} now holds the information-governance permission.` : `${chosen.user} already held it.`);
    if (changed !== undefined) {
      setReason('');
      setUser('');
      onChanged();
    }
  };
  return (
    <section class="admin-section" aria-labelledby="grant-title">
      <h2 id="grant-title">Give the permission</h2>
      <form class="admin-form" aria-labelledby="grant-title" onSubmit={submit} noValidate>
        <label for="grant-user">Account</label>
        <select id="grant-user" value={chosen?.user ?? ''} onChange={(e) => setUser(e.currentTarget.value)}>
          {accounts.length === 0 && <option value="">No account without it</option>}
          {accounts.map((a) => <option key={a.user} value={a.user}>{personName(a.display_name, a.agency, a.user)} · {a.user}</option>)}
        </select>
        <label for="grant-reason">Reason (kept in the audit log)</label>
        <textarea id="grant-reason" rows={2} value={reason} onInput={(e) => setReason(e.currentTarget.value)}
          aria-describedby="grant-reason-hint" />
        <p class="hint" id="grant-reason-hint">For example: data protection officer for Westshire Council.</p>
        {problem && <p class="error" role="alert">{problem}</p>}
        <OutcomeLine outcome={outcome} />
        <button type="submit" class="primary">Give the permission</button>
      </form>
    </section>
  );
}
