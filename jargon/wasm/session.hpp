// What the WebAssembly module does, in portable C++: it holds one compiled engine and answers
// in the JSON that the `liaise` command prints, so that the browser and the CLI agree byte for
// byte. binding.cpp exposes it to JavaScript; api.js wraps that (README.md is the API).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "liaise/jargon/engine.hpp"

namespace liaise::jargon::wasm {

/// One engine, replaced by each successful load(). Not thread-safe (a module instance runs on
/// one thread).
class Session {
  public:
    /// Compiles the dictionaries in a `dictionaries` reply (protocol/PROTOCOL.md):
    /// {"dictionaries": [{"discipline", "tsv"}], "common_acronyms": text}; other fields are
    /// ignored. Validated as the CLI validates its cache (every problem reported, dictionaries in
    /// file-name order). Returns {"ok": true, "disciplines": [...], "entries": N}, or
    /// {"ok": false, "problems": ["discipline:LINE: reason", ...]} and keeps the engine it had.
    [[nodiscard]] std::string load(std::string_view reply_json);

    /// Exactly what `liaise check --json [--fix] --audience AUDIENCE` prints for `text`, without
    /// the final newline: {"findings", "readability", "audience"[, "fixed"]}. `text` may hold
    /// invalid UTF-8 (the engine reads it as separators; the CLI refuses such input). Returns
    /// {"error": {"code", "message"}} with code `no_dictionaries` before a successful load() or
    /// `bad_audience` when `audience` does not parse. A discipline no dictionary has is allowed,
    /// as in the client's send check: its readers are taken to know no terms.
    [[nodiscard]] std::string check(std::string_view text, std::string_view audience,
                                    bool fix) const;

    /// The reader's check (check_for_reader in liaise/jargon/reader.hpp) of a message from a
    /// writer of `writer_disciplines` (comma-separated; the room's disciplines when the writer's
    /// is not known) read by someone from `reader_discipline`: {"findings", "readability",
    /// "reader"}; "findings" is what `liaise read --json` prints as a message's "explanations".
    /// {"error": ...} before a load() or when a discipline name is empty.
    ///
    /// With the room's agreed terms (`glossary_json`, as draft() takes them; empty for none), as
    /// `liaise read` applies them (meet_agreed_terms in liaise/jargon/glossary.hpp): their
    /// findings are removed, and two fields are added: "room_terms", the agreed terms this text
    /// explains to the reader for the first time ([{"term", "meaning"}], as `read --json`
    /// prints them), and "met", every agreed term met so far (folded keys): `met_json` (a JSON
    /// array of such keys, or empty) plus those this text uses. Pass "met" back with the next
    /// message in the order the reader reads them.
    [[nodiscard]] std::string check_for_reader(std::string_view text,
                                               std::string_view reader_discipline,
                                               std::string_view writer_disciplines,
                                               std::string_view glossary_json = {},
                                               std::string_view met_json = {}) const;

    /// The writing help's check of a draft, with the same rules as `liaise send`: the findings
    /// of check(text, audience), each ambiguous one narrowed to the meaning of the writer's
    /// discipline(s) when they give it exactly one (settle_meanings: the writer settles the
    /// meaning); one fix choice per finding (offer_fixes: "use plain words" and "explain in
    /// brackets" on that finding alone); and the whole draft fixed as `--fix` and
    /// `--explain-fix` fix it (fix_text). {"findings", "readability", "audience", "fixes":
    /// [{"replace": FIX | null, "explain": FIX | null, "modifier", "bracketed",
    /// "follows_modifier"}], "fixed", "explained"}, FIX = {"start", "end", "text"} with UTF-8
    /// byte offsets into `text` (a fix may start before its finding, to fit an article).
    /// `writer_disciplines` is a comma list, or empty when the writer's is not known (nothing
    /// settled). `glossary_json` is the room's agreed terms, a JSON array of {"term", "meaning"}
    /// (the `terms` of the server's `glossary` or `room_show` reply; other fields ignored), or
    /// empty for none: as `liaise send` does (apply_glossary in liaise/jargon/glossary.hpp),
    /// their findings are removed unless `audience` is the public, before any fix is offered.
    /// A glossary that does not parse or validate is not applied, as in the CLI.
    /// {"error": ...} as check() gives it, or `bad_audience` for bad writers.
    [[nodiscard]] std::string draft(std::string_view text, std::string_view audience,
                                    std::string_view writer_disciplines,
                                    std::string_view glossary_json = {}) const;

    /// What `liaise explain --json TERM` prints: {"term", "meanings": [{"discipline",
    /// "alternatives", "explanation"}]}; {"error": ...} before a load().
    [[nodiscard]] std::string explain(std::string_view term) const;

    /// The reading age of `text` for families (liaise/jargon/reading_age.hpp), as `liaise check
    /// --json` prints it under "reading_age" for the public: {"years", "aim", "above_aim",
    /// "sentences", "words", "hardest": [{"start", "end", "reading_age", "text"}]}, or
    /// {"reading_age": null} for a text without words. Needs no dictionaries.
    [[nodiscard]] static std::string reading_age(std::string_view text, std::size_t hardest);

  private:
    std::shared_ptr<const Engine> engine_;
};

}  // namespace liaise::jargon::wasm
