// Internal: the request handlers. Transport-free: the WebSocket session hands it frames and
// sends back what it replies, so the same logic serves every connection.
#pragma once

#include "liaise/protocol/crypto.hpp"

#include <boost/json/object.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "app/error.hpp"
#include "app/outcome.hpp"
#include "app/requests.hpp"
#include "bus/bus.hpp"
#include "bus/frame.hpp"
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
};

/// The `message` events of one room that the store holds after a given seq (Service::
/// stored_messages), for delivering messages another node committed.
struct StoredEvents {
    std::vector<std::int64_t> accounts;  ///< the room's member accounts, now
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

    void handle(Identity& who, std::string_view frame, const Reply& reply,
                const std::shared_ptr<Sink>& self) override;
    void disconnected(const Identity& who, const Sink* self) override;

    /// Reads room `room`'s rows after seq `after` (at most a page) in a read unit of work and
    /// hands `done` the message events to deliver, or what went wrong; `done` runs on the
    /// store's thread and must not block. Thread-safe.
    void stored_messages(std::int64_t room, std::int64_t after,
                         std::function<void(StoredEvents, std::exception_ptr)> done);

    /// The request types this Service routes (app/routes.cpp), in table order: serve() checks
    /// them against protocol::request_specs() with route_problems() (app/routes.hpp).
    [[nodiscard]] static std::vector<std::string_view> route_names();

    /// The periodic retention sweep (app/retention.cpp): queues one write unit that deletes
    /// what has expired, as `liaise admin retention run` does, with the server as the actor in
    /// the audit log. Returns at once; any thread may call it.
    void sweep_retention();

  private:
    /// One request being handled: who sent it, the validated request, and where replies go.
    struct Context {
        Identity& who;
        const protocol::Request& req;
        const Reply& reply;
        const std::shared_ptr<Sink>& self;  ///< may be null (a request from `init`)
    };
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
    /// Information governance and subject access requests (subject_access.cpp).
    void governance_grant(Context& ctx);
    void governance_list(Context& ctx);
    void subject_access(Context& ctx);
    /// Read positions and the daily digest of unread rooms (reading.cpp).
    void room_read(Context& ctx);
    void email_digest(Context& ctx);
    void digest_run(Context& ctx);
    /// Runs `change` (which edits the current dictionary files and returns a one-line summary)
    /// on the writer; validates and compiles the result, stores it as a new version, records it
    /// in the audit log, then swaps the server's engine and tells every online client.
    void change_dictionaries(
        Context& ctx,
        std::function<std::string(store::Tx&, store::DictionaryFiles&, Outcome&)> change);
    /// Appends to the audit log inside the current write unit of work.
    void record(store::Tx& tx, std::int64_t actor, std::string_view kind,
                const boost::json::object& details) const;

    /// At a login: the event that tells the account of its actions overdue or due within two
    /// days, to deliver once the login is answered; null when there are none (or no session).
    std::shared_ptr<const Frame> action_reminder(Context& ctx);
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
    void write_tx(Context& ctx, std::function<void(store::Tx&, Outcome&)> job,
                  std::function<void(const Outcome&)> after = {});
    /// Runs `job` as a read unit of work on the store, refused first as write_tx() refuses, and
    /// replies ok with the members it returns (JSON object members without the braces), or the
    /// error it threw. `job` may run after the handler returned: it captures what it needs by
    /// value.
    void read_members(Context& ctx, std::function<std::string(const store::ReadTx&)> job);
    /// read_members() with a reply object.
    void read_object(Context& ctx, std::function<boost::json::object(const store::ReadTx&)> job);
    /// Runs `fn` as a read unit of work and waits for it, on the calling (network) thread: for
    /// the steps that must decide before the handler replies or queues a write (enrol's code
    /// check, login's look-ups), where nobody is logged in to be refused. The SQLite store reads
    /// at once, as Storage::read did; a networked store would block here, so these steps are
    /// still to become asynchronous (issue #22).
    void read_here(const std::function<void(const store::ReadTx&)>& fn);
    /// A write's completion: replies ok with `result` and runs `after`, or replies the error.
    store::Store::Done completion(Context& ctx, std::shared_ptr<Outcome> result,
                                  std::function<void(const Outcome&)> after);
    /// Replies the error `error` holds: its code if a ServiceError, else `internal`.
    void fail_with(const Reply& reply, std::string_view re, std::string_view type,
                   std::exception_ptr error);
    void fail(const Reply& reply, std::string_view re, const protocol::Error& error,
              boost::json::object extra = {});

    store::Store& store_;
    Metrics& metrics_;
    Bus& bus_;
    ServiceConfig config_;
    const AtRestKey* at_rest_;
    jargon::SharedEngine* engine_;
    const ServerKeys* server_keys_;
};

}  // namespace liaise::server
