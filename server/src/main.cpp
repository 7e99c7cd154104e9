// liaise-server: `init` a data directory, then `serve` it.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <iostream>

#include "liaise/server/server.hpp"

int main(int argc, char** argv) {
    // Logs go to standard error, so that standard output carries only what a command prints
    // (init --json). They never contain message text, minutes text or keys.
    spdlog::set_default_logger(spdlog::stderr_color_mt("liaise-server"));
    CLI::App app{"Liaise server: end-to-end encrypted multi-agency messaging", "liaise-server"};
    app.require_subcommand(1);

    liaise::server::InitOptions init;
    std::string init_dictionaries;
    bool json = false;
    auto* init_cmd =
        app.add_subcommand("init", "Create a data directory with its first agency and admin");
    init_cmd->add_option("--data", init.data_dir, "Data directory to create")->required();
    init_cmd->add_option("--admin", init.admin, "The first admin's account name")->required();
    init_cmd->add_option("--agency", init.agency, "The first agency's name")->required();
    init_cmd->add_option("--discipline", init.discipline, "The first agency's discipline")
        ->required();
    init_cmd->add_option("--dictionaries", init_dictionaries,
                         "Folder of dictionaries to seed the database with (default: the "
                         "shipped ones)");
    init_cmd->add_flag("--json", json, "Print {\"admin\": …, \"code\": …}");

    liaise::server::Config config;
    std::string listen, config_file, serve_dictionaries, tls_cert, tls_key;
    int threads = 0;  // 0: as the config file says, else one per core
    auto* serve_cmd =
        app.add_subcommand("serve", "Serve the WebSocket protocol until SIGINT or SIGTERM");
    serve_cmd->add_option("--data", config.data_dir, "Data directory made by init")->required();
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
    bool insecure_listen = false;
    serve_cmd->add_flag("--insecure-listen", insecure_listen,
                        "Allow plain ws:// on an address other than loopback (refused otherwise)");
    std::vector<std::string> trusted_proxies;
    serve_cmd->add_option("--trusted-proxy", trusted_proxies,
                          "CIDR of a reverse proxy whose X-Forwarded-For names the client "
                          "(repeatable; adds to trusted_proxies in --config)");

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        std::cerr << "liaise-server: " << e.what() << "\nRun 'liaise-server --help' for usage.\n";
        return 2;
    }

    if (init_cmd->parsed()) {
        if (!init_dictionaries.empty())
            init.dictionaries = init_dictionaries;
        const auto result = liaise::server::init_data_dir(init);
        if (!result) {
            std::cerr << "liaise-server init: " << result.error().message << "\n";
            return 2;
        }
        if (json) {
            std::cout << boost::json::serialize(boost::json::object{{"admin", result.value().admin},
                                                                    {"code", result.value().code}})
                      << "\n";
        } else {
            std::cout << "Created " << init.data_dir.string() << ".\n"
                      << "Enrolment code for admin '" << result.value().admin
                      << "' (use it once, within 72 hours):\n"
                      << "  " << result.value().code << "\n";
        }
        return 0;
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
