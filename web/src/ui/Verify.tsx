// Comparing safety numbers with one person: the number (and its QR code, the text the `liaise`
// command encodes: "liaise-safety-number:" and the number), and typing theirs, or scanning
// their QR code where the browser can read one (BarcodeDetector and a camera), to mark them
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

const kPrefix = 'liaise-safety-number:';

interface Detector {
  detect(source: HTMLVideoElement): Promise<{ rawValue: string }[]>;
}
type DetectorClass = new (options: { formats: string[] }) => Detector;

/** The browser's QR reader, or null where it has none (then the number is typed). */
function qrReader(): DetectorClass | null {
  const D = (window as unknown as { BarcodeDetector?: DetectorClass }).BarcodeDetector;
  return D && typeof navigator.mediaDevices?.getUserMedia === 'function' ? D : null;
}

/**
 * The camera, looking for a Liaise safety number's QR code: `onNumber` gets the number it
 * holds. Other QR codes are named and skipped. The camera stops when this closes.
 */
function Scanner({ onNumber, onCancel }: { onNumber: (n: string) => void; onCancel: () => void }) {
  const video = useRef<HTMLVideoElement>(null);
  const [status, setStatus] = useState('Starting the camera…');
  useEffect(() => {
    const Reader = qrReader();
    if (!Reader) return undefined;
    let stream: MediaStream | null = null;
    let timer = 0;
    let stopped = false;
    const reader = new Reader({ formats: ['qr_code'] });
    const look = async () => {
      if (stopped || !video.current) return;
      try {
        for (const code of await reader.detect(video.current)) {
          if (code.rawValue.startsWith(kPrefix)) {
            stopped = true;
            onNumber(code.rawValue.slice(kPrefix.length));
            return;
          }
          setStatus('That QR code is not a Liaise safety number. Point the camera at the code on their Verify screen.');
        }
      } catch {
        // a frame that cannot be read yet: try the next one
      }
      timer = window.setTimeout(() => void look(), 200);
    };
    navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false }).then((s) => {
      stream = s;
      if (stopped || !video.current) return;
      video.current.srcObject = s;
      void video.current.play().catch(() => undefined);
      setStatus('Point the camera at the QR code on their Verify screen.');
      void look();
    }, () => setStatus('The camera could not be used (it may be switched off or not allowed). Type the number instead.'));
    return () => {
      stopped = true;
      window.clearTimeout(timer);
      for (const t of stream?.getTracks() ?? []) t.stop();
    };
  }, []);
  return (
    <div class="scanner">
      <video ref={video} muted playsInline aria-label="Camera view for scanning their QR code" />
      <p role="status">{status}</p>
      <button type="button" onClick={onCancel}>Stop scanning</button>
    </div>
  );
}

export function Verify({ session, user, name, onClose }: { session: Session; user: string; name: string; onClose: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [number, setNumber] = useState('');
  const [typed, setTyped] = useState('');
  const [error, setError] = useState('');
  const [done, setDone] = useState(session.isVerified(user));
  const [scanning, setScanning] = useState(false);
  useEffect(() => {
    dialog.current?.showModal();
    session.safetyNumberWith(user).then((r) => setNumber(r.number), (e: Error) => setError(e.message));
  }, [user]);
  const groups = number.split(' ');
  const check = async (theirs: string) => {
    setError('');
    try {
      await session.verify(user, theirs);
      setDone(true);
    } catch (err) {
      setError((err as Error).message);
    }
  };
  const submit = (e: Event) => {
    e.preventDefault();
    void check(typed);
  };
  const scanned = (theirs: string) => {
    setScanning(false);
    setTyped(theirs);
    void check(theirs);
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
      {!done && qrReader() && (scanning
        ? <Scanner onNumber={scanned} onCancel={() => setScanning(false)} />
        : <p><button type="button" onClick={() => setScanning(true)}>Scan their QR code</button></p>)}
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
