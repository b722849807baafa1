//! NV-15, NV-16, AS-1, AS-2: the center's month-end reports over HTTP, on both stores, checked
//! against hand counts of a generated month.

use crate::helpers::*;
use serde_json::{Value, json};

/// A veto request on a new case of item `code` with `reason`, decided: approved by both levels,
/// denied by the window head, or left pending. The case id.
pub(crate) fn veto(app: &App, code: &str, reason: &str, outcome: Option<bool>) -> i64 {
    // The preset's levels: national window head then leader; Fuzhou the unit head alone.
    let levels: Vec<&str> = match app.state.policy().veto.levels.as_slice() {
        [noveto_domain::access::DecisionLevel::UnitHead] => vec!["chief"],
        _ => vec!["head", "leader"],
    };
    let clerk = app.token("clerk");
    let id = app.new_case(&clerk, Some(code));
    let (st, v) = app.post(
        &format!("/api/v1/cases/{id}/veto-requests"),
        &clerk,
        json!({"reason": reason, "legal_basis": "《条例》第八条"}),
    );
    assert_eq!(st, 201, "{v}");
    let vid = v["id"].as_i64().unwrap();
    match outcome {
        Some(true) => {
            for l in &levels {
                assert_eq!(app.decide(l, vid, true, "同意").0, 200);
            }
        }
        Some(false) => assert_eq!(app.decide(levels[0], vid, false, "可以办成，补正材料即可").0, 200),
        None => {}
    }
    id
}

