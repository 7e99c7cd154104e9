// The minutes exports, made in the browser from a version whose signatures it checked, byte for
// byte as protocol/src/minutes_export.cpp makes them (what the server sends for meeting_export
// and what `liaise meeting export` writes): Markdown, or a self-contained printable HTML page.
// A fixed version is exported from what was signed, never from the server's rendering.
type Json = Record<string, unknown>;

const obj = (v: unknown): Json => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const str = (o: Json, k: string): string => (typeof o[k] === 'string' ? (o[k] as string) : '');
const num = (o: Json, k: string): number => (Number.isSafeInteger(o[k]) ? (o[k] as number) : 0);
const list = (o: Json, k: string): Json[] => (Array.isArray(o[k]) ? (o[k] as unknown[]).map(obj) : []);

/** A time in ms as `liaise` prints it in minutes: "2026-12-04 10:05 UTC". */
export function minuteTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** The kinds of meeting (meeting_kinds/), with their labels as protocol/minutes_export.hpp has them. */
export const kMeetingKinds: [string, string][] = [
  ['initial-cp-conference', 'Initial child protection conference'],
  ['review-cp-conference', 'Review child protection conference'],
  ['core-group', 'Core group'],
  ['strategy', 'Strategy meeting or discussion'],
  ['child-in-need', 'Child in need review'],
  ['children-in-care-review', 'Children in care review'],
  ['ehcp-annual-review', 'EHCP annual review'],
  ['marac', 'MARAC'],
  ['team-around-the-family', 'Team around the family'],
  ['professionals', 'Professionals\' meeting'],
  ['other', 'Meeting'],
];
const kKindLabels: Record<string, string> = Object.fromEntries(kMeetingKinds);
const kAttendance: Record<string, string> = { present: 'Present', apologies: 'Apologies sent', absent: 'Absent' };
const kActionStatuses: Record<string, string> = {
  open: 'Open', in_progress: 'In progress', done: 'Done', not_done: 'Not done', carried_forward: 'Carried forward', cancelled: 'Cancelled',
};
const label = (terms: Record<string, string>, code: string): string => (Object.hasOwn(terms, code) ? terms[code] as string : code);

/** Bidi overrides, isolates and marks, C1 controls and U+2028/U+2029 as U+FFFD. */
function visible(s: string): string {
  return s.replace(/[\u0080-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/g, '\ufffd');
}

/** Text escaped for HTML as every export escapes it (protocol html_escaped). */
export function htmlEscape(raw: string): string {
  return visible(raw).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', '\'': '&#39;' })[c] as string);
}

/** Text as HTML with line breaks kept. */
function htmlText(s: string): string {
  return htmlEscape(s).replace(/\r/g, '').replace(/\n/g, '<br>');
}

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';

/**
 * Text safe in Markdown: characters with a meaning escaped; in a table cell line breaks become
 * spaces; elsewhere a line loses its leading spaces and cannot start a list, quote, rule, fence
 * or heading.
 */
export function md(raw: string, cell = false): string {
  const s = visible(raw);
  let out = '';
  let lineStart = true;
  for (let i = 0; i < s.length; ++i) {
    const c = s[i] as string;
    if (c === '\r') continue;
    if (lineStart && !cell) {
      if (c === ' ' || c === '\t') continue;
      if ('-+=~'.includes(c)) out += '\\';
      if (isDigit(c)) {
        let end = i;
        while (end < s.length && isDigit(s[end])) ++end;
        if (end < s.length && (s[end] === '.' || s[end] === ')')) {
          out += `${s.slice(i, end)}\\${s[end]}`;
          i = end;
          lineStart = false;
          continue;
        }
      }
    }
    lineStart = c === '\n';
    if ('\\`*_[]<>|#'.includes(c)) out += '\\';
    out += cell && c === '\n' ? ' ' : c;
  }
  return out;
}

const personLine = (p: Json): string => `${str(p, 'display_name')} (${str(p, 'agency')})`;

function ownerLine(a: Json): string {
  const o = obj(a.owner);
  const agency = str(o, 'agency');
  return str(o, 'name') + (agency ? `, ${agency}` : '');
}

function recipientLine(d: Json): string {
  const agency = str(d, 'agency');
  return str(d, 'name') + (agency ? ` (${agency})` : '');
}

