use crate::helpers::*;
use noveto_store::repo::items::{Item, Material};
use noveto_store::repo::{Ctx, items};
use serde_json::{Value, json};

pub fn add_item(app: &App, code: &str, deficiency: bool, commitment: bool) {
    let it = Item {
        code: code.into(),
        name: "个体工商户登记".into(),
        unit_id: Some(app.ids.unit),
        legal_basis: "《促进个体工商户发展条例》".into(),
        time_limit_wd: 3,
        allows_deficiency: deficiency,
        allows_commitment: commitment,
        materials: vec![
            Material { name: "申请书".into(), main: true, ..Default::default() },
            Material { name: "场所证明".into(), main: false, ..Default::default() },
        ],
        ..Default::default()
    };
    app.block_on(
        app.state.store.write(move |tx| {
            items::upsert(tx, &Ctx { actor: None, now: "2026-11-01T09:00:00+08:00".into() }, &it, None)
        }),
    )
    .unwrap();
}

fn status(app: &App, tok: &str, id: i64) -> Value {
    let (st, v) = app.get(&format!("/api/v1/cases/{id}"), tok);
    assert_eq!(st, 200, "{v}");
    v
}

// NV-1: the receiver is the first contact, sees the case on their workbench; a receipt number.
#[test]
fn nv_1_first_contact() {
    for k in backends() {
        let app = App::spawn(k, "national");
        let clerk = app.token("clerk");
        let (st, v) = app.post("/api/v1/cases", &clerk, json!({"kind": "consultation", "channel": "phone", "applicant": {"name": "李四", "org": "某公司", "phone": "0719-3212345"}, "request": "咨询开办企业"}));
        assert_eq!(st, 201, "{v}");
        assert_eq!(v["status"], "received");
        assert_eq!(v["first_contact"]["id"].as_i64(), Some(app.staff_id("clerk")));
        assert!(v["receipt_no"].as_str().unwrap().starts_with("NV20261120"));
        assert_eq!(v["policy"]["id"], "national");
        // Issue 31, item 7: the landline keeps its dash, and is found typed either way.
        let landline = v["id"].as_i64().unwrap();
        assert_eq!(status(&app, &clerk, landline)["applicant"]["phone"], "0719-3212345");
        for q in ["0719-3212345", "07193212345"] {
            let (_, hits) = app.get(&format!("/api/v1/cases?q={q}"), &clerk);
            assert!(hits["cases"].as_array().unwrap().iter().any(|c| c["id"] == landline), "{q}: {hits}");
        }
        // A name is found whole and by its beginning (on PostgreSQL through the pattern-order
        // index's own operators), on both stores.
        let (st, wang) = app.post("/api/v1/cases", &clerk, json!({"kind": "consultation", "channel": "window", "applicant": {"name": "王小明", "phone": "13812345679"}, "request": "咨询"}));
        assert_eq!(st, 201, "{wang}");
        let (_, hits) = app.get("/api/v1/cases?q=%E7%8E%8B%E5%B0%8F", &clerk);
        assert!(hits["cases"].as_array().is_some_and(|a| a.iter().any(|c| c["id"] == wang["id"])), "王小: {hits}");
        let (_, mine) = app.get("/api/v1/cases?mine=true", &clerk);
        assert_eq!(mine["cases"].as_array().unwrap().len(), 2);
        let (_, other) = app.get("/api/v1/cases?mine=true", &app.token("clerk_b"));
        assert_eq!(other["cases"].as_array().unwrap().len(), 0);
        let c = status(&app, &clerk, v["id"].as_i64().unwrap());
        assert_eq!(c["timeline"][0]["kind"], "received");
        assert_eq!(c["timeline"][0]["actor_name"], "clerk");
    }
}

// NV-2, invariant 1: no route closes a case as vetoed without an approved veto request.
#[test]
fn nv_2_no_veto_without_approval() {
    for k in backends() {
        let app = App::spawn(k, "national");
        let clerk = app.token("clerk");
        let id = app.new_case(&clerk, None);
        let before = app.audit_len();
        // No veto request at all.
        let (st, v) = app.post(&format!("/api/v1/cases/{id}/close"), &clerk, json!({"outcome": "vetoed"}));
        assert_eq!((st, v["error"]["code"].as_str()), (409, Some("veto_required")), "{v}");
        assert!(v["error"]["message"].as_str().unwrap().contains("窗口无否决权"));
        // A pending veto request.
        let vid = app.request_veto(&clerk, id);
        let (st, v) = app.post(
            &format!("/api/v1/cases/{id}/close"),
            &clerk,
            json!({"outcome": "vetoed", "veto_request_id": vid}),
        );
        assert_eq!((st, v["error"]["code"].as_str()), (409, Some("veto_required")));
        // Another case's approved veto does not count.
        let other = app.new_case(&clerk, None);
        let (_, ov) = app.post(
            &format!("/api/v1/cases/{other}/veto-requests"),
            &clerk,
            json!({"reason": "r", "legal_basis": "b"}),
        );
        let ovid = ov["id"].as_i64().unwrap();
        assert_eq!(
            app.post(
                &format!("/api/v1/veto-requests/{ovid}/decision"),
                &app.token("head"),
                json!({"approve": true, "opinion": "同意"})
            )
            .0,
            200
        );
        assert_eq!(
            app.post(
                &format!("/api/v1/veto-requests/{ovid}/decision"),
                &app.token("leader"),
                json!({"approve": true, "opinion": "同意"})
            )
            .0,
            200
        );
        let (st, v) = app.post(
            &format!("/api/v1/cases/{id}/close"),
            &clerk,
            json!({"outcome": "vetoed", "veto_request_id": ovid}),
        );
        assert_eq!((st, v["error"]["code"].as_str()), (409, Some("veto_required")));
        // Other outcomes are no way round: approved needs acceptance, the rest cannot end a pending veto.
        for o in ["approved", "answered", "withdrawn"] {
            let (st, _) = app.post(&format!("/api/v1/cases/{id}/close"), &clerk, json!({"outcome": o}));
            assert_eq!(st, 409, "{o}");
        }
        let (st, _) = app.post(&format!("/api/v1/cases/{id}/close"), &clerk, json!({"outcome": "rejected"}));
        assert_eq!(st, 422);
        assert_eq!(status(&app, &clerk, id)["status"], "veto_pending");
        // Only the veto request of `other` and its decisions were written in between.
        assert!(app.audit_len() > before);
        // The page route: a form post with outcome=vetoed is refused the same way (the page asks
        // "确定办结？" only of an ending it offers).
        let html = page_post(
            &app,
            "clerk",
            &format!("/cases/{id}/act/close"),
            &[("outcome", "vetoed"), ("veto_request_id", &vid.to_string())],
        );
        assert_eq!(html.0, 409, "{}", html.1);
        assert_eq!(status(&app, &clerk, id)["status"], "veto_pending");
        // With its own approval, the clerk closes it as vetoed.
        assert_eq!(
            app.post(
                &format!("/api/v1/veto-requests/{vid}/decision"),
                &app.token("head"),
                json!({"approve": true, "opinion": "同意"})
            )
            .0,
            200
        );
        assert_eq!(
            app.post(
                &format!("/api/v1/veto-requests/{vid}/decision"),
                &app.token("leader"),
                json!({"approve": true, "opinion": "同意"})
            )
            .0,
            200
        );
        let (st, v) = app.post(
            &format!("/api/v1/cases/{id}/close"),
            &clerk,
            json!({"outcome": "vetoed", "veto_request_id": vid}),
        );
        assert_eq!(st, 200, "{v}");
        assert_eq!(v["outcome"], "vetoed");
        assert!(app.audit_ok());
    }
}

/// A browser-like agent (no redirects followed) logged in as `login`, with its session cookie and
/// the session's CSRF token read off the home page.
fn logged_in(app: &App, login: &str) -> (ureq::Agent, String, String) {
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).max_redirects(0).build().into();
    let cookie = session_cookie(&app.base, login);
    let mut home = agent.get(&format!("{}/", app.base)).header("Cookie", &cookie).call().unwrap();
    let html = home.body_mut().read_to_string().unwrap();
    let csrf = html.split("name=\"csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    (agent, cookie, csrf)
}

/// Logs in through the form and posts a page form with the session's CSRF token.
pub fn page_post(app: &App, login: &str, path: &str, fields: &[(&str, &str)]) -> (u16, String) {
    let (agent, cookie, csrf) = logged_in(app, login);
    let mut form: Vec<(&str, &str)> = fields.to_vec();
    form.push(("csrf", &csrf));
    let mut r = agent.post(&format!("{}{}", app.base, path)).header("Cookie", &cookie).send_form(form).unwrap();
    (r.status().as_u16(), crate::helpers::without_labels(&r.body_mut().read_to_string().unwrap_or_default()))
}

// NV-8: decided by the policy's levels in turn; the requester never decides; the first denial
// ends it; a decider outside the case's unit is refused.
#[test]
fn nv_8_veto_chain() {
    let app = App::spawn(Kind::Sqlite, "national");
    let head = app.token("head");
    let id = app.new_case(&head, None);
    let (st, v) =
        app.post(&format!("/api/v1/cases/{id}/veto-requests"), &head, json!({"reason": "理由", "legal_basis": "依据"}));
    assert_eq!(st, 201);
    assert_eq!((v["status"].as_str(), v["level"].as_str()), (Some("pending"), Some("window_head")));
    assert_eq!(v["due"].as_str().unwrap(), "2026-11-23T23:59:59+08:00", "1 wd after Friday 11-20");
    let vid = v["id"].as_i64().unwrap();
    // The requester (a window head) cannot decide their own request.
    let (st, e) =
        app.post(&format!("/api/v1/veto-requests/{vid}/decision"), &head, json!({"approve": true, "opinion": "同意"}));
    assert_eq!((st, e["error"]["code"].as_str()), (403, Some("self_decision")));
    // Another unit's head, a clerk: refused. (The leader in charge may decide this level in the
    // head's place — see `nv_9_level_above_decides_on_behalf`.)
    for who in ["head2", "clerk"] {
        let (st, _) = app.post(
            &format!("/api/v1/veto-requests/{vid}/decision"),
            &app.token(who),
            json!({"approve": true, "opinion": "同意"}),
        );
        assert_eq!(st, 403, "{who}");
    }
    let (st, _) = app.post(
        &format!("/api/v1/veto-requests/{vid}/decision"),
        &app.token("clerk_b"),
        json!({"approve": true, "opinion": "同意"}),
    );
    assert_eq!(st, 403);
    // Missing legal basis is refused.
    let (st, e) =
        app.post(&format!("/api/v1/cases/{id}/veto-requests"), &head, json!({"reason": "理由", "legal_basis": " "}));
    assert_eq!((st, e["error"]["code"].as_str()), (422, Some("required")));
    // A second head at the same window? Use the policy chain: national = window head, leader.
    let id2 = app.new_case(&app.token("clerk"), None);
    let (_, v2) = app.post(
        &format!("/api/v1/cases/{id2}/veto-requests"),
        &app.token("clerk"),
        json!({"reason": "理由", "legal_basis": "依据"}),
    );
    let vid2 = v2["id"].as_i64().unwrap();
    let (st, d) =
        app.post(&format!("/api/v1/veto-requests/{vid2}/decision"), &head, json!({"approve": true, "opinion": "同意"}));
    assert_eq!((st, d["status"].as_str(), d["level"].as_str()), (200, Some("pending"), Some("unit_leader")));
    let (st, d) = app.post(
        &format!("/api/v1/veto-requests/{vid2}/decision"),
        &app.token("leader"),
        json!({"approve": true, "opinion": "同意"}),
    );
    assert_eq!((st, d["status"].as_str()), (200, Some("approved")));
    let (_, g) = app.get(&format!("/api/v1/veto-requests/{vid2}"), &head);
    assert_eq!(g["chain"].as_array().unwrap().len(), 2);
    assert_eq!(g["chain"][0]["level"], "window_head");
    let (st, _) = app.post(
        &format!("/api/v1/veto-requests/{vid2}/decision"),
        &app.token("leader"),
        json!({"approve": true, "opinion": "同意"}),
    );
    assert_eq!(st, 409);
    // Denial needs an opinion, and ends it at once; the case goes on.
    let id3 = app.new_case(&app.token("clerk"), None);
    let (_, v3) = app.post(
        &format!("/api/v1/cases/{id3}/veto-requests"),
        &app.token("clerk"),
        json!({"reason": "理由", "legal_basis": "依据"}),
    );
    let vid3 = v3["id"].as_i64().unwrap();
    let (st, _) = app.post(&format!("/api/v1/veto-requests/{vid3}/decision"), &head, json!({"approve": false}));
    assert_eq!(st, 422);
    let (st, d) = app.post(
        &format!("/api/v1/veto-requests/{vid3}/decision"),
        &head,
        json!({"approve": false, "opinion": "可以容缺受理"}),
    );
    assert_eq!((st, d["status"].as_str()), (200, Some("denied")));
    assert_eq!(status(&app, &head, id3)["status"], "received");
}

// NV-9: filed with the center at request and at result; the business section sees them by month.
#[test]
fn nv_9_filings_head_and_tail() {
    for k in backends() {
        let app = App::spawn(k, "national");
        let clerk = app.token("clerk");
        let id = app.new_case(&clerk, None);
        let (_, v) = app.post(
            &format!("/api/v1/cases/{id}/veto-requests"),
            &clerk,
            json!({"reason": "理由", "legal_basis": "依据"}),
        );
        let vid = v["id"].as_i64().unwrap();
        let business = app.token("business");
        let (st, f) = app.get("/api/v1/filings?month=2026-11", &business);
        assert_eq!(st, 200, "{f}");
        assert_eq!(f["filings"][0]["veto_request_id"].as_i64(), Some(vid));
        assert!(f["filings"][0]["closed_at"].is_null());
        app.set_now("2026-11-23T10:00:00+08:00");
        app.post(
            &format!("/api/v1/veto-requests/{vid}/decision"),
            &app.token("head"),
            json!({"approve": false, "opinion": "请继续办理"}),
        );
        let (_, f) = app.get("/api/v1/filings?month=2026-11", &business);
        assert_eq!(f["filings"][0]["outcome"], "denied");
        assert_eq!(f["filings"][0]["closed_at"], "2026-11-23T10:00:00+08:00");
        // The other unit's leader does not see this unit's filings.
        let (_, f2) = app.get("/api/v1/filings?month=2026-11", &app.token("leader2"));
        assert_eq!(f2["filings"].as_array().unwrap().len(), 0);
        // The same door for the page and the home card (role × page): the filings page and the
        // card of the other unit's leader show none of it; this unit's leader and the business
        // section see it.
        let receipt = format!("href=\"/cases/{id}\"");
        let other_page = page_get(&app, "leader2", "/filings?month=2026-11").1;
        assert!(!other_page.contains(&receipt), "leader2's filings page shows another unit's veto");
        assert!(home_page(&app, "leader2").contains("共 <b>0</b> 件"), "leader2's home card counts none");
        assert!(page_get(&app, "leader", "/filings?month=2026-11").1.contains(&receipt));
        assert!(page_get(&app, "business", "/filings?month=2026-11").1.contains(&receipt));
        // The list names what was refused and why (Screens 6): receipt number, item, applicant,
        // reason — in JSON, in both exports and on the page, with a link to the filing form.
        let row = &f["filings"][0];
        assert_eq!((row["reason"].as_str(), row["legal_basis"].as_str()), (Some("理由"), Some("依据")), "{row}");
        assert!(!row["applicant"].as_str().unwrap().is_empty() && !row["item"].as_str().unwrap().is_empty(), "{row}");
        let receipt_no = row["receipt_no"].as_str().unwrap().to_string();
        let fetch = |format: &str| {
            let (st, bytes) = app.download(&format!("/api/v1/filings?month=2026-11&format={format}"), &business);
            assert_eq!(st, 200);
            bytes
        };
        let csv = String::from_utf8(fetch("csv")).unwrap();
        assert!(csv.lines().next().unwrap().contains("受理编号,单位,事项,申请人,否决理由"), "{csv}");
        assert!(csv.contains(&receipt_no) && csv.contains("理由") && csv.contains("不予否决"), "{csv}");
        assert!(fetch("xlsx").starts_with(b"PK"));
        assert_eq!(app.get("/api/v1/filings?month=2026-11&format=pdf", &business).0, 422);
        let page = page_get(&app, "business", "/filings?month=2026-11").1;
        assert!(page.contains(&receipt_no) && page.contains("否决理由") && page.contains("veto-filing-form.pdf"));
        assert!(page.contains("filings?month=2026-11&amp;format=csv"), "export link");
        let (st, _) = app.get("/api/v1/filings?month=2026-1", &business);
        assert_eq!(st, 422);
    }
}

// NV-3: a referral says where, who and how; a warm handoff is acknowledged by the receiver.
#[test]
fn nv_3_referral_and_handoff() {
    let app = App::spawn(Kind::Sqlite, "national");
    let clerk = app.token("clerk");
    let id = app.new_case(&clerk, None);
    let (st, v) = app.post(&format!("/api/v1/cases/{id}/referral"), &clerk, json!({"to_unit_id": app.ids.unit2, "address": "二楼 12 号窗口", "contact": "周静 0719-8221234", "how": "带身份证", "handoff": true}));
    assert_eq!(st, 200, "{v}");
    // A warm handoff does not drop the matter: it stays open with its first contact, on their
    // workbench, until the receiver takes it over (首接负责 to the end).
    assert_eq!((v["status"].as_str(), v["outcome"].as_str()), (Some("handoff_pending"), None), "{v}");
    let (_, mine) = app.get("/api/v1/cases?mine=true", &clerk);
    assert!(mine["cases"].as_array().unwrap().iter().any(|c| c["id"] == id), "{mine}");
    assert_eq!(app.post(&format!("/api/v1/cases/{id}/accept"), &clerk, json!({})).0, 409, "waiting on the receiver");
    // Only the receiving unit acknowledges.
    let (st, _) = app.post(&format!("/api/v1/cases/{id}/referral/acknowledge"), &clerk, json!({}));
    assert_eq!(st, 403);
    let clerk2 = app.token("clerk2");
    let (st, a) = app.post(&format!("/api/v1/cases/{id}/referral/acknowledge"), &clerk2, json!({}));
    assert_eq!(st, 200, "{a}");
    let (st, _) = app.post(&format!("/api/v1/cases/{id}/referral/acknowledge"), &clerk2, json!({}));
    assert_eq!(st, 409);
    // The receiving unit owns a case of its own, linked both ways; the sender's ends as referred.
    let linked = a["linked_case_id"].as_i64().unwrap();
    let (st, n) = app.get(&format!("/api/v1/cases/{linked}"), &clerk2);
    assert_eq!(st, 200, "{n}");
    assert_eq!((n["status"].as_str(), n["linked_from"].as_i64()), (Some("received"), Some(id)), "{n}");
    assert_eq!(n["first_contact_id"].as_i64(), Some(app.staff_id("clerk2")), "{n}");
    assert_eq!(app.post(&format!("/api/v1/cases/{linked}/accept"), &clerk2, json!({})).0, 200);
    let (_, o) = app.get(&format!("/api/v1/cases/{id}"), &clerk);
    assert_eq!((o["status"].as_str(), o["outcome"].as_str()), (Some("closed"), Some("referred")), "{o}");
    assert_eq!(o["linked_case_id"].as_i64(), Some(linked), "{o}");
    let (st, html) = app.get(&format!("/api/v1/cases/{id}/documents/referral.html"), &clerk);
    assert_eq!(st, 200);
    assert!(html.as_str().unwrap().contains("二楼 12 号窗口"));
}

