// `liaise room glossary`: the terms a room's chairs agree its members know (PROTOCOL.md, "Room
// glossary"). Listing is for any member; adding and removing for the room's chairs.
#include <algorithm>
#include <boost/json.hpp>
#include <iostream>

#include "liaise/client/client.hpp"
#include "liaise/jargon/dictionary.hpp"

#include "cli_support.hpp"
#include "commands.hpp"
#include "liaise/client/display.hpp"
#include "liaise/client/plain.hpp"
#include "liaise/protocol/fields.hpp"

namespace liaise::client::cli {
namespace {

namespace json = boost::json;
using protocol::num;
using protocol::str;

}  // namespace

int room_glossary_list(const Options& o, const std::string& room, bool history) {
    json::object fields{{"room", room}};
    if (history)
        fields["history"] = true;
    return simple(o, "glossary", std::move(fields), [&](const json::object& r) {
        const auto lines = glossary_lines(r);
        if (lines.empty())
            std::cout << "No terms are agreed in " << shown(r, "room")
                      << " yet: drafts are checked against the members' disciplines only.\n";
        for (const auto& line : lines)
            std::cout << line << "\n";
        if (protocol::flag(r, "public"))
            std::cout << "The room includes the public: agreed terms are still flagged.\n";
        if (const auto* h = r.if_contains("history"); h && h->is_array()) {
            std::cout << "Changes, newest first:\n";
            for (const auto& v : h->get_array()) {
                const auto& c = v.as_object();
                std::string line = "  v" + std::to_string(num(c, "version")) + " " +
                                   clock_time(num(c, "at")) + " " + str(c, "by") + " " +
                                   str(c, "change") + " " + str(c, "term");
                if (c.contains("meaning"))
                    line += " \u2014 " + str(c, "meaning");
                std::cout << display_line(line) << "\n";
            }
        }
    });
}

int room_glossary_change(const Options& o, const std::string& room, const std::string& term,
                         const std::string& meaning, bool add) {
    json::object fields{{"room", room}, {"term", term}};
    if (add)
        fields["meaning"] = meaning;
    return simple(o, add ? "glossary_add" : "glossary_remove", std::move(fields),
                  [&](const json::object& r) {
                      const auto change = str(r, "change");
                      const auto what = shown(r, "term");
                      if (change == "none")
                          std::cout << (add ? "Already agreed with that meaning: "
                                            : "Not agreed in this room: ")
                                    << what << ".\n";
                      else
                          std::cout << (change == "removed"   ? "No longer agreed in "
                                        : change == "changed" ? "New meaning agreed in "
                                                              : "Agreed in ")
                                    << shown(r, "room") << ": " << what << " (glossary version "
                                    << num(r, "version") << ").\n";
                  });
}

}  // namespace liaise::client::cli

namespace liaise::client::cli {

int dict_mark_known(const Options& o, const std::string& discipline, const std::string& term,
                    const std::string& by) {
    jargon::KnownBy known = jargon::KnownBy::listed;
    std::vector<std::string> listed;
    if (by == "all-professionals") {
        known = jargon::KnownBy::all_professionals;
    } else if (by == "everyone") {
        known = jargon::KnownBy::everyone;
    } else if (by == "own") {
        known = jargon::KnownBy::own_discipline;
    } else {
        for (std::size_t at = 0; at <= by.size();) {
            const auto plus = std::min(by.find_first_of("+,", at), by.size());
            if (plus > at)
                listed.push_back(by.substr(at, plus - at));
            at = plus + 1;
        }
        if (listed.empty()) {
            std::cerr << "liaise: --by takes all-professionals, everyone, own, or disciplines "
                         "joined by '+' (health+education)\n";
            return 2;
        }
        std::sort(listed.begin(), listed.end());
        listed.erase(std::unique(listed.begin(), listed.end()), listed.end());
    }
    return with_client(o, [&](Client& c) {
        // The entry as the server holds it now, so that only its `known=` changes.
        auto current = c.call("dict_export", {{"discipline", discipline}});
        if (!current)
            return report(current.error());
        auto parsed = jargon::parse_dictionary(discipline, discipline, str(current.value(), "tsv"));
        if (!parsed.ok())
            return report({"bad_reply", "the server's dictionary does not load: " +
                                            parsed.problems().front().to_string()});
        auto dict = std::move(parsed).value();
        const auto it = std::find_if(dict.entries.begin(), dict.entries.end(),
                                     [&](const jargon::Entry& e) { return e.term == term; });
        if (it == dict.entries.end())
            return report({"not_found", "'" + term + "' is not in " + discipline});
        it->known_by = known;
        it->known_disciplines = listed;
        // The options column of the entry as the dictionary format writes it.
        const auto row = jargon::write_dictionary({discipline, {*it}});
        auto line = std::string_view(row).substr(row.find('\n') + 1);
        line = line.substr(0, line.find('\n'));
        const auto options = std::string(line.substr(line.rfind('\t') + 1));
        auto edited =
            c.call("dict_edit", {{"discipline", discipline}, {"term", term}, {"options", options}});
        if (!edited)
            return report(edited.error());
        if (o.json)
            std::cout << json::serialize(edited.value()) << "\n";
        else
            std::cout << "Marked " << term << " (" << discipline << ") as known by " << by
                      << ": dictionary version " << num(edited.value(), "version") << ".\n";
        return 0;
    });
}

}  // namespace liaise::client::cli
