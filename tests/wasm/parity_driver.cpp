// The native side of the WebAssembly parity test (parity_test.js): the native engine's findings
// JSON, built as `liaise check --json --fix` builds it, for every text of a corpus and every
// audience given.
//   parity_driver DICTIONARY_DIR CORPUS AUDIENCE...
//   parity_driver DICTIONARY_DIR CORPUS --explain
// An AUDIENCE of the form "reader:READER:WRITER,WRITER" is the reader's check
// (check_for_reader) instead, with the JSON the WebAssembly engine's checkForReader gives; one of
// the form "draft:AUDIENCE:WRITER,WRITER" (writers may be empty) is the draft check of
// `liaise send` (settle_meanings, offer_fixes, fix_text), as the engine's draft gives it.
// A "--glossary=FILE" argument (a JSON array of {term, meaning}: a room's agreed terms) applies
// them to every draft and reader check that follows, as the engine's draft and checkForReader do
// with a glossary; reader checks then carry `met` from one text to the next, as a room's messages
// are read in order, and add `room_terms` and `met`.
// CORPUS holds the texts, each as a 4-byte little-endian length and its bytes (any bytes:
// invalid UTF-8 is checked too). Prints one line per (text, audience), texts outermost; with
// --explain, one line per text: what `liaise explain --json TEXT` prints.
#include <boost/json.hpp>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "liaise/jargon/engine.hpp"
#include "liaise/jargon/findings_json.hpp"
#include "liaise/jargon/fix.hpp"
#include "liaise/jargon/glossary.hpp"
#include "liaise/jargon/reader.hpp"
#include "liaise/jargon/reading_age.hpp"

using namespace liaise;

