// `liaise chat ROOM`: the room's messages in a scrolling pane, a one-line status bar, and an
// input line whose drafts are checked against the room's audience before they are sent.
//
// One thread does everything. It waits up to kKeyWait for a key, then drains the connection's
// events, so messages appear while the person types. The screen is drawn afresh from the model
// (pane lines, draft, status) after every change, so a resize is just another redraw.
#include "chat.hpp"

#include <langinfo.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <clocale>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <cwchar>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli_support.hpp"
#include "events.hpp"
#include "liaise/client/client.hpp"
#include "liaise/client/display.hpp"
#include "liaise/client/local_time.hpp"
#include "liaise/client/plain.hpp"
#include "liaise/jargon/fix.hpp"
#include "liaise/jargon/reader.hpp"
#include "liaise/jargon/reading_age.hpp"
#include "liaise/protocol/fields.hpp"
#include "plain_reading.hpp"
#include "unlock_cli.hpp"

// Last, with the wide-character API and without the function-like macros (move, erase,
// timeout, …) that would clash with the standard library.
#define NCURSES_WIDECHAR 1
#define NCURSES_NOMACROS
#include <curses.h>

namespace liaise::client::cli {
namespace {

namespace json = boost::json;
using protocol::str;
using Clock = std::chrono::steady_clock;

/// One turn of the loop waits up to kKeyWaitMs for a key, then up to kEventWait for the server
/// (Connection counts whole milliseconds, so a wait under 2 ms would never read at all).
constexpr int kKeyWaitMs = 40;
constexpr std::chrono::milliseconds kEventWait{10};
/// While keys keep coming, the connection is still looked at this often.
constexpr auto kEventPoll = std::chrono::milliseconds(50);
/// Waits between attempts to log in again after the connection was lost.
constexpr auto kFirstRetry = std::chrono::seconds(1);
constexpr auto kNextRetry = std::chrono::seconds(5);

// ---- Text: UTF-8 in the model's inputs, wide characters on the screen ----------------------

/// Decodes UTF-8; each invalid or truncated sequence becomes U+FFFD (a message's text comes
/// from another device and is not trusted to be valid).
std::wstring widen(std::string_view s) {
    std::wstring out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size();) {
        const auto cp = next_code_point(s, i);
        out += cp == kInvalidUtf8 ? L'\uFFFD' : static_cast<wchar_t>(cp);
    }
    return out;
}

std::string narrow(std::wstring_view s) {
    std::string out;
    out.reserve(s.size());
    for (const wchar_t wc : s) {
        const auto cp = static_cast<char32_t>(wc);
        if ((cp < 0xD800 || cp > 0xDFFF) && cp <= 0x10FFFF)  // others are not characters
            append_utf8(out, cp);
    }
    return out;
}

/// Terminal cells a character takes: 2 for wide (CJK, most emoji), 0 for combining marks.
int cells(wchar_t c) {
    const int w = ::wcwidth(c);
    return w < 0 ? 1 : w;
}

int cells(std::wstring_view s) {
    int n = 0;
    for (const wchar_t c : s)
        n += cells(c);
    return n;
}

/// `text` safe to draw as one line: display_line() (controls, bidirectional overrides and
/// invalid UTF-8 shown as U+FFFD, tabs as spaces), and then any character this terminal cannot
/// draw or measure becomes a replacement mark too.
std::wstring printable(std::string_view text) {
    auto out = widen(display_line(text));
    const wchar_t mark = ::wcwidth(L'\uFFFD') == 1 ? L'\uFFFD' : L'?';
    for (auto& c : out) {
        if (c == L'\t')
            c = L' ';
        else if (::wcwidth(c) < 0)
            c = mark;
    }
    return out;
}

/// Breaks `text` into rows of at most `width` cells, at spaces where it can and inside a word
/// where it must. Rows after the first are indented two cells more than the text itself, so a
/// wrapped line reads as one.
std::vector<std::wstring> wrap(const std::wstring& text, int width) {
    std::vector<std::wstring> rows;
    if (width <= 0)
        return rows;
    const auto lead = std::min(text.find_first_not_of(L' '), text.size());
    const auto indent = static_cast<std::size_t>(std::min(static_cast<int>(lead) + 2, width / 2));
    constexpr auto none = std::wstring::npos;
    std::wstring row;
    std::size_t start = 0;   // where this row's own text begins (after the indent)
    std::size_t brk = none;  // just after the row's last space: where it may break
    int used = 0;
    for (const wchar_t c : text) {
        const int w = cells(c);
        while (used + w > width && row.size() > start) {
            std::wstring rest;
            if (brk != none && brk > start) {
                rest = row.substr(brk);
                row.resize(brk);
            }
            while (row.size() > start && row.back() == L' ')
                row.pop_back();
            rows.push_back(std::move(row));
            rest.erase(0, std::min(rest.find_first_not_of(L' '), rest.size()));
            row = std::wstring(indent, L' ') + rest;
            start = indent;
            used = cells(row);
            const auto space = row.find_last_of(L' ');
            brk = space != none && space >= start ? space + 1 : none;
        }
        row += c;
        used += w;
        if (c == L' ')
            brk = row.size();
    }
    if (row.size() > start || rows.empty())
        rows.push_back(std::move(row));
    return rows;
}

/// Uses the person's locale for characters, or C.UTF-8 when theirs is not UTF-8: the chat
/// reads and draws UTF-8 either way.
void use_utf8_locale() {
    std::setlocale(LC_CTYPE, "");
    if (std::strcmp(::nl_langinfo(CODESET), "UTF-8") != 0)
        std::setlocale(LC_CTYPE, "C.UTF-8");
}

// ---- The terminal --------------------------------------------------------------------------

volatile std::sig_atomic_t g_stop = 0;
void on_stop_signal(int) {
    g_stop = 1;
}

/// SIGINT, SIGTERM and SIGHUP end the chat through its normal exit (so the terminal is
/// restored), not mid-draw. Installed before curses starts, so curses keeps its hands off them;
/// the previous handlers come back on destruction.
class StopSignals {
  public:
    StopSignals() {
        struct sigaction action {};
        action.sa_handler = on_stop_signal;
        sigemptyset(&action.sa_mask);
        action.sa_flags = 0;  // no SA_RESTART: a key wait returns at once
        for (std::size_t i = 0; i < kSignals.size(); ++i)
            ::sigaction(kSignals[i], &action, &saved_[i]);
    }
    ~StopSignals() {
        for (std::size_t i = 0; i < kSignals.size(); ++i)
            ::sigaction(kSignals[i], &saved_[i], nullptr);
    }
    StopSignals(const StopSignals&) = delete;
    StopSignals& operator=(const StopSignals&) = delete;

