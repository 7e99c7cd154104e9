#pragma once
// The browser client's files, embedded in liaise-server at build time (web/build.mjs writes the
// table; without a web build the table is empty), and how they are served over HTTP.
#include <boost/beast/http.hpp>
#include <optional>
#include <span>
#include <string_view>

namespace liaise::server::web {

/// One embedded file. Every view points into static storage and lives as long as the program.
struct Asset {
    std::string_view path;           ///< "/" for index.html, else "/main-HASH.js" and so on
    std::string_view content_type;   ///< e.g. "text/javascript; charset=utf-8"
    std::string_view cache_control;  ///< "no-cache" for "/", immutable for hashed names
    std::string_view etag;           ///< a quoted strong validator from the body's SHA-256
    std::string_view body;
    std::string_view gzip;  ///< the body gzipped at build time
};

/// Every embedded file; empty when the server was built without the web client.
[[nodiscard]] std::span<const Asset> assets();

/// The SHA-256 of the web build's SHA256SUMS file (hex), or "" without the web client.
[[nodiscard]] std::string_view bundle_sha256();

/// The Content-Security-Policy sent with every embedded file: scripts, styles, images and
/// connections only from the server's own origin, WebAssembly allowed, workers only from the
/// server's own files, nothing inline, and no HTML from strings (Trusted Types: the one policy,
/// `liaise-worker`, passes only the worker script index.html names; innerHTML and the like throw).
inline constexpr std::string_view kContentSecurityPolicy =
    "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; "
    "style-src 'self'; img-src 'self' data:; connect-src 'self'; manifest-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'; "
    "require-trusted-types-for 'script'; trusted-types liaise-worker";

using Request = boost::beast::http::request<boost::beast::http::string_body>;
using Response = boost::beast::http::response<boost::beast::http::string_body>;

/// The answer to a GET or HEAD of an embedded file, or nullopt when `req` names none (the
/// caller answers 404 then). `tls`: the connection is TLS (adds Strict-Transport-Security).
/// Gzipped when the request accepts gzip; 304 when If-None-Match holds the file's ETag.
[[nodiscard]] std::optional<Response> respond(const Request& req, bool tls);

}  // namespace liaise::server::web
