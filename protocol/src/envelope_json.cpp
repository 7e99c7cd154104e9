#include "liaise/protocol/envelope_json.hpp"

#include <sodium.h>

#include <algorithm>
#include <string>
#include <unordered_set>
#include <utility>

#include <boost/json.hpp>

#include "crypto_internal.hpp"
#include "liaise/base/utf8.hpp"

namespace liaise::crypto {

using detail::error;
using protocol::Error;
using protocol::Expected;

boost::json::object to_json(const Envelope& env) {
    boost::json::object out{
        {"v", env.version},
        {"room", env.room},
        {"sender_device", env.sender_device},
        {"client_msg_id", env.client_msg_id},
        {"nonce", to_base64(env.nonce)},
        {"ciphertext", to_base64(env.ciphertext)},
    };
    if (env.version >= 2) {
        out["key_commitment"] = to_base64(env.key_commitment);
        out["recipients"] = boost::json::array(env.recipients.begin(), env.recipients.end());
    }
    if (env.version == 3) {
        const auto& h = env.history;
        out["sender"] = h.sender;
        out["counter"] = static_cast<std::int64_t>(h.counter);
        out["sent_at"] = h.sent_at;
        out["previous_seq"] = h.previous_seq;
        if (h.previous_seq > 0)
            out["previous_hash"] = to_base64(h.previous_hash);
    }
    out["signature"] = env.signature.to_base64();
    boost::json::array keys;
    keys.reserve(env.keys.size());
    for (const auto& k : env.keys)
        keys.push_back(
            boost::json::object{{"device", k.device}, {"wrapped", to_base64(k.wrapped)}});
    out["keys"] = std::move(keys);
    return out;
}

// ---------------------------------------------------------------------------------------------
// Envelope decoding

namespace {

Error bad_request(const std::string& field, std::string_view why) {
    return error("bad_request", field + ": " + std::string(why));
}

/// Names an unknown key in a message only if it is short printable ASCII.
std::string describe_key(std::string_view key) {
    const bool printable = key.size() <= 64 && std::all_of(key.begin(), key.end(), [](char c) {
                               return c >= 0x20 && c < 0x7f;
                           });
    return printable ? std::string(key) : std::string("<unprintable>");
}

/// Where a value sits in the envelope ("envelope.keys[3].device"), for error messages: built
/// only when there is an error to report, as decoding runs for every message sent. A path
/// refers to its parent, which must outlive it.
struct Path {
    const Path* parent = nullptr;
    std::string_view name;  // a field name; empty for an array element
    std::size_t index = 0;

    [[nodiscard]] std::string str() const {
        std::string out = parent != nullptr ? parent->str() : std::string();
        if (name.empty())
            return out + "[" + std::to_string(index) + "]";
        return parent != nullptr ? out + "." + std::string(name) : std::string(name);
    }
};

/// An id (room, device, message id): a 1..128-byte string of text without control characters.
Expected<std::string> id_from_json(const boost::json::value& v, const Path& at) {
    const auto path = [&] { return at.str(); };
    if (!v.is_string())
        return bad_request(path(), "must be a string");
    const auto& s = v.get_string();
    if (s.empty())
        return bad_request(path(), "must not be empty");
    if (s.size() > kMaxIdBytes)
        return bad_request(path(), "longer than 128 bytes");
    // Ids are stored and echoed to other clients: they must be text a JSON parser accepts.
    if (base::find_invalid_utf8(s))
        return bad_request(path(), "invalid UTF-8");
    for (const char c : s)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F)
            return bad_request(path(), "control characters are not allowed");
    return std::string(s);
}

/// Reads the fields of one JSON object, remembering its path for error messages.
class Fields {
  public:
    Fields(const boost::json::object& o, Path path) : o_(o), path_(path) {}

    std::optional<Error> only(std::initializer_list<std::string_view> allowed) const {
        for (const auto& [k, v] : o_) {
            if (std::find(allowed.begin(), allowed.end(), k) == allowed.end())
                return bad_request(path_.str() + "." + describe_key(k), "unknown field");
        }
        return std::nullopt;
    }

    Expected<const boost::json::value*> get(std::string_view name) const {
        if (const auto* v = o_.if_contains(name))
            return v;
        return bad_request(path(name), "missing");
    }

    /// An array of at most 10000 elements, not empty unless `may_be_empty`; `what` names the
    /// elements in the error ("more than 10000 keys").
    Expected<const boost::json::array*> list(std::string_view name, bool may_be_empty,
                                             std::string_view what) const {
        auto v = get(name);
        if (!v)
            return v.error();
        if (!v.value()->is_array())
            return bad_request(path(name), "must be an array");
        const auto& array = v.value()->get_array();
        if (array.empty() && !may_be_empty)
            return bad_request(path(name), "must not be empty");
        if (array.size() > kMaxKeys)
            return bad_request(path(name), "more than 10000 " + std::string(what));
        return &array;
    }

