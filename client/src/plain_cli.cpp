// `liaise room glossary`: the terms a room's chairs agree its members know (PROTOCOL.md, "Room
// glossary"). Listing is for any member; adding and removing for the room's chairs.
#include <boost/json.hpp>
#include <iostream>

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
