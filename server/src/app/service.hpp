// Internal: the request handlers. Transport-free: the WebSocket session hands it frames and
// sends back what it replies, so the same logic serves every connection.
#pragma once

#include "liaise/protocol/crypto.hpp"

#include <atomic>
#include <boost/json/object.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "app/error.hpp"
#include "app/in_flight.hpp"
#include "app/outcome.hpp"
#include "app/requests.hpp"
#include "app/worker.hpp"
#include "bus/bus.hpp"
#include "bus/frame.hpp"
#include "liaise/calendar/clocks.hpp"
#include "liaise/protocol/expected.hpp"
#include "liaise/protocol/messages.hpp"
#include "store/store.hpp"

namespace liaise::jargon {
class SharedEngine;
}

namespace liaise::server {

class AtRestKey;
class ServerKeys;
class Metrics;

struct ServiceConfig {
    int enrolment_code_hours = 72;
    int sync_page_max = 500;
    /// Called once a message sent here has committed, with its room's id and its seq, on the
    /// thread that completes writes, before anyone here receives it: a bus spanning several
    /// nodes tells the others from it (and remembers it was delivered here). Must not block.
    std::function<void(std::int64_t room, std::int64_t seq)> message_committed;
    /// UNSAFE, FOR TESTS ONLY (`serve --unsafe-ack-before-commit`): answers a send as soon as
    /// its write unit has run, before the commit, and holds the writer a few milliseconds after
    /// each, so that a node killed under load has answered sends it never stored. The three-node
    /// test runs with it as its negative control, and must fail.
    bool unsafe_ack_before_commit = false;
    /// FOR TESTS ONLY: runs on the Service's worker before each of its jobs (a dictionary
    /// compile, a minutes check), to hold one back and show what does not wait for it.
    std::function<void()> before_worker_job;
    /// The operator's circulation clock settings (`clocks` in the config file): each meeting's
    /// deadlines, due list and comment window follow them for its chair's agency
    /// (app/meeting_clocks.hpp). Empty: every kind keeps its own clocks.
    calendar::ClockSettings clocks;
    /// Names this server process in the claims it makes in the store (store/repo/claims.hpp);
    /// unique among the nodes that share the store.
    std::string node = "local";
    /// The most message envelopes and meetings one write unit of the retention sweep deletes.
    std::int64_t retention_batch = 1000;
    /// When this server sends the daily digest of unread rooms, in minutes past midnight London
    /// time; nullopt when it sends none (no `[smtp]` table, or `digest = false`). `whoami` says
    /// so, so that a client can show the time and tell its person why no digest comes.
    std::optional<int> digest_minutes;
};

/// A held request's session (Requests::Handling::held): resumes it exactly once, when release()
/// is called or, failing that, when the last owner lets go, so that no path through a held
/// request (a failure, an exception) leaves its session waiting for ever. Thread-safe.
class Hold {
  public:
    explicit Hold(std::shared_ptr<Session> session) : session_(std::move(session)) {}
    ~Hold() { release(); }
    Hold(const Hold&) = delete;
    Hold& operator=(const Hold&) = delete;

    [[nodiscard]] const std::shared_ptr<Session>& session() const noexcept { return session_; }
    /// Lets the session read its next frame, after everything already delivered to it.
    void release() {
        if (!released_.exchange(true))
            session_->resume();
    }

