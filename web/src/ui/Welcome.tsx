// The screens before a session: setting this browser up (enrol, or import the keys of the
// `liaise` command) and unlocking it.
import { useEffect, useRef, useState } from 'preact/hooks';
import { enrol, importKeys, unlock } from '../client/device';
import { type AccountName, type Profile, get } from '../client/store';
import { personName } from '../client/words';
import type { DeviceKeys } from '../crypto/keys';

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function defaultDeviceName(): string {
  const ua = navigator.userAgent;
  const browser = /Edg\//.test(ua) ? 'Edge' : /Firefox\//.test(ua) ? 'Firefox' : /Chrom/.test(ua) ? 'Chrome' : /Safari\//.test(ua) ? 'Safari' : 'a browser';
  return `Browser (${browser})`;
}

/** Lets the page paint "working…" before a slow synchronous step (Argon2id). */
const nextPaint = () => new Promise<void>((r) => requestAnimationFrame(() => setTimeout(r, 0)));

export function Enrol({ onDone }: { onDone: (profile: Profile, keys: DeviceKeys, note?: string) => void }) {
  const [code, setCode] = useState('');
  const [deviceName, setDeviceName] = useState(defaultDeviceName());
  const [pass, setPass] = useState('');
  const [again, setAgain] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const [importing, setImporting] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), [importing]);

  const submit = async (ev: Event) => {
    ev.preventDefault();
    setError('');
    if (!code.trim()) return setError('Enter the enrolment code your administrator gave you.');
    if (pass !== again) return setError('The two passphrases are not the same. Type them again.');
    setBusy(true);
    try {
      // As the liaise command does: before the code is used, the only word of the person's
      // this device knows is the computer's name; after enrolment, a passphrase containing
      // their names is reported (the code is spent by then), to be changed.
      const { checkPassphrase } = await import('../client/strength');
      const strength = await checkPassphrase(pass, [deviceName]);
      if (!strength.ok) {
        setError(`Too easy to guess: ${strength.why}. Try four or more unrelated words, e.g. “kettle violin harbour crayon” (but not that one): they are easier to remember than symbols and far harder to guess.`);
        return;
      }
      await nextPaint();
      const done = await enrol(code, deviceName.trim() || defaultDeviceName(), pass);
      const keys = done.keys;
      const names = ['user', 'display_name', 'agency'].map((k) => String(done.account[k] ?? ''));
      const after = await checkPassphrase(pass, names);
      onDone(done.profile, keys, after.ok ? '' : `Your passphrase is easy to guess: ${after.why}. Change it now: “Change passphrase” in the menu.`);
    } catch (e) {
      setError(message(e));
    } finally {
      setBusy(false);
    }
  };

  if (importing) return <ImportKeys onDone={onDone} onCancel={() => setImporting(false)} />;

  return (
    <main class="welcome" id="main">
      <h1 ref={heading} tabIndex={-1}>Set up Liaise on this computer</h1>
      <p>Your administrator gave you an enrolment code. Choose a passphrase: it protects the keys that keep your messages private, and only you know it.</p>
      <form onSubmit={submit} class="card" aria-describedby={error ? 'enrol-error' : undefined}>
        {error && <p class="error" role="alert" id="enrol-error">{error}</p>}
        <label for="code">Enrolment code</label>
        <input id="code" name="code" autocomplete="off" spellcheck={false} value={code}
          onInput={(e) => setCode(e.currentTarget.value)} aria-describedby="code-hint" required />
        <p class="hint" id="code-hint">Like 8NDM-DKDQ-N5PB-985X-7RJR. Capitals and dashes do not matter.</p>
        <label for="device-name">Name for this computer</label>
        <input id="device-name" value={deviceName} onInput={(e) => setDeviceName(e.currentTarget.value)} />
        <label for="new-pass">Passphrase</label>
        <input id="new-pass" type="password" autocomplete="new-password" value={pass}
          onInput={(e) => setPass(e.currentTarget.value)} aria-describedby="pass-hint" required />
        <p class="hint" id="pass-hint">Four or more unrelated words work well. Not your name, and not a common password.</p>
        <label for="new-pass-again">Passphrase again</label>
        <input id="new-pass-again" type="password" autocomplete="new-password" value={again}
          onInput={(e) => setAgain(e.currentTarget.value)} required />
        <button type="submit" class="primary" disabled={busy}>{busy ? 'Setting up…' : 'Set up this computer'}</button>
        {busy && <p class="hint" role="status">Making and locking your keys. This takes a few seconds.</p>}
      </form>
      <p><button type="button" class="link" onClick={() => setImporting(true)}>I already use the liaise command: bring its keys here</button></p>
    </main>
  );
}

