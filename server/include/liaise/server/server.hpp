// liaise-server: initialise a data directory and serve the WebSocket protocol.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "liaise/mail/smtp.hpp"
#include "liaise/protocol/expected.hpp"

namespace liaise::server {

/// Email notices through the operator's SMTP relay (the [smtp] table; docs/operator.md).
struct MailConfig {
    mail::SmtpSettings smtp;
    /// Where people open Liaise, named in each email; empty: not named.
    std::string service_url;
    /// How often the outbox looks for notices to send.
    int check_seconds = 60;
    /// The daily digest of unread rooms: sent on working days (England and Wales) at
    /// `digest_minutes` past midnight, London time, to each account that has not turned it off.
    bool digest = true;
    int digest_minutes = 8 * 60;
};

/// Everything `serve` needs. Defaults are the documented safe values.
struct Config {
    std::filesystem::path data_dir;
    /// A PostgreSQL URL (postgresql://…) shared by several nodes, instead of `data_dir`; the key
    /// file must then be named (key_file, $LIAISE_KEY_FILE or the systemd credential).
    std::string database;
    /// UNSAFE, FOR TESTS ONLY: answer sends before they commit (ServiceConfig in app/service.hpp).
    bool unsafe_ack_before_commit = false;
    /// The at-rest key file (--key-file); unset: $LIAISE_KEY_FILE, the systemd credential
    /// liaise-at-rest-key, then `<data_dir>.key`, in that order.
    std::optional<std::filesystem::path> key_file;
    std::string host = "127.0.0.1";
    std::uint16_t port = 7443;
    int threads = 0;                         ///< 0: one per core
    std::size_t max_frame_bytes = 1 << 20;   ///< larger frames close the connection (1009)
    std::size_t max_queue_bytes = 16 << 20;  ///< bytes queued for one slow reader (then 1008)
    /// Requests per second per account, across all its connections (a token bucket refilled
    /// at this rate, holding up to `rate_limit_burst`); more are refused with `rate_limited`.
    int rate_limit_per_second = 100;
    int rate_limit_burst = 500;
    int handshake_timeout_ms = 10'000;  ///< TLS + HTTP upgrade + WebSocket accept; closing too
    int login_timeout_ms = 30'000;      ///< from WebSocket open to a successful login (then 1008)
    int idle_timeout_ms = 120'000;      ///< silent this long (a ping half way) and it is dropped
    int max_connections = 10'000;       ///< open connections in total; more get HTTP 503
    int max_connections_per_address = 256;  ///< from one remote address; more get HTTP 503
    /// `enrol` and `login` before a connection has logged in, per client address (a token
    /// bucket like the account's); more are refused with `rate_limited`.
    int preauth_rate_per_second = 10;
    int preauth_rate_burst = 20;
    /// Serve plain ws:// on an address other than loopback (refused otherwise: passwords-free
    /// as the protocol is, everything else on it would cross the network in the clear).
    bool insecure_listen = false;
    /// Address ranges ("10.0.0.0/8") of reverse proxies whose X-Forwarded-For header names the
    /// client; for connections from anywhere else the header is ignored. Validated CIDR text.
    std::vector<std::string> trusted_proxies;
    /// When not empty, GET /metrics also answers a request with "Authorization: Bearer TOKEN"
    /// from any address (otherwise only loopback clients are answered).
    std::string metrics_token;
    /// Origins ("https://liaise.example.org") a browser page may open /v1 from. Empty: the
    /// server's own origin, https://HOST (and http://HOST when serving plain ws://), HOST being
    /// the request's Host header.
    std::vector<std::string> allowed_origins;
    /// TLS: both set serves wss:// with this certificate chain and private key (PEM files);
    /// neither serves plain ws://.
    std::optional<std::filesystem::path> tls_cert;
    std::optional<std::filesystem::path> tls_key;
    int enrolment_code_hours = 72;
    int sync_page_max = 500;
    bool durable = true;  ///< synchronous=FULL; false only for benchmarks
    std::optional<std::filesystem::path> dictionaries;  ///< default: the shipped ones
    /// The agencies' circulation clock settings (calendar::ClockSettings; docs/operator.md,
    /// "Working-day clocks"), read when the server starts: a file that does not load stops it.
    /// Unset: every meeting kind keeps its own clocks.
    std::optional<std::filesystem::path> clocks;
    /// The most message envelopes and meetings one write unit of the retention sweep deletes:
    /// a larger sweep takes several units, and other writes go between them.
    int retention_sweep_batch = 1000;
    /// Set by an [smtp] table: send action notices by email. Unset: no email at all.
    std::optional<MailConfig> mail;
};

/// Reads a TOML file over `base` (PROTOCOL.md and docs/operator.md list the keys). Unknown keys and
/// wrong types are errors, so a typo never silently leaves a default in place.
[[nodiscard]] protocol::Expected<Config> load_config(const std::filesystem::path& file,
                                                     Config base);

/// Adds one --trusted-proxy range; false (and nothing added) unless `cidr` is an address with
/// an optional prefix length ("10.0.0.0/8", "::1", "fd00::/8").
[[nodiscard]] bool add_trusted_proxy(std::string_view cidr, Config& config);

/// Parses "HOST:PORT" into `config`.
[[nodiscard]] bool parse_listen(std::string_view text, Config& config);

struct InitOptions {
    std::filesystem::path data_dir;
    /// A PostgreSQL URL instead of `data_dir`: creates (or upgrades) the schema there and needs
    /// `key_file` (or $LIAISE_KEY_FILE), where the new at-rest key is written.
    std::string database;
    std::string admin;       ///< the first admin's account name
    std::string agency;      ///< the first agency
    std::string discipline;  ///< its discipline
    std::optional<std::filesystem::path> dictionaries;
    /// Where to write the at-rest key; unset: $LIAISE_KEY_FILE, else `<data_dir>.key`.
    std::optional<std::filesystem::path> key_file;
};

struct InitResult {
    std::string admin;
    std::string code;  ///< the admin's one-time enrolment code
    std::filesystem::path key_file;
    std::string key_id;
};

/// Creates the data directory, its database, the at-rest key file (mode 0600, outside the data
/// directory), the first agency and an enrolment code for the first admin. Refuses an existing,
/// non-empty directory and an existing key file.
[[nodiscard]] protocol::Expected<InitResult> init_data_dir(const InitOptions& options);

/// Serves until SIGINT or SIGTERM; returns the process exit status. Refuses to start (status 2)
/// with a key that is not the database's, or with a data directory that still holds its key.
[[nodiscard]] int serve(const Config& config);

/// For move-key and rotate-key.
struct KeyOptions {
    std::filesystem::path data_dir;
    std::optional<std::filesystem::path> key_file;      ///< as for serve
    std::optional<std::filesystem::path> new_key_file;  ///< rotate-key: default `key_file`
};

struct MoveKeyResult {
    std::filesystem::path from;
    std::filesystem::path to;
    bool moved = false;  ///< false: there was nothing to move (already done)
};

/// Moves the key that an earlier version kept in `<data_dir>/at-rest.key` to the key file
/// (default `<data_dir>.key`): writes the new file (0600, synced), then removes the old one.
/// Safe to run again after a crash at any point; refuses to overwrite a different key.
[[nodiscard]] protocol::Expected<MoveKeyResult> move_key(const KeyOptions& options);

struct RotateResult {
    std::int64_t records = 0;  ///< sealed records re-sealed
    std::string old_id;
    std::string new_id;
    std::filesystem::path key_file;      ///< where the new key is
    std::filesystem::path old_key_file;  ///< the old key's new name (`<key file>.old`)
};

/// With the server stopped, generates a new at-rest key and re-seals every sealed record
/// under it in one transaction; crash-safe (see key_custody.hpp). Refuses while a server holds
/// the data directory, and while `<key file>.old` from an earlier rotation still exists.
[[nodiscard]] protocol::Expected<RotateResult> rotate_key(const KeyOptions& options);

}  // namespace liaise::server
