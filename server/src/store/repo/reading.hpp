// Repository: how far each member has read each room, and the daily digest of unread rooms
// (store/store.hpp; PROTOCOL.md, "Read positions"). A read position is a seq: the member's
// devices have shown the room up to it. It only ever rises. The digest keeps which day's digest
// went to whom and up to which instant it counted messages, so that each digest is sent once
// and the next counts only what arrived after it. Nothing here names a message's content.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "store/repo/types.hpp"

namespace liaise::server::store {

/// A digest to send: to `account`, about `unread_rooms` rooms.
struct PendingDigest {
    Id account = 0;
    std::string email;
    std::string display_name;
    /// Rooms with a message the account has not read, sent at or before the digest's cutoff.
    int unread_rooms = 0;
};

class ReadingView {
  public:
    virtual ~ReadingView() = default;
    /// The seq up to which `account` has read `room`; 0 when it never said.
    [[nodiscard]] virtual std::int64_t read_seq(Id room, Id account) const = 0;
    /// The account's read positions by room name, for every room it is a member of and has
    /// read some of, by name.
    [[nodiscard]] virtual std::vector<std::pair<std::string, std::int64_t>> read_seqs(
        Id account) const = 0;
    /// Whether the account gets the daily digest: true unless it turned it off.
    [[nodiscard]] virtual bool digest_on(Id account) const = 0;
    /// The digests of `day` (YYYY-MM-DD) not yet sent, by account id, at most `limit`. For each
    /// account that is not suspended, has an email address, has the digest on and has had no
    /// digest for `day`: the rooms it is a member of with a message after both its read position
    /// and the seq it joined at, sent by another account at or before `cutoff`. It is due only
    /// if one of those messages was sent after its previous digest's cutoff (after `since` when
    /// it never had one). Membership events are not messages.
    [[nodiscard]] virtual std::vector<PendingDigest> pending_digests(std::string_view day,
                                                                     Millis since, Millis cutoff,
                                                                     int limit) const = 0;
    /// When an admin last asked for the digest to run now (digest_run); nullopt if never.
    [[nodiscard]] virtual std::optional<Millis> digest_requested() const = 0;
    /// Whether `day`'s digest went to `account` (mark_digest_sent).
    [[nodiscard]] virtual bool digest_sent(Id account, std::string_view day) const = 0;
    /// The cutoff of `day`'s digest run, once it started (fix_digest_cutoff); nullopt before.
    [[nodiscard]] virtual std::optional<Millis> digest_cutoff(std::string_view day) const = 0;
};

class Reading : public ReadingView {
  public:
    /// Raises `account`'s read position in `room` to `seq`; false (and no change) when it is
    /// there or beyond already. The caller checks membership and that the room has `seq`.
    [[nodiscard]] virtual bool mark_read(Id room, Id account, std::int64_t seq, Millis at) = 0;
    /// Turns the account's digest on or off; false (and no change) when it was so already.
    [[nodiscard]] virtual bool set_digest(Id account, bool on) = 0;
    /// Records that `day`'s digest, counting messages up to `cutoff`, went to `account` at `at`;
    /// a digest recorded already stays as it was.
    virtual void mark_digest_sent(Id account, std::string_view day, Millis cutoff, Millis at) = 0;
    /// Records an admin's request to run the digest now, at `at` (the latest request stays).
    virtual void request_digest(Millis at) = 0;
    /// Fixes `day`'s digest run to count messages sent up to `cutoff`, unless it was fixed
    /// before; returns the day's cutoff. A day has one run: a later one (a restart, another
    /// node, an admin's second request) resumes it and counts nothing newer.
    [[nodiscard]] virtual Millis fix_digest_cutoff(std::string_view day, Millis cutoff) = 0;
};

}  // namespace liaise::server::store
