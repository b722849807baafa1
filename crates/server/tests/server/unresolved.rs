//! BBC: the 办不成事 desk over HTTP, on both stores.

use crate::helpers::*;
use serde_json::{Value, json};

/// A 办不成事 desk at the city center with its clerk `bbc` (王芳), and the first unit's liaison table
/// (leader in charge `leader`, contact `clerk`). Returns the desk's id.
pub fn desk(app: &App) -> i64 {
    let admin = app.token("admin");
    let (st, w) = app.post(
        "/api/v1/windows",
        &admin,
        json!({"center_id": app.ids.city, "name": "“办不成事”反映窗口", "kind": "unresolved_desk"}),
    );
    assert_eq!(st, 201, "{w}");
    let id = w["id"].as_i64().unwrap();
    let body = json!({"login": "bbc", "name": "王芳", "password": PW, "roles": [{"role": "clerk", "scope": {"window_id": id}}]});
    let (st, v) = app.post("/api/v1/staff", &admin, body);
    assert_eq!(st, 201, "{v}");
    let body = json!({"leader_id": app.staff_id("leader"), "contact_id": app.staff_id("clerk")});
    let (st, v) = app.call("PUT", &format!("/api/v1/units/{}/liaison", app.ids.unit), Some(&admin), Some(body));
    assert_eq!(st, 200, "{v}");
    id
}

fn register(app: &App, token: &str, class: &str) -> (u16, Value) {
    app.post(
        "/api/v1/unresolved",
        token,
        json!({"reporter": {"name": "李四", "phone": "13800001111"}, "class": class,
               "summary": "营业执照变更在窗口没办成，也没人说明原因"}),
    )
}