  private:
    static constexpr std::array<int, 3> kSignals{SIGINT, SIGTERM, SIGHUP};
    std::array<struct sigaction, 3> saved_{};
};

enum Pair : short { kErrorPair = 1, kFindingPair, kNotePair, kNoticePair };

/// Curses on this process's terminal, for the object's lifetime. Owned by chat(); the
/// destructor restores the terminal (endwin) however the chat ends.
class Screen {
  public:
    Screen() : screen_(::newterm(nullptr, stdout, stdin)) {
        if (screen_ == nullptr)
            return;
        ::set_term(screen_);
        ::raw();  // Ctrl-C arrives as a key, so quitting goes through the same clean path
        ::noecho();
        ::keypad(stdscr, TRUE);
        ::set_escdelay(25);
        ::wtimeout(stdscr, kKeyWaitMs);
        if (::has_colors() == TRUE) {
            ::start_color();
            ::use_default_colors();
            ::init_pair(kErrorPair, COLOR_RED, -1);
            ::init_pair(kFindingPair, COLOR_YELLOW, -1);
            ::init_pair(kNotePair, COLOR_CYAN, -1);
            ::init_pair(kNoticePair, COLOR_GREEN, -1);
        }
    }
    ~Screen() {
        if (screen_ == nullptr)
            return;
        ::endwin();
        ::delscreen(screen_);
    }
    Screen(const Screen&) = delete;
    Screen& operator=(const Screen&) = delete;

    [[nodiscard]] explicit operator bool() const noexcept { return screen_ != nullptr; }

  private:
    SCREEN* screen_;
};

/// Draws at most `max_cells` cells of `s` at (y, x) without wrapping.
void put(int y, int x, std::wstring_view s, int max_cells) {
    int used = 0;
    std::size_t n = 0;
    while (n < s.size() && used + cells(s[n]) <= max_cells)
        used += cells(s[n++]);
    if (n > 0)
        ::mvwaddnwstr(stdscr, y, x, s.data(), static_cast<int>(n));
}

// ---- The chat ------------------------------------------------------------------------------

enum class Tone { message, own, note, notice, finding, error };

/// One logical line of the pane, wrapped lazily for the current width.
struct PaneLine {
    std::wstring text;
    Tone tone = Tone::message;
    int wrapped_for = -1;
    std::vector<std::wstring> rows;

