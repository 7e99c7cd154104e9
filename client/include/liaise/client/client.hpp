// The Liaise client library: enrol a device, log in, and exchange end-to-end encrypted
// messages. Used by the `liaise` command, the tests and the benchmarks. One Client is used from
// one thread.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "liaise/client/connection.hpp"
#include "liaise/client/home.hpp"
#include "liaise/client/ledger.hpp"
#include "liaise/client/message_size.hpp"
#include "liaise/client/minutes.hpp"
#include "liaise/client/plain.hpp"
#include "liaise/client/server_pin.hpp"
#include "liaise/jargon/engine.hpp"
#include "liaise/protocol/continuity.hpp"
#include "liaise/protocol/crypto.hpp"
#include "liaise/protocol/expected.hpp"
#include "liaise/protocol/minutes_digest.hpp"

namespace liaise::client {

class HistoryStore;  // history_store.hpp: this device's kept history, sealed

/// One message as the reader sees it: decrypted and verified, or the reason it could not be.
struct ReadMessage {
    std::string room;
    std::int64_t seq = 0;
    std::string sender;
    std::string sender_device;
    std::int64_t sent_at = 0;  ///< milliseconds since the epoch, by the server's clock
    std::optional<std::string> text;
    protocol::Error error;  ///< set when !text and !event: bad_signature, key_changed, …
    /// Set when this entry of the room's history is a membership event the server recorded
    /// (PROTOCOL.md, "Room events"), not a message: no sender, no text, no error.
    std::optional<boost::json::object> event;
    /// What the reader should know about this message (Ledger::observe, key changes); empty on
    /// an honest server with unchanged keys.
    std::vector<Warning> warnings;
    /// For a message this device opened: message_hash() of its envelope (base64), so that a
    /// withdrawal can be checked against this device's copy. Empty when unknown.
    std::string hash;
    /// For a `message_withdrawn` event whose signed statement verified against the
    /// withdrawer's pinned key: the seq of the message it withdraws (0 otherwise). The client
    /// then deletes its copy of that message (PROTOCOL.md, "Withdrawing a message").
    std::int64_t withdraws = 0;
};

/// A room's history as Client::history() gives it: what this device kept, then what the server
/// had after it.
struct History {
    std::vector<ReadMessage> messages;  ///< in seq order
    std::size_t kept = 0;     ///< how many of `messages`, from the first, were kept on this device
    std::size_t fetched = 0;  ///< how many messages the server sent this time
    /// What the person should know about the kept history, in plain words (a row that did not
    /// open and is fetched again; a store emptied as not this device's); never message text.
    std::vector<std::string> notes;
};

/// A reader a message is about to be encrypted for that this device never wrote to in the room.
struct NewReader {
    std::string user, device;
    std::string display_name, agency;  ///< as the server lists the member
    /// "Pat Carter, Westshire Police (pcarter, device 4)": who to check before saying yes.
    [[nodiscard]] std::string describe() const;
};
/// Asked before a message is encrypted for new readers; true sends. Empty: accept them (the
/// library's callers decide; the CLI and chat always ask).
using ConfirmReaders = std::function<bool(const std::vector<NewReader>& new_readers)>;

/// A person's pairwise safety number with this device's account, as this device computes it.
struct SafetyNumber {
    std::string user;
    std::string number;                          ///< 12 groups of 5 digits
    std::map<std::string, std::string> devices;  ///< device -> base64 sign key it covers
    /// What the number covers, as the server listed it: each side's devices ("3 (bea-laptop)").
    /// A device someone does not recognise, theirs or yours, is reason to stop and ask.
    std::vector<std::string> their_devices, my_devices;
    bool verified = false;  ///< verified, and the keys are the pinned ones
};

/// The public identity a device object describes (as room_show, user_keys, sender_keys and
/// the signer_keys of signed minutes give them); nullopt if a key is missing or malformed. Its
/// self-signature is not checked here (PublicIdentity::valid does that).
[[nodiscard]] std::optional<crypto::PublicIdentity> device_identity(
    const boost::json::object& device);

class Client {
  public:
    /// Generates this device's keys, enrols with `code` at `server`, and saves the profile and
    /// the keystore (sealed with `passphrase`) in `home`. Refuses a home that is already
    /// enrolled (already_enrolled). Returns the account as the server describes it.
    [[nodiscard]] static protocol::Expected<boost::json::object> enrol(
        const Home& home, std::string_view server, std::string_view code,
        std::string_view passphrase, std::string_view device_name);
    /// What enrol() refuses before it does anything: an enrolled `home` (already_enrolled), and
    /// a `server` address Connection::open would not try (bad_url, insecure_transport).
    [[nodiscard]] static protocol::Expected<bool> can_enrol(const Home& home,
                                                            std::string_view server);

