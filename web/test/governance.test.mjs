// Records kept as the law expects, in the browser (issue 27): an administrator (Ada) changes a
// retention schedule (bad periods and reasons refused in words, the server's own refusal shown),
// previews the sweep and runs it, places a legal hold on a room picked from a list and lifts it,
// and gives and withdraws the information-governance permission; an IG officer (Bea) produces a
// subject access bundle for a parent without an account and downloads it as JSON, Markdown and
// HTML, checked against what the `liaise` command writes; Bea without the permission sees no entry
// and the server's refusal in words. And the follow-up panel after circulation: Bea, a recipient,
// acknowledges and sends accuracy comments; Hana, the chair, sees who has and has not acknowledged
// and resolves one comment by an answer and one by a correction. Ada also holds a meeting whose
// minutes were never circulated, in a room she is not in (the server's hold_targets offers it;
// the audit log would not). axe-core finds nothing on each
// page; each page is also looked at 360 px wide (screenshots with LIAISE_WEB_SCREENSHOTS).
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { build } from 'esbuild';
import { PASSPHRASE, Server, axeViolations, enrolInBrowser, launch, personPage } from './support.mjs';

const run = promisify(execFile);
const server = new Server();
let browser;
let ada; // the administrator
let bea; // a teacher: a recipient of the minutes, later the IG officer
let hana; // the chair
let meeting = 0;
const errors = [];
const shots = process.env.LIAISE_WEB_SCREENSHOTS; // a folder: screenshots are saved there
const kYearMs = 365 * 24 * 3600 * 1000;

/**
 * axe-core clean at the page's width and 360 px wide, with nothing scrolling sideways at 360 px;
 * with LIAISE_WEB_SCREENSHOTS, a screenshot at each width (the window made tall first: the page
 * scrolls inside its columns, so a full-page shot alone would cut it off).
 */
async function look(page, name, screen, part = null) {
  assert.deepEqual(await axeViolations(page), [], `axe-core on the ${screen} page`);
  const size = page.viewportSize();
  const shoot = async (width, file) => {
    if (!shots) return;
    await page.setViewportSize({ width, height: part ? 6000 : 2400 });
    await page.waitForTimeout(100);
    const path = join(shots, `governance-${file}.png`);
    await (part ? part.screenshot({ path }) : page.screenshot({ path }));
  };
  await shoot(size.width, name);
  await page.setViewportSize({ width: 360, height: 740 });
  await page.waitForTimeout(100);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 1, `the ${screen} page scrolls sideways by ${overflow} px at 360 px`);
  assert.deepEqual(await axeViolations(page), [], `axe-core on the ${screen} page at 360 px`);
  await shoot(360, `${name}-360`);
  await page.setViewportSize(size);
}

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

/** Opens an app address afresh (even the one shown). */
async function visit(page, hash) {
  await page.evaluate(() => { window.location.hash = '#/'; });
  await page.evaluate((h) => { window.location.hash = h; }, hash);
}

async function adminPage(label) {
  await ada.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: label, exact: true }).click();
  await ada.getByRole('heading', { name: `Administration: ${label}` }).waitFor();
}

async function unlock(page) {
  await page.reload();
  await page.getByLabel('Passphrase').fill(PASSPHRASE);
  await page.getByRole('button', { name: 'Unlock' }).click();
  await page.getByRole('navigation', { name: 'Rooms' }).waitFor({ timeout: 60000 });
}

/** subject-access-export.ts, bundled for node as the client has it. */
async function exporter() {
  const out = await build({
    stdin: { contents: "export * from './client/subject-access-export'; export * from './client/governance';", resolveDir: new URL('../src/', import.meta.url).pathname, loader: 'ts' },
    bundle: true, format: 'esm', platform: 'neutral', write: false,
  });
  return import(`data:text/javascript;base64,${Buffer.from(out.outputFiles[0].text).toString('base64')}`);
}

