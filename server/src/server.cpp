#include "liaise/server/server.hpp"

#include <fcntl.h>
#include <pthread.h>
#include <sodium.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <SQLiteCpp/SQLiteCpp.h>
#include <toml++/toml.h>
#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <future>
#include <optional>
#include <sstream>
#include <thread>

#include "app/mail_notices.hpp"
#include "app/remote_delivery.hpp"
#include "app/routes.hpp"
#include "app/service.hpp"
#include "bus/local_bus.hpp"
#include "bus/pg_bus.hpp"
#include "clock.hpp"
#include "liaise/jargon/dictionary.hpp"
#include "liaise/jargon/engine.hpp"
#include "liaise/meeting_kinds/catalogue.hpp"
#include "liaise/protocol/crypto.hpp"
#include "liaise/protocol/messages.hpp"
#include "metrics.hpp"
#include "net/client_address.hpp"
#include "net/net.hpp"
#include "store/at_rest.hpp"
#include "store/audit.hpp"
#include "store/key_custody.hpp"
#include "store/postgres/pg_store.hpp"
#include "store/postgres/pq.hpp"
#include "store/postgres/schema.hpp"
#include "store/sealed.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "store/storage.hpp"

namespace liaise::server {
namespace {

namespace fs = std::filesystem;

constexpr const char* kDatabase = "liaise.db";

/// Removes a newly written key file when it goes out of scope, unless kept: a failed init
/// leaves no key behind for a database that does not work.
struct RemoveUnlessKept {
    fs::path file;
    bool keep = false;
    explicit RemoveUnlessKept(fs::path written) : file(std::move(written)) {}
    RemoveUnlessKept(const RemoveUnlessKept&) = delete;
    RemoveUnlessKept& operator=(const RemoveUnlessKept&) = delete;
    ~RemoveUnlessKept() {
        std::error_code ignored;
        if (!keep)
            fs::remove(file, ignored);
    }
};

protocol::Error config_error(std::string message) {
    return {"bad_config", std::move(message)};
}

/// Copies the validated dictionary files of `dir` (default: the shipped ones) into the store
/// as version 1, unless it already holds dictionaries. Clients fetch them from there.
protocol::Expected<bool> seed_dictionaries(store::Store& store,
                                           const std::optional<fs::path>& dir) {
    const bool seeded = store.read_now(
        [](const store::ReadTx& tx) { return !tx.dictionaries().current().empty(); });
    if (seeded) {
        if (dir)
            spdlog::warn(
                "dictionaries {} not loaded: this database already holds its own "
                "(change them with 'liaise admin dict import')",
                dir->string());
        store.write_and_wait([](store::Tx& tx) {
            (void)tx.dictionaries().ensure_history(now_ms(),
                                                   "the dictionaries the server started with");
        });
        return false;
    }
    const auto where = dir ? dir : jargon::find_dictionaries();
    if (!where)
        return config_error("no dictionaries found; pass --dictionaries DIR");
    const auto set = jargon::load_dictionary_dir(*where);
    if (!set.ok())
        return config_error(set.problems().front().to_string());
    store.write_and_wait([&](store::Tx& tx) {
        store::DictionaryFiles files;
        for (const auto& d : set.value().dictionaries)
            files.emplace(d.discipline, jargon::write_dictionary(d));
        (void)tx.dictionaries().commit(files, audit::kOperator,
                                       "the dictionaries shipped with Liaise", now_ms());
        std::string list;
        for (const auto& a : set.value().common_acronyms)
            list += a + "\n";
        tx.dictionaries().set_common_acronyms(list);
    });
    return true;
}

/// The dictionaries held by the store, validated.
protocol::Expected<jargon::DictionarySet> stored_dictionaries(store::Store& store) {
    const auto [files, common] = store.read_now([](const store::ReadTx& tx) {
        return std::pair{tx.dictionaries().current(), tx.dictionaries().common_acronyms()};
    });
    jargon::DictionarySet set;
    for (const auto& [discipline, tsv] : files) {
        auto parsed = jargon::parse_dictionary(discipline, "stored " + discipline, tsv);
        if (!parsed.ok())
            return config_error(parsed.problems().front().to_string());
        set.dictionaries.push_back(std::move(parsed).value());
    }
    auto acronyms = jargon::parse_common_acronyms("stored common acronyms", common);
    if (!acronyms.ok())
        return config_error(acronyms.problems().front().to_string());
    set.common_acronyms = std::move(acronyms).value();
    return set;
}

/// The disciplines agencies may have: those with a dictionary, except `general`.
std::vector<std::string> disciplines_of(const jargon::DictionarySet& set) {
    std::vector<std::string> out;
    for (const auto& d : set.dictionaries)
        if (d.discipline != jargon::kGeneralDiscipline)
            out.push_back(d.discipline);
    return out;
}

/// The server's secrets (creating them, and converting an older audit log, the first time).
protocol::Expected<ServerKeys> open_server_keys(store::Store& store, const AtRestKey& at_rest) {
    std::optional<ServerKeys> keys;
    try {
        store.write_and_wait([&](store::Tx& tx) {
            keys.reset();  // a unit may run again after a failed batch
            keys.emplace(audit::setup(tx.secrets(), tx.audit(), at_rest));
        });
    } catch (const std::exception& e) {
        return config_error(std::string("cannot open the server's secrets: ") + e.what());
    }
    return std::move(*keys);
}

/// Whether `url` names a PostgreSQL database.
bool is_postgres_url(std::string_view url) {
    return url.starts_with("postgresql://") || url.starts_with("postgres://");
}

/// Where the at-rest key of a PostgreSQL deployment is: it has no data directory to keep it
/// beside, so it must be named (--key-file, $LIAISE_KEY_FILE, or the systemd credential when
/// `with_credential`).
protocol::Expected<custody::KeyLocation> database_key_location(
    const std::optional<fs::path>& option, bool with_credential) {
    // Any relative name: only the default beside it is derived from it, and refused below.
    auto where = custody::locate(fs::path("database"), option, with_credential);
    if (where.source == custody::Source::beside_data)
        return protocol::Error{
            "bad_key_file",
            "with --database, name the at-rest key file: --key-file PATH or LIAISE_KEY_FILE" +
                std::string(with_credential ? " (or the systemd credential " +
                                                  std::string(custody::kCredential) + ")"
                                            : "") +
                "; there is no data directory to keep it beside"};
    return where;
}

/// The first agency and the first admin's enrolment code, in a store just bound to `key` (the
/// part of init that is the same on every store). Returns the code.
protocol::Expected<std::string> first_admin(store::Store& store, const AtRestKey& key,
                                            const InitOptions& options,
                                            const std::optional<fs::path>& dict_dir) {
    Metrics metrics;
    if (auto seeded = seed_dictionaries(store, dict_dir); !seeded)
        return seeded.error();
    LocalBus bus;
    auto opened_keys = open_server_keys(store, key);
    if (!opened_keys)
        return opened_keys.error();
    const ServerKeys server_keys(std::move(opened_keys).value());
    Service service(store, metrics, bus, {}, &key, nullptr, &server_keys);
    store.write_and_wait([&](store::Tx& tx) {
        if (!tx.accounts().add_agency(options.agency, options.discipline, now_ms()))
            throw std::runtime_error("the agency " + options.agency + " exists already");
    });
    // The admin's code is issued through the same request handler an admin would use, as if by a
    // trusted local operator.
    Identity operator_identity;
    operator_identity.hello = true;
    operator_identity.account = -1;
    operator_identity.role = protocol::Role::admin;
    std::promise<std::string> reply;
    auto future = reply.get_future();
    boost::json::object req{{"type", "enrol_code"},
                            {"id", "init"},
                            {"user", options.admin},
                            {"agency", options.agency},
                            {"role", "admin"}};
    // Without a session nothing is held: the reply comes (later) through the promise.
    (void)service.handle(
        operator_identity, boost::json::serialize(req),
        [&](std::string frame) { reply.set_value(std::move(frame)); }, nullptr);
    const auto frame = protocol::decode_server_frame(future.get());
    if (!frame || frame.value().type != "ok")
        return config_error(
            "could not issue the admin's code: " +
            (frame ? std::string(frame.value().body.at("message").as_string()) : "no reply"));
    // Every piece of work of the Service is over before it goes: the reply went out before the
    // request's follow-up step (its audit record, its events), which still uses the Service.
    if (!service.drain(std::chrono::seconds(30)))
        return config_error("issuing the admin's code did not finish");
    return std::string(frame.value().body.at("code").as_string());
}

/// init on a PostgreSQL database shared by several nodes (InitOptions::database).
protocol::Expected<InitResult> init_database(const InitOptions& options,
                                             const std::optional<fs::path>& dict_dir) {
    if (!is_postgres_url(options.database))
        return config_error("--database takes a postgresql:// URL");
    auto located = database_key_location(options.key_file, false);
    if (!located)
        return located.error();
    const auto key_file = located.value().path;
    std::error_code ec;
    if (fs::exists(fs::symlink_status(key_file, ec)))
        return config_error("the key file " + key_file.string() +
                            " already exists; refusing to overwrite it (choose another "
                            "--key-file, or remove it if it belongs to no database)");
    try {
        {
            pg::Connection db(options.database);
            (void)pg::migrate(db);
        }
        pg::PgStore store(options.database);
        const bool used = store.read_now([](const store::ReadTx& tx) {
            return tx.secrets().setting("at_rest_key_check").has_value() ||
                   !tx.accounts().agencies().empty();
        });
        if (used)
            return config_error(
                "this database was initialised before (it has an at-rest key and agencies); "
                "start nodes on it with 'liaise-server serve --database URL --key-file KEY'");
        const auto key = AtRestKey::generate();
        if (auto saved = key.save(key_file); !saved)
            return saved.error();
        RemoveUnlessKept written{key_file};
        store.write_and_wait([&](store::Tx& tx) { custody::bind(tx.secrets(), key); });
        auto code = first_admin(store, key, options, dict_dir);
        if (!code)
            return code.error();
        written.keep = true;
        return InitResult{options.admin, std::move(code).value(), key_file, key.id()};
    } catch (const std::exception& e) {
        return config_error(std::string("cannot initialise the database: ") + e.what());
    }
}

/// The network limits as the sessions use them.
Limits limits_of(const Config& c) {
    Limits l;
    l.max_frame_bytes = c.max_frame_bytes;
    l.max_queue_bytes = c.max_queue_bytes;
    l.rate_per_second = c.rate_limit_per_second;
    l.rate_burst = c.rate_limit_burst;
    l.handshake_timeout = std::chrono::milliseconds(c.handshake_timeout_ms);
    l.login_timeout = std::chrono::milliseconds(c.login_timeout_ms);
    l.idle_timeout = std::chrono::milliseconds(c.idle_timeout_ms);
    l.max_connections = static_cast<std::size_t>(c.max_connections);
    l.max_connections_per_address = static_cast<std::size_t>(c.max_connections_per_address);
    l.preauth_rate_per_second = c.preauth_rate_per_second;
    l.preauth_rate_burst = c.preauth_rate_burst;
    return l;
}

/// TLS 1.2 suites allowed: forward-secret (ECDHE) key exchange with an AEAD cipher only — no
/// RSA key exchange, no CBC, no SHA-1 MACs. TLS 1.3's own suites are all of that kind already.
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

/// A TLS 1.3 (and 1.2 with kTls12Ciphers) server context with the configured certificate chain
/// and key, or why not.
protocol::Expected<ssl::context> tls_context(const Config& config) {
    if (!config.tls_cert || !config.tls_key)
        return config_error("TLS needs both a certificate (--tls-cert) and a key (--tls-key)");
    ssl::context ctx(ssl::context::tls_server);
    ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                    ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                    ssl::context::single_dh_use | ssl::context::no_compression);
    SSL_CTX* native = ctx.native_handle();
    // Our preference order, not the client's; no renegotiation (nothing needs it).
    SSL_CTX_set_options(native, SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_RENEGOTIATION);
    if (SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION) != 1 ||
        SSL_CTX_set_cipher_list(native, kTls12Ciphers) != 1)
        return config_error("this OpenSSL cannot be limited to TLS 1.2 ECDHE+AEAD and TLS 1.3");
    boost::system::error_code ec;
    ctx.use_certificate_chain_file(config.tls_cert->string(), ec);
    if (ec)
        return config_error("cannot use the TLS certificate " + config.tls_cert->string() + ": " +
                            ec.message());
    ctx.use_private_key_file(config.tls_key->string(), ssl::context::pem, ec);
    if (ec)
        return config_error("cannot use the TLS key " + config.tls_key->string() + ": " +
                            ec.message());
    return ctx;
}

