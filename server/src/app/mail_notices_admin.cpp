// Administration of email notices (PROTOCOL.md, "Administration"): an admin sets or clears the
// address an account's notices go to. The change and its audit record commit together; the
// address itself is not written to the audit log (personal data it does not need). Without an
// `email` field the address is cleared.
#include <boost/json.hpp>

#include "app/service.hpp"
#include "liaise/mail/smtp.hpp"

namespace liaise::server {

void Service::account_email(Context& ctx) {
    const auto user = std::string(ctx.req.string("user"));
    const auto email = std::string(ctx.req.string("email"));
    if (!email.empty() && !mail::plausible_address(email))
        throw ServiceError(protocol::errc::bad_request,
                           "email: not an email address like name@council.example.org");
    const auto actor = ctx.who.account;
    write_tx(ctx, [=, this](store::Tx& tx, Outcome& out) {
        const auto target = tx.accounts().find(user);
        if (!target)
            throw ServiceError(protocol::errc::not_found, "no account named '" + user + "'");
        const bool changed = tx.outbox().set_email(target->id, email);
        if (changed)
            record(tx, actor, email.empty() ? "email_cleared" : "email_set", {{"user", user}});
        out.reply = {{"user", user}, {"changed", changed}};
        if (!email.empty())
            out.reply["email"] = email;
    });
}

}  // namespace liaise::server