// BBC-1, BBC-2, BBC-3, BBC-7: registered at the desk with its class and a deadline in working days
// from the policy (National Day week off, the make-up Saturday worked); complex matters get
// theirs from the supervision section; dispatched once to the unit's liaison contact; closed
// once by its feedback, a bottleneck it showed followed as an improvement; bad input changes
// nothing.
#[test]
fn bbc_1_3_register_dispatch_and_close() {
    for k in backends() {
        let app = App::spawn(k, "guilin");
        desk(&app);
        app.set_now("2026-09-29T10:00:00+08:00");
        let bbc = app.token("bbc");
        let (st, simple) = register(&app, &bbc, "simple");
        assert_eq!((st, simple["due"].as_str()), (201, Some("2026-10-09")), "{simple}");
        assert!(simple["receipt_no"].as_str().unwrap().starts_with("BC20260929"), "{simple}");
        let (_, general) = register(&app, &bbc, "general");
        assert_eq!(general["due"], "2026-10-12");
        let (_, complex) = register(&app, &bbc, "complex");
        assert_eq!(complex["due"], Value::Null, "set by supervision");
        // Bad input: a clear message, a code, a 4xx — and nothing registered.
        for (body, code) in [
            (json!({"reporter": {"name": "李四", "phone": "123"}, "class": "simple", "summary": "x"}), "invalid_phone"),
            (
                json!({"reporter": {"name": "李四", "phone": "13800001111"}, "class": "hard", "summary": "x"}),
                "invalid_class",
            ),
            (
                json!({"reporter": {"name": "李四", "phone": "13800001111"}, "class": "simple", "summary": " "}),
                "required",
            ),
        ] {
            let (st, v) = app.post("/api/v1/unresolved", &bbc, body);
            assert_eq!((st, v["error"]["code"].as_str()), (422, Some(code)), "{v}");
        }
        let (st, v) = register(&app, &app.token("clerk"), "simple");
        assert_eq!((st, v["error"]["code"].as_str()), (422, Some("desk_required")), "a unit clerk has no desk: {v}");
        let (_, l) = app.get("/api/v1/unresolved/ledger?week=2026-W40", &bbc);
        assert_eq!(l["registered"], 3, "{l}");

        let id = |v: &Value| v["id"].as_i64().unwrap();
        let (s, g, c) = (id(&simple), id(&general), id(&complex));
        // Dispatch: to the contact; a unit without one is named; never twice.
        let (st, d) = app.post(&format!("/api/v1/unresolved/{s}/dispatch"), &bbc, json!({"unit_id": app.ids.unit}));
        assert_eq!((st, d["sent_to"].as_i64()), (200, Some(app.staff_id("clerk"))), "{d}");
        let (st, d) = app.post(&format!("/api/v1/unresolved/{g}/dispatch"), &bbc, json!({"unit_id": app.ids.unit2}));
        assert_eq!((st, d["error"]["code"].as_str()), (422, Some("contact_required")), "{d}");
        assert!(d["error"]["message"].as_str().unwrap().contains("人社局"), "{d}");
        let codes =
            app.at_once(&format!("/api/v1/unresolved/{g}/dispatch"), &bbc, 100, |_| json!({"unit_id": app.ids.unit}));
        assert_eq!(codes.iter().filter(|c| **c == 200).count(), 1, "{codes:?}");
        assert_eq!(codes.iter().filter(|c| **c == 409).count(), 99, "{codes:?}");
        // The contact cannot act: up to the unit's leader in charge, once; the leader answers.
        assert_eq!(app.post(&format!("/api/v1/unresolved/{g}/escalation"), &app.token("clerk2"), json!({})).0, 403);
        // (Fired by the desk, which may always send it up; the contact loses the matter with the
        // first one, so its later clicks are 403.)
        let codes = app.at_once(&format!("/api/v1/unresolved/{g}/escalation"), &bbc, 100, |_| json!({}));
        assert_eq!(codes.iter().filter(|c| **c == 200).count(), 1, "escalated once: {codes:?}");
        assert_eq!(codes.iter().filter(|c| **c == 409).count(), 99, "{codes:?}");
        let (_, m) = app.get(&format!("/api/v1/unresolved/{g}"), &bbc);
        assert_eq!(m["sent_to"].as_i64(), Some(app.staff_id("leader")), "{m}");
        let (st, v) = app.post(&format!("/api/v1/unresolved/{g}/escalation"), &bbc, json!({}));
        assert_eq!((st, v["error"]["code"].as_str()), (409, Some("already_escalated")), "{v}");
        assert_eq!(app.post(&format!("/api/v1/unresolved/{g}/escalation"), &app.token("clerk"), json!({})).0, 403);
        let (st, v) = app.post(
            &format!("/api/v1/unresolved/{g}/feedback"),
            &app.token("leader"),
            json!({"result": "分管领导协调后已办结", "resolved": true}),
        );
        assert_eq!((st, v["status"].as_str()), (200, Some("answered")), "the desk checks it with the person: {v}");
        let (st, v) = app.post(
            &format!("/api/v1/unresolved/{g}/verification"),
            &bbc,
            json!({"done": true, "note": "回访李四，确认已办结"}),
        );
        assert_eq!((st, v["status"].as_str()), (200, Some("resolved")), "{v}");
        // Who reads it: the desk and the unit in full or masked, never another unit.
        let (st, m) = app.get(&format!("/api/v1/unresolved/{s}"), &bbc);
        assert_eq!((st, m["reporter"]["phone"].as_str()), (200, Some("13800001111")), "{m}");
        let (st, m) = app.get(&format!("/api/v1/unresolved/{s}"), &app.token("leader"));
        assert_eq!((st, m["reporter"]["phone"].as_str()), (200, Some("138****1111")), "{m}");
        assert_eq!(app.get(&format!("/api/v1/unresolved/{s}"), &app.token("leader2")).0, 403);
        assert_eq!(app.get(&format!("/api/v1/unresolved/{c}"), &app.token("leader")).0, 403, "not dispatched");
        // Feedback: by the contact it went to, once; not by another unit's clerk.
        let fb =
            json!({"result": "已当场办结变更登记", "resolved": true, "bottleneck": "窗口要求的材料比办事指南多一项"});
        assert_eq!(app.post(&format!("/api/v1/unresolved/{s}/feedback"), &app.token("clerk2"), fb.clone()).0, 403);
        let (st, v) = app.post(&format!("/api/v1/unresolved/{s}/feedback"), &app.token("clerk"), fb.clone());
        assert_eq!((st, v["status"].as_str()), (200, Some("answered")), "{v}");
        let (st, v) = app.post(&format!("/api/v1/unresolved/{s}/feedback"), &app.token("clerk"), fb);
        assert_eq!((st, v["error"]["code"].as_str()), (409, Some("not_dispatched")), "{v}");
        // BBC-7: the bottleneck it named is a process-improvement suggestion of the unit, tracked
        // there — once (the refused second answer added none).
        let (_, sg) = app.get("/api/v1/suggestions", &app.token("business"));
        let named: Vec<&Value> = sg["suggestions"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|x| x["text"].as_str().is_some_and(|t| t.contains("窗口要求的材料比办事指南多一项")))
            .collect();
        assert_eq!(named.len(), 1, "{sg}");
        assert_eq!((named[0]["unit_id"].as_i64(), named[0]["status"].as_str()), (Some(app.ids.unit), Some("recorded")));
        assert!(named[0]["text"].as_str().unwrap().contains(simple["receipt_no"].as_str().unwrap()));
        let (st, v) =
            app.post(&format!("/api/v1/unresolved/{s}/verification"), &bbc, json!({"done": true, "note": "已回访"}));
        assert_eq!((st, v["status"].as_str()), (200, Some("resolved")), "{v}");
        // BBC-2: the desk never answers in the unit's place — not for a matter still with it, nor
        // for one with a unit.
        let (st, v) =
            app.post(&format!("/api/v1/unresolved/{c}/feedback"), &bbc, json!({"result": "x", "resolved": true}));
        assert_eq!((st, v["error"]["code"].as_str()), (403, Some("forbidden")), "{v}");
        // A complex matter's deadline: the supervision section's, not the desk's.
        let body = json!({"due": "2026-12-31"});
        assert_eq!(app.post(&format!("/api/v1/unresolved/{c}/deadline"), &bbc, body.clone()).0, 403);
        let (st, v) = app.post(&format!("/api/v1/unresolved/{c}/deadline"), &app.token("supervision"), body);
        assert_eq!(st, 200, "{v}");
        let (_, m) = app.get(&format!("/api/v1/unresolved/{c}"), &bbc);
        assert_eq!(m["due"], "2026-12-31", "{m}");
        assert!(m["deadline"]["source"]["document"].as_str().unwrap().contains("监督部门"), "{m}");
        let (st, v) = app.post(
            &format!("/api/v1/unresolved/{s}/deadline"),
            &app.token("supervision"),
            json!({"due": "2026-12-31"}),
        );
        assert_eq!((st, v["error"]["code"].as_str()), (409, Some("closed")), "{v}");
    }
}