// NV-4: the one-time notice cannot grow without the window head; visits are counted.
#[test]
fn nv_4_one_time_notice() {
    let app = App::spawn(Kind::Sqlite, "national");
    let clerk = app.token("clerk");
    let id = app.new_case(&clerk, None);
    let (st, n) = app.post(
        &format!("/api/v1/cases/{id}/notices"),
        &clerk,
        json!({"missing": [{"material": "身份证复印件", "how_to_fix": "复印正反面"}]}),
    );
    assert_eq!(st, 201, "{n}");
    assert!(n["id"].is_number());
    let (st, e) =
        app.post(&format!("/api/v1/cases/{id}/notices"), &clerk, json!({"missing": [{"material": "户口簿"}]}));
    assert_eq!((st, e["error"]["code"].as_str()), (409, Some("notice_growth_needs_approval")));
    let (st, _) =
        app.post(&format!("/api/v1/cases/{id}/notices"), &clerk, json!({"missing": [{"material": "身份证复印件"}]}));
    assert_eq!(st, 201);
    let (st, _) = app.post(
        &format!("/api/v1/cases/{id}/notices"),
        &app.token("head"),
        json!({"missing": [{"material": "户口簿"}]}),
    );
    assert_eq!(st, 201);
    let c = status(&app, &clerk, id);
    assert_eq!(c["visits"], 3);
    assert_eq!(c["notified"].as_array().unwrap().len(), 2);
    let (st, _) = app.post(&format!("/api/v1/cases/{id}/notices"), &clerk, json!({"missing": []}));
    assert_eq!(st, 409);
    // The printed notice: HTML and a PDF with extractable Chinese text.
    let (st, html) = app.get(&format!("/api/v1/cases/{id}/documents/notice.html"), &clerk);
    assert_eq!(st, 200);
    assert!(html.as_str().unwrap().contains("一次性告知书"));
    let pdf = app
        .agent
        .get(&format!("{}/api/v1/cases/{id}/documents/notice.pdf", app.base))
        .header("Authorization", &format!("Bearer {clerk}"))
        .call()
        .unwrap()
        .body_mut()
        .read_to_vec()
        .unwrap();
    assert!(pdf.starts_with(b"%PDF"), "a PDF");
    let path = app.dir.join("notice.pdf");
    std::fs::write(&path, &pdf).unwrap();
    match std::process::Command::new("pdftotext").arg(&path).arg("-").output() {
        Ok(out) => {
            let text = String::from_utf8_lossy(&out.stdout);
            assert!(
                text.contains("一次性告知书") && text.contains("身份证复印件") && text.contains("户口簿"),
                "{text}"
            );
        }
        Err(_) => assert!(std::env::var("CI").is_err(), "CI must have pdftotext (poppler-utils)"),
    }
}

// NV-5: acceptance with deficiency; approval only after the supplement; the supplement clock.
#[test]
fn nv_5_deficiency_acceptance() {
    let app = App::spawn(Kind::Sqlite, "national");
    add_item(&app, "GT-1", true, false);
    add_item(&app, "GT-2", false, false);
    let clerk = app.token("clerk");
    let id = app.new_case(&clerk, Some("GT-2"));
    let (st, e) = app.post(
        &format!("/api/v1/cases/{id}/deficiency-acceptance"),
        &clerk,
        json!({"missing": [{"material": "场所证明"}], "commitment_signed": true}),
    );
    assert_eq!((st, e["error"]["code"].as_str()), (409, Some("deficiency_not_allowed")));
    let id = app.new_case(&clerk, Some("GT-1"));
    let (st, e) = app.post(
        &format!("/api/v1/cases/{id}/deficiency-acceptance"),
        &clerk,
        json!({"missing": [{"material": "申请书"}], "commitment_signed": true}),
    );
    assert_eq!((st, e["error"]["code"].as_str()), (409, Some("main_material_missing")));
    let (st, e) = app.post(
        &format!("/api/v1/cases/{id}/deficiency-acceptance"),
        &clerk,
        json!({"missing": [{"material": "场所证明"}], "commitment_signed": false}),
    );
    assert_eq!((st, e["error"]["code"].as_str()), (409, Some("commitment_missing")));
    let (st, c) = app.post(&format!("/api/v1/cases/{id}/deficiency-acceptance"), &clerk, json!({"missing": [{"material": "场所证明", "how_to_fix": "签约后补交"}], "commitment_signed": true, "supplement_days": 5}));
    assert_eq!(st, 200, "{c}");
    assert_eq!(c["status"], "accepted_with_deficiency");
    let d = c["deadlines"].as_array().unwrap().iter().find(|d| d["what"] == "supplement").unwrap();
    assert_eq!(d["due_day"], "2026-11-27");
    let (st, e) = app.post(&format!("/api/v1/cases/{id}/close"), &clerk, json!({"outcome": "approved"}));
    assert_eq!((st, e["error"]["code"].as_str()), (409, Some("supplement_pending")));
    assert_eq!(app.post(&format!("/api/v1/cases/{id}/supplement"), &clerk, json!({})).0, 200);
    let (st, c) = app.post(&format!("/api/v1/cases/{id}/close"), &clerk, json!({"outcome": "approved"}));
    assert_eq!((st, c["outcome"].as_str()), (200, Some("approved")));
}

// NV-6: commitment approval where the item allows it; the commitment is kept.
#[test]
fn nv_6_commitment() {
    let app = App::spawn(Kind::Sqlite, "national");
    add_item(&app, "GT-3", false, true);
    add_item(&app, "GT-4", false, false);
    let clerk = app.token("clerk");
    let no = app.new_case(&clerk, Some("GT-4"));
    let (st, e) = app.post(&format!("/api/v1/cases/{no}/commitment"), &clerk, json!({"commitment": "承诺材料真实"}));
    assert_eq!((st, e["error"]["code"].as_str()), (409, Some("commitment_not_allowed")));
    let id = app.new_case(&clerk, Some("GT-3"));
    let (st, c) =
        app.post(&format!("/api/v1/cases/{id}/commitment"), &clerk, json!({"commitment": "本人承诺所报材料真实有效"}));
    assert_eq!((st, c["outcome"].as_str()), (200, Some("approved")));
    let ev = c["timeline"].as_array().unwrap().iter().find(|e| e["kind"] == "approved_by_commitment").unwrap().clone();
    assert_eq!(ev["detail"]["commitment"], "本人承诺所报材料真实有效");
}

// NV-7 + POL-1: escalation levels and reply deadlines come from the case's policy.
#[test]
fn nv_7_escalation_by_policy() {
    // ankang: a major matter goes to the unit head the same day, reply within 10 wd.
    let app = App::spawn(Kind::Sqlite, "ankang");
    let clerk = app.token("clerk");
    let id = app.new_case(&clerk, None);
    let (st, e) =
        app.post(&format!("/api/v1/cases/{id}/escalations"), &clerk, json!({"reason": "新业态", "major": true}));
    assert_eq!(st, 201, "{e}");
    assert_eq!(e["level"], "unit_head");
    assert_eq!(e["due"].as_str().unwrap(), "2026-12-04T23:59:59+08:00", "10 wd after 2026-11-20");
    let c = status(&app, &clerk, id);
    let same = c["deadlines"].as_array().unwrap().iter().find(|d| d["what"] == "report_same_day").unwrap().clone();
    assert_eq!(same["due"], "2026-11-20T23:59:59+08:00");
    assert!(same["source"]["document"].as_str().unwrap().contains("安行审发〔2024〕7号"));
    // Only the unit head answers it.
    let eid = e["id"].as_i64().unwrap();
    assert_eq!(
        app.post(&format!("/api/v1/escalations/{eid}/answer"), &app.token("leader"), json!({"answer": "可以"})).0,
        403
    );
    let (st, c) = app.post(
        &format!("/api/v1/escalations/{eid}/answer"),
        &app.token("chief"),
        json!({"answer": "可按新业态登记"}),
    );
    assert_eq!((st, c["status"].as_str()), (200, Some("received")));
    // A normal one goes first to the unit's leader in charge (AK 二(三): 第一时间报单位分管领导研判,
    // issue 25), then the unit head; 5 wd, and moving up keeps the date the applicant was told.
    let id2 = app.new_case(&clerk, None);
    let (_, e) = app.post(&format!("/api/v1/cases/{id2}/escalations"), &clerk, json!({"reason": "政策不明"}));
    assert_eq!((e["level"].as_str(), e["due"].as_str()), (Some("unit_leader"), Some("2026-11-27T23:59:59+08:00")));
    let (_, e) =
        app.post(&format!("/api/v1/cases/{id2}/escalations"), &app.token("leader"), json!({"reason": "本级无法答复"}));
    assert_eq!((e["level"].as_str(), e["due"].as_str()), (Some("unit_head"), Some("2026-11-27T23:59:59+08:00")));

    // fuzhou: fast response within 1 working day; a special matter within 2.
    let app = App::spawn(Kind::Sqlite, "fuzhou");
    let clerk = app.token("clerk");
    let id = app.new_case(&clerk, None);
    let (_, e) = app.post(&format!("/api/v1/cases/{id}/escalations"), &clerk, json!({"reason": "不明确"}));
    assert_eq!(e["due"].as_str(), Some("2026-11-23T23:59:59+08:00"));
    let id = app.new_case(&clerk, None);
    let (_, e) = app.post(&format!("/api/v1/cases/{id}/escalations"), &clerk, json!({"reason": "特殊", "major": true}));
    assert_eq!(e["due"].as_str(), Some("2026-11-24T23:59:59+08:00"));
    assert!(e["source"]["document"].as_str().unwrap().contains("榕政办〔2016〕224号"));
}

// POL-1: a case keeps the policy version it opened under after the policy changes.
#[test]
fn pol_1_case_keeps_policy() {
    let app = App::spawn(Kind::Sqlite, "national");
    let clerk = app.token("clerk");
    let old = app.new_case(&clerk, None);
    let mut p = noveto_domain::policy::Policy::preset("national").unwrap();
    p.version = 2;
    p.gray_area.normal.days = Some(2);
    let p2 = p.clone();
    app.block_on(app.state.store.write(move |tx| {
        noveto_server::save_policy(tx, &Ctx { actor: None, now: "2026-11-20T09:00:00+08:00".into() }, &p2, true)
    }))
    .unwrap();
    if let Ok(mut m) = app.state.policies.write() {
        m.insert("national:2".into(), std::sync::Arc::new(p.clone()));
    }
    if let Ok(mut c) = app.state.policy.write() {
        *c = std::sync::Arc::new(p);
    }
    let new = app.new_case(&clerk, None);
    let (_, e_old) = app.post(&format!("/api/v1/cases/{old}/escalations"), &clerk, json!({"reason": "r"}));
    let (_, e_new) = app.post(&format!("/api/v1/cases/{new}/escalations"), &clerk, json!({"reason": "r"}));
    assert_eq!(e_old["due"].as_str(), Some("2026-11-27T23:59:59+08:00"), "{e_old}");
    assert_eq!(e_new["due"].as_str(), Some("2026-11-24T23:59:59+08:00"));
    assert_eq!(status(&app, &clerk, old)["policy"]["version"], 1);
    assert_eq!(status(&app, &clerk, new)["policy"]["version"], 2);
}

/// Logs in and posts a page's upload form: the CSRF token and one file.
fn page_upload(app: &App, login: &str, path: &str, file: &str) -> (u16, String) {
    let (agent, cookie, csrf) = logged_in(app, login);
    let b = "noveto-test-boundary";
    let body = format!(
        "--{b}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n--{b}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"policy.toml\"\r\nContent-Type: application/toml\r\n\r\n{file}\r\n--{b}--\r\n"
    );
    let mut r = agent
        .post(&format!("{}{}", app.base, path))
        .header("Cookie", &cookie)
        .header("Content-Type", &format!("multipart/form-data; boundary={b}"))
        .send(body.as_bytes())
        .unwrap();
    (r.status().as_u16(), r.body_mut().read_to_string().unwrap_or_default())
}

// POL-1 (issue 32, item 4): the administrator imports a new version of the policy from the admin
// page; the page lists what changed; a case opened before keeps its deadlines, one opened after
// gets the new ones; a version that is not newer, a broken file and a reader who is not the
// administrator change nothing — on both stores.
#[test]
fn pol_1_policy_version_imported_from_the_admin_page() {
    for kind in backends() {
        let app = App::spawn(kind, "national");
        let clerk = app.token("clerk");
        let before = app.new_case(&clerk, None);
        let text = include_str!("../../../../policies/national.toml");
        let v2 =
            text.replacen("version = 1", "version = 2", 1).replacen("normal = { days = 5,", "normal = { days = 2,", 1);
        let (st, html) = page_upload(&app, "head", "/admin/policy/import", &v2);
        assert_eq!(st, 403, "only the administrator imports: {html}");
        let (st, html) = page_upload(&app, "admin", "/admin/policy/import", "version = [");
        assert_eq!(st, 422, "{html}");
        assert!(html.contains("政策文件无效") && html.contains("class=\"err\""), "{html}");
        let (st, html) = page_upload(&app, "admin", "/admin/policy/import", text);
        assert_eq!(st, 409, "version 1 exists: {html}");
        assert!(html.contains("新版本号须大于 1"), "{html}");
        let (st, html) = page_upload(&app, "admin", "/admin/policy/import", &v2);
        assert_eq!(st, 200, "{html}");
        assert!(html.contains("第 2 版") && html.contains("gray_area.normal.days"), "the changes are listed: {html}");
        let after = app.new_case(&clerk, None);
        let (_, e_before) = app.post(&format!("/api/v1/cases/{before}/escalations"), &clerk, json!({"reason": "r"}));
        let (_, e_after) = app.post(&format!("/api/v1/cases/{after}/escalations"), &clerk, json!({"reason": "r"}));
        assert_eq!(e_before["due"].as_str(), Some("2026-11-27T23:59:59+08:00"), "5 working days, as opened");
        assert_eq!(e_after["due"].as_str(), Some("2026-11-24T23:59:59+08:00"), "2 working days, the new version");
        assert_eq!(status(&app, &clerk, before)["policy"]["version"], 1);
        assert_eq!(status(&app, &clerk, after)["policy"]["version"], 2);
        let (_, page) = page_get(&app, "admin", "/admin/policy");
        assert!(page.contains("第 2 版"), "the policy page shows the version in force");
        assert!(app.audit_ok());
    }
}

// NV-14: refusal phrases are flagged, in Simplified and Traditional; helpful replies are not.
#[test]
fn nv_14_reply_check() {
    let app = App::spawn(Kind::Sqlite, "national");
    let clerk = app.token("clerk");
    let (st, v) = app.post("/api/v1/replies/check", &clerk, json!({"text": "这个不归我管，我也不知道"}));
    assert_eq!(st, 200);
    let phrases: Vec<&str> = v["flagged"].as_array().unwrap().iter().map(|f| f["phrase"].as_str().unwrap()).collect();
    assert_eq!(phrases, ["不归我管", "不知道"]);
    assert_eq!(v["flagged"][0]["start"], 2);
    assert!(v["suggestion"].as_str().unwrap().contains("指引"));
    let (_, v) = app.post("/api/v1/replies/check", &clerk, json!({"text": "這個辦不了"}));
    assert_eq!(v["flagged"][0]["phrase"], "办不了");
    let (_, v) = app.post("/api/v1/replies/check", &clerk, json!({"text": "可以办理，请到3号窗口"}));
    assert!(v["flagged"].as_array().unwrap().is_empty());
    // Issue 33, round three: words no clause pattern names are heard by the learned half, which
    // names the clause and says how to put it.
    let (_, v) = app.post("/api/v1/replies/check", &clerk, json!({"text": "这得看领导心情。"}));
    assert_eq!(v["flagged"][0]["shape"], "sounds_like_no", "{v}");
    assert_eq!(v["flagged"][0]["phrase"], "这得看领导心情");
    assert!(v["suggestion"].as_str().unwrap().contains("可以这样办"));
}

// NV-14, NV-7 (issue "no soft refusals", item 2): every text that reaches the applicant is
// checked, not only replies — a consultation's answer, a close note, a notice's how-to-fix — and
// an escalation's "no" is refused as an answer: it goes through a veto request. Confirmed
// wording goes through; a vetoed case's note is not checked (the refusal was approved).
#[test]
fn nv_14_every_applicant_text_is_checked() {
    for k in backends() {
        let app = App::spawn(k, "national");
        let clerk = app.token("clerk");
        let (st, c) = app.post(
            "/api/v1/cases",
            &clerk,
            json!({"kind": "consultation", "channel": "window", "applicant": {"name": "李四", "phone": "13812345678"}, "request": "个体户怎么注销"}),
        );
        assert_eq!(st, 201, "{c}");
        let cid = c["id"].as_i64().unwrap();
        let close = |note: &str, confirm: bool| {
            app.post(
                &format!("/api/v1/cases/{cid}/close"),
                &clerk,
                json!({"outcome": "answered", "note": note, "confirm_phrases": confirm}),
            )
        };
        let (st, e) = close("这个不清楚，你自己去查", false);
        assert_eq!((st, e["error"]["code"].as_str()), (409, Some("refusal_phrases")), "{e}");
        assert!(e["error"]["message"].as_str().unwrap().contains("咨询答复"), "{e}");
        let (_, c) = app.get(&format!("/api/v1/cases/{cid}"), &clerk);
        assert_eq!(c["status"], "received", "nothing changed");
        // Traditional wording too.
        assert_eq!(close("這個辦不了", false).0, 409);
        // Ordinary official wording is not flagged.
        assert_eq!(close("如您不清楚需要哪些材料，可以扫码查看清单；注销可全程网办。", false).0, 200);
        // A notice's free text.
        let id = app.new_case(&clerk, None);
        let (st, e) = app.post(
            &format!("/api/v1/cases/{id}/notices"),
            &clerk,
            json!({"missing": [{"material": "营业执照", "how_to_fix": "没有就办不了"}]}),
        );
        assert_eq!((st, e["error"]["code"].as_str()), (409, Some("refusal_phrases")), "{e}");
        // An escalation's negative answer is not an answer: a veto request is the way.
        let (_, esc) = app.post(&format!("/api/v1/cases/{id}/escalations"), &clerk, json!({"reason": "政策不明"}));
        let eid = esc["id"].as_i64().unwrap();
        let head = app.token("head");
        let (st, e) =
            app.post(&format!("/api/v1/escalations/{eid}/answer"), &head, json!({"answer": "不行，不予办理"}));
        assert_eq!((st, e["error"]["code"].as_str()), (409, Some("negative_answer_needs_veto")), "{e}");
        let (st, _) = app.post(
            &format!("/api/v1/escalations/{eid}/answer"),
            &head,
            json!({"answer": "可以受理，按一般程序办理"}),
        );
        assert_eq!(st, 200);
        assert!(app.audit_ok());
    }
}