  private:
    std::shared_ptr<Session> session_;
    std::atomic<bool> released_{false};
};

/// The `message` events of one room that the store holds after a given seq (Service::
/// stored_messages), for delivering messages another node committed.
struct StoredEvents {
    std::int64_t room = 0;
    bool exists = false;                 ///< false: no such room (nothing else is set)
    std::vector<std::int64_t> accounts;  ///< the room's member accounts, as of the read
    /// Each message's seq and frame (per-device, as a send here builds it); membership and
    /// other room events are not here: they cross between nodes as frames of their own.
    std::vector<std::pair<std::int64_t, std::shared_ptr<const Frame>>> messages;
    std::int64_t last = 0;  ///< the last seq read (messages and events), or `after` if none
    bool more = false;      ///< rows after `last` remain
};

class Service final : public Requests {
  public:
    /// Agencies and attendees may have any discipline with a stored dictionary except
    /// `general`. `at_rest` seals minutes, actions and the audit log;
    /// `engine` checks minutes and is replaced when an admin changes the dictionaries; both must
    /// outlive the Service and every write it queued. Without them the requests that need them
    /// answer `internal`. `server_keys` (audit::setup()) chain and sign the audit log, and its
    /// public key goes out in the hello, enrol and login replies; it must outlive the Service
    /// too, and without it the requests that change anything an admin does answer `internal`.
    ///
    /// `store` is the storage seam (store/store.hpp) every handler works through; it must
    /// outlive the Service.
    Service(store::Store& store, Metrics& metrics, Bus& bus, ServiceConfig config,
            const AtRestKey* at_rest = nullptr, jargon::SharedEngine* engine = nullptr,
            const ServerKeys* server_keys = nullptr);
    ~Service();
    Service(const Service&) = delete;
    Service& operator=(const Service&) = delete;

    [[nodiscard]] Handling handle(Identity& who, std::string_view frame, const Reply& reply,
                                  const std::shared_ptr<Session>& self) override;
    void disconnected(const Identity& who, const Sink* self) override;

    /// Reads, for each (room, after) of `wanted` (distinct rooms), the room's rows after seq
    /// `after` (at most a page per room) and its members, all in one read unit of work with
    /// two statements (MessagesView::after_each, RoomsView::members_of_each), and hands `done`
    /// the message events to deliver, one StoredEvents per wanted room in the order given, or
    /// what went wrong; `done` runs on the store's thread and must not block. Thread-safe.
    void stored_messages(std::vector<std::pair<std::int64_t, std::int64_t>> wanted,
                         std::function<void(std::vector<StoredEvents>, std::exception_ptr)> done);

    /// The request types this Service routes (app/routes.cpp), in table order: serve() checks
    /// them against protocol::request_specs() with route_problems() (app/routes.hpp).
    [[nodiscard]] static std::vector<std::string_view> route_names();

    /// The periodic retention sweep (app/retention.cpp): queues write units that delete what has
    /// expired, at most `retention_batch` records each, one after another until nothing is
    /// left, as `liaise admin retention run` does, with the server as the actor in the audit
    /// log. Does nothing while another node's sweep holds the store's sweep claim. Returns at
    /// once; any thread may call it.
    void sweep_retention();
    /// From now on a sweep under way queues no further units (shutdown). Any thread.
    void stop_sweeping();

    /// Shutdown, once no request can arrive any more (the network threads have stopped) and
    /// stop_sweeping() was called: waits until all the work this Service started is over --
    /// every store unit it queued with its completion, every worker job, and every follow-up
    /// step these started (a reply goes out before its `after` step, which still uses the
    /// Service, the bus and the store) -- or until `limit` has passed. Returns true when
    /// nothing is left; then the store, the bus and the Service may go, in any order. Not on a
    /// store's or the worker's thread (it would wait for itself). The destructor drains too.
    [[nodiscard]] bool drain(std::chrono::milliseconds limit);