    const std::vector<std::wstring>& rows_for(int width) {
        if (wrapped_for != width) {
            rows = wrap(text, width);
            wrapped_for = width;
        }
        return rows;
    }
};

/// A draft held back because of findings, waiting for [f]ix, [s]end anyway, [e]dit or
/// e[x]plain; after [f]ix or e[x]plain, the rewritten draft shown and waiting for "Send this?
/// [y/N]".
struct Pending {
    std::string text;
    std::vector<jargon::Finding> findings;
    std::optional<std::string> rewritten;  ///< set once [f]ix has shown the rewritten draft
};

/// A message waiting for "Send it to them? [y/N]": the room has readers this device has never
/// written to (Client::send's ConfirmReaders), shown to the person before anything is sent.
struct NewReaders {
    std::string text;
    std::vector<NewReader> readers;
};

/// The chat's state and its event loop. Lives on one thread, with curses started; owns the
/// Client (replaced by a fresh login when the connection is lost).
class Chat {
  public:
    Chat(const Home& home, std::shared_ptr<const agent::HeldKeys> keys,
         std::unique_ptr<Client> client, std::string room,
         std::shared_ptr<const jargon::Engine> engine, RoomReaders readers)
        : home_(home),
          keys_(std::move(keys)),
          client_(std::move(client)),
          room_(std::move(room)),
          me_(client_->profile().user),
          discipline_(client_->discipline()),
          engine_(std::move(engine)),
          readers_(std::move(readers)) {}
    Chat(const Chat&) = delete;
    Chat& operator=(const Chat&) = delete;

    /// "New login from device 3 …" for each login by another device since this one's last.
    void show_new_logins() {
        for (const auto& l : client_->new_logins())
            if (l.is_object())
                notice(new_login_line(l.get_object(), client_->profile().device));
    }

    void show_history(const History& history) {
        for (const auto& m : history.messages) {
            show(m);
            last_seq_ = std::max(last_seq_, m.seq);
        }
        for (const auto& note : history.notes)
            notice("Note: " + note + ".");
        notice("You are " + readers_.people.name(me_) + " in " + room_ +
               ". Drafts are checked for this room's readers before they are sent.");
        show_glossary();
    }

    /// The room's agreed terms, for someone who joins it or whose room just agreed new ones.
    void show_glossary() {
        for (const auto& line : glossary_lines(readers_.glossary, readers_.glossary_version))
            add_line(line, Tone::notice);
    }

    /// Runs until the person quits or a stop signal arrives. Returns the exit status.
    int run() {
        render();
        auto polled = Clock::now();
        while (!quit_ && g_stop == 0) {
            wint_t key = 0;
            const int got = ::wget_wch(stdscr, &key);
            if (got == KEY_CODE_YES)
                on_key(static_cast<int>(key));
            else if (got == OK)
                on_char(static_cast<wchar_t>(key));
            if (got == ERR || Clock::now() - polled >= kEventPoll) {
                tend_connection();
                polled = Clock::now();
            }
            if (dirty_)
                render();
        }
        return 0;
    }

  private:
    // ---- the pane

    void add_line(std::wstring text, Tone tone) {
        PaneLine line;
        line.text = std::move(text);
        line.tone = tone;
        if (scroll_ > 0)  // keep the rows the person is reading where they are
            scroll_ += static_cast<int>(line.rows_for(width()).size());
        lines_.push_back(std::move(line));
        dirty_ = true;
    }
    void add_line(std::string_view text, Tone tone) { add_line(printable(text), tone); }
    void notice(std::string_view text) { add_line(text, Tone::notice); }
    void error(std::string_view what, const protocol::Error& e) {
        add_line(std::string(what) + e.message + " (" + e.code + ")", Tone::error);
    }

    /// A message as `liaise read` prints it: annotated for this reader, with numbered notes.
    void show(const ReadMessage& m) {
        if (const auto heading = days_.next(m.sent_at))  // the time alone is shown below it
            add_line(*heading, Tone::notice);
        if (m.event) {  // a membership change, in the room's own order
            add_line("#" + std::to_string(m.seq) + " " + local_clock(m.sent_at) + " \u2014 " +
                         describe_event(*m.event) + ".",
                     Tone::notice);
            return;
        }
        const std::string head = "#" + std::to_string(m.seq) + " " + local_clock(m.sent_at) + " " +
                                 readers_.people.name(m.sender) + ": ";
        const auto warn = [&] {
            for (const auto& w : m.warnings)
                add_line(std::string(kContinuation) + "! warning: " + w.message, Tone::error);
        };
        if (!m.text) {
            add_line(
                head + "[cannot read this message: " + m.error.message + " (" + m.error.code + ")]",
                Tone::error);
            warn();
            return;
        }
        const auto in_room =
            explain_in_room(*engine_, *m.text, discipline_, m.sender, readers_, met_);
        const auto& explained = in_room.result;
        // Each line after the first comes indented (display_block), as in `liaise read`.
        const auto text = display_block(annotate(*m.text, explained.findings));
        const Tone tone = m.sender == me_ ? Tone::own : Tone::message;
        std::size_t begin = 0;
        for (bool first = true;; first = false) {
            const auto end = std::min(text.find('\n', begin), text.size());
            const auto part = std::string_view(text).substr(begin, end - begin);
            add_line(first ? head + std::string(part) : std::string(part), tone);
            if (end == text.size())
                break;
            begin = end + 1;
        }
        for (const auto& note : notes(explained.findings))
            add_line(std::string(kContinuation) + note, Tone::note);
        for (const auto& note : room_notes(in_room.first_met))
            add_line(std::string(kContinuation) + note, Tone::note);
        warn();
    }

