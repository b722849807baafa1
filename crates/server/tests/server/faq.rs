//! FAQ-2 at the level of consultations, learned questions across servers, and FAQ-3's
//! suggestions followed to a process change — over HTTP, on every backend.

use crate::cases::page_post;
use crate::helpers::*;
use serde_json::{Value, json};

fn consultation(app: &App, clerk: &str, request: &str) -> i64 {
    let (st, c) = app.post(
        "/api/v1/cases",
        clerk,
        json!({"kind": "consultation", "channel": "window", "applicant": {"name": "甲", "phone": "13812345678"}, "request": request}),
    );
    assert_eq!(st, 201, "{c}");
    c["id"].as_i64().unwrap()
}

fn answered(app: &App, clerk: &str, id: i64) {
    let (st, r) =
        app.post(&format!("/api/v1/cases/{id}/close"), clerk, json!({"outcome": "answered", "note": "已答复。"}));
    assert_eq!(st, 200, "{r}");
}

// FAQ-2: consultations answered from the library versus escalated (the seed's 解答率), counted
// from what happened on each case: a library hit used on it, an escalation, or neither.
#[test]
fn faq_2_consultations_from_library_versus_escalated() {
    for k in backends() {
        let app = App::spawn(k, "national");
        let (business, clerk) = (app.token("business"), app.token("clerk"));
        let (_, f) = app.post(
            "/api/v1/faq",
            &business,
            json!({"question": "住房公积金怎么提取？", "answer": "带身份证和购房合同到公积金窗口。"}),
        );
        // From the library: the hit is used on the consultation.
        let a = consultation(&app, &clerk, "公积金怎么取");
        let (_, r) = app.get("/api/v1/faq/search?q=%E5%85%AC%E7%A7%AF%E9%87%91%E6%80%8E%E4%B9%88%E5%8F%96", &clerk);
        let sid = r["search_id"].as_i64().unwrap();
        // A case the clerk may not work is not credited (and nothing is marked).
        let other_clerk = app.token("clerk2");
        let (_, r2) = app.get("/api/v1/faq/search?q=%E5%85%AC%E7%A7%AF%E9%87%91", &other_clerk);
        let sid2 = r2["search_id"].as_i64().unwrap();
        let (st, _) = app.post(
            &format!("/api/v1/faq/searches/{sid2}/used"),
            &other_clerk,
            json!({"faq_id": f["id"], "case_id": a}),
        );
        assert_eq!(st, 403);
        let (st, u) =
            app.post(&format!("/api/v1/faq/searches/{sid}/used"), &clerk, json!({"faq_id": f["id"], "case_id": a}));
        assert_eq!((st, &u["case_id"]), (200, &json!(a)), "{u}");
        answered(&app, &clerk, a);
        // Escalated, then answered.
        let b = consultation(&app, &clerk, "新业态能不能登记");
        let (st, e) =
            app.post(&format!("/api/v1/cases/{b}/escalations"), &clerk, json!({"reason": "新业态", "major": false}));
        assert_eq!(st, 201, "{e}");
        let eid = e["id"].as_i64().unwrap();
        let (st, x) =
            app.post(&format!("/api/v1/escalations/{eid}/answer"), &app.token("head"), json!({"answer": "可以登记"}));
        assert_eq!(st, 200, "{x}");
        answered(&app, &clerk, b);
        // Answered by the window directly; and one still open (not counted).
        let c = consultation(&app, &clerk, "大厅几点开门");
        answered(&app, &clerk, c);
        consultation(&app, &clerk, "还没答复的");
        let (st, s) = app.get("/api/v1/faq/stats?month=2026-11", &business);
        assert_eq!(st, 200, "{s}");
        let c = &s["consultations"];
        assert_eq!(
            (c["answered"].as_i64(), c["from_library"].as_i64(), c["escalated"].as_i64(), c["by_window"].as_i64()),
            (Some(3), Some(1), Some(1), Some(1)),
            "{s}"
        );
        assert!((c["library_rate"].as_f64().unwrap() - 1.0 / 3.0).abs() < 1e-9);
        // The page says the same in words.
        let (st, html) = crate::cases::page_get(&app, "business", "/faq/stats?month=2026-11");
        assert_eq!(st, 200);
        assert!(html.contains("本月答复咨询 <b>3</b> 件：用库中答案答复 <b>1</b> 件"), "{html}");
    }
}

