#include "store/postgres/pq.hpp"

#include <libpq-fe.h>
#include <poll.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <functional>

namespace liaise::server::pg {

namespace {

std::string trim(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' '))
        s.pop_back();
    return s;
}

struct Raw {
    std::vector<const char*> values;
};

Raw raw(const Params& params) {
    Raw r;
    r.values.reserve(params.size());
    for (const auto& p : params)
        r.values.push_back(p ? p->c_str() : nullptr);
    return r;
}

}  // namespace

// ---- Result ----

Result& Result::operator=(Result&& o) noexcept {
    if (this != &o) {
        if (r_)
            PQclear(r_);
        r_ = std::exchange(o.r_, nullptr);
    }
    return *this;
}

Result::~Result() {
    if (r_)
        PQclear(r_);
}

bool Result::ok() const noexcept {
    if (!r_)
        return false;
    const auto s = PQresultStatus(r_);
    return s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK;
}

bool Result::aborted() const noexcept {
    return r_ && PQresultStatus(r_) == PGRES_PIPELINE_ABORTED;
}

int Result::rows() const noexcept {
    return r_ ? PQntuples(r_) : 0;
}

bool Result::is_null(int row, int column) const noexcept {
    return PQgetisnull(r_, row, column) != 0;
}

std::string_view Result::text(int row, int column) const noexcept {
    return {PQgetvalue(r_, row, column), static_cast<std::size_t>(PQgetlength(r_, row, column))};
}

std::int64_t Result::int64(int row, int column) const {
    if (row >= rows() || column >= PQnfields(r_) || is_null(row, column))
        throw Error("expected an integer, found no value", "");
    const auto t = text(row, column);
    std::int64_t v = 0;
    const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
    if (ec != std::errc() || end != t.data() + t.size())
        throw Error("expected an integer, found '" + std::string(t) + "'", "");
    return v;
}

std::string Result::sqlstate() const {
    if (!r_)
        return {};
    const char* s = PQresultErrorField(r_, PG_DIAG_SQLSTATE);
    return s ? s : "";
}

std::string Result::message() const {
    if (!r_)
        return "no result";
    if (aborted())
        return "not run: an earlier statement of the batch failed";
    return trim(PQresultErrorMessage(r_));
}

Result& Result::check(std::string_view what) & {
    if (!ok())
        throw Error(std::string(what) + ": " + message(), sqlstate());
    return *this;
}

Result&& Result::check(std::string_view what) && {
    static_cast<Result&>(*this).check(what);
    return std::move(*this);
}

// ---- Connection ----

Connection::Connection(const std::string& url) {
    conn_ = PQconnectdb(url.c_str());
    if (!conn_)
        throw Error("PostgreSQL: out of memory connecting", "");
    if (PQstatus(conn_) != CONNECTION_OK) {
        std::string msg = trim(PQerrorMessage(conn_));
        PQfinish(conn_);
        conn_ = nullptr;
        throw Error("cannot connect to PostgreSQL: " + msg, "");
    }
    if (PQsetnonblocking(conn_, 1) != 0)
        fail("cannot make the PostgreSQL connection non-blocking");
    // Quieter logs, and the same time zone whatever the server's configuration.
    exec("SET client_min_messages = warning; SET TIME ZONE 'UTC'");
}

Connection::~Connection() {
    if (conn_)
        PQfinish(conn_);
}

void Connection::fail(std::string_view what) {
    throw Error(std::string(what) + ": " + trim(PQerrorMessage(conn_)), "");
}

int Connection::socket() const noexcept {
    return PQsocket(conn_);
}
int Connection::backend_pid() const noexcept {
    return PQbackendPID(conn_);
}
bool Connection::in_failed_transaction() const noexcept {
    return PQtransactionStatus(conn_) == PQTRANS_INERROR;
}
bool Connection::healthy() const noexcept {
    return PQstatus(conn_) == CONNECTION_OK;
}

void Connection::wait_socket(bool for_write, int timeout_ms) {
    pollfd p{};
    p.fd = PQsocket(conn_);
    if (p.fd < 0)
        fail("PostgreSQL connection lost");
    p.events = static_cast<short>(POLLIN | (for_write ? POLLOUT : 0));
    int n = 0;
    do {
        n = ::poll(&p, 1, timeout_ms);
    } while (n < 0 && errno == EINTR);
    if (n < 0)
        throw Error(std::string("poll: ") + std::strerror(errno), "");
}

void Connection::flush_all() {
    for (;;) {
        const int r = PQflush(conn_);
        if (r == 0)
            return;
        if (r < 0)
            fail("cannot send to PostgreSQL");
        // The server may be waiting for us to read before it reads more: read as we wait.
        wait_socket(true, -1);
        if (PQconsumeInput(conn_) == 0)
            fail("cannot read from PostgreSQL");
    }
}

Result Connection::next_result() {
    while (PQisBusy(conn_)) {
        wait_socket(false, -1);
        if (PQconsumeInput(conn_) == 0)
            fail("cannot read from PostgreSQL");
    }
    return Result(PQgetResult(conn_));
}

