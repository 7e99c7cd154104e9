// One room: who is in it and for whom to write, the timeline, and the message box.
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import * as plain from '../client/plain';
import type { Item, Question, Room, Session } from '../client/session';
import * as store from '../client/store';
import { isoTime, personName, ukWhen } from '../client/words';
import { audienceOf } from './Main';
import { GlossaryPanel } from './Glossary';
import { ReadingAgeNote } from './ReadingAge';
import { Verify } from './Verify';

export function RoomView({ session, room, onBack }: { session: Session; room: Room; onBack: () => void }) {
  const [error, setError] = useState('');
  const [loading, setLoading] = useState(!room.loaded);
  const [verifying, setVerifying] = useState<{ user: string; name: string } | null>(null);
  const [withdrawing, setWithdrawing] = useState<Item | null>(null);
  const timeline = useRef<HTMLOListElement>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const page = useRef<HTMLElement>(null);

  useEffect(() => {
    // Announced, not scrolled to: in a short window the room opens at its newest messages.
    heading.current?.focus({ preventScroll: true });
    session.openRoom(room.name).catch((e: Error) => setError(e.message)).finally(() => setLoading(false));
  }, [room.name]);

  const blockedMember = room.members.find((m) => m.user === room.blocked);
  const blockedName = blockedMember ? blockedMember.display_name || blockedMember.user : room.blocked;

  // Keep the newest message in view, and the room marked read while it is open; when older
  // history is added above, keep what was on screen where it was.
  const newest = room.items.length ? (room.items[room.items.length - 1] as Item).seq : 0;
  const oldest = room.items.length ? (room.items[0] as Item).seq : 0;
  const heightBefore = useRef(0);
  // In a short window the page scrolls as one (app.css): show the newest messages and the
  // message box together, when the room opens, when a message comes, and when the window turns
  // short (zoomed in) with the box out of sight.
  const showComposer = (onlyIfHidden: boolean) => {
    const s = document.scrollingElement;
    const box = page.current?.querySelector('.composer');
    if (!s || !box || s.scrollHeight <= s.clientHeight + 1) return;
    if (onlyIfHidden && box.getBoundingClientRect().bottom <= window.innerHeight) return;
    box.scrollIntoView({ block: 'end' });
  };
  const atBottom = useRef(true); // the timeline shows its newest message (kept so on a resize)
  useEffect(() => {
    const resized = () => {
      const t = timeline.current;
      if (t && atBottom.current) t.scrollTop = t.scrollHeight;
      showComposer(true);
    };
    window.addEventListener('resize', resized);
    return () => window.removeEventListener('resize', resized);
  }, []);
  // Read, for the server (room_read): the newest message on screen in a visible, focused tab.
  const seen = () => {
    if (document.visibilityState === 'visible' && document.hasFocus() && atBottom.current && newest > 0)
      void session.recordRead(room);
  };
  useEffect(() => {
    window.addEventListener('focus', seen);
    document.addEventListener('visibilitychange', seen);
    return () => {
      window.removeEventListener('focus', seen);
      document.removeEventListener('visibilitychange', seen);
    };
  });
  useLayoutEffect(() => {
    const t = timeline.current;
    if (t) t.scrollTop = t.scrollHeight;
    showComposer(false);
    if (document.visibilityState === 'visible') void session.markRead(room);
    seen();
  }, [newest]);
  useLayoutEffect(() => {
    const t = timeline.current;
    if (t && heightBefore.current) t.scrollTop += t.scrollHeight - heightBefore.current;
    heightBefore.current = 0;
  }, [oldest]);
  const help = useReadingHelp(session, room);
  // The reading help can add notes under messages: the newest stays in view.
  useLayoutEffect(() => {
    const t = timeline.current;
    if (t && atBottom.current) t.scrollTop = t.scrollHeight;
  }, [help]);
  const earlier = () => {
    if (timeline.current) heightBefore.current = timeline.current.scrollHeight;
    session.loadEarlier(room.name).catch((e: Error) => setError(e.message));
  };

  return (
    <main id="main" class="room" ref={page} aria-labelledby="room-title">
      <div class="room-head">
        <button type="button" class="link back" onClick={onBack}>← All rooms</button>
        <h1 id="room-title" ref={heading} tabIndex={-1}>{room.name}</h1>
        <p class="audience-line"><strong>Writing for:</strong> {audienceOf(room)}</p>
        <details class="members">
          <summary>{room.memberCount} {room.memberCount === 1 ? 'member' : 'members'}</summary>
          <ul>
            {room.members.map((m) => {
              const name = personName(m.display_name, m.agency, m.user);
              return (
                <li key={m.user}>
                  {name}{m.suspended ? ' — suspended' : ''}
                  {m.user === session.user ? ' (you)'
                    : session.isVerified(m.user) ? <span class="badge">Verified</span>
                    : <button type="button" class="link" onClick={() => setVerifying({ user: m.user, name: m.display_name || m.user })}>
                        Verify<span class="visually-hidden"> {name}</span></button>}
                </li>
              );
            })}
          </ul>
        </details>
        <GlossaryPanel session={session} room={room} />
      </div>
      {room.blocked && (
        <p class="banner danger" role="alert">
          Sending is stopped in this room: {blockedName}’s key changed since you verified them. Compare safety numbers with them again before trusting it.{' '}
          <button type="button" class="link" onClick={() => setVerifying({ user: room.blocked, name: blockedName })}>Compare safety numbers with {blockedName}</button>
        </p>
      )}
      {error && <p class="error" role="alert">{error}</p>}
      <ol class="timeline" ref={timeline} tabIndex={0} aria-label={`Messages in ${room.name}`} aria-busy={loading}
        onScroll={(e) => {
          const t = e.currentTarget;
          atBottom.current = t.scrollHeight - t.scrollTop - t.clientHeight < 8;
          seen();
          if (t.scrollTop < 40 && session.hasEarlier(room)) earlier();
        }}>
        {session.hasEarlier(room) && (
          <li class="event"><button type="button" class="link" onClick={earlier}>Load earlier messages</button></li>
        )}
        {loading && room.items.length === 0 && <li class="event">Loading messages…</li>}
        {!loading && room.items.length === 0 && <li class="event">No messages yet. Say hello.</li>}
        {room.items.map((item) => <TimelineItem key={item.seq} item={item} room={room} help={help.get(item.seq)}
          onWithdraw={() => setWithdrawing(item)} />)}
      </ol>
      <Composer session={session} room={room} />
      <AskTerm session={session} room={room} />
      {verifying && <Verify session={session} user={verifying.user} name={verifying.name} onClose={() => setVerifying(null)} />}
      {withdrawing && <ConfirmWithdraw item={withdrawing} roomName={room.name}
        answer={(yes) => {
          const item = withdrawing;
          setWithdrawing(null);
          if (yes) session.withdraw(room.name, item.seq).catch((e: Error) => setError(e.message));
        }} />}
    </main>
  );
}

