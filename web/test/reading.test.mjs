// Read positions and the daily email in the browser (issue 27; PROTOCOL.md, "Read positions"):
// the room list's unread counts come from the server's read positions (a new browser with the
// same keys shows the same counts; a room opened on screen is cleared for every device; a room
// read with `liaise read` is cleared in the browser after a reload), and a person turns their
// own daily email of unread rooms off and on in the menu under their name, the server's state
// checked through the command, with words when no email can reach them. Screenshots of the room
// list at 1100 and 360 px with LIAISE_WEB_SCREENSHOTS.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { PASSPHRASE, Server, axeViolations, enrolInBrowser, freePort, launch, personPage } from './support.mjs';

const shots = process.env.LIAISE_WEB_SCREENSHOTS; // a folder: screenshots are saved there
const errors = [];
let browser;

const roomItem = (page, room) => page.getByRole('navigation', { name: 'Rooms' }).getByRole('listitem').filter({ hasText: room });
/** The count a room's entry in the list shows ("3 new"), or "" when it shows none. */
async function unreadShown(page, room) {
  const badge = roomItem(page, room).locator('.unread');
  return (await badge.count()) === 0 ? '' : (await badge.textContent()).trim();
}

/** Back to the room list with no room open (at 360 px, the list alone). */
async function home(page) {
  await page.evaluate(() => { window.location.hash = '#/'; });
  await page.getByRole('heading', { name: 'Choose a room' }).waitFor({ state: 'attached' });
}

async function unlock(page) {
  await page.reload();
  await page.getByLabel('Passphrase').fill(PASSPHRASE);
  await page.getByRole('button', { name: 'Unlock' }).click();
  await page.getByRole('navigation', { name: 'Rooms' }).waitFor({ timeout: 60000 });
}

/** Opens the menu under the person's name and returns the digest checkbox. */
async function digestBox(page, time) {
  await page.getByRole('button', { name: /menu/ }).click();
  const box = page.getByLabel(`Email me a summary of unread rooms each working morning at ${time}`);
  await box.waitFor();
  await page.waitForFunction(() => !document.getElementById('email-digest')?.disabled);
  return box;
}

/** Exports `page`'s keys (the menu's button) into the command's home for `who`. */
async function keysToCommand(page, server, who) {
  const downloads = [];
  page.on('download', (d) => downloads.push(d));
  await page.getByRole('button', { name: /menu/ }).click();
  await page.getByRole('button', { name: /Export my keys/ }).click();
  for (let i = 0; i < 50 && downloads.length < 2; i++) await page.waitForTimeout(100);
  assert.equal(downloads.length, 2);
  await server.cli(who, ['--version']);
  for (const d of downloads) await d.saveAs(join(server.home(who), d.suggestedFilename()));
  const profile = JSON.parse(readFileSync(join(server.home(who), 'profile.json'), 'utf8'));
  profile.server = `ws://127.0.0.1:${server.port}`;
  writeFileSync(join(server.home(who), 'profile.json'), JSON.stringify(profile));
  await page.keyboard.press('Escape');
  await server.cli(who, ['unlock', '--for', '30m']);
}

/** A server with an admin (ann, on the command) and a chair (cal, on the command). */
async function serverWithPeople(toml) {
  const server = new Server();
  await server.init();
  if (toml) server.setConfig(toml);
  await server.start();
  const cli = (who, args) => server.cli(who, args);
  await cli('ann', ['enrol', '--server', `ws://127.0.0.1:${server.port}`, '--code', server.adminCode]);
  await cli('ann', ['unlock', '--for', '30m']);
  server.code = async (user, display, role) => JSON.parse(await cli('ann',
    ['admin', 'enrol', user, '--agency', 'Westshire Council', '--role', role, '--display-name', display, '--json'])).code;
  await cli('cal', ['enrol', '--server', `ws://127.0.0.1:${server.port}`, '--code', await server.code('cal', 'Cal Jones', 'chair')]);
  await cli('cal', ['unlock', '--for', '30m']);
  return server;
}

before(async () => {
  browser = await launch();
  console.log(`# chromium ${browser.version()}`);
});

after(async () => {
  await browser?.close();
});

