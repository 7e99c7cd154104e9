// The engine's JavaScript API, appended to Emscripten's glue (--post-js): methods on the module
// object that createLiaiseJargon() resolves to. README.md documents them.

/** Copies `bytes` (Uint8Array) into the module's memory; the caller frees the pointer. */
function liaiseCopyIn(bytes) {
  var ptr = _malloc(bytes.length + 1);
  HEAPU8.set(bytes, ptr);
  HEAPU8[ptr + bytes.length] = 0;
  return ptr;
}

// The browser's own UTF-8 coders where there are (every browser and node have them): the glue's
// stringToUTF8 and UTF8ToString walk the text in JavaScript, a fifth of a draft check's time.
var liaiseEncoder = typeof TextEncoder !== 'undefined' ? new TextEncoder() : null;
var liaiseDecoder = typeof TextDecoder !== 'undefined' ? new TextDecoder() : null;

function liaiseUtf8(text) {
  if (liaiseEncoder) {
    // At most 3 bytes for each UTF-16 unit (a pair of surrogates, 4 bytes, is two units).
    var room = text.length * 3;
    var at = _malloc(room + 1);
    var written = liaiseEncoder.encodeInto(text, HEAPU8.subarray(at, at + room)).written;
    HEAPU8[at + written] = 0;
    return { ptr: at, size: written };
  }
  var size = lengthBytesUTF8(text);
  var ptr = _malloc(size + 1);
  stringToUTF8(text, ptr, size + 1);
  return { ptr: ptr, size: size };
}

/** The `n` bytes at `ptr` as text (they are UTF-8: the C side writes nothing else). */
function liaiseText(ptr, n) {
  return liaiseDecoder ? liaiseDecoder.decode(HEAPU8.subarray(ptr, ptr + n)) : UTF8ToString(ptr, n);
}

function liaiseAudience(audience) {
  return Array.isArray(audience) ? audience.join(',') : String(audience);
}

/** A room's agreed terms ([{term, meaning}], or none) as the C side reads them: JSON or "". */
function liaiseGlossary(glossary) {
  if (!glossary || !glossary.length) return '';
  return JSON.stringify(glossary.map(function (t) { return { term: String(t.term), meaning: String(t.meaning) }; }));
}

/** Calls `fn(ptr, size, ...rest)` with `input` (string or Uint8Array) in memory. */
function liaiseCall(fn, input, rest, asBytes) {
  var ptr, size;
  if (typeof input === 'string') {
    var s = liaiseUtf8(input);
    ptr = s.ptr;
    size = s.size;
  } else {
    ptr = liaiseCopyIn(input);
    size = input.length;
  }
  var extra = [];
  try {
    var args = [ptr, size];
    for (var i = 0; i < rest.length; i++) {
      if (typeof rest[i] === 'string') {
        var r = liaiseUtf8(rest[i]);
        extra.push(r.ptr);
        args.push(r.ptr);
      } else {
        args.push(rest[i]);
      }
    }
    var out = fn.apply(null, args);
    var n = _liaise_result_size();
    return asBytes ? HEAPU8.slice(out, out + n) : liaiseText(out, n);
  } finally {
    _free(ptr);
    for (var j = 0; j < extra.length; j++) _free(extra[j]);
  }
}

/**
 * Loads the dictionaries: the `dictionaries` reply (object or JSON text),
 * {dictionaries: [{discipline, tsv}], common_acronyms}. Returns {ok: true, disciplines, entries}
 * or {ok: false, problems: [text]}; a failed load keeps the dictionaries loaded before.
 */
Module['load'] = function (reply) {
  var text = typeof reply === 'string' ? reply : JSON.stringify(reply);
  return JSON.parse(liaiseCall(_liaise_load, text, [], false));
};

/**
 * Checks `text` for `audience` ("public", "social-care,education" or an array of disciplines).
 * Returns the JSON text `liaise check --json` prints (with `fixed` when `fix`), or {"error"}.
 * `text` may be a string or the UTF-8 bytes (Uint8Array); `asBytes` returns a Uint8Array.
 */
Module['checkJson'] = function (text, audience, fix, asBytes) {
  return liaiseCall(_liaise_check, text, [liaiseAudience(audience), fix ? 1 : 0], !!asBytes);
};

