#include "liaise/protocol/minutes_digest.hpp"

#include <sodium.h>

#include <fstream>
#include <functional>
#include <iterator>
#include <string>

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include "liaise/protocol/minutes_copy.hpp"

namespace {

namespace json = boost::json;
using namespace liaise::protocol;

std::string hex(const MinutesDigest& d) {
    std::string out(d.size() * 2 + 1, '\0');
    sodium_bin2hex(out.data(), out.size(), d.data(), d.size());
    out.pop_back();
    return out;
}

json::array golden() {
    std::ifstream in(LIAISE_VECTORS "/minutes-digest.json");
    REQUIRE(in);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return json::parse(text).at("vectors").as_array();
}

MinutesSigner signer_of(const json::object& v) {
    return {v.at("act").as_string() == "circulate" ? MinutesAct::circulate : MinutesAct::approve,
            std::string(v.at("account").as_string()), v.at("signed_at").as_int64()};
}

MinutesDigestVersion version_of(const json::object& v) {
    const auto label = v.at("label").as_string();
    REQUIRE((label == "liaise-minutes-v1" || label == "liaise-minutes-v2"));
    return label == "liaise-minutes-v1" ? MinutesDigestVersion::v1 : MinutesDigestVersion::v2;
}

/// The first golden vector with `label` over minutes of `kind`.
json::object vector_of(std::string_view label, std::string_view kind) {
    for (const auto& v : golden())
        if (v.at("label").as_string() == label && v.at("minutes").at("kind").as_string() == kind)
            return v.as_object();
    FAIL("no golden vector " << label << " for " << kind);
    return {};
}

}  // namespace

TEST_CASE("minutes digests match the golden vectors another implementation computed",
          "[minutes-digest]") {
    // protocol/testdata/vectors/minutes-digest.json was computed by ../minutes_digest.py, with
    // Python's hashlib from the rule in PROTOCOL.md; the browser client must reproduce it too.
    const auto vectors = golden();
    REQUIRE(vectors.size() == 8);
    int v1 = 0;
    for (const auto& v : vectors) {
        const auto& o = v.as_object();
        INFO(o.at("label").as_string() << " " << o.at("act").as_string());
        CHECK(hex(minutes_digest(o.at("minutes").as_object(), signer_of(o), version_of(o))) ==
              o.at("digest").as_string());
        v1 += version_of(o) == MinutesDigestVersion::v1 ? 1 : 0;
    }
    CHECK(v1 == 4);
    // What is signed now is v2: the default.
    const auto now = vector_of("liaise-minutes-v2", "initial-cp-conference");
    CHECK(hex(minutes_digest(now.at("minutes").as_object(), signer_of(now))) ==
          now.at("digest").as_string());
}

TEST_CASE("every shown field, the act, the signer and the time change the minutes digest",
          "[minutes-digest]") {
    const auto v = vector_of("liaise-minutes-v2", "strategy");
    const auto& minutes = v.at("minutes").as_object();
    const auto signer = signer_of(v);
    const auto base = minutes_digest(minutes, signer);

    auto changed = [&](auto edit) {
        json::object m = minutes;
        edit(m);
        return minutes_digest(m, signer) != base;
    };
    CHECK(changed([](json::object& m) { m["title"] = "Strategy meeting: J (9)"; }));
    CHECK(changed([](json::object& m) { m["version"] = 3; }));
    CHECK(changed([](json::object& m) { m["next_meeting"] = nullptr; }));
    CHECK(changed([](json::object& m) { m["chair"].as_object()["display_name"] = "Hana Alí"; }));
    CHECK(
        changed([](json::object& m) { m["decisions"].as_array()[1].as_object()["dissent"] = ""; }));
    CHECK(changed(
        [](json::object& m) { m["attendance"].as_array()[1].as_object()["family"] = false; }));
    CHECK(changed(
        [](json::object& m) { m["actions"].as_array()[0].as_object()["due"] = "2026-11-25"; }));
    CHECK(changed([](json::object& m) {
        m["carried_forward"].as_array()[0].as_object()["owner"].as_object()["name"] = "Dr Oko";
    }));
    CHECK(changed([](json::object& m) { m.erase("correction"); }));
    // Moving text from one field into the next is a different encoding, not a collision.
    CHECK(changed([](json::object& m) {
        m["title"] = "Strategy meeting: J (8)Room 4, Civic Centre";
        m["place"] = "";
    }));
    // Lifecycle fields are not part of what was signed.
    CHECK_FALSE(changed([](json::object& m) {
        m["status"] = "superseded";
        m["approved_at"] = 1;
        m["distribution"] = json::array{json::object{{"user", "x"}}};
        m["actions"].as_array()[0].as_object()["overdue"] = true;
    }));

    auto other = signer;
    other.act = MinutesAct::circulate;
    CHECK(minutes_digest(minutes, other) != base);
    other = signer;
    other.account = "bea";
    CHECK(minutes_digest(minutes, other) != base);
    other = signer;
    other.signed_at += 1;
    CHECK(minutes_digest(minutes, other) != base);
}

