// The plain-language engine (jargon/wasm, the same C++ as `liaise check`) and what the writing
// and reading help ask of it, in whichever thread holds it: the page's Web Worker
// (src/worker.ts), or the page itself where no worker can start (src/client/plain.ts decides).
// Offsets come back in UTF-16 units, ready for the page's strings.

export interface Meaning {
  discipline: string;
  alternatives: string[];
  explanation: string;
}

/** One edit of a draft: [start, end) in UTF-16 units becomes `text`. */
export interface Fix {
  start: number;
  end: number;
  text: string;
}

/** One finding as the engine gives it (PROTOCOL.md, "Findings"), plus UTF-16 offsets. */
export interface Finding {
  /** UTF-16 offsets into the checked text (the engine's UTF-8 offsets, converted). */
  start: number;
  end: number;
  text: string; // the words as written
  term: string; // the dictionary's term
  kind: string;
  disciplines: string[];
  alternatives: string[];
  explanation: string;
  meanings: Meaning[];
  /**
   * In a draft: "use plain words" and "explain in brackets" for this finding alone, as the
   * engine's offer_fixes() gives them (jargon/include/liaise/jargon/fix.hpp); null where the
   * rules give none (an acronym describing a noun is not replaced; a term whose meanings differ
   * is left for the writer).
   */
  replace?: Fix | null;
  explain?: Fix | null;
}

/**
 * A message from someone else checked for this reader: what to mark, and the room's agreed terms
 * it explains to the reader for the first time (`met`: every agreed term met so far, to pass on
 * with the next message).
 */
export interface Reading {
  findings: Finding[];
  roomTerms: RoomTerm[];
  met: string[];
}

/** A draft checked for its room: the findings and the whole text fixed both ways. */
export interface Draft {
  findings: Finding[];
  /** Plain words where they fit, else explained (`liaise send --fix`). */
  fixed: string;
  /** Every term kept and explained on first use (`liaise send --explain-fix`). */
  explained: string;
  /** For a room that includes the public: how old a reader the draft needs (null: no words). */
  readingAge?: ReadingAge | null;
  /** Checked in the page's worker: how long the check itself took there (ms). */
  workerMs?: number;
}

/**
 * The reading age of a text for families (jargon/include/liaise/jargon/reading_age.hpp; the
 * GOV.UK and NHS aim is 9 to 11), with the sentences that raise it most (UTF-16 offsets).
 */
export interface ReadingAge {
  years: number;
  aboveAim: boolean;
  hardest: { start: number; end: number; years: number; text: string }[];
}

export interface Audience {
  public: boolean;
  disciplines: string[];
}

/** One of a room's agreed terms (PROTOCOL.md, "Room glossary"), as the engine needs it. */
export interface RoomTerm {
  term: string;
  meaning: string;
}

type Json = Record<string, unknown>;

interface Module {
  load(reply: Json): { ok: boolean; problems?: string[] };
  draft(text: string, audience: string | string[], writers: string[], glossary: RoomTerm[]): Json;
  checkForReader(text: string, reader: string, writers: string[], glossary: RoomTerm[], met: string[]): Json;
  utf16Ranges(text: string, findings: { start: number; end: number }[]): [number, number][];
  explain(term: string): Json;
  readingAge(text: string, hardest?: number): Json;
}

function audienceArg(a: Audience): string | string[] {
  return a.public ? 'public' : a.disciplines;
}

/** One engine instance with its dictionaries. */
export class EngineHost {
  private constructor(private readonly m: Module) {}

  /** Compiles the WebAssembly at `wasm` (a URL on this server). */
  static async create(wasm: string): Promise<EngineHost> {
    // The Emscripten glue, a chunk of its own (web/build.mjs): not part of a first visit.
    const glue = (await import('liaise-jargon-glue')).default;
    if (!glue) throw new Error('this build has no plain-language engine');
    return new EngineHost((await glue({ locateFile: () => wasm })) as Module);
  }

  /** Loads a `dictionaries` reply; a reply that does not validate keeps the ones before. */
  load(reply: Json): boolean {
    return this.m.load(reply).ok;
  }

