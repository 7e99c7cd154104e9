// Internal: the request handlers. Transport-free: the WebSocket session hands it frames and
// sends back what it replies, so the same logic serves every connection.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "liaise/protocol/expected.hpp"
#include "liaise/protocol/messages.hpp"

namespace SQLite {
class Database;
}

namespace liaise::server {

class Metrics;
class Storage;

/// Something that can receive server-initiated events: a connected session. deliver() must be
/// thread-safe and must not block.
class Sink {
  public:
    virtual ~Sink() = default;
    virtual void deliver(std::shared_ptr<const std::string> frame) = 0;
};

/// Who is online: logged-in sinks by account. Thread-safe.
class Hub {
  public:
    void add(std::int64_t account, const std::shared_ptr<Sink>& sink);
    void remove(std::int64_t account, const Sink* sink);
    /// Delivers `frame` to every online sink of `accounts` except `except`; returns how many.
    std::size_t publish(const std::vector<std::int64_t>& accounts,
                        const std::shared_ptr<const std::string>& frame,
                        const Sink* except = nullptr);

  private:
    std::mutex mutex_;
    std::unordered_map<std::int64_t, std::vector<std::weak_ptr<Sink>>>
        online_;  // GUARDED_BY(mutex_)
};

/// The state of one connection, owned by its session and touched only on its strand.
struct Identity {
    bool hello = false;
    std::vector<unsigned char> challenge;
    std::int64_t account = 0;  ///< 0 until login
    std::int64_t device = 0;
    std::string user;
    protocol::Role role = protocol::Role::member;
    [[nodiscard]] bool authenticated() const noexcept { return account != 0; }
};

struct ServiceConfig {
    int enrolment_code_hours = 72;
    int sync_page_max = 500;
};

/// A failure a handler reports to the client: a stable code, a message and optional fields.
struct ServiceError : std::exception {
    ServiceError(std::string_view code, std::string message, boost::json::object extra = {})
        : error{std::string(code), std::move(message)}, extra(std::move(extra)) {}
    const char* what() const noexcept override { return error.message.c_str(); }
    protocol::Error error;
    boost::json::object extra;
};

class Service {
  public:
    /// `disciplines` are those an agency may have (from the dictionaries, without `general`).
    Service(Storage& storage, Metrics& metrics, Hub& hub, ServiceConfig config,
            std::vector<std::string> disciplines);

    using Reply = std::function<void(std::string frame)>;

    /// Handles one frame from `who`'s connection. Calls `reply` exactly once, either before
    /// returning or later from the storage writer thread. `self` receives events once logged in.
    void handle(Identity& who, std::string_view frame, const Reply& reply,
                const std::shared_ptr<Sink>& self);

    /// Forgets a closed connection.
    void disconnected(const Identity& who, const Sink* self);

  private:
    struct Context;
    void dispatch(Context& ctx);
    void hello(Context& ctx);
    void enrol(Context& ctx);
    void login(Context& ctx);
    void whoami(Context& ctx);
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

    /// Runs `job` on the writer; replies ok with what it fills in, or the error it threw.
    void write(Context& ctx, std::function<void(SQLite::Database&, boost::json::object&)> job,
               std::function<void(const boost::json::object&)> after = {});
    void fail(const Reply& reply, std::string_view re, const protocol::Error& error,
              boost::json::object extra = {});

    Storage& storage_;
    Metrics& metrics_;
    Hub& hub_;
    ServiceConfig config_;
    std::vector<std::string> disciplines_;
};

}  // namespace liaise::server
