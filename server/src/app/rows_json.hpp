// Internal: the store's rows (store/repo/*.hpp) as the protocol shows them.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <cstdint>
#include <vector>

#include "store/store.hpp"

namespace liaise::server {

/// {"user", "display_name", "agency", "discipline", "role"}
[[nodiscard]] boost::json::object account_json(const store::AccountRow& a);

/// Current devices as clients see them: {"device", "name", "sign_key", "box_key",
/// "box_key_signature"}, and for a device enrolled with an admin's replacement code
/// "issued_by" (the admin's user name), "issued_by_display_name", "issued_at" and "replaces"
/// (the newest device it revoked, when there was one). No fingerprint: safety numbers are
/// computed on devices, never taken from the server.
[[nodiscard]] boost::json::array devices_json(const std::vector<store::Device>& devices);

/// Every member of `room` with their current devices: what a client needs to wrap a message
/// key. A suspended member is listed with "suspended": true and no devices: they are not sent
/// to. With `names_only`, who the members are and nothing more (no devices).
[[nodiscard]] boost::json::array members_json(const store::RoomsView& rooms,
                                              const store::AccountsView& accounts, store::Id room,
                                              bool names_only = false);

/// Logins as `login` and `sessions` list them: {"session", "device", "device_name", "at",
/// "address"} and, for a device enrolled with a replacement code, "issued_by" (the admin's user
/// name, "" when gone) and "issued_at".
[[nodiscard]] boost::json::array logins_json(const std::vector<store::Login>& logins);

/// A room's glossary as `glossary` and `room_show` answer it: {"version", "terms": [{"term",
/// "meaning", "by", "at"}]}.
[[nodiscard]] boost::json::object glossary_json(std::int64_t version,
                                                const std::vector<store::GlossaryTerm>& terms);

}  // namespace liaise::server
