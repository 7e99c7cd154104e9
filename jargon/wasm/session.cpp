#include "session.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <optional>
#include <set>
#include <vector>

#include "liaise/jargon/findings_json.hpp"
#include "liaise/jargon/fix.hpp"
#include "liaise/jargon/glossary.hpp"
#include "liaise/jargon/reader.hpp"

namespace liaise::jargon::wasm {
namespace {

namespace json = boost::json;

std::string error(std::string_view code, std::string_view message) {
    return json::serialize(
        json::object{{"error", json::object{{"code", code}, {"message", message}}}});
}

std::string problems(const std::vector<Problem>& list) {
    json::array out;
    for (const auto& p : list)
        out.emplace_back(p.to_string());
    return json::serialize(json::object{{"ok", false}, {"problems", std::move(out)}});
}

std::string problem(std::string reason) {
    return problems({Problem{"", 0, std::move(reason)}});
}

/// A room's agreed terms from a JSON array of {"term", "meaning"}, as client/src/plain.cpp reads
/// them from `room_show`: an entry without both strings is skipped; a list that does not parse
/// or validate gives no glossary (not applied).
Glossary glossary_of(std::string_view glossary_json) {
    if (glossary_json.empty())
        return {};
    json::error_code ec;
    const auto parsed = json::parse(glossary_json, ec);
    if (ec || !parsed.is_array())
        return {};
    std::vector<AgreedTerm> terms;
    for (const auto& t : parsed.get_array()) {
        const auto* o = t.if_object();
        const auto* term = o ? o->if_contains("term") : nullptr;
        const auto* meaning = o ? o->if_contains("meaning") : nullptr;
        if (term == nullptr || !term->is_string() || meaning == nullptr || !meaning->is_string())
            continue;
        terms.push_back({std::string(term->get_string()), std::string(meaning->get_string())});
    }
    auto made = Glossary::make(std::move(terms));
    return made.ok() ? std::move(made).value() : Glossary{};
}

}  // namespace

std::string Session::load(std::string_view reply_json) {
    json::error_code ec;
    const auto reply = json::parse(reply_json, ec);
    if (ec || !reply.is_object())
        return problem("the dictionaries are not a JSON object");
    const auto* list = reply.as_object().if_contains("dictionaries");
    if (list == nullptr || !list->is_array())
        return problem("the dictionaries have no \"dictionaries\" list");
    // As load_dictionary_dir() reads the cache: files in name order, every problem collected.
    struct File {
        std::string name;
        std::string discipline;
        std::string_view tsv;
    };
    std::vector<File> files;
    for (const auto& d : list->as_array()) {
        const auto* o = d.if_object();
        const auto* discipline = o ? o->if_contains("discipline") : nullptr;
        const auto* tsv = o ? o->if_contains("tsv") : nullptr;
        if (discipline == nullptr || !discipline->is_string() || tsv == nullptr ||
            !tsv->is_string())
            return problem("a dictionary without a \"discipline\" or \"tsv\" string");
        const std::string name(discipline->get_string());
        files.push_back({name + ".tsv", name, tsv->get_string()});
    }
    std::sort(files.begin(), files.end(),
              [](const File& a, const File& b) { return a.name < b.name; });
    std::vector<Problem> found;
    DictionarySet set;
    for (const auto& f : files) {
        auto parsed = parse_dictionary(f.discipline, f.discipline, f.tsv);
        if (!parsed.ok()) {
            found.insert(found.end(), parsed.problems().begin(), parsed.problems().end());
            continue;
        }
        set.dictionaries.push_back(std::move(parsed).value());
    }
    if (const auto* common = reply.as_object().if_contains("common_acronyms")) {
        if (!common->is_string())
            return problem("\"common_acronyms\" is not a string");
        auto parsed = parse_common_acronyms("common-acronyms", common->get_string());
        if (parsed.ok())
            set.common_acronyms = std::move(parsed).value();
        else
            found.insert(found.end(), parsed.problems().begin(), parsed.problems().end());
    }
    if (files.empty())
        found.push_back({"", 0, "no dictionaries"});
    if (!found.empty())
        return problems(found);
    auto compiled = Engine::compile(set);
    if (!compiled.ok())
        return problems(compiled.problems());
    engine_ = std::move(compiled).value();
    json::array disciplines;
    for (const auto& d : engine_->disciplines())
        disciplines.emplace_back(d);
    return json::serialize(json::object{{"ok", true},
                                        {"disciplines", std::move(disciplines)},
                                        {"entries", engine_->entry_count()}});
}

std::string Session::check(std::string_view text, std::string_view audience, bool fix) const {
    if (!engine_)
        return error("no_dictionaries", "no dictionaries loaded");
    const auto parsed = Audience::parse(audience);
    if (!parsed.ok())
        return error("bad_audience", parsed.problems().front().reason);
    // As run_check() in client/src/check.cpp builds it.
    const auto result = engine_->check(text, parsed.value());
    auto doc = json::parse(jargon::findings_json(result));
    doc.as_object()["audience"] = parsed.value().to_string();
    // For families: how old a reader the text needs (reading_age.hpp), as the CLI adds it. The
    // CLI refuses invalid UTF-8 before it gets here; this API reads it as separators, and the
    // hardest sentences it quotes would not parse, so such a text gets no reading age.
    if (parsed.value().is_public())
        if (const auto age = jargon::reading_age(text)) {
            boost::system::error_code ec;
            auto value = json::parse(reading_age_json(text, *age), ec);
            if (!ec)
                doc.as_object()["reading_age"] = std::move(value);
        }
    if (fix)
        doc.as_object()["fixed"] = rewrite(text, result.findings);
    return json::serialize(doc);
}

std::string Session::draft(std::string_view text, std::string_view audience,
                           std::string_view writer_disciplines,
                           std::string_view glossary_json) const {
    if (!engine_)
        return error("no_dictionaries", "no dictionaries loaded");
    const auto parsed = Audience::parse(audience);
    if (!parsed.ok())
        return error("bad_audience", parsed.problems().front().reason);
    std::vector<std::string> writers;
    if (!writer_disciplines.empty()) {
        const auto w = Audience::parse(writer_disciplines);
        if (!w.ok() || w.value().is_public())
            return error("bad_audience", w.ok() ? "writers are disciplines, not the public"
                                                : w.problems().front().reason);
        writers = w.value().disciplines();
    }
    // As `liaise send` in client/src/commands.cpp checks a draft.
    auto result = engine_->check(text, parsed.value());
    if (!writers.empty())
        settle_meanings(result, writers);
    // The room's agreed terms pass, unless the room includes the public (check_draft in
    // client/src/plain.cpp).
    (void)apply_glossary(result, glossary_of(glossary_json), parsed.value());
    return jargon::draft_json(text, result, parsed.value().to_string());
}

std::string Session::check_for_reader(std::string_view text, std::string_view reader_discipline,
                                      std::string_view writer_disciplines,
                                      std::string_view glossary_json,
                                      std::string_view met_json) const {
    if (!engine_)
        return error("no_dictionaries", "no dictionaries loaded");
    if (reader_discipline.empty())
        return error("bad_audience", "no reader discipline");
    std::vector<std::string> writers;
    if (!writer_disciplines.empty()) {
        const auto parsed = Audience::parse(writer_disciplines);
        if (!parsed.ok() || parsed.value().is_public())
            return error("bad_audience", parsed.ok() ? "writers are disciplines, not the public"
                                                     : parsed.problems().front().reason);
        writers = parsed.value().disciplines();
    }
    const std::string reader(reader_discipline);
    auto result = jargon::check_for_reader(*engine_, text, reader, writers);
    const auto glossary = glossary_of(glossary_json);
    if (glossary.empty()) {
        auto doc = json::parse(jargon::findings_json(result));
        doc.as_object()["reader"] = reader;
        return json::serialize(doc);
    }
    // As explain_in_room() in client/src/plain.cpp: the room's words, once, instead of the
    // dictionaries' for an agreed term.
    std::set<std::string> met;
    if (!met_json.empty()) {
        json::error_code ec;
        const auto parsed = json::parse(met_json, ec);
        if (!ec && parsed.is_array())
            for (const auto& k : parsed.get_array())
                if (k.is_string())
                    met.insert(std::string(k.get_string()));
    }
    const auto first = meet_agreed_terms(text, result, glossary, *engine_, met);
    auto doc = json::parse(jargon::findings_json(result));
    auto& out = doc.as_object();
    out["reader"] = reader;
    json::array terms;
    for (const auto& t : first)
        terms.push_back(json::object{{"term", t.term}, {"meaning", t.meaning}});
    out["room_terms"] = std::move(terms);
    json::array keys;
    for (const auto& k : met)
        keys.emplace_back(k);
    out["met"] = std::move(keys);
    return json::serialize(doc);
}

std::string Session::explain(std::string_view term) const {
    if (!engine_)
        return error("no_dictionaries", "no dictionaries loaded");
    // As cli::explain() in client/src/commands.cpp builds it.
    json::array list;
    for (const auto& m : engine_->explain(term)) {
        json::array alts;
        for (const auto& a : m.alternatives)
            alts.emplace_back(a);
        list.push_back(json::object{{"discipline", m.discipline},
                                    {"alternatives", std::move(alts)},
                                    {"explanation", m.explanation}});
    }
    return json::serialize(json::object{{"term", term}, {"meanings", std::move(list)}});
}

std::string Session::reading_age(std::string_view text, std::size_t hardest) {
    const auto age = jargon::reading_age(text, hardest);
    return age ? reading_age_json(text, *age) : std::string(R"({"reading_age":null})");
}

}  // namespace liaise::jargon::wasm