function delivery(d: Json): string {
  if (!('user' in d)) {
    let s = `a copy to be given to them (no account), circulated ${minuteTime(num(d, 'sent_at'))}`;
    if (Array.isArray(d.sections)) {
      const ids = (d.sections as unknown[]).filter((v): v is string => typeof v === 'string').join(', ');
      s += `, holding the sections: ${ids || 'none'}`;
    }
    return s;
  }
  let s = `sent ${minuteTime(num(d, 'sent_at'))}`;
  const at = num(d, 'received_at');
  if (at !== 0) s += `, received ${minuteTime(at)}`;
  const acknowledged = num(d, 'acknowledged_at');
  if (acknowledged !== 0) s += `, acknowledged ${minuteTime(acknowledged)}`;
  return s;
}

const attendeeWho = (e: Json): string => str(e, 'name') + (e.family === true ? ' (family)' : '');

/** How the document names the meeting's kind: its label as the minutes carry it. */
const kindLine = (m: Json): string => str(m, 'kind_label') || label(kKindLabels, str(m, 'kind'));

/** "Kelly Smith (Mother), a partial copy: 3 sections left out" for a recipient's copy. */
function copyLine(c: Json): string {
  let s = str(c, 'name');
  if (str(c, 'role')) s += ` (${str(c, 'role')})`;
  const n = num(c, 'sections_left_out');
  if (n > 0) s += `, a partial copy: ${n} section${n === 1 ? '' : 's'} left out`;
  return s;
}

/** Whether the minutes have anything of their kind's template to show. */
const hasRecord = (m: Json): boolean =>
  list(m, 'sections').some((v) => str(v, 'text') !== '') || list(m, 'reports').length > 0 || list(m, 'agency_views').length > 0;

const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);
const onlyForProfessionals = (sec: Json): string => (sec.professionals_only === true ? ' (professionals only)' : '');
const yesNo = (b: unknown): string => (b === true ? 'Yes' : 'No');

function statusLine(m: Json): string {
  const status = str(m, 'status');
  let s = `Version ${num(m, 'version')}, `;
  if (status === 'approved') {
    s += 'approved';
    const by = m.approved_by;
    if (by !== null && typeof by === 'object' && !Array.isArray(by)) s += ` by ${personLine(by as Json)}`;
    const at = num(m, 'approved_at');
    if (at !== 0) s += ` on ${minuteTime(at)}`;
  } else if (status === 'circulated' || status === 'superseded') {
    s += status;
    const at = num(m, 'circulated_at');
    if (at !== 0) s += ` on ${minuteTime(at)}`;
    s += status === 'circulated' ? ', awaiting approval' : '';
  } else {
    s += 'draft: not yet circulated';
  }
  return s;
}

const kActionLists: [string, string, boolean][] = [
  ['carried_forward', 'Actions carried forward for review', false], ['actions', 'Actions', true],
];

const review = (a: Json): string | null => (typeof a.review === 'string' ? a.review : null);

