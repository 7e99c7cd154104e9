// The print view: the record alone, laid out for paper. The print stylesheet (app.css, "Minutes:
// print") repeats the protective marking at the top and bottom of every page (a named page per
// marking) and numbers the pages ("Page 2 of 5"); the browser's Print dialog saves it as a PDF.
import { useEffect, useState } from 'preact/hooks';
import type { Minutes, MinutesClient, SignatureVerdict } from '../../client/minutes';
import { Record, Signatures } from './Record';
import { hashOf, refusal } from './shared';

export function PrintView({ client, meeting, version }: { client: MinutesClient; meeting: number; version: number }) {
  const [m, setM] = useState<Minutes | null>(null);
  const [verdicts, setVerdicts] = useState<SignatureVerdict[] | null>(null);
  const [unsigned, setUnsigned] = useState('');
  const [error, setError] = useState('');
  useEffect(() => {
    void (async () => {
      let current = await client.show(meeting, version || undefined);
      // A fixed version is printed as it was signed, with its signatures checked here.
      if (!version && current.status !== 'draft') current = await client.show(meeting, current.version);
      setM(current);
      if (current.status !== 'draft') {
        const r = await client.verify(current);
        setVerdicts(r.verdicts);
        setUnsigned(r.unsignedApproval);
      }
    })().catch((e) => setError(refusal(e)));
  }, [meeting, version]);
  if (!m) return <main id="main" class="print-view">{error ? <p class="error" role="alert">{error}</p> : <p role="status">Preparing the print view…</p>}</main>;
  return (
    <main id="main" class={`print-view ${m.marking === 'OFFICIAL-SENSITIVE' ? 'page-sensitive' : 'page-official'}`} aria-labelledby="print-title">
      <p class="no-print screen-tools">
        <a href={hashOf({ page: 'meeting', meeting, version })}>← Back to the minutes</a>
        <button type="button" class="primary" onClick={() => window.print()}>Print or save as PDF</button>
      </p>
      <p class="print-marking">{m.marking}</p>
      <h1 id="print-title">{m.title}</h1>
      {m.status === 'draft' && <p class="draft-stamp">DRAFT — not yet circulated</p>}
      <Record m={m} />
      {m.status !== 'draft' && <Signatures verdicts={verdicts} unsigned={unsigned} />}
      <p class="print-marking">{m.marking}</p>
    </main>
  );
}