/**
 * The reading help for the room's messages from others, by seq, as `liaise read` gives it: the
 * terms from other disciplines to mark, and the room's agreed terms, not marked but explained in
 * the room's words the first time the reader meets each (in timeline order). Checked in the
 * worker, message by message. A message that arrives after the others is checked alone, carrying
 * on from what the reader had met; anything else (earlier messages loaded, a message that became
 * readable, the glossary, the dictionaries or the disciplines changing) checks them all again.
 */
function useReadingHelp(session: Session, room: Room): Map<number, plain.Reading> {
  const [ready, setReady] = useState(0);
  const [help, setHelp] = useState<Map<number, plain.Reading>>(new Map());
  const done = useRef<{ base: string; seqs: number[]; readings: Map<number, plain.Reading>; met: string[] } | null>(null);
  useEffect(() => plain.onEngineChange(() => setReady((n) => n + 1)), []);
  const messages = room.items.filter((i) => i.kind === 'message' && !i.mine && typeof i.text === 'string');
  const base = [room.name, room.glossary.map((t) => `${t.term}\u0000${t.meaning}`).join('\u0001'),
    session.discipline, room.disciplines.join(), ready].join('|');
  const key = `${base}|${messages.map((i) => i.seq).join()}`;
  useEffect(() => {
    let current = true;
    void (async () => {
      const seqs = messages.map((m) => m.seq);
      const before = done.current;
      // Only new messages at the end: the readings so far stand.
      const extends_ = before !== null && before.base === base && before.seqs.length <= seqs.length
        && before.seqs.every((s, i) => s === seqs[i]);
      const out = new Map<number, plain.Reading>(extends_ ? before.readings : []);
      let met = extends_ ? before.met : [];
      for (const m of messages.slice(extends_ ? before.seqs.length : 0)) {
        const writer = session.disciplineOf(room, m.sender ?? '');
        const r = await plain.readInRoom(m.text as string, session.discipline, writer ? [writer] : room.disciplines, room.glossary, met);
        if (!current) return;
        met = r.met;
        out.set(m.seq, r);
      }
      done.current = { base, seqs, readings: out, met };
      setHelp(out);
    })();
    return () => { current = false; };
  }, [key]);
  return help;
}