    /// Opens the keystore with `passphrase`, connects to the profile's server, logs in, and
    /// brings the dictionary cache up to date when the server has a newer version.
    [[nodiscard]] static protocol::Expected<std::unique_ptr<Client>> login(
        const Home& home, std::string_view passphrase);
    /// login() with keys already opened (by the unlock agent, or held from an earlier login).
    [[nodiscard]] static protocol::Expected<std::unique_ptr<Client>> login(const Home& home,
                                                                           crypto::DeviceKeys keys);

    /// Logins by this account's other devices since this device's previous login, as the
    /// server recorded them (PROTOCOL.md, login: `new_logins`), oldest first.
    [[nodiscard]] const boost::json::array& new_logins() const noexcept { return new_logins_; }
    /// Reads the pinned keys again from the home (after `liaise verify` or `trust` in another
    /// process), so a long-running client does not keep refusing a change already accepted.
    void reload_pins() { known_.reload(); }

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
    /// For an admin: what the check of the server's signed audit head at login found
    /// (server_pin.hpp); login() failed if it refused the log. Empty for everyone else.
    [[nodiscard]] const std::optional<AuditHeadCheck>& audit_head_check() const noexcept {
        return audit_head_check_;
    }
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
    /// Errors also: new_readers (`confirm` said no; nothing was sent), key_changed (a verified
    /// person's keys changed: verify again). An unverified person's key change is accepted and
    /// reported in last_notices().
    [[nodiscard]] protocol::Expected<std::int64_t> send(
        std::string_view room, std::string_view text,
        std::optional<std::string> client_msg_id = std::nullopt,
        const ConfirmReaders& confirm = {});
    /// What the last send() accepted that the person should hear of (key_changed notices).
    [[nodiscard]] const std::vector<Warning>& last_notices() const noexcept { return notices_; }

    /// Every message of `room` after `after`, decrypted, in order (pages through sync). When
    /// `after` is the last seq this device keeps for the room, what is read is kept too.
    [[nodiscard]] protocol::Expected<std::vector<ReadMessage>> read(std::string_view room,
                                                                    std::int64_t after);

    /// `room`'s history after `after`: what this device kept (history_store.hpp) first, then
    /// only what the server has after the last of it that still opens and has no hole, which
    /// is decrypted and checked by the ledger like any message read, and kept. Reading from
    /// beyond what is kept (`after` past it) fetches and keeps nothing else. Errors: the
    /// server's (the kept history alone is read with HistoryStore, without a Client).
    [[nodiscard]] protocol::Expected<History> history(std::string_view room, std::int64_t after);

    /// Decrypts and verifies one message object (from sync or a "message" event). It is kept
    /// on this device when it follows the room's history this client has read (history(), or
    /// read() from the last kept seq).
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

    /// The safety number of this account and `user` over both accounts' current devices as
    /// the server lists them, each key checked to be self-signed (bad_signature). The same
    /// number on both people's devices means both see the same keys.
    [[nodiscard]] protocol::Expected<SafetyNumber> safety_number(std::string_view user);
    /// Pins `user`'s current devices and marks them verified, only if `number` (spaces
    /// optional) is the safety number this device computes; else `number_mismatch` and nothing
    /// is pinned.
    [[nodiscard]] protocol::Expected<SafetyNumber> verify(std::string_view user,
                                                          std::string_view number);

