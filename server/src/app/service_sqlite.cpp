// The Service's old unit of work, on SQLite directly, for the handlers not yet moved onto the
// store (store/store.hpp): admin.cpp, continuity.cpp, glossary.cpp, mail_notices*.cpp and
// minutes*.cpp. Delete this file when the last of them has moved (issue #22); until then it is on
// the allow-list of the test that keeps SQLite out of app/ (tests/server/app_sqlite_test.sh).
#include <SQLiteCpp/SQLiteCpp.h>

#include "app/service.hpp"
#include "app/standing.hpp"
#include "store/storage.hpp"

namespace liaise::server {
namespace {

/// Looks up the standing of device `?1`; a device that does not exist is not current.
constexpr const char* kStandingSql =
    "SELECT d.revoked_at IS NULL, a.suspended, a.role FROM devices d JOIN accounts a ON "
    "a.id = d.account_id WHERE d.id = ?";

/// Runs `q` (kStandingSql, prepared) for `device`.
store::Standing standing_of(SQLite::Statement& q, std::int64_t device) {
    q.bind(1, device);
    store::Standing out;
    if (q.executeStep())
        out = {q.getColumn(0).getInt() != 0, q.getColumn(1).getInt() != 0,
               protocol::parse_role(q.getColumn(2).getString()).value_or(protocol::Role::member)};
    return out;
}

}  // namespace

void Service::write(Context& ctx, std::function<void(SQLite::Database&, Outcome&)> job,
                    std::function<void(const Outcome&)> after) {
    auto result = std::make_shared<Outcome>();
    storage_.write(
        [job = std::move(job), result, device = ctx.who.authenticated() ? ctx.who.device : 0,
         access = ctx.req.spec->access](SQLite::Database& db) {
            if (device != 0) {
                SQLite::Statement q(db, kStandingSql);
                require_standing(standing_of(q, device), access);
            }
            *result = {};  // a job runs again after a failed batch
            job(db, *result);
        },
        completion(ctx, result, std::move(after)));
}

void Service::require_active(SQLite::Database& db, const Context& ctx) {
    if (!ctx.who.authenticated())
        return;
    SQLite::Statement q(db, kStandingSql);
    require_standing(standing_of(q, ctx.who.device), ctx.req.spec->access);
}

}  // namespace liaise::server
