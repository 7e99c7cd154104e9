// Subject access requests (PROTOCOL.md, "Subject access requests"). An information-governance
// (IG) officer, who need not be an admin, is an account an admin has given the `governance`
// permission, with a reason; the permission is kept in the server's settings as one JSON
// object (the few officers a partnership has) and every grant and withdrawal is in the audit
// log. Only an officer may make a subject access request: for an account or a name written in
// the minutes, with a reason or case reference. The request is recorded in the audit log (who,
// for whom, why, how many items: never what was found) in the same unit of work that gathers the
// bundle, so a bundle is never produced without its record. The bundle is paged so that each
// reply fits in a frame: the client asks for page 1, then the next until `pages`.
#include <algorithm>
#include <boost/json.hpp>
#include <cctype>

#include "app/governance.hpp"
#include "app/require.hpp"
#include "app/service.hpp"
#include "app/subject_access_search.hpp"
#include "clock.hpp"
#include "liaise/calendar/london_time.hpp"

namespace liaise::server {
namespace {

namespace json = boost::json;
namespace errc = protocol::errc;

/// The setting that holds the officers: {"<account id>": {"granted_by", "granted_at",
/// "reason"}}.
constexpr std::string_view kOfficersSetting = "governance_officers";
/// A page holds items up to about this many bytes of JSON (a reply frame's default limit is
/// 1 MiB; the header and rooms come on top).
constexpr std::size_t kPageBytes = 512 * 1024;
/// The rooms listed, at most (every page repeats them).
constexpr std::size_t kMaxRooms = 1000;

json::object officers(const store::SecretsView& secrets) {
    const auto text = secrets.setting(kOfficersSetting);
    if (!text || text->empty())
        return {};
    boost::system::error_code ec;
    auto v = json::parse(*text, ec);
    if (ec || !v.is_object())
        throw ServiceError(errc::internal, "the stored list of IG officers does not read");
    return std::move(v.as_object());
}

/// A reason as given, or bad_request when it is only spaces.
std::string require_reason(std::string_view reason) {
    if (reason.find_first_not_of(" \t\r\n") == std::string_view::npos)
        throw ServiceError(errc::bad_request,
                           "reason: say why, for example the request's case reference");
    return std::string(reason);
}

/// The items cut into pages of about kPageBytes each (at least one item a page, one page for
/// none); returns the index of each page's first item and the end.
std::vector<std::size_t> page_starts(const std::vector<json::object>& items) {
    std::vector<std::size_t> starts{0};
    std::size_t bytes = 0;
    for (std::size_t i = 0; i < items.size(); ++i) {
        const auto size = json::serialize(items[i]).size();
        if (bytes > 0 && bytes + size > kPageBytes) {
            starts.push_back(i);
            bytes = 0;
        }
        bytes += size;
    }
    starts.push_back(items.size());
    return starts;
}

json::object notes(const subject_access::Subject& subject) {
    const std::string matching =
        subject.account
            ? "Entries that name the account in an account field (attendee, chair, minute-taker, "
              "action owner, recipient, signer, audit actor or subject) or whose text contains "
              "its display name or user name as a whole word, letters A-Z compared without case."
            : "Entries whose text contains the name as a whole word or phrase, letters A-Z "
              "compared without case and spaces collapsed ('Kelly Smith' matches 'kelly  smith' "
              "and \"Kelly Smith's\" but not 'Kelly Smithson'). Other spellings, initials and "
              "nicknames are not found: search again for each.";
    return {
        {"schema",
         "Liaise subject access bundle, version 1 (PROTOCOL.md, \"Subject access requests\"): "
         "items[] each with source (minutes, action, audit), where it is from (meeting, title, "
         "room, date in Europe/London time, section, versions), matched, others_named, text and "
         "entry (the record as stored)."},
        {"matching", matching},
        {"searched",
         "Every meeting's minutes in every room (the current draft or record and every "
         "circulated version), every action, and the whole audit log."},
        {"messages",
         "Chat messages are end-to-end encrypted: the server holds only ciphertext and cannot "
         "search them. The rooms list gives the rooms where the person is or was a member, sent "
         "messages, or is named in the minutes, with dates: ask the rooms' members to search "
         "their own devices for the person's messages and mentions."},
        {"redaction",
         "Nothing is redacted. Other people's names and information are left visible; "
         "others_named lists the people in each item's meeting who are named in it. Review "
         "every item for third parties' information before release."},
        {"deadline",
         "Under UK GDPR the answer is due within one month of receiving the request "
         "(extendable by two further months for complex or numerous requests)."}};
}

}  // namespace

bool holds_governance(const store::SecretsView& secrets, std::int64_t account) {
    return officers(secrets).contains(std::to_string(account));
}

void Service::governance_grant(Context& ctx) {
    const auto user = std::string(ctx.req.string("user"));
    const bool grant = ctx.req.boolean("grant", false);
    const auto reason = require_reason(ctx.req.string("reason"));
    const auto actor = ctx.who.account;
    const auto actor_user = ctx.who.user;
    write_tx(ctx, [=, this](store::Tx& tx, Outcome& out) {
        const auto target = require_account(tx.accounts(), user);
        auto list = officers(tx.secrets());
        const auto key = std::to_string(target.id);
        const bool had = list.contains(key);
        if (grant && !had)
            list[key] = json::object{
                {"granted_by", actor_user}, {"granted_at", now_ms()}, {"reason", reason}};
        else if (!grant && had)
            list.erase(key);
        const bool changed = grant != had;
        if (changed) {
            tx.secrets().set_setting(kOfficersSetting, json::serialize(list));
            record(tx, actor, grant ? "governance_granted" : "governance_withdrawn",
                   {{"user", user}, {"reason", reason}});
        }
        out.reply = {{"user", user}, {"governance", grant}, {"changed", changed}};
    });
}

void Service::governance_list(Context& ctx) {
    read_object(ctx, [](const store::ReadTx& tx) {
        json::array out;
        for (const auto& [id, v] : officers(tx.secrets())) {
            const auto account = tx.accounts().by_id(std::stoll(std::string(id)));
            if (!account)
                continue;
            auto o = v.as_object();
            o["user"] = account->user;
            o["display_name"] = account->display_name;
            o["agency"] = account->agency;
            o["suspended"] = account->suspended;
            out.push_back(std::move(o));
        }
        return json::object{{"officers", std::move(out)}};
    });
}

void Service::subject_access(Context& ctx) {
    const auto user = std::string(ctx.req.string("user"));
    const auto name = std::string(ctx.req.string("name"));
    const auto reason = require_reason(ctx.req.string("reason"));
    const auto page = ctx.req.integer("page", 1);
    if (user.empty() == name.empty())
        throw ServiceError(errc::bad_request,
                           user.empty() ? "say whose records to find: give a user name (user) or "
                                          "a name as written in the minutes (name)"
                                        : "give a user name (user) or a name (name), not both");
    if (!user.empty() && !protocol::valid_name(user))
        throw ServiceError(errc::bad_request,
                           "user: not a user name (letters a-z, digits, '.', '_' and '-'); for a "
                           "person without an account use name");
    const auto alnum = [](char c) {
        return static_cast<unsigned char>(c) >= 0x80 || std::isalnum(static_cast<unsigned char>(c));
    };
    if (!name.empty() && std::none_of(name.begin(), name.end(), alnum))
        throw ServiceError(errc::bad_request,
                           "name: must hold at least one letter or digit, for example 'Kelly "
                           "Smith'");
    const auto* key = &at_rest();
    const auto actor = ctx.who.account;
    write_tx(ctx, [=, this](store::Tx& tx, Outcome& out) {
        if (!officers(tx.secrets()).contains(std::to_string(actor)))
            throw ServiceError(errc::forbidden,
                               "subject access requests need the information-governance "
                               "permission: an admin gives it with `liaise admin governance "
                               "USER --grant --reason ...`");
        subject_access::Subject subject;
        if (!user.empty())
            subject.account = require_account(tx.accounts(), user);
        else
            subject.name = name;
        auto found = subject_access::search(tx, *key, subject);
        const auto starts = page_starts(found.items);
        const auto pages = static_cast<std::int64_t>(starts.size() - 1);
        if (page > pages)
            throw ServiceError(errc::bad_request, "page: the bundle has " + std::to_string(pages) +
                                                      " page" + (pages == 1 ? "" : "s"));
        json::object details{{"reason", reason},
                             {"items", static_cast<std::int64_t>(found.items.size())},
                             {"page", page}};
        if (subject.account)
            details["for_user"] = user;
        else
            details["for_name"] = name;
        record(tx, actor, "subject_access", details);

        const auto now = now_ms();
        const auto today = calendar::iso_text(calendar::london_date(now));
        json::array items;
        const auto from = starts[static_cast<std::size_t>(page - 1)];
        const auto to = starts[static_cast<std::size_t>(page)];
        for (auto i = from; i < to; ++i)
            items.push_back(std::move(found.items[i]));
        json::array rooms;
        for (std::size_t i = 0; i < found.rooms.size() && i < kMaxRooms; ++i)
            rooms.push_back(found.rooms[i]);
        json::object subject_json;
        if (subject.account)
            subject_json = {{"user", subject.account->user},
                            {"display_name", subject.account->display_name},
                            {"agency", subject.account->agency}};
        else
            subject_json = {{"name", name}};
        const auto me = tx.accounts().by_id(actor);
        out.reply = {
            {"page", page},
            {"pages", pages},
            {"bundle", json::object{{"subject", std::move(subject_json)},
                                    {"reason", reason},
                                    {"requested_by", me ? me->user : std::string()},
                                    {"generated_at", now},
                                    {"generated", calendar::london_date_time(now)},
                                    {"respond_by", subject_access::respond_by(today)},
                                    {"total_items", static_cast<std::int64_t>(found.items.size())},
                                    {"first_item", static_cast<std::int64_t>(from) + 1},
                                    {"items", std::move(items)},
                                    {"rooms", std::move(rooms)},
                                    {"rooms_total", static_cast<std::int64_t>(found.rooms.size())},
                                    {"notes", notes(subject)}}}};
    });
}

}  // namespace liaise::server