    Expected<std::string> id(std::string_view name) const {
        auto v = get(name);
        if (!v)
            return v.error();
        return id_from_json(*v.value(), at(name));
    }

    /// Base64 decoded; exactly `size` bytes, or at least `min_size` when size is 0.
    Expected<std::vector<unsigned char>> binary(std::string_view name, std::size_t size,
                                                std::size_t min_size = 0) const {
        auto v = get(name);
        if (!v)
            return v.error();
        if (!v.value()->is_string())
            return bad_request(path(name), "must be a string");
        auto bytes = from_base64(std::string_view(v.value()->get_string()));
        if (!bytes)
            return bad_request(path(name), "not valid base64");
        if (size != 0 && bytes->size() != size)
            return bad_request(path(name), "must be " + std::to_string(size) + " bytes");
        if (bytes->size() < min_size)
            return bad_request(path(name), "shorter than " + std::to_string(min_size) + " bytes");
        return std::move(*bytes);
    }

    /// An integer from `min` to 2^53 (what every JSON parser reads exactly).
    Expected<std::int64_t> integer(std::string_view name, std::int64_t min) const {
        auto v = get(name);
        if (!v)
            return v.error();
        const auto* n = v.value()->if_int64();
        const auto* u = v.value()->if_uint64();
        constexpr std::int64_t kMax = std::int64_t{1} << 53;
        const std::int64_t value = n != nullptr ? *n
                                   : u != nullptr && *u <= static_cast<std::uint64_t>(kMax)
                                       ? static_cast<std::int64_t>(*u)
                                       : min - 1;
        if ((n == nullptr && u == nullptr) || value < min || value > kMax)
            return bad_request(path(name),
                               "must be an integer from " + std::to_string(min) + " to 2^53");
        return value;
    }

    [[nodiscard]] bool has(std::string_view name) const { return o_.if_contains(name) != nullptr; }

    std::string path(std::string_view name) const { return at(name).str(); }
    /// The path of field `name`; refers to this object's path.
    Path at(std::string_view name) const { return {&path_, name}; }

  private:
    const boost::json::object& o_;
    Path path_;
};

Expected<WrappedKey> wrapped_key_from_json(const boost::json::value& json, const Path& path) {
    if (!json.is_object())
        return bad_request(path.str(), "must be an object");
    const Fields f(json.get_object(), path);
    if (auto e = f.only({"device", "wrapped"}))
        return *e;
    auto device = f.id("device");
    if (!device)
        return device.error();
    auto wrapped = f.binary("wrapped", kWrappedBytes);
    if (!wrapped)
        return wrapped.error();
    return WrappedKey{std::move(device).value(), std::move(wrapped).value()};
}

/// Version 2's recipients: 1..10000 ids in strictly ascending byte order.
Expected<std::vector<std::string>> recipients_from_json(const Fields& f) {
    auto list_or_error = f.list("recipients", false, "recipients");
    if (!list_or_error)
        return list_or_error.error();
    const auto& array = *list_or_error.value();
    std::vector<std::string> out;
    out.reserve(array.size());
    const Path list = f.at("recipients");
    for (std::size_t i = 0; i < array.size(); ++i) {
        const Path path{&list, {}, i};
        auto id = id_from_json(array[i], path);
        if (!id)
            return id.error();
        if (!out.empty() && !(out.back() < id.value()))
            return bad_request(path.str(), "must be distinct and in ascending order");
        out.push_back(std::move(id).value());
    }
    return out;
}

/// The wrapped keys: version 1 needs 1..10000; version 2 allows 0..one per recipient, and
/// only for recipients (`recipients` is sorted).
Expected<std::vector<WrappedKey>> keys_from_json(const Fields& f, int version,
                                                 const std::vector<std::string>& recipients) {
    auto list_or_error = f.list("keys", version >= 2, "keys");
    if (!list_or_error)
        return list_or_error.error();
    const auto& array = *list_or_error.value();
    std::vector<WrappedKey> keys;
    keys.reserve(array.size());
    std::unordered_set<std::string> seen;                 // version 1
    std::vector<char> seen_recipient(recipients.size());  // version 2, by recipient index
    const Path list = f.at("keys");
    for (std::size_t i = 0; i < array.size(); ++i) {
        const Path path{&list, {}, i};
        auto k = wrapped_key_from_json(array[i], path);
        if (!k)
            return k.error();
        const auto& device = k.value().device;
        bool duplicate = false;
        if (version >= 2) {
            const auto it = std::lower_bound(recipients.begin(), recipients.end(), device);
            if (it == recipients.end() || *it != device)
                return bad_request(path.str() + ".device", "not one of the recipients");
            duplicate = std::exchange(seen_recipient[it - recipients.begin()], 1) != 0;
        } else {
            duplicate = !seen.insert(device).second;
        }
        if (duplicate)
            return bad_request(path.str() + ".device", "duplicate device");
        keys.push_back(std::move(k).value());
    }
    return keys;
}

/// Version 3's history fields: previous_hash present exactly when previous_seq > 0.
Expected<History> history_from_json(const Fields& f) {
    History h;
    auto sender = f.id("sender");
    if (!sender)
        return sender.error();
    h.sender = std::move(sender).value();
    const auto counter = f.integer("counter", 1);
    if (!counter)
        return counter.error();
    h.counter = static_cast<std::uint64_t>(counter.value());
    const auto sent_at = f.integer("sent_at", 0);
    if (!sent_at)
        return sent_at.error();
    h.sent_at = sent_at.value();
    const auto previous = f.integer("previous_seq", 0);
    if (!previous)
        return previous.error();
    h.previous_seq = previous.value();
    if (h.previous_seq > 0) {
        auto hash = f.binary("previous_hash", kHashBytes);
        if (!hash)
            return hash.error();
        h.previous_hash = std::move(hash).value();
    } else if (f.has("previous_hash")) {
        return bad_request(f.path("previous_hash"), "only with a previous_seq above 0");
    }
    return h;
}

}  // namespace

