// Internal: store::Messages (store/repo/messages.hpp) on PostgreSQL, inside a write unit's
// transaction on one connection.
#pragma once

#include "store/postgres/pq.hpp"
#include "store/repo/messages.hpp"

namespace liaise::server::pg {

/// Runs every call on `db`, which must be inside a transaction for append() and append_event()
/// (the room's row lock is held until that transaction ends: commit promptly). Reads may run
/// in any transaction. The store's contracts hold across nodes: nothing is remembered between
/// calls. Throws Error if PostgreSQL fails (the unit of work then fails as a whole).
class PgMessages final : public store::Messages {
  public:
    explicit PgMessages(Connection& db) : db_(db) {}

    [[nodiscard]] std::int64_t last_seq(store::Id room) const override;
    [[nodiscard]] std::vector<store::StoredMessage> after(store::Id room, std::int64_t after,
                                                          std::int64_t limit) const override;
    [[nodiscard]] std::vector<store::RoomRows> after_each(
        const std::vector<store::RoomAfter>& wanted, std::int64_t limit) const override;
    [[nodiscard]] std::vector<store::SentSpan> sent_by(store::Id account) const override;
    [[nodiscard]] store::Appended append(const store::NewMessage& m) override;
    [[nodiscard]] std::int64_t append_event(store::Id room, store::Id actor_device,
                                            std::string_view event_json, store::Millis at) override;
    [[nodiscard]] bool withdraw(store::Id room, std::int64_t seq,
                                std::string_view tombstone_json) override;

  private:
    Connection& db_;
};

}  // namespace liaise::server::pg