export function exportMarkdown(m: Json): string {
  const marking = str(m, 'marking');
  let o = `**${marking}**\n\n`;
  o += `# ${md(str(m, 'title'))}\n\n`;
  o += `- **Meeting:** ${md(kindLine(m))}\n`;
  if (str(m, 'case_reference')) o += `- **Case reference:** ${md(str(m, 'case_reference'))}\n`;
  if (isObject(m.copy_for)) o += `- **Copy for:** ${md(copyLine(m.copy_for))}\n`;
  o += `- **Date and time:** ${str(m, 'starts_at')}\n`;
  o += `- **Place:** ${md(str(m, 'place'))}\n`;
  o += `- **Chair:** ${md(personLine(obj(m.chair)))}\n`;
  o += `- **Minutes taken by:** ${md(personLine(obj(m.minute_taker)))}\n`;
  o += `- **Status:** ${md(statusLine(m))}\n`;
  if (typeof m.next_meeting === 'string') o += `- **Next meeting:** ${m.next_meeting}\n`;
  const c = m.correction;
  if (c !== null && typeof c === 'object' && !Array.isArray(c))
    o += `- **Correction of version ${num(c as Json, 'of_version')}:** ${md(str(c as Json, 'reason'), true)}\n`;
  o += '\n## Attendance\n\n| Name | Agency | Role | Attendance |\n|---|---|---|---|\n';
  for (const e of list(m, 'attendance'))
    o += `| ${md(attendeeWho(e), true)} | ${md(str(e, 'agency'), true)} | ${md(str(e, 'role'), true)} | ${label(kAttendance, str(e, 'status'))} |\n`;
  if (hasRecord(m)) {
    o += '\n## Record\n\n';
    for (const sec of list(m, 'sections')) {
      if (!str(sec, 'text')) continue;
      o += `### ${md(str(sec, 'label'))}${onlyForProfessionals(sec)}\n\n${md(str(sec, 'text'))}\n\n`;
      if (str(sec, 'how_gathered')) o += `How they were gathered: ${md(str(sec, 'how_gathered'), true)}\n\n`;
    }
    const reports = list(m, 'reports');
    if (reports.length > 0) {
      o += '### Reports received\n\n| Report | By | Shared with parents beforehand |\n|---|---|---|\n';
      for (const r of reports) o += `| ${md(str(r, 'report'), true)} | ${md(str(r, 'by'), true)} | ${yesNo(r.shared_with_parents)} |\n`;
      o += '\n';
    }
    const views = list(m, 'agency_views');
    if (views.length > 0) {
      o += '### Each agency\'s view of the decision\n\n';
      for (const v of views) o += `- ${md(str(v, 'agency'), true)}: ${md(str(v, 'view'), true)}\n`;
      o += '\n';
    }
  }
  o += '\n## Agenda and discussion\n\n';
  list(m, 'agenda').forEach((item, i) => {
    o += `### ${i + 1}. ${md(str(item, 'title'))}\n\n${md(str(item, 'discussion'))}\n\n`;
  });
  o += '## Decisions\n\n';
  list(m, 'decisions').forEach((d, i) => {
    o += `${i + 1}. **${md(str(d, 'decision'), true)}**\n`;
    if (str(d, 'reasons')) o += `   - Reasons: ${md(str(d, 'reasons'), true)}\n`;
    if (str(d, 'dissent')) o += `   - Dissent: ${md(str(d, 'dissent'), true)}\n`;
  });
  for (const [key, heading, whenEmpty] of kActionLists) {
    const items = list(m, key);
    if (!whenEmpty && items.length === 0) continue;
    o += `\n## ${heading}\n\n| # | Action | Outcome it serves | Owner | Due | Review | Status | Evidence |\n|---|---|---|---|---|---|---|---|\n`;
    for (const a of items)
      o += `| ${num(a, 'id')} | ${md(str(a, 'what'), true)} | ${md(str(a, 'outcome'), true)} | ${md(ownerLine(a), true)} | ${str(a, 'due')} | ${review(a) ?? ''} | ${label(kActionStatuses, str(a, 'status'))} | ${md(str(a, 'evidence'), true)} |\n`;
  }
  const dist = list(m, 'distribution');
  if (dist.length > 0) {
    o += '\n## Distribution\n\n';
    for (const d of dist) o += `- ${md(recipientLine(d))}: ${delivery(d)}\n`;
  }
  o += `\n**${marking}**\n`;
  return o;
}

const kHtmlStyle = `<style>
body { font-family: Arial, Helvetica, sans-serif; font-size: 11pt; line-height: 1.4; color: #000; max-width: 60em; margin: 1em auto; padding: 0 1em; }
.marking { text-align: center; font-weight: bold; letter-spacing: 0.1em; border: 2px solid #000; padding: 0.3em; margin: 0.5em 0; }
h1 { font-size: 18pt; margin: 0.6em 0 0.3em; }
h2 { font-size: 14pt; border-bottom: 1px solid #000; margin-top: 1.2em; }
h3 { font-size: 12pt; }
dl.facts { display: grid; grid-template-columns: max-content auto; gap: 0.2em 1em; }
dl.facts dt { font-weight: bold; }
dl.facts dd { margin: 0; }
table { border-collapse: collapse; width: 100%; margin: 0.5em 0; }
th, td { border: 1px solid #000; padding: 0.25em 0.4em; text-align: left; vertical-align: top; }
th { background: #eee; }
.reasons, .dissent { margin: 0.2em 0 0.6em 1.5em; }
@media print { body { margin: 0; max-width: none; } h2 { page-break-after: avoid; } tr { page-break-inside: avoid; } }
</style>
`;