// NV-2, NV-9, NV-14 (issue "no soft refusals", done-when): the business section's monthly
// roll-up shows withdrawals, `not_required` endings, negative consultation answers and negative
// escalation answers beside the vetoes, per window and unit — the API, its CSV and XLSX export
// and the filings page alike; a unit leader of another unit sees none of it.
#[test]
fn nv_2_rollup_shows_every_negative_ending_beside_vetoes() {
    for k in backends() {
        let app = App::spawn(k, "national");
        let (clerk, head) = (app.token("clerk"), app.token("head"));
        // A veto, approved.
        let id = app.new_case(&clerk, None);
        let vid = app.request_veto(&clerk, id);
        assert_eq!(app.decide("head", vid, true, "同意").0, 200);
        assert_eq!(app.decide("leader", vid, true, "同意").0, 200);
        // A confirmed withdrawal.
        let id = app.new_case(&clerk, None);
        let (_, w) =
            app.post(&format!("/api/v1/cases/{id}/withdrawals"), &clerk, json!({"statement": "本人自愿撤回申请。"}));
        let wid = w["id"].as_i64().unwrap();
        assert_eq!(app.post(&format!("/api/v1/withdrawals/{wid}/confirmation"), &head, json!({})).0, 200);
        // Not required.
        let id = app.new_case(&clerk, None);
        let body = json!({"outcome": "not_required", "legal_basis": "《行政许可法》第十三条"});
        assert_eq!(app.post(&format!("/api/v1/cases/{id}/close"), &head, body).0, 200);
        // A consultation answered "no" (the clerk confirmed the wording) and one answered well.
        for (note, n) in [("这个办不了", true), ("可以办理，请到3号窗口", false)] {
            let (_, c) = app.post(
                "/api/v1/cases",
                &clerk,
                json!({"kind": "consultation", "channel": "window", "applicant": {"name": "王五", "phone": "13812345678"}, "request": "能不能办"}),
            );
            let cid = c["id"].as_i64().unwrap();
            let body = json!({"outcome": "answered", "note": note, "confirm_phrases": n});
            assert_eq!(app.post(&format!("/api/v1/cases/{cid}/close"), &clerk, body).0, 200);
        }
        // An escalation answered "no" with the wording confirmed.
        let id = app.new_case(&clerk, None);
        let (_, e) = app.post(&format!("/api/v1/cases/{id}/escalations"), &clerk, json!({"reason": "不明"}));
        let eid = e["id"].as_i64().unwrap();
        let body = json!({"answer": "不清楚，先放着", "confirm_phrases": true});
        assert_eq!(app.post(&format!("/api/v1/escalations/{eid}/answer"), &head, body).0, 200);
        // An application recorded again as a consultation: the clerk asks, the head confirms.
        let id = app.new_case(&clerk, None);
        let body = json!({"kind": "consultation", "reason": "群众只是来问问"});
        assert_eq!(app.post(&format!("/api/v1/cases/{id}/kind"), &clerk, body).0, 200);
        assert_eq!(app.post(&format!("/api/v1/cases/{id}/kind/decision"), &head, json!({"approve": true})).0, 200);
        // Issue 25: an application referred elsewhere is counted beside the vetoes.
        let id = app.new_case(&clerk, None);
        let body = json!({"to_unit_id": app.ids.unit2, "address": "二楼", "contact": "人社窗口 0719-8000000", "how": "带身份证"});
        assert_eq!(app.post(&format!("/api/v1/cases/{id}/referral"), &clerk, body).0, 200);

        let (st, r) = app.get("/api/v1/filings/rollup?month=2026-11", &app.token("business"));
        assert_eq!(st, 200, "{r}");
        let rows = r["rows"].as_array().unwrap();
        assert_eq!(rows.len(), 1, "{r}");
        let row = &rows[0];
        let n = |k: &str| row[k].as_i64().unwrap();
        assert_eq!(
            (n("vetoes_requested"), n("vetoes_approved"), n("withdrawals"), n("not_required")),
            (1, 1, 1, 1),
            "{row}"
        );
        assert_eq!((n("negative_consultations"), n("negative_escalations")), (1, 1), "{row}");
        assert_eq!((n("changed_to_consultation"), n("referrals")), (1, 1), "{row}");
        assert!(!row["window"].as_str().unwrap().is_empty() && !row["unit"].as_str().unwrap().is_empty());
        // Another unit's leader sees nothing of it.
        let (_, r) = app.get("/api/v1/filings/rollup?month=2026-11", &app.token("leader2"));
        assert!(r["rows"].as_array().unwrap().is_empty(), "{r}");
        // The exports.
        let business = app.token("business");
        let fetch = |format: &str| {
            let (st, bytes) = app.download(&format!("/api/v1/filings/rollup?month=2026-11&format={format}"), &business);
            assert_eq!(st, 200);
            bytes
        };
        let csv = String::from_utf8(fetch("csv")).unwrap();
        assert!(
            csv.starts_with('\u{feff}') && csv.contains("申请人书面撤回") && csv.contains("否定性请示答复"),
            "{csv}"
        );
        assert!(csv.lines().nth(1).unwrap().ends_with(",1,1,0,1,1,1,1,1,1"), "{csv}");
        assert!(csv.contains("申请指引他处"), "{csv}");
        assert!(fetch("xlsx").starts_with(b"PK"));
        // The page shows the same line.
        let (_, html) = page_get(&app, "business", "/filings?month=2026-11");
        assert!(html.contains("否定性咨询答复") && html.contains("rollup?month=2026-11&amp;format=xlsx"), "{html}");
    }
}

// NV-2 (issue "no soft refusals"): changing a case's kind is an event with a reason — on the
// timeline, in the audit — and a begun application cannot become a consultation (which could
// then end as "answered"); bad input changes nothing.
#[test]
fn nv_2_changing_a_case_kind_is_audited_and_shown() {
    for k in backends() {
        let app = App::spawn(k, "national");
        let clerk = app.token("clerk");
        let id = app.new_case(&clerk, None);
        let url = format!("/api/v1/cases/{id}/kind");
        let (st, e) = app.post(&url, &clerk, json!({"kind": "consultation", "reason": " "}));
        assert_eq!((st, e["error"]["code"].as_str()), (422, Some("required")), "{e}");
        let (st, e) = app.post(&url, &clerk, json!({"kind": "complaint", "reason": "x"}));
        assert_eq!((st, e["error"]["code"].as_str()), (422, Some("invalid_kind")), "{e}");
        let (st, _) = app.post(&url, &app.token("clerk2"), json!({"kind": "consultation", "reason": "x"}));
        assert_eq!(st, 403, "another window's clerk");
        let admin = app.token("admin");
        let entries = || app.get("/api/v1/audit/verify", &admin).1["entries"].as_i64().unwrap();
        let before = entries();
        // Issue 25: the clerk only asks; it stays an application until the window head confirms.
        let (st, c) = app.post(&url, &clerk, json!({"kind": "consultation", "reason": "群众只是来问问"}));
        assert_eq!(st, 200, "{c}");
        assert_eq!(c["kind"], "application");
        assert_eq!(c["kind_request"]["reason"], "群众只是来问问", "{c}");
        assert_eq!(entries(), before + 1, "one audit entry for the request");
        let (st, e) = app.post(&url, &clerk, json!({"kind": "consultation", "reason": "再来"}));
        assert_eq!((st, e["error"]["code"].as_str()), (409, Some("kind_request_pending")), "{e}");
        // Answering it meanwhile would end an application: refused.
        let body = json!({"outcome": "answered", "note": "可以到3号窗口办理"});
        let (st, e) = app.post(&format!("/api/v1/cases/{id}/close"), &clerk, body);
        assert_eq!((st, e["error"]["code"].as_str()), (409, Some("answered_is_for_consultations")), "{e}");
        let decision = format!("/api/v1/cases/{id}/kind/decision");
        assert_eq!(app.post(&decision, &clerk, json!({"approve": true})).0, 403, "the clerk decides nothing");
        // The head's inbox lists it.
        let (_, html) = page_get(&app, "head", "/inbox");
        assert!(html.contains("群众只是来问问"), "{html}");
        let head = app.token("head");
        let before = entries();
        let (st, c) = app.post(&decision, &head, json!({"approve": true}));
        assert_eq!(st, 200, "{c}");
        assert_eq!(c["kind"], "consultation");
        assert_eq!(entries(), before + 1, "one audit entry for the confirmation");
        let (st, e) = app.post(&url, &clerk, json!({"kind": "consultation", "reason": "再来"}));
        assert_eq!((st, e["error"]["code"].as_str()), (409, Some("kind_unchanged")), "{e}");
        let (_, html) = page_get(&app, "clerk", &format!("/cases/{id}"));
        assert!(html.contains("更正办件类型：由“申请”改为“咨询”（理由：群众只是来问问），经窗口负责人确认"), "{html}");
        // A begun application stays one.
        let id = app.new_case(&clerk, None);
        assert_eq!(app.post(&format!("/api/v1/cases/{id}/accept"), &clerk, json!({})).0, 200);
        let (st, e) =
            app.post(&format!("/api/v1/cases/{id}/kind"), &clerk, json!({"kind": "consultation", "reason": "x"}));
        assert_eq!((st, e["error"]["code"].as_str()), (409, Some("wrong_state")), "{e}");
    }
}

// NV-7, POL-1 (issue "no soft refusals", item 4): at the collective level (集体研究, JL 二(三))
// the answer is the meeting's — the unit head records who took part and what it concluded.
#[test]
fn nv_7_collective_answer_records_the_meeting() {
    for k in backends() {
        let app = App::spawn(k, "jilin-etdz");
        let clerk = app.token("clerk");
        let id = app.new_case(&clerk, None);
        let mut level = String::new();
        let mut eid = 0;
        for who in ["clerk", "head", "leader", "chief"] {
            let (st, e) = app.post(
                &format!("/api/v1/cases/{id}/escalations"),
                &app.token(who),
                json!({"reason": "新业态，规定不明确"}),
            );
            assert_eq!(st, 201, "{who}: {e}");
            level = e["level"].as_str().unwrap().to_string();
            eid = e["id"].as_i64().unwrap();
        }
        assert_eq!(level, "collective");
        let chief = app.token("chief");
        let answer = |body: serde_json::Value| app.post(&format!("/api/v1/escalations/{eid}/answer"), &chief, body);
        let (st, e) = answer(json!({"answer": "可以受理"}));
        assert_eq!((st, e["error"]["code"].as_str()), (409, Some("meeting_required")), "{e}");
        let (st, _) =
            answer(json!({"answer": "可以受理", "meeting": {"participants": ["主任 刘一"], "conclusion": "同意"}}));
        assert_eq!(st, 409, "one participant is no meeting");
        let meeting = json!({"participants": ["主任 刘一", "副主任 陈二", "法规科 张三"], "conclusion": "按新业态试点受理，材料参照同类事项"});
        let (st, e) = answer(json!({"answer": "可以受理", "meeting": meeting}));
        assert_eq!(st, 200, "{e}");
        let (_, c) = app.get(&format!("/api/v1/cases/{id}"), &clerk);
        let ans =
            c["timeline"].as_array().unwrap().iter().find(|t| t["kind"] == "escalation_answered").unwrap().clone();
        assert_eq!(ans["detail"]["meeting"]["participants"].as_array().unwrap().len(), 3, "{ans}");
        let (_, html) = page_get(&app, "clerk", &format!("/cases/{id}"));
        assert!(html.contains("请示经集体研究答复") && html.contains("副主任 陈二"), "{html}");
    }
}

// NV-3 (issue "no soft refusals", item 1): "nobody knows whose it is" has a path — the matter
// goes to the window head or the hall manager, who must place it within the policy's deadline:
// at this window, or elsewhere by a referral. The first contact keeps it meanwhile; nothing else
// (escalation, veto, closing) can happen to it until it is placed; a missed placement escalates.
#[test]
fn nv_3_unplaced_matter_is_placed_by_the_head() {
    for k in backends() {
        let app = App::spawn(k, "national");
        let clerk = app.token("clerk");
        let id = app.new_case(&clerk, None);
        let (st, v) = app.post(
            &format!("/api/v1/cases/{id}/placement"),
            &clerk,
            json!({"question": "群众要办的是“共享厨房”备案，不清楚归哪个部门"}),
        );
        assert_eq!(st, 200, "{v}");
        assert_eq!(v["due"], "2026-11-23T23:59:59+08:00", "one working day (national default)");
        let (_, c) = app.get(&format!("/api/v1/cases/{id}"), &clerk);
        assert_eq!(c["status"], "unplaced", "{c}");
        let d = c["deadlines"].as_array().unwrap().iter().find(|d| d["what"] == "placement").unwrap().clone();
        assert!(d["source"]["document"].as_str().unwrap().contains("安行审发〔2024〕7号"), "{d}");
        // Held: no escalation, no veto request, no closing meanwhile.
        let (st, e) = app.post(&format!("/api/v1/cases/{id}/escalations"), &clerk, json!({"reason": "x"}));
        assert_eq!((st, e["error"]["code"].as_str()), (409, Some("wrong_state")), "{e}");
        // The clerk cannot place it; the window head sees it in the inbox and places it here.
        assert_eq!(app.post(&format!("/api/v1/cases/{id}/placement/here"), &clerk, json!({})).0, 403);
        let (_, inbox) = page_get(&app, "head", "/inbox");
        assert!(inbox.contains("归属不明、待分办的事项") && inbox.contains(&format!("/cases/{id}")), "{inbox}");
        let (st, c) = app.post(&format!("/api/v1/cases/{id}/placement/here"), &app.token("head"), json!({}));
        assert_eq!((st, c["status"].as_str()), (200, Some("received")), "{c}");
        let d = c["deadlines"].as_array().unwrap().iter().find(|d| d["what"] == "placement").unwrap().clone();
        assert_eq!(d["state"], "met", "{d}");
        assert_eq!(app.post(&format!("/api/v1/cases/{id}/accept"), &clerk, json!({})).0, 200);
        // Placed elsewhere: the head refers it with a warm handoff.
        let id2 = app.new_case(&clerk, None);
        app.post(&format!("/api/v1/cases/{id2}/placement"), &clerk, json!({"question": "不清楚"}));
        let (st, c) = app.post(
            &format!("/api/v1/cases/{id2}/referral"),
            &app.token("head"),
            json!({"to_unit_id": app.ids.unit2, "address": "二楼社保窗口", "contact": "0719-8221234", "how": "带身份证", "handoff": true}),
        );
        assert_eq!((st, c["status"].as_str()), (200, Some("handoff_pending")), "{c}");
        // The consultation desk of the center places too (NV-3: head, hall manager or desk): it
        // sees the matter in its inbox, reads it, and places it — here or by a referral.
        let id4 = app.new_case(&clerk, None);
        app.post(&format!("/api/v1/cases/{id4}/placement"), &clerk, json!({"question": "不清楚"}));
        let desk = app.token("desk");
        assert_eq!(app.get(&format!("/api/v1/cases/{id4}"), &desk).0, 200);
        let (_, inbox) = page_get(&app, "desk", "/inbox");
        assert!(inbox.contains(&format!("/cases/{id4}")), "{inbox}");
        let (_, page) = page_get(&app, "desk", &format!("/cases/{id4}"));
        assert!(page.contains(&format!("/cases/{id4}/act/place_here")), "{page}");
        let (st, c) = app.post(&format!("/api/v1/cases/{id4}/placement/here"), &desk, json!({}));
        assert_eq!((st, c["status"].as_str()), (200, Some("received")), "{c}");
        // Placed, the matter is the window's again: the desk no longer works it.
        assert_eq!(app.post(&format!("/api/v1/cases/{id4}/accept"), &desk, json!({})).0, 403);
        assert_eq!(app.post(&format!("/api/v1/cases/{id4}/placement/here"), &app.token("clerk2"), json!({})).0, 403);
        // Not placed in time: the deadline is escalated by the job runner like any other.
        let id3 = app.new_case(&clerk, None);
        app.post(&format!("/api/v1/cases/{id3}/placement"), &clerk, json!({"question": "不清楚"}));
        app.set_now("2026-11-25T08:00:00+08:00");
        let r = app.block_on(noveto_server::jobs::tick(&app.state)).unwrap();
        assert!(r.escalated >= 1, "{r:?}");
        assert!(app.audit_ok());
    }
}

// NV-7 (issue "no soft refusals", item 1): where the policy says so (FZ 二(三), WH 一(三)) the
// ladder ends with the government at the center's level — the center reports and records its
// decision — and each gray-area answer is filed with the center, listed with the month's filings.
#[test]
fn nv_7_ladder_ends_with_the_government_and_answers_are_filed() {
    for k in backends() {
        let app = App::spawn(k, "fuzhou");
        let clerk = app.token("clerk");
        let id = app.new_case(&clerk, None);
        let mut e = json!({});
        for who in ["clerk", "head", "leader", "chief", "chief"] {
            let (st, v) = app.post(
                &format!("/api/v1/cases/{id}/escalations"),
                &app.token(who),
                json!({"reason": "跨部门，规定空白"}),
            );
            assert_eq!(st, 201, "{who}: {v}");
            e = v;
        }
        assert_eq!(e["level"], "government", "{e}");
        let eid = e["id"].as_i64().unwrap();
        // Nothing above the government.
        let (st, v) =
            app.post(&format!("/api/v1/cases/{id}/escalations"), &app.token("business"), json!({"reason": "再上报"}));
        assert_eq!((st, v["error"]["code"].as_str()), (409, Some("top_of_ladder")), "{v}");
        // The unit head cannot record the government's decision; the center does.
        let body = json!({"answer": "经区政府常务会议研究，同意按新业态试点受理"});
        assert_eq!(app.post(&format!("/api/v1/escalations/{eid}/answer"), &app.token("chief"), body.clone()).0, 403);
        let (_, inbox) = page_get(&app, "business", "/inbox");
        assert!(inbox.contains("本级政府研究决定"), "{inbox}");
        assert_eq!(app.post(&format!("/api/v1/escalations/{eid}/answer"), &app.token("business"), body).0, 200);
        // Filed with the center.
        let (_, html) = page_get(&app, "business", "/filings?month=2026-11");
        assert!(html.contains("模糊地带请示答复备案") && html.contains("同意按新业态试点受理"), "{html}");
    }
    // Where the policy does not file gray-area answers, nothing is listed.
    let app = App::spawn(Kind::Sqlite, "national");
    let clerk = app.token("clerk");
    let id = app.new_case(&clerk, None);
    let (_, e) = app.post(&format!("/api/v1/cases/{id}/escalations"), &clerk, json!({"reason": "x"}));
    let eid = e["id"].as_i64().unwrap();
    app.post(&format!("/api/v1/escalations/{eid}/answer"), &app.token("head"), json!({"answer": "可以受理"}));
    let (_, html) = page_get(&app, "business", "/filings?month=2026-11");
    assert!(!html.contains("模糊地带请示答复备案"), "{html}");
}

// NV-9, POL-1 (issue "no soft refusals", item 1): where the policy files vetoes monthly (JL
// 三(三)), each unit files its month with the center as an act of its own — its leader or head,
// once — with a page and an API; the business section sees who filed and who not yet. Elsewhere
// there is no such act.
#[test]
fn nv_9_unit_files_its_month_where_the_policy_says_so() {
    for k in backends() {
        let app = App::spawn(k, "jilin-etdz");
        let clerk = app.token("clerk");
        let id = app.new_case(&clerk, None);
        app.request_veto(&clerk, id);
        let body = json!({"unit_id": app.ids.unit, "month": "2026-11", "note": "本月否决报批一件，审批中"});
        assert_eq!(
            app.post("/api/v1/filings/monthly", &clerk, body.clone()).0,
            403,
            "a clerk does not file for the unit"
        );
        assert_eq!(
            app.post("/api/v1/filings/monthly", &app.token("leader2"), body.clone()).0,
            403,
            "nor another unit's leader"
        );
        let (st, f) = app.post("/api/v1/filings/monthly", &app.token("leader"), body.clone());
        assert_eq!((st, f["vetoes"].as_i64()), (201, Some(1)), "{f}");
        let (st, e) = app.post("/api/v1/filings/monthly", &app.token("chief"), body);
        assert_eq!(st, 409, "once a month: {e}");
        let (_, m) = app.get("/api/v1/filings/monthly?month=2026-11", &app.token("business"));
        let units = m["units"].as_array().unwrap();
        let ours = units.iter().find(|u| u["unit_id"] == app.ids.unit).unwrap();
        assert_eq!(ours["filing"]["vetoes"], 1, "{m}");
        assert!(units.iter().any(|u| u["unit_id"] == app.ids.unit2 && u["filing"].is_null()), "{m}");
        let (_, html) = page_get(&app, "leader2", "/filings?month=2026-11");
        assert!(html.contains("各单位月度报备") && html.contains("提交本月报备"), "{html}");
        let (_, html) = page_get(&app, "business", "/filings?month=2026-11");
        assert!(html.contains("已报备") && html.contains("尚未报备"), "{html}");
        assert!(app.audit_ok());
    }
    let app = App::spawn(Kind::Sqlite, "fuzhou");
    let body = json!({"unit_id": app.ids.unit, "month": "2026-11"});
    let (st, e) = app.post("/api/v1/filings/monthly", &app.token("leader"), body);
    assert_eq!((st, e["error"]["code"].as_str()), (409, Some("monthly_filing_not_required")), "{e}");
}

// NV-7, POL-1 (issue "no soft refusals", item 4): Fuzhou's expert-study exception — a major
// matter needing expert review gets a reply deadline set by hand, with its reason shown as its
// source; policies without the exception refuse it.
#[test]
fn nv_7_expert_study_deadline_by_hand_where_the_policy_allows() {
    let app = App::spawn(Kind::Sqlite, "fuzhou");
    let clerk = app.token("clerk");
    let id = app.new_case(&clerk, None);
    let url = format!("/api/v1/cases/{id}/escalations");
    let (st, e) = app.post(
        &url,
        &clerk,
        json!({"reason": "新型设备，需专家论证", "expert_study": {"due": "2026-11-01", "reason": "专家组月底开会"}}),
    );
    assert_eq!((st, e["error"]["code"].as_str()), (422, Some("due_in_past")), "{e}");
    let (st, e) = app.post(&url, &clerk, json!({"reason": "新型设备，需专家论证", "expert_study": {"due": "2026-12-15", "reason": "专家组12月中旬开会"}}));
    assert_eq!(st, 201, "{e}");
    assert_eq!((e["due"].as_str(), e["major"].as_bool()), (Some("2026-12-15T23:59:59+08:00"), Some(true)), "{e}");
    let doc = e["source"]["document"].as_str().unwrap();
    assert!(doc.contains("榕政办〔2016〕224号") && doc.contains("专家组12月中旬开会"), "{e}");
    let app = App::spawn(Kind::Sqlite, "ankang");
    let clerk = app.token("clerk");
    let id = app.new_case(&clerk, None);
    let (st, e) = app.post(
        &format!("/api/v1/cases/{id}/escalations"),
        &clerk,
        json!({"reason": "需专家论证", "expert_study": {"due": "2026-12-15", "reason": "专家组开会"}}),
    );
    assert_eq!((st, e["error"]["code"].as_str()), (422, Some("expert_study_not_allowed")), "{e}");
}

