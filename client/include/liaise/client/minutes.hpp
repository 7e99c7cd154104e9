// Signed minutes on the client (PROTOCOL.md, "Signed minutes"): what this device concluded
// about the signatures on one version, checked against the keys it pinned, never against a key
// only the server vouches for.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace liaise::client {

/// One signature on a version of minutes, as this device judged it.
struct MinutesSignatureCheck {
    enum class Result {
        verified,         ///< the pinned key signed exactly this version
        does_not_verify,  ///< the version shown is not the one signed (or the key is not theirs)
    };
    std::string act;  ///< "circulate" or "approve"
    std::string user, display_name, agency, device;
    std::int64_t signed_at = 0;
    Result result = Result::does_not_verify;
    bool verified_contact = false;  ///< this device compared safety numbers with `user`
    bool pinned_now = false;        ///< the signer's key was first seen, and pinned, now
    /// It verifies only under the v1 digest: made before signatures covered the case
    /// reference, the template's sections, reports, agency views and each copy's sections, so
    /// it does not protect them (said in the verdict).
    bool before_sections = false;
    std::string note;  ///< why it does not verify, or what the person should know

    /// "approved by Hana Ali (hana, Westshire NHS) on 2026-11-22 10:04 UTC, signature
    /// verified" (with what it leaves unprotected when it is a v1 signature) or "… signature
    /// does NOT verify — this version is not the one Hana Ali approved", with the note after it.
    [[nodiscard]] std::string describe() const;
};

/// A recipient's acknowledgement of a version, or an accuracy comment, as this device judged
/// its signature (PROTOCOL.md, "Signed acknowledgements and comments").
struct ReceiptCheck {
    enum class Kind { acknowledgement, comment };
    enum class Result {
        verified,         ///< the pinned key of the recipient's device signed exactly this
        not_signed,       ///< recorded before acknowledgements and comments were signed
        does_not_verify,  ///< the recipient's device did not sign what the server shows
    };
    Kind kind = Kind::acknowledgement;
    std::string user, name, agency, device;
    /// When it was acknowledged or sent: as signed once verified, else as the server says.
    std::int64_t at = 0;
    Result result = Result::does_not_verify;
    bool verified_contact = false;  ///< this device compared safety numbers with `user`
    bool pinned_now = false;        ///< the signer's key was first seen, and pinned, now
    std::string note;               ///< why it does not verify, or what the person should know

    /// "acknowledged by Pat Carter (pcarter, Westshire Police) on 03/12/2026, signature
    /// verified", or for one that does not verify "the server shows an acknowledgement from Pat
    /// Carter (pcarter) that their device did not sign: NOT verified, do not count it as
    /// acknowledged"; for a comment, what may be said of its words. The note follows.
    [[nodiscard]] std::string describe() const;
};

/// Every signature on one fixed version of minutes.
struct MinutesCheck {
    std::int64_t meeting = 0, version = 0;
    std::string status;  ///< the version's status as the server reports it
    std::vector<MinutesSignatureCheck> signatures;
    /// Each acknowledgement the distribution shows, checked against the version shown.
    std::vector<ReceiptCheck> acknowledgements;
    /// Set when the version is approved but carries no approval signature: approved before
    /// signatures existed ("not signed (approved before signatures)").
    std::string unsigned_approval;
    /// True when no signature fails, acknowledgements' included (an unsigned acknowledgement
    /// recorded before they were signed does not fail): what `liaise meeting verify` exits 0
    /// for.
    [[nodiscard]] bool ok() const;
    /// One line per signature (and the unsigned approval), then one per acknowledgement, for
    /// people.
    [[nodiscard]] std::vector<std::string> lines() const;
};

}  // namespace liaise::client
