// The everyday screen: the menu bar, the room list and the open room.
import { useEffect, useRef, useState } from 'preact/hooks';
import { exportKeys } from '../client/device';
import type { Room, Session } from '../client/session';
import { personName } from '../client/words';
import { ActionsView } from './Actions';
import { EmailDigestSetting } from './EmailDigest';
import { MeetingsView } from './minutes/Meetings';
import { AdminLink, AdminRoute, adminPageOf } from './admin/AdminEntry';
import { SubjectAccessLink, SubjectAccessView } from './governance/SubjectAccess';
import { ChangePassphrase } from './Passphrase';
import { RecoveryView } from './Recovery';
import { RoomView } from './RoomView';

/** Re-renders the caller whenever the session changes. */
export function useSession(session: Session): void {
  const [, setVersion] = useState(0);
  useEffect(() => session.subscribe(() => setVersion((n) => n + 1)), [session]);
}

export function audienceOf(room: Room): string {
  if (room.public) return 'Includes the public';
  if (room.disciplines.length === 0) return 'Audience not known yet';
  return room.disciplines.map((d) => d.replace(/-/g, ' ')).join(', ');
}

function download(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function Main({ session, room, onOpen, onLock, idleMinutes, setIdleMinutes }: {
  session: Session; room: string; onOpen: (room: string) => void; onLock: () => void;
  idleMinutes: number; setIdleMinutes: (n: number) => void;
}) {
  useSession(session);
  const showActions = room === '#actions';
  const showMeetings = room === '#meetings';
  const showRecovery = room === '#recovery';
  const showSubjectAccess = room === '#subject-access';
  const adminPage = adminPageOf(room);
  const other = showActions || showMeetings || showRecovery || showSubjectAccess || adminPage !== null;
  const current = other ? undefined : session.rooms.get(room);
  const rooms = [...session.rooms.values()].sort((a, b) => a.name.localeCompare(b.name));
  const me = session.account;
  return (
    <div class={`shell ${current || other ? 'has-room' : 'no-room'}`}>
      <a class="skip" href="#composer-text">Skip to the message box</a>
      <header class="bar">
        <p class="brand">Liaise</p>
        <p class={`status ${session.state}`} role="status">
          {session.state === 'online' ? 'Connected' : session.state === 'connecting' ? 'Connecting…' : 'Offline: reconnecting…'}
        </p>
        <Menu session={session} onLock={onLock} onRecovery={() => onOpen('#recovery')} idleMinutes={idleMinutes} setIdleMinutes={setIdleMinutes}
          who={personName(String(me.display_name ?? ''), String(me.agency ?? ''), session.user)} />
      </header>
      <Notices session={session} />
      <div class="columns">
        <nav class="rooms" aria-label="Rooms">
          <p class="my-actions">
            <a href="#/actions" aria-current={showActions ? 'page' : undefined}
              onClick={(e) => { e.preventDefault(); onOpen('#actions'); }}>My actions</a>
            <a href="#/meetings" aria-current={showMeetings ? 'page' : undefined}>Meetings and minutes</a>
          </p>
          <AdminLink session={session} current={adminPage !== null} onOpen={() => onOpen('#admin')} />
          <SubjectAccessLink session={session} current={showSubjectAccess} onOpen={() => onOpen('#subject-access')} />
          <h2>Rooms</h2>
          {rooms.length === 0 && <p class="hint">You are not in any room yet. A chair adds you to one.</p>}
          <ul>
            {rooms.map((r) => {
              const unread = session.unread(r);
              return (
                <li key={r.name}>
                  <a href={`#/room/${encodeURIComponent(r.name)}`} aria-current={r.name === room ? 'page' : undefined}
                    onClick={(e) => { e.preventDefault(); onOpen(r.name); }}>
                    <span class="room-name">{r.name}</span>
                    {unread > 0 && r.name !== room && <span class="unread">{unread}<span class="visually-hidden"> new</span></span>}
                    <span class="audience">{audienceOf(r)} · {r.memberCount} {r.memberCount === 1 ? 'member' : 'members'}</span>
                  </a>
                </li>
              );
            })}
          </ul>
        </nav>
        {adminPage !== null ? <AdminRoute session={session} page={adminPage} onOpen={(p) => onOpen(`#admin/${p}`)} onBack={() => onOpen('')} />
          : showMeetings ? <MeetingsView session={session} />
          : showActions ? <ActionsView session={session} onBack={() => onOpen('')} />
          : showRecovery ? <RecoveryView session={session} onBack={() => onOpen('')} />
          : showSubjectAccess ? <SubjectAccessView session={session} onBack={() => onOpen('')} />
          : current ? <RoomView key={current.name} session={session} room={current} onBack={() => onOpen('')} />
          : <main id="main" class="empty"><h1>Choose a room</h1><p>Your rooms are listed {window.innerWidth < 700 ? 'above' : 'on the left'}. New messages show a count.</p></main>}
      </div>
    </div>
  );
}

function Notices({ session }: { session: Session }) {
  if (session.notices.length === 0) return null;
  return (
    <section class="notices" aria-label="Notices">
      <ul>
        {session.notices.slice(0, 3).map((n) => (
          <li key={n.id}>
            <span>{n.text}</span>
            <button type="button" class="link" onClick={() => session.dismissNotice(n.id)}>Dismiss<span class="visually-hidden"> this notice</span></button>
          </li>
        ))}
      </ul>
    </section>
  );
}

function Menu({ session, who, onLock, onRecovery, idleMinutes, setIdleMinutes }: {
  session: Session; who: string; onLock: () => void; onRecovery: () => void; idleMinutes: number; setIdleMinutes: (n: number) => void;
}) {
  const [open, setOpen] = useState(false);
  const [about, setAbout] = useState(false);
  const [passphrase, setPassphrase] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const close = (e: KeyboardEvent) => { if (e.key === 'Escape') setOpen(false); };
    document.addEventListener('keydown', close);
    return () => document.removeEventListener('keydown', close);
  }, [open]);
  const notifications = typeof Notification !== 'undefined' ? Notification.permission : 'denied';
  return (
    <div class="menu" ref={ref}>
      <button type="button" aria-expanded={open} aria-controls="menu-panel" onClick={() => setOpen(!open)}>
        <span class="who">{who}</span> <span aria-hidden="true">▾</span><span class="visually-hidden"> menu</span>
      </button>
      {open && (
        <div id="menu-panel" class="menu-panel">
          <ul>
            <li><button type="button" onClick={async () => {
              const k = await exportKeys();
              download('keystore.json', k.keystore);
              download('profile.json', k.profile);
            }}>Export my keys (for the liaise command or another browser)</button></li>
            {notifications === 'default' && (
              <li><button type="button" onClick={() => void Notification.requestPermission().then(() => setOpen(false))}>
                Turn on desktop notifications</button></li>
            )}
            <li>
              <label for="idle">Lock when idle for</label>
              <select id="idle" value={String(idleMinutes)} onChange={(e) => setIdleMinutes(Number(e.currentTarget.value))}>
                {[5, 15, 30, 60, 120].map((m) => <option key={m} value={String(m)}>{m} minutes</option>)}
              </select>
            </li>
            <li><EmailDigestSetting session={session} /></li>
            <li><button type="button" onClick={() => { setOpen(false); onRecovery(); }}>Recovery key and devices</button></li>
            <li><button type="button" onClick={() => { setPassphrase(true); setOpen(false); }}>Change passphrase</button></li>
            <li><button type="button" onClick={() => { setAbout(true); setOpen(false); }}>About Liaise</button></li>
            <li><button type="button" onClick={onLock}>Lock</button></li>
          </ul>
        </div>
      )}
      {about && <About session={session} onClose={() => setAbout(false)} />}
      {passphrase && <ChangePassphrase session={session} onClose={() => setPassphrase(false)} />}
    </div>
  );
}

function About({ session, onClose }: { session: Session; onClose: () => void }) {
  const [hash, setHash] = useState('');
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    dialog.current?.showModal();
    void (async () => {
      const sums = await fetch('/SHA256SUMS').then((r) => (r.ok ? r.arrayBuffer() : null));
      if (!sums) return setHash('not available');
      const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', sums));
      setHash([...digest].map((b) => b.toString(16).padStart(2, '0')).join(''));
    })();
  }, []);
  return (
    <dialog ref={dialog} aria-labelledby="about-title" onClose={onClose} class="dialog">
      <h2 id="about-title">About Liaise</h2>
      <p>Liaise web client 0.1.0, signed in as {session.user}, device {session.profile.device}.</p>
      <p>This code was delivered by your Liaise server. Its bundle hash is:</p>
      <p class="hash"><code>{hash || 'working it out…'}</code></p>
      <p class="hint">Your IT team can compare it with <code>liaise-server --version</code> and with a build from source.</p>
      <form method="dialog"><button class="primary" type="submit">Close</button></form>
    </dialog>
  );
}
