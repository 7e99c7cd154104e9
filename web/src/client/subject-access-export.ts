// The subject access bundle as documents, byte for byte as protocol/src/subject_access_export.cpp
// makes them (what `liaise admin sar` writes): Markdown, or a self-contained printable HTML page,
// from the bundle's JSON. A port, not a reuse: the browser does not run the C++ protocol library
// (only the plain-language engine is compiled to WebAssembly). browser_governance renders the
// bundle the command wrote and compares the bytes with the command's own files.
import { htmlEscape, md } from './minutes-export';

type Json = Record<string, unknown>;

const obj = (v: unknown): Json => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const str = (o: Json, k: string): string => (typeof o[k] === 'string' ? (o[k] as string) : '');
const num = (o: Json, k: string): number => (Number.isSafeInteger(o[k]) ? (o[k] as number) : 0);
const flag = (o: Json, k: string): boolean => o[k] === true;
const list = (o: Json, k: string): unknown[] => (Array.isArray(o[k]) ? (o[k] as unknown[]) : []);

const kMarking = 'OFFICIAL-SENSITIVE: PERSONAL DATA';

const joined = (a: unknown[]): string => a.filter((v): v is string => typeof v === 'string').join(', ');

/** "Kelly Smith (account kelly, Westshire Council)", or the name with "no account". */
export function subjectLine(bundle: Json): string {
  const s = bundle.subject;
  if (s === null || typeof s !== 'object' || Array.isArray(s)) return '';
  const o = s as Json;
  if (str(o, 'user')) return `${str(o, 'display_name')} (account ${str(o, 'user')}, ${str(o, 'agency')})`;
  return `${str(o, 'name')} (a name written in the minutes; no account)`;
}

const nullable = (o: Json, k: string, none: string): string => (typeof o[k] === 'string' ? (o[k] as string) : none);

function facts(b: Json): [string, string][] {
  return [
    ['Person', subjectLine(b)],
    ['Reason or case reference', str(b, 'reason')],
    ['Requested by', str(b, 'requested_by')],
    ['Generated', `${str(b, 'generated')} (Europe/London)`],
    ['Answer due by', str(b, 'respond_by')],
    ['Items found', String(num(b, 'total_items'))],
  ];
}

const kNotes: [string, string][] = [
  ['searched', 'Searched'], ['matching', 'How matching was done'], ['messages', 'Messages'],
  ['redaction', 'Redaction'], ['deadline', 'Deadline'], ['schema', 'Machine-readable form'],
];

export const kSources: [string, string][] = [['minutes', 'Minutes'], ['action', 'Actions'], ['audit', 'Audit records']];

/** Where an item comes from, in one line ("Core group: Review, 20 Nov 2026 10:00, room case-7"). */
export function sourceLine(i: Json): string {
  const source = str(i, 'source');
  if (source === 'audit') return `Audit record ${num(i, 'seq')}, ${str(i, 'date')}, by ${str(i, 'actor') || '?'}`;
  let out = str(i, 'title');
  if (source === 'minutes') {
    out = `${str(i, 'kind')}: ${out}, ${str(i, 'date')}, room ${str(i, 'room')}`;
    if (str(i, 'case_reference')) out += `, case ${str(i, 'case_reference')}`;
  } else {
    out = `Action ${num(i, 'action')} (meeting ${num(i, 'meeting')}${out ? `: ${out}` : ''}), ${str(i, 'date')}, room ${str(i, 'room')}`;
  }
  return out;
}

const linesOf = (text: string): string[] => text.split('\n').filter((l) => l.length > 0);

const items = (b: Json): Json[] => list(b, 'items').map(obj);

export function subjectAccessMarkdown(b: Json): string {
  const m = (s: string) => md(s, true);
  let o = `**${kMarking}**\n\n# Subject access bundle\n\n`;
  for (const [label, value] of facts(b)) o += `- **${label}:** ${m(value)}\n`;
  o += '\nEvery item below is for review before release: other people\'s names and information ' +
    'are left visible and must be considered for redaction.\n';
  o += '\n## How this bundle was made\n\n';
  const notes = b.notes;
  if (notes !== null && typeof notes === 'object' && !Array.isArray(notes))
    for (const [key, label] of kNotes) o += `- **${label}:** ${m(str(notes as Json, key))}\n`;
  o += '\n## Rooms whose messages the members should search\n\n';
  const rooms = list(b, 'rooms').map(obj);
  if (rooms.length === 0) {
    o += 'None.\n';
  } else {
    o += '| Room | Member now | Member since | Messages sent | First sent | Last sent | Named in minutes |\n|---|---|---|---|---|---|---|\n';
    for (const r of rooms)
      o += `| ${m(str(r, 'room'))} | ${flag(r, 'member') ? 'Yes' : 'No'} | ${nullable(r, 'member_since', flag(r, 'member') ? 'the start' : '-')} | ` +
        `${num(r, 'messages_sent')} | ${nullable(r, 'first_sent', '-')} | ${nullable(r, 'last_sent', '-')} | ${flag(r, 'named_in_minutes') ? 'Yes' : 'No'} |\n`;
  }
  for (const [source, heading] of kSources) {
    o += `\n## ${heading}\n\n`;
    let n = 0;
    for (const i of items(b)) {
      if (str(i, 'source') !== source) continue;
      ++n;
      o += `### ${n}. ${m(str(i, 'section'))}\n\n- **Source:** ${m(sourceLine(i))}\n`;
      const versions = list(i, 'versions');
      if (versions.length > 0) o += `- **In:** ${m(joined(versions))}\n`;
      o += `- **Matched by:** ${m(joined(list(i, 'matched')))}\n`;
      const others = list(i, 'others_named');
      if (others.length > 0) o += `- **Review for redaction, also names:** ${m(joined(others))}\n`;
      o += '\n';
      for (const line of linesOf(str(i, 'text'))) o += `> ${m(line)}  \n`;
      o += '\n';
    }
    if (n === 0) o += 'None found.\n';
  }
  o += `\n**${kMarking}**\n`;
  return o;
}

