// Signing minutes and checking the signatures on them (PROTOCOL.md, "Signed minutes"), and the
// same for acknowledgements and accuracy comments ("Signed acknowledgements and comments").
#include "liaise/client/minutes.hpp"

#include <boost/json.hpp>
#include <chrono>

#include "liaise/client/client.hpp"
#include "liaise/client/local_time.hpp"
#include "liaise/protocol/fields.hpp"
#include "liaise/protocol/minutes_receipts.hpp"

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

std::string ReceiptCheck::describe() const {
    const auto who = name.empty() ? user : name;
    std::string s;
    const bool ack = kind == Kind::acknowledgement;
    switch (result) {
        case Result::verified:
            s = ack ? "acknowledged by " + who + " (" + user +
                          (agency.empty() ? "" : ", " + agency) + ") on " + local_date(at) +
                          ", signature verified"
                    : "signed by " + who + "'s device, signature verified";
            if (verified_contact)
                s += " (a verified contact)";
            break;
        case Result::not_signed:
            s = ack ? "the server shows an acknowledgement from " + who + " (" + user +
                          ") recorded before acknowledgements were signed: not signed, so not "
                          "verified"
                    : "sent before comments were signed: not signed, so not verified";
            break;
        case Result::does_not_verify:
            s = ack ? "the server shows an acknowledgement from " + who + " (" + user +
                          ") that their device did not sign: NOT verified, do not count it as "
                          "acknowledged"
                    : "the server shows a comment from " + who + " (" + user +
                          ") that their device did not sign: NOT verified, these may not be "
                          "their words";
            break;
    }
    if (!note.empty())
        s += " [" + note + "]";
    return s;
}

bool MinutesCheck::ok() const {
    for (const auto& s : signatures)
        if (s.result != MinutesSignatureCheck::Result::verified)
            return false;
    for (const auto& a : acknowledgements)
        if (a.result == ReceiptCheck::Result::does_not_verify)
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
    for (const auto& a : acknowledgements)
        out.push_back(a.describe());
    return out;
}

json::object Client::sign_minutes(const json::object& minutes, protocol::MinutesAct act) const {
    const auto signed_at = now_ms();
    const auto digest = protocol::minutes_digest(minutes, {act, profile_.user, signed_at});
    return {{"signed_at", signed_at},
            {"signature", protocol::sign_minutes(keys_, digest).to_base64()}};
}

std::optional<crypto::SignPublicKey> Client::signer_key(const std::string& user,
                                                        const std::string& device,
                                                        const json::value* signer_keys,
                                                        std::string& note, bool& pinned_now) {
    const auto identity = signer_keys != nullptr && signer_keys->is_object()
                              ? device_identity(signer_keys->get_object())
                              : std::nullopt;
    if (user.empty() || device.empty() || !identity || !identity->verify() ||
        str(signer_keys->get_object(), "device") != device) {
        note = "the signer's keys or signature are missing or malformed";
        return std::nullopt;
    }
    if (const auto other = known_.other_owner(user, identity->sign_key)) {
        note = "signed with a key this device knows as " + *other + "'s";
        return std::nullopt;
    }
    // The key checked is the pinned one; a key the server shows is used only when this device
    // has none for that device, as for messages.
    auto key = known_.pinned(user, device);
    if (!key) {
        switch (known_.peek(user, device, identity->sign_key)) {
            case KnownKeys::Verdict::pinned_now:
                (void)known_.check(user, device, identity->sign_key);
                pinned_now = true;
                note = "first time this device sees " + user +
                       "'s key; compare safety numbers: liaise fingerprint " + user;
                break;
            case KnownKeys::Verdict::new_device:
                if (known_.verified(user)) {
                    note = "signed by a device of " + user + " you have not verified (device " +
                           device + "); compare safety numbers again: liaise fingerprint " + user;
                    return std::nullopt;
                }
                known_.pin(user, device, identity->sign_key);
                pinned_now = true;
                note =
                    "signed from a device of " + user + " first seen now (device " + device + ")";
                break;
            default:
                break;
        }
        key = identity->sign_key;
    } else if (!(*key == identity->sign_key)) {
        note = "the server shows another key for " + user + "'s device " + device +
               " than the one this device pinned";
    }
    return key;
}

