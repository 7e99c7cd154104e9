// Accounts: enrol a person (with a printable letter), and for each account its role, suspend
// or reinstate, and a replacement-device code. The codes issued and not used yet, with their
// expiry, and a new code in their place. Agencies: add and rename.
import { useEffect, useState } from 'preact/hooks';
import type { Account, Admin, Agency, PendingCode } from '../../client/admin';
import { personName } from '../../client/words';
import { Confirm, OutcomeLine, disciplineName, ukDateTimeOf, useOutcome } from './common';
import { Letter, type LetterFor } from './Letter';

const kRoles = [['member', 'Member'], ['chair', 'Chair'], ['admin', 'Administrator']] as const;
const roleName = (r: string) => kRoles.find(([k]) => k === r)?.[1] ?? r;

export function AccountsPage({ admin, me }: { admin: Admin; me: string }) {
  const [agencies, setAgencies] = useState<Agency[]>([]);
  const [accounts, setAccounts] = useState<Account[] | null>(null);
  const [pending, setPending] = useState<PendingCode[]>([]);
  const [agency, setAgency] = useState('');
  const [state, setState] = useState('all');
  const [letter, setLetter] = useState<LetterFor | null>(null);
  const [loaded, load] = useOutcome();
  const refresh = () => load(async () => {
    setAgencies(await admin.agencies());
    const list = await admin.accountList({ agency, suspended: state === 'all' || state === 'codes' ? undefined : state === 'suspended' });
    setAccounts(state === 'codes' ? [] : list.accounts);
    setPending(state === 'all' || state === 'codes' ? list.pending : []);
  });
  useEffect(() => { void refresh(); }, [agency, state]);
  if (letter) return <Letter letter={letter} onDone={() => { setLetter(null); void refresh(); }} />;
  return (
    <>
      <Enrol admin={admin} agencies={agencies} me={me} onLetter={setLetter} />
      <section class="admin-section" aria-labelledby="accounts-title">
        <h2 id="accounts-title">Accounts</h2>
        <div class="filters">
          <div>
            <label for="accounts-agency">Agency</label>
            <select id="accounts-agency" value={agency} onChange={(e) => setAgency(e.currentTarget.value)}>
              <option value="">All agencies</option>
              {agencies.map((a) => <option key={a.name} value={a.name}>{a.name}</option>)}
            </select>
          </div>
          <div>
            <label for="accounts-state">Show</label>
            <select id="accounts-state" value={state} onChange={(e) => setState(e.currentTarget.value)}>
              <option value="all">Everyone</option>
              <option value="active">Active accounts</option>
              <option value="suspended">Suspended accounts</option>
              <option value="codes">Codes not used yet</option>
            </select>
          </div>
        </div>
        <p><button type="button" onClick={() => void refresh()}>Refresh the list</button></p>
        <OutcomeLine outcome={loaded} />
        {accounts === null && !loaded.error && <p role="status">Loading accounts…</p>}
        {pending.length > 0 && (
          <>
            <p class="subhead" id="codes-title">Codes not used yet</p>
            <ul class="cards" aria-labelledby="codes-title">
              {pending.map((c) => (
                <PendingCard key={`${c.kind}:${c.user}`} admin={admin} code={c} me={me} onLetter={setLetter} />
              ))}
            </ul>
          </>
        )}
        {state === 'codes' && accounts !== null && pending.length === 0 && <p>Every code issued has been used, or expired more than 30 days ago.</p>}
        {state !== 'codes' && pending.length > 0 && accounts !== null && accounts.length > 0 && <p class="subhead">Enrolled</p>}
        {state !== 'codes' && accounts?.length === 0 && <p>No accounts match.</p>}
        <ul class="cards" aria-labelledby="accounts-title">
          {accounts?.map((a) => (
            <AccountCard key={a.user} admin={admin} account={a} me={me} onChanged={() => void refresh()}
              onLetter={setLetter} />
          ))}
        </ul>
      </section>
      <Agencies admin={admin} agencies={agencies} onChanged={() => void refresh()} />
    </>
  );
}

