#include "store/server_keys.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <sodium.h>

#include <algorithm>
#include <stdexcept>
#include <string>

#include "store/at_rest.hpp"
#include "store/db.hpp"
#include "store/repo/secrets.hpp"
#include "store/sqlite/repos.hpp"

namespace liaise::server {
namespace {

constexpr const char* kChainKeyName = "audit_chain_key";
constexpr const char* kSigningKeyName = "server_signing_key";

std::string_view view(const unsigned char* data, std::size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}

void store_secret(store::Secrets& secrets, const AtRestKey& at_rest, const char* name,
                  std::int64_t id, std::span<const unsigned char> secret,
                  std::span<const unsigned char> public_half) {
    store::SecretRow row;
    row.name = name;
    row.id = id;
    row.sealed = at_rest.seal(view(secret.data(), secret.size()), {ServerKeys::kTable, id, 0});
    if (!public_half.empty())
        row.public_half = store::Bytes(public_half.begin(), public_half.end());
    if (!secrets.add_secret(row))
        throw std::runtime_error("the server secret " + std::string(name) +
                                 " was stored by someone else at the same time: start again");
}

/// The secret `id` opened with `at_rest`, or nothing if it is not stored. Throws if it is
/// stored but does not open.
std::optional<std::string> load(const store::Secrets& secrets, const AtRestKey& at_rest,
                                std::int64_t id, std::string* public_half) {
    const auto row = secrets.secret(id);
    if (!row)
        return std::nullopt;
    auto opened = at_rest.open(row->sealed, {ServerKeys::kTable, id, 0});
    if (!opened)
        throw std::runtime_error(
            "the server's secrets (server_secrets) do not open with this at-rest key: is it the "
            "key file this data directory was made with?");
    if (public_half != nullptr)
        *public_half = row->public_half
                           ? std::string(row->public_half->begin(), row->public_half->end())
                           : std::string();
    return std::move(opened).value();
}

}  // namespace

ServerKeys ServerKeys::open_or_create(SQLite::Database& db, const AtRestKey& at_rest,
                                      Created* created) {
    StatementCache statements(db);
    const auto secrets = store::sqlite::make_secrets(store::sqlite::Conn{db, statements});
    return open_or_create(*secrets, at_rest, created);
}

ServerKeys ServerKeys::open_or_create(store::Secrets& db, const AtRestKey& at_rest,
                                      Created* created) {
    if (sodium_init() < 0)
        throw std::runtime_error("libsodium could not be initialised");
    ServerKeys keys;
    if (created != nullptr)
        *created = Created::no;
    if (auto chain = load(db, at_rest, kChainKeyId, nullptr)) {
        if (chain->size() != keys.chain_key_.size())
            throw std::runtime_error("the stored audit chain key is not 32 bytes");
        std::copy(chain->begin(), chain->end(), keys.chain_key_.begin());
        sodium_memzero(chain->data(), chain->size());
    } else {
        randombytes_buf(keys.chain_key_.data(), keys.chain_key_.size());
        store_secret(db, at_rest, kChainKeyName, kChainKeyId, keys.chain_key_, {});
        if (created != nullptr)
            *created = Created::chain_key;
    }
    std::array<unsigned char, crypto_sign_PUBLICKEYBYTES> pk{};
    std::string stored_public;
    if (auto seed = load(db, at_rest, kSigningKeyId, &stored_public)) {
        if (seed->size() != crypto_sign_SEEDBYTES)
            throw std::runtime_error("the stored server signing key is not 32 bytes");
        crypto_sign_seed_keypair(pk.data(), keys.sign_secret_.data(),
                                 reinterpret_cast<const unsigned char*>(seed->data()));
        sodium_memzero(seed->data(), seed->size());
        if (stored_public.size() != pk.size() ||
            sodium_memcmp(stored_public.data(), pk.data(), pk.size()) != 0)
            throw std::runtime_error(
                "the server's stored public key does not match its signing key");
    } else {
        std::array<unsigned char, crypto_sign_SEEDBYTES> fresh{};
        randombytes_buf(fresh.data(), fresh.size());
        crypto_sign_seed_keypair(pk.data(), keys.sign_secret_.data(), fresh.data());
        store_secret(db, at_rest, kSigningKeyName, kSigningKeyId, fresh, pk);
        sodium_memzero(fresh.data(), fresh.size());
    }
    keys.public_ = crypto::SignPublicKey(std::span<const unsigned char, 32>(pk));
    return keys;
}

ServerKeys ServerKeys::generate() {
    if (sodium_init() < 0)
        std::abort();  // no safe way to continue without a random source
    ServerKeys keys;
    randombytes_buf(keys.chain_key_.data(), keys.chain_key_.size());
    std::array<unsigned char, crypto_sign_PUBLICKEYBYTES> pk{};
    crypto_sign_keypair(pk.data(), keys.sign_secret_.data());
    keys.public_ = crypto::SignPublicKey(std::span<const unsigned char, 32>(pk));
    return keys;
}

void ServerKeys::reseal(SQLite::Database& db, const AtRestKey& from, const AtRestKey& to) {
    std::vector<std::pair<std::int64_t, std::vector<unsigned char>>> resealed;
    {
        SQLite::Statement q(db, "SELECT id, sealed FROM server_secrets ORDER BY id");
        while (q.executeStep()) {
            const auto id = q.getColumn(0).getInt64();
            const auto blob = q.getColumn(1);
            const std::span<const unsigned char> sealed{
                static_cast<const unsigned char*>(blob.getBlob()),
                static_cast<std::size_t>(blob.getBytes())};
            auto opened = from.open(sealed, {kTable, id, 0});
            if (!opened) {
                if (to.open(sealed, {kTable, id, 0}))
                    continue;  // done by an earlier run
                throw std::runtime_error("server secret " + std::to_string(id) +
                                         " opens with neither the old nor the new key");
            }
            resealed.emplace_back(id, to.seal(opened.value(), {kTable, id, 0}));
            sodium_memzero(opened.value().data(), opened.value().size());
        }
    }
    for (const auto& [id, sealed] : resealed) {
        SQLite::Statement u(db, "UPDATE server_secrets SET sealed = ? WHERE id = ?");
        u.bind(1, sealed.data(), static_cast<int>(sealed.size()));
        u.bind(2, id);
        u.exec();
    }
}

ServerKeys::~ServerKeys() {
    wipe();
}

ServerKeys::ServerKeys(ServerKeys&& other) noexcept
    : chain_key_(other.chain_key_), sign_secret_(other.sign_secret_), public_(other.public_) {
    other.wipe();
}

ServerKeys& ServerKeys::operator=(ServerKeys&& other) noexcept {
    if (this != &other) {
        chain_key_ = other.chain_key_;
        sign_secret_ = other.sign_secret_;
        public_ = other.public_;
        other.wipe();
    }
    return *this;
}

void ServerKeys::wipe() noexcept {
    sodium_memzero(chain_key_.data(), chain_key_.size());
    sodium_memzero(sign_secret_.data(), sign_secret_.size());
}

std::array<unsigned char, 32> ServerKeys::chain_hash(
    std::string_view purpose, std::span<const std::string_view> parts) const {
    return keyed_hash(chain_key_, purpose, parts);
}

crypto::Signature ServerKeys::sign(std::span<const unsigned char> message) const {
    std::array<unsigned char, crypto_sign_BYTES> sig{};
    crypto_sign_detached(sig.data(), nullptr, message.data(), message.size(), sign_secret_.data());
    return crypto::Signature(std::span<const unsigned char, crypto_sign_BYTES>(sig));
}

}  // namespace liaise::server