    void show_findings(const std::vector<jargon::Finding>& findings) {
        add_line("Not sent yet: readers in this room (" + audience_text() +
                     ") may not know these terms:",
                 Tone::finding);
        for (const auto& f : findings)
            add_line("  " + finding_line(f), Tone::finding);
    }

    // ---- keys

    void on_char(wchar_t c) {
        dirty_ = true;
        if (discarding_) {  // "Discard the draft? (y/n)"
            discarding_ = false;
            if (c == L'y' || c == L'Y' || c == 3)  // Ctrl-C twice also means yes
                quit_ = true;
            else
                notice("The draft is kept.");
            return;
        }
        if (c == 3) {  // Ctrl-C: at once on an empty line; a half-written draft is asked about
            if (draft_.empty() || pending_ || new_readers_) {
                quit_ = true;
                return;
            }
            discarding_ = true;
            return;
        }
        if (new_readers_) {
            auto held = std::move(*new_readers_);
            new_readers_.reset();
            if (c == L'y' || c == L'Y') {
                (void)send(held.text, true);
            } else {
                cursor_ = draft_.size();
                notice("Not sent: the draft is still here; press Enter to be asked again.");
            }
            return;
        }
        if (pending_) {
            choose(c);
            return;
        }
        switch (c) {
            case L'\n':
            case L'\r':
                submit();
                return;
            case 4:  // Ctrl-D: quit on an empty line, else delete forward
                if (draft_.empty())
                    quit_ = true;
                else if (cursor_ < draft_.size())
                    draft_.erase(cursor_, 1);
                return;
            case 8:
            case 127:
                backspace();
                return;
            case 1:  // Ctrl-A
                cursor_ = 0;
                return;
            case 5:  // Ctrl-E
                cursor_ = draft_.size();
                return;
            case 11:  // Ctrl-K
                draft_.erase(cursor_);
                return;
            case 21:  // Ctrl-U
                draft_.erase(0, cursor_);
                cursor_ = 0;
                return;
            case 12:  // Ctrl-L
                ::clearok(curscr, TRUE);
                return;
            default:
                break;
        }
        if (c < 0x20 || c == 0x7F || ::wcwidth(c) < 0)
            return;  // Esc, Tab and other keys with no meaning here
        draft_.insert(cursor_++, 1, c);
    }

    void on_key(int key) {
        dirty_ = true;
        const int page = std::max(1, pane_height() - 1);
        switch (key) {
            case KEY_RESIZE:
                return;  // render() lays the screen out for the new size
            case KEY_PPAGE:
                scroll_by(page);
                return;
            case KEY_NPAGE:
                scroll_by(-page);
                return;
            case KEY_UP:
                scroll_by(1);
                return;
            case KEY_DOWN:
                scroll_by(-1);
                return;
            default:
                break;
        }
        if (pending_ || new_readers_ || discarding_)
            return;
        switch (key) {
            case KEY_ENTER:
                submit();
                return;
            case KEY_BACKSPACE:
                backspace();
                return;
            case KEY_DC:
                if (cursor_ < draft_.size())
                    draft_.erase(cursor_, 1);
                return;
            case KEY_LEFT:
                cursor_ -= cursor_ > 0 ? 1 : 0;
                return;
            case KEY_RIGHT:
                cursor_ += cursor_ < draft_.size() ? 1 : 0;
                return;
            case KEY_HOME:
                cursor_ = 0;
                return;
            case KEY_END:
                cursor_ = draft_.size();
                return;
            default:
                return;
        }
    }

    void backspace() {
        if (cursor_ == 0)
            return;
        draft_.erase(--cursor_, 1);
    }

    void scroll_by(int rows) {
        scroll_ = std::clamp(scroll_ + rows, 0, std::max(0, total_rows() - pane_height()));
    }

    /// Enter: a command, or a draft to check and send.
    void submit() {
        const std::string text = narrow(draft_);
        const auto first = text.find_first_not_of(' ');
        if (first == std::string::npos)
            return;
        if (text.compare(first, 2, "//") == 0) {  // a literal slash: "//text" sends "/text"
            check_and_send(text.substr(0, first) + text.substr(first + 1));
            return;
        }
        if (text[first] == '/') {  // a command, never sent to the room
            command(text.substr(first, text.find_last_not_of(' ') + 1 - first));
            return;
        }
        check_and_send(text);
    }