// FAQ-2 (issue 13): a question whose hit was used on one server teaches the other servers at
// their next sync, not only at their restart.
#[test]
fn faq_2_other_servers_learn_used_questions_at_sync() {
    let app = App::spawn(Kind::Sqlite, "national");
    let store2 = noveto_store::Store::open_sqlite(&app.dir).unwrap();
    let state2 =
        app.block_on(noveto_server::AppState::load(store2, noveto_server::Clock::system(), app.dir.clone())).unwrap();
    let clerk = app.token("clerk");
    let (_, f) = app.post(
        "/api/v1/faq",
        &app.token("business"),
        json!({"question": "营业执照遗失了怎么补领？", "answer": "发布遗失声明后补领。"}),
    );
    app.block_on(state2.search.sync(&state2.store)).unwrap();
    let fid = f["id"].as_u64().unwrap();
    assert!(state2.search.search_faq("全包服务", 3).is_empty());
    let (_, r) = app.get("/api/v1/faq/search?q=%E5%85%A8%E5%8C%85%E6%9C%8D%E5%8A%A1", &clerk);
    let sid = r["search_id"].as_i64().unwrap();
    assert_eq!(app.post(&format!("/api/v1/faq/searches/{sid}/used"), &clerk, json!({"faq_id": fid})).0, 200);
    app.block_on(state2.search.sync(&state2.store)).unwrap();
    let hits = state2.search.search_faq("全包服务", 3);
    assert_eq!(hits.first().map(|h| h.id), Some(fid), "{hits:?}");
    // Learned once: a second sync does not add it again (the score stays the same).
    let before = hits[0].score;
    app.block_on(state2.search.sync(&state2.store)).unwrap();
    assert_eq!(state2.search.search_faq("全包服务", 3)[0].score, before);
}

fn suggestion(app: &App, token: &str, body: Value) -> (u16, Value) {
    app.post("/api/v1/suggestions", token, body)
}