/** checkJson, parsed: {findings, readability, audience[, fixed]} or {error: {code, message}}. */
Module['check'] = function (text, audience, options) {
  return JSON.parse(Module['checkJson'](text, audience, !!(options && options.fix), false));
};

/**
 * The writing help's check of a draft, with `liaise send`'s rules: findings for `audience`, each
 * ambiguous one narrowed to the meaning of the writer's discipline(s) (`writerDisciplines`, an
 * array or comma list; empty when not known), one fix choice per finding (`fixes[i].replace`,
 * `fixes[i].explain`: {start, end, text} in UTF-8 bytes, or null) and the whole draft fixed both
 * ways (`fixed` as `--fix`, `explained` as `--explain-fix`). Returns the JSON text, or {"error"}.
 */
Module['draftJson'] = function (text, audience, writerDisciplines, asBytes, glossary) {
  return liaiseCall(_liaise_draft, text,
    [liaiseAudience(audience), liaiseAudience(writerDisciplines || []), liaiseGlossary(glossary)],
    !!asBytes);
};

/**
 * draftJson, parsed: {findings, readability, audience, fixes, fixed, explained} or {error}.
 * `glossary` (optional): the room's agreed terms, [{term, meaning}]; their findings are left out
 * unless `audience` is "public", as `liaise send` does.
 */
Module['draft'] = function (text, audience, writerDisciplines, glossary) {
  return JSON.parse(Module['draftJson'](text, audience, writerDisciplines, false, glossary));
};

/**
 * The reader's check of a message: terms a reader from `readerDiscipline` may not know in `text`
 * from a writer of `writerDisciplines` (an array or comma list: the writer's discipline, or the
 * room's when the writer's is not known), including the reader's own terms that mean something
 * else to the writer. Returns the JSON text {findings, readability, reader}, or {"error"}.
 */
Module['checkForReaderJson'] = function (text, readerDiscipline, writerDisciplines, asBytes, glossary, met) {
  return liaiseCall(_liaise_check_for_reader, text,
    [String(readerDiscipline), liaiseAudience(writerDisciplines || []), liaiseGlossary(glossary),
     met && met.length ? JSON.stringify(met.map(String)) : ''], !!asBytes);
};

/**
 * checkForReaderJson, parsed. With the room's agreed terms (`glossary`, [{term, meaning}]) their
 * findings are left out and the result adds `room_terms` (the agreed terms explained here for the
 * first time, [{term, meaning}]) and `met` (every agreed term met so far, given `met` before):
 * pass `met` on to the next message, in reading order.
 */
Module['checkForReader'] = function (text, readerDiscipline, writerDisciplines, glossary, met) {
  return JSON.parse(Module['checkForReaderJson'](text, readerDiscipline, writerDisciplines, false, glossary, met));
};

/** Every dictionary's meaning of `term`: {term, meanings: [{discipline, alternatives, explanation}]}. */
Module['explain'] = function (term) {
  return JSON.parse(liaiseCall(_liaise_explain, String(term), [], false));
};

/**
 * The reading age of `text` for families (the GOV.UK and NHS aim is 9 to 11), with at most
 * `hardest` (default 3) of the sentences that raise it most: {years, aim, above_aim, sentences,
 * words, hardest: [{start, end, reading_age, text}]} (byte offsets, as findings), or
 * {reading_age: null} for a text without words. Needs no dictionaries.
 */
Module['readingAge'] = function (text, hardest) {
  var n = hardest === undefined ? 3 : Number(hardest);
  return JSON.parse(liaiseCall(_liaise_reading_age, text, [n], false));
};

/**
 * Findings carry UTF-8 byte offsets (start, end); a browser's strings count UTF-16 units.
 * Returns [[start, end], ...] in UTF-16 units of `text` for the findings of a check of `text`.
 */
Module['utf16Ranges'] = function (text, findings) {
  var wanted = [];
  for (var i = 0; i < findings.length; i++) wanted.push(findings[i].start, findings[i].end);
  var map = {};
  var bytes = 0;
  var k = 0;
  var sorted = wanted.slice().sort(function (a, b) { return a - b; });
  for (var u = 0; u <= text.length && k < sorted.length; ) {
    while (k < sorted.length && sorted[k] <= bytes) map[sorted[k++]] = u;
    if (u === text.length) break;
    var c = text.codePointAt(u);
    bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
    u += c >= 0x10000 ? 2 : 1;
  }
  return findings.map(function (f) { return [map[f.start], map[f.end]]; });
};