  private:
    /// One request being handled: who sent it, the validated request, and where replies go.
    struct Context {
        Identity& who;
        const protocol::Request& req;
        const Reply& reply;
        const std::shared_ptr<Session>& self;  ///< may be null (a request from `init`)
        /// Set by hold(): the request goes on after the handler returned, and the session
        /// waits for it before handing over its next frame.
        bool held = false;
    };
    /// What a request needs once its handler has returned (Context is gone by then): where to
    /// reply, and what the store checks of the session's standing before a unit runs.
    struct Later {
        Reply reply;
        std::string re;           ///< the request's id
        std::string type;         ///< the request's type, for logs
        std::int64_t device = 0;  ///< 0: not logged in, no standing to check
        protocol::Access access = protocol::Access::anyone;
    };
    [[nodiscard]] static Later later(const Context& ctx);
    /// Holds the session of `ctx` (Requests::Handling::held) until the returned Hold is
    /// released; `internal` for a request without a session.
    [[nodiscard]] static std::shared_ptr<Hold> hold(Context& ctx);
    /// A write whose CPU work runs on the worker rather than on the store's writer or a network
    /// thread (issue #22). The three steps share state the caller captures in them; each may
    /// throw ServiceError to refuse the request.
    struct OffWriter {
        /// A read unit: loads what `work` needs, from a snapshot. Resets that state on entry.
        std::function<void(const store::ReadTx&)> read;
        /// On the worker: the CPU work (a compile, a check) on what `read` loaded.
        std::function<void()> work;
        /// The write unit: throws Moved if what `read` loaded has changed since, else stores
        /// what `work` made. May run more than once (store.hpp); must not change the shared
        /// state.
        std::function<void(store::Tx&, Outcome&)> write;
        /// After the commit, as write_tx's `after`.
        std::function<void(const Outcome&)> after;
    };
    /// Runs `steps`: read, then work on the worker, then write. When the write finds that what
    /// was read has moved on (Moved), the whole request runs once more from a new read; a
    /// second Moved is answered `conflict` (with Moved's message). Returns at once.
    void off_writer(const Later& later, std::shared_ptr<const OffWriter> steps, int attempt = 1);
    /// A request type and the handler that serves it.
    struct Route {
        std::string_view type;
        void (*handle)(Service&, Context&);
    };
    /// The route table, defined in app/routes.cpp.
    static std::span<const Route> routes() noexcept;
    void dispatch(Context& ctx);
    void hello(Context& ctx);
    void enrol(Context& ctx);
    void login(Context& ctx);
    /// A login between its steps, which run as the store completes each read.
    struct LoginAttempt {
        struct Found {
            store::AccountRow account;
            std::string sign_key;
            bool replaced = false;
        };
        std::string user, device, address;
        std::int64_t device_id = 0;
        std::int64_t last_session = 0;
        crypto::Signature signature;
        std::vector<unsigned char> challenge;  ///< the one the login signed
        Later later;
        std::shared_ptr<Hold> hold;
        std::optional<Found> found;  ///< the account and device, once read, if they exist
    };
    /// Login, once the account and device have been read: checks the signature and standing,
    /// applies the Identity, joins the bus and reads the standing again.
    void login_found(const std::shared_ptr<LoginAttempt>& attempt, std::exception_ptr error);
    /// Login, once the standing has been read again after joining the bus: refuses, or records
    /// the login and answers it.
    void login_checked(const std::shared_ptr<LoginAttempt>& attempt, const store::Standing& now,
                       std::shared_ptr<const Frame> reminder, std::exception_ptr error);
    /// Refuses a login with a fresh challenge (a challenge is good for one attempt).
    void login_refused(const std::shared_ptr<LoginAttempt>& attempt, std::string_view code,
                       std::string message);
    void whoami(Context& ctx);
    void list_sessions(Context& ctx);
    void agency_add(Context& ctx);
    void agency_list(Context& ctx);
    void enrol_code(Context& ctx);
    void room_create(Context& ctx);
    void room_change(Context& ctx, bool add);
    void rooms(Context& ctx);
    void room_show(Context& ctx);
    void user_keys(Context& ctx);
    void send(Context& ctx);
    void sync(Context& ctx);
    void room_audience(Context& ctx);
    void dictionaries(Context& ctx);
    void ask(Context& ctx);
    // A room's agreed terms (glossary.cpp).
    void glossary(Context& ctx);
    void glossary_change(Context& ctx, bool add);

