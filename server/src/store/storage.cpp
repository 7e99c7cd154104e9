#include "store/storage.hpp"
#include "store/key_backup.hpp"

#include <SQLiteCpp/Transaction.h>

#include <fcntl.h>
#include <pthread.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <future>
#include <stdexcept>
#include <string>
#include <string_view>

#include <spdlog/spdlog.h>

#include "metrics.hpp"
#include "store/glossary_store.hpp"
#include "store/mail_notices_store.hpp"
#include "store/wal_vfs.hpp"

namespace liaise::server {
namespace {

constexpr int kSchemaVersion = 6;

/// The messages table (version 4). A rowid table, not WITHOUT ROWID keyed by (room_id, seq)
/// as in versions 1 and 2: rows are whole envelopes (~0.7 KB for two devices, ~7 KB for 51),
/// far over the 1/20 of a page that SQLite advises for WITHOUT ROWID rows. Appended in rowid
/// order they fill pages one after another, and only the small index entries land per room;
/// keyed by room they split a page per room per commit. Two-member rooms: 13,000 -> 22,000
/// sends/s (bench/RESULTS.md).
///
/// The retry rule's index leads with client_msg_id (version 3 led with room_id): the same
/// uniqueness, but clients make time-ordered ids (Client::new_message_id), so a commit's new
/// entries land together at the end of the index instead of one page per room. A commit of
/// ten sends in ten rooms then writes about a third fewer pages (bench/RESULTS.md, eighth
/// round). Ids in any other form are as correct, only less compact.
std::string messages_table(std::string_view name) {
    return "CREATE TABLE IF NOT EXISTS " + std::string(name) + R"sql((
  id INTEGER PRIMARY KEY,
  room_id INTEGER NOT NULL REFERENCES rooms(id),
  seq INTEGER NOT NULL,
  sender_device INTEGER NOT NULL REFERENCES devices(id),
  client_msg_id TEXT NOT NULL,
  envelope TEXT NOT NULL,
  sent_at INTEGER NOT NULL,
  event TEXT,  -- since version 5: a membership event (room_events.hpp), with envelope ''
  UNIQUE(room_id, seq),
  UNIQUE(client_msg_id, room_id, sender_device)))sql";
}
/// Noisy-entry reports (dict_feedback, version 5), day-level only: never any message text, room
/// or time finer than the UTC day. Counts per entry and day summed over the accounts that
/// reported; which accounts ever reported an entry (dict_noisy shows it from three on); each
/// account's last report day (one report a day). Version 4's table kept a millisecond time
/// per entry, close to each send: it is dropped, not converted, for its counts cannot say how
/// many accounts made them.
constexpr std::string_view kFeedbackTables = R"sql(
CREATE TABLE IF NOT EXISTS dictionary_feedback(
  discipline TEXT NOT NULL,
  term TEXT NOT NULL,
  day TEXT NOT NULL,  -- YYYY-MM-DD, UTC
  fixed INTEGER NOT NULL DEFAULT 0,
  sent_anyway INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY(discipline, term, day));
CREATE TABLE IF NOT EXISTS dictionary_feedback_reporters(
  discipline TEXT NOT NULL,
  term TEXT NOT NULL,
  account INTEGER NOT NULL REFERENCES accounts(id),
  PRIMARY KEY(discipline, term, account)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS dictionary_feedback_days(
  account INTEGER PRIMARY KEY REFERENCES accounts(id),
  day TEXT NOT NULL);
)sql";
constexpr std::size_t kMaxBatch = 1024;
// The writer never spills dirty pages to the WAL mid-transaction (see Storage::Storage), so a
// batch's changes stay in its page cache until the commit: a batch takes no more jobs once that
// cache holds this much, and the jobs it did not take start the next batch.
constexpr int kMaxBatchCacheBytes = 32 << 20;
// WAL size, in pages, at which the checkpointer is woken (SQLite's own default), and at which
// the writer, finding that checkpoints are not keeping up, checkpoints inline.
constexpr int kCheckpointPages = 1000;
constexpr int kWriterCheckpointPages = 32 * kCheckpointPages;