Result Connection::statement_result() {
    Result kept;
    for (Result r = next_result(); !r.empty(); r = next_result()) {
        if (kept.empty() || kept.ok())
            kept = std::move(r);
    }
    return kept;
}

Result Connection::exec(const std::string& sql) {
    if (PQsendQuery(conn_, sql.c_str()) == 0)
        fail("cannot send to PostgreSQL");
    flush_all();
    return statement_result().check("PostgreSQL");
}

Result Connection::exec(const std::string& sql, const Params& params) {
    // A statement with parameters is prepared on its first use on this connection and run by
    // name afterwards: a send's small statements cost PostgreSQL more to plan than to run
    // (bench/RESULTS.md, pg_stat_statements). Named by a hash of the text; prepared_ holds
    // "n:NAME" and "s:NAME<NUL>TEXT", so two texts with one hash never share a statement (the
    // second runs unprepared), and at most kMaxAutoPrepared texts are kept per connection.
    constexpr std::size_t kMaxAutoPrepared = 1000;
    const auto n = static_cast<int>(params.size());
    const auto name = "liaise_auto_" + std::to_string(std::hash<std::string>{}(sql));
    auto key = "s:" + name;
    key += '\0';
    key += sql;
    bool by_name = prepared_.contains(key);
    if (!by_name && !prepared_.contains("n:" + name) && prepared_.size() < 2 * kMaxAutoPrepared &&
        !in_failed_transaction()) {
        if (PQsendPrepare(conn_, name.c_str(), sql.c_str(), n, nullptr) == 0)
            fail("cannot send to PostgreSQL");
        flush_all();
        statement_result().check("PostgreSQL");
        prepared_.insert("n:" + name);
        prepared_.insert(std::move(key));
        by_name = true;
    }
    const auto r = raw(params);
    const int sent =
        by_name ? PQsendQueryPrepared(conn_, name.c_str(), n, r.values.data(), nullptr, nullptr, 0)
                : PQsendQueryParams(conn_, sql.c_str(), n, nullptr, r.values.data(), nullptr,
                                    nullptr, 0);
    if (sent == 0)
        fail("cannot send to PostgreSQL");
    flush_all();
    return statement_result().check("PostgreSQL");
}

void Connection::prepare_once(const Query& q) {
    if (q.name.empty() || prepared_.contains(q.name))
        return;
    if (PQsendPrepare(conn_, q.name.c_str(), q.sql.c_str(), static_cast<int>(q.params.size()),
                      nullptr) == 0)
        fail("cannot send to PostgreSQL");
    flush_all();
    statement_result().check("PostgreSQL: preparing " + q.name);
    prepared_.insert(q.name);
}

std::vector<Result> Connection::pipeline(const std::vector<Query>& queries) {
    for (const auto& q : queries)
        prepare_once(q);
    if (PQenterPipelineMode(conn_) == 0)
        fail("cannot enter pipeline mode");
    for (const auto& q : queries) {
        const auto r = raw(q.params);
        const int sent =
            q.name.empty()
                ? PQsendQueryParams(conn_, q.sql.c_str(), static_cast<int>(q.params.size()),
                                    nullptr, r.values.data(), nullptr, nullptr, 0)
                : PQsendQueryPrepared(conn_, q.name.c_str(), static_cast<int>(q.params.size()),
                                      r.values.data(), nullptr, nullptr, 0);
        if (sent == 0)
            fail("cannot queue a statement in the pipeline");
    }
    if (PQpipelineSync(conn_) == 0)
        fail("cannot end the pipeline");
    flush_all();
    std::vector<Result> out;
    out.reserve(queries.size());
    // Each statement's results end with a null result; the sync's own result has none after it.
    for (std::size_t i = 0; i < queries.size(); ++i) {
        out.push_back(statement_result());
        if (out.back().empty())
            fail("PostgreSQL ended the pipeline early");
    }
    if (next_result().empty())
        fail("PostgreSQL did not answer the pipeline's sync");
    if (PQexitPipelineMode(conn_) == 0)
        fail("cannot leave pipeline mode");
    return out;
}

void Connection::forget_prepared() {
    exec("DEALLOCATE ALL");
    prepared_.clear();
}

void Connection::listen(const std::string& channel) {
    if (channel.empty() ||
        channel.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") != std::string::npos)
        throw std::invalid_argument("channel name must be [a-z0-9_]+");
    exec("LISTEN " + channel);
}

std::vector<Notification> Connection::notifications(std::chrono::milliseconds timeout) {
    std::vector<Notification> out;
    auto drain = [&] {
        while (PGnotify* n = PQnotifies(conn_)) {
            out.push_back({n->relname, n->extra, n->be_pid});
            PQfreemem(n);
        }
    };
    if (PQconsumeInput(conn_) == 0)
        fail("PostgreSQL connection lost");
    drain();
    if (!out.empty() || timeout.count() <= 0)
        return out;
    wait_socket(false, static_cast<int>(timeout.count()));
    if (PQconsumeInput(conn_) == 0)
        fail("PostgreSQL connection lost");
    drain();
    return out;
}

}  // namespace liaise::server::pg