function ImportKeys({ onDone, onCancel }: { onDone: (profile: Profile, keys: DeviceKeys) => void; onCancel: () => void }) {
  const [keystore, setKeystore] = useState('');
  const [profile, setProfile] = useState('');
  const [pass, setPass] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const read = (set: (s: string) => void) => async (e: Event) => {
    const f = (e.currentTarget as HTMLInputElement).files?.[0];
    set(f ? await f.text() : '');
  };
  const submit = async (ev: Event) => {
    ev.preventDefault();
    setError('');
    if (!keystore || !profile) return setError('Choose both files from your liaise folder: keystore.json and profile.json.');
    setBusy(true);
    try {
      await nextPaint();
      const p = await importKeys(keystore, profile, pass);
      onDone(p, await unlock(pass));
    } catch (e) {
      setError(message(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="welcome" id="main">
      <h1 tabIndex={-1}>Bring your keys from the liaise command</h1>
      <p>Choose the two files in your liaise folder (usually <code>~/.liaise</code>). This computer then acts as that same device: stop using the command there afterwards.</p>
      <form onSubmit={submit} class="card">
        {error && <p class="error" role="alert">{error}</p>}
        <label for="keystore-file">keystore.json</label>
        <input id="keystore-file" type="file" accept=".json,application/json" onChange={read(setKeystore)} />
        <label for="profile-file">profile.json</label>
        <input id="profile-file" type="file" accept=".json,application/json" onChange={read(setProfile)} />
        <label for="import-pass">Passphrase of those keys</label>
        <input id="import-pass" type="password" autocomplete="current-password" value={pass} onInput={(e) => setPass(e.currentTarget.value)} />
        <button type="submit" class="primary" disabled={busy}>{busy ? 'Opening…' : 'Bring the keys here'}</button>
      </form>
      <p><button type="button" class="link" onClick={onCancel}>Back: set up with an enrolment code</button></p>
    </main>
  );
}

export function Unlock({ profile, reason, onDone }: { profile: Profile; reason: string; onDone: (keys: DeviceKeys) => void }) {
  const [pass, setPass] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const [name, setName] = useState<AccountName | null>(null);
  useEffect(() => void get<AccountName>('account').then((a) => setName(a ?? null)), [profile.user]);
  const submit = async (ev: Event) => {
    ev.preventDefault();
    setError('');
    setBusy(true);
    try {
      await nextPaint();
      performance.mark('liaise:unlock-start');
      const keys = await unlock(pass);
      performance.mark('liaise:keys-open'); // bench/web_bench.mjs measures from here
      onDone(keys);
    } catch (e) {
      setError(message(e));
      setBusy(false);
    }
  };
  return (
    <main class="welcome" id="main">
      <h1>Unlock Liaise</h1>
      {reason && <p class="notice-line" role="status">{reason}</p>}
      <p>This computer holds the keys of <strong>{name ? personName(name.display_name, name.agency, profile.user) : profile.user}</strong>
        {name?.display_name ? <> (account {profile.user}, device {profile.device})</> : <> (device {profile.device})</>}.
        {' '}If that is not you, close this page: only that person’s passphrase unlocks it.</p>
      <form onSubmit={submit} class="card">
        {error && <p class="error" role="alert">{error}</p>}
        <label for="unlock-pass">Passphrase</label>
        <input id="unlock-pass" type="password" autocomplete="current-password" value={pass}
          onInput={(e) => setPass(e.currentTarget.value)} autoFocus required />
        <button type="submit" class="primary" disabled={busy}>{busy ? 'Unlocking…' : 'Unlock'}</button>
      </form>
    </main>
  );
}
