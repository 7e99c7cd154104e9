// Internal to the SQLite store: the repositories over one unit of work's connection. Each is
// made on first use in a unit (sqlite_store.cpp).
#pragma once

#include <memory>

#include "store/sqlite/conn.hpp"
#include "store/store.hpp"

namespace liaise::server::store::sqlite {

[[nodiscard]] std::unique_ptr<Accounts> make_accounts(const Conn& c);
[[nodiscard]] std::unique_ptr<Rooms> make_rooms(const Conn& c);
[[nodiscard]] std::unique_ptr<Messages> make_messages(const Conn& c);
[[nodiscard]] std::unique_ptr<Enrolment> make_enrolment(const Conn& c);
[[nodiscard]] std::unique_ptr<Meetings> make_meetings(const Conn& c);
[[nodiscard]] std::unique_ptr<AuditLog> make_audit(const Conn& c);
[[nodiscard]] std::unique_ptr<Dictionaries> make_dictionaries(const Conn& c);
[[nodiscard]] std::unique_ptr<Secrets> make_secrets(const Conn& c);
[[nodiscard]] std::unique_ptr<Glossary> make_glossary(const Conn& c);
[[nodiscard]] std::unique_ptr<Outbox> make_outbox(const Conn& c);
[[nodiscard]] std::unique_ptr<Continuity> make_continuity(const Conn& c);
[[nodiscard]] std::unique_ptr<Retention> make_retention(const Conn& c);
[[nodiscard]] std::unique_ptr<FollowUp> make_followup(const Conn& c);
[[nodiscard]] std::unique_ptr<Claims> make_claims(const Conn& c);
[[nodiscard]] std::unique_ptr<Reading> make_reading(const Conn& c);

}  // namespace liaise::server::store::sqlite
