// The administrator's part of the browser client, end to end against the real liaise-server:
// an admin enrols people with printable letters (one of them then enrols with the real `liaise`
// command), changes roles, suspends, reinstates and replaces a device; a member never sees an
// admin page, and the admin requests she forges over her own page's WebSocket are refused;
// a term the admin adds is underlined in a member's open draft at once; a TSV import with bad
// lines lists them all and changes nothing; versions and revert, the questions queue, noisy
// entries and the audit log with its check. axe-core finds nothing on each page.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { PASSPHRASE, Server, axeViolations, launch, personPage, enrolInBrowser } from './support.mjs';

const run = promisify(execFile);

const server = new Server();
let browser;
let ann; // the admin's page
let bea; // a member's page
const codes = {};
const errors = [];
const shots = process.env.LIAISE_WEB_SCREENSHOTS; // a folder: screenshots are saved there

async function shot(page, name) {
  if (shots) await page.screenshot({ path: join(shots, `admin-${name}.png`), fullPage: false });
}

async function noViolations(page, screen) {
  assert.deepEqual(await axeViolations(page), [], `axe-core on the ${screen} page`);
}


/** Opens an admin page from the administration menu and waits for its heading. */
async function adminPage(label) {
  await ann.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: label, exact: true }).click();
  await ann.getByRole('heading', { name: `Administration: ${label}` }).waitFor();
}

/** Enrols `user` from the admin's browser; returns the code printed on the letter. */
async function enrolFromBrowser(user, display, agency, role = 'Member') {
  await adminPage('People and agencies');
  const form = ann.getByRole('form', { name: 'Enrol a person' });
  await form.getByLabel('Account name').fill(user);
  await form.getByLabel('Full name').fill(display);
  await form.getByLabel('Agency').selectOption({ label: agency });
  await form.getByLabel('Role').selectOption({ label: role });
  await form.getByRole('button', { name: 'Make the code and letter' }).click();
  await ann.getByRole('heading', { name: 'Your Liaise account: how to set it up' }).waitFor();
  return (await ann.locator('.letter-code .code').innerText()).trim();
}

const accountCard = (user) => ann.getByRole('list', { name: 'Accounts', exact: true }).getByRole('listitem')
  .filter({ has: ann.locator('.meta', { hasText: new RegExp(`^${user} ·`) }) });

/** Records every WebSocket the page opens, so a test can write to the page's own connection. */
function recordSockets() {
  const Original = window.WebSocket;
  window.recordedSockets = [];
  window.WebSocket = class extends Original {
    constructor(...args) {
      super(...args);
      window.recordedSockets.push(this);
    }
  };
}

/** Sends `frame` as it is on the page's newest WebSocket and resolves with the reply to it. */
function forge(page, frame) {
  return page.evaluate((f) => new Promise((resolve, reject) => {
    const ws = window.recordedSockets.filter((s) => s.readyState === 1).at(-1);
    if (!ws) return reject(new Error('no open WebSocket'));
    const on = (m) => {
      const reply = JSON.parse(m.data);
      if (reply.re !== f.id) return;
      ws.removeEventListener('message', on);
      resolve(reply);
    };
    ws.addEventListener('message', on);
    ws.send(JSON.stringify(f));
  }), frame);
}

