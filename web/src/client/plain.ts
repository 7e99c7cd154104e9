// The seam for plain-language help while writing. The jargon engine compiled to WebAssembly
// plugs in here: `checkDraft` will return its findings (PROTOCOL.md, "Findings") for the
// room's audience, and the composer underlines them. Until then it finds nothing: the browser
// shows no help rather than made-up help.
export interface Finding {
  start: number; // UTF-16 offsets into the draft (the engine's UTF-8 offsets, converted)
  end: number;
  term: string;
  alternatives: string[];
  explanation: string;
}

export interface Audience {
  public: boolean;
  disciplines: string[];
}

/** Whether the engine is available in this build (false: no underlining is offered). */
export const engineAvailable = false;

export function checkDraft(_text: string, _audience: Audience): Finding[] {
  return [];
}
