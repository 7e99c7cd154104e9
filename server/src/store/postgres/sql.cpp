#include "store/postgres/sql.hpp"

namespace liaise::server::pg {

namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

}  // namespace

std::optional<std::string> param(const store::Bytes& v) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out = "\\x";
    out.reserve(2 + 2 * v.size());
    for (const auto b : v) {
        out += digits[b >> 4];
        out += digits[b & 0xf];
    }
    return out;
}

std::string numbered(std::string_view sql) {
    std::string out;
    out.reserve(sql.size() + 16);
    int n = 0;
    for (const char c : sql) {
        if (c == '?')
            out += "$" + std::to_string(++n);
        else
            out += c;
    }
    return out;
}

store::Bytes bytes(const Result& r, int row, int col) {
    const auto t = r.text(row, col);
    store::Bytes out;
    if (t.size() < 2 || t[0] != '\\' || t[1] != 'x')
        throw Error("a bytea value is not in hex form (set bytea_output = 'hex')", "");
    out.reserve((t.size() - 2) / 2);
    for (std::size_t i = 2; i + 1 < t.size(); i += 2) {
        const int hi = hex_value(t[i]);
        const int lo = hex_value(t[i + 1]);
        if (hi < 0 || lo < 0)
            throw Error("a bytea value is not in hex form", "");
        out.push_back(static_cast<unsigned char>(hi * 16 + lo));
    }
    return out;
}

store::Bytes Row::bytes(int col) const {
    return pg::bytes(*r_, i_, col);
}

std::vector<std::int64_t> int64_column(const Result& r) {
    std::vector<std::int64_t> out;
    out.reserve(static_cast<std::size_t>(r.rows()));
    for (int i = 0; i < r.rows(); ++i)
        out.push_back(r.int64(i, 0));
    return out;
}

}  // namespace liaise::server::pg