    // Meetings, minutes and actions (minutes_handlers.cpp).
    void meeting_create(Context& ctx);
    void meeting_update(Context& ctx);
    void meetings(Context& ctx);
    void meeting_show(Context& ctx);
    void meeting_attend(Context& ctx);
    void meeting_agenda(Context& ctx);
    void meeting_decision(Context& ctx);
    void meeting_section(Context& ctx);
    void meeting_remove(Context& ctx);
    void meeting_check(Context& ctx);
    void meeting_circulate(Context& ctx);
    void meeting_approve(Context& ctx);
    void meeting_correct(Context& ctx);
    void meeting_export(Context& ctx);
    // After circulation: acknowledgements, accuracy comments, due lists (minutes_followup.cpp).
    void minutes_acknowledge(Context& ctx);
    void minutes_comment(Context& ctx);
    void minutes_comments(Context& ctx);
    void minutes_comment_resolve(Context& ctx);
    void minutes_due(Context& ctx);
    void action_add(Context& ctx);
    void action_update(Context& ctx);
    void actions(Context& ctx);
    // Administration (admin.cpp).
    void agency_rename(Context& ctx);
    void account_list(Context& ctx);
    void account_role(Context& ctx);
    /// Email notices (mail_notices_admin.cpp).
    void account_email(Context& ctx);
    void account_suspend(Context& ctx, bool suspend);
    void device_replace(Context& ctx);
    void dict_entry(Context& ctx);
    void dict_discipline(Context& ctx, bool add);
    void dict_import(Context& ctx);
    void dict_export(Context& ctx);
    void dict_versions(Context& ctx);
    void dict_revert(Context& ctx);
    void dict_feedback(Context& ctx);
    void dict_noisy(Context& ctx);
    void questions(Context& ctx);
    void question_list(Context& ctx);
    void question_close(Context& ctx, bool answer);
    void audit_log(Context& ctx);
    // Key backup, device transfer and history share (continuity.cpp).
    void backup_key(Context& ctx);
    void backup_key_set(Context& ctx);
    void backup_put(Context& ctx);
    void backup_get(Context& ctx);
    void backup_prune(Context& ctx);
    void transfer_put(Context& ctx);
    void transfer_take(Context& ctx);
    void transfer_done(Context& ctx);
    void history_share(Context& ctx);
    void history_shared(Context& ctx);
    /// Withdrawing a misdirected message (withdraw.cpp).
    void message_withdraw(Context& ctx);
    /// Retention schedules and legal holds (retention.cpp).
    void retention_show(Context& ctx);
    void retention_set(Context& ctx);
    void retention_sweep(Context& ctx);
    void hold_change(Context& ctx, bool place);
    /// Every room and meeting a legal hold can be placed on, whether or not the admin is in it.
    void hold_targets(Context& ctx);
    /// Information governance and subject access requests (subject_access.cpp).
    void governance_grant(Context& ctx);
    void governance_list(Context& ctx);
    void subject_access(Context& ctx);
    /// Read positions and the daily digest of unread rooms (reading.cpp).
    void room_read(Context& ctx);
    void email_digest(Context& ctx);
    void digest_run(Context& ctx);
    /// Edits the current dictionary files (a pure function of the files it is given, the
    /// request, and what it reads from the unit it is given) and returns a one-line summary.
    using DictionaryEdit =
        std::function<std::string(const store::ReadTx&, store::DictionaryFiles&, Outcome&)>;
    /// Runs `edit` on a snapshot of the current dictionaries, compiles the result on the worker
    /// (not the writer: ~5 ms that every queued send would wait for), then, in a write unit that
    /// checks the dictionaries (and common acronyms) have not changed meanwhile and runs `edit`
    /// again on them, stores the files compiled as a new version, runs `also` (further writes
    /// of the same change), records it in the audit log, then swaps the server's engine and
    /// tells every online client. A change that meets another is run once more (off_writer).
    void change_dictionaries(Context& ctx, DictionaryEdit edit,
                             std::function<void(store::Tx&, Outcome&)> also = {});
    /// Appends to the audit log inside the current write unit of work.
    void record(store::Tx& tx, std::int64_t actor, std::string_view kind,
                const boost::json::object& details) const;