// NV-15, NV-16: the month's veto statistics equal a hand count — requested, approved, denied,
// pending, by unit, item and reason — with the trend; alike requests (same item, same reason)
// decided differently are flagged, and the approver deciding another sees the earlier decisions;
// the files open (XLSX, PDF); a clerk reads no report.
#[test]
fn nv_15_veto_statistics_against_a_hand_count() {
    for k in backends() {
        let app = App::spawn_at(k, "national", "2026-11-18T10:00:00+08:00");
        crate::cases::add_item(&app, "RP-1", false, false);
        // By hand: RP-1 "场所不符合要求" approved twice and denied once; "材料不全" pending once.
        veto(&app, "RP-1", "场所不符合要求", Some(true));
        veto(&app, "RP-1", "场所不符合要求，面积不足", Some(true));
        veto(&app, "RP-1", "场所不符合要求", Some(false));
        veto(&app, "RP-1", "材料不全", None);
        let biz = app.token("business");
        let (st, r) = app.get("/api/v1/reports/vetoes?month=2026-11", &biz);
        assert_eq!(st, 200, "{r}");
        assert_eq!(
            (r["requested"].as_u64(), r["approved"].as_u64(), r["denied"].as_u64(), r["pending"].as_u64()),
            (Some(4), Some(2), Some(1), Some(1)),
            "{r}"
        );
        let reason = r["by_reason"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["reason"].as_str().unwrap_or("").contains("场所不符合要求"))
            .unwrap()
            .clone();
        assert_eq!(
            (reason["count"].as_u64(), reason["approved"].as_u64()),
            (Some(3), Some(2)),
            "alike reasons count together: {r}"
        );
        assert_eq!(reason["link"], "/admin/catalog/items/RP-1", "the reason links to the item's guide");
        assert_eq!(r["by_unit"][0]["count"], 4);
        assert_eq!(r["trend"].as_array().unwrap().len(), 6);
        assert_eq!(r["trend"][5][1], 4, "{r}");
        let inc = &r["inconsistent"][0];
        assert_eq!(
            (inc["approved"].as_array().map(|x| x.len()), inc["denied"].as_array().map(|x| x.len())),
            (Some(2), Some(1)),
            "NV-16: {r}"
        );
        // The trend is counted by the database per month and place (issue 30, item 5); it equals
        // the month's own figures, other negative endings included: a consultation answered
        // with a confirmed no.
        let clerk = app.token("clerk");
        let (st, c) = app.post(
            "/api/v1/cases",
            &clerk,
            json!({"kind": "consultation", "channel": "window", "applicant": {"name": "李四", "phone": "13812345678"}, "request": "个体户怎么注销"}),
        );
        assert_eq!(st, 201, "{c}");
        let (st, e) = app.post(
            &format!("/api/v1/cases/{}/close", c["id"]),
            &clerk,
            json!({"outcome": "answered", "note": "这个不清楚，你自己去查", "confirm_phrases": true}),
        );
        assert_eq!(st, 200, "{e}");
        let (_, r) = app.get("/api/v1/reports/vetoes?month=2026-11", &biz);
        assert_eq!(r["negative_answers"], 1, "{r}");
        let others: u64 = ["withdrawals", "not_required", "referrals", "kind_changes", "negative_answers"]
            .iter()
            .map(|k| r[*k].as_u64().unwrap())
            .sum();
        assert_eq!(r["trend"][5], json!(["2026-11", 4, 2, others]), "{r}");
        assert_eq!(r["trend"][0], json!(["2026-06", 0, 0, 0]), "{r}");
        let (st, q) = app.get("/api/v1/reports/vetoes?quarter=2026Q4", &biz);
        assert_eq!((st, q["requested"].as_u64()), (200, Some(4)));
        assert_eq!(q["negative_answers"], 1, "the quarter reads its months at once: {q}");
        assert_eq!(app.get("/api/v1/reports/vetoes?month=2026-11", &app.token("clerk")).0, 403);
        assert_eq!(app.get("/api/v1/reports/vetoes?month=2026-13", &biz).0, 422);
        let (st, x) = app.download("/api/v1/reports/vetoes?month=2026-11&format=xlsx", &biz);
        assert_eq!(st, 200);
        let rows = noveto_app::catalog_file::read_rows(&x).unwrap();
        assert!(rows.iter().any(|r| r[0] == "【按理由】"), "{rows:?}");
        let (st, pdf) = app.download("/api/v1/reports/vetoes?month=2026-11&format=pdf", &biz);
        assert_eq!(st, 200);
        let text = crate::complaints::pdf_text(&pdf);
        assert!(text.contains("近六个月否决报批") && text.contains("按理由"), "{text}");
        // NV-16: the approver deciding a new alike request sees the earlier decisions.
        veto(&app, "RP-1", "场所不符合要求", None);
        let (_, inbox) = crate::cases::page_get(&app, "head", "/inbox");
        assert!(inbox.contains("同一事项、同一理由的既往决定") && inbox.contains("不予否决"), "{inbox}");
        assert!(app.audit_ok());
    }
}

