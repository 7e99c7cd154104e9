// Administration (PROTOCOL.md, "Administration"): agencies, accounts, dictionaries, questions
// about terms, reports of noisy entries and the audit log. Every change made here is appended to
// the audit log inside the same write job, so the record commits if and only if the change does.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json.hpp>
#include <map>
#include <set>

#include "app/require.hpp"
#include "app/room_events.hpp"
#include "app/service.hpp"
#include "clock.hpp"
#include "liaise/jargon/engine.hpp"
#include "liaise/jargon/utf8.hpp"
#include "liaise/protocol/fields.hpp"
#include "store/audit.hpp"

namespace liaise::server {
namespace {

namespace json = boost::json;
using protocol::Role;
namespace errc = protocol::errc;
using Files = store::DictionaryFiles;

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

/// The entries of one version's dictionaries, by (discipline, term). Parses a discipline's file
/// only when first asked about it: a report names few of them. A file that does not parse has
/// no entries. Lives within one unit of work.
class KnownEntries {
  public:
    explicit KnownEntries(Files files) : files_(std::move(files)) {}

    [[nodiscard]] bool contains(const std::string& discipline, const std::string& term) {
        const auto [it, fresh] = terms_.try_emplace(discipline);
        if (fresh) {
            const auto file = files_.find(discipline);
            if (file != files_.end()) {
                auto parsed = jargon::parse_dictionary(discipline, discipline, file->second);
                if (parsed.ok())
                    for (const auto& e : parsed.value().entries)
                        it->second.insert(e.term);
            }
        }
        return it->second.contains(term);
    }

  private:
    Files files_;
    std::map<std::string, std::set<std::string>> terms_;
};

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

store::Question require_open_question(const store::DictionariesView& dictionaries,
                                      std::int64_t id) {
    auto out = dictionaries.question(id);
    if (!out)
        throw ServiceError(errc::not_found, "there is no question " + std::to_string(id));
    if (out->status != "open")
        throw ServiceError(errc::wrong_status,
                           "question " + std::to_string(id) + " is already " + out->status);
    return std::move(*out);
}

/// Closes a question and queues the event that tells the person who asked.
void close_question(store::Dictionaries& dictionaries, const store::Question& question,
                    std::string_view status, const std::string& reply, std::int64_t admin,
                    Outcome& out) {
    dictionaries.close_question(question.id, status, reply, admin, now_ms());
    json::object event{
        {"id", question.id}, {"term", question.term}, {"status", status}, {"reply", reply}};
    out.reply["question"] = question.id;
    out.reply["status"] = status;
    out.reply["reply"] = reply;
    out.event = protocol::encode_event("question", std::move(event));
    notify_later(out, std::vector<std::int64_t>{question.asked_by});
}

/// A question as `questions` and `question_list` show it: the reply (possibly empty) only once
/// it was answered or dismissed, which is when it got one.
json::object question_json(const store::Question& q) {
    json::object o{{"id", q.id},
                   {"term", q.term},
                   {"room", q.room},
                   {"asked_by", q.asked_by_user},
                   {"asked_at", q.asked_at},
                   {"status", q.status}};
    if (q.answered_at) {
        o["reply"] = q.reply;
        o["answered_at"] = *q.answered_at;
    }
    return o;
}

json::array questions_json(const std::vector<store::Question>& questions) {
    json::array out;
    for (const auto& q : questions)
        out.push_back(question_json(q));
    return out;
}

/// How long an enrolment code stays in `account_list`'s `pending` after it expired unused.
constexpr std::int64_t kExpiredCodesShownMs = 30LL * 24 * 3600 * 1000;

/// The `pending` of `account_list`: for each person (or account's new device) the newest code
/// issued, when it has not been used: a new account's only while no account has its name, and
/// an expired one for 30 days after its expiry, so that an admin sees who never enrolled and can
/// issue a code again. Codes an admin issued again are withdrawn (issue_code), so only the
/// newest counts. `agency` empty for every agency. Never the code itself: only its hash is kept.
/// `agency` 0 for every agency.
json::array pending_codes(const store::EnrolmentView& enrolment, store::Id agency,
                          std::int64_t now) {
    json::array out;
    for (const auto& p : enrolment.pending(agency, now - kExpiredCodesShownMs)) {
        const auto& c = p.code;
        out.push_back(json::object{{"user", c.user},
                                   {"display_name", c.display_name},
                                   {"agency", p.agency},
                                   {"role", protocol::to_string(c.role)},
                                   {"kind", c.replaces != 0 ? "device" : "enrol"},
                                   {"issued_at", c.created_at},
                                   {"issued_by", p.issued_by},
                                   {"expires_at", c.expires_at},
                                   {"state", c.expires_at >= now ? "pending" : "expired"}});
    }
    return out;
}

}  // namespace

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
    const auto wanted = suspended ? std::optional<bool>(suspended->as_bool()) : std::nullopt;
    read_object(ctx, [agency, wanted](const store::ReadTx& tx) {
        store::Id agency_id = 0;
        if (!agency.empty()) {
            const auto known = tx.accounts().agency(agency);
            if (!known)
                throw ServiceError(errc::not_found, "no agency named '" + agency + "'");
            agency_id = known->id;
        }
        json::array accounts;
        for (const auto& l : tx.accounts().listing(agency_id, wanted))
            accounts.push_back(json::object{{"user", l.account.user},
                                            {"display_name", l.account.display_name},
                                            {"agency", l.account.agency},
                                            {"discipline", l.account.discipline},
                                            {"role", protocol::to_string(l.account.role)},
                                            {"suspended", l.account.suspended},
                                            {"created_at", l.created_at},
                                            {"devices", l.devices}});
        return json::object{
            {"accounts", std::move(accounts)},
            {"pending",
             wanted == true ? json::array() : pending_codes(tx.enrolment(), agency_id, now_ms())}};
    });
}

