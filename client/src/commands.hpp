// Internal: the `liaise` subcommands other than `check`. Each returns the process exit status:
// 0 success, 1 failure (one line on stderr), 2 usage error.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace liaise::client::cli {

struct Options {
    bool json = false;
};

int enrol(const Options& o, const std::string& server, const std::string& code,
          const std::string& device_name);
int whoami(const Options& o);
int agency_add(const Options& o, const std::string& name, const std::string& discipline);
int agency_list(const Options& o);
int admin_enrol(const Options& o, const std::string& user, const std::string& agency,
                const std::string& role, const std::string& display_name, std::optional<int> hours);
int room_create(const Options& o, const std::string& room, const std::vector<std::string>& members);
int room_change(const Options& o, const std::string& room, const std::string& user, bool add);
int room_show(const Options& o, const std::string& room);
int rooms(const Options& o);
/// How `send` treats a draft with findings: hold it back, send it as written, or send the fix.
/// What `send` does with a draft that has findings: hold it back, send it as written, or fix it
/// (`fix`: plain words where they fit, else explained; `explain`: every term explained) and ask.
enum class DraftPolicy { check, anyway, fix, explain };

/// Whether a rewritten draft (DraftPolicy::fix) is shown on the terminal and sent only if the
/// person says yes, or sent without asking (--yes). Asking with no terminal sends nothing.
enum class Confirm { ask, no };

int send(const Options& o, const std::string& room, const std::vector<std::string>& words,
         DraftPolicy policy, Confirm asking, bool accept_new_readers = false);
/// `plain`: print messages as written, without explanations. What this device kept is shown
/// first and only what is new is fetched; without the server, what is kept (history_store.hpp).
/// `verbose`: also say how many came from each.
int read(const Options& o, const std::string& room, std::int64_t since, bool follow, bool plain,
         bool verbose = false);
int room_audience(const Options& o, const std::string& room, bool is_public);
/// `digest on|off`: the account's daily email of how many rooms have unread messages.
int email_digest(const Options& o, bool on);
/// `withdraw ROOM SEQ`: withdraws one's own message (an admin: anyone's) for every member,
/// after asking on the terminal unless `asking` is Confirm::no (--yes). With no terminal to
/// ask on, nothing is withdrawn.
int withdraw(const Options& o, const std::string& room, std::int64_t seq, Confirm asking);
/// `room glossary list`: the room's agreed terms, and with `history` every change (plain_cli.cpp).
int room_glossary_list(const Options& o, const std::string& room, bool history);
/// `room glossary add` (`add`, with `meaning`) and `room glossary remove` (chairs).
int room_glossary_change(const Options& o, const std::string& room, const std::string& term,
                         const std::string& meaning, bool add);
int explain(const Options& o, const std::string& term);
/// `admin dict known DISCIPLINE TERM --by WHO`: sets the entry's `known=` (WHO is
/// all-professionals, everyone, own, or disciplines joined by '+'), keeping the rest of it.
int dict_mark_known(const Options& o, const std::string& discipline, const std::string& term,
                    const std::string& by);
int ask(const Options& o, const std::string& term, const std::string& room);
int fingerprint(const Options& o, const std::optional<std::string>& user);
/// Marks `user` verified when `number` is the safety number this device computes.
int verify(const Options& o, const std::string& user, const std::string& number);

}  // namespace liaise::client::cli
