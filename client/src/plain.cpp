#include "liaise/client/plain.hpp"

#include <algorithm>
#include <boost/json.hpp>

#include "liaise/client/display.hpp"
#include "liaise/jargon/dictionary.hpp"
#include "liaise/jargon/reader.hpp"
#include "liaise/protocol/fields.hpp"

namespace liaise::client {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using protocol::str;

constexpr const char* kVersionFile = "dictionaries/version";

protocol::Error failure(std::string code, std::string message) {
    return {std::move(code), std::move(message)};
}

/// A meaning in plain words: its first alternative, else its explanation.
const std::string& plain_words(const jargon::Meaning& m) {
    return m.alternatives.empty() ? m.explanation : m.alternatives.front();
}

}  // namespace

std::optional<std::int64_t> DictionaryCache::version() const {
    const auto text = home_.read_file(kVersionFile);
    if (!text)
        return std::nullopt;
    try {
        return std::stoll(*text);
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

protocol::Expected<bool> DictionaryCache::refresh(Connection& connection) {
    json::object ask;
    if (const auto v = version())
        ask["have"] = *v;
    auto reply = connection.request("dictionaries", std::move(ask));
    if (!reply)
        return reply.error();
    const auto& r = reply.value();
    if (const auto* unchanged = r.if_contains("unchanged");
        unchanged && unchanged->is_bool() && unchanged->get_bool())
        return false;
    const auto* list = r.if_contains("dictionaries");
    if (!list || !list->is_array())
        return failure("bad_reply", "the server sent no dictionaries");
    // Validate everything before replacing anything: a bad download never breaks the cache.
    jargon::DictionarySet set;
    std::vector<std::pair<std::string, std::string>> files;
    for (const auto& d : list->get_array()) {
        const auto& o = d.as_object();
        const std::string discipline(o.at("discipline").as_string());
        const std::string tsv(o.at("tsv").as_string());
        auto parsed = jargon::parse_dictionary(discipline, discipline, tsv);
        if (!parsed.ok())
            return failure("bad_reply", "the server's dictionary does not load: " +
                                            parsed.problems().front().to_string());
        files.emplace_back(discipline + ".tsv", tsv);
    }
    const std::string common =
        r.contains("common_acronyms") ? std::string(r.at("common_acronyms").as_string()) : "";
    std::error_code ec;
    const auto tmp = dir_.string() + ".new";
    fs::remove_all(tmp, ec);
    const Home staging(fs::path{tmp});
    for (const auto& [name, content] : files)
        if (auto w = staging.write_file(name, content); !w)
            return w.error();
    if (auto w = staging.write_file("common-acronyms.txt", common); !w)
        return w.error();
    if (auto w = staging.write_file("version", std::to_string(r.at("version").as_int64())); !w)
        return w.error();
    fs::remove_all(dir_, ec);
    fs::rename(tmp, dir_, ec);
    if (ec)
        return failure("io_error", "cannot update " + dir_.string() + ": " + ec.message());
    return true;
}

std::optional<fs::path> DictionaryCache::source() const {
    std::error_code ec;
    if (version() && fs::is_directory(dir_, ec))
        return dir_;
    return jargon::find_dictionaries();
}

protocol::Expected<std::shared_ptr<const jargon::Engine>> DictionaryCache::engine() const {
    const auto where = source();
    if (!where)
        return failure("no_dictionaries",
                       "no dictionaries: log in once to fetch them, or install the shipped ones");
    const auto set = jargon::load_dictionary_dir(*where);
    if (!set.ok())
        return failure("bad_dictionaries", set.problems().front().to_string());
    auto engine = jargon::Engine::compile(set.value());
    if (!engine.ok())
        return failure("bad_dictionaries", engine.problems().front().to_string());
    return engine.value();
}

RoomReaders room_readers(const json::object& room_show) {
    RoomReaders out;
    std::vector<std::string> disciplines;
    if (const auto* members = room_show.if_contains("members"); members && members->is_array())
        for (const auto& m : members->get_array()) {
            const auto* d = m.as_object().if_contains("discipline");
            if (d == nullptr || !d->is_string())
                continue;
            disciplines.emplace_back(d->get_string());
            if (const auto* u = m.as_object().if_contains("user"); u && u->is_string())
                out.disciplines[std::string(u->get_string())] = std::string(d->get_string());
        }
    if (const auto* members = room_show.if_contains("members"); members && members->is_array())
        out.people = People(members->get_array());
    const auto* p = room_show.if_contains("public");
    out.audience = p != nullptr && p->is_bool() && p->get_bool()
                       ? jargon::Audience::everyone()
                       : jargon::Audience::of(std::move(disciplines));
    if (const auto* g = room_show.if_contains("glossary"); g && g->is_object()) {
        std::vector<jargon::AgreedTerm> terms;
        if (const auto* list = g->get_object().if_contains("terms"); list && list->is_array())
            for (const auto& t : list->get_array())
                if (t.is_object())
                    terms.push_back({str(t.get_object(), "term"), str(t.get_object(), "meaning")});
        // The server validated them; a glossary that does not validate here is not applied.
        if (auto made = jargon::Glossary::make(std::move(terms)); made.ok()) {
            out.glossary = std::move(made).value();
            out.glossary_version = protocol::num(g->get_object(), "version");
        }
    }
    return out;
}

jargon::CheckResult check_draft(const jargon::Engine& engine, std::string_view text,
                                const RoomReaders& readers, const std::string& own) {
    auto result = engine.check(text, readers.audience);
    // The writer's discipline settles what an ambiguous term of theirs means.
    if (!own.empty())
        jargon::settle_meanings(result, {own});
    (void)jargon::apply_glossary(result, readers.glossary, readers.audience);
    return result;
}

Explained explain_in_room(const jargon::Engine& engine, std::string_view text,
                          const std::string& reader_discipline, const std::string& writer,
                          const RoomReaders& readers, std::set<std::string>& met) {
    Explained out{explain_for(engine, text, reader_discipline, writer, readers), {}};
    out.first_met = jargon::meet_agreed_terms(text, out.result, readers.glossary, engine, met);
    return out;
}

std::vector<std::string> room_notes(const std::vector<jargon::AgreedTerm>& terms) {
    std::vector<std::string> out;
    for (const auto& t : terms)
        out.push_back(display_line(std::string(kRoomNoteLabel) + t.term + " \u2014 " + t.meaning +
                                   " (agreed in this room)"));
    return out;
}

namespace {

std::string glossary_heading(std::int64_t version) {
    return "Terms agreed in this room (version " + std::to_string(version) +
           "): members are not stopped for them; each is explained once to anyone who meets it "
           "first.";
}

}  // namespace

std::vector<std::string> glossary_lines(const jargon::Glossary& glossary, std::int64_t version) {
    std::vector<std::string> out;
    if (glossary.empty())
        return out;
    out.push_back(glossary_heading(version));
    for (const auto& t : glossary.terms())
        out.push_back(display_line("  " + t.term + " \u2014 " + t.meaning));
    return out;
}

std::vector<std::string> glossary_lines(const json::object& glossary) {
    std::vector<std::string> out;
    const auto* list = glossary.if_contains("terms");
    if (list == nullptr || !list->is_array() || list->get_array().empty())
        return out;
    out.push_back(glossary_heading(protocol::num(glossary, "version")));
    for (const auto& t : list->get_array()) {
        if (!t.is_object())
            continue;
        const auto& o = t.get_object();
        out.push_back(display_line("  " + str(o, "term") + " \u2014 " + str(o, "meaning") +
                                   " (agreed by " + str(o, "by") + ")"));
    }
    return out;
}

jargon::CheckResult explain_for(const jargon::Engine& engine, std::string_view text,
                                const std::string& reader_discipline, const std::string& writer,
                                const RoomReaders& readers) {
    std::vector<std::string> writers;
    if (const auto w = readers.disciplines.find(writer); w != readers.disciplines.end()) {
        writers.push_back(w->second);
    } else {
        for (const auto& [member, discipline] : readers.disciplines)
            writers.push_back(discipline);
    }
    return jargon::check_for_reader(engine, text, reader_discipline, std::move(writers));
}

std::string annotate(std::string_view text, const std::vector<jargon::Finding>& findings) {
    std::string out;
    std::size_t pos = 0;
    for (std::size_t i = 0; i < findings.size(); ++i) {
        const auto& f = findings[i];
        if (f.start < pos || f.end > text.size())
            continue;
        out.append(text.substr(pos, f.end - pos));
        out += "[" + std::to_string(i + 1) + "]";
        pos = f.end;
    }
    out.append(text.substr(pos));
    return out;
}

std::vector<std::string> notes(const std::vector<jargon::Finding>& findings) {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < findings.size(); ++i) {
        const auto& f = findings[i];
        std::string line = std::string(kNoteLabel) + "[" + std::to_string(i + 1) + "] " + f.text;
        const auto alternatives = f.alternatives();
        if (f.meanings.empty()) {
            line += " (unknown acronym) \u2014 no dictionary explains it";
        } else if (f.meanings.size() == 1) {
            line += " (" + f.meanings.front().discipline + ")";
            if (!alternatives.empty())
                line += " \u2014 " + alternatives.front();
        } else {
            std::string all;
            for (const auto& m : f.meanings)
                all += (all.empty() ? "" : " or ") + plain_words(m) + " (" + m.discipline + ")";
            line += " \u2014 " + all;
        }
        if (const auto explanation = f.explanation(); !f.meanings.empty() && !explanation.empty())
            line += ": " + explanation;
        // The dictionaries come from the server: their words are shown, never obeyed.
        out.push_back(display_line(line));
    }
    return out;
}

}  // namespace liaise::client
