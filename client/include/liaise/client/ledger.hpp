// What this device remembers of each room's history, so that it can check what the server
// shows it against what senders signed: per sender device the last counter seen, the hashes of
// recent messages by seq, whom this device has encrypted to, and its own counter. Kept in
// $LIAISE_HOME/ledger-ROOM.json (mode 0600, written atomically). One Ledger is used from one
// thread; two processes sharing a home may each miss the other's updates (a false "gap" or
// "replay" at worst, never a message accepted that should not be).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "liaise/client/home.hpp"
#include "liaise/protocol/crypto.hpp"

namespace liaise::client {

/// Something a reader should know about a message: a stable code ("gap", "replay",
/// "sender_mismatch", "clock", "new_reader", "key_changed") and a sentence in plain words.
struct Warning {
    std::string code;
    std::string message;
};

/// The most a sender's clock may differ from the server's before a reader is told.
inline constexpr std::int64_t kClockToleranceMs = 10 * 60 * 1000;

class Ledger {
  public:
    explicit Ledger(const Home& home) : home_(home) {}

    /// The history fields of this device's next message in `room` from account `sender`: the
    /// next counter (saved at once, so a crash never reuses one) and the last message seen.
    [[nodiscard]] crypto::History next(const std::string& room, const std::string& sender,
                                       std::int64_t now_ms);
    /// Gives back the counter next() handed out when the server refused the message outright
    /// (nothing was stored), so that readers see no gap.
    void unsend(const std::string& room, std::uint64_t counter);

    /// Devices ("user/device") in `readers` that this device has never encrypted to in `room`.
    [[nodiscard]] std::vector<std::string> new_readers(const std::string& room,
                                                       const std::set<std::string>& readers);
    /// Remembers that this device encrypted to `readers` in `room`.
    void encrypted_to(const std::string& room, const std::set<std::string>& readers);

    /// Checks one message the server showed at `seq` (sent_at by its clock, from the account
    /// it names `shown_sender`), whose envelope's signature has been verified, and remembers
    /// it (in memory: flush() saves). `owner_of` names the pinned owner of a recipient device for
    /// the new-reader warning (empty when unknown). Returns what the reader should be told; nothing
    /// on an honest server.
    [[nodiscard]] std::vector<Warning> observe(
        const std::string& room, std::int64_t seq, std::int64_t sent_at,
        const std::string& shown_sender, const crypto::Envelope& envelope,
        const std::function<std::string(const std::string&)>& owner_of);
    /// Saves what observe() and observe_event() learnt. Until then it is kept in memory only,
    /// so that reading a page of messages writes the file once.
    void flush();
    /// Notes that the server showed something at `seq` that is not a checkable message (a
    /// membership event, or a message whose signature fails), so that the history this device
    /// has seen stays contiguous. `rejoined`: it is this account's own addition to the room,
    /// after which a hole is expected. Returns a "gap" warning for seqs skipped before it.
    [[nodiscard]] std::vector<Warning> observe_event(const std::string& room, std::int64_t seq,
                                                     bool rejoined);
    /// Called before reading `room` from after `after`: reading from beyond what this device
    /// has seen (`read --since`) starts its history again, so the skip is not taken for a hole.
    void reading_from(const std::string& room, std::int64_t after);
    /// Remembers a message this device sent (stored at `seq`).
    void sent(const std::string& room, std::int64_t seq, const crypto::Envelope& envelope);
    /// A withdrawal of message `seq` by its sender's device `device`, whose signature was
    /// checked (PROTOCOL.md, "Withdrawing a message"): remembers the message's `hash` (base64)
    /// for the `previous` check, and, when this device was not shown that message, counts it as
    /// the device's next one, so that its following message is not taken for a gap.
    void withdrawn(const std::string& room, std::int64_t seq, const std::string& device,
                   const std::string& hash);

  private:
    struct Sender {
        std::uint64_t counter = 0;
        std::int64_t seq = 0;
    };
    struct Room {
        bool loaded = false;
        bool dirty = false;                             // observed since the last save
        std::uint64_t counter = 0;                      // this device's last counter in the room
        std::int64_t first_seq = 0, contiguous_to = 0;  // seen without a hole: first..contiguous
        std::int64_t last_seq = 0;                      // last message seen (for `previous`)
        std::map<std::int64_t, std::string> hashes;     // seq -> base64 message hash, recent
        std::map<std::string, Sender> senders;          // sender device -> last seen
        std::set<std::string> encrypted_to;             // "user/device" this device sent to
        std::set<std::string> recipients;               // devices seen in others' messages
    };

    Room& load(const std::string& room);
    void save(const std::string& room);
    /// Extends the history seen with `seq`; a hole before it is a "gap" (and a new start).
    std::optional<Warning> seen(Room& r, std::int64_t seq, bool rejoined);

    const Home& home_;
    std::map<std::string, Room> rooms_;
};

}  // namespace liaise::client