function Enrol({ admin, agencies, me, onLetter }: {
  admin: Admin; agencies: Agency[]; me: string; onLetter: (l: LetterFor) => void;
}) {
  const [user, setUser] = useState('');
  const [display, setDisplay] = useState('');
  const [agency, setAgency] = useState('');
  const [role, setRole] = useState('member');
  const [hours, setHours] = useState('72');
  const [outcome, run] = useOutcome();
  const submit = async (e: Event) => {
    e.preventDefault();
    const chosen = agency || agencies[0]?.name || '';
    const code = await run(() => admin.enrolCode(user.trim(), chosen, role, display.trim(), Number(hours)));
    if (code) onLetter({ code, replacement: false, displayName: display.trim(), agency: chosen, role, issuedBy: me });
  };
  return (
    <section class="admin-section" aria-labelledby="enrol-title">
      <h2 id="enrol-title">Enrol a person</h2>
      <p class="hint">This makes a one-time code and a letter that tells the person how to set up Liaise with it.</p>
      <form onSubmit={submit} class="admin-form" aria-labelledby="enrol-title">
        <label for="enrol-user">Account name</label>
        <input id="enrol-user" required value={user} onInput={(e) => setUser(e.currentTarget.value)}
          aria-describedby="enrol-user-hint" autocomplete="off" spellcheck={false} />
        <p class="hint" id="enrol-user-hint">Lower-case letters, digits, dots, dashes or underscores, such as bea.patel</p>
        <label for="enrol-display">Full name</label>
        <input id="enrol-display" value={display} onInput={(e) => setDisplay(e.currentTarget.value)} autocomplete="off" />
        <label for="enrol-agency">Agency</label>
        <select id="enrol-agency" value={agency || agencies[0]?.name || ''} onChange={(e) => setAgency(e.currentTarget.value)}>
          {agencies.map((a) => <option key={a.name} value={a.name}>{a.name} ({disciplineName(a.discipline)})</option>)}
        </select>
        <label for="enrol-role">Role</label>
        <select id="enrol-role" value={role} onChange={(e) => setRole(e.currentTarget.value)}>
          {kRoles.map(([k, l]) => <option key={k} value={k}>{l}</option>)}
        </select>
        <label for="enrol-hours">The code works for (hours)</label>
        <input id="enrol-hours" type="number" min={1} max={720} value={hours} onInput={(e) => setHours(e.currentTarget.value)} />
        <OutcomeLine outcome={outcome} />
        <button type="submit" class="primary">Make the code and letter</button>
      </form>
    </section>
  );
}

/** A code issued and not used: its state and expiry as the server gives them, and a new code. */
function PendingCard({ admin, code: c, me, onLetter }: {
  admin: Admin; code: PendingCode; me: string; onLetter: (l: LetterFor) => void;
}) {
  const [asking, setAsking] = useState(false);
  const [outcome, run] = useOutcome();
  const id = `code-${c.kind}-${c.user.replace(/[^a-z0-9]/g, '-')}`;
  const name = personName(c.display_name, c.agency, c.user);
  const device = c.kind === 'device';
  const answered = async (yes: boolean) => {
    setAsking(false);
    if (!yes) return;
    const code = await run(() => device ? admin.replaceDevice(c.user, 72) : admin.enrolCode(c.user, c.agency, c.role, c.display_name, 72));
    if (code) onLetter({ code, replacement: device, displayName: c.display_name, agency: c.agency, role: c.role, issuedBy: me });
  };
  return (
    <li class="admin-card" aria-labelledby={`${id}-name`}>
      <h3 id={`${id}-name`}>{name}{' '}
        {c.state === 'expired' ? <span class="badge danger-badge">Code expired</span> : <span class="badge">Code not used yet</span>}
      </h3>
      <p class="meta">{c.user} · {roleName(c.role)} · {device ? 'code for a replacement device' : 'enrolment code'} · issued by {c.issued_by || 'the server'} on {ukDateTimeOf(c.issued_at)}</p>
      <p>{c.state === 'expired' ? `It expired on ${ukDateTimeOf(c.expires_at)} without being used.` : `It works until ${ukDateTimeOf(c.expires_at)}.`}</p>
      <div class="card-controls">
        <button type="button" onClick={() => setAsking(true)}>Issue a new code<span class="visually-hidden"> for {c.user}</span></button>
      </div>
      <OutcomeLine outcome={outcome} />
      {asking && (
        <Confirm title={`A new code for ${name}?`} yes="Issue a new code" onAnswer={(y) => void answered(y)}>
          <p>{c.state === 'expired' ? 'The new code works for 72 hours.' : 'The code issued before stops working at once; only the new one works, for 72 hours.'}
            {' '}Give {c.display_name || c.user} the new letter.</p>
        </Confirm>
      )}
    </li>
  );
}

