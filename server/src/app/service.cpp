#include "app/service.hpp"

#include <sodium.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <map>
#include <set>
#include <thread>
#include <unordered_map>

#include "app/governance.hpp"
#include "app/require.hpp"
#include "app/room_events.hpp"
#include "app/rows_json.hpp"
#include "app/standing.hpp"
#include "clock.hpp"
#include "liaise/jargon/dictionary.hpp"
#include "liaise/protocol/crypto.hpp"
#include "metrics.hpp"
#include "store/audit.hpp"

namespace liaise::server {
namespace {

namespace json = boost::json;
using protocol::Role;
namespace errc = protocol::errc;

// ---- enrolment codes -------------------------------------------------------------------------

constexpr char kCodeAlphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";  // Crockford base32

/// A new code: 20 symbols (100 random bits) as five groups of four.
std::string new_code() {
    const auto bytes = crypto::random_bytes(20);
    std::string code;
    for (std::size_t i = 0; i < 20; ++i) {
        if (i > 0 && i % 4 == 0)
            code += '-';
        code += kCodeAlphabet[bytes[i] & 31];
    }
    return code;
}

/// Canonical form people may type loosely: any case, with or without dashes and spaces, and
/// the letters O, I and L read as the digits they look like.
std::string normalise_code(std::string_view code) {
    std::string out;
    for (char c : code) {
        if (c == '-' || c == ' ')
            continue;
        if (c >= 'a' && c <= 'z')
            c = static_cast<char>(c - 'a' + 'A');
        if (c == 'O')
            c = '0';
        if (c == 'I' || c == 'L')
            c = '1';
        out += c;
    }
    return out;
}

/// Codes are stored only as hashes. They carry 100 random bits, so a fast hash suffices.
std::string hash_code(std::string_view code) {
    const auto canonical = normalise_code(code);
    unsigned char digest[32];
    crypto_generichash(digest, sizeof digest,
                       reinterpret_cast<const unsigned char*>(canonical.data()), canonical.size(),
                       nullptr, 0);
    return crypto::to_base64(digest);
}

/// What an enrolment code is for: a new account, or (`replaces` != 0) a new device for one.
struct CodeFor {
    std::string user, display_name;
    std::int64_t agency = 0;
    Role role = Role::member;
    std::int64_t created_by = 0;
    std::int64_t hours = 72;
    std::int64_t replaces = 0;
};

/// Stores a fresh code (only its hash) and returns {"user", "code", "expires_at", "withdrawn"}.
/// Unused codes issued earlier for the same purpose (`user`'s account, or a new device for it)
/// stop working now: two codes for one account would leave the second to fail at enrolment,
/// and a code an admin issues again is usually one that went astray. `withdrawn` counts them.
json::object issue_code(store::Enrolment& enrolment, const CodeFor& c) {
    const auto code = new_code();
    store::EnrolmentCode row;
    row.code_hash = hash_code(code);
    row.user = c.user;
    row.display_name = c.display_name;
    row.agency = c.agency;
    row.role = c.role;
    row.created_by = c.created_by;
    row.created_at = now_ms();
    row.expires_at = row.created_at + c.hours * 3600 * 1000;
    row.replaces = c.replaces;
    // A code works until, and at, its expiry; the earlier ones expire just before this one.
    const auto withdrawn = enrolment.issue(row);
    return {
        {"user", c.user}, {"code", code}, {"expires_at", row.expires_at}, {"withdrawn", withdrawn}};
}

/// Throws the code's error unless `code` can still be redeemed: known, unused, unexpired.
void require_usable(const std::optional<store::EnrolmentCode>& code) {
    if (!code)
        throw ServiceError(errc::invalid_code, "this enrolment code is not known");
    if (code->used_at)
        throw ServiceError(errc::code_used, "this enrolment code has already been used");
    if (code->expires_at < now_ms())
        throw ServiceError(errc::code_expired,
                           "this enrolment code has expired or was replaced by a newer one; "
                           "ask an admin for a new one");
}

/// An issued code's audit details: `details`, and how many earlier codes it withdrew, if any.
json::object issued_details(json::object details, const json::object& issued) {
    if (issued.at("withdrawn").as_int64() > 0)
        details["withdrawn"] = issued.at("withdrawn");
    return details;
}

/// What a room the asker may not see answers: exactly what a room that does not exist does, so
/// that no one learns which rooms exist by asking (PROTOCOL.md, "Errors").
ServiceError no_such_room(std::string_view name) {
    return ServiceError(errc::not_found, "no room named '" + std::string(name) + "'");
}

store::Room require_room(const store::RoomsView& rooms, std::string_view name) {
    auto room = rooms.find(name);
    if (!room)
        throw no_such_room(name);
    return std::move(*room);
}

std::int64_t require_member(const store::RoomsView& rooms, const store::Room& room,
                            std::int64_t account) {
    const auto joined = rooms.membership(room.id, account);
    if (!joined)
        throw no_such_room(room.name);
    return *joined;
}

/// A room `caller` may manage: only a room `caller` is a member of, whatever its role. (The
/// request's access rule already requires a chair or an admin.) An admin outside a room can
/// neither add itself nor staff it: members alone decide who reads their room.
/// Outside the room, a chair who is not an admin is answered as if it did not exist; an admin,
/// who may list any room's members (room_show), is told why.
store::Room require_room_to_change(const store::RoomsView& rooms, std::string_view name,
                                   std::int64_t caller, Role role) {
    auto room = require_room(rooms, name);
    if (!rooms.membership(room.id, caller) && role != Role::admin)
        throw no_such_room(name);
    if (!rooms.membership(room.id, caller))
        throw ServiceError(errc::forbidden,
                           "you can change only rooms you are a member of; ask a chair or admin "
                           "who is a member of '" +
                               room.name + "'");
    return room;
}

/// Appends one stored message as clients receive it, in sync pages and in live events alike:
/// the object's fields without its braces, up to and including `"envelope":`, the last field.
/// The caller appends the stored envelope, JSON text the server wrote itself, spliced in (cut
/// to the receiving device's copy), not parsed again.
void append_message_fields(std::string& out, std::string_view room, std::int64_t seq,
                           std::int64_t sent_at, std::int64_t device, std::string_view user,
                           std::string_view sign_key, std::string_view box_key,
                           std::string_view signature) {
    out += "\"room\":";
    out += json::serialize(room);
    out += ",\"seq\":";
    out += std::to_string(seq);
    out += ",\"sender\":";
    out += json::serialize(user);
    out += ",\"sender_device\":\"";
    out += std::to_string(device);
    out += "\",\"sent_at\":";
    out += std::to_string(sent_at);
    out += ",\"sender_keys\":{\"sign_key\":";
    out += json::serialize(sign_key);
    out += ",\"box_key\":";
    out += json::serialize(box_key);
    out += ",\"box_key_signature\":";
    out += json::serialize(signature);
    out += "},\"envelope\":";
}

/// The frame of a `message` event whose `text` holds `envelope`, a stored version 2 envelope
/// with `keys` wrapped keys, at `envelope_at`: each device receives only its own wrapped key
/// (frame.hpp).
std::shared_ptr<const Frame> message_frame(std::string text, std::size_t envelope_at,
                                           std::string_view envelope, std::size_t keys) {
    if (text.compare(envelope_at, envelope.size(), envelope) != 0)
        throw std::logic_error("message_frame: the envelope is not where it was said to be");
    auto list = find_key_list(envelope);
    // Never expected; caught here rather than sending every key to every device unnoticed.
    if (!list || list->entries.size() != keys)
        throw std::logic_error("message_frame: the stored envelope's keys do not split");
    for (auto& e : list->entries)
        e.offset += envelope_at;
    return std::make_shared<const Frame>(std::move(text), envelope_at + list->begin,
                                         envelope_at + list->end, std::move(list->entries));
}

using store::Standing;

/// Whether two stored envelope texts are one message sent twice: the same signature, nonce and
/// ciphertext. The signature covers every field a reader checks except the wrapped keys (each
/// recipient checks its own against the key commitment), so a retry that wrapped the keys again
/// is still the same message; a new seal of the same text is not (its nonce is new). Parses
/// both: called only when a send meets a stored message id.
bool same_envelope(std::string_view stored, std::string_view sent) {
    boost::system::error_code ec1, ec2;
    const auto a = json::parse(stored, ec1);
    const auto b = json::parse(sent, ec2);
    if (ec1 || ec2 || !a.is_object() || !b.is_object())
        return false;
    for (const char* field : {"signature", "nonce", "ciphertext"}) {
        const auto* x = a.get_object().if_contains(field);
        const auto* y = b.get_object().if_contains(field);
        if (x == nullptr || y == nullptr || *x != *y)
            return false;
    }
    return true;
}

}  // namespace

void require_standing(const Standing& standing, protocol::Access access) {
    if (!standing.current)
        throw ServiceError(errc::device_replaced,
                           "this device has been replaced: it can no longer be used");
    if (standing.suspended)
        throw ServiceError(errc::suspended, "this account is suspended");
    if (access == protocol::Access::admin && standing.role != Role::admin)
        throw ServiceError(errc::forbidden, "your role has changed: only admins may do this");
    if (access == protocol::Access::chair && standing.role == Role::member)
        throw ServiceError(errc::forbidden,
                           "your role has changed: only chairs and admins may do this");
}

// ---- service ---------------------------------------------------------------------------------

Service::Service(store::Store& store, Metrics& metrics, Bus& bus, ServiceConfig config,
                 const AtRestKey* at_rest, jargon::SharedEngine* engine,
                 const ServerKeys* server_keys)
    : store_(store),
      metrics_(metrics),
      bus_(bus),
      config_(config),
      at_rest_(at_rest),
      engine_(engine),
      server_keys_(server_keys),
      worker_(config_.before_worker_job) {}

Service::~Service() {
    // What is still under way runs on this Service and holds Tokens of in_flight_: it ends
    // first. serve() has drained already; a test that did not is drained here.
    (void)drain(std::chrono::seconds(30));
}

bool Service::drain(std::chrono::milliseconds limit) {
    const bool idle = in_flight_.wait_idle(limit);
    if (!idle)
        spdlog::error("shutdown: work still under way after {} ms (units and jobs: {})",
                      limit.count(), in_flight_.count());
    return idle;
}

void Service::fail(const Reply& reply, std::string_view re, const protocol::Error& error,
                   json::object extra) {
    metrics_.error(error.code);
    reply(protocol::encode_error(re, error, std::move(extra)));
}

Requests::Handling Service::handle(Identity& who, std::string_view frame, const Reply& reply,
                                   const std::shared_ptr<Session>& self) {
    auto decoded = protocol::decode_request(frame);
    if (!decoded.request) {
        fail(reply, decoded.id, decoded.error);
        return Handling::done;
    }
    const auto& req = *decoded.request;
    metrics_.request(req.type());
    Context ctx{who, req, reply, self};
    try {
        dispatch(ctx);
    } catch (const ServiceError& e) {
        // A handler holds its session only as its last step (hold()): nothing throws after.
        fail(reply, req.id, e.error, e.extra);
    } catch (const std::exception& e) {
        spdlog::error("request {} failed: {}", req.type(), e.what());
        fail(reply, req.id,
             {std::string(errc::internal), "the server could not complete this request"});
    }
    return ctx.held ? Handling::held : Handling::done;
}

Service::Later Service::later(const Context& ctx) {
    return {ctx.reply, std::string(ctx.req.id), std::string(ctx.req.type()),
            ctx.who.authenticated() ? ctx.who.device : 0, ctx.req.spec->access};
}

std::shared_ptr<Hold> Service::hold(Context& ctx) {
    if (!ctx.self)
        throw ServiceError(errc::internal, "this request needs a connection");
    ctx.held = true;
    return std::make_shared<Hold>(ctx.self);
}

void Service::disconnected(const Identity& who, const Sink* self) {
    if (who.authenticated())
        bus_.leave(who.account, self);
}

void Service::dispatch(Context& ctx) {
    const auto type = ctx.req.type();
    if (!ctx.who.hello && type != "hello")
        throw ServiceError(errc::hello_required, "send hello first");
    switch (ctx.req.spec->access) {
        case protocol::Access::anyone:
            break;
        case protocol::Access::authenticated:
            if (!ctx.who.authenticated())
                throw ServiceError(errc::not_authenticated, "log in first");
            break;
        case protocol::Access::chair:
            if (!ctx.who.authenticated())
                throw ServiceError(errc::not_authenticated, "log in first");
            if (ctx.who.role == Role::member)
                throw ServiceError(errc::forbidden, "only chairs and admins may do this");
            break;
        case protocol::Access::admin:
            if (!ctx.who.authenticated())
                throw ServiceError(errc::not_authenticated, "log in first");
            if (ctx.who.role != Role::admin)
                throw ServiceError(errc::forbidden, "only admins may do this");
            break;
    }
    static const auto handlers = [] {
        std::unordered_map<std::string_view, void (*)(Service&, Context&)> table;
        for (const auto& route : routes())
            table.emplace(route.type, route.handle);
        return table;
    }();
    if (const auto it = handlers.find(type); it != handlers.end())
        return it->second(*this, ctx);
    throw ServiceError(errc::bad_request, "type: not handled");
}

store::Store::Done Service::completion(const Later& later, std::shared_ptr<Outcome> result,
                                       std::function<void(const Outcome&)> after,
                                       std::shared_ptr<Hold> hold) {
    return [this, result = std::move(result), reply = later.reply, re = later.re, type = later.type,
            after = std::move(after), hold = std::move(hold),
            work = in_flight_.start()](std::exception_ptr error) {
        // Whatever happens below, a held session reads on once this is answered.
        struct Release {
            Hold* hold;
            ~Release() {
                if (hold != nullptr)
                    hold->release();
            }
        } release{hold.get()};
        if (error) {
            fail_with(reply, re, type, error);
            return;
        }
        if (!after) {
            if (!result->replied)
                reply(protocol::encode_ok(re, std::move(result->reply)));
        } else {
            if (!result->replied)
                reply(protocol::encode_ok(re, result->reply));
            after(*result);
        }
        for (auto& [accounts, frame] : result->live)
            bus_.publish(accounts, std::make_shared<const Frame>(std::move(frame)));
    };
}

void Service::fail_with(const Reply& reply, std::string_view re, std::string_view type,
                        std::exception_ptr error) {
    try {
        std::rethrow_exception(error);
    } catch (const ServiceError& e) {
        fail(reply, re, e.error, e.extra);
    } catch (const std::exception& e) {
        spdlog::error("request {} failed in storage: {}", type, e.what());
        fail(reply, re, {std::string(errc::internal), "the server could not store this change"});
    }
}

void Service::write_tx(Context& ctx, std::function<void(store::Tx&, Outcome&)> job,
                       std::function<void(const Outcome&)> after, store::Store::Locks locks) {
    write_later(later(ctx), std::move(job), std::move(after), nullptr, std::move(locks));
}

void Service::write_later(const Later& later, std::function<void(store::Tx&, Outcome&)> job,
                          std::function<void(const Outcome&)> after, std::shared_ptr<Hold> hold,
                          store::Store::Locks locks) {
    auto result = std::make_shared<Outcome>();
    store_.write(
        [job = std::move(job), result, device = later.device,
         access = later.access](store::Tx& tx) {
            // The store may answer from memory that it invalidates itself (store.hpp).
            if (device != 0)
                require_standing(tx.accounts().standing(device), access);
            *result = {};  // a unit runs again after a failed batch
            job(tx, *result);
        },
        completion(later, result, std::move(after), std::move(hold)), std::move(locks));
}

void Service::off_writer(const Later& later, std::shared_ptr<const OffWriter> steps, int attempt) {
    store_.read(
        [steps, device = later.device, access = later.access](const store::ReadTx& tx) {
            if (device != 0)
                require_standing(tx.accounts().standing(device), access);
            steps->read(tx);
        },
        [this, later, steps, attempt, work = in_flight_.start()](std::exception_ptr error) {
            if (error)
                return fail_with(later.reply, later.re, later.type, error);
            worker_.post([this, later, steps, attempt, work] {
                try {
                    steps->work();
                } catch (...) {
                    return fail_with(later.reply, later.re, later.type, std::current_exception());
                }
                auto result = std::make_shared<Outcome>();
                auto done = completion(later, result, steps->after);
                store_.write(
                    [steps, result, device = later.device, access = later.access](store::Tx& tx) {
                        if (device != 0)
                            require_standing(tx.accounts().standing(device), access);
                        *result = {};
                        steps->write(tx, *result);
                    },
                    [this, later, steps, attempt, work,
                     done = std::move(done)](std::exception_ptr e) {
                        if (e && attempt == 1) {
                            try {
                                std::rethrow_exception(e);
                            } catch (const Moved&) {
                                // Another change came first: work again from what it left,
                                // reading from the worker rather than this (writer) thread.
                                return worker_.post([this, later, steps, attempt, work] {
                                    off_writer(later, steps, attempt + 1);
                                });
                            } catch (...) {
                            }
                        }
                        done(e);
                    });
            });
        });
}

void Service::read_members(Context& ctx, std::function<std::string(const store::ReadTx&)> job) {
    auto members = std::make_shared<std::string>();
    store_.read(
        [job = std::move(job), members, device = ctx.who.authenticated() ? ctx.who.device : 0,
         access = ctx.req.spec->access](const store::ReadTx& tx) {
            if (device != 0)
                require_standing(tx.accounts().standing(device), access);
            *members = job(tx);
        },
        [this, members, reply = ctx.reply, re = ctx.req.id, type = std::string(ctx.req.type()),
         work = in_flight_.start()](std::exception_ptr error) {
            if (error)
                return fail_with(reply, re, type, error);
            reply(protocol::encode_ok_members(re, std::move(*members)));
        });
}

void Service::read_object(Context& ctx, std::function<json::object(const store::ReadTx&)> job) {
    read_members(ctx, [job = std::move(job)](const store::ReadTx& tx) {
        auto text = json::serialize(job(tx));
        return text.substr(1, text.size() - 2);  // the members, without the braces
    });
}

void Service::record(store::Tx& tx, std::int64_t actor, std::string_view kind,
                     const json::object& details) const {
    audit::append(tx.audit(), at_rest(), server_keys(), actor, kind, details);
}

void Service::hello(Context& ctx) {
    const auto version = ctx.req.integer("version", 0);
    if (version != protocol::kVersion)
        throw ServiceError(
            errc::unsupported_version,
            "this server speaks protocol version " + std::to_string(protocol::kVersion),
            {{"version", protocol::kVersion}});
    ctx.who.hello = true;
    ctx.who.challenge = crypto::random_bytes(32);
    json::object out{{"version", protocol::kVersion},
                     {"server", "liaise-server/0.1.0"},
                     {"challenge", crypto::to_base64(ctx.who.challenge)}};
    add_server_key(out);
    ctx.reply(protocol::encode_ok(ctx.req.id, std::move(out)));
}

void Service::enrol(Context& ctx) {
    const auto sign_key = crypto::SignPublicKey::from_base64(ctx.req.string("sign_key"));
    const auto box_key = crypto::BoxPublicKey::from_base64(ctx.req.string("box_key"));
    const auto signature = crypto::Signature::from_base64(ctx.req.string("box_key_signature"));
    if (!sign_key)
        throw ServiceError(errc::bad_request, "sign_key: not a base64 Ed25519 public key");
    if (!box_key)
        throw ServiceError(errc::bad_request, "box_key: not a base64 X25519 public key");
    if (!signature)
        throw ServiceError(errc::bad_request, "box_key_signature: not a base64 signature");
    if (!crypto::PublicIdentity{*sign_key, *box_key, *signature}.verify())
        throw ServiceError(errc::bad_signature, "box_key_signature does not verify with sign_key");
    const auto hash = hash_code(ctx.req.string("code"));
    auto name = std::string(ctx.req.string("device_name"));
    if (name.empty())
        name = "device";
    auto events = std::make_shared<RoomEvents>();
    auto job =
        [this, hash, name, events, address = ctx.who.address,
         sk = std::string(ctx.req.string("sign_key")), bk = std::string(ctx.req.string("box_key")),
         sig = std::string(ctx.req.string("box_key_signature"))](store::Tx& tx, Outcome& out) {
            events->clear();
            const auto code = tx.enrolment().code(hash);
            require_usable(code);
            const auto& user = code->user;
            const auto role = std::string(protocol::to_string(code->role));
            const bool replacement = code->replaces != 0;
            const auto existing = tx.accounts().find(user);
            const auto now = now_ms();
            std::int64_t account = 0;
            int revoked = 0;
            store::Id replaces = 0;  // the newest current device this one revokes
            if (replacement) {
                // A lost device: the same account gets a new device and its old ones stop working.
                if (!existing || existing->id != code->replaces)
                    throw ServiceError(errc::invalid_code, "this code's account no longer exists");
                account = existing->id;
                if (const auto current = tx.accounts().devices(account); !current.empty())
                    replaces = current.back().id;
                revoked = tx.accounts().revoke_devices(account, now);
            } else {
                if (existing)
                    throw ServiceError(errc::conflict,
                                       "an account named '" + user + "' already exists");
                const auto added =
                    tx.accounts().add(user, code->display_name, code->agency, code->role, now);
                if (!added)
                    throw ServiceError(errc::conflict,
                                       "an account named '" + user + "' already exists");
                account = *added;
            }
            // The admin who issued a replacement code (0: not known) is kept with the device.
            std::optional<store::AccountRow> admin;
            if (replacement && code->created_by != 0)
                admin = account_by_id(tx.accounts(), code->created_by);
            store::Device d;
            d.name = name;
            d.sign_key = sk;
            d.box_key = bk;
            d.box_key_signature = sig;
            d.created_at = now;
            if (admin) {
                d.issued_by = admin->id;
                d.issued_at = code->created_at;
                d.replaces = replaces;
            }
            const auto device = tx.accounts().add_device(account, d);
            if (!tx.enrolment().mark_used(hash, now))
                throw ServiceError(errc::code_used, "this enrolment code has already been used");
            out.reply = account_json(require_account(tx.accounts(), user));
            out.reply["device"] = std::to_string(device);
            add_server_key(out.reply);
            if (replacement) {
                record(tx, account, "device_replaced",
                       {{"user", user}, {"device", device}, {"revoked", revoked}});
                // Whoever redeems an admin's code is, to the server, this person: every room
                // they are in is told which admin issued it and when, to verify them again.
                auto event = event_about("device_replaced", *existing);
                event["device"] = std::to_string(device);
                if (replaces != 0)
                    event["replaces"] = std::to_string(replaces);
                event["issued_at"] = code->created_at;
                if (admin) {
                    event["issued_by"] = admin->user;
                    event["issued_by_display_name"] = admin->display_name;
                    set_event_actor(event, *admin);
                }
                events->append_to_rooms_of(tx, account, device, event);
                out.account = account;
                notify_later(out, tx.rooms().co_members(account));
            } else {
                record(tx, account, "enrolled",
                       {{"user", user},
                        {"device", device},
                        {"role", role},
                        {"agency", out.reply["agency"]}});
            }
            spdlog::info("enrolled {} (device {}) from {}", user, device, address);
        };
    auto after = [this, events](const Outcome& out) {
        if (out.account == 0)
            return;
        // The old device may still be connected (it was lost, not broken): end it, and tell
        // everyone who shares a room with this person that their keys changed.
        bus_.cut_off(out.account, "this account's device was replaced");
        bus_.publish(out.notify, std::make_shared<const Frame>(protocol::encode_event(
                                     "keys_changed", {{"user", out.reply.at("user")}})));
        events->publish(bus_);
    };
    // A code that is unknown, used or expired is refused from a read: guessing codes queues no
    // writes. The write checks again, for a code used or withdrawn meanwhile. The session reads
    // no further frame until this one is answered, so its requests keep their order.
    const auto l = later(ctx);
    auto held = hold(ctx);
    store_.read([hash](const store::ReadTx& tx) { require_usable(tx.enrolment().code(hash)); },
                [this, l, held, job = std::move(job), after = std::move(after),
                 work = in_flight_.start()](std::exception_ptr error) mutable {
                    if (error) {
                        fail_with(l.reply, l.re, l.type, error);
                        held->release();
                        return;
                    }
                    write_later(l, std::move(job), std::move(after), std::move(held));
                });
}

namespace {
constexpr const char* kReplacedLogin =
    "login failed: this device was replaced; enrol the new device with the code your "
    "administrator gave you";
}  // namespace

void Service::login(Context& ctx) {
    const auto user = std::string(ctx.req.string("user"));
    const auto device = std::string(ctx.req.string("device"));
    const auto refuse = [&](std::string_view code, std::string message) {
        ctx.who.challenge = crypto::random_bytes(32);  // a challenge is good for one attempt
        throw ServiceError(code, std::move(message),
                           {{"challenge", crypto::to_base64(ctx.who.challenge)}});
    };
    if (ctx.who.authenticated())
        throw ServiceError(errc::bad_request, "already logged in");
    if (ctx.who.challenge.empty())
        refuse(errc::hello_required, "send hello for a challenge first");
    const auto signature = crypto::Signature::from_base64(ctx.req.string("signature"));
    if (!signature)
        throw ServiceError(errc::bad_request, "signature: not a base64 signature");
    // The look-ups below are read units that complete later (on a networked store, on another
    // thread): the session reads no further frame until the login is answered, and its Identity
    // changes only on its own strand (Session::with_identity), in order with what it is sent.
    auto attempt = std::make_shared<LoginAttempt>();
    attempt->user = user;
    attempt->device = device;
    attempt->device_id = static_cast<std::int64_t>(std::strtoll(device.c_str(), nullptr, 10));
    attempt->signature = *signature;
    attempt->challenge = ctx.who.challenge;
    attempt->address = ctx.who.address;
    attempt->last_session = ctx.req.integer("last_session", 0);
    attempt->later = later(ctx);
    attempt->hold = hold(ctx);
    store_.read(
        [attempt](const store::ReadTx& tx) {
            auto account = tx.accounts().find(attempt->user);
            if (!account)
                return;
            const auto d = tx.accounts().device(attempt->device_id, account->id);
            if (!d)
                return;
            attempt->found =
                LoginAttempt::Found{std::move(*account), d->sign_key, d->revoked_at.has_value()};
        },
        [this, attempt, work = in_flight_.start()](std::exception_ptr error) {
            login_found(attempt, error);
        });
}

void Service::login_refused(const std::shared_ptr<LoginAttempt>& attempt, std::string_view code,
                            std::string message) {
    auto challenge = crypto::random_bytes(32);  // a challenge is good for one attempt
    const auto encoded = crypto::to_base64(challenge);
    attempt->hold->session()->with_identity(
        [challenge = std::move(challenge)](Identity& who) mutable {
            who.challenge = std::move(challenge);
        });
    const auto& l = attempt->later;
    fail(l.reply, l.re, {std::string(code), std::move(message)}, {{"challenge", encoded}});
    attempt->hold->release();
}

void Service::login_found(const std::shared_ptr<LoginAttempt>& attempt, std::exception_ptr error) {
    const auto& l = attempt->later;
    if (error) {
        fail_with(l.reply, l.re, l.type, error);
        attempt->hold->release();
        return;
    }
    const auto& found = attempt->found;
    const auto key = found ? crypto::SignPublicKey::from_base64(found->sign_key) : std::nullopt;
    // Unknown account, unknown device and wrong signature look the same to the caller.
    if (!key || !crypto::verify_login(*key, attempt->challenge, attempt->signature))
        return login_refused(attempt, errc::bad_signature,
                             "login failed: the signature does not match this account's device");
    // Only the holder of the replaced device's key learns that it was replaced.
    if (found->replaced)
        return login_refused(attempt, errc::device_replaced, kReplacedLogin);
    if (found->account.suspended)
        return login_refused(attempt, errc::suspended, "this account is suspended");
    // The session's Identity first, then the bus: an event the bus delivers to the session is
    // posted after the Identity, so it is cut for this device (frame.hpp).
    const auto& session = attempt->hold->session();
    attempt->hold->session()->with_identity([account = found->account, device = attempt->device_id,
                                             user = attempt->user, sign_key = *key](Identity& who) {
        who.challenge.clear();
        who.account = account.id;
        who.device = device;
        who.user = user;
        who.role = account.role;
        who.sign_key = sign_key;
    });
    bus_.join(found->account.id, session);
    // A suspension, device replacement or role change committed between the checks above and
    // bus_.join() cut off nobody: look again, now that any later one will find this session.
    auto now = std::make_shared<store::Standing>();
    auto reminder = std::make_shared<std::shared_ptr<const Frame>>();
    store_.read(
        [this, attempt, now, reminder](const store::ReadTx& tx) {
            *now = tx.accounts().standing(attempt->device_id);
            if (now->current && !now->suspended)
                *reminder = action_reminder(tx, attempt->found->account.id, attempt->device_id);
        },
        [this, attempt, now, reminder, work = in_flight_.start()](std::exception_ptr error) {
            login_checked(attempt, *now, std::move(*reminder), error);
        });
}

void Service::login_checked(const std::shared_ptr<LoginAttempt>& attempt,
                            const store::Standing& now, std::shared_ptr<const Frame> reminder,
                            std::exception_ptr error) {
    const auto& l = attempt->later;
    const auto account = attempt->found->account;
    if (error || !now.current || now.suspended) {
        bus_.leave(account.id, attempt->hold->session().get());
        attempt->hold->session()->with_identity([](Identity& who) {
            auto address = std::move(who.address);
            who = Identity{};
            who.address = std::move(address);
        });
        if (error)
            fail_with(l.reply, l.re, l.type, error);
        else if (!now.current)
            fail(l.reply, l.re, {std::string(errc::device_replaced), kReplacedLogin});
        else
            fail(l.reply, l.re, {std::string(errc::suspended), "this account is suspended"});
        attempt->hold->release();
        return;
    }
    attempt->hold->session()->with_identity([role = now.role](Identity& who) { who.role = role; });
    spdlog::info("login {} (device {}) from {}", attempt->user, attempt->device_id,
                 attempt->address);
    // The login is answered once it is recorded (store/repo/enrolment.hpp), with the logins its
    // holder should hear of; the write checks the device's standing as for any logged-in
    // request.
    auto logged_in = l;
    logged_in.device = attempt->device_id;
    write_later(
        logged_in,
        [this, account, device = attempt->device, device_id = attempt->device_id,
         address = attempt->address, last = attempt->last_session](store::Tx& tx, Outcome& out) {
            const auto at = now_ms();
            auto recorded =
                tx.enrolment().record_login(account.id, device_id, address, at, last,
                                            at - store::kLoginKeepMs, store::kLoginListMax);
            out.reply = account_json(account);
            out.reply["device"] = device;
            add_server_key(out.reply);
            out.reply["session"] = recorded.session;
            out.reply["new_logins"] = logins_json(recorded.new_logins);
        },
        // After the reply: the client sees the login succeed first.
        [self = attempt->hold->session(), reminder = std::move(reminder)](const Outcome&) {
            if (reminder)
                self->deliver(reminder);
        },
        attempt->hold);
}

void Service::list_sessions(Context& ctx) {
    read_object(ctx, [account = ctx.who.account](const store::ReadTx& tx) {
        return json::object{
            {"sessions", logins_json(tx.enrolment().recent_logins(account, store::kLoginListMax))}};
    });
}

void Service::whoami(Context& ctx) {
    read_object(ctx, [user = ctx.who.user, device = ctx.who.device,
                      digest = config_.digest_minutes](const store::ReadTx& tx) {
        const auto account = require_account(tx.accounts(), user);
        auto out = account_json(account);
        out["device"] = std::to_string(device);
        out["governance"] = holds_governance(tx.secrets(), account.id);
        // The daily digest's setting, and whether it can reach the person at all: never the
        // address itself (PROTOCOL.md, "Read positions").
        out["email_digest"] = tx.reading().digest_on(account.id);
        out["email"] = !digest                            ? "server_off"
                       : tx.outbox().email_of(account.id) ? "on"
                                                          : "no_address";
        if (digest) {
            // The config's digest_time, validated as HH:MM at start: 0 to 1439 minutes.
            const auto two = [](int n) {
                return std::string{char('0' + n / 10), char('0' + n % 10)};
            };
            out["digest_time"] = two(*digest / 60 % 24) + ":" + two(*digest % 60);
        }
        return out;
    });
}

void Service::agency_add(Context& ctx) {
    const auto name = std::string(ctx.req.string("name"));
    const auto discipline = std::string(ctx.req.string("discipline"));
    const auto actor = ctx.who.account;
    write_tx(ctx, [this, name, discipline, actor](store::Tx& tx, Outcome& out) {
        require_discipline(tx.dictionaries(), discipline);
        if (!tx.accounts().add_agency(name, discipline, now_ms()))
            throw ServiceError(errc::conflict, "an agency named '" + name + "' already exists");
        record(tx, actor, "agency_added", {{"name", name}, {"discipline", discipline}});
        out.reply = {{"name", name}, {"discipline", discipline}};
    });
}

void Service::agency_list(Context& ctx) {
    read_object(ctx, [](const store::ReadTx& tx) {
        json::array out;
        for (const auto& a : tx.accounts().agencies())
            out.push_back(json::object{{"name", a.name}, {"discipline", a.discipline}});
        return json::object{{"agencies", std::move(out)}};
    });
}

void Service::enrol_code(Context& ctx) {
    const auto user = std::string(ctx.req.string("user"));
    if (!protocol::valid_name(user))
        throw ServiceError(errc::bad_request,
                           "user: use 1-64 lower-case letters, digits, '.', '_' or '-'");
    const auto role = protocol::parse_role(ctx.req.string("role"));
    if (!role)
        throw ServiceError(errc::bad_request, "role: must be member, chair or admin");
    auto display = std::string(ctx.req.string("display_name"));
    if (display.empty())
        display = user;
    const auto agency = std::string(ctx.req.string("agency"));
    const auto hours = ctx.req.integer("hours", config_.enrolment_code_hours);
    const auto creator = ctx.who.account;
    write_tx(ctx, [=, this](store::Tx& tx, Outcome& out) {
        const auto g = tx.accounts().agency(agency);
        if (!g)
            throw ServiceError(errc::not_found, "no agency named '" + agency + "'");
        if (tx.accounts().find(user))
            throw ServiceError(errc::conflict, "an account named '" + user + "' already exists");
        out.reply = issue_code(tx.enrolment(), {user, display, g->id, *role, creator, hours, 0});
        record(tx, creator, "enrolment_code_issued",
               issued_details(
                   {{"user", user}, {"role", protocol::to_string(*role)}, {"agency", agency}},
                   out.reply));
    });
}

void Service::device_replace(Context& ctx) {
    const auto user = std::string(ctx.req.string("user"));
    const auto hours = ctx.req.integer("hours", config_.enrolment_code_hours);
    const auto creator = ctx.who.account;
    write_tx(ctx, [=, this](store::Tx& tx, Outcome& out) {
        const auto target = require_account(tx.accounts(), user);
        out.reply = issue_code(tx.enrolment(), {user, target.display_name, target.agency_id,
                                                target.role, creator, hours, target.id});
        record(tx, creator, "device_replacement_issued",
               issued_details({{"user", user}}, out.reply));
    });
}

void Service::room_create(Context& ctx) {
    const auto name = std::string(ctx.req.string("room"));
    if (!protocol::valid_name(name))
        throw ServiceError(errc::bad_request,
                           "room: use 1-64 lower-case letters, digits, '.', '_' or '-'");
    auto members = ctx.req.strings("members");
    const auto creator = ctx.who.account;
    const auto creator_device = ctx.who.device;
    auto events = std::make_shared<RoomEvents>();
    write_tx(
        ctx,
        [this, name, members, creator, creator_device, events](store::Tx& tx, Outcome& out) {
            events->clear();
            const auto conflict = [&] {
                return ServiceError(errc::conflict, "a room named '" + name + "' already exists");
            };
            if (tx.rooms().find(name))
                throw conflict();
            std::set<std::int64_t> ids{creator};
            for (const auto& m : members)
                ids.insert(require_account(tx.accounts(), m).id);
            const auto now = now_ms();
            const auto room = tx.rooms().create(name, creator, now);
            if (!room)
                throw conflict();
            for (const auto id : ids)
                tx.rooms().add_member(*room, id, 0, now);
            out.reply = {{"room", name},
                         {"members", members_json(tx.rooms(), tx.accounts(), *room)}};
            json::array names;
            for (const auto& m : out.reply["members"].as_array())
                names.push_back(m.as_object().at("user"));
            record(tx, creator, "room_created", {{"room", name}, {"members", names}});
            json::array people;
            for (const auto id : ids)
                people.push_back(person_fields(account_by_id(tx.accounts(), id)));
            json::object event{{"kind", "room_created"}, {"members", std::move(people)}};
            set_event_actor(event, account_by_id(tx.accounts(), creator));
            events->append(tx, *room, name, creator_device, event);
            notify_later(out, ids);
        },
        [this, name, events](const Outcome& out) {
            bus_.publish(out.notify, std::make_shared<const Frame>(protocol::encode_event(
                                         "membership", {{"room", name}, {"change", "created"}})));
            events->publish(bus_);
        });
}

void Service::room_change(Context& ctx, bool add) {
    const auto room_name = std::string(ctx.req.string("room"));
    const auto user = std::string(ctx.req.string("user"));
    const auto caller = ctx.who.account;
    const auto role = ctx.who.role;
    const auto caller_device = ctx.who.device;
    auto events = std::make_shared<RoomEvents>();
    write_tx(
        ctx,
        [=, this](store::Tx& tx, Outcome& out) {
            events->clear();
            const auto room = require_room_to_change(tx.rooms(), room_name, caller, role);
            const auto target = require_account(tx.accounts(), user);
            const bool member = tx.rooms().membership(room.id, target.id).has_value();
            const auto before = tx.rooms().member_accounts(room.id);
            if (add && !member)
                tx.rooms().add_member(room.id, target.id, room.last_seq, now_ms());
            else if (!add && member)
                tx.rooms().remove_member(room.id, target.id);
            out.reply = {{"room", room_name}, {"user", user}, {"changed", add != member}};
            if (add != member) {
                record(tx, caller, add ? "room_member_added" : "room_member_removed",
                       {{"room", room_name}, {"user", user}});
                auto event = event_about(add ? "member_added" : "member_removed", target);
                set_event_actor(event, account_by_id(tx.accounts(), caller));
                // A removed member is told live too, though they can no longer read the room.
                events->append(
                    tx, room.id, room_name, caller_device, event,
                    add ? std::vector<std::int64_t>{} : std::vector<std::int64_t>{target.id});
            }
            auto notify = before;  // a removed member is told too; an added one as well
            if (add)
                notify.push_back(target.id);
            notify_later(out, notify);
        },
        [this, room_name, user, add, events](const Outcome& out) {
            if (!out.reply.at("changed").as_bool())
                return;
            bus_.publish(
                out.notify,
                std::make_shared<const Frame>(protocol::encode_event(
                    "membership",
                    {{"room", room_name}, {"user", user}, {"change", add ? "added" : "removed"}})));
            events->publish(bus_);
        });
}

void Service::rooms(Context& ctx) {
    read_object(ctx, [account = ctx.who.account](const store::ReadTx& tx) {
        // How far the account has read each room (room_read): a second device starts with the
        // right unread count. 0 for a room it never said it read.
        std::map<std::string, std::int64_t, std::less<>> read;
        for (auto& [name, seq] : tx.reading().read_seqs(account))
            read.emplace(std::move(name), seq);
        json::array out;
        for (const auto& r : tx.rooms().rooms_of(account)) {
            const auto it = read.find(r.name);
            out.push_back(json::object{{"room", r.name},
                                       {"last_seq", r.last_seq},
                                       {"members", r.members},
                                       {"read_seq", it == read.end() ? 0 : it->second}});
        }
        return json::object{{"rooms", std::move(out)}};
    });
}

void Service::room_show(Context& ctx) {
    read_object(ctx, [name = std::string(ctx.req.string("room")), account = ctx.who.account,
                      role = ctx.who.role](const store::ReadTx& tx) {
        const auto room = require_room(tx.rooms(), name);
        // An admin may see who is in any room (to know whom to ask about it), but not the
        // devices a message would go to, nor how much was said: only members see those.
        if (role == Role::admin && !tx.rooms().membership(room.id, account))
            return json::object{
                {"room", room.name},
                {"public", room.is_public},
                {"member", false},
                {"members", members_json(tx.rooms(), tx.accounts(), room.id, true)}};
        require_member(tx.rooms(), room, account);
        return json::object{{"room", room.name},
                            {"last_seq", room.last_seq},
                            {"public", room.is_public},
                            {"members", members_json(tx.rooms(), tx.accounts(), room.id)},
                            {"glossary", glossary_json(tx.glossary().version(room.id),
                                                       tx.glossary().terms(room.id))}};
    });
}

void Service::user_keys(Context& ctx) {
    read_object(ctx, [user = std::string(ctx.req.string("user")), account = ctx.who.account,
                      role = ctx.who.role](const store::ReadTx& tx) {
        const auto a = tx.accounts().find(user);
        // Only the asker, people who share a room with them, and admins: to anyone else the
        // account answers as one that does not exist.
        if (!a ||
            (a->id != account && role != Role::admin && !tx.rooms().share_a_room(account, a->id)))
            throw ServiceError(errc::not_found, "no account named '" + user + "'");
        auto o = account_json(*a);
        o["devices"] = devices_json(tx.accounts().devices(a->id));
        return o;
    });
}

void Service::send(Context& ctx) {
    const auto room_name = std::string(ctx.req.string("room"));
    const auto& envelope_json = ctx.req.object("envelope");
    auto envelope = crypto::envelope_from_json(envelope_json);
    if (!envelope) {
        const auto& m = envelope.error().message;
        throw ServiceError(errc::bad_request, m.starts_with("envelope") ? m : "envelope: " + m);
    }
    const auto& env = envelope.value();
    if (env.room != room_name)
        throw ServiceError(errc::bad_request, "envelope.room: does not match room");
    if (env.sender_device != std::to_string(ctx.who.device))
        throw ServiceError(errc::bad_request,
                           "envelope.sender_device: is not the device you logged in with");
    if (env.version != 3)
        throw ServiceError(errc::bad_request, "envelope.v: new messages must be version 3");
    if (env.history.sender != ctx.who.user)
        throw ServiceError(errc::bad_request,
                           "envelope.sender: is not the account you logged in as");
    // Checked here, on the session's thread, not on the writer: a message is stored only if the
    // device it claims to be from signed it, so what the server keeps is what was sent.
    if (!crypto::signature_valid(env, ctx.who.sign_key))
        throw ServiceError(errc::bad_signature,
                           "the envelope's signature does not verify with your device's key");
    if (env.keys.size() != env.recipients.size())
        throw ServiceError(errc::bad_request, "envelope.keys: every recipient needs a wrapped key");
    // Ascending and distinct, as the room's device set is (envelope_from_json checked).
    auto recipients = env.recipients;
    // Stored as to_json(env) writes it, wrapped keys last, so that each device's copy can be
    // cut from the text (find_key_list), but without encoding its binary fields again.
    auto stored = stored_envelope_text(envelope_json);
    const auto device = ctx.who.device;
    const auto account = ctx.who.account;
    const auto user = ctx.who.user;
    const auto client_msg_id = env.client_msg_id;
    auto self = ctx.self;
    // The `message` event, built on the writer thread and sent after the commit.
    auto event = std::make_shared<std::shared_ptr<const Frame>>();
    auto stored_in = std::make_shared<std::int64_t>(0);  // the room's id, once stored
    // Tests only (ServiceConfig::unsafe_ack_before_commit): the answer goes before the commit.
    const auto answer_early = [unsafe = config_.unsafe_ack_before_commit, reply = ctx.reply,
                               re = std::string(ctx.req.id)](Outcome& out) {
        if (!unsafe)
            return;
        reply(protocol::encode_ok(re, out.reply));
        out.replied = true;
        // Long enough for the three-node test's kill, sent as the answer arrives, to land
        // before the commit (tests/cluster/nodes_test.cpp).
        std::this_thread::sleep_for(std::chrono::milliseconds(30));
    };
    write_tx(
        ctx,
        [=, stored = std::move(stored), recipients = std::move(recipients)](store::Tx& tx,
                                                                            Outcome& out) {
            using R = store::Appended::Result;
            const auto a = tx.messages().append(
                {room_name, account, device, client_msg_id, stored, &recipients, now_ms()});
            switch (a.result) {
                case R::no_room:
                case R::not_member:
                    throw no_such_room(room_name);
                case R::stale_recipients:
                    throw ServiceError(
                        errc::stale_membership,
                        "the room's members or their devices have changed: wrap the key for these",
                        {{"members", members_json(tx.rooms(), tx.accounts(), a.room)}});
                case R::duplicate:
                    // A retry of a stored send (same room, device and message id, same
                    // envelope: see same_envelope) is answered with the first send's seq,
                    // whatever changed since; another message under a used id is refused.
                    if (!same_envelope(a.existing_envelope, stored))
                        throw ServiceError(
                            errc::id_reused,
                            "this message id was already used for a different message");
                    out.reply = {{"seq", a.seq}, {"duplicate", true}};
                    answer_early(out);
                    return;
                case R::stored:
                    break;
            }
            std::string members;
            members.reserve(stored.size() + 512);
            append_message_fields(members, room_name, a.seq, a.sent_at, device, user,
                                  a.sender.sign_key, a.sender.box_key, a.sender.box_key_signature);
            const auto envelope_at = members.size() + 1;  // encode_event_members adds '{'
            members += stored;
            *event = message_frame(protocol::encode_event_members("message", std::move(members)),
                                   envelope_at, stored, recipients.size());
            out.reply = {{"seq", a.seq}, {"duplicate", false}, {"sent_at", a.sent_at}};
            notify_later(out, a.members);
            *stored_in = a.room;
            answer_early(out);
        },
        [this, self, event, stored_in](const Outcome& out) {
            if (out.reply.at("duplicate").as_bool())
                return;
            if (config_.message_committed)
                config_.message_committed(*stored_in, out.reply.at("seq").as_int64());
            metrics_.message_stored();
            metrics_.message_delivered(bus_.publish(out.notify, *event, self.get()));
        },
        // The room whose seq the send takes: locked with its batch's other rooms, in order.
        store::Store::Locks{{room_name}});
}

void Service::stored_messages(
    std::vector<std::pair<std::int64_t, std::int64_t>> wanted,
    std::function<void(std::vector<StoredEvents>, std::exception_ptr)> done) {
    auto found = std::make_shared<std::vector<StoredEvents>>();
    store_.read(
        [wanted = std::move(wanted), found, page = config_.sync_page_max](const store::ReadTx& tx) {
            found->assign(wanted.size(), StoredEvents{});
            std::vector<store::RoomAfter> after;
            std::vector<std::int64_t> ids;
            after.reserve(wanted.size());
            ids.reserve(wanted.size());
            for (std::size_t i = 0; i < wanted.size(); ++i) {
                (*found)[i].room = wanted[i].first;
                (*found)[i].last = wanted[i].second;
                after.push_back({wanted[i].first, wanted[i].second});
                ids.push_back(wanted[i].first);
            }
            // One snapshot for both: the members are those as of the last row read.
            const auto members = tx.rooms().members_of_each(ids);
            std::map<std::int64_t, const store::RoomMembers*> by_id;
            for (const auto& m : members)
                by_id.emplace(m.room, &m);
            auto rows = tx.messages().after_each(after, page);
            for (std::size_t i = 0; i < wanted.size(); ++i) {
                auto& out = (*found)[i];
                const auto it = by_id.find(out.room);
                if (it == by_id.end())
                    continue;  // no such room (any more)
                out.exists = true;
                out.accounts = it->second->accounts;
                out.more = rows[i].more;
                for (const auto& m : rows[i].rows) {
                    out.last = m.seq;
                    if (!m.event.empty() || m.envelope.empty())
                        continue;  // a room event: it crossed as a frame of its own
                    std::string text;
                    text.reserve(m.envelope.size() + 512);
                    append_message_fields(text, it->second->name, m.seq, m.sent_at, m.device,
                                          m.user, m.sender.sign_key, m.sender.box_key,
                                          m.sender.box_key_signature);
                    const auto envelope_at = text.size() + 1;  // encode_event_members adds '{'
                    text += m.envelope;
                    const auto keys = find_key_list(m.envelope);
                    out.messages.emplace_back(
                        m.seq,
                        message_frame(protocol::encode_event_members("message", std::move(text)),
                                      envelope_at, m.envelope, keys ? keys->entries.size() : 0));
                }
            }
        },
        [found, done = std::move(done), work = in_flight_.start()](std::exception_ptr error) {
            done(std::move(*found), error);
        });
}

void Service::sync(Context& ctx) {
    const auto after = ctx.req.integer("after", 0);
    const auto limit = std::min<std::int64_t>(ctx.req.integer("limit", 100), config_.sync_page_max);
    // The reply's members are written as text so that stored envelopes are spliced in, not
    // parsed again.
    read_members(ctx, [after, limit, name = std::string(ctx.req.string("room")),
                       account = ctx.who.account,
                       device = ctx.who.device](const store::ReadTx& tx) {
        const auto room = tx.rooms().find(name);
        if (!room)
            throw no_such_room(name);
        const auto joined = tx.rooms().membership(room->id, account);
        if (!joined)
            throw no_such_room(name);
        const auto page = tx.messages().after(room->id, std::max(after, *joined), limit + 1);
        const bool more = static_cast<std::int64_t>(page.size()) > limit;
        std::string out = "\"room\":" + json::serialize(room->name) + ",\"messages\":[";
        for (std::size_t i = 0; i < page.size() && static_cast<std::int64_t>(i) < limit; ++i) {
            const auto& m = page[i];
            out += i == 0 ? "{" : ",{";
            if (!m.event.empty()) {  // a membership event: no sender, no envelope
                append_event_fields(out, room->name, m.seq, m.sent_at, m.event);
                out += '}';
                continue;
            }
            append_message_fields(out, room->name, m.seq, m.sent_at, m.device, m.user,
                                  m.sender.sign_key, m.sender.box_key, m.sender.box_key_signature);
            append_envelope_for(out, m.envelope, device);
            out += '}';
        }
        out += "],\"more\":";
        out += more ? "true" : "false";
        out += ",\"last_seq\":";
        out += std::to_string(room->last_seq);
        return out;
    });
}

void Service::room_audience(Context& ctx) {
    const auto room_name = std::string(ctx.req.string("room"));
    const bool is_public = ctx.req.boolean("public", false);
    const auto caller = ctx.who.account;
    const auto role = ctx.who.role;
    const auto caller_device = ctx.who.device;
    auto events = std::make_shared<RoomEvents>();
    write_tx(
        ctx,
        [=, this](store::Tx& tx, Outcome& out) {
            events->clear();
            const auto room = require_room_to_change(tx.rooms(), room_name, caller, role);
            tx.rooms().set_public(room.id, is_public);
            if (is_public != room.is_public) {
                record(tx, caller, "room_audience_changed",
                       {{"room", room_name}, {"public", is_public}});
                json::object event{{"kind", "audience_changed"}, {"public", is_public}};
                set_event_actor(event, account_by_id(tx.accounts(), caller));
                events->append(tx, room.id, room_name, caller_device, event);
            }
            out.reply = {{"room", room_name},
                         {"public", is_public},
                         {"changed", is_public != room.is_public}};
            notify_later(out, tx.rooms().member_accounts(room.id));
        },
        [this, room_name, is_public, events](const Outcome& out) {
            if (!out.reply.at("changed").as_bool())
                return;
            bus_.publish(
                out.notify,
                std::make_shared<const Frame>(protocol::encode_event(
                    "membership",
                    {{"room", room_name}, {"change", "audience"}, {"public", is_public}})));
            events->publish(bus_);
        });
}

void Service::dictionaries(Context& ctx) {
    read_object(ctx, [have = ctx.req.integer("have", 0)](const store::ReadTx& tx) {
        const auto version = tx.dictionaries().current_version();
        json::object o{{"version", version}};
        if (have == version) {
            o["unchanged"] = true;
            return o;
        }
        json::array list;
        for (const auto& [discipline, tsv] : tx.dictionaries().current())
            list.push_back(json::object{{"discipline", discipline}, {"tsv", tsv}});
        o["dictionaries"] = std::move(list);
        o["common_acronyms"] = tx.dictionaries().common_acronyms();
        return o;
    });
}

void Service::ask(Context& ctx) {
    const auto term = std::string(ctx.req.string("term"));
    const auto room_name = std::string(ctx.req.string("room"));
    const auto account = ctx.who.account;
    write_tx(ctx, [=](store::Tx& tx, Outcome& out) {
        store::Id room = 0;
        if (!room_name.empty()) {
            const auto r = require_room(tx.rooms(), room_name);
            require_member(tx.rooms(), r, account);
            room = r.id;
        }
        const auto id = tx.dictionaries().ask(term, room, account, now_ms());
        out.reply = {{"id", id}, {"term", term}, {"status", "recorded"}};
    });
}

}  // namespace liaise::server