// NV-2 (issue "no soft refusals", item 1): every negative ending is a veto or the applicant's
// own act — `audit verify` (API and CLI) proves it on the data: after the endings the product
// allows, nothing is unproven; a case whose doc is edited to "withdrawn" behind the product's
// back is named.
#[test]
fn nv_2_audit_verify_names_an_ending_without_its_proof() {
    for k in backends() {
        let app = App::spawn(k, "national");
        let (clerk, head) = (app.token("clerk"), app.token("head"));
        // Allowed endings: approved, withdrawn (confirmed), not_required, referred, answered.
        let a = app.new_case(&clerk, None);
        app.post(&format!("/api/v1/cases/{a}/accept"), &clerk, json!({}));
        assert_eq!(app.post(&format!("/api/v1/cases/{a}/close"), &clerk, json!({"outcome": "approved"})).0, 200);
        let w = app.new_case(&clerk, None);
        let (_, wd) =
            app.post(&format!("/api/v1/cases/{w}/withdrawals"), &clerk, json!({"statement": "本人撤回申请。"}));
        let wid = wd["id"].as_i64().unwrap();
        app.post(&format!("/api/v1/withdrawals/{wid}/confirmation"), &head, json!({}));
        let body = json!({"outcome": "withdrawn", "withdrawal_id": wid});
        assert_eq!(app.post(&format!("/api/v1/cases/{w}/close"), &clerk, body).0, 200);
        let n = app.new_case(&clerk, None);
        let body = json!({"outcome": "not_required", "legal_basis": "《行政许可法》第十三条"});
        assert_eq!(app.post(&format!("/api/v1/cases/{n}/close"), &head, body).0, 200);
        let r = app.new_case(&clerk, None);
        let body = json!({"to_unit_id": app.ids.unit2, "address": "二楼", "contact": "电话", "how": "带身份证", "handoff": false});
        assert_eq!(app.post(&format!("/api/v1/cases/{r}/referral"), &clerk, body).0, 200);
        let admin = app.token("admin");
        let (st, v) = app.get("/api/v1/audit/verify", &admin);
        assert_eq!(st, 200);
        assert_eq!(v["unproven_endings"].as_array().map(Vec::len), Some(0), "{v}");
        // Behind the product's back: an approved case edited to "withdrawn".
        app.block_on(app.state.store.write(move |tx| {
            tx.verbatim(); // an intruder leaves no audit entry
            tx.exec(
                "UPDATE cases SET doc = REPLACE(doc, '\"outcome\":\"approved\"', '\"outcome\":\"withdrawn\"') WHERE id = $1",
                noveto_store::params![a],
            )
        }))
        .unwrap();
        let (_, v) = app.get("/api/v1/audit/verify", &admin);
        let bad = v["unproven_endings"].as_array().unwrap();
        assert_eq!(bad.len(), 1, "{v}");
        assert_eq!(bad[0]["case_id"], a);
        assert!(bad[0]["problem"].as_str().unwrap().contains("撤回"), "{v}");
        // Issue 26: a district's administrator hears of its own centers' endings only.
        let (st, v) = app.get("/api/v1/audit/verify", &app.token("county_admin"));
        assert_eq!((st, v["unproven_endings"].as_array().map(Vec::len)), (200, Some(0)), "{v}");
    }
}

// NV-4 (screens issue, item 2): a later notice that would add materials is a request to the
// window head, made from the same form with the reason; the head's inbox lists it; the answer
// comes back to the clerk's case — approved, the notice goes out with the new material and the
// visit is counted; refused, with the reason, nothing is issued.
#[test]
fn nv_4_growth_approval_is_a_queue() {
    for k in backends() {
        let app = App::spawn(k, "national");
        let clerk = app.token("clerk");
        let id = app.new_case(&clerk, None);
        let m = |name: &str| json!({"missing": [{"material": name, "how_to_fix": "提供复印件"}]});
        assert_eq!(app.post(&format!("/api/v1/cases/{id}/notices"), &clerk, m("身份证")).0, 201);
        let (st, e) = app.post(&format!("/api/v1/cases/{id}/notices"), &clerk, m("租赁合同"));
        assert_eq!((st, e["error"]["code"].as_str()), (409, Some("notice_growth_needs_approval")), "{e}");
        let body = json!({"missing": [{"material": "租赁合同", "how_to_fix": "提供原件"}], "reason": "核查发现经营场所为租用"});
        let (st, c) = app.post(&format!("/api/v1/cases/{id}/notice-growth"), &clerk, body.clone());
        assert_eq!(st, 200, "{c}");
        assert_eq!(c["growth_request"]["reason"], "核查发现经营场所为租用", "{c}");
        assert_eq!(app.post(&format!("/api/v1/cases/{id}/notice-growth"), &clerk, body).0, 409, "one at a time");
        // The clerk cannot decide it; the head sees it and approves.
        let decide = |who: &str, approve: bool, opinion: &str| {
            app.post(
                &format!("/api/v1/cases/{id}/notice-growth/decision"),
                &app.token(who),
                json!({"approve": approve, "opinion": opinion}),
            )
        };
        assert_eq!(decide("clerk", true, "").0, 403);
        let (_, inbox) = page_get(&app, "head", "/inbox");
        assert!(inbox.contains("待批准的新增告知材料") && inbox.contains("核查发现经营场所为租用"), "{inbox}");
        let (st, c) = decide("head", true, "");
        assert_eq!(st, 200, "{c}");
        assert!(c["growth_request"].is_null(), "{c}");
        assert_eq!(c["visits"], 2, "{c}");
        assert!(c["notified"].as_array().unwrap().iter().any(|n| n["material"] == "租赁合同"), "{c}");
        let last = c["timeline"].as_array().unwrap().last().unwrap().clone();
        assert_eq!(
            (last["kind"].as_str(), last["detail"]["growth_approved"].as_bool()),
            (Some("notice"), Some(true)),
            "{last}"
        );
        // Issue 31, item 7: the notice marks the material added later, with the reason.
        let (st, paper) = app.download(&format!("/api/v1/cases/{id}/documents/notice.html"), &clerk);
        let paper = String::from_utf8_lossy(&paper).to_string();
        assert_eq!(st, 200);
        assert!(paper.contains("后续新增，经窗口负责人批准；理由：核查发现经营场所为租用"), "{paper}");
        assert_eq!(paper.matches("后续新增").count(), 1, "only the added material: {paper}");
        // Refused: the reason is required and nothing is issued.
        let body = json!({"missing": [{"material": "消防验收意见", "how_to_fix": "提供复印件"}], "reason": "面积较大"});
        app.post(&format!("/api/v1/cases/{id}/notice-growth"), &clerk, body);
        assert_eq!(decide("head", false, " ").0, 409);
        let (st, c) = decide("head", false, "该面积不需要消防验收，不得增加");
        assert_eq!(st, 200, "{c}");
        assert!(!c["notified"].as_array().unwrap().iter().any(|n| n["material"] == "消防验收意见"), "{c}");
        let (_, html) = page_get(&app, "clerk", &format!("/cases/{id}"));
        assert!(html.contains("窗口负责人不同意新增告知材料：该面积不需要消防验收"), "{html}");
    }
}

// Screens issue, item 6: the workbench searches every case the person may see by receipt
// number, applicant or phone — paged, exported as CSV and XLSX, through the API's own list; a
// clerk of another window finds nothing of this window's.
#[test]
fn workbench_search_finds_what_the_reader_may_see() {
    for k in backends() {
        let app = App::spawn(k, "national");
        let clerk = app.token("clerk");
        let id = app.new_case(&clerk, None);
        let (_, c) = app.get(&format!("/api/v1/cases/{id}"), &clerk);
        let receipt = c["receipt_no"].as_str().unwrap().to_string();
        let (st, v) = app.get(&format!("/api/v1/cases?q={receipt}"), &clerk);
        assert_eq!(st, 200, "{v}");
        assert_eq!(v["cases"].as_array().unwrap().len(), 1, "{v}");
        let (_, v) = app.get("/api/v1/cases?q=13812345678", &app.token("head"));
        assert!(v["cases"].as_array().unwrap().iter().any(|c| c["id"] == id), "by phone: {v}");
        let (_, v) = app.get(&format!("/api/v1/cases?q={receipt}"), &app.token("clerk2"));
        assert!(v["cases"].as_array().unwrap().is_empty(), "another window's clerk: {v}");
        let (st, e) = app.get("/api/v1/cases?q=1", &clerk);
        assert_eq!((st, e["error"]["code"].as_str()), (422, Some("too_short")), "{e}");
        let mut resp = app
            .agent
            .get(&format!("{}/api/v1/cases?q={receipt}&format=csv", app.base))
            .header("Authorization", &format!("Bearer {clerk}"))
            .call()
            .unwrap();
        let csv = resp.body_mut().read_to_string().unwrap();
        assert!(csv.contains("受理编号") && csv.contains(&receipt), "{csv}");
        let (_, html) = page_get(&app, "clerk", &format!("/search?q={receipt}"));
        assert!(html.contains(&format!("/cases/{id}")) && html.contains("导出 Excel"), "{html}");
        let (_, home) = page_get(&app, "clerk", "/");
        assert!(home.contains("action=\"/search\""), "the workbench has the search box");
    }
}

// NV-9: the veto filing form prints in three copies with the seed's fields; the refusal notice
// states reasons and legal basis.
#[test]
fn nv_9_veto_filing_form() {
    let app = App::spawn(Kind::Sqlite, "national");
    let clerk = app.token("clerk");
    let id = app.new_case(&clerk, None);
    let (_, v) = app.post(
        &format!("/api/v1/cases/{id}/veto-requests"),
        &clerk,
        json!({"reason": "选址不符合规划", "legal_basis": "《药品管理法》第五十二条"}),
    );
    let vid = v["id"].as_i64().unwrap();
    app.post(
        &format!("/api/v1/veto-requests/{vid}/decision"),
        &app.token("head"),
        json!({"approve": true, "opinion": "情况属实"}),
    );
    app.post(
        &format!("/api/v1/veto-requests/{vid}/decision"),
        &app.token("leader"),
        json!({"approve": true, "opinion": "同意"}),
    );
    app.post(&format!("/api/v1/cases/{id}/close"), &clerk, json!({"outcome": "vetoed", "veto_request_id": vid}));
    let (st, html) = app.get(&format!("/api/v1/cases/{id}/documents/veto-filing-form.html"), &clerk);
    assert_eq!(st, 200);
    let html = html.as_str().unwrap().to_string();
    for f in [
        "报备单位",
        "承办窗口",
        "经办人",
        "被否决对象",
        "联系方式",
        "被否决事项名称",
        "受理日期",
        "被否决事项的基本情况",
        "被否决的理由及依据",
        "窗口负责人意见",
        "所属单位审核意见",
        "办理情况",
        "备注",
        "第一联",
        "第二联",
        "第三联",
    ] {
        assert!(html.contains(f), "{f}");
    }
    assert_eq!(html.matches("否决事项报备登记表</h1>").count(), 3);
    let (st, html) = app.get(&format!("/api/v1/cases/{id}/documents/refusal-notice.html"), &clerk);
    assert_eq!(st, 200);
    assert!(html.as_str().unwrap().contains("《药品管理法》第五十二条"));
    let (st, _) = app.get(&format!("/api/v1/cases/{id}/documents/nonsense.pdf"), &clerk);
    assert_eq!(st, 404);
}

// CAL-1 over HTTP.
#[test]
fn cal_1_due_api() {
    let app = App::spawn(Kind::Sqlite, "national");
    let t = app.token("clerk");
    let (st, v) = app.get("/api/v1/calendar/due?from=2026-09-30&working_days=5", &t);
    assert_eq!((st, v["due"].as_str()), (200, Some("2026-10-13")));
    let (_, v) = app.get("/api/v1/calendar/working-day?date=2026-10-10", &t);
    assert_eq!(v["working"], true);
    // CAL-1, CAL-2: a year without a notice answers provisionally instead of refusing.
    let (st, v) = app.get("/api/v1/calendar/due?from=2026-12-30&working_days=10", &t);
    assert_eq!((st, v["due"].as_str(), v["provisional"].as_bool()), (200, Some("2027-01-14"), Some(true)), "{v}");
    assert!(v["note"].as_str().unwrap().contains("暂按法定节假日计算"));
    let (st, v) = app.get("/api/v1/calendar/due?from=2026-12-20&working_days=3", &t);
    assert_eq!((st, v["provisional"].as_bool()), (200, Some(false)), "{v}");
    let (st, v) = app.get("/api/v1/calendar/due?from=2035-12-30&working_days=1", &t);
    assert_eq!((st, v["error"]["code"].as_str()), (422, Some("calendar_not_covered")), "{v}");
    // An administrator imports 2027; the same question is answered.
    let json2027 = r#"{"year":2027,"papers":["notice"],"days":[{"name":"元旦","date":"2027-01-01","isOffDay":true}]}"#;
    let (st, v) = app.post("/api/v1/calendar/years", &app.token("admin"), json!({"content": json2027}));
    assert_eq!(st, 200, "{v}");
    let (st, v) = app.get("/api/v1/calendar/due?from=2026-12-30&working_days=2", &t);
    assert_eq!((st, v["due"].as_str(), v["provisional"].as_bool()), (200, Some("2027-01-04"), Some(false)));
    let (st, _) = app.post("/api/v1/calendar/years", &t, json!({"content": json2027}));
    assert_eq!(st, 403);
}

// NV-12: the consultation desk pre-screens and guides: it opens the matter, tells the applicant
// where to go and hands it over to the right window, which acknowledges.
#[test]
fn nv_12_consultation_desk_guides() {
    let app = App::spawn(Kind::Sqlite, "national");
    let desk = app.token("desk");
    let (st, v) = app.post(
        "/api/v1/cases",
        &desk,
        json!({"kind": "consultation", "channel": "window", "window_id": app.ids.desk, "applicant": {"name": "马大爷", "phone": "13011223344"}, "request": "办退休手续去哪里"}),
    );
    assert_eq!(st, 201, "{v}");
    let id = v["id"].as_i64().unwrap();
    let (st, c) = app.post(
        &format!("/api/v1/cases/{id}/referral"),
        &desk,
        json!({"to_window_id": app.ids.window2, "address": "二楼社保窗口", "contact": "0719-8221234", "how": "带身份证户口簿，已电话联系", "handoff": true}),
    );
    assert_eq!((st, c["status"].as_str()), (200, Some("handoff_pending")), "{c}");
    assert_eq!(app.post(&format!("/api/v1/cases/{id}/referral/acknowledge"), &app.token("clerk"), json!({})).0, 403);
    assert_eq!(app.post(&format!("/api/v1/cases/{id}/referral/acknowledge"), &app.token("clerk2"), json!({})).0, 200);
    let (_, c) = app.get(&format!("/api/v1/cases/{id}"), &desk);
    assert_eq!(c["outcome"], "referred", "{c}");
}

// NV-10: a cross-unit matter names a lead unit; no veto before the joint consultation is
// recorded with participants and conclusion.
#[test]
fn nv_10_cross_unit_consultation() {
    let app = App::spawn(Kind::Sqlite, "national");
    let clerk = app.token("clerk");
    let id = app.new_case(&clerk, None);
    let (st, e) = app.post(
        &format!("/api/v1/cases/{id}/cross-unit"),
        &clerk,
        json!({"lead_unit_id": app.ids.unit2, "unit_ids": [app.ids.unit]}),
    );
    assert_eq!((st, e["error"]["code"].as_str()), (409, Some("lead_not_involved")));
    let (st, c) = app.post(
        &format!("/api/v1/cases/{id}/cross-unit"),
        &clerk,
        json!({"lead_unit_id": app.ids.unit2, "unit_ids": [app.ids.unit, app.ids.unit2]}),
    );
    assert_eq!((st, c["lead_unit_id"].as_i64()), (200, Some(app.ids.unit2)));
    let (st, e) =
        app.post(&format!("/api/v1/cases/{id}/veto-requests"), &clerk, json!({"reason": "r", "legal_basis": "b"}));
    assert_eq!((st, e["error"]["code"].as_str()), (409, Some("consultation_required")));
    // The lead unit's leader records the consultation.
    let (st, r) = app.post(
        &format!("/api/v1/cases/{id}/joint-consultations"),
        &app.token("leader2"),
        json!({"unit_ids": [app.ids.unit, app.ids.unit2], "participants": ["人社局 褚涛", "市场监管局 赵敏"], "conclusion": "人社局出具证明后由市场监管局办理"}),
    );
    assert_eq!(st, 201, "{r}");
    assert_eq!(
        app.post(
            &format!("/api/v1/cases/{id}/joint-consultations"),
            &app.token("leader"),
            json!({"unit_ids": [], "participants": ["x"], "conclusion": "y"})
        )
        .0,
        403,
        "not the lead unit, not the window"
    );
    let (st, _) =
        app.post(&format!("/api/v1/cases/{id}/veto-requests"), &clerk, json!({"reason": "r", "legal_basis": "b"}));
    assert_eq!(st, 201);
}

// NV-11: assisted and proxy handling is recorded with helper and outcome.
#[test]
fn nv_11_assistance() {
    let app = App::spawn(Kind::Sqlite, "national");
    let clerk = app.token("clerk");
    let id = app.new_case(&clerk, None);
    let (st, r) = app.post(
        &format!("/api/v1/cases/{id}/assistance"),
        &clerk,
        json!({"kind": "home_visit", "reason": "elderly", "outcome": "上门采集信息，材料已收齐"}),
    );
    assert_eq!(st, 201, "{r}");
    assert_eq!(r["assistance"][0]["helper_id"].as_i64(), Some(app.staff_id("clerk")));
    assert_eq!(
        app.post(
            &format!("/api/v1/cases/{id}/assistance"),
            &clerk,
            json!({"kind": "teleport", "reason": "elderly", "outcome": "x"})
        )
        .0,
        422
    );
    let (_, c) = app.get(&format!("/api/v1/cases/{id}"), &clerk);
    assert_eq!(c["assistance"][0]["kind"], "home_visit");
    assert!(c["timeline"].as_array().unwrap().iter().any(|e| e["kind"] == "assisted"));
}

// CAL-2: through the API, a notice after acceptance pauses the promised time limit and the
// materials arriving resume it; the due day moves by the paused working days.
#[test]
fn cal_2_case_clock_pauses_over_http() {
    let app = App::spawn(Kind::Sqlite, "national");
    add_item(&app, "GT-9", false, false);
    let clerk = app.token("clerk");
    let id = app.new_case(&clerk, Some("GT-9"));
    let (_, c) = app.post(&format!("/api/v1/cases/{id}/accept"), &clerk, json!({}));
    assert_eq!(c["deadlines"][0]["due_day"], "2026-11-25", "3 wd after Friday 11-20");
    app.set_now("2026-11-23T10:00:00+08:00");
    assert_eq!(
        app.post(&format!("/api/v1/cases/{id}/notices"), &clerk, json!({"missing": [{"material": "补充说明"}]})).0,
        201
    );
    let (_, c) = app.get(&format!("/api/v1/cases/{id}"), &clerk);
    assert_eq!(c["deadlines"][0]["state"], "paused");
    app.set_now("2026-11-25T10:00:00+08:00");
    let (_, c) = app.post(&format!("/api/v1/cases/{id}/accept"), &clerk, json!({}));
    assert_eq!(c["deadlines"][0]["due_day"], "2026-11-27", "moved by the two paused working days");
    assert_eq!(c["deadlines"][0]["state"], "running");
}

// CAL-1: a region's local closure day moves the deadlines of cases at that region's centers,
// and only there.
#[test]
fn cal_1_local_override_applies_to_its_region() {
    let app = App::spawn(Kind::Sqlite, "national");
    let city = app.ids.city;
    app.block_on(app.state.store.write(move |tx| {
        noveto_store::repo::org::set_region(
            tx,
            &Ctx { actor: None, now: "2026-11-01T09:00:00+08:00".into() },
            city,
            "清江",
        )
    }))
    .unwrap();
    let admin = app.token("admin");
    let (st, v) = app.call(
        "PUT",
        "/api/v1/calendar/overrides",
        Some(&admin),
        Some(json!({"region": "清江", "date": "2026-11-23", "working": false, "reason": "本地停电闭厅"})),
    );
    assert_eq!(st, 200, "{v}");
    let clerk = app.token("clerk");
    let id = app.new_case(&clerk, None);
    let (_, e) = app.post(&format!("/api/v1/cases/{id}/escalations"), &clerk, json!({"reason": "r"}));
    assert_eq!(e["due"], "2026-11-30T23:59:59+08:00", "one more working day");
    let (_, d) = app.get("/api/v1/calendar/due?from=2026-11-20&working_days=5", &clerk);
    assert_eq!(d["due"], "2026-11-27", "the national calendar is unchanged");
    let (_, d) = app.get("/api/v1/calendar/due?from=2026-11-20&working_days=5&region=%E6%B8%85%E6%B1%9F", &clerk);
    assert_eq!(d["due"], "2026-11-30");
}

