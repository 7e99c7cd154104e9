// JSON form of message envelopes: the `envelope` of a `send` request and of a delivered
// message (PROTOCOL.md, "Envelopes (version 3)"). The cryptography is in crypto.hpp.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "liaise/protocol/crypto.hpp"

namespace liaise::crypto {

/// {"v","room","sender_device","client_msg_id","nonce","ciphertext",["key_commitment",
///  "recipients":[device],]["sender","counter","sent_at","previous_seq",["previous_hash",]]
///  "signature","keys":[{"device","wrapped"}]}, in this order, binary fields in to_base64();
/// key_commitment and recipients from version 2, the history fields in version 3
/// (previous_hash only when previous_seq > 0).
[[nodiscard]] boost::json::object to_json(const Envelope& envelope);
/// Strict: bad_request naming the first offending field ("envelope.keys[3].wrapped: ...").
/// Checks shape and sizes only; open() checks the cryptography. Version 2: recipients must be
/// 1..10000 distinct ids in ascending byte order, and keys (0..one per recipient) may name only
/// recipients; version 1: 1..10000 keys for distinct devices.
[[nodiscard]] protocol::Expected<Envelope> envelope_from_json(const boost::json::value& json);
/// The same for an object already in hand (no copy into a value).
[[nodiscard]] protocol::Expected<Envelope> envelope_from_json(const boost::json::object& json);

}  // namespace liaise::crypto
