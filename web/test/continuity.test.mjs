// Continuity in the browser (PROTOCOL.md, "Continuity"; issue 26), against a real liaise-server
// and the real `liaise` command: a person with messages makes a recovery key in the browser; a
// replacement device, enrolled in a fresh browser profile with a replacement code, restores it
// and reads the earlier messages, and shares the room's history with a new member. A mistyped or
// wrong recovery key, and backup entries the server swapped, open nothing and say so in words.
// Keys move both ways between the browser and the command (recovery keys and transfer codes).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { PASSPHRASE, Server, axeViolations, launch, personPage, enrolInBrowser } from './support.mjs';

const run = promisify(execFile);
const server = new Server();
let browser;
const errors = [];
const shots = process.env.LIAISE_WEB_SCREENSHOTS; // a folder: screenshots are saved there
const vectors = JSON.parse(readFileSync(new URL('../../protocol/testdata/vectors/continuity.json', import.meta.url), 'utf8'));

async function shot(page, name) {
  if (shots) await page.screenshot({ path: join(shots, `continuity-${name}.png`), fullPage: true });
}


async function openRecovery(page) {
  await page.getByRole('button', { name: /menu$/ }).click();
  await page.getByRole('button', { name: 'Recovery key and devices' }).click();
  await page.getByRole('heading', { name: 'Recovery key and devices' }).waitFor();
  await page.getByText(/Checking your key backup/).waitFor({ state: 'detached' });
}

/** The restore form's answer, in words: what it says once it has finished. */
async function restoreAnswer(page) {
  const answer = page.locator('#restore-title + form').locator('[role=alert], [role=status]');
  await answer.first().waitFor({ timeout: 30000 });
  return (await answer.allInnerTexts()).join(' ');
}

const timeline = (page) => page.getByRole('list', { name: /^Messages in / });

async function openRoom(page, room) {
  await page.getByRole('link', { name: new RegExp(room) }).click();
  await page.getByRole('heading', { name: room }).waitFor();
}

const code = async (user, display) => JSON.parse(await server.cli('ann',
  ['admin', 'enrol', user, '--agency', 'Westshire Council', '--role', 'member', '--display-name', display, '--json'])).code;
const replacement = async (user) => JSON.parse(await server.cli('ann', ['admin', 'account', 'replace-device', user, '--json'])).code;

before(async () => {
  await server.init();
  await server.start();
  await server.cli('ann', ['enrol', '--server', `ws://127.0.0.1:${server.port}`, '--code', server.adminCode]);
  // Ann runs most commands: unlocked once, they skip a second of Argon2id each ('liaise lock' after).
  await server.cli('ann', ['unlock', '--for', '30m']);
  browser = await launch();
  console.log(`# chromium ${browser.version()}`);
});

after(async () => {
  await server.cli('ann', ['lock']).catch(() => undefined);
  await browser?.close();
  if (process.exitCode && process.exitCode !== 0) console.log(server.log());
  await server.cleanup();
});

