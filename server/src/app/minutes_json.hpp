// Internal: meetings, minutes, versions and actions as the protocol shows them (PROTOCOL.md,
// "Meetings and minutes"): the reply and snapshot shapes the minutes handlers answer with, made
// from what a unit of work reads (minutes_records.hpp). Reads only; every function works in a
// read unit or a write unit alike.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>

#include "app/minutes_records.hpp"
#include "liaise/calendar/clocks.hpp"
#include "liaise/jargon/engine.hpp"

namespace liaise::server::minutes {

/// {"user", "display_name", "agency"}.
[[nodiscard]] boost::json::object person_json(const store::AccountRow& p);
/// An action as lists and replies show it, with whether it is overdue today (UTC).
[[nodiscard]] boost::json::object action_json(const Action& a);

/// The whole minutes of `m` as they stand: what meeting_show returns, what a circulated
/// version's snapshot holds, and what the exports are made from.
[[nodiscard]] boost::json::object minutes_json(const Reader& r, const AtRestKey& key,
                                               const Meeting& m);

/// Who will read the minutes: the public when a family member attended or will receive a copy
/// (or the room includes the public); otherwise the attendees' disciplines, or the room
/// members' when no attendee's discipline is known.
[[nodiscard]] jargon::Audience minutes_audience(const Reader& r, const Meeting& m);

/// The signatures on a fixed version, circulation first: {"act", "user", "display_name",
/// "agency", "device", "signed_at", "signature", "signer_keys": {"device", "sign_key",
/// "box_key", "box_key_signature"}}; the signer's device keys whether or not it was revoked
/// since, for clients to pin and check (never to trust unpinned).
[[nodiscard]] boost::json::array signatures_json(const Reader& r, Id meeting, std::int64_t version);

/// The room's members as a version is circulated, by account name: {"user", "name", "agency"},
/// kept in the sealed version so that its distribution reads as it was sent, whatever is
/// renamed later.
[[nodiscard]] boost::json::array recipients_json(const Reader& r, Id room);

/// The signature on a recipient's acknowledgement (PROTOCOL.md, "Signed acknowledgements and
/// comments"): {"device", "signed_at", "signature", "signer_keys": {...}}, or null for one
/// recorded before acknowledgements were signed (or not acknowledged).
[[nodiscard]] boost::json::value ack_signature_json(const store::Distribution& d);

/// A device's keys as a signature's "signer_keys": {"device", "sign_key", "box_key",
/// "box_key_signature"}, for clients to pin and check (never to trust unpinned).
[[nodiscard]] boost::json::object signer_keys_json(Id device, const std::string& sign_key,
                                                   const std::string& box_key,
                                                   const std::string& box_key_signature);

/// The distribution of a fixed version: every room member it was sent to, when, when they
/// first opened it and acknowledged it, with their device's signature on the acknowledgement
/// ("ack_signature"); then anyone without an account who is to receive a copy. Names and
/// agencies are those kept in `snapshot` when it was circulated (versions circulated before
/// they were kept show today's).
[[nodiscard]] boost::json::array distribution_json(const Reader& r, Id meeting,
                                                   std::int64_t version,
                                                   const boost::json::object& snapshot);

/// A fixed version as it was circulated, with its lifecycle (status, approval, distribution)
/// from the plain columns. not_found when `version` was never circulated.
[[nodiscard]] boost::json::object fixed_version(const Reader& r, const AtRestKey& key, Id meeting,
                                                std::int64_t version);

/// Every fixed version of a meeting, oldest first: {"version", "status", "circulated_at",
/// "approved_at"}.
[[nodiscard]] boost::json::array versions_json(const Reader& r, Id meeting);

/// The meeting's circulation deadlines as of now (minutes_template::deadlines_json) under the
/// deployment's clock `settings` for its chair's agency (meeting_clocks()): the clocks start on
/// the meeting's day, accuracy comments on the day its record was first circulated.
[[nodiscard]] boost::json::array deadlines(const Reader& r, const Meeting& m,
                                           const calendar::ClockSettings& settings);

/// A meeting as the room's list shows it, its deadlines under `settings`.
[[nodiscard]] boost::json::object meeting_summary(const Reader& r, const Meeting& m,
                                                  const calendar::ClockSettings& settings);

}  // namespace liaise::server::minutes
