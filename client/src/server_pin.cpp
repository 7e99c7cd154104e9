#include "liaise/client/server_pin.hpp"

#include <array>
#include <boost/json.hpp>
#include <chrono>
#include <ctime>

#include "liaise/protocol/audit_head.hpp"
#include "liaise/protocol/fields.hpp"
#include "liaise/protocol/messages.hpp"

namespace liaise::client {
namespace {

namespace json = boost::json;
using protocol::num;
using protocol::str;

constexpr const char* kFile = "server.json";

protocol::Error failure(std::string code, std::string message) {
    return {std::move(code), std::move(message)};
}

std::int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

/// "2026-12-06 18:30 UTC".
std::string utc_time(std::int64_t ms) {
    const std::time_t t = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    ::gmtime_r(&t, &tm);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%d %H:%M UTC", &tm);
    return text;
}

}  // namespace

ServerPin::ServerPin(const Home& home) : home_(home) {
    const auto text = home.read_file(kFile);
    if (!text)
        return;
    boost::system::error_code ec;
    const auto v = json::parse(*text, ec);
    if (ec || !v.is_object())
        return;
    const auto& o = v.get_object();
    key_ = crypto::SignPublicKey::from_base64(str(o, "server_key"));
    pinned_at_ = num(o, "pinned_at");
    if (const auto* h = o.if_contains("audit_head"); h && h->is_object()) {
        const auto& x = h->get_object();
        head_ = SeenHead{num(x, "count"), str(x, "last_hash"), num(x, "signed_at"),
                         str(x, "signature"), num(x, "seen_at")};
    }
}

protocol::Expected<bool> ServerPin::save() const {
    json::object o;
    if (key_) {
        o["server_key"] = key_->to_base64();
        o["pinned_at"] = pinned_at_;
    }
    if (head_)
        o["audit_head"] = json::object{{"count", head_->count},
                                       {"last_hash", head_->last_hash},
                                       {"signed_at", head_->signed_at},
                                       {"signature", head_->signature},
                                       {"seen_at", head_->seen_at}};
    return home_.write_file(kFile, json::serialize(o) + "\n");
}

protocol::Expected<bool> ServerPin::check_key(const std::optional<crypto::SignPublicKey>& key) {
    if (!key_) {
        if (!key)
            return false;  // an older server: nothing to pin
        key_ = key;
        pinned_at_ = now_ms();
        if (auto saved = save(); !saved)
            return saved.error();
        return true;
    }
    if (!key || !(*key == *key_))
        return failure(std::string(protocol::errc::server_key_changed),
                       "the server's signing key is not the one this device pinned on " +
                           utc_time(pinned_at_) +
                           "; it may not be the same server, or its keys were replaced. Ask "
                           "the server's operator before going on");
    return false;
}

protocol::Expected<bool> ServerPin::save_head(const SeenHead& head) {
    head_ = head;
    return save();
}

protocol::Expected<AuditHeadCheck> check_audit_head(const Home& home, Connection& conn) {
    ServerPin pin(home);
    const auto before = pin.head();
    json::object fields{{"head", true}};
    if (before && before->count > 0)
        fields["at"] = before->count;
    auto reply = conn.request("audit", std::move(fields));
    if (!reply)
        return reply.error();
    const auto& r = reply.value();
    if (auto checked = pin.check_key(crypto::SignPublicKey::from_base64(str(r, "server_key")));
        !checked)
        return checked.error();
    if (!pin.key())
        return failure("bad_reply", "the server sent no signing key with its audit head");
    protocol::AuditHead head{num(r, "count"), {}, num(r, "signed_at")};
    const auto hash = crypto::from_base64(str(r, "last_hash"));
    const auto signature = crypto::Signature::from_base64(str(r, "signature"));
    const bool well_formed = hash && hash->size() == head.last_hash.size() && signature;
    if (well_formed)
        std::copy(hash->begin(), hash->end(), head.last_hash.begin());
    if (!well_formed || !protocol::verify_audit_head(*pin.key(), head, *signature))
        return failure(std::string(protocol::errc::bad_signature),
                       "the server's signature on its audit log does not verify with the key "
                       "this device pinned; do not trust this log");
    AuditHeadCheck out{head.count, before ? before->count : 0};
    if (before && before->count > 0) {
        const auto seen = "the one this device saw on " + utc_time(before->seen_at) + " (" +
                          std::to_string(before->count) + " records)";
        if (head.count < before->count)
            return failure(
                std::string(protocol::errc::audit_log_shorter),
                "the audit log is shorter than " + seen + "; records may have been removed");
        if (str(r, "at_hash") != before->last_hash)
            return failure(std::string(protocol::errc::audit_log_rewritten),
                           "the audit log does not extend " + seen + ": record " +
                               std::to_string(before->count) +
                               " is not the one seen then; records may have been removed or "
                               "rewritten");
    }
    if (auto saved = pin.save_head(
            {head.count, str(r, "last_hash"), head.at, str(r, "signature"), now_ms()});
        !saved)
        return saved.error();
    return out;
}

}  // namespace liaise::client
