// The browser client end to end: a real liaise-server serving the client, two people in two
// Chromium contexts (their own IndexedDB each) and a third on the real `liaise` command
// exchange messages in both directions; axe-core finds nothing on each screen; one person
// does a whole conversation with the keyboard alone; a reload keeps drafts and history; a
// server restart is recovered from; keys move between the command and the browser.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { CLI, PASSPHRASE, Server, axeViolations, launch, personPage, enrolInBrowser } from './support.mjs';

const server = new Server();
let browser;
const errors = [];
const shots = process.env.LIAISE_WEB_SCREENSHOTS; // a folder: screenshots are saved there

async function shot(page, name) {
  if (shots) await page.screenshot({ path: join(shots, `${name}.png`), fullPage: false });
}

async function noViolations(page, screen) {
  const found = await axeViolations(page);
  assert.deepEqual(found, [], `axe-core on the ${screen} screen`);
}


const timeline = (page) => page.getByRole('list', { name: /^Messages in / });

before(async () => {
  await server.init();
  await server.start();
  await server.cli('ann', ['enrol', '--server', `ws://127.0.0.1:${server.port}`, '--code', server.adminCode]);
  // Ann's many commands skip the key derivation (about a second each): unlocked once.
  await server.cli('ann', ['unlock', '--for', '30m']);
  await server.cli('ann', ['admin', 'agency', 'add', 'Riverside Primary', '--discipline', 'education']);
  await server.cli('ann', ['admin', 'agency', 'add', 'Westshire NHS', '--discipline', 'health']);
  browser = await launch();
  console.log(`# chromium ${browser.version()}`);
});

after(async () => {
  await server.cli('ann', ['lock']).catch(() => undefined);
  await browser?.close();
  if (process.exitCode && process.exitCode !== 0) console.log(server.log());
  await server.cleanup();
});