    static constexpr const char* kCommands =
        "/help  /quit  /verify  /explain TERM  /actions  (start with // to send a line that "
        "begins with /)";

    /// `line`: "/name" and its argument, trimmed. An unknown one is refused and the draft kept.
    void command(const std::string& line) {
        const auto space = line.find(' ');
        const auto name = line.substr(0, space);
        auto arg = space == std::string::npos ? std::string() : line.substr(space + 1);
        arg.erase(0, std::min(arg.find_first_not_of(' '), arg.size()));
        const auto done = [this] {
            draft_.clear();
            cursor_ = first_ = 0;
            scroll_ = 0;
        };
        if (name == "/quit") {
            quit_ = true;
        } else if (name == "/help") {
            done();
            notice(std::string("Commands: ") + kCommands +
                   ". Anything else you type is checked "
                   "for this room's readers and sent.");
        } else if (name == "/verify") {
            done();
            show_verify();
        } else if (name == "/explain" && !arg.empty()) {
            done();
            show_explain(arg);
        } else if (name == "/explain") {
            notice("Say which term: /explain TERM (e.g. /explain CIN).");
        } else if (name == "/actions") {
            done();
            show_actions();
        } else {
            add_line("Not sent: '" + name + "' is not a command. Commands: " + kCommands + ".",
                     Tone::error);
        }
    }

    void show_verify() {
        notice("To verify someone in " + room_ +
               ": meet or phone them, compare the safety number 'liaise fingerprint USER' shows "
               "you with the one theirs shows them, then run 'liaise verify USER NUMBER' (or "
               "'liaise trust USER' after checking). 'liaise room show " +
               room_ + "' lists who is verified. This chat uses the new keys at its next send.");
    }

    void show_explain(const std::string& term) {
        const auto meanings = engine_->explain(term);
        if (meanings.empty()) {
            notice("No dictionary knows '" + term + "'. Ask the administrators: liaise ask '" +
                   term + "'.");
            return;
        }
        for (const auto& m : meanings) {
            std::string alts;
            for (const auto& a : m.alternatives)
                alts += (alts.empty() ? "" : " | ") + a;
            add_line(term + " (" + m.discipline + "): " + alts, Tone::note);
            add_line(std::string(kContinuation) + m.explanation, Tone::note);
        }
    }

    void show_actions() {
        if (!client_) {
            add_line("Cannot list your actions: not connected to the server (trying again).",
                     Tone::error);
            return;
        }
        auto reply = client_->call("actions", {{"mine", true}});
        if (!reply) {
            failed("Cannot list your actions: ", reply.error());
            return;
        }
        const auto& all = protocol::list(reply.value(), "actions");
        if (all.empty()) {
            notice("You have no open actions.");
            return;
        }
        notice("Your actions:");
        for (const auto& v : all) {
            if (!v.is_object())
                continue;
            const auto& a = v.as_object();
            add_line("  #" + std::to_string(protocol::num(a, "id")) + " " + str(a, "what") +
                         " (due " + calendar_text(str(a, "due")) + ", " + str(a, "room") + ", " +
                         str(a, "status") + ")",
                     Tone::notice);
        }
    }

    /// Checks `text` for this room's readers; sends it, or holds it back with its findings.
    void check_and_send(const std::string& text) {
        // The writer's discipline settles ambiguous terms; the room's agreed terms pass.
        auto result = check_draft(*engine_, text, readers_, discipline_);
        // For families: say when the draft needs an older reader than the aim (not a hold-back).
        if (readers_.audience.is_public())
            if (const auto age = jargon::reading_age(text); age && age->above_aim())
                for (const auto& line : reading_age_lines(text, *age))
                    add_line(line, Tone::finding);
        if (result.findings.empty()) {
            (void)send(text);
            return;
        }
        show_findings(result.findings);
        pending_ = Pending{text, std::move(result.findings), std::nullopt};
        scroll_ = 0;
    }