function AccountCard({ admin, account: a, me, onChanged, onLetter }: {
  admin: Admin; account: Account; me: string; onChanged: () => void; onLetter: (l: LetterFor) => void;
}) {
  const [role, setRole] = useState(a.role);
  const [reason, setReason] = useState('');
  const [asking, setAsking] = useState<'' | 'suspend' | 'replace'>('');
  const [outcome, run] = useOutcome();
  const id = `account-${a.user.replace(/[^a-z0-9]/g, '-')}`;
  const name = personName(a.display_name, a.agency, a.user);
  const answered = async (yes: boolean) => {
    const what = asking;
    setAsking('');
    if (!yes) return;
    if (what === 'suspend') {
      const changed = await run(() => admin.suspend(a.user, reason), (c) => c ? `${a.user} is now suspended.` : `${a.user} was already suspended.`);
      if (changed !== undefined) onChanged();
    } else if (what === 'replace') {
      const code = await run(() => admin.replaceDevice(a.user, 72));
      if (code) onLetter({ code, replacement: true, displayName: a.display_name, agency: a.agency, role: a.role, issuedBy: me });
    }
  };
  return (
    <li class="admin-card" aria-labelledby={`${id}-name`}>
      <h3 id={`${id}-name`}>{name} {a.suspended && <span class="badge danger-badge">Suspended</span>}</h3>
      <p class="meta">{a.user} · {roleName(a.role)} · {disciplineName(a.discipline)} · {a.devices} device{a.devices === 1 ? '' : 's'} · enrolled {ukDateTimeOf(a.created_at)}</p>
      <div class="card-controls">
        <form class="inline-form" onSubmit={(e) => {
          e.preventDefault();
          void run(() => admin.setRole(a.user, role), (c) => c ? `${a.user} is now ${roleName(role).toLowerCase()}; their open sessions were ended.` : `${a.user} is already ${roleName(role).toLowerCase()}.`)
            .then((c) => { if (c) onChanged(); });
        }}>
          <label for={`${id}-role`}>Role</label>
          <select id={`${id}-role`} value={role} onChange={(e) => setRole(e.currentTarget.value)}>
            {kRoles.map(([k, l]) => <option key={k} value={k}>{l}</option>)}
          </select>
          <button type="submit">Change role<span class="visually-hidden"> of {a.user}</span></button>
        </form>
        {a.suspended ? (
          <button type="button" onClick={() => void run(() => admin.reinstate(a.user), (c) => c ? `${a.user} can log in again.` : `${a.user} was already active.`).then((c) => { if (c !== undefined) onChanged(); })}>
            Reinstate<span class="visually-hidden"> {a.user}</span></button>
        ) : (
          <form class="inline-form" onSubmit={(e) => { e.preventDefault(); setAsking('suspend'); }}>
            <label for={`${id}-reason`}>Reason (kept in the audit log)</label>
            <input id={`${id}-reason`} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
            <button type="submit">Suspend<span class="visually-hidden"> {a.user}</span></button>
          </form>
        )}
        <button type="button" onClick={() => setAsking('replace')}>Replace device<span class="visually-hidden"> of {a.user}</span></button>
      </div>
      <OutcomeLine outcome={outcome} />
      {asking === 'suspend' && (
        <Confirm title={`Suspend ${name}?`} yes="Suspend" onAnswer={(y) => void answered(y)}>
          <p>Their connections close at once and they cannot log in until an administrator reinstates them. Their messages stay.
            New messages are not encrypted for them while they are suspended.</p>
        </Confirm>
      )}
      {asking === 'replace' && (
        <Confirm title={`A new device for ${name}?`} yes="Make a replacement code" onAnswer={(y) => void answered(y)}>
          <p>This makes a one-time code for a new computer. When it is used, every device {a.user} has now stops working, and
            the people they talk to are told their keys changed. Messages sent before cannot be read on the new device.</p>
        </Confirm>
      )}
    </li>
  );
}

