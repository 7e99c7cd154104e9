#include "store/sqlite/sqlite_store.hpp"

#include <memory>

#include "store/sqlite/repos.hpp"

namespace liaise::server::store::sqlite {
namespace {

/// Each repository made on first use: a send touches two of the eleven.
template <class Repo>
Repo& lazily(std::unique_ptr<Repo>& slot, std::unique_ptr<Repo> (*make)(const Conn&),
             const Conn& c) {
    if (!slot)
        slot = make(c);
    return *slot;
}

/// The repositories of one unit of work over `conn`.
class Units final : public Tx, public ReadTx {
  public:
    explicit Units(const Conn& conn) : c_(conn) {}

    Accounts& accounts() override { return lazily(accounts_, make_accounts, c_); }
    Rooms& rooms() override { return lazily(rooms_, make_rooms, c_); }
    Messages& messages() override { return lazily(messages_, make_messages, c_); }
    Enrolment& enrolment() override { return lazily(enrolment_, make_enrolment, c_); }
    Meetings& meetings() override { return lazily(meetings_, make_meetings, c_); }
    AuditLog& audit() override { return lazily(audit_, make_audit, c_); }
    Dictionaries& dictionaries() override { return lazily(dictionaries_, make_dictionaries, c_); }
    Secrets& secrets() override { return lazily(secrets_, make_secrets, c_); }
    Glossary& glossary() override { return lazily(glossary_, make_glossary, c_); }
    Outbox& outbox() override { return lazily(outbox_, make_outbox, c_); }
    Continuity& continuity() override { return lazily(continuity_, make_continuity, c_); }
    Retention& retention() override { return lazily(retention_, make_retention, c_); }
    FollowUp& followup() override { return lazily(followup_, make_followup, c_); }
    Claims& claims() override { return lazily(claims_, make_claims, c_); }
    Reading& reading() override { return lazily(reading_, make_reading, c_); }

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

    Conn c_;
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

/// The writer's memory and epoch. The store's epoch is Storage's (moved after every failed
/// unit and failed commit) plus the count of changes its repositories announced.
struct SqliteStore::Writer {
    WriterMemory memory;
    std::uint64_t changes = 0;
    std::uint64_t storage_epoch = 0;
    std::uint64_t epoch = 0;
};

SqliteStore::SqliteStore(Storage& storage)
    : storage_(storage), writer_(std::make_unique<Writer>()) {}

SqliteStore::~SqliteStore() = default;

void SqliteStore::write(WriteJob job, Done done) {
    storage_.write(
        [this, job = std::move(job)](SQLite::Database& db) {
            auto& w = *writer_;
            // Storage's epoch moves on failures and before legacy jobs that may change
            // anything; ours also on every change our repositories announce.
            if (storage_.writer_epoch() != w.storage_epoch) {
                w.storage_epoch = storage_.writer_epoch();
                ++w.epoch;
            }
            Units units(Conn{db, storage_.writer_statements(), &w.memory, &w.epoch});
            job(units);
        },
        std::move(done), Storage::Changes::only_messages);
}

void SqliteStore::read(ReadJob job, Done done) {
    std::exception_ptr error;
    try {
        storage_.read([&](SQLite::Database& db) {
            StatementCache statements(db);
            const Units units(Conn{db, statements});
            job(units);
            return 0;
        });
    } catch (...) {
        error = std::current_exception();
    }
    done(error);
}

}  // namespace liaise::server::store::sqlite
