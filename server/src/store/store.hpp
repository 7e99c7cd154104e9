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
// kept) and reaches `done`. A unit of work may be run more than once (a write unit after a
// failed batch; a read or write unit once more after PostgreSQL refused a statement prepared
// before a schema change, during a rolling upgrade): it must not keep state between runs other
// than what it resets on entry.
#pragma once

#include <exception>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "store/repo/accounts.hpp"
#include "store/repo/audit_log.hpp"
#include "store/repo/claims.hpp"
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
    /// Claims with a lease, for work one node of several does at a time (repo/claims.hpp).
    [[nodiscard]] virtual Claims& claims() = 0;
    /// Read positions and the digest's records (repo/reading.hpp).
    [[nodiscard]] virtual Reading& reading() = 0;
};

/// A write unit seen as a read unit: its repositories as views, with its own changes. For code
/// that decides the same way from a snapshot (before a write, off the writer) and again inside
/// the write. Valid only while `tx` is.
class TxAsRead final : public ReadTx {
  public:
    explicit TxAsRead(Tx& tx) : tx_(tx) {}
    [[nodiscard]] const AccountsView& accounts() const override { return tx_.accounts(); }
    [[nodiscard]] const RoomsView& rooms() const override { return tx_.rooms(); }
    [[nodiscard]] const MessagesView& messages() const override { return tx_.messages(); }
    [[nodiscard]] const EnrolmentView& enrolment() const override { return tx_.enrolment(); }
    [[nodiscard]] const MeetingsView& meetings() const override { return tx_.meetings(); }
    [[nodiscard]] const AuditLogView& audit() const override { return tx_.audit(); }
    [[nodiscard]] const DictionariesView& dictionaries() const override {
        return tx_.dictionaries();
    }
    [[nodiscard]] const SecretsView& secrets() const override { return tx_.secrets(); }
    [[nodiscard]] const GlossaryView& glossary() const override { return tx_.glossary(); }
    [[nodiscard]] const OutboxView& outbox() const override { return tx_.outbox(); }
    [[nodiscard]] const ContinuityView& continuity() const override { return tx_.continuity(); }
    [[nodiscard]] const RetentionView& retention() const override { return tx_.retention(); }
    [[nodiscard]] const FollowUpView& followup() const override { return tx_.followup(); }
    [[nodiscard]] const ReadingView& reading() const override { return tx_.reading(); }

  private:
    Tx& tx_;
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

    /// The rows a write unit will lock, named before it runs. A store that several nodes share
    /// locks the named rows of a whole batch of units first, in one fixed order (PostgreSQL:
    /// rooms by ascending id), so two nodes' batches cannot deadlock. Only a hint: a unit may
    /// still lock rows it did not name (the store copes, more slowly), and a name with no row
    /// behind it costs nothing.
    struct Locks {
        std::vector<std::string> rooms;  ///< room names: the rooms whose seq the unit takes
    };
    /// write() for a unit that will lock `locks`. A store of one process ignores them (the
    /// default).
    virtual void write(WriteJob job, Done done, Locks locks) {
        (void)locks;
        write(std::move(job), std::move(done));
    }
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
