// Internal to the PostgreSQL store: the repositories over one unit of work's connection, one
// file each (accounts_repo.cpp, ...; messages_repo.hpp for messages). Each runs every call on
// the connection it is given, inside the unit's transaction, and remembers nothing between
// calls: what it answers is what is committed (or written by this unit), on any node.
#pragma once

#include <memory>

#include "store/postgres/pq.hpp"
#include "store/store.hpp"

namespace liaise::server::pg {

[[nodiscard]] std::unique_ptr<store::Accounts> make_accounts(Connection& db);
[[nodiscard]] std::unique_ptr<store::Rooms> make_rooms(Connection& db);
[[nodiscard]] std::unique_ptr<store::Messages> make_messages(Connection& db);
[[nodiscard]] std::unique_ptr<store::Enrolment> make_enrolment(Connection& db);
[[nodiscard]] std::unique_ptr<store::Meetings> make_meetings(Connection& db);
/// `in_write`: the log of a write unit, whose reads of the end of the chain (last(), head())
/// and appends take the audit lock first (audit_repo.cpp).
[[nodiscard]] std::unique_ptr<store::AuditLog> make_audit(Connection& db, bool in_write);
[[nodiscard]] std::unique_ptr<store::Dictionaries> make_dictionaries(Connection& db);
[[nodiscard]] std::unique_ptr<store::Secrets> make_secrets(Connection& db);
[[nodiscard]] std::unique_ptr<store::Glossary> make_glossary(Connection& db);
[[nodiscard]] std::unique_ptr<store::Outbox> make_outbox(Connection& db);
[[nodiscard]] std::unique_ptr<store::Claims> make_claims(Connection& db);
[[nodiscard]] std::unique_ptr<store::Continuity> make_continuity(Connection& db);
[[nodiscard]] std::unique_ptr<store::Retention> make_retention(Connection& db);
[[nodiscard]] std::unique_ptr<store::FollowUp> make_followup(Connection& db);
[[nodiscard]] std::unique_ptr<store::Reading> make_reading(Connection& db);

}  // namespace liaise::server::pg