TEST_CASE("v2 covers the record's sections, reports, agency views, copies and case reference",
          "[minutes-digest]") {
    const auto v = vector_of("liaise-minutes-v2", "initial-cp-conference");
    const auto& minutes = v.at("minutes").as_object();
    const auto signer = signer_of(v);
    const auto base = minutes_digest(minutes, signer);
    const auto base_v1 = minutes_digest(minutes, signer, MinutesDigestVersion::v1);
    // Whether an edit changes the v2 digest; every one of these leaves v1's unchanged, which is
    // what a v1 signature could not protect.
    auto changed = [&](auto edit) {
        json::object m = minutes;
        edit(m);
        CHECK(minutes_digest(m, signer, MinutesDigestVersion::v1) == base_v1);
        return minutes_digest(m, signer) != base;
    };
    const auto section = [](json::object& m, std::size_t i) -> json::object& {
        return m["sections"].as_array()[i].as_object();
    };
    CHECK(changed([](json::object& m) { m["case_reference"] = "CP-2042/26"; }));
    CHECK(changed([](json::object& m) { m["kind_label"] = "Review conference"; }));
    CHECK(changed([&](json::object& m) { section(m, 0)["text"] = "No concerns."; }));
    CHECK(changed([&](json::object& m) { section(m, 0)["label"] = "Purpose"; }));
    CHECK(changed([&](json::object& m) { section(m, 0)["id"] = "risks"; }));
    CHECK(changed([&](json::object& m) { section(m, 1)["how_gathered"] = "Asked his mother."; }));
    CHECK(changed([&](json::object& m) { section(m, 2)["professionals_only"] = false; }));
    CHECK(changed([&](json::object& m) { section(m, 3)["text"] = "Risk of harm."; }));
    CHECK(changed([](json::object& m) { m["sections"].as_array().pop_back(); }));
    CHECK(changed([](json::object& m) {
        auto& s = m["sections"].as_array();
        std::swap(s[2], s[3]);
    }));
    CHECK(changed([](json::object& m) {
        m["reports"].as_array()[0].as_object()["shared_with_parents"] = false;
    }));
    CHECK(changed([](json::object& m) { m["reports"].as_array()[1].as_object()["by"] = "PC 7"; }));
    CHECK(changed([](json::object& m) { m["reports"].as_array()[1].as_object()["id"] = 3; }));
    CHECK(changed([](json::object& m) {
        m["agency_views"].as_array()[0].as_object()["view"] = "Disagrees: no plan needed.";
    }));
    CHECK(changed([](json::object& m) { m["agency_views"].as_array().pop_back(); }));
    const auto entry = [](json::object& m, std::size_t i) -> json::object& {
        return m["attendance"].as_array()[i].as_object();
    };
    // A parent's chosen sections, a copy with the default sections and one with none: each
    // different from the others.
    CHECK(changed([&](json::object& m) {
        entry(m, 1)["receives"].as_array().push_back("professional-information");
    }));
    CHECK(changed([&](json::object& m) { entry(m, 1).erase("receives"); }));
    CHECK(changed([&](json::object& m) { entry(m, 2)["receives"] = json::array(); }));
    CHECK(changed([&](json::object& m) { entry(m, 3).erase("receives"); }));
    // Moving text between a section's fields is another encoding.
    CHECK(changed([&](json::object& m) {
        section(m, 1)["text"] =
            "J said he is scared when there is shouting.Drawings with the "
            "nursery key worker.";
        section(m, 1)["how_gathered"] = "";
    }));
    // The template's help is not the record.
    json::object m = minutes;
    section(m, 0)["guidance"] = "Something else";
    m["missing_sections"] = json::array{json::object{{"id", "risks"}}};
    m["vote_recorded"] = false;
    CHECK(minutes_digest(m, signer) == base);
}

