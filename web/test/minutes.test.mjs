// Meetings and minutes in the browser, end to end: a chair (Hana) and a minute-taker (Bea) in
// two Chromium contexts minute a meeting from creation to an approved, signed, printable record,
// with a parent without an account on the distribution; the minute-taking view is driven by the
// keyboard alone for part of it; the `liaise` command (Cal, a chair) reads and verifies what the
// browser wrote, and the browser reads and verifies what the command wrote. axe-core finds no
// violations on each page. Also: the browser's minutes digest against the golden vectors.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { after, before, test } from 'node:test';
import { build } from 'esbuild';
import { PASSPHRASE, Server, axeViolations, launch, personPage, enrolInBrowser } from './support.mjs';

const server = new Server();
let browser;
const errors = [];
const shots = process.env.LIAISE_WEB_SCREENSHOTS; // a folder: screenshots (and the PDF) go there

async function shot(page, name) {
  if (shots) await page.screenshot({ path: join(shots, `minutes-${name}.png`), fullPage: true });
}

/** A screenshot of `locator` whole: the page scrolls inside, so the window is made tall first. */
async function shotOf(page, locator, name) {
  if (!shots) return;
  const size = page.viewportSize();
  await page.setViewportSize({ width: size.width, height: 6000 });
  await locator.screenshot({ path: join(shots, `minutes-${name}.png`) });
  await page.setViewportSize(size);
}

async function noViolations(page, screen) {
  assert.deepEqual(await axeViolations(page), [], `axe-core on the ${screen} page`);
}


/** Presses Tab (no mouse, no direct focusing) until the element with `id` has the focus. */
async function tabTo(page, id, shift = false) {
  for (let i = 0; i < 300; i++) {
    if (await page.evaluate((x) => document.activeElement?.id === x, id)) return;
    await page.keyboard.press(shift ? 'Shift+Tab' : 'Tab');
  }
  throw new Error(`Tab never reached #${id}`);
}

/**
 * The text of each page of a PDF Chromium printed, in drawing order, one line per text run:
 * each page's content stream decoded through its fonts' ToUnicode maps.
 */
function pdfPages(pdf) {
  const raw = pdf.toString('latin1');
  const objects = new Map(); // id -> { dict, data }
  for (const m of raw.matchAll(/(\d+) 0 obj\s*([\s\S]*?)endobj/g)) {
    const s = /^([\s\S]*?)stream\r?\n([\s\S]*?)\r?\nendstream/.exec(m[2]);
    let data = null;
    if (s) { try { data = inflateSync(Buffer.from(s[2], 'latin1')).toString('latin1'); } catch { data = null; } }
    objects.set(m[1], { dict: s ? s[1] : m[2], data });
  }
  const cmap = (text) => {
    const map = new Map();
    for (const b of text.matchAll(/beginbfchar([\s\S]*?)endbfchar/g))
      for (const [, k, v] of b[1].matchAll(/<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>/g)) map.set(parseInt(k, 16), String.fromCodePoint(...v.match(/.{4}/g).map((h) => parseInt(h, 16))));
    for (const b of text.matchAll(/beginbfrange([\s\S]*?)endbfrange/g))
      for (const [, a, z, v] of b[1].matchAll(/<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>/g))
        for (let k = parseInt(a, 16); k <= parseInt(z, 16); k++) map.set(k, String.fromCodePoint(parseInt(v, 16) + k - parseInt(a, 16)));
    return map;
  };
  const fonts = new Map(); // resource name -> glyph map
  for (const [, name, id] of raw.matchAll(/\/(F\d+) (\d+) 0 R/g)) {
    const font = objects.get(id);
    const tu = font && /\/ToUnicode (\d+) 0 R/.exec(font.dict);
    if (tu && objects.get(tu[1])?.data) fonts.set(name, cmap(objects.get(tu[1]).data));
  }
  const pages = [];
  for (const { data } of objects.values()) {
    if (!data || !/\bBT\b/.test(data) || !/ Tf\b/.test(data)) continue;
    let font = new Map();
    let text = '';
    for (const t of data.matchAll(/\/(F\d+) [\d.]+ Tf|<([0-9A-Fa-f]+)> Tj|\bET\b/g)) {
      if (t[1]) font = fonts.get(t[1]) ?? new Map();
      else if (t[2]) text += t[2].match(/.{4}/g).map((h) => font.get(parseInt(h, 16)) ?? '?').join('');
      else text += '\n';
    }
    pages.push(text);
  }
  return pages;
}

/** Opens a page of the app by its address (a fresh visit, even to the page already shown). */
async function visit(page, hash) {
  await page.evaluate(() => { window.location.hash = '#/'; });
  await page.evaluate((h) => { window.location.hash = h; }, hash);
}

/** Tabs to the submit button of the form labelled `form` and presses Enter. */
async function submitByKeyboard(page, form) {
  for (let i = 0; i < 60; i++) {
    const here = await page.evaluate((f) => {
      const el = document.activeElement;
      return el?.tagName === 'BUTTON' && el.getAttribute('type') === 'submit' && el.closest('form')?.getAttribute('aria-label') === f;
    }, form);
    if (here) break;
    await page.keyboard.press('Tab');
  }
  await page.keyboard.press('Enter');
}

before(async () => {
  await server.init();
  await server.start();
  await server.cli('ann', ['enrol', '--server', `ws://127.0.0.1:${server.port}`, '--code', server.adminCode]);
  await server.cli('ann', ['admin', 'agency', 'add', 'Riverside Primary', '--discipline', 'education']);
  await server.cli('ann', ['admin', 'agency', 'add', 'Westshire NHS', '--discipline', 'health']);
  browser = await launch();
});