test('a recovery key made in the browser restores history on a replacement browser; a wrong one opens nothing',
  { timeout: 120000 }, async () => {
    const t0 = Date.now();
    const step = (what) => console.log(`# ${Date.now() - t0} ms: ${what}`);
    const bea = await personPage(browser, server.url, errors);
    await enrolInBrowser(bea, await code('bea', 'Bea Patel'), 'Bea’s old laptop');
    await server.cli('ann', ['room', 'create', 'case-7', '--member', 'bea']);
    await openRoom(bea, 'case-7');
    await bea.getByLabel('Message to case-7').fill('Bea: first home visit went well');
    await bea.getByRole('button', { name: 'Send', exact: true }).click();
    await bea.getByRole('dialog', { name: 'New readers' }).getByRole('button', { name: 'Send to them too' }).click();
    await timeline(bea).getByText('Bea: first home visit went well').waitFor();
    await server.cli('ann', ['send', 'case-7', 'Ann: school says attendance is up', '--anyway', '--accept-new-readers']);
    await timeline(bea).getByText('Ann: school says attendance is up').waitFor();
    step('Bea has messages');

    // The recovery key: made in the browser, shown once, printed, confirmed as kept.
    await openRecovery(bea);
    assert.match(await bea.locator('.status-line').innerText(), /no recovery key yet/);
    await bea.getByRole('button', { name: 'Make a recovery key' }).click();
    const keyText = (await bea.locator('.recovery-key .code').innerText()).trim();
    assert.match(keyText, /^([0-9A-HJKMNP-TV-Z]{4} ){11}[0-9A-HJKMNP-TV-Z]{4}$/);
    assert.deepEqual(await axeViolations(bea), [], 'axe-core on the recovery key');
    await shot(bea, '1-recovery-key');
    // Printed, the page is the key alone with what it is for (no menus, buttons or other sections).
    await bea.emulateMedia({ media: 'print' });
    assert.equal(await bea.locator('.recovery-key .code').isVisible(), true);
    for (const hidden of [bea.getByRole('button', { name: 'Print the recovery key' }), bea.getByRole('navigation', { name: 'Rooms' }),
      bea.getByRole('heading', { name: 'Your key backup' }), bea.getByRole('heading', { name: 'Move my keys to a new device' })])
      assert.equal(await hidden.isVisible(), false);
    await shot(bea, '1b-printed');
    await bea.emulateMedia({ media: 'screen' });
    const done = bea.getByRole('button', { name: 'Done' });
    assert.equal(await done.isDisabled(), true, 'Done waits for "I have kept it"');
    await bea.getByLabel('I have kept my recovery key somewhere safe').check();
    await done.click();
    await bea.locator('.status-line', { hasText: 'Backed up' }).waitFor();
    assert.equal(await bea.locator('.recovery-key .code').count(), 0, 'the key is shown once');
    await shot(bea, '2-backed-up');
    // A message that arrives after the key was made is backed up as it is read.
    await openRoom(bea, 'case-7');
    await server.cli('ann', ['send', 'case-7', 'Ann: review meeting on Friday', '--anyway']);
    await timeline(bea).getByText('Ann: review meeting on Friday').waitFor();
    await bea.waitForTimeout(800); // the backup is sent in batches, 300 ms after a key is read
    step('recovery key made');

    // Bea's laptop is lost: a replacement code, a fresh browser profile.
    const bea2 = await personPage(browser, server.url, errors);
    await enrolInBrowser(bea2, await replacement('bea'), 'Bea’s new laptop');
    await openRoom(bea2, 'case-7');
    await timeline(bea2).getByText(/not encrypted for this device/).first().waitFor();
    assert.equal(await timeline(bea2).getByText('Bea: first home visit went well').count(), 0);
    await openRecovery(bea2);
    assert.match(await bea2.locator('.status-line').innerText(), /made on another device/);
    await shot(bea2, '3-restore');

    // Attacker-style checks: a mistyped key, and a well-formed key that is not hers, open nothing.
    const input = bea2.getByLabel('Recovery key', { exact: true });
    const restore = bea2.getByRole('button', { name: 'Restore my history' });
    const typo = keyText.slice(0, 5) + (keyText[5] === 'A' ? 'B' : 'A') + keyText.slice(6);
    await input.fill(typo);
    await restore.click();
    assert.match(await restoreAnswer(bea2), /That is not a recovery key: a letter is wrong or two are swapped/);
    await input.fill(vectors.recovery.text);
    await restore.click();
    await bea2.getByRole('alert').filter({ hasText: 'That is not your account’s current recovery key' }).waitFor();
    assert.match(await restoreAnswer(bea2), /That is not your account’s current recovery key. Nothing was changed/);
    await shot(bea2, '4-wrong-key');
    await openRoom(bea2, 'case-7');
    assert.equal(await timeline(bea2).getByText('Bea: first home visit went well').count(), 0, 'a wrong key opened nothing');
    step('wrong keys refused');

    // The right key, typed loosely (lower case, dashes): every earlier message opens.
    await openRecovery(bea2);
    await bea2.getByLabel('Recovery key', { exact: true }).fill(keyText.toLowerCase().replaceAll(' ', '-'));
    await bea2.getByRole('button', { name: 'Restore my history' }).click();
    assert.match(await restoreAnswer(bea2), /^Restored: 3 message keys/);
    await shot(bea2, '5-restored');
    await openRoom(bea2, 'case-7');
    for (const text of ['Bea: first home visit went well', 'Ann: school says attendance is up', 'Ann: review meeting on Friday'])
      await timeline(bea2).getByText(text).waitFor();
    assert.equal(await timeline(bea2).getByText(/not encrypted for this device/).count(), 0);
    await shot(bea2, '6-history-back');
    // Kept on this device: a reload reads them without the recovery key.
    await bea2.reload();
    await bea2.getByLabel('Passphrase').fill(PASSPHRASE);
    await bea2.getByRole('button', { name: /Unlock/ }).click();
    await bea2.getByRole('navigation', { name: 'Rooms' }).waitFor({ timeout: 60000 });
    await openRoom(bea2, 'case-7');
    await timeline(bea2).getByText('Bea: first home visit went well').waitFor();
    step('restored in the browser');

    // Handover: Dan, new to the case, joins in his browser; Bea (in the restored browser)
    // shares the history since today with him.
    const dan = await personPage(browser, server.url, errors);
    await enrolInBrowser(dan, await code('dan', 'Dan Reid'), 'Dan’s laptop');
    await server.cli('ann', ['room', 'add', 'case-7', 'dan']);
    await openRoom(dan, 'case-7');
    await timeline(dan).getByText(/Dan Reid .*was added by/).waitFor();
    assert.equal(await timeline(dan).getByText('Bea: first home visit went well').count(), 0,
      'a newcomer reads nothing earlier before a share');
    await openRecovery(bea2);
    await bea2.getByLabel('Room', { exact: true }).selectOption({ label: 'case-7' });
    await bea2.getByLabel('New member', { exact: true }).selectOption({ label: 'Dan Reid (Westshire Council)' });
    const today = await bea2.evaluate(() => new Date().toLocaleDateString('en-CA'));
    await bea2.getByLabel('Share messages sent since').fill(today);
    bea2.once('dialog', (d) => d.accept());
    await bea2.getByRole('button', { name: 'Share history' }).click();
    await bea2.getByRole('status').filter({ hasText: /^Shared: Dan Reid can now read case-7/ }).waitFor({ timeout: 30000 });
    await shot(bea2, '7-shared');
    await openRoom(bea2, 'case-7');
    await timeline(bea2).getByText(/Bea Patel shared history since \d+ \w+ \d{4} with Dan Reid/).waitFor();
    // Dan's browser opens the shared keys and reads what was said before he joined.
    await timeline(dan).getByText(/Bea Patel shared history since \d+ \w+ \d{4} with Dan Reid/).waitFor({ timeout: 30000 });
    for (const text of ['Bea: first home visit went well', 'Ann: review meeting on Friday'])
      await timeline(dan).getByText(text).waitFor({ timeout: 30000 });
    assert.deepEqual(await axeViolations(dan), [], 'axe-core on the newcomer’s room');
    await shot(dan, '7b-newcomer-reads-shared-history');
    step('history shared from the browser, read in a browser');

    // Bea replaces her recovery key in the restored browser (it keeps the old one): what the
    // old key opened is carried over to the new key, and the old key stops working.
    await openRecovery(bea2);
    bea2.once('dialog', (d) => d.accept());
    await bea2.getByRole('button', { name: 'Make a recovery key' }).click();
    const newKey = (await bea2.locator('.recovery-key .code').innerText()).trim();
    assert.notEqual(newKey, keyText);
    await bea2.getByLabel('I have kept my recovery key somewhere safe').check();
    await bea2.getByRole('button', { name: 'Done' }).click();
    await bea2.locator('.status-line', { hasText: 'Backed up' }).waitFor();
    step('recovery key replaced');

    // The browser's new key restores in the command too (a third device for Bea); the old one
    // is refused.
    await server.cli('bea-cli', ['enrol', '--server', `ws://127.0.0.1:${server.port}`, '--code', await replacement('bea')]);
    await assert.rejects(server.cli('bea-cli', ['recovery', 'restore', '--key', keyText]), /bad_recovery_key/);
    assert.match(await server.cli('bea-cli', ['recovery', 'restore', '--key', newKey]), /Restored/);
    const texts = await server.cli('bea-cli', ['read', 'case-7', '--plain', '--json']);
    for (const text of ['Bea: first home visit went well', 'Ann: review meeting on Friday']) assert.ok(texts.includes(text), text);
    step('restored in the command');
    await bea.context().close();
    await bea2.context().close();
    await dan.context().close();
    assert.deepEqual(errors, []);
  });