    /// The answer to "[f]ix and send  [s]end anyway  [e]dit  e[x]plain", then, after [f]ix or
    /// e[x]plain, to "Send this?
    /// [y/N]" under the rewritten draft: the dictionaries' words are sent in the person's name
    /// only once they have seen them.
    void choose(wchar_t c) {
        if (pending_->rewritten) {
            if (c == L'y' || c == L'Y') {
                auto held = std::move(*pending_);
                pending_.reset();
                if (send(*held.rewritten) && client_)
                    (void)client_->report_findings("fixed", held.findings);
            } else {
                pending_.reset();
                cursor_ = draft_.size();
                notice("Not sent: edit the draft and press Enter to check it again.");
            }
            return;
        }
        if (c == L'f' || c == L'F' || c == L'x' || c == L'X') {
            const bool explain_only = c == L'x' || c == L'X';
            pending_->rewritten =
                jargon::fix_text(pending_->text, pending_->findings,
                                 explain_only ? jargon::FixMode::explain_only
                                              : jargon::FixMode::replace_where_it_fits);
            add_line(explain_only ? "Each term explained on first use:"
                                  : "Rewritten in plain words where they fit, else explained:",
                     Tone::finding);
            const auto shown = display_block(*pending_->rewritten);
            std::size_t begin = 0;
            while (true) {
                const auto end = std::min(shown.find('\n', begin), shown.size());
                add_line(std::string(kContinuation) + shown.substr(begin, end - begin),
                         Tone::finding);
                if (end == shown.size())
                    break;
                begin = end + 1;
            }
            if (const auto left = left_as_written(pending_->text, pending_->findings);
                !left.empty())
                notice(left);
            scroll_ = 0;
        } else if (c == L's' || c == L'S') {
            auto held = std::move(*pending_);
            pending_.reset();
            if (send(held.text) && client_) {
                // Counted per entry on this device, never the text, and reported a day later:
                // admins see which entries people override.
                (void)client_->report_findings("sent_anyway", held.findings);
            }
        } else if (c == L'e' || c == L'E' || c == 27) {
            pending_.reset();
            cursor_ = draft_.size();
            notice("Not sent: edit the draft and press Enter to check it again.");
        }
    }

    /// Sends `text`; on success clears the draft, shows what the room now holds and returns
    /// true. On failure the draft stays in the input line. Readers this device has never
    /// written to in the room are shown first and the person asked (new_readers_), unless
    /// `readers_accepted` (they said yes to that question).
    bool send(const std::string& text, bool readers_accepted = false) {
        if (!client_) {
            add_line("Not sent: not connected to the server (trying again).", Tone::error);
            return false;
        }
        sending_ = true;
        render();
        client_->reload_pins();  // `liaise verify`/`trust` in another terminal counts at once
        std::vector<NewReader> fresh;
        auto seq =
            client_->send(room_, text, std::nullopt, [&](const std::vector<NewReader>& readers) {
                fresh = readers;
                return readers_accepted;
            });
        sending_ = false;
        dirty_ = true;
        for (const auto& n : client_->last_notices())
            notice("Note: " + n.message + ".");
        if (!seq && seq.error().code == "new_readers") {
            add_line("This message will also be readable by people you have not written to in " +
                         room_ + " before:",
                     Tone::finding);
            for (const auto& r : fresh)
                add_line("  " + r.describe(), Tone::finding);
            new_readers_ = NewReaders{text, std::move(fresh)};
            scroll_ = 0;
            return false;
        }
        if (!seq) {
            failed("Not sent: ", seq.error());
            return false;
        }
        draft_.clear();
        cursor_ = first_ = 0;
        scroll_ = 0;
        catch_up();  // the server does not echo our own message: read it back, in order
        return true;
    }

    // ---- the connection

    void tend_connection() {
        if (!client_) {
            reconnect();
            return;
        }
        for (int i = 0; i < 64 && client_; ++i) {
            auto event = client_->next_event(kEventWait);
            if (!event) {
                failed("", event.error());
                return;
            }
            if (!event.value())
                return;
            on_event(*event.value());
        }
    }

    void on_event(const json::object& e) {
        const auto type = str(e, "type");
        if (type == "dictionaries") {  // the client library has fetched the new version
            if (auto fresh = client_->engine())
                engine_ = fresh.value();
        }
        if (const auto said = describe_notice(e, me_, room_, readers_.people)) {
            // The reminder comes after every login: shown again only if it changed.
            if (type == "action_reminder" && *said == last_reminder_)
                return;
            if (type == "action_reminder")
                last_reminder_ = *said;
            notice(*said + ".");
        }
        if (str(e, "room") != room_)
            return;
        if (type == "message") {
            // Placed by its seq before it is opened: the ledger sees the history in order.
            const auto seq = protocol::num(e, "seq");
            if (seq <= last_seq_)
                return;
            if (seq > last_seq_ + 1) {  // missed some (e.g. cut off as a slow reader)
                catch_up();
                return;
            }
            const auto m = client_->open_message(e);
            show(m);
            last_seq_ = m.seq;
        } else if (type == "membership") {
            const auto change = str(e, "change"), user = str(e, "user");
            if (change == "removed" && user == me_) {
                add_line("You were removed from " + room_ + ": you can no longer send here.",
                         Tone::error);
                return;
            }
            // Who was added or removed, and by whom, arrives as a `message` with an event.
            refresh_audience();
        }
    }

    void catch_up() {
        if (!client_)
            return;
        auto messages = client_->read(room_, last_seq_);
        if (!messages) {
            failed("Cannot fetch new messages: ", messages.error());
            return;
        }
        for (const auto& m : messages.value()) {
            if (m.seq <= last_seq_)
                continue;
            show(m);
            last_seq_ = m.seq;
        }
    }

