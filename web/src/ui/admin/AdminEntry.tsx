// Where the everyday screen meets administration. Only an account whose role (as the server
// gave it at login) is admin sees the menu entry, and only then is the administration code
// loaded (a chunk of its own). Anyone else who opens an admin address gets "no such page".
// This is presentation only: the server refuses every admin request from anyone else.
import { useEffect, useState } from 'preact/hooks';
import type { Session } from '../../client/session';

type View = typeof import('./Admin').AdminView;

export function isAdmin(session: Session): boolean {
  return session.account.role === 'admin';
}

/** The admin page named by an app route ("#admin/accounts" → "accounts"), or null. */
export function adminPageOf(route: string): string | null {
  return route === '#admin' || route.startsWith('#admin/') ? route.slice('#admin/'.length) : null;
}

export function AdminLink({ session, current, onOpen }: { session: Session; current: boolean; onOpen: () => void }) {
  if (!isAdmin(session)) return null;
  return (
    <p class="my-actions">
      <a href="#/admin" aria-current={current ? 'page' : undefined}
        onClick={(e) => { e.preventDefault(); onOpen(); }}>Administration</a>
    </p>
  );
}

export function AdminRoute({ session, page, onOpen, onBack }: {
  session: Session; page: string; onOpen: (page: string) => void; onBack: () => void;
}) {
  const allowed = isAdmin(session);
  const [view, setView] = useState<{ AdminView: View } | null>(null);
  const [failed, setFailed] = useState('');
  useEffect(() => {
    if (allowed && !view) void import('./Admin').then((m) => setView({ AdminView: m.AdminView }), (e: Error) => setFailed(e.message));
  }, [allowed]);
  if (!allowed) {
    return (
      <main id="main" class="empty">
        <h1>No such page</h1>
        <p>There is nothing at this address. Choose a room from the list.</p>
      </main>
    );
  }
  if (failed) return <main id="main" class="empty"><p class="error" role="alert">The administration pages did not load: {failed}. Reload the page to try again.</p></main>;
  if (!view) return <main id="main" class="empty"><p role="status">Loading the administration pages…</p></main>;
  return <view.AdminView session={session} page={page} onOpen={onOpen} onBack={onBack} />;
}
