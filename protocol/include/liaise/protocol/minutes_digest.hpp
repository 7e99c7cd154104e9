// The canonical digest of one version of a meeting's minutes, and the device signatures that
// circulating and approving put on it (PROTOCOL.md, "Signed minutes"). The server recomputes the
// digest from what it stores and checks the signature before it records an act; every client
// recomputes it from what the server shows and checks the signature against the key it pinned,
// so a version changed after it was signed does not verify anywhere.
//
// Thread-safety: free functions without shared state; callable from any thread.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "liaise/protocol/crypto.hpp"

namespace liaise::protocol {

/// What a signature on minutes says its signer did.
enum class MinutesAct { circulate, approve };

/// "circulate" or "approve": the word the digest encodes.
[[nodiscard]] std::string_view act_name(MinutesAct act) noexcept;

/// Who signed, and when, as the digest binds it.
struct MinutesSigner {
    MinutesAct act = MinutesAct::approve;
    std::string account;         ///< the acting account's name
    std::int64_t signed_at = 0;  ///< the signer's clock, milliseconds since the epoch
};

using MinutesDigest = std::array<unsigned char, 32>;

/// Which encoding a digest uses. v1 ("liaise-minutes-v1") covers the record as it was before
/// issue #27 (no case reference, kind label, template sections, reports, agency views or the
/// sections each copy holds); v2 ("liaise-minutes-v2") covers all of it. Everything is signed
/// and checked by the server with v2; clients accept v1 only as the fallback that keeps
/// signatures made before v2 readable, and say so (PROTOCOL.md, "Signed minutes").
enum class MinutesDigestVersion { v1 = 1, v2 = 2 };

/// The version that signing and the server's check use.
inline constexpr MinutesDigestVersion kMinutesDigestCurrent = MinutesDigestVersion::v2;

/// BLAKE2b-256 over the unambiguous encoding of every field of `minutes` that an export shows
/// of the version itself, preceded by the version's label, the act, the account and the time.
/// Both versions cover the meeting, room, version, kind, title, date and time, place, chair,
/// minute-taker, marking, next meeting, attendance, agenda, decisions, actions, carried-forward
/// actions and correction; v2 also the case reference, the kind's label, the template's
/// sections, reports, agency views and the sections each recipient's copy holds. `minutes` is a
/// version as meeting_show returns it; lifecycle fields (status, circulation, approval,
/// distribution, versions, overdue) and the template's help (guidance, missing sections) are
/// not covered. Fields are read leniently (fields.hpp): a missing or mistyped field counts as
/// empty, as every display of it reads it.
[[nodiscard]] MinutesDigest minutes_digest(const boost::json::object& minutes,
                                           const MinutesSigner& signer,
                                           MinutesDigestVersion version = kMinutesDigestCurrent);

/// The Ed25519 signature of `keys` over "liaise-minutes-signature-v1" || digest.
[[nodiscard]] crypto::Signature sign_minutes(const crypto::DeviceKeys& keys,
                                             const MinutesDigest& digest);
/// True only if `signature` is `key`'s signature over `digest` made by sign_minutes().
[[nodiscard]] bool minutes_signature_valid(const crypto::SignPublicKey& key,
                                           const MinutesDigest& digest,
                                           const crypto::Signature& signature);

/// The digest version under which `signature` is `key`'s signature over `minutes` for
/// `signer`: v2 if it verifies so, else v1 if it verifies so (a signature made before v2), else
/// nothing. For clients only; the server accepts v2 alone. A v2 signature never verifies as
/// v1 over other content: the label is the first thing hashed.
[[nodiscard]] std::optional<MinutesDigestVersion> minutes_signature_version(
    const crypto::SignPublicKey& key, const boost::json::object& minutes,
    const MinutesSigner& signer, const crypto::Signature& signature);

}  // namespace liaise::protocol
