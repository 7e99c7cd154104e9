// The dictionary TSV parser: any bytes parse or give problems with a reason; what parses writes
// back to text that parses to the same entries.
#include <cstdlib>
#include <string_view>

#include "fuzz_target.hpp"
#include "liaise/jargon/dictionary.hpp"
#include "liaise/jargon/engine.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto parsed = liaise::jargon::parse_dictionary("fuzz", "fuzz.tsv", text);
    if (!parsed.ok()) {
        for (const auto& p : parsed.problems())
            if (p.reason.empty())
                std::abort();
        return 0;
    }
    const auto written = liaise::jargon::write_dictionary(parsed.value());
    const auto again = liaise::jargon::parse_dictionary("fuzz", "again.tsv", written);
    if (!again.ok() || liaise::jargon::write_dictionary(again.value()) != written)
        std::abort();
    liaise::jargon::DictionarySet set;
    set.dictionaries.push_back(parsed.value());
    (void)liaise::jargon::Engine::compile(set);
    return 0;
}
