// The Liaise client library: enrol a device, log in, and exchange end-to-end encrypted
// messages. Used by the `liaise` command, the tests and the benchmarks. One Client is used from
// one thread.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "liaise/client/connection.hpp"
#include "liaise/client/home.hpp"
#include "liaise/client/plain.hpp"
#include "liaise/jargon/engine.hpp"
#include "liaise/protocol/crypto.hpp"
#include "liaise/protocol/expected.hpp"

namespace liaise::client {

/// One message as the reader sees it: decrypted and verified, or the reason it could not be.
struct ReadMessage {
    std::string room;
    std::int64_t seq = 0;
    std::string sender;
    std::string sender_device;
    std::int64_t sent_at = 0;  ///< milliseconds since the epoch, by the server's clock
    std::optional<std::string> text;
    protocol::Error error;  ///< set when !text: bad_signature, key_changed, not_a_recipient, …
};

class Client {
  public:
    /// Generates this device's keys, enrols with `code` at `server`, and saves the profile and
    /// the keystore (sealed with `passphrase`) in `home`. Refuses a home that is already
    /// enrolled (already_enrolled). Returns the account as the server describes it.
    [[nodiscard]] static protocol::Expected<boost::json::object> enrol(
        const Home& home, std::string_view server, std::string_view code,
        std::string_view passphrase, std::string_view device_name);

    /// Opens the keystore with `passphrase`, connects to the profile's server, logs in, and
    /// brings the dictionary cache up to date when the server has a newer version.
    [[nodiscard]] static protocol::Expected<std::unique_ptr<Client>> login(
        const Home& home, std::string_view passphrase);

    [[nodiscard]] const Profile& profile() const noexcept { return profile_; }
    /// This account's discipline, as the server reported it at login.
    [[nodiscard]] const std::string& discipline() const noexcept { return discipline_; }
    /// The plain-language engine over the cached dictionaries (refreshed at login), compiled on
    /// first use.
    [[nodiscard]] protocol::Expected<std::shared_ptr<const jargon::Engine>> engine();
    /// How the dictionary refresh at login went: true if the cache changed, an error if the
    /// server's dictionaries could not be fetched or did not load (the cache was kept).
    [[nodiscard]] const protocol::Expected<bool>& dictionary_refresh() const noexcept {
        return dictionary_refresh_;
    }
    /// Who reads `room`: its members' disciplines, or everyone when it includes the public.
    [[nodiscard]] protocol::Expected<jargon::Audience> audience(std::string_view room);
    /// Who reads `room`: its audience, and each member's discipline.
    [[nodiscard]] protocol::Expected<RoomReaders> readers(std::string_view room);
    [[nodiscard]] const crypto::DeviceKeys& keys() const noexcept { return keys_; }
    [[nodiscard]] Connection& connection() noexcept { return *conn_; }

    /// A request with no client-side crypto (rooms, admin). Errors are the server's
    /// (`rate_limited` only once the connection's patience ran out: Connection::request).
    [[nodiscard]] protocol::Expected<boost::json::object> call(std::string_view type,
                                                               boost::json::object fields = {});

    /// Encrypts `text` for every current member device of `room`, signs it and sends it.
    /// Re-wraps and retries when membership changed under it. Returns the sequence number. Each
    /// call seals anew, so a second call with the same `client_msg_id` is another message to the
    /// server (id_reused); a retry resends the envelope it sealed (PROTOCOL.md, send). Errors:
    /// key_changed (a member's key differs from the pinned one), bad_signature (a member's key
    /// is not self-signed) and the server's.
    [[nodiscard]] protocol::Expected<std::int64_t> send(
        std::string_view room, std::string_view text,
        std::optional<std::string> client_msg_id = std::nullopt);

    /// Every message of `room` after `after`, decrypted, in order (pages through sync).
    [[nodiscard]] protocol::Expected<std::vector<ReadMessage>> read(std::string_view room,
                                                                    std::int64_t after);

    /// Decrypts and verifies one message object (from sync or a "message" event).
    [[nodiscard]] ReadMessage open_message(const boost::json::object& message);

    /// Counts on this device, per dictionary entry and without any text, that the person fixed
    /// these findings ("fixed": sent as jargon::rewrite() changed them) or sent them as written
    /// ("sent_anyway"). With "fixed", findings the rewrite leaves as written (their meanings
    /// differ) are counted as sent anyway, for that is what happened to them. Unknown
    /// acronyms, which belong to no dictionary, are left out. Nothing is sent now: login()
    /// reports the totals on a later UTC day (feedback.hpp). Returns how many entries were
    /// counted.
    [[nodiscard]] protocol::Expected<std::size_t> report_findings(
        std::string_view outcome, const std::vector<jargon::Finding>& findings);

    /// Waits up to `timeout` for the next event (e.g. {"type":"message",…}); nullopt on timeout.
    /// A "dictionaries" event (an admin changed them) refreshes the dictionary cache and the
    /// engine before it is returned; dictionary_refresh() says how that went.
    [[nodiscard]] protocol::Expected<std::optional<boost::json::object>> next_event(
        std::chrono::milliseconds timeout);

    /// Accepts `user`'s current devices as theirs (after comparing fingerprints).
    [[nodiscard]] protocol::Expected<boost::json::object> trust(std::string_view user);

    /// A fresh client message id: the time in milliseconds as 12 lowercase hex digits, then
    /// 96 random bits in base64 (28 characters). Ids made later sort later (byte order) unless
    /// the clock steps back, which keeps the server's index of them compact; the random part
    /// alone makes them unique.
    [[nodiscard]] static std::string new_message_id();

  private:
    Client(const Home& home, Profile profile, crypto::DeviceKeys keys,
           std::unique_ptr<Connection> conn);
    /// Recipients from a member list (room_show or stale_membership), checking every key.
    protocol::Expected<std::vector<crypto::Recipient>> recipients(
        const boost::json::array& members);

    const Home& home_;
    Profile profile_;
    crypto::DeviceKeys keys_;
    std::unique_ptr<Connection> conn_;
    KnownKeys known_;
    std::string discipline_;
    std::shared_ptr<const jargon::Engine> engine_;
    protocol::Expected<bool> dictionary_refresh_{false};
};

}  // namespace liaise::client
