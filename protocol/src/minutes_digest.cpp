// The canonical minutes digest (PROTOCOL.md, "Signed minutes"). The encoding is that of
// envelopes: every string length-prefixed with an 8-byte big-endian length, every number
// 8 bytes big-endian, every list preceded by its count; optional values as a 0 or a 1 then
// the value.
#include "liaise/protocol/minutes_digest.hpp"

#include <sodium.h>

#include <algorithm>
#include <vector>

#include "liaise/protocol/fields.hpp"

namespace liaise::protocol {
namespace {

namespace json = boost::json;

constexpr std::string_view kDigestLabelV1 = "liaise-minutes-v1";
constexpr std::string_view kDigestLabelV2 = "liaise-minutes-v2";
constexpr std::string_view kSignatureLabel = "liaise-minutes-signature-v1";

class Encoder {
  public:
    Encoder& number(std::int64_t n) {
        const auto u = static_cast<std::uint64_t>(n);
        for (int shift = 56; shift >= 0; shift -= 8)
            buf_.push_back(static_cast<unsigned char>(u >> shift));
        return *this;
    }
    Encoder& text(std::string_view s) {
        number(static_cast<std::int64_t>(s.size()));
        buf_.insert(buf_.end(), s.begin(), s.end());
        return *this;
    }
    /// The string at `key` of `o`: 0 when it is absent or not a string, else 1 and the string.
    Encoder& optional_text(const json::object& o, std::string_view key) {
        const auto* v = o.if_contains(key);
        if (v == nullptr || !v->is_string())
            return number(0);
        return number(1).text(v->get_string());
    }
    /// The integer at `key` of `o`: 0 when it is absent or not an integer, else 1 and it.
    Encoder& optional_number(const json::object& o, std::string_view key) {
        const auto* v = o.if_contains(key);
        if (v == nullptr || !v->is_int64())
            return number(0);
        return number(1).number(v->get_int64());
    }
    [[nodiscard]] const std::vector<unsigned char>& result() const noexcept { return buf_; }