// BBC-5, BBC-6, CAL-2: the week's ledger — registered, answered, open and overdue, with the Friday the
// desk reports to its center and the Monday the center reports on; only what the reader may
// see. A missed deadline is escalated by the job runner like a case's.
#[test]
fn bbc_5_weekly_ledger() {
    for k in backends() {
        let app = App::spawn(k, "guilin");
        desk(&app);
        app.set_now("2026-11-23T09:00:00+08:00");
        let bbc = app.token("bbc");
        let (_, a) = register(&app, &bbc, "simple");
        let (_, b) = register(&app, &bbc, "general");
        let (_, c) = register(&app, &bbc, "simple");
        let c_receipt = c["receipt_no"].as_str().unwrap().to_string();
        app.post(&format!("/api/v1/unresolved/{}/dispatch", c["id"]), &bbc, json!({"unit_id": app.ids.unit}));
        let a = a["id"].as_i64().unwrap();
        app.post(&format!("/api/v1/unresolved/{a}/dispatch"), &bbc, json!({"unit_id": app.ids.unit}));
        app.post(
            &format!("/api/v1/unresolved/{a}/feedback"),
            &app.token("clerk"),
            json!({"result": "已办结", "resolved": true}),
        );
        app.set_now("2026-11-30T09:00:00+08:00");
        let (st, l) = app.get("/api/v1/unresolved/ledger?week=2026-W48", &bbc);
        assert_eq!(st, 200, "{l}");
        assert_eq!(
            (l["desk_report_day"].as_str(), l["center_report_day"].as_str()),
            (Some("2026-11-27"), Some("2026-11-30"))
        );
        assert_eq!(
            (l["registered"].as_u64(), l["answered"].as_u64(), l["open"].as_u64()),
            (Some(3), Some(1), Some(2)),
            "{l}"
        );
        // The general matter (due 2026-11-30) is not overdue on its due day; a day later it is
        // (the dispatched simple one, due 11-26, is overdue already).
        assert_eq!(l["overdue"], 1, "{l}");
        app.set_now("2026-12-01T09:00:00+08:00");
        let (_, l) = app.get("/api/v1/unresolved/ledger?week=2026-W48", &bbc);
        assert_eq!(l["overdue"], 2, "{l}");
        // CAL-2 for this ticket type: each missed deadline is escalated once by the job runner, to
        // the one who answers for it — the general matter's (the last) to the desk, as it is not
        // dispatched yet — in words.
        let r = app.block_on(noveto_server::jobs::tick(&app.state)).unwrap();
        assert_eq!(r.escalated, 2, "{r:?}");
        assert_eq!(app.block_on(noveto_server::jobs::tick(&app.state)).unwrap().escalated, 0);
        let body = app
            .block_on(app.state.store.read(|tx| {
                Ok::<_, noveto_store::StoreError>(
                    tx.query_one(
                        "SELECT recipient, body FROM outbox WHERE body LIKE '%已提级督办%' ORDER BY id DESC",
                        &[],
                    )?
                    .map(|r| (r.str(0), r.str(1))),
                )
            }))
            .unwrap()
            .unwrap();
        assert_eq!(body.0, format!("staff:{}", app.staff_id("bbc")));
        // The dispatched one's miss reaches its contact and the unit's leader in charge (BBC-2).
        let to: Vec<String> = app
            .block_on(app.state.store.read(|tx| {
                Ok::<_, noveto_store::StoreError>(
                    tx.query("SELECT recipient FROM outbox WHERE body LIKE '%已提级督办%'", &[])?
                        .iter()
                        .map(|r| r.str(0))
                        .collect(),
                )
            }))
            .unwrap();
        for who in ["clerk", "leader", "bbc"] {
            assert!(to.contains(&format!("staff:{}", app.staff_id(who))), "{who} hears of it: {to:?}");
        }
        assert!(body.1.contains("办不成事反映") && body.1.contains("办不成事办结"), "{body:?}");
        let line = l["lines"].as_array().unwrap().iter().find(|x| x["id"] == b["id"]).cloned().unwrap();
        assert_eq!((line["overdue"].as_bool(), line["phone"].as_str()), (Some(true), Some("13800001111")), "{line}");
        // BBC-6: the unit that left its matter overdue is listed for criticism, with the receipt;
        // the supervision home names both overdue matters.
        let (st, v) = app.get("/api/v1/unresolved/criticism?month=2026-11", &app.token("supervision"));
        assert_eq!(st, 200, "{v}");
        let units = v["units"].as_array().unwrap();
        assert_eq!(units.len(), 1, "{v}");
        assert_eq!((units[0]["unit_id"].as_i64(), units[0]["overdue"].as_u64()), (Some(app.ids.unit), Some(1)));
        assert_eq!(units[0]["receipts"][0].as_str(), Some(c_receipt.as_str()));
        let page = crate::cases::page_get(&app, "supervision", "/unresolved").1;
        assert!(page.contains("通报批评名单") && page.contains(&c_receipt), "{page}");
        let home = crate::cases::page_get(&app, "supervision", "/").1;
        assert!(home.contains(&c_receipt) && home.contains(b["receipt_no"].as_str().unwrap()), "{home}");
        let (_, v) = app.get("/api/v1/unresolved/criticism?month=2026-11", &app.token("leader2"));
        assert_eq!(v["units"].as_array().map(Vec::len), Some(0), "{v}");
        assert_eq!(app.get("/api/v1/unresolved/criticism?month=11", &bbc).0, 422);
        // Another unit's leader sees none; a bad week is refused.
        let (st, l) = app.get("/api/v1/unresolved/ledger?week=2026-W48", &app.token("leader2"));
        assert_eq!((st, l["lines"].as_array().map(Vec::len)), (200, Some(0)), "{l}");
        let (st, v) = app.get("/api/v1/unresolved/ledger?week=48", &bbc);
        assert_eq!((st, v["error"]["code"].as_str()), (422, Some("invalid_week")), "{v}");
    }
}

