// Withdrawing a misdirected message (PROTOCOL.md, "Withdrawing a message"): the sender's (or
// an admin's) signed statement, and how every reader checks one before deleting its copy. The
// server is not trusted to say that a message was withdrawn: a statement that does not verify
// against the withdrawer's pinned key, or does not match this device's copy, is refused with a
// warning, and the copy stays.
#include <boost/json.hpp>
#include <chrono>

#include "history_store.hpp"
#include "liaise/client/client.hpp"
#include "liaise/protocol/fields.hpp"
#include "liaise/protocol/withdrawal.hpp"

namespace liaise::client {
namespace {

namespace json = boost::json;
using protocol::num;
using protocol::str;

protocol::Error failure(std::string code, std::string message) {
    return {std::move(code), std::move(message)};
}

/// The statement a `message_withdrawn` event of `room` carries, or nullopt if it lacks a field.
std::optional<crypto::Withdrawal> statement(const std::string& room, const json::object& e) {
    crypto::Withdrawal w;
    w.room = room;
    w.seq = num(e, "seq");
    w.by = str(e, "by");
    w.by_device = str(e, "by_device");
    w.withdrawn_at = num(e, "withdrawn_at");
    const auto hash = crypto::from_base64(str(e, "hash"));
    const auto signature = crypto::Signature::from_base64(str(e, "signature"));
    if (!hash || hash->size() != w.message_hash.size() || !signature)
        return std::nullopt;
    std::copy(hash->begin(), hash->end(), w.message_hash.begin());
    w.signature = *signature;
    return w;
}

/// The row that stands for a withdrawn message in this device's history.
ReadMessage tombstone(const ReadMessage& withdrawal, std::int64_t seq, std::int64_t sent_at) {
    const auto& e = *withdrawal.event;
    ReadMessage out;
    out.room = withdrawal.room;
    out.seq = seq;
    out.sent_at = sent_at;
    out.event = json::object{{"kind", "withdrawn"},
                             {"by", str(e, "by")},
                             {"by_display_name", str(e, "by_display_name")},
                             {"withdrawn_at", num(e, "withdrawn_at")},
                             {"withdrawal_seq", withdrawal.seq},
                             {"checked", true}};
    return out;
}

/// Marks `w` refused: the event says so (describe_event words it), with a warning.
void refuse(ReadMessage& w, const std::string& why) {
    w.withdraws = 0;
    (*w.event)["refused"] = true;
    const auto seq = num(*w.event, "seq");
    w.warnings.push_back(
        {"withdrawal_refused", "the server says message #" + std::to_string(seq) +
                                   " was withdrawn, but " + why +
                                   ": the withdrawal is refused and the message is kept (the "
                                   "server may be hiding it)"});
}

}  // namespace

protocol::Expected<json::object> Client::withdraw(std::string_view room, std::int64_t seq) {
    if (seq < 1)
        return failure("bad_request", "a message's number (seq) starts at 1");
    auto page = conn_->request("sync", {{"room", room}, {"after", seq - 1}, {"limit", 1}});
    if (!page)
        return page.error();
    const auto& messages = page.value().at("messages").as_array();
    const auto what = "message #" + std::to_string(seq) + " of " + std::string(room);
    if (messages.empty() || num(messages.front().as_object(), "seq") != seq)
        return failure("not_found", "there is no " + what);
    const auto& m = messages.front().as_object();
    if (const auto* e = m.if_contains("event"); e && e->is_object())
        return str(e->get_object(), "kind") == "withdrawn"
                   ? failure("already_withdrawn", what + " was withdrawn already")
                   : failure("not_found", "#" + std::to_string(seq) + " of " + std::string(room) +
                                              " is a room event, not a message");
    const auto* env = m.if_contains("envelope");
    if (env == nullptr)
        return failure("not_found", "there is no " + what);
    auto envelope = crypto::envelope_from_json(*env);
    if (!envelope)
        return envelope.error();
    crypto::Withdrawal w;
    w.room = std::string(room);
    w.seq = seq;
    w.message_hash = crypto::message_hash(envelope.value());
    w.by = profile_.user;
    w.by_device = profile_.device;
    w.withdrawn_at = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    crypto::sign_withdrawal(w, keys_);
    auto reply = conn_->request("message_withdraw", {{"room", room},
                                                     {"seq", seq},
                                                     {"hash", crypto::to_base64(w.message_hash)},
                                                     {"withdrawn_at", w.withdrawn_at},
                                                     {"signature", w.signature.to_base64()}});
    if (!reply)
        return reply.error();
    // This device's own copy goes now; the room event that says so follows on the next read.
    ReadMessage event;
    event.room = w.room;
    event.seq = num(reply.value(), "event_seq");
    event.event = json::object{{"kind", "message_withdrawn"},
                               {"by", w.by},
                               {"by_display_name", ""},
                               {"withdrawn_at", w.withdrawn_at}};
    if (auto* kept = store())
        (void)kept->replace(tombstone(event, seq, num(m, "sent_at")));
    forget_moved_key(w.room, seq);
    return reply;
}

void Client::check_withdrawal(ReadMessage& out) {
    auto& e = *out.event;
    const auto w = statement(out.room, e);
    if (!w || w->seq < 1 || w->seq >= out.seq)
        return refuse(out, "the withdrawal is malformed");
    const auto* keys = e.if_contains("signer_keys");
    const auto identity =
        keys && keys->is_object() ? device_identity(keys->get_object()) : std::nullopt;
    if (!identity || !identity->verify() || !crypto::withdrawal_valid(*w, identity->sign_key))
        return refuse(out, "it is not signed by " + w->by + "'s device " + w->by_device);
    // Only a key this device already holds for that person: the server can add devices and
    // accounts, so a key it hands over now proves nothing.
    const auto pinned = known_.pinned(w->by, w->by_device);
    if (!pinned)
        return refuse(out, "this device has never checked the key of " + w->by + "'s device " +
                               w->by_device + " that signed it");
    if (!(*pinned == identity->sign_key))
        return refuse(out, "it is signed with a key that is not the one this device holds for " +
                               w->by + "'s device " + w->by_device);
    out.withdraws = w->seq;
    // The sender's own withdrawal: its message counts as seen in the history checks.
    if (str(e, "sender") == w->by)
        ledger_.withdrawn(out.room, w->seq, w->by_device, str(e, "hash"));
}

void Client::apply_withdrawals(std::vector<ReadMessage>& messages) {
    std::optional<KeptRoom> kept;  // loaded only if a withdrawn message is not in `messages`
    for (std::size_t i = 0; i < messages.size(); ++i) {
        auto& w = messages[i];
        if (!w.event || w.withdraws <= 0)
            continue;
        const auto& e = *w.event;
        const auto seq = w.withdraws;
        const ReadMessage* copy = nullptr;
        ReadMessage* in_list = nullptr;
        for (auto& m : messages)
            if (m.seq == seq && m.room == w.room && !m.event) {
                in_list = &m;
                copy = &m;
            }
        if (copy == nullptr) {
            if (auto* store = this->store(); store != nullptr && !kept)
                kept = store->load(w.room);
            if (kept)
                for (const auto& m : kept->messages)
                    if (m.seq == seq && !m.event)
                        copy = &m;
        }
        if (copy != nullptr) {
            // The statement must be the sender's (or an admin's) and name this device's copy.
            const bool sender = copy->sender == str(e, "by");
            if (!sender && str(e, "by_role") != "admin") {
                refuse(w, str(e, "by") + " did not send it (" + copy->sender + " did)");
                continue;
            }
            if (!copy->hash.empty() && copy->hash != str(e, "hash")) {
                refuse(w, "the withdrawal names another message than the one this device has");
                continue;
            }
        }
        auto stone = tombstone(w, seq, copy != nullptr ? copy->sent_at : 0);
        if (auto* store = this->store(); store != nullptr)
            (void)store->replace(stone);
        forget_moved_key(w.room, seq);
        if (in_list != nullptr)
            *in_list = std::move(stone);
    }
}

}  // namespace liaise::client