function TimelineItem({ item, room, help, onWithdraw }: {
  item: Item; room: Room; help: plain.Reading | undefined; onWithdraw: () => void;
}) {
  const when = <time dateTime={isoTime(item.sentAt)}>{ukWhen(item.sentAt)}</time>;
  if (item.kind === 'event' && item.alert)
    // The note inside the list item: a role on the <li> itself would take it out of the list.
    return <li class="event alert"><span role="note"><strong>{item.eventText}</strong> · {when}</span></li>;
  if (item.kind === 'event' && item.timed) return <li class="event"><span>{item.eventText}</span></li>;
  if (item.kind === 'event') return <li class="event"><span>{item.eventText}</span> · {when}</li>;
  const agreed = help?.roomTerms ?? [];
  return (
    <li class={`message ${item.mine ? 'mine' : ''}`}>
      <p class="meta"><span class="sender">{item.mine ? 'You' : item.senderName}</span> · {when}</p>
      {item.text !== null && item.text !== undefined
        ? <p class="text">{item.mine ? item.text : <ReadWithHelp text={item.text} findings={help?.findings ?? []} senderName={item.senderName ?? ''} />}</p>
        : <p class="text unreadable">{item.problem ?? 'This message cannot be read.'}</p>}
      {agreed.length > 0 && (
        <ul class="room-terms" aria-label={`Agreed in ${room.name}`}>
          {agreed.map((t) => <li key={t.term}><strong>{t.term}</strong>: {t.meaning} <span class="meta">(agreed in this room)</span></li>)}
        </ul>
      )}
      {item.warnings.length > 0 && (
        <ul class="warnings" aria-label="Warnings about this message">
          {item.warnings.map((w, i) => <li key={i}><strong>Warning:</strong> {w.message}</li>)}
        </ul>
      )}
      {item.mine && item.text != null && (
        <p class="message-actions">
          <button type="button" class="link" onClick={onWithdraw}>
            Withdraw<span class="visually-hidden"> your message sent {ukWhen(item.sentAt)}</span>
          </button>
        </p>
      )}
    </li>
  );
}

/** Asks before withdrawing one's own message: every member's device deletes it. */
function ConfirmWithdraw({ item, roomName, answer }: { item: Item; roomName: string; answer: (yes: boolean) => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    dialog.current?.showModal();
  }, []);
  return (
    <dialog ref={dialog} class="dialog" aria-labelledby="withdraw-title" aria-describedby="withdraw-text"
      onCancel={(e) => { e.preventDefault(); answer(false); }}>
      <h2 id="withdraw-title">Withdraw this message?</h2>
      <p id="withdraw-text">Every member’s device in {roomName} deletes it, and they see that you withdrew it and when. This cannot be undone.</p>
      <blockquote class="quoted">{item.text}</blockquote>
      <div class="dialog-actions">
        <button type="button" class="primary" onClick={() => answer(true)}>Withdraw message</button>
        <button type="button" onClick={() => answer(false)} autoFocus>Keep it</button>
      </div>
    </dialog>
  );
}

/**
 * A message from someone else with each term from another discipline marked; a marked term
 * opens the dictionary's explanation. The sender's words are shown as they wrote them: nothing
 * is put into them.
 */