namespace {

/// The agreed terms in the JSON file `path`, made as the engine's glossary_of() makes them
/// (jargon/wasm/session.cpp); exits on a glossary that does not validate (a test's mistake).
jargon::Glossary glossary_from(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    const std::string text((std::istreambuf_iterator<char>(in)), {});
    std::vector<jargon::AgreedTerm> terms;
    const auto parsed = boost::json::parse(text);
    for (const auto& t : parsed.as_array())
        terms.push_back(
            {std::string(t.at("term").as_string()), std::string(t.at("meaning").as_string())});
    auto made = jargon::Glossary::make(std::move(terms));
    if (!made.ok()) {
        std::cerr << "parity_driver: bad glossary " << path << "\n";
        std::exit(2);
    }
    return std::move(made).value();
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 4) {
        std::cerr << "usage: parity_driver DICTIONARY_DIR CORPUS AUDIENCE...\n";
        return 2;
    }
    const auto set = jargon::load_dictionary_dir(argv[1]);
    if (!set.ok()) {
        std::cerr << "parity_driver: " << set.problems().front().to_string() << "\n";
        return 1;
    }
    const auto engine = jargon::Engine::compile(set.value());
    if (!engine.ok()) {
        std::cerr << "parity_driver: " << engine.problems().front().to_string() << "\n";
        return 1;
    }
    const bool explain = std::string_view(argv[3]) == "--explain";
    std::vector<jargon::Audience> audiences;
    struct Reader {
        std::string reader;  // empty for a draft check
        std::vector<std::string> writers;
    };
    std::vector<std::optional<Reader>> readers;  // one per audience
    jargon::Glossary glossary;
    for (int i = 3; i < argc && !explain; ++i) {
        if (const std::string_view arg = argv[i]; arg.starts_with("--glossary=")) {
            glossary = glossary_from(std::string(arg.substr(11)));
            continue;
        }
        if (const std::string_view arg = argv[i]; arg.starts_with("reader:")) {
            const auto colon = arg.find(':', 7);
            auto writers = jargon::Audience::parse(arg.substr(colon + 1));
            if (colon == std::string_view::npos || !writers.ok()) {
                std::cerr << "parity_driver: bad reader " << arg << "\n";
                return 2;
            }
            readers.push_back(
                Reader{std::string(arg.substr(7, colon - 7)), writers.value().disciplines()});
            audiences.push_back(jargon::Audience::everyone());
            continue;
        }
        if (const std::string_view arg = argv[i]; arg.starts_with("draft:")) {
            const auto colon = arg.find(':', 6);
            auto a = jargon::Audience::parse(arg.substr(6, colon - 6));
            const auto w =
                colon == std::string_view::npos ? std::string_view{} : arg.substr(colon + 1);
            auto writers = jargon::Audience::parse(w);
            if (colon == std::string_view::npos || !a.ok() || (!w.empty() && !writers.ok())) {
                std::cerr << "parity_driver: bad draft " << arg << "\n";
                return 2;
            }
            readers.push_back(
                Reader{"", w.empty() ? std::vector<std::string>{} : writers.value().disciplines()});
            audiences.push_back(std::move(a).value());
            continue;
        }
        readers.push_back(std::nullopt);
        auto a = jargon::Audience::parse(argv[i]);
        if (!a.ok()) {
            std::cerr << "parity_driver: bad audience " << argv[i] << "\n";
            return 2;
        }
        audiences.push_back(std::move(a).value());
    }
    std::vector<std::set<std::string>> met(audiences.size());  // per reader audience
    std::ifstream in(argv[2], std::ios::binary);
    const std::string corpus((std::istreambuf_iterator<char>(in)), {});
    std::string out;
    for (std::size_t at = 0; at + 4 <= corpus.size();) {
        const auto* p = reinterpret_cast<const unsigned char*>(corpus.data() + at);
        const std::size_t size = p[0] | p[1] << 8 | p[2] << 16 | std::uint32_t{p[3]} << 24;
        const std::string_view text(corpus.data() + at + 4, size);
        at += 4 + size;
        if (explain) {
            // As cli::explain() in client/src/commands.cpp.
            boost::json::array list;
            for (const auto& m : engine.value()->explain(text)) {
                boost::json::array alts;
                for (const auto& a : m.alternatives)
                    alts.emplace_back(a);
                list.push_back(boost::json::object{{"discipline", m.discipline},
                                                   {"alternatives", std::move(alts)},
                                                   {"explanation", m.explanation}});
            }
            out += boost::json::serialize(
                boost::json::object{{"term", text}, {"meanings", std::move(list)}});
            out += '\n';
            continue;
        }
        for (std::size_t k = 0; k < audiences.size(); ++k) {
            const auto& audience = audiences[k];
            if (const auto& r = readers[k]; r && r->reader.empty()) {
                // As `liaise send` in client/src/commands.cpp checks and fixes a draft.
                auto result = engine.value()->check(text, audience);
                if (!r->writers.empty())
                    jargon::settle_meanings(result, r->writers);
                (void)jargon::apply_glossary(result, glossary, audience);
                out += jargon::draft_json(text, result, audience.to_string());
                out += '\n';
                continue;
            }
            if (const auto& r = readers[k]) {
                auto result =
                    jargon::check_for_reader(*engine.value(), text, r->reader, r->writers);
                if (glossary.empty()) {
                    auto doc = boost::json::parse(jargon::findings_json(result));
                    doc.as_object()["reader"] = r->reader;
                    out += boost::json::serialize(doc);
                    out += '\n';
                    continue;
                }
                // As the engine's checkForReader with a glossary (explain_in_room in the CLI).
                const auto first =
                    jargon::meet_agreed_terms(text, result, glossary, *engine.value(), met[k]);
                auto doc = boost::json::parse(jargon::findings_json(result));
                auto& o = doc.as_object();
                o["reader"] = r->reader;
                boost::json::array terms;
                for (const auto& t : first)
                    terms.push_back(boost::json::object{{"term", t.term}, {"meaning", t.meaning}});
                o["room_terms"] = std::move(terms);
                boost::json::array keys;
                for (const auto& key : met[k])
                    keys.emplace_back(key);
                o["met"] = std::move(keys);
                out += boost::json::serialize(doc);
                out += '\n';
                continue;
            }
            // As run_check() in client/src/check.cpp.
            const auto result = engine.value()->check(text, audience);
            auto doc = boost::json::parse(jargon::findings_json(result));
            doc.as_object()["audience"] = audience.to_string();
            // As the WebAssembly check (jargon/wasm/session.cpp): no reading age for a text
            // whose quoted sentences are not valid UTF-8 (the CLI refuses such a text).
            if (audience.is_public())
                if (const auto age = jargon::reading_age(text)) {
                    boost::system::error_code ec;
                    auto value = boost::json::parse(jargon::reading_age_json(text, *age), ec);
                    if (!ec)
                        doc.as_object()["reading_age"] = std::move(value);
                }
            doc.as_object()["fixed"] = jargon::rewrite(text, result.findings);
            out += boost::json::serialize(doc);
            out += '\n';
        }
    }
    std::cout << out;
    return std::cout ? 0 : 1;
}
