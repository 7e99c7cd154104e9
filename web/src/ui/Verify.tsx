// Comparing safety numbers with one person: the number (and its QR code, the text the `liaise`
// command encodes: "liaise-safety-number:" and the number), and typing theirs to mark them
// verified.
import qrcode from 'qrcode-generator';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Session } from '../client/session';

function Qr({ text, label }: { text: string; label: string }) {
  const qr = qrcode(0, 'M');
  qr.addData(text);
  qr.make();
  const n = qr.getModuleCount();
  const cells: string[] = [];
  for (let r = 0; r < n; r++)
    for (let c = 0; c < n; c++) if (qr.isDark(r, c)) cells.push(`M${c + 4},${r + 4}h1v1h-1z`);
  return (
    <svg class="qr" viewBox={`0 0 ${n + 8} ${n + 8}`} role="img" aria-label={label} shape-rendering="crispEdges">
      <rect width={n + 8} height={n + 8} fill="#fff" />
      <path d={cells.join('')} fill="#000" />
    </svg>
  );
}

export function Verify({ session, user, name, onClose }: { session: Session; user: string; name: string; onClose: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [number, setNumber] = useState('');
  const [typed, setTyped] = useState('');
  const [error, setError] = useState('');
  const [done, setDone] = useState(session.isVerified(user));
  useEffect(() => {
    dialog.current?.showModal();
    session.safetyNumberWith(user).then((r) => setNumber(r.number), (e: Error) => setError(e.message));
  }, [user]);
  const groups = number.split(' ');
  const submit = async (e: Event) => {
    e.preventDefault();
    setError('');
    try {
      await session.verify(user, typed);
      setDone(true);
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <dialog ref={dialog} class="dialog verify" aria-labelledby="verify-title" onClose={onClose}>
      <h2 id="verify-title">Safety number with {name}</h2>
      {done && <p class="verified-line" role="status">You have verified {name}. If their key changes, Liaise stops and tells you.</p>}
      <p>Compare this number with the one {name} sees, in person or on a call you trust. If they are the same, nobody is in between.</p>
      {number ? (
        <>
          <p class="safety-number" aria-label={`Safety number: ${number}`}>
            <span>{groups.slice(0, 6).join(' ')}</span>
            <span>{groups.slice(6).join(' ')}</span>
          </p>
          <Qr text={`liaise-safety-number:${number}`} label={`QR code of the safety number with ${name}`} />
        </>
      ) : !error && <p role="status">Working it out…</p>}
      {error && <p class="error" role="alert">{error}</p>}
      <form onSubmit={submit}>
        <label for="their-number">The number {name} reads out to you</label>
        <input id="their-number" inputMode="numeric" autocomplete="off" value={typed}
          onInput={(e) => setTyped(e.currentTarget.value)} aria-describedby="their-number-hint" />
        <p class="hint" id="their-number-hint">60 digits; spaces and dashes do not matter.</p>
        <div class="dialog-actions">
          <button type="submit" class="primary">Mark {name} as verified</button>
          <button type="button" onClick={() => dialog.current?.close()}>Close</button>
        </div>
      </form>
    </dialog>
  );
}
