// The C functions the JavaScript API (api.js) calls. Strings go in as (pointer, length) in the
// module's memory, owned by the caller; each call's answer (JSON, UTF-8) stays in one buffer
// until the next call: liaise_result_size() is its length.
#include <emscripten/emscripten.h>

#include <cstddef>
#include <string>
#include <string_view>

#include "session.hpp"

namespace {

liaise::jargon::wasm::Session& session() {
    static liaise::jargon::wasm::Session s;
    return s;
}

std::string& result() {
    static std::string r;
    return r;
}

const char* answer(std::string value) {
    result() = std::move(value);
    return result().c_str();
}

}  // namespace

extern "C" {

EMSCRIPTEN_KEEPALIVE const char* liaise_load(const char* reply, std::size_t size) {
    return answer(session().load({reply, size}));
}

EMSCRIPTEN_KEEPALIVE const char* liaise_check(const char* text, std::size_t size,
                                              const char* audience, int fix) {
    return answer(session().check({text, size}, audience, fix != 0));
}

EMSCRIPTEN_KEEPALIVE const char* liaise_draft(const char* text, std::size_t size,
                                              const char* audience, const char* writers,
                                              const char* glossary) {
    return answer(session().draft({text, size}, audience, writers, glossary));
}

EMSCRIPTEN_KEEPALIVE const char* liaise_check_for_reader(const char* text, std::size_t size,
                                                         const char* reader, const char* writers,
                                                         const char* glossary, const char* met) {
    return answer(session().check_for_reader({text, size}, reader, writers, glossary, met));
}

EMSCRIPTEN_KEEPALIVE const char* liaise_explain(const char* term, std::size_t size) {
    return answer(session().explain({term, size}));
}

EMSCRIPTEN_KEEPALIVE const char* liaise_reading_age(const char* text, std::size_t size,
                                                    int hardest) {
    return answer(liaise::jargon::wasm::Session::reading_age(
        {text, size}, static_cast<std::size_t>(hardest < 0 ? 0 : hardest)));
}

EMSCRIPTEN_KEEPALIVE std::size_t liaise_result_size() {
    return result().size();
}

}  // extern "C"