// BBC-2, BBC-4 on the page: the desk registers at the top (a failed form keeps what was typed,
// the error beside its field), sees the class's deadline as it chooses, dispatches to a unit by
// name and prints the 流转单; the unit's contact answers on the same page; another unit's leader
// sees nothing of it.
#[test]
fn bbc_2_the_desk_page() {
    use crate::cases::{page_get, page_post};
    for k in backends() {
        let app = App::spawn(k, "guilin");
        desk(&app);
        app.set_now("2026-11-23T09:00:00+08:00");
        let (st, page) = page_get(&app, "bbc", "/unresolved");
        assert_eq!(st, 200);
        assert!(page.contains("即办件，11月26日前办结") && page.contains("时限由监督部门确定"), "{page}");
        let form = [("name", "李四"), ("phone", "138"), ("class", "simple"), ("summary", "营业执照变更没办成")];
        let (st, page) = page_post(&app, "bbc", "/unresolved", &form);
        assert_eq!(st, 422);
        assert!(page.contains("联系电话格式不正确") && page.contains("营业执照变更没办成"), "kept: {page}");
        let form = [("name", "李四"), ("phone", "13800001111"), ("class", "simple"), ("summary", "营业执照变更没办成")];
        assert_eq!(page_post(&app, "bbc", "/unresolved", &form).0, 303);
        let (_, l) = app.get("/api/v1/unresolved/ledger", &app.token("bbc"));
        let id = l["lines"][0]["id"].as_i64().unwrap();
        assert!(!page_get(&app, "leader", "/unresolved").1.contains("营业执照变更没办成"), "not yet sent");
        assert_eq!(page_post(&app, "bbc", &format!("/unresolved/{id}/class"), &[("class", "general")]).0, 303);
        let (_, m) = app.get(&format!("/api/v1/unresolved/{id}"), &app.token("bbc"));
        assert_eq!((m["class"].as_str(), m["due"].as_str()), (Some("general"), Some("2026-11-30")), "{m}");
        assert_eq!(page_post(&app, "bbc", &format!("/unresolved/{id}/class"), &[("class", "simple")]).0, 303);
        let (st, page) = page_post(&app, "bbc", &format!("/unresolved/{id}/dispatch"), &[("unit_id", "")]);
        assert_eq!(st, 422);
        assert!(page.contains("请选择责任单位"), "{page}");
        let unit = app.ids.unit.to_string();
        assert_eq!(page_post(&app, "bbc", &format!("/unresolved/{id}/dispatch"), &[("unit_id", &unit)]).0, 303);
        let (st, slip) = page_get(&app, "bbc", &format!("/unresolved/{id}/slip"));
        assert_eq!(st, 200);
        assert!(slip.contains("流转单") && slip.contains("市场监管局") && slip.contains("11月26日"), "{slip}");
        // The contact (clerk) answers from the page; another unit's leader sees none of it.
        let page = page_get(&app, "clerk", "/unresolved").1;
        assert!(page.contains("营业执照变更没办成") && page.contains(&format!("/unresolved/{id}/feedback")), "{page}");
        assert!(!page_get(&app, "leader2", "/unresolved").1.contains("营业执照变更没办成"));
        assert_eq!(page_get(&app, "leader2", &format!("/unresolved/{id}/slip")).0, 403);
        let fb = [("result", "已当场办结"), ("resolved", "1")];
        assert_eq!(page_post(&app, "clerk", &format!("/unresolved/{id}/feedback"), &fb).0, 303);
        let (_, m) = app.get(&format!("/api/v1/unresolved/{id}"), &app.token("bbc"));
        assert_eq!(m["status"], "answered");
        // The desk checks with the person on the page, then it is closed.
        let page = page_get(&app, "bbc", "/unresolved").1;
        assert!(page.contains(&format!("/unresolved/{id}/verification")), "{page}");
        let v = [("note", "回访确认已办结"), ("done", "1")];
        assert_eq!(page_post(&app, "bbc", &format!("/unresolved/{id}/verification"), &v).0, 303);
        let (_, m) = app.get(&format!("/api/v1/unresolved/{id}"), &app.token("bbc"));
        assert_eq!(m["status"], "resolved");
        let csv = String::from_utf8(app.download("/api/v1/unresolved/ledger?format=csv", &app.token("bbc")).1).unwrap();
        assert!(csv.contains("受理编号,登记时间") && csv.contains("已当场办结"), "{csv}");
    }
}