export function exportHtml(m: Json): string {
  const marking = htmlEscape(str(m, 'marking'));
  let o = `<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>${marking} &#8212; ${htmlEscape(str(m, 'title'))}</title>\n${kHtmlStyle}</head>\n<body>\n`;
  o += `<div class="marking">${marking}</div>\n`;
  o += `<h1>${htmlEscape(str(m, 'title'))}</h1>\n<dl class="facts">\n`;
  const fact = (name: string, value: string) => { o += `<dt>${name}</dt><dd>${htmlText(value)}</dd>\n`; };
  fact('Meeting', kindLine(m));
  if (str(m, 'case_reference')) fact('Case reference', str(m, 'case_reference'));
  if (isObject(m.copy_for)) fact('Copy for', copyLine(m.copy_for));
  fact('Date and time', str(m, 'starts_at'));
  fact('Place', str(m, 'place'));
  fact('Chair', personLine(obj(m.chair)));
  fact('Minutes taken by', personLine(obj(m.minute_taker)));
  fact('Status', statusLine(m));
  if (typeof m.next_meeting === 'string') fact('Next meeting', m.next_meeting);
  const c = m.correction;
  if (c !== null && typeof c === 'object' && !Array.isArray(c))
    fact(`Correction of version ${num(c as Json, 'of_version')}`, str(c as Json, 'reason'));
  o += '</dl>\n<h2>Attendance</h2>\n<table>\n<tr><th>Name</th><th>Agency</th><th>Role</th><th>Attendance</th></tr>\n';
  for (const e of list(m, 'attendance'))
    o += `<tr><td>${htmlEscape(attendeeWho(e))}</td><td>${htmlEscape(str(e, 'agency'))}</td><td>${htmlEscape(str(e, 'role'))}</td><td>${label(kAttendance, str(e, 'status'))}</td></tr>\n`;
  o += '</table>\n';
  if (hasRecord(m)) {
    o += '<h2>Record</h2>\n';
    for (const sec of list(m, 'sections')) {
      if (!str(sec, 'text')) continue;
      o += `<h3>${htmlEscape(str(sec, 'label'))}${onlyForProfessionals(sec)}</h3>\n<p>${htmlText(str(sec, 'text'))}</p>\n`;
      if (str(sec, 'how_gathered')) o += `<p>How they were gathered: ${htmlText(str(sec, 'how_gathered'))}</p>\n`;
    }
    const reports = list(m, 'reports');
    if (reports.length > 0) {
      o += '<h3>Reports received</h3>\n<table>\n<tr><th>Report</th><th>By</th><th>Shared with parents beforehand</th></tr>\n';
      for (const r of reports)
        o += `<tr><td>${htmlEscape(str(r, 'report'))}</td><td>${htmlEscape(str(r, 'by'))}</td><td>${yesNo(r.shared_with_parents)}</td></tr>\n`;
      o += '</table>\n';
    }
    const views = list(m, 'agency_views');
    if (views.length > 0) {
      o += '<h3>Each agency\'s view of the decision</h3>\n<ul>\n';
      for (const v of views) o += `<li>${htmlEscape(str(v, 'agency'))}: ${htmlText(str(v, 'view'))}</li>\n`;
      o += '</ul>\n';
    }
  }
  o += '<h2>Agenda and discussion</h2>\n';
  list(m, 'agenda').forEach((item, i) => {
    o += `<h3>${i + 1}. ${htmlEscape(str(item, 'title'))}</h3>\n<p>${htmlText(str(item, 'discussion'))}</p>\n`;
  });
  o += '<h2>Decisions</h2>\n<ol>\n';
  for (const d of list(m, 'decisions')) {
    o += `<li><strong>${htmlText(str(d, 'decision'))}</strong>`;
    if (str(d, 'reasons')) o += `<div class="reasons">Reasons: ${htmlText(str(d, 'reasons'))}</div>`;
    if (str(d, 'dissent')) o += `<div class="dissent">Dissent: ${htmlText(str(d, 'dissent'))}</div>`;
    o += '</li>\n';
  }
  o += '</ol>\n';
  for (const [key, heading, whenEmpty] of kActionLists) {
    const items = list(m, key);
    if (!whenEmpty && items.length === 0) continue;
    o += `<h2>${heading}</h2>\n<table>\n<tr><th>#</th><th>Action</th><th>Outcome it serves</th><th>Owner</th><th>Due</th><th>Review</th><th>Status</th><th>Evidence</th></tr>\n`;
    for (const a of items) {
      const r = review(a);
      o += `<tr><td>${num(a, 'id')}</td><td>${htmlText(str(a, 'what'))}</td><td>${htmlText(str(a, 'outcome'))}</td><td>${htmlEscape(ownerLine(a))}</td><td>${htmlEscape(str(a, 'due'))}</td><td>${r === null ? '' : htmlEscape(r)}</td><td>${label(kActionStatuses, str(a, 'status'))}</td><td>${htmlText(str(a, 'evidence'))}</td></tr>\n`;
    }
    o += '</table>\n';
  }
  const dist = list(m, 'distribution');
  if (dist.length > 0) {
    o += '<h2>Distribution</h2>\n<ul>\n';
    for (const d of dist) o += `<li>${htmlEscape(`${recipientLine(d)}: ${delivery(d)}`)}</li>\n`;
    o += '</ul>\n';
  }
  o += `<div class="marking">${marking}</div>\n</body>\n</html>\n`;
  return o;
}