    /// The fields that sign `minutes` (a version as meeting_show returns it) for `act` with this
    /// device's key, now: {"signed_at", "signature"}, to add to meeting_circulate or
    /// meeting_approve. The server refuses them (bad_signature) unless it stores the same.
    [[nodiscard]] boost::json::object sign_minutes(const boost::json::object& minutes,
                                                   protocol::MinutesAct act) const;
    /// Checks each signature on `minutes` (a fixed version as meeting_show returns it, with
    /// "signatures") against the signer's pinned key, pinning a key first seen as messages do
    /// (a verified person's new or changed key is refused, never pinned).
    [[nodiscard]] MinutesCheck check_minutes(const boost::json::object& minutes);
    /// The fields that sign this account's acknowledgement of `minutes` (a fixed version as
    /// meeting_show returns it) with this device's key, now: {"signed_at", "signature"}, to add
    /// to minutes_acknowledge (PROTOCOL.md, "Signed acknowledgements and comments").
    [[nodiscard]] boost::json::object sign_acknowledgement(
        const boost::json::object& minutes) const;
    /// The same for an accuracy comment on `section` of `version` of `meeting`.
    [[nodiscard]] boost::json::object sign_comment(std::int64_t meeting, std::int64_t version,
                                                   std::string_view section,
                                                   std::string_view text) const;
    /// Checks the signature on an acknowledgement as the distribution of `minutes` (a fixed
    /// version) or minutes_due shows it ({"user", "name", "agency", "acknowledged_at",
    /// "ack_signature"}) against the signer's pinned key, pinning a key first seen as
    /// check_minutes() does.
    [[nodiscard]] ReceiptCheck check_acknowledgement(const boost::json::object& minutes,
                                                     const boost::json::object& entry);
    /// Checks the signature on an accuracy comment as minutes_comments shows it.
    [[nodiscard]] ReceiptCheck check_comment(const boost::json::object& comment);
    /// Fetches fixed `version` of `meeting` (the current one when 0) and check_minutes() it.
    /// wrong_status when the version asked for is still a draft (nothing is signed yet).
    [[nodiscard]] protocol::Expected<MinutesCheck> verify_minutes(std::int64_t meeting,
                                                                  std::int64_t version);

    // ---- continuity (continuity.cpp; PROTOCOL.md, "Continuity") ----------------------------

    /// The account's key backup as the server and this device know it.
    struct BackupStatus {
        std::int64_t version = 0;     ///< 0: no recovery key yet
        std::string device;           ///< the device that signed the backup key
        bool on_this_device = false;  ///< this device keeps the recovery key
        bool trusted = false;         ///< the backup key is signed by a device this one accepts
    };
    [[nodiscard]] protocol::Expected<BackupStatus> backup_status();
    /// Makes a new recovery key: publishes its backup public key as the next version (signed by
    /// this device), keeps it on this device, and backs up the key of every message this device
    /// can read in every room. When this device keeps the old recovery key, every entry it
    /// opens is carried over, and the old version's entries are then deleted from the server
    /// (a note says what was left out otherwise). Shown once by the caller.
    [[nodiscard]] protocol::Expected<crypto::RecoveryKey> create_recovery_key();
    /// Restores every backed-up key with `key` and reads each room again, keeping what now
    /// opens. bad_recovery_key, with nothing changed, if `key` is not the account's current one.
    /// Returns how many messages opened with a restored key.
    [[nodiscard]] protocol::Expected<std::size_t> restore(const crypto::RecoveryKey& key);
    /// Old device: seals every key it holds under a new code for the account's next device.
    /// Returns the code to show.
    [[nodiscard]] protocol::Expected<std::string> offer_transfer();
    /// New device: takes the waiting transfer, opens it with `code` (from the old device, which
    /// must be a current device of this account) and reads each room again. Returns how many
    /// messages opened with a transferred key.
    [[nodiscard]] protocol::Expected<std::size_t> receive_transfer(std::string_view code);
    /// Shares `room`'s messages sent since `since` (ms) with member `user`'s devices, in parts
    /// that each fit in half of a `max_frame`-byte request (the first announces the share, the
    /// others continue it). Returns the seq of the room event that says so.
    [[nodiscard]] protocol::Expected<std::int64_t> share_history(
        std::string_view room, std::string_view user, std::int64_t since,
        std::size_t max_frame = kMaxFrameBytes);
    /// The messages shared with this device in `room` (oldest first), each checked: the share
    /// signed by a member's device, the message within its range and sent at or after its date,
    /// the key matching the signed message. Messages that fail are left out (notes say why).
    [[nodiscard]] protocol::Expected<std::vector<ReadMessage>> shared_history(
        std::string_view room);
    /// Why shared_history() left messages out, since the last call (plain words, no text).
    [[nodiscard]] std::vector<std::string> take_continuity_notes();

