// After circulation (PROTOCOL.md, "After circulation"): recipients acknowledge the minutes sent
// to them and send accuracy comments within the kind's window; the chair resolves each comment
// by an answer or by a correction (meeting_correct); chairs and minute-takers list what is due
// and late on their meetings.
//
// Who may do what: only an account the version was sent to (its distribution) acknowledges it
// or comments on it; anyone else in the room is refused with not_recipient, and to anyone
// outside the room the meeting does not exist. Only the chair resolves. The chair and the
// minute-taker see every comment; a recipient sees their own.
//
// A comment's text and the chair's answer are case content: sealed with the at-rest key for
// ("minutes_comments", id, rev), never logged; the audit log records who did what to which
// comment number, never its words.
//
// Acknowledgements and comments are signed by the recipient's device (PROTOCOL.md, "Signed
// acknowledgements and comments"): each request carries signed_at and signature, checked for
// shape (bad_request) before anything is read and against the caller's registered device key
// (bad_signature) before anything is stored, and every reply that shows them carries the
// signature and the signer's device keys so that clients check it against the key they pinned.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json.hpp>
#include <set>

#include "app/minutes_json.hpp"
#include "app/minutes_records.hpp"
#include "app/minutes_signing.hpp"
#include "app/minutes_template.hpp"
#include "app/service.hpp"
#include "clock.hpp"
#include "liaise/calendar/london_time.hpp"
#include "liaise/protocol/fields.hpp"
#include "liaise/protocol/minutes_receipts.hpp"
#include "store/at_rest.hpp"