/// Logs in through the form and GETs a page.
pub fn page_get(app: &App, login: &str, path: &str) -> (u16, String) {
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).max_redirects(0).build().into();
    let cookie = session_cookie(&app.base, login);
    let mut r = agent.get(&format!("{}{}", app.base, path)).header("Cookie", &cookie).call().unwrap();
    (r.status().as_u16(), crate::helpers::without_labels(&r.body_mut().read_to_string().unwrap_or_default()))
}

// NV-3 on the pages: the receiving window sees the handoff on its workbench, can open the case
// and acknowledges it; the leader's home shows the unit's month.
#[test]
fn nv_3_handoff_on_the_workbench() {
    let app = App::spawn(Kind::Sqlite, "national");
    let clerk = app.token("clerk");
    let id = app.new_case(&clerk, None);
    app.post(&format!("/api/v1/cases/{id}/referral"), &clerk, json!({"to_unit_id": app.ids.unit2, "address": "社保窗口", "contact": "电话", "how": "带身份证", "handoff": true}));
    let (st, home) = page_get(&app, "clerk2", "/");
    assert_eq!(st, 200);
    assert!(
        home.contains("待确认接收的转交") && home.contains(&format!("/cases/{id}/acknowledge")),
        "clerk2 sees the handoff"
    );
    assert_eq!(page_get(&app, "clerk2", &format!("/cases/{id}")).0, 200, "the receiver may open the case");
    assert!(!page_get(&app, "clerk", "/").1.contains("待确认接收的转交"), "the sender has nothing to acknowledge");
    let (st, _) = page_post(&app, "clerk2", &format!("/cases/{id}/acknowledge"), &[]);
    assert_eq!(st, 303);
    assert!(!page_get(&app, "clerk2", "/").1.contains(&format!("/cases/{id}/acknowledge")));
    let (_, home) = page_get(&app, "leader", "/");
    assert!(home.contains("本单位本月情况"), "unit figures on the leader's home");
}

fn home_page(app: &App, login: &str) -> String {
    page_get(app, login, "/").1
}

// CAL-2: from 1 November the administrator's home page says that next year's notice is missing;
// a case whose deadline reaches into that year shows its due day as provisional.
#[test]
fn cal_2_missing_notice_and_provisional_deadlines() {
    let app = App::spawn(Kind::Sqlite, "national");
    app.set_now("2026-10-30T09:00:00+08:00");
    assert!(!home_page(&app, "admin").contains("尚未导入国务院办公厅"));
    app.set_now("2026-11-02T09:00:00+08:00");
    let html = home_page(&app, "admin");
    assert!(html.contains("尚未导入国务院办公厅 2027 年部分节假日安排的通知"), "{html}");
    // A 10-working-day escalation reply opened on 2026-12-24 is due in 2027: provisional.
    app.set_now("2026-12-24T09:00:00+08:00");
    let clerk = app.token("clerk");
    let id = app.new_case(&clerk, None);
    let (st, e) =
        app.post(&format!("/api/v1/cases/{id}/escalations"), &clerk, json!({"reason": "规定不明确", "major": true}));
    assert_eq!(st, 201, "{e}");
    let (_, c) = app.get(&format!("/api/v1/cases/{id}"), &clerk);
    let d = c["deadlines"].as_array().unwrap().iter().find(|d| d["provisional"] == true).cloned();
    let d = d.unwrap_or_else(|| panic!("a provisional deadline: {c}"));
    assert!(d["due_day"].as_str().unwrap().starts_with("2027-"), "{d}");
    assert!(d["provisional_note"].as_str().unwrap().contains("待国务院通知发布后自动更正"));
    // 10 working days from 2026-12-24, New Year's Day off: 2027-01-08.
    assert_eq!(d["due_day"], "2027-01-08", "{d}");
    // The 2027 notice arrives (a test notice: 01-04 and 01-05 off as well); importing it moves
    // exactly this deadline, with a timeline entry, an audit entry and a message to the clerk.
    let audit_before = app.audit_len();
    let json2027 = r#"{"year":2027,"papers":["测试通知"],"days":[{"name":"元旦","date":"2027-01-01","isOffDay":true},{"name":"元旦","date":"2027-01-04","isOffDay":true},{"name":"元旦","date":"2027-01-05","isOffDay":true}]}"#;
    let (st, v) = app.post("/api/v1/calendar/years", &app.token("admin"), json!({"content": json2027}));
    assert_eq!(st, 200, "{v}");
    assert!(v["recomputed_cases"].as_u64().unwrap() >= 1, "{v}");
    let (_, c) = app.get(&format!("/api/v1/cases/{id}"), &clerk);
    let d = c["deadlines"].as_array().unwrap().iter().find(|x| x["what"] == d["what"]).cloned().unwrap();
    assert_eq!((d["due_day"].as_str(), d["provisional"].as_bool()), (Some("2027-01-12"), Some(false)), "{d}");
    let moved = c["timeline"].as_array().unwrap().iter().find(|e| e["kind"] == "deadlines_recomputed").cloned();
    let moved = moved.unwrap_or_else(|| panic!("{c}"));
    assert_eq!(moved["detail"]["moved"][0]["from"], "2027-01-08", "{moved}");
    assert!(app.audit_len() > audit_before);
    assert!(app.audit_ok());
    let n: i64 = app
        .block_on(app.state.store.read(|tx| {
            Ok::<_, noveto_store::StoreError>(
                tx.query_one(
                    "SELECT COUNT(*) FROM outbox WHERE dedupe LIKE 'recompute:%' AND body LIKE '%2027-01-12%'",
                    &[],
                )?
                .unwrap()
                .i64(0),
            )
        }))
        .unwrap();
    assert!(n >= 1, "the clerk is told");
    // The reminder and escalation jobs read the stored due day: it moved too.
    let dues: Vec<String> = app
        .block_on(app.state.store.read(move |tx| {
            Ok::<_, noveto_store::StoreError>(
                tx.query("SELECT due FROM deadlines WHERE entity = 'case' AND entity_id = $1", &[id.into()])?
                    .iter()
                    .map(|r| r.str(0))
                    .collect(),
            )
        }))
        .unwrap();
    assert!(dues.iter().any(|d| d == "2027-01-12") && !dues.iter().any(|d| d == "2027-01-08"), "{dues:?}");
}

// Personal data (security issue, 个人信息保护法): the applicant's phone in full for the clerk,
// the window head and the supervision section; masked for others who may read the case.
#[test]
fn personal_data_in_full_only_for_those_working_the_matter() {
    let app = App::spawn(Kind::Sqlite, "national");
    let clerk = app.token("clerk");
    let id = app.new_case(&clerk, None);
    for (who, full) in [
        ("clerk", true),
        ("head", true),
        ("supervision", true),
        ("leader", false),
        ("business", false),
        ("director", false),
    ] {
        let (st, c) = app.get(&format!("/api/v1/cases/{id}"), &app.token(who));
        assert_eq!(st, 200, "{who}: {c}");
        let phone = c["applicant"]["phone"].as_str().unwrap();
        if full {
            assert_eq!(phone, "13812345678", "{who}");
        } else {
            assert_eq!(phone, "138****5678", "{who}");
            assert_eq!(c["personal_data_masked"], true);
        }
        // The case page takes the same decision (one door): the clerk needs the number to call
        // back; the leader does not see it.
        let (st, html) = page_get(&app, who, &format!("/cases/{id}"));
        assert_eq!(st, 200);
        assert_eq!(html.contains("13812345678"), full, "{who} on the case page");
    }
}

// NV-9 (security issue, separate judgments): one person holding the roles of two levels decides
// only one of them; the next level needs another person, and the chain shows two people.
#[test]
fn nv_9_one_person_decides_one_level() {
    for k in backends() {
        let app = App::spawn(k, "national");
        let admin = app.token("admin");
        let (st, s) = app.post(
            "/api/v1/staff",
            &admin,
            json!({"login": "wang", "name": "王双岗", "password": "Two-Levels-2026", "roles": [
                {"role": "window_head", "scope": {"window_id": app.ids.window}},
                {"role": "unit_leader", "scope": {"unit_id": app.ids.unit}}]}),
        );
        assert_eq!(st, 201, "{s}");
        let both = app.token("wang");
        let clerk = app.token("clerk");
        let id = app.new_case(&clerk, None);
        let vid = app.request_veto(&clerk, id);
        let decide = |token: &str| {
            app.post(
                &format!("/api/v1/veto-requests/{vid}/decision"),
                token,
                json!({"approve": true, "opinion": "同意"}),
            )
        };
        assert_eq!(decide(&both).0, 200);
        let (st, e) = decide(&both);
        assert_eq!((st, e["error"]["code"].as_str()), (403, Some("second_judgment")), "{e}");
        assert!(e["error"]["message"].as_str().unwrap().contains("一个层级"));
        let (_, v) = app.get(&format!("/api/v1/veto-requests/{vid}"), &clerk);
        assert_eq!(v["status"], "pending", "{v}");
        assert_eq!(decide(&app.token("leader")).0, 200);
        let (_, v) = app.get(&format!("/api/v1/veto-requests/{vid}"), &clerk);
        assert_eq!(v["status"], "approved", "{v}");
        let chain = v["chain"].as_array().unwrap();
        assert_eq!(chain.len(), 2);
        assert_ne!(chain[0]["decided_by"], chain[1]["decided_by"], "{v}");
    }
}

// Screens issue, item 3: the case page's timeline reads as sentences — who, what, when — with
// times for people, never RFC 3339, JSON or internal keys.
#[test]
fn timeline_reads_as_sentences() {
    let app = App::spawn(Kind::Sqlite, "national");
    let clerk = app.token("clerk");
    let id = app.new_case(&clerk, None);
    let (st, _) = app.post(
        &format!("/api/v1/cases/{id}/notices"),
        &clerk,
        json!({"missing": [{"material": "营业执照副本", "how_to_fix": "提供加盖公章的复印件"}]}),
    );
    assert_eq!(st, 201);
    app.post(&format!("/api/v1/cases/{id}/escalations"), &clerk, json!({"reason": "经营范围表述不明确"}));
    let (st, html) = page_get(&app, "clerk", &format!("/cases/{id}"));
    assert_eq!(st, 200);
    let start = html.find("<th>经办人</th><th>事项</th>").expect("the timeline table");
    let table = &html[start..start + html[start..].find("</table>").unwrap()];
    assert!(table.contains("2026-11-20 09:00"), "{table}");
    assert!(table.contains("出具一次性告知单：缺营业执照副本（提供加盖公章的复印件）"), "{table}");
    assert!(table.contains("向窗口负责人请示：经营范围表述不明确"), "{table}");
    for raw in ["T09:", "+08:00", "how_to_fix", "material", "{", "window_head"] {
        assert!(!table.contains(raw), "{raw} in the timeline: {table}");
    }
}

// NV-2 (no soft refusals): `withdrawn` needs the applicant's written withdrawal, confirmed by
// the window head — not by the clerk who recorded it; the confirmation, clicked 100 times at
// once, is recorded once; then the case closes as withdrawn, naming the withdrawal.
#[test]
fn nv_2_withdrawn_needs_a_confirmed_written_withdrawal() {
    for k in backends() {
        let app = App::spawn(k, "national");
        let (clerk, head) = (app.token("clerk"), app.token("head"));
        let id = app.new_case(&clerk, None);
        let close = |token: &str, body: serde_json::Value| app.post(&format!("/api/v1/cases/{id}/close"), token, body);
        let (st, e) = close(&clerk, json!({"outcome": "withdrawn", "note": "群众说不办了"}));
        assert_eq!((st, e["error"]["code"].as_str()), (409, Some("withdrawal_required")), "{e}");
        let (st, e) = app.post(&format!("/api/v1/cases/{id}/withdrawals"), &clerk, json!({"statement": "  "}));
        assert_eq!(st, 422, "{e}");
        let (st, w) = app.post(
            &format!("/api/v1/cases/{id}/withdrawals"),
            &clerk,
            json!({"statement": "本人因资金未到位，自愿撤回本次申请。"}),
        );
        assert_eq!(st, 201, "{w}");
        let wid = w["id"].as_i64().unwrap();
        // Not yet confirmed: no close.
        let (st, e) = close(&clerk, json!({"outcome": "withdrawn", "withdrawal_id": wid}));
        assert_eq!((st, e["error"]["code"].as_str()), (409, Some("withdrawal_mismatch")), "{e}");
        // The clerk cannot confirm (not a window head); the head who recorded one could not either.
        assert_eq!(app.post(&format!("/api/v1/withdrawals/{wid}/confirmation"), &clerk, json!({})).0, 403);
        // 100 confirmations at once: one is recorded.
        let codes = app.at_once(&format!("/api/v1/withdrawals/{wid}/confirmation"), &head, 100, |_| json!({}));
        assert_eq!(codes.iter().filter(|c| **c == 200).count(), 1, "{codes:?}");
        assert!(codes.iter().all(|c| *c == 200 || *c == 409), "{codes:?}");
        let (_, c) = app.get(&format!("/api/v1/cases/{id}"), &clerk);
        let confirmed: Vec<_> =
            c["timeline"].as_array().unwrap().iter().filter(|e| e["kind"] == "withdrawal_confirmed").collect();
        assert_eq!(confirmed.len(), 1, "{c}");
        // Another case's withdrawal is no way round, nor is "answered" on an application.
        let other = app.new_case(&clerk, None);
        let (st, e) = app.post(&format!("/api/v1/cases/{other}/close"), &clerk, json!({"outcome": "answered"}));
        assert_eq!((st, e["error"]["code"].as_str()), (409, Some("answered_is_for_consultations")), "{e}");
        let (st, _) = app.post(
            &format!("/api/v1/cases/{other}/close"),
            &clerk,
            json!({"outcome": "withdrawn", "withdrawal_id": wid}),
        );
        assert_eq!(st, 409);
        let (st, c) = close(&clerk, json!({"outcome": "withdrawn", "withdrawal_id": wid}));
        assert_eq!(st, 200, "{c}");
        let (_, c) = app.get(&format!("/api/v1/cases/{id}"), &clerk);
        assert_eq!(c["outcome"], "withdrawn");
        let last = c["timeline"].as_array().unwrap().last().unwrap().clone();
        assert_eq!(last["detail"]["withdrawal_id"], wid, "{last}");
        // Counted beside the vetoes on the filings page, for those who read the unit's filings.
        let (st, html) = page_get(&app, "business", "/filings?month=2026-11");
        assert_eq!(st, 200);
        let line = "<td>0</td><td>0</td><td>0</td><td>1</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td></tr>";
        assert!(html.contains("<tr><td>市场监管局</td>") && html.contains(line), "{html}");
        let (_, html) = page_get(&app, "leader2", "/filings?month=2026-11");
        assert!(!html.contains("<tr><td>市场监管局</td>"), "another unit's leader sees it: {html}");
        assert!(app.audit_ok());
    }
}

// NV-2 with WH 一(一)2: an application for something that needs no permit ends as
// `not_required` — with its legal basis, on the window head's authority; a clerk cannot.
#[test]
fn nv_2_not_required_needs_basis_and_the_window_head() {
    for k in backends() {
        let app = App::spawn(k, "national");
        let (clerk, head) = (app.token("clerk"), app.token("head"));
        let id = app.new_case(&clerk, None);
        let close = |t: &str, b: serde_json::Value| app.post(&format!("/api/v1/cases/{id}/close"), t, b);
        let basis = "《行政许可法》第十三条：公民、法人自主决定的事项可以不设行政许可";
        let (st, e) = close(&clerk, json!({"outcome": "not_required", "legal_basis": basis}));
        assert_eq!(st, 403, "{e}");
        assert!(e["error"]["message"].as_str().unwrap().contains("窗口负责人"));
        let (st, e) = close(&head, json!({"outcome": "not_required"}));
        assert_eq!((st, e["error"]["code"].as_str()), (409, Some("legal_basis_required")), "{e}");
        let (st, v) = close(&head, json!({"outcome": "not_required", "legal_basis": basis}));
        assert_eq!(st, 200, "{v}");
        let (_, c) = app.get(&format!("/api/v1/cases/{id}"), &clerk);
        assert_eq!(c["outcome"], "not_required");
        assert_eq!(c["timeline"].as_array().unwrap().last().unwrap()["detail"]["legal_basis"], basis);
    }
}

// Screens issue, item 1: the case page says which level decides now, shows each earlier decision
// with its opinion, and what to do once approved; an answered escalation prompts the reply.
#[test]
fn case_page_says_where_the_matter_stands() {
    let app = App::spawn(Kind::Sqlite, "national");
    let clerk = app.token("clerk");
    let id = app.new_case(&clerk, None);
    let vid = app.request_veto(&clerk, id);
    let decide = |who: &str, opinion: &str| app.decide(who, vid, true, opinion);
    assert_eq!(decide("head", "经核实确不符合条件").0, 200);
    let (_, html) = page_get(&app, "clerk", &format!("/cases/{id}"));
    assert!(html.contains("窗口负责人 head 同意：经核实确不符合条件"), "{html}");
    assert!(html.contains("现由分管领导审批"));
    assert!(!html.contains("已批准否决"));
    assert_eq!(decide("leader", "同意").0, 200);
    let (_, html) = page_get(&app, "clerk", &format!("/cases/{id}"));
    assert!(html.contains("已批准否决，请办结并出具不予受理通知书"));
    // An answered escalation asks the clerk to reply to the applicant.
    let id2 = app.new_case(&clerk, None);
    let (_, e) = app.post(&format!("/api/v1/cases/{id2}/escalations"), &clerk, json!({"reason": "政策不明"}));
    let eid = e["id"].as_i64().unwrap();
    let (_, html) = page_get(&app, "clerk", &format!("/cases/{id2}"));
    assert!(!html.contains("请示已答复，请答复群众"));
    assert_eq!(
        app.post(&format!("/api/v1/escalations/{eid}/answer"), &app.token("head"), json!({"answer": "可以受理"})).0,
        200
    );
    let (_, html) = page_get(&app, "clerk", &format!("/cases/{id2}"));
    assert!(html.contains("请示已答复，请答复群众"), "{html}");
    // Issue 31 (being told): the answer itself stands at the top of the case, before the case's
    // own card, and the clerk was told through the outbox.
    let top = html.find("请示已答复，请答复群众").unwrap();
    assert!(html[top..].contains("可以受理") && top < html.find("<h1").unwrap_or(usize::MAX), "{html}");
    let told = app.messages_to("clerk").iter().filter(|m| m.2 == format!("escalation:{eid}:answered")).count();
    assert_eq!(told, 1);
}

// Screens issue, item 1 (NV-9): approving a veto needs a written opinion like a denial, and on
// the page a confirmation; the opinion stands in the chain.
#[test]
fn nv_9_approval_needs_an_opinion_and_a_confirmation() {
    let app = App::spawn(Kind::Sqlite, "national");
    let clerk = app.token("clerk");
    let id = app.new_case(&clerk, None);
    let vid = app.request_veto(&clerk, id);
    let (st, e) =
        app.post(&format!("/api/v1/veto-requests/{vid}/decision"), &app.token("head"), json!({"approve": true}));
    assert_eq!((st, e["error"]["code"].as_str()), (422, Some("opinion_required")), "{e}");
    let path = format!("/veto-requests/{vid}/decide");
    let (st, html) = page_post(&app, "head", &path, &[("approve", "1"), ("opinion", "情况属实")]);
    assert_eq!(st, 422, "no confirmation: {html}");
    assert!(html.contains("请勾选确认"));
    let (st, _) = page_post(&app, "head", &path, &[("approve", "1"), ("opinion", "情况属实"), ("confirm", "1")]);
    assert!(st == 303 || st == 200, "{st}");
    let (_, v) = app.get(&format!("/api/v1/veto-requests/{vid}"), &clerk);
    assert_eq!(v["chain"][0]["opinion"], "情况属实", "{v}");
    // The printed filing form shows the level's opinion, the decider's name and the date.
    let (st, html) = page_get(&app, "clerk", &format!("/api/v1/cases/{id}/documents/veto-filing-form.html"));
    assert_eq!(st, 200);
    assert!(html.contains("同意否决：情况属实（head 2026年11月20日）"), "{html}");
}

