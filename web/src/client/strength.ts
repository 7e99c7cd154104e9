// The passphrase strength rule of the `liaise` command (client/src/strength.cpp): at least 50
// bits (2^50 guesses) as zxcvbn estimates it, with the person's account name, display name and
// agency counted as words an attacker tries first. The browser uses zxcvbn-ts (the JavaScript
// port) where the command uses libzxcvbn, so estimates near the bar can differ slightly; its
// dictionaries are zxcvbn-ts's common passwords, diceware words, English common words and
// first names, and the person's own words.
// Loaded on demand (its dictionaries are large): import('./strength').
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import commonWords from '@zxcvbn-ts/language-en/dist/commonWords.json.mjs';
import firstnames from '@zxcvbn-ts/language-en/dist/firstnames.json.mjs';
import translations from '@zxcvbn-ts/language-en/dist/translations.mjs';

export const kMinPassphraseBits = 50;

let factory: ZxcvbnFactory | null = null;

/** The person's words as the user dictionary: each whole, each word, and the words joined. */
export function ownWords(words: string[]): string[] {
  const out: string[] = [];
  const add = (w: string) => { if (w.length >= 3) out.push(w); };
  for (const whole of words) {
    const lower = whole.toLowerCase();
    const parts = lower.split(/[^\p{L}\p{N}]+/u).filter(Boolean);
    parts.forEach(add);
    add(lower);
    add(parts.join(''));
  }
  return out;
}

export interface Strength {
  bits: number;
  ok: boolean;
  /** Why it is weak, in words (empty when ok). */
  why: string;
}

export async function checkPassphrase(passphrase: string, own: string[]): Promise<Strength> {
  factory ??= new ZxcvbnFactory({
    // English common words and first names, not the surname and Wikipedia lists: they would
    // more than double the download for little.
    dictionary: { ...common.dictionary, 'commonWords-en': commonWords, 'firstnames-en': firstnames },
    graphs: common.adjacencyGraphs,
    translations,
  });
  const r = await factory.check(passphrase, ownWords(own));
  const bits = r.guessesLog10 * Math.log2(10);
  if (bits >= kMinPassphraseBits) return { bits, ok: true, why: '' };
  let mine = 0, dictionary = 0, pattern = 0;
  for (const m of r.sequence) {
    const length = m.token.length;
    if (m.pattern === 'dictionary' && 'dictionaryName' in m && m.dictionaryName === 'userInputs') mine += length;
    else if (m.pattern === 'dictionary') dictionary += length;
    else if (['repeat', 'sequence', 'spatial', 'date', 'regex'].includes(m.pattern)) pattern += length;
  }
  const why = mine > 0 ? 'it contains your name or your agency’s'
    : dictionary >= pattern && dictionary * 2 >= passphrase.length ? 'it is mostly a common password or word'
    : pattern * 2 >= passphrase.length ? 'it is mostly a keyboard pattern, a sequence, a date or repeats'
    : 'it is too short';
  return { bits, ok: false, why };
}