describe('with email set up', () => {
  let server;
  let bea; // a member of staff in the browser; her keys also on the command (bea-cli)

  before(async () => {
    // The relay is never reached here (nothing listens on its port): whoami says what the
    // operator set, which is what the page shows.
    const relay = await freePort();
    server = await serverWithPeople(`[smtp]\nhost = "127.0.0.1"\nport = ${relay}\nfrom = "liaise@council.example.org"\n` +
      'check_seconds = 3600\ntimeout_ms = 1000\nplain_loopback = true\ndigest_time = "07:45"\n');
    bea = await personPage(browser, server.url, errors);
    await enrolInBrowser(bea, await server.code('bea', 'Bea Patel', 'member'), 'Bea’s laptop');
    await keysToCommand(bea, server, 'bea-cli');
  });

  after(async () => {
    if (process.exitCode && process.exitCode !== 0) console.log(server.log());
    await server.cleanup();
  });

  test('the daily email: shown as the server holds it, turned on and off in the menu', { timeout: 240000 }, async () => {
    // No address yet: the box shows the server's state (on, the default) and says why nothing comes.
    let box = await digestBox(bea, '07:45');
    assert.equal(await box.isChecked(), true);
    await bea.getByText('Liaise has no email address for you, so no summary can reach you. Ask your administrator to add it.').waitFor();
    assert.deepEqual(await axeViolations(bea), [], 'axe-core with the menu open');
    await bea.keyboard.press('Escape');

    // An address given, and the digest turned off on another device: the browser shows both.
    await server.cli('ann', ['admin', 'account', 'email', 'bea', 'bea.patel@westshire.example.org']);
    assert.match(await server.cli('bea-cli', ['digest', 'off']), /The daily email of unread rooms is off\./);
    await unlock(bea);
    box = await digestBox(bea, '07:45');
    assert.equal(await box.isChecked(), false);
    assert.equal(await bea.getByText(/no summary can reach you/).count(), 0, 'no complaint once email can reach her');

    // Turned on by keyboard, it stays on after a reload; the server holds it (the command's
    // second request finds it on already).
    await box.focus();
    await bea.keyboard.press('Space');
    await bea.getByRole('status').filter({ hasText: 'Saved: the summary is on.' }).waitFor();
    await unlock(bea);
    box = await digestBox(bea, '07:45');
    assert.equal(await box.isChecked(), true);
    assert.match(await server.cli('bea-cli', ['digest', 'on']), /was on already/);

    // And off by mouse: the server holds that too.
    await box.click();
    await bea.getByRole('status').filter({ hasText: 'Saved: the summary is off.' }).waitFor();
    assert.match(await server.cli('bea-cli', ['digest', 'off']), /was off already/);
    assert.equal(await box.isChecked(), false);
    await bea.keyboard.press('Escape');
    assert.deepEqual(errors.filter((e) => !/WebSocket connection to .* failed/.test(e)), []);
  });

  test('unread counts come from read positions, on every device', { timeout: 300000 }, async () => {
    /** Waits until `liaise rooms` (Bea's keys on the command) counts `n` unread in `room`. */
    const serverSays = async (room, n) => {
      let unread = -1;
      for (let i = 0; i < 40 && unread !== n; i++) {
        if (i > 0) await bea.waitForTimeout(250);
        const line = (await server.cli('bea-cli', ['rooms'])).split('\n').find((l) => l.startsWith(`${room}:`)) ?? '';
        const m = /last message #(\d+)(?:, unread after #(\d+))?/.exec(line);
        unread = !m ? -1 : m[2] ? Number(m[1]) - Number(m[2]) : 0;
      }
      assert.equal(unread, n, `the server's read position of ${room}`);
    };
    await server.cli('cal', ['room', 'create', 'case-12', '--member', 'bea']);
    await server.cli('cal', ['room', 'create', 'case-13', '--member', 'bea']);
    await server.cli('cal', ['room', 'create', 'case-a-rather-long-room-name-for-the-list', '--member', 'bea']);
    // Bea opens each room once (her read position moves to its end), then goes elsewhere.
    const rooms = bea.getByRole('navigation', { name: 'Rooms' });
    for (const room of ['case-12', 'case-13', 'case-a-rather-long-room-name-for-the-list']) {
      await rooms.getByRole('link', { name: new RegExp(room) }).click({ timeout: 30000 });
      await bea.getByRole('heading', { name: room }).waitFor();
    }
    await home(bea);
    for (const room of ['case-12', 'case-13']) await serverSays(room, 0);

    // Cal writes 3 messages in case-12, 2 in case-13 and 12 in the long one; Bea's list counts them.
    const send = (room, text) => server.cli('cal', ['send', room, text, '--anyway', '--accept-new-readers']);
    for (let i = 1; i <= 3; i++) await send('case-12', `Update ${i} on the plan`);
    for (let i = 1; i <= 2; i++) await send('case-13', `Note ${i}`);
    for (let i = 1; i <= 12; i++) await send('case-a-rather-long-room-name-for-the-list', `Item ${i}`);
    await bea.waitForFunction(() => document.querySelectorAll('nav.rooms .unread').length === 3, null, { timeout: 30000 });
    assert.equal(await unreadShown(bea, 'case-12'), '3 new');
    assert.equal(await unreadShown(bea, 'case-13'), '2 new');
    assert.equal(await unreadShown(bea, 'case-a-rather'), '12 new');
    await look(bea, 'reading-1-room-list');

    // A new browser with Bea's keys and nothing stored shows the same counts: they are the
    // server's read positions, not this browser's memory.
    const other = await personPage(browser, server.url, errors);
    await other.getByRole('button', { name: /bring its keys here/ }).click();
    await other.getByLabel('keystore.json').setInputFiles(join(server.home('bea-cli'), 'keystore.json'));
    await other.getByLabel('profile.json').setInputFiles(join(server.home('bea-cli'), 'profile.json'));
    await other.getByLabel('Passphrase of those keys').fill(PASSPHRASE);
    await other.getByRole('button', { name: 'Bring the keys here' }).click();
    await roomItem(other, 'case-12').locator('.unread').waitFor({ timeout: 60000 });
    assert.equal(await unreadShown(other, 'case-12'), '3 new');
    assert.equal(await unreadShown(other, 'case-13'), '2 new');

    // Opening case-12 with its newest message on screen clears it, and it stays cleared after a
    // reload, in this browser and the other, and for the command.
    await bea.getByRole('navigation', { name: 'Rooms' }).getByRole('link', { name: /case-12/ }).click();
    await bea.getByRole('list', { name: /^Messages in / }).getByText('Update 3 on the plan').waitFor({ timeout: 30000 });
    await home(bea);
    assert.equal(await unreadShown(bea, 'case-12'), '');
    await serverSays('case-12', 0);
    await serverSays('case-13', 2);
    await unlock(bea);
    assert.equal(await unreadShown(bea, 'case-12'), '');
    assert.equal(await unreadShown(bea, 'case-13'), '2 new');
    await unlock(other);
    assert.equal(await unreadShown(other, 'case-12'), '');
    assert.equal(await unreadShown(other, 'case-13'), '2 new');

    // Read on another device (the command): cleared in the browser after a reload.
    assert.match(await server.cli('bea-cli', ['read', 'case-13', '--plain']), /Note 2/);
    await unlock(bea);
    assert.equal(await unreadShown(bea, 'case-13'), '');
    assert.equal(await unreadShown(bea, 'case-a-rather'), '12 new');
    await look(bea, 'reading-2-room-list-after');

    // A message arriving in a room open in a tab the person is not looking at is not recorded
    // as read; once they look at the tab again, it is.
    await bea.getByRole('navigation', { name: 'Rooms' }).getByRole('link', { name: /case-12/ }).click();
    await bea.getByRole('heading', { name: 'case-12' }).waitFor();
    await serverSays('case-12', 0);
    await bea.evaluate(() => {
      Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
      document.hasFocus = () => false;
      document.dispatchEvent(new Event('visibilitychange'));
    });
    await send('case-12', 'Update 4 on the plan');
    await bea.getByRole('list', { name: /^Messages in / }).getByText('Update 4 on the plan').waitFor({ timeout: 30000 });
    await bea.waitForTimeout(1000);
    await serverSays('case-12', 1);
    await bea.evaluate(() => {
      delete document.visibilityState;
      document.hasFocus = () => true;
      window.dispatchEvent(new Event('focus'));
    });
    await serverSays('case-12', 0);
    await other.context().close();
    assert.deepEqual(errors.filter((e) => !/WebSocket connection to .* failed/.test(e)), []);
  });

  /**
   * axe-core clean, the room list at the page's width and 360 px wide, nothing scrolling
   * sideways at 360 px; screenshots of each with LIAISE_WEB_SCREENSHOTS.
   */
  async function look(page, name) {
    assert.deepEqual(await axeViolations(page), [], 'axe-core on the room list');
    const size = page.viewportSize();
    if (shots) await page.screenshot({ path: join(shots, `${name}.png`) });
    await page.setViewportSize({ width: 360, height: 740 });
    await page.waitForTimeout(100);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 1, `the room list scrolls sideways by ${overflow} px at 360 px`);
    assert.deepEqual(await axeViolations(page), [], 'axe-core on the room list at 360 px');
    if (shots) await page.screenshot({ path: join(shots, `${name}-360.png`) });
    await page.setViewportSize(size);
  }
});