    void refresh_audience() {
        if (!client_)
            return;
        auto readers = client_->readers(room_);
        if (!readers) {
            failed("Cannot tell who reads this room: ", readers.error());
            return;
        }
        const bool changed = readers.value().audience.to_string() != readers_.audience.to_string();
        const bool new_terms = readers.value().glossary_version != readers_.glossary_version;
        readers_ = std::move(readers).value();
        if (changed)
            notice("Drafts are now checked for: " + audience_text() + ".");
        if (new_terms && readers_.glossary.empty())
            notice("This room has no agreed terms now.");
        else if (new_terms)
            show_glossary();
    }

    /// One line in the pane; a lost connection also starts reconnecting.
    void failed(std::string_view what, const protocol::Error& e) {
        if (e.code != "connection_closed") {
            error(what, e);
            return;
        }
        error(std::string(what) + "Connection lost: ", e);
        client_.reset();
        retry_at_ = Clock::now() + kFirstRetry;
    }

    void reconnect() {
        if (Clock::now() < retry_at_)
            return;
        reconnecting_ = true;
        render();
        auto client = Client::login(home_, keys_->keys());
        reconnecting_ = false;
        dirty_ = true;
        if (!client) {
            if (client.error().message != last_login_error_)
                error("Cannot reconnect: ", client.error());
            last_login_error_ = client.error().message;
            retry_at_ = Clock::now() + kNextRetry;
            return;
        }
        client_ = std::move(client).value();
        last_login_error_.clear();
        show_new_logins();
        notice("Reconnected.");
        refresh_audience();
        catch_up();
    }

    // ---- drawing

    [[nodiscard]] static int width() { return std::max(1, getmaxx(stdscr)); }
    [[nodiscard]] static int pane_height() { return std::max(0, getmaxy(stdscr) - 2); }

    [[nodiscard]] int total_rows() {
        int total = 0;
        for (auto& line : lines_)
            total += static_cast<int>(line.rows_for(width()).size());
        return total;
    }

    [[nodiscard]] std::string audience_text() const {
        if (readers_.audience.is_public())
            return "the public";
        std::string out;
        for (const auto& d : readers_.audience.disciplines())
            out += (out.empty() ? "" : ", ") + d;
        return out.empty() ? "no one" : out;
    }

    [[nodiscard]] static attr_t attributes(Tone tone) {
        const bool colour = ::has_colors() == TRUE;
        switch (tone) {
            case Tone::message:
                return A_NORMAL;
            case Tone::own:
                return A_BOLD;
            case Tone::note:
                return colour ? COLOR_PAIR(kNotePair) : A_DIM;
            case Tone::notice:
                return colour ? COLOR_PAIR(kNoticePair) : A_NORMAL;
            case Tone::finding:
                return A_BOLD | (colour ? COLOR_PAIR(kFindingPair) : A_NORMAL);
            case Tone::error:
                return A_BOLD | (colour ? COLOR_PAIR(kErrorPair) : A_NORMAL);
        }
        return A_NORMAL;
    }

    void render() {
        dirty_ = false;
        ::werase(stdscr);
        const int height = getmaxy(stdscr), w = width();
        if (height <= 0)
            return;
        draw_pane(w);
        if (height >= 2)
            draw_status(height - 2, w);
        draw_input(height - 1, w);
        ::wrefresh(stdscr);
    }

    /// Newest at the bottom, `scroll_` rows up from the end.
    void draw_pane(int w) {
        const int rows = pane_height();
        if (rows <= 0)
            return;
        if (scroll_ > 0)
            scroll_ = std::min(scroll_, std::max(0, total_rows() - rows));
        int skip = scroll_;
        int y = rows - 1;
        for (auto line = lines_.rbegin(); line != lines_.rend() && y >= 0; ++line) {
            const auto& wrapped = line->rows_for(w);
            const attr_t attr = attributes(line->tone);
            for (auto row = wrapped.rbegin(); row != wrapped.rend() && y >= 0; ++row) {
                if (skip > 0) {
                    --skip;
                    continue;
                }
                ::wattrset(stdscr, attr);
                put(y--, 0, *row, w);
            }
        }
        ::wattrset(stdscr, A_NORMAL);
    }

