#include "liaise/protocol/messages.hpp"

#include <array>
#include <boost/json.hpp>
#include <cstring>
#include <set>

#include "liaise/base/utf8.hpp"

namespace liaise::protocol {
namespace {

namespace json = boost::json;
using F = FieldType;

constexpr std::int64_t kName = 64;                  // account, room, device names and ids
constexpr std::int64_t kText = 200;                 // display names, agency names
constexpr std::int64_t kKey = 128;                  // base64 keys and signatures
constexpr std::int64_t kMaxTime = 253402300799999;  // ms: the end of the year 9999

constexpr std::array<FieldSpec, 2> kHello = {
    {{"version", F::integer, true, 1'000'000}, {"client", F::string, false, kText}}};
constexpr std::array<FieldSpec, 5> kEnrol = {{{"code", F::string, true, kName},
                                              {"sign_key", F::string, true, kKey},
                                              {"box_key", F::string, true, kKey},
                                              {"box_key_signature", F::string, true, kKey},
                                              {"device_name", F::string, false, kText}}};
constexpr std::array<FieldSpec, 4> kLogin = {{{"user", F::string, true, kName},
                                              {"device", F::string, true, kName},
                                              {"signature", F::string, true, kKey},
                                              {"last_session", F::integer, false, INT64_MAX, 1}}};
constexpr std::array<FieldSpec, 2> kAgencyAdd = {
    {{"name", F::string, true, kText}, {"discipline", F::string, true, kName}}};
constexpr std::array<FieldSpec, 5> kEnrolCode = {{{"user", F::string, true, kName},
                                                  {"display_name", F::string, false, kText},
                                                  {"agency", F::string, true, kText},
                                                  {"role", F::string, true, 16},
                                                  {"hours", F::integer, false, 24 * 30, 1}}};
constexpr std::array<FieldSpec, 2> kRoomCreate = {
    {{"room", F::string, true, kName}, {"members", F::string_array, false, 1000}}};
constexpr std::array<FieldSpec, 2> kRoomUser = {
    {{"room", F::string, true, kName}, {"user", F::string, true, kName}}};
constexpr std::array<FieldSpec, 1> kRoom = {{{"room", F::string, true, kName}}};
constexpr std::array<FieldSpec, 1> kUser = {{{"user", F::string, true, kName}}};
constexpr std::array<FieldSpec, 2> kSend = {
    {{"room", F::string, true, kName}, {"envelope", F::object, true, 0}}};
constexpr std::array<FieldSpec, 3> kSync = {{{"room", F::string, true, kName},
                                             {"after", F::integer, false, INT64_MAX},
                                             {"limit", F::integer, false, 1000, 1}}};

constexpr std::array<FieldSpec, 1> kDictionaries = {{{"have", F::integer, false, INT64_MAX}}};
constexpr std::array<FieldSpec, 2> kRoomAudience = {
    {{"room", F::string, true, kName}, {"public", F::boolean, true, 0}}};
// A room's agreed terms (PROTOCOL.md, "Room glossary"); the lengths are jargon/glossary.hpp's.
constexpr std::array<FieldSpec, 2> kGlossary = {
    {{"room", F::string, true, kName}, {"history", F::boolean, false, 0}}};
constexpr std::array<FieldSpec, 3> kGlossaryAdd = {{{"room", F::string, true, kName},
                                                    {"term", F::string, true, 64},
                                                    {"meaning", F::string, true, 300}}};
constexpr std::array<FieldSpec, 2> kGlossaryRemove = {
    {{"room", F::string, true, kName}, {"term", F::string, true, 64}}};
constexpr std::array<FieldSpec, 2> kAsk = {
    {{"term", F::string, true, kText}, {"room", F::string, false, kName}}};

// Meetings and minutes (PROTOCOL.md, "Meetings and minutes").
constexpr std::int64_t kTitle = 200;     // titles, places, people's names, agencies, roles
constexpr std::int64_t kLong = 20'000;   // discussion, decisions, reasons, dissent, actions
constexpr std::int64_t kWhen = 16;       // "YYYY-MM-DD" or "YYYY-MM-DD HH:MM"
constexpr std::int64_t kId = INT64_MAX;  // meeting, item and action ids (1 and up)
constexpr std::array<FieldSpec, 10> kMeetingCreate = {{{"room", F::string, true, kName},
                                                       {"title", F::string, true, kTitle},
                                                       {"kind", F::string, true, 32},
                                                       {"starts_at", F::string, true, kWhen},
                                                       {"place", F::string, true, kTitle},
                                                       {"chair", F::string, false, kName},
                                                       {"minute_taker", F::string, false, kName},
                                                       {"marking", F::string, false, 32},
                                                       {"next_meeting", F::string, false, kWhen},
                                                       {"case_reference", F::string, false, 40}}};
constexpr std::array<FieldSpec, 10> kMeetingUpdate = {{{"meeting", F::integer, true, kId, 1},
                                                       {"title", F::string, false, kTitle},
                                                       {"kind", F::string, false, 32},
                                                       {"starts_at", F::string, false, kWhen},
                                                       {"place", F::string, false, kTitle},
                                                       {"chair", F::string, false, kName},
                                                       {"minute_taker", F::string, false, kName},
                                                       {"marking", F::string, false, 32},
                                                       {"next_meeting", F::string, false, kWhen},
                                                       {"case_reference", F::string, false, 40}}};
constexpr std::array<FieldSpec, 1> kMeeting = {{{"meeting", F::integer, true, kId, 1}}};
constexpr std::array<FieldSpec, 2> kMeetingShow = {
    {{"meeting", F::integer, true, kId, 1}, {"version", F::integer, false, kId, 1}}};
constexpr std::array<FieldSpec, 11> kMeetingAttend = {{{"meeting", F::integer, true, kId, 1},
                                                       {"entry", F::integer, false, kId, 1},
                                                       {"user", F::string, false, kName},
                                                       {"name", F::string, false, kTitle},
                                                       {"agency", F::string, false, kTitle},
                                                       {"role", F::string, false, kTitle},
                                                       {"discipline", F::string, false, kName},
                                                       {"family", F::boolean, false, 0},
                                                       {"copy", F::boolean, false, 0},
                                                       {"receives", F::string_array, false, 40},
                                                       {"status", F::string, true, 16}}};
// A section of the record its kind's template asks for (meeting_kinds/data/kinds.toml): its text,
// how the child's views were gathered, the chair's professionals-only marking, a report received
// (reports) or an agency's view of the decision (decision, where the kind records a vote).
constexpr std::array<FieldSpec, 11> kMeetingSection = {
    {{"meeting", F::integer, true, kId, 1},
     {"section", F::string, true, 40},
     {"text", F::text, false, kLong},
     {"how_gathered", F::text, false, kLong},
     {"professionals_only", F::boolean, false, 0},
     {"item", F::integer, false, kId, 1},
     {"report", F::string, false, kTitle},
     {"report_by", F::string, false, kTitle},
     {"shared_with_parents", F::boolean, false, 0},
     {"agency", F::string, false, kTitle},
     {"view", F::text, false, kLong}}};
constexpr std::array<FieldSpec, 4> kMeetingAgenda = {{{"meeting", F::integer, true, kId, 1},
                                                      {"item", F::integer, false, kId, 1},
                                                      {"title", F::string, true, kTitle},
                                                      {"discussion", F::text, false, kLong}}};
constexpr std::array<FieldSpec, 6> kMeetingDecision = {{{"meeting", F::integer, true, kId, 1},
                                                        {"item", F::integer, false, kId, 1},
                                                        {"agenda", F::integer, false, kId, 1},
                                                        {"decision", F::text, true, kLong},
                                                        {"reasons", F::text, false, kLong},
                                                        {"dissent", F::text, false, kLong}}};
constexpr std::array<FieldSpec, 3> kMeetingRemove = {{{"meeting", F::integer, true, kId, 1},
                                                      {"section", F::string, true, 16},
                                                      {"item", F::integer, true, kId, 1}}};
// Circulating and approving are signed (PROTOCOL.md, "Signed minutes"): the signer's clock in
// milliseconds, and the device's signature over the minutes digest.
constexpr std::array<FieldSpec, 4> kMeetingSign = {{{"meeting", F::integer, true, kId, 1},
                                                    {"acknowledge", F::boolean, false, 0},
                                                    {"signed_at", F::integer, true, kMaxTime, 0},
                                                    {"signature", F::string, true, kKey}}};
constexpr std::array<FieldSpec, 2> kMeetingCorrect = {
    {{"meeting", F::integer, true, kId, 1}, {"reason", F::text, true, kLong}}};
constexpr std::array<FieldSpec, 4> kMeetingExport = {{{"meeting", F::integer, true, kId, 1},
                                                      {"format", F::string, true, 16},
                                                      {"version", F::integer, false, kId, 1},
                                                      {"recipient", F::integer, false, kId, 1}}};
// After circulation (PROTOCOL.md, "After circulation"). Acknowledgements and comments are
// signed by the recipient's device ("Signed acknowledgements and comments").
constexpr std::array<FieldSpec, 4> kMinutesAcknowledge = {
    {{"meeting", F::integer, true, kId, 1},
     {"version", F::integer, false, kId, 1},
     {"signed_at", F::integer, true, kMaxTime, 0},
     {"signature", F::string, true, kKey}}};
constexpr std::array<FieldSpec, 6> kMinutesComment = {{{"meeting", F::integer, true, kId, 1},
                                                       {"version", F::integer, false, kId, 1},
                                                       {"section", F::string, true, kName},
                                                       {"text", F::text, true, 5000},
                                                       {"signed_at", F::integer, true, kMaxTime, 0},
                                                       {"signature", F::string, true, kKey}}};
constexpr std::array<FieldSpec, 4> kMinutesCommentResolve = {
    {{"meeting", F::integer, true, kId, 1},
     {"comment", F::integer, true, kId, 1},
     {"answer", F::text, false, 5000},
     {"corrected_in", F::integer, false, kId, 1}}};
constexpr std::array<FieldSpec, 8> kActionAdd = {{{"meeting", F::integer, true, kId, 1},
                                                  {"what", F::text, true, kLong},
                                                  {"outcome", F::text, false, kLong},
                                                  {"owner", F::string, false, kName},
                                                  {"owner_name", F::string, false, kTitle},
                                                  {"owner_agency", F::string, false, kTitle},
                                                  {"due", F::string, true, kWhen},
                                                  {"review", F::string, false, kWhen}}};
constexpr std::array<FieldSpec, 10> kActionUpdate = {{{"action", F::integer, true, kId, 1},
                                                      {"status", F::string, false, 16},
                                                      {"evidence", F::text, false, kLong},
                                                      {"what", F::text, false, kLong},
                                                      {"outcome", F::text, false, kLong},
                                                      {"owner", F::string, false, kName},
                                                      {"owner_name", F::string, false, kTitle},
                                                      {"owner_agency", F::string, false, kTitle},
                                                      {"due", F::string, false, kWhen},
                                                      {"review", F::string, false, kWhen}}};
constexpr std::array<FieldSpec, 3> kActions = {{{"mine", F::boolean, false, 0},
                                                {"overdue", F::boolean, false, 0},
                                                {"room", F::string, false, kName}}};

// Administration (PROTOCOL.md, "Administration").
constexpr std::int64_t kDictText = 900'000;  // one discipline's TSV file
constexpr std::array<FieldSpec, 2> kAgencyRename = {
    {{"name", F::string, true, kText}, {"new_name", F::string, true, kText}}};
constexpr std::array<FieldSpec, 2> kAccountList = {
    {{"agency", F::string, false, kText}, {"suspended", F::boolean, false, 0}}};
constexpr std::array<FieldSpec, 2> kAccountRole = {
    {{"user", F::string, true, kName}, {"role", F::string, true, 16}}};
// Without an email, the address is cleared.
constexpr std::array<FieldSpec, 2> kAccountEmail = {
    {{"user", F::string, true, kName}, {"email", F::string, false, 254}}};
// Read positions and the daily digest (PROTOCOL.md, "Read positions").
constexpr std::array<FieldSpec, 2> kRoomRead = {
    {{"room", F::string, true, kName}, {"seq", F::integer, true, INT64_MAX, 1}}};
constexpr std::array<FieldSpec, 1> kEmailDigest = {{{"on", F::boolean, true, 0}}};
constexpr std::array<FieldSpec, 2> kAccountSuspend = {
    {{"user", F::string, true, kName}, {"reason", F::string, false, kText}}};
constexpr std::array<FieldSpec, 2> kDeviceReplace = {
    {{"user", F::string, true, kName}, {"hours", F::integer, false, 24 * 30, 1}}};
constexpr std::array<FieldSpec, 7> kDictAdd = {{{"discipline", F::string, true, kName},
                                                {"term", F::string, true, kText},
                                                {"variants", F::string_array, false, 50},
                                                {"alternatives", F::string_array, true, 20},
                                                {"explanation", F::string, true, 1000},
                                                {"kind", F::string, false, 16},
                                                {"options", F::string, false, 400}}};
constexpr std::array<FieldSpec, 7> kDictEdit = {{{"discipline", F::string, true, kName},
                                                 {"term", F::string, true, kText},
                                                 {"variants", F::string_array, false, 50},
                                                 {"alternatives", F::string_array, false, 20},
                                                 {"explanation", F::string, false, 1000},
                                                 {"kind", F::string, false, 16},
                                                 {"options", F::string, false, 400}}};
constexpr std::array<FieldSpec, 2> kDictTerm = {
    {{"discipline", F::string, true, kName}, {"term", F::string, true, kText}}};
constexpr std::array<FieldSpec, 1> kDiscipline = {{{"discipline", F::string, true, kName}}};
constexpr std::array<FieldSpec, 2> kDictImport = {
    {{"discipline", F::string, true, kName}, {"tsv", F::text, true, kDictText}}};
constexpr std::array<FieldSpec, 1> kLimit = {{{"limit", F::integer, false, 10'000, 1}}};
constexpr std::array<FieldSpec, 1> kDictRevert = {{{"version", F::integer, true, kId, 1}}};
constexpr std::array<FieldSpec, 1> kDictFeedback = {{{"counts", F::object, true, 0}}};
constexpr std::array<FieldSpec, 1> kQuestionList = {{{"status", F::string, false, 16}}};
constexpr std::array<FieldSpec, 6> kQuestionAnswer = {{{"question", F::integer, true, kId, 1},
                                                       {"reply", F::string, false, 1000},
                                                       {"discipline", F::string, false, kName},
                                                       {"alternatives", F::string_array, false, 20},
                                                       {"explanation", F::string, false, 1000},
                                                       {"kind", F::string, false, 16}}};
constexpr std::array<FieldSpec, 2> kQuestionDismiss = {
    {{"question", F::integer, true, kId, 1}, {"reply", F::string, false, 1000}}};
constexpr std::array<FieldSpec, 5> kAudit = {{{"since", F::integer, false, INT64_MAX},
                                              {"limit", F::integer, false, 10'000, 1},
                                              {"verify", F::boolean, false, 0},
                                              {"head", F::boolean, false, 0},
                                              {"at", F::integer, false, INT64_MAX, 1}}};

// Continuity (PROTOCOL.md, "Continuity").
constexpr std::array<FieldSpec, 3> kBackupKeySet = {{{"version", F::integer, true, kId, 1},
                                                     {"public_key", F::string, true, kKey},
                                                     {"signature", F::string, true, kKey}}};
constexpr std::array<FieldSpec, 3> kBackupPut = {{{"room", F::string, true, kName},
                                                  {"version", F::integer, true, kId, 1},
                                                  {"keys", F::object, true, 0}}};
constexpr std::array<FieldSpec, 2> kBackupGet = {
    {{"room", F::string, true, kName}, {"after", F::integer, false, INT64_MAX}}};
constexpr std::array<FieldSpec, 1> kBackupPrune = {{{"version", F::integer, true, kId, 0}}};
constexpr std::array<FieldSpec, 1> kTransferPut = {{{"bundle", F::string, true, 900'000}}};
constexpr std::array<FieldSpec, 5> kHistoryShare = {{{"room", F::string, true, kName},
                                                     {"user", F::string, true, kName},
                                                     {"shares", F::object, true, 0},
                                                     {"through", F::integer, false, INT64_MAX, 1},
                                                     {"continues", F::boolean, false, 0}}};
// Withdrawing a misdirected message (PROTOCOL.md, "Withdrawing a message"): the statement's
// fields but `by` and `by_device`, which are the session's.
constexpr std::array<FieldSpec, 5> kMessageWithdraw = {
    {{"room", F::string, true, kName},
     {"seq", F::integer, true, kId, 1},
     {"hash", F::string, true, kKey},
     {"withdrawn_at", F::integer, true, kMaxTime},
     {"signature", F::string, true, kKey}}};
// Retention and legal hold (PROTOCOL.md, "Retention and legal hold"). A period is at most 100
// years; a hold names a room or a meeting (exactly one, checked by the handler).
constexpr std::int64_t kReason = 500;
constexpr std::array<FieldSpec, 4> kRetentionSet = {{{"agency", F::string, true, kText},
                                                     {"record", F::string, true, kName},
                                                     {"days", F::integer, true, 36'500, 1},
                                                     {"reason", F::string, true, kReason}}};
constexpr std::array<FieldSpec, 1> kRetentionSweep = {{{"preview", F::boolean, false, 0}}};
constexpr std::array<FieldSpec, 3> kHold = {{{"room", F::string, false, kName},
                                             {"meeting", F::integer, false, kId, 1},
                                             {"reason", F::string, true, kReason}}};
// Subject access requests (PROTOCOL.md, "Subject access requests").
constexpr std::array<FieldSpec, 3> kGovernanceGrant = {{{"user", F::string, true, kName},
                                                        {"grant", F::boolean, true, 0},
                                                        {"reason", F::string, true, 500}}};
constexpr std::array<FieldSpec, 4> kSubjectAccess = {{{"user", F::string, false, kName, 1},
                                                      {"name", F::string, false, kText, 1},
                                                      {"reason", F::string, true, 500},
                                                      {"page", F::integer, false, 1'000'000, 1}}};
constexpr std::array<RequestSpec, 90> kRequests = {{
    {"hello", Access::anyone, kHello},
    {"enrol", Access::anyone, kEnrol},
    {"login", Access::anyone, kLogin},
    {"whoami", Access::authenticated, {}},
    {"sessions", Access::authenticated, {}},
    {"agency_add", Access::admin, kAgencyAdd},
    {"agency_list", Access::authenticated, {}},
    {"enrol_code", Access::admin, kEnrolCode},
    {"room_create", Access::chair, kRoomCreate},
    {"room_add", Access::chair, kRoomUser},
    {"room_remove", Access::chair, kRoomUser},
    {"rooms", Access::authenticated, {}},
    {"room_show", Access::authenticated, kRoom},
    {"user_keys", Access::authenticated, kUser},
    {"send", Access::authenticated, kSend},
    {"sync", Access::authenticated, kSync},
    {"room_audience", Access::chair, kRoomAudience},
    {"dictionaries", Access::authenticated, kDictionaries},
    {"ask", Access::authenticated, kAsk},
    {"meeting_create", Access::chair, kMeetingCreate},
    {"meeting_update", Access::authenticated, kMeetingUpdate},
    {"meetings", Access::authenticated, kRoom},
    {"meeting_show", Access::authenticated, kMeetingShow},
    {"meeting_attend", Access::authenticated, kMeetingAttend},
    {"meeting_agenda", Access::authenticated, kMeetingAgenda},
    {"meeting_decision", Access::authenticated, kMeetingDecision},
    {"meeting_section", Access::authenticated, kMeetingSection},
    {"meeting_remove", Access::authenticated, kMeetingRemove},
    {"meeting_check", Access::authenticated, kMeeting},
    {"meeting_circulate", Access::authenticated, kMeetingSign},
    {"meeting_approve", Access::authenticated, kMeetingSign},
    {"meeting_correct", Access::authenticated, kMeetingCorrect},
    {"meeting_export", Access::authenticated, kMeetingExport},
    {"minutes_acknowledge", Access::authenticated, kMinutesAcknowledge},
    {"minutes_comment", Access::authenticated, kMinutesComment},
    {"minutes_comments", Access::authenticated, kMeeting},
    {"minutes_comment_resolve", Access::authenticated, kMinutesCommentResolve},
    {"minutes_due", Access::authenticated, {}},
    {"action_add", Access::authenticated, kActionAdd},
    {"action_update", Access::authenticated, kActionUpdate},
    {"actions", Access::authenticated, kActions},
    {"agency_rename", Access::admin, kAgencyRename},
    {"account_list", Access::admin, kAccountList},
    {"account_role", Access::admin, kAccountRole},
    {"account_email", Access::admin, kAccountEmail},
    {"account_suspend", Access::admin, kAccountSuspend},
    {"account_reinstate", Access::admin, kUser},
    {"device_replace", Access::admin, kDeviceReplace},
    {"dict_add", Access::admin, kDictAdd},
    {"dict_edit", Access::admin, kDictEdit},
    {"dict_remove", Access::admin, kDictTerm},
    {"dict_discipline_add", Access::admin, kDiscipline},
    {"dict_discipline_remove", Access::admin, kDiscipline},
    {"dict_import", Access::admin, kDictImport},
    {"dict_export", Access::admin, kDiscipline},
    {"dict_versions", Access::admin, kLimit},
    {"dict_revert", Access::admin, kDictRevert},
    {"dict_feedback", Access::authenticated, kDictFeedback},
    {"dict_noisy", Access::admin, kLimit},
    {"questions", Access::authenticated, {}},
    {"question_list", Access::admin, kQuestionList},
    {"question_answer", Access::admin, kQuestionAnswer},
    {"question_dismiss", Access::admin, kQuestionDismiss},
    {"audit", Access::admin, kAudit},
    {"backup_key", Access::authenticated, {}},
    {"backup_key_set", Access::authenticated, kBackupKeySet},
    {"backup_put", Access::authenticated, kBackupPut},
    {"backup_get", Access::authenticated, kBackupGet},
    {"backup_prune", Access::authenticated, kBackupPrune},
    {"transfer_put", Access::authenticated, kTransferPut},
    {"transfer_take", Access::authenticated, {}},
    {"transfer_done", Access::authenticated, {}},
    {"history_share", Access::authenticated, kHistoryShare},
    {"history_shared", Access::authenticated, kRoom},
    {"glossary", Access::authenticated, kGlossary},
    {"glossary_add", Access::chair, kGlossaryAdd},
    {"glossary_remove", Access::chair, kGlossaryRemove},
    {"message_withdraw", Access::authenticated, kMessageWithdraw},
    {"retention_show", Access::admin, {}},
    {"retention_set", Access::admin, kRetentionSet},
    {"retention_sweep", Access::admin, kRetentionSweep},
    {"hold_place", Access::admin, kHold},
    {"hold_lift", Access::admin, kHold},
    {"hold_targets", Access::admin, {}},
    {"governance_grant", Access::admin, kGovernanceGrant},
    {"governance_list", Access::admin, {}},
    {"subject_access", Access::authenticated, kSubjectAccess},
    {"room_read", Access::authenticated, kRoomRead},
    {"email_digest", Access::authenticated, kEmailDigest},
    {"digest_run", Access::admin, {}},
}};

std::string_view type_name(F type) {
    switch (type) {
        case F::string:
            return "a string";
        case F::integer:
            return "an integer";
        case F::boolean:
            return "true or false";
        case F::string_array:
            return "an array of strings";
        case F::object:
            return "an object";
        case F::text:
            return "a string";
    }
    return "a value";
}

/// Control characters other than, when `multiline`, line feed, carriage return and tab.
bool has_control_character(std::string_view s, bool multiline = false) {
    for (const char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (multiline && (c == '\n' || c == '\r' || c == '\t'))
            continue;
        if (u < 0x20 || u == 0x7F)
            return true;
    }
    return false;
}

/// Checks one string value; returns an error message or empty.
std::string check_string(std::string_view field, std::string_view value, std::int64_t min,
                         std::int64_t max, bool multiline = false) {
    if (base::find_invalid_utf8(value))
        return std::string(field) + ": invalid UTF-8";
    if (static_cast<std::int64_t>(value.size()) > max)
        return std::string(field) + ": longer than " + std::to_string(max) + " bytes";
    if (static_cast<std::int64_t>(value.size()) < min)
        return std::string(field) + ": must not be empty";
    if (has_control_character(value, multiline))
        return std::string(field) + ": control characters are not allowed";
    return {};
}

/// Validates every key of the request against its spec; returns an error message or empty.
std::string validate(const RequestSpec& spec, const json::object& body) {
    for (const auto& [key, value] : body) {
        if (key == "type" || key == "id")
            continue;
        const FieldSpec* field = nullptr;
        for (const auto& f : spec.fields)
            if (f.name == key)
                field = &f;
        if (base::find_invalid_utf8(key))
            return "field name: invalid UTF-8";
        if (field == nullptr)
            return std::string(key) + ": unknown field for '" + std::string(spec.type) + "'";
        const auto name = std::string(key);
        switch (field->type) {
            case F::string:
            case F::text: {
                if (!value.is_string())
                    return name + ": must be " + std::string(type_name(field->type));
                const auto& s = value.get_string();
                if (auto e = check_string(name, s, std::max<std::int64_t>(field->min, 1),
                                          field->max, field->type == F::text);
                    !e.empty())
                    return e;
                break;
            }
            case F::integer: {
                if (!value.is_int64() && !value.is_uint64())
                    return name + ": must be " + std::string(type_name(field->type));
                if (value.is_uint64() && value.get_uint64() > static_cast<std::uint64_t>(INT64_MAX))
                    return name + ": out of range";
                const auto v = value.is_int64() ? value.get_int64()
                                                : static_cast<std::int64_t>(value.get_uint64());
                if (v < field->min || v > field->max)
                    return name + ": must be between " + std::to_string(field->min) + " and " +
                           std::to_string(field->max);
                break;
            }
            case F::boolean:
                if (!value.is_bool())
                    return name + ": must be " + std::string(type_name(field->type));
                break;
            case F::string_array: {
                if (!value.is_array())
                    return name + ": must be " + std::string(type_name(field->type));
                const auto& a = value.get_array();
                if (static_cast<std::int64_t>(a.size()) > field->max)
                    return name + ": more than " + std::to_string(field->max) + " items";
                for (std::size_t i = 0; i < a.size(); ++i) {
                    const auto item = name + "[" + std::to_string(i) + "]";
                    if (!a[i].is_string())
                        return item + ": must be a string";
                    if (auto e = check_string(item, a[i].get_string(), 1, kKey); !e.empty())
                        return e;
                }
                break;
            }
            case F::object:
                if (!value.is_object())
                    return name + ": must be " + std::string(type_name(field->type));
                break;
        }
    }
    for (const auto& f : spec.fields) {
        if (f.required && !body.contains(f.name))
            return std::string(f.name) + ": required";
    }
    return {};
}

Error bad_request(std::string message) {
    return {std::string(errc::bad_request), std::move(message)};
}

/// The closing quote of the JSON string that opens at `open`. `text` must be valid JSON. The
/// string's body is skipped with memchr, so a long base64 value costs little.
const char* string_end(const char* open, const char* end) {
    const char* close = open + 1;
    for (;;) {
        close = static_cast<const char*>(std::memchr(close, '"', end - close));
        if (close == nullptr)
            return end;  // not reached for valid JSON
        std::size_t backslashes = 0;
        for (const char* b = close; b[-1] == '\\'; --b)
            ++backslashes;
        if (backslashes % 2 == 0)
            return close;
        ++close;
    }
}

/// Whether the string that closed at `close` is an object key: a ':' follows it.
bool is_key(const char*& after, const char* end) {
    while (after < end && (*after == ' ' || *after == '\t' || *after == '\n' || *after == '\r'))
        ++after;
    return after < end && *after == ':';
}

/// The number of object keys written in `text` (valid JSON), duplicates included.
std::size_t keys_written(std::string_view text) {
    std::size_t keys = 0;
    const char* p = text.data();
    const char* const end = p + text.size();
    while (const char* open = static_cast<const char*>(std::memchr(p, '"', end - p))) {
        p = string_end(open, end) + 1;
        if (is_key(p, end))
            ++keys;
    }
    return keys;
}

/// The number of object members in `v`, at any depth. boost::json keeps one member per key (the
/// last), so this is below keys_written() exactly when some object repeats a key.
std::size_t members_kept(const json::value& v) {
    std::size_t n = 0;
    if (const auto* o = v.if_object()) {
        n += o->size();
        for (const auto& m : *o)
            n += members_kept(m.value());
    } else if (const auto* a = v.if_array()) {
        for (const auto& item : *a)
            n += members_kept(item);
    }
    return n;
}

/// The first key that an object in `text` (valid JSON) repeats, decoded ("ro\\u006fm" is
/// "room"). Allocates per key: called only once members_kept() has found a repeat.
std::optional<std::string> repeated_key(std::string_view text) {
    std::vector<std::set<std::string>> objects;  // the keys of each object still open
    const char* p = text.data();
    const char* const end = p + text.size();
    while (p < end) {
        const char c = *p;
        if (c == '{') {
            objects.emplace_back();
            ++p;
        } else if (c == '}') {
            objects.pop_back();
            ++p;
        } else if (c == '"') {
            const char* open = p;
            const char* close = string_end(open, end);
            p = close + 1;
            if (!is_key(p, end) || objects.empty())
                continue;
            boost::system::error_code ec;
            const auto decoded = json::parse(std::string_view(open, close + 1 - open), ec);
            auto key = !ec && decoded.is_string() ? std::string(decoded.get_string())
                                                  : std::string(open + 1, close);
            if (!objects.back().insert(key).second)
                return key;
        } else {
            ++p;
        }
    }
    return std::nullopt;
}

/// "duplicate key 'room'", the key cut to 64 bytes at a character boundary and left out when
/// it is not UTF-8.
std::string duplicate_key_message(std::string key) {
    if (base::find_invalid_utf8(key))
        return "duplicate key (not valid UTF-8)";
    if (key.size() > 64) {
        std::size_t cut = 64;
        while (cut > 0 && (static_cast<unsigned char>(key[cut]) & 0xC0) == 0x80)
            --cut;
        key = key.substr(0, cut) + "...";
    }
    return "duplicate key '" + key + "'";
}

}  // namespace

std::span<const RequestSpec> request_specs() noexcept {
    return kRequests;
}

const RequestSpec* find_request(std::string_view type) noexcept {
    for (const auto& spec : kRequests)
        if (spec.type == type)
            return &spec;
    return nullptr;
}

std::string_view to_string(Role role) noexcept {
    switch (role) {
        case Role::member:
            return "member";
        case Role::chair:
            return "chair";
        case Role::admin:
            return "admin";
    }
    return "member";
}

std::optional<Role> parse_role(std::string_view text) noexcept {
    if (text == "member")
        return Role::member;
    if (text == "chair")
        return Role::chair;
    if (text == "admin")
        return Role::admin;
    return std::nullopt;
}

std::string_view Request::string(std::string_view field) const {
    const auto* v = body.if_contains(field);
    return v != nullptr && v->is_string() ? std::string_view(v->get_string()) : std::string_view{};
}

std::int64_t Request::integer(std::string_view field, std::int64_t fallback) const {
    const auto* v = body.if_contains(field);
    if (v == nullptr)
        return fallback;
    if (v->is_int64())
        return v->get_int64();
    if (v->is_uint64())
        return static_cast<std::int64_t>(v->get_uint64());
    return fallback;
}

bool Request::boolean(std::string_view field, bool fallback) const {
    const auto* v = body.if_contains(field);
    return v != nullptr && v->is_bool() ? v->get_bool() : fallback;
}

std::vector<std::string> Request::strings(std::string_view field) const {
    std::vector<std::string> out;
    if (const auto* v = body.if_contains(field); v != nullptr && v->is_array())
        for (const auto& item : v->get_array())
            if (item.is_string())
                out.emplace_back(item.get_string());
    return out;
}

const json::object& Request::object(std::string_view field) const {
    return body.at(field).as_object();
}

Decoded decode_request(std::string_view frame) {
    Decoded out;
    json::parse_options options;
    options.max_depth = 16;
    options.allow_invalid_utf8 = true;  // so that the bad field can be named below
    boost::system::error_code ec;
    // One arena per request instead of an allocation per string, array and object (the
    // envelope of a send to 51 devices is ~150 of them). Reference-counted: whatever is
    // copied out of the request keeps it alive, so nothing outlives its memory.
    json::value value = json::parse(
        frame, ec, json::make_shared_resource<json::monotonic_resource>(2 * frame.size() + 512),
        options);
    if (ec) {
        out.error = bad_request("not valid JSON: " + ec.message());
        return out;
    }
    if (!value.is_object()) {
        out.error = bad_request("a request must be a JSON object");
        return out;
    }
    auto& body = value.get_object();
    if (const auto* id = body.if_contains("id"); id != nullptr && id->is_string() &&
                                                 !base::find_invalid_utf8(id->get_string()) &&
                                                 id->get_string().size() <= kName) {
        out.id = std::string(id->get_string());
    }
    // Every key once, at any depth: a repeated key would otherwise be read as its last copy
    // here and perhaps as its first by another reader of the same text.
    if (members_kept(value) != keys_written(frame)) {
        auto key = repeated_key(frame);
        if (key == "id")
            out.id.clear();  // which of the ids to answer is the question
        out.error = bad_request(key ? duplicate_key_message(std::move(*key)) : "duplicate key");
        return out;
    }
    const auto* id = body.if_contains("id");
    if (id == nullptr) {
        out.error = bad_request("id: required");
        return out;
    }
    if (!id->is_string()) {
        out.error = bad_request("id: must be a string");
        return out;
    }
    if (auto e = check_string("id", id->get_string(), 1, kName); !e.empty()) {
        out.error = bad_request(e);
        return out;
    }
    const auto* type = body.if_contains("type");
    if (type == nullptr) {
        out.error = bad_request("type: required");
        return out;
    }
    if (!type->is_string()) {
        out.error = bad_request("type: must be a string");
        return out;
    }
    const std::string_view type_text = type->get_string();
    if (base::find_invalid_utf8(type_text)) {
        out.error = bad_request("type: invalid UTF-8");
        return out;
    }
    const auto* spec = find_request(type_text);
    if (spec == nullptr) {
        out.error = bad_request("type: unknown request type '" +
                                std::string(type_text.substr(0, 64)) + "'");
        return out;
    }
    if (auto e = validate(*spec, body); !e.empty()) {
        out.error = bad_request(std::move(e));
        return out;
    }
    out.request = Request{out.id, spec, std::move(body)};
    return out;
}

std::string encode_ok(std::string_view re, json::object fields) {
    fields["re"] = re;
    fields["type"] = "ok";
    return json::serialize(fields);
}

std::string encode_error(std::string_view re, const Error& error, json::object extra) {
    if (!re.empty())
        extra["re"] = re;
    extra["type"] = "error";
    extra["code"] = error.code;
    extra["message"] = error.message;
    return json::serialize(extra);
}

std::string encode_event(std::string_view type, json::object fields) {
    fields["type"] = type;
    return json::serialize(fields);
}

namespace {

/// '{' + members + the given closing members + '}', reusing `members`' storage.
std::string close_members(std::string members, std::string_view tail) {
    members.insert(members.begin(), '{');
    if (members.size() > 1)
        members += ',';
    members += tail;
    members += '}';
    return members;
}

}  // namespace

std::string encode_ok_members(std::string_view re, std::string members) {
    return close_members(std::move(members), "\"re\":" + json::serialize(re) + ",\"type\":\"ok\"");
}

std::string encode_event_members(std::string_view type, std::string members) {
    return close_members(std::move(members), "\"type\":" + json::serialize(type));
}

Expected<ServerFrame> decode_server_frame(std::string_view frame) {
    boost::system::error_code ec;
    json::value value = json::parse(frame, ec);
    if (ec || !value.is_object())
        return Error{std::string(errc::bad_request),
                     "server sent a frame that is not a JSON object"};
    ServerFrame out;
    out.body = std::move(value.get_object());
    if (const auto* t = out.body.if_contains("type"); t != nullptr && t->is_string())
        out.type = std::string(t->get_string());
    else
        return Error{std::string(errc::bad_request), "server frame has no type"};
    if (const auto* re = out.body.if_contains("re"); re != nullptr && re->is_string()) {
        out.is_reply = true;
        out.re = std::string(re->get_string());
    }
    return out;
}

bool valid_name(std::string_view name) noexcept {
    if (name.empty() || name.size() > static_cast<std::size_t>(kName))
        return false;
    const auto ok = [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    };
    for (const char c : name)
        if (!ok(c))
            return false;
    return (name[0] >= 'a' && name[0] <= 'z') || (name[0] >= '0' && name[0] <= '9');
}

}  // namespace liaise::protocol