TEST_CASE("the v1 fallback cannot pass off changed minutes under a v2 signature",
          "[minutes-digest]") {
    // PROTOCOL.md, "Signed minutes": clients try v2, then v1. The label is the first thing
    // hashed, so the digests of one version differ, and a v2 signature verifies as v1 over no
    // content at all, changed or not.
    const auto v = vector_of("liaise-minutes-v2", "initial-cp-conference");
    const auto& minutes = v.at("minutes").as_object();
    const auto signer = signer_of(v);
    const auto hana = liaise::crypto::DeviceKeys::generate();
    const auto key = hana.identity().sign_key;
    CHECK(minutes_digest(minutes, signer, MinutesDigestVersion::v1) !=
          minutes_digest(minutes, signer, MinutesDigestVersion::v2));

    const auto v2_sig = sign_minutes(hana, minutes_digest(minutes, signer));
    CHECK(minutes_signature_version(key, minutes, signer, v2_sig) == MinutesDigestVersion::v2);
    CHECK_FALSE(minutes_signature_valid(
        key, minutes_digest(minutes, signer, MinutesDigestVersion::v1), v2_sig));
    // The attacker's edits: a section's text, a report, an agency view, a parent's copy, and
    // one field v1 covered too. None verifies under either version.
    const std::function<void(json::object&)> edits[] = {
        [](json::object& m) {
            m["sections"].as_array()[2].as_object()["text"] = "No police information.";
        },
        [](json::object& m) {
            m["reports"].as_array()[0].as_object()["report"] = "Health visitor's report (none)";
        },
        [](json::object& m) { m["agency_views"].as_array()[0].as_object()["view"] = "Disagrees."; },
        [](json::object& m) {
            m["attendance"].as_array()[1].as_object()["receives"].as_array().push_back(
                "professional-information");
        },
        [](json::object& m) { m["title"] = "Strategy meeting"; },
    };
    for (const auto& edit : edits) {
        json::object m = minutes;
        edit(m);
        CHECK_FALSE(minutes_signature_version(key, m, signer, v2_sig).has_value());
    }

    // A signature made before v2 still verifies, as v1, and protects what v1 covered; what
    // v2 added it never protected, which is what the client says when it falls back.
    const auto v1_sig =
        sign_minutes(hana, minutes_digest(minutes, signer, MinutesDigestVersion::v1));
    CHECK(minutes_signature_version(key, minutes, signer, v1_sig) == MinutesDigestVersion::v1);
    json::object m = minutes;
    edits[0](m);
    CHECK(minutes_signature_version(key, m, signer, v1_sig) == MinutesDigestVersion::v1);
    m = minutes;
    edits[4](m);
    CHECK_FALSE(minutes_signature_version(key, m, signer, v1_sig).has_value());
    // Another key, another signer or act: nothing.
    CHECK_FALSE(
        minutes_signature_version(liaise::crypto::DeviceKeys::generate().identity().sign_key,
                                  minutes, signer, v2_sig)
            .has_value());
    auto other = signer;
    other.account = "tess";
    CHECK_FALSE(minutes_signature_version(key, minutes, other, v2_sig).has_value());
}