// Screens issue, item 1: a veto requested by the only holder of the deciding level (a window
// head filing on their own window) is decided by the level above in its place (代行) — never
// fewer judgments than the policy names, shown in the chain; while another holder exists, the
// level above may not step in.
#[test]
fn nv_9_level_above_decides_on_behalf() {
    for k in backends() {
        let app = App::spawn(k, "national");
        let head = app.token("head");
        let id = app.new_case(&head, None);
        let vid = app.request_veto(&head, id);
        let decide = |who: &str| app.decide(who, vid, true, "同意");
        assert_eq!(decide("head").0, 403, "the requester never decides");
        // The approver's inbox uses the decision's own rule: the 代行 request waits there, marked.
        let form = format!("/veto-requests/{vid}/decide");
        let (_, inbox) = page_get(&app, "leader", "/inbox");
        assert!(inbox.contains(&form) && inbox.contains("（代行）"), "{inbox}");
        let (_, inbox) = page_get(&app, "head", "/inbox");
        assert!(!inbox.contains(&form), "not in the requester's inbox");
        assert_eq!(decide("leader").0, 200, "the leader in charge decides the window head's level in its place");
        let (_, inbox) = page_get(&app, "chief", "/inbox");
        assert!(inbox.contains(&form), "{inbox}");
        let (_, inbox) = page_get(&app, "leader", "/inbox");
        assert!(!inbox.contains(&form), "decided once, gone from the leader's inbox");
        let (st, e) = decide("leader");
        assert_eq!((st, e["error"]["code"].as_str()), (403, Some("second_judgment")), "{e}");
        assert_eq!(decide("chief").0, 200, "the unit head decides the leader's level in its place");
        let (_, v) = app.get(&format!("/api/v1/veto-requests/{vid}"), &head);
        assert_eq!(v["status"], "approved", "{v}");
        let chain = v["chain"].as_array().unwrap();
        assert_eq!(chain.len(), 2);
        assert!(chain.iter().all(|d| d["on_behalf"] == true), "{v}");
        let (_, html) = page_get(&app, "head", &format!("/cases/{id}"));
        assert!(html.contains("leader（代行） 同意"), "{html}");
        // With another window head at the window, the leader may not step in.
        let admin = app.token("admin");
        let (st, s) = app.post(
            "/api/v1/staff",
            &admin,
            json!({"login": "head_b", "name": "副负责人", "password": PW, "roles": [{"role": "window_head", "scope": {"window_id": app.ids.window}}]}),
        );
        assert_eq!(st, 201, "{s}");
        let id2 = app.new_case(&head, None);
        let (_, vr) =
            app.post(&format!("/api/v1/cases/{id2}/veto-requests"), &head, json!({"reason": "r", "legal_basis": "b"}));
        let vid2 = vr["id"].as_i64().unwrap();
        let (st, e) = app.post(
            &format!("/api/v1/veto-requests/{vid2}/decision"),
            &app.token("leader"),
            json!({"approve": true, "opinion": "同意"}),
        );
        assert_eq!(st, 403, "{e}");
        assert!(e["error"]["message"].as_str().unwrap().contains("其他审批人"), "{e}");
        assert_eq!(
            app.post(
                &format!("/api/v1/veto-requests/{vid2}/decision"),
                &app.token("head_b"),
                json!({"approve": true, "opinion": "同意"})
            )
            .0,
            200
        );
    }
}

// Screens issue, item 4: the referral form picks the receiving unit and window from lists by
// name (no number to type); a window of another unit than the one picked is refused.
#[test]
fn referral_form_picks_units_and_windows_by_name() {
    let app = App::spawn(Kind::Sqlite, "national");
    let clerk = app.token("clerk");
    let id = app.new_case(&clerk, None);
    let (st, html) = page_get(&app, "clerk", &format!("/cases/{id}"));
    assert_eq!(st, 200);
    assert!(html.contains(&format!("<option value=\"{}\">人社局</option>", app.ids.unit2)), "{html}");
    assert!(html.contains(&format!("<option value=\"{}\">人社局 · 社保窗口</option>", app.ids.window2)));
    assert!(!html.contains("接收单位编号"));
    let (st, e) = app.post(
        &format!("/api/v1/cases/{id}/referral"),
        &clerk,
        json!({"to_unit_id": app.ids.unit2, "to_window_id": app.ids.window, "address": "二楼", "contact": "电话", "how": "带证件", "handoff": true}),
    );
    assert_eq!((st, e["error"]["code"].as_str()), (422, Some("window_not_in_unit")), "{e}");
    let unit2 = app.ids.unit2.to_string();
    let window2 = app.ids.window2.to_string();
    let (st, _) = page_post(
        &app,
        "clerk",
        &format!("/cases/{id}/act/referral"),
        &[
            ("address", "二楼社保窗口"),
            ("contact", "0719-2"),
            ("how", "带身份证"),
            ("handoff", "1"),
            ("to_unit_id", &unit2),
            ("to_window_id", &window2),
        ],
    );
    assert!(st == 303 || st == 200, "{st}");
    let (_, c) = app.get(&format!("/api/v1/cases/{id}"), &clerk);
    assert_eq!(c["referral"]["to_window_id"], app.ids.window2, "{c}");
}

// Screens issue, item 4: a failed form comes back open, with what was typed and the message
// inside it — the veto form used to lose the reason when the legal basis was missing.
#[test]
fn a_failed_form_keeps_what_was_typed() {
    let app = App::spawn(Kind::Sqlite, "national");
    let id = app.new_case(&app.token("clerk"), None);
    let reason = "申请人<不具备>经营场所";
    let (st, html) =
        page_post(&app, "clerk", &format!("/cases/{id}/act/veto"), &[("reason", reason), ("legal_basis", " ")]);
    assert_eq!(st, 422, "{html}");
    let start = html.find("<details open><summary>申请否决（须报批）</summary>").expect("the veto form, open");
    let form = &html[start..start + html[start..].find("</details>").unwrap()];
    assert!(form.contains("请填写法律依据"), "{form}");
    assert!(form.contains("申请人&lt;不具备&gt;经营场所</textarea>"), "the reason kept, escaped: {form}");
    // Other forms stay closed and empty.
    assert!(!html.contains("<details open><summary>请示"), "{html}");
}

// NV-1 on the workbench form (issue 12, item 4): a wrong phone number is told beside the phone
// field in Chinese, never as a field key, and what was typed stays.
#[test]
fn nv_1_new_case_form_error_beside_its_field() {
    let app = App::spawn(Kind::Sqlite, "national");
    let (st, html) = page_post(
        &app,
        "clerk",
        "/cases",
        &[
            ("kind", "application"),
            ("channel", "window"),
            ("name", "张三"),
            ("phone", "12345"),
            ("request", "办理营业执照"),
        ],
    );
    assert_eq!(st, 422, "{html}");
    assert!(!html.contains("[phone]"), "no field key");
    let after_phone = html.split("name=\"phone\"").nth(1).expect("the phone field");
    let tag_end = after_phone.find('>').unwrap();
    assert!(after_phone[..tag_end].contains("value=\"12345\""), "input kept");
    assert!(
        after_phone[tag_end + 1..].starts_with("<span class=\"err\" role=\"alert\">"),
        "{}",
        &after_phone[..300.min(after_phone.len())]
    );
    assert!(html.contains("value=\"张三\"") && html.contains(">办理营业执照</textarea>"));
}

// NV-8, screens 6: the inbox is a list like the others — the API and the page show the same
// entries, oldest due first, filtered by words and exported; another unit's leader sees none.
#[test]
fn screens_6_inbox_filtered_and_exported() {
    for k in backends() {
        let app = App::spawn(k, "national");
        let clerk = app.token("clerk");
        let a = app.new_case(&clerk, None);
        let b = app.new_case(&clerk, None);
        for (id, reason) in [(a, "不属于行政许可范围"), (b, "申请人不具备主体资格")] {
            let body = json!({"reason": reason, "legal_basis": "《行政许可法》"});
            assert_eq!(app.post(&format!("/api/v1/cases/{id}/veto-requests"), &clerk, body).0, 201);
        }
        app.post(&format!("/api/v1/cases/{a}/escalations"), &clerk, json!({"reason": "政策不明"}));
        let head = app.token("head");
        let (st, v) = app.get("/api/v1/inbox", &head);
        assert_eq!(st, 200, "{v}");
        let items = v["items"].as_array().unwrap();
        assert_eq!(items.len(), 2, "two vetoes at the window head's level: {v}");
        let (_, v) = app.get(&format!("/api/v1/inbox?q={}", url("主体资格")), &head);
        let items = v["items"].as_array().unwrap();
        assert_eq!((items.len(), items[0]["case_id"].as_i64()), (1, Some(b)), "{v}");
        let csv = String::from_utf8(app.download("/api/v1/inbox?format=csv", &head).1).unwrap();
        assert!(csv.contains("类别,受理编号,申请人") && csv.contains("主体资格") && csv.contains("否决报批"), "{csv}");
        assert!(!csv.contains("T23:59"), "days, not RFC 3339 (issue 31, item 7): {csv}");
        assert_eq!(app.get("/api/v1/inbox?format=doc", &head).0, 422);
        // The page with the same filter shows only that one.
        let page = page_get(&app, "head", &format!("/inbox?q={}", url("主体资格"))).1;
        assert!(page.contains("申请人不具备主体资格") && !page.contains("不属于行政许可范围"), "{page}");
        assert!(page.contains("format=xlsx"), "export link");
        // A page past the end shows the last one.
        let (st, page) = page_get(&app, "head", "/inbox?page=9");
        assert!(st == 200 && page.contains("申请人不具备主体资格"), "{page}");
        let (st, page) = page_get(&app, "business", "/filings?month=2026-11&page=9");
        assert!(st == 200 && page.contains("申请人不具备主体资格"), "{page}");
        let (_, v) = app.get("/api/v1/inbox", &app.token("leader2"));
        assert!(v["items"].as_array().unwrap().is_empty(), "{v}");
    }
}

fn url(s: &str) -> String {
    s.bytes().map(|b| format!("%{b:02X}")).collect()
}

// NV-8, screens 6: an approver's inbox is read whole, whatever waits elsewhere. With 501
// veto requests pending at one window, the head of another window still sees the one filed at
// theirs (the inbox used to read the first 500 pending requests of the whole system and then
// keep the caller's), and the first window's head sees all 501.
#[test]
fn nv_8_inbox_read_whole_however_much_waits_elsewhere() {
    for k in backends() {
        let app = App::spawn(k, "national");
        let clerk = app.token("clerk");
        std::thread::scope(|sc| {
            for _ in 0..8 {
                sc.spawn(|| {
                    for _ in 0..(501 / 8 + 1) {
                        let id = app.new_case(&clerk, None);
                        app.request_veto(&clerk, id);
                    }
                });
            }
        });
        let theirs = app.new_case(&app.token("clerk2"), None);
        app.request_veto(&app.token("clerk2"), theirs);
        let (_, v) = app.get("/api/v1/inbox", &app.token("head2"));
        let items = v["items"].as_array().unwrap();
        assert_eq!((items.len(), items[0]["case_id"].as_i64()), (1, Some(theirs)), "{v}");
        let (_, v) = app.get("/api/v1/inbox", &app.token("head"));
        assert_eq!(v["items"].as_array().unwrap().len(), 8 * (501 / 8 + 1));
    }
}

// NV-3: a warm handoff stays on the receiving window's workbench until acknowledged, however
// many referrals follow it (the workbench used to read the newest 500 referrals of the whole
// system, handoff or not, and a handoff older than those vanished).
#[test]
fn nv_3_an_unacknowledged_handoff_is_never_crowded_out() {
    for k in backends() {
        let app = App::spawn(k, "national");
        let clerk = app.token("clerk");
        let refer = |id: i64, handoff: bool| {
            let body = json!({"to_unit_id": app.ids.unit2, "address": "社保窗口", "contact": "电话", "how": "带身份证", "handoff": handoff});
            let (st, v) = app.post(&format!("/api/v1/cases/{id}/referral"), &clerk, body);
            assert_eq!(st, 200, "{v}");
        };
        let first = app.new_case(&clerk, None);
        refer(first, true);
        std::thread::scope(|sc| {
            for _ in 0..8 {
                sc.spawn(|| {
                    for _ in 0..(501 / 8 + 1) {
                        refer(app.new_case(&clerk, None), false);
                    }
                });
            }
        });
        let home = crate::cases::page_get(&app, "clerk2", "/").1;
        assert!(home.contains(&format!("/cases/{first}/acknowledge")), "the handoff is still there");
    }
}

// Issue 25, defects found that week — each on both stores:
// - NV-9: a unit cannot file a month that has not begun (it would block the real filing);
// - ORG-3: the liaison table takes only the unit's own people;
// - NV-17: a case whose veto every level approved no longer reads "veto pending";
// - ORG-4: while B covers A, B's own list holds A's open cases, each marked as A's;
// - CAL-1: the API shows a year without a notice as `due` answers it, provisionally.
#[test]
fn issue_25_defects_each_with_a_test() {
    for k in backends() {
        let app = App::spawn(k, "national");
        let (clerk, admin) = (app.token("clerk"), app.token("admin"));
        // Future months.
        let (st, e) = app.post(
            "/api/v1/filings/monthly",
            &app.token("leader"),
            json!({"unit_id": app.ids.unit, "month": "2027-03"}),
        );
        assert_eq!((st, e["error"]["code"].as_str()), (422, Some("future_month")), "{e}");
        let (st, f) = app.post(
            "/api/v1/filings/monthly",
            &app.token("leader"),
            json!({"unit_id": app.ids.unit, "month": "2026-10"}),
        );
        assert_eq!(st, 201, "{f}");
        // The liaison table: another unit's leader or clerk is refused.
        let url = format!("/api/v1/units/{}/liaison", app.ids.unit);
        let body = json!({"leader_id": app.staff_id("leader2"), "contact_id": app.staff_id("clerk")});
        let (st, e) = app.call("PUT", &url, Some(&admin), Some(body));
        assert_eq!(
            (st, e["error"]["code"].as_str(), e["error"]["field"].as_str()),
            (422, Some("not_of_unit"), Some("leader_id")),
            "{e}"
        );
        let body = json!({"leader_id": app.staff_id("leader"), "contact_id": app.staff_id("clerk2")});
        let (st, e) = app.call("PUT", &url, Some(&admin), Some(body));
        assert_eq!((st, e["error"]["field"].as_str()), (422, Some("contact_id")), "{e}");
        let body = json!({"leader_id": app.staff_id("leader"), "contact_id": app.staff_id("clerk")});
        assert_eq!(app.call("PUT", &url, Some(&admin), Some(body)).0, 200);
        // An approved veto: the case says so.
        let id = app.new_case(&clerk, None);
        let vid = app.request_veto(&clerk, id);
        assert_eq!(app.decide("head", vid, true, "同意").0, 200);
        assert_eq!(status(&app, &clerk, id)["status"], "veto_pending", "one level of two");
        assert_eq!(app.decide("leader", vid, true, "同意").0, 200);
        let c = status(&app, &clerk, id);
        assert_eq!((c["status"].as_str(), c["veto_status"].as_str()), (Some("veto_approved"), Some("approved")), "{c}");
        let body = json!({"outcome": "vetoed", "veto_request_id": vid});
        assert_eq!(app.post(&format!("/api/v1/cases/{id}/close"), &clerk, body).0, 200);
        assert_eq!(status(&app, &clerk, id)["ending"], "vetoed");
        // B covers A: A's open case is on B's list, marked as A's.
        let (a, b) = (app.staff_id("clerk"), app.staff_id("clerk_b"));
        let posts = json!({"primary_id": a, "backup_id": b});
        assert_eq!(
            app.call("PUT", &format!("/api/v1/windows/{}/posts", app.ids.window), Some(&admin), Some(posts)).0,
            200
        );
        let a_case = app.new_case(&clerk, None);
        let mine = |tok: &str| app.get("/api/v1/cases?mine=true", tok).1["cases"].as_array().unwrap().clone();
        assert!(mine(&app.token("clerk_b")).iter().all(|c| c["id"] != a_case), "A is present: not B's");
        let absent = json!({"absent": true});
        assert_eq!(
            app.call(
                "PUT",
                &format!("/api/v1/windows/{}/absence", app.ids.window),
                Some(&app.token("head")),
                Some(absent)
            )
            .0,
            200
        );
        let list = mine(&app.token("clerk_b"));
        let row = list.iter().find(|c| c["id"] == a_case).unwrap_or_else(|| panic!("A's case on B's list: {list:?}"));
        assert_eq!(row["first_contact_id"], a);
        let (_, html) = page_get(&app, "clerk_b", "/");
        assert!(html.contains("（代A岗 clerk）"), "marked as A's: {html}");
        // The provisional year, as `due` counts it.
        let (st, y) = app.get("/api/v1/calendar/years/2027", &clerk);
        assert_eq!((st, y["provisional"].as_bool()), (200, Some(true)), "{y}");
        assert!(y["weekday_holidays"].as_array().unwrap().iter().any(|d| d == "2027-02-09"), "{y}");
    }
}

// NV-17, PUB-1 (issue 25): GET /api/v1/public/follow tells the person how their matter ended —
// the withdrawal they made and its confirmation, the legal basis of "no permit needed", the
// answer to their question; a refusal with reason, basis, remedies and the desk to turn to;
// an open application's promised date.
#[test]
fn nv_17_follow_reads_every_ending() {
    for k in backends() {
        let app = App::spawn(k, "national");
        let (clerk, head) = (app.token("clerk"), app.token("head"));
        let follow = |id: i64| {
            let r = status(&app, &clerk, id)["receipt_no"].as_str().unwrap().to_string();
            let (st, v) =
                app.call("GET", &format!("/api/v1/public/follow?receipt_no={r}&phone=13812345678"), None, None);
            assert_eq!(st, 200, "{v}");
            v
        };
        let w = app.new_case(&clerk, None);
        let (_, wd) = app.post(
            &format!("/api/v1/cases/{w}/withdrawals"),
            &clerk,
            json!({"statement": "资金未到位，本人自愿撤回。"}),
        );
        let wid = wd["id"].as_i64().unwrap();
        app.post(&format!("/api/v1/withdrawals/{wid}/confirmation"), &head, json!({}));
        app.post(&format!("/api/v1/cases/{w}/close"), &clerk, json!({"outcome": "withdrawn", "withdrawal_id": wid}));
        let v = follow(w);
        assert_eq!(v["outcome"]["ending"], "withdrawn", "{v}");
        assert!(v["outcome"]["text"].as_str().unwrap().contains("资金未到位"), "{v}");
        let n = app.new_case(&clerk, None);
        let body = json!({"outcome": "not_required", "legal_basis": "《行政许可法》第十三条"});
        app.post(&format!("/api/v1/cases/{n}/close"), &head, body);
        let v = follow(n);
        assert_eq!(
            (v["outcome"]["ending"].as_str(), v["outcome"]["legal_basis"].as_str()),
            (Some("not_required"), Some("《行政许可法》第十三条")),
            "{v}"
        );
        let (_, c) = app.post(
            "/api/v1/cases",
            &clerk,
            json!({"kind": "consultation", "channel": "phone", "applicant": {"name": "王五", "phone": "13812345678"}, "request": "要带什么"}),
        );
        let a = c["id"].as_i64().unwrap();
        app.post(
            &format!("/api/v1/cases/{a}/close"),
            &clerk,
            json!({"outcome": "answered", "note": "带身份证原件即可，可网上预约"}),
        );
        let v = follow(a);
        assert_eq!(v["outcome"]["text"], "带身份证原件即可，可网上预约", "{v}");
        let vetoed = app.new_case(&clerk, None);
        let vid = app.request_veto(&clerk, vetoed);
        app.decide("head", vid, true, "同意");
        app.decide("leader", vid, true, "同意");
        app.post(
            &format!("/api/v1/cases/{vetoed}/close"),
            &clerk,
            json!({"outcome": "vetoed", "veto_request_id": vid}),
        );
        let v = follow(vetoed);
        let o = &v["outcome"];
        assert_eq!((o["title"].as_str(), o["reason"].as_str()), (Some("不予受理"), Some("不符合条件")), "{v}");
        assert_eq!(o["remedies"]["review_days"], 60);
        assert!(o["report"].as_str().unwrap().starts_with("/report?receipt_no=NV"), "{v}");
        assert!(
            v["steps"].as_array().unwrap().iter().any(|s| s["what"] == "不予受理"),
            "the last step names the refusal: {v}"
        );
        crate::cases::add_item(&app, "F-1", false, false);
        let open = app.new_case(&clerk, Some("F-1"));
        app.post(&format!("/api/v1/cases/{open}/accept"), &clerk, json!({}));
        let v = follow(open);
        assert_eq!((v["promised"].as_str(), v["outcome"].is_null()), (Some("2026-11-25"), true), "{v}");
        assert_eq!(v["supervision_phone"], "0719-1");
    }
}