// BBC, security: every role × the matter's API, the ledger (API and file) and the page — a list
// shows a matter only to whom its single read answers, and misses none of those.
#[test]
fn bbc_role_by_list_and_page_matrix() {
    use std::collections::BTreeSet;
    for k in backends() {
        let app = App::spawn(k, "guilin");
        desk(&app);
        let bbc = app.token("bbc");
        let mut all = vec![];
        for n in 0..3 {
            let (st, v) = register(&app, &bbc, "general");
            assert_eq!(st, 201, "{v}");
            let id = v["id"].as_i64().unwrap();
            if n < 2 {
                app.post(&format!("/api/v1/unresolved/{id}/dispatch"), &bbc, json!({"unit_id": app.ids.unit}));
            }
            all.push((id, v["receipt_no"].as_str().unwrap().to_string()));
        }
        let logins: Vec<&str> = SEEDED_LOGINS.iter().copied().chain(["bbc"]).collect();
        let mut some_read = 0;
        for login in logins {
            let token = app.token(login);
            let readable: BTreeSet<i64> = all
                .iter()
                .map(|(id, _)| *id)
                .filter(|id| app.get(&format!("/api/v1/unresolved/{id}"), &token).0 == 200)
                .collect();
            some_read += usize::from(!readable.is_empty());
            let (st, l) = app.get("/api/v1/unresolved/ledger", &token);
            assert!(st == 200 || st == 403, "{login}: {st} {l}");
            let listed: BTreeSet<i64> =
                l["lines"].as_array().map(|a| a.iter().filter_map(|x| x["id"].as_i64()).collect()).unwrap_or_default();
            assert_eq!(listed, readable, "{login}: the ledger and the single reads disagree");
            let (pst, html) = crate::cases::page_get(&app, login, "/unresolved");
            assert!(pst == 200 || pst == 403, "{login} page: {pst}");
            assert_eq!(pst, st, "{login}: page {pst}, API {st}");
            for (id, receipt) in &all {
                assert_eq!(html.contains(receipt.as_str()), readable.contains(id), "{login}: {receipt} on the page");
            }
            if st == 200 {
                let csv = String::from_utf8(app.download("/api/v1/unresolved/ledger?format=csv", &token).1).unwrap();
                for (id, receipt) in &all {
                    assert_eq!(csv.contains(receipt.as_str()), readable.contains(id), "{login}: {receipt} in the file");
                }
            }
        }
        assert!(some_read >= 4, "the desk, the contact, the unit's leaders and the center read some");
        let (_, l) = app.get("/api/v1/unresolved/ledger", &app.token("leader2"));
        assert_eq!(l["lines"].as_array().map(Vec::len), Some(0), "another unit's leader reads none");
    }
}

// CAL-2 for the desk: a matter whose deadline reaches into a year without a notice moves when
// the notice is imported, like a case's, and the job runner's row follows.
#[test]
fn cal_2_a_matters_deadline_follows_the_next_years_notice() {
    for k in backends() {
        let app = App::spawn(k, "guilin");
        desk(&app);
        app.set_now("2026-12-28T09:00:00+08:00");
        let bbc = app.token("bbc");
        // 5 working days from 2026-12-28: 12-29, 12-30, 12-31, (01-01 off) 01-04, 01-05.
        let (_, m) = register(&app, &bbc, "general");
        assert_eq!(m["due"], "2027-01-05", "{m}");
        let json2027 = r#"{"year":2027,"papers":["测试通知"],"days":[{"name":"元旦","date":"2027-01-01","isOffDay":true},{"name":"元旦","date":"2027-01-04","isOffDay":true},{"name":"元旦","date":"2027-01-05","isOffDay":true}]}"#;
        let (st, v) = app.post("/api/v1/calendar/years", &app.token("admin"), json!({"content": json2027}));
        assert_eq!(st, 200, "{v}");
        let (_, after) = app.get(&format!("/api/v1/unresolved/{}", m["id"]), &bbc);
        assert_eq!(after["due"], "2027-01-07", "{after}");
        let row = app
            .block_on(app.state.store.read(|tx| {
                Ok::<_, noveto_store::StoreError>(
                    tx.query_one("SELECT due FROM deadlines WHERE entity = 'unresolved'", &[])?.map(|r| r.str(0)),
                )
            }))
            .unwrap();
        assert_eq!(row.as_deref(), Some("2027-01-07"));
        assert!(app.audit_ok());
    }
}