test('without email: the setting says in words that no summary can come', { timeout: 180000 }, async () => {
  const server = await serverWithPeople(null);
  try {
    const dee = await personPage(browser, server.url, errors);
    await enrolInBrowser(dee, await server.code('dee', 'Dee Khan', 'member'), 'Dee’s laptop');
    const box = await digestBox(dee, '08:00');
    assert.equal(await box.isChecked(), true);
    await dee.getByText('This Liaise server does not send email summaries, so none can reach you. Your IT team can set email up.').waitFor();
    // The choice is still kept, for when email is set up.
    await box.click();
    await dee.getByRole('status').filter({ hasText: 'Saved: the summary is off.' }).waitFor();
    if (shots) await dee.screenshot({ path: join(shots, 'reading-3-digest-no-email.png') });
    assert.deepEqual(await axeViolations(dee), [], 'axe-core with the menu open');
    // On a phone the longer menu still reaches its last item.
    await dee.setViewportSize({ width: 360, height: 740 });
    const lock = dee.getByRole('button', { name: 'Lock', exact: true });
    await lock.scrollIntoViewIfNeeded();
    const box360 = await lock.boundingBox();
    assert.ok(box360 && box360.y >= 0 && box360.y + box360.height <= 740, `the menu's last item is on screen at 360 px: ${JSON.stringify(box360)}`);
    if (shots) await dee.screenshot({ path: join(shots, 'reading-3-digest-no-email-360.png') });
    await dee.context().close();
  } finally {
    await server.cleanup();
  }
});
