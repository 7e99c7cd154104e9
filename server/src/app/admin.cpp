// Administration (PROTOCOL.md, "Administration"): agencies, accounts, dictionaries, questions
// about terms, reports of noisy entries and the audit log. Every change made here is appended to
// the audit log inside the same write job, so the record commits if and only if the change does.
#include <SQLiteCpp/SQLiteCpp.h>
#include <SQLiteCpp/VariadicBind.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json.hpp>
#include <set>

#include "app/require.hpp"
#include "app/room_events.hpp"
#include "app/service.hpp"
#include "liaise/jargon/engine.hpp"
#include "liaise/jargon/utf8.hpp"
#include "store/accounts.hpp"
#include "store/at_rest.hpp"
#include "store/audit.hpp"
#include "store/db.hpp"
#include "store/dictionary_store.hpp"
#include "store/storage.hpp"

namespace liaise::server {
namespace {

namespace json = boost::json;
using protocol::Role;
namespace errc = protocol::errc;
using Files = dictionary_store::Files;

/// A day's counts per entry in a report: at most this many each.
constexpr std::int64_t kFeedbackMaxCount = 1000;
/// dict_noisy shows an entry once this many distinct accounts have reported it.
constexpr std::int64_t kNoisyMinAccounts = 3;

/// One entry of a dict_feedback report.
struct FeedbackCount {
    std::string discipline, term;
    std::int64_t fixed, sent_anyway;
};

/// `entry` as an error message may quote it: in quotes, cut to 100 bytes at a character
/// boundary, or a placeholder when it is not UTF-8 (a reply must be).
std::string quoted_entry(std::string entry) {
    if (jargon::find_invalid_utf8(entry))
        return "(an entry that is not valid UTF-8)";
    if (entry.size() > 100) {
        std::size_t cut = 100;
        while (cut > 0 && (static_cast<unsigned char>(entry[cut]) & 0xC0) == 0x80)
            --cut;
        entry = entry.substr(0, cut) + "...";
    }
    return "'" + entry + "'";
}

/// Every (discipline, term) of the current dictionaries.
std::set<std::pair<std::string, std::string>> known_entries(SQLite::Database& db) {
    std::set<std::pair<std::string, std::string>> known;
    for (const auto& [discipline, tsv] : dictionary_store::current(db)) {
        auto parsed = jargon::parse_dictionary(discipline, discipline, tsv);
        if (parsed.ok())
            for (const auto& e : parsed.value().entries)
                known.emplace(discipline, e.term);
    }
    return known;
}

/// Admins other than `except` who can still log in.
std::int64_t other_admins(SQLite::Database& db, std::int64_t except) {
    SQLite::Statement q(db,
                        "SELECT COUNT(*) FROM accounts WHERE role = 'admin' AND suspended = 0 AND "
                        "id != ?");
    q.bind(1, except);
    q.executeStep();
    return q.getColumn(0).getInt64();
}

/// The refusal to suspend or demote `user`, the only admin who can log in.
ServiceError only_admin(const std::string& user) {
    return ServiceError(errc::conflict,
                        user +
                            " is the only admin who can log in: make someone else an admin "
                            "first");
}

std::string join(const std::vector<std::string>& items, std::string_view separator) {
    std::string out;
    for (const auto& item : items) {
        if (!out.empty())
            out += separator;
        out += item;
    }
    return out;
}

std::vector<std::string> split(std::string_view text, char separator) {
    std::vector<std::string> out;
    if (text.empty())
        return out;
    std::size_t from = 0;
    while (true) {
        const auto at = text.find(separator, from);
        out.emplace_back(text.substr(from, at - from));
        if (at == std::string_view::npos)
            return out;
        from = at + 1;
    }
}

/// The kind a new entry most likely has when the admin gives none.
std::string guess_kind(std::string_view term) {
    if (term.find(' ') != std::string_view::npos)
        return "phrase";
    const bool upper =
        std::any_of(term.begin(), term.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
    const bool lower =
        std::any_of(term.begin(), term.end(), [](char c) { return c >= 'a' && c <= 'z'; });
    return upper && !lower ? "acronym" : "term";
}

/// The six TSV fields of an entry, as write_dictionary writes them.
std::vector<std::string> fields_of(const std::string& discipline, const jargon::Entry& entry) {
    const auto text = jargon::write_dictionary({discipline, {entry}});
    const auto lines = split(text, '\n');
    for (const auto& line : lines)
        if (!line.empty() && line.front() != '#' && line != jargon::kDictionaryHeader)
            return split(line, '\t');
    return {};
}

/// One entry from request fields, validated exactly as a dictionary row is.
jargon::Entry entry_from(const std::string& discipline, const std::vector<std::string>& fields) {
    std::string text(jargon::kDictionaryHeader);
    text += '\n' + join(fields, "\t") + '\n';
    auto parsed = jargon::parse_dictionary(discipline, discipline, text);
    if (!parsed.ok()) {
        json::array problems;
        std::string reasons;
        for (const auto& p : parsed.problems()) {
            problems.push_back(json::object{{"discipline", discipline}, {"message", p.reason}});
            reasons += (reasons.empty() ? "" : "; ") + p.reason;
        }
        throw ServiceError(errc::invalid_dictionary, "this entry is not valid: " + reasons,
                           {{"problems", std::move(problems)}});
    }
    return std::move(parsed).value().entries.front();
}

/// Items of a list field joined with '|', refusing items that hold the separator themselves.
std::string list_field(const protocol::Request& req, std::string_view field) {
    const auto items = req.strings(field);
    for (const auto& item : items)
        if (item.find('|') != std::string::npos || item.empty())
            throw ServiceError(errc::bad_request, std::string(field) +
                                                      ": each item must be non-empty and may not "
                                                      "contain '|'");
    return join(items, "|");
}

jargon::Dictionary parse_file(const Files& files, const std::string& discipline) {
    const auto it = files.find(discipline);
    if (it == files.end())
        throw ServiceError(errc::not_found, "there is no '" + discipline + "' dictionary");
    auto parsed = jargon::parse_dictionary(discipline, discipline, it->second);
    if (!parsed.ok())
        throw ServiceError(errc::internal,
                           "the stored '" + discipline + "' dictionary does not load");
    return std::move(parsed).value();
}

/// The entry whose term is `term`, exactly or else ignoring ASCII case.
std::vector<jargon::Entry>::iterator find_entry(jargon::Dictionary& d, std::string_view term) {
    const auto exact = std::find_if(d.entries.begin(), d.entries.end(),
                                    [&](const jargon::Entry& e) { return e.term == term; });
    if (exact != d.entries.end())
        return exact;
    const auto fold = [](std::string_view s) {
        std::string out(s);
        for (auto& c : out)
            if (c >= 'A' && c <= 'Z')
                c = static_cast<char>(c - 'A' + 'a');
        return out;
    };
    return std::find_if(d.entries.begin(), d.entries.end(),
                        [&](const jargon::Entry& e) { return fold(e.term) == fold(term); });
}

/// "+3 added, -1 removed, ~2 changed" between two versions of one discipline's entries.
std::string difference(const jargon::Dictionary& before, const jargon::Dictionary& after) {
    std::map<std::string, std::string> old_rows, new_rows;
    for (const auto& e : before.entries)
        old_rows[e.term] = join(fields_of(before.discipline, e), "\t");
    for (const auto& e : after.entries)
        new_rows[e.term] = join(fields_of(after.discipline, e), "\t");
    int added = 0, removed = 0, changed = 0;
    for (const auto& [term, row] : new_rows) {
        const auto it = old_rows.find(term);
        if (it == old_rows.end())
            ++added;
        else if (it->second != row)
            ++changed;
    }
    for (const auto& [term, row] : old_rows)
        removed += new_rows.contains(term) ? 0 : 1;
    return std::to_string(added) + " added, " + std::to_string(removed) + " removed, " +
           std::to_string(changed) + " changed";
}

struct Question {
    std::int64_t id = 0;
    std::string term;
    std::int64_t asked_by = 0;
    std::string status;
};

Question require_open_question(SQLite::Database& db, std::int64_t id) {
    SQLite::Statement q(db, "SELECT term, asked_by, status FROM questions WHERE id = ?");
    q.bind(1, id);
    if (!q.executeStep())
        throw ServiceError(errc::not_found, "there is no question " + std::to_string(id));
    Question out{id, q.getColumn(0).getString(), q.getColumn(1).getInt64(),
                 q.getColumn(2).getString()};
    if (out.status != "open")
        throw ServiceError(errc::wrong_status,
                           "question " + std::to_string(id) + " is already " + out.status);
    return out;
}

/// Closes a question and queues the event that tells the person who asked.
void close_question(SQLite::Database& db, const Question& question, std::string_view status,
                    const std::string& reply, std::int64_t admin, Outcome& out) {
    exec(
        db,
        "UPDATE questions SET status = ?, reply = ?, answered_by = ?, answered_at = ? WHERE id = ?",
        std::string(status), reply, admin, now_ms(), question.id);
    json::object event{
        {"id", question.id}, {"term", question.term}, {"status", status}, {"reply", reply}};
    out.reply["question"] = question.id;
    out.reply["status"] = status;
    out.reply["reply"] = reply;
    out.event = protocol::encode_event("question", std::move(event));
    notify_later(out, std::vector<std::int64_t>{question.asked_by});
}

json::object question_json(SQLite::Statement& q) {
    json::object o{
        {"id", q.getColumn(0).getInt64()},       {"term", q.getColumn(1).getString()},
        {"room", q.getColumn(2).getString()},    {"asked_by", q.getColumn(3).getString()},
        {"asked_at", q.getColumn(4).getInt64()}, {"status", q.getColumn(5).getString()}};
    if (!q.getColumn(6).isNull())
        o["reply"] = q.getColumn(6).getString();
    if (!q.getColumn(7).isNull())
        o["answered_at"] = q.getColumn(7).getInt64();
    return o;
}

constexpr const char* kQuestionColumns =
    "SELECT q.id, q.term, COALESCE(r.name, ''), a.username, q.asked_at, q.status, q.reply, "
    "q.answered_at FROM questions q JOIN accounts a ON a.id = q.asked_by "
    "LEFT JOIN rooms r ON r.id = q.room_id ";

/// How long an enrolment code stays in `account_list`'s `pending` after it expired unused.
constexpr std::int64_t kExpiredCodesShownMs = 30LL * 24 * 3600 * 1000;

/// The `pending` of `account_list`: for each person (or account's new device) the newest code
/// issued, when it has not been used: a new account's only while no account has its name, and
/// an expired one for 30 days after its expiry, so that an admin sees who never enrolled and can
/// issue a code again. Codes an admin issued again are withdrawn (issue_code), so only the
/// newest counts. `agency` empty for every agency. Never the code itself: only its hash is kept.
json::array pending_codes(SQLite::Database& db, const std::string& agency, std::int64_t now) {
    SQLite::Statement q(
        db,
        "SELECT c.username, c.display_name, g.name, c.role, c.replaces IS NOT NULL, c.created_at, "
        "COALESCE(b.username, ''), c.expires_at FROM enrolment_codes c "
        "JOIN agencies g ON g.id = c.agency_id LEFT JOIN accounts b ON b.id = c.created_by "
        "WHERE c.used_at IS NULL AND c.expires_at > ? AND (? = '' OR g.name = ?) "
        "AND NOT EXISTS (SELECT 1 FROM enrolment_codes n WHERE n.username = c.username AND "
        "n.replaces IS c.replaces AND n.created_at > c.created_at) "
        "AND (c.replaces IS NOT NULL OR NOT EXISTS (SELECT 1 FROM accounts a WHERE a.username = "
        "c.username)) ORDER BY c.username, c.replaces IS NOT NULL");
    SQLite::bind(q, now - kExpiredCodesShownMs, agency, agency);
    json::array out;
    while (q.executeStep()) {
        const auto expires = q.getColumn(7).getInt64();
        out.push_back(json::object{{"user", q.getColumn(0).getString()},
                                   {"display_name", q.getColumn(1).getString()},
                                   {"agency", q.getColumn(2).getString()},
                                   {"role", q.getColumn(3).getString()},
                                   {"kind", q.getColumn(4).getInt() != 0 ? "device" : "enrol"},
                                   {"issued_at", q.getColumn(5).getInt64()},
                                   {"issued_by", q.getColumn(6).getString()},
                                   {"expires_at", expires},
                                   {"state", expires >= now ? "pending" : "expired"}});
    }
    return out;
}

}  // namespace

void Service::record(SQLite::Database& db, std::int64_t actor, std::string_view kind,
                     const json::object& details) const {
    audit::append(db, at_rest(), server_keys(), actor, kind, details);
}

const ServerKeys& Service::server_keys() const {
    if (server_keys_ == nullptr)
        throw ServiceError(errc::internal, "the audit log is not available on this server");
    return *server_keys_;
}

void Service::add_server_key(json::object& out) const {
    if (server_keys_ != nullptr)
        out["server_key"] = server_keys_->public_key().to_base64();
}

// ---- agencies and accounts ----------------------------------------------------------------------

void Service::agency_rename(Context& ctx) {
    const auto name = std::string(ctx.req.string("name"));
    const auto new_name = std::string(ctx.req.string("new_name"));
    const auto actor = ctx.who.account;
    write_tx(ctx, [=, this](store::Tx& tx, Outcome& out) {
        const auto agency = tx.accounts().agency(name);
        if (!agency)
            throw ServiceError(errc::not_found, "no agency named '" + name + "'");
        if (!tx.accounts().rename_agency(agency->id, new_name))
            throw ServiceError(errc::conflict, "an agency named '" + new_name + "' already exists");
        record(tx, actor, "agency_renamed", {{"from", agency->name}, {"to", new_name}});
        out.reply = {{"name", new_name}, {"previous", agency->name}};
    });
}

void Service::account_list(Context& ctx) {
    const auto agency = std::string(ctx.req.string("agency"));
    const auto* suspended = ctx.req.body.if_contains("suspended");
    auto list = read(ctx, [&](SQLite::Database& db) {
        if (!agency.empty()) {
            SQLite::Statement known(db, "SELECT 1 FROM agencies WHERE name = ?");
            known.bind(1, agency);
            if (!known.executeStep())
                throw ServiceError(errc::not_found, "no agency named '" + agency + "'");
        }
        std::string sql =
            "SELECT a.username, a.display_name, g.name, g.discipline, a.role, a.suspended, "
            "a.created_at, (SELECT COUNT(*) FROM devices d WHERE d.account_id = a.id AND "
            "d.revoked_at IS NULL) FROM accounts a JOIN agencies g ON g.id = a.agency_id "
            "WHERE (? = '' OR g.name = ?) AND (? < 0 OR a.suspended = ?) ORDER BY a.username";
        SQLite::Statement q(db, sql);
        const int wanted = suspended ? (suspended->as_bool() ? 1 : 0) : -1;
        SQLite::bind(q, agency, agency, wanted, wanted);
        json::array out;
        while (q.executeStep())
            out.push_back(json::object{{"user", q.getColumn(0).getString()},
                                       {"display_name", q.getColumn(1).getString()},
                                       {"agency", q.getColumn(2).getString()},
                                       {"discipline", q.getColumn(3).getString()},
                                       {"role", q.getColumn(4).getString()},
                                       {"suspended", q.getColumn(5).getInt() != 0},
                                       {"created_at", q.getColumn(6).getInt64()},
                                       {"devices", q.getColumn(7).getInt64()}});
        return std::pair{std::move(out),
                         wanted == 1 ? json::array() : pending_codes(db, agency, now_ms())};
    });
    ctx.reply(protocol::encode_ok(
        ctx.req.id, {{"accounts", std::move(list.first)}, {"pending", std::move(list.second)}}));
}

void Service::account_role(Context& ctx) {
    const auto user = std::string(ctx.req.string("user"));
    const auto role = protocol::parse_role(ctx.req.string("role"));
    if (!role)
        throw ServiceError(errc::bad_request, "role: must be member, chair or admin");
    const auto actor = ctx.who.account;
    const auto actor_device = ctx.who.device;
    auto events = std::make_shared<RoomEvents>();
    write(
        ctx,
        [=, this](SQLite::Database& db, Outcome& out) {
            events->clear();
            const auto target = require_account(db, user);
            const bool changed = target.role != *role;
            if (changed && target.role == Role::admin && other_admins(db, target.id) == 0)
                throw only_admin(user);
            if (changed) {
                exec(db, "UPDATE accounts SET role = ? WHERE id = ?",
                     std::string(protocol::to_string(*role)), target.id);
                record(db, actor, "role_changed",
                       {{"user", user},
                        {"from", protocol::to_string(target.role)},
                        {"to", protocol::to_string(*role)}});
                auto event = event_about("role_changed", target);
                event["role"] = protocol::to_string(*role);
                event["previous_role"] = protocol::to_string(target.role);
                set_event_actor(event, account_by_id(db, actor));
                events->append_to_rooms_of(db, target.id, actor_device, event);
            }
            out.reply = {{"user", user},
                         {"role", protocol::to_string(*role)},
                         {"previous", protocol::to_string(target.role)},
                         {"changed", changed}};
            out.account = target.id;
        },
        [this, events](const Outcome& out) {
            // A session keeps the role it logged in with: end it so the new role applies.
            if (out.reply.at("changed").as_bool())
                bus_.cut_off(out.account, "your role changed: log in again");
            events->publish(bus_);
        });
}

void Service::account_suspend(Context& ctx, bool suspend) {
    const auto user = std::string(ctx.req.string("user"));
    const auto reason = std::string(ctx.req.string("reason"));
    const auto actor = ctx.who.account;
    const auto actor_device = ctx.who.device;
    auto events = std::make_shared<RoomEvents>();
    write(
        ctx,
        [=, this](SQLite::Database& db, Outcome& out) {
            events->clear();
            const auto target = require_account(db, user);
            if (suspend && target.id == actor)
                throw ServiceError(errc::conflict, "you cannot suspend your own account");
            if (suspend && target.role == Role::admin && other_admins(db, target.id) == 0)
                throw only_admin(user);
            const bool changed = target.suspended != suspend;
            if (changed) {
                exec(db, "UPDATE accounts SET suspended = ? WHERE id = ?", suspend ? 1 : 0,
                     target.id);
                json::object details{{"user", user}};
                if (!reason.empty())
                    details["reason"] = reason;
                record(db, actor, suspend ? "account_suspended" : "account_reinstated", details);
                // The reason stays in the audit log: it may be personal.
                auto event =
                    event_about(suspend ? "account_suspended" : "account_reinstated", target);
                set_event_actor(event, account_by_id(db, actor));
                events->append_to_rooms_of(db, target.id, actor_device, event);
            }
            out.reply = {{"user", user}, {"suspended", suspend}, {"changed", changed}};
            out.account = target.id;
        },
        [this, suspend, user, events](const Outcome& out) {
            if (suspend) {
                // First: nothing stored after the suspension reaches the suspended sessions.
                const auto cut = bus_.cut_off(out.account, "account suspended");
                spdlog::info("suspended {}: {} open connection(s) closed", user, cut);
            }
            events->publish(bus_);
        });
}

// ---- dictionaries -------------------------------------------------------------------------------

void Service::change_dictionaries(
    Context& ctx, std::function<std::string(SQLite::Database&, Files&, Outcome&)> change) {
    auto compiled = std::make_shared<std::shared_ptr<const jargon::Engine>>();
    const auto actor = ctx.who.account;
    write(
        ctx,
        [this, change = std::move(change), compiled, actor](SQLite::Database& db, Outcome& out) {
            auto files = dictionary_store::current(db);
            const auto summary = change(db, files, out);
            auto result = require_compiled(db, files);  // throws: nothing is stored
            const auto version = dictionary_store::commit(db, files, actor, summary);
            out.reply["changed"] = version.has_value();
            out.reply["version"] = version.value_or(dictionary_store::current_version(db));
            out.reply["summary"] = summary;
            if (!version)
                return;
            record(db, actor, "dictionary_changed", {{"version", *version}, {"summary", summary}});
            *compiled = std::move(result.engine);
        },
        [this, compiled](const Outcome& out) {
            if (!out.notify.empty())
                bus_.publish(out.notify, std::make_shared<const Frame>(out.event));
            if (!*compiled)
                return;
            if (engine_ != nullptr)
                engine_->replace(*compiled);  // minutes checks use the new version at once
            spdlog::info("dictionaries are now version {}", out.reply.at("version").as_int64());
            bus_.dictionaries_changed(out.reply.at("version").as_int64());
        });
}

void Service::dict_entry(Context& ctx) {
    const auto type = std::string(ctx.req.type());
    const auto discipline = std::string(ctx.req.string("discipline"));
    const auto term = std::string(ctx.req.string("term"));
    // The fields given, by TSV column; empty where the request left them out.
    std::vector<std::optional<std::string>> given(6);
    if (ctx.req.body.contains("variants"))
        given[1] = list_field(ctx.req, "variants");
    if (ctx.req.body.contains("alternatives"))
        given[2] = list_field(ctx.req, "alternatives");
    if (ctx.req.body.contains("explanation"))
        given[3] = std::string(ctx.req.string("explanation"));
    if (ctx.req.body.contains("kind"))
        given[4] = std::string(ctx.req.string("kind"));
    if (ctx.req.body.contains("options"))
        given[5] = std::string(ctx.req.string("options"));
    change_dictionaries(ctx, [=](SQLite::Database&, Files& files, Outcome& out) {
        auto dict = parse_file(files, discipline);
        auto it = find_entry(dict, term);
        out.reply["discipline"] = discipline;
        out.reply["term"] = term;
        if (type == "dict_remove") {
            if (it == dict.entries.end())
                throw ServiceError(errc::not_found, "'" + term + "' is not in " + discipline);
            dict.entries.erase(it);
            files[discipline] = jargon::write_dictionary(dict);
            return "removed '" + term + "' from " + discipline;
        }
        std::vector<std::string> fields(6);
        if (type == "dict_add") {
            if (it != dict.entries.end())
                throw ServiceError(errc::conflict,
                                   "'" + it->term + "' is already in " + discipline + ": edit it");
            fields[4] = guess_kind(term);
        } else {
            if (it == dict.entries.end())
                throw ServiceError(errc::not_found, "'" + term + "' is not in " + discipline);
            fields = fields_of(discipline, *it);
            fields.resize(6);
        }
        for (std::size_t i = 1; i < 6; ++i)
            if (given[i])
                fields[i] = *given[i];
        fields[0] = it == dict.entries.end() ? term : it->term;
        auto entry = entry_from(discipline, fields);
        if (it == dict.entries.end())
            dict.entries.push_back(std::move(entry));
        else
            *it = std::move(entry);
        files[discipline] = jargon::write_dictionary(dict);
        return (type == "dict_add" ? "added '" : "edited '") + term + "' in " + discipline;
    });
}

void Service::dict_discipline(Context& ctx, bool add) {
    const auto discipline = std::string(ctx.req.string("discipline"));
    if (!protocol::valid_name(discipline))
        throw ServiceError(errc::bad_request,
                           "discipline: use 1-64 lower-case letters, digits, '.', '_' or '-'");
    change_dictionaries(ctx, [=](SQLite::Database& db, Files& files, Outcome& out) {
        out.reply["discipline"] = discipline;
        if (add) {
            if (files.contains(discipline))
                throw ServiceError(errc::conflict,
                                   "there is already a '" + discipline + "' dictionary");
            files[discipline] = std::string(jargon::kDictionaryHeader) + "\n";
            return "added the discipline " + discipline;
        }
        if (discipline == jargon::kGeneralDiscipline)
            throw ServiceError(errc::conflict,
                               "'general' is checked for every audience and cannot be removed");
        if (!files.contains(discipline))
            throw ServiceError(errc::not_found, "there is no '" + discipline + "' dictionary");
        SQLite::Statement used(db, "SELECT name FROM agencies WHERE discipline = ? LIMIT 1");
        used.bind(1, discipline);
        if (used.executeStep())
            throw ServiceError(errc::conflict, "the agency '" + used.getColumn(0).getString() +
                                                   "' has this discipline");
        files.erase(discipline);
        return "removed the discipline " + discipline;
    });
}

void Service::dict_import(Context& ctx) {
    const auto discipline = std::string(ctx.req.string("discipline"));
    if (!protocol::valid_name(discipline))
        throw ServiceError(errc::bad_request,
                           "discipline: use 1-64 lower-case letters, digits, '.', '_' or '-'");
    // Validated before anything is queued: every bad row is reported with its line.
    auto parsed = jargon::parse_dictionary(discipline, discipline, ctx.req.string("tsv"));
    if (!parsed.ok()) {
        json::array problems;
        for (const auto& p : parsed.problems())
            problems.push_back(
                json::object{{"discipline", discipline}, {"line", p.line}, {"message", p.reason}});
        const auto n = parsed.problems().size();
        throw ServiceError(
            errc::invalid_dictionary,
            std::to_string(n) + (n == 1 ? " bad row" : " bad rows") +
                "; nothing was imported. First: " + parsed.problems().front().to_string(),
            {{"problems", std::move(problems)}});
    }
    auto dict = std::make_shared<jargon::Dictionary>(std::move(parsed).value());
    change_dictionaries(ctx, [dict, discipline](SQLite::Database&, Files& files, Outcome& out) {
        const auto it = files.find(discipline);
        const auto before =
            it == files.end() ? jargon::Dictionary{discipline, {}} : parse_file(files, discipline);
        files[discipline] = jargon::write_dictionary(*dict);
        out.reply["discipline"] = discipline;
        out.reply["entries"] = dict->entries.size();
        return "imported " + discipline + " (" + difference(before, *dict) + ")";
    });
}

void Service::dict_export(Context& ctx) {
    const auto discipline = std::string(ctx.req.string("discipline"));
    auto out = read(ctx, [&](SQLite::Database& db) {
        const auto files = dictionary_store::current(db);
        const auto it = files.find(discipline);
        if (it == files.end())
            throw ServiceError(errc::not_found, "there is no '" + discipline + "' dictionary");
        return json::object{{"discipline", discipline},
                            {"version", dictionary_store::current_version(db)},
                            {"tsv", it->second}};
    });
    ctx.reply(protocol::encode_ok(ctx.req.id, std::move(out)));
}

void Service::dict_versions(Context& ctx) {
    const auto limit = ctx.req.integer("limit", 50);
    auto out = read(ctx, [&](SQLite::Database& db) {
        return json::object{{"version", dictionary_store::current_version(db)},
                            {"versions", dictionary_store::versions(db, limit)}};
    });
    ctx.reply(protocol::encode_ok(ctx.req.id, std::move(out)));
}

void Service::dict_revert(Context& ctx) {
    const auto version = ctx.req.integer("version", 0);
    change_dictionaries(ctx, [version](SQLite::Database& db, Files& files, Outcome& out) {
        files = require_version(db, version);
        out.reply["reverted_to"] = version;
        return "reverted to version " + std::to_string(version);
    });
}

void Service::dict_feedback(Context& ctx) {
    // Shape first, so that nothing below meets a count it cannot store.
    std::vector<FeedbackCount> counts;
    for (const auto& [entry, value] : ctx.req.object("counts")) {
        const std::string name(entry);
        const auto colon = name.find(':');
        if (colon == std::string::npos || colon + 1 == name.size() ||
            !protocol::valid_name(name.substr(0, colon)))
            throw ServiceError(
                errc::bad_request,
                "counts: each entry must be DISCIPLINE:TERM, not " + quoted_entry(name));
        const auto* both = value.if_object();
        FeedbackCount c{name.substr(0, colon), name.substr(colon + 1), 0, 0};
        for (const auto& [column, n] : both != nullptr ? *both : json::object{}) {
            if ((column != "fixed" && column != "sent_anyway") || !n.is_int64() ||
                n.get_int64() < 0 || n.get_int64() > kFeedbackMaxCount)
                throw ServiceError(errc::bad_request,
                                   "counts: " + quoted_entry(name) +
                                       " must be {\"fixed\": n, \"sent_anyway\": m} with "
                                       "0 <= n, m <= " +
                                       std::to_string(kFeedbackMaxCount));
            (column == "fixed" ? c.fixed : c.sent_anyway) = n.get_int64();
        }
        if (both == nullptr || c.fixed + c.sent_anyway == 0)
            throw ServiceError(errc::bad_request,
                               "counts: " + quoted_entry(name) + " must count something");
        counts.push_back(std::move(c));
    }
    if (counts.empty())
        throw ServiceError(errc::bad_request, "counts: nothing to report");
    // Only entries of the current dictionaries: anything else would be free storage.
    const auto known = read(ctx, [](SQLite::Database& db) { return known_entries(db); });
    for (const auto& c : counts)
        if (!known.contains({c.discipline, c.term}))
            throw ServiceError(errc::bad_request,
                               "counts: " + quoted_entry(c.discipline + ":" + c.term) +
                                   " is not an entry of the dictionaries");
    const auto account = ctx.who.account;
    write(ctx, [=](SQLite::Database& db, Outcome& out) {
        // One report per account per UTC day; the day is the server's, not the client's.
        const int first_today =
            exec(db,
                 "INSERT INTO dictionary_feedback_days(account, day) VALUES(?, date('now')) "
                 "ON CONFLICT(account) DO UPDATE SET day = excluded.day WHERE day < excluded.day",
                 account);
        if (first_today == 0)
            throw ServiceError(errc::already_reported,
                               "this account has already reported today; try again tomorrow");
        for (const auto& c : counts) {
            exec(db,
                 "INSERT INTO dictionary_feedback(discipline, term, day, fixed, sent_anyway) "
                 "VALUES(?, ?, date('now'), ?, ?) ON CONFLICT(discipline, term, day) DO UPDATE "
                 "SET fixed = fixed + excluded.fixed, sent_anyway = sent_anyway + "
                 "excluded.sent_anyway",
                 c.discipline, c.term, c.fixed, c.sent_anyway);
            exec(db,
                 "INSERT OR IGNORE INTO dictionary_feedback_reporters(discipline, term, account) "
                 "VALUES(?, ?, ?)",
                 c.discipline, c.term, account);
        }
        out.reply = {{"recorded", counts.size()}};
    });
}

void Service::dict_noisy(Context& ctx) {
    const auto limit = ctx.req.integer("limit", 50);
    auto list = read(ctx, [&](SQLite::Database& db) {
        const auto known = known_entries(db);
        // Only entries that at least kNoisyMinAccounts accounts reported: fewer could be one
        // person's messages read off the figures.
        SQLite::Statement q(
            db,
            "SELECT f.discipline, f.term, SUM(f.fixed) AS fixed, SUM(f.sent_anyway) AS anyway "
            "FROM dictionary_feedback f WHERE (SELECT COUNT(*) FROM dictionary_feedback_reporters "
            "r WHERE r.discipline = f.discipline AND r.term = f.term) >= ? "
            "GROUP BY f.discipline, f.term "
            "ORDER BY anyway DESC, CAST(anyway AS REAL) / (fixed + anyway) DESC, f.term");
        q.bind(1, kNoisyMinAccounts);
        json::array out;
        while (q.executeStep() && static_cast<std::int64_t>(out.size()) < limit) {
            const auto discipline = q.getColumn(0).getString();
            const auto term = q.getColumn(1).getString();
            if (!known.contains({discipline, term}))
                continue;  // reports about entries that are gone
            const auto fixed = q.getColumn(2).getInt64();
            const auto anyway = q.getColumn(3).getInt64();
            const auto total = fixed + anyway;
            out.push_back(json::object{
                {"discipline", discipline},
                {"term", term},
                {"fixed", fixed},
                {"sent_anyway", anyway},
                {"override_rate", total == 0 ? 0.0 : static_cast<double>(anyway) / total}});
        }
        return out;
    });
    ctx.reply(protocol::encode_ok(ctx.req.id, {{"entries", std::move(list)}}));
}

// ---- questions about terms ----------------------------------------------------------------------

void Service::questions(Context& ctx) {
    auto list = read(ctx, [&](SQLite::Database& db) {
        SQLite::Statement q(db, std::string(kQuestionColumns) +
                                    "WHERE q.asked_by = ? ORDER BY q.id DESC LIMIT 200");
        q.bind(1, ctx.who.account);
        json::array out;
        while (q.executeStep())
            out.push_back(question_json(q));
        return out;
    });
    ctx.reply(protocol::encode_ok(ctx.req.id, {{"questions", std::move(list)}}));
}

void Service::question_list(Context& ctx) {
    auto status = std::string(ctx.req.string("status"));
    if (status.empty())
        status = "open";
    if (status != "open" && status != "answered" && status != "dismissed" && status != "all")
        throw ServiceError(errc::bad_request, "status: must be open, answered, dismissed or all");
    auto list = read(ctx, [&](SQLite::Database& db) {
        SQLite::Statement q(db, std::string(kQuestionColumns) +
                                    "WHERE ? = 'all' OR q.status = ? ORDER BY q.id LIMIT 1000");
        SQLite::bind(q, status, status);
        json::array out;
        while (q.executeStep())
            out.push_back(question_json(q));
        return out;
    });
    ctx.reply(protocol::encode_ok(ctx.req.id, {{"questions", std::move(list)}}));
}

void Service::question_close(Context& ctx, bool answer) {
    const auto id = ctx.req.integer("question", 0);
    auto reply = std::string(ctx.req.string("reply"));
    const auto admin = ctx.who.account;
    const auto discipline = std::string(ctx.req.string("discipline"));
    if (!answer || discipline.empty()) {
        if (answer && reply.empty())
            throw ServiceError(errc::bad_request,
                               "give a reply, or a discipline, alternatives and an explanation to "
                               "add the term to a dictionary");
        write(
            ctx,
            [=, this](SQLite::Database& db, Outcome& out) {
                const auto question = require_open_question(db, id);
                const auto status = answer ? "answered" : "dismissed";
                close_question(db, question, status, reply, admin, out);
                record(db, admin, answer ? "question_answered" : "question_dismissed",
                       {{"question", id}, {"term", question.term}});
            },
            [this](const Outcome& out) {
                bus_.publish(out.notify, std::make_shared<const Frame>(out.event));
            });
        return;
    }
    // Answering by adding the term to a dictionary: one change, one new version.
    if (!ctx.req.body.contains("alternatives") || ctx.req.string("explanation").empty())
        throw ServiceError(errc::bad_request,
                           "to add the term, give alternatives and an explanation too");
    const auto alternatives = list_field(ctx.req, "alternatives");
    const auto explanation = std::string(ctx.req.string("explanation"));
    const auto kind = std::string(ctx.req.string("kind"));
    change_dictionaries(ctx, [=, this](SQLite::Database& db, Files& files, Outcome& out) {
        const auto question = require_open_question(db, id);
        auto dict = parse_file(files, discipline);
        if (find_entry(dict, question.term) != dict.entries.end())
            throw ServiceError(errc::conflict,
                               "'" + question.term + "' is already in " + discipline);
        dict.entries.push_back(
            entry_from(discipline, {question.term, "", alternatives, explanation,
                                    kind.empty() ? guess_kind(question.term) : kind, ""}));
        files[discipline] = jargon::write_dictionary(dict);
        const auto text = reply.empty() ? "Added to the " + discipline +
                                              " dictionary: " + question.term + " means '" +
                                              split(alternatives, '|').front() + "'. " + explanation
                                        : reply;
        close_question(db, question, "answered", text, admin, out);
        record(db, admin, "question_answered", {{"question", id}, {"term", question.term}});
        return "added '" + question.term + "' to " + discipline + " (question " +
               std::to_string(id) + ")";
    });
}

// ---- audit log ----------------------------------------------------------------------------------

void Service::audit_log(Context& ctx) {
    const auto& key = at_rest();
    if (ctx.req.boolean("head", false)) {
        // The signed head, for an admin's client to check against the head it saw last
        // (PROTOCOL.md, "Signed audit heads"), and the hash of record `at` if asked.
        const auto at = ctx.req.integer("at", 0);
        auto out = read(ctx, [&](SQLite::Database& db) {
            const auto h = audit::head(db);
            if (!h)
                throw ServiceError(errc::internal, "the audit log has no head");
            json::object o{{"count", h->signed_part.count},
                           {"last_hash", crypto::to_base64(h->signed_part.last_hash)},
                           {"signed_at", h->signed_part.at},
                           {"signature", h->signature.to_base64()}};
            if (at > 0) {
                o["at"] = at;
                if (const auto hash = audit::hash_of(db, at))
                    o["at_hash"] = crypto::to_base64(*hash);
            }
            return o;
        });
        out["server_key"] = server_keys().public_key().to_base64();
        ctx.reply(protocol::encode_ok(ctx.req.id, std::move(out)));
        return;
    }
    if (ctx.req.boolean("verify", false)) {
        const auto& keys = server_keys();
        const auto verdict =
            read(ctx, [&](SQLite::Database& db) { return audit::verify(db, key, keys); });
        json::object out{{"verified", !verdict.first_bad}, {"records", verdict.records}};
        if (verdict.first_bad) {
            out["first_bad"] = *verdict.first_bad;
            out["reason"] = verdict.reason;
        }
        ctx.reply(protocol::encode_ok(ctx.req.id, std::move(out)));
        return;
    }
    const auto since = ctx.req.integer("since", 0);
    const auto limit = ctx.req.integer("limit", 1000);
    auto records = read(ctx, [&](SQLite::Database& db) {
        json::array out;
        for (auto& r : audit::list(db, key, since, limit))
            out.push_back(json::object{{"seq", r.seq},
                                       {"at", r.at},
                                       {"actor", r.actor},
                                       {"kind", r.kind},
                                       {"details", std::move(r.details)}});
        return out;
    });
    ctx.reply(protocol::encode_ok(ctx.req.id, {{"records", std::move(records)}}));
}

}  // namespace liaise::server