TEST_CASE("a minutes signature verifies only for its digest and its signer's key",
          "[minutes-digest]") {
    const auto v = vector_of("liaise-minutes-v2", "strategy");
    const auto digest = minutes_digest(v.at("minutes").as_object(), signer_of(v));
    const auto hana = liaise::crypto::DeviceKeys::generate();
    const auto mallory = liaise::crypto::DeviceKeys::generate();
    const auto sig = sign_minutes(hana, digest);
    CHECK(minutes_signature_valid(hana.identity().sign_key, digest, sig));
    CHECK_FALSE(minutes_signature_valid(mallory.identity().sign_key, digest, sig));
    auto other = digest;
    other[0] ^= 1;
    CHECK_FALSE(minutes_signature_valid(hana.identity().sign_key, other, sig));
    // A login signature over the same bytes is not a minutes signature.
    CHECK_FALSE(minutes_signature_valid(hana.identity().sign_key, digest,
                                        liaise::crypto::sign_login(hana, digest)));
}

TEST_CASE(
    "a copy is decided by the signed version: a family member never gets a "
    "professionals-only section, whatever the copy list says",
    "[protocol][minutes]") {
    const auto fixed = json::parse(R"({
        "meeting": 7, "version": 1, "status": "circulated", "title": "Core group",
        "sections": [
            {"id": "purpose", "label": "Purpose", "text": "Concerns", "professionals_only": false},
            {"id": "decision", "label": "Decision", "text": "Police information",
             "professionals_only": true},
            {"id": "plan", "label": "Plan", "text": "Visit weekly", "professionals_only": false}],
        "attendance": [
            {"id": 1, "user": "hana", "name": "Hana Ali", "copy": false},
            {"id": 2, "name": "Kelly Smith", "role": "Mother", "family": true, "copy": true},
            {"id": 3, "name": "Dr Jones", "role": "GP", "family": false, "copy": true},
            {"id": 4, "name": "Lee Smith", "role": "Father", "family": true, "copy": true,
             "receives": ["purpose", "decision"]},
            {"id": 5, "name": "Sam Smith", "role": "Uncle", "family": true, "copy": false}],
        "decisions": [{"id": 1, "decision": "A plan"}],
        "actions": [{"id": 1, "what": "Visit"}],
        "agenda": [{"id": 1, "title": "Items", "discussion": "Talked"}]})")
                           .as_object();
    const auto ids = [](const json::object& copy) {
        std::string out;
        for (const auto& v : copy.at("sections").as_array())
            out += (out.empty() ? "" : ",") + std::string(v.as_string());
        return out;
    };
    const auto shown = [](const json::object& doc) {
        std::string out;
        for (const auto& v : doc.at("sections").as_array())
            out += (out.empty() ? "" : ",") + std::string(v.at("id").as_string());
        return out;
    };
    // A family member by default: every section less the professionals-only one.
    const auto kelly = copy_of(fixed, 2);
    REQUIRE(kelly);
    CHECK(ids(*kelly) == "purpose,plan");
    auto doc = copy_document(fixed, *kelly);
    CHECK(shown(doc) == "purpose,plan");
    CHECK(doc.at("decisions").as_array().empty());  // the decision's list goes with it
    CHECK(doc.at("actions").as_array().size() == 1);
    CHECK(doc.at("agenda").as_array().empty());
    CHECK(doc.at("copy_for").at("sections_left_out").as_int64() == 1);
    CHECK(json::serialize(doc).find("Police information") == std::string::npos);
    // A professional by default: everything, the agenda too.
    const auto gp = copy_of(fixed, 3);
    REQUIRE(gp);
    CHECK(shown(copy_document(fixed, *gp)) == "purpose,decision,plan");
    CHECK(copy_document(fixed, *gp).at("agenda").as_array().size() == 1);
    // A family member whose list names the professionals-only section: left out all the same.
    const auto lee = copy_of(fixed, 4);
    REQUIRE(lee);
    CHECK(ids(*lee) == "purpose,decision");
    doc = copy_document(fixed, *lee);
    CHECK(shown(doc) == "purpose");
    CHECK(json::serialize(doc).find("Police information") == std::string::npos);
    // So is one whose copy list a server widened to everything.
    json::object widened = *kelly;
    widened["sections"] = json::array{"purpose", "decision", "plan"};
    CHECK(shown(copy_document(fixed, widened)) == "purpose,plan");
    // No copy: an account, an entry not marked copy, an entry that is not there.
    CHECK_FALSE(copy_of(fixed, 1));
    CHECK_FALSE(copy_of(fixed, 5));
    CHECK_FALSE(copy_of(fixed, 9));
}