    // ---- withdrawing a misdirected message (withdraw.cpp; PROTOCOL.md) ----------------------

    /// Withdraws message `seq` of `room` (one's own; an admin, anyone's in a room they are a
    /// member of): signs the statement over the message's hash with this device's key and sends
    /// message_withdraw; this device's kept copy is deleted at once, every other device's on its
    /// next read. Returns the server's reply ({"room","seq","event_seq","withdrawn"}). Errors:
    /// not_found (no such message, or a room event), already_withdrawn, forbidden (not the
    /// sender, not an admin) and the server's.
    [[nodiscard]] protocol::Expected<boost::json::object> withdraw(std::string_view room,
                                                                   std::int64_t seq);

    /// A fresh client message id: the time in milliseconds as 12 lowercase hex digits, then
    /// 96 random bits in base64 (28 characters). Ids made later sort later (byte order) unless
    /// the clock steps back, which keeps the server's index of them compact; the random part
    /// alone makes them unique.
    [[nodiscard]] static std::string new_message_id();

    ~Client();
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

  private:
    Client(const Home& home, Profile profile, crypto::DeviceKeys keys,
           std::unique_ptr<Connection> conn);
    /// Recipients from a member list (room_show or stale_membership), checking every key.
    /// A key to pin once the message it was checked for is sent.
    struct Pin {
        std::string user, device;
        crypto::SignPublicKey key;
    };
    /// `readers` receives "user/device" of each, `pins` the keys not pinned yet (new people,
    /// and unverified people's changed keys, which are noted in notices_).
    protocol::Expected<std::vector<crypto::Recipient>> recipients(const boost::json::array& members,
                                                                  std::set<std::string>& readers,
                                                                  std::vector<Pin>& pins);

    /// The key to check a signature by `user`'s `device` with, given the server's
    /// `signer_keys` for it (minutes.cpp): the pinned one, or one first seen, pinned now (noted
    /// in `note`, `pinned_now`); nullopt with the reason in `note` when it must be refused.
    std::optional<crypto::SignPublicKey> signer_key(const std::string& user,
                                                    const std::string& device,
                                                    const boost::json::value* signer_keys,
                                                    std::string& note, bool& pinned_now);

    const Home& home_;
    Profile profile_;
    crypto::DeviceKeys keys_;
    std::unique_ptr<Connection> conn_;
    /// open_message() without saving the ledger (read() saves it once a page).
    ReadMessage open_one(const boost::json::object& message);
    /// read() without keeping anything; counts what the server sent in fetched_.
    protocol::Expected<std::vector<ReadMessage>> fetch(std::string_view room, std::int64_t after);
    /// The kept history, opened on first use; null if it cannot be (history_notes_ says why).
    HistoryStore* store();
    /// For a `message_withdrawn` event `out` (open_one): checks its signed statement against
    /// the withdrawer's pinned key and sets out.withdraws, or refuses it with a warning.
    void check_withdrawal(ReadMessage& out);
    /// Deletes the messages that verified withdrawals among `messages` withdraw, in `messages`
    /// and in the kept history, once each is checked against the copy (its sender and hash);
    /// a withdrawal that does not match the copy is refused with a warning and the copy stays.
    void apply_withdrawals(std::vector<ReadMessage>& messages);