test('dictionary files read into entries, searched; audit records and refusals in words', async () => {
  // admin.ts and the ProtocolError it checks for, bundled together as the client has them.
  const { build } = await import('esbuild');
  const src = new URL('../src/', import.meta.url).pathname;
  const out = await build({
    stdin: { contents: "export * from './client/admin'; export { ProtocolError } from './protocol/connection';", resolveDir: src, loader: 'ts' },
    bundle: true, format: 'esm', platform: 'neutral', write: false,
  });
  const { parseEntries, searchEntries, describeAudit, refusal, problemsOf, ProtocolError } =
    await import(`data:text/javascript;base64,${Buffer.from(out.outputFiles[0].text).toString('base64')}`);
  const tsv = readFileSync(new URL('../../dictionaries/social-care.tsv', import.meta.url), 'utf8');
  const rows = tsv.split('\n').filter((l) => l.trim() && !l.startsWith('#')).length - 1; // less the header
  const entries = parseEntries('social-care', tsv);
  assert.equal(entries.length, rows);
  const cin = entries.find((e) => e.term === 'CIN');
  assert.deepEqual(cin.variants, ['child in need']);
  assert.equal(cin.kind, 'acronym');
  assert.ok(cin.alternatives.length >= 2);
  assert.ok(searchEntries(entries, 'child in NEED').includes(cin), 'variants match, any case');
  assert.ok(searchEntries(entries, cin.alternatives[1]).includes(cin), 'plain words match');
  assert.deepEqual(searchEntries(entries, 'CIN', 'health'), [], 'only the dictionary asked for');

  assert.equal(describeAudit({ seq: 1, at: 0, actor: 'ann', kind: 'account_suspended', details: { user: 'bea', reason: 'on leave' } }),
    'ann suspended bea’s account (reason: on leave)');
  assert.equal(describeAudit({ seq: 2, at: 0, actor: '', kind: 'something_new', details: { room_name: 'x' } }),
    'the server: something new (room name x)');
  const refused = new ProtocolError('forbidden', 'only admins may do this');
  assert.equal(refusal(refused), 'The server refused: your account is not allowed to do this. It said: “only admins may do this”. (forbidden)');
  assert.deepEqual(problemsOf(refused), []);
  const invalid = new ProtocolError('invalid_dictionary', 'x', { problems: [{ discipline: 'health', line: 4, message: 'bad kind' }] });
  assert.deepEqual(problemsOf(invalid), [{ discipline: 'health', line: 4, message: 'bad kind' }]);
});