function Agencies({ admin, agencies, onChanged }: { admin: Admin; agencies: Agency[]; onChanged: () => void }) {
  const [disciplines, setDisciplines] = useState<string[]>([]);
  const [name, setName] = useState('');
  const [discipline, setDiscipline] = useState('');
  const [outcome, run] = useOutcome();
  useEffect(() => { void admin.dictionaries().then((d) => setDisciplines(d.disciplines.filter((x) => x !== 'general')), () => undefined); }, []);
  const add = async (e: Event) => {
    e.preventDefault();
    const d = discipline || disciplines[0] || '';
    if (!(await run(() => admin.addAgency(name.trim(), d), `Added ${name.trim()} (${disciplineName(d)}).`))) return;
    setName('');
    onChanged();
  };
  return (
    <section class="admin-section" aria-labelledby="agencies-title">
      <h2 id="agencies-title">Agencies</h2>
      <p class="hint">Each agency has one discipline: its people write with that discipline’s words, and readers from other disciplines get help with them.</p>
      <ul class="cards">
        {agencies.map((a) => <AgencyRow key={a.name} admin={admin} agency={a} onChanged={onChanged} />)}
      </ul>
      <form onSubmit={add} class="admin-form" aria-labelledby="agency-add-title">
        <h3 id="agency-add-title">Add an agency</h3>
        <label for="agency-name">Name</label>
        <input id="agency-name" required value={name} onInput={(e) => setName(e.currentTarget.value)} />
        <label for="agency-discipline">Discipline</label>
        <select id="agency-discipline" value={discipline || disciplines[0] || ''} onChange={(e) => setDiscipline(e.currentTarget.value)}>
          {disciplines.map((d) => <option key={d} value={d}>{disciplineName(d)}</option>)}
        </select>
        <OutcomeLine outcome={outcome} />
        <button type="submit" class="primary">Add the agency</button>
      </form>
    </section>
  );
}

function AgencyRow({ admin, agency, onChanged }: { admin: Admin; agency: Agency; onChanged: () => void }) {
  const [name, setName] = useState(agency.name);
  const [outcome, run] = useOutcome();
  const id = `agency-${agency.name.replace(/[^A-Za-z0-9]/g, '-')}`;
  return (
    <li class="admin-card">
      <form class="inline-form" onSubmit={(e) => {
        e.preventDefault();
        void run(() => admin.renameAgency(agency.name, name.trim()), `Renamed ${agency.name} to ${name.trim()}.`).then((ok) => { if (ok) onChanged(); });
      }}>
        <label for={id}>{agency.name} <span class="meta">({disciplineName(agency.discipline)})</span></label>
        <input id={id} value={name} onInput={(e) => setName(e.currentTarget.value)} />
        <button type="submit">Rename<span class="visually-hidden"> {agency.name}</span></button>
      </form>
      <OutcomeLine outcome={outcome} />
    </li>
  );
}