// Issue 31 (CONTRACT "Applicants' identity documents"): the 居民身份证 and the 统一社会信用代码
// sent with a case are kept, shown in full to those working the matter and masked for other
// readers, on the API and the case page; a case is found by the full number; another document
// type is taken with its own check; a wrong number is refused beside its field and changes
// nothing — on both stores.
#[test]
fn identity_documents_kept_masked_and_found() {
    for kind in backends() {
        let app = App::spawn(kind, "national");
        let clerk = app.token("clerk");
        let (st, v) = app.post(
            "/api/v1/cases",
            &clerk,
            json!({"kind": "application", "channel": "window", "applicant": {"name": "李四", "phone": "13812340001",
                   "id_card": "11010519491231002x", "org": "某某餐饮有限公司", "credit_code": "91350100M000100Y43"},
                   "request": "开办餐饮店"}),
        );
        assert_eq!(st, 201, "{v}");
        let id = v["id"].as_i64().unwrap();
        for (who, full) in [("clerk", true), ("supervision", true), ("leader", false), ("business", false)] {
            let (st, c) = app.get(&format!("/api/v1/cases/{id}"), &app.token(who));
            assert_eq!(st, 200, "{who}: {c}");
            let (idc, cc) =
                (c["applicant"]["id_card"].as_str().unwrap(), c["applicant"]["credit_code"].as_str().unwrap());
            if full {
                assert_eq!((idc, cc), ("11010519491231002X", "91350100M000100Y43"), "{who}");
            } else {
                assert_eq!((idc, cc), ("110105********002X", "913501********0Y43"), "{who}");
            }
            assert_eq!(c["applicant"]["id_doc"]["kind_label"], "居民身份证");
            let (_, html) = page_get(&app, who, &format!("/cases/{id}"));
            assert_eq!(html.contains("11010519491231002X"), full, "{who} on the case page");
            assert!(html.contains("居民身份证"), "{who}");
        }
        // Found by the full number (either case of the check letter), and by the credit code.
        for q in ["11010519491231002X", "11010519491231002x", "91350100M000100Y43"] {
            let (st, hits) = app.get(&format!("/api/v1/cases?q={q}"), &clerk);
            assert_eq!(st, 200);
            assert!(hits["cases"].as_array().unwrap().iter().any(|h| h["id"] == id), "{q}: {hits}");
        }
        let (_, none) = app.get("/api/v1/cases?q=110105194912310", &clerk);
        assert!(!none["cases"].as_array().unwrap().iter().any(|h| h["id"] == id), "a part of the number finds nothing");
        // Another document type, with its own check.
        let body = |t: &str, n: &str| {
            json!({"kind": "application", "channel": "window", "applicant": {"name": "陈五", "phone": "13812340002",
                   "id_type": t, "id_number": n}, "request": "办理居住登记"})
        };
        let (st, v) = app.post("/api/v1/cases", &clerk, body("hk_macao_permit", "H12345678"));
        assert_eq!(st, 201, "{v}");
        let (st, c) = app.get(&format!("/api/v1/cases/{}", v["id"]), &clerk);
        assert_eq!((st, c["applicant"]["id_doc"]["kind"].as_str()), (200, Some("hk_macao_permit")));
        let count = || {
            let (st, l) = app.get("/api/v1/cases?mine=true&limit=100", &clerk);
            l["cases"].as_array().unwrap_or_else(|| panic!("{st} {l}")).len()
        };
        let before = count();
        for (t, n, code, field) in [
            ("hk_macao_permit", "X12345678", "invalid_id_number", "applicant.id_number"),
            ("id_card", "110105194912310021", "invalid_id_number", "applicant.id_number"),
            ("driving_licence", "123456789", "invalid_id_type", "applicant.id_type"),
        ] {
            let (st, e) = app.post("/api/v1/cases", &clerk, body(t, n));
            assert_eq!(
                (st, e["error"]["code"].as_str(), e["error"]["field"].as_str()),
                (422, Some(code), Some(field)),
                "{e}"
            );
        }
        assert_eq!(count(), before, "a refused number changes nothing");
        // The registration page takes 证件类型 and 证件号码; a wrong number comes back beside its
        // field with what was typed kept.
        let (st, html) = page_post(
            &app,
            "clerk",
            "/cases",
            &[
                ("kind", "application"),
                ("channel", "window"),
                ("name", "赵六"),
                ("phone", "13812340003"),
                ("id_type", "id_card"),
                ("id_number", "110105194912310021"),
                ("request", "办理食品经营许可"),
            ],
        );
        assert_eq!(st, 422, "{html}");
        assert!(html.contains("证件号码不正确") && html.contains("value=\"110105194912310021\""), "{html}");
        let (st, _) = page_post(
            &app,
            "clerk",
            "/cases",
            &[
                ("kind", "application"),
                ("channel", "window"),
                ("name", "赵六"),
                ("phone", "13812340003"),
                ("id_type", "id_card"),
                ("id_number", "11010519491231002X"),
                ("request", "办理食品经营许可"),
            ],
        );
        assert_eq!(st, 303);
        let (_, hits) = app.get("/api/v1/cases?q=11010519491231002X", &clerk);
        assert_eq!(hits["cases"].as_array().unwrap().len(), 2, "{hits}");
        assert!(app.audit_ok());
    }
}

// Issue 31, item 1 (queues with counts): the clerk's workbench opens on views with counts —
// 我的待办, 今日到期, 已超期, 待补正, 已登记未受理, 已受理未办结 — each view lists only its own
// matters, and every row has its registration day with the year and how long it has waited in
// working days (a matter registered and never accepted no longer shows a bare "—").
#[test]
fn queues_with_counts_on_the_workbench() {
    let app = App::spawn(Kind::Sqlite, "national");
    let clerk = app.token("clerk");
    let registered = app.new_case(&clerk, None);
    let notified = app.new_case(&clerk, None);
    let (st, _) = app.post(
        &format!("/api/v1/cases/{notified}/notices"),
        &clerk,
        json!({"missing": [{"material": "营业执照副本", "how_to_fix": "提供加盖公章的复印件"}]}),
    );
    assert_eq!(st, 201);
    let accepted = app.new_case(&clerk, None);
    assert_eq!(app.post(&format!("/api/v1/cases/{accepted}/accept"), &clerk, json!({})).0, 200);
    let count = |html: &str, label: &str| -> usize {
        let i = html.find(&format!("{label} (")).unwrap_or_else(|| panic!("{label} missing: {html}"));
        html[i + label.len() + 2..].split(')').next().unwrap().parse().unwrap()
    };
    let (st, home) = page_get(&app, "clerk", "/");
    assert_eq!(st, 200);
    for (label, n) in [("我的待办", 3), ("已登记未受理", 1), ("待补正", 1), ("已受理未办结", 1), ("已超期", 0)]
    {
        assert_eq!(count(&home, label), n, "{label}");
    }
    assert!(home.contains("2026年11月20日") && home.contains("当天"), "the registration day and the wait");
    let (_, view) = page_get(&app, "clerk", "/?view=supplement");
    assert!(view.contains(&format!("/cases/{notified}\"")), "{view}");
    assert!(!view.contains(&format!("/cases/{registered}\"")) && !view.contains(&format!("/cases/{accepted}\"")));
    // Three working days later (a weekend between): the wait counts working days.
    app.set_now("2026-11-25T09:00:00+08:00");
    let (_, later) = page_get(&app, "clerk", "/?view=registered");
    assert!(later.contains(&format!("/cases/{registered}\"")) && later.contains("3 个工作日"), "{later}");
    let (st, _) = page_get(&app, "clerk", "/?view=nonsense");
    assert_eq!(st, 200, "an unknown view shows all of them");
    // The same views on the API, for lists and exports.
    let (st, v) = app.get("/api/v1/cases?mine=true&view=supplement", &clerk);
    assert_eq!(st, 200);
    let ids: Vec<i64> = v["cases"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, [notified]);
    let (st, e) = app.get("/api/v1/cases?mine=true&view=nonsense", &clerk);
    assert_eq!((st, e["error"]["code"].as_str()), (422, Some("invalid_view")), "{e}");
}

