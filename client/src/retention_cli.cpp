#include "retention_cli.hpp"

#include <boost/json.hpp>
#include <iostream>
#include <optional>
#include <string>

#include "cli_support.hpp"
#include "liaise/protocol/fields.hpp"

namespace liaise::client::cli {
namespace {

namespace json = boost::json;
using protocol::list;
using protocol::num;
using protocol::str;

/// "35 years" when `days` is a whole number of years as the server counts them (365 a year and
/// a leap day every fourth), else "400 days".
std::string period(std::int64_t days) {
    for (std::int64_t y = 1; y <= 100; ++y)
        if (y * 365 + y / 4 == days)
            return std::to_string(y) + (y == 1 ? " year" : " years");
    return std::to_string(days) + (days == 1 ? " day" : " days");
}

/// "room 'case-12'" or "meeting 7 (in 'case-12')".
std::string target(const json::object& o) {
    if (o.contains("meeting"))
        return "meeting " + std::to_string(num(o, "meeting")) + " (in '" + shown(o, "room") + "')";
    return "room '" + shown(o, "room") + "'";
}

void print_holds(const json::array& holds) {
    if (holds.empty()) {
        std::cout << "No legal holds.\n";
        return;
    }
    for (const auto& h : holds) {
        const auto& o = h.as_object();
        std::cout << "Hold on " << target(o) << " since " << clock_time(num(o, "placed_at"))
                  << " by " << shown(o, "placed_by") << ": " << shown(o, "reason") << "\n";
    }
}

/// What the sweep deleted or would delete, one line each.
void print_sweep(const json::object& r) {
    const bool preview = r.at("preview").as_bool();
    const auto line = [](const json::object& e) {
        std::string what =
            str(e, "kind") == "messages"
                ? std::to_string(num(e, "count")) + " message(s) of room '" + shown(e, "room") + "'"
                : "the minutes of " + target(e);
        return what + ": last contact " + clock_time(num(e, "last_contact")) + ", kept " +
               period(num(e, "days")) + " (" + shown(e, "record") + ", " +
               (shown(e, "schedule") == "default" ? std::string("the default")
                                                  : shown(e, "schedule") + "'s schedule") +
               ")";
    };
    const auto& deleted = list(r, "deleted");
    if (deleted.empty())
        std::cout << (preview ? "Nothing would be deleted now.\n" : "Nothing was deleted.\n");
    for (const auto& e : deleted)
        std::cout << (preview ? "Would delete " : "Deleted ") << line(e.as_object()) << "\n";
    for (const auto& e : list(r, "held"))
        std::cout << "Kept (legal hold on the " << shown(e.as_object(), "hold")
                  << "): " << line(e.as_object()) << "\n";
    for (const auto& e : list(r, "kept"))
        std::cout << "Kept: " << line(e.as_object()) << "; " << shown(e.as_object(), "why") << "\n";
    if (const auto* more = r.if_contains("more");
        more != nullptr && more->is_bool() && more->as_bool())
        std::cout << "More has expired: the server is deleting it now, a batch at a time (the "
                     "audit log records each batch).\n";
}

struct State {
    std::string agency, record, reason, room;
    std::optional<std::int64_t> days, years, meeting;
    bool preview = false;
};

}  // namespace

void add_retention_commands(CLI::App& admin, Options& o, std::function<int()>& action) {
    static State s;  // option values live as long as the program: `action` refers to them
    auto* retention =
        admin.add_subcommand("retention", "Retention schedules: how long records are kept");
    retention->require_subcommand(1);

    auto* show =
        retention->add_subcommand("show", "The defaults, each agency's schedule and the holds");
    show->add_flag("--json", o.json, "Print JSON for scripts");
    show->callback([&] {
        action = [&] {
            return simple(o, "retention_show", {}, [](const json::object& r) {
                std::cout << "Defaults (when no agency involved set its own):\n";
                for (const auto& d : list(r, "defaults"))
                    std::cout << "  " << shown(d.as_object(), "record") << ": "
                              << period(num(d.as_object(), "days")) << "\n";
                const auto& schedules = list(r, "schedules");
                std::cout << (schedules.empty() ? "No agency has set a schedule of its own.\n"
                                                : "Agencies' schedules:\n");
                for (const auto& x : schedules) {
                    const auto& e = x.as_object();
                    std::cout << "  " << shown(e, "agency") << ", " << shown(e, "record") << ": "
                              << period(num(e, "days")) << " (set by " << shown(e, "set_by")
                              << " on " << clock_time(num(e, "set_at")) << ": "
                              << shown(e, "reason") << ")\n";
                }
                print_holds(list(r, "holds"));
            });
        };
    });

    auto* set = retention->add_subcommand(
        "set", "Set how long an agency keeps a kind of record after last contact");
    set->add_option("agency", s.agency, "The agency's name")->required();
    set->add_option("record", s.record, "chat, or a kind of meeting (core-group, marac, ...)")
        ->required();
    auto* days = set->add_option("--days", s.days, "The period in days");
    set->add_option("--years", s.years, "The period in years")->excludes(days);
    set->add_option("--reason", s.reason, "Why (kept in the audit log)")->required();
    set->add_flag("--json", o.json, "Print JSON for scripts");
    set->callback([&] {
        action = [&] {
            if (!s.days && !s.years) {
                std::cerr << "Say how long: --days N or --years N.\n";
                return 2;
            }
            const auto d = s.days ? *s.days : *s.years * 365 + *s.years / 4;
            return simple(
                o, "retention_set",
                {{"agency", s.agency}, {"record", s.record}, {"days", d}, {"reason", s.reason}},
                [](const json::object& r) {
                    std::cout << shown(r, "agency") << " now keeps " << shown(r, "record")
                              << " records " << period(num(r, "days"))
                              << " after last contact (was " << period(num(r, "previous_days"))
                              << ").\n";
                });
        };
    });

    auto* run = retention->add_subcommand(
        "run", "Delete what has expired now (the server also does it every hour)");
    run->add_flag("--preview", s.preview, "Only say what would be deleted");
    run->add_flag("--json", o.json, "Print JSON for scripts");
    run->callback([&] {
        action = [&] {
            json::object fields;
            if (s.preview)
                fields["preview"] = true;
            return simple(o, "retention_sweep", std::move(fields), print_sweep);
        };
    });

    auto* hold =
        admin.add_subcommand("hold", "Legal holds: keep a room or a meeting from deletion");
    hold->require_subcommand(1);
    for (const bool place : {true, false}) {
        auto* cmd = hold->add_subcommand(
            place ? "place" : "lift",
            place ? "Put a room or a meeting under a legal hold" : "Lift a legal hold");
        auto* room = cmd->add_option("--room", s.room, "The room (its meetings are held too)");
        cmd->add_option("--meeting", s.meeting, "The meeting's number")->excludes(room);
        cmd->add_option("--reason", s.reason, "Why (kept in the audit log)")->required();
        cmd->add_flag("--json", o.json, "Print JSON for scripts");
        cmd->callback([&, place] {
            action = [&, place] {
                json::object fields{{"reason", s.reason}};
                if (!s.room.empty())
                    fields["room"] = s.room;
                if (s.meeting)
                    fields["meeting"] = *s.meeting;
                return simple(
                    o, place ? "hold_place" : "hold_lift", std::move(fields),
                    [place](const json::object& r) {
                        std::cout << (place ? "Legal hold placed on " : "Legal hold lifted from ")
                                  << target(r) << ".\n";
                    });
            };
        });
    }
    auto* holds = hold->add_subcommand("list", "The legal holds in force");
    holds->add_flag("--json", o.json, "Print JSON for scripts");
    holds->callback([&] {
        action = [&] {
            return simple(o, "retention_show", {},
                          [](const json::object& r) { print_holds(list(r, "holds")); });
        };
    });
}

}  // namespace liaise::client::cli