/// What the sessions need to know about who may reach what.
Access access_of(const Config& c) {
    std::vector<Cidr> ranges;
    for (const auto& text : c.trusted_proxies)
        if (auto cidr = Cidr::parse(text))  // validated when the Config was made
            ranges.push_back(*cidr);
    return {TrustedProxies(std::move(ranges)), c.metrics_token, c.allowed_origins};
}

/// Raises the soft limit on open files to the hard limit: each connection is a descriptor.
void raise_file_limit(const Config& config) {
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0)
        return;
    if (limit.rlim_cur < limit.rlim_max) {
        auto wanted = limit;
        wanted.rlim_cur = limit.rlim_max;
        if (::setrlimit(RLIMIT_NOFILE, &wanted) == 0)
            limit = wanted;
    }
    // Descriptors beyond connections: the database, its WAL, the listener, logs.
    constexpr rlim_t kSpare = 64;
    if (limit.rlim_cur != RLIM_INFINITY &&
        limit.rlim_cur < static_cast<rlim_t>(config.max_connections) + kSpare)
        spdlog::warn(
            "the open-file limit ({}) is below max_connections ({}) plus spare: raise it (ulimit "
            "-n) or lower max_connections",
            static_cast<std::uint64_t>(limit.rlim_cur), config.max_connections);
}