Expected<Envelope> envelope_from_json(const boost::json::value& json) {
    if (!json.is_object())
        return bad_request("envelope", "must be an object");
    return envelope_from_json(json.get_object());
}

Expected<Envelope> envelope_from_json(const boost::json::object& json) {
    init();
    const Fields f(json, Path{nullptr, "envelope"});
    auto v = f.get("v");
    if (!v)
        return v.error();
    const auto* version = v.value()->if_int64();
    if (version == nullptr || *version < 1 || *version > 3)
        return bad_request(f.path("v"), "must be 1, 2 or 3");
    if (*version == 1) {
        if (auto e = f.only({"v", "room", "sender_device", "client_msg_id", "nonce", "ciphertext",
                             "keys", "signature"}))
            return *e;
    } else if (*version == 2) {
        if (auto e = f.only({"v", "room", "sender_device", "client_msg_id", "nonce", "ciphertext",
                             "key_commitment", "recipients", "keys", "signature"}))
            return *e;
    } else if (auto e = f.only({"v", "room", "sender_device", "client_msg_id", "nonce",
                                "ciphertext", "key_commitment", "recipients", "sender", "counter",
                                "sent_at", "previous_seq", "previous_hash", "keys", "signature"})) {
        return *e;
    }

    Envelope env;
    env.version = static_cast<int>(*version);
    for (auto [name, out] :
         {std::pair{"room", &env.room}, std::pair{"sender_device", &env.sender_device},
          std::pair{"client_msg_id", &env.client_msg_id}}) {
        auto s = f.id(name);
        if (!s)
            return s.error();
        *out = std::move(s).value();
    }
    auto nonce = f.binary("nonce", kNonceBytes);
    if (!nonce)
        return nonce.error();
    env.nonce = std::move(nonce).value();
    auto ciphertext = f.binary("ciphertext", 0, crypto_aead_xchacha20poly1305_ietf_ABYTES);
    if (!ciphertext)
        return ciphertext.error();
    env.ciphertext = std::move(ciphertext).value();
    if (env.version >= 2) {
        auto commitment = f.binary("key_commitment", kCommitmentBytes);
        if (!commitment)
            return commitment.error();
        env.key_commitment = std::move(commitment).value();
        auto recipients = recipients_from_json(f);
        if (!recipients)
            return recipients.error();
        env.recipients = std::move(recipients).value();
    }
    if (env.version == 3) {
        auto history = history_from_json(f);
        if (!history)
            return history.error();
        env.history = std::move(history).value();
    }
    auto keys = keys_from_json(f, env.version, env.recipients);
    if (!keys)
        return keys.error();
    env.keys = std::move(keys).value();
    auto signature = f.binary("signature", crypto_sign_BYTES);
    if (!signature)
        return signature.error();
    env.signature = Signature(std::span<const unsigned char, crypto_sign_BYTES>(
        signature.value().data(), crypto_sign_BYTES));
    return env;
}

}  // namespace liaise::crypto
