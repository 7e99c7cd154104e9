#include "web_assets.hpp"

#include <algorithm>
#include <cctype>

namespace liaise::server::web {
namespace http = boost::beast::http;

namespace {

/// The request's path without a query string ("/?x" is "/").
std::string_view path_of(std::string_view target) {
    return target.substr(0, target.find('?'));
}

/// True when Accept-Encoding lists gzip (or *) without q=0.
bool accepts_gzip(std::string_view header) {
    while (!header.empty()) {
        const auto comma = header.find(',');
        auto item = header.substr(0, comma);
        header = comma == std::string_view::npos ? std::string_view{} : header.substr(comma + 1);
        std::string lower;
        for (const char c : item)
            if (c != ' ' && c != '\t')
                lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        const auto semi = lower.find(';');
        const auto coding = lower.substr(0, semi);
        if (coding != "gzip" && coding != "*")
            continue;
        if (semi == std::string::npos)
            return true;
        const auto q = lower.substr(semi + 1);
        // "q=0", "q=0.0", "q=0.000": refused; any other weight accepts it.
        const bool zero = q.starts_with("q=0") && q.find_first_not_of("0.", 2) == std::string::npos;
        return !zero;
    }
    return false;
}

/// True when If-None-Match lists `etag` (or is "*").
bool matches(std::string_view if_none_match, std::string_view etag) {
    if (if_none_match.empty())
        return false;
    if (if_none_match == "*")
        return true;
    return if_none_match.find(etag) != std::string_view::npos;
}

}  // namespace

std::optional<Response> respond(const Request& req, bool tls) {
    if (req.method() != http::verb::get && req.method() != http::verb::head)
        return std::nullopt;
    auto path = path_of(req.target());
    if (path == "/index.html")
        path = "/";
    const auto all = assets();
    const auto found =
        std::find_if(all.begin(), all.end(), [&](const Asset& a) { return a.path == path; });
    if (found == all.end())
        return std::nullopt;
    const Asset& asset = *found;

    Response res;
    res.version(req.version());
    res.keep_alive(req.keep_alive());
    res.set(http::field::server, "liaise-server");
    res.set(http::field::content_type, asset.content_type);
    res.set(http::field::cache_control, asset.cache_control);
    res.set(http::field::etag, asset.etag);
    res.set(http::field::vary, "Accept-Encoding");
    res.set("Content-Security-Policy", kContentSecurityPolicy);
    res.set("X-Content-Type-Options", "nosniff");
    res.set("Referrer-Policy", "no-referrer");
    res.set("Cross-Origin-Opener-Policy", "same-origin");
    res.set("Cross-Origin-Resource-Policy", "same-origin");
    res.set("Permissions-Policy", "camera=(self), microphone=(), geolocation=(), payment=()");
    if (tls)
        res.set(http::field::strict_transport_security, "max-age=31536000");
    if (matches(req[http::field::if_none_match], asset.etag)) {
        res.result(http::status::not_modified);
        return res;
    }
    res.result(http::status::ok);
    const bool gzip = accepts_gzip(req[http::field::accept_encoding]);
    if (gzip)
        res.set(http::field::content_encoding, "gzip");
    const auto body = gzip ? asset.gzip : asset.body;
    if (req.method() == http::verb::head) {
        res.content_length(body.size());
        return res;
    }
    res.body().assign(body.data(), body.size());
    res.prepare_payload();
    return res;
}

}  // namespace liaise::server::web
