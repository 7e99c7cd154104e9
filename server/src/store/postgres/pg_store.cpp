#include "store/postgres/pg_store.hpp"

#include "store/postgres/messages_repo.hpp"
#include "store/postgres/repos.hpp"

namespace liaise::server::pg {

using namespace store;

namespace {

/// Each repository made on first use: a send touches two of the eleven.
template <class Repo>
Repo& lazily(std::unique_ptr<Repo>& slot, std::unique_ptr<Repo> (*make)(Connection&),
             Connection& db) {
    if (!slot)
        slot = make(db);
    return *slot;
}

/// The repositories of one unit of work over `db`.
class Units final : public Tx, public ReadTx {
  public:
    /// `in_write`: a write unit's (repos.hpp: the audit log locks in write units only).
    Units(Connection& db, bool in_write) : db_(db), in_write_(in_write) {}

    Accounts& accounts() override { return lazily(accounts_, make_accounts, db_); }
    Rooms& rooms() override { return lazily(rooms_, make_rooms, db_); }
    Messages& messages() override { return lazily(messages_, make_messages, db_); }
    Enrolment& enrolment() override { return lazily(enrolment_, make_enrolment, db_); }
    Meetings& meetings() override { return lazily(meetings_, make_meetings, db_); }
    AuditLog& audit() override {
        if (!audit_)
            audit_ = make_audit(db_, in_write_);
        return *audit_;
    }
    Dictionaries& dictionaries() override { return lazily(dictionaries_, make_dictionaries, db_); }
    Secrets& secrets() override { return lazily(secrets_, make_secrets, db_); }
    Glossary& glossary() override { return lazily(glossary_, make_glossary, db_); }
    Outbox& outbox() override { return lazily(outbox_, make_outbox, db_); }
    Continuity& continuity() override { return lazily(continuity_, make_continuity, db_); }
    Retention& retention() override { return lazily(retention_, make_retention, db_); }
    FollowUp& followup() override { return lazily(followup_, make_followup, db_); }
    Claims& claims() override { return lazily(claims_, make_claims, db_); }
    Reading& reading() override { return lazily(reading_, make_reading, db_); }

    const AccountsView& accounts() const override { return self().accounts(); }
    const RoomsView& rooms() const override { return self().rooms(); }
    const MessagesView& messages() const override { return self().messages(); }
    const EnrolmentView& enrolment() const override { return self().enrolment(); }
    const MeetingsView& meetings() const override { return self().meetings(); }
    const AuditLogView& audit() const override { return self().audit(); }
    const DictionariesView& dictionaries() const override { return self().dictionaries(); }
    const SecretsView& secrets() const override { return self().secrets(); }
    const GlossaryView& glossary() const override { return self().glossary(); }
    const OutboxView& outbox() const override { return self().outbox(); }
    const ContinuityView& continuity() const override { return self().continuity(); }
    const RetentionView& retention() const override { return self().retention(); }
    const FollowUpView& followup() const override { return self().followup(); }
    const ReadingView& reading() const override { return self().reading(); }

  private:
    // A read unit's repositories are made on first use too; only their views are handed out.
    Units& self() const { return const_cast<Units&>(*this); }

    Connection& db_;
    bool in_write_ = false;
    std::unique_ptr<Accounts> accounts_;
    std::unique_ptr<Rooms> rooms_;
    std::unique_ptr<Messages> messages_;
    std::unique_ptr<Enrolment> enrolment_;
    std::unique_ptr<Meetings> meetings_;
    std::unique_ptr<AuditLog> audit_;
    std::unique_ptr<Dictionaries> dictionaries_;
    std::unique_ptr<Secrets> secrets_;
    std::unique_ptr<Glossary> glossary_;
    std::unique_ptr<Outbox> outbox_;
    std::unique_ptr<Continuity> continuity_;
    std::unique_ptr<Retention> retention_;
    std::unique_ptr<FollowUp> followup_;
    std::unique_ptr<Claims> claims_;
    std::unique_ptr<Reading> reading_;
};

}  // namespace

PgStore::PgStore(const std::string& url) : PgStore(url, Options{}) {}

PgStore::PgStore(const std::string& url, Options options)
    : url_(url), writer_(url, options.writer) {
    const auto n = options.readers == 0 ? std::size_t{1} : options.readers;
    // Connect every reader before starting any, so a bad URL throws here with nothing running.
    std::vector<std::unique_ptr<Connection>> connections;
    for (std::size_t i = 0; i < n; ++i)
        connections.push_back(std::make_unique<Connection>(url_));
    for (auto& db : connections)
        readers_.emplace_back([this, db = std::move(db)]() mutable { read_loop(std::move(db)); });
}

PgStore::~PgStore() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    for (auto& t : readers_)
        t.join();
    // writer_'s destructor then completes the queued writes.
}

void PgStore::write(WriteJob job, Done done) {
    write(std::move(job), std::move(done), Locks{});
}

void PgStore::write(WriteJob job, Done done, Locks locks) {
    writer_.write(
        [job = std::move(job)](Connection& db) {
            Units units(db, true);
            job(units);
        },
        std::move(done), std::move(locks.rooms));
}

void PgStore::read(ReadJob job, Done done) {
    {
        std::lock_guard lock(mutex_);
        reads_.push_back({std::move(job), std::move(done)});
    }
    wake_.notify_one();
}

std::exception_ptr PgStore::run_read(std::unique_ptr<Connection>& db, const ReadJob& job) {
    // Twice at most: a statement prepared before a schema change (a rolling upgrade) fails the
    // first run; the connection's statements are then prepared afresh for the second.
    for (int run = 1;; ++run) {
        try {
            if (!db || !db->healthy())
                db = std::make_unique<Connection>(url_);
            db->exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
        } catch (...) {
            db.reset();
            return std::current_exception();
        }
        std::exception_ptr error;
        bool stale = false;
        try {
            const Units units(*db, false);
            job(units);
        } catch (const Error& e) {
            error = std::current_exception();
            stale = stale_plan(e);
        } catch (...) {
            error = std::current_exception();
        }
        try {
            db->exec(error ? "ROLLBACK" : "COMMIT");
            if (stale && run == 1) {
                db->forget_prepared();
                continue;
            }
        } catch (...) {
            if (!error)
                error = std::current_exception();
            if (!db->healthy() || stale)
                db.reset();
            if (stale && run == 1)
                continue;  // a new connection has nothing prepared
        }
        return error;
    }
}

void PgStore::read_loop(std::unique_ptr<Connection> db) {
    for (;;) {
        ReadUnit unit;
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [&] { return stopping_ || !reads_.empty(); });
            if (reads_.empty())
                return;  // stopping, and nothing left
            unit = std::move(reads_.front());
            reads_.pop_front();
        }
        const auto error = run_read(db, unit.job);
        try {
            unit.done(error);
        } catch (...) {
            // `done` must not throw; what it throws is dropped (store.hpp).
        }
    }
}

}  // namespace liaise::server::pg
