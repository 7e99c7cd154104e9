// liaise-server: `init` a data directory, then `serve` it; `move-key` and `rotate-key` look
// after its at-rest key.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <iostream>

#include "liaise/server/server.hpp"
#include "net/web_assets.hpp"
#include "store/postgres/schema.hpp"

int main(int argc, char** argv) {
    // Logs go to standard error, so that standard output carries only what a command prints
    // (init --json). They never contain message text, minutes text or keys.
    spdlog::set_default_logger(spdlog::stderr_color_mt("liaise-server"));
    CLI::App app{"Liaise server: end-to-end encrypted multi-agency messaging", "liaise-server"};
    app.require_subcommand(1);
    {
        // The bundle hash lets anyone compare the web client this server delivers with one
        // built from source (docs/operator.md, "The web client").
        const auto bundle = liaise::server::web::bundle_sha256();
        app.set_version_flag("--version",
                             std::string("liaise-server ") + LIAISE_VERSION + "\nweb client: " +
                                 (bundle.empty() ? std::string("not built in")
                                                 : "bundle sha256 " + std::string(bundle)));
    }

    liaise::server::InitOptions init;
    std::string init_dictionaries;
    bool json = false;
    auto* init_cmd =
        app.add_subcommand("init", "Create a data directory with its first agency and admin");
    auto* init_data =
        init_cmd->add_option("--data", init.data_dir, "Data directory to create (SQLite)");
    auto* init_database = init_cmd->add_option(
        "--database", init.database,
        "Instead of --data: a PostgreSQL database (postgresql://USER@HOST:PORT/DBNAME) for "
        "several nodes; creates its schema, and needs --key-file");
    init_data->excludes(init_database);
    init_cmd->add_option("--admin", init.admin, "The first admin's account name")->required();
    init_cmd->add_option("--agency", init.agency, "The first agency's name")->required();
    init_cmd->add_option("--discipline", init.discipline, "The first agency's discipline")
        ->required();
    init_cmd->add_option("--dictionaries", init_dictionaries,
                         "Folder of dictionaries to seed the database with (default: the "
                         "shipped ones)");
    init_cmd->add_flag("--json", json, "Print {\"admin\": …, \"code\": …, \"key_file\": …}");
    std::string init_key_file;
    init_cmd->add_option("--key-file", init_key_file,
                         "Where to write the at-rest key, outside the data directory (default: "
                         "$LIAISE_KEY_FILE, else DATA.key beside it)");

    liaise::server::Config config;
    std::string listen, config_file, serve_dictionaries, tls_cert, tls_key, clocks_file;
    int threads = 0;  // 0: as the config file says, else one per core
    auto* serve_cmd =
        app.add_subcommand("serve", "Serve the WebSocket protocol until SIGINT or SIGTERM");
    auto* serve_data =
        serve_cmd->add_option("--data", config.data_dir, "Data directory made by init");
    auto* serve_database = serve_cmd->add_option(
        "--database", config.database,
        "Instead of --data: the PostgreSQL database this node shares with the others "
        "(postgresql://…); needs --key-file, LIAISE_KEY_FILE or the systemd credential");
    serve_data->excludes(serve_database);
    // Hidden (no help text): the three-node test's negative control. Never in production.
    serve_cmd->add_flag("--unsafe-ack-before-commit", config.unsafe_ack_before_commit)->group("");
    serve_cmd->add_option("--listen", listen, "HOST:PORT (default 127.0.0.1:7443)");
    serve_cmd->add_option("--config", config_file, "TOML settings file");
    serve_cmd->add_option("--threads", threads, "Worker threads (default: one per core)")
        ->check(CLI::Range(1, 256));
    serve_cmd->add_option("--dictionaries", serve_dictionaries,
                          "Folder of dictionaries to seed a database that has none (default: "
                          "the shipped ones); one that has its own keeps them");
    serve_cmd->add_option("--tls-cert", tls_cert,
                          "Serve wss:// with this PEM certificate chain (needs --tls-key)");
    serve_cmd->add_option("--tls-key", tls_key, "The certificate's PEM private key");
    serve_cmd->add_option("--clocks", clocks_file,
                          "The agencies' circulation clock settings (TOML; overrides clocks in "
                          "--config)");
    std::string serve_key_file;
    const char* kKeyFileHelp =
        "The at-rest key file (default: $LIAISE_KEY_FILE, then the systemd credential "
        "liaise-at-rest-key, then DATA.key beside the data directory)";
    serve_cmd->add_option("--key-file", serve_key_file, kKeyFileHelp);

    liaise::server::KeyOptions keys;
    std::string key_file, new_key_file;
    auto* move_cmd = app.add_subcommand(
        "move-key", "Move the at-rest key out of a data directory made by an earlier version");
    move_cmd->add_option("--data", keys.data_dir, "The data directory")->required();
    move_cmd->add_option("--key-file", key_file,
                         "Where the key goes (default: $LIAISE_KEY_FILE, else DATA.key)");
    auto* rotate_cmd = app.add_subcommand(
        "rotate-key", "With the server stopped, re-seal every at-rest record under a new key");
    rotate_cmd->add_option("--data", keys.data_dir, "The data directory")->required();
    rotate_cmd->add_option("--key-file", key_file, kKeyFileHelp);
    rotate_cmd->add_option("--new-key-file", new_key_file,
                           "Where the new key goes (default: where the current key is; the old "
                           "one is renamed KEY.old)");
    bool insecure_listen = false;
    serve_cmd->add_flag("--insecure-listen", insecure_listen,
                        "Allow plain ws:// on an address other than loopback (refused otherwise)");
    std::vector<std::string> trusted_proxies;
    serve_cmd->add_option("--trusted-proxy", trusted_proxies,
                          "CIDR of a reverse proxy whose X-Forwarded-For names the client "
                          "(repeatable; adds to trusted_proxies in --config)");

    std::string database;
    auto* migrate_cmd = app.add_subcommand(
        "migrate", "Create or upgrade the schema of a PostgreSQL database shared by several nodes");
    migrate_cmd
        ->add_option("--database", database,
                     "postgresql://USER@HOST:PORT/DBNAME (a password is best kept in ~/.pgpass "
                     "or PGPASSWORD, not in the URL)")
        ->required();

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        std::cerr << "liaise-server: " << e.what() << "\nRun 'liaise-server --help' for usage.\n";
        return 2;
    }

    if (!key_file.empty())
        keys.key_file = key_file;
    if (!new_key_file.empty())
        keys.new_key_file = new_key_file;
    if (migrate_cmd->parsed()) {
        if (database.rfind("postgresql://", 0) != 0 && database.rfind("postgres://", 0) != 0) {
            std::cerr << "liaise-server migrate: --database takes a postgresql:// URL (an SQLite "
                         "data directory is brought up to date by serve itself)\n";
            return 2;
        }
        try {
            liaise::server::pg::Connection db(database);
            const int found = liaise::server::pg::migrate(db);
            const int now = liaise::server::pg::schema_version;
            if (found == 0)
                std::cout << "Created the Liaise schema, version " << now << ".\n";
            else if (found < now)
                std::cout << "Upgraded the Liaise schema from version " << found << " to " << now
                          << ".\n";
            else
                std::cout << "The Liaise schema is already at version " << now << ".\n";
            return 0;
        } catch (const std::exception& e) {
            std::cerr << "liaise-server migrate: " << e.what() << "\n";
            return 2;
        }
    }
    if (move_cmd->parsed()) {
        const auto moved = liaise::server::move_key(keys);
        if (!moved) {
            std::cerr << "liaise-server move-key: " << moved.error().message << "\n";
            return 2;
        }
        const auto& m = moved.value();
        if (m.moved)
            std::cout << "Moved the at-rest key from " << m.from.string() << " to " << m.to.string()
                      << ".\n";
        else
            std::cout << "Nothing to move: the at-rest key is already at " << m.to.string()
                      << ".\n";
        std::cout << "Back up " << m.to.string()
                  << " on its own, never in the same archive as the data directory.\n";
        return 0;
    }
    if (rotate_cmd->parsed()) {
        const auto rotated = liaise::server::rotate_key(keys);
        if (!rotated) {
            std::cerr << "liaise-server rotate-key: " << rotated.error().message << "\n";
            return 2;
        }
        const auto& r = rotated.value();
        std::cout << "Re-sealed " << r.records << " record(s) under a new at-rest key.\n"
                  << "  new key id " << r.new_id << ", in " << r.key_file.string() << "\n"
                  << "  old key id " << r.old_id << ", now " << r.old_key_file.string() << "\n"
                  << "Back up the new key now (on its own, never with the data directory). "
                     "Then destroy the old key, "
                  << r.old_key_file.string()
                  << ", and its backups: they open only backups of the data made before "
                     "this rotation.\n";
        return 0;
    }
    if (init_cmd->parsed()) {
        if (init.data_dir.empty() && init.database.empty()) {
            std::cerr << "liaise-server init: give --data DIR (one server, SQLite) or --database "
                         "postgresql://… (several nodes)\n";
            return 2;
        }
        if (!init_key_file.empty())
            init.key_file = init_key_file;
        if (!init_dictionaries.empty())
            init.dictionaries = init_dictionaries;
        const auto result = liaise::server::init_data_dir(init);
        if (!result) {
            std::cerr << "liaise-server init: " << result.error().message << "\n";
            return 2;
        }
        if (json) {
            std::cout << boost::json::serialize(
                             boost::json::object{{"admin", result.value().admin},
                                                 {"code", result.value().code},
                                                 {"key_file", result.value().key_file.string()},
                                                 {"key_id", result.value().key_id}})
                      << "\n";
        } else {
            std::cout << "Created " << init.data_dir.string() << ".\n"
                      << "Its at-rest key (id " << result.value().key_id << ") is in "
                      << result.value().key_file.string()
                      << ": back it up on its own, never in the same archive as the data.\n"
                      << "Enrolment code for admin '" << result.value().admin
                      << "' (use it once, within 72 hours):\n"
                      << "  " << result.value().code << "\n";
        }
        return 0;
    }
    if (config.data_dir.empty() && config.database.empty()) {
        std::cerr << "liaise-server serve: give --data DIR (one server, SQLite) or --database "
                     "postgresql://… (several nodes)\n";
        return 2;
    }
    if (!config_file.empty()) {
        auto loaded = liaise::server::load_config(config_file, config);
        if (!loaded) {
            std::cerr << "liaise-server: " << loaded.error().message << "\n";
            return 2;
        }
        config = std::move(loaded).value();
    }
    if (!listen.empty() && !liaise::server::parse_listen(listen, config)) {
        std::cerr << "liaise-server: --listen must be HOST:PORT, e.g. 127.0.0.1:7443\n";
        return 2;
    }
    if (threads > 0)
        config.threads = threads;
    if (!serve_dictionaries.empty())
        config.dictionaries = serve_dictionaries;
    if (!tls_cert.empty())
        config.tls_cert = tls_cert;
    if (!tls_key.empty())
        config.tls_key = tls_key;
    if (!serve_key_file.empty())
        config.key_file = serve_key_file;
    if (!clocks_file.empty())
        config.clocks = clocks_file;
    if (insecure_listen)
        config.insecure_listen = true;
    for (const auto& cidr : trusted_proxies)
        if (!liaise::server::add_trusted_proxy(cidr, config)) {
            std::cerr << "liaise-server: --trusted-proxy must be an address range like "
                         "10.0.0.0/8 or 192.0.2.7, not '"
                      << cidr << "'\n";
            return 2;
        }
    return liaise::server::serve(config);
}