/// This process among the nodes sharing a store: "HOST:PID:RANDOM", unique even for two
/// processes that reuse a PID on one host; says nothing secret.
std::string node_name() {
    char host[256] = {};
    if (::gethostname(host, sizeof host - 1) != 0)
        std::snprintf(host, sizeof host, "%s", "node");
    std::uint32_t nonce = 0;
    randombytes_buf(&nonce, sizeof nonce);
    char tail[32];
    std::snprintf(tail, sizeof tail, ":%d:%08x", static_cast<int>(::getpid()), nonce);
    return std::string(host) + tail;
}

}  // namespace

bool add_trusted_proxy(std::string_view cidr, Config& config) {
    if (!Cidr::parse(cidr))
        return false;
    config.trusted_proxies.emplace_back(cidr);
    return true;
}

bool parse_listen(std::string_view text, Config& config) {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos || colon == 0)
        return false;
    const auto port_text = text.substr(colon + 1);
    int port = 0;
    for (const char c : port_text) {
        if (c < '0' || c > '9')
            return false;
        port = port * 10 + (c - '0');
        if (port > 65535)
            return false;
    }
    if (port_text.empty())
        return false;
    auto host = std::string(text.substr(0, colon));
    if (host.size() > 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    boost::system::error_code ec;
    (void)net::ip::make_address(host, ec);
    if (ec)
        return false;
    config.host = host;
    config.port = static_cast<std::uint16_t>(port);
    return true;
}