void Service::account_role(Context& ctx) {
    const auto user = std::string(ctx.req.string("user"));
    const auto role = protocol::parse_role(ctx.req.string("role"));
    if (!role)
        throw ServiceError(errc::bad_request, "role: must be member, chair or admin");
    const auto actor = ctx.who.account;
    const auto actor_device = ctx.who.device;
    auto events = std::make_shared<RoomEvents>();
    write_tx(
        ctx,
        [=, this](store::Tx& tx, Outcome& out) {
            events->clear();
            const auto target = require_account(tx.accounts(), user);
            const bool changed = target.role != *role;
            if (changed && target.role == Role::admin &&
                tx.accounts().active_admins_except(target.id) == 0)
                throw only_admin(user);
            if (changed) {
                tx.accounts().set_role(target.id, *role);
                record(tx, actor, "role_changed",
                       {{"user", user},
                        {"from", protocol::to_string(target.role)},
                        {"to", protocol::to_string(*role)}});
                auto event = event_about("role_changed", target);
                event["role"] = protocol::to_string(*role);
                event["previous_role"] = protocol::to_string(target.role);
                set_event_actor(event, account_by_id(tx.accounts(), actor));
                events->append_to_rooms_of(tx, target.id, actor_device, event);
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
    write_tx(
        ctx,
        [=, this](store::Tx& tx, Outcome& out) {
            events->clear();
            const auto target = require_account(tx.accounts(), user);
            if (suspend && target.id == actor)
                throw ServiceError(errc::conflict, "you cannot suspend your own account");
            if (suspend && target.role == Role::admin &&
                tx.accounts().active_admins_except(target.id) == 0)
                throw only_admin(user);
            const bool changed = target.suspended != suspend;
            if (changed) {
                tx.accounts().set_suspended(target.id, suspend);
                json::object details{{"user", user}};
                if (!reason.empty())
                    details["reason"] = reason;
                record(tx, actor, suspend ? "account_suspended" : "account_reinstated", details);
                // The reason stays in the audit log: it may be personal.
                auto event =
                    event_about(suspend ? "account_suspended" : "account_reinstated", target);
                set_event_actor(event, account_by_id(tx.accounts(), actor));
                events->append_to_rooms_of(tx, target.id, actor_device, event);
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

void Service::change_dictionaries(Context& ctx, DictionaryEdit edit,
                                  std::function<void(store::Tx&, Outcome&)> also) {
    // What the steps share: the snapshot read, and what the worker made of it.
    struct Change {
        std::int64_t version = 0;
        Files files;  ///< the snapshot's files, as `edit` left them
        std::string acronyms;
        std::shared_ptr<const jargon::Engine> engine;  ///< `files` compiled
    };
    auto change = std::make_shared<Change>();
    auto compiled = std::make_shared<std::shared_ptr<const jargon::Engine>>();
    const auto actor = ctx.who.account;
    auto steps = std::make_shared<OffWriter>();
    steps->read = [change, edit](const store::ReadTx& tx) {
        *change = {};
        change->version = tx.dictionaries().current_version();
        change->files = tx.dictionaries().current();
        change->acronyms = tx.dictionaries().common_acronyms();
        Outcome scratch;  // the write unit fills in the reply
        (void)edit(tx, change->files, scratch);
    };
    steps->work = [change] { change->engine = require_compiled(change->files, change->acronyms); };
    steps->write = [this, change, edit, also, compiled, actor](store::Tx& tx, Outcome& out) {
        compiled->reset();  // a unit runs again after a failed batch
        auto& dictionaries = tx.dictionaries();
        // What was compiled must be what is stored: the same files from the same version (and
        // acronyms), edited the same way. Anything else changed them meanwhile.
        const auto moved = [] {
            return Moved(
                "the dictionaries changed while this change was being checked; nothing was "
                "changed: look again and retry");
        };
        if (dictionaries.current_version() != change->version ||
            dictionaries.common_acronyms() != change->acronyms)
            throw moved();
        auto files = dictionaries.current();
        // Again here, so that what it checks (an agency using a discipline, an open question)
        // is checked against this unit, not only the snapshot.
        const auto summary = edit(store::TxAsRead(tx), files, out);
        if (files != change->files)
            throw moved();
        if (also)
            also(tx, out);
        const auto version = dictionaries.commit(files, actor, summary, now_ms());
        out.reply["changed"] = version.has_value();
        out.reply["version"] = version.value_or(dictionaries.current_version());
        out.reply["summary"] = summary;
        if (!version)
            return;
        record(tx, actor, "dictionary_changed", {{"version", *version}, {"summary", summary}});
        *compiled = change->engine;
    };
    steps->after = [this, compiled](const Outcome& out) {
        if (!out.notify.empty())
            bus_.publish(out.notify, std::make_shared<const Frame>(out.event));
        if (!*compiled)
            return;
        if (engine_ != nullptr)
            engine_->replace(*compiled);  // minutes checks use the new version at once
        spdlog::info("dictionaries are now version {}", out.reply.at("version").as_int64());
        bus_.dictionaries_changed(out.reply.at("version").as_int64());
    };
    off_writer(later(ctx), std::move(steps));
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
    change_dictionaries(ctx, [=](const store::ReadTx&, Files& files, Outcome& out) {
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
    change_dictionaries(ctx, [=](const store::ReadTx& tx, Files& files, Outcome& out) {
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
        // The agency named is the first that was added with it.
        std::optional<store::Agency> user;
        for (auto& agency : tx.accounts().agencies())
            if (agency.discipline == discipline && (!user || agency.id < user->id))
                user = std::move(agency);
        if (user)
            throw ServiceError(errc::conflict,
                               "the agency '" + user->name + "' has this discipline");
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
    change_dictionaries(ctx, [dict, discipline](const store::ReadTx&, Files& files, Outcome& out) {
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
    read_object(ctx, [discipline](const store::ReadTx& tx) {
        const auto files = tx.dictionaries().current();
        const auto it = files.find(discipline);
        if (it == files.end())
            throw ServiceError(errc::not_found, "there is no '" + discipline + "' dictionary");
        return json::object{{"discipline", discipline},
                            {"version", tx.dictionaries().current_version()},
                            {"tsv", it->second}};
    });
}

void Service::dict_versions(Context& ctx) {
    const auto limit = ctx.req.integer("limit", 50);
    read_object(ctx, [limit](const store::ReadTx& tx) {
        json::array versions;
        for (const auto& v : tx.dictionaries().versions(limit))
            versions.push_back(json::object{
                {"version", v.version}, {"by", v.by}, {"at", v.at}, {"summary", v.summary}});
        return json::object{{"version", tx.dictionaries().current_version()},
                            {"versions", std::move(versions)}};
    });
}

void Service::dict_revert(Context& ctx) {
    const auto version = ctx.req.integer("version", 0);
    change_dictionaries(ctx, [version](const store::ReadTx& tx, Files& files, Outcome& out) {
        files = require_version(tx.dictionaries(), version);
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
    const auto account = ctx.who.account;
    // Only entries of the current dictionaries: anything else would be free storage. Parsing
    // them is CPU work, done on the worker from a snapshot; the write checks the snapshot is
    // still current.
    struct Report {
        std::int64_t version = 0;
        Files files;
        std::vector<store::NoisyEntry> entries;
    };
    auto report = std::make_shared<Report>();
    auto steps = std::make_shared<OffWriter>();
    steps->read = [report](const store::ReadTx& tx) {
        *report = {};
        report->version = tx.dictionaries().current_version();
        report->files = tx.dictionaries().current();
    };
    steps->work = [report, counts] {
        KnownEntries known(std::move(report->files));
        report->entries.clear();
        for (const auto& c : counts) {
            if (!known.contains(c.discipline, c.term))
                throw ServiceError(errc::bad_request,
                                   "counts: " + quoted_entry(c.discipline + ":" + c.term) +
                                       " is not an entry of the dictionaries");
            report->entries.push_back({c.discipline, c.term, c.fixed, c.sent_anyway, 0});
        }
    };
    steps->write = [report, account](store::Tx& tx, Outcome& out) {
        if (tx.dictionaries().current_version() != report->version)
            throw Moved(
                "the dictionaries changed while this report was being checked; nothing was "
                "recorded: send it again");
        // One report per account per UTC day; the day is the server's, not the client's.
        if (!tx.dictionaries().report_noisy(account, protocol::utc_date(), report->entries))
            throw ServiceError(errc::already_reported,
                               "this account has already reported today; try again tomorrow");
        out.reply = {{"recorded", report->entries.size()}};
    };
    off_writer(later(ctx), std::move(steps));
}

void Service::dict_noisy(Context& ctx) {
    const auto limit = ctx.req.integer("limit", 50);
    read_object(ctx, [limit](const store::ReadTx& tx) {
        KnownEntries known(tx.dictionaries().current());
        json::array out;
        // Only entries that at least kNoisyMinAccounts accounts reported: fewer could be one
        // person's messages read off the figures.
        for (const auto& e : tx.dictionaries().noisy(kNoisyMinAccounts)) {
            if (static_cast<std::int64_t>(out.size()) >= limit)
                break;
            if (!known.contains(e.discipline, e.term))
                continue;  // reports about entries that are gone
            const auto total = e.fixed + e.sent_anyway;
            out.push_back(json::object{
                {"discipline", e.discipline},
                {"term", e.term},
                {"fixed", e.fixed},
                {"sent_anyway", e.sent_anyway},
                {"override_rate", total == 0 ? 0.0 : static_cast<double>(e.sent_anyway) / total}});
        }
        return json::object{{"entries", std::move(out)}};
    });
}

// ---- questions about terms ----------------------------------------------------------------------

void Service::questions(Context& ctx) {
    read_object(ctx, [account = ctx.who.account](const store::ReadTx& tx) {
        return json::object{
            {"questions", questions_json(tx.dictionaries().questions_asked_by(account, 200))}};
    });
}

void Service::question_list(Context& ctx) {
    auto status = std::string(ctx.req.string("status"));
    if (status.empty())
        status = "open";
    if (status != "open" && status != "answered" && status != "dismissed" && status != "all")
        throw ServiceError(errc::bad_request, "status: must be open, answered, dismissed or all");
    read_object(ctx, [status](const store::ReadTx& tx) {
        const auto wanted = status == "all" ? std::string() : status;
        return json::object{
            {"questions", questions_json(tx.dictionaries().questions(wanted, 1000))}};
    });
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
        write_tx(
            ctx,
            [=, this](store::Tx& tx, Outcome& out) {
                const auto question = require_open_question(tx.dictionaries(), id);
                const auto status = answer ? "answered" : "dismissed";
                close_question(tx.dictionaries(), question, status, reply, admin, out);
                record(tx, admin, answer ? "question_answered" : "question_dismissed",
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
    change_dictionaries(
        ctx,
        [=](const store::ReadTx& tx, Files& files, Outcome&) {
            const auto question = require_open_question(tx.dictionaries(), id);
            auto dict = parse_file(files, discipline);
            if (find_entry(dict, question.term) != dict.entries.end())
                throw ServiceError(errc::conflict,
                                   "'" + question.term + "' is already in " + discipline);
            dict.entries.push_back(
                entry_from(discipline, {question.term, "", alternatives, explanation,
                                        kind.empty() ? guess_kind(question.term) : kind, ""}));
            files[discipline] = jargon::write_dictionary(dict);
            return "added '" + question.term + "' to " + discipline + " (question " +
                   std::to_string(id) + ")";
        },
        // The question is closed in the same unit as the dictionaries change.
        [=, this](store::Tx& tx, Outcome& out) {
            const auto question = require_open_question(tx.dictionaries(), id);
            const auto text = reply.empty()
                                  ? "Added to the " + discipline + " dictionary: " + question.term +
                                        " means '" + split(alternatives, '|').front() + "'. " +
                                        explanation
                                  : reply;
            close_question(tx.dictionaries(), question, "answered", text, admin, out);
            record(tx, admin, "question_answered", {{"question", id}, {"term", question.term}});
        });
}

// ---- audit log ----------------------------------------------------------------------------------

void Service::audit_log(Context& ctx) {
    const auto* key = &at_rest();
    if (ctx.req.boolean("head", false)) {
        // The signed head, for an admin's client to check against the head it saw last
        // (PROTOCOL.md, "Signed audit heads"), and the hash of record `at` if asked.
        const auto at = ctx.req.integer("at", 0);
        read_object(ctx, [this, at](const store::ReadTx& tx) {
            const auto h = audit::head(tx.audit());
            if (!h)
                throw ServiceError(errc::internal, "the audit log has no head");
            json::object o{{"count", h->signed_part.count},
                           {"last_hash", crypto::to_base64(h->signed_part.last_hash)},
                           {"signed_at", h->signed_part.at},
                           {"signature", h->signature.to_base64()}};
            if (at > 0) {
                o["at"] = at;
                if (const auto hash = audit::hash_of(tx.audit(), at))
                    o["at_hash"] = crypto::to_base64(*hash);
            }
            o["server_key"] = server_keys().public_key().to_base64();
            return o;
        });
        return;
    }
    if (ctx.req.boolean("verify", false)) {
        const auto* keys = &server_keys();
        read_object(ctx, [key, keys](const store::ReadTx& tx) {
            const auto verdict = audit::verify(tx.audit(), *key, *keys);
            json::object out{{"verified", !verdict.first_bad}, {"records", verdict.records}};
            if (verdict.first_bad) {
                out["first_bad"] = *verdict.first_bad;
                out["reason"] = verdict.reason;
            }
            return out;
        });
        return;
    }
    const auto since = ctx.req.integer("since", 0);
    const auto limit = ctx.req.integer("limit", 1000);
    read_object(ctx, [key, since, limit](const store::ReadTx& tx) {
        json::array out;
        for (auto& r : audit::list(tx.audit(), *key, since, limit))
            out.push_back(json::object{{"seq", r.seq},
                                       {"at", r.at},
                                       {"actor", r.actor},
                                       {"kind", r.kind},
                                       {"details", std::move(r.details)}});
        return json::object{{"records", std::move(out)}};
    });
}

}  // namespace liaise::server
