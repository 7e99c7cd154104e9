#include "liaise/jargon/result.hpp"

namespace liaise::jargon {

std::string Problem::to_string() const {
    std::string out;
    if (!file.empty())
        out += file + ":";
    if (line > 0)
        out += std::to_string(line) + ":";
    if (!out.empty())
        out += " ";
    out += reason;
    return out;
}

}  // namespace liaise::jargon
