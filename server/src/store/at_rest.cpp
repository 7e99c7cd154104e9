#include "store/at_rest.hpp"

#include <sodium.h>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

namespace liaise::server {
namespace {

/// "liaise-at-rest-v1" || str(table) || num(id) || num(version), where num is 8 bytes
/// big-endian and str an 8-byte big-endian length followed by the bytes.
std::string associated_data(const RecordId& where) {
    std::string ad = "liaise-at-rest-v1";
    const auto num = [&ad](std::uint64_t n) {
        for (int shift = 56; shift >= 0; shift -= 8)
            ad += static_cast<char>((n >> shift) & 0xff);
    };
    num(where.table.size());
    ad += where.table;
    num(static_cast<std::uint64_t>(where.id));
    num(static_cast<std::uint64_t>(where.version));
    return ad;
}

const unsigned char* bytes(const std::string& s) {
    return reinterpret_cast<const unsigned char*>(s.data());
}

std::string hex(const unsigned char* data, std::size_t size) {
    std::string out(size * 2 + 1, '\0');
    sodium_bin2hex(out.data(), out.size(), data, size);
    out.pop_back();
    return out;
}

}  // namespace

protocol::Expected<AtRestKey> AtRestKey::load(const std::filesystem::path& file) {
    if (sodium_init() < 0)
        return protocol::Error{"bad_key_file", "libsodium could not be initialised"};
    std::ifstream in(file, std::ios::binary);
    if (!in)
        return protocol::Error{"bad_key_file", "cannot read the key file " + file.string()};
    AtRestKey key;
    in.read(reinterpret_cast<char*>(key.key_.data()), static_cast<std::streamsize>(kSize));
    const bool full = in.gcount() == static_cast<std::streamsize>(kSize);
    const bool longer = in.peek() != std::char_traits<char>::eof();
    if (!full || longer)
        return protocol::Error{"bad_key_file",
                               file.string() + " is not a key file: it must hold exactly 32 bytes"};
    return key;
}

AtRestKey AtRestKey::generate() {
    if (sodium_init() < 0)
        std::abort();  // no safe way to continue without a random source
    AtRestKey key;
    crypto_aead_xchacha20poly1305_ietf_keygen(key.key_.data());
    return key;
}

bool sync_parent_directory(const std::filesystem::path& file) {
    const auto dir = file.has_parent_path() ? file.parent_path() : std::filesystem::path(".");
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return false;
    const bool ok = ::fsync(fd) == 0;
    ::close(fd);
    return ok;
}

protocol::Expected<bool> AtRestKey::save(const std::filesystem::path& file) const {
    const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        if (errno == EEXIST)
            return protocol::Error{"key_exists",
                                   file.string() + " already exists; refusing to overwrite it"};
        return protocol::Error{"bad_key_file",
                               "cannot create " + file.string() + ": " + std::strerror(errno)};
    }
    const bool written =
        ::write(fd, key_.data(), key_.size()) == static_cast<ssize_t>(kSize) && ::fsync(fd) == 0;
    ::close(fd);
    if (!written || !sync_parent_directory(file)) {
        std::error_code ec;
        std::filesystem::remove(file, ec);
        return protocol::Error{"bad_key_file", "cannot write the key file " + file.string()};
    }
    return true;
}

std::string AtRestKey::id() const {
    constexpr std::array<std::string_view, 1> label = {"liaise at-rest key id v1"};
    const auto h = keyed_hash("keyid", label);
    return hex(h.data(), 8);
}

std::string AtRestKey::check_value() const {
    constexpr std::array<std::string_view, 1> label = {"liaise at-rest key check v1"};
    const auto h = keyed_hash("keycheck", label);
    return hex(h.data(), h.size());
}

bool AtRestKey::same_as(const AtRestKey& other) const {
    return sodium_memcmp(key_.data(), other.key_.data(), kSize) == 0;
}

AtRestKey::~AtRestKey() {
    sodium_memzero(key_.data(), key_.size());
}

AtRestKey::AtRestKey(AtRestKey&& other) noexcept : key_(other.key_) {
    sodium_memzero(other.key_.data(), other.key_.size());
}

AtRestKey& AtRestKey::operator=(AtRestKey&& other) noexcept {
    if (this != &other) {
        key_ = other.key_;
        sodium_memzero(other.key_.data(), other.key_.size());
    }
    return *this;
}

std::vector<unsigned char> AtRestKey::seal(std::string_view plaintext,
                                           const RecordId& where) const {
    static_assert(kSize == crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
    const auto ad = associated_data(where);
    std::vector<unsigned char> out(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + plaintext.size() +
                                   crypto_aead_xchacha20poly1305_ietf_ABYTES);
    unsigned char* nonce = out.data();
    randombytes_buf(nonce, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
    unsigned long long written = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(
        out.data() + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, &written,
        reinterpret_cast<const unsigned char*>(plaintext.data()), plaintext.size(), bytes(ad),
        ad.size(), nullptr, nonce, key_.data());
    out.resize(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + written);
    return out;
}

protocol::Expected<std::string> AtRestKey::open(std::span<const unsigned char> sealed,
                                                const RecordId& where) const {
    constexpr auto kOverhead =
        crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + crypto_aead_xchacha20poly1305_ietf_ABYTES;
    const protocol::Error bad{"bad_ciphertext", "a stored record does not decrypt with this key"};
    if (sealed.size() < kOverhead)
        return bad;
    const auto ad = associated_data(where);
    std::string out(sealed.size() - kOverhead, '\0');
    unsigned long long written = 0;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(
            reinterpret_cast<unsigned char*>(out.data()), &written, nullptr,
            sealed.data() + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
            sealed.size() - crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, bytes(ad), ad.size(),
            sealed.data(), key_.data()) != 0)
        return bad;
    out.resize(written);
    return out;
}

std::array<unsigned char, 32> keyed_hash(std::span<const unsigned char, 32> key,
                                         std::string_view purpose,
                                         std::span<const std::string_view> parts) {
    static_assert(crypto_kdf_CONTEXTBYTES == 8 && crypto_kdf_KEYBYTES == 32);
    char context[crypto_kdf_CONTEXTBYTES] = {};
    std::copy_n(purpose.data(), std::min(purpose.size(), sizeof context), context);
    std::array<unsigned char, 32> subkey{};
    crypto_kdf_derive_from_key(subkey.data(), subkey.size(), 1, context, key.data());
    crypto_generichash_state state;
    crypto_generichash_init(&state, subkey.data(), subkey.size(), 32);
    for (const auto part : parts) {
        unsigned char length[8];
        for (int i = 0; i < 8; ++i)
            length[i] = static_cast<unsigned char>((part.size() >> (56 - 8 * i)) & 0xff);
        crypto_generichash_update(&state, length, sizeof length);
        crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(part.data()),
                                  part.size());
    }
    std::array<unsigned char, 32> out{};
    crypto_generichash_final(&state, out.data(), out.size());
    sodium_memzero(subkey.data(), subkey.size());
    sodium_memzero(&state, sizeof state);
    return out;
}

std::array<unsigned char, 32> AtRestKey::keyed_hash(std::string_view purpose,
                                                    std::span<const std::string_view> parts) const {
    return server::keyed_hash(key_, purpose, parts);
}

}  // namespace liaise::server