  private withRanges(text: string, result: Json): Finding[] {
    if (!Array.isArray(result.findings)) return [];
    const raw = result.findings as Json[];
    const ranges = this.m.utf16Ranges(text, raw as unknown as Fix[]);
    return raw.map((f, i) => {
      const [start, end] = ranges[i] ?? [0, 0];
      return {
        start, end,
        text: String(f.text ?? ''),
        term: String(f.term ?? ''),
        kind: String(f.kind ?? ''),
        disciplines: (f.disciplines as string[]) ?? [],
        alternatives: (f.alternatives as string[]) ?? [],
        explanation: String(f.explanation ?? ''),
        meanings: (f.meanings as Meaning[]) ?? [],
      };
    });
  }

  /** The draft check with `liaise send`'s rules (see checkDraft in plain.ts). */
  draft(text: string, audience: Audience, writers: string[], glossary: RoomTerm[] = []): Draft {
    const none: Draft = { findings: [], fixed: text, explained: text };
    if (!text || (!audience.public && audience.disciplines.length === 0)) return none;
    const terms = glossary.map((t) => ({ term: t.term, meaning: t.meaning }));
    const r = this.m.draft(text, audienceArg(audience), writers, terms);
    if (!Array.isArray(r.fixes)) return none;
    const findings = this.withRanges(text, r);
    const choices = r.fixes as ({ replace: Fix | null; explain: Fix | null } | undefined)[];
    // Every fix's range in UTF-16 units from one call into the engine: a call copies the whole
    // draft in, and two a finding cost more than the check itself (bench/web_bench.mjs).
    const wanted: Fix[] = [];
    findings.forEach((_, i) => {
      for (const f of [choices[i]?.replace, choices[i]?.explain]) if (f) wanted.push(f);
    });
    const ranges = wanted.length > 0 ? (this.m.utf16Ranges(text, wanted) as [number, number][]) : [];
    let next = 0;
    const inUtf16 = (f: Fix | null | undefined): Fix | null => {
      if (!f) return null;
      const [start, end] = ranges[next++] ?? [0, 0];
      return { start, end, text: f.text };
    };
    findings.forEach((f, i) => {
      f.replace = inUtf16(choices[i]?.replace);
      f.explain = inUtf16(choices[i]?.explain);
    });
    return {
      findings,
      fixed: typeof r.fixed === 'string' ? r.fixed : text,
      explained: typeof r.explained === 'string' ? r.explained : text,
      readingAge: audience.public ? this.readingAge(text) : undefined,
    };
  }

  /** How old a reader `text` needs, as `liaise send` says it for a room with the public. */
  readingAge(text: string): ReadingAge | null {
    const r = this.m.readingAge(text, 3);
    if (typeof r.years !== 'number') return null;
    const hardest = Array.isArray(r.hardest) ? (r.hardest as Json[]) : [];
    const ranges = this.m.utf16Ranges(text, hardest as unknown as Fix[]);
    return {
      years: r.years,
      aboveAim: r.above_aim === true,
      hardest: hardest.map((h, i) => {
        const [start, end] = ranges[i] ?? [0, 0];
        return { start, end, years: Number(h.reading_age) || 0, text: text.slice(start, end) };
      }),
    };
  }

  /** Every dictionary's meaning of `term` (`liaise explain`); none for a term no dictionary has. */
  explain(term: string): Meaning[] {
    const r = this.m.explain(term);
    return Array.isArray(r.meanings) ? (r.meanings as Meaning[]) : [];
  }

  /** The reader's check, with the room's agreed terms (see readInRoom in plain.ts). */
  reader(text: string, reader: string, writers: string[], glossary: RoomTerm[] = [], met: string[] = []): Reading {
    if (!text || !reader || writers.length === 0) return { findings: [], roomTerms: [], met };
    const terms = glossary.map((t) => ({ term: t.term, meaning: t.meaning }));
    const r = this.m.checkForReader(text, reader, writers, terms, met);
    return {
      findings: this.withRanges(text, r),
      roomTerms: Array.isArray(r.room_terms) ? (r.room_terms as RoomTerm[]) : [],
      met: Array.isArray(r.met) ? (r.met as string[]) : met,
    };
  }
}
