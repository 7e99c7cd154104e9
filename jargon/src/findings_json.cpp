#include "liaise/jargon/findings_json.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace liaise::jargon {
namespace {

/// Appends JSON text to a string: just enough for findings (objects are written key by key by
/// the caller, so key order is the order of the calls).
class Writer {
  public:
    explicit Writer(std::string& out) : out_(out) {}

    void raw(std::string_view s) { out_.append(s); }

    /// A JSON string: '"' and '\' escaped, control characters as \b \f \n \r \t or \u00XX,
    /// everything else (including non-ASCII UTF-8) copied as it is.
    void string(std::string_view s) {
        static constexpr char kHex[] = "0123456789abcdef";
        out_.push_back('"');
        for (const char c : s) {
            const auto b = static_cast<unsigned char>(c);
            switch (c) {
                case '"':
                    out_.append("\\\"");
                    break;
                case '\\':
                    out_.append("\\\\");
                    break;
                case '\b':
                    out_.append("\\b");
                    break;
                case '\f':
                    out_.append("\\f");
                    break;
                case '\n':
                    out_.append("\\n");
                    break;
                case '\r':
                    out_.append("\\r");
                    break;
                case '\t':
                    out_.append("\\t");
                    break;
                default:
                    if (b < 0x20) {
                        out_.append("\\u00");
                        out_.push_back(kHex[b >> 4]);
                        out_.push_back(kHex[b & 0xF]);
                    } else {
                        out_.push_back(c);
                    }
            }
        }
        out_.push_back('"');
    }

    void number(std::size_t n) { out_.append(std::to_string(n)); }

    /// Shortest round-trip form, always with a fraction or exponent.
    void number(double d) {
        if (!std::isfinite(d)) {
            out_.append("null");
            return;
        }
        char buf[32];
#if defined(_LIBCPP_VERSION)
        // libc++ (the WebAssembly build) has no floating-point to_chars: the shortest "%.*g"
        // that reads back as the same double. Nothing there changes the C locale, and every
        // reader parses the number, so both builds give the same value.
        int len = 0;
        for (int precision = 1; precision <= 17; ++precision) {
            len = std::snprintf(buf, sizeof buf, "%.*g", precision, d);
            if (std::strtod(buf, nullptr) == d)
                break;
        }
        const std::string_view text(buf, static_cast<std::size_t>(len));
#else
        const auto r = std::to_chars(buf, buf + sizeof buf, d);
        const std::string_view text(buf, static_cast<std::size_t>(r.ptr - buf));
#endif
        out_.append(text);
        // Keep it a JSON number with a fraction, so that readers keep it a double (3 -> 3.0).
        if (text.find_first_of(".e") == std::string_view::npos)
            out_.append(".0");
    }

    /// `"key":` preceded by a comma unless it is the object's first.
    void key(std::string_view k, bool first = false) {
        if (!first)
            out_.push_back(',');
        string(k);
        out_.push_back(':');
    }

    void strings(const std::vector<std::string>& items) {
        out_.push_back('[');
        for (std::size_t i = 0; i < items.size(); ++i) {
            if (i > 0)
                out_.push_back(',');
            string(items[i]);
        }
        out_.push_back(']');
    }

  private:
    std::string& out_;
};

void write(Writer& w, const Finding& f) {
    w.raw("{");
    w.key("start", true);
    w.number(f.start);
    w.key("end");
    w.number(f.end);
    w.key("line");
    w.number(f.line);
    w.key("column");
    w.number(f.column);
    w.key("text");
    w.string(f.text);
    w.key("term");
    w.string(f.term);
    w.key("kind");
    w.string(to_string(f.kind));
    w.key("disciplines");
    w.strings(f.disciplines());
    w.key("alternatives");
    w.strings(f.alternatives());
    w.key("explanation");
    w.string(f.explanation());
    w.key("meanings");
    w.raw("[");
    bool first = true;
    for (const auto& m : f.meanings) {
        if (!first)
            w.raw(",");
        first = false;
        w.raw("{");
        w.key("discipline", true);
        w.string(m.discipline);
        w.key("alternatives");
        w.strings(m.alternatives);
        w.key("explanation");
        w.string(m.explanation);
        w.raw("}");
    }
    w.raw("]}");
}

}  // namespace

std::string findings_json(const Finding& finding) {
    std::string out;
    Writer w(out);
    write(w, finding);
    return out;
}

std::string findings_json(const CheckResult& result) {
    std::string out;
    Writer w(out);
    w.raw("{");
    w.key("findings", true);
    w.raw("[");
    for (std::size_t i = 0; i < result.findings.size(); ++i) {
        if (i > 0)
            w.raw(",");
        write(w, result.findings[i]);
    }
    w.raw("]");
    w.key("readability");
    if (!result.readability) {
        w.raw("null");
    } else {
        const auto& r = *result.readability;
        w.raw("{");
        w.key("flesch_reading_ease", true);
        w.number(r.flesch_reading_ease);
        w.key("average_sentence_length");
        w.number(r.average_sentence_length);
        w.key("long_sentence_share");
        w.number(r.long_sentence_share);
        w.key("sentences");
        w.number(r.sentences);
        w.key("words");
        w.number(r.words);
        w.raw("}");
    }
    w.raw("}");
    return out;
}

std::string reading_age_json(std::string_view text, const ReadingAge& age) {
    const auto tenths = [](double x) { return std::round(x * 10) / 10; };
    std::string out;
    Writer w(out);
    w.raw("{");
    w.key("years", true);
    w.number(tenths(age.years));
    w.key("aim");
    w.string("9-11");
    w.key("above_aim");
    w.raw(age.above_aim() ? "true" : "false");
    w.key("sentences");
    w.number(age.sentences);
    w.key("words");
    w.number(age.words);
    w.key("hardest");
    w.raw("[");
    for (std::size_t i = 0; i < age.hardest.size(); ++i) {
        const auto& s = age.hardest[i];
        w.raw(i > 0 ? ",{" : "{");
        w.key("start", true);
        w.number(s.start);
        w.key("end");
        w.number(s.end);
        w.key("reading_age");
        w.number(tenths(s.reading_age));
        w.key("text");
        w.string(text.substr(s.start, s.end - s.start));
        w.raw("}");
    }
    w.raw("]}");
    return out;
}

}  // namespace liaise::jargon