// FAQ-3: a suggestion is recorded, judged once (a decline needs a reason; of 100 decisions at
// once one lands), and followed to a named change that must exist; each reader sees only their
// scope; every step is audited.
#[test]
fn faq_3_suggestions_tracked_to_a_process_change() {
    for k in backends() {
        let app = App::spawn(k, "national");
        let (business, clerk, admin) = (app.token("business"), app.token("clerk"), app.token("admin"));
        // Bad input: a clear message, a code, the field, and nothing recorded.
        let (st, e) = suggestion(&app, &clerk, json!({"text": "  "}));
        assert_eq!((st, e["error"]["code"].as_str()), (422, Some("required")), "{e}");
        let (st, e) = suggestion(&app, &clerk, json!({"text": "x", "source": "fax"}));
        assert_eq!((st, e["error"]["code"].as_str()), (422, Some("invalid_source")), "{e}");
        let (st, e) = suggestion(&app, &clerk, json!({"text": "x", "item_code": "NOPE"}));
        assert_eq!((st, e["error"]["code"].as_str()), (422, Some("unknown_item")), "{e}");
        assert_eq!(app.get("/api/v1/suggestions", &business).1["suggestions"].as_array().unwrap().len(), 0);
        // The administrator records nothing (not a serving role).
        assert_eq!(suggestion(&app, &admin, json!({"text": "x"})).0, 403);
        // From a consultation at the window: its place and item are the case's.
        crate::cases::add_item(&app, "MKT-001", true, false);
        let case = app.new_case(&clerk, Some("MKT-001"));
        let (st, r) = suggestion(
            &app,
            &clerk,
            json!({"text": "建议营业执照变更登记的申请表能在网上下载预填", "case_id": case, "contact": "13812345678"}),
        );
        assert_eq!(st, 201, "{r}");
        let sid = r["id"].as_i64().unwrap();
        let (_, s) = app.get(&format!("/api/v1/suggestions/{sid}"), &business);
        assert_eq!(
            (s["status"].as_str(), s["item_code"].as_str(), s["case_id"].as_i64()),
            (Some("recorded"), Some("MKT-001"), Some(case)),
            "{s}"
        );
        // A clerk cannot judge; a decline without a reason is refused.
        let url = format!("/api/v1/suggestions/{sid}/decision");
        assert_eq!(app.post(&url, &clerk, json!({"decision": "adopt"})).0, 403);
        let (st, e) = app.post(&url, &business, json!({"decision": "decline", "note": " "}));
        assert_eq!(
            (st, e["error"]["code"].as_str(), e["error"]["field"].as_str()),
            (422, Some("reason_required"), Some("note")),
            "{e}"
        );
        // Implementing before adoption: refused.
        let change = format!("/api/v1/suggestions/{sid}/change");
        let (st, e) = app.post(&change, &business, json!({"kind": "rule", "title": "网上预填制度"}));
        assert_eq!((st, e["error"]["code"].as_str()), (409, Some("not_adopted")), "{e}");
        // 100 decisions at once (adopt and decline mixed): exactly one lands.
        let codes = app.at_once(&url, &business, 100, |i| {
            if i % 2 == 0 {
                json!({"decision": "adopt", "note": "可行"})
            } else {
                json!({"decision": "decline", "note": "暂不具备条件"})
            }
        });
        assert_eq!(codes.iter().filter(|c| **c == 200).count(), 1, "{codes:?}");
        assert!(codes.iter().all(|c| *c == 200 || *c == 409), "{codes:?}");
        let (_, s) = app.get(&format!("/api/v1/suggestions/{sid}"), &business);
        assert!(s["status"] == "adopted" || s["status"] == "declined", "{s}");
        assert!(s["decision_note"] == "可行" || s["decision_note"] == "暂不具备条件", "{s}");
        // Whichever won, follow an adopted one to its change.
        let sid = if s["status"] == "declined" {
            let (_, r) = suggestion(&app, &clerk, json!({"text": "建议公布各窗口的平均等候时间", "case_id": case}));
            let id = r["id"].as_i64().unwrap();
            let (st, _) =
                app.post(&format!("/api/v1/suggestions/{id}/decision"), &business, json!({"decision": "adopt"}));
            assert_eq!(st, 200);
            id
        } else {
            sid
        };
        let change = format!("/api/v1/suggestions/{sid}/change");
        // The change must exist: a guide version that is not there is refused.
        let (st, e) =
            app.post(&change, &business, json!({"kind": "guide_version", "item_code": "MKT-001", "version": 99}));
        assert_eq!(
            (st, e["error"]["code"].as_str(), e["error"]["field"].as_str()),
            (422, Some("unknown_version"), Some("version")),
            "{e}"
        );
        // A guide version saved before the suggestion cannot have carried it out (issue 25).
        let (st, e) =
            app.post(&change, &business, json!({"kind": "guide_version", "item_code": "MKT-001", "version": 1}));
        assert_eq!((st, e["error"]["code"].as_str()), (422, Some("version_before_suggestion")), "{e}");
        // The guide revised after the suggestion: a new version carries it out.
        let revised = crate::catalog::item(&app, "MKT-001", "企业变更登记（申请表可网上预填）");
        assert_eq!(app.post("/api/v1/items", &app.token("admin"), revised).0, 200);
        let (_, v) = app.get("/api/v1/items/MKT-001/versions", &business);
        let version = v["versions"][0]["version"].as_i64().expect("a version");
        assert!(version > 1, "{v}");
        let (st, d) = app.post(
            &change,
            &business,
            json!({"kind": "guide_version", "item_code": "MKT-001", "version": version, "note": "申请表已上网"}),
        );
        assert_eq!(st, 200, "{d}");
        assert_eq!(d["change_label"], format!("办事指南 MKT-001 第 {version} 版"));
        assert_eq!(app.post(&change, &business, json!({"kind": "rule", "title": "再来一次"})).0, 409);
        let (_, s) = app.get(&format!("/api/v1/suggestions/{sid}"), &business);
        assert_eq!((s["status"].as_str(), s["change"]["kind"].as_str()), (Some("done"), Some("guide_version")), "{s}");
        let (_, done) = app.get("/api/v1/suggestions?status=done", &business);
        assert_eq!(done["suggestions"].as_array().unwrap().len(), 1);
        assert_eq!(app.get("/api/v1/suggestions?status=nope", &business).0, 422);
        // Scope: the county's business section sees none of the city's; the city's window head
        // sees the suggestion recorded at their window; the clerk reads no list.
        app.add_staff("county_biz", "business_section", json!({"center_id": app.ids.county}));
        let (st, l) = app.get("/api/v1/suggestions", &app.token("county_biz"));
        assert_eq!((st, l["suggestions"].as_array().unwrap().len()), (200, 0), "{l}");
        assert_eq!(app.get(&format!("/api/v1/suggestions/{sid}"), &app.token("county_biz")).0, 403);
        let (_, l) = app.get("/api/v1/suggestions", &app.token("head"));
        assert!(!l["suggestions"].as_array().unwrap().is_empty(), "{l}");
        // The clerk reads only what they recorded or were sent to follow (BBC-7).
        let (st, l) = app.get("/api/v1/suggestions", &clerk);
        let me = app.staff_id("clerk");
        assert_eq!(st, 200);
        assert!(l["suggestions"].as_array().unwrap().iter().all(|x| x["recorded_by"].as_i64() == Some(me)), "{l}");
        assert_eq!(app.get("/api/v1/suggestions", &app.token("leader2")).0, 200);
        assert!(app.audit_ok());
    }
}