json::object Client::sign_acknowledgement(const json::object& minutes) const {
    const auto signed_at = now_ms();
    const protocol::Acknowledgement a{
        num(minutes, "meeting"), str(minutes, "room"),
        num(minutes, "version"), protocol::circulation_digest(minutes),
        profile_.user,           signed_at};
    return {{"signed_at", signed_at},
            {"signature", protocol::sign_acknowledgement(keys_, a).to_base64()}};
}

json::object Client::sign_comment(std::int64_t meeting, std::int64_t version,
                                  std::string_view section, std::string_view text) const {
    const auto signed_at = now_ms();
    const protocol::CommentSignature c{meeting,           version,       std::string(section),
                                       std::string(text), profile_.user, signed_at};
    return {{"signed_at", signed_at}, {"signature", protocol::sign_comment(keys_, c).to_base64()}};
}

ReceiptCheck Client::check_acknowledgement(const json::object& minutes, const json::object& entry) {
    ReceiptCheck c;
    c.kind = ReceiptCheck::Kind::acknowledgement;
    c.user = str(entry, "user");
    c.name = str(entry, "name");
    c.agency = str(entry, "agency");
    c.at = num(entry, "acknowledged_at");
    const auto* sig = entry.if_contains("ack_signature");
    if (sig == nullptr || !sig->is_object()) {
        c.result = ReceiptCheck::Result::not_signed;
        return c;
    }
    const auto& s = sig->get_object();
    c.device = str(s, "device");
    const auto signature = crypto::Signature::from_base64(str(s, "signature"));
    const auto key =
        signer_key(c.user, c.device, s.if_contains("signer_keys"), c.note, c.pinned_now);
    if (!key || !signature) {
        if (c.note.empty())
            c.note = "the signature is malformed";
        return c;
    }
    const protocol::Acknowledgement a{num(minutes, "meeting"),
                                      str(minutes, "room"),
                                      num(minutes, "version"),
                                      protocol::circulation_digest(minutes),
                                      c.user,
                                      num(s, "signed_at")};
    if (protocol::acknowledgement_valid(*key, a, *signature)) {
        c.result = ReceiptCheck::Result::verified;
        c.at = a.signed_at;  // the time their device signed, not the server's word
        c.verified_contact = known_.verified(c.user);
    }
    return c;
}

ReceiptCheck Client::check_comment(const json::object& comment) {
    ReceiptCheck c;
    c.kind = ReceiptCheck::Kind::comment;
    if (const auto* by = comment.if_contains("by"); by != nullptr && by->is_object()) {
        c.user = str(by->get_object(), "user");
        c.name = str(by->get_object(), "display_name");
        c.agency = str(by->get_object(), "agency");
    }
    c.at = num(comment, "sent_at");
    c.device = str(comment, "device");
    const auto* sig = comment.if_contains("signature");
    if (sig == nullptr || !sig->is_string()) {
        c.result = ReceiptCheck::Result::not_signed;
        return c;
    }
    const auto signature = crypto::Signature::from_base64(sig->get_string());
    const auto key =
        signer_key(c.user, c.device, comment.if_contains("signer_keys"), c.note, c.pinned_now);
    if (!key || !signature) {
        if (c.note.empty())
            c.note = "the signature is malformed";
        return c;
    }
    const protocol::CommentSignature fields{num(comment, "meeting"),
                                            num(comment, "version"),
                                            str(comment, "section"),
                                            str(comment, "text"),
                                            c.user,
                                            num(comment, "signed_at")};
    if (protocol::comment_valid(*key, fields, *signature)) {
        c.result = ReceiptCheck::Result::verified;
        c.verified_contact = known_.verified(c.user);
    }
    return c;
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
        const auto signature = crypto::Signature::from_base64(str(e, "signature"));
        if (!signature) {
            fail("the signer's keys or signature are missing or malformed");
            continue;
        }
        const auto key =
            signer_key(c.user, c.device, e.if_contains("signer_keys"), c.note, c.pinned_now);
        if (!key) {
            fail(c.note);
            continue;
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
    for (const auto& v : list(minutes, "distribution"))
        if (v.is_object() && v.get_object().contains("user") &&
            num(v.get_object(), "acknowledged_at") != 0)
            out.acknowledgements.push_back(check_acknowledgement(minutes, v.get_object()));
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