describe('the administrator in the browser', () => {
  before(async () => {
    await server.init();
    await server.start();
    browser = await launch();
    console.log(`# chromium ${browser.version()}`);
  });

  after(async () => {
    await browser?.close();
    if (process.exitCode && process.exitCode !== 0) console.log(server.log());
    await server.cleanup();
  });

  test('an admin enrols people with a letter and manages accounts; a member sees no admin page and her forged admin requests are refused',
    { timeout: 240000 }, async () => {
    ann = await personPage(browser, server.url, errors, { width: 1200, height: 900 });
    await enrolInBrowser(ann, server.adminCode, 'Ann’s laptop');
    await ann.getByRole('link', { name: 'Administration' }).click();
    await ann.getByRole('heading', { name: 'Administration: People and agencies' }).waitFor();
    assert.match(ann.url(), /#\/admin$/);

    // Agencies: two added; a name already taken is refused in words.
    const addAgency = ann.getByRole('form', { name: 'Add an agency' });
    for (const [name, discipline] of [['Riverside Primary', 'education'], ['Westshire NHS', 'health']]) {
      await addAgency.getByLabel('Name').fill(name);
      await addAgency.getByLabel('Discipline').selectOption({ label: discipline });
      await addAgency.getByRole('button', { name: 'Add the agency' }).click();
      await ann.getByText(`Added ${name} (${discipline}).`).waitFor();
    }
    await addAgency.getByLabel('Name').fill('Riverside Primary');
    await addAgency.getByRole('button', { name: 'Add the agency' }).click();
    await ann.getByRole('alert').filter({ hasText: /would clash with what is already there.*\(conflict\)$/ }).waitFor();
    await noViolations(ann, 'people and agencies');
    await shot(ann, '1-accounts');

    // An enrolment letter: the code, the address and what to do, in plain words; printing shows
    // the letter alone.
    codes.bea = await enrolFromBrowser('bea', 'Bea Patel', 'Riverside Primary (education)');
    assert.match(codes.bea, /^[0-9A-Z]{4}(-[0-9A-Z]{4}){4}$/);
    const letter = await ann.locator('.letter').innerText();
    assert.match(letter, /Dear Bea Patel/);
    assert.match(letter, new RegExp(server.url.replace(/[.]/g, '\\.')));
    assert.match(letter, /Your account name: bea/);
    assert.match(letter, /shred it/);
    await noViolations(ann, 'enrolment letter');
    await shot(ann, '2-letter');
    await ann.emulateMedia({ media: 'print' });
    assert.equal(await ann.locator('.bar').isVisible(), false, 'the menu bar is not printed');
    assert.equal(await ann.getByRole('button', { name: 'Print the letter' }).isVisible(), false);
    assert.equal(await ann.locator('.letter-code').isVisible(), true);
    await shot(ann, '3-letter-printed');
    await ann.emulateMedia({ media: 'screen' });
    await ann.getByRole('button', { name: 'Done' }).click();

    // An account name already taken is refused in words, and no letter is made.
    const enrol = ann.getByRole('form', { name: 'Enrol a person' });
    await enrol.getByLabel('Account name').fill('ann');
    await enrol.getByRole('button', { name: 'Make the code and letter' }).click();
    await ann.getByRole('alert').filter({ hasText: /\(conflict\)$/ }).waitFor();

    // A code not used yet is listed with its expiry as the server gives it; the admin issues a
    // new one in its place: the old code stops working and the new one enrols.
    codes.dan = await enrolFromBrowser('dan', 'Dan Reid', 'Riverside Primary (education)');
    await ann.getByRole('button', { name: 'Done' }).click();
    const pendingList = ann.getByRole('list', { name: 'Codes not used yet' });
    const danCode = pendingList.getByRole('listitem').filter({ hasText: 'Dan Reid (Riverside Primary)' });
    await danCode.getByText('Code not used yet').waitFor();
    await danCode.getByText(/^dan · Member · enrolment code · issued by ann on \d+ \w+ \d{4} at \d\d:\d\d$/).waitFor();
    await danCode.getByText(/^It works until \d+ \w+ \d{4} at \d\d:\d\d\.$/).waitFor();
    assert.equal(await pendingList.getByRole('listitem').filter({ hasText: 'Bea Patel' }).count(), 1, 'Bea has not enrolled yet');
    await ann.getByLabel('Show').selectOption({ label: 'Codes not used yet' });
    await ann.getByRole('list', { name: 'Accounts', exact: true }).getByRole('listitem').first().waitFor({ state: 'detached' });
    await danCode.waitFor();
    await noViolations(ann, 'codes not used yet');
    await shot(ann, '2b-codes');
    await danCode.getByRole('button', { name: 'Issue a new code for dan' }).click();
    await ann.getByRole('dialog', { name: 'A new code for Dan Reid (Riverside Primary)?' }).getByRole('button', { name: 'Issue a new code' }).click();
    await ann.getByText(/An enrolment code for dan is ready\. It replaces 1 earlier unused code, which no longer works\./).waitFor();
    const danNew = (await ann.locator('.letter-code .code').innerText()).trim();
    assert.notEqual(danNew, codes.dan);
    await ann.getByRole('button', { name: 'Done' }).click();
    await ann.getByLabel('Show').selectOption({ label: 'Everyone' });
    await assert.rejects(server.cli('dan', ['enrol', '--server', `ws://127.0.0.1:${server.port}`, '--code', codes.dan]), /expired|code_expired/);
    await server.cli('dan', ['enrol', '--server', `ws://127.0.0.1:${server.port}`, '--code', danNew]);
    await ann.getByRole('button', { name: 'Refresh the list' }).click();
    await accountCard('dan').waitFor();
    assert.equal(await pendingList.getByRole('listitem').filter({ hasText: 'Dan Reid' }).count(), 0, 'a used code is not listed');

    // A code left unused past its expiry is listed as expired (the clock is moved on in the
    // database, as three days passing would); the admin issues a new one, which enrols.
    codes.eve = await enrolFromBrowser('eve', 'Eve Clarke', 'Riverside Primary (education)');
    await ann.getByRole('button', { name: 'Done' }).click();
    await run('sqlite3', [join(server.dir, 'data', 'liaise.db'),
      "UPDATE enrolment_codes SET expires_at = CAST(strftime('%s', 'now') AS INTEGER) * 1000 - 60000 WHERE username = 'eve' AND used_at IS NULL;"]);
    await ann.getByRole('button', { name: 'Refresh the list' }).click();
    const eveCode = pendingList.getByRole('listitem').filter({ hasText: 'Eve Clarke (Riverside Primary)' });
    await eveCode.getByText('Code expired').waitFor();
    await eveCode.getByText(/^It expired on \d+ \w+ \d{4} at \d\d:\d\d without being used\.$/).waitFor();
    await noViolations(ann, 'an expired code');
    await shot(ann, '2c-expired-code');
    await assert.rejects(server.cli('eve', ['enrol', '--server', `ws://127.0.0.1:${server.port}`, '--code', codes.eve]), /expired|code_expired/);
    await eveCode.getByRole('button', { name: 'Issue a new code for eve' }).click();
    const again = ann.getByRole('dialog', { name: 'A new code for Eve Clarke (Riverside Primary)?' });
    await again.getByText('The new code works for 72 hours.').waitFor();
    await again.getByRole('button', { name: 'Issue a new code' }).click();
    await ann.getByText(/An enrolment code for eve is ready\./).waitFor();
    const eveNew = (await ann.locator('.letter-code .code').innerText()).trim();
    await ann.getByRole('button', { name: 'Done' }).click();
    await server.cli('eve', ['enrol', '--server', `ws://127.0.0.1:${server.port}`, '--code', eveNew]);
    await ann.getByRole('button', { name: 'Refresh the list' }).click();
    await accountCard('eve').waitFor();
    assert.equal(await pendingList.getByRole('listitem').filter({ hasText: 'Eve Clarke' }).count(), 0, 'a used code is not listed');

    // A code made in the browser enrols the real `liaise` command.
    codes.cal = await enrolFromBrowser('cal', 'Cal Jones', 'Westshire NHS (health)');
    await ann.getByRole('button', { name: 'Done' }).click();
    await server.cli('cal', ['enrol', '--server', `ws://127.0.0.1:${server.port}`, '--code', codes.cal]);
    assert.match(await server.cli('cal', ['whoami']), /cal/);

    // Roles: Cal becomes a chair (and can then make rooms with the command).
    await ann.getByRole('button', { name: 'Refresh the list' }).click();
    const cal = accountCard('cal');
    await cal.getByLabel('Role').selectOption({ label: 'Chair' });
    await cal.getByRole('button', { name: 'Change role of cal' }).click();
    await cal.getByText('cal is now chair; their open sessions were ended.').waitFor();

    // Bea, a member, enrols with her letter's code: no administration entry, and an admin
    // address shows nothing but "no such page".
    bea = await personPage(browser, server.url, errors, { width: 1100, height: 760 }, recordSockets);
    const beaScripts = [];
    bea.on('response', (r) => { if (r.url().endsWith('.js')) beaScripts.push(r.text().catch(() => '')); });
    await enrolInBrowser(bea, codes.bea, 'Bea’s laptop');
    await server.cli('cal', ['room', 'create', 'case-7', '--member', 'bea']);
    await bea.getByRole('link', { name: /case-7/ }).waitFor();
    assert.equal(await bea.getByRole('link', { name: 'Administration' }).count(), 0);
    await bea.evaluate(() => { window.location.hash = '#/admin/accounts'; });
    await bea.getByRole('heading', { name: 'No such page' }).waitFor();
    assert.equal(await bea.getByRole('navigation', { name: 'Administration' }).count(), 0);
    assert.equal(await bea.getByText(/Enrol a person|Administration/).count(), 0, 'nothing of the admin pages is rendered');
    for (const script of await Promise.all(beaScripts))
      assert.doesNotMatch(script, /Make the code and letter/, 'the administration code is not even loaded');
    await noViolations(bea, 'member at an admin address');
    await shot(bea, '4-member-no-such-page');

    // Bea forges admin requests over her page's own connection: the server refuses each, and
    // nothing changes.
    for (const [i, frame] of [
      { type: 'account_role', user: 'bea', role: 'admin' },
      { type: 'enrol_code', user: 'mallory', agency: 'Riverside Primary', role: 'admin' },
      { type: 'dict_remove', discipline: 'social-care', term: 'CIN' },
      { type: 'audit' },
    ].entries()) {
      const reply = await forge(bea, { id: `forged-${i}`, ...frame });
      assert.equal(reply.type, 'error', JSON.stringify(reply));
      assert.equal(reply.code, 'forbidden', JSON.stringify(reply));
    }
    const whoami = await forge(bea, { id: 'whoami-1', type: 'whoami' });
    assert.equal(whoami.role, 'member');
    await adminPage('People and agencies');
    await ann.getByRole('button', { name: 'Refresh the list' }).click();
    await accountCard('bea').getByText(/^bea · Member ·/).waitFor();
    assert.equal(await accountCard('mallory').count(), 0);

    // Suspend (with a reason, after a confirmation) and reinstate.
    const beaCard = accountCard('bea');
    await beaCard.getByLabel('Reason (kept in the audit log)').fill('on leave');
    await beaCard.getByRole('button', { name: 'Suspend bea' }).click();
    const confirm = ann.getByRole('dialog', { name: 'Suspend Bea Patel (Riverside Primary)?' });
    await confirm.waitFor();
    await noViolations(ann, 'suspend confirmation');
    await confirm.getByRole('button', { name: 'Suspend' }).click();
    await accountCard('bea').getByText('Suspended', { exact: true }).waitFor();
    await bea.getByText(/Offline|refused this device/).first().waitFor({ timeout: 30000 });
    await accountCard('bea').getByRole('button', { name: 'Reinstate bea' }).click();
    await ann.getByLabel('Show').selectOption({ label: 'Active accounts' });
    await accountCard('bea').waitFor();
    await ann.getByLabel('Show').selectOption({ label: 'Everyone' });

    // A replacement device for Cal: a letter of its own, and the command enrols with its code.
    await accountCard('cal').getByRole('button', { name: 'Replace device of cal' }).click();
    await ann.getByRole('dialog', { name: /^A new device for Cal Jones/ }).getByRole('button', { name: 'Make a replacement code' }).click();
    await ann.getByRole('heading', { name: 'Setting up Liaise on your new computer' }).waitFor();
    const replacement = (await ann.locator('.letter-code .code').innerText()).trim();
    await shot(ann, '5-replacement-letter');
    await ann.getByRole('button', { name: 'Done' }).click();
    await ann.getByRole('list', { name: 'Codes not used yet' }).getByRole('listitem')
      .filter({ has: ann.locator('.meta', { hasText: /^cal · Chair · code for a replacement device/ }) }).waitFor();
    await server.cli('cal-new', ['enrol', '--server', `ws://127.0.0.1:${server.port}`, '--code', replacement]);
    await assert.rejects(server.cli('cal', ['whoami']), /device_replaced|replaced/);
    assert.match(await server.cli('cal-new', ['whoami']), /cal/);
    assert.deepEqual(errors.filter((e) => !/WebSocket connection to .* failed/.test(e)), []);
  });

  test('dictionaries from the browser: a new term reaches a member’s draft at once; a bad import changes nothing; versions, questions, noisy entries and the audit log',
    { timeout: 240000 }, async () => {
    // Bea, reinstated, logs in again and starts a draft once her plain-language help is ready.
    await bea.reload();
    await bea.getByLabel('Passphrase').fill(PASSPHRASE);
    await bea.getByRole('button', { name: 'Unlock' }).click();
    await bea.getByRole('link', { name: /case-7/ }).click({ timeout: 60000 });
    const box = bea.getByLabel('Message to case-7');
    await box.fill('We agreed it at the sunrise huddle.');
    await bea.waitForFunction(() => performance.getEntriesByName('liaise:plain-ready').length > 0, null, { timeout: 60000 });
    await bea.waitForTimeout(300);
    assert.equal(await bea.locator('.draft-mirror mark.finding').count(), 0, 'not a term yet');

    // Ann adds the term in her browser; Bea's open draft is underlined without a key press.
    await adminPage('Dictionaries');
    await ann.getByText(/^Version 1: \d+ entries in \d+ dictionaries\.$/).waitFor();
    await ann.getByRole('button', { name: 'Add an entry' }).click();
    await ann.locator('form.entry-form').getByLabel('Dictionary').selectOption({ label: 'social care' });
    await ann.getByLabel('Term, as practitioners write it').fill('sunrise huddle');
    await ann.getByLabel(/^Plain words/).fill('short morning meeting about the level of help');
    await ann.getByLabel(/^Explanation/).fill('A quick meeting of managers to decide which level of help a family needs.');
    await ann.getByLabel('Kind').selectOption({ label: 'Phrase' });
    await noViolations(ann, 'add an entry');
    await shot(ann, '6-add-entry');
    await ann.getByRole('button', { name: 'Add the entry' }).click();
    await ann.getByText('Added “sunrise huddle” to social care. The dictionaries are now version 2.').waitFor();
    await bea.locator('.draft-mirror mark.finding', { hasText: 'sunrise huddle' }).waitFor({ timeout: 30000 });
    await shot(bea, '7-member-draft-underlined');

    // Search every dictionary, then edit the entry.
    await ann.getByLabel('Word, abbreviation or plain words').fill('sunrise');
    const found = ann.getByRole('list', { name: 'Entries found' }).getByRole('listitem');
    await ann.getByText('1 entry matches.').waitFor();
    await found.getByRole('button', { name: 'Edit sunrise huddle (social care)' }).click();
    await ann.getByLabel(/^Explanation/).fill('A short meeting of managers that decides how much help a family gets.');
    await ann.getByRole('button', { name: 'Save the entry' }).click();
    await ann.getByText('Saved “sunrise huddle” (social care). The dictionaries are now version 3.').waitFor();
    await found.getByText('A short meeting of managers that decides how much help a family gets.').waitFor();
    await ann.getByLabel('Word, abbreviation or plain words').fill('CIN');
    await found.first().waitFor();
    await noViolations(ann, 'dictionaries');
    await shot(ann, '8-dictionaries');

    // Export, then an import with two bad lines: both are listed and nothing changes.
    await ann.getByLabel('Dictionary to import or export').selectOption({ label: 'housing benefits' });
    const exportOnce = async () => {
      const [download] = await Promise.all([ann.waitForEvent('download'),
        ann.getByRole('button', { name: 'Export housing benefits as TSV' }).click()]);
      return readFileSync(await download.path(), 'utf8');
    };
    const exported = await exportOnce();
    assert.match(exported, /^term\tvariants\talternatives\texplanation\tkind\toptions$/m);
    const bad = join(server.dir, 'bad.tsv');
    writeFileSync(bad, ['term\tvariants\talternatives\texplanation\tkind\toptions',
      'UC\tUniversal Credit\tthe main benefit for people of working age\tA payment for people on a low income or out of work.\tacronym\t',
      'HB\t\thousing benefit help\tHelp with rent.\tgadget\t',
      'DHP\tonly three fields', ''].join('\n'));
    await ann.getByLabel('TSV file to import').setInputFiles(bad);
    await ann.getByRole('button', { name: 'Check and import' }).click();
    await ann.getByRole('alert').filter({ hasText: 'The file was not imported: 2 lines are not right. Nothing was changed.' }).waitFor();
    const listed = await ann.getByRole('list', { name: 'Lines to fix' }).getByRole('listitem').allInnerTexts();
    assert.equal(listed.length, 2, listed.join('\n'));
    assert.match(listed[0], /^Line 3: /);
    assert.match(listed[1], /^Line 4: /);
    await noViolations(ann, 'import refused');
    await shot(ann, '9-import-refused');
    assert.equal(await exportOnce(), exported, 'the dictionary is as it was');

    // Versions with what changed; an earlier one made current again.
    await adminPage('Dictionary versions');
    const rows = ann.getByRole('table').getByRole('row');
    await rows.filter({ hasText: /^3.*current/ }).waitFor();
    assert.equal(await rows.count(), 4, 'a header and versions 3, 2, 1: the refused import made none');
    assert.match(await rows.nth(1).innerText(), /ann/);
    assert.match(await rows.nth(2).innerText(), /sunrise huddle/);
    await ann.getByRole('button', { name: 'Make current version 2' }).click();
    await ann.getByRole('dialog', { name: 'Make version 2 current again?' }).getByRole('button', { name: 'Make it current' }).click();
    await ann.getByText('Version 2 is current again, as version 4.').waitFor();
    await rows.filter({ hasText: /^4.*current/ }).waitFor();
    await noViolations(ann, 'versions');
    await shot(ann, '10-versions');

    // The questions queue: Bea asks; Ann answers by adding the term; Bea is told.
    await bea.getByText('Ask an administrator what a word means').click();
    await bea.getByLabel('Word or abbreviation').fill('blue folder review');
    await bea.getByRole('button', { name: 'Ask', exact: true }).click();
    await bea.getByText(/Your question about “blue folder review” was sent/).waitFor();
    await adminPage('Questions');
    const question = ann.getByRole('listitem').filter({ hasText: '“blue folder review”' });
    await question.waitFor();
    await question.getByText('Add “blue folder review” to a dictionary and answer').click();
    await question.getByLabel('Dictionary').selectOption({ label: 'social care' });
    await question.getByLabel(/^Plain words/).fill('letter before court action');
    await question.getByLabel(/^Explanation/).fill('A last formal step the council takes with parents before going to court.');
    await question.getByLabel(/^Reply to bea/).fill('It is the letter the council sends before going to court.');
    await noViolations(ann, 'questions');
    await shot(ann, '11-questions');
    await question.getByRole('button', { name: 'Add the term and answer' }).click();
    await question.getByText('Added “blue folder review” to social care and answered question 1.').waitFor();
    await bea.getByText(/Your question about “blue folder review” was answered/).waitFor({ timeout: 30000 });

    // Noisy entries: none reported yet.
    await adminPage('Noisy entries');
    await ann.getByText('No reports yet.').waitFor();
    await noViolations(ann, 'noisy entries');

    // The audit log in words, and its check.
    await adminPage('Audit log');
    const log = ann.getByRole('table');
    await log.getByText('ann changed cal’s role from member to chair').waitFor();
    await log.getByText('ann suspended bea’s account (reason: on leave)').waitFor();
    await log.getByText(/^ann changed the dictionaries to version 2: /).waitFor();
    await ann.getByRole('button', { name: 'Check the log' }).click();
    await ann.getByText(/^The audit log checks out: \d+ records, each chained to the one before/).waitFor();
    await noViolations(ann, 'audit log');
    await shot(ann, '12-audit');
    assert.deepEqual(errors.filter((e) => !/WebSocket connection to .* failed/.test(e)), []);
  });
});