after(async () => {
  await browser?.close();
  if (process.exitCode && process.exitCode !== 0) console.log(server.log());
  await server.cleanup();
});

// The minutes digest itself (v2 and v1) is checked against the golden vectors in vectors.test.mjs.

test('signatures on minutes are checked against pinned keys, and a changed record fails', async () => {
  const out = join(server.dir, 'minutes.mjs');
  await build({
    stdin: {
      contents: `export * from './src/client/minutes'; export * from './src/client/minutes-digest';
                 export * from './src/crypto/keys'; export * from './src/crypto/sodium';`,
      resolveDir: new URL('..', import.meta.url).pathname, loader: 'ts',
    },
    bundle: true, format: 'esm', platform: 'node', outfile: out, logLevel: 'warning',
  });
  const c = await import(out);
  await c.loadSodium();
  const hana = c.generateDeviceKeys();
  const mallory = c.generateDeviceKeys();
  // A session as MinutesClient sees it: pins kept in memory.
  const fakeSession = (verified = {}) => {
    const keys = {};
    return {
      user: 'reader', account: {},
      pinnedKey: (u, d) => keys[u]?.[d],
      otherOwner: (u, k) => Object.entries(keys).find(([o, ds]) => o !== u && Object.values(ds).includes(k))?.[0],
      knowsAnyKey: (u) => Object.keys(keys[u] ?? {}).length > 0,
      isVerified: (u) => verified[u] === true,
      pinKey: async (u, d, k) => { (keys[u] ??= {})[d] = k; },
      keys,
    };
  };
  // A conference record with template sections, reports, agency views and chosen copies.
  const vector = JSON.parse(readFileSync(new URL('../../protocol/testdata/vectors/minutes-digest.json', import.meta.url), 'utf8'))
    .vectors.find((v) => v.label === 'liaise-minutes-v2' && v.minutes.sections?.length > 0);
  assert.ok(vector.minutes.reports.length > 0 && vector.minutes.agency_views.length > 0);
  const signed = (minutes, keys, user = 'hana', device = 'd1', version = 2) => {
    const signedAt = 1795100000123;
    const digest = c.minutesDigest(minutes, 'approve', user, signedAt, version);
    return {
      ...minutes,
      signatures: [{
        act: 'approve', user, display_name: 'Hana Ali', agency: 'Westshire NHS', device, signed_at: signedAt,
        signature: c.toBase64(c.sign(keys, c.concat('liaise-minutes-signature-v1', digest))),
        signer_keys: { device, ...c.identityToJson(keys.identity) },
      }],
    };
  };
  const good = signed(structuredClone(vector.minutes), hana);
  const session = fakeSession();
  const client = new c.MinutesClient(session);
  let r = await client.verify(good);
  assert.equal(r.verdicts[0].verified, true, r.verdicts[0].words);
  assert.match(r.verdicts[0].words, /^approved by Hana Ali \(hana, Westshire NHS\) on 2026-.* UTC, signature verified \[first time/);
  assert.doesNotMatch(r.verdicts[0].words, /signed before/);
  // The server changes one word of the approved record: the signature no longer verifies.
  const changed = structuredClone(good);
  changed.decisions[0].reasons = changed.decisions[0].reasons.replace('likely', 'unlikely');
  r = await client.verify(changed);
  assert.equal(r.verdicts[0].verified, false);
  assert.match(r.verdicts[0].words, /signature does NOT verify — this version is not the one Hana Ali approved/);
  // … or a template section's text, a report, an agency view, a professionals-only marking, the
  // sections a parent's copy holds, the case reference (issue #27's record): none verifies,
  // under v2 or under the v1 fallback.
  for (const [what, edit] of [
    ['a section', (m) => { m.sections.find((x) => x.id === 'child-views').text = 'J said he is happy at home.'; }],
    ['how the views were gathered', (m) => { m.sections.find((x) => x.id === 'child-views').how_gathered = 'Asked his mother.'; }],
    ['a report', (m) => { m.reports[0].shared_with_parents = false; }],
    ['an agency view', (m) => { m.agency_views[0].view = 'Disagrees: no plan needed.'; }],
    ['a marking', (m) => { m.sections.find((x) => x.professionals_only).professionals_only = false; }],
    ['a copy', (m) => { m.attendance.find((x) => Array.isArray(x.receives) && x.family).receives.push('professional-information'); }],
    ['the case reference', (m) => { m.case_reference = 'CP-1/26'; }],
  ]) {
    const m = structuredClone(good);
    edit(m);
    r = await client.verify(m);
    assert.equal(r.verdicts[0].verified, false, what);
    assert.match(r.verdicts[0].words, /signature does NOT verify — this version is not the one Hana Ali approved/, what);
  }
  // A signature made before v2 (over the v1 digest) still verifies, and says what it does not
  // protect: a changed section passes it, which is why the words say so.
  const old = signed(structuredClone(vector.minutes), hana, 'hana', 'd1', 1);
  r = await client.verify(old);
  assert.equal(r.verdicts[0].verified, true, r.verdicts[0].words);
  assert.match(r.verdicts[0].words, /, signature verified \(signed before the record sections were covered: its case reference, sections, reports, agency views and the sections each copy holds are not protected by it\)$/);
  const oldChanged = structuredClone(old);
  oldChanged.decisions[0].reasons = 'None.';
  r = await client.verify(oldChanged);
  assert.equal(r.verdicts[0].verified, false, 'v1 still protects what it covered');
  // The server re-signs the changed record with a key of its own for Hana's device: the pinned
  // key is used, so it still fails.
  r = await client.verify(signed(changed, mallory));
  assert.equal(r.verdicts[0].verified, false);
  assert.match(r.verdicts[0].words, /another key for hana’s device d1/);
  // A key this device knows as someone else's cannot sign for Hana.
  const other = fakeSession();
  await other.pinKey('cal', 'c1', c.toBase64(mallory.identity.signKey));
  r = await new c.MinutesClient(other).verify(signed(structuredClone(vector.minutes), mallory));
  assert.equal(r.verdicts[0].verified, false);
  assert.match(r.verdicts[0].words, /a key this device knows as cal’s/);
  // A verified contact's new device is refused, never pinned.
  const careful = fakeSession({ hana: true });
  await careful.pinKey('hana', 'd1', c.toBase64(hana.identity.signKey));
  r = await new c.MinutesClient(careful).verify(signed(structuredClone(vector.minutes), mallory, 'hana', 'd2'));
  assert.equal(r.verdicts[0].verified, false);
  assert.equal(careful.pinnedKey('hana', 'd2'), undefined);
  // Approved without an approval signature: said so.
  r = await client.verify({ ...structuredClone(vector.minutes), status: 'approved', signatures: [] });
  assert.match(r.unsignedApproval, /not signed \(approved before signatures\)/);
});

test('a chair and a minute-taker minute a meeting in the browser, and the command agrees', { timeout: 300000 }, async () => {
  const enrol = async (user, display, agency, role) => JSON.parse(await server.cli('ann',
    ['admin', 'enrol', user, '--agency', agency, '--role', role, '--display-name', display, '--json'])).code;
  const hanaCode = await enrol('hana', 'Hana Ali', 'Westshire NHS', 'chair');
  const beaCode = await enrol('bea', 'Bea Patel', 'Riverside Primary', 'member');
  const calCode = await enrol('cal', 'Cal Jones', 'Westshire Council', 'chair');
  await server.cli('cal', ['enrol', '--server', `ws://127.0.0.1:${server.port}`, '--code', calCode]);
  const hana = await personPage(browser, server.url, errors, { width: 1200, height: 900 });
  await enrolInBrowser(hana, hanaCode, 'Hana’s laptop');
  const bea = await personPage(browser, server.url, errors, { width: 1200, height: 900 });
  await enrolInBrowser(bea, beaCode, 'Bea’s laptop');
  await server.cli('ann', ['room', 'create', 'case-2041', '--member', 'hana', '--member', 'bea', '--member', 'cal']);
  for (const page of [hana, bea]) await page.getByRole('link', { name: /case-2041/ }).waitFor();

  // Hana starts the meeting's minutes, naming Bea as minute-taker.
  await hana.getByRole('link', { name: 'Meetings and minutes' }).click();
  await hana.getByRole('heading', { name: 'Meetings and minutes' }).waitFor();
  await noViolations(hana, 'meetings');
  await hana.getByRole('link', { name: 'Meetings in case-2041' }).click();
  await hana.getByText('No meetings yet in this room.').waitFor();
  await noViolations(hana, 'room’s meetings');
  await shot(hana, '1-room-meetings');
  await hana.getByLabel('Title').fill('Core group for J');
  await hana.getByLabel('Kind of meeting').selectOption('core-group');
  await hana.getByLabel('Date', { exact: true }).fill('2026-11-20');
  await hana.getByLabel('Time').fill('10:00');
  await hana.getByLabel('Place').fill('Riverside Primary');
  await hana.getByLabel('Minute-taker').selectOption('bea');
  await hana.getByLabel('Protective marking').selectOption('OFFICIAL-SENSITIVE');
  await hana.getByLabel('Next meeting').fill('2026-12-18');
  await hana.getByRole('button', { name: 'Start the minutes' }).click();
  await hana.getByRole('heading', { name: 'Core group for J' }).waitFor();
  const meeting = Number(/#\/meetings\/(\d+)/.exec(hana.url())[1]);

  // A member who is neither chair nor minute-taker sees no way to start a meeting.
  await bea.getByRole('link', { name: 'Meetings and minutes' }).click();
  await bea.getByRole('link', { name: 'Meetings in case-2041' }).click();
  await bea.getByRole('link', { name: 'Core group for J' }).waitFor();
  assert.equal(await bea.getByRole('button', { name: 'Start the minutes' }).count(), 0);
  await bea.getByRole('link', { name: 'Core group for J' }).click();
  await bea.getByRole('heading', { name: 'Attendance' }).waitFor();
  await noViolations(bea, 'minute-taking (empty)');

  // Bea minutes it, with the mouse: attendance, including Kelly, a parent without an account.
  const addAttendee = async (who, name, role, extra = async () => {}) => {
    await bea.getByLabel('Who').selectOption(who);
    await extra();
    await bea.getByLabel(/^Role/).fill(role);
    await bea.getByRole('button', { name: 'Add to attendance' }).click();
    await bea.getByRole('form', { name: `Attendance of ${name}` }).waitFor();
  };
  await addAttendee('hana', 'Hana Ali', 'Health visitor');
  await addAttendee('bea', 'Bea Patel', 'Class teacher');
  await addAttendee('#other', 'Kelly Smith', 'Mother', async () => {
    await bea.getByLabel('Name', { exact: true }).fill('Kelly Smith');
    await bea.getByLabel('A family member').check();
    await bea.getByLabel('Receives a copy of the minutes').check();
  });
  await bea.getByText(/Kelly Smith.*family member.*receives a copy/).waitFor();
  // Hana has the meeting open too: Bea's entries appear there live, without a reload.
  await hana.getByRole('form', { name: 'Attendance of Kelly Smith' }).waitFor({ timeout: 10000 });

  // With the keyboard alone: an agenda item with its discussion.
  await tabTo(bea, 'ag-new-title');
  await bea.keyboard.type('School attendance');
  await bea.keyboard.press('Tab');
  await bea.keyboard.type('J was in school four days out of five. The TAF will look at Fridays.');
  await submitByKeyboard(bea, 'New agenda item');
  await bea.getByRole('form', { name: 'Agenda item School attendance' }).waitFor();
  // A decision with reasons and dissent, and two actions: an account's and Kelly's.
  await tabTo(bea, 'de-new-decision');
  await bea.keyboard.type('Keep the plan going');
  await bea.keyboard.press('Tab');
  await bea.keyboard.type('Attendance is improving.');
  await bea.keyboard.press('Tab');
  await bea.keyboard.type('Kelly felt the plan asks too much of her.');
  await submitByKeyboard(bea, 'New decision');
  await bea.getByRole('form', { name: 'Decision Keep the plan going' }).waitFor();
  // Hana is rewording the reasons when Bea saves her own change to them: Hana's text stays, and
  // her page says that saving would replace Bea's; a field she has not touched follows Bea's.
  const hanaDecision = hana.getByRole('form', { name: 'Decision Keep the plan going' });
  await hanaDecision.getByLabel(/^Reasons/).fill('Attendance is better than last term.');
  const beaDecision = bea.getByRole('form', { name: 'Decision Keep the plan going' });
  await beaDecision.getByLabel(/^Reasons/).fill('Attendance is improving week by week.');
  await beaDecision.getByLabel(/^Dissent/).fill('Kelly felt the plan asks too much of her family.');
  await beaDecision.getByRole('button', { name: 'Save decision' }).click();
  await beaDecision.getByText('Saved.').waitFor();
  await hanaDecision.getByText(/Someone else saved a change here while you were typing/).waitFor({ timeout: 10000 });
  assert.equal(await hanaDecision.getByLabel(/^Reasons/).inputValue(), 'Attendance is better than last term.');
  assert.equal(await hanaDecision.getByLabel(/^Dissent/).inputValue(), 'Kelly felt the plan asks too much of her family.');
  await shot(hana, '2b-live-clash');
  await tabTo(bea, 'ac-new-what');
  await bea.keyboard.type('Send Kelly the attendance letter');
  await bea.keyboard.press('Tab');
  await bea.keyboard.type('J attends school every day');
  await bea.keyboard.press('Tab');
  await bea.keyboard.press('ArrowDown'); // the owner list: the first account (bea, alphabetically)
  await tabTo(bea, 'ac-new-due');
  await bea.keyboard.type('12042030');
  await submitByKeyboard(bea, 'New action');
  await bea.getByRole('form', { name: /^Action \d+$/ }).first().waitFor();
  await shot(bea, '2-minute-taking');
  // The rest with the mouse: an action for Kelly (no account), one for Cal.
  await bea.getByLabel('What is to be done').last().fill('Book a GP appointment for J');
  await bea.getByLabel('Owner', { exact: true }).selectOption('#other');
  await bea.getByLabel('Owner’s name').fill('Kelly Smith');
  await bea.getByLabel('Owner’s agency').fill('Family');
  await bea.getByLabel('Due', { exact: true }).last().fill('2030-12-01');
  await bea.getByRole('button', { name: 'Add action' }).click();
  await bea.getByText(/Action \d+, owner Kelly Smith \(Family\)/).waitFor();
  await bea.getByLabel('What is to be done').last().fill('Share the health plan with the school');
  await bea.getByLabel('Owner', { exact: true }).selectOption('cal');
  await bea.getByLabel('Due', { exact: true }).last().fill('2030-12-08');
  await bea.getByRole('button', { name: 'Add action' }).click();
  await bea.getByText(/Action \d+, owner Cal/).waitFor();
  await noViolations(bea, 'minute-taking');

  // The plain-language check: a parent attended, so the readers are the public. Each finding
  // links to its place; Bea fixes "TAF" there.
  await bea.getByRole('button', { name: 'Check the language' }).click();
  const taf = bea.getByRole('link', { name: /“TAF” in Agenda item 1: discussion/ });
  await taf.waitFor();
  // Kelly's copy is read by the public: its reading age is given with the check.
  await bea.locator('.check-panel .reading-age').filter({ hasText: /^Kelly Smith’s copy \(\d+ sections?\): Reading age (about \d+|18 or over)/ }).waitFor();
  await noViolations(bea, 'check');
  await shot(bea, '3-check');
  await taf.click();
  const focused = await bea.evaluate(() => {
    const el = document.activeElement;
    return { id: el.id, selected: el.value.slice(el.selectionStart, el.selectionEnd) };
  });
  assert.match(focused.id, /^ag-\d+-discussion$/);
  assert.equal(focused.selected, 'TAF');
  await bea.keyboard.type('team around the family');
  const item = bea.getByRole('form', { name: 'Agenda item School attendance' });
  await item.getByRole('button', { name: 'Save item' }).click();
  await item.getByText('Saved.').waitFor();
  await hana.waitForFunction(() => [...document.querySelectorAll('textarea')]
    .some((t) => t.id.endsWith('-discussion') && t.value.includes('team around the family')), null, { timeout: 10000 });
  await bea.getByRole('button', { name: 'Check the language' }).click();
  await bea.getByRole('link', { name: /“TAF”/ }).waitFor({ state: 'detached' });
  await bea.getByRole('status').filter({ hasText: /finding|Nothing found/ }).waitFor();
  assert.equal(await bea.getByRole('link', { name: /“TAF”/ }).count(), 0, 'the fixed finding is gone');
  const left = await bea.getByRole('list').filter({ has: bea.getByRole('link', { name: /” in / }) }).getByRole('listitem').count();

  // Bea cannot acknowledge findings (only the chair can): the server's refusal is shown in words.
  await bea.getByRole('button', { name: 'Sign and circulate' }).click();
  if (left > 0) {
    await bea.getByRole('form', { name: 'Circulate' }).getByRole('alert').filter({ hasText: /Plain-language findings need the chair/ }).waitFor();
    // Hana, the chair, acknowledges and circulates: her device signs the draft it fetched.
    await hana.reload();
    await hana.getByLabel('Passphrase').fill(PASSPHRASE);
    await hana.getByRole('button', { name: 'Unlock' }).click();
    await hana.getByRole('heading', { name: 'Core group for J' }).waitFor({ timeout: 60000 });
    await hana.getByLabel(/As chair, I have read the plain-language findings/).check();
    await hana.getByRole('button', { name: 'Sign and circulate' }).click();
  }
  const view = left > 0 ? hana : bea;
  await view.getByText(/circulated by .*signature verified/).waitFor();
  await visit(hana, `#/meetings/${meeting}`);
  await hana.getByText(/circulated by .*signature verified/).waitFor();
  // Bea, not the chair, has no approval control; Hana approves, acknowledging what remains.
  await visit(bea, `#/meetings/${meeting}`);
  await bea.getByText(/circulated by .*signature verified/).waitFor();
  assert.equal(await bea.getByRole('button', { name: 'Sign and approve' }).count(), 0);
  await noViolations(bea, 'circulated minutes');
  if (left > 0) await hana.getByLabel(/As chair, I have read the plain-language findings/).check();
  await hana.getByRole('button', { name: 'Sign and approve' }).click();
  await hana.getByText(/approved by Hana Ali \(hana, Westshire NHS\) on .*, signature verified/).waitFor();
  await noViolations(hana, 'approved minutes');
  await shot(hana, '4-approved');

  // The command reads and verifies what the browser wrote and signed.
  const verified = await server.cli('cal', ['meeting', 'verify', String(meeting)]);
  assert.match(verified, /circulated by .*signature verified/);
  assert.match(verified, /approved by Hana Ali \(hana, Westshire NHS\).*signature verified/);
  const shown = JSON.parse(await server.cli('cal', ['meeting', 'show', String(meeting), '--json']));
  assert.equal(shown.status, 'approved');
  assert.ok(shown.attendance.some((a) => a.name === 'Kelly Smith' && a.family && a.copy && !a.user));
  assert.equal(shown.decisions[0].dissent, 'Kelly felt the plan asks too much of her family.');
  assert.equal(shown.decisions[0].reasons, 'Attendance is improving week by week.');
  assert.equal(shown.actions.length, 3);
  assert.ok(shown.distribution.some((d) => d.name === 'Kelly Smith' && !d.user), 'Kelly is on the distribution');

  // The print view: the record, the marking on every page (a named page whose margin boxes
  // carry it) and page numbers; saved as a PDF.
  await hana.getByRole('link', { name: 'Print view (save as PDF)' }).click();
  await hana.getByRole('button', { name: 'Print or save as PDF' }).waitFor();
  await hana.getByText(/approved by Hana Ali .*signature verified/).waitFor();
  await noViolations(hana, 'print view');
  await shot(hana, '5-print-screen');
  await hana.emulateMedia({ media: 'print' });
  const printed = await hana.evaluate(() => {
    const main = document.querySelector('main.print-view');
    const rules = [...document.styleSheets].flatMap((s) => [...s.cssRules]).filter((r) => r instanceof CSSPageRule);
    return {
      page: getComputedStyle(main).page,
      hiddenNav: getComputedStyle(document.querySelector('nav.rooms')).display,
      rules: rules.map((r) => r.cssText).join('\n'),
    };
  });
  assert.equal(printed.page, 'sensitive');
  assert.equal(printed.hiddenNav, 'none');
  assert.match(printed.rules, /@page sensitive[\s\S]*@top-center[\s\S]*"OFFICIAL-SENSITIVE"[\s\S]*@bottom-center[\s\S]*"OFFICIAL-SENSITIVE"[\s\S]*counter\(page\)[\s\S]*counter\(pages\)/);
  const pdf = await hana.pdf({ format: 'A4' });
  if (shots) (await import('node:fs')).writeFileSync(join(shots, 'minutes-print.pdf'), pdf);
  assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
  // Every page carries the marking in its top and bottom margins and "Page N of M" (the margin
  // boxes are drawn first); the record itself is there, as text.
  // Compared without white space (a PDF has none at its line breaks) and with ligatures undone.
  const squash = (t) => t.normalize('NFKC').replace(/\s+/g, '');
  const pages = pdfPages(pdf).map(squash);
  assert.ok(pages.length >= 1, 'the PDF has pages');
  for (const [i, text] of pages.entries())
    assert.ok(text.startsWith(`OFFICIAL-SENSITIVEPage${i + 1}of${pages.length}OFFICIAL-SENSITIVE`), `page ${i + 1}: ${text.slice(0, 80)}`);
  const whole = pages.join('');
  for (const words of ['Core group for J', 'Kelly Smith', 'Keep the plan going', 'Book a GP appointment for J',
    'approved by Hana Ali (hana, Westshire NHS)', 'signature verified'])
    assert.ok(whole.includes(squash(words)), `the PDF holds “${words}”`);
  await hana.emulateMedia({ media: 'screen' });

  // Markdown export, as the command exports it.
  await hana.getByRole('link', { name: '← Back to the minutes' }).click();
  const [download] = await Promise.all([hana.waitForEvent('download'), hana.getByRole('button', { name: 'Export Markdown' }).click()]);
  const markdown = readFileSync(await download.path(), 'utf8');
  assert.match(markdown, /^\*\*OFFICIAL-SENSITIVE\*\*\n/);
  assert.match(markdown, /\n\*\*OFFICIAL-SENSITIVE\*\*\n$/);
  assert.match(markdown, /Kelly Smith/);
  // The same document as the command's, but for each device's own verdicts on the signatures.
  assert.match(markdown, /\n## Signatures\n[\s\S]*approved by Hana Ali \(hana, Westshire NHS\) on .*, signature verified/);
  const cliMarkdown = await server.cli('cal', ['meeting', 'export', String(meeting), '--format', 'markdown']);
  const unsigned = (t) => t.replace(/\n## Signatures\n[\s\S]*?(?=\n\*\*)/, '');
  assert.notEqual(unsigned(markdown), markdown);
  assert.equal(unsigned(markdown), unsigned(cliMarkdown));
  const [htmlDownload] = await Promise.all([hana.waitForEvent('download'), hana.getByRole('button', { name: 'Export HTML' }).click()]);
  const html = readFileSync(await htmlDownload.path(), 'utf8');
  assert.match(html, /<h2>Signatures<\/h2>[\s\S]*approved by Hana Ali \(hana, Westshire NHS\) on .*, signature verified/);
  const cliHtml = await server.cli('cal', ['meeting', 'export', String(meeting), '--format', 'html']);
  const unsignedHtml = (t) => t.replace(/<h2>Signatures<\/h2>[\s\S]*?<\/ul>\n/, '');
  assert.notEqual(unsignedHtml(html), html);
  assert.equal(unsignedHtml(html), unsignedHtml(cliHtml));

  // A correction: a new draft version with its reason; version 1 stays readable, still verified.
  await hana.getByLabel('Reason for the correction').fill('Kelly’s role was recorded wrongly.');
  await hana.getByRole('button', { name: 'Start a corrected version' }).click();
  await hana.getByText(/version 2, draft/).first().waitFor();
  await hana.getByText('Versions (1)').click();
  await hana.getByRole('link', { name: 'Version 1' }).click();
  await hana.getByRole('heading', { name: 'Core group for J — version 1' }).waitFor();
  await hana.getByText(/approved by Hana Ali .*signature verified/).waitFor();

  // The command writes the next meeting; the browser reads it, with the carried-forward actions
  // and Cal's signature verified. Bea has the room's meetings open: it appears there, live.
  await visit(bea, '#/meetings/room/case-2041');
  await bea.getByRole('link', { name: 'Core group for J' }).waitFor();
  const next = JSON.parse(await server.cli('cal', ['meeting', 'create', 'case-2041', '--title', 'Core group review',
    '--kind', 'core-group', '--at', '2026-12-18 10:00', '--place', 'remote', '--json']));
  await bea.getByRole('link', { name: 'Core group review' }).waitFor({ timeout: 10000 });
  await server.cli('cal', ['meeting', 'agenda', String(next.meeting), 'Review of actions', '--discussion', 'All three actions are under way.']);
  await server.cli('cal', ['meeting', 'circulate', String(next.meeting), '--acknowledge']);
  await visit(bea, `#/meetings/${next.meeting}`);
  await bea.getByRole('heading', { name: 'Core group review' }).waitFor();
  await bea.getByText('All three actions are under way.').waitFor();
  await bea.getByRole('table', { name: 'Actions from the previous meeting' }).getByText('Book a GP appointment for J').waitFor();
  await bea.getByText(/circulated by Cal Jones \(cal, Westshire Council\) on .*, signature verified/).waitFor();
  await noViolations(bea, 'carried-forward actions');
  await shot(bea, '6-next-meeting');

  // Actions across rooms for the chair: grouped, and filtered by agency.
  await visit(hana, '#/meetings/actions');
  await hana.getByRole('heading', { name: 'Actions across my rooms' }).waitFor();
  await hana.getByText('3 actions shown.').waitFor();
  await hana.getByLabel('Agency').selectOption('Family');
  await hana.getByText('1 action shown.').waitFor();
  await noViolations(hana, 'actions across rooms');
  await shot(hana, '7-actions');

  // On the corrected draft (version 2), Bea gives Cal's action to Hana and Hana hands the chair
  // to Cal; Hana's page follows without a reload, and the command reads both.
  const share = shown.actions.find((a) => a.what === 'Share the health plan with the school').id;
  await visit(hana, `#/meetings/${meeting}`);
  await visit(bea, `#/meetings/${meeting}`);
  const beaAction = bea.getByRole('form', { name: `Action ${share}` });
  await beaAction.getByLabel(`Owner of action ${share}`).selectOption('hana');
  await beaAction.getByRole('button', { name: 'Save action' }).click();
  await beaAction.getByText('Saved.').waitFor();
  await hana.getByText(`Action ${share}, owner Hana Ali (Westshire NHS)`).waitFor({ timeout: 10000 });
  await noViolations(hana, 'minute-taking, with the chair’s hand-over');
  await shot(hana, '8-hand-over');
  await hana.getByLabel('New chair').selectOption('cal');
  await hana.getByRole('button', { name: 'Hand over the chair' }).click();
  await hana.getByText(/Only the chair \(Cal Jones \(Westshire Council\)\) and the minute-taker/).waitFor();
  const handed = JSON.parse(await server.cli('cal', ['meeting', 'show', String(meeting), '--json']));
  assert.equal(handed.chair.user, 'cal');
  assert.equal(handed.actions.find((a) => a.id === share).owner.user, 'hana');
  // Cal hands it back with the command: Hana's page shows her chair's controls again, live.
  await server.cli('cal', ['meeting', 'update', String(meeting), '--chair', 'hana']);
  await hana.getByRole('form', { name: 'Hand over the chair' }).waitFor({ timeout: 10000 });
  // Cal leaves the room after Hana and Bea chose him, before they save: the server refuses
  // both, and each page says why in words.
  await hana.getByLabel('New chair').selectOption('cal');
  await beaAction.getByLabel(`Owner of action ${share}`).selectOption('cal');
  await server.cli('ann', ['room', 'remove', 'case-2041', 'cal']);
  await hana.getByRole('button', { name: 'Hand over the chair' }).click();
  await hana.getByRole('form', { name: 'Hand over the chair' }).getByRole('alert')
    .filter({ hasText: /^Check what you typed: chair: cal is not a member of room 'case-2041'/ }).waitFor();
  await beaAction.getByRole('button', { name: 'Save action' }).click();
  await beaAction.getByRole('alert').filter({ hasText: /^Check what you typed: owner: cal is not a member of room 'case-2041'/ }).waitFor();
  await shot(bea, '9-owner-refused');
  // Nothing changed: Hana still chairs it and owns the action.
  await bea.getByText(`Action ${share}, owner Hana Ali (Westshire NHS)`).waitFor();
  await bea.getByText(/Chair: Hana Ali \(Westshire NHS\)\./).waitFor();
  assert.deepEqual(errors, []);
});

test('a chair records a conference by its template in the browser; a family copy leaves out what is for professionals only', { timeout: 300000 }, async () => {
  const enrol = async (user, display, agency, role) => JSON.parse(await server.cli('ann',
    ['admin', 'enrol', user, '--agency', agency, '--role', role, '--display-name', display, '--json'])).code;
  const deeCode = await enrol('dee', 'Dee Okafor', 'Westshire Council', 'chair');
  const eveCode = await enrol('eve', 'Eve Clarke', 'Westshire NHS', 'member');
  await server.cli('eve', ['enrol', '--server', `ws://127.0.0.1:${server.port}`, '--code', eveCode]);
  await server.cli('eve', ['unlock', '--for', '30m']); // Eve's commands skip Argon2id after this
  const dee = await personPage(browser, server.url, errors, { width: 1200, height: 900 });
  await enrolInBrowser(dee, deeCode, 'Dee’s laptop');
  await server.cli('ann', ['room', 'create', 'case-3001', '--member', 'dee', '--member', 'eve']);
  await dee.getByRole('link', { name: /case-3001/ }).waitFor();

  // Dee starts an initial child protection conference with its case reference; Eve takes the minutes.
  await dee.getByRole('link', { name: 'Meetings and minutes' }).click();
  await dee.getByRole('link', { name: 'Meetings in case-3001' }).click();
  await dee.getByLabel('Title').fill('Initial conference for K');
  await dee.getByLabel('Kind of meeting').selectOption('initial-cp-conference');
  await dee.getByLabel('Date', { exact: true }).fill('2026-12-01');
  await dee.getByLabel('Time').fill('13:30');
  await dee.getByLabel('Place').fill('Westshire House');
  await dee.getByLabel('Minute-taker').selectOption('eve');
  await dee.getByLabel(/^Case reference/).fill('WS/2026/3001');
  await dee.getByRole('button', { name: 'Start the minutes' }).click();
  await dee.getByRole('heading', { name: 'Record: Initial child protection conference' }).waitFor();
  const meeting = Number(/#\/meetings\/(\d+)/.exec(dee.url())[1]);
  // What the template still needs is listed, each linked to its section; the deadlines are shown.
  const missing = dee.locator('.missing');
  await missing.getByRole('link', { name: 'Quoracy' }).waitFor();
  await dee.getByText(/Decision summary: .*\(1 working day\)/).waitFor();
  assert.equal(await dee.getByLabel(/^Case reference/).inputValue(), 'WS/2026/3001');
  // The room's list names the case and the clock that runs out first (the meeting was last week).
  await visit(dee, '#/meetings/room/case-3001');
  const row = dee.getByRole('row').filter({ has: dee.getByRole('link', { name: 'Initial conference for K' }) });
  await row.getByText(/· case WS\/2026\/3001$/).waitFor();
  await row.getByText(/^Decision summary late: was due \w+,? 2 Dec 2026$/).waitFor();
  await visit(dee, `#/meetings/${meeting}`);
  await dee.getByRole('heading', { name: 'Record: Initial child protection conference' }).waitFor();

  // Eve records most sections with the command; they appear on Dee's page without a reload.
  const m = String(meeting);
  for (const [section, text] of [
    ['purpose', 'Concerns about neglect after the school raised K’s weight loss.'],
    ['non-attendance', 'K did not attend: she is six. Both parents attended.'],
    ['quoracy', 'Quorate: children’s social care, health and education were present.'],
    ['parent-views', 'Kelly said the family is struggling since the move.'],
    ['strengths', 'Kelly engages with the health visitor.'],
    ['risks', 'K has missed three health appointments.'],
    ['professional-information', 'A police check on the new partner is pending.'],
    ['decision', 'K is to be the subject of a child protection plan under neglect, because of the missed care.'],
    ['dissent', 'None'],
    ['plan', 'The core group meets within ten working days.'],
    ['next-meetings', 'Review conference within three months.'],
  ]) await server.cli('eve', ['meeting', 'section', m, section, text]);
  await dee.getByRole('form', { name: 'Section Risks' }).getByLabel(/^Risks/).waitFor();
  await dee.waitForFunction(() => document.getElementById('sx-risks-text')?.value === 'K has missed three health appointments.', null, { timeout: 10000 });

  // Dee, in the browser: the child's views with how they were gathered, a report, each agency's view.
  const child = dee.getByRole('form', { name: 'Section The child\'s views and wishes' });
  await child.getByLabel(/^The child's views and wishes/).fill('K said she likes school dinners and her teacher.');
  await child.getByLabel(/^How the child’s views were gathered/).fill('Seen alone at school by the social worker.');
  await child.getByRole('button', { name: 'Save section' }).click();
  await child.getByText('Saved.').waitFor();
  const report = dee.getByRole('form', { name: 'New report' });
  await report.getByLabel(/^Report/).fill('Health visitor’s report');
  await report.getByLabel(/^Written by/).fill('Eve Clarke');
  await report.getByLabel('Shared with the parents before the meeting').check();
  await report.getByRole('button', { name: 'Add report' }).click();
  await dee.getByRole('form', { name: 'Report Health visitor’s report' }).waitFor();
  for (const [agency, view] of [['Westshire NHS', 'Plan needed: neglect.'], ['Westshire Council', 'Plan needed: neglect.']]) {
    const form = dee.getByRole('form', { name: 'An agency’s view' });
    await form.getByLabel(/^Agency/).fill(agency);
    await form.getByLabel(/^Its view/).fill(view);
    await form.getByRole('button', { name: 'Save view' }).click();
    await dee.locator('.sub-entries li').filter({ hasText: agency }).waitFor();
  }
  // Kelly, K's mother, attends without an account and receives a copy. A family member's copy
  // never holds the professionals-only section: it cannot even be ticked. Dee leaves quoracy out.
  await dee.getByLabel('Who').selectOption('#other');
  await dee.getByLabel('Name', { exact: true }).fill('Kelly Smith');
  await dee.getByLabel('A family member').check();
  await dee.getByLabel('Receives a copy of the minutes').check();
  await dee.getByLabel(/^Role/).fill('Mother');
  await dee.getByRole('button', { name: 'Add to attendance' }).click();
  const copy = dee.getByRole('form', { name: 'Sections in Kelly Smith’s copy' });
  await copy.waitFor();
  assert.equal(await copy.getByLabel(/^Information for professionals only/).isDisabled(), true);
  assert.equal(await copy.getByLabel(/^Information for professionals only/).isChecked(), false);
  await copy.getByLabel('Quoracy').uncheck();
  await copy.getByRole('button', { name: 'Save their copy' }).click();
  await copy.getByText('Saved.').waitFor();
  await dee.getByText('Every section the template asks for is recorded.').waitFor({ timeout: 10000 });
  await noViolations(dee, 'minute-taking by template');
  await shotOf(dee, dee.locator('section[aria-labelledby="sec-record"]'), '10-template-record');
  await shotOf(dee, copy, '10-template-copy');

  // Signed and circulated from the browser; the command verifies it (the v2 digest covers the sections).
  const ack = dee.getByLabel(/As chair, I have read the plain-language findings/);
  if (await ack.count()) await ack.check();
  await dee.getByRole('button', { name: 'Sign and circulate' }).click();
  await dee.getByText(/circulated by Dee Okafor .*signature verified/).waitFor();
  assert.match(await server.cli('eve', ['meeting', 'verify', m]), /circulated by Dee Okafor .*signature verified/);
  const record = dee.locator('.record');
  await record.getByRole('heading', { name: 'Information for professionals only (professionals only)' }).waitFor();
  await record.getByText('Seen alone at school by the social worker.').waitFor();
  await record.getByRole('table', { name: 'Reports received' }).getByText('Health visitor’s report').waitFor();
  await record.getByText('WS/2026/3001').waitFor();
  await noViolations(dee, 'circulated minutes by template');
  await shotOf(dee, record, '11-template-circulated');

  // Kelly's copy, exported in the browser, is the command's, byte for byte: no quoracy, nothing
  // for professionals only, the child's views kept.
  const shown = JSON.parse(await server.cli('eve', ['meeting', 'show', m, '--json']));
  const entry = shown.attendance.find((a) => a.name === 'Kelly Smith').id;
  await dee.getByText(/Kelly Smith \(family\): \d+ sections/).waitFor();
  const [download] = await Promise.all([dee.waitForEvent('download'), dee.getByRole('button', { name: 'Export Kelly Smith’s copy (Markdown)' }).click()]);
  const kellys = readFileSync(await download.path(), 'utf8');
  assert.equal(kellys, await server.cli('eve', ['meeting', 'export', m, '--for', String(entry), '--format', 'markdown']));
  assert.match(kellys, /Copy for:\*\* Kelly Smith \(Mother\), a partial copy: 2 sections left out/);
  assert.match(kellys, /K said she likes school dinners/);
  assert.doesNotMatch(kellys, /police check|Quorate/);
  // The whole record, exported by Dee, holds both; its header names the case.
  const [whole] = await Promise.all([dee.waitForEvent('download'), dee.getByRole('button', { name: 'Export Markdown' }).click()]);
  const all = readFileSync(await whole.path(), 'utf8');
  assert.match(all, /\*\*Case reference:\*\* WS\/2026\/3001/);
  assert.match(all, /police check/);
  await server.cli('eve', ['lock']).catch(() => undefined);
  assert.deepEqual(errors, []);
});