// PUB-1, BBC-1, BBC-2: without an account a person submits a 办不成事 matter online (it reaches
// the center's desk as 承诺件, the desk classes it), and follows it — or their case — by receipt
// number and phone; a wrong pair answers exactly like an unknown number; both are throttled.
#[test]
fn pub_1_submit_online_and_follow() {
    for k in backends() {
        let app = App::spawn(k, "guilin");
        desk(&app);
        app.set_now("2026-11-23T09:00:00+08:00");
        let body = json!({"reporter": {"name": "赵六", "phone": "139 0719 2222"}, "summary": "网上申请的医保转移三周没有结果"});
        let (st, v) = app.call("POST", "/api/v1/public/unresolved", None, Some(body.clone()));
        assert_eq!((st, v["due"].as_str()), (201, Some("2026-11-30")), "{v}");
        let receipt = v["receipt_no"].as_str().unwrap().to_string();
        let bad = json!({"reporter": {"name": "赵六", "phone": "12"}, "summary": "x"});
        let (st, v) = app.call("POST", "/api/v1/public/unresolved", None, Some(bad));
        assert_eq!((st, v["error"]["code"].as_str()), (422, Some("invalid_phone")), "{v}");
        // The desk sees it and classes it: the deadline follows, from registration.
        let bbc = app.token("bbc");
        let (_, l) = app.get("/api/v1/unresolved/ledger", &bbc);
        let id = l["lines"].as_array().unwrap().iter().find(|x| x["receipt_no"] == receipt.as_str()).unwrap()["id"]
            .as_i64()
            .unwrap();
        app.set_now("2026-11-24T09:00:00+08:00");
        let (st, v) = app.post(&format!("/api/v1/unresolved/{id}/class"), &bbc, json!({"class": "simple"}));
        assert_eq!((st, v["due"].as_str()), (200, Some("2026-11-26")), "{v}");
        assert_eq!(
            app.post(&format!("/api/v1/unresolved/{id}/class"), &app.token("clerk"), json!({"class": "simple"})).0,
            403
        );
        // Follow: the right pair (spaces in the phone do not matter), a wrong phone, an unknown number.
        let follow = |r: &str, phone: &str| {
            app.call("GET", &format!("/api/v1/public/follow?receipt_no={r}&phone={phone}"), None, None)
        };
        let (st, f) = follow(&receipt, "13907192222");
        assert_eq!(
            (st, f["kind"].as_str(), f["status"].as_str()),
            (200, Some("unresolved"), Some("已登记，待流转")),
            "{f}"
        );
        assert_eq!((f["due"].as_str(), f["steps"][0]["what"].as_str()), (Some("2026-11-26"), Some("已登记")), "{f}");
        let (st, wrong) = follow(&receipt, "13907193333");
        let (st2, unknown) = follow("BC20260101999999", "13907192222");
        assert_eq!((st, st2), (404, 404));
        assert_eq!(wrong, unknown, "a wrong pair answers like an unknown number");
        // A case by its receipt number and the applicant's phone; no staff name in it.
        let case = app.new_case(&app.token("clerk"), None);
        let (_, c) = app.get(&format!("/api/v1/cases/{case}"), &app.token("clerk"));
        let (st, f) = follow(c["receipt_no"].as_str().unwrap(), "13812345678");
        assert_eq!(
            (st, f["kind"].as_str(), f["steps"][0]["what"].as_str()),
            (200, Some("case"), Some("已接件")),
            "{f}"
        );
        assert!(!f.to_string().contains("clerk"), "{f}");
        // Throttled: five submissions an hour from one phone (the first, yesterday, does not
        // count), then 429 for that phone — and nothing registered.
        for _ in 0..5 {
            assert_eq!(app.call("POST", "/api/v1/public/unresolved", None, Some(body.clone())).0, 201);
        }
        let (st, v) = app.call("POST", "/api/v1/public/unresolved", None, Some(body.clone()));
        assert_eq!((st, v["error"]["code"].as_str()), (429, Some("too_many_submissions")), "{v}");
        let (_, l) = app.get("/api/v1/unresolved/ledger", &bbc);
        assert_eq!(l["registered"], 6, "{l}");
        // … and after 10 wrong phones for one receipt number (the one above and nine fired at
        // once), that number may not be tried again this hour — while the same address (a hall's
        // Wi-Fi) still follows another matter: addresses only wait longer (issue 26).
        std::thread::scope(|sc| {
            for n in 0..9 {
                let (f, r) = (&follow, &receipt);
                sc.spawn(move || assert_eq!(f(r, &format!("139071{n:05}")).0, 404));
            }
        });
        let (st, v) = follow(&receipt, "13907192222");
        assert_eq!((st, v["error"]["code"].as_str()), (429, Some("too_many_attempts")), "{v}");
        assert_eq!(follow(c["receipt_no"].as_str().unwrap(), "13812345678").0, 200, "another matter from here");
        app.set_now("2026-11-24T10:30:00+08:00");
        assert_eq!(follow(&receipt, "13907192222").0, 200, "an hour later");
    }
}