// Issue 27, NV-1, issue 31: a view's count is exact up to 200 and "200+" past it — never a
// count that looks exact and is not; each view lists its own matters, earliest due first, 50 a
// page, so a view whose matters lie past the first 200 by due day still shows them; on both
// stores.
#[test]
fn nv_1_workbench_counts_say_at_least_past_the_cap() {
    for kind in backends() {
        let app = App::spawn(kind, "national");
        let clerk = app.token("clerk");
        let mut last = 0;
        for _ in 0..200 {
            last = app.new_case(&clerk, None);
        }
        let (_, home) = page_get(&app, "clerk", "/");
        assert!(home.contains("我的待办 (200)") && !home.contains("最早到期的 200 件"), "at the cap, exact: {home}");
        // The newest matter accepted: it lies past the first 200 by due day, and its view
        // still finds it (the views were once taken from the first 200 and said "0+").
        let newest = app.new_case(&clerk, None);
        assert_eq!(app.post(&format!("/api/v1/cases/{newest}/accept"), &clerk, json!({})).0, 200);
        let (st, home) = page_get(&app, "clerk", "/");
        assert_eq!(st, 200);
        assert!(home.contains("我的待办 (200+)") && home.contains("已登记未受理 (200)"), "{home}");
        assert!(home.contains("已受理未办结 (1)"), "{home}");
        assert!(home.contains("此视图办件超过 200 件"), "{home}");
        // A page lists 50, earliest due first, and pages on to the rest.
        assert!(home.contains("第 1–50 件") && home.contains("/?view=mine&amp;page=2"), "{home}");
        assert!(!home.contains("上一页"), "{home}");
        let (_, p5) = page_get(&app, "clerk", "/?view=mine&page=5");
        assert!(p5.contains("第 201–201 件") && p5.contains("上一页") && !p5.contains("下一页"), "{p5}");
        let (st, far) = page_get(&app, "clerk", "/?view=mine&page=999999999");
        assert_eq!(st, 200, "a page past the last is answered, not an error");
        assert!(far.contains("这一页之后没有更多办件了") && far.contains("回到第一页"), "{far}");
        for bad in ["abc", "-1", "0", "99999999999999999999999"] {
            let (st, first) = page_get(&app, "clerk", &format!("/?view=mine&page={bad}"));
            assert_eq!(st, 200, "a mistyped page shows the first: {bad}");
            assert!(first.contains("第 1–50 件"), "{bad}: {first}");
        }
        let (_, view) = page_get(&app, "clerk", "/?view=in_progress");
        let receipt = app.get(&format!("/api/v1/cases/{newest}"), &clerk).1["receipt_no"].as_str().unwrap().to_string();
        assert!(view.contains(&receipt) && !view.contains("此视图办件超过"), "{view}");
        // The API reads the view as the view, paged.
        let (_, v) = app.get("/api/v1/cases?mine=true&view=in_progress", &clerk);
        assert_eq!(v["cases"].as_array().unwrap().len(), 1, "{v}");
        assert_eq!(v["cases"][0]["id"], newest);
        let (_, v) = app.get("/api/v1/cases?mine=true&view=registered&limit=5&offset=198", &clerk);
        let ids: Vec<i64> = v["cases"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect();
        assert_eq!(ids.len(), 2, "{v}");
        assert!(!ids.contains(&newest) && ids.contains(&last), "{ids:?}");
    }
}

// Issue 31, item 2 (being told), NV-2: a withdrawal the clerk records reaches the window head —
// a message through the outbox, a count on the home page, a card in the inbox with its confirm
// button; after confirming there the head is back at the inbox, told what happened, and the
// clerk is told the case can now close as withdrawn.
#[test]
fn a_withdrawal_reaches_the_head_and_the_answer_reaches_the_clerk() {
    let app = App::spawn(Kind::Sqlite, "national");
    let clerk = app.token("clerk");
    let id = app.new_case(&clerk, None);
    let (st, w) =
        app.post(&format!("/api/v1/cases/{id}/withdrawals"), &clerk, json!({"statement": "本人自愿撤回申请。"}));
    assert_eq!(st, 201, "{w}");
    let wid = w["id"].as_i64().unwrap();
    assert!(app.messages_to("head").iter().any(|m| m.0.starts_with("撤回申请待确认")), "the head is told");
    let (_, home) = page_get(&app, "head", "/");
    assert!(home.contains("撤回申请待确认 1 件"), "{home}");
    let (_, inbox) = page_get(&app, "head", "/inbox");
    assert!(inbox.contains("本人自愿撤回申请。") && inbox.contains("确认撤回"), "{inbox}");
    // Inbox cards name the clerk who asked (here: an escalation by the clerk).
    let other = app.new_case(&clerk, None);
    assert_eq!(app.post(&format!("/api/v1/cases/{other}/escalations"), &clerk, json!({"reason": "政策不明"})).0, 201);
    let (_, inbox) = page_get(&app, "head", "/inbox");
    assert!(inbox.contains("请示人：</b>clerk"), "{inbox}");
    // The clerk who recorded it does not confirm it: it is not in their queue.
    let (_, theirs) = page_get(&app, "clerk", "/inbox");
    assert!(!theirs.contains("本人自愿撤回申请。"));
    let (st, html) = page_post(
        &app,
        "head",
        &format!("/cases/{id}/act/confirm_withdrawal"),
        &[("withdrawal_id", &wid.to_string()), ("back", "inbox")],
    );
    assert_eq!(st, 303, "{html}");
    let (_, after) = page_get(&app, "head", &format!("/inbox?done={id}"));
    assert!(after.contains("已处理：") && !after.contains("本人自愿撤回申请。"), "{after}");
    assert!(app.messages_to("clerk").iter().any(|m| m.0.starts_with("撤回申请已确认")), "the clerk is told");
    assert!(app.audit_ok());
}

// NV-12 (issue 32, item 1): the desk pre-screens — ticks what the person brought against the
// catalog's materials, sees at once what is missing with how to get it, counted per window — and
// the matter registered from it starts its acceptance from what was ticked; a stranger to the
// window cannot read it; an unknown item is refused beside its field — on both stores.
#[test]
fn nv_12_prescreening_becomes_a_case_without_retyping() {
    for kind in backends() {
        let app = App::spawn(kind, "national");
        add_item(&app, "GT-1", true, false);
        let clerk = app.token("clerk");
        let (st, ps) = app.post("/api/v1/prescreens", &clerk, json!({"item_code": "GT-1", "brought": ["申请书"]}));
        assert_eq!(st, 201, "{ps}");
        assert_eq!(ps["outcome"]["missing"][0]["name"], "场所证明");
        assert_eq!(
            (ps["outcome"]["complete"].as_bool(), ps["outcome"]["main_present"].as_bool()),
            (Some(false), Some(true))
        );
        let psid = ps["id"].as_i64().unwrap();
        let (st, e) = app.post("/api/v1/prescreens", &clerk, json!({"item_code": "NOPE", "brought": []}));
        assert_eq!((st, e["error"]["field"].as_str()), (422, Some("item_code")), "{e}");
        assert_eq!(app.get(&format!("/api/v1/prescreens/{psid}"), &app.token("clerk2")).0, 403, "another unit's clerk");
        // The page: the list with its missing material, and registration from it.
        let (st, html) = page_post(&app, "clerk", "/prescreen", &[("item_code", "GT-1"), ("m0", "申请书")]);
        assert_eq!(st, 200, "{html}");
        assert!(html.contains("还缺 1 项材料") && html.contains("场所证明") && html.contains("打印清单"), "{html}");
        let form_id: String =
            html.split("name=\"prescreen_id\" value=\"").nth(1).unwrap().split('"').next().unwrap().into();
        let (st, _) = page_post(
            &app,
            "clerk",
            "/cases",
            &[
                ("kind", "application"),
                ("channel", "window"),
                ("item_code", "GT-1"),
                ("prescreen_id", &form_id),
                ("request", "个体工商户登记"),
                ("name", "周八"),
                ("phone", "13812340009"),
            ],
        );
        assert_eq!(st, 303);
        let (_, mine) = app.get("/api/v1/cases?mine=true", &clerk);
        let id = mine["cases"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).max().unwrap();
        let (_, case) = page_get(&app, "clerk", &format!("/cases/{id}"));
        let ticked = |name: &str| {
            let at = case.find(&format!("value=\"{name}\"")).unwrap_or_else(|| panic!("{name}: {case}"));
            case[at..at + 80].contains("checked")
        };
        assert!(ticked("申请书") && !ticked("场所证明"), "acceptance starts from the pre-screening");
        let (_, page) = page_get(&app, "clerk", "/prescreen");
        assert!(page.contains("本窗口本月已预判 2 次，其中 1 次已登记办件"), "{page}");
        assert!(app.audit_ok());
    }
}

// NV-6 (issue 32, item 3): a case approved on a commitment opens its verification in the same
// write, due after the policy's working days; the result is recorded once — a false commitment
// only with what was done — by someone working at the case's place, and counted per unit — on
// both stores.
#[test]
fn nv_6_commitments_are_checked_afterwards() {
    for kind in backends() {
        let app = App::spawn(kind, "national");
        add_item(&app, "GT-3", false, true);
        let clerk = app.token("clerk");
        let id = app.new_case(&clerk, Some("GT-3"));
        let (st, _) =
            app.post(&format!("/api/v1/cases/{id}/commitment"), &clerk, json!({"commitment": "本人承诺经营场所合法"}));
        assert_eq!(st, 200);
        let (st, v) = app.get("/api/v1/commitment-checks?month=2026-11", &clerk);
        assert_eq!(st, 200, "{v}");
        let check = v["checks"].as_array().unwrap().iter().find(|c| c["case_id"] == id).unwrap().clone();
        // 20 working days after Friday 2026-11-20 (the national preset's default).
        assert_eq!((check["status"].as_str(), check["due"].as_str()), (Some("open"), Some("2026-12-18")), "{check}");
        let cid = check["id"].as_i64().unwrap();
        let url = format!("/api/v1/commitment-checks/{cid}/result");
        let (st, e) = app.post(&url, &clerk, json!({"confirmed": false, "note": "现场核查场所为住宅"}));
        assert_eq!((st, e["error"]["code"].as_str()), (422, Some("action_required")), "{e}");
        assert_eq!(app.post(&url, &app.token("clerk2"), json!({"confirmed": true})).0, 403, "another unit's clerk");
        let (st, r) = app.post(
            &url,
            &clerk,
            json!({"confirmed": false, "note": "现场核查场所为住宅", "action": "撤销许可，纳入信用记录"}),
        );
        assert_eq!(
            (st, r["status"].as_str(), r["finding"]["action"].as_str()),
            (200, Some("false"), Some("撤销许可，纳入信用记录"))
        );
        assert_eq!(app.post(&url, &clerk, json!({"confirmed": true})).0, 409, "once");
        let (_, v) = app.get("/api/v1/commitment-checks?month=2026-11", &clerk);
        let unit = v["by_unit"].as_array().unwrap().iter().find(|u| u["unit_id"] == app.ids.unit).unwrap().clone();
        assert_eq!((unit["open"].as_i64(), unit["false"].as_i64()), (Some(0), Some(1)), "{v}");
        assert_eq!(app.get("/api/v1/commitment-checks?month=11", &clerk).0, 422);
        assert!(app.audit_ok());
    }
}

// Issue 31, item 1 (督办): the overdue list on the API, each case once with its unit, person and
// applicant, exportable; only the supervision section urges, and an urging needs its words —
// on both stores.
#[test]
fn overdue_list_and_urging() {
    for kind in backends() {
        let app = App::spawn(kind, "national");
        let clerk = app.token("clerk");
        let id = app.new_case(&clerk, None);
        app.post(&format!("/api/v1/cases/{id}/escalations"), &clerk, json!({"reason": "政策不明"}));
        app.set_now("2026-12-01T09:00:00+08:00");
        let sup = app.token("supervision");
        let (st, v) = app.get("/api/v1/overdue", &sup);
        assert_eq!(st, 200, "{v}");
        let mine: Vec<&Value> = v["items"].as_array().unwrap().iter().filter(|l| l["case_id"] == id).collect();
        assert_eq!(mine.len(), 1, "once: {v}");
        assert_eq!(
            (mine[0]["unit"].as_str(), mine[0]["person"].as_str(), mine[0]["applicant"].as_str()),
            (Some("市场监管局"), Some("clerk"), Some("张三"))
        );
        let csv = String::from_utf8(app.download("/api/v1/overdue?format=csv", &sup).1).unwrap();
        assert!(csv.contains("受理编号,单位,经办人,申请人") && csv.contains("张三"), "{csv}");
        let url = format!("/api/v1/cases/{id}/urgings");
        assert_eq!(
            app.post(&url, &app.token("business"), json!({"note": "请答复"})).0,
            403,
            "only the supervision section"
        );
        assert_eq!(app.post(&url, &sup, json!({"note": " "})).0, 422);
        assert_eq!(app.post(&url, &sup, json!({"note": "请于今日答复群众"})).0, 201);
        assert!(app.audit_ok());
    }
}

// NV-1 (issue 32, item 2; JL 三(一)): the catalog item names its back-office stages, each with
// its unit and share of the promised time; an accepted case moves through them with who and
// when; the first contact and the stage's unit are told; the applicant follows them on /follow;
// an overrun stage is reminded and escalated like any deadline; the last stage ends it as
// approved; a hundred clicks at once finish a stage once — on both stores.
#[test]
fn nv_1_a_case_moves_through_its_back_office_stages() {
    for kind in backends() {
        let app = App::spawn(kind, "national");
        let admin = app.token("admin");
        let mut it = crate::catalog::item(&app, "ST-1", "食品经营许可");
        it["time_limit_wd"] = json!(10);
        // A plan whose shares do not add up is refused beside its field.
        it["stages"] = json!([{"name": "受理", "share": 10}, {"name": "审查", "share": 50}]);
        let (st, e) = app.post("/api/v1/items", &admin, it.clone());
        assert_eq!(
            (st, e["error"]["code"].as_str(), e["error"]["field"].as_str()),
            (422, Some("invalid_stages"), Some("stages")),
            "{e}"
        );
        it["stages"] = json!([
            {"name": "受理", "share": 10},
            {"name": "审查", "share": 50},
            {"name": "制证", "share": 30, "unit_id": app.ids.unit2},
            {"name": "送达", "share": 10}
        ]);
        let (st, v) = app.post("/api/v1/items", &admin, it.clone());
        assert_eq!(st, 201, "{v}");
        let (clerk, head) = (app.token("clerk"), app.token("head"));
        let liaison = json!({"leader_id": app.staff_id("leader2"), "contact_id": app.staff_id("clerk2")});
        assert_eq!(
            app.call("PUT", &format!("/api/v1/units/{}/liaison", app.ids.unit2), Some(&admin), Some(liaison)).0,
            200
        );
        let id = app.new_case(&clerk, Some("ST-1"));
        let stage_url = format!("/api/v1/cases/{id}/stage");
        let (st, e) = app.post(&stage_url, &clerk, json!({"stage": "受理"}));
        assert_eq!(
            (st, e["error"]["code"].as_str()),
            (409, Some("no_stage")),
            "nothing to finish before acceptance: {e}"
        );
        assert_eq!(app.post(&format!("/api/v1/cases/{id}/accept"), &clerk, json!({})).0, 200);
        let c = status(&app, &clerk, id);
        assert_eq!(c["current_stage"], "受理", "{c}");
        // The acceptance paper lists the stages with their days.
        let (_, paper) = app.download(&format!("/api/v1/cases/{id}/documents/acceptance.html"), &clerk);
        let paper = String::from_utf8_lossy(&paper).to_string();
        assert!(
            paper.contains("受理后的办理环节") && paper.contains("制证") && paper.contains("2026年11月23日"),
            "{paper}"
        );
        // Accepted Friday 2026-11-20: 受理 due in 1 working day, 审查 by the 6th, 制证 by the 9th.
        let dues: Vec<&str> = c["stages"].as_array().unwrap().iter().map(|s| s["due"].as_str().unwrap_or("")).collect();
        assert_eq!(dues, ["2026-11-23", "", "", ""], "{c}");
        // No closing around the stages.
        let (st, e) = app.post(&format!("/api/v1/cases/{id}/close"), &clerk, json!({"outcome": "approved"}));
        assert_eq!((st, e["error"]["code"].as_str()), (409, Some("stages_pending")), "{e}");
        // A stale stage name (a second click, a stale page) is refused and changes nothing.
        let (st, e) = app.post(&stage_url, &clerk, json!({"stage": "审查"}));
        assert_eq!((st, e["error"]["code"].as_str()), (409, Some("stage_moved")), "{e}");
        // A hundred clicks at once on 受理: it is finished once, and 审查 is not skipped.
        let wins = std::sync::atomic::AtomicUsize::new(0);
        std::thread::scope(|sc| {
            for _ in 0..100 {
                sc.spawn(|| {
                    let (st, v) = app.post(&stage_url, &head, json!({"stage": "受理", "note": "材料齐全"}));
                    match st {
                        200 => {
                            wins.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                        }
                        409 => {}
                        other => panic!("{other}: {v}"),
                    }
                });
            }
        });
        assert_eq!(wins.into_inner(), 1);
        let c = status(&app, &clerk, id);
        assert_eq!(c["current_stage"], "审查", "{c}");
        assert_eq!(
            (c["stages"][0]["done_by"].as_i64(), c["stages"][0]["note"].as_str()),
            (Some(app.staff_id("head")), Some("材料齐全"))
        );
        assert_eq!(c["stages"][1]["due"], "2026-11-30", "six working days after acceptance: {c}");
        // The first contact hears that someone else moved the case on.
        assert!(
            app.messages_to("clerk").iter().any(|(s, b, _)| s.contains("办理进度") && b.contains("现为“审查”阶段"))
        );
        // Another unit's clerk neither reads nor moves it while the stage is not theirs.
        let other = app.token("clerk2");
        assert_eq!(app.post(&stage_url, &other, json!({"stage": "审查"})).0, 403);
        // 审查 overruns: reminded before its day, escalated to the head and the leader after it.
        app.set_now("2026-11-27T09:00:00+08:00");
        let r = app.block_on(noveto_server::jobs::tick(&app.state)).unwrap();
        assert!(r.reminded >= 1, "{r:?}");
        app.set_now("2026-12-01T09:00:00+08:00");
        let r = app.block_on(noveto_server::jobs::tick(&app.state)).unwrap();
        assert!(r.escalated >= 1, "{r:?}");
        assert!(
            app.messages_to("leader").iter().any(|(s, _, _)| s.contains("办理阶段时限")),
            "{:?}",
            app.messages_to("leader")
        );
        assert_eq!(app.post(&stage_url, &clerk, json!({"stage": "审查"})).0, 200);
        // 制证 belongs to the other unit: its contact is told, and its clerk may read and finish it.
        assert!(app.messages_to("clerk2").iter().any(|(s, b, _)| s.contains("待办阶段") && b.contains("制证")));
        assert_eq!(app.get(&format!("/api/v1/cases/{id}"), &other).0, 200);
        // Overrun, it climbs that unit's ladder too: its leader hears of it.
        app.set_now("2026-12-07T09:00:00+08:00");
        app.block_on(noveto_server::jobs::tick(&app.state)).unwrap();
        assert!(
            app.messages_to("leader2").iter().any(|(s, _, _)| s.contains("超期督办")),
            "{:?}",
            app.messages_to("leader2")
        );
        assert_eq!(app.post(&stage_url, &other, json!({"stage": "制证", "note": "证照已印制"})).0, 200);
        // The applicant follows it: stages and where it stands, no staff names.
        let (st, f) = app.call(
            "GET",
            &format!("/api/v1/public/follow?receipt_no={}&phone=13812345678", c["receipt_no"].as_str().unwrap()),
            None,
            None,
        );
        assert_eq!(st, 200, "{f}");
        let states: Vec<&str> = f["stages"].as_array().unwrap().iter().map(|s| s["state"].as_str().unwrap()).collect();
        assert_eq!(states, ["done", "done", "done", "current"], "{f}");
        assert!(!f.to_string().contains("done_by"), "{f}");
        // The last stage's note is the closing note the applicant reads, checked for refusal words.
        let (st, e) = app.post(&stage_url, &clerk, json!({"stage": "送达", "note": "办不了，你找别人"}));
        assert_eq!((st, e["error"]["code"].as_str()), (409, Some("refusal_phrases")), "{e}");
        let (st, c) = app.post(&stage_url, &clerk, json!({"stage": "送达", "note": "许可证已邮寄送达"}));
        assert_eq!((st, c["status"].as_str(), c["outcome"].as_str()), (200, Some("closed"), Some("approved")), "{c}");
        assert_eq!(app.post(&stage_url, &clerk, json!({"stage": "送达"})).0, 409, "closed");
        // The page shows each stage with who finished it.
        let (_, page) = page_get(&app, "clerk", &format!("/cases/{id}"));
        assert!(page.contains("办理阶段") && page.contains("证照已印制") && page.contains("clerk2"), "{page}");
        assert!(app.audit_ok());
    }
}

// NV-6 (issue 32, item 3): the item sets its own verification period; an open check is reminded
// before its day and escalated after it like any deadline (and stands in the overdue list); the
// checks page lists it with the unit's counts, and a result sent without a choice or, when
// false, without what was done comes back beside its field as typed; once recorded, the case
// page says so and nothing more is reminded — on both stores.
#[test]
fn nv_6_checks_are_reminded_and_recorded_on_their_page() {
    for kind in backends() {
        let app = App::spawn(kind, "national");
        let admin = app.token("admin");
        let mut it = crate::catalog::item(&app, "CK-1", "小餐饮登记");
        it["allows_commitment"] = json!(true);
        it["commitment_check_days"] = json!(0);
        let (st, e) = app.post("/api/v1/items", &admin, it.clone());
        assert_eq!((st, e["error"]["field"].as_str()), (422, Some("commitment_check_days")), "{e}");
        it["commitment_check_days"] = json!(5);
        assert_eq!(app.post("/api/v1/items", &admin, it).0, 201);
        let clerk = app.token("clerk");
        let id = app.new_case(&clerk, Some("CK-1"));
        let body = json!({"commitment": "本人承诺经营场所符合要求"});
        assert_eq!(app.post(&format!("/api/v1/cases/{id}/commitment"), &clerk, body).0, 200);
        let (_, v) = app.get("/api/v1/commitment-checks?month=2026-11", &clerk);
        let check = v["checks"].as_array().unwrap().iter().find(|c| c["case_id"] == id).unwrap().clone();
        // Five working days after Friday 2026-11-20: the item's period, not the policy's twenty.
        assert_eq!(check["due"], "2026-11-27", "{check}");
        let cid = check["id"].as_i64().unwrap();
        // Reminded before its day, escalated after it: the first contact, the head, the leader.
        app.set_now("2026-11-26T09:00:00+08:00");
        let r = app.block_on(noveto_server::jobs::tick(&app.state)).unwrap();
        assert_eq!(r.reminded, 1, "{r:?}");
        assert!(app.messages_to("clerk").iter().any(|(s, _, _)| s.contains("告知承诺事后核查")));
        app.set_now("2026-11-30T09:00:00+08:00");
        let r = app.block_on(noveto_server::jobs::tick(&app.state)).unwrap();
        assert_eq!(r.escalated, 1, "{r:?}");
        assert!(app.messages_to("leader").iter().any(|(s, _, _)| s.contains("超期督办")));
        let (_, over) = app.get("/api/v1/overdue", &app.token("supervision"));
        assert!(over["items"].as_array().unwrap().iter().any(|l| l["case_id"] == id), "{over}");
        // The page: the unit's counts and the open check, overdue.
        let (st, page) = page_get(&app, "clerk", "/commitment-checks");
        assert_eq!(st, 200);
        assert!(page.contains("各单位核查情况") && page.contains("市场监管局") && page.contains("已超期"), "{page}");
        let url = format!("/commitment-checks/{cid}/result");
        let (st, page) = page_post(&app, "clerk", &url, &[("note", "现场核查")]);
        assert_eq!(st, 422, "{page}");
        assert!(page.contains("请选择核查结果") && page.contains("现场核查"), "beside the field, as typed: {page}");
        let (st, page) = page_post(&app, "clerk", &url, &[("confirmed", "0"), ("note", "场所为住宅")]);
        assert_eq!(st, 422);
        assert!(page.contains("须写明处理措施") && page.contains("场所为住宅"), "{page}");
        let (st, _) = page_post(&app, "clerk2", &url, &[("confirmed", "1")]);
        assert_eq!(st, 403, "another unit's clerk");
        let (st, _) = page_post(
            &app,
            "clerk",
            &url,
            &[("confirmed", "0"), ("note", "场所为住宅"), ("action", "撤销登记，纳入信用记录")],
        );
        assert_eq!(st, 303);
        let (_, page) = page_get(&app, "clerk", &format!("/cases/{id}"));
        assert!(page.contains("承诺不实") && page.contains("撤销登记，纳入信用记录"), "{page}");
        // Met: out of the overdue list, never reminded again.
        let (_, over) = app.get("/api/v1/overdue", &app.token("supervision"));
        assert!(!over["items"].as_array().unwrap().iter().any(|l| l["case_id"] == id), "{over}");
        // Shown in the month's statistics.
        let (_, page) = page_get(&app, "business", "/reports?month=2026-11");
        assert!(page.contains("告知承诺事后核查") && page.contains("不实 1 件"), "{page}");
        let (st, page) = page_get(&app, "clerk", "/commitment-checks?month=13");
        assert_eq!(st, 200, "a bad month is said beside the picker: {page}");
        assert!(page.contains("月份格式"), "{page}");
        assert!(app.audit_ok());
    }
}

// Issue 31, item 3: a decision refused on the inbox or on the case comes back with what was
// typed and the reason beside its field — never on an error page that loses the opinion: a veto
// decision without its confirmation, an escalation's answer that says no (from the inbox and
// from the case page, with the wording to confirm), a month on /filings that does not read.
#[test]
fn refused_decisions_come_back_as_typed() {
    for kind in backends() {
        let app = App::spawn(kind, "national");
        let clerk = app.token("clerk");
        let id = app.new_case(&clerk, None);
        let vid = app.request_veto(&clerk, id);
        let opinion = "同意<否决>，依据充分";
        let (st, page) =
            page_post(&app, "head", &format!("/veto-requests/{vid}/decide"), &[("opinion", opinion), ("approve", "1")]);
        assert_eq!(st, 422, "{page}");
        let start = page.find(&format!("id=\"veto-{vid}\"")).expect("the decision form");
        let form = &page[start..start + page[start..].find("</form>").unwrap()];
        assert!(form.contains("同意&lt;否决&gt;，依据充分</textarea>") && form.contains("请勾选确认"), "{form}");
        let (st, _) = page_post(
            &app,
            "head",
            &format!("/veto-requests/{vid}/decide"),
            &[("opinion", opinion), ("approve", "1"), ("confirm", "1")],
        );
        assert_eq!(st, 303, "decided once confirmed");
        // An escalation's answer that says no, from the inbox and from the case page.
        let id = app.new_case(&clerk, None);
        let (_, e) = app.post(&format!("/api/v1/cases/{id}/escalations"), &clerk, json!({"reason": "政策不明"}));
        let eid = e["id"].as_i64().unwrap();
        let url = format!("/escalations/{eid}/answer");
        let (st, page) = page_post(&app, "head", &url, &[("answer", "这个办不了"), ("from", "inbox")]);
        assert_eq!(st, 409, "{page}");
        let start = page.find(&format!("id=\"answer-{eid}\"")).expect("the answer form");
        let form = &page[start..start + page[start..].find("</form>").unwrap()];
        assert!(form.contains("这个办不了</textarea>") && form.contains("confirm_phrases"), "{form}");
        let (st, page) = page_post(&app, "head", &url, &[("answer", "这个办不了"), ("from", "case")]);
        assert_eq!(st, 409);
        assert!(
            page.contains("id=\"answer-form\"") && page.contains("这个办不了</textarea>"),
            "on the case page: {page}"
        );
        let (st, _) = page_post(&app, "head", &url, &[("answer", "可以受理，按一般程序办理"), ("from", "case")]);
        assert_eq!(st, 303);
        // A month that does not read, beside the picker.
        let (st, page) = page_get(&app, "leader", "/filings?month=2026-13");
        assert_eq!(st, 200, "{page}");
        assert!(page.contains("value=\"2026-13\"") && page.contains("role=\"alert\""), "{page}");
    }
}

// Issue 31, item 8: an internal note stands on the case for the staff, apart from the reply; the
// applicant's progress page and its API never show it; only those who work the case write one.
#[test]
fn internal_notes_stay_with_the_staff() {
    for kind in backends() {
        let app = App::spawn(kind, "national");
        let clerk = app.token("clerk");
        let id = app.new_case(&clerk, None);
        let url = format!("/api/v1/cases/{id}/notes");
        assert_eq!(app.post(&url, &clerk, json!({"text": "  "})).0, 422);
        assert_eq!(app.post(&url, &app.token("clerk2"), json!({"text": "别的单位"})).0, 403);
        assert_eq!(app.post(&url, &clerk, json!({"text": "申请人下午再来，已电话联系"})).0, 201);
        let (st, _) = page_post(&app, "clerk", &format!("/cases/{id}/act/note"), &[("note", "材料原件在档案柜")]);
        assert_eq!(st, 303);
        let (_, page) = page_get(&app, "clerk", &format!("/cases/{id}"));
        assert!(page.contains("内部备注：申请人下午再来，已电话联系") && page.contains("材料原件在档案柜"), "{page}");
        let (_, c) = app.get(&format!("/api/v1/cases/{id}"), &clerk);
        let receipt = c["receipt_no"].as_str().unwrap().to_string();
        let (st, f) =
            app.call("GET", &format!("/api/v1/public/follow?receipt_no={receipt}&phone=13812345678"), None, None);
        assert_eq!(st, 200, "{f}");
        assert!(!f.to_string().contains("电话联系") && !f.to_string().contains("档案柜"), "{f}");
        assert!(app.audit_ok());
    }
}

// Issue 31, item 3: the registration form says everything wrong at once, each beside its field,
// with what was typed kept — three mistakes, one submit.
#[test]
fn registration_shows_every_error_at_once() {
    let app = App::spawn(Kind::Sqlite, "national");
    let (st, page) = page_post(
        &app,
        "clerk",
        "/cases",
        &[
            ("kind", "application"),
            ("channel", "window"),
            ("name", " "),
            ("phone", "123"),
            ("request", ""),
            ("org", "清江<商贸>"),
        ],
    );
    assert_eq!(st, 422, "{page}");
    assert!(page.contains("有 3 处需要改正"), "{page}");
    for msg in ["请填写申请人姓名", "联系电话格式不正确", "请填写诉求内容"] {
        assert!(page.contains(msg), "{msg}: {page}");
    }
    assert!(page.contains("value=\"清江&lt;商贸&gt;\""), "kept as typed: {page}");
    // The API answers with the first, as before.
    let (st, e) = app.post(
        "/api/v1/cases",
        &app.token("clerk"),
        json!({"kind": "application", "channel": "window", "applicant": {"name": " ", "phone": "123"}, "request": ""}),
    );
    assert_eq!((st, e["error"]["field"].as_str()), (422, Some("applicant.name")), "{e}");
}

// Issue 31, item 2 (being told): a clerk's request to make an application a consultation reaches
// the window head through the outbox, and the head's answer reaches the clerk — on both stores.
#[test]
fn a_kind_change_request_and_its_answer_are_told() {
    for kind in backends() {
        let app = App::spawn(kind, "national");
        let clerk = app.token("clerk");
        let id = app.new_case(&clerk, None);
        let body = json!({"kind": "consultation", "reason": "群众只是来问问"});
        assert_eq!(app.post(&format!("/api/v1/cases/{id}/kind"), &clerk, body).0, 200);
        let head = app.messages_to("head");
        assert!(
            head.iter().any(|(s, b, _)| s.contains("申请改为咨询待确认") && b.contains("群众只是来问问")),
            "{head:?}"
        );
        let body = json!({"approve": false, "opinion": "群众要办理，请受理"});
        assert_eq!(app.post(&format!("/api/v1/cases/{id}/kind/decision"), &app.token("head"), body).0, 200);
        let told = app.messages_to("clerk");
        assert!(
            told.iter().any(|(s, b, _)| s.contains("不同意改为咨询") && b.contains("群众要办理，请受理")),
            "{told:?}"
        );
    }
}