test('the liaise command and a browser move keys both ways with a transfer code; swapped backup entries open nothing', { timeout: 150000 }, async () => {
  await server.cli('cal', ['enrol', '--server', `ws://127.0.0.1:${server.port}`, '--code', await code('cal', 'Cal Jones')]);
  await server.cli('ann', ['room', 'create', 'case-8', '--member', 'cal']);
  await server.cli('cal', ['send', 'case-8', 'Cal: notes from the command line', '--anyway', '--accept-new-readers']);
  await server.cli('cal', ['send', 'case-8', 'Cal: a middle note', '--anyway']);
  await server.cli('cal', ['send', 'case-8', 'Cal: a last note', '--anyway']);
  const key = JSON.parse(await server.cli('cal', ['recovery', 'create', '--json'])).recovery_key;
  // The server, as an attacker, swaps Cal's first and last backed-up entries (each names its own
  // message); the middle one is left as the command made it.
  const cal_ = '(SELECT MAX(account_id) FROM backup_entries)';
  await run('sqlite3', [join(server.dir, 'data', 'liaise.db'), `
    CREATE TEMP TABLE t AS SELECT seq, sealed FROM backup_entries WHERE account_id = ${cal_};
    UPDATE backup_entries SET sealed = (SELECT sealed FROM t WHERE seq = (SELECT MAX(seq) FROM t))
      WHERE account_id = ${cal_} AND seq = (SELECT MIN(seq) FROM t);
    UPDATE backup_entries SET sealed = (SELECT sealed FROM t WHERE seq = (SELECT MIN(seq) FROM t))
      WHERE account_id = ${cal_} AND seq = (SELECT MAX(seq) FROM t);`]);
  // The old device (the command) offers its keys before the new one is enrolled.
  const transfer = JSON.parse(await server.cli('cal', ['device', 'transfer', '--json'])).code;
  const cal = await personPage(browser, server.url, errors);
  await enrolInBrowser(cal, await replacement('cal'), 'Cal’s browser');
  await openRecovery(cal);
  // The command's recovery key restores in the browser; the swapped entries open nothing, and
  // the browser says so in words.
  await cal.getByLabel('Recovery key', { exact: true }).fill(key);
  await cal.getByRole('button', { name: 'Restore my history' }).click();
  assert.match(await restoreAnswer(cal),
    /^Restored: 1 message key .*2 backed-up keys did not open with your recovery key, or belonged to another message; they were left out\./);
  await shot(cal, '9-swapped-entries');
  await openRoom(cal, 'case-8');
  await timeline(cal).getByText('Cal: a middle note').waitFor();
  assert.equal(await timeline(cal).getByText(/not encrypted for this device/).count(), 2, 'the swapped entries opened nothing');
  assert.equal(await timeline(cal).getByText('Cal: a last note').count(), 0);
  await openRecovery(cal);
  await cal.getByLabel('Transfer code from your old device').fill(transfer.toLowerCase());
  await cal.getByRole('button', { name: 'Receive my keys' }).click();
  await cal.getByRole('status').filter({ hasText: /^Your keys arrived from your old device/ }).waitFor({ timeout: 30000 });
  await openRoom(cal, 'case-8');
  await timeline(cal).getByText('Cal: notes from the command line').waitFor();
  await timeline(cal).getByText('Cal: a last note').waitFor();
  await openRecovery(cal);
  // And the browser offers its keys to the command's next device.
  await cal.getByRole('button', { name: 'Make a transfer code on this (old) device' }).click();
  const code2 = (await cal.locator('#transfer-title ~ .letter-code .code').innerText()).trim();
  assert.match(code2, /^[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}$/);
  await shot(cal, '8-transfer-code');
  await server.cli('cal-new', ['enrol', '--server', `ws://127.0.0.1:${server.port}`, '--code', await replacement('cal')]);
  assert.match(await server.cli('cal-new', ['device', 'transfer', '--receive', '--code', code2]), /Received/);
  assert.ok((await server.cli('cal-new', ['read', 'case-8', '--plain', '--json'])).includes('Cal: notes from the command line'));
  // A mistyped code on the new device opens nothing, and says to check it and type it again:
  // the transfer waits for the right code.
  const code3 = JSON.parse(await server.cli('cal-new', ['device', 'transfer', '--json'])).code;
  const typo = `${code3.slice(0, 10)}${code3[10] === '7' ? '8' : '7'}`;
  const cal3 = await personPage(browser, server.url, errors);
  await enrolInBrowser(cal3, await replacement('cal'), 'Cal’s third browser');
  await openRecovery(cal3);
  await cal3.getByLabel('Transfer code from your old device').fill(typo);
  await cal3.getByRole('button', { name: 'Receive my keys' }).click();
  await cal3.getByRole('alert').filter({ hasText: /did not open with that code. Check it .*type it again/ }).waitFor({ timeout: 60000 });
  assert.deepEqual(await axeViolations(cal3), [], 'axe-core on a refused transfer');
  await shot(cal3, '10-transfer-code-mistyped');
  await cal3.getByLabel('Transfer code from your old device').fill(code3);
  await cal3.getByRole('button', { name: 'Receive my keys' }).click();
  await cal3.getByRole('status').filter({ hasText: /^Your keys arrived from your old device/ }).waitFor({ timeout: 60000 });
  await openRoom(cal3, 'case-8');
  await timeline(cal3).getByText('Cal: notes from the command line').waitFor();
  // Opened, the transfer is closed: the same code finds nothing waiting.
  await openRecovery(cal3);
  await cal3.getByLabel('Transfer code from your old device').fill(code3);
  await cal3.getByRole('button', { name: 'Receive my keys' }).click();
  await cal3.getByRole('alert').filter({ hasText: /^No transfer is waiting/ }).waitFor({ timeout: 30000 });
  await cal3.context().close();
  await cal.context().close();
  assert.deepEqual(errors, []);
});
