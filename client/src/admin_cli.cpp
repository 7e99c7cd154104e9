#include "admin_cli.hpp"

#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <ctime>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>

#include "cli_support.hpp"
#include "commands.hpp"
#include "liaise/client/display.hpp"
#include "liaise/protocol/fields.hpp"

namespace liaise::client::cli {
namespace {

namespace json = boost::json;
using protocol::list;
using protocol::num;
using protocol::str;

/// Milliseconds since the epoch from "YYYY-MM-DD" or "YYYY-MM-DD HH:MM" (local time).
std::optional<std::int64_t> parse_time(const std::string& text) {
    for (const char* format : {"%Y-%m-%d %H:%M", "%Y-%m-%d"}) {
        std::tm tm{};
        std::istringstream in(text);
        in >> std::get_time(&tm, format);
        if (in.fail() || in.peek() != std::char_traits<char>::eof())
            continue;
        tm.tm_isdst = -1;
        const auto t = std::mktime(&tm);
        if (t == -1)
            continue;
        return static_cast<std::int64_t>(t) * 1000;
    }
    return std::nullopt;
}

json::array strings(const std::vector<std::string>& items) {
    json::array out;
    for (const auto& i : items)
        out.emplace_back(i);
    return out;
}

void print_change(const json::object& r) {
    if (!r.at("changed").as_bool())
        std::cout << "No change: the dictionaries stay at version " << num(r, "version") << ".\n";
    else
        std::cout << "Dictionaries are now version " << num(r, "version") << ": "
                  << shown(r, "summary") << ".\n";
}

/// Every option an entry can carry (dict add, dict edit).
struct EntryOptions {
    std::string discipline, term, explanation, kind, options;
    std::vector<std::string> alternatives, variants;

    void add_to(CLI::App* cmd, bool required) {
        cmd->add_option("discipline", discipline, "Discipline, e.g. social-care")->required();
        cmd->add_option("term", term, "The term as practitioners write it")->required();
        auto* alt = cmd->add_option("--alt", alternatives,
                                    "A plain alternative (repeatable; the first is preferred)");
        auto* expl = cmd->add_option("--explanation", explanation, "One line in plain words");
        if (required) {
            alt->required();
            expl->required();
        }
        cmd->add_option("--variant", variants, "Another spelling (repeatable)");
        cmd->add_option("--kind", kind, "acronym, term or phrase (default: guessed)");
        cmd->add_option("--options", options,
                        "case-sensitive, case-insensitive, no-inflection and/or known=WHO "
                        "(everyone, all-professionals or disciplines joined by +), "
                        "comma-separated");
    }

