// The questions queue: words people asked about. Answer with a reply, answer by adding the
// term to a dictionary (everyone's Liaise then explains it), or dismiss.
import { useEffect, useState } from 'preact/hooks';
import type { Admin, Question } from '../../client/admin';
import { OutcomeLine, disciplineName, lines, ukDateTimeOf, useOutcome } from './common';

const kStatuses = [['open', 'Waiting for an answer'], ['answered', 'Answered'], ['dismissed', 'Dismissed'], ['all', 'All']] as const;

export function QuestionsPage({ admin }: { admin: Admin }) {
  const [status, setStatus] = useState('open');
  const [questions, setQuestions] = useState<Question[] | null>(null);
  const [disciplines, setDisciplines] = useState<string[]>([]);
  const [loaded, load] = useOutcome();
  const refresh = () => load(async () => setQuestions(await admin.questions(status)));
  useEffect(() => { void refresh(); }, [status]);
  useEffect(() => { void admin.dictionaries().then((d) => setDisciplines(d.disciplines), () => undefined); }, []);
  return (
    <section class="admin-section" aria-labelledby="questions-title">
      <h2 id="questions-title">Questions about words</h2>
      <p class="hint">When someone does not know a word, they can ask here. Your answer reaches them as a notice.</p>
      <label for="questions-status">Show</label>
      <select id="questions-status" value={status} onChange={(e) => setStatus(e.currentTarget.value)}>
        {kStatuses.map(([k, l]) => <option key={k} value={k}>{l}</option>)}
      </select>
      <OutcomeLine outcome={loaded} />
      {questions?.length === 0 && <p>No questions here.</p>}
      <ul class="cards">
        {questions?.map((q) => <QuestionCard key={q.id} admin={admin} question={q} disciplines={disciplines} />)}
      </ul>
    </section>
  );
}

function QuestionCard({ admin, question: q, disciplines }: { admin: Admin; question: Question; disciplines: string[] }) {
  const [reply, setReply] = useState('');
  const [discipline, setDiscipline] = useState('');
  const [alternatives, setAlternatives] = useState('');
  const [explanation, setExplanation] = useState('');
  const [outcome, run] = useOutcome();
  const [closed, setClosed] = useState(false);
  const id = `question-${q.id}`;
  const open = q.status === 'open' && !closed;
  const chosen = discipline || disciplines.find((d) => d !== 'general') || '';
  // Answered or dismissed: the forms go; the list is fetched again when the filter changes.
  const after = (r: unknown) => { if (r) setClosed(true); };
  return (
    <li class="admin-card" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>“{q.term}” <span class="meta">· question {q.id}</span></h3>
      <p class="meta">Asked by {q.asked_by} on {ukDateTimeOf(q.asked_at)}{q.room ? ` in ${q.room}` : ''} · {kStatuses.find(([k]) => k === q.status)?.[1] ?? q.status}</p>
      {q.reply && <p>Reply: {q.reply}</p>}
      {open && (
        <>
          <form class="admin-form" onSubmit={(e) => {
            e.preventDefault();
            void run(() => admin.answer(q.id, reply), `Answered question ${q.id}.`).then(after);
          }}>
            <label for={`${id}-reply`}>Reply to {q.asked_by}</label>
            <textarea id={`${id}-reply`} rows={2} value={reply} onInput={(e) => setReply(e.currentTarget.value)} />
            <div class="dialog-actions">
              <button type="submit" class="primary" disabled={!reply.trim()}>Answer<span class="visually-hidden"> question {q.id}</span></button>
              <button type="button" onClick={() => void run(() => admin.dismiss(q.id, reply), `Dismissed question ${q.id}.`).then(after)}>
                Dismiss<span class="visually-hidden"> question {q.id}</span></button>
            </div>
          </form>
          <details class="add-term">
            <summary>Add “{q.term}” to a dictionary and answer</summary>
            <form class="admin-form" onSubmit={(e) => {
              e.preventDefault();
              void run(() => admin.answer(q.id, reply, { discipline: chosen, alternatives: lines(alternatives), explanation: explanation.trim() }),
                `Added “${q.term}” to ${disciplineName(chosen)} and answered question ${q.id}.`).then(after);
            }}>
              <label for={`${id}-discipline`}>Dictionary</label>
              <select id={`${id}-discipline`} value={chosen} onChange={(e) => setDiscipline(e.currentTarget.value)}>
                {disciplines.map((d) => <option key={d} value={d}>{disciplineName(d)}</option>)}
              </select>
              <label for={`${id}-alternatives`}>Plain words (one per line)</label>
              <textarea id={`${id}-alternatives`} rows={2} required value={alternatives} onInput={(e) => setAlternatives(e.currentTarget.value)} />
              <label for={`${id}-explanation`}>Explanation, in one line of plain words</label>
              <input id={`${id}-explanation`} required value={explanation} onInput={(e) => setExplanation(e.currentTarget.value)} />
              <button type="submit" class="primary">Add the term and answer</button>
            </form>
          </details>
        </>
      )}
      <OutcomeLine outcome={outcome} />
    </li>
  );
}
