// Internal: who a connection is from. Behind a TLS-terminating proxy every connection comes from
// the proxy's address; for peers the operator names as trusted proxies, the client's own address
// is taken from the X-Forwarded-For header the proxy adds. From any other peer the header is
// ignored, since anyone can write it.
#pragma once

#include <boost/asio/ip/address.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace liaise::server {

/// An address range, "10.0.0.0/8", "fd00::/8" or one address ("192.0.2.7", a /32 or /128).
class Cidr {
  public:
    /// nullopt unless `text` is an IPv4 or IPv6 address, optionally with a prefix length that
    /// fits it (0-32, 0-128).
    [[nodiscard]] static std::optional<Cidr> parse(std::string_view text);

    /// True when `address` is in the range. An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is
    /// treated as the IPv4 address it maps.
    [[nodiscard]] bool contains(const boost::asio::ip::address& address) const;

  private:
    boost::asio::ip::address network_;
    unsigned prefix_ = 0;
};

/// `address`, with an IPv4-mapped IPv6 address (::ffff:a.b.c.d) turned into its IPv4 address.
[[nodiscard]] boost::asio::ip::address unmapped(const boost::asio::ip::address& address);

/// Whose budget a client address draws from: an IPv4 address itself, an IPv6 address's /64
/// (one site's network: a single host commonly holds a whole /64, and could otherwise take a
/// fresh address for every attempt).
[[nodiscard]] boost::asio::ip::address budget_key(const boost::asio::ip::address& address);

/// True for 127.0.0.0/8 and ::1 (also as ::ffff:127.x.y.z).
[[nodiscard]] bool is_loopback(const boost::asio::ip::address& address);

/// The proxies whose X-Forwarded-For the server believes. Immutable after construction, so
/// safe to share between threads.
class TrustedProxies {
  public:
    TrustedProxies() = default;
    explicit TrustedProxies(std::vector<Cidr> ranges) : ranges_(std::move(ranges)) {}

    [[nodiscard]] bool empty() const noexcept { return ranges_.empty(); }
    [[nodiscard]] bool trusts(const boost::asio::ip::address& address) const;

    /// The client's address for a request that arrived from `peer` with `forwarded_for` (every
    /// X-Forwarded-For header's value, joined with ","; empty when there was none). For an
    /// untrusted peer, or no header: `peer`. For a trusted one: the right-most address in the
    /// list that is not itself a trusted proxy (each proxy appends the address it received
    /// the request from, so that is the last hop no trusted proxy vouches past). An entry that
    /// is not an address stops the walk: the address to its right (or `peer`) is used.
    [[nodiscard]] boost::asio::ip::address client_of(const boost::asio::ip::address& peer,
                                                     std::string_view forwarded_for) const;

  private:
    std::vector<Cidr> ranges_;
};

}  // namespace liaise::server
