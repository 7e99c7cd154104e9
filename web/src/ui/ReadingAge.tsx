// A reading age for families (jargon/include/liaise/jargon/reading_age.hpp; GOV.UK and the NHS
// aim for 9 to 11) as `liaise send` and `liaise meeting check` say it: for a draft in a room that
// includes the public, and for a family member's copy of minutes. Advice, never a hold-back.
import type { ComponentChildren } from 'preact';

/** What the note needs: the engine's reading age (the page's, or the server's JSON converted). */
export interface AgeShown {
  years: number;
  aboveAim: boolean;
  hardest: { years: number; text: string }[];
}

/** A reading age in words, as `liaise send` says it: "about 14", or "18 or over". */
export const years = (age: number) => (Math.round(age) >= 18 ? '18 or over' : `about ${Math.round(age)}`);

/** The server's reading_age JSON ({years, above_aim, hardest: [{reading_age, text}]}) as shown. */
export function ageFromJson(j: Record<string, unknown>): AgeShown {
  const hardest = Array.isArray(j.hardest) ? (j.hardest as Record<string, unknown>[]) : [];
  return {
    years: Number(j.years) || 0,
    aboveAim: j.above_aim === true,
    hardest: hardest.map((h) => ({ years: Number(h.reading_age) || 0, text: String(h.text ?? '') })),
  };
}

const short = (t: string) => (t.length > 90 ? `${t.slice(0, t.lastIndexOf(' ', 90) > 45 ? t.lastIndexOf(' ', 90) : 90)}…` : t);

/** How old a reader the text needs and, above the aim, the sentences that raise it most. */
export function ReadingAgeNote({ age, lead }: { age: AgeShown; lead?: ComponentChildren }) {
  return (
    <div class={`reading-age ${age.aboveAim ? 'above-aim' : ''}`}>
      <p>
        {lead}<strong>Reading age {years(age.years)}</strong>:{' '}
        {age.aboveAim ? 'the aim for families is 9 to 11. The sentences that raise it most:' : 'within the aim for families (9 to 11).'}
      </p>
      {age.aboveAim && age.hardest.length > 0 && (
        <ul aria-label="The hardest sentences">
          {age.hardest.map((h, i) => <li key={i}><span class="meta">[{years(h.years)}]</span> {short(h.text)}</li>)}
        </ul>
      )}
    </div>
  );
}