/// Bytes held by the connection's page cache, dirty pages included.
int cache_bytes(SQLite::Database& db) {
    int bytes = 0;
    int highest = 0;
    sqlite3_db_status(db.getHandle(), SQLITE_DBSTATUS_CACHE_USED, &bytes, &highest, 0);
    return bytes;
}

/// Adds `column` (declared as `declaration`) to `table` unless the table has it already.
void add_column_if_missing(SQLite::Database& db, const std::string& table,
                           const std::string& column, const std::string& declaration) {
    SQLite::Statement q(db, "SELECT COUNT(*) FROM pragma_table_info(?) WHERE name = ?");
    q.bind(1, table);
    q.bind(2, column);
    q.executeStep();
    if (q.getColumn(0).getInt() == 0)
        db.exec("ALTER TABLE " + table + " ADD COLUMN " + column + " " + declaration);
}

void configure(SQLite::Database& db, Durability durability) {
    db.exec("PRAGMA journal_mode=WAL");
    db.exec(durability == Durability::full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=OFF");
    db.exec("PRAGMA foreign_keys=ON");
    // A withdrawn message's envelope (Messages::withdraw) must not stay behind in free space
    // of the file: deleted and overwritten content is zeroed. Costs only when rows shrink or go.
    db.exec("PRAGMA secure_delete=ON");
    db.setBusyTimeout(5000);
}

}  // namespace

