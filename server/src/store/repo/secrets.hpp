// Repository: the server's settings and sealed secrets (store/store.hpp): the key custody
// rows (key_custody.hpp) and the server's own keys (server_keys.hpp), sealed above the store.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/repo/types.hpp"

namespace liaise::server::store {

struct SecretRow {
    std::string name;
    Id id = 0;  ///< the record id the secret is sealed for
    Bytes sealed;
    std::optional<Bytes> public_half;
};

class SecretsView {
  public:
    virtual ~SecretsView() = default;
    /// A setting's value, if set.
    [[nodiscard]] virtual std::optional<std::string> setting(std::string_view key) const = 0;
    [[nodiscard]] virtual std::optional<SecretRow> secret(Id id) const = 0;
    /// Every secret, ascending by id.
    [[nodiscard]] virtual std::vector<SecretRow> secrets() const = 0;
};

class Secrets : public SecretsView {
  public:
    virtual void set_setting(std::string_view key, std::string_view value) = 0;
    /// Removes a setting; nothing happens if it is not set.
    virtual void erase_setting(std::string_view key) = 0;
    /// Adds a secret; false (and no change) if one with that name or id exists.
    virtual bool add_secret(const SecretRow& s) = 0;
    virtual void reseal_secret(Id id, const Bytes& sealed) = 0;
};

}  // namespace liaise::server::store