// AS-1: the assessment's figures per unit equal a hand count, its score follows the policy's
// weights (with their source), every figure drills down to its matters, Fuzhou names the month's
// best windows; AS-2: inspections are recorded with their findings and followed up to done.
#[test]
fn as_1_assessment_and_as_2_inspections() {
    for k in backends() {
        let app = App::spawn_at(k, "fuzhou", "2026-11-18T10:00:00+08:00");
        crate::complaints::sections(&app);
        crate::cases::add_item(&app, "AS-1", false, false);
        let a = veto(&app, "AS-1", "不符合条件", Some(true));
        veto(&app, "AS-1", "不符合条件", Some(false));
        let sup = app.token("supervision");
        let mut c = json!({"channel": "website", "category": "attitude", "content": "态度差", "complainant": {"name": "甲", "phone": "13800001111"}, "confidential": false});
        c["about_unit"] = json!(app.ids.unit);
        assert_eq!(app.post("/api/v1/complaints", &sup, c.clone()).0, 201);
        assert_eq!(app.post("/api/v1/complaints", &sup, c).0, 201);
        let (st, r) = app.get("/api/v1/reports/assessment?month=2026-11", &app.token("director"));
        assert_eq!(st, 200, "{r}");
        let unit = r["units"].as_array().unwrap().iter().find(|u| u["unit_id"] == app.ids.unit).unwrap().clone();
        let f = &unit["figures"];
        assert_eq!((f["vetoes"].as_u64(), f["complaints"].as_u64()), (Some(1), Some(2)), "{r}");
        let w = &r["weights"];
        let hand =
            w["base"].as_f64().unwrap() - w["veto"].as_f64().unwrap() * 1.0 - w["complaint"].as_f64().unwrap() * 2.0;
        assert!((unit["score"].as_f64().unwrap() - hand).abs() < 1e-9, "{unit} vs {hand}");
        assert!(r["source"].as_str().unwrap().contains("榕政办"), "the weights' source: {r}");
        assert_eq!(w["monthly_awards"], 3);
        assert!(r["windows"].as_array().unwrap().iter().any(|x| x["award"] == true), "FZ: the month's awards: {r}");
        let (st, d) = app.get(
            &format!("/api/v1/reports/assessment/{}/items?month=2026-11&figure=vetoes", app.ids.unit),
            &app.token("director"),
        );
        assert_eq!(st, 200, "{d}");
        let (_, case) = app.get(&format!("/api/v1/cases/{a}"), &app.token("clerk"));
        assert_eq!(d["items"][0]["receipt_no"], case["receipt_no"], "the veto behind the figure: {d}");
        assert_eq!(
            app.get(&format!("/api/v1/reports/assessment/{}/items?month=2026-11&figure=x", app.ids.unit), &sup).0,
            422
        );
        assert_eq!(app.get("/api/v1/reports/assessment?month=2026-11", &app.token("clerk")).0, 403);
        let (st, pdf) = app.download("/api/v1/reports/assessment?month=2026-11&format=pdf", &sup);
        assert_eq!(st, 200);
        assert!(crate::complaints::pdf_text(&pdf).contains("单位得分"));
        let (_, page) = crate::cases::page_get(&app, "business", "/reports?month=2026-11");
        assert!(
            page.contains("<svg") && page.contains(&format!("/reports/assessment/{}", app.ids.unit)),
            "charts and drill-down links: {page}"
        );
        // AS-2.
        let ins = json!({"kind": "covert", "unit_id": app.ids.unit, "findings": "窗口人员离岗未挂牌", "held_on": "2026-11-17"});
        assert_eq!(
            app.post("/api/v1/inspections", &app.token("leader"), ins.clone()).0,
            403,
            "covert inspections are the center's"
        );
        let (st, v) = app.post("/api/v1/inspections", &sup, ins);
        assert_eq!((st, v["origin"]["kind"].as_str()), (201, Some("inspection")), "{v}");
        let self_check = json!({"kind": "self_check", "unit_id": app.ids.unit, "findings": "一次性告知单版本过期"});
        let (st, s2) = app.post("/api/v1/inspections", &app.token("leader"), self_check);
        assert_eq!(st, 201, "{s2}");
        let id = v["id"].as_i64().unwrap();
        let (st, done) = app.post(
            &format!("/api/v1/rectifications/{id}/done"),
            &app.token("clerk"),
            json!({"measures": "重申离岗挂牌制度", "told": "科室会通报"}),
        );
        assert_eq!((st, done["status"].as_str()), (200, Some("done")), "{done}");
        let _: Value = done;
    }
}