// BBC-1, BBC-2, BBC-3, BBC-4, BBC-7: only the unit answers (the desk and the hall manager never
// in its place); the answer is held back while it reads as a refusal; the desk checks it with
// the person — back to the unit when it is not done; a matter that cannot be done is filed by the
// desk head, not a desk clerk; outside government services the right body is named; the
// one-time notice is given once and printed on the 登记回执; a bottleneck the desk finds reaches
// the unit's contact, who reads it.
#[test]
fn bbc_2_only_the_unit_answers_and_the_desk_closes() {
    for k in backends() {
        let app = App::spawn(k, "guilin");
        desk(&app);
        app.add_staff("bbc_head", "window_head", json!({"window_id": app.block_on(app.state.store.read(|tx| {
            Ok::<_, noveto_store::StoreError>(tx.query_one("SELECT id FROM windows WHERE kind = 'unresolved_desk'", &[])?.unwrap().i64(0))
        })).unwrap()}));
        app.set_now("2026-11-23T09:00:00+08:00");
        let bbc = app.token("bbc");
        let (_, m) = register(&app, &bbc, "general");
        let m = m["id"].as_i64().unwrap();
        let path = |x: &str| format!("/api/v1/unresolved/{m}/{x}");
        // BBC-4: told once, every part of it.
        let notice = json!({"materials": "营业执照原件", "window": "A6 窗口", "person": "王芳", "contact": "0719-1"});
        let (st, v) = app.post(
            &path("notice"),
            &bbc,
            json!({"materials": "营业执照原件", "window": "", "person": "王芳", "contact": "0719-1"}),
        );
        assert_eq!(st, 422, "{v}");
        assert_eq!(app.post(&path("notice"), &bbc, notice.clone()).0, 200);
        let (st, v) = app.post(&path("notice"), &bbc, notice);
        assert_eq!((st, v["error"]["code"].as_str()), (409, Some("already_told")), "{v}");
        let (st, pdf) = app.download(&format!("/api/v1/unresolved/{m}/documents/receipt.pdf"), &bbc);
        assert_eq!(st, 200);
        let text = crate::complaints::pdf_text(&pdf);
        assert!(
            text.contains("一次性告知") && text.contains("营业执照原件") && text.contains("2026年11月23日"),
            "{text}"
        );
        app.post(&path("dispatch"), &bbc, json!({"unit_id": app.ids.unit}));
        let answer = |t: &str, resolved: bool| json!({"result": t, "resolved": resolved});
        for who in ["bbc", "hall", "bbc_head", "clerk2", "leader2"] {
            let (st, v) = app.post(&path("feedback"), &app.token(who), answer("已办结", true));
            assert_eq!(st, 403, "{who} answered in the unit's place: {v}");
        }
        let (st, v) = app.post(&path("feedback"), &app.token("clerk"), answer("这个办不了", false));
        assert_eq!((st, v["error"]["code"].as_str()), (409, Some("refusal_phrases")), "NV-14: {v}");
        let (st, v) = app.post(&path("feedback"), &app.token("clerk"), answer("已当场办结", true));
        assert_eq!((st, v["status"].as_str()), (200, Some("answered")), "{v}");
        // The person says it is not done: back to the unit.
        let (st, v) = app.post(&path("verification"), &bbc, json!({"done": false, "note": "李四说还没拿到执照"}));
        assert_eq!((st, v["status"].as_str()), (200, Some("dispatched")), "{v}");
        let (st, v) = app.post(
            &path("feedback"),
            &app.token("leader"),
            answer("历史遗留问题，需待法院判决后办理，理由已书面告知", false),
        );
        assert_eq!((st, v["status"].as_str()), (200, Some("answered")), "{v}");
        // BBC-3: what cannot be done is filed by the desk head.
        let v = json!({"done": true, "note": "书面理由已送达李四"});
        assert_eq!(app.post(&path("verification"), &bbc, v.clone()).0, 403);
        let (st, r) = app.post(&path("verification"), &app.token("bbc_head"), v);
        assert_eq!((st, r["status"].as_str()), (200, Some("explained")), "{r}");
        // BBC-1: outside government services.
        let (_, o) = register(&app, &bbc, "simple");
        let o = o["id"].as_i64().unwrap();
        let body = json!({"name": "市供电公司营业厅", "address": "滨江路 1 号", "phone": "95598"});
        assert_eq!(app.post(&format!("/api/v1/unresolved/{o}/outside"), &app.token("clerk"), body.clone()).0, 403);
        let (st, v) = app.post(&format!("/api/v1/unresolved/{o}/outside"), &bbc, body);
        assert_eq!(
            (st, v["status"].as_str(), v["outside_body"]["phone"].as_str()),
            (200, Some("referred"), Some("95598")),
            "{v}"
        );
        let (_, f) = app.call(
            "GET",
            &format!("/api/v1/public/follow?receipt_no={}&phone=13800001111", v["receipt_no"].as_str().unwrap()),
            None,
            None,
        );
        assert!(
            f["answer"].as_str().unwrap().contains("市供电公司营业厅")
                && f["answer"].as_str().unwrap().contains("95598"),
            "{f}"
        );
        // BBC-7: a bottleneck the desk finds reaches the unit's contact, who reads it.
        let (_, b) = register(&app, &bbc, "simple");
        let b = b["id"].as_i64().unwrap();
        app.post(&format!("/api/v1/unresolved/{b}/dispatch"), &bbc, json!({"unit_id": app.ids.unit}));
        let (st, v) =
            app.post(&format!("/api/v1/unresolved/{b}/bottleneck"), &bbc, json!({"text": "网上退件不写理由"}));
        assert_eq!(st, 201, "{v}");
        let sid = v["suggestion_id"].as_i64().unwrap();
        let (st, sg) = app.get(&format!("/api/v1/suggestions/{sid}"), &app.token("clerk"));
        assert_eq!((st, sg["unit_id"].as_i64()), (200, Some(app.ids.unit)), "the contact reads it: {sg}");
        assert_eq!(app.get(&format!("/api/v1/suggestions/{sid}"), &app.token("clerk2")).0, 403);
        let told: i64 = app
            .block_on(app.state.store.read({
                let to = format!("staff:{}", app.staff_id("clerk"));
                move |tx| {
                    Ok::<_, noveto_store::StoreError>(
                        tx.query_one(
                            "SELECT COUNT(*) FROM outbox WHERE recipient = $1 AND body LIKE '%网上退件不写理由%'",
                            noveto_store::params![to.as_str()],
                        )?
                        .unwrap()
                        .i64(0),
                    )
                }
            }))
            .unwrap();
        assert_eq!(told, 1);
        // The contact's home page lists what was dispatched to them.
        let home = crate::cases::page_get(&app, "clerk", "/").1;
        assert!(home.contains("交给我（本单位）办理的") && home.contains(&format!("/unresolved#u{b}")), "{home}");
        assert!(app.audit_ok());
    }
}