    // Continuity (continuity.cpp).
    struct HeldKey {
        crypto::KeyEntry entry;
        std::int64_t sent_at = 0;  ///< the envelope's signed sent_at
    };
    /// Notes the key of a message open_one() read, when collecting (backup, transfer, share).
    void note_key(const crypto::Envelope& envelope, std::int64_t seq,
                  const crypto::PublicIdentity& sender);
    /// Every key this device can read in `room`, reading it from the start.
    protocol::Expected<std::vector<HeldKey>> keys_of(const std::string& room);
    /// Reads `room` from the start and keeps it, after keys were added; counts what opened
    /// with one of them.
    protocol::Expected<std::size_t> read_again(const std::string& room);
    /// The rooms of this account.
    protocol::Expected<std::vector<std::string>> room_names();
    /// Accepts a device of this account (a key pinned, or first seen and not verified).
    bool own_device(const std::string& device, const crypto::SignPublicKey& key);
    /// The account's backup public key when it is one this device accepts; looked up once.
    std::optional<crypto::BoxPublicKey> backup_target();
    /// Seals the collected keys to the backup key and stores them (when `connected`: the read
    /// that collected them worked); clears the collection. False when a put failed (or not
    /// `connected`).
    bool back_up_collected(bool connected = true);
    /// What a recovery key opened of the current backup in `rooms`, and how many entries did
    /// not open or belonged to another message.
    struct OpenedBackup {
        std::vector<crypto::KeyEntry> entries;
        std::size_t refused = 0;
    };
    protocol::Expected<OpenedBackup> open_backup(const crypto::RecoveryKey& key,
                                                 const std::vector<std::string>& rooms);
    using MovedKeys = std::map<std::pair<std::string, std::int64_t>, crypto::KeyEntry>;
    /// The keys that came by restore, transfer or share, this session's and those kept from
    /// earlier ones (read once, when first needed: commands that open no earlier message pay
    /// nothing; a kept key that does not open is left out).
    MovedKeys& moved_keys();
    /// Adds `entries` to the keys this device holds, and keeps them for later sessions.
    void keep_moved_keys(std::vector<crypto::KeyEntry> entries);
    /// Drops the moved key of (room, seq) here and from what is kept (a withdrawn message).
    void forget_moved_key(const std::string& room, std::int64_t seq);
    /// Deletes the backup's entries of earlier versions (after all were stored again under the
    /// current one); a failure becomes a note.
    void prune_backup();
    void begin_backup();
    MovedKeys extra_keys_;  ///< through moved_keys(), which reads the kept ones first
    bool moved_keys_loaded_ = false;
    std::size_t extra_used_ = 0;
    bool collecting_ = false;
    std::vector<HeldKey> collected_;
    bool backup_checked_ = false;
    std::int64_t backup_version_ = 0;
    std::optional<crypto::BoxPublicKey> backup_key_;
    std::vector<std::string> continuity_notes_;

    KnownKeys known_;
    Ledger ledger_;
    bool batching_ = false;  // inside read(): the ledger is saved after the page
    std::vector<Warning> notices_;
    std::unique_ptr<HistoryStore> store_;
    bool store_tried_ = false;
    std::vector<std::string> history_notes_;  // from opening the store, for the next history()
    std::set<std::string> kept_rooms_;        // rooms whose messages this client keeps as they come
    std::size_t fetched_ = 0;
    std::string discipline_;
    std::optional<AuditHeadCheck> audit_head_check_;
    boost::json::array new_logins_;
    std::shared_ptr<const jargon::Engine> engine_;
    protocol::Expected<bool> dictionary_refresh_{false};
};

}  // namespace liaise::client