// NV-15, AS-1, HCP-5 (issue 30 item 5): the month-end page reads each kind of count once for its
// four reports (`/api/v1/reports/month-end`); every figure equals the one its own route gives —
// for the center's business section and a unit leader, for a quarter's first month (whose
// quarter runs past it) and its last, with a trend reaching into the month before.
#[test]
fn nv_15_as_1_hcp_5_the_month_end_equals_each_report_alone() {
    for k in backends() {
        let app = App::spawn_at(k, "national", "2026-10-20T10:00:00+08:00");
        crate::cases::add_item(&app, "ME-1", false, false);
        veto(&app, "ME-1", "场所不符合要求", Some(true));
        app.set_now("2026-11-18T10:00:00+08:00");
        veto(&app, "ME-1", "场所不符合要求", Some(true));
        veto(&app, "ME-1", "场所不符合要求", Some(false));
        veto(&app, "ME-1", "材料不全", None);
        let clerk = app.token("clerk");
        for (i, level) in ["5", "1", "4"].iter().enumerate() {
            let (st, c) = app.post(
                "/api/v1/cases",
                &clerk,
                json!({"kind": "consultation", "channel": "window", "applicant": {"name": "王五", "phone": format!("1391234567{i}")}, "request": "个体户怎么注销"}),
            );
            assert_eq!(st, 201, "{c}");
            let note = if i == 0 { "这个不清楚，你自己去查" } else { "已当场解答" };
            let (st, e) = app.post(
                &format!("/api/v1/cases/{}/close", c["id"]),
                &clerk,
                json!({"outcome": "answered", "note": note, "confirm_phrases": true}),
            );
            assert_eq!(st, 200, "{e}");
            let (st, r) =
                app.post("/api/v1/ratings", &clerk, json!({"case_id": c["id"], "channel": "device", "level": level}));
            assert_eq!(st, 201, "{r}");
        }
        for who in ["business", "leader"] {
            let t = app.token(who);
            for (month, quarter) in [("2026-11", "2026Q4"), ("2026-10", "2026Q4"), ("2026-12", "2026Q4")] {
                let (st, m) = app.get(&format!("/api/v1/reports/month-end?month={month}"), &t);
                assert_eq!(st, 200, "{who} {month}: {m}");
                assert_eq!(m["quarter"], quarter);
                let alone = |path: &str| {
                    let (st, v) = app.get(path, &t);
                    assert_eq!(st, 200, "{who} {path}: {v}");
                    v
                };
                assert_eq!(m["vetoes"], alone(&format!("/api/v1/reports/vetoes?month={month}")), "{who} {month}");
                assert_eq!(
                    m["quarter_vetoes"],
                    alone(&format!("/api/v1/reports/vetoes?quarter={quarter}")),
                    "{who} {month}"
                );
                assert_eq!(
                    m["assessment"],
                    alone(&format!("/api/v1/reports/assessment?month={month}")),
                    "{who} {month}"
                );
                let (st, sat) = app.get(&format!("/api/v1/reports/satisfaction?quarter={quarter}"), &t);
                if st == 200 {
                    assert_eq!(m["satisfaction"], sat["rows"], "{who} {month}");
                } else {
                    assert_eq!((st, m["satisfaction"].clone()), (403, json!([])), "{who} {month}: no ratings read");
                }
            }
        }
        let (_, m) = app.get("/api/v1/reports/month-end?month=2026-11", &app.token("business"));
        // The figures themselves, by hand: three vetoes asked in November (one pending), one in
        // October on the trend; one consultation answered with a confirmed no; two of three satisfied.
        assert_eq!((m["vetoes"]["requested"].as_u64(), m["vetoes"]["pending"].as_u64()), (Some(3), Some(1)), "{m}");
        assert_eq!(m["vetoes"]["trend"][4], json!(["2026-10", 1, 1, 0]), "{m}");
        assert_eq!(m["vetoes"]["negative_answers"], 1, "{m}");
        assert_eq!(m["quarter_vetoes"]["requested"], 4, "{m}");
        let total = &m["satisfaction"][0]["figures"]["device"];
        assert_eq!((total["satisfied"].as_u64(), total["total"].as_u64()), (Some(2), Some(3)), "{m}");
        assert_eq!(app.get("/api/v1/reports/month-end?month=2026-11", &clerk).0, 403);
        assert_eq!(app.get("/api/v1/reports/month-end?month=2026-13", &app.token("business")).0, 422);
        assert_eq!(app.get("/api/v1/reports/month-end?month=%00", &app.token("business")).0, 422);
    }
}
