// `liaise`: the Liaise command-line client.
#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>

#include "admin_cli.hpp"
#include "chat.hpp"
#include "cli_support.hpp"
#include "commands.hpp"
#include "liaise/client/check.hpp"
#include "liaise/client/local_time.hpp"
#include "liaise/protocol/messages.hpp"
#include "minutes_cli.hpp"
#include "parse_errors.hpp"
#include "recovery_cli.hpp"
#include "retention_cli.hpp"
#include "sar_cli.hpp"
#include "unlock_cli.hpp"

namespace cli = liaise::client::cli;

int main(int argc, char** argv) {
    // Times are shown local: $TZ, else the system's zone, else the UK's (before any thread).
    liaise::client::use_local_zone();
    CLI::App app{"Liaise: secure multi-agency messaging and plain-language checks", "liaise"};
    app.require_subcommand(1);
    app.set_version_flag("--version", std::string("liaise ") + LIAISE_VERSION + " (protocol " +
                                          std::to_string(liaise::protocol::kVersion) + ")");
    // Global: before or after the command ("liaise --insecure whoami", "liaise whoami
    // --insecure"); passed on to the connection code as LIAISE_INSECURE=1.
    bool insecure = false;
    app.add_flag("--insecure", insecure,
                 "Allow plain ws:// to a server that is not on this machine (also "
                 "LIAISE_INSECURE=1); messages stay end-to-end encrypted, everything else does not")
        ->configurable(false);
    app.fallthrough();
    cli::Options o;
    const auto json_flag = [&o](CLI::App* cmd) {
        cmd->add_flag("--json", o.json, "Print JSON for scripts");
    };
    std::function<int()> action;

    // check
    liaise::client::CheckOptions check;
    std::string dictionaries;
    auto* check_cmd = app.add_subcommand(
        "check", "Flag jargon and acronyms the audience may not share (works offline)");
    check_cmd->add_option(
        "--audience", check.audience,
        "'public' (default) or comma-separated disciplines, e.g. social-care,education");
    check_cmd->add_option("--dictionaries", dictionaries,
                          "Folder of dictionaries (default: those fetched from your server at the "
                          "last login, else the shipped ones)");
    check_cmd->add_flag("--json", check.json, "Print one JSON object");
    check_cmd->add_flag("--fix", check.fix,
                        "Print the text with plain words in place of each finding where they fit "
                        "the sentence, else the term explained in brackets on first use (a term "
                        "that means different things is left as written)");
    check_cmd->add_flag("--explain-fix", check.explain_fix,
                        "Print the text with every term kept and its plain meaning in brackets "
                        "on first use");
    check_cmd->add_option("input", check.input, "File to check, or - for standard input (default)");
    check_cmd->callback([&] {
        action = [&] {
            if (check.fix && check.explain_fix) {
                std::cerr << "liaise: choose --fix or --explain-fix, not both\n";
                return 2;
            }
            if (!dictionaries.empty())
                check.dictionaries = dictionaries;
            return static_cast<int>(
                liaise::client::run_check(check, std::cin, std::cout, std::cerr));
        };
    });

    // enrol
    std::string server, code, device_name = "cli", ca;
    auto* enrol_cmd = app.add_subcommand("enrol", "Enrol this device with a code from an admin");
    enrol_cmd->add_option("--server", server, "Server address, ws://HOST:PORT or wss://HOST:PORT")
        ->required();
    enrol_cmd->add_option("--code", code, "The one-time enrolment code")->required();
    enrol_cmd->add_option("--device-name", device_name, "A name for this device (default: cli)");
    enrol_cmd->add_option("--ca", ca,
                          "PEM certificate of the private authority that signed the wss:// "
                          "server's certificate (kept for every later connection)");
    json_flag(enrol_cmd);
    enrol_cmd->callback([&] {
        action = [&] {
            // The authority is kept in this home before enrolling, so that enrolment and every
            // later login verify the server with it. An enrolled home is left as it is (enrol
            // refuses it).
            if (const liaise::client::Home home; !home.enrolled())
                if (auto saved = home.save_ca(ca); !saved)
                    return cli::report(saved.error());
            return cli::enrol(o, server, code, device_name);
        };
    });

    auto* whoami_cmd = app.add_subcommand("whoami", "Show this device's account");
    json_flag(whoami_cmd);
    whoami_cmd->callback([&] { action = [&] { return cli::whoami(o); }; });

    // admin
    auto* admin = app.add_subcommand("admin", "Administration (admins only)");
    admin->require_subcommand(1);
    auto* agency = admin->add_subcommand("agency", "Agencies");
    agency->require_subcommand(1);
    std::string agency_name, discipline;
    auto* agency_add = agency->add_subcommand("add", "Add an agency");
    agency_add->add_option("name", agency_name, "Agency name")->required();
    agency_add
        ->add_option(
            "--discipline", discipline,
            "health, mental-health, social-care, education, police-justice or housing-benefits")
        ->required();
    json_flag(agency_add);
    agency_add->callback(
        [&] { action = [&] { return cli::agency_add(o, agency_name, discipline); }; });
    auto* agency_list = agency->add_subcommand("list", "List agencies");
    json_flag(agency_list);
    agency_list->callback([&] { action = [&] { return cli::agency_list(o); }; });
    std::string enrol_user, enrol_agency, enrol_role, display_name;
    std::optional<int> hours;
    auto* admin_enrol =
        admin->add_subcommand("enrol", "Issue a one-time enrolment code for a person");
    admin_enrol
        ->add_option("user", enrol_user, "Account name for the person (lower-case, e.g. sam.jones)")
        ->required();
    admin_enrol->add_option("--agency", enrol_agency, "Their agency")->required();
    admin_enrol->add_option("--role", enrol_role, "member, chair or admin")->required();
    admin_enrol->add_option("--display-name", display_name, "Their full name");
    admin_enrol->add_option("--hours", hours, "How long the code is valid (default 72)");
    json_flag(admin_enrol);
    admin_enrol->callback([&] {
        action = [&] {
            return cli::admin_enrol(o, enrol_user, enrol_agency, enrol_role, display_name, hours);
        };
    });

    // rooms
    auto* room = app.add_subcommand("room", "Rooms");
    room->require_subcommand(1);
    std::string room_name, room_user;
    std::vector<std::string> members;
    auto* room_create = room->add_subcommand("create", "Create a room (chairs and admins)");
    room_create->add_option("room", room_name, "Room name (lower-case, e.g. case-1234)")
        ->required();
    room_create->add_option("--member", members, "A member to add (repeatable)");
    json_flag(room_create);
    room_create->callback(
        [&] { action = [&] { return cli::room_create(o, room_name, members); }; });
    for (const bool add : {true, false}) {
        auto* cmd =
            room->add_subcommand(add ? "add" : "remove", add ? "Add a member" : "Remove a member");
        cmd->add_option("room", room_name, "Room")->required();
        cmd->add_option("user", room_user, "Account")->required();
        json_flag(cmd);
        cmd->callback([&, add] {
            action = [&, add] { return cli::room_change(o, room_name, room_user, add); };
        });
    }
    auto* room_show =
        room->add_subcommand("show", "Show a room's members and their key fingerprints");
    room_show->add_option("room", room_name, "Room")->required();
    json_flag(room_show);
    room_show->callback([&] { action = [&] { return cli::room_show(o, room_name); }; });
    std::string share_since;
    auto* share_cmd = room->add_subcommand(
        "share-history", "Let a member read the room's messages since a date (everyone sees it)");
    share_cmd->add_option("room", room_name, "Room")->required();
    share_cmd->add_option("user", room_user, "The member to share with")->required();
    share_cmd->add_option("--since", share_since, "First day to share, YYYY-MM-DD")->required();
    json_flag(share_cmd);
    share_cmd->callback(
        [&] { action = [&] { return cli::share_history(o, room_name, room_user, share_since); }; });

    // continuity: recovery key and device transfer
    auto* recovery =
        app.add_subcommand("recovery", "Recovery key: read your history on a new device");
    recovery->require_subcommand(1);
    std::optional<std::string> recovery_key, transfer_code;
    auto* recovery_create =
        recovery->add_subcommand("create", "Make a recovery key and back up your message keys");
    json_flag(recovery_create);
    recovery_create->callback([&] { action = [&] { return cli::recovery_create(o); }; });
    auto* recovery_status = recovery->add_subcommand("status", "Say whether keys are backed up");
    json_flag(recovery_status);
    recovery_status->callback([&] { action = [&] { return cli::recovery_status(o); }; });
    auto* recovery_restore = recovery->add_subcommand(
        "restore", "Read your earlier messages on this device with your recovery key");
    recovery_restore->add_option("--key", recovery_key, "The recovery key (else asked)");
    json_flag(recovery_restore);
    recovery_restore->callback(
        [&] { action = [&] { return cli::recovery_restore(o, recovery_key); }; });
    auto* device = app.add_subcommand("device", "This device");
    device->require_subcommand(1);
    bool transfer_receive = false;
    auto* transfer = device->add_subcommand(
        "transfer", "Move your message keys from this (old) device to a new one with a code");
    transfer->add_flag("--receive", transfer_receive, "On the new device: take the keys");
    transfer->add_option("--code", transfer_code, "The code the old device shows (else asked)");
    json_flag(transfer);
    transfer->callback(
        [&] { action = [&] { return cli::device_transfer(o, transfer_receive, transfer_code); }; });
    auto* rooms_cmd = app.add_subcommand("rooms", "List your rooms");
    json_flag(rooms_cmd);
    rooms_cmd->callback([&] { action = [&] { return cli::rooms(o); }; });
    std::string digest_on_off;
    auto* digest_cmd = app.add_subcommand(
        "digest", "Turn your daily email of how many rooms have unread messages on or off");
    digest_cmd->add_option("on_off", digest_on_off, "on or off")
        ->required()
        ->check(CLI::IsMember({"on", "off"}));
    json_flag(digest_cmd);
    digest_cmd->callback(
        [&] { action = [&] { return cli::email_digest(o, digest_on_off == "on"); }; });

    // messages
    std::vector<std::string> words;
    bool anyway = false, fix = false, explain_fix = false, yes = false;
    auto* send_cmd = app.add_subcommand(
        "send", "Check a message against the room's audience, then encrypt and send it");
    send_cmd->add_option("room", room_name, "Room")->required();
    send_cmd->add_option("text", words, "The message, or - for standard input (the default)");
    send_cmd->add_flag("--anyway", anyway, "Send as written even if it has findings");
    send_cmd->add_flag("--fix", fix,
                       "Put plain words in place of findings where they fit the sentence (else "
                       "explain them in brackets), show the result and ask before sending it");
    send_cmd->add_flag("--explain-fix", explain_fix,
                       "Keep every term and add its plain meaning in brackets on first use, show "
                       "the result and ask before sending it");
    send_cmd->add_flag("--yes", yes,
                       "With --fix: send the rewritten message without asking (for scripts)");
    bool accept_new_readers = false;
    send_cmd->add_flag("--accept-new-readers", accept_new_readers,
                       "Send even if the room has readers you have not written to before "
                       "(without a terminal to ask you)");
    json_flag(send_cmd);
    send_cmd->callback([&] {
        action = [&] {
            if (int(anyway) + int(fix) + int(explain_fix) > 1) {
                std::cerr << "liaise: choose one of --fix, --explain-fix or --anyway\n";
                return 2;
            }
            fix = fix || explain_fix;
            const auto policy = explain_fix ? cli::DraftPolicy::explain
                                : fix       ? cli::DraftPolicy::fix
                                : anyway    ? cli::DraftPolicy::anyway
                                            : cli::DraftPolicy::check;
            if (fix && o.json && !yes) {  // nobody to ask: the output is for a program
                std::cerr << "liaise: --fix with --json sends a rewritten message unseen: add "
                             "--yes to allow it\n";
                return 2;
            }
            return cli::send(o, room_name, words, policy,
                             yes ? cli::Confirm::no : cli::Confirm::ask, accept_new_readers);
        };
    });
    std::int64_t since = 0;
    bool follow = false, plain = false;
    auto* read_cmd = app.add_subcommand(
        "read", "Read a room's messages, with terms from other disciplines explained");
    read_cmd->add_option("room", room_name, "Room")->required();
    read_cmd->add_option("--since", since, "Only messages after this sequence number");
    read_cmd->add_flag("--follow", follow, "Keep printing new messages as they arrive");
    read_cmd->add_flag("--plain", plain, "Print messages as written, without explanations");
    bool verbose = false;
    read_cmd->add_flag("--verbose,-v", verbose,
                       "Also say how many messages were kept on this device and how many were "
                       "fetched from the server");
    json_flag(read_cmd);
    read_cmd->callback(
        [&] { action = [&] { return cli::read(o, room_name, since, follow, plain, verbose); }; });

    std::int64_t withdraw_seq = 0;
    bool withdraw_yes = false;
    auto* withdraw_cmd = app.add_subcommand(
        "withdraw", "Withdraw a message you sent to the wrong room (every device deletes it)");
    withdraw_cmd->add_option("room", room_name, "Room")->required();
    withdraw_cmd->add_option("seq", withdraw_seq, "The message's number (#N in 'liaise read')")
        ->required()
        ->check(CLI::PositiveNumber);
    withdraw_cmd->add_flag("--yes,-y", withdraw_yes, "Withdraw without asking");
    json_flag(withdraw_cmd);
    withdraw_cmd->callback([&] {
        action = [&] {
            return cli::withdraw(o, room_name, withdraw_seq,
                                 withdraw_yes ? cli::Confirm::no : cli::Confirm::ask);
        };
    });

    auto* chat_cmd = app.add_subcommand(
        "chat", "Chat in a room in this terminal, with drafts checked before sending");
    chat_cmd->add_option("room", room_name, "Room")->required();
    chat_cmd->callback([&] { action = [&] { return cli::chat(o, room_name); }; });

    std::string on_off;
    auto* audience = room->add_subcommand(
        "audience", "Say whether a room includes the public (chairs and admins)");
    audience->add_option("room", room_name, "Room")->required();
    audience
        ->add_option("--public", on_off,
                     "on: families, carers or young people take part; off: professionals only")
        ->required()
        ->check(CLI::IsMember({"on", "off"}));
    json_flag(audience);
    audience->callback(
        [&] { action = [&] { return cli::room_audience(o, room_name, on_off == "on"); }; });

    // a room's agreed terms (plain_cli.cpp)
    std::string glossary_term;
    std::vector<std::string> glossary_meaning;
    bool glossary_history = false;
    auto* glossary = room->add_subcommand(
        "glossary", "The terms a room has agreed its members know (chairs add and remove them)");
    glossary->require_subcommand(1);
    auto* glossary_list = glossary->add_subcommand("list", "Show the room's agreed terms");
    glossary_list->add_option("room", room_name, "Room")->required();
    glossary_list->add_flag("--history", glossary_history, "Also show every change, newest first");
    json_flag(glossary_list);
    glossary_list->callback(
        [&] { action = [&] { return cli::room_glossary_list(o, room_name, glossary_history); }; });
    auto* glossary_add = glossary->add_subcommand(
        "add", "Agree a term for the room, with the meaning the room uses (chairs)");
    glossary_add->add_option("room", room_name, "Room")->required();
    glossary_add->add_option("term", glossary_term, "The term, e.g. IRO")->required();
    glossary_add->add_option("meaning", glossary_meaning, "What it means in this room")->required();
    json_flag(glossary_add);
    glossary_add->callback([&] {
        action = [&] {
            std::string meaning;
            for (const auto& w : glossary_meaning)
                meaning += (meaning.empty() ? "" : " ") + w;
            return cli::room_glossary_change(o, room_name, glossary_term, meaning, true);
        };
    });
    auto* glossary_remove =
        glossary->add_subcommand("remove", "Withdraw a term the room agreed (chairs)");
    glossary_remove->add_option("room", room_name, "Room")->required();
    glossary_remove->add_option("term", glossary_term, "The term")->required();
    json_flag(glossary_remove);
    glossary_remove->callback([&] {
        action = [&] { return cli::room_glossary_change(o, room_name, glossary_term, "", false); };
    });

    // plain language
    std::string term;
    auto* explain =
        app.add_subcommand("explain", "Show every dictionary's meaning of a term (works offline)");
    explain->add_option("term", term, "The term or acronym")->required();
    json_flag(explain);
    explain->callback([&] { action = [&] { return cli::explain(o, term); }; });
    std::string ask_room;
    auto* ask =
        app.add_subcommand("ask", "Ask the administrators about a term no dictionary knows");
    ask->add_option("term", term, "The term or acronym")->required();
    ask->add_option("--room", ask_room, "The room where you met it");
    json_flag(ask);
    ask->callback([&] { action = [&] { return cli::ask(o, term, ask_room); }; });

    // keys
    std::optional<std::string> fp_user;
    auto* fp =
        app.add_subcommand("fingerprint", "Show safety numbers to compare (yours, or USER's)");
    fp->add_option("user", fp_user, "Account");
    json_flag(fp);
    fp->callback([&] { action = [&] { return cli::fingerprint(o, fp_user); }; });
    std::string verify_user;
    std::vector<std::string> verify_number;
    for (const char* name : {"verify", "trust"}) {
        auto* verify = app.add_subcommand(
            name, std::string(name) == "verify"
                      ? "Mark USER verified if NUMBER is the safety number this device computes"
                      : "The same as verify: trust USER's keys only with the matching NUMBER");
        verify->add_option("user", verify_user, "Account")->required();
        verify
            ->add_option("number", verify_number,
                         "The 60-digit safety number USER read out to you (spaces allowed)")
            ->required();
        json_flag(verify);
        verify->callback([&] {
            action = [&] {
                std::string number;
                for (const auto& part : verify_number)
                    number += part;
                return cli::verify(o, verify_user, number);
            };
        });
    }

    // unlock, lock, passphrase, sessions (and the hidden agent that unlock starts)
    std::string unlock_for = "8h";
    bool unlock_status = false;
    auto* unlock_cmd = app.add_subcommand(
        "unlock", "Unlock this device's keys for a working day: later commands need no passphrase");
    unlock_cmd->add_option("--for", unlock_for,
                           "How long, e.g. 30m, 8h (default) or 2d; at most 7 days");
    unlock_cmd->add_flag("--status", unlock_status, "Say whether unlocked, and until when");
    json_flag(unlock_cmd);
    unlock_cmd->callback(
        [&] { action = [&] { return cli::unlock(o, unlock_for, unlock_status); }; });
    auto* lock_cmd =
        app.add_subcommand("lock", "Lock this device's keys again (the agent wipes them)");
    json_flag(lock_cmd);
    lock_cmd->callback([&] { action = [&] { return cli::lock(o); }; });
    std::string agent_home;
    std::int64_t agent_until = 0;
    auto* agent_cmd = app.add_subcommand("agent", "");  // no description: hidden from help
    agent_cmd->group("");
    agent_cmd->add_option("--home", agent_home)->required();
    agent_cmd->add_option("--until", agent_until)->required();
    agent_cmd->callback(
        [&] { action = [&] { return cli::agent_process(agent_home, agent_until); }; });
    auto* passphrase_cmd =
        app.add_subcommand("passphrase", "Change the passphrase that protects this device's keys");
    json_flag(passphrase_cmd);
    passphrase_cmd->callback([&] { action = [&] { return cli::change_passphrase(o); }; });
    auto* sessions_cmd =
        app.add_subcommand("sessions", "Recent logins of your account: device, time, address");
    json_flag(sessions_cmd);
    sessions_cmd->callback([&] { action = [&] { return cli::sessions(o); }; });

    cli::add_minutes_commands(app, o, action);        // meeting, action, actions
    cli::add_admin_commands(app, *admin, o, action);  // accounts, dict, questions, audit
    cli::add_retention_commands(*admin, o, action);   // retention, hold
    cli::add_governance_commands(*admin, o, action);  // governance, sar

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        // Which argument is missing or wrong, and the usage line of the command being given.
        std::cerr << cli::parse_error_text(app, e);
        return 2;
    }
    if (insecure)
        ::setenv("LIAISE_INSECURE", "1", 1);
    return action ? action() : 2;
}