namespace liaise::server {
namespace {

namespace json = boost::json;
namespace errc = protocol::errc;
using protocol::str;
using namespace minutes;

/// Parts of any record a comment may be about, besides its template's sections.
const std::set<std::string, std::less<>> kCommonParts = {"general", "attendance", "agenda",
                                                         "decisions", "actions"};

/// The version a recipient request is about: `asked`, or the meeting's newest fixed one.
std::int64_t fixed_version_of(const Meeting& m, std::int64_t asked) {
    if (asked != 0) {
        if (asked > m.version || (asked == m.version && m.status == "draft"))
            throw ServiceError(errc::not_found, "meeting " + std::to_string(m.id) +
                                                    " has no circulated version " +
                                                    std::to_string(asked));
        return asked;
    }
    const auto v = m.status == "draft" ? m.version - 1 : m.version;
    if (v < 1)
        throw ServiceError(errc::wrong_status, "meeting " + std::to_string(m.id) +
                                                   " has not been circulated yet: there is "
                                                   "nothing to acknowledge or comment on");
    return v;
}

/// The comment as its author and the chair see it (the body opened).
json::object comment_json(const Reader& r, const AtRestKey& key, const store::AccuracyComment& c) {
    const auto body = open_body(key, c.body, "minutes_comments", c.id, c.rev, "accuracy comment");
    json::object o{{"comment", c.id},
                   {"meeting", c.meeting},
                   {"version", c.version},
                   {"section", c.section},
                   {"by", person_json(person_by_id(r, c.author))},
                   {"sent_at", c.sent_at},
                   {"text", str(body, "text")},
                   {"status", c.resolution.empty() ? std::string("open") : c.resolution}};
    // The author's device's signature; comments sent before they were signed have none.
    if (const auto sig = str(body, "signature"); !sig.empty()) {
        const auto device = protocol::num(body, "device");
        const auto keys = r.accounts.device(device, c.author);
        o["signed_at"] = protocol::num(body, "signed_at");
        o["signature"] = sig;
        o["device"] = std::to_string(device);
        o["signer_keys"] = keys
                               ? json::value(signer_keys_json(device, keys->sign_key, keys->box_key,
                                                              keys->box_key_signature))
                               : json::value(nullptr);
    } else {
        o["signature"] = nullptr;
    }
    if (!c.resolution.empty()) {
        o["resolved_by"] = person_json(person_by_id(r, c.resolved_by));
        o["resolved_at"] = c.resolved_at.value_or(0);
    }
    if (c.resolution == "answered")
        o["answer"] = str(body, "answer");
    if (c.resolution == "corrected")
        o["corrected_in"] = c.corrected_in;
    return o;
}

/// Whether `account` was sent version `v` of meeting `m`.
bool was_sent(const Reader& r, Id meeting, std::int64_t v, const store::AccountRow& account) {
    const auto d = r.meetings.distribution(meeting, v);
    return std::any_of(d.begin(), d.end(),
                       [&](const store::Distribution& e) { return e.user == account.user; });
}

}  // namespace

void Service::minutes_acknowledge(Context& ctx) {
    const auto& key = at_rest();
    const auto id = ctx.req.integer("meeting", 0);
    const auto asked = ctx.req.integer("version", 0);
    const auto caller = ctx.who.account;
    const auto signed_by = ctx.who;
    const auto receipt = signed_receipt(ctx.req, now_ms());
    write_tx(ctx, [=, this, &key](store::Tx& tx, Outcome& out) {
        std::int64_t version = 0;
        auto done = store::Acknowledged::already;
        {
            const auto r = reader_of(tx);
            const auto m = load_meeting(r, key, id);
            require_reader(r, m, caller);
            version = fixed_version_of(m, asked);
            const auto at = now_ms();
            // A copy's recipient is told so before anything is said of their signature.
            const auto sent = was_sent(r, id, version, person_by_id(r, caller));
            const protocol::Acknowledgement ack{
                id,
                m.room.name,
                version,
                protocol::circulation_digest(fixed_version(r, key, id, version)),
                signed_by.user,
                receipt.signed_at};
            if (sent &&
                !protocol::acknowledgement_valid(signed_by.sign_key, ack, receipt.signature))
                throw ServiceError(errc::bad_signature,
                                   "the signature does not match your acknowledgement of version " +
                                       std::to_string(version) + " of meeting " +
                                       std::to_string(id) +
                                       " as it was circulated, signed with your device's key; "
                                       "show the minutes again and acknowledge what you see");
            done = tx.followup().acknowledge(
                id, version, caller, at,
                {signed_by.device, receipt.signed_at, receipt.signature.to_base64(), {}, {}, {}});
            if (done == store::Acknowledged::not_recipient)
                throw ServiceError(errc::not_recipient,
                                   "version " + std::to_string(version) + " of meeting " +
                                       std::to_string(id) +
                                       " was not sent to you, so there is nothing for you to "
                                       "acknowledge; only the people it was sent to can");
            // Acknowledging is reading: the copy counts as received too.
            (void)tx.meetings().mark_received(id, version, caller, at);
            const auto when = tx.followup().acknowledged_at(id, version, caller).value_or(at);
            out.reply = {{"meeting", id},
                         {"version", version},
                         {"acknowledged_at", when},
                         {"acknowledged_on", calendar::uk_date(calendar::london_date(when))},
                         {"already", done != store::Acknowledged::now}};
        }
        if (done == store::Acknowledged::now)
            record(tx, caller, "minutes_acknowledged", {{"meeting", id}, {"version", version}});
        else if (done == store::Acknowledged::signed_now)  // one from before they were signed
            record(tx, caller, "minutes_acknowledgement_signed",
                   {{"meeting", id}, {"version", version}});
    });
}

void Service::minutes_comment(Context& ctx) {
    const auto& key = at_rest();
    const auto id = ctx.req.integer("meeting", 0);
    const auto asked = ctx.req.integer("version", 0);
    const auto section = std::string(ctx.req.string("section"));
    const auto text = std::string(ctx.req.string("text"));
    const auto caller = ctx.who.account;
    const auto signed_by = ctx.who;
    if (text.find_first_not_of(" \t\r\n") == std::string::npos)
        throw ServiceError(errc::bad_request,
                           "text: say what is inaccurate and what it should say");
    const auto receipt = signed_receipt(ctx.req, now_ms());
    write_tx(ctx, [=, this, &key](store::Tx& tx, Outcome& out) {
        store::AccuracyComment c;
        {
            const auto r = reader_of(tx);
            const auto m = load_meeting(r, key, id);
            require_reader(r, m, caller);
            const auto version = fixed_version_of(m, asked);
            if (!was_sent(r, id, version, person_by_id(r, caller)))
                throw ServiceError(errc::not_recipient,
                                   "version " + std::to_string(version) + " of meeting " +
                                       std::to_string(id) +
                                       " was not sent to you; only the people it was sent to "
                                       "can send accuracy comments on it");
            const auto v = r.meetings.version(id, version);
            if (!v)
                throw ServiceError(errc::internal, "a circulated version is missing");
            const auto& kind = minutes_template::kind_of(m.kind);
            const auto closes = minutes_template::comments_close_on(
                meeting_clocks(r.accounts, config_.clocks, m.kind, m.chair), v->circulated_at);
            if (!closes)
                throw ServiceError(errc::internal,
                                   "the bank holiday calendar does not cover this version's "
                                   "comment window; ask the operator to update it");
            const auto now = now_ms();
            if (calendar::london_date(now) > *closes)
                throw ServiceError(errc::comments_closed,
                                   "the window for accuracy comments on version " +
                                       std::to_string(version) + " of meeting " +
                                       std::to_string(id) + " closed at the end of " +
                                       calendar::uk_long_date(*closes) +
                                       "; speak to the chair, who can still correct the record",
                                   {{"closed_on", calendar::iso_text(*closes)}});
            if (!kCommonParts.contains(section) && !kind.has_section(section)) {
                std::string known;
                for (const auto& s : kind.sections)
                    known += s + ", ";
                throw ServiceError(errc::bad_request,
                                   "section: '" + section + "' is not a part of this " +
                                       kind.label + "'s record; use one of " + known +
                                       "general, attendance, agenda, decisions or actions");
            }
            if (!protocol::comment_valid(
                    signed_by.sign_key,
                    {id, version, section, text, signed_by.user, receipt.signed_at},
                    receipt.signature))
                throw ServiceError(errc::bad_signature,
                                   "the signature does not match your comment on section '" +
                                       section + "' of version " + std::to_string(version) +
                                       " of meeting " + std::to_string(id) +
                                       ", signed with your device's key; send it again");
            c.meeting = id;
            c.version = version;
            c.author = caller;
            c.section = section;
            c.sent_at = now;
            c.body = {};
            c.id = tx.followup().add_comment(c);
            c.rev = 1;
            c.body =
                key.seal(json::serialize(json::object{{"text", text},
                                                      {"signed_at", receipt.signed_at},
                                                      {"signature", receipt.signature.to_base64()},
                                                      {"device", signed_by.device}}),
                         {"minutes_comments", c.id, c.rev});
            tx.followup().update_comment(c);
            out.reply = comment_json(r, key, c);
            out.reply["window_closes"] = calendar::iso_text(*closes);
        }
        record(tx, caller, "minutes_comment_sent",
               {{"meeting", id}, {"version", c.version}, {"comment", c.id}, {"section", section}});
        spdlog::info("meeting {}: accuracy comment {} on version {}", id, c.id, c.version);
    });
}

void Service::minutes_comments(Context& ctx) {
    const auto& key = at_rest();
    read_object(ctx, [&key, id = ctx.req.integer("meeting", 0),
                      account = ctx.who.account](const store::ReadTx& tx) {
        const auto r = reader_of(tx);
        const auto m = load_meeting(r, key, id);
        require_reader(r, m, account);
        const bool runs = account == m.chair || account == m.minute_taker;
        json::array list;
        std::int64_t open = 0;
        for (const auto& c : tx.followup().comments(id)) {
            if (!runs && c.author != account)
                continue;
            if (c.resolution.empty())
                ++open;
            list.push_back(comment_json(r, key, c));
        }
        return json::object{
            {"meeting", id}, {"all", runs}, {"open", open}, {"comments", std::move(list)}};
    });
}

void Service::minutes_comment_resolve(Context& ctx) {
    const auto& key = at_rest();
    const auto id = ctx.req.integer("meeting", 0);
    const auto comment = ctx.req.integer("comment", 0);
    const auto corrected_in = ctx.req.integer("corrected_in", 0);
    const bool answered = ctx.req.body.contains("answer");
    const auto answer = std::string(ctx.req.string("answer"));
    const auto caller = ctx.who.account;
    if (answered == (corrected_in != 0))
        throw ServiceError(errc::bad_request,
                           "give either answer (your reply, when the record stays as it is) or "
                           "corrected_in (the version that corrects it), not both and not neither");
    if (answered && answer.find_first_not_of(" \t\r\n") == std::string::npos)
        throw ServiceError(errc::bad_request, "answer: write your reply to the comment");
    write_tx(ctx, [=, this, &key](store::Tx& tx, Outcome& out) {
        store::AccuracyComment c;
        {
            const auto r = reader_of(tx);
            const auto m = load_meeting(r, key, id);
            require_reader(r, m, caller);
            const auto found = tx.followup().comment(comment);
            if (!found || found->meeting != id)
                throw ServiceError(
                    errc::not_found,
                    "meeting " + std::to_string(id) + " has no comment " + std::to_string(comment));
            if (caller != m.chair)
                throw ServiceError(errc::forbidden, "only the chair of meeting " +
                                                        std::to_string(id) +
                                                        " resolves accuracy comments on it");
            c = *found;
            if (!c.resolution.empty())
                throw ServiceError(
                    errc::conflict,
                    "comment " + std::to_string(comment) + " was resolved already (" +
                        c.resolution + ", on " +
                        calendar::uk_date(calendar::london_date(c.resolved_at.value_or(0))) + ")");
            if (corrected_in != 0 && (corrected_in <= c.version || corrected_in > m.version))
                throw ServiceError(
                    errc::bad_request,
                    "corrected_in: comment " + std::to_string(comment) + " is on version " +
                        std::to_string(c.version) +
                        "; name a later version of this meeting that corrects it (start one with "
                        "meeting_correct; the newest is " +
                        std::to_string(m.version) + ")");
            auto body = open_body(key, c.body, "minutes_comments", c.id, c.rev, "accuracy comment");
            if (answered)
                body["answer"] = answer;
            c.resolution = answered ? "answered" : "corrected";
            c.corrected_in = corrected_in;
            c.resolved_by = caller;
            c.resolved_at = now_ms();
            ++c.rev;
            c.body = key.seal(json::serialize(body), {"minutes_comments", c.id, c.rev});
            tx.followup().update_comment(c);
            out.reply = comment_json(r, key, c);
        }
        json::object detail{{"meeting", id}, {"comment", comment}, {"resolution", c.resolution}};
        if (corrected_in != 0)
            detail["corrected_in"] = corrected_in;
        record(tx, caller, "minutes_comment_resolved", detail);
    });
}

void Service::minutes_due(Context& ctx) {
    const auto& key = at_rest();
    read_object(ctx, [&key, &clocks = config_.clocks,
                      account = ctx.who.account](const store::ReadTx& tx) {
        const auto r = reader_of(tx);
        const auto now = now_ms();
        json::array list;
        for (const auto& row : tx.followup().clocked_meetings(account)) {
            const auto& kind = minutes_template::kind_of(row.kind);
            json::array due;
            for (auto& v : minutes_template::deadlines_json(
                     meeting_clocks(r.accounts, clocks, row.kind, row.chair), row.starts_at,
                     row.first_circulated, now)) {
                const auto status = str(v.as_object(), "status");
                if (status == "due" || status == "late" || status == "open" || status == "unknown")
                    due.push_back(std::move(v));
            }
            // Who has not acknowledged the newest circulated version, and comments waiting.
            // The acknowledgements themselves, signed, for the chair's device to check: the
            // count is only what the server says.
            std::int64_t waiting = 0;
            json::array acknowledged;
            const auto fixed = row.status == "draft" ? row.version - 1 : row.version;
            if (fixed >= 1)
                for (const auto& d : r.meetings.distribution(row.id, fixed)) {
                    waiting += d.acknowledged_at ? 0 : 1;
                    if (d.acknowledged_at)
                        acknowledged.push_back(
                            json::object{{"user", d.user},
                                         {"name", d.display_name},
                                         {"agency", d.agency},
                                         {"acknowledged_at", *d.acknowledged_at},
                                         {"ack_signature", ack_signature_json(d)}});
                }
            std::int64_t open = 0;
            for (const auto& c : tx.followup().comments(row.id))
                open += c.resolution.empty() ? 1 : 0;
            if (due.empty() && waiting == 0 && open == 0)
                continue;
            const auto m = load_meeting(r, key, row.id);
            list.push_back(json::object{{"meeting", row.id},
                                        {"room", row.room_name},
                                        {"title", str(m.body, "title")},
                                        {"kind", row.kind},
                                        {"kind_label", kind.label},
                                        {"starts_at", row.starts_at},
                                        {"status", row.status},
                                        {"role", row.chair == account ? "chair" : "minute_taker"},
                                        {"deadlines", std::move(due)},
                                        {"version", fixed},
                                        {"not_acknowledged", waiting},
                                        {"acknowledged", std::move(acknowledged)},
                                        {"open_comments", open}});
        }
        return json::object{{"today", calendar::iso_text(calendar::london_date(now))},
                            {"meetings", std::move(list)}};
    });
}

}  // namespace liaise::server
