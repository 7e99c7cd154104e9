// The storage seam: what the application asks of a store, with no database type in sight.
//
// A Store runs units of work. A write unit (Tx) sees and changes every repository; a read unit
// (ReadTx) sees them as one consistent snapshot. The repositories (store/repo/*.hpp) take and
// return plain structs; their contracts are in their comments. SQLite implements it today
// (store/sqlite/); a PostgreSQL store shared by several server nodes is to implement the same
// interface, so:
//
// - Nothing in a contract may depend on there being one process. Sequence numbers and ids are
//   allocated in the transaction that uses them. An implementation may remember what it read
//   between units of work (the send path does) only if it forgets it whenever a commit that
//   could change it happens, on any node (for SQLite, which one process writes, the commits
//   are all its own).
// - Both kinds of unit complete asynchronously: `done` may run on another thread, after
//   write() or read() returned, or before (an in-process store may finish at once). A caller on
//   a network thread never waits for the store.
//
// Units of work are functions; what they throw aborts them (nothing of a failed write unit is
// kept) and reaches `done`. A write unit may be run more than once (after a failed batch): it
// must not keep state between runs other than what it resets on entry.
#pragma once

#include <exception>
#include <functional>
#include <optional>
#include <utility>

#include "store/repo/accounts.hpp"
#include "store/repo/audit_log.hpp"
#include "store/repo/continuity.hpp"
#include "store/repo/dictionaries.hpp"
#include "store/repo/enrolment.hpp"
#include "store/repo/followup.hpp"
#include "store/repo/glossary.hpp"
#include "store/repo/meetings.hpp"
#include "store/repo/messages.hpp"
#include "store/repo/outbox.hpp"
#include "store/repo/reading.hpp"
#include "store/repo/retention.hpp"
#include "store/repo/rooms.hpp"
#include "store/repo/secrets.hpp"

namespace liaise::server::store {

/// A read unit of work: one consistent snapshot of every repository. Valid only while the unit
/// runs; never keep it (or anything it returned by reference) past its return.
class ReadTx {
  public:
    virtual ~ReadTx() = default;
    [[nodiscard]] virtual const AccountsView& accounts() const = 0;
    [[nodiscard]] virtual const RoomsView& rooms() const = 0;
    [[nodiscard]] virtual const MessagesView& messages() const = 0;
    [[nodiscard]] virtual const EnrolmentView& enrolment() const = 0;
    [[nodiscard]] virtual const MeetingsView& meetings() const = 0;
    [[nodiscard]] virtual const AuditLogView& audit() const = 0;
    [[nodiscard]] virtual const DictionariesView& dictionaries() const = 0;
    [[nodiscard]] virtual const SecretsView& secrets() const = 0;
    [[nodiscard]] virtual const GlossaryView& glossary() const = 0;
    [[nodiscard]] virtual const OutboxView& outbox() const = 0;
    [[nodiscard]] virtual const ContinuityView& continuity() const = 0;
    [[nodiscard]] virtual const RetentionView& retention() const = 0;
    [[nodiscard]] virtual const FollowUpView& followup() const = 0;
    [[nodiscard]] virtual const ReadingView& reading() const = 0;
};

/// A write unit of work: reads see its own changes; everything commits together or not at all.
class Tx {
  public:
    virtual ~Tx() = default;
    [[nodiscard]] virtual Accounts& accounts() = 0;
    [[nodiscard]] virtual Rooms& rooms() = 0;
    [[nodiscard]] virtual Messages& messages() = 0;
    [[nodiscard]] virtual Enrolment& enrolment() = 0;
    [[nodiscard]] virtual Meetings& meetings() = 0;
    [[nodiscard]] virtual AuditLog& audit() = 0;
    [[nodiscard]] virtual Dictionaries& dictionaries() = 0;
    [[nodiscard]] virtual Secrets& secrets() = 0;
    [[nodiscard]] virtual Glossary& glossary() = 0;
    [[nodiscard]] virtual Outbox& outbox() = 0;
    [[nodiscard]] virtual Continuity& continuity() = 0;
    [[nodiscard]] virtual Retention& retention() = 0;
    [[nodiscard]] virtual FollowUp& followup() = 0;
    [[nodiscard]] virtual Reading& reading() = 0;
};

class Store {
  public:
    /// Called once a unit of work is over: with null after a write committed (durably) or a
    /// read returned, else with what the unit threw or why the commit failed. It must not
    /// block; what it throws is logged and dropped.
    using Done = std::function<void(std::exception_ptr)>;
    using WriteJob = std::function<void(Tx&)>;
    using ReadJob = std::function<void(const ReadTx&)>;

    virtual ~Store() = default;

    /// Queues `job` as a write unit of work. Units commit in the order they were queued from
    /// one thread; an implementation may commit several in one transaction (each still all or
    /// nothing), and calls each `done` only after the commit that holds it.
    virtual void write(WriteJob job, Done done) = 0;
    /// Runs `job` on a consistent snapshot that includes every write whose `done` has run.
    virtual void read(ReadJob job, Done done) = 0;

    /// For `init`, command-line tools and tests only (never a network thread): runs a unit and
    /// waits, rethrowing what it threw.
    void write_and_wait(WriteJob job);
    void read_and_wait(ReadJob job);
    /// read_and_wait() returning what `fn` returns.
    template <class Fn>
    auto read_now(Fn&& fn) {
        using R = decltype(fn(std::declval<const ReadTx&>()));
        std::optional<R> out;
        read_and_wait([&](const ReadTx& tx) { out.emplace(fn(tx)); });
        return std::move(*out);
    }
};

}  // namespace liaise::server::store