const kHtmlHead = `<style>
body { font-family: Arial, Helvetica, sans-serif; font-size: 11pt; line-height: 1.4; color: #000; max-width: 60em; margin: 1em auto; padding: 0 1em; }
.marking { text-align: center; font-weight: bold; letter-spacing: 0.1em; border: 2px solid #000; padding: 0.3em; margin: 0.5em 0; }
h1 { font-size: 18pt; margin: 0.6em 0 0.3em; }
h2 { font-size: 14pt; border-bottom: 1px solid #000; margin-top: 1.2em; }
h3 { font-size: 12pt; margin-bottom: 0.2em; }
dl.facts { display: grid; grid-template-columns: max-content auto; gap: 0.2em 1em; }
dl.facts dt { font-weight: bold; }
dl.facts dd { margin: 0; }
table { border-collapse: collapse; width: 100%; margin: 0.5em 0; }
th, td { border: 1px solid #000; padding: 0.25em 0.4em; text-align: left; vertical-align: top; }
th { background: #eee; }
.item { border: 1px solid #999; padding: 0.4em 0.8em; margin: 0.6em 0; page-break-inside: avoid; }
.source { color: #333; margin: 0; }
.review { background: #fff3bf; border-left: 4px solid #e6a700; padding: 0.2em 0.5em; margin: 0.3em 0; }
.text { margin: 0.4em 0 0 0; padding-left: 1.2em; }
@media print { body { margin: 0; max-width: none; } h2 { page-break-after: avoid; } }
</style>
</head>
<body>
`;

export function subjectAccessHtml(b: Json): string {
  const h = htmlEscape;
  let o = `<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>Subject access bundle &#8212; ${h(subjectLine(b))}</title>\n${kHtmlHead}`;
  o += `<div class="marking">${kMarking}</div>\n<h1>Subject access bundle</h1>\n<dl class="facts">\n`;
  for (const [label, value] of facts(b)) o += `<dt>${label}</dt><dd>${h(value)}</dd>\n`;
  o += '</dl>\n<p class="review">Every item is for review before release: other people\'s ' +
    'names and information are left visible and must be considered for redaction.</p>\n';
  o += '<h2>How this bundle was made</h2>\n<dl class="facts">\n';
  const notes = b.notes;
  if (notes !== null && typeof notes === 'object' && !Array.isArray(notes))
    for (const [key, label] of kNotes) o += `<dt>${label}</dt><dd>${h(str(notes as Json, key))}</dd>\n`;
  o += '</dl>\n<h2>Rooms whose messages the members should search</h2>\n';
  const rooms = list(b, 'rooms').map(obj);
  if (rooms.length === 0) {
    o += '<p>None.</p>\n';
  } else {
    o += '<table>\n<tr><th>Room</th><th>Member now</th><th>Member since</th><th>Messages sent</th><th>First sent</th><th>Last sent</th><th>Named in minutes</th></tr>\n';
    for (const r of rooms)
      o += `<tr><td>${h(str(r, 'room'))}</td><td>${flag(r, 'member') ? 'Yes' : 'No'}</td><td>` +
        `${h(nullable(r, 'member_since', flag(r, 'member') ? 'the start' : '-'))}</td><td>${num(r, 'messages_sent')}</td><td>` +
        `${h(nullable(r, 'first_sent', '-'))}</td><td>${h(nullable(r, 'last_sent', '-'))}</td><td>${flag(r, 'named_in_minutes') ? 'Yes' : 'No'}</td></tr>\n`;
    o += '</table>\n';
  }
  for (const [source, heading] of kSources) {
    o += `<h2>${heading}</h2>\n`;
    let n = 0;
    for (const i of items(b)) {
      if (str(i, 'source') !== source) continue;
      ++n;
      o += `<section class="item">\n<h3>${n}. ${h(str(i, 'section'))}</h3>\n<p class="source">${h(sourceLine(i))}`;
      const versions = list(i, 'versions');
      if (versions.length > 0) o += `<br>In: ${h(joined(versions))}`;
      o += `<br>Matched by: ${h(joined(list(i, 'matched')))}</p>\n`;
      const others = list(i, 'others_named');
      if (others.length > 0) o += `<p class="review">Review for redaction: also names ${h(joined(others))}</p>\n`;
      o += '<ul class="text">\n';
      for (const line of linesOf(str(i, 'text'))) o += `<li>${h(line)}</li>\n`;
      o += '</ul>\n</section>\n';
    }
    if (n === 0) o += '<p>None found.</p>\n';
  }
  o += `<div class="marking">${kMarking}</div>\n</body>\n</html>\n`;
  return o;
}

/** The bundle as `liaise admin sar` writes bundle.json: every page's items joined, no `first_item`. */
export function subjectAccessJson(b: Json): string {
  const rest: Json = { ...b };
  delete rest.first_item;
  return `${JSON.stringify(rest)}\n`;
}
