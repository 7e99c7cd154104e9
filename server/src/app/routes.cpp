#include "app/routes.hpp"

#include <algorithm>
#include <map>
#include <string>

#include "app/service.hpp"

namespace liaise::server {

// The one list of the requests the server handles, each with its handler. Every type here must
// be in protocol::request_specs() and every type there must be here: serve() checks it at start.
std::span<const Service::Route> Service::routes() noexcept {
    static constexpr Route kRoutes[] = {
        {"hello", [](Service& s, Context& c) { s.hello(c); }},
        {"enrol", [](Service& s, Context& c) { s.enrol(c); }},
        {"login", [](Service& s, Context& c) { s.login(c); }},
        {"whoami", [](Service& s, Context& c) { s.whoami(c); }},
        {"sessions", [](Service& s, Context& c) { s.list_sessions(c); }},
        {"agency_add", [](Service& s, Context& c) { s.agency_add(c); }},
        {"agency_list", [](Service& s, Context& c) { s.agency_list(c); }},
        {"enrol_code", [](Service& s, Context& c) { s.enrol_code(c); }},
        {"room_create", [](Service& s, Context& c) { s.room_create(c); }},
        {"room_add", [](Service& s, Context& c) { s.room_change(c, true); }},
        {"room_remove", [](Service& s, Context& c) { s.room_change(c, false); }},
        {"rooms", [](Service& s, Context& c) { s.rooms(c); }},
        {"room_show", [](Service& s, Context& c) { s.room_show(c); }},
        {"user_keys", [](Service& s, Context& c) { s.user_keys(c); }},
        {"send", [](Service& s, Context& c) { s.send(c); }},
        {"sync", [](Service& s, Context& c) { s.sync(c); }},
        {"room_audience", [](Service& s, Context& c) { s.room_audience(c); }},
        {"dictionaries", [](Service& s, Context& c) { s.dictionaries(c); }},
        {"ask", [](Service& s, Context& c) { s.ask(c); }},
        {"meeting_create", [](Service& s, Context& c) { s.meeting_create(c); }},
        {"meeting_update", [](Service& s, Context& c) { s.meeting_update(c); }},
        {"meetings", [](Service& s, Context& c) { s.meetings(c); }},
        {"meeting_show", [](Service& s, Context& c) { s.meeting_show(c); }},
        {"meeting_attend", [](Service& s, Context& c) { s.meeting_attend(c); }},
        {"meeting_agenda", [](Service& s, Context& c) { s.meeting_agenda(c); }},
        {"meeting_decision", [](Service& s, Context& c) { s.meeting_decision(c); }},
        {"meeting_section", [](Service& s, Context& c) { s.meeting_section(c); }},
        {"meeting_remove", [](Service& s, Context& c) { s.meeting_remove(c); }},
        {"meeting_check", [](Service& s, Context& c) { s.meeting_check(c); }},
        {"meeting_circulate", [](Service& s, Context& c) { s.meeting_circulate(c); }},
        {"meeting_approve", [](Service& s, Context& c) { s.meeting_approve(c); }},
        {"meeting_correct", [](Service& s, Context& c) { s.meeting_correct(c); }},
        {"meeting_export", [](Service& s, Context& c) { s.meeting_export(c); }},
        {"minutes_acknowledge", [](Service& s, Context& c) { s.minutes_acknowledge(c); }},
        {"minutes_comment", [](Service& s, Context& c) { s.minutes_comment(c); }},
        {"minutes_comments", [](Service& s, Context& c) { s.minutes_comments(c); }},
        {"minutes_comment_resolve", [](Service& s, Context& c) { s.minutes_comment_resolve(c); }},
        {"minutes_due", [](Service& s, Context& c) { s.minutes_due(c); }},
        {"action_add", [](Service& s, Context& c) { s.action_add(c); }},
        {"action_update", [](Service& s, Context& c) { s.action_update(c); }},
        {"actions", [](Service& s, Context& c) { s.actions(c); }},
        {"agency_rename", [](Service& s, Context& c) { s.agency_rename(c); }},
        {"account_list", [](Service& s, Context& c) { s.account_list(c); }},
        {"account_role", [](Service& s, Context& c) { s.account_role(c); }},
        {"account_email", [](Service& s, Context& c) { s.account_email(c); }},
        {"account_suspend", [](Service& s, Context& c) { s.account_suspend(c, true); }},
        {"account_reinstate", [](Service& s, Context& c) { s.account_suspend(c, false); }},
        {"device_replace", [](Service& s, Context& c) { s.device_replace(c); }},
        {"dict_add", [](Service& s, Context& c) { s.dict_entry(c); }},
        {"dict_edit", [](Service& s, Context& c) { s.dict_entry(c); }},
        {"dict_remove", [](Service& s, Context& c) { s.dict_entry(c); }},
        {"dict_discipline_add", [](Service& s, Context& c) { s.dict_discipline(c, true); }},
        {"dict_discipline_remove", [](Service& s, Context& c) { s.dict_discipline(c, false); }},
        {"dict_import", [](Service& s, Context& c) { s.dict_import(c); }},
        {"dict_export", [](Service& s, Context& c) { s.dict_export(c); }},
        {"dict_versions", [](Service& s, Context& c) { s.dict_versions(c); }},
        {"dict_revert", [](Service& s, Context& c) { s.dict_revert(c); }},
        {"dict_feedback", [](Service& s, Context& c) { s.dict_feedback(c); }},
        {"dict_noisy", [](Service& s, Context& c) { s.dict_noisy(c); }},
        {"questions", [](Service& s, Context& c) { s.questions(c); }},
        {"question_list", [](Service& s, Context& c) { s.question_list(c); }},
        {"question_answer", [](Service& s, Context& c) { s.question_close(c, true); }},
        {"question_dismiss", [](Service& s, Context& c) { s.question_close(c, false); }},
        {"audit", [](Service& s, Context& c) { s.audit_log(c); }},
        {"backup_key", [](Service& s, Context& c) { s.backup_key(c); }},
        {"backup_key_set", [](Service& s, Context& c) { s.backup_key_set(c); }},
        {"backup_put", [](Service& s, Context& c) { s.backup_put(c); }},
        {"backup_get", [](Service& s, Context& c) { s.backup_get(c); }},
        {"backup_prune", [](Service& s, Context& c) { s.backup_prune(c); }},
        {"transfer_put", [](Service& s, Context& c) { s.transfer_put(c); }},
        {"transfer_take", [](Service& s, Context& c) { s.transfer_take(c); }},
        {"transfer_done", [](Service& s, Context& c) { s.transfer_done(c); }},
        {"history_share", [](Service& s, Context& c) { s.history_share(c); }},
        {"history_shared", [](Service& s, Context& c) { s.history_shared(c); }},
        {"glossary", [](Service& s, Context& c) { s.glossary(c); }},
        {"glossary_add", [](Service& s, Context& c) { s.glossary_change(c, true); }},
        {"glossary_remove", [](Service& s, Context& c) { s.glossary_change(c, false); }},
        {"message_withdraw", [](Service& s, Context& c) { s.message_withdraw(c); }},
        {"retention_show", [](Service& s, Context& c) { s.retention_show(c); }},
        {"retention_set", [](Service& s, Context& c) { s.retention_set(c); }},
        {"retention_sweep", [](Service& s, Context& c) { s.retention_sweep(c); }},
        {"hold_place", [](Service& s, Context& c) { s.hold_change(c, true); }},
        {"hold_lift", [](Service& s, Context& c) { s.hold_change(c, false); }},
        {"hold_targets", [](Service& s, Context& c) { s.hold_targets(c); }},
        {"governance_grant", [](Service& s, Context& c) { s.governance_grant(c); }},
        {"governance_list", [](Service& s, Context& c) { s.governance_list(c); }},
        {"subject_access", [](Service& s, Context& c) { s.subject_access(c); }},
        {"room_read", [](Service& s, Context& c) { s.room_read(c); }},
        {"email_digest", [](Service& s, Context& c) { s.email_digest(c); }},
        {"digest_run", [](Service& s, Context& c) { s.digest_run(c); }},
    };
    return kRoutes;
}

std::vector<std::string_view> Service::route_names() {
    std::vector<std::string_view> names;
    for (const auto& route : routes())
        names.push_back(route.type);
    return names;
}

std::vector<std::string> route_problems(std::span<const std::string_view> routes,
                                        std::span<const protocol::RequestSpec> specs) {
    std::vector<std::string> problems;
    std::map<std::string_view, int> routed;
    for (const auto type : routes)
        if (++routed[type] == 2)
            problems.push_back("request '" + std::string(type) + "' has more than one route");
    for (const auto& spec : specs)
        if (!routed.contains(spec.type))
            problems.push_back("request '" + std::string(spec.type) +
                               "' is in the protocol but has no route in the server");
    for (const auto& [type, count] : routed)
        if (std::none_of(specs.begin(), specs.end(),
                         [&](const protocol::RequestSpec& s) { return s.type == type; }))
            problems.push_back("route '" + std::string(type) +
                               "' has no request spec in the protocol");
    return problems;
}

}  // namespace liaise::server