  private:
    std::vector<unsigned char> buf_;
};

const json::object& object_at(const json::object& o, std::string_view key) {
    static const json::object empty;
    const auto* v = o.if_contains(key);
    return v != nullptr && v->is_object() ? v->get_object() : empty;
}

const json::object& as_object(const json::value& v) {
    static const json::object empty;
    return v.is_object() ? v.get_object() : empty;
}

void person(Encoder& e, const json::object& p) {
    e.text(str(p, "user")).text(str(p, "display_name")).text(str(p, "agency"));
}

void actions(Encoder& e, const json::array& list) {
    e.number(static_cast<std::int64_t>(list.size()));
    for (const auto& v : list) {
        const auto& a = as_object(v);
        const auto& owner = object_at(a, "owner");
        e.number(num(a, "id")).number(num(a, "meeting"));
        e.text(str(a, "what")).text(str(a, "outcome"));
        e.text(str(owner, "user")).text(str(owner, "name")).text(str(owner, "agency"));
        e.text(str(a, "due")).optional_text(a, "review");
        e.text(str(a, "status")).text(str(a, "evidence"));
    }
}

/// v2: the sections a recipient's copy holds, as the chair chose them: 0 when the entry has no
/// list (the copy holds the default sections), else 1, the count and each section id.
void receives(Encoder& e, const json::object& entry) {
    const auto* chosen = entry.if_contains("receives");
    if (chosen == nullptr || !chosen->is_array()) {
        e.number(0);
        return;
    }
    const auto& ids = chosen->get_array();
    e.number(1).number(static_cast<std::int64_t>(ids.size()));
    for (const auto& v : ids)
        e.text(v.is_string() ? std::string_view(v.get_string()) : std::string_view());
}

/// v2: what issue #27 added to the record, after the correction.
void record(Encoder& e, const json::object& m) {
    e.text(str(m, "case_reference")).text(str(m, "kind_label"));
    const auto& sections = list(m, "sections");
    e.number(static_cast<std::int64_t>(sections.size()));
    for (const auto& v : sections) {
        const auto& s = as_object(v);
        e.text(str(s, "id")).text(str(s, "label")).text(str(s, "text"));
        e.number(flag(s, "professionals_only") ? 1 : 0).text(str(s, "how_gathered"));
    }
    const auto& reports = list(m, "reports");
    e.number(static_cast<std::int64_t>(reports.size()));
    for (const auto& v : reports) {
        const auto& r = as_object(v);
        e.number(num(r, "id")).text(str(r, "report")).text(str(r, "by"));
        e.number(flag(r, "shared_with_parents") ? 1 : 0);
    }
    const auto& views = list(m, "agency_views");
    e.number(static_cast<std::int64_t>(views.size()));
    for (const auto& v : views) {
        const auto& a = as_object(v);
        e.text(str(a, "agency")).text(str(a, "view"));
    }
}

}  // namespace

std::string_view act_name(MinutesAct act) noexcept {
    return act == MinutesAct::circulate ? "circulate" : "approve";
}

MinutesDigest minutes_digest(const json::object& m, const MinutesSigner& signer,
                             MinutesDigestVersion version) {
    const bool v2 = version == MinutesDigestVersion::v2;
    Encoder e;
    e.text(v2 ? kDigestLabelV2 : kDigestLabelV1)
        .text(act_name(signer.act))
        .text(signer.account)
        .number(signer.signed_at);
    e.number(num(m, "meeting")).text(str(m, "room")).number(num(m, "version"));
    e.text(str(m, "kind")).text(str(m, "title")).text(str(m, "starts_at")).text(str(m, "place"));
    person(e, object_at(m, "chair"));
    person(e, object_at(m, "minute_taker"));
    e.text(str(m, "marking")).optional_text(m, "next_meeting");

    const auto& attendance = list(m, "attendance");
    e.number(static_cast<std::int64_t>(attendance.size()));
    for (const auto& v : attendance) {
        const auto& a = as_object(v);
        e.number(num(a, "id")).text(str(a, "user")).text(str(a, "name")).text(str(a, "agency"));
        e.text(str(a, "role")).text(str(a, "discipline")).text(str(a, "status"));
        e.number(flag(a, "family") ? 1 : 0).number(flag(a, "copy") ? 1 : 0);
        if (v2)
            receives(e, a);
    }
    const auto& agenda = list(m, "agenda");
    e.number(static_cast<std::int64_t>(agenda.size()));
    for (const auto& v : agenda) {
        const auto& a = as_object(v);
        e.number(num(a, "id")).text(str(a, "title")).text(str(a, "discussion"));
    }
    const auto& decisions = list(m, "decisions");
    e.number(static_cast<std::int64_t>(decisions.size()));
    for (const auto& v : decisions) {
        const auto& d = as_object(v);
        e.number(num(d, "id")).optional_number(d, "agenda");
        e.text(str(d, "decision")).text(str(d, "reasons")).text(str(d, "dissent"));
    }
    actions(e, list(m, "actions"));
    actions(e, list(m, "carried_forward"));
    if (const auto* c = m.if_contains("correction"); c != nullptr && c->is_object()) {
        const auto& o = c->get_object();
        e.number(1).number(num(o, "of_version")).text(str(o, "reason")).text(str(o, "by"));
        e.number(num(o, "at"));
    } else {
        e.number(0);
    }
    if (v2)
        record(e, m);

    crypto::init();
    MinutesDigest out{};
    crypto_generichash(out.data(), out.size(), e.result().data(), e.result().size(), nullptr, 0);
    return out;
}

namespace {
std::vector<unsigned char> signed_message(const MinutesDigest& digest) {
    std::vector<unsigned char> out(kSignatureLabel.size() + digest.size());
    const auto tail = std::copy(kSignatureLabel.begin(), kSignatureLabel.end(), out.begin());
    std::copy(digest.begin(), digest.end(), tail);
    return out;
}
}  // namespace

crypto::Signature sign_minutes(const crypto::DeviceKeys& keys, const MinutesDigest& digest) {
    return keys.sign(signed_message(digest));
}

bool minutes_signature_valid(const crypto::SignPublicKey& key, const MinutesDigest& digest,
                             const crypto::Signature& signature) {
    crypto::init();
    const auto message = signed_message(digest);
    return crypto_sign_verify_detached(signature.data(), message.data(), message.size(),
                                       key.data()) == 0;
}

std::optional<MinutesDigestVersion> minutes_signature_version(const crypto::SignPublicKey& key,
                                                              const json::object& minutes,
                                                              const MinutesSigner& signer,
                                                              const crypto::Signature& signature) {
    for (const auto version : {MinutesDigestVersion::v2, MinutesDigestVersion::v1})
        if (minutes_signature_valid(key, minutes_digest(minutes, signer, version), signature))
            return version;
    return std::nullopt;
}

}  // namespace liaise::protocol
