// The engine's check with every shipped dictionary: any bytes (valid UTF-8 or not) check
// without crashing; findings lie inside the text, in order, without overlap; rewrite works.
#include <cstdlib>
#include <string_view>

#include "fuzz_target.hpp"
#include "liaise/jargon/engine.hpp"

namespace {
const liaise::jargon::Engine& engine() {
    static const auto e = [] {
        const auto set = liaise::jargon::load_dictionary_dir(LIAISE_SOURCE_DICTIONARIES);
        if (!set.ok())
            std::abort();
        return liaise::jargon::Engine::compile(set.value()).value();
    }();
    return *e;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    for (const auto& audience :
         {liaise::jargon::Audience::everyone(), liaise::jargon::Audience::of({"education"})}) {
        const auto result = engine().check(text, audience);
        std::size_t last_end = 0;
        for (const auto& f : result.findings) {
            if (f.start < last_end || f.end > size || f.start >= f.end || f.line == 0 ||
                f.column == 0)
                std::abort();
            last_end = f.end;
        }
        (void)liaise::jargon::rewrite(text, result.findings);
    }
    return 0;
}