test('periods and reasons are checked as the server checks them; periods in words', async () => {
  const { daysProblem, reasonProblem, periodWords } = await exporter();
  for (const bad of ['', '0', '-3', '1.5', '36501', 'ten']) assert.notEqual(daysProblem(bad), '', bad);
  for (const good of ['1', '730', ' 36500 ']) assert.equal(daysProblem(good), '', good);
  assert.notEqual(reasonProblem('   '), '');
  assert.notEqual(reasonProblem('é'.repeat(251)), '', '502 bytes is over the limit');
  assert.equal(reasonProblem('é'.repeat(250)), '');
  assert.equal(periodWords(730), '2 years (730 days)');
  assert.equal(periodWords(12783), '35 years (12,783 days)');
  assert.equal(periodWords(27393), '75 years (27,393 days)');
  assert.equal(periodWords(90), '90 days');
});

describe('governance in the browser', () => {
  before(async () => {
    await server.init();
    await server.start();
    const cli = (who, args) => server.cli(who, args);
    await cli('ann', ['enrol', '--server', `ws://127.0.0.1:${server.port}`, '--code', server.adminCode]);
    await cli('ann', ['unlock', '--for', '30m']);
    await cli('ann', ['admin', 'agency', 'add', 'Riverside Primary', '--discipline', 'education']);
    const enrol = async (user, display, agency, role) => JSON.parse(await cli('ann',
      ['admin', 'enrol', user, '--agency', agency, '--role', role, '--display-name', display, '--json'])).code;
    const cal = await enrol('cal', 'Cal Jones', 'Westshire Council', 'chair');
    await cli('cal', ['enrol', '--server', `ws://127.0.0.1:${server.port}`, '--code', cal]);
    await cli('cal', ['unlock', '--for', '30m']);
    browser = await launch();
    console.log(`# chromium ${browser.version()}`);
    ada = await personPage(browser, server.url, errors, { width: 1200, height: 900 }, recordSockets);
    await enrolInBrowser(ada, await enrol('ada', 'Ada Brown', 'Westshire Council', 'admin'), 'Ada’s laptop');
    bea = await personPage(browser, server.url, errors, { width: 1100, height: 800 });
    await enrolInBrowser(bea, await enrol('bea', 'Bea Patel', 'Riverside Primary', 'member'), 'Bea’s laptop');
    hana = await personPage(browser, server.url, errors, { width: 1100, height: 800 });
    await enrolInBrowser(hana, await enrol('hana', 'Hana Ali', 'Westshire Council', 'chair'), 'Hana’s laptop');

    // A case room with a meeting Hana chairs and Cal minutes; two rooms only Cal is in, whose
    // messages are three years old (the default keeps chat two years).
    await cli('cal', ['room', 'create', 'case-7', '--member', 'bea', '--member', 'hana']);
    for (const room of ['old-chat', 'held-chat']) {
      await cli('cal', ['room', 'create', room]);
      await cli('cal', ['send', room, `Notes for ${room}`, '--anyway', '--accept-new-readers']);
    }
    await run('sqlite3', [join(server.dir, 'data', 'liaise.db'), `UPDATE messages SET sent_at = sent_at - ${3 * kYearMs} ` +
      "WHERE room_id IN (SELECT id FROM rooms WHERE name IN ('old-chat', 'held-chat'));"]);
    meeting = JSON.parse(await cli('cal', ['meeting', 'create', 'case-7', '--title', 'Review of the plan for K',
      '--kind', 'core-group', '--at', '2026-12-03 10:00', '--place', 'Riverside Primary', '--chair', 'hana',
      '--minute-taker', 'cal', '--json'])).meeting;
    const m = String(meeting);
    await cli('cal', ['meeting', 'attend', m, '--name', 'Kelly Smith', '--family', '--role', 'Mother', '--status', 'present']);
    for (const user of ['hana', 'bea', 'cal']) await cli('cal', ['meeting', 'attend', m, '--user', user, '--status', 'present']);
    await cli('cal', ['meeting', 'agenda', m, 'How K is getting on', '--discussion', 'Kelly Smith said K is sleeping better and goes to school every day.']);
  });

  after(async () => {
    await browser?.close();
    if (process.exitCode && process.exitCode !== 0) console.log(server.log());
    await server.cleanup();
  });

  test('the follow-up panel: a recipient acknowledges and comments; the chair sees who has not and resolves each comment',
    { timeout: 300000 }, async () => {
    // Hana signs and circulates from her browser.
    await visit(hana, `#/meetings/${meeting}`);
    await hana.getByRole('heading', { name: 'Review of the plan for K' }).waitFor({ timeout: 30000 });
    await hana.getByLabel(/As chair, I have read the plain-language findings/).check();
    await hana.getByRole('button', { name: 'Sign and circulate' }).click();
    await hana.getByText(/circulated by .*signature verified/).waitFor({ timeout: 30000 });
    // Before anyone acknowledges: the chair's table says "Not yet" for each recipient.
    const acks = hana.getByRole('table', { name: 'Acknowledgements of version 1' });
    await acks.waitFor();
    const ackRow = (p, name) => p.getByRole('table', { name: 'Acknowledgements of version 1' }).getByRole('row').filter({ hasText: name });
    for (const name of ['Bea Patel', 'Cal Jones', 'Hana Ali']) await ackRow(hana, name).getByText('Not yet').waitFor();

    // Bea, a recipient, acknowledges and sends two accuracy comments, by keyboard and mouse.
    await visit(bea, `#/meetings/${meeting}`);
    await bea.getByRole('heading', { name: 'After circulation' }).waitFor({ timeout: 30000 });
    await bea.getByRole('button', { name: 'Acknowledge receipt of version 1' }).focus();
    await bea.keyboard.press('Enter');
    await bea.getByText(/^You acknowledged version 1 on \d+ \w+ \d{4}\.$/).waitFor();
    const form = bea.getByRole('form', { name: 'Accuracy comment' });
    await form.getByLabel('Section').selectOption({ label: 'Agenda' });
    await form.getByLabel('What is inaccurate, and what it should say').fill('K goes to school four days a week, not every day.');
    await form.getByRole('button', { name: 'Send comment to the chair' }).click();
    await form.getByText('Sent to the chair.').waitFor();
    const ids = await form.getByLabel('Section').locator('option').evaluateAll((os) => os.map((o) => o.value));
    assert.deepEqual(ids, [...new Set(ids)], 'each section once');
    await form.getByLabel('Section').selectOption('attendance');
    await form.getByLabel('What is inaccurate, and what it should say').fill('I left at 10:40, before the plan was agreed.');
    await form.getByLabel('What is inaccurate, and what it should say').press('Tab');
    await bea.keyboard.press('Enter');
    await bea.getByRole('heading', { name: 'Your accuracy comments (2 open)' }).waitFor();
    await look(bea, '1-followup-recipient', 'follow-up (recipient)', bea.locator('section.followup'));

    // Hana sees Bea's acknowledgement and both comments; Cal and she have not acknowledged.
    await visit(hana, `#/meetings/${meeting}`);
    // Signed by Bea's browser and checked by Hana's against Bea's pinned key.
    await ackRow(hana, 'Bea Patel').getByText(/^\d+ \w+ \d{4}, signature verified$/).waitFor();
    await ackRow(hana, 'Cal Jones').getByText('Not yet').waitFor();
    await hana.getByRole('heading', { name: 'Accuracy comments (2 open)' }).waitFor();
    const comments = hana.locator('ul.comments > li');
    assert.equal(await comments.count(), 2);
    assert.match(await comments.nth(0).innerText(), /Agenda[\s\S]*Bea Patel[\s\S]*K goes to school four days a week/);
    await look(hana, '2-followup-chair', 'follow-up (chair)', hana.locator('section.followup'));

    // The first is answered: the record stays as it is.
    const first = comments.nth(0);
    await first.getByLabel('Your answer').fill('The school’s register shows every day this term; the record stays.');
    await first.getByRole('button', { name: 'Answer (the record stays as it is)' }).click();
    await hana.getByRole('heading', { name: 'Accuracy comments (1 open)' }).waitFor();
    await first.getByText(/Answered by Hana Ali .* on \d+ \w+ \d{4}: The school’s register/).waitFor();

    // The second becomes a correction: Cal starts version 2; Hana resolves the comment by it.
    await server.cli('cal', ['meeting', 'correct', String(meeting), '--reason', 'Bea left early: attendance corrected.']);
    await visit(hana, `#/meetings/${meeting}`);
    const second = hana.locator('ul.comments > li').nth(1);
    await second.getByRole('button', { name: 'Corrected in version 2' }).click();
    await hana.getByRole('heading', { name: 'Accuracy comments (0 open)' }).waitFor();
    await second.getByText(/Corrected in version 2/).waitFor();
    await look(hana, '3-followup-resolved', 'follow-up (resolved)', hana.locator('section.followup'));

    // Bea sees both outcomes; the command agrees.
    await visit(bea, `#/meetings/${meeting}`);
    await bea.getByText(/Answered by Hana Ali .*: The school’s register/).waitFor();
    assert.match(await server.cli('cal', ['meeting', 'comments', String(meeting)]), /: 2, 0 open/);
    assert.deepEqual(errors.filter((e) => !/WebSocket connection to .* failed/.test(e)), []);
  });

  test('retention: a schedule changed with a reason, refusals in words, the sweep previewed and run',
    { timeout: 240000 }, async () => {
    await ada.getByRole('link', { name: 'Administration' }).click();
    await adminPage('Retention');
    const table = ada.getByRole('table', { name: 'Schedules of Westshire Council' });
    await table.getByRole('row').filter({ hasText: 'Chat messages' }).getByText('2 years (730 days)').waitFor();
    await table.getByRole('row').filter({ hasText: 'Children in care review minutes' }).getByText('75 years (27,393 days)').waitFor();
    assert.match(await table.getByRole('row').filter({ hasText: 'Core group minutes' }).innerText(), /35 years \(12,783 days\)\s+The default/);

    // Bad input is refused in words before anything is sent, and nothing changes.
    const change = ada.getByRole('form', { name: 'Change a period for Westshire Council' });
    await change.getByLabel('Record').selectOption({ label: 'Core group minutes' });
    await change.getByLabel('Keep for (days)').fill('0');
    await change.getByLabel(/^Reason/).fill('Local procedure');
    await change.getByRole('button', { name: 'Change the period' }).click();
    await change.getByRole('alert').filter({ hasText: 'A period is a whole number of days from 1 to 36,500 (100 years).' }).waitFor();
    await change.getByLabel('Keep for (days)').fill('7305');
    await change.getByLabel(/^Reason/).fill('   ');
    await change.getByRole('button', { name: 'Change the period' }).click();
    await change.getByRole('alert').filter({ hasText: 'Give a reason: it is kept in the audit log.' }).waitFor();
    await look(ada, '4-retention-refused', 'retention (refused)');

    // A good change, by keyboard: the table shows who set it, when and why.
    await change.getByLabel(/^Reason/).fill('Safeguarding partnership policy 2026: core group records 20 years.');
    await change.getByLabel(/^Reason/).press('Tab');
    await ada.keyboard.press('Enter');
    await change.getByText('Westshire Council now keeps core group minutes for 20 years (7,305 days); it was 35 years (12,783 days).').waitFor();
    await table.getByRole('row').filter({ hasText: 'Core group minutes' })
      .getByText(/^Set by ada on \d+ \w+ \d{4} at \d\d:\d\d: “Safeguarding partnership policy 2026: core group records 20 years\.”/).waitFor();

    // The server's own refusal, in words: the agency was renamed since the page loaded.
    await ada.getByLabel('Agency').selectOption('Riverside Primary');
    const school = ada.getByRole('form', { name: 'Change a period for Riverside Primary' });
    await server.cli('ann', ['admin', 'agency', 'rename', 'Riverside Primary', 'Riverside Primary School']);
    await school.getByLabel('Keep for (days)').fill('3650');
    await school.getByLabel(/^Reason/).fill('School records policy');
    await school.getByRole('button', { name: 'Change the period' }).click();
    await school.getByRole('alert').filter({ hasText: /^The server found no such account, agency, entry or question\. It said: “no agency named 'Riverside Primary'”\. \(not_found\)$/ }).waitFor();
    const shown = JSON.parse(await server.cli('ann', ['admin', 'retention', 'show', '--json']).catch(() => 'null'));
    if (shown) assert.equal(shown.schedules.filter((s) => s.agency.startsWith('Riverside')).length, 0, 'nothing changed');
    await look(ada, '5-retention', 'retention');

    // Hold one old room first (the holds page, picked from a list), then preview the sweep.
    await adminPage('Legal holds');
    await ada.getByText('No legal holds are in place.').waitFor();
    const place = ada.getByRole('form', { name: 'Place a legal hold' });
    const options = await place.getByLabel('Room or meeting').locator('option').allInnerTexts();
    for (const want of ['case-7', 'held-chat', 'old-chat']) assert.ok(options.includes(want), `${want} is offered: ${options.join(', ')}`);
    await place.getByLabel('Room or meeting').selectOption({ label: 'held-chat' });
    await place.getByRole('button', { name: 'Place the hold' }).click();
    await place.getByRole('alert').filter({ hasText: 'Give a reason: it is kept in the audit log.' }).waitFor();
    await place.getByLabel(/^Reason/).fill('Complaint 2026/114: keep until it is closed.');
    await place.getByRole('button', { name: 'Place the hold' }).click();
    await ada.getByText('Placed a legal hold on the room held-chat and its meetings.').waitFor();
    const card = ada.getByRole('list', { name: 'Legal holds in place' }).getByRole('listitem').filter({ hasText: 'The room held-chat' });
    await card.getByText(/^Placed by ada on \d+ \w+ \d{4} at \d\d:\d\d$/).waitFor();
    await card.getByText('Reason: Complaint 2026/114: keep until it is closed.').waitFor();
    assert.ok(!(await place.getByLabel('Room or meeting').locator('option').allInnerTexts()).includes('held-chat'), 'a held room is not offered again');
    await look(ada, '6-holds', 'legal holds');

    await adminPage('Retention');
    await ada.getByRole('button', { name: 'Preview the next sweep' }).click();
    await ada.getByText(/would delete 1 record; 1 expired record is under a legal hold and 0 are kept for another reason\./).waitFor();
    const gone = ada.getByRole('table', { name: 'Would be deleted' });
    await gone.getByText('1 message of the room old-chat').waitFor();
    await ada.getByRole('table', { name: 'Expired but under a legal hold' }).getByText(/Held \(the room\): Complaint 2026\/114/).waitFor();
    assert.doesNotMatch(await ada.locator('.admin-page').innerText(), /Notes for/, 'no content is ever shown');
    await look(ada, '7-sweep-preview', 'sweep preview');
    // Run it: a confirmation first; Cancel changes nothing.
    await ada.getByRole('button', { name: 'Run the sweep now' }).click();
    const confirm = ada.getByRole('dialog', { name: 'Run the sweep now?' });
    await confirm.getByText(/The preview found 1 record to delete\./).waitFor();
    assert.deepEqual(await axeViolations(ada), [], 'axe-core on the sweep confirmation');
    if (shots) await ada.screenshot({ path: join(shots, 'governance-8-sweep-confirm.png') });
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await ada.getByRole('button', { name: 'Preview the next sweep' }).click();
    await ada.getByText(/would delete 1 record;/).waitFor();
    await ada.getByRole('button', { name: 'Run the sweep now' }).click();
    await ada.getByRole('dialog', { name: 'Run the sweep now?' }).getByRole('button', { name: 'Delete the expired records' }).click();
    await ada.getByText(/^The sweep at .* deleted 1 record; 1 expired record is under a legal hold/).waitFor();
    await ada.getByRole('table', { name: 'Deleted' }).getByText('1 message of the room old-chat').waitFor();
    await ada.getByRole('button', { name: 'Preview the next sweep' }).click();
    await ada.getByText(/would delete 0 records; 1 expired record is under a legal hold/).waitFor();

    // Lift the hold with a reason, after a confirmation.
    await adminPage('Legal holds');
    const held = ada.getByRole('list', { name: 'Legal holds in place' }).getByRole('listitem').filter({ hasText: 'The room held-chat' });
    await held.getByLabel('Reason for lifting (kept in the audit log)').fill('Complaint 2026/114 closed.');
    await held.getByRole('button', { name: 'Lift the hold on the room held-chat' }).click();
    const lift = ada.getByRole('dialog', { name: 'Lift the hold on the room held-chat?' });
    assert.deepEqual(await axeViolations(ada), [], 'axe-core on the lift confirmation');
    await lift.getByRole('button', { name: 'Lift the hold' }).click();
    await ada.getByText('Lifted the legal hold on the room held-chat.').waitFor();
    await ada.getByText('No legal holds are in place.').waitFor();
    // The audit log has each step in words.
    await adminPage('Audit log');
    const log = ada.getByRole('table');
    await log.getByText(/^ada set how long Westshire Council keeps core-group records: 7305 days/).waitFor();
    await log.getByText('ada placed a legal hold on the room held-chat (reason: Complaint 2026/114: keep until it is closed.)').waitFor();
    await log.getByText('ada lifted the legal hold on the room held-chat (reason: Complaint 2026/114 closed.)').waitFor();
    await log.getByText(/^Deleted 1 message\(s\) of the room old-chat under the default schedule \(730 days\)$/).waitFor();
    assert.deepEqual(errors.filter((e) => !/WebSocket connection to .* failed/.test(e)), []);
  });

  test('subject access: no entry without the permission and the server refuses; an admin gives it; a bundle made and downloaded as the command writes it',
    { timeout: 300000 }, async () => {
    // Without the permission Bea has no entry; at its address the page says so, and a request
    // she makes anyway is refused by the server, in words.
    await unlock(bea);
    await visit(bea, '#/subject-access');
    await bea.getByText(/You do not hold it, so Liaise will refuse a request from you\./).waitFor();
    assert.equal(await bea.getByRole('link', { name: 'Subject access requests' }).count(), 0);
    await bea.getByLabel('A person without an account (for example a parent)').check();
    await bea.getByLabel('Name as written in the minutes').fill('Kelly Smith');
    await bea.getByLabel(/^Reason or the request’s case reference/).fill('SAR-2026-031');
    await bea.getByRole('button', { name: 'Find and make the bundle' }).click();
    await bea.getByRole('alert').filter({ hasText: /^The server refused: your account is not allowed to do this\. It said: “you do not hold the information-governance permission that subject access requests need; ask an administrator to give it to you”\. \(forbidden\)$/ }).waitFor();
    await look(bea, '9-sar-refused', 'subject access (refused)');

    // Ada gives Bea (and Ann, for the command) the permission, each with a reason.
    await adminPage('Information governance');
    await ada.getByText('Nobody holds the information-governance permission.').waitFor();
    const grant = ada.getByRole('form', { name: 'Give the permission' });
    await grant.getByLabel('Account').selectOption('bea');
    await grant.getByRole('button', { name: 'Give the permission' }).click();
    await grant.getByRole('alert').filter({ hasText: 'Give a reason: it is kept in the audit log.' }).waitFor();
    await grant.getByLabel(/^Reason/).fill('Data protection lead for Riverside Primary School');
    await grant.getByRole('button', { name: 'Give the permission' }).click();
    await ada.getByText('bea now holds the information-governance permission.').waitFor();
    await grant.getByLabel('Account').selectOption('ann');
    await grant.getByLabel(/^Reason/).fill('Council information governance team');
    await grant.getByRole('button', { name: 'Give the permission' }).click();
    await ada.getByText('ann now holds the information-governance permission.').waitFor();
    const officers = ada.getByRole('list', { name: 'Who can answer subject access requests' }).getByRole('listitem');
    assert.equal(await officers.count(), 2);
    await officers.filter({ hasText: 'Bea Patel' }).getByText(/^bea · given by ada on \d+ \w+ \d{4} at \d\d:\d\d$/).waitFor();
    await look(ada, '10-governance', 'information governance');

    // Bea, at her next unlock, has the entry.
    await unlock(bea);
    await bea.getByRole('link', { name: 'Subject access requests' }).click();
    await bea.getByRole('heading', { name: 'Subject access requests', level: 1 }).waitFor();
    assert.equal(await bea.getByText(/You do not hold it/).count(), 0);
    await bea.getByLabel('A person without an account (for example a parent)').check();
    await bea.getByLabel('Name as written in the minutes').fill('Kelly Smith');
    await bea.getByLabel(/^Reason or the request’s case reference/).fill('SAR-2026-031');
    await bea.getByRole('button', { name: 'Find and make the bundle' }).click();
    const result = bea.getByRole('region', { name: /^Bundle for Kelly Smith/ });
    await result.waitFor({ timeout: 30000 });
    await result.getByText(/Chat messages are end-to-end encrypted/).waitFor();
    await result.getByRole('table', { name: 'Rooms whose messages the members should search' }).getByText('case-7').waitFor();
    await look(bea, '11-sar-bundle', 'subject access bundle');

    const save = async (label) => {
      const [d] = await Promise.all([bea.waitForEvent('download'), result.getByRole('button', { name: label }).click()]);
      return { name: d.suggestedFilename(), text: readFileSync(await d.path(), 'utf8') };
    };
    const json = await save('Download as JSON');
    const md = await save('Download as Markdown');
    const html = await save(/^Download as HTML/);
    assert.equal(json.name, 'subject-access-kelly-smith.json');
    const bundle = JSON.parse(json.text);
    assert.deepEqual(bundle.subject, { name: 'Kelly Smith' });
    assert.equal(bundle.reason, 'SAR-2026-031');
    assert.equal(bundle.requested_by, 'bea');
    assert.equal(bundle.first_item, undefined);
    assert.equal(bundle.items.length, bundle.total_items);
    assert.ok(bundle.items.some((i) => i.source === 'minutes' && i.section === 'Agenda and discussion' && /Kelly Smith said K is sleeping better/.test(i.text)));
    assert.ok(bundle.rooms.some((r) => r.room === 'case-7' && r.named_in_minutes === true));
    assert.match(bundle.notes.messages, /end-to-end encrypted/);
    for (const doc of [md.text, html.text]) {
      assert.match(doc, /OFFICIAL-SENSITIVE: PERSONAL DATA/);
      assert.match(doc, /Kelly Smith \(a name written in the minutes; no account\)/);
      assert.match(doc, /Chat messages are end-to-end encrypted/);
      assert.match(doc, /Rooms whose messages the members should search/);
      assert.match(doc, /case-7/);
      assert.match(doc, /Kelly Smith said K is sleeping better/);
    }
    assert.match(md.text, /^\*\*OFFICIAL-SENSITIVE: PERSONAL DATA\*\*\n\n# Subject access bundle\n/);
    assert.match(html.text, /^<!DOCTYPE html>/);

    // The browser's documents are the command's, byte for byte, from the same bundle: Ann's
    // command writes bundle.json, .md and .html; the browser's renderer gets the same JSON.
    const out = join(server.dir, 'sar');
    mkdirSync(out, { recursive: true });
    await server.cli('ann', ['admin', 'sar', '--name', 'Kelly Smith', '--reason', 'SAR-2026-031', '--out', out]);
    const { subjectAccessMarkdown, subjectAccessHtml, subjectAccessJson } = await exporter();
    const cliJson = readFileSync(join(out, 'bundle.json'), 'utf8');
    const cliBundle = JSON.parse(cliJson);
    assert.equal(subjectAccessMarkdown(cliBundle), readFileSync(join(out, 'bundle.md'), 'utf8'));
    assert.equal(subjectAccessHtml(cliBundle), readFileSync(join(out, 'bundle.html'), 'utf8'));
    assert.deepEqual(JSON.parse(subjectAccessJson(cliBundle)), cliBundle);
    assert.equal(cliBundle.items.filter((i) => i.source === 'minutes').length, bundle.items.filter((i) => i.source === 'minutes').length);
    // Hostile text stays text: a bundle whose fields carry markup and Markdown structure.
    const hostile = { ...cliBundle, reason: '<script>alert(1)</script>', items: [{ source: 'minutes', section: '# Heading', title: '<b>x</b>', text: 'line: > quote\n- list', matched: ['name in the text'] }] };
    assert.doesNotMatch(subjectAccessHtml(hostile), /<script>|<b>x/);
    assert.match(subjectAccessMarkdown(hostile), /### 1\. \\# Heading/);

    // Ada withdraws Bea's permission; Bea's next request is refused, in words.
    const beaOfficer = officers.filter({ hasText: 'Bea Patel' });
    await beaOfficer.getByLabel('Reason for withdrawing (kept in the audit log)').fill('Moved to another school');
    await beaOfficer.getByRole('button', { name: 'Withdraw the permission from bea' }).click();
    await ada.getByRole('dialog', { name: 'Withdraw the permission from Bea Patel (Riverside Primary School)?' }).getByRole('button', { name: 'Withdraw' }).click();
    await ada.getByText('bea no longer holds the information-governance permission.').waitFor();
    await bea.getByRole('button', { name: 'Find and make the bundle' }).click();
    await bea.getByRole('alert').filter({ hasText: /\(forbidden\)$/ }).waitFor();
    assert.deepEqual(errors.filter((e) => !/WebSocket connection to .* failed/.test(e)), []);
  });

  test('a legal hold on a meeting never circulated, in a room the admin is not in', { timeout: 180000 }, async () => {
    // Cal's room, without Ada; its meeting's minutes were never circulated, so the audit log
    // names the room but not the meeting: only the server's list (hold_targets) has it.
    await server.cli('cal', ['room', 'create', 'case-9', '--member', 'hana']);
    const hidden = JSON.parse(await server.cli('cal', ['meeting', 'create', 'case-9', '--title', 'Strategy discussion for M',
      '--kind', 'strategy', '--at', '2026-12-09 14:00', '--place', 'remote', '--chair', 'hana', '--minute-taker', 'cal', '--json'])).meeting;
    const label = `Meeting ${hidden} in case-9: Strategy meeting or discussion, 9 December 2026 (minutes not circulated)`;
    await ada.getByRole('link', { name: 'Administration' }).click();
    await adminPage('Legal holds');
    const place = ada.getByRole('form', { name: 'Place a legal hold' });
    await place.getByLabel('Room or meeting').locator('option', { hasText: label }).waitFor({ state: 'attached', timeout: 30000 });
    const options = await place.getByLabel('Room or meeting').locator('option').allInnerTexts();
    assert.ok(options.includes('case-9'), `the room is offered: ${options.join(', ')}`);
    assert.ok(!options.some((o) => o.includes('Strategy discussion for M')), 'no title: it is for the room’s members');
    await place.getByLabel('Room or meeting').selectOption({ label });
    await place.getByLabel(/^Reason/).fill('Complaint 2026/131: keep the strategy record.');
    await place.getByRole('button', { name: 'Place the hold' }).click();
    await ada.getByText(`Placed a legal hold on meeting ${hidden} in the room case-9.`).waitFor();
    await ada.getByRole('list', { name: 'Legal holds in place' }).getByRole('listitem')
      .filter({ hasText: `Meeting ${hidden} in the room case-9` }).getByText('Reason: Complaint 2026/131: keep the strategy record.').waitFor();
    // The server holds it: the command lists the hold on that meeting.
    const shown = JSON.parse(await server.cli('ann', ['admin', 'retention', 'show', '--json']));
    assert.ok(shown.holds.some((h) => h.target === 'meeting' && h.meeting === hidden && h.room === 'case-9'), JSON.stringify(shown.holds));
    await look(ada, '7-holds-meeting', 'legal holds (a meeting)');
    assert.deepEqual(errors.filter((e) => !/WebSocket connection to .* failed/.test(e)), []);
  });
});
