// Plain language where the plaintext is: the client's dictionary cache, a room's audience,
// and the dictionaries' notes shown after a message on reading.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "liaise/client/connection.hpp"
#include "liaise/client/home.hpp"
#include "liaise/client/people.hpp"
#include "liaise/jargon/engine.hpp"
#include "liaise/jargon/glossary.hpp"
#include "liaise/protocol/expected.hpp"

namespace liaise::client {

/// The server's dictionaries, kept in $LIAISE_HOME/dictionaries so that checks work offline.
class DictionaryCache {
  public:
    explicit DictionaryCache(const Home& home) : dir_(home.dir() / "dictionaries"), home_(home) {}

    [[nodiscard]] const std::filesystem::path& dir() const noexcept { return dir_; }
    /// The cached version, or nullopt when nothing is cached yet.
    [[nodiscard]] std::optional<std::int64_t> version() const;
    /// Asks the server for its dictionaries, sending the cached version; stores them if newer.
    /// Returns true when the cache changed.
    [[nodiscard]] protocol::Expected<bool> refresh(Connection& connection);
    /// The engine from the cache, else from the shipped dictionaries.
    [[nodiscard]] protocol::Expected<std::shared_ptr<const jargon::Engine>> engine() const;
    /// Where an offline check should read dictionaries: the cache if present, else the shipped.
    [[nodiscard]] std::optional<std::filesystem::path> source() const;

  private:
    std::filesystem::path dir_;
    const Home& home_;
};

/// Who reads a room, as `room_show` describes it.
struct RoomReaders {
    /// The members' disciplines, or everyone when the room includes the public: what drafts
    /// are checked against.
    jargon::Audience audience;
    /// Each member's discipline, by account name.
    std::map<std::string, std::string> disciplines;
    /// How each member is named to a person reading the room ("Bea Patel (Riverside Primary)").
    People people;
    /// The terms the room's chairs agreed its members know (empty from an older server, or when
    /// what it sent does not validate: then every term is checked as if none were agreed).
    jargon::Glossary glossary;
    std::int64_t glossary_version = 0;
};
[[nodiscard]] RoomReaders room_readers(const boost::json::object& room_show);

/// What a reader from `reader_discipline` may not know in `text`, written by `writer` in a room
/// of `readers`: every term from another discipline (and officialese), and every term the
/// reader's own dictionary knows that means something else in the writer's discipline ("CP" is
/// cerebral palsy to a nurse, child protection to a social worker). A writer no longer in the
/// room may be from any discipline the room has. Findings in text order, never overlapping.
[[nodiscard]] jargon::CheckResult explain_for(const jargon::Engine& engine, std::string_view text,
                                              const std::string& reader_discipline,
                                              const std::string& writer,
                                              const RoomReaders& readers);

/// A draft checked for the room's readers as `send` and `chat` check it: the writer's discipline
/// (`own`, may be empty) settles ambiguous terms, and the room's agreed terms are not held back
/// unless the room includes the public.
[[nodiscard]] jargon::CheckResult check_draft(const jargon::Engine& engine, std::string_view text,
                                              const RoomReaders& readers, const std::string& own);

/// What a reader is shown about a message: explain_for()'s findings without the room's agreed
/// terms, and the agreed terms the reader meets here for the first time (`met` holds the ones
/// met before, and gains these).
struct Explained {
    jargon::CheckResult result;
    std::vector<jargon::AgreedTerm> first_met;
};
[[nodiscard]] Explained explain_in_room(const jargon::Engine& engine, std::string_view text,
                                        const std::string& reader_discipline,
                                        const std::string& writer, const RoomReaders& readers,
                                        std::set<std::string>& met);

/// What begins a note about an agreed term: the room's words, not the dictionaries'.
inline constexpr std::string_view kRoomNoteLabel = "room's term: ";

/// One note per agreed term, safe to print: "room's term: IRO — the independent reviewing…".
[[nodiscard]] std::vector<std::string> room_notes(const std::vector<jargon::AgreedTerm>& terms);

/// The room's glossary as lines safe to print, for `room show`, `room glossary list` and
/// `chat`: a heading, then "  TERM — MEANING (agreed by USER)" per term; nothing when empty.
[[nodiscard]] std::vector<std::string> glossary_lines(const boost::json::object& glossary);
/// The same from the glossary a client holds (without who agreed each term).
[[nodiscard]] std::vector<std::string> glossary_lines(const jargon::Glossary& glossary,
                                                      std::int64_t version);

/// `text` with a numbered marker after each finding ("CIN[1]"), and nothing else added: what
/// the dictionaries say is never spliced into the sender's words but shown apart, by notes().
/// The result is the sender's text, not yet safe to print (see display_block()).
[[nodiscard]] std::string annotate(std::string_view text,
                                   const std::vector<jargon::Finding>& findings);

/// What begins every note, so that the dictionaries' words cannot pass for the sender's.
inline constexpr std::string_view kNoteLabel = "dictionary: ";

/// One note per finding, numbered as annotate() marks them and safe to print (display_line()):
/// "dictionary: [1] CIN (social-care) — child in need: A child the council must help…".
/// Printed after the message, each on its own indented line.
[[nodiscard]] std::vector<std::string> notes(const std::vector<jargon::Finding>& findings);

}  // namespace liaise::client
