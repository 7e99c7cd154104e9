// Internal: the history this device has received and decrypted, kept on the device so that
// `liaise read` works without the server and does not fetch and decrypt a long room again.
//
// One SQLite file, $LIAISE_HOME/history.db (mode 0600), beside the keystore. Each row is one
// entry of a room's history (a message, or a membership event) as the client showed it at
// receipt: seq, sender account and device, sent_at, the text (or why it could not be read) and
// the warnings the ledger derived then. What is readable without this device's keys:
//   - nothing of a row but its seq: the rest is sealed with XChaCha20-Poly1305 under a key
//     derived from the device's secret box key (kept only in the keystore), with the room, the
//     seq and the seq of the row before it in the room as associated data, so that a row moved
//     to another seq or room, or a row removed from the middle, no longer opens;
//   - not the room name either: rows are filed under a keyed hash of it (the same key), so the
//     file does not say which rooms this device reads (the ledger's file names still do);
//   - the number of rows per room and their seqs (which the server knows too), and the sealed
//     sizes, padded to 256 bytes.
// A store written by another device (or under older keys) does not open: it is emptied, once,
// with a note. A file SQLite cannot read is removed and started again. Nothing here is needed:
// everything in it can be fetched from the server again, which is what happens to any row that
// does not open.
//
// One HistoryStore is used from one thread; two processes of one home share the file through
// SQLite's locking (a writer waits up to five seconds).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "liaise/client/client.hpp"
#include "liaise/client/home.hpp"
#include "liaise/protocol/crypto.hpp"
#include "liaise/protocol/expected.hpp"

namespace liaise::client {

/// The file's name in the home. Not "keystore*" or "*.key": it holds no keys.
inline constexpr const char* kHistoryFile = "history.db";

/// A room's rows as they opened.
struct KeptRoom {
    std::vector<ReadMessage> messages;  ///< every row that opened, in seq order
    std::vector<std::int64_t> refused;  ///< seqs of rows that did not open (damaged, moved)
    /// The seq up to which the kept history can stand in for the server's (0: none of it):
    /// the first row's seq through the last one before the first refused row, the first hole
    /// in the seqs (a message the server withheld, or a row removed), or the first message
    /// kept as unreadable for a key change (readable after `liaise verify`). A reader fetches
    /// what comes after it again.
    std::int64_t resume_after = 0;
};

class HistoryStore {
  public:
    /// Opens (or creates) the store in `home` for `user`'s device `device` with `keys`. A file
    /// SQLite cannot open is removed and created again, and a store that is not this device's
    /// is emptied; notes() says so. Errors: history_unavailable (the file cannot be created).
    [[nodiscard]] static protocol::Expected<std::unique_ptr<HistoryStore>> open(
        const Home& home, const std::string& user, const std::string& device,
        const crypto::DeviceKeys& keys);
    /// The store at `path`: open() without a home, for tests.
    [[nodiscard]] static protocol::Expected<std::unique_ptr<HistoryStore>> open_file(
        const std::filesystem::path& path, const std::string& user, const std::string& device,
        const crypto::DeviceKeys& keys);

    HistoryStore(const HistoryStore&) = delete;
    HistoryStore& operator=(const HistoryStore&) = delete;
    ~HistoryStore();

    /// Every row kept for `room`, opened and checked. Never throws: a damaged file yields what
    /// could be read, and a note.
    [[nodiscard]] KeptRoom load(const std::string& room);
    /// The highest seq kept for `room`, opened or not (0: none).
    [[nodiscard]] std::int64_t tail(const std::string& room);
    /// Whether keep() first drops the rows after the point it continues from.
    enum class Replace { yes, no };
    /// Replaces the rows of `room` after `after` with `messages` (each seq > after, in order);
    /// with Replace::no keeps those rows and adds only the messages after the last of them.
    /// False (and a note) if it could not be written: the history is then simply not kept.
    bool keep(const std::string& room, std::int64_t after, const std::vector<ReadMessage>& messages,
              Replace replace = Replace::yes);
    /// Adds `message` after the last row of its room; ignored unless its seq is higher.
    bool append(const ReadMessage& message);
    /// Replaces the kept row of `tombstone.room` at `tombstone.seq` with `tombstone` (a withdrawn
    /// message: the text is gone from the file), sealed in the same place so that the rows
    /// around it still open. False if no row is kept there or it could not be written.
    bool replace(const ReadMessage& tombstone);

    /// What went wrong since the last call, in plain words, for the person (never message text).
    [[nodiscard]] std::vector<std::string> take_notes();

  private:
    struct Impl;
    explicit HistoryStore(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

/// A one-line summary of a kept message list for people: "the 42 messages kept on this device,
/// up to 6 Dec 2026 21:40" (local time); membership events are not counted as messages.
[[nodiscard]] std::string kept_summary(const std::vector<ReadMessage>& messages);

}  // namespace liaise::client
