// Signing minutes and checking the signatures on them (PROTOCOL.md, "Signed minutes").
#include "liaise/client/minutes.hpp"

#include <boost/json.hpp>
#include <chrono>

#include "liaise/client/client.hpp"
#include "liaise/protocol/fields.hpp"

namespace liaise::client {
namespace {

namespace json = boost::json;
using protocol::list;
using protocol::num;
using protocol::str;

std::int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

/// What a signature that verifies only under the v1 digest leaves unprotected; the browser
/// client says the same (web/src/client/minutes.ts).
constexpr const char* kBeforeSections =
    "signed before the record sections were covered: its case reference, sections, reports, "
    "agency views and the sections each copy holds are not protected by it";

std::string past_tense(std::string_view act) {
    return act == "circulate" ? "circulated" : "approved";
}

}  // namespace

std::string MinutesSignatureCheck::describe() const {
    const auto who = display_name.empty() ? user : display_name;
    auto s =
        past_tense(act) + " by " + who + " (" + user + (agency.empty() ? "" : ", " + agency) + ")";
    if (signed_at != 0)
        s += " on " + protocol::minute_time(signed_at, true);
    if (result == Result::verified) {
        s += ", signature verified";
        if (verified_contact)
            s += " (a verified contact)";
        if (before_sections)
            s += std::string(" (") + kBeforeSections + ")";
    } else {
        s += ": signature does NOT verify \u2014 this version is not the one " + who + " " +
             past_tense(act);
    }
    if (!note.empty())
        s += " [" + note + "]";
    return s;
}

bool MinutesCheck::ok() const {
    for (const auto& s : signatures)
        if (s.result != MinutesSignatureCheck::Result::verified)
            return false;
    return true;
}

std::vector<std::string> MinutesCheck::lines() const {
    std::vector<std::string> out;
    for (const auto& s : signatures)
        out.push_back(s.describe());
    if (!unsigned_approval.empty())
        out.push_back(unsigned_approval);
    if (signatures.empty() && unsigned_approval.empty())
        out.push_back("circulated before signatures: no signature to check");
    return out;
}

json::object Client::sign_minutes(const json::object& minutes, protocol::MinutesAct act) const {
    const auto signed_at = now_ms();
    const auto digest = protocol::minutes_digest(minutes, {act, profile_.user, signed_at});
    return {{"signed_at", signed_at},
            {"signature", protocol::sign_minutes(keys_, digest).to_base64()}};
}

MinutesCheck Client::check_minutes(const json::object& minutes) {
    MinutesCheck out;
    out.meeting = num(minutes, "meeting");
    out.version = num(minutes, "version");
    out.status = str(minutes, "status");
    bool approval_signed = false;
    for (const auto& v : list(minutes, "signatures")) {
        if (!v.is_object())
            continue;
        const auto& e = v.get_object();
        MinutesSignatureCheck c;
        c.act = str(e, "act");
        c.user = str(e, "user");
        c.display_name = str(e, "display_name");
        c.agency = str(e, "agency");
        c.device = str(e, "device");
        c.signed_at = num(e, "signed_at");
        approval_signed = approval_signed || c.act == "approve";
        const auto fail = [&](std::string why) {
            c.result = MinutesSignatureCheck::Result::does_not_verify;
            c.note = std::move(why);
            out.signatures.push_back(c);
        };
        if (c.act != "circulate" && c.act != "approve") {
            fail("an unknown kind of signature");
            continue;
        }
        const auto act =
            c.act == "circulate" ? protocol::MinutesAct::circulate : protocol::MinutesAct::approve;
        const auto* keys = e.if_contains("signer_keys");
        const auto identity = keys != nullptr && keys->is_object()
                                  ? device_identity(keys->get_object())
                                  : std::nullopt;
        const auto signature = crypto::Signature::from_base64(str(e, "signature"));
        if (c.user.empty() || c.device.empty() || !identity || !identity->verify() ||
            str(keys->get_object(), "device") != c.device || !signature) {
            fail("the signer's keys or signature are missing or malformed");
            continue;
        }
        if (const auto other = known_.other_owner(c.user, identity->sign_key)) {
            fail("signed with a key this device knows as " + *other + "'s");
            continue;
        }
        // The key checked is the pinned one; a key the server shows is used only when this
        // device has none for that device, as for messages.
        auto key = known_.pinned(c.user, c.device);
        if (!key) {
            switch (known_.peek(c.user, c.device, identity->sign_key)) {
                case KnownKeys::Verdict::pinned_now:
                    (void)known_.check(c.user, c.device, identity->sign_key);
                    c.pinned_now = true;
                    c.note = "first time this device sees " + c.user +
                             "'s key; compare safety numbers: liaise fingerprint " + c.user;
                    break;
                case KnownKeys::Verdict::new_device:
                    if (known_.verified(c.user)) {
                        fail("signed by a device of " + c.user + " you have not verified (device " +
                             c.device + "); compare safety numbers again: liaise fingerprint " +
                             c.user);
                        continue;
                    }
                    known_.pin(c.user, c.device, identity->sign_key);
                    c.pinned_now = true;
                    c.note = "signed from a device of " + c.user + " first seen now (device " +
                             c.device + ")";
                    break;
                default:
                    break;
            }
            key = identity->sign_key;
        } else if (!(*key == identity->sign_key)) {
            c.note = "the server shows another key for " + c.user + "'s device " + c.device +
                     " than the one this device pinned";
        }
        // v2 first; v1 only for signatures made before it, which the verdict says.
        if (const auto version = protocol::minutes_signature_version(
                *key, minutes, {act, c.user, c.signed_at}, *signature)) {
            c.result = MinutesSignatureCheck::Result::verified;
            c.verified_contact = known_.verified(c.user);
            c.before_sections = *version == protocol::MinutesDigestVersion::v1;
        } else {
            c.result = MinutesSignatureCheck::Result::does_not_verify;
        }
        out.signatures.push_back(std::move(c));
    }
    if (out.status == "approved" && !approval_signed) {
        std::string by = "approved";
        if (const auto* p = minutes.if_contains("approved_by"); p != nullptr && p->is_object())
            by += " by " + str(p->get_object(), "display_name") + " (" +
                  str(p->get_object(), "user") + ")";
        out.unsigned_approval = by + ": not signed (approved before signatures)";
    }
    return out;
}

protocol::Expected<MinutesCheck> Client::verify_minutes(std::int64_t meeting,
                                                        std::int64_t version) {
    if (version == 0) {
        auto current = call("meeting_show", {{"meeting", meeting}});
        if (!current)
            return current.error();
        version = num(current.value(), "version");
        if (str(current.value(), "status") == "draft")
            return protocol::Error{"wrong_status",
                                   "version " + std::to_string(version) + " of meeting " +
                                       std::to_string(meeting) +
                                       " is a draft: nothing is signed until it is circulated"};
    }
    auto fixed = call("meeting_show", {{"meeting", meeting}, {"version", version}});
    if (!fixed)
        return fixed.error();
    if (str(fixed.value(), "status") == "draft")
        return protocol::Error{"wrong_status", "version " + std::to_string(version) +
                                                   " of meeting " + std::to_string(meeting) +
                                                   " is a draft: nothing is signed yet"};
    return check_minutes(fixed.value());
}

}  // namespace liaise::client