// BBC-5, BBC-6: the job runner makes the desk's Friday ledger and the center's Monday roll-up
// once each (the Friday moved to the last working day before it when it is a holiday), keeps
// them, lists them, serves them as XLSX and PDF, and announces them through the outbox; the
// supervision section refers a stalling unit for accountability with the evidence.
#[test]
fn bbc_5_weekly_reports_are_made_kept_and_sent() {
    for k in backends() {
        let app = App::spawn(k, "guilin");
        desk(&app);
        app.add_staff("bbc_head", "window_head", json!({"window_id": app.block_on(app.state.store.read(|tx| {
            Ok::<_, noveto_store::StoreError>(tx.query_one("SELECT id FROM windows WHERE kind = 'unresolved_desk'", &[])?.unwrap().i64(0))
        })).unwrap()}));
        app.set_now("2026-11-23T09:00:00+08:00");
        let bbc = app.token("bbc");
        let (_, a) = register(&app, &bbc, "simple");
        app.post(&format!("/api/v1/unresolved/{}/dispatch", a["id"]), &bbc, json!({"unit_id": app.ids.unit}));
        let tick = || app.block_on(noveto_app::jobs::tick(&app.state)).unwrap();
        app.set_now("2026-11-26T09:00:00+08:00"); // Thursday: only last week's roll-up, owed since Monday
        assert_eq!(tick().reports, 1);
        assert_eq!(tick().reports, 0);
        app.set_now("2026-11-27T17:00:00+08:00"); // Friday
        assert_eq!(tick().reports, 1);
        assert_eq!(tick().reports, 0, "once");
        app.set_now("2026-11-30T09:00:00+08:00"); // Monday: last week's roll-up
        assert_eq!(tick().reports, 1);
        let (st, list) = app.get("/api/v1/unresolved/reports", &app.token("supervision"));
        assert_eq!((st, list["reports"].as_array().map(|x| x.len())), (200, Some(3)), "{list}");
        assert!(list["reports"][1]["title"].as_str().unwrap().contains("2026-W48，窗口报中心"), "{list}");
        let id = list["reports"][1]["id"].as_i64().unwrap();
        let (st, x) = app.download(&format!("/api/v1/unresolved/reports/{id}.xlsx"), &app.token("hall"));
        assert_eq!(st, 200);
        let rows = noveto_app::catalog_file::read_rows(&x).unwrap();
        assert_eq!(rows[0][0], "受理编号");
        assert_eq!(rows[1][3], "138****1111", "the report keeps the phone masked");
        let (st, pdf) = app.download(&format!("/api/v1/unresolved/reports/{id}.pdf"), &app.token("hall"));
        assert_eq!(st, 200);
        assert!(crate::complaints::pdf_text(&pdf).contains("窗口报中心"));
        let (_, none) = app.get("/api/v1/unresolved/reports", &app.token("leader2"));
        assert_eq!(
            none["reports"].as_array().map(|x| x.len()),
            Some(0),
            "a unit leader reads no center report: {none}"
        );
        assert_eq!(app.download(&format!("/api/v1/unresolved/reports/{id}.pdf"), &app.token("leader2")).0, 403);
        let sent: i64 = app
            .block_on(app.state.store.read(|tx| {
                Ok::<_, noveto_store::StoreError>(
                    tx.query_one("SELECT COUNT(*) FROM outbox WHERE dedupe LIKE 'report:%'", &[])?.unwrap().i64(0),
                )
            }))
            .unwrap();
        assert!(sent >= 3, "the desk head and hall manager on Friday, the supervision section on Monday: {sent}");
        // BBC-6: the matter is overdue now; its unit is referred for accountability, once.
        let body = json!({"unit_id": app.ids.unit, "month": "2026-11", "note": "多次超期不办"});
        assert_eq!(app.post("/api/v1/unresolved/accountability", &bbc, body.clone()).0, 403);
        let (st, v) = app.post("/api/v1/unresolved/accountability", &app.token("supervision"), body.clone());
        assert_eq!(st, 201, "{v}");
        let (st, v) = app.post("/api/v1/unresolved/accountability", &app.token("supervision"), body);
        assert_eq!((st, v["error"]["code"].as_str()), (409, Some("already_referred")), "{v}");
        let (st, v) = app.post(
            "/api/v1/unresolved/accountability",
            &app.token("supervision"),
            json!({"unit_id": app.ids.unit2, "month": "2026-11", "note": "x"}),
        );
        assert_eq!((st, v["error"]["code"].as_str()), (422, Some("no_evidence")), "{v}");
        assert!(app.audit_ok());
    }
}

// NV-13: a veto nobody owns goes to the 办不成事 desk (by the window head, not the clerk), which
// gives the final answer within the policy's deadline; the case shows it.
#[test]
fn nv_13_a_veto_nobody_owns_is_answered_by_the_desk() {
    for k in backends() {
        let app = App::spawn(k, "ankang");
        desk(&app);
        let head = app.token("head");
        let id = app.new_case(&head, None);
        app.request_veto(&head, id);
        let body = json!({"reason": "市场监管和商务两个单位都认为不归本单位"});
        assert_eq!(app.post(&format!("/api/v1/cases/{id}/fallback"), &app.token("clerk"), body.clone()).0, 403);
        let (st, v) = app.post(&format!("/api/v1/cases/{id}/fallback"), &head, body.clone());
        assert_eq!(st, 201, "{v}");
        let m = v["unresolved_id"].as_i64().unwrap();
        let (st, v) = app.post(&format!("/api/v1/cases/{id}/fallback"), &head, body);
        assert_eq!((st, v["error"]["code"].as_str()), (409, Some("already_fallen_back")), "{v}");
        let (_, mv) = app.get(&format!("/api/v1/unresolved/{m}"), &app.token("bbc"));
        assert!(mv["fallback"]["case_id"].as_i64() == Some(id) && mv["due"].is_string(), "{mv}");
        assert!(mv["offers"].as_array().unwrap().iter().all(|o| o != "dispatch"), "{mv}");
        let answer = json!({"answer": "经会同业务科室研究，由市场监管局受理，已通知申请人前往办理"});
        assert_eq!(
            app.post(&format!("/api/v1/unresolved/{m}/final-answer"), &app.token("bbc"), answer.clone()).0,
            403,
            "the desk head or the business section"
        );
        let (st, v) = app.post(&format!("/api/v1/unresolved/{m}/final-answer"), &app.token("business"), answer);
        assert_eq!((st, v["status"].as_str()), (200, Some("explained")), "{v}");
        let (_, c) = app.get(&format!("/api/v1/cases/{id}"), &head);
        assert!(c["fallback"]["answer"].as_str().unwrap().contains("市场监管局受理"), "{c}");
    }
}
