#include "net/client_address.hpp"

#include <algorithm>
#include <charconv>

namespace liaise::server {

namespace ip = boost::asio::ip;

ip::address unmapped(const ip::address& address) {
    if (address.is_v6() && address.to_v6().is_v4_mapped())
        return ip::make_address_v4(ip::v4_mapped, address.to_v6());
    return address;
}

ip::address budget_key(const ip::address& address) {
    const auto a = unmapped(address);
    if (a.is_v4())
        return a;
    auto bytes = a.to_v6().to_bytes();
    std::fill(bytes.begin() + 8, bytes.end(), 0);
    return ip::make_address_v6(bytes);
}

bool is_loopback(const ip::address& address) {
    return unmapped(address).is_loopback();
}

std::optional<Cidr> Cidr::parse(std::string_view text) {
    const auto slash = text.find('/');
    boost::system::error_code ec;
    const auto address = ip::make_address(std::string(text.substr(0, slash)), ec);
    if (ec)
        return std::nullopt;
    Cidr out;
    out.network_ = unmapped(address);
    const unsigned bits = out.network_.is_v4() ? 32 : 128;
    out.prefix_ = bits;
    if (slash != std::string_view::npos) {
        const auto digits = text.substr(slash + 1);
        const auto [end, err] =
            std::from_chars(digits.data(), digits.data() + digits.size(), out.prefix_);
        if (digits.empty() || err != std::errc() || end != digits.data() + digits.size() ||
            out.prefix_ > bits)
            return std::nullopt;
    }
    return out;
}

namespace {

/// Whether the first `prefix` bits of `a` and `b` (byte arrays of one size) agree.
template <class Bytes>
bool same_prefix(const Bytes& a, const Bytes& b, unsigned prefix) {
    for (std::size_t i = 0; i < a.size() && prefix > 0; ++i) {
        const unsigned take = std::min(prefix, 8u);
        const auto mask = static_cast<unsigned char>(0xFF << (8 - take));
        if ((a[i] & mask) != (b[i] & mask))
            return false;
        prefix -= take;
    }
    return true;
}

}  // namespace

bool Cidr::contains(const ip::address& address) const {
    const auto a = unmapped(address);
    if (a.is_v4() != network_.is_v4())
        return false;
    if (a.is_v4())
        return same_prefix(a.to_v4().to_bytes(), network_.to_v4().to_bytes(), prefix_);
    return same_prefix(a.to_v6().to_bytes(), network_.to_v6().to_bytes(), prefix_);
}

bool TrustedProxies::trusts(const ip::address& address) const {
    return std::any_of(ranges_.begin(), ranges_.end(),
                       [&](const Cidr& c) { return c.contains(address); });
}

namespace {

std::string_view trimmed(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    return s;
}

/// One X-Forwarded-For entry as an address: "192.0.2.1", "2001:db8::1", and the bracketed
/// "[2001:db8::1]" some proxies write; a port after an IPv4 address or a bracket is dropped.
std::optional<ip::address> entry_address(std::string_view entry) {
    entry = trimmed(entry);
    if (entry.starts_with('[')) {
        const auto close = entry.find(']');
        if (close == std::string_view::npos)
            return std::nullopt;
        entry = entry.substr(1, close - 1);
    } else if (std::count(entry.begin(), entry.end(), ':') == 1) {
        entry = entry.substr(0, entry.find(':'));  // "192.0.2.1:5678"
    }
    boost::system::error_code ec;
    const auto address = ip::make_address(std::string(entry), ec);
    if (ec)
        return std::nullopt;
    return unmapped(address);
}

}  // namespace

ip::address TrustedProxies::client_of(const ip::address& peer,
                                      std::string_view forwarded_for) const {
    auto client = unmapped(peer);
    if (forwarded_for.empty() || !trusts(client))
        return client;
    // From the right: each entry was written by the hop to its right, trusted so far.
    while (true) {
        const auto comma = forwarded_for.rfind(',');
        const auto entry =
            comma == std::string_view::npos ? forwarded_for : forwarded_for.substr(comma + 1);
        const auto address = entry_address(entry);
        if (!address)
            return client;
        client = *address;
        if (!trusts(client) || comma == std::string_view::npos)
            return client;
        forwarded_for = forwarded_for.substr(0, comma);
    }
}

}  // namespace liaise::server