    json::object fields(const CLI::App* cmd) const {
        json::object f{{"discipline", discipline}, {"term", term}};
        if (!alternatives.empty())
            f["alternatives"] = strings(alternatives);
        if (cmd->count("--explanation") > 0)
            f["explanation"] = explanation;
        if (cmd->count("--variant") > 0)
            f["variants"] = strings(variants);
        if (!kind.empty())
            f["kind"] = kind;
        if (cmd->count("--options") > 0)
            f["options"] = options;
        return f;
    }
};

struct State {
    std::string user, role, reason, agency, new_name, discipline, file, status, reply, since;
    std::string email;  // account email: the address notices go to
    bool clear = false;
    std::optional<int> hours;
    std::int64_t number = 0;
    int limit = 0;
    bool verify = false, suspended = false, active = false;
    EntryOptions entry;
    std::vector<std::string> alternatives;
    std::string explanation;
};

void accounts(CLI::App& admin, State& s, Options& o, std::function<int()>& action) {
    const auto json_flag = [&o](CLI::App* cmd) {
        cmd->add_flag("--json", o.json, "Print JSON for scripts");
    };
    auto* account = admin.add_subcommand("account", "Accounts");
    account->require_subcommand(1);

    auto* ls = account->add_subcommand("list", "List accounts");
    ls->add_option("--agency", s.agency, "Only this agency's accounts");
    auto* suspended = ls->add_flag("--suspended", s.suspended, "Only suspended accounts");
    ls->add_flag("--active", s.active, "Only accounts that are not suspended")->excludes(suspended);
    json_flag(ls);
    ls->callback([&] {
        action = [&] {
            json::object f;
            if (!s.agency.empty())
                f["agency"] = s.agency;
            if (s.suspended || s.active)
                f["suspended"] = s.suspended;
            return simple(o, "account_list", std::move(f), [&](const json::object& r) {
                const auto& accounts = list(r, "accounts");
                if (accounts.empty()) {
                    const std::string which = s.suspended ? "suspended "
                                              : s.active  ? "active "
                                                          : "";
                    std::cout << "No " << which << "accounts"
                              << (s.agency.empty() ? "" : " at " + s.agency) << ".\n";
                }
                for (const auto& a : accounts) {
                    const auto& x = a.as_object();
                    std::cout << shown(x, "user") << "  " << shown(x, "display_name") << "  "
                              << shown(x, "agency") << " [" << shown(x, "discipline") << "]  "
                              << shown(x, "role") << "  " << num(x, "devices") << " device(s)"
                              << (x.at("suspended").as_bool() ? "  SUSPENDED" : "") << "\n";
                }
            });
        };
    });

    auto* role = account->add_subcommand("role", "Change an account's role");
    role->add_option("user", s.user, "Account")->required();
    role->add_option("role", s.role, "member, chair or admin")->required();
    json_flag(role);
    role->callback([&] {
        action = [&] {
            return simple(
                o, "account_role", {{"user", s.user}, {"role", s.role}}, [](const json::object& r) {
                    if (!r.at("changed").as_bool())
                        std::cout << shown(r, "user") << " is already " << shown(r, "role")
                                  << ".\n";
                    else
                        std::cout << shown(r, "user") << " is now " << shown(r, "role") << " (was "
                                  << shown(r, "previous") << "); their open sessions were ended.\n";
                });
        };
    });

    auto* email = account->add_subcommand(
        "email", "Set the address an account's email notices go to (no case content is emailed)");
    email->add_option("user", s.user, "Account")->required();
    email->add_option("address", s.email, "Email address, e.g. bea.patel@council.example.org");
    email->add_flag("--clear", s.clear, "Remove the address: no more email notices");
    json_flag(email);
    email->callback([&] {
        if (s.email.empty() == !s.clear)
            throw CLI::ValidationError("email", "give an address, or --clear (not both)");
        action = [&] {
            json::object f{{"user", s.user}};
            if (!s.clear)
                f["email"] = s.email;
            return simple(o, "account_email", std::move(f), [&](const json::object& r) {
                if (!r.at("changed").as_bool())
                    std::cout << "Nothing changed for " << shown(r, "user") << ".\n";
                else if (s.clear)
                    std::cout << shown(r, "user") << " will get no email notices.\n";
                else
                    std::cout << shown(r, "user") << " will get email notices at "
                              << shown(r, "email") << ".\n";
            });
        };
    });

    // The daily digest of unread rooms, now instead of at the configured time (PROTOCOL.md,
    // "Read positions"): today's run, if it has not started.
    auto* digest =
        admin.add_subcommand("digest-now", "Send today's email digest of unread rooms now");
    json_flag(digest);
    digest->callback([&] {
        action = [&] {
            return simple(o, "digest_run", {}, [](const json::object& r) {
                std::cout << "Asked for the digest of " << shown(r, "day")
                          << ": it goes at the server's next email check, unless today's has "
                             "gone already.\n";
            });
        };
    });

    for (const bool suspend : {true, false}) {
        auto* cmd = account->add_subcommand(
            suspend ? "suspend" : "reinstate",
            suspend ? "Suspend an account: its connections close at once and it cannot log in"
                    : "Let a suspended account log in again");
        cmd->add_option("user", s.user, "Account")->required();
        if (suspend)
            cmd->add_option("--reason", s.reason, "Why (kept in the audit log)");
        json_flag(cmd);
        cmd->callback([&, suspend] {
            action = [&, suspend] {
                json::object f{{"user", s.user}};
                if (!s.reason.empty())
                    f["reason"] = s.reason;
                return simple(o, suspend ? "account_suspend" : "account_reinstate", std::move(f),
                              [suspend](const json::object& r) {
                                  std::cout
                                      << shown(r, "user")
                                      << (r.at("changed").as_bool() ? " is now " : " was already ")
                                      << (suspend ? "suspended" : "active") << ".\n";
                              });
            };
        });
    }

    auto* replace = account->add_subcommand(
        "replace-device",
        "Issue a code that enrols a new device for a person whose device was lost; their old "
        "devices stop working");
    replace->add_option("user", s.user, "Account")->required();
    replace->add_option("--hours", s.hours, "How long the code is valid (default 72)");
    json_flag(replace);
    replace->callback([&] {
        action = [&] {
            json::object f{{"user", s.user}};
            if (s.hours)
                f["hours"] = *s.hours;
            return simple(o, "device_replace", std::move(f), [](const json::object& r) {
                std::cout << "Replacement-device code for " << shown(r, "user")
                          << " (use it once, before " << utc_time(num(r, "expires_at")) << "):\n  "
                          << shown(r, "code")
                          << "\nWhen it is used, their old devices stop working and the people "
                             "they talk to see a key-change warning.\n"
                          << withdrawn_note(r);
            });
        };
    });
}

void dictionaries(CLI::App& admin, State& s, Options& o, std::function<int()>& action) {
    const auto json_flag = [&o](CLI::App* cmd) {
        cmd->add_flag("--json", o.json, "Print JSON for scripts");
    };
    auto* dict = admin.add_subcommand("dict", "Dictionaries");
    dict->require_subcommand(1);

    for (const std::string kind : {"add", "edit"}) {
        auto* cmd = dict->add_subcommand(kind, kind == "add" ? "Add an entry" : "Edit an entry");
        s.entry.add_to(cmd, kind == "add");
        json_flag(cmd);
        cmd->callback([&, cmd, kind] {
            action = [&, cmd, kind] {
                return simple(o, "dict_" + kind, s.entry.fields(cmd), print_change);
            };
        });
    }
    auto* remove = dict->add_subcommand("remove", "Remove an entry");
    remove->add_option("discipline", s.discipline, "Discipline")->required();
    remove->add_option("term", s.entry.term, "Term")->required();
    json_flag(remove);
    remove->callback([&] {
        action = [&] {
            return simple(o, "dict_remove", {{"discipline", s.discipline}, {"term", s.entry.term}},
                          print_change);
        };
    });
    for (const bool add : {true, false}) {
        auto* cmd = dict->add_subcommand(
            add ? "add-discipline" : "remove-discipline",
            add ? "Add an empty discipline dictionary" : "Remove a discipline no agency has");
        cmd->add_option("discipline", s.discipline, "Discipline")->required();
        json_flag(cmd);
        cmd->callback([&, add] {
            action = [&, add] {
                return simple(o, add ? "dict_discipline_add" : "dict_discipline_remove",
                              {{"discipline", s.discipline}}, print_change);
            };
        });
    }

    auto* import = dict->add_subcommand(
        "import", "Replace a discipline's dictionary with a TSV file (all rows checked first)");
    import->add_option("discipline", s.discipline, "Discipline")->required();
    import->add_option("file", s.file, "TSV file (dictionaries/README.md)")->required();
    json_flag(import);
    import->callback([&] {
        action = [&] {
            std::ifstream in(s.file, std::ios::binary);
    if (!in)
        return report({"io_error", "cannot read " + s.file});
    std::ostringstream text;
    text << in.rdbuf();
    return simple(o, "dict_import", {{"discipline", s.discipline}, {"tsv", text.str()}},
                  print_change);
};
}  // namespace
);

auto* export_cmd = dict->add_subcommand("export", "Write a discipline's dictionary as TSV");
export_cmd->add_option("discipline", s.discipline, "Discipline")->required();
export_cmd->add_option("file", s.file, "Where to write it (default: standard output)");
json_flag(export_cmd);
export_cmd->callback([&] {
    action = [&] {
        return simple(o, "dict_export", {{"discipline", s.discipline}}, [&](const json::object& r) {
            if (s.file.empty() || s.file == "-") {
                // A terminal shows the entries; a pipe gets them byte for byte.
                std::cout << (::isatty(STDOUT_FILENO) != 0 ? display_block(str(r, "tsv"), "")
                                                           : str(r, "tsv"));
                return;
            }
            std::ofstream out(s.file, std::ios::binary);
            out << str(r, "tsv");
            std::cout << "Wrote " << shown(r, "discipline") << " (version " << num(r, "version")
                      << ") to " << s.file << ".\n";
        });
    };
});

auto* versions = dict->add_subcommand("versions", "List dictionary versions, newest first");
versions->add_option("--limit", s.limit, "How many (default 50)");
json_flag(versions);
versions->callback([&] {
    action = [&] {
        json::object f;
        if (s.limit > 0)
            f["limit"] = s.limit;
        return simple(o, "dict_versions", std::move(f), [](const json::object& r) {
            if (list(r, "versions").empty())
                std::cout << "No dictionary versions.\n";
            for (const auto& v : list(r, "versions")) {
                const auto& x = v.as_object();
                std::cout << num(x, "version") << "  " << clock_time(num(x, "at")) << "  "
                          << shown(x, "by") << "  " << shown(x, "summary") << "\n";
            }
        });
    };
});

auto* known = dict->add_subcommand(
    "known", "Mark an entry as known by more readers (its known= option), e.g. from noisy");
known->add_option("discipline", s.discipline, "The entry's discipline")->required();
known->add_option("term", s.entry.term, "The entry's term")->required();
known
    ->add_option("--by", s.file,
                 "all-professionals, everyone, own, or disciplines joined by '+' "
                 "(health+education)")
    ->required();
json_flag(known);
known->callback([&] {
    action = [&] { return dict_mark_known(o, s.discipline, s.entry.term, s.file); };
});

auto* revert =
    dict->add_subcommand("revert", "Make an earlier version current again (as a new version)");
revert->add_option("version", s.number, "Version")->required();
json_flag(revert);
revert->callback([&] {
    action = [&] { return simple(o, "dict_revert", {{"version", s.number}}, print_change); };
});

auto* noisy =
    dict->add_subcommand("noisy",
                         "Entries people most often send anyway instead of fixing (once three "
                         "accounts have reported them)");
noisy->add_option("--limit", s.limit, "How many (default 50)");
json_flag(noisy);
noisy->callback([&] {
    action = [&] {
        json::object f;
        if (s.limit > 0)
            f["limit"] = s.limit;
        return simple(o, "dict_noisy", std::move(f), [](const json::object& r) {
            const auto& entries = list(r, "entries");
            if (entries.empty())
                std::cout << "No reports yet.\n";
            // By the entry's discipline, most often sent as written first, each with the
            // command that marks it as known (plain_cli.cpp, dict_mark_known).
            std::vector<std::string> order;
            std::map<std::string, std::vector<const json::object*>> by_discipline;
            for (const auto& e : entries) {
                const auto d = str(e.as_object(), "discipline");
                if (!by_discipline.contains(d))
                    order.push_back(d);
                by_discipline[d].push_back(&e.as_object());
            }
            for (const auto& d : order) {
                std::cout << display_line(d) << ":\n";
                for (const auto* x : by_discipline[d]) {
                    const auto rate = x->at("override_rate").to_number<double>();
                    std::cout << "  " << shown(*x, "term") << "  sent as written "
                              << num(*x, "sent_anyway") << ", fixed " << num(*x, "fixed") << " ("
                              << static_cast<int>(rate * 100 + 0.5) << "% sent as written)\n"
                              << "    mark as known: liaise admin dict known " << display_line(d)
                              << " '" << shown(*x, "term")
                              << "' --by all-professionals (or everyone, or "
                                 "discipline+discipline)\n";
                }
            }
        });
    };
});
}  // namespace liaise::client::cli

void print_questions(const json::object& r) {
    const auto& questions = list(r, "questions");
    if (questions.empty())
        std::cout << "No questions.\n";
    for (const auto& q : questions) {
        const auto& x = q.as_object();
        std::cout << "#" << num(x, "id") << "  " << shown(x, "term") << "  asked by "
                  << shown(x, "asked_by") << " " << clock_time(num(x, "asked_at"));
        if (!str(x, "room").empty())
            std::cout << " in " << shown(x, "room");
        std::cout << "  [" << shown(x, "status") << "]\n";
        if (x.contains("reply") && !str(x, "reply").empty())
            std::cout << "    " << shown(x, "reply") << "\n";
    }
}

void questions(CLI::App& app, CLI::App& admin, State& s, Options& o, std::function<int()>& action) {
    const auto json_flag = [&o](CLI::App* cmd) {
        cmd->add_flag("--json", o.json, "Print JSON for scripts");
    };
    auto* mine = app.add_subcommand("questions", "Your questions about terms and their answers");
    json_flag(mine);
    mine->callback([&] { action = [&] { return simple(o, "questions", {}, print_questions); }; });

    auto* queue = admin.add_subcommand("questions", "Questions about terms waiting for an answer");
    queue->add_option("--status", s.status, "open (default), answered, dismissed or all");
    json_flag(queue);
    queue->callback([&] {
        action = [&] {
            json::object f;
            if (!s.status.empty())
                f["status"] = s.status;
            return simple(o, "question_list", std::move(f), print_questions);
        };
    });

    auto* answer = admin.add_subcommand(
        "answer", "Answer a question with a reply, or by adding the term to a dictionary");
    answer->add_option("id", s.number, "Question number")->required();
    answer->add_option("--reply", s.reply, "A short reply to the person who asked");
    answer->add_option("--discipline", s.discipline, "Add the term to this dictionary");
    answer->add_option("--alt", s.alternatives, "A plain alternative (repeatable)");
    answer->add_option("--explanation", s.explanation, "One line in plain words");
    json_flag(answer);
    answer->callback([&] {
        action = [&] {
            json::object f{{"question", s.number}};
            if (!s.reply.empty())
                f["reply"] = s.reply;
            if (!s.discipline.empty())
                f["discipline"] = s.discipline;
            if (!s.alternatives.empty())
                f["alternatives"] = strings(s.alternatives);
            if (!s.explanation.empty())
                f["explanation"] = s.explanation;
            return simple(o, "question_answer", std::move(f), [](const json::object& r) {
                std::cout << "Question " << num(r, "question") << " answered: " << shown(r, "reply")
                          << "\n";
                if (r.contains("version") && r.at("changed").as_bool())
                    std::cout << "Dictionaries are now version " << num(r, "version") << ".\n";
            });
        };
    });

    auto* dismiss = admin.add_subcommand("dismiss", "Close a question without adding a term");
    dismiss->add_option("id", s.number, "Question number")->required();
    dismiss->add_option("--reply", s.reply, "Why, for the person who asked");
    json_flag(dismiss);
    dismiss->callback([&] {
        action = [&] {
            json::object f{{"question", s.number}};
            if (!s.reply.empty())
                f["reply"] = s.reply;
            return simple(o, "question_dismiss", std::move(f), [](const json::object& r) {
                std::cout << "Question " << num(r, "question") << " dismissed.\n";
            });
        };
    });
}

void audit(CLI::App& admin, State& s, Options& o, std::function<int()>& action) {
    auto* cmd = admin.add_subcommand("audit", "The audit log of administrative changes");
    cmd->add_option("--since", s.since, "From this time: YYYY-MM-DD or 'YYYY-MM-DD HH:MM'");
    cmd->add_flag("--verify", s.verify,
                  "Check the hash chain; name the first record that breaks it");
    cmd->add_flag("--json", o.json, "Print JSON for scripts");
    cmd->callback([&] {
        action = [&] {
            json::object f;
            if (s.verify) {
                f["verify"] = true;
                return with_client(o, [&](Client& c) {
                    auto r = c.call("audit", std::move(f));
                    if (!r)
                        return report(r.error());
                    const auto& v = r.value();
                    if (o.json)
                        std::cout << json::serialize(v) << "\n";
                    else if (v.at("verified").as_bool())
                        std::cout << "The audit log verifies: " << num(v, "records")
                                  << " record(s), each chained to the one before.\n";
                    else
                        std::cout << "The audit log does NOT verify: record " << num(v, "first_bad")
                                  << " does not fit (" << shown(v, "reason") << ").\n";
                    // Login already refused a log shorter than, or not extending, the one this
                    // device saw before (server_pin.hpp); say what it compared.
                    if (const auto& seen = c.audit_head_check(); seen && !o.json)
                        std::cout << (seen->previous_count == 0
                                          ? "This device had seen no earlier head; it keeps this "
                                            "one"
                                          : "It extends the " +
                                                std::to_string(seen->previous_count) +
                                                " record(s) this device saw before")
                                  << " (" << seen->count
                                  << " record(s), signed with the server's pinned key).\n";
                    return v.at("verified").as_bool() ? 0 : 1;
                });
            }
            if (!s.since.empty()) {
                const auto since = parse_time(s.since);
                if (!since) {
                    std::cerr << "liaise: --since: use YYYY-MM-DD or 'YYYY-MM-DD HH:MM'\n";
                    return 2;
                }
                f["since"] = *since;
            }
            return simple(o, "audit", std::move(f), [&](const json::object& r) {
                if (list(r, "records").empty())
                    std::cout << "No audit records" << (s.since.empty() ? "" : " since " + s.since)
                              << ".\n";
                for (const auto& rec : list(r, "records")) {
                    const auto& x = rec.as_object();
                    // For people: "account suspended  user bea, reason left the team" (--json
                    // keeps the record's own names).
                    auto kind = str(x, "kind");
                    std::replace(kind.begin(), kind.end(), '_', ' ');
                    std::string details;
                    if (const auto* d = x.if_contains("details"); d && d->is_object()) {
                        for (const auto& [key, value] : d->get_object()) {
                            std::string name(key);
                            std::replace(name.begin(), name.end(), '_', ' ');
                            details += (details.empty() ? "" : ", ") + name + " " +
                                       (value.is_string() ? std::string(value.get_string())
                                                          : json::serialize(value));
                        }
                    }
                    std::cout << num(x, "seq") << "  " << clock_time(num(x, "at")) << "  "
                              << (shown(x, "actor").empty() ? "?" : shown(x, "actor")) << "  "
                              << display_line(kind)
                              << (details.empty() ? "" : "  " + display_line(details)) << "\n";
                }
            });
        };
    });
}

}  // namespace

void add_admin_commands(CLI::App& app, CLI::App& admin, Options& o, std::function<int()>& action) {
    static State s;  // option values live as long as the program: `action` refers to them
    auto* agency = admin.get_subcommand("agency");
    auto* rename = agency->add_subcommand("rename", "Rename an agency");
    rename->add_option("name", s.agency, "Current name")->required();
    rename->add_option("new_name", s.new_name, "New name")->required();
    rename->add_flag("--json", o.json, "Print JSON for scripts");
    rename->callback([&] {
        action = [&] {
            return simple(o, "agency_rename", {{"name", s.agency}, {"new_name", s.new_name}},
                          [](const json::object& r) {
                              std::cout << "Renamed " << shown(r, "previous") << " to "
                                        << shown(r, "name") << ".\n";
                          });
        };
    });
    accounts(admin, s, o, action);
    dictionaries(admin, s, o, action);
    questions(app, admin, s, o, action);
    audit(admin, s, o, action);
}

}  // namespace liaise::client::cli
