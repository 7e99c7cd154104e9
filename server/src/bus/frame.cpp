#include "bus/frame.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <charconv>
#include <stdexcept>

namespace liaise::server {

Frame::Frame(std::string text, std::size_t list_begin, std::size_t list_end,
             std::vector<Entry> entries)
    : text_(std::move(text)),
      list_begin_(list_begin),
      list_end_(list_end),
      has_list_(true),
      entries_(std::move(entries)) {
    if (list_begin_ > list_end_ || list_end_ > text_.size())
        throw std::invalid_argument("Frame: the key list lies outside the text");
    for (const auto& e : entries_)
        if (e.offset < list_begin_ || e.offset > list_end_ || e.size > list_end_ - e.offset)
            throw std::invalid_argument("Frame: an entry lies outside the key list");
    std::sort(entries_.begin(), entries_.end(),
              [](const Entry& a, const Entry& b) { return a.device < b.device; });
}

const Frame::Entry* Frame::entry_for(std::int64_t device) const {
    const auto it = std::lower_bound(entries_.begin(), entries_.end(), device,
                                     [](const Entry& e, std::int64_t d) { return e.device < d; });
    return it != entries_.end() && it->device == device ? &*it : nullptr;
}

std::array<std::string_view, 3> Frame::pieces_for(std::int64_t device) const {
    const std::string_view text = text_;
    if (!has_list_)
        return {text, {}, {}};
    const Entry* e = entry_for(device);
    return {text.substr(0, list_begin_),
            e != nullptr ? text.substr(e->offset, e->size) : std::string_view{},
            text.substr(list_end_)};
}

std::size_t Frame::size_for(std::int64_t device) const {
    if (!has_list_)
        return text_.size();
    const Entry* e = entry_for(device);
    return list_begin_ + (e != nullptr ? e->size : 0) + (text_.size() - list_end_);
}

namespace {

/// Reads `what` at `at`, moving past it.
bool take(std::string_view text, std::size_t& at, std::string_view what) {
    if (text.substr(at, what.size()) != what)
        return false;
    at += what.size();
    return true;
}

}  // namespace

std::optional<KeyList> find_key_list(std::string_view envelope) {
    constexpr std::string_view kVersion2 = R"({"v":2,)";
    constexpr std::string_view kVersion3 = R"({"v":3,)";
    constexpr std::string_view kKeys = R"(,"keys":[)";
    if ((!envelope.starts_with(kVersion2) && !envelope.starts_with(kVersion3)) ||
        !envelope.ends_with("]}"))
        return std::nullopt;
    // The last `,"keys":[` is the list's: nothing after it (digits, base64) could spell one.
    const auto at_keys = envelope.rfind(kKeys);
    if (at_keys == std::string_view::npos)
        return std::nullopt;
    KeyList out;
    out.begin = at_keys + kKeys.size();
    out.end = envelope.size() - 2;
    std::size_t at = out.begin;
    while (at < out.end) {
        if (!out.entries.empty() && !take(envelope, at, ","))
            return std::nullopt;
        const auto start = at;
        if (!take(envelope, at, R"({"device":")"))
            return std::nullopt;
        const auto digits = at;
        while (at < out.end && envelope[at] >= '0' && envelope[at] <= '9')
            ++at;
        std::int64_t device = 0;
        const auto [end, ec] =
            std::from_chars(envelope.data() + digits, envelope.data() + at, device);
        if (ec != std::errc{} || end != envelope.data() + at ||
            !take(envelope, at, R"(","wrapped":")"))
            return std::nullopt;
        // The wrapped key is base64 the server wrote itself: find its closing quote with
        // memchr rather than checking every character (this runs for every message sent).
        at = envelope.find('"', at);
        if (at >= out.end || !take(envelope, at, R"("})"))
            return std::nullopt;
        out.entries.push_back({device, start, at - start});
    }
    if (at != out.end)
        return std::nullopt;
    return out;
}

namespace {

/// Appends `s` as a JSON string: as it is when nothing in it needs escaping (base64, digits,
/// most ids), else as boost::json writes it.
void append_json_string(std::string& out, const boost::json::value& v) {
    const auto& s = v.as_string();
    const bool plain = std::all_of(
        s.begin(), s.end(), [](char c) { return c >= 0x20 && c < 0x7F && c != '"' && c != '\\'; });
    if (!plain) {
        out += boost::json::serialize(v);
        return;
    }
    out += '"';
    out.append(s.data(), s.size());
    out += '"';
}

}  // namespace

std::string stored_envelope_text(const boost::json::object& accepted) {
    std::string out;
    out.reserve(256 + accepted.at("ciphertext").as_string().size() +
                accepted.at("keys").as_array().size() * 140);
    const bool v3 = accepted.at("v").as_int64() == 3;
    out += v3 ? R"({"v":3)" : R"({"v":2)";
    for (const char* name :
         {"room", "sender_device", "client_msg_id", "nonce", "ciphertext", "key_commitment"}) {
        out += R"(,")";
        out += name;
        out += R"(":)";
        append_json_string(out, accepted.at(name));
    }
    out += R"(,"recipients":[)";
    bool first = true;
    for (const auto& r : accepted.at("recipients").as_array()) {
        if (!std::exchange(first, false))
            out += ',';
        append_json_string(out, r);
    }
    out += ']';
    if (v3) {
        out += R"(,"sender":)";
        append_json_string(out, accepted.at("sender"));
        for (const char* name : {"counter", "sent_at", "previous_seq"}) {
            out += R"(,")";
            out += name;
            out += R"(":)";
            out += boost::json::serialize(accepted.at(name));  // an integer, checked
        }
        if (const auto* hash = accepted.if_contains("previous_hash")) {
            out += R"(,"previous_hash":)";
            append_json_string(out, *hash);
        }
    }
    out += R"(,"signature":)";
    append_json_string(out, accepted.at("signature"));
    out += R"(,"keys":[)";
    first = true;
    for (const auto& k : accepted.at("keys").as_array()) {
        if (!std::exchange(first, false))
            out += ',';
        out += R"({"device":)";
        append_json_string(out, k.at("device"));
        out += R"(,"wrapped":)";
        append_json_string(out, k.at("wrapped"));
        out += '}';
    }
    out += "]}";
    return out;
}

void append_envelope_for(std::string& out, std::string_view envelope, std::int64_t device) {
    const auto list = find_key_list(envelope);
    if (!list) {
        out += envelope;
        return;
    }
    out += envelope.substr(0, list->begin);
    const auto mine = std::find_if(list->entries.begin(), list->entries.end(),
                                   [&](const Frame::Entry& e) { return e.device == device; });
    if (mine != list->entries.end())
        out += envelope.substr(mine->offset, mine->size);
    out += envelope.substr(list->end);
}

}  // namespace liaise::server
