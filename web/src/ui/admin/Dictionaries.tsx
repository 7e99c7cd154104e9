// Dictionaries: search every discipline's entries; add, edit and remove an entry; import a
// discipline's TSV (a file with any bad line is refused whole, every bad line listed) and export
// it; add and remove disciplines. Every change makes a new version (the Versions page).
import { useEffect, useRef, useState } from 'preact/hooks';
import { type Admin, type Change, type Entry, type EntryFields, type Problem, problemsOf, refusal, searchEntries } from '../../client/admin';
import { Confirm, OutcomeLine, disciplineName, lines, useOutcome } from './common';

const kShown = 50;

const changed = (c: Change, what: string) =>
  c.changed ? `${what} The dictionaries are now version ${c.version}.` : `Nothing changed: the dictionaries stay at version ${c.version}.`;

function download(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/tab-separated-values;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function DictionariesPage({ admin }: { admin: Admin }) {
  const [data, setData] = useState<{ version: number; disciplines: string[]; entries: Entry[] } | null>(null);
  const [query, setQuery] = useState('');
  const [discipline, setDiscipline] = useState('');
  const [editing, setEditing] = useState<Entry | 'new' | null>(null);
  const [removing, setRemoving] = useState<Entry | null>(null);
  const [loaded, load] = useOutcome();
  const [outcome, run] = useOutcome();
  const [note, setNote] = useState('');
  const refresh = () => load(async () => setData(await admin.dictionaries()));
  useEffect(() => { void refresh(); }, []);
  const found = data ? searchEntries(data.entries, query, discipline) : [];
  const remove = async (yes: boolean) => {
    const e = removing;
    setRemoving(null);
    if (!yes || !e) return;
    if (await run(() => admin.removeEntry(e.discipline, e.term), (c) => changed(c, `Removed “${e.term}” from ${disciplineName(e.discipline)}.`)))
      void refresh();
  };
  return (
    <>
      <section class="admin-section" aria-labelledby="search-title">
        <h2 id="search-title">Search the dictionaries</h2>
        {data && <p class="hint">Version {data.version}: {data.entries.length} entries in {data.disciplines.length} dictionaries.</p>}
        <OutcomeLine outcome={loaded} />
        <form class="filters" role="search" onSubmit={(e) => e.preventDefault()}>
          <div class="grow">
            <label for="dict-query">Word, abbreviation or plain words</label>
            <input id="dict-query" type="search" value={query} onInput={(e) => setQuery(e.currentTarget.value)} />
          </div>
          <div>
            <label for="dict-discipline">In</label>
            <select id="dict-discipline" value={discipline} onChange={(e) => setDiscipline(e.currentTarget.value)}>
              <option value="">Every dictionary</option>
              {data?.disciplines.map((d) => <option key={d} value={d}>{disciplineName(d)}</option>)}
            </select>
          </div>
        </form>
        <p class="add-entry"><button type="button" class="primary" onClick={() => { setNote(''); setEditing('new'); }}>Add an entry</button></p>
        <OutcomeLine outcome={outcome} />
        {note && <p class="saved-line" role="status">{note}</p>}
        {editing && data && (
          <EntryForm admin={admin} entry={editing === 'new' ? null : editing} disciplines={data.disciplines}
            defaultDiscipline={discipline || data.disciplines.find((d) => d !== 'general') || ''}
            onDone={(done) => { setEditing(null); setNote(done); if (done) void refresh(); }} />
        )}
        <p role="status" class="hint">{data ? `${found.length} ${found.length === 1 ? 'entry matches' : 'entries match'}${found.length > kShown ? `; the first ${kShown} are shown` : ''}.` : ''}</p>
        <ul class="cards" aria-label="Entries found">
          {found.slice(0, kShown).map((e) => (
            <li key={`${e.discipline}:${e.term}`} class="admin-card entry">
              <h3>{e.term} <span class="meta">· {disciplineName(e.discipline)}{e.kind ? ` · ${e.kind}` : ''}</span></h3>
              {e.alternatives.length > 0 && <p>Plain words: {e.alternatives.join('; ')}</p>}
              <p>{e.explanation}</p>
              {e.variants.length > 0 && <p class="meta">Also written: {e.variants.join(', ')}</p>}
              {e.options && <p class="meta">Options: {e.options}</p>}
              <div class="card-controls">
                <button type="button" onClick={() => { setNote(''); setEditing(e); }}>Edit<span class="visually-hidden"> {e.term} ({disciplineName(e.discipline)})</span></button>
                <button type="button" onClick={() => { setNote(''); setRemoving(e); }}>Remove<span class="visually-hidden"> {e.term} ({disciplineName(e.discipline)})</span></button>
              </div>
            </li>
          ))}
        </ul>
        {removing && (
          <Confirm title={`Remove “${removing.term}”?`} yes="Remove" onAnswer={(y) => void remove(y)}>
            <p>It is removed from the {disciplineName(removing.discipline)} dictionary. You can bring it back by making an earlier version current again.</p>
          </Confirm>
        )}
      </section>
      {data && <ImportExport admin={admin} disciplines={data.disciplines} onChanged={() => void refresh()} />}
      {data && <Disciplines admin={admin} disciplines={data.disciplines} onChanged={() => void refresh()} />}
    </>
  );
}

function EntryForm({ admin, entry, disciplines, defaultDiscipline, onDone }: {
  admin: Admin; entry: Entry | null; disciplines: string[]; defaultDiscipline: string; onDone: (done: string) => void;
}) {
  const [discipline, setDiscipline] = useState(entry?.discipline ?? defaultDiscipline);
  const [term, setTerm] = useState(entry?.term ?? '');
  const [alternatives, setAlternatives] = useState(entry?.alternatives.join('\n') ?? '');
  const [explanation, setExplanation] = useState(entry?.explanation ?? '');
  const [variants, setVariants] = useState(entry?.variants.join('\n') ?? '');
  const [kind, setKind] = useState(entry?.kind ?? '');
  const [options, setOptions] = useState(entry?.options ?? '');
  const [problems, setProblems] = useState<Problem[]>([]);
  const [outcome, run] = useOutcome();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  const submit = async (e: Event) => {
    e.preventDefault();
    setProblems([]);
    // An addition sends what was given; an edit only the fields that changed (an emptied one
    // is cleared), as `liaise admin dict edit` does.
    const fields: EntryFields = { discipline, term: term.trim() };
    const given = { alternatives: lines(alternatives), explanation: explanation.trim(), variants: lines(variants), options: options.trim(), kind };
    const was = entry ? { alternatives: entry.alternatives, explanation: entry.explanation, variants: entry.variants, options: entry.options, kind: entry.kind } : null;
    for (const key of ['alternatives', 'explanation', 'variants', 'options', 'kind'] as const) {
      const value = given[key];
      const empty = Array.isArray(value) ? value.length === 0 : value === '';
      if (was ? JSON.stringify(value) !== JSON.stringify(was[key]) && !(key === 'kind' && empty) : !empty)
        Object.assign(fields, { [key]: value });
    }
    const c = await run(async () => {
      try {
        return await (entry ? admin.editEntry(fields) : admin.addEntry(fields));
      } catch (err) {
        setProblems(problemsOf(err));
        throw err;
      }
    });
    if (c) onDone(changed(c, entry ? `Saved “${entry.term}” (${disciplineName(entry.discipline)}).` : `Added “${fields.term}” to ${disciplineName(discipline)}.`));
  };
  const id = entry ? 'edit' : 'add';
  return (
    <form class="admin-form entry-form" onSubmit={submit} aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`} ref={heading} tabIndex={-1}>{entry ? `Edit “${entry.term}” (${disciplineName(entry.discipline)})` : 'Add an entry'}</h3>
      {!entry && (
        <>
          <label for={`${id}-discipline`}>Dictionary</label>
          <select id={`${id}-discipline`} value={discipline} onChange={(e) => setDiscipline(e.currentTarget.value)}>
            {disciplines.map((d) => <option key={d} value={d}>{disciplineName(d)}</option>)}
          </select>
          <label for={`${id}-term`}>Term, as practitioners write it</label>
          <input id={`${id}-term`} required value={term} onInput={(e) => setTerm(e.currentTarget.value)} />
        </>
      )}
      <label for={`${id}-alternatives`}>Plain words (one per line; the first is preferred)</label>
      <textarea id={`${id}-alternatives`} rows={2} required value={alternatives} onInput={(e) => setAlternatives(e.currentTarget.value)} />
      <label for={`${id}-explanation`}>Explanation, in one line of plain words</label>
      <input id={`${id}-explanation`} required value={explanation} onInput={(e) => setExplanation(e.currentTarget.value)} />
      <label for={`${id}-variants`}>Other spellings (one per line)</label>
      <textarea id={`${id}-variants`} rows={2} value={variants} onInput={(e) => setVariants(e.currentTarget.value)} />
      <label for={`${id}-kind`}>Kind</label>
      <select id={`${id}-kind`} value={kind} onChange={(e) => setKind(e.currentTarget.value)}>
        <option value="">{entry ? 'Keep as it is' : 'Let Liaise guess'}</option>
        <option value="acronym">Acronym or abbreviation</option>
        <option value="term">Term</option>
        <option value="phrase">Phrase</option>
      </select>
      <label for={`${id}-options`}>Options (advanced)</label>
      <input id={`${id}-options`} value={options} onInput={(e) => setOptions(e.currentTarget.value)} aria-describedby={`${id}-options-hint`} />
      <p class="hint" id={`${id}-options-hint`}>Comma-separated, as in dictionaries/README.md: case-sensitive, no-inflection, known=education+health…</p>
      <OutcomeLine outcome={outcome} />
      <ProblemList problems={problems} />
      <div class="dialog-actions">
        <button type="submit" class="primary">{entry ? 'Save the entry' : 'Add the entry'}</button>
        <button type="button" onClick={() => onDone('')}>Cancel</button>
      </div>
    </form>
  );
}

function ProblemList({ problems }: { problems: Problem[] }) {
  if (problems.length === 0) return null;
  return (
    <div class="problems">
      <p>Nothing was changed. {problems.length === 1 ? 'This line needs' : `These ${problems.length} lines need`} fixing first:</p>
      <ul aria-label="Lines to fix">
        {problems.map((p, i) => (
          <li key={i}>{p.line > 0 ? `Line ${p.line}` : disciplineName(p.discipline)}: {p.message}</li>
        ))}
      </ul>
    </div>
  );
}

function ImportExport({ admin, disciplines, onChanged }: { admin: Admin; disciplines: string[]; onChanged: () => void }) {
  const [discipline, setDiscipline] = useState(disciplines.find((d) => d !== 'general') ?? '');
  const [problems, setProblems] = useState<Problem[]>([]);
  const [outcome, setOutcome] = useState({ error: '', done: '' });
  const [exported, exportRun] = useOutcome();
  const file = useRef<HTMLInputElement>(null);
  const importFile = async (e: Event) => {
    e.preventDefault();
    setProblems([]);
    setOutcome({ error: '', done: '' });
    const f = file.current?.files?.[0];
    if (!f) return setOutcome({ error: 'Choose a TSV file first.', done: '' });
    try {
      const r = await admin.importTsv(discipline, await f.text());
      setOutcome({ error: '', done: changed(r, `Imported ${r.entries} entries into ${disciplineName(discipline)}.`) });
      onChanged();
    } catch (err) {
      const found = problemsOf(err);
      setProblems(found);
      setOutcome({ error: found.length ? `The file was not imported: ${found.length === 1 ? 'one line is' : `${found.length} lines are`} not right. Nothing was changed.` : refusal(err), done: '' });
    }
  };
  return (
    <section class="admin-section" aria-labelledby="import-title">
      <h2 id="import-title">Import and export</h2>
      <p class="hint">Importing replaces one dictionary with a TSV file (the format of dictionaries/README.md). Every line is checked
        first: if any line is wrong, each one is listed and nothing changes.</p>
      <label for="import-discipline">Dictionary to import or export</label>
      <select id="import-discipline" value={discipline} onChange={(e) => setDiscipline(e.currentTarget.value)}>
        {disciplines.map((d) => <option key={d} value={d}>{disciplineName(d)}</option>)}
      </select>
      <form onSubmit={importFile} class="admin-form">
        <label for="import-file">TSV file to import</label>
        <input id="import-file" type="file" accept=".tsv,.txt,text/tab-separated-values" ref={file} />
        {outcome.error && <p class="error" role="alert">{outcome.error}</p>}
        {outcome.done && <p class="saved-line" role="status">{outcome.done}</p>}
        <ProblemList problems={problems} />
        <div class="dialog-actions">
          <button type="submit" class="primary">Check and import</button>
          <button type="button" onClick={() => void exportRun(async () => {
            const r = await admin.exportTsv(discipline);
            download(`${discipline}.tsv`, r.tsv);
            return r;
          }, (r) => `Downloaded ${discipline}.tsv (version ${r.version}).`)}>Export {disciplineName(discipline)} as TSV</button>
        </div>
        <OutcomeLine outcome={exported} />
      </form>
    </section>
  );
}

function Disciplines({ admin, disciplines, onChanged }: { admin: Admin; disciplines: string[]; onChanged: () => void }) {
  const [name, setName] = useState('');
  const [removing, setRemoving] = useState('');
  const [outcome, run] = useOutcome();
  const remove = async (yes: boolean) => {
    const d = removing;
    setRemoving('');
    if (yes && (await run(() => admin.removeDiscipline(d), (c) => changed(c, `Removed the ${disciplineName(d)} dictionary.`)))) onChanged();
  };
  return (
    <section class="admin-section" aria-labelledby="disciplines-title">
      <h2 id="disciplines-title">Disciplines</h2>
      <p class="hint">Each discipline has its own dictionary. A discipline that an agency has cannot be removed.</p>
      <ul class="chips">
        {disciplines.map((d) => (
          <li key={d}>{disciplineName(d)}{d !== 'general' && (
            <button type="button" class="link" onClick={() => setRemoving(d)}>Remove<span class="visually-hidden"> the {disciplineName(d)} discipline</span></button>
          )}</li>
        ))}
      </ul>
      <form class="inline-form" onSubmit={(e) => {
        e.preventDefault();
        void run(() => admin.addDiscipline(name.trim()), (c) => changed(c, `Added the ${disciplineName(name.trim())} dictionary.`))
          .then((c) => { if (c) { setName(''); onChanged(); } });
      }}>
        <label for="discipline-name">New discipline (lower case, dashes between words)</label>
        <input id="discipline-name" required value={name} onInput={(e) => setName(e.currentTarget.value)} />
        <button type="submit">Add the discipline</button>
      </form>
      <OutcomeLine outcome={outcome} />
      {removing && (
        <Confirm title={`Remove the ${disciplineName(removing)} dictionary?`} yes="Remove" onAnswer={(y) => void remove(y)}>
          <p>Its entries go with it. You can bring it back by making an earlier version current again.</p>
        </Confirm>
      )}
    </section>
  );
}
