// The reply, error and event shapes (schemas.hpp). Kept by hand from PROTOCOL.md and the
// server's code; e2e_tests "[authz]" checks every frame the real server sends against it, and
// protocol_tests checks protocol/testdata/vectors/frames.json against it (regenerate that file
// with protocol/testdata/make_frames.py after a change here). One field per line: the format is
// read by make_frames.py.
#include "liaise/protocol/schemas.hpp"

namespace liaise::protocol {
namespace {

// clang-format off
// hello
constexpr ReplyField r_hello[] = {
    {"version", kInteger, true},
    {"server", kString, true},
    {"challenge", kString, true},
    {"server_key", kString, true},
};
// enrol
constexpr ReplyField r_enrol[] = {
    {"user", kString, true},
    {"display_name", kString, true},
    {"agency", kString, true},
    {"discipline", kString, true},
    {"role", kString, true},
    {"device", kString, true},
    {"server_key", kString, true},
};
// login
constexpr ReplyField r_login[] = {
    {"user", kString, true},
    {"display_name", kString, true},
    {"agency", kString, true},
    {"discipline", kString, true},
    {"role", kString, true},
    {"device", kString, true},
    {"server_key", kString, true},
    {"session", kInteger, true},
    {"new_logins", kArray, true},
};
// whoami
constexpr ReplyField r_whoami[] = {
    {"user", kString, true},
    {"display_name", kString, true},
    {"agency", kString, true},
    {"discipline", kString, true},
    {"role", kString, true},
    {"device", kString, true},
    {"governance", kBoolean, false},
    {"email_digest", kBoolean, false},
    {"email", kString, false},
    {"digest_time", kString, false},
};
// sessions
constexpr ReplyField r_sessions[] = {
    {"sessions", kArray, true},
};
// agency_add
constexpr ReplyField r_agency_add[] = {
    {"name", kString, true},
    {"discipline", kString, true},
};
// agency_list
constexpr ReplyField r_agency_list[] = {
    {"agencies", kArray, true},
};
// enrol_code
constexpr ReplyField r_enrol_code[] = {
    {"user", kString, true},
    {"code", kString, true},
    {"expires_at", kInteger, true},
    {"withdrawn", kInteger, true},
};
// room_create
constexpr ReplyField r_room_create[] = {
    {"room", kString, true},
    {"members", kArray, true},
};
// room_add
constexpr ReplyField r_room_add[] = {
    {"room", kString, true},
    {"user", kString, true},
    {"changed", kBoolean, true},
};
// room_remove
constexpr ReplyField r_room_remove[] = {
    {"room", kString, true},
    {"user", kString, true},
    {"changed", kBoolean, true},
};
// rooms
constexpr ReplyField r_rooms[] = {
    {"rooms", kArray, true},
};
// room_show
constexpr ReplyField r_room_show[] = {
    {"room", kString, true},
    {"last_seq", kInteger, false},
    {"public", kBoolean, true},
    {"members", kArray, true},
    {"member", kBoolean, false},
    {"glossary", kObject, false},
};
// user_keys
constexpr ReplyField r_user_keys[] = {
    {"user", kString, true},
    {"display_name", kString, true},
    {"agency", kString, true},
    {"discipline", kString, true},
    {"role", kString, true},
    {"devices", kArray, true},
};
// send
constexpr ReplyField r_send[] = {
    {"seq", kInteger, true},
    {"duplicate", kBoolean, true},
    {"sent_at", kInteger, true},
};
// sync
constexpr ReplyField r_sync[] = {
    {"room", kString, true},
    {"messages", kArray, true},
    {"more", kBoolean, true},
    {"last_seq", kInteger, true},
};
// room_audience
constexpr ReplyField r_room_audience[] = {
    {"room", kString, true},
    {"public", kBoolean, true},
    {"changed", kBoolean, true},
};
// glossary
constexpr ReplyField r_glossary[] = {
    {"room", kString, true},
    {"public", kBoolean, true},
    {"version", kInteger, true},
    {"terms", kArray, true},
    {"history", kArray, false},
};
// glossary_add
constexpr ReplyField r_glossary_add[] = {
    {"room", kString, true},
    {"term", kString, true},
    {"version", kInteger, true},
    {"change", kString, true},
};
// glossary_remove
constexpr ReplyField r_glossary_remove[] = {
    {"room", kString, true},
    {"term", kString, true},
    {"version", kInteger, true},
    {"change", kString, true},
};
// message_withdraw
constexpr ReplyField r_message_withdraw[] = {
    {"room", kString, true},
    {"seq", kInteger, true},
    {"event_seq", kInteger, true},
    {"withdrawn", kBoolean, true},
};
// retention_show
constexpr ReplyField r_retention_show[] = {
    {"defaults", kArray, true},
    {"schedules", kArray, true},
    {"holds", kArray, true},
};
// retention_set
constexpr ReplyField r_retention_set[] = {
    {"agency", kString, true},
    {"record", kString, true},
    {"days", kInteger, true},
    {"previous_days", kInteger, true},
};
// retention_sweep
constexpr ReplyField r_retention_sweep[] = {
    {"preview", kBoolean, true},
    {"at", kInteger, true},
    {"deleted", kArray, true},
    {"held", kArray, true},
    {"kept", kArray, true},
    {"more", kBoolean, false},
};
// hold_place
constexpr ReplyField r_hold_place[] = {
    {"target", kString, true},
    {"room", kString, true},
    {"meeting", kInteger, false},
    {"at", kInteger, true},
};
// hold_lift
constexpr ReplyField r_hold_lift[] = {
    {"target", kString, true},
    {"room", kString, true},
    {"meeting", kInteger, false},
    {"at", kInteger, true},
};
// hold_targets
constexpr ReplyField r_hold_targets[] = {
    {"rooms", kArray, true},
    {"meetings", kArray, true},
};
// governance_grant
constexpr ReplyField r_governance_grant[] = {
    {"user", kString, true},
    {"governance", kBoolean, true},
    {"changed", kBoolean, true},
};
// governance_list
constexpr ReplyField r_governance_list[] = {
    {"officers", kArray, true},
};
// subject_access
constexpr ReplyField r_subject_access[] = {
    {"page", kInteger, true},
    {"pages", kInteger, true},
    {"bundle", kObject, true},
};
// room_read
constexpr ReplyField r_room_read[] = {
    {"room", kString, true},
    {"read_seq", kInteger, true},
    {"changed", kBoolean, true},
};
// email_digest
constexpr ReplyField r_email_digest[] = {
    {"on", kBoolean, true},
    {"changed", kBoolean, true},
};
// digest_run
constexpr ReplyField r_digest_run[] = {
    {"day", kString, true},
    {"requested_at", kInteger, true},
};
// dictionaries
constexpr ReplyField r_dictionaries[] = {
    {"version", kInteger, true},
    {"unchanged", kBoolean, false},
    {"dictionaries", kArray, false},
    {"common_acronyms", kString, false},
};
// ask
constexpr ReplyField r_ask[] = {
    {"id", kInteger, true},
    {"term", kString, true},
    {"status", kString, true},
};
// meeting_create
constexpr ReplyField r_meeting_create[] = {
    {"meeting", kInteger, true},
    {"room", kString, true},
    {"version", kInteger, true},
    {"status", kString, true},
    {"kind", kString, true},
    {"title", kString, true},
    {"starts_at", kString, true},
    {"place", kString, true},
    {"chair", kObject, true},
    {"minute_taker", kObject, true},
    {"marking", kString, true},
    {"next_meeting", kString | kNull, true},
    {"attendance", kArray, true},
    {"agenda", kArray, true},
    {"decisions", kArray, true},
    {"actions", kArray, true},
    {"carried_forward", kArray, true},
    {"case_reference", kString, true},
    {"kind_label", kString, true},
    {"vote_recorded", kBoolean, true},
    {"templated", kBoolean, true},
    {"sections", kArray, true},
    {"reports", kArray, true},
    {"agency_views", kArray, true},
    {"missing_sections", kArray, true},
};
// meeting_update
constexpr ReplyField r_meeting_update[] = {
    {"meeting", kInteger, true},
    {"room", kString, true},
    {"version", kInteger, true},
    {"status", kString, true},
    {"kind", kString, true},
    {"title", kString, true},
    {"starts_at", kString, true},
    {"place", kString, true},
    {"chair", kObject, true},
    {"minute_taker", kObject, true},
    {"marking", kString, true},
    {"next_meeting", kString | kNull, true},
    {"attendance", kArray, true},
    {"agenda", kArray, true},
    {"decisions", kArray, true},
    {"actions", kArray, true},
    {"carried_forward", kArray, true},
    {"case_reference", kString, true},
    {"kind_label", kString, true},
    {"vote_recorded", kBoolean, true},
    {"templated", kBoolean, true},
    {"sections", kArray, true},
    {"reports", kArray, true},
    {"agency_views", kArray, true},
    {"missing_sections", kArray, true},
    {"correction", kObject, false},
    {"versions", kArray, false},
};
// meetings
constexpr ReplyField r_meetings[] = {
    {"room", kString, true},
    {"meetings", kArray, true},
};
// meeting_show
constexpr ReplyField r_meeting_show[] = {
    {"meeting", kInteger, true},
    {"room", kString, true},
    {"version", kInteger, true},
    {"status", kString, true},
    {"kind", kString, true},
    {"title", kString, true},
    {"starts_at", kString, true},
    {"place", kString, true},
    {"chair", kObject, true},
    {"minute_taker", kObject, true},
    {"marking", kString, true},
    {"next_meeting", kString | kNull, true},
    {"attendance", kArray, true},
    {"agenda", kArray, true},
    {"decisions", kArray, true},
    {"actions", kArray, true},
    {"carried_forward", kArray, true},
    {"case_reference", kString, true},
    {"kind_label", kString, true},
    {"vote_recorded", kBoolean, true},
    {"templated", kBoolean, true},
    {"sections", kArray, true},
    {"reports", kArray, true},
    {"agency_views", kArray, true},
    {"missing_sections", kArray, true},
    {"versions", kArray, true},
    {"audience", kString, true},
    {"circulated_by", kObject, false},
    {"circulated_at", kInteger, false},
    {"distribution", kArray, false},
    {"signatures", kArray, false},
    {"findings_acknowledged", kInteger, false},
    {"approved_by", kObject, false},
    {"approved_at", kInteger, false},
    {"correction", kObject, false},
    {"deadlines", kArray, true},
};
// meeting_attend
constexpr ReplyField r_meeting_attend[] = {
    {"meeting", kInteger, true},
    {"entry", kObject, true},
    {"attendance", kArray, true},
};
// meeting_agenda
constexpr ReplyField r_meeting_agenda[] = {
    {"meeting", kInteger, true},
    {"item", kObject, true},
};
// meeting_decision
constexpr ReplyField r_meeting_decision[] = {
    {"meeting", kInteger, true},
    {"item", kObject, true},
};
// meeting_section
constexpr ReplyField r_meeting_section[] = {
    {"meeting", kInteger, true},
    {"section", kString, true},
    {"sections", kArray, true},
    {"reports", kArray, true},
    {"agency_views", kArray, true},
    {"missing_sections", kArray, true},
};
// meeting_remove
constexpr ReplyField r_meeting_remove[] = {
    {"meeting", kInteger, true},
    {"section", kString, true},
    {"item", kInteger, true},
    {"removed", kBoolean, true},
};
// meeting_check
constexpr ReplyField r_meeting_check[] = {
    {"audience", kString, true},
    {"findings", kInteger, true},
    {"readability", kObject | kNull, true},
    {"sections", kArray, true},
    {"copies", kArray, true},
    {"meeting", kInteger, true},
    {"version", kInteger, true},
};
// meeting_circulate
constexpr ReplyField r_meeting_circulate[] = {
    {"meeting", kInteger, true},
    {"room", kString, true},
    {"version", kInteger, true},
    {"status", kString, true},
    {"findings", kInteger, true},
    {"distribution", kArray, true},
    {"signatures", kArray, true},
};
// meeting_approve
constexpr ReplyField r_meeting_approve[] = {
    {"meeting", kInteger, true},
    {"version", kInteger, true},
    {"status", kString, true},
    {"approved_by", kObject, true},
    {"approved_at", kInteger, true},
    {"signatures", kArray, true},
};
// meeting_correct
constexpr ReplyField r_meeting_correct[] = {
    {"meeting", kInteger, true},
    {"room", kString, true},
    {"version", kInteger, true},
    {"status", kString, true},
    {"kind", kString, true},
    {"title", kString, true},
    {"starts_at", kString, true},
    {"place", kString, true},
    {"chair", kObject, true},
    {"minute_taker", kObject, true},
    {"marking", kString, true},
    {"next_meeting", kString | kNull, true},
    {"attendance", kArray, true},
    {"agenda", kArray, true},
    {"decisions", kArray, true},
    {"actions", kArray, true},
    {"carried_forward", kArray, true},
    {"case_reference", kString, true},
    {"kind_label", kString, true},
    {"vote_recorded", kBoolean, true},
    {"templated", kBoolean, true},
    {"sections", kArray, true},
    {"reports", kArray, true},
    {"agency_views", kArray, true},
    {"missing_sections", kArray, true},
    {"correction", kObject, true},
    {"versions", kArray, true},
};
// meeting_export
constexpr ReplyField r_meeting_export[] = {
    {"meeting", kInteger, true},
    {"version", kInteger, true},
    {"status", kString, true},
    {"format", kString, true},
    {"content", kString, true},
};
// minutes_acknowledge
constexpr ReplyField r_minutes_acknowledge[] = {
    {"meeting", kInteger, true},
    {"version", kInteger, true},
    {"acknowledged_at", kInteger, true},
    {"acknowledged_on", kString, true},
    {"already", kBoolean, true},
};
// minutes_comment
constexpr ReplyField r_minutes_comment[] = {
    {"comment", kInteger, true},
    {"meeting", kInteger, true},
    {"version", kInteger, true},
    {"section", kString, true},
    {"by", kObject, true},
    {"sent_at", kInteger, true},
    {"text", kString, true},
    {"status", kString, true},
    {"resolved_by", kObject, false},
    {"resolved_at", kInteger, false},
    {"answer", kString, false},
    {"corrected_in", kInteger, false},
    {"signed_at", kInteger, false},
    {"signature", kString | kNull, false},
    {"device", kString, false},
    {"signer_keys", kObject | kNull, false},
    {"window_closes", kString, true},
};
// minutes_comments
constexpr ReplyField r_minutes_comments[] = {
    {"meeting", kInteger, true},
    {"all", kBoolean, true},
    {"open", kInteger, true},
    {"comments", kArray, true},
};
// minutes_comment_resolve
constexpr ReplyField r_minutes_comment_resolve[] = {
    {"comment", kInteger, true},
    {"meeting", kInteger, true},
    {"version", kInteger, true},
    {"section", kString, true},
    {"by", kObject, true},
    {"sent_at", kInteger, true},
    {"text", kString, true},
    {"status", kString, true},
    {"resolved_by", kObject, false},
    {"resolved_at", kInteger, false},
    {"answer", kString, false},
    {"corrected_in", kInteger, false},
    {"signed_at", kInteger, false},
    {"signature", kString | kNull, false},
    {"device", kString, false},
    {"signer_keys", kObject | kNull, false},
};
// minutes_due
constexpr ReplyField r_minutes_due[] = {
    {"today", kString, true},
    {"meetings", kArray, true},
};
// action_add
constexpr ReplyField r_action_add[] = {
    {"id", kInteger, true},
    {"room", kString, true},
    {"meeting", kInteger, true},
    {"what", kString, true},
    {"outcome", kString, true},
    {"owner", kObject | kNull, true},
    {"due", kString, true},
    {"review", kString | kNull, true},
    {"status", kString, true},
    {"evidence", kString, true},
    {"overdue", kBoolean, true},
    {"meeting_title", kString, true},
};
// action_update
constexpr ReplyField r_action_update[] = {
    {"id", kInteger, true},
    {"room", kString, true},
    {"meeting", kInteger, true},
    {"what", kString, true},
    {"outcome", kString, true},
    {"owner", kObject | kNull, true},
    {"due", kString, true},
    {"review", kString | kNull, true},
    {"status", kString, true},
    {"evidence", kString, true},
    {"overdue", kBoolean, true},
};
// actions
constexpr ReplyField r_actions[] = {
    {"actions", kArray, true},
};
// agency_rename
constexpr ReplyField r_agency_rename[] = {
    {"name", kString, true},
    {"previous", kString, true},
};
// account_list
constexpr ReplyField r_account_list[] = {
    {"accounts", kArray, true},
    {"pending", kArray, true},
};
// account_role
constexpr ReplyField r_account_role[] = {
    {"user", kString, true},
    {"role", kString, true},
    {"previous", kString, true},
    {"changed", kBoolean, true},
};
// account_email
constexpr ReplyField r_account_email[] = {
    {"user", kString, true},
    {"email", kString, false},
    {"changed", kBoolean, true},
};
// account_suspend
constexpr ReplyField r_account_suspend[] = {
    {"user", kString, true},
    {"suspended", kBoolean, true},
    {"changed", kBoolean, true},
};
// account_reinstate
constexpr ReplyField r_account_reinstate[] = {
    {"user", kString, true},
    {"suspended", kBoolean, true},
    {"changed", kBoolean, true},
};
// device_replace
constexpr ReplyField r_device_replace[] = {
    {"user", kString, true},
    {"code", kString, true},
    {"expires_at", kInteger, true},
    {"withdrawn", kInteger, true},
};
// dict_add
constexpr ReplyField r_dict_add[] = {
    {"discipline", kString, true},
    {"term", kString, true},
    {"changed", kBoolean, true},
    {"version", kInteger, true},
    {"summary", kString, true},
};
// dict_edit
constexpr ReplyField r_dict_edit[] = {
    {"discipline", kString, true},
    {"term", kString, true},
    {"changed", kBoolean, true},
    {"version", kInteger, true},
    {"summary", kString, true},
};
// dict_remove
constexpr ReplyField r_dict_remove[] = {
    {"discipline", kString, true},
    {"term", kString, true},
    {"changed", kBoolean, true},
    {"version", kInteger, true},
    {"summary", kString, true},
};
// dict_discipline_add
constexpr ReplyField r_dict_discipline_add[] = {
    {"discipline", kString, true},
    {"changed", kBoolean, true},
    {"version", kInteger, true},
    {"summary", kString, true},
};
// dict_discipline_remove
constexpr ReplyField r_dict_discipline_remove[] = {
    {"discipline", kString, true},
    {"changed", kBoolean, true},
    {"version", kInteger, true},
    {"summary", kString, true},
};
// dict_import
constexpr ReplyField r_dict_import[] = {
    {"discipline", kString, true},
    {"entries", kInteger, true},
    {"changed", kBoolean, true},
    {"version", kInteger, true},
    {"summary", kString, true},
};
// dict_export
constexpr ReplyField r_dict_export[] = {
    {"discipline", kString, true},
    {"version", kInteger, true},
    {"tsv", kString, true},
};
// dict_versions
constexpr ReplyField r_dict_versions[] = {
    {"version", kInteger, true},
    {"versions", kArray, true},
};
// dict_revert
constexpr ReplyField r_dict_revert[] = {
    {"reverted_to", kInteger, true},
    {"changed", kBoolean, true},
    {"version", kInteger, true},
    {"summary", kString, true},
};
// dict_feedback
constexpr ReplyField r_dict_feedback[] = {
    {"recorded", kInteger, true},
};
// dict_noisy
constexpr ReplyField r_dict_noisy[] = {
    {"entries", kArray, true},
};
// questions
constexpr ReplyField r_questions[] = {
    {"questions", kArray, true},
};
// question_list
constexpr ReplyField r_question_list[] = {
    {"questions", kArray, true},
};
// question_answer
constexpr ReplyField r_question_answer[] = {
    {"question", kInteger, true},
    {"status", kString, true},
    {"reply", kString, true},
};
// question_dismiss
constexpr ReplyField r_question_dismiss[] = {
    {"question", kInteger, true},
    {"status", kString, true},
    {"reply", kString, true},
};
// audit
constexpr ReplyField r_audit[] = {
    {"records", kArray, true},
};
// event membership
constexpr ReplyField e_membership[] = {
    {"room", kString, true},
    {"change", kString, true},
    {"user", kString, false},
    {"public", kBoolean, false},
};
// event message
constexpr ReplyField e_message[] = {
    {"room", kString, true},
    {"seq", kInteger, true},
    {"sent_at", kInteger, true},
    {"event", kObject, false},
    {"sender", kString, false},
    {"sender_device", kString, false},
    {"sender_keys", kObject, false},
    {"envelope", kObject, false},
};
// event action_assigned
constexpr ReplyField e_action_assigned[] = {
    {"id", kInteger, true},
    {"room", kString, true},
    {"meeting", kInteger, true},
    {"what", kString, true},
    {"outcome", kString, true},
    {"owner", kObject | kNull, true},
    {"due", kString, true},
    {"review", kString | kNull, true},
    {"status", kString, true},
    {"evidence", kString, true},
    {"overdue", kBoolean, true},
    {"meeting_title", kString, false},
};
// event minutes_circulated
constexpr ReplyField e_minutes_circulated[] = {
    {"meeting", kInteger, true},
    {"room", kString, true},
    {"version", kInteger, true},
};
// event minutes_changed
constexpr ReplyField e_minutes_changed[] = {
    {"meeting", kInteger, true},
    {"room", kString, true},
    {"by", kString, true},
    {"version", kInteger, false},
    {"action", kInteger, false},
};
// event dictionaries
constexpr ReplyField e_dictionaries[] = {
    {"version", kInteger, true},
};
// event question
constexpr ReplyField e_question[] = {
    {"id", kInteger, true},
    {"term", kString, true},
    {"status", kString, true},
    {"reply", kString, true},
};
// event keys_changed (not met in the e2e scenario)
constexpr ReplyField e_keys_changed[] = {
    {"user", kString, true},
};
// event action_reminder (not met in the e2e scenario)
constexpr ReplyField e_action_reminder[] = {
    {"overdue", kInteger, true},
    {"due_soon", kInteger, true},
    {"actions", kArray, true},
};
// backup_key
constexpr ReplyField r_backup_key[] = {
    {"version", kInteger, true},
    {"public_key", kString, false},
    {"device", kString, false},
    {"signature", kString, false},
    {"signer", kObject, false},
};
// backup_key_set
constexpr ReplyField r_backup_key_set[] = {
    {"version", kInteger, true},
};
// backup_put
constexpr ReplyField r_backup_put[] = {
    {"stored", kInteger, true},
};
// backup_get
constexpr ReplyField r_backup_get[] = {
    {"room", kString, true},
    {"version", kInteger, true},
    {"keys", kObject, true},
    {"more", kBoolean, true},
};
// backup_prune
constexpr ReplyField r_backup_prune[] = {
    {"deleted", kInteger, true},
};
// transfer_put
constexpr ReplyField r_transfer_put[] = {
    {"expires_at", kInteger, true},
};
// transfer_take
constexpr ReplyField r_transfer_take[] = {
    {"waiting", kBoolean, true},
    {"bundle", kString, false},
    {"from_device", kString, false},
    {"from_keys", kObject, false},
};
// transfer_done
constexpr ReplyField r_transfer_done[] = {
    {"closed", kBoolean, true},
};
// history_share
constexpr ReplyField r_history_share[] = {
    {"room", kString, true},
    {"user", kString, true},
    {"devices", kInteger, true},
    {"seq", kInteger, true},
};
// history_shared
constexpr ReplyField r_history_shared[] = {
    {"room", kString, true},
    {"shares", kArray, true},
    {"messages", kArray, true},
};
// error: challenge (a refused login), members (stale_membership), check
// (findings_unacknowledged), missing (sections_missing), problems (invalid_dictionary), retry_after_ms (rate_limited)
constexpr ReplyField error_fields[] = {
    {"code", kString, true},
    {"message", kString, true},
    {"challenge", kString, false},
    {"members", kArray, false},
    {"check", kObject, false},
    {"problems", kArray, false},
    {"retry_after_ms", kInteger, false},
    {"missing", kArray, false},
};
constexpr FrameShape kReplies[] = {
    {"hello", r_hello},
    {"enrol", r_enrol},
    {"login", r_login},
    {"whoami", r_whoami},
    {"sessions", r_sessions},
    {"agency_add", r_agency_add},
    {"agency_list", r_agency_list},
    {"enrol_code", r_enrol_code},
    {"room_create", r_room_create},
    {"room_add", r_room_add},
    {"room_remove", r_room_remove},
    {"rooms", r_rooms},
    {"room_show", r_room_show},
    {"user_keys", r_user_keys},
    {"send", r_send},
    {"sync", r_sync},
    {"room_audience", r_room_audience},
    {"dictionaries", r_dictionaries},
    {"ask", r_ask},
    {"meeting_create", r_meeting_create},
    {"meeting_update", r_meeting_update},
    {"meetings", r_meetings},
    {"meeting_show", r_meeting_show},
    {"meeting_attend", r_meeting_attend},
    {"meeting_agenda", r_meeting_agenda},
    {"meeting_decision", r_meeting_decision},
    {"meeting_section", r_meeting_section},
    {"meeting_remove", r_meeting_remove},
    {"meeting_check", r_meeting_check},
    {"meeting_circulate", r_meeting_circulate},
    {"meeting_approve", r_meeting_approve},
    {"meeting_correct", r_meeting_correct},
    {"meeting_export", r_meeting_export},
    {"minutes_acknowledge", r_minutes_acknowledge},
    {"minutes_comment", r_minutes_comment},
    {"minutes_comments", r_minutes_comments},
    {"minutes_comment_resolve", r_minutes_comment_resolve},
    {"minutes_due", r_minutes_due},
    {"action_add", r_action_add},
    {"action_update", r_action_update},
    {"actions", r_actions},
    {"agency_rename", r_agency_rename},
    {"account_list", r_account_list},
    {"account_role", r_account_role},
    {"account_email", r_account_email},
    {"account_suspend", r_account_suspend},
    {"account_reinstate", r_account_reinstate},
    {"device_replace", r_device_replace},
    {"dict_add", r_dict_add},
    {"dict_edit", r_dict_edit},
    {"dict_remove", r_dict_remove},
    {"dict_discipline_add", r_dict_discipline_add},
    {"dict_discipline_remove", r_dict_discipline_remove},
    {"dict_import", r_dict_import},
    {"dict_export", r_dict_export},
    {"dict_versions", r_dict_versions},
    {"dict_revert", r_dict_revert},
    {"dict_feedback", r_dict_feedback},
    {"dict_noisy", r_dict_noisy},
    {"questions", r_questions},
    {"question_list", r_question_list},
    {"question_answer", r_question_answer},
    {"question_dismiss", r_question_dismiss},
    {"audit", r_audit},
    {"backup_key", r_backup_key},
    {"backup_key_set", r_backup_key_set},
    {"backup_put", r_backup_put},
    {"backup_get", r_backup_get},
    {"backup_prune", r_backup_prune},
    {"transfer_put", r_transfer_put},
    {"transfer_take", r_transfer_take},
    {"transfer_done", r_transfer_done},
    {"history_share", r_history_share},
    {"history_shared", r_history_shared},
    {"glossary", r_glossary},
    {"glossary_add", r_glossary_add},
    {"glossary_remove", r_glossary_remove},
    {"message_withdraw", r_message_withdraw},
    {"retention_show", r_retention_show},
    {"retention_set", r_retention_set},
    {"retention_sweep", r_retention_sweep},
    {"hold_place", r_hold_place},
    {"hold_lift", r_hold_lift},
    {"hold_targets", r_hold_targets},
    {"governance_grant", r_governance_grant},
    {"governance_list", r_governance_list},
    {"subject_access", r_subject_access},
    {"room_read", r_room_read},
    {"email_digest", r_email_digest},
    {"digest_run", r_digest_run},
};
constexpr FrameShape kEvents[] = {
    {"membership", e_membership},
    {"message", e_message},
    {"action_assigned", e_action_assigned},
    {"minutes_circulated", e_minutes_circulated},
    {"minutes_changed", e_minutes_changed},
    {"dictionaries", e_dictionaries},
    {"question", e_question},
    {"keys_changed", e_keys_changed},
    {"action_reminder", e_action_reminder},
};
constexpr FrameShape kError[] = {
    {"error", error_fields},
};
// clang-format on

}  // namespace

std::span<const FrameShape> reply_shapes() noexcept {
    return kReplies;
}

std::span<const FrameShape> event_shapes() noexcept {
    return kEvents;
}

const FrameShape& error_shape() noexcept {
    return kError[0];
}

}  // namespace liaise::protocol
