// The person's own setting for the daily email of unread rooms (PROTOCOL.md, "Read positions";
// the same request as `liaise digest on|off`), in the menu under their name. It shows what the
// server holds, and says in words when no email can reach them: the server sends none, or has
// no address for them. The choice is kept either way, for when email is set up.
import { useEffect, useState } from 'preact/hooks';
import { refusal } from '../client/admin';
import type { EmailDigest, Session } from '../client/session';

const kBlocked: Record<string, string> = {
  server_off: 'This Liaise server does not send email summaries, so none can reach you. Your IT team can set email up.',
  no_address: 'Liaise has no email address for you, so no summary can reach you. Ask your administrator to add it.',
};

export function EmailDigestSetting({ session }: { session: Session }) {
  const [setting, setSetting] = useState<EmailDigest | null>(null);
  const [error, setError] = useState('');
  const [saved, setSaved] = useState('');
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    session.emailDigest().then(setSetting, (e) => setError(refusal(e)));
  }, [session]);
  const change = async (on: boolean) => {
    if (!setting) return;
    setBusy(true);
    setError('');
    setSaved('');
    try {
      const now = await session.setEmailDigest(on);
      setSetting({ ...setting, on: now });
      setSaved(now ? 'Saved: the summary is on.' : 'Saved: the summary is off.');
    } catch (e) {
      setError(refusal(e));
    } finally {
      setBusy(false);
    }
  };
  const blocked = setting ? kBlocked[setting.email] : undefined;
  return (
    <div class="digest-setting">
      <input type="checkbox" id="email-digest" checked={setting?.on ?? false} disabled={!setting || busy}
        aria-describedby="email-digest-hint" onChange={(e) => void change(e.currentTarget.checked)} />
      <label for="email-digest">Email me a summary of unread rooms each working morning at {setting?.time ?? '08:00'}</label>
      <p class="hint" id="email-digest-hint">
        {setting === null && !error ? 'Asking the server…' : 'It says how many rooms have messages you have not read: never a room, a person or what was said.'}
      </p>
      {blocked && <p class="error">{blocked}</p>}
      {error && <p class="error" role="alert">{error}</p>}
      {saved && <p class="saved-line" role="status">{saved}</p>}
    </div>
  );
}