test('two browsers and the liaise command talk to each other', { timeout: 240000 }, async () => {
  const code = async (user, display, agency) => JSON.parse(await server.cli('ann',
    ['admin', 'enrol', user, '--agency', agency, '--role', 'member', '--display-name', display, '--json'])).code;
  const beaCode = await code('bea', 'Bea Patel', 'Riverside Primary');
  const calCode = await code('cal', 'Cal Jones', 'Westshire NHS');

  const bea = await personPage(browser, server.url, errors);
  await bea.getByRole('heading', { name: 'Set up Liaise on this computer' }).waitFor();
  await noViolations(bea, 'enrol');
  await shot(bea, '1-enrol');
  await enrolInBrowser(bea, beaCode, 'Bea’s laptop');
  await noViolations(bea, 'room list (empty)');

  // Cal's desktop notifications are recorded (the page is treated as in the background).
  const recordNotifications = () => {
    window.shownNotifications = [];
    window.Notification = class {
      static permission = 'granted';
      static requestPermission() { return Promise.resolve('granted'); }
      constructor(title, options) { window.shownNotifications.push({ title, body: options?.body ?? '' }); }
    };
    Object.defineProperty(document, 'visibilityState', { get: () => 'hidden' });
  };
  const cal = await personPage(browser, server.url, errors, { width: 360, height: 740 }, recordNotifications);
  await enrolInBrowser(cal, calCode, 'Cal’s laptop');

  await server.cli('ann', ['room', 'create', 'case-2041', '--member', 'bea', '--member', 'cal']);
  for (const page of [bea, cal]) await page.getByRole('link', { name: /case-2041/ }).waitFor();
  await shot(bea, '2-rooms');

  // Bea, with the mouse: opens the room and sends; she is asked about readers first.
  await bea.getByRole('link', { name: /case-2041/ }).click();
  await bea.getByRole('heading', { name: 'case-2041' }).waitFor();
  await bea.getByLabel('Message to case-2041').fill('Hello from Bea in the browser');
  await bea.getByRole('button', { name: 'Send', exact: true }).click();
  const dialog = bea.getByRole('dialog', { name: 'New readers' });
  await dialog.waitFor();
  assert.match(await dialog.innerText(), /Cal Jones \(Westshire NHS\)/);
  await noViolations(bea, 'new readers');
  await shot(bea, '3-new-readers');
  await dialog.getByRole('button', { name: 'Send to them too' }).click();
  await timeline(bea).getByText('Hello from Bea in the browser').waitFor();

  // Cal, with the keyboard alone: finds the room, reads Bea's message, answers.
  for (let i = 0; i < 30; i++) {
    await cal.keyboard.press('Tab');
    if (await cal.evaluate(() => document.activeElement?.textContent?.includes('case-2041'))) break;
  }
  await cal.keyboard.press('Enter');
  await cal.getByRole('heading', { name: 'case-2041' }).waitFor();
  const fromBea = timeline(cal).getByRole('listitem').filter({ hasText: 'Hello from Bea in the browser' });
  await fromBea.waitFor();
  assert.match(await fromBea.innerText(), /Bea Patel \(Riverside Primary\)/);
  await noViolations(cal, 'room at 360 px');
  for (let i = 0; i < 30; i++) {
    if (await cal.evaluate(() => document.activeElement?.id === 'composer-text')) break;
    await cal.keyboard.press('Tab');
  }
  await cal.keyboard.type('Thanks Bea, typed without a mouse');
  await cal.keyboard.press('Enter');
  await cal.getByRole('dialog', { name: 'New readers' }).waitFor();
  await cal.keyboard.press('Enter'); // the dialog's first button: "Send to them too"
  await timeline(cal).getByText('Thanks Bea, typed without a mouse').waitFor();
  await shot(cal, '4-room-360px');
  await timeline(bea).getByText('Thanks Bea, typed without a mouse').waitFor();

  // The command reads both, and writes to both.
  const read = await server.cli('ann', ['read', 'case-2041', '--plain', '--json']);
  assert.match(read, /Hello from Bea in the browser/);
  assert.match(read, /Thanks Bea, typed without a mouse/);
  await server.cli('ann', ['send', 'case-2041', 'Ann here, on the command line', '--anyway', '--accept-new-readers']);
  for (const page of [bea, cal]) await timeline(page).getByText('Ann here, on the command line').waitFor();
  await noViolations(bea, 'room');
  await shot(bea, '5-room');
  // 200% zoom: Bea's 1100 × 760 window then shows 550 × 380 CSS pixels, each twice the size.
  // The room still fits its width (nothing scrolls sideways) and the message box and Send are
  // there; likewise Cal's 360 px-wide window.
  const noSideways = (page) => page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth);
  const cdp = await bea.context().newCDPSession(bea);
  await cdp.send('Emulation.setDeviceMetricsOverride', { width: 550, height: 380, deviceScaleFactor: 2, mobile: false });
  await bea.waitForFunction(() => window.innerWidth === 550);
  assert.ok(await noSideways(bea), 'nothing scrolls sideways at 200%');
  await bea.getByLabel('Message to case-2041').scrollIntoViewIfNeeded();
  assert.ok(await bea.getByLabel('Message to case-2041').isVisible());
  assert.ok(await bea.getByRole('button', { name: 'Send', exact: true }).isVisible());
  // ... and the timeline keeps most of the window while the message box is in view (it used
  // to be squeezed to one line), with the newest message in sight.
  const timelineShown = (page) => page.evaluate(() => {
    const t = document.querySelector('.timeline').getBoundingClientRect();
    const box = document.getElementById('composer-text').getBoundingClientRect();
    const last = [...document.querySelectorAll('.timeline > li')].pop().getBoundingClientRect();
    return {
      share: (Math.min(t.bottom, innerHeight) - Math.max(t.top, 0)) / innerHeight,
      boxInView: box.top >= 0 && box.bottom <= innerHeight,
      newestInView: last.bottom > 0 && last.top < innerHeight,
    };
  });
  const zoomed = await timelineShown(bea);
  assert.ok(zoomed.share >= 0.5 && zoomed.boxInView && zoomed.newestInView, `at 200%: ${JSON.stringify(zoomed)}`);
  await noViolations(bea, 'room at 200% zoom');
  // Playwright's own screenshot would put its viewport back first: the page's own, as shown.
  if (shots) writeFileSync(join(shots, '5b-room-200-percent.png'), Buffer.from((await cdp.send('Page.captureScreenshot')).data, 'base64'));
  await cdp.send('Emulation.clearDeviceMetricsOverride');
  await bea.setViewportSize({ width: 1100, height: 760 });
  await cdp.detach();
  assert.ok(await noSideways(cal), 'nothing scrolls sideways at 360 px');
  const narrow = await timelineShown(cal);
  assert.ok(narrow.share >= 0.5 && narrow.boxInView && narrow.newestInView, `at 360 px: ${JSON.stringify(narrow)}`);
  // The CSP's Trusted Types: HTML from a string is refused in the page.
  await assert.rejects(bea.evaluate(() => { document.createElement('div').innerHTML = '<b>injected</b>'; }),
    /TrustedHTML/);
  // ... and so is a worker from any other script, or another Trusted Types policy (the page's
  // one policy, made when it first started its worker, passes only that worker's URL).
  await assert.rejects(bea.evaluate(() => new Worker('/evil.js')), /TrustedScriptURL/);
  await assert.rejects(bea.evaluate(() => trustedTypes.createPolicy('another', { createScriptURL: (u) => u })), /another/);
  await assert.rejects(bea.evaluate(() => trustedTypes.createPolicy('liaise-worker', { createScriptURL: (u) => u })), /liaise-worker/);
  // A desktop notification names the room, never the sender or the text.
  const shown = await cal.evaluate(() => window.shownNotifications);
  assert.ok(shown.some((n) => n.body === 'New message in case-2041'), JSON.stringify(shown));
  assert.ok(shown.every((n) => !/Ann here|Hello from Bea|ann|Bea/.test(n.title + n.body)), JSON.stringify(shown));

  // A message sent to the wrong room is withdrawn (issue #27): Bea confirms, and Cal's browser
  // and the command delete it, each after checking Bea's signature, and say who withdrew it.
  const misdirected = 'Wrong room: Kelly moves house on Friday';
  await bea.getByLabel('Message to case-2041').fill(misdirected);
  await bea.getByRole('button', { name: 'Send', exact: true }).click();
  for (const page of [bea, cal]) await timeline(page).getByText(misdirected).waitFor();
  await timeline(bea).getByRole('listitem').filter({ hasText: misdirected }).getByRole('button', { name: /^Withdraw/ }).click();
  const ask = bea.getByRole('dialog', { name: 'Withdraw this message?' });
  await ask.waitFor();
  assert.match(await ask.innerText(), /Kelly moves house/);
  await noViolations(bea, 'withdraw');
  await shot(bea, '5c-withdraw');
  await ask.getByRole('button', { name: 'Withdraw message' }).click();
  for (const page of [bea, cal]) {
    await timeline(page).getByText(/^A message was withdrawn by Bea Patel at /).waitFor();
    assert.equal(await timeline(page).getByText(misdirected).count(), 0);
  }
  await shot(cal, '5d-withdrawn');
  const withdrawn = await server.cli('ann', ['read', 'case-2041', '--plain', '--json']);
  assert.doesNotMatch(withdrawn, /Kelly moves house/);
  assert.match(withdrawn, /"kind":"message_withdrawn"/);
  assert.doesNotMatch(withdrawn, /withdrawal_refused/);

  // A draft survives a reload; so does the history (from the server, decrypted again).
  await bea.getByLabel('Message to case-2041').fill('An unsent draft');
  await bea.waitForTimeout(400);
  await bea.reload();
  await bea.getByRole('heading', { name: 'Unlock Liaise' }).waitFor();
  await noViolations(bea, 'unlock');
  await shot(bea, '6-unlock');
  // The unlock screen says whose keys these are.
  assert.match(await bea.locator('main').innerText(), /keys of Bea Patel \(Riverside Primary\) \(account bea, device \d+\)/);
  await bea.getByLabel('Passphrase').fill(PASSPHRASE);
  // Argon2id runs in the page's Web Worker: while it works, the page's own thread stays free
  // (a timer on it keeps ticking), where on the page it would stall for the whole derivation.
  await bea.evaluate(() => {
    window.ticks = [performance.now()];
    window.ticker = setInterval(() => window.ticks.push(performance.now()), 10);
  });
  await bea.getByRole('button', { name: 'Unlock' }).click();
  await bea.getByRole('heading', { name: 'case-2041' }).waitFor({ timeout: 60000 });
  const unlocking = await bea.evaluate(() => {
    clearInterval(window.ticker);
    const start = performance.getEntriesByName('liaise:unlock-start').at(-1).startTime;
    const open = performance.getEntriesByName('liaise:keys-open').at(-1).startTime;
    // The longest the page's thread went without a tick while the keys were being derived.
    let longest = 0;
    for (let i = 1; i < window.ticks.length; i++)
      if (window.ticks[i] > start && window.ticks[i - 1] < open) longest = Math.max(longest, window.ticks[i] - window.ticks[i - 1]);
    return { derive: open - start, longest,
      worker: performance.getEntriesByType('resource').some((r) => /\/worker-[A-Z0-9]+\.js$/.test(r.name)) };
  });
  assert.ok(unlocking.worker, 'the worker script was loaded');
  assert.ok(unlocking.longest < unlocking.derive / 2,
    `the page's thread was never blocked for long while the keys opened: ${JSON.stringify(unlocking)}`);
  for (const text of ['Hello from Bea in the browser', 'Thanks Bea, typed without a mouse', 'Ann here, on the command line'])
    await timeline(bea).getByText(text).waitFor();
  assert.equal(await bea.getByLabel('Message to case-2041').inputValue(), 'An unsent draft');

  // The server restarts: both pages reconnect by themselves and catch up by seq. What the
  // command sends while the pages are still reconnecting appears in order, with no warning
  // (no seq skipped, no counter out of step).
  await server.stop();
  await bea.getByText('Offline: reconnecting…').waitFor();
  await server.start();
  const meanwhile = ['While you were away 1', 'While you were away 2', 'While you were away 3'];
  for (const text of meanwhile) await server.cli('ann', ['send', 'case-2041', text, '--anyway']);
  for (const page of [bea, cal]) await page.getByText('Connected', { exact: true }).waitFor({ timeout: 30000 });
  await server.cli('ann', ['send', 'case-2041', 'After the restart', '--anyway']);
  for (const page of [bea, cal]) {
    await timeline(page).getByText('After the restart').waitFor();
    const texts = (await timeline(page).locator('.text').allInnerTexts()).map((t) => t.trim());
    const at = meanwhile.map((m) => texts.indexOf(m));
    assert.ok(at.every((i, k) => i >= 0 && (k === 0 || i > at[k - 1])), `in order: ${JSON.stringify(texts)}`);
    assert.ok(texts.indexOf('After the restart') > at[2]);
    assert.equal(await timeline(page).getByLabel('Warnings about this message').count(), 0);
  }

  // Bea verifies Cal by their safety number: a wrong number is refused, the right one marks
  // Cal verified (checked again at the end, when Cal's key changes).
  const openVerify = async (page, name) => {
    await page.getByText(/^\d+ members$/).click();
    await page.getByRole('button', { name: new RegExp(`^Verify ${name}`) }).click();
    const d = page.getByRole('dialog', { name: /^Safety number with / });
    await d.locator('.safety-number').waitFor();
    return d;
  };
  const calDialog = await openVerify(cal, 'Bea Patel');
  const calNumber = (await calDialog.locator('.safety-number').getAttribute('aria-label')).replace('Safety number: ', '');
  await calDialog.getByRole('button', { name: 'Close' }).click();
  const beaDialog = await openVerify(bea, 'Cal Jones');
  assert.equal((await beaDialog.locator('.safety-number').getAttribute('aria-label')).replace('Safety number: ', ''), calNumber,
    'both sides compute the same number');
  await noViolations(bea, 'safety number');
  await shot(bea, '7-verify');
  const wrong = calNumber.replace(/^\d/, (d) => String((Number(d) + 1) % 10));
  await beaDialog.getByLabel(/reads out to you/).fill(wrong);
  await beaDialog.getByRole('button', { name: /^Mark .* as verified/ }).click();
  await beaDialog.getByText(/is not the safety number this device computes/).waitFor();
  await beaDialog.getByLabel(/reads out to you/).fill(calNumber.replace(/ /g, '-'));
  await beaDialog.getByRole('button', { name: /^Mark .* as verified/ }).click();
  await beaDialog.getByText(/You have verified Cal Jones/).waitFor();
  await beaDialog.getByRole('button', { name: 'Close' }).click();
  await bea.getByText('Verified', { exact: true }).waitFor();

  // Cal scans Bea's QR code instead. Debian's Chromium has no QR reader (BarcodeDetector), so
  // the page offers typing only; given a reader and a camera (stand-ins for a laptop's), it
  // scans: another QR code is named and skipped, a wrong number is refused, Bea's marks her
  // verified.
  // (Cal's member list is still open from comparing numbers above.)
  const reopen = async () => {
    await cal.getByRole('button', { name: /^Verify Bea Patel/ }).click();
    const d = cal.getByRole('dialog', { name: /^Safety number with / });
    await d.locator('.safety-number').waitFor();
    return d;
  };
  let calCheck = await reopen();
  assert.equal(await calCheck.getByRole('button', { name: 'Scan their QR code' }).count(), 0);
  await calCheck.getByRole('button', { name: 'Close' }).click();
  await cal.evaluate(() => {
    window.nextCode = null;
    window.BarcodeDetector = class {
      constructor(o) { if (!o.formats.includes('qr_code')) throw new Error('asked for no QR codes'); }
      async detect(video) {
        if (!(video instanceof HTMLVideoElement) || !video.srcObject) throw new Error('no camera picture');
        const code = window.nextCode;
        window.nextCode = null;
        return code ? [{ rawValue: code }] : [];
      }
    };
    navigator.mediaDevices.getUserMedia = async () => {
      const c = document.createElement('canvas');
      c.getContext('2d').fillRect(0, 0, 64, 48);
      return c.captureStream(5);
    };
  });
  calCheck = await reopen();
  await calCheck.getByRole('button', { name: 'Scan their QR code' }).click();
  await calCheck.getByText('Point the camera at the QR code').waitFor();
  await noViolations(cal, 'scanning a QR code');
  await cal.evaluate(() => { window.nextCode = 'https://example.org/not-a-safety-number'; });
  await calCheck.getByText('That QR code is not a Liaise safety number').waitFor();
  await cal.evaluate((n) => { window.nextCode = `liaise-safety-number:${n}`; }, wrong);
  await calCheck.getByText(/is not the safety number this device computes/).waitFor();
  assert.equal(await calCheck.getByText(/You have verified/).count(), 0);
  await calCheck.getByRole('button', { name: 'Scan their QR code' }).click();
  await cal.evaluate((n) => { window.nextCode = `liaise-safety-number:${n}`; }, calNumber);
  await calCheck.getByText(/You have verified Bea Patel/).waitFor();
  assert.equal(await calCheck.locator('video').count(), 0, 'the camera is closed');
  await calCheck.getByRole('button', { name: 'Close' }).click();

  // My actions: an action given to Bea in a meeting shows, overdue first; she closes it with
  // evidence (without, the server refuses and says why), and the command sees it done.
  const meeting = JSON.parse(await server.cli('ann', ['meeting', 'create', 'case-2041', '--title', 'Core group',
    '--kind', 'core-group', '--at', '2026-12-01 10:00', '--place', 'remote', '--json']));
  await server.cli('ann', ['action', 'add', String(meeting.meeting), 'Send the attendance figures',
    '--due', '2026-12-01', '--owner', 'bea']);
  await bea.getByText(/An action was given to you: Send the attendance figures/).waitFor();
  await bea.getByRole('link', { name: 'My actions' }).click();
  const card = bea.getByRole('listitem').filter({ hasText: 'Send the attendance figures' });
  await card.getByText('Overdue').waitFor();
  await noViolations(bea, 'my actions');
  await card.getByLabel('Status').selectOption({ label: 'Done' });
  await card.getByRole('button', { name: /^Save/ }).click();
  await card.getByRole('alert').waitFor();
  await card.getByLabel('Evidence or note').fill('Sent to the school nurse on Monday');
  await card.getByRole('button', { name: /^Save/ }).click();
  await card.getByText('Saved.').waitFor();
  await shot(bea, '9-actions');
  const actions = await server.cli('ann', ['actions', '--room', 'case-2041', '--json']);
  assert.match(actions, /"status":"done"/);
  assert.match(actions, /Sent to the school nurse on Monday/);
  await bea.getByRole('link', { name: /case-2041/ }).click();
  await bea.getByRole('heading', { name: 'case-2041' }).waitFor();

  // Lock from the menu.
  await bea.getByRole('button', { name: /menu/ }).click();
  await bea.getByRole('button', { name: 'Lock' }).click();
  await bea.getByRole('heading', { name: 'Unlock Liaise' }).waitFor();

  // Cal's keys, exported from the browser, work in the liaise command (same keystore format).
  await cal.getByRole('button', { name: /menu/ }).click();
  const downloads = [];
  cal.on('download', (d) => downloads.push(d));
  await cal.getByRole('button', { name: /Export my keys/ }).click();
  for (let i = 0; i < 50 && downloads.length < 2; i++) await cal.waitForTimeout(100);
  assert.equal(downloads.length, 2);
  const calHome = server.home('cal-cli');
  await server.cli('cal-cli', ['--version']);
  for (const d of downloads) await d.saveAs(join(calHome, d.suggestedFilename()));
  const profile = JSON.parse(readFileSync(join(calHome, 'profile.json'), 'utf8'));
  profile.server = `ws://127.0.0.1:${server.port}`;
  writeFileSync(join(calHome, 'profile.json'), JSON.stringify(profile));
  const calRead = await server.cli('cal-cli', ['read', 'case-2041', '--plain', '--json']);
  assert.match(calRead, /Hello from Bea in the browser/);
  assert.match(calRead, /After the restart/);

  // And the command's keys (ann's) open in a browser.
  const annPage = await personPage(browser, server.url, errors);
  await annPage.getByRole('button', { name: /bring its keys here/ }).click();
  await annPage.getByLabel('keystore.json').setInputFiles(join(server.home('ann'), 'keystore.json'));
  await annPage.getByLabel('profile.json').setInputFiles(join(server.home('ann'), 'profile.json'));
  await annPage.getByLabel('Passphrase of those keys').fill(PASSPHRASE);
  await annPage.getByRole('button', { name: 'Bring the keys here' }).click();
  await annPage.getByRole('link', { name: /case-2041/ }).click({ timeout: 60000 });
  await timeline(annPage).getByText('Thanks Bea, typed without a mouse').waitFor();

  // Cal's device is replaced and the new one writes: Bea verified Cal, so her room is blocked
  // with a banner, the message is not shown, and she cannot send until she verifies again.
  await bea.getByLabel('Passphrase').fill(PASSPHRASE);
  await bea.getByRole('button', { name: 'Unlock' }).click();
  await bea.getByRole('heading', { name: 'case-2041' }).waitFor({ timeout: 60000 });
  const replace = JSON.parse(await server.cli('ann', ['admin', 'account', 'replace-device', 'cal', '--json']));
  await server.cli('cal-new', ['enrol', '--server', `ws://127.0.0.1:${server.port}`, '--code', replace.code]);
  await server.cli('cal-new', ['send', 'case-2041', 'From my new laptop', '--anyway', '--accept-new-readers']);
  await bea.getByRole('alert').filter({ hasText: 'Sending is stopped in this room' }).waitFor();
  assert.equal(await timeline(bea).getByText('From my new laptop').count(), 0, 'not shown from an unverified key');
  await timeline(bea).getByText(/key changed since you verified them/).waitFor();
  assert.ok(await bea.getByLabel('Message to case-2041').isDisabled());
  await noViolations(bea, 'blocked room');
  await shot(bea, '8-blocked');

  // The server, as an attacker, replays Bea's signed withdrawal against another of her messages:
  // a row appended to the room's history as the server appends its events (last, so that no send
  // meets the seq it took). Ann's browser, reading the room again, refuses it, keeps the message
  // and says why (issue #27; the command's refusal is malicious-server scenario 14).
  const lines = (await server.cli('ann', ['read', 'case-2041', '--json'])).trim().split('\n').map((l) => JSON.parse(l));
  const target = lines.find((m) => m.text === 'Hello from Bea in the browser');
  assert.ok(target, 'Bea\'s first message is in the history');
  await promisify(execFile)('sqlite3', [join(server.dir, 'data', 'liaise.db'), `
    INSERT INTO messages(room_id, seq, sender_device, client_msg_id, envelope, sent_at, event)
      SELECT room_id, (SELECT MAX(seq) FROM messages AS o WHERE o.room_id = m.room_id) + 1,
             sender_device, 'event:forged', '', sent_at, json_set(event, '$.seq', ${Number(target.seq)})
      FROM messages AS m WHERE event LIKE '%"message_withdrawn"%' LIMIT 1;`]);
  await annPage.reload();
  await annPage.getByLabel('Passphrase').fill(PASSPHRASE);
  await annPage.getByRole('button', { name: 'Unlock' }).click();
  await annPage.getByRole('link', { name: /case-2041/ }).click({ timeout: 60000 });
  await timeline(annPage).getByText(/^Warning: the server says Bea Patel withdrew a message, but it is not signed by Bea Patel’s device/).waitFor();
  await timeline(annPage).getByText('Hello from Bea in the browser').waitFor();
  await noViolations(annPage, 'refused withdrawal');
  await shot(annPage, '8b-refused-withdrawal');

  assert.deepEqual(errors.filter((e) => !/WebSocket connection to .* failed|requires 'Trusted(HTML|ScriptURL)' assignment|TrustedTypePolicy named '(another|liaise-worker)'/.test(e)), []);
});

