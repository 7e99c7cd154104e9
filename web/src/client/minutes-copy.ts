// Copies of circulated minutes for people without an account, made in the browser from a fixed
// version whose signatures it checked, as protocol/src/minutes_copy.cpp makes them (the server
// for meeting_export with `recipient`, `liaise meeting export --for` on the device). Who gets a
// copy, whether they are family, the chair's choice of sections for them and which sections are
// professionals-only are all in the signed version, so a server cannot put a section into a
// family member's copy that the version does not give them. Pure functions of the minutes JSON
// (the shapes of meeting_show).
type Json = Record<string, unknown>;

const obj = (v: unknown): Json => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const str = (o: Json, k: string): string => (typeof o[k] === 'string' ? (o[k] as string) : '');
const flag = (o: Json, k: string): boolean => o[k] === true;
const list = (o: Json, k: string): unknown[] => (Array.isArray(o[k]) ? (o[k] as unknown[]) : []);
const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The parts of the record that travel with a section in a partial copy. */
const kListsOf: [string, string][] = [
  ['attendance', 'attendance'], ['reports', 'reports'], ['decision', 'decisions'],
  ['decision', 'agency_views'], ['plan', 'actions'], ['progress', 'carried_forward'],
];

/** The header fields a copy keeps, in the order the C++ copy_document() copies them. */
const kHeader = [
  'meeting', 'room', 'version', 'status', 'kind', 'kind_label', 'title', 'starts_at', 'place', 'chair',
  'minute_taker', 'marking', 'next_meeting', 'case_reference', 'circulated_by', 'circulated_at', 'approved_by',
  'approved_at',
];

/** Whether section `id` of the minutes `m` is marked professionals-only. */
export function professionalsOnly(m: Json, id: string): boolean {
  for (const v of list(m, 'sections')) if (isObject(v) && str(v, 'id') === id) return flag(v, 'professionals_only');
  return false;
}

/**
 * The section ids attendance entry `e` receives of the minutes `m`: the chair's choice
 * (`receives`) as it is, else every section less, for a family member, the professionals-only
 * ones. A choice naming a professionals-only section for a family member is returned as it is:
 * copyDocument() leaves it out.
 */
export function copySections(m: Json, e: Json): unknown[] {
  if (Array.isArray(e.receives)) return e.receives as unknown[];
  const family = flag(e, 'family');
  const out: unknown[] = [];
  for (const v of list(m, 'sections')) {
    if (!isObject(v)) continue;
    if (!family || !flag(v, 'professionals_only')) out.push(v.id);
  }
  return out;
}

/**
 * The copy of the fixed version `fixed` for attendance entry `entry`, as the version itself
 * decides it; null when the version has no such entry that receives a copy (someone without an
 * account marked `copy`).
 */
export function copyOf(fixed: Json, entry: number): Json | null {
  for (const v of list(fixed, 'attendance')) {
    if (!isObject(v)) continue;
    if (v.id !== entry || str(v, 'user') !== '' || !flag(v, 'copy')) continue;
    return {
      entry, name: str(v, 'name'), agency: str(v, 'agency'), role: str(v, 'role'), family: flag(v, 'family'),
      sections: copySections(fixed, v),
    };
  }
  return null;
}

/**
 * The copy of `fixed` for `copy` (copyOf()): only the sections the copy lists, never (for a
 * family member) one the version marks professionals-only, and only the record's lists that
 * belong to those sections; no distribution, signatures or correction notes; `copy_for` names
 * the recipient. exportMarkdown() and exportHtml() write it.
 */
export function copyDocument(fixed: Json, copy: Json): Json {
  const family = flag(copy, 'family');
  const allowed = new Set<string>();
  for (const v of list(copy, 'sections')) {
    if (typeof v !== 'string') continue;
    // Checked again against the version's own markings.
    if (!family || !professionalsOnly(fixed, v)) allowed.add(v);
  }
  const doc: Json = {};
  for (const k of kHeader) if (Object.hasOwn(fixed, k)) doc[k] = fixed[k];
  const sections: unknown[] = [];
  let leftOut = 0;
  for (const v of list(fixed, 'sections')) {
    if (isObject(v) && allowed.has(str(v, 'id'))) sections.push(v);
    else ++leftOut;
  }
  doc.sections = sections;
  // Each list goes with its section; one whose section this kind's template does not have goes
  // only in a copy that leaves nothing out.
  const inTemplate = new Set(list(fixed, 'sections').filter(isObject).map((s) => str(s, 'id')));
  for (const [section, key] of kListsOf) {
    const goes = allowed.has(section) || (!inTemplate.has(section) && leftOut === 0);
    doc[key] = goes && Object.hasOwn(fixed, key) ? fixed[key] : [];
  }
  // The agenda's discussion belongs to no section: only a professional who receives every
  // section gets it.
  doc.agenda = !family && leftOut === 0 && Object.hasOwn(fixed, 'agenda') ? fixed.agenda : [];
  doc.copy_for = { name: str(copy, 'name'), role: str(copy, 'role'), family, sections_left_out: leftOut };
  return obj(doc);
}