function ReadWithHelp({ text, findings, senderName }: { text: string; findings: plain.Finding[]; senderName: string }) {
  const [open, setOpen] = useState<plain.Finding | null>(null);
  if (findings.length === 0) return <>{text}</>;
  const parts: preact.ComponentChild[] = [];
  let at = 0;
  findings.forEach((f, i) => {
    if (f.start < at) return;
    parts.push(text.slice(at, f.start));
    parts.push(<button key={i} type="button" class="term" aria-haspopup="dialog"
      onClick={() => setOpen(f)}>{text.slice(f.start, f.end)}<span class="visually-hidden"> (explain this term)</span></button>);
    at = f.end;
  });
  parts.push(text.slice(at));
  return (
    <>
      {parts}
      {open && <TermPopover finding={open} senderName={senderName} onClose={() => setOpen(null)} />}
    </>
  );
}

function TermPopover({ finding, senderName, onClose }: { finding: plain.Finding; senderName: string; onClose: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => { dialog.current?.showModal(); }, []);
  const meanings = finding.meanings.length > 0 ? finding.meanings
    : [{ discipline: finding.disciplines[0] ?? '', alternatives: finding.alternatives, explanation: finding.explanation }];
  return (
    <dialog ref={dialog} class="dialog term-popover" aria-labelledby="term-title" aria-describedby="term-source"
      onCancel={(e) => { e.preventDefault(); onClose(); }}>
      <h2 id="term-title">What “{finding.text}” may mean</h2>
      <p id="term-source" class="hint">From Liaise’s dictionary, not from {senderName || 'the sender'}: ask them if you are not sure.</p>
      {finding.kind === 'unknown-acronym'
        ? <p>No dictionary knows this abbreviation.</p>
        : <ul class="meanings">
            {meanings.map((m, i) => (
              <li key={i}>
                {m.discipline && <strong>In {disciplineWords(m.discipline)}: </strong>}
                {m.alternatives[0] ?? ''}{m.explanation ? ` — ${m.explanation}` : ''}
              </li>
            ))}
          </ul>}
      <div class="dialog-actions"><button type="button" class="primary" onClick={onClose}>Close</button></div>
    </dialog>
  );
}

