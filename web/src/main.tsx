// The browser client's entry: loads libsodium, then shows setting up, unlocking or the
// everyday screen. The app's state lives here and in the Session; screens only render it.
import { render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { enrolled } from './client/device';
import { Session } from './client/session';
import type { Profile } from './client/store';
import { forgetKeys, type DeviceKeys } from './crypto/keys';
import { loadSodium } from './crypto/sodium';
import { serverUrl } from './protocol/connection';
import { Main } from './ui/Main';
import { Enrol, Unlock } from './ui/Welcome';

type Phase =
  | { kind: 'loading' }
  | { kind: 'failed'; why: string }
  | { kind: 'enrol' }
  | { kind: 'unlock'; profile: Profile; reason: string }
  | { kind: 'main'; session: Session };

const kIdleKey = 'liaise-idle-minutes';

function roomFromHash(): string {
  if (window.location.hash === '#/actions') return '#actions';
  if (window.location.hash === '#/recovery') return '#recovery';
  if (window.location.hash === '#/subject-access') return '#subject-access';
  if (window.location.hash.startsWith('#/meetings')) return '#meetings';
  if (/^#\/admin(\/|$)/.test(window.location.hash)) return window.location.hash.slice(2).replace(/^admin/, '#admin');
  const m = /^#\/room\/(.+)$/.exec(window.location.hash);
  return m ? decodeURIComponent(m[1] as string) : '';
}

function App() {
  const [phase, setPhase] = useState<Phase>({ kind: 'loading' });
  const [room, setRoom] = useState(roomFromHash());
  const [idleMinutes, setIdle] = useState(Number(localStorage.getItem(kIdleKey)) || 30);
  const lastActive = useRef(Date.now());

  useEffect(() => {
    (async () => {
      try {
        await loadSodium();
      } catch {
        setPhase({ kind: 'failed', why: 'no_webassembly' });
        return;
      }
      const profile = await enrolled();
      setPhase(profile ? { kind: 'unlock', profile, reason: '' } : { kind: 'enrol' });
    })().catch((e: Error) => setPhase({ kind: 'failed', why: e.message }));
    const onHash = () => setRoom(roomFromHash());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  const lock = (reason: string) => {
    if (phase.kind !== 'main') return;
    phase.session.stop();
    forgetKeys(phase.session.keys);
    setPhase({ kind: 'unlock', profile: phase.session.profile, reason });
  };

  // Locks after the chosen idle time with no key press, click or touch.
  useEffect(() => {
    if (phase.kind !== 'main') return;
    const active = () => { lastActive.current = Date.now(); };
    const events = ['keydown', 'pointerdown', 'wheel', 'touchstart'];
    for (const e of events) document.addEventListener(e, active, { passive: true });
    const timer = setInterval(() => {
      if (Date.now() - lastActive.current > idleMinutes * 60000)
        lock(`Locked after ${idleMinutes} minutes without use.`);
    }, 15000);
    return () => {
      clearInterval(timer);
      for (const e of events) document.removeEventListener(e, active);
    };
  }, [phase, idleMinutes]);

  const start = async (profile: Profile, keys: DeviceKeys, note = '') => {
    const session = new Session(keys, profile, serverUrl(window.location));
    session.onIncoming = (r) => {
      // Desktop notifications name the room only, never the sender or the text.
      if (typeof Notification !== 'undefined' && Notification.permission === 'granted' && document.visibilityState !== 'visible')
        new Notification('Liaise', { body: `New message in ${r}`, tag: `liaise-${r}` });
    };
    try {
      await session.start();
      lastActive.current = Date.now();
      if (note) session.notice(note);
      setPhase({ kind: 'main', session });
      requestAnimationFrame(() => performance.mark('liaise:rooms-shown'));
    } catch (e) {
      session.stop();
      setPhase({ kind: 'unlock', profile, reason: `Could not sign in: ${(e as Error).message}` });
    }
  };

  const open = (name: string) => {
    window.location.hash = name === '#actions' ? '#/actions' : name === '#recovery' ? '#/recovery' : name === '#subject-access' ? '#/subject-access' : name.startsWith('#admin') ? `#/${name.slice(1)}`
      : name ? `#/room/${encodeURIComponent(name)}` : '#/';
    setRoom(name);
  };

  switch (phase.kind) {
    case 'loading':
      return <main class="welcome" id="main"><p role="status">Liaise is starting…</p></main>;
    case 'failed':
      return (
        <main class="welcome" id="main">
          <h1>Liaise cannot start in this browser</h1>
          {phase.why === 'no_webassembly'
            ? <p>Liaise encrypts your messages in the browser with WebAssembly, which this browser has turned off (for example Microsoft Edge’s enhanced security mode). Ask your IT team to add this site to the browser’s exceptions, as described in the Liaise operator guide.</p>
            : <p>Something went wrong while starting: {phase.why}. Reload the page to try again.</p>}
        </main>
      );
    case 'enrol':
      return <Enrol onDone={(p, k, note) => void start(p, k, note)} />;
    case 'unlock':
      return <Unlock profile={phase.profile} reason={phase.reason} onDone={(k) => void start(phase.profile, k)} />;
    case 'main':
      return (
        <Main session={phase.session} room={room} onOpen={open} onLock={() => lock('Locked.')}
          idleMinutes={idleMinutes}
          setIdleMinutes={(n) => { localStorage.setItem(kIdleKey, String(n)); setIdle(n); }} />
      );
  }
}

const root = document.getElementById('app');
if (root) {
  root.textContent = ''; // Preact keeps existing children: clear the "starting" text first
  render(<App />, root);
}