    /// At a login, from the login's read unit: the event that tells the account of its actions
    /// overdue or due within two days, to deliver once the login is answered; null when there
    /// are none (or no at-rest key). A failure is logged, never thrown: the login goes on.
    std::shared_ptr<const Frame> action_reminder(const store::ReadTx& tx, std::int64_t account,
                                                 std::int64_t device) const;
    /// The key and engine, or `internal` when this Service was built without them.
    const AtRestKey& at_rest() const;
    /// The server's secrets, or `internal` when this Service was built without them.
    const ServerKeys& server_keys() const;
    /// Adds `server_key` (the server's public signing key, base64) to a reply when known.
    void add_server_key(boost::json::object& out) const;
    jargon::SharedEngine& engine() const;

    /// Runs `job` as a write unit of work on the store; replies ok with what it fills in, or the
    /// error it threw. A logged-in request is refused first (`suspended`, or `forbidden`) if,
    /// since the session logged in, its account was suspended, its device replaced, or its role
    /// lowered below what the request needs: the session is cut off once that change commits,
    /// but its requests queued behind the change must not run.
    /// `locks`: the rows `job` will lock (store::Store::Locks), so that several nodes on one
    /// database lock them in one order.
    void write_tx(Context& ctx, std::function<void(store::Tx&, Outcome&)> job,
                  std::function<void(const Outcome&)> after = {}, store::Store::Locks locks = {});
    /// write_tx() once the handler has returned; releases `hold`, if any, after the reply.
    void write_later(const Later& later, std::function<void(store::Tx&, Outcome&)> job,
                     std::function<void(const Outcome&)> after = {},
                     std::shared_ptr<Hold> hold = nullptr, store::Store::Locks locks = {});
    /// Runs `job` as a read unit of work on the store, refused first as write_tx() refuses, and
    /// replies ok with the members it returns (JSON object members without the braces), or the
    /// error it threw. `job` may run after the handler returned: it captures what it needs by
    /// value.
    void read_members(Context& ctx, std::function<std::string(const store::ReadTx&)> job);
    /// read_members() with a reply object.
    void read_object(Context& ctx, std::function<boost::json::object(const store::ReadTx&)> job);
    /// A write's completion: replies ok with `result` and runs `after`, or replies the error;
    /// then releases `hold`, if any.
    store::Store::Done completion(const Later& later, std::shared_ptr<Outcome> result,
                                  std::function<void(const Outcome&)> after,
                                  std::shared_ptr<Hold> hold = nullptr);
    /// Replies the error `error` holds: its code if a ServiceError, else `internal`.
    void fail_with(const Reply& reply, std::string_view re, std::string_view type,
                   std::exception_ptr error);
    void fail(const Reply& reply, std::string_view re, const protocol::Error& error,
              boost::json::object extra = {});

    store::Store& store_;
    Metrics& metrics_;
    Bus& bus_;
    ServiceConfig config_;
    /// A retention sweep's running totals, across its units (app/retention.cpp).
    struct SweepTotals {
        std::size_t units = 0;
        std::size_t deleted = 0;
    };
    /// Queues one unit of the retention sweep; its completion queues the next while any is left.
    void sweep_step(const std::shared_ptr<SweepTotals>& totals);
    std::atomic<bool> sweep_stopped_{false};
    const AtRestKey* at_rest_;
    jargon::SharedEngine* engine_;
    const ServerKeys* server_keys_;
    /// The work under way (drain()). Before worker_: the jobs it destroys unrun hold Tokens.
    InFlight in_flight_;
    /// CPU work off the writer and the network threads. Last: destroyed (joined) first, so that
    /// no job runs on a Service half gone.
    Worker worker_;
};

}  // namespace liaise::server