    void draw_status(int y, int w) {
        std::string text;
        if (discarding_) {
            text = " Discard the draft? (y/n)";
        } else if (new_readers_) {
            text = " Send it to them? [y/N]  (any other key keeps the draft unsent)";
        } else if (pending_ && pending_->rewritten) {
            text = " Send this? [y/N]  (y sends the rewritten message; any other key edits)";
        } else if (pending_) {
            const auto n = pending_->findings.size();
            text = " " + std::to_string(n) + (n == 1 ? " term" : " terms") +
                   " may be unclear:  [f]ix and send  [s]end anyway  [e]dit  e[x]plain";
        } else {
            const std::string state = sending_        ? "sending..."
                                      : reconnecting_ ? "reconnecting..."
                                      : client_       ? "online"
                                                      : "offline";
            text = " " + room_ + " | for " + audience_text() + " | " + state +
                   (scroll_ > 0 ? " | more below (PgDn)" : "") +
                   " | Enter send  PgUp/PgDn scroll  /help  /quit";
        }
        ::wattrset(stdscr, A_REVERSE);
        ::mvwhline(stdscr, y, 0, ' ' | A_REVERSE, w);
        put(y, 0, printable(text), w);
        ::wattrset(stdscr, A_NORMAL);
    }

    /// "> draft", scrolled sideways so the cursor stays in view ("< " when text is hidden to
    /// the left). The last column is left empty: writing there would scroll the screen.
    void draw_input(int y, int w) {
        const int avail = std::max(1, w - 3);  // cells for the draft
        const auto span = [this](std::size_t from, std::size_t to) {
            return cells(std::wstring_view(draft_).substr(from, to - from));
        };
        cursor_ = std::min(cursor_, draft_.size());
        first_ = std::min(first_, cursor_);
        if (cursor_ == first_)  // moved left past the view: show some text before the cursor
            while (first_ > 0 && span(first_ - 1, cursor_) < avail / 2)
                --first_;
        while (first_ < cursor_ && span(first_, cursor_) > avail)
            ++first_;
        while (first_ > 0 && span(first_ - 1, draft_.size()) <= avail)  // room again: use it
            --first_;
        put(y, 0, first_ > 0 ? L"< " : L"> ", w);
        put(y, 2, std::wstring_view(draft_).substr(first_), avail);
        ::wmove(stdscr, y, std::min(w - 1, 2 + span(first_, cursor_)));
    }

    const Home& home_;
    std::shared_ptr<const agent::HeldKeys> keys_;  // to log in again after a lost connection
    std::unique_ptr<Client> client_;               // null while disconnected
    std::string room_;
    std::string me_;
    std::string discipline_;
    std::shared_ptr<const jargon::Engine> engine_;
    RoomReaders readers_;
    std::set<std::string> met_;  // the room's agreed terms explained so far (explain_in_room)
    DayHeadings days_;           // of the messages shown so far

    std::vector<PaneLine> lines_;
    std::int64_t last_seq_ = 0;
    int scroll_ = 0;  // rows scrolled up from the newest
    std::wstring draft_;
    std::size_t cursor_ = 0;  // index into draft_
    std::size_t first_ = 0;   // first character of draft_ in view
    std::optional<Pending> pending_;
    std::optional<NewReaders> new_readers_;
    bool quit_ = false;
    bool dirty_ = true;
    bool sending_ = false;
    bool reconnecting_ = false;
    bool discarding_ = false;  ///< Ctrl-C with a draft: waiting for "Discard the draft? (y/n)"
    Clock::time_point retry_at_{};
    std::string last_login_error_;
    std::string
        last_reminder_;  ///< the action reminder last shown, so a reconnect does not repeat it
};

}  // namespace

int chat(const Options& /*o*/, const std::string& room) {
    if (::isatty(STDIN_FILENO) == 0 || ::isatty(STDOUT_FILENO) == 0) {
        std::cerr << "liaise: chat needs a terminal (use 'liaise read' and 'liaise send' in "
                     "scripts)\n";
        return 1;
    }
    use_utf8_locale();
    const Home home;
    if (auto profile = home.profile(); !profile)
        return report(profile.error());
    auto keys = unlock_keys(home);  // before curses takes the terminal over
    if (!keys)
        return report(keys.error());
    auto client = Client::login(home, keys.value()->keys());
    if (!client)
        return report(client.error());
    auto engine = client.value()->engine();
    if (!engine)
        return report(engine.error());
    auto readers = client.value()->readers(room);
    if (!readers)
        return report(readers.error());
    // What this device kept first, then only what is new (history_store.hpp).
    auto history = client.value()->history(room, 0);
    if (!history)
        return report(history.error());

    Chat chat(home, std::move(keys).value(), std::move(client).value(), room,
              std::move(engine).value(), std::move(readers).value());
    chat.show_history(history.value());
    chat.show_new_logins();
    const StopSignals signals;
    const Screen screen;
    if (!screen) {
        const char* term = std::getenv("TERM");
        std::cerr << "liaise: cannot use this terminal (TERM=" << (term ? term : "")
                  << ") for the chat\n";
        return 1;
    }
    return chat.run();
}

}  // namespace liaise::client::cli
