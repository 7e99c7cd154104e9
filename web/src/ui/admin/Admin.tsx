// The administration pages, loaded only for an administrator (AdminEntry.tsx): a menu of pages
// and the page chosen. Every change goes through the server, which refuses anyone else.
import { useEffect, useMemo, useRef } from 'preact/hooks';
import { Admin } from '../../client/admin';
import { Governance } from '../../client/governance';
import type { Session } from '../../client/session';
import { personName } from '../../client/words';
import { AccountsPage } from './Accounts';
import { AuditPage } from './Audit';
import { DictionariesPage } from './Dictionaries';
import { GovernancePage } from './Governance';
import { HoldsPage } from './Holds';
import { QuestionsPage } from './Questions';
import { RetentionPage } from './Retention';
import { NoisyPage, VersionsPage } from './Versions';

export const kAdminPages = [
  ['accounts', 'People and agencies'],
  ['dictionaries', 'Dictionaries'],
  ['versions', 'Dictionary versions'],
  ['questions', 'Questions'],
  ['noisy', 'Noisy entries'],
  ['audit', 'Audit log'],
  ['retention', 'Retention'],
  ['holds', 'Legal holds'],
  ['governance', 'Information governance'],
] as const;

export function AdminView({ session, page, onOpen, onBack }: {
  session: Session; page: string; onOpen: (page: string) => void; onBack: () => void;
}) {
  const admin = useMemo(() => new Admin((t, f) => session.request(t, f)), [session]);
  const gov = useMemo(() => new Governance((t, f) => session.request(t, f)), [session]);
  const heading = useRef<HTMLHeadingElement>(null);
  const known = kAdminPages.find(([k]) => k === page) ?? kAdminPages[0];
  useEffect(() => heading.current?.focus(), [known[0]]);
  const me = personName(String(session.account.display_name ?? ''), String(session.account.agency ?? ''), session.user);
  return (
    <main id="main" class="admin-view" aria-labelledby="admin-title">
      <div class="room-head">
        <button type="button" class="link back" onClick={onBack}>← All rooms</button>
        <h1 id="admin-title" ref={heading} tabIndex={-1}>Administration: {known[1]}</h1>
      </div>
      <nav class="admin-nav" aria-label="Administration">
        <ul>
          {kAdminPages.map(([k, label]) => (
            <li key={k}>
              <a href={`#/admin/${k}`} aria-current={k === known[0] ? 'page' : undefined}
                onClick={(e) => { e.preventDefault(); onOpen(k); }}>{label}</a>
            </li>
          ))}
        </ul>
      </nav>
      <div class="admin-page">
        {known[0] === 'accounts' && <AccountsPage admin={admin} me={me} />}
        {known[0] === 'dictionaries' && <DictionariesPage admin={admin} />}
        {known[0] === 'versions' && <VersionsPage admin={admin} />}
        {known[0] === 'questions' && <QuestionsPage admin={admin} />}
        {known[0] === 'noisy' && <NoisyPage admin={admin} />}
        {known[0] === 'audit' && <AuditPage admin={admin} />}
        {known[0] === 'retention' && <RetentionPage admin={admin} gov={gov} myAgency={String(session.account.agency ?? '')} />}
        {known[0] === 'holds' && <HoldsPage gov={gov} />}
        {known[0] === 'governance' && <GovernancePage admin={admin} gov={gov} />}
      </div>
    </main>
  );
}
