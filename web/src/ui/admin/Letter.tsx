// The printable letter that goes with an enrolment or replacement-device code: the code and,
// in plain words for someone who has never used Liaise, what to do with it and how to keep it
// safe. Printing shows the letter alone (app.css, "@media print").
import { useEffect, useRef } from 'preact/hooks';
import type { Code } from '../../client/admin';
import { ukDateTimeOf } from './common';

export interface LetterFor {
  code: Code;
  /** true: a replacement device for an existing account; false: a new account. */
  replacement: boolean;
  displayName: string;
  agency: string;
  role: string;
  issuedBy: string;
}

const roleWords: Record<string, string> = {
  member: 'a member (you can write and read in the rooms you are added to)',
  chair: 'a chair (you can also set up rooms and chair meetings)',
  admin: 'an administrator (you can also manage accounts and dictionaries)',
};

export function Letter({ letter, onDone }: { letter: LetterFor; onDone: () => void }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  const { code, replacement } = letter;
  const name = letter.displayName || code.user;
  const site = window.location.origin;
  const wsSite = site.replace(/^http/, 'ws');
  return (
    <section class="letter-view" aria-labelledby="letter-title">
      <div class="no-print letter-tools">
        <p role="status" class="saved-line">
          {replacement ? `A replacement-device code for ${code.user} is ready.` : `An enrolment code for ${code.user} is ready.`}
          {code.withdrawn > 0 && ` It replaces ${code.withdrawn} earlier unused code${code.withdrawn === 1 ? '' : 's'}, which no longer work${code.withdrawn === 1 ? 's' : ''}.`}
          {' '}Print the letter below, or give the code to {name} in person. It is not shown again.
        </p>
        <div class="dialog-actions">
          <button type="button" class="primary" onClick={() => window.print()}>Print the letter</button>
          <button type="button" onClick={onDone}>Done</button>
        </div>
      </div>
      <article class="letter">
        <h2 id="letter-title" ref={heading} tabIndex={-1}>
          {replacement ? 'Setting up Liaise on your new computer' : 'Your Liaise account: how to set it up'}
        </h2>
        <p class="letter-to">For {name}{letter.agency ? `, ${letter.agency}` : ''}</p>
        <p>Dear {name},</p>
        {replacement ? (
          <p>Your administrator has given you a new code so that you can use Liaise on a new computer or browser, for example
            because your old one was lost or replaced. When you use this code, Liaise stops working on your old computer.
            Your account and your rooms stay as they were.</p>
        ) : (
          <p>Liaise is the secure messaging service {letter.agency || 'your agency'} uses to talk with partner agencies about the
            people you work with. Only the people in a conversation can read it. Your administrator has made an account for you
            as {roleWords[letter.role] ?? letter.role}. This letter holds the code you need to set it up.</p>
        )}
        <div class="letter-code">
          <p>Your set-up code</p>
          <p class="code">{code.code}</p>
          <p>Your account name: <strong>{code.user}</strong></p>
          <p>Use the code before <strong>{ukDateTimeOf(code.expires_at)}</strong>. It works only once.</p>
        </div>
        <h3>What to do</h3>
        <ol>
          <li>On your work computer, open your web browser (for example Microsoft Edge or Google Chrome) and go to
            {' '}<strong class="address">{site}</strong></li>
          <li>Type the code above into the box called “Enrolment code”. Capital letters, spaces and dashes do not matter.</li>
          <li>Give the computer a name you will recognise, such as “office laptop”.</li>
          <li>Choose a passphrase: four or more ordinary words that have nothing to do with each other, such as a short odd
            sentence. Do not use your name, your agency or a password you use anywhere else. Liaise tells you if it is too easy
            to guess.</li>
          <li>Press “Set up this computer”. You can now use Liaise. Next time, you only need your passphrase.</li>
        </ol>
        <h3>Keep this letter safe</h3>
        <ul>
          <li>Anyone who has this code before you use it could set up your account. Keep the letter to yourself, and shred it
            once you are set up.</li>
          <li>If the code has run out or does not work, ask your administrator for a new one.</li>
          <li>Nobody can recover a forgotten passphrase, not even your administrator. If you forget it, ask for a new code.</li>
          <li>Your administrator will never ask you for your passphrase.</li>
          {replacement && <li>People you talk to in Liaise are told that you have a new computer. Some may ask to compare
            “safety numbers” with you, to be sure the new computer is yours: that is expected.</li>}
        </ul>
        <p class="letter-foot">Issued by {letter.issuedBy} on {ukDateTimeOf(Date.now())}.
          {' '}If you use the liaise command instead of a browser: <code>liaise enrol --server {wsSite} --code {code.code}</code></p>
      </article>
    </section>
  );
}