test('served with the right types, caching, gzip and a strict CSP; other origins refused', async () => {
  const index = await fetch(`${server.url}/`);
  assert.equal(index.status, 200);
  assert.equal(index.headers.get('content-type'), 'text/html; charset=utf-8');
  assert.equal(index.headers.get('cache-control'), 'no-cache');
  const csp = index.headers.get('content-security-policy') ?? '';
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'(;|$)/);
  assert.match(csp, /worker-src 'self'(;|$)/);
  assert.match(csp, /require-trusted-types-for 'script'; trusted-types liaise-worker$/);
  assert.doesNotMatch(csp, /unsafe-inline/);
  assert.equal(index.headers.get('x-content-type-options'), 'nosniff');
  const html = await index.text();
  assert.doesNotMatch(html, /<script>|<style|style=/, 'nothing inline');
  const script = /src="(\/main-[A-Z0-9]+\.js)"/.exec(html)?.[1];
  assert.ok(script, 'index.html names a hashed script');

  const js = await fetch(`${server.url}${script}`, { headers: { 'accept-encoding': 'gzip' } });
  assert.equal(js.headers.get('content-type'), 'text/javascript; charset=utf-8');
  assert.equal(js.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  assert.equal(js.headers.get('content-encoding'), 'gzip');
  const etag = js.headers.get('etag');
  await js.arrayBuffer();
  const again = await fetch(`${server.url}${script}`, { headers: { 'if-none-match': etag } });
  assert.equal(again.status, 304);
  assert.equal((await fetch(`${server.url}/main-NOPE.js`)).status, 404);
  assert.equal((await fetch(`${server.url}/`, { method: 'POST', body: 'x' })).status, 405);

  // The bundle hash: what --version prints is the SHA-256 of the served SHA256SUMS.
  const { createHash } = await import('node:crypto');
  const sums = Buffer.from(await (await fetch(`${server.url}/SHA256SUMS`)).arrayBuffer());
  const { execFileSync } = await import('node:child_process');
  const version = execFileSync(process.env.LIAISE_SERVER_BINARY, ['--version'], { encoding: 'utf8' });
  assert.match(version, new RegExp(`bundle sha256 ${createHash('sha256').update(sums).digest('hex')}`));
  // A build from the same source gives the same hash (what an operator compares).
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const out = mkdtempSync(join(tmpdir(), 'liaise-web-build-'));
  // The server embeds the engine built beside it (build/jargon-wasm) unless told otherwise.
  const { existsSync } = await import('node:fs');
  const { dirname } = await import('node:path');
  const wasmDir = process.env.LIAISE_JARGON_WASM_DIR ?? join(dirname(dirname(process.env.LIAISE_SERVER_BINARY)), 'jargon-wasm');
  const wasmArgs = existsSync(join(wasmDir, 'liaise_jargon.wasm')) ? ['--wasm', wasmDir] : [];
  const rebuilt = execFileSync(process.execPath, ['build.mjs', '--out', out, ...wasmArgs],
    { encoding: 'utf8', cwd: new URL('..', import.meta.url).pathname });
  rmSync(out, { recursive: true, force: true });
  assert.match(rebuilt, new RegExp(`bundle sha256 ${createHash('sha256').update(sums).digest('hex')}`));

  // The WebSocket upgrade: the server's own origin is let in, any other refused.
  const upgrade = async (origin) => {
    const { request } = await import('node:http');
    return new Promise((resolve, reject) => {
      const req = request(`${server.url}/v1`, {
        headers: {
          Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13',
          'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==', Origin: origin,
        },
      });
      req.on('upgrade', (res, socket) => { socket.destroy(); resolve(res.statusCode); });
      req.on('response', (res) => { res.resume(); resolve(res.statusCode); });
      req.on('error', reject);
      req.end();
    });
  };
  assert.equal(await upgrade(server.url), 101);
  assert.equal(await upgrade('https://evil.example'), 403);
});

test('a long room opens at its newest messages; older ones load as you scroll up', { timeout: 180000 }, async () => {
  const code = JSON.parse(await server.cli('ann', ['admin', 'enrol', 'dan', '--agency', 'Westshire NHS',
    '--role', 'member', '--display-name', 'Dan Okafor', '--json'])).code;
  const dan = await personPage(browser, server.url, errors);
  await enrolInBrowser(dan, code, 'Dan’s laptop');
  await server.cli('ann', ['room', 'create', 'case-long', '--member', 'dan']);
  await dan.getByRole('link', { name: /case-long/ }).click();
  const box = dan.getByLabel('Message to case-long');
  for (let i = 1; i <= 60; i++) {
    await box.fill(`Long room message ${i}`);
    await box.press('Enter');
    if (i === 1) await dan.getByRole('dialog', { name: 'New readers' }).getByRole('button', { name: 'Send to them too' }).click();
    await timeline(dan).getByText(`Long room message ${i}`, { exact: true }).waitFor();
  }
  await dan.reload();
  await dan.getByLabel('Passphrase').fill(PASSPHRASE);
  await dan.getByRole('button', { name: 'Unlock' }).click();
  await timeline(dan).getByText('Long room message 60', { exact: true }).waitFor({ timeout: 60000 });
  assert.equal(await timeline(dan).getByText('Long room message 1', { exact: true }).count(), 0,
    'only the newest page is fetched at first');
  await dan.getByRole('button', { name: 'Load earlier messages' }).waitFor();
  await timeline(dan).evaluate((t) => { t.scrollTop = 0; });
  await timeline(dan).getByText('Long room message 1', { exact: true }).waitFor();
  assert.equal(await dan.getByRole('button', { name: 'Load earlier messages' }).count(), 0, 'nothing earlier is left');
  const texts = await timeline(dan).locator('.text').allInnerTexts();
  assert.deepEqual(texts, Array.from({ length: 60 }, (_, i) => `Long room message ${i + 1}`), 'in order, once each');
  await noViolations(dan, 'long room');

  // Asking the administrators about a word; the answer arrives as a notice.
  await dan.getByText('Ask an administrator what a word means').click();
  await dan.getByLabel('Word or abbreviation').fill('CAMHS');
  await dan.getByRole('button', { name: 'Ask', exact: true }).click();
  await dan.getByText(/Your question about “CAMHS” was sent/).waitFor();
  const questions = JSON.parse(await server.cli('ann', ['admin', 'questions', '--json']));
  const asked = (questions.questions ?? questions).find((q) => q.term === 'CAMHS');
  await server.cli('ann', ['admin', 'answer', String(asked.id), '--reply', 'Child and adolescent mental health services']);
  await dan.getByText('Your question about “CAMHS” was answered: Child and adolescent mental health services').waitFor();
  // ... and listed under the question box with its answer.
  const mine = dan.getByRole('list', { name: 'Your questions' });
  await mine.getByText(/Child and adolescent mental health services/).waitFor();
  assert.match(await mine.innerText(), /CAMHS \(in [a-z0-9-]+\): Child and adolescent mental health services/);

  // Changing the passphrase: a weak one is refused, then the new one opens and the old not.
  await dan.getByRole('button', { name: /menu/ }).click();
  await dan.getByRole('button', { name: 'Change passphrase' }).click();
  const d = dan.getByRole('dialog', { name: 'Change your passphrase' });
  await d.getByLabel('Current passphrase').fill(PASSPHRASE);
  await d.getByLabel('New passphrase', { exact: true }).fill('dan okafor 2024');
  await d.getByLabel('New passphrase again').fill('dan okafor 2024');
  await d.getByRole('button', { name: 'Change passphrase' }).click();
  await d.getByText(/Too easy to guess: it contains your name/).waitFor();
  await noViolations(dan, 'change passphrase');
  const fresh = 'walnut harbour signal tundra';
  await d.getByLabel('New passphrase', { exact: true }).fill(fresh);
  await d.getByLabel('New passphrase again').fill(fresh);
  await d.getByRole('button', { name: 'Change passphrase' }).click();
  await d.getByText('Your passphrase is changed.').waitFor({ timeout: 60000 });
  await dan.reload();
  await dan.getByLabel('Passphrase').fill(PASSPHRASE);
  await dan.getByRole('button', { name: 'Unlock' }).click();
  await dan.getByRole('alert').filter({ hasText: 'That passphrase does not open' }).waitFor({ timeout: 60000 });
  await dan.getByLabel('Passphrase').fill(fresh);
  await dan.getByRole('button', { name: 'Unlock' }).click();
  await timeline(dan).getByText('Long room message 60', { exact: true }).waitFor({ timeout: 60000 });
  assert.deepEqual(errors.filter((e) => !/WebSocket connection to .* failed|requires 'Trusted(HTML|ScriptURL)' assignment|TrustedTypePolicy named '(another|liaise-worker)'/.test(e)), []);
});

test('writing and reading with help: findings underlined, fixed, asked about, explained to the reader',
  { timeout: 240000 }, async () => {
  const errorsBefore = errors.length;
  // The engine ships with the client, named in index.html and served as WebAssembly.
  const index = await (await fetch(`${server.url}/`)).text();
  const wasmPath = index.match(/<meta name="liaise-jargon" content="([^"]+)">/)?.[1];
  assert.match(wasmPath ?? '', /^\/liaise_jargon-[0-9a-f]{8}\.wasm$/);
  const wasm = await fetch(`${server.url}${wasmPath}`);
  assert.equal(wasm.headers.get('content-type'), 'application/wasm');
  assert.deepEqual([...new Uint8Array(await wasm.arrayBuffer()).slice(0, 4)], [0, 0x61, 0x73, 0x6d]);

  await server.cli('ann', ['admin', 'agency', 'add', 'Westshire Children’s Services', '--discipline', 'social-care']);
  const code = async (user, display, agency) => JSON.parse(await server.cli('ann',
    ['admin', 'enrol', user, '--agency', agency, '--role', 'member', '--display-name', display, '--json'])).code;
  const deeCode = await code('dee', 'Dee Okafor', 'Westshire Children’s Services');
  const fayCode = await code('fay', 'Fay Hughes', 'Riverside Primary');
  const dee = await personPage(browser, server.url, errors);
  await enrolInBrowser(dee, deeCode, 'Dee’s laptop');
  const fay = await personPage(browser, server.url, errors);
  await enrolInBrowser(fay, fayCode, 'Fay’s laptop');
  await server.cli('ann', ['room', 'create', 'case-3001', '--member', 'dee', '--member', 'fay']);
  for (const page of [dee, fay]) await page.getByRole('link', { name: /case-3001/ }).waitFor();

  // Dee, a social worker, writes to a teacher: both terms are underlined and listed.
  await dee.getByRole('link', { name: /case-3001/ }).click();
  await dee.getByText('Writing for: education, social care').waitFor();
  const box = dee.getByLabel('Message to case-3001');
  await box.click();
  await dee.keyboard.type('The core group talked about the CIN plan today.');
  const findings = dee.getByRole('list', { name: /your readers may not know/ });
  await findings.getByRole('button', { name: /^core group/ }).waitFor({ timeout: 30000 });
  await findings.getByRole('button', { name: /^CIN/ }).waitFor();
  assert.deepEqual(await dee.locator('.draft-mirror mark.finding').allInnerTexts(), ['core group', 'CIN']);
  await shot(dee, '10-findings-underlined');

  // The keyboard alone: from the draft, Tab reaches the first finding; Enter opens its card,
  // whose first button is "use plain words".
  await dee.keyboard.press('Tab');
  assert.equal(await dee.evaluate(() => document.activeElement?.textContent), 'core group: what it means and plainer words');
  await dee.keyboard.press('Enter');
  const coreCard = dee.getByRole('dialog', { name: '“core group”' });
  await coreCard.waitFor();
  await noViolations(dee, 'finding card');
  await shot(dee, '11-finding-card');
  const corePlain = (await coreCard.getByRole('list', { name: 'Plainer words' }).getByRole('listitem').first().innerText()).trim();
  assert.ok(corePlain.length > 0);
  assert.match(await dee.evaluate(() => document.activeElement?.textContent ?? ''), /^Use plain words/);
  await dee.keyboard.press('Enter');
  await coreCard.waitFor({ state: 'detached' });
  assert.equal(await box.inputValue(), `The ${corePlain} talked about the CIN plan today.`);

  // With the mouse: "explain in brackets" keeps CIN and adds its plain meaning after it. CIN
  // describes the plan ("CIN plan"), so the engine's rules offer no replacement, only the
  // explanation, the same one `liaise check --explain-fix` gives.
  await findings.getByRole('button', { name: /^CIN/ }).click();
  const cinCard = dee.getByRole('dialog', { name: '“CIN”' });
  await cinCard.waitFor();
  assert.equal(await cinCard.getByRole('button', { name: /^Use plain words/ }).count(), 0);
  await cinCard.getByRole('button', { name: /^Explain in brackets/ }).click();
  const cliSays = (text, flag) => new Promise((resolve, reject) => {
    const child = execFile(CLI, ['check', '--json', flag, '--audience', 'education', '--dictionaries',
      new URL('../../dictionaries', import.meta.url).pathname, '-'], { env: { ...process.env, LIAISE_HOME: join(server.dir, 'home-check') } },
    (e, out) => (out ? resolve(JSON.parse(out).fixed) : reject(e))); // exit status 1: it has findings
    child.stdin.end(text);
  });
  const explained = await cliSays(`The ${corePlain} talked about the CIN plan today.`, '--explain-fix');
  assert.match(explained, /the CIN \(.+\) plan today\.$/);
  assert.equal(await box.inputValue(), explained);
  // Explained right after it, CIN is explained for the rest of the draft: underlined no more.
  await findings.getByRole('button', { name: /^CIN/ }).waitFor({ state: 'detached' });
  assert.equal(await dee.locator('.draft-mirror mark.finding').count(), 0);

  // A social-care term written as it is, for the teacher: underlined again.
  await box.press('End');
  await dee.keyboard.type(' A strategy discussion is next.');
  const draft = `${explained} A strategy discussion is next.`;
  await findings.getByRole('button', { name: /^strategy discussion/ }).waitFor();
  assert.equal(await box.inputValue(), draft);

  // Sending with a finding left asks once; "keep editing" sends nothing.
  await dee.getByRole('button', { name: 'Send', exact: true }).click();
  const ask = dee.getByRole('dialog', { name: 'Send with words your readers may not know?' });
  await ask.waitFor();
  await noViolations(dee, 'send with findings');
  await shot(dee, '12-send-with-findings');
  assert.equal(await dee.evaluate(() => document.activeElement?.textContent), 'Keep editing', 'the safe answer has the focus');
  await dee.keyboard.press('Enter');
  await ask.waitFor({ state: 'detached' });
  assert.equal(await box.inputValue(), draft);
  await dee.getByRole('button', { name: 'Send', exact: true }).click();
  await ask.getByRole('button', { name: 'Send as written' }).click();
  await dee.getByRole('dialog', { name: 'New readers' }).getByRole('button', { name: 'Send to them too' }).click();
  await timeline(dee).getByText(draft).waitFor();
  // Counted for the daily dict_feedback report, as `liaise send` counts.
  const expected = { 'social-care:core group': { fixed: 1, sent_anyway: 0 }, 'social-care:CIN': { fixed: 1, sent_anyway: 0 },
    'social-care:strategy discussion': { fixed: 0, sent_anyway: 1 } };
  let counts = null;
  for (let i = 0; i < 50 && Object.keys(counts ?? {}).length < 3; i++) {
    await dee.waitForTimeout(100);
    counts = await dee.evaluate(() => new Promise((resolve) => {
      const req = indexedDB.open('liaise');
      req.onsuccess = () => {
        const get = req.result.transaction('kv').objectStore('kv').get('dict-feedback');
        get.onsuccess = () => resolve(get.result?.counts ?? null);
      };
    }));
  }
  assert.deepEqual(counts, expected);

  // Fay, the teacher, reads it: "strategy discussion" is marked; its explanation is the
  // dictionary's, shown beside Dee's words, which stay as Dee wrote them. CIN is not: Dee
  // explained it in brackets with its expansion, and the words in the brackets are no term of
  // their own.
  await fay.getByRole('link', { name: /case-3001/ }).click();
  const message = timeline(fay).getByRole('listitem').filter({ hasText: 'plan today' });
  await message.waitFor();
  const term = message.getByRole('button', { name: 'strategy discussion (explain this term)' });
  await term.waitFor({ timeout: 30000 });
  assert.equal((await message.locator('.text').textContent()).replace(' (explain this term)', ''), draft);
  assert.equal(await message.getByRole('button', { name: /explain this term/ }).count(), 1);
  await term.click();
  const popover = fay.getByRole('dialog', { name: 'What “strategy discussion” may mean' });
  await popover.waitFor();
  assert.match(await popover.innerText(), /not from Dee Okafor/);
  assert.match(await popover.innerText(), /social care/);
  await noViolations(fay, 'term popover');
  await shot(fay, '13-term-popover');
  await fay.keyboard.press('Escape');
  await popover.waitFor({ state: 'detached' });

  // An administrator adds a term: the open page fetches the new dictionaries (the server's
  // `dictionaries` event) and underlines it without a reload.
  const before = 'We talked it over at the sunrise huddle.';
  await box.fill(before);
  await dee.waitForTimeout(400);
  assert.equal(await dee.locator('.draft-mirror mark.finding').count(), 0);
  await server.cli('ann', ['admin', 'dict', 'add', 'social-care', 'sunrise huddle', '--alt', 'short meeting about the level of help',
    '--explanation', 'A quick meeting of managers to decide which level of help a family needs.', '--kind', 'phrase']);
  await box.press('End');
  await dee.keyboard.type(' ');
  await dee.locator('.draft-mirror mark.finding', { hasText: 'sunrise huddle' }).waitFor({ timeout: 30000 });

  // A room's agreed terms (issue #24), as `liaise send` applies them: a term the room agreed is
  // not underlined in a room of professionals, the moment it is agreed; in a room that includes
  // the public the same term still is. Ann (an admin, and a member) agrees CIN in both.
  await server.cli('ann', ['room', 'create', 'case-3002', '--member', 'ann', '--member', 'dee', '--member', 'fay']);
  await server.cli('ann', ['room', 'create', 'case-3003', '--member', 'ann', '--member', 'dee']);
  await server.cli('ann', ['room', 'audience', 'case-3003', '--public', 'on']);
  const cinMeaning = 'child in need: the council helps this family under section 17';
  await server.cli('ann', ['room', 'glossary', 'add', 'case-3003', 'CIN', cinMeaning]);
  const agreedDraft = 'The CIN plan was agreed at core group.';
  const marks = () => dee.locator('.draft-mirror mark.finding').allInnerTexts();
  const marksBecome = async (want) => {
    for (let i = 0; i < 100 && JSON.stringify(await marks()) !== JSON.stringify(want); i++) await dee.waitForTimeout(100);
    assert.deepEqual(await marks(), want);
  };
  await dee.getByRole('link', { name: /case-3002/ }).click();
  const box2 = dee.getByLabel('Message to case-3002');
  await box2.fill(agreedDraft);
  await marksBecome(['CIN', 'core group']);
  await server.cli('ann', ['room', 'glossary', 'add', 'case-3002', 'CIN', cinMeaning]);
  await marksBecome(['core group']);
  await dee.locator('details.glossary summary').click();
  await dee.locator('details.glossary').getByText(cinMeaning).waitFor();
  await shot(dee, '14-agreed-term-not-underlined');
  // Fay reads it, as `liaise read` shows it: CIN is not marked; the room's meaning is given the
  // first time she meets it, and not again.
  await dee.getByRole('button', { name: 'Send', exact: true }).click();
  await dee.getByRole('dialog', { name: 'Send with words your readers may not know?' }).getByRole('button', { name: 'Send as written' }).click();
  await dee.getByRole('dialog', { name: 'New readers' }).getByRole('button', { name: 'Send to them too' }).click();
  await timeline(dee).getByText(agreedDraft).waitFor();
  await box2.fill('The CIN review is on Friday.');
  await box2.press('Enter');
  await timeline(dee).getByText('The CIN review is on Friday.').waitFor();
  await fay.getByRole('link', { name: /case-3002/ }).click();
  // Fay is new to the room: its agreed terms are open for her, once (as `liaise chat` prints them).
  await fay.locator('details.glossary[open]').getByText(cinMeaning).waitFor();
  await fay.locator('details.glossary').getByText('New to this room?').waitFor();
  const first = timeline(fay).getByRole('listitem').filter({ hasText: 'agreed at core group' });
  const second = timeline(fay).getByRole('listitem').filter({ hasText: 'review is on Friday' });
  await first.getByRole('list', { name: 'Agreed in case-3002' }).getByText(cinMeaning).waitFor({ timeout: 30000 });
  await first.getByRole('button', { name: 'core group (explain this term)' }).waitFor();
  await timeline(fay).getByText(`agreed the term CIN for this room: ${cinMeaning}`).waitFor();
  assert.equal(await first.getByRole('button', { name: /^CIN/ }).count(), 0);
  await second.waitFor();
  assert.equal(await second.getByRole('button').count(), 0);
  assert.equal(await second.getByRole('list', { name: 'Agreed in case-3002' }).count(), 0);
  await noViolations(fay, 'agreed term explained once');
  await shot(fay, '15-agreed-term-explained-once');
  // Back in the room later, the list stays closed: she has seen it.
  await fay.getByRole('link', { name: /case-3001/ }).click();
  await fay.getByRole('link', { name: /case-3002/ }).click();
  await timeline(fay).getByText('The CIN review is on Friday.').waitFor();
  assert.equal(await fay.locator('details.glossary').getAttribute('open'), null);
  // Any word can be looked up in the dictionaries (`liaise explain`) before asking about it.
  await fay.getByText('Ask an administrator what a word means').click();
  await fay.getByLabel('Word or abbreviation').fill('IRO');
  await fay.getByRole('button', { name: 'Look it up' }).click();
  await fay.getByRole('status').filter({ hasText: 'What Liaise’s dictionaries say “IRO” means' })
    .getByText(/In social care: .*independent/).waitFor();
  await fay.getByLabel('Word or abbreviation').fill('QZXW');
  await fay.getByRole('button', { name: 'Look it up' }).click();
  await fay.getByText('No dictionary has “QZXW”: ask an administrator.').waitFor();
  await dee.getByRole('link', { name: /case-3003/ }).click();
  await dee.getByText('Writing for: Includes the public').waitFor();
  await dee.getByLabel('Message to case-3003').fill(agreedDraft);
  await dee.locator('.draft-mirror mark.finding', { hasText: 'CIN' }).waitFor({ timeout: 30000 });
  assert.ok((await marks()).includes('core group'));
  // The room includes the public: the draft's reading age is shown as it is typed (as `liaise
  // send` says it), with the sentence that raises it most; a plain draft is within the aim.
  const hard = 'Following the multi-agency discussion, the local authority determined that the threshold for ' +
    'statutory intervention had been met, and an initial conference will be convened.';
  await dee.getByLabel('Message to case-3003').fill(`We met on Monday. ${hard} Sam is safe at home.`);
  const age = dee.locator('.composer .reading-age');
  await age.getByText(/^Reading age (about \d+|18 or over): the aim for families is 9 to 11\./).waitFor({ timeout: 30000 });
  assert.match(await age.getByRole('list', { name: 'The hardest sentences' }).innerText(), /^\[(about \d+|18 or over)\] Following the multi-agency discussion/);
  await noViolations(dee, 'reading age');
  await shot(dee, '16-reading-age');
  await dee.getByLabel('Message to case-3003').fill('We met on Monday. Sam is safe at home.');
  await age.getByText(/within the aim for families \(9 to 11\)/).waitFor();
  // Not in a room of professionals alone.
  await dee.getByRole('link', { name: /case-3002/ }).click();
  await dee.getByLabel('Message to case-3002').fill(`We met at core group. ${hard}`);
  await dee.locator('.draft-mirror mark.finding', { hasText: 'core group' }).waitFor({ timeout: 30000 });
  assert.equal(await dee.locator('.composer .reading-age').count(), 0);
  await dee.getByLabel('Message to case-3002').fill('');
  assert.deepEqual(errors.slice(errorsBefore), [], 'no errors in either page');
});