function Composer({ session, room }: { session: Session; room: Room }) {
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [confirm, setConfirm] = useState<{ names: string[]; answer: (yes: boolean) => void } | null>(null);
  const [findings, setFindings] = useState<plain.Finding[]>([]);
  const [ignored, setIgnored] = useState<string[]>([]);
  const [card, setCard] = useState<number | null>(null);
  const [asking, setAsking] = useState(false);
  const fixed = useRef<plain.Finding[]>([]); // made plain in this draft: counted when it is sent
  const box = useRef<HTMLTextAreaElement>(null);
  const mirror = useRef<HTMLDivElement>(null);
  const draftKey = `draft:${room.name}`;
  const saveTimer = useRef<number>(0);
  const checkTimer = useRef<number>(0);
  const audience = { public: room.public, disciplines: room.disciplines };

  const shown = findings.filter((f) => !ignored.includes(f.term));
  // The writer's discipline settles what an ambiguous term of theirs means, as in `liaise send`.
  const writers = session.discipline ? [session.discipline] : [];
  // The room's agreed terms pass unless it includes the public, as in `liaise send`.
  const checked = (value: string) => plain.checkDraft(value, audience, writers, room.glossary);
  const agreed = room.glossary.map((t) => t.term).join('\n');
  // Checks run in the worker: only the answer for the newest text is shown.
  const latest = useRef(0);
  const [age, setAge] = useState<plain.ReadingAge | null>(null);
  const check = (value: string) => {
    const n = ++latest.current;
    void checked(value).then((d) => {
      if (n !== latest.current) return;
      setFindings(d.findings);
      setAge(d.readingAge ?? null);
    });
  };

  useEffect(() => {
    void store.get<string>(draftKey).then((d) => { if (d) { setText(d); check(d); } });
  }, [draftKey]);
  // Check again when the engine arrives, the dictionaries change, or the room's audience or
  // agreed terms do.
  useEffect(() => plain.onEngineChange(() => check(box.current?.value ?? '')), [room.public, room.disciplines.join(), agreed]);
  useEffect(() => check(text), [room.public, room.disciplines.join(), agreed]);

  const update = (value: string, now = false) => {
    setText(value);
    window.clearTimeout(saveTimer.current);
    saveTimer.current = window.setTimeout(() => void (value ? store.put(draftKey, value) : store.remove(draftKey)), 250);
    window.clearTimeout(checkTimer.current);
    if (now) check(value);
    else checkTimer.current = window.setTimeout(() => check(value), 150);
  };

  const apply = (f: plain.Finding, how: 'plain' | 'brackets' | 'ignore') => {
    setCard(null);
    const fix = how === 'plain' ? f.replace : how === 'brackets' ? f.explain : null;
    if (how === 'ignore' || !fix) {
      if (how === 'ignore') setIgnored([...ignored, f.term]);
      box.current?.focus();
      return;
    }
    // Made plain or explained in brackets: counted as fixed when sent, as `liaise send --fix`
    // and `--explain-fix` count. A term explained right after it is explained for the rest of
    // the draft, so it is underlined no more.
    fixed.current.push(f);
    const next = plain.applyFix(text, fix);
    update(next.text, true);
    // Put the caret after the changed words so that typing goes on from there.
    requestAnimationFrame(() => { box.current?.focus(); box.current?.setSelectionRange(next.caret, next.caret); });
  };

  const sending = useRef(false); // one send at a time, even before `busy` is drawn
  const send = async (asWritten = false) => {
    const message = text.trim();
    if (!message || busy || sending.current) return;
    sending.current = true;
    const n = ++latest.current;
    const all = await checked(text).finally(() => { sending.current = false; });
    if (n === latest.current) setFindings(all.findings);
    const current = all.findings.filter((f) => !ignored.includes(f.term));
    if (current.length > 0 && !asWritten) {
      setAsking(true);
      return;
    }
    setAsking(false);
    setBusy(true);
    setError('');
    try {
      await session.send(room.name, message, (names) => new Promise((answer) => setConfirm({ names, answer })));
      const made = fixed.current;
      fixed.current = [];
      void session.recordFeedback('fixed', made).then(() => session.recordFeedback('sent_anyway', current));
      setText('');
      setFindings([]);
      setAge(null);
      setIgnored([]);
      window.clearTimeout(saveTimer.current);
      await store.remove(draftKey);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
      setConfirm(null);
      box.current?.focus();
    }
  };

  // The whole draft fixed as `liaise send --fix` or `--explain-fix` fixes it; the person sees
  // the dictionaries' words in the box before anything is sent in their name.
  const fixAll = async (how: 'fixed' | 'explained') => {
    setAsking(false);
    const draft = await checked(text);
    fixed.current.push(...draft.findings.filter((f) => f.replace || f.explain));
    update(draft[how], true);
    box.current?.focus();
  };

  // The mirror behind the textarea: the same text, transparent, with each finding underlined.
  const marked: preact.ComponentChild[] = [];
  let at = 0;
  shown.forEach((f, i) => {
    if (f.start < at) return;
    marked.push(text.slice(at, f.start));
    marked.push(<mark key={i} class="finding">{text.slice(f.start, f.end)}</mark>);
    at = f.end;
  });
  marked.push(text.slice(at) + '\n');
  const open = card === null ? null : shown[card] ?? null;

  return (
    <form class="composer" onSubmit={(e) => { e.preventDefault(); void send(); }}>
      {error && <p class="error" role="alert">{error}</p>}
      <label for="composer-text">Message to {room.name}</label>
      <div class="draft">
        <div class="draft-mirror" ref={mirror} aria-hidden="true">{marked}</div>
        <textarea id="composer-text" ref={box} rows={3} value={text} disabled={!!room.blocked}
          aria-describedby={shown.length ? 'composer-hint composer-findings-title' : 'composer-hint'}
          onInput={(e) => update(e.currentTarget.value)}
          onScroll={(e) => { if (mirror.current) mirror.current.scrollTop = e.currentTarget.scrollTop; }}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); void send(); }
          }} />
      </div>
      {shown.length > 0 && (
        <div class="findings">
          <p id="composer-findings-title" class="hint">
            {shown.length === 1 ? '1 word' : `${shown.length} words`} your readers may not know (underlined):
          </p>
          <ul aria-labelledby="composer-findings-title">
            {shown.map((f, i) => (
              <li key={`${f.start}-${f.term}`}>
                <button type="button" class="finding-button" aria-haspopup="dialog" onClick={() => setCard(i)}>
                  {f.text}<span class="visually-hidden">: what it means and plainer words</span>
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
      {age && room.public && text.trim() && <ReadingAgeNote age={age} />}
      <div class="composer-row">
        <button type="submit" class="primary" disabled={busy || !text.trim() || !!room.blocked}>{busy ? 'Sending…' : 'Send'}</button>
      </div>
      <p class="hint composer-hint" id="composer-hint">Enter sends; Shift+Enter starts a new line. Only the people in this room can read it.</p>
      {open && <FindingCard finding={open} onClose={() => { setCard(null); box.current?.focus(); }} onApply={(how) => apply(open, how)} />}
      {asking && (
        <SendWithFindings count={shown.length} canFix={shown.some((f) => f.replace)} canExplain={shown.some((f) => f.explain)}
          onSend={() => void send(true)} onFix={() => void fixAll('fixed')} onExplain={() => void fixAll('explained')}
          onEdit={() => { setAsking(false); box.current?.focus(); }} />
      )}
      {confirm && <NewReaders names={confirm.names} roomName={room.name} answer={confirm.answer} />}
    </form>
  );
}

const disciplineWords = (d: string) => d.replace(/-/g, ' ');

/** One finding: what it means, plainer words, and what to do about it. */
function FindingCard({ finding, onClose, onApply }: {
  finding: plain.Finding; onClose: () => void; onApply: (how: 'plain' | 'brackets' | 'ignore') => void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => { dialog.current?.showModal(); }, []);
  const plainWords = finding.replace?.text;
  return (
    <dialog ref={dialog} class="dialog finding-card" aria-labelledby="finding-title" aria-describedby="finding-meaning"
      onCancel={(e) => { e.preventDefault(); onClose(); }}>
      <h2 id="finding-title">“{finding.text}”</h2>
      <div id="finding-meaning">
        {finding.kind === 'unknown-acronym'
          ? <p>No dictionary knows this abbreviation: your readers may not know it either. Spell it out.</p>
          : <p>{finding.explanation || 'Your readers may not know this.'}
              {finding.disciplines.length > 0 && <> (Used in {finding.disciplines.map(disciplineWords).join(', ')}.)</>}</p>}
      </div>
      {finding.alternatives.length > 0 && (
        <>
          <h3 class="small-heading" id="finding-alternatives">Plainer words</h3>
          <ul aria-labelledby="finding-alternatives">{finding.alternatives.map((a) => <li key={a}>{a}</li>)}</ul>
        </>
      )}
      {!finding.replace && !finding.explain && finding.kind !== 'unknown-acronym' && (
        <p class="hint">{finding.meanings.length > 1
          ? 'It means different things to different disciplines: only you know which you mean, so say it in your own words.'
          : 'There is no plain alternative that fits here: say it in your own words.'}</p>
      )}
      <div class="dialog-actions">
        {plainWords && <button type="button" class="primary" onClick={() => onApply('plain')}>Use plain words<span class="visually-hidden">: {plainWords}</span></button>}
        {finding.explain && <button type="button" class={plainWords ? '' : 'primary'} onClick={() => onApply('brackets')}>Explain in brackets<span class="visually-hidden">: {finding.explain.text}</span></button>}
        <button type="button" onClick={() => onApply('ignore')}>Ignore in this message</button>
        <button type="button" class="link" onClick={onClose}>Close</button>
      </div>
    </dialog>
  );
}

/** Asked once when a draft with findings is sent. */
function SendWithFindings({ count, canFix, canExplain, onSend, onFix, onExplain, onEdit }: {
  count: number; canFix: boolean; canExplain: boolean; onSend: () => void; onFix: () => void; onExplain: () => void;
  onEdit: () => void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => { dialog.current?.showModal(); }, []);
  return (
    <dialog ref={dialog} class="dialog" aria-labelledby="plain-send-title" aria-describedby="plain-send-text"
      onCancel={(e) => { e.preventDefault(); onEdit(); }}>
      <h2 id="plain-send-title">Send with words your readers may not know?</h2>
      <p id="plain-send-text">This message still has {count === 1 ? '1 underlined word' : `${count} underlined words`} that people in this room may not know.</p>
      <div class="dialog-actions">
        <button type="button" onClick={onSend}>Send as written</button>
        {canFix && <button type="button" class="primary" onClick={onFix}>Fix: use plain words</button>}
        {canExplain && <button type="button" onClick={onExplain}>Explain each in brackets</button>}
        {/* Focused first: Enter pressed twice by habit keeps the draft rather than sending it. */}
        <button type="button" onClick={onEdit} autoFocus>Keep editing</button>
      </div>
    </dialog>
  );
}

function NewReaders({ names, roomName, answer }: { names: string[]; roomName: string; answer: (yes: boolean) => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    dialog.current?.showModal();
  }, []);
  return (
    <dialog ref={dialog} class="dialog" aria-labelledby="readers-title" aria-describedby="readers-text"
      onCancel={(e) => { e.preventDefault(); answer(false); }}>
      <h2 id="readers-title">New readers</h2>
      <p id="readers-text">This message will also be readable by people you have not written to in {roomName} before:</p>
      <ul>{names.map((n) => <li key={n}>{n}</li>)}</ul>
      <div class="dialog-actions">
        <button type="button" class="primary" onClick={() => answer(true)}>Send to them too</button>
        <button type="button" onClick={() => answer(false)}>Don’t send</button>
      </div>
    </dialog>
  );
}

/**
 * "Ask an administrator about a word": first "Look it up" in the dictionaries (`liaise
 * explain`); the answer to a question comes back as a notice, and the person's questions are
 * listed here with their answers once given.
 */
function AskTerm({ session, room }: { session: Session; room: Room }) {
  const [term, setTerm] = useState('');
  const [found, setFound] = useState<{ term: string; meanings: plain.Meaning[] | null } | null>(null);
  const [status, setStatus] = useState('');
  const [error, setError] = useState('');
  const [open, setOpen] = useState(false);
  const [asked, setAsked] = useState<Question[]>([]);
  useEffect(() => {
    if (open) void session.myQuestions().then(setAsked, () => undefined);
  }, [open, session.questionsChanged]);
  const submit = async (e: Event) => {
    e.preventDefault();
    setError('');
    setStatus('');
    if (!term.trim()) return;
    try {
      await session.ask(term, room.name);
      setStatus(`Your question about “${term.trim()}” was sent to the administrators. Their answer will appear at the top of the page and below.`);
      setTerm('');
    } catch (err) {
      setError((err as Error).message);
    }
  };
  const lookUp = async () => {
    const t = term.trim();
    setError('');
    setStatus('');
    if (t) setFound({ term: t, meanings: await plain.lookUp(t) });
  };
  const answer = (q: Question) =>
    q.status === 'answered' ? q.reply || 'answered'
    : q.status === 'dismissed' ? `not answered${q.reply ? `: ${q.reply}` : ''}`
    : 'waiting for an answer';
  return (
    <details class="ask" onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>Ask an administrator what a word means</summary>
      <form onSubmit={submit}>
        {error && <p class="error" role="alert">{error}</p>}
        <label for="ask-term">Word or abbreviation</label>
        <div class="ask-row">
          <input id="ask-term" value={term} onInput={(e) => { setTerm(e.currentTarget.value); setFound(null); }} autocomplete="off" />
          <button type="button" onClick={() => void lookUp()}>Look it up</button>
          <button type="submit">Ask</button>
        </div>
        {status && <p role="status" class="hint">{status}</p>}
        {found && (
          <div role="status" class="looked-up">
            {found.meanings === null ? <p>The dictionaries are not loaded yet: try again in a moment, or ask.</p>
              : found.meanings.length === 0 ? <p>No dictionary has “{found.term}”: ask an administrator.</p>
              : <>
                  <p>What Liaise’s dictionaries say “{found.term}” means:</p>
                  <ul>{found.meanings.map((m, i) => (
                    <li key={i}><strong>In {disciplineWords(m.discipline)}: </strong>{m.alternatives[0] ?? ''}{m.explanation ? ` — ${m.explanation}` : ''}</li>
                  ))}</ul>
                </>}
          </div>
        )}
      </form>
      {asked.length > 0 && (
        <>
          <h3 class="small-heading" id="asked-title">Your questions</h3>
          <ul class="asked" aria-labelledby="asked-title">
            {asked.map((q) => (
              <li key={q.id}><strong>{q.term}</strong>{q.room ? ` (in ${q.room})` : ''}: {answer(q)}</li>
            ))}
          </ul>
        </>
      )}
    </details>
  );
}
