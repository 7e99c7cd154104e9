#include "liaise/jargon/findings_json.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "liaise/jargon/fix.hpp"
#include "shortest_form.hpp"

namespace liaise::jargon {

namespace detail {

// The shortest "%.*e" that reads back as `d`, set out in both styles (shortest_form.hpp).
std::string shortest_form(double d) {
    char sci[40];
    for (int precision = 0; precision <= 16; ++precision) {
        std::snprintf(sci, sizeof sci, "%.*e", precision, d);
        if (std::strtod(sci, nullptr) == d)
            break;
    }
    // sci is [-]D[.DDD]e(+|-)XX
    std::string_view s(sci);
    std::string sign;
    if (s.front() == '-') {
        sign = "-";
        s.remove_prefix(1);
    }
    const auto e = s.find('e');
    std::string digits(s.substr(0, e));
    if (digits.size() > 1)
        digits.erase(1, 1);  // the point
    const int exponent = std::atoi(std::string(s.substr(e + 1)).c_str());
    std::string scientific = sign + digits.substr(0, 1);
    if (digits.size() > 1)
        scientific += "." + digits.substr(1);
    const auto magnitude = std::to_string(exponent < 0 ? -exponent : exponent);
    scientific +=
        std::string(exponent < 0 ? "e-" : "e+") + (magnitude.size() < 2 ? "0" : "") + magnitude;
    std::string fixed = sign;
    if (exponent >= 0) {
        const auto whole = static_cast<std::size_t>(exponent) + 1;
        if (digits.size() <= whole) {
            // A whole number: its exact digits, as to_chars gives them (equal in length to the
            // shortest digits padded with zeros; different beyond 2^53).
            char exact[400];
            std::snprintf(exact, sizeof exact, "%.0f", d);
            fixed = exact;
        } else {
            fixed += digits.substr(0, whole) + "." + digits.substr(whole);
        }
    } else {
        fixed += "0." + std::string(static_cast<std::size_t>(-exponent - 1), '0') + digits;
    }
    return fixed.size() <= scientific.size() ? fixed : scientific;
}

}  // namespace detail

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
        // Runs that need no escape are appended whole: one character at a time costs a call
        // each in the WebAssembly build, whose std::string members are not inlined.
        std::size_t run = 0;
        for (std::size_t i = 0; i < s.size(); ++i) {
            const auto b = static_cast<unsigned char>(s[i]);
            if (b >= 0x20 && b != '"' && b != '\\')
                continue;
            out_.append(s.data() + run, i - run);
            run = i + 1;
            switch (b) {
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
                default: {
                    const char escape[] = {'\\', 'u', '0', '0', kHex[b >> 4], kHex[b & 0xF]};
                    out_.append(escape, sizeof escape);
                }
            }
        }
        out_.append(s.data() + run, s.size() - run);
        out_.push_back('"');
    }

    void number(std::size_t n) { out_.append(std::to_string(n)); }

    /// Shortest round-trip form, always with a fraction or exponent.
    void number(double d) {
        if (!std::isfinite(d)) {
            out_.append("null");
            return;
        }
#if defined(_LIBCPP_VERSION)
        // libc++ (the WebAssembly build) has no floating-point to_chars.
        const auto shortest = detail::shortest_form(d);
        const std::string_view text(shortest);
#else
        char buf[32];
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

/// {"findings": [...], "readability": ... without the closing brace, for callers to add to.
void write_fields(Writer& w, const CheckResult& result) {
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
    write_fields(w, result);
    w.raw("}");
    return out;
}

std::string draft_json(std::string_view text, const CheckResult& result,
                       std::string_view audience) {
    const auto choices = offer_fixes(text, result.findings);
    std::string out;
    out.reserve(2 * text.size() + 1024 * (result.findings.size() + 1));
    Writer w(out);
    write_fields(w, result);
    w.key("audience");
    w.string(audience);
    const auto fix = [&w](const std::optional<Fix>& f) {
        if (!f) {
            w.raw("null");
            return;
        }
        w.raw("{");
        w.key("start", true);
        w.number(f->start);
        w.key("end");
        w.number(f->end);
        w.key("text");
        w.string(f->text);
        w.raw("}");
    };
    const auto flag = [&w](std::string_view key, bool value) {
        w.key(key);
        w.raw(value ? "true" : "false");
    };
    w.key("fixes");
    w.raw("[");
    for (std::size_t i = 0; i < choices.size(); ++i) {
        w.raw(i > 0 ? ",{" : "{");
        w.key("replace", true);
        fix(choices[i].replace);
        w.key("explain");
        fix(choices[i].explain);
        flag("modifier", choices[i].modifier);
        flag("bracketed", choices[i].bracketed);
        flag("follows_modifier", choices[i].follows_modifier);
        w.raw("}");
    }
    w.raw("]");
    // As fix_text() for each mode, from the one offer above.
    w.key("fixed");
    w.string(apply_fixes(text, choose_fixes(choices, FixMode::replace_where_it_fits)));
    w.key("explained");
    w.string(apply_fixes(text, choose_fixes(choices, FixMode::explain_only)));
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