protocol::Expected<Config> load_config(const fs::path& file, Config base) {
    toml::table table;
    try {
        table = toml::parse_file(file.string());
    } catch (const toml::parse_error& e) {
        return config_error(file.string() + ": " + std::string(e.description()));
    }
    std::string problem;
    const auto integer = [&](const toml::node& node, std::string_view key, std::int64_t min,
                             std::int64_t max) -> std::int64_t {
        const auto v = node.value<std::int64_t>();
        if (!v || *v < min || *v > max) {
            problem = std::string(key) + " must be an integer from " + std::to_string(min) +
                      " to " + std::to_string(max);
            return 0;
        }
        return *v;
    };
    for (const auto& [key, node] : table) {
        const std::string_view k = key.str();
        if (k == "listen") {
            const auto v = node.value<std::string>();
            if (!v || !parse_listen(*v, base))
                problem = "listen must be \"HOST:PORT\"";
        } else if (k == "threads") {
            base.threads = static_cast<int>(integer(node, k, 0, 256));
        } else if (k == "max_frame_bytes") {
            base.max_frame_bytes = static_cast<std::size_t>(integer(node, k, 1024, 64 << 20));
        } else if (k == "max_queue_bytes") {
            base.max_queue_bytes = static_cast<std::size_t>(integer(node, k, 64 * 1024, 1LL << 32));
        } else if (k == "rate_limit_per_second") {
            base.rate_limit_per_second = static_cast<int>(integer(node, k, 1, 1'000'000));
        } else if (k == "rate_limit_burst") {
            base.rate_limit_burst = static_cast<int>(integer(node, k, 1, 10'000'000));
        } else if (k == "handshake_timeout_ms") {
            base.handshake_timeout_ms = static_cast<int>(integer(node, k, 100, 600'000));
        } else if (k == "login_timeout_ms") {
            base.login_timeout_ms = static_cast<int>(integer(node, k, 100, 3'600'000));
        } else if (k == "idle_timeout_ms") {
            base.idle_timeout_ms = static_cast<int>(integer(node, k, 100, 86'400'000));
        } else if (k == "max_connections") {
            base.max_connections = static_cast<int>(integer(node, k, 1, 1'000'000));
        } else if (k == "max_connections_per_address") {
            base.max_connections_per_address = static_cast<int>(integer(node, k, 1, 1'000'000));
        } else if (k == "preauth_rate_per_second") {
            base.preauth_rate_per_second = static_cast<int>(integer(node, k, 1, 1'000'000));
        } else if (k == "preauth_rate_burst") {
            base.preauth_rate_burst = static_cast<int>(integer(node, k, 1, 10'000'000));
        } else if (k == "trusted_proxies" || k == "allowed_origins") {
            const auto* list = node.as_array();
            std::vector<std::string> values;
            if (list == nullptr)
                problem = std::string(k) + " must be a list of strings";
            else
                for (const auto& item : *list) {
                    const auto v = item.value<std::string>();
                    if (!v || v->empty()) {
                        problem = std::string(k) + " must be a list of strings";
                        break;
                    }
                    values.push_back(*v);
                }
            if (problem.empty() && k == "trusted_proxies") {
                for (const auto& v : values)
                    if (!add_trusted_proxy(v, base)) {
                        problem = "trusted_proxies: '" + v +
                                  "' is not an address range like \"10.0.0.0/8\"";
                        break;
                    }
            } else if (problem.empty()) {
                for (const auto& v : values)
                    if (!v.starts_with("https://") && !v.starts_with("http://")) {
                        problem = "allowed_origins: '" + v +
                                  "' is not an origin like \"https://liaise.example.org\"";
                        break;
                    }
                base.allowed_origins = std::move(values);
            }
        } else if (k == "metrics_token") {
            const auto v = node.value<std::string>();
            if (!v || v->size() < 16)
                problem = "metrics_token must be a string of at least 16 characters";
            else
                base.metrics_token = *v;
        } else if (k == "tls_cert" || k == "tls_key") {
            const auto v = node.value<std::string>();
            if (!v || v->empty())
                problem = std::string(k) + " must be the name of a PEM file";
            else
                (k == "tls_cert" ? base.tls_cert : base.tls_key) = *v;
        } else if (k == "enrolment_code_hours") {
            base.enrolment_code_hours = static_cast<int>(integer(node, k, 1, 24 * 30));
        } else if (k == "sync_page_max") {
            base.sync_page_max = static_cast<int>(integer(node, k, 1, 10000));
        } else if (k == "durable") {
            const auto v = node.value<bool>();
            if (!v)
                problem = "durable must be true or false";
            else
                base.durable = *v;
        } else if (k == "dictionaries") {
            const auto v = node.value<std::string>();
            if (!v)
                problem = "dictionaries must be a folder name";
            else
                base.dictionaries = *v;
        } else if (k == "clocks") {
            const auto v = node.value<std::string>();
            if (!node.is_string() || !v || v->empty())
                problem = "clocks must be the name of a clock settings file";
            else
                base.clocks = *v;
        } else if (k == "retention_sweep_batch") {
            base.retention_sweep_batch = static_cast<int>(integer(node, k, 1, 1'000'000));
        } else if (k == "smtp") {
            problem = load_smtp_config(node, base);
        } else {
            problem = "unknown setting '" + std::string(k) + "'";
        }
        if (!problem.empty())
            return config_error(file.string() + ": " + problem);
    }
    return base;
}

protocol::Expected<InitResult> init_data_dir(const InitOptions& options) {
    std::error_code ec;
    if (!protocol::valid_name(options.admin))
        return config_error("--admin: use 1-64 lower-case letters, digits, '.', '_' or '-'");
    if (options.agency.empty() || options.agency.size() > 200)
        return config_error("--agency: give the agency's name");
    const auto dict_dir = options.dictionaries ? options.dictionaries : jargon::find_dictionaries();
    if (!dict_dir)
        return config_error("no dictionaries found; pass --dictionaries DIR");
    const auto shipped = jargon::load_dictionary_dir(*dict_dir);
    if (!shipped.ok())
        return config_error(shipped.problems().front().to_string());
    const auto known = disciplines_of(shipped.value());
    if (std::find(known.begin(), known.end(), options.discipline) == known.end()) {
        std::string list;
        for (const auto& d : known)
            list += (list.empty() ? "" : ", ") + d;
        return config_error("--discipline: '" + options.discipline + "' is not one of " + list);
    }
    if (!options.database.empty())
        return init_database(options, dict_dir);
    if (fs::exists(options.data_dir, ec) && !fs::is_empty(options.data_dir, ec))
        return config_error(options.data_dir.string() +
                            " already exists and is not empty; refusing to overwrite it");
    const auto key_file = custody::locate(options.data_dir, options.key_file, false).path;
    if (auto inside = custody::inside_data(options.data_dir, key_file))
        return *inside;
    if (fs::exists(fs::symlink_status(key_file, ec)))
        return config_error("the key file " + key_file.string() +
                            " already exists; refusing to overwrite it (choose another "
                            "--key-file, or remove it if it belongs to no data directory)");
    fs::create_directories(options.data_dir, ec);
    if (ec)
        return config_error("cannot create " + options.data_dir.string() + ": " + ec.message());
    fs::permissions(options.data_dir, fs::perms::owner_all, fs::perm_options::replace, ec);
    const auto key = AtRestKey::generate();
    if (auto saved = key.save(key_file); !saved)
        return saved.error();
    // A failed init leaves no key behind for a directory that does not work.
    RemoveUnlessKept written{key_file};

    InitResult result{options.admin, "", key_file, key.id()};
    try {
        // The database holds personal data: readable by its owner only, like the key file.
        const auto db_path = options.data_dir / kDatabase;
        const int fd = ::open(db_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd < 0)
            return config_error("cannot create " + db_path.string());
        ::close(fd);
        Metrics metrics;
        Storage storage(db_path, &metrics);
        store::sqlite::SqliteStore store(storage);
        // The new key's id and check value, before anything is sealed.
        store.write_and_wait([&](store::Tx& tx) { custody::bind(tx.secrets(), key); });
        auto code = first_admin(store, key, options, dict_dir);
        if (!code)
            return code.error();
        result.code = std::move(code).value();
        written.keep = true;
    } catch (const std::exception& e) {
        return config_error(std::string("cannot create the database: ") + e.what());
    }
    return result;
}

int serve(const Config& config) {
    if (const auto problems = route_problems(Service::route_names(), protocol::request_specs());
        !problems.empty()) {
        for (const auto& problem : problems)
            spdlog::error("this build of the server does not match its protocol: {}", problem);
        return 2;
    }
    // The circulation clocks, before anything else is opened: a file that does not load stops
    // the server with its name, the line and what is wrong (every node must read the same one).
    calendar::ClockSettings clocks;
    if (config.clocks) {
        auto loaded = meeting_kinds::Catalogue::shipped().load_clock_settings(*config.clocks);
        if (!loaded) {
            spdlog::error("the clock settings do not load: {}", loaded.error().message);
            return 2;
        }
        clocks = std::move(loaded).value();
        spdlog::info("circulation clocks from {}", config.clocks->string());
    }
    const bool on_postgres = !config.database.empty();
    const auto db_path = config.data_dir / kDatabase;
    std::error_code ec;
    if (const auto listen = net::ip::make_address(config.host);
        !is_loopback(listen) && !config.tls_cert && !config.insecure_listen) {
        spdlog::error(
            "refusing to serve plain ws:// on {}, which other machines can reach: give a "
            "certificate (--tls-cert and --tls-key) to serve wss://, listen on 127.0.0.1 behind "
            "a TLS-terminating proxy, or pass --insecure-listen if the network itself is "
            "protected",
            config.host);
        return 2;
    }
    if (on_postgres && !is_postgres_url(config.database)) {
        spdlog::error("--database takes a postgresql:// URL");
        return 2;
    }
    if (!on_postgres && !fs::exists(db_path, ec)) {
        spdlog::error("{} is not a Liaise data directory: run 'liaise-server init' first",
                      config.data_dir.string());
        return 2;
    }
    if (!on_postgres) {
        if (auto legacy = custody::legacy_key_error(config.data_dir)) {
            spdlog::error("{}", legacy->message);
            return 2;
        }
    }
    if (config.unsafe_ack_before_commit)
        spdlog::warn(
            "UNSAFE, FOR TESTS ONLY: sends are answered before they are stored "
            "(--unsafe-ack-before-commit); a crash loses messages their senders were told are "
            "kept");
    const int threads =
        config.threads > 0 ? config.threads : std::max(1u, std::thread::hardware_concurrency());
    // Declared before the store: queued writes that seal minutes may run until it is gone.
    std::optional<AtRestKey> at_rest;
    Metrics metrics;
    std::optional<ServerKeys> server_keys;  // before the store, like the at-rest key
    // Reads that deliver what other nodes committed may complete until the store is gone.
    std::unique_ptr<RemoteDelivery> delivery;
    std::optional<Storage> opened;  // SQLite only
    std::unique_ptr<store::Store> store;
    custody::KeyLocation where;
    custody::OpensProbe opens;
    if (on_postgres) {
        auto located = database_key_location(config.key_file, true);
        if (!located) {
            spdlog::error("{}", located.error().message);
            return 2;
        }
        where = located.value();
        try {
            {
                pg::Connection db(config.database);
                const int found = pg::current_version(db);
                if (found != pg::schema_version) {
                    spdlog::error(
                        "the database's Liaise schema is version {}, this server needs {}: run "
                        "'liaise-server migrate --database URL' (or 'liaise-server init "
                        "--database URL' for a new deployment) first",
                        found, pg::schema_version);
                    return 2;
                }
            }
            store = std::make_unique<pg::PgStore>(config.database);
        } catch (const std::exception& e) {
            spdlog::error("cannot open the database: {}", e.what());
            return 2;
        }
    } else {
        try {
            opened.emplace(db_path, &metrics, config.durable ? Durability::full : Durability::off);
        } catch (const std::exception& e) {
            spdlog::error("cannot open the database: {}", e.what());
            return 2;
        }
        store = std::make_unique<store::sqlite::SqliteStore>(*opened);
        where = custody::locate(config.data_dir, config.key_file);
        // A data directory made by an early version may hold only sealed minutes.
        opens = [&opened](const AtRestKey& key) {
            return opened->read([&](SQLite::Database& db) { return sealed::opens(db, key); });
        };
    }
    {
        std::optional<protocol::Expected<AtRestKey>> key;
        try {
            key.emplace(custody::open_for(*store, where, opens));
        } catch (const std::exception& e) {
            spdlog::error("cannot read the database: {}", e.what());
            return 2;
        }
        if (!*key) {
            spdlog::error("{}", key->error().message);
            return 2;
        }
        at_rest.emplace(std::move(*key).value());
    }
    spdlog::info("at-rest key {} from {}", at_rest->id(), where.path.string());
    if (!on_postgres)
        custody::warn_if_exposed(config.data_dir, where);
    if (auto keys = open_server_keys(*store, at_rest.value()); keys) {
        server_keys.emplace(std::move(keys).value());
    } else {
        spdlog::error("{}", keys.error().message);
        return 2;
    }
    if (auto seeded = seed_dictionaries(*store, config.dictionaries); !seeded) {
        spdlog::error("{}", seeded.error().message);
        return 2;
    }
    const auto dictionaries = stored_dictionaries(*store);
    if (!dictionaries) {
        spdlog::error("the stored dictionaries do not load: {}", dictionaries.error().message);
        return 2;
    }
    auto compiled = jargon::Engine::compile(dictionaries.value());
    if (!compiled.ok()) {
        spdlog::error("the stored dictionaries do not compile: {}",
                      compiled.problems().front().to_string());
        return 2;
    }
    // The server checks minutes with the same engine the clients use.
    jargon::SharedEngine engine(std::move(compiled).value());

    // The bus: this process's sessions, or (on PostgreSQL) every node's. Its handlers run on
    // the bus's own thread and find `delivery` once it exists (hints before then are for rooms
    // whose sessions, none yet, will catch up by sync).
    std::atomic<RemoteDelivery*> deliver_to{nullptr};
    std::unique_ptr<PgBus> pg_bus;
    std::optional<LocalBus> local_bus;
    if (on_postgres) {
        PgBus::Handlers handlers;
        handlers.messages = [&deliver_to](const std::vector<RoomSeq>& hints) {
            if (auto* d = deliver_to.load()) {
                std::vector<std::pair<std::int64_t, std::int64_t>> pairs;
                pairs.reserve(hints.size());
                for (const auto& h : hints)
                    pairs.emplace_back(h.room, h.seq);
                d->committed_elsewhere(pairs);
            }
        };
        handlers.resync = [&deliver_to] {
            if (auto* d = deliver_to.load())
                d->resync();
        };
        // Another node changed the dictionaries: minutes checks here use them from now on.
        // Rare, and the sessions here hear of it only after this returns, so it is done here.
        handlers.dictionaries = [&store, &engine](std::int64_t version) {
            const auto set = stored_dictionaries(*store);
            if (!set) {
                spdlog::error("the dictionaries another node stored (version {}) do not load: {}",
                              version, set.error().message);
                return;
            }
            auto made = jargon::Engine::compile(set.value());
            if (!made.ok()) {
                spdlog::error("the dictionaries another node stored (version {}) do not compile",
                              version);
                return;
            }
            engine.replace(std::move(made).value());
            spdlog::info("dictionaries version {} from another node", version);
        };
        try {
            pg_bus = std::make_unique<PgBus>(config.database, std::move(handlers));
        } catch (const std::exception& e) {
            spdlog::error("cannot listen for the other nodes: {}", e.what());
            return 2;
        }
    } else {
        local_bus.emplace();
    }
    Bus& bus = pg_bus ? static_cast<Bus&>(*pg_bus) : static_cast<Bus&>(*local_bus);
    ServiceConfig service_config;
    service_config.enrolment_code_hours = config.enrolment_code_hours;
    service_config.sync_page_max = config.sync_page_max;
    service_config.unsafe_ack_before_commit = config.unsafe_ack_before_commit;
    service_config.clocks = clocks;
    service_config.retention_batch = config.retention_sweep_batch;
    if (config.mail && config.mail->digest)
        service_config.digest_minutes = config.mail->digest_minutes;
    // Names this process in the claims it makes (store/repo/claims.hpp): the email outbox and
    // the retention sweep, shared with any other nodes.
    const auto node = node_name();
    service_config.node = node;
    if (pg_bus)
        service_config.message_committed = [&deliver_to, &pg_bus](std::int64_t room,
                                                                  std::int64_t seq) {
            if (auto* d = deliver_to.load())
                d->delivered_here(room, seq);
            pg_bus->hint(room, seq);
        };
    Service service(*store, metrics, bus, std::move(service_config), &*at_rest, &engine,
                    &*server_keys);
    if (pg_bus) {
        delivery = std::make_unique<RemoteDelivery>(service, pg_bus->local(), &metrics);
        deliver_to.store(delivery.get());
    }
    // However serve() ends from here: nothing more is delivered from the other nodes, and the
    // bus's listening thread (whose handlers reach the service) stops, before the service goes.
    struct StopCrossNode {
        RemoteDelivery* delivery;
        std::unique_ptr<PgBus>& bus;
        ~StopCrossNode() {
            if (delivery != nullptr) {
                delivery->close();
                const auto c = delivery->counts();
                spdlog::info(
                    "from other nodes: {} messages delivered; {} read units, {} rooms "
                    "read, {} skipped (nobody here)",
                    c.delivered, c.reads, c.rooms_read, c.rooms_skipped);
            }
            bus.reset();
        }
    } stop_cross_node{delivery.get(), pg_bus};
    // Email notices, on their own thread (app/mail_notices.hpp); stopped before the store.
    std::optional<MailNotices> mail_notices;
    if (config.mail)
        mail_notices.emplace(*store, *config.mail, clocks, node);
    std::optional<ssl::context> tls;
    if (config.tls_cert || config.tls_key) {
        auto made = tls_context(config);
        if (!made) {
            spdlog::error("{}", made.error().message);
            return 2;
        }
        tls.emplace(std::move(made).value());
    }
    raise_file_limit(config);
    Shared shared{service, metrics, limits_of(config), tls ? &*tls : nullptr, access_of(config)};

    net::io_context ioc(threads);
    std::shared_ptr<Listener> listener;
    try {
        listener = std::make_shared<Listener>(
            ioc, tcp::endpoint(net::ip::make_address(config.host), config.port), shared);
    } catch (const std::exception& e) {
        spdlog::error("cannot listen on {}:{}: {}", config.host, config.port, e.what());
        return 2;
    }
    listener->run();
    spdlog::info("liaise-server listening on {}://{}:{}/v1 with {} threads (data in {})",
                 tls ? "wss" : "ws", config.host, listener->endpoint().port(), threads,
                 on_postgres ? std::string("PostgreSQL, shared with any other nodes")
                             : config.data_dir.string());

    // The retention sweep (app/retention.cpp): ten minutes after start, then every hour. Each pass
    // is one write unit queued on the store; the timer only queues it.
    net::steady_timer retention(ioc);
    std::function<void(std::chrono::seconds)> next_sweep = [&](std::chrono::seconds after) {
        retention.expires_after(after);
        retention.async_wait([&](beast::error_code ec) {
            if (ec)
                return;
            service.sweep_retention();
            next_sweep(std::chrono::hours(1));
        });
    };
    next_sweep(std::chrono::minutes(10));

    // SIGINT/SIGTERM: stop accepting, tell every client "going away", let in-flight work finish.
    net::signal_set signals(ioc, SIGINT, SIGTERM);
    net::steady_timer poll(ioc);
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    std::function<void()> wait_for_sessions = [&] {
        if (shared.sessions().empty() || std::chrono::steady_clock::now() > give_up) {
            ioc.stop();
            return;
        }
        poll.expires_after(std::chrono::milliseconds(20));
        poll.async_wait([&](beast::error_code) { wait_for_sessions(); });
    };
    signals.async_wait([&](beast::error_code ec, int sig) {
        if (ec)
            return;
        spdlog::info("signal {}: shutting down", sig);
        listener->stop();
        retention.cancel();
        service.stop_sweeping();
        for (const auto& s : shared.sessions())
            s->go_away();
        wait_for_sessions();
    });
    std::vector<std::thread> pool;
    for (int i = 1; i < threads; ++i)
        pool.emplace_back([&] {
            // For top -H, perf and liaise-load; the main thread keeps the process's name.
            (void)::pthread_setname_np(::pthread_self(), "liaise-net");
            ioc.run();
        });
    ioc.run();
    for (auto& t : pool)
        t.join();
    // No request arrives any more, and nothing more from the other nodes (reads still under way
    // deliver nothing).
    if (delivery)
        delivery->close();
    // Every piece of work the Service started runs to its end -- store units and their
    // completions, worker jobs (a dictionary compile, a minutes check) and the writes they
    // queue, and the follow-up steps that run after a reply has gone -- while what it uses (the
    // store, the bus, the io_context completions post to) is still here. After that the Service
    // starts nothing, so the bus and the store may go before it.
    if (!service.drain(std::chrono::seconds(30))) {
        // Work that never ends would run on a Service, bus and store half gone: stop here.
        // Every write acknowledged to a client was committed before its reply.
        spdlog::error("shutdown: work still under way after 30 s; exiting without tidying up");
        spdlog::default_logger()->flush();
        std::_Exit(1);
    }
    // Any other write still queued commits too (mail notices queue their own).
    try {
        store->write_and_wait([](store::Tx&) {});
    } catch (const std::exception& e) {
        spdlog::error("the last writes could not be stored: {}", e.what());
        return 1;
    }
    pg_bus.reset();
    mail_notices.reset();
    store.reset();  // completes every queued unit
    spdlog::info("stopped");
    return 0;
}

}  // namespace liaise::server
