// Dictionary versions, newest first, each with who changed what and when; any earlier version
// can be made current again (as a new version, so nothing is lost). And the noisy entries:
// those people most often send anyway instead of fixing.
import { useEffect, useState } from 'preact/hooks';
import type { Admin, Noisy, Version } from '../../client/admin';
import { Confirm, OutcomeLine, disciplineName, ukDateTimeOf, useOutcome } from './common';

export function VersionsPage({ admin }: { admin: Admin }) {
  const [data, setData] = useState<{ current: number; versions: Version[] } | null>(null);
  const [reverting, setReverting] = useState<Version | null>(null);
  const [loaded, load] = useOutcome();
  const [outcome, run] = useOutcome();
  const refresh = () => load(async () => setData(await admin.versions()));
  useEffect(() => { void refresh(); }, []);
  const revert = async (yes: boolean) => {
    const v = reverting;
    setReverting(null);
    if (!yes || !v) return;
    const c = await run(() => admin.revert(v.version), (r) => r.changed
      ? `Version ${v.version} is current again, as version ${r.version}.` : `Nothing changed: version ${v.version} is the same as the current one.`);
    if (c) void refresh();
  };
  return (
    <section class="admin-section" aria-labelledby="versions-title">
      <h2 id="versions-title">Dictionary versions</h2>
      <p class="hint">Every change makes a new version. Making an earlier version current again is itself a new version, so nothing is lost.</p>
      <OutcomeLine outcome={loaded} />
      <OutcomeLine outcome={outcome} />
      {data && data.versions.length === 0 && <p>No dictionary versions.</p>}
      {data && data.versions.length > 0 && (
        <table class="admin-table stack-table">
          <caption class="visually-hidden">Dictionary versions, newest first</caption>
          <thead><tr><th scope="col">Version</th><th scope="col">When</th><th scope="col">By</th><th scope="col">What changed</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
          <tbody>
            {data.versions.map((v) => (
              <tr key={v.version}>
                <td data-label="Version">{v.version}{v.version === data.current && <span class="badge">current</span>}</td>
                <td data-label="When">{ukDateTimeOf(v.at)}</td>
                <td data-label="By">{v.by || 'the server'}</td>
                <td data-label="What changed">{v.summary}</td>
                <td>{v.version !== data.current && (
                  <button type="button" onClick={() => setReverting(v)}>Make current<span class="visually-hidden"> version {v.version}</span></button>
                )}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {reverting && (
        <Confirm title={`Make version ${reverting.version} current again?`} yes="Make it current" onAnswer={(y) => void revert(y)}>
          <p>The dictionaries go back to how they were at version {reverting.version} ({reverting.summary}). Every later change
            stays in the list and can be brought back the same way. Everyone’s Liaise fetches the change at once.</p>
        </Confirm>
      )}
    </section>
  );
}

export function NoisyPage({ admin }: { admin: Admin }) {
  const [entries, setEntries] = useState<Noisy[] | null>(null);
  const [loaded, load] = useOutcome();
  useEffect(() => { void load(async () => setEntries(await admin.noisy())); }, []);
  return (
    <section class="admin-section" aria-labelledby="noisy-title">
      <h2 id="noisy-title">Noisy entries</h2>
      <p class="hint">Entries people most often send anyway instead of using the plain words. An entry shows only once three
        accounts have reported it; no message text is ever counted. A noisy entry may need better plain words, or the
        option <code>known=</code> for readers who know it.</p>
      <OutcomeLine outcome={loaded} />
      {entries?.length === 0 && <p>No reports yet.</p>}
      {entries && entries.length > 0 && (
        <table class="admin-table stack-table">
          <caption class="visually-hidden">Noisy entries, most overridden first</caption>
          <thead><tr><th scope="col">Term</th><th scope="col">Dictionary</th><th scope="col">Sent anyway</th><th scope="col">Fixed</th><th scope="col">Overridden</th></tr></thead>
          <tbody>
            {entries.map((e) => (
              <tr key={`${e.discipline}:${e.term}`}>
                <td data-label="Term">{e.term}</td><td data-label="Dictionary">{disciplineName(e.discipline)}</td><td data-label="Sent anyway">{e.sent_anyway}</td><td data-label="Fixed">{e.fixed}</td>
                <td data-label="Overridden">{Math.round(e.override_rate * 100)}%</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