// FAQ-3 on the page: a failed record keeps what was typed with the error beside the field; the
// business section judges from the list; a page shows no other center's suggestions.
#[test]
fn faq_3_suggestions_page() {
    let app = App::spawn(Kind::Sqlite, "national");
    let (st, html) = page_post(
        &app,
        "clerk",
        "/suggestions",
        &[("text", " "), ("contact", "王先生 13900000000"), ("source", "opinion_box")],
    );
    assert_eq!(st, 422);
    assert!(html.contains("value=\"王先生 13900000000\""), "contact kept");
    assert!(html.contains("<option value=\"opinion_box\" selected>"), "source kept");
    assert!(html.contains("</textarea><span class=\"err\" role=\"alert\">请填写意见建议内容</span>"), "{html}");
    let (st, _) =
        page_post(&app, "clerk", "/suggestions", &[("text", "叫号屏字太小，建议放大"), ("source", "opinion_box")]);
    assert_eq!(st, 303);
    let (st, html) = crate::cases::page_get(&app, "business", "/suggestions");
    assert_eq!(st, 200);
    assert!(html.contains("叫号屏字太小，建议放大") && html.contains("意见箱") && html.contains("待研判"), "{html}");
    assert!(
        !html.contains("T09:") && !html.contains(">recorded<") && !html.contains(">opinion_box<"),
        "no RFC 3339, no keys"
    );
    assert!(html.contains("2026-11-20 09:00"), "a time for people");
    let id = html.split("<tr id=\"s").nth(1).unwrap().split('"').next().unwrap().to_string();
    // Declining without a reason: the error beside the reason.
    let (st, html) =
        page_post(&app, "business", &format!("/suggestions/{id}/decision"), &[("decision", "decline"), ("note", "")]);
    assert_eq!(st, 422);
    assert!(html.contains("<span class=\"err\" role=\"alert\">不予采纳须写明理由</span>"), "{html}");
    let (st, _) =
        page_post(&app, "business", &format!("/suggestions/{id}/decision"), &[("decision", "adopt"), ("note", "可行")]);
    assert_eq!(st, 303);
    let (st, html) = page_post(
        &app,
        "business",
        &format!("/suggestions/{id}/change"),
        &[("kind", "rule"), ("title", ""), ("note", "")],
    );
    assert_eq!(st, 422);
    assert!(html.contains("落实情况须写明具体内容"), "{html}");
    let (st, _) = page_post(
        &app,
        "business",
        &format!("/suggestions/{id}/change"),
        &[("kind", "rule"), ("title", "大厅叫号屏适老化规范"), ("note", "")],
    );
    assert_eq!(st, 303);
    let (_, html) = crate::cases::page_get(&app, "business", "/suggestions?status=done");
    assert!(html.contains("制度：大厅叫号屏适老化规范") && html.contains("已落实"), "{html}");
    // Role × page: the clerk records and follows what they recorded (and only that); the county
    // reads none of the city's.
    let (st, html) = crate::cases::page_get(&app, "clerk", "/suggestions");
    assert_eq!(st, 200);
    assert!(html.contains("登记意见建议") && html.contains("叫号屏字太小") && html.contains("已落实"), "{html}");
    assert!(!crate::cases::page_get(&app, "clerk2", "/suggestions").1.contains("叫号屏字太小"));
    app.add_staff("county_biz", "business_section", json!({"center_id": app.ids.county}));
    let (_, html) = crate::cases::page_get(&app, "county_biz", "/suggestions");
    assert!(!html.contains("叫号屏字太小"), "another center's suggestion on the page");
}