void Storage::create_schema(SQLite::Database& db) {
    SQLite::Transaction tx(db);
    db.exec(R"sql(
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS agencies(
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE COLLATE NOCASE,
  discipline TEXT NOT NULL,
  created_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS accounts(
  id INTEGER PRIMARY KEY,
  username TEXT NOT NULL UNIQUE,
  display_name TEXT NOT NULL,
  agency_id INTEGER NOT NULL REFERENCES agencies(id),
  role TEXT NOT NULL,
  suspended INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS devices(
  id INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts(id),
  name TEXT NOT NULL,
  sign_key TEXT NOT NULL,
  box_key TEXT NOT NULL,
  box_key_signature TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  revoked_at INTEGER,
  -- Since version 5, for a device enrolled with an admin's replacement code: who issued the
  -- code and when, and the newest device it revoked.
  issued_by INTEGER REFERENCES accounts(id),
  issued_at INTEGER,
  replaces INTEGER);
CREATE TABLE IF NOT EXISTS enrolment_codes(
  code_hash TEXT PRIMARY KEY,
  username TEXT NOT NULL,
  display_name TEXT NOT NULL,
  agency_id INTEGER NOT NULL REFERENCES agencies(id),
  role TEXT NOT NULL,
  created_by INTEGER,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at INTEGER,
  replaces INTEGER REFERENCES accounts(id));  -- a replacement device for this account
CREATE TABLE IF NOT EXISTS rooms(
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  created_by INTEGER NOT NULL REFERENCES accounts(id),
  created_at INTEGER NOT NULL,
  last_seq INTEGER NOT NULL DEFAULT 0,  -- not kept since version 3: MAX(seq) of its messages
  public INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS room_members(
  room_id INTEGER NOT NULL REFERENCES rooms(id),
  account_id INTEGER NOT NULL REFERENCES accounts(id),
  joined_seq INTEGER NOT NULL,
  added_at INTEGER NOT NULL,
  PRIMARY KEY(room_id, account_id));
CREATE INDEX IF NOT EXISTS room_members_by_account ON room_members(account_id);
CREATE TABLE IF NOT EXISTS dictionaries(
  discipline TEXT PRIMARY KEY,
  tsv TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS questions(
  id INTEGER PRIMARY KEY,
  term TEXT NOT NULL,
  room_id INTEGER REFERENCES rooms(id),
  asked_by INTEGER NOT NULL REFERENCES accounts(id),
  asked_at INTEGER NOT NULL,
  status TEXT NOT NULL DEFAULT 'open',  -- open, answered, dismissed
  reply TEXT,
  answered_by INTEGER REFERENCES accounts(id),
  answered_at INTEGER);
-- Dictionary history: version N's file for a discipline is its row with the greatest version
-- <= N; a NULL tsv means the discipline was removed. `dictionaries` holds the current files.
CREATE TABLE IF NOT EXISTS dictionary_versions(
  version INTEGER PRIMARY KEY,
  created_by INTEGER,
  created_at INTEGER NOT NULL,
  summary TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS dictionary_files(
  discipline TEXT NOT NULL,
  version INTEGER NOT NULL,
  tsv TEXT,
  PRIMARY KEY(discipline, version));
-- The audit log (server/src/audit.hpp): append-only, each body sealed at rest, each record
-- chained to the one before by a keyed hash.
CREATE TABLE IF NOT EXISTS audit(
  seq INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  actor INTEGER,
  kind TEXT NOT NULL,
  body BLOB NOT NULL,
  prev BLOB NOT NULL,
  hash BLOB NOT NULL);
-- Meetings and minutes. Every "body" column is sealed with the at-rest key (server/src/at_rest.hpp)
-- with (table, id, rev or version) as associated data; the other columns are the metadata the
-- server queries (who, where, when, status). Minutes text is never stored in plain.
CREATE TABLE IF NOT EXISTS meetings(
  id INTEGER PRIMARY KEY,
  room_id INTEGER NOT NULL REFERENCES rooms(id),
  kind TEXT NOT NULL,
  starts_at TEXT NOT NULL,
  next_meeting TEXT,
  marking TEXT NOT NULL,
  chair_id INTEGER NOT NULL REFERENCES accounts(id),
  minute_taker_id INTEGER NOT NULL REFERENCES accounts(id),
  status TEXT NOT NULL,
  version INTEGER NOT NULL,
  rev INTEGER NOT NULL,
  body BLOB NOT NULL,
  created_by INTEGER NOT NULL REFERENCES accounts(id),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS meetings_by_room ON meetings(room_id);
CREATE TABLE IF NOT EXISTS minutes_versions(
  meeting_id INTEGER NOT NULL REFERENCES meetings(id),
  version INTEGER NOT NULL,
  status TEXT NOT NULL,
  circulated_by INTEGER NOT NULL REFERENCES accounts(id),
  circulated_at INTEGER NOT NULL,
  approved_by INTEGER REFERENCES accounts(id),
  approved_at INTEGER,
  findings INTEGER NOT NULL,
  acknowledged_by INTEGER REFERENCES accounts(id),
  body BLOB NOT NULL,
  PRIMARY KEY(meeting_id, version));
CREATE TABLE IF NOT EXISTS minutes_distribution(
  meeting_id INTEGER NOT NULL,
  version INTEGER NOT NULL,
  account_id INTEGER NOT NULL REFERENCES accounts(id),
  sent_at INTEGER NOT NULL,
  received_at INTEGER,
  PRIMARY KEY(meeting_id, version, account_id),
  FOREIGN KEY(meeting_id, version) REFERENCES minutes_versions(meeting_id, version));
CREATE TABLE IF NOT EXISTS actions(
  id INTEGER PRIMARY KEY,
  room_id INTEGER NOT NULL REFERENCES rooms(id),
  raised_in INTEGER NOT NULL REFERENCES meetings(id),
  owner_id INTEGER REFERENCES accounts(id),
  due TEXT NOT NULL,
  review TEXT,
  status TEXT NOT NULL,
  rev INTEGER NOT NULL,
  body BLOB NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS actions_by_owner ON actions(owner_id, status);
CREATE INDEX IF NOT EXISTS actions_by_room ON actions(room_id, status);
CREATE TABLE IF NOT EXISTS meeting_actions(
  meeting_id INTEGER NOT NULL REFERENCES meetings(id),
  action_id INTEGER NOT NULL REFERENCES actions(id),
  carried INTEGER NOT NULL,
  PRIMARY KEY(meeting_id, action_id));
)sql");
    // Version 1 databases lack the columns version 2 added to existing tables.
    const auto found = db.execAndGet(
                             "SELECT COALESCE((SELECT value FROM meta WHERE key = "
                             "'schema_version'), '0')")
                           .getString();
    int found_version = 0;
    const auto [end, ec] =
        std::from_chars(found.data(), found.data() + found.size(), found_version);
    if (ec != std::errc{} || end != found.data() + found.size() || found_version < 0)
        throw std::runtime_error("the database's schema version '" + found + "' is not a number");
    // Nothing is changed (the transaction rolls back): a newer server's database is left as is.
    if (found_version > kSchemaVersion)
        throw std::runtime_error(
            "the database was written by a newer liaise-server (schema "
            "version " +
            found + "; this server knows versions up to " + std::to_string(kSchemaVersion) + ")");
    if (found_version == 1) {
        db.exec("ALTER TABLE enrolment_codes ADD COLUMN replaces INTEGER REFERENCES accounts(id)");
        db.exec("ALTER TABLE questions ADD COLUMN reply TEXT");
        db.exec("ALTER TABLE questions ADD COLUMN answered_by INTEGER REFERENCES accounts(id)");
        db.exec("ALTER TABLE questions ADD COLUMN answered_at INTEGER");
    }
    // Version 5 added who issued a replacement device's code, and membership events.
    add_column_if_missing(db, "devices", "issued_by", "INTEGER REFERENCES accounts(id)");
    add_column_if_missing(db, "devices", "issued_at", "INTEGER");
    add_column_if_missing(db, "devices", "replaces", "INTEGER");
    // Versions 1 and 2 keyed messages by (room_id, seq) WITHOUT ROWID, and version 3's retry
    // index led with room_id: copy the rows across to the current table (keeping version 3's
    // row ids; the older ones in room and seq order).
    const bool has_messages =
        db.execAndGet("SELECT COUNT(*) FROM sqlite_master WHERE name = 'messages'").getInt() == 1;
    if (has_messages && found_version == 4) {
        add_column_if_missing(db, "messages", "event", "TEXT");
    } else if (has_messages && found_version < 4) {
        const bool has_id =
            db.execAndGet("SELECT COUNT(*) FROM pragma_table_info('messages') WHERE name = 'id'")
                .getInt() == 1;
        db.exec(messages_table("messages_new"));
        db.exec(has_id ? "INSERT INTO messages_new(id, room_id, seq, sender_device, "
                         "client_msg_id, envelope, sent_at) SELECT id, room_id, seq, "
                         "sender_device, client_msg_id, envelope, sent_at FROM messages ORDER BY id"
                       : "INSERT INTO messages_new(room_id, seq, sender_device, client_msg_id, "
                         "envelope, sent_at) SELECT room_id, seq, sender_device, client_msg_id, "
                         "envelope, sent_at FROM messages ORDER BY room_id, seq");
        db.exec("DROP TABLE messages");
        db.exec("ALTER TABLE messages_new RENAME TO messages");
    } else {
        db.exec(messages_table("messages"));
    }
    // Version 6 (sessions.hpp): each successful login, for "new login" notices and `sessions`.
    db.exec(R"sql(
CREATE TABLE IF NOT EXISTS sessions(
  id INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts(id),
  device_id INTEGER NOT NULL REFERENCES devices(id),
  at INTEGER NOT NULL,
  address TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS sessions_by_account ON sessions(account_id, at);
CREATE INDEX IF NOT EXISTS sessions_by_device ON sessions(device_id, at);
CREATE INDEX IF NOT EXISTS sessions_by_time ON sessions(at);
)sql");
    if (db.execAndGet("SELECT COUNT(*) FROM pragma_table_info('dictionary_feedback') WHERE "
                      "name = 'last_at'")
            .getInt() == 1)
        db.exec("DROP TABLE dictionary_feedback");
    db.exec(std::string(kFeedbackTables));
    // Version 6 (key custody, key_custody.hpp): meta rows 'at_rest_key_id', 'at_rest_key_check'
    // and 'previous_at_rest_key_id'. No table or column changes; the rows cannot be written here
    // (the schema has no key): the first start with a key that opens the database's sealed
    // records writes them, and an older server refuses this version instead of ignoring them.
    // Version 6 (audit log that cannot lose its tail; server/src/audit.hpp, server_keys.hpp):
    // the server's own secrets, sealed with the at-rest key, and the audit log's head with a MAC
    // under the chain key and the server's signature. Filling them (and re-chaining a log made
    // by an earlier version) needs the at-rest key: audit::setup() does it when the server
    // opens the database with its key.
    db.exec(R"sql(
CREATE TABLE IF NOT EXISTS server_secrets(
  name TEXT PRIMARY KEY,
  id INTEGER NOT NULL UNIQUE,  -- the RecordId the secret is sealed for
  sealed BLOB NOT NULL,
  public_half BLOB);
CREATE TABLE IF NOT EXISTS audit_head(
  id INTEGER PRIMARY KEY CHECK (id = 1),
  count INTEGER NOT NULL,
  last_seq INTEGER NOT NULL,
  last_hash BLOB NOT NULL,
  at INTEGER NOT NULL,
  mac BLOB NOT NULL,
  signature BLOB NOT NULL);
)sql");
    // Version 6 (as well): device signatures on circulated and approved minutes (PROTOCOL.md,
    // "Signed minutes"), one per act on a version. Versions fixed before have none and stay
    // readable.
    db.exec(R"sql(
CREATE TABLE IF NOT EXISTS minutes_signatures(
  meeting_id INTEGER NOT NULL,
  version INTEGER NOT NULL,
  act TEXT NOT NULL,
  account_id INTEGER NOT NULL REFERENCES accounts(id),
  device_id INTEGER NOT NULL REFERENCES devices(id),
  signed_at INTEGER NOT NULL,
  signature TEXT NOT NULL,
  recorded_at INTEGER NOT NULL,
  PRIMARY KEY(meeting_id, version, act),
  FOREIGN KEY(meeting_id, version) REFERENCES minutes_versions(meeting_id, version));
)sql");
    // The email outbox's column and table (mail_notices_store.hpp).
    mail_store::create_schema(db);
    key_backup::create_schema(db);  // continuity's tables (store/key_backup.hpp)
    // A room's agreed terms (glossary_store.hpp): new tables only, which an older server ignores.
    glossary_store::create_tables(db);
    // Retention schedules and legal holds (store/repo/retention.hpp): new tables only, which an
    // older server ignores.
    db.exec(R"sql(
CREATE TABLE IF NOT EXISTS retention_schedules(
  agency_id INTEGER NOT NULL REFERENCES agencies(id),
  record TEXT NOT NULL,  -- 'chat' or a meeting kind
  days INTEGER NOT NULL,
  set_by INTEGER NOT NULL REFERENCES accounts(id),
  set_at INTEGER NOT NULL,
  reason TEXT NOT NULL,
  PRIMARY KEY(agency_id, record));
CREATE TABLE IF NOT EXISTS legal_holds(
  target TEXT NOT NULL,  -- 'room' or 'meeting'
  target_id INTEGER NOT NULL,
  placed_by INTEGER NOT NULL REFERENCES accounts(id),
  placed_at INTEGER NOT NULL,
  reason TEXT NOT NULL,
  PRIMARY KEY(target, target_id));
)sql");
    // After circulation (repo/followup.hpp): acknowledgements, accuracy comments (their text
    // sealed) and the follow-up emails sent. A column and new tables, which an older server
    // ignores.
    add_column_if_missing(db, "minutes_distribution", "acknowledged_at", "INTEGER");
    // The recipient device's signature on its acknowledgement (PROTOCOL.md, "Signed
    // acknowledgements and comments"); NULL on one recorded before they were signed.
    add_column_if_missing(db, "minutes_distribution", "ack_device", "INTEGER");
    add_column_if_missing(db, "minutes_distribution", "ack_signed_at", "INTEGER");
    add_column_if_missing(db, "minutes_distribution", "ack_signature", "TEXT");
    db.exec(R"sql(
CREATE TABLE IF NOT EXISTS minutes_comments(
  id INTEGER PRIMARY KEY,
  meeting_id INTEGER NOT NULL,
  version INTEGER NOT NULL,
  author_id INTEGER NOT NULL REFERENCES accounts(id),
  section TEXT NOT NULL,
  sent_at INTEGER NOT NULL,
  resolution TEXT NOT NULL DEFAULT '',
  resolved_by INTEGER REFERENCES accounts(id),
  resolved_at INTEGER,
  corrected_in INTEGER NOT NULL DEFAULT 0,
  rev INTEGER NOT NULL,
  body BLOB NOT NULL,
  FOREIGN KEY(meeting_id, version) REFERENCES minutes_versions(meeting_id, version));
CREATE INDEX IF NOT EXISTS minutes_comments_by_meeting ON minutes_comments(meeting_id, id);
-- Claims with a lease (repo/claims.hpp): trivial with one writer, kept for the same contract
-- as PostgreSQL's.
CREATE TABLE IF NOT EXISTS claims(
  key TEXT PRIMARY KEY,
  claimed_by TEXT NOT NULL,
  claimed_until INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS minutes_mail_sent(
  notice TEXT NOT NULL,
  meeting_id INTEGER NOT NULL REFERENCES meetings(id),
  version INTEGER NOT NULL,
  account_id INTEGER NOT NULL REFERENCES accounts(id),
  sent_at INTEGER NOT NULL,
  PRIMARY KEY(notice, meeting_id, version, account_id));
)sql");
    // Read positions and the daily digest of unread rooms (repo/reading.hpp): new tables only,
    // which an older server ignores.
    db.exec(R"sql(
CREATE TABLE IF NOT EXISTS read_positions(
  account_id INTEGER NOT NULL REFERENCES accounts(id),
  room_id INTEGER NOT NULL REFERENCES rooms(id),
  seq INTEGER NOT NULL,
  read_at INTEGER NOT NULL,
  PRIMARY KEY(account_id, room_id));
CREATE TABLE IF NOT EXISTS digest_off(
  account_id INTEGER PRIMARY KEY REFERENCES accounts(id));
CREATE TABLE IF NOT EXISTS digests_sent(
  account_id INTEGER NOT NULL REFERENCES accounts(id),
  day TEXT NOT NULL,  -- YYYY-MM-DD, London
  cutoff INTEGER NOT NULL,  -- the digest counted messages sent up to this instant
  sent_at INTEGER NOT NULL,
  PRIMARY KEY(account_id, day));
CREATE TABLE IF NOT EXISTS digest_runs(
  day TEXT PRIMARY KEY,  -- YYYY-MM-DD, London: one digest run a day
  cutoff INTEGER NOT NULL);
)sql");
    SQLite::Statement version(
        db, "INSERT OR REPLACE INTO meta(key, value) VALUES('schema_version', ?)");
    version.bind(1, std::to_string(kSchemaVersion));
    version.exec();
    tx.commit();
}

Storage::Storage(const std::filesystem::path& path, Metrics* metrics, Durability durability,
                 int readers)
    : lock_(path), metrics_(metrics) {
    // Every connection opens the WAL through the gathering VFS (wal_vfs.hpp); only the writer's
    // ever writes it.
    const std::string vfs = wal_gathering_vfs();
    writer_db_ = std::make_unique<SQLite::Database>(
        path.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE, 0, vfs);
    configure(*writer_db_, durability);
    create_schema(*writer_db_);
    // Each job runs in a savepoint. SQLite (3.40.1 and 3.46.1 at least) breaks the WAL's
    // checksum chain when a transaction that spilled pages to the WAL and then rewrote one of
    // them in place rolls back to a savepoint: frames appended after that keep zero checksums,
    // so recovery after a crash drops the commit and every later one in the WAL, whatever the
    // synchronous setting. No spills, no in-place rewrites (the batch's size is bounded instead,
    // kMaxBatchCacheBytes). After create_schema: a migration is one large transaction with no
    // savepoint rolled back, and may spill.
    writer_db_->exec("PRAGMA cache_spill=OFF");
    writer_statements_ = std::make_unique<StatementCache>(*writer_db_);
    // Replaces SQLite's automatic checkpoint, which would run on the writer after a commit.
    sqlite3_wal_hook(writer_db_->getHandle(), &Storage::on_wal_commit, this);
    checkpoint_db_ =
        std::make_unique<SQLite::Database>(path.string(), SQLite::OPEN_READWRITE, 0, vfs);
    configure(*checkpoint_db_, durability);  // a checkpoint syncs as the writer's commits do
    for (int i = 0; i < readers; ++i) {
        auto r = std::make_unique<Reader>();
        r->db = std::make_unique<SQLite::Database>(path.string(), SQLite::OPEN_READONLY, 0, vfs);
        r->db->setBusyTimeout(5000);
        readers_.push_back(std::move(r));
    }
    writer_ = std::thread([this] { run_writer(); });
    checkpointer_ = std::thread([this] { run_checkpointer(); });
}

Storage::~Storage() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (writer_.joinable())
        writer_.join();
    {
        std::lock_guard lock(checkpoint_mutex_);
        checkpoint_stopping_ = true;
    }
    checkpoint_wake_.notify_all();
    if (checkpointer_.joinable())
        checkpointer_.join();
    // The last connection to close checkpoints what is left and removes the WAL.
}

Storage::ProcessLock::ProcessLock(const std::filesystem::path& database) {
    const auto path = database.string() + ".lock";
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ < 0)
        throw std::runtime_error("cannot open " + path + ": " + std::strerror(errno));
    // flock, not fcntl: SQLite's own fcntl locks on the database would be dropped by closing any
    // other descriptor for it, and this file is never opened by SQLite.
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
        const int error = errno;
        ::close(fd_);
        throw std::runtime_error(
            error == EWOULDBLOCK ? database.string() +
                                       " is in use by another process (is a liaise-server already "
                                       "running on this data directory?)"
                                 : "cannot lock " + path + ": " + std::strerror(error));
    }
}

Storage::ProcessLock::~ProcessLock() {
    ::close(fd_);  // releases the lock
}

int Storage::on_wal_commit(void* self, sqlite3* db, const char* schema, int pages) {
    auto& storage = *static_cast<Storage*>(self);
    if (pages >= kWriterCheckpointPages) {
        // Back-pressure: the checkpointer is not keeping up (or readers hold old snapshots), so
        // the writer copies back what it can before taking more work.
        sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    } else if (pages >= kCheckpointPages) {
        {
            std::lock_guard lock(storage.checkpoint_mutex_);
            storage.checkpoint_wanted_ = true;
        }
        storage.checkpoint_wake_.notify_one();
    }
    return SQLITE_OK;
}

void Storage::run_checkpointer() {
    (void)::pthread_setname_np(::pthread_self(), "liaise-checkpt");  // for top -H, perf, bench
    // Copying pages back can wait for the requests: lower this thread's share of a busy core
    // (on Linux a thread id gives one thread its own nice value). If refused, it runs as before.
    (void)::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), 10);
    while (true) {
        {
            std::unique_lock lock(checkpoint_mutex_);
            checkpoint_wake_.wait(lock, [&] { return checkpoint_stopping_ || checkpoint_wanted_; });
            if (checkpoint_stopping_)
                return;
            checkpoint_wanted_ = false;
        }
        // PASSIVE copies every frame no reader still needs, without blocking the writer or the
        // readers; a frame left behind is copied by a later checkpoint.
        const int rc = sqlite3_wal_checkpoint_v2(checkpoint_db_->getHandle(), nullptr,
                                                 SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
        if (rc != SQLITE_OK && rc != SQLITE_BUSY)
            spdlog::warn("checkpoint: {}", sqlite3_errstr(rc));
    }
}

void Storage::write(Job job, Done done, Changes changes) {
    {
        std::lock_guard lock(mutex_);
        queue_.push_back({std::move(job), std::move(done), changes});
    }
    wake_.notify_one();
}

void Storage::write_and_wait(Job job) {
    std::promise<void> finished;
    auto future = finished.get_future();
    write(std::move(job), [&finished](std::exception_ptr error) {
        if (error)
            finished.set_exception(error);
        else
            finished.set_value();
    });
    future.get();
}

Storage::Lease Storage::lease_reader() {
    const auto n = readers_.size();
    const auto start = next_reader_.fetch_add(1) % n;
    for (std::size_t k = 0; k < n; ++k) {
        auto& r = *readers_[(start + k) % n];
        std::unique_lock lock(r.mutex, std::try_to_lock);
        if (lock.owns_lock())
            return {std::move(lock), r.db.get()};
    }
    auto& r = *readers_[start];
    return {std::unique_lock(r.mutex), r.db.get()};
}

void Storage::run_writer() {
    (void)::pthread_setname_np(::pthread_self(), "liaise-writer");
    auto& db = *writer_db_;
    auto& cache = *writer_statements_;
    std::vector<Pending> batch;
    std::vector<std::exception_ptr> errors;
    while (true) {
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
            if (queue_.empty())
                return;  // stopping, and every job is done
            while (!queue_.empty() && batch.size() < kMaxBatch) {
                batch.push_back(std::move(queue_.front()));
                queue_.pop_front();
            }
        }
        errors.assign(batch.size(), nullptr);
        const auto started = std::chrono::steady_clock::now();
        std::exception_ptr batch_error;
        try {
            // Every batch ends its transaction (committed, or rolled back by `tx`); should the
            // rollback after a failed commit itself have failed, end it now, or every later
            // BEGIN would fail and no write could ever be stored again.
            if (sqlite3_get_autocommit(db.getHandle()) == 0) {
                spdlog::warn("the writer found a transaction left open: rolling it back");
                db.exec("ROLLBACK");
                ++epoch_;
            }
            SQLite::Transaction tx(db);
            // Jobs from `from` on have not run: they go back to the front of the queue, in order,
            // and start the next batch.
            const auto put_back = [&](std::size_t from) {
                std::lock_guard lock(mutex_);
                queue_.insert(queue_.begin(), std::make_move_iterator(batch.begin() + from),
                              std::make_move_iterator(batch.end()));
                batch.erase(batch.begin() + from, batch.end());
            };
            for (std::size_t i = 0; i < batch.size(); ++i) {
                if (i > 0 && cache_bytes(db) > kMaxBatchCacheBytes) {
                    put_back(i);
                    break;
                }
                cache.exec("SAVEPOINT job");
                if (batch[i].changes == Changes::anything)
                    ++epoch_;
                try {
                    batch[i].job(db);
                    cache.exec("RELEASE job");
                } catch (...) {
                    ++epoch_;  // what the job changed, and what it remembered, is undone
                    errors[i] = std::current_exception();
                    if (sqlite3_get_autocommit(db.getHandle()) != 0) {
                        // SQLite rolled the whole transaction back (disk full, I/O error, out of
                        // memory): the jobs before this one are undone too, with this error.
                        batch_error = errors[i];
                        put_back(i + 1);
                        break;
                    }
                    cache.exec("ROLLBACK TO job");
                    cache.exec("RELEASE job");
                }
            }
            if (!batch_error)
                tx.commit();
        } catch (...) {
            // The commit itself failed (disk full, I/O error): nothing in the batch is durable.
            batch_error = std::current_exception();
            ++epoch_;
        }
        if (metrics_ != nullptr) {
            const std::chrono::duration<double> took = std::chrono::steady_clock::now() - started;
            metrics_->commit(took.count(), batch.size());
        }
        for (std::size_t i = 0; i < batch.size(); ++i) {
            if (!batch[i].done)
                continue;
            // A completion that throws must not end the writer, nor the completions after it.
            try {
                batch[i].done(batch_error ? batch_error : errors[i]);
            } catch (const std::exception& e) {
                spdlog::error("a write's completion failed: {}", e.what());
            } catch (...) {
                spdlog::error("a write's completion failed");
            }
        }
        batch.clear();
    }
}

}  // namespace liaise::server
