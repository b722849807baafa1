//! TC: 吐槽找茬 complaints over HTTP, on both stores — registered by the first contact or the
//! supervision section, assigned to a lead section and co-sections, contacted at once, done in
//! 1 working day (5 when granted), the director's meeting, the reply checked for refusal phrases,
//! filed; confidentiality walked for every role and every door; the public side; 12345.

use crate::cases::{page_get, page_post};
use crate::helpers::*;
use serde_json::{Value, json};

/// The liaison tables of both units: unit (leader `leader`, contact `clerk`), unit2 (leader
/// `leader2`, contact `clerk2`).
pub fn sections(app: &App) {
    let admin = app.token("admin");
    for (unit, leader, contact) in [(app.ids.unit, "leader", "clerk"), (app.ids.unit2, "leader2", "clerk2")] {
        let body = json!({"leader_id": app.staff_id(leader), "contact_id": app.staff_id(contact)});
        let (st, v) = app.call("PUT", &format!("/api/v1/units/{unit}/liaison"), Some(&admin), Some(body));
        assert_eq!(st, 200, "{v}");
    }
}

fn complaint(channel: &str, name: &str, phone: &str, confidential: bool) -> Value {
    json!({"channel": channel, "category": "attitude", "content": "不动产窗口工作人员态度生硬，问两遍就不理人",
           "complainant": {"name": name, "phone": phone}, "confidential": confidential})
}

fn id(v: &Value) -> i64 {
    v["id"].as_i64().unwrap_or_else(|| panic!("no id: {v}"))
}

/// The events of a complaint with this name, from the store.
fn events(app: &App, complaint: i64, name: &str) -> i64 {
    let n = name.to_string();
    app.block_on(app.state.store.read(move |tx| {
        Ok::<_, noveto_store::StoreError>(
            tx.query_one(
                "SELECT COUNT(*) FROM ticket_events WHERE entity = 'complaint' AND entity_id = $1 AND name = $2",
                noveto_store::params![complaint, n.as_str()],
            )?
            .unwrap()
            .i64(0),
        )
    }))
    .unwrap()
}

// TC-1, TC-2, TC-4, TC-6, TC-7, NV-14: the supervision section registers what came online (a
// clerk may not); the first contact of an in-person complaint answers it on the spot; a lead
// section and a co-section; the contact made at once; the complex deadline granted once with a
// reason; a reply with a refusal phrase is held back; the reply reaches the complainant by SMS;
// filed in the ledger; the 承办单 printed with every field; bad input changes nothing.
#[test]
fn tc_1_7_a_complaint_from_registration_to_the_ledger() {
    for k in backends() {
        let app = App::spawn(k, "weihai-huancui");
        sections(&app);
        app.set_now("2026-11-27T10:00:00+08:00"); // a Friday
        let sup = app.token("supervision");
        let (st, a) = app.post("/api/v1/complaints", &sup, complaint("website", "韩梅", "13800002222", false));
        assert_eq!(st, 201, "{a}");
        assert!(a["receipt_no"].as_str().unwrap().starts_with("TC20261127"), "{a}");
        assert_eq!(a["due"], "2026-11-30", "1 working day: Monday");
        let audit = app.audit_len();
        for (body, code) in [
            (
                json!({"channel": "fax", "category": "attitude", "content": "x", "complainant": {"name": "甲", "phone": "13800002222"}, "confidential": false}),
                "invalid_channel",
            ),
            (
                json!({"channel": "website", "category": "rude", "content": "x", "complainant": {"name": "甲", "phone": "13800002222"}, "confidential": false}),
                "invalid_category",
            ),
            (
                json!({"channel": "website", "category": "other", "content": "x", "complainant": {"name": "甲", "phone": "12"}, "confidential": false}),
                "invalid_phone",
            ),
            (
                json!({"channel": "website", "category": "other", "content": " ", "complainant": {"name": "甲", "phone": "13800002222"}, "confidential": false}),
                "required",
            ),
        ] {
            let (st, v) = app.post("/api/v1/complaints", &sup, body);
            assert_eq!((st, v["error"]["code"].as_str()), (422, Some(code)), "{v}");
        }
        assert_eq!(app.audit_len(), audit, "refused input changed nothing");
        let clerk = app.token("clerk");
        let (st, v) = app.post("/api/v1/complaints", &clerk, complaint("box", "甲", "13800002222", false));
        assert_eq!(st, 403, "TC-2: the box is the supervision section's: {v}");
        // In person: the clerk is the first contact and answers on the spot; nobody else may.
        let (st, spot) = app.post("/api/v1/complaints", &clerk, complaint("window", "乙", "13800003333", false));
        assert_eq!(st, 201, "{spot}");
        let spot = id(&spot);
        let (_, v) = app.get(&format!("/api/v1/complaints/{spot}"), &clerk);
        assert_eq!(
            (v["first_contact"].as_i64(), v["offers"][0].as_str()),
            (Some(app.staff_id("clerk")), Some("answer_on_spot")),
            "{v}"
        );
        let body = json!({"reply": "已当场核实并向您说明办理流程"});
        assert_eq!(app.post(&format!("/api/v1/complaints/{spot}/on-spot"), &app.token("clerk_b"), body.clone()).0, 403);
        let (st, v) = app.post(&format!("/api/v1/complaints/{spot}/on-spot"), &clerk, body);
        assert_eq!((st, v["status"].as_str(), v["on_spot"].as_bool()), (200, Some("closed"), Some(true)), "{v}");

        // Assigned: a lead section (its contact answers for it) and a co-section.
        let a = id(&a);
        let assign = |unit: i64, lead: bool| {
            app.post(&format!("/api/v1/complaints/{a}/assign"), &sup, json!({"unit_id": unit, "lead": lead}))
        };
        assert_eq!(
            app.post(&format!("/api/v1/complaints/{a}/assign"), &clerk, json!({"unit_id": app.ids.unit, "lead": true}))
                .0,
            403
        );
        let (st, v) = assign(app.ids.unit2, false);
        assert_eq!((st, v["error"]["code"].as_str()), (422, Some("lead_first")), "{v}");
        let (st, v) = assign(app.ids.unit, true);
        assert_eq!((st, v["assignee"].as_i64()), (200, Some(app.staff_id("clerk"))), "{v}");
        let (st, v) = assign(app.ids.unit2, true);
        assert_eq!((st, v["error"]["code"].as_str()), (409, Some("lead_taken")), "{v}");
        assert_eq!(assign(app.ids.unit2, false).0, 200);
        let (_, v) = app.get(&format!("/api/v1/complaints/{a}"), &app.token("leader"));
        assert_eq!(
            v["complainant"]["name"], "韩梅",
            "the handling section sees a complainant who did not ask for confidentiality: {v}"
        );
        // The contact clock: the same day.
        let due: Vec<String> = app
            .block_on(app.state.store.read(move |tx| {
                Ok::<_, noveto_store::StoreError>(
                    tx.query(
                        "SELECT what, due FROM deadlines WHERE entity = 'complaint' AND entity_id = $1 ORDER BY what",
                        noveto_store::params![a],
                    )?
                    .iter()
                    .map(|r| format!("{}={}", r.str(0), r.str(1)))
                    .collect(),
                )
            }))
            .unwrap();
        assert_eq!(due, vec!["complaint_contact=2026-11-27", "complaint_done=2026-11-30"], "TC-4");
        let (st, v) =
            app.post(&format!("/api/v1/complaints/{a}/contact"), &clerk, json!({"note": "已电话联系韩梅核实"}));
        assert_eq!((st, v["contact_note"].as_str()), (200, Some("已电话联系韩梅核实")), "{v}");
        // TC-4: the complex deadline, by the supervision section only, with a reason, once.
        assert_eq!(app.post(&format!("/api/v1/complaints/{a}/extension"), &clerk, json!({"reason": "复杂"})).0, 403);
        let (st, v) = app.post(&format!("/api/v1/complaints/{a}/extension"), &sup, json!({"reason": " "}));
        assert_eq!((st, v["error"]["code"].as_str()), (422, Some("required")), "{v}");
        let (st, v) = app.post(&format!("/api/v1/complaints/{a}/extension"), &sup, json!({"reason": "需调取监控核实"}));
        assert_eq!((st, v["due"].as_str()), (200, Some("2026-12-04")), "5 working days from receipt: {v}");
        let (st, v) = app.post(&format!("/api/v1/complaints/{a}/extension"), &sup, json!({"reason": "再延"}));
        assert_eq!((st, v["error"]["code"].as_str()), (409, Some("already_extended")), "{v}");
        // TC-3: the co-section's opinion, by its contact only.
        assert_eq!(app.post(&format!("/api/v1/complaints/{a}/co-opinion"), &clerk, json!({"text": "x"})).0, 403);
        let (st, v) = app.post(
            &format!("/api/v1/complaints/{a}/co-opinion"),
            &app.token("clerk2"),
            json!({"text": "本科室无相关记录"}),
        );
        assert_eq!(st, 200, "{v}");
        // NV-14: a refusal in the reply is held back until its writer says how it can be done.
        let reply = |r: &str| json!({"opinion": "调取监控属实，已批评教育", "reply": r});
        assert_eq!(
            app.post(&format!("/api/v1/complaints/{a}/reply"), &app.token("clerk2"), reply("已整改")).0,
            403,
            "the co-section does not reply"
        );
        let (st, v) = app.post(&format!("/api/v1/complaints/{a}/reply"), &clerk, reply("这事不归我管"));
        assert_eq!((st, v["error"]["code"].as_str()), (409, Some("refusal_phrases")), "{v}");
        let (st, v) = app.post(
            &format!("/api/v1/complaints/{a}/reply"),
            &clerk,
            reply("情况属实，已对工作人员批评教育，欢迎继续监督"),
        );
        assert_eq!((st, v["status"].as_str()), (200, Some("replied")), "{v}");
        let sms: i64 = app
            .block_on(app.state.store.read(|tx| {
                Ok::<_, noveto_store::StoreError>(
                    tx.query_one(
                        "SELECT COUNT(*) FROM outbox WHERE recipient = 'phone:13800002222' AND body LIKE '%批评教育%'",
                        &[],
                    )?
                    .unwrap()
                    .i64(0),
                )
            }))
            .unwrap();
        assert_eq!(sms, 1, "the reply reaches the complainant");
        // TC-7: filed by the supervision section.
        assert_eq!(app.post(&format!("/api/v1/complaints/{a}/close"), &clerk, json!({"note": ""})).0, 403);
        let (st, v) = app.post(&format!("/api/v1/complaints/{a}/close"), &sup, json!({"note": "整改措施已公示"}));
        assert_eq!((st, v["status"].as_str()), (200, Some("closed")), "{v}");
        let (st, l) = app.get("/api/v1/complaints?from=2026-11-01&to=2026-12-01", &sup);
        assert_eq!((st, l["complaints"].as_array().map(|x| x.len())), (200, Some(2)), "{l}");
        let csv =
            String::from_utf8(app.download("/api/v1/complaints?format=csv&from=2026-11-01&to=2026-12-01", &sup).1)
                .unwrap();
        assert!(csv.contains("事项来源") && csv.contains("承办科室") && csv.contains("欢迎继续监督"), "{csv}");
        let (_, an) = app.get("/api/v1/complaints/analysis?from=2026-11-01&to=2026-12-01", &sup);
        assert_eq!((an["total"].as_u64(), an["on_spot"].as_u64()), (Some(2), Some(1)), "{an}");
        // TC-6: the 承办单 with every field of the seed, as a PDF with text.
        let (st, pdf) = app.download(&format!("/api/v1/complaints/{a}/documents/handling-form.pdf"), &sup);
        assert_eq!(st, 200);
        let text = pdf_text(&pdf);
        for f in [
            "事项来源",
            "承办科室",
            "诉求人",
            "联系方式",
            "受理时间",
            "处理时限",
            "“吐槽找茬”内容",
            "办理意见",
            "回复情况",
            "韩梅",
            "2026年12月4日",
            "本科室无相关记录",
        ] {
            assert!(text.contains(f), "{f} missing from the 承办单: {text}");
        }
        assert_eq!(events(&app, a, "complaint.replied"), 1);
        assert!(app.audit_ok());
    }
}

/// The text of a PDF (pdftotext).
pub fn pdf_text(pdf: &[u8]) -> String {
    let dir = tmpdir();
    let f = dir.join("x.pdf");
    std::fs::write(&f, pdf).unwrap();
    let out = std::process::Command::new("pdftotext").arg(&f).arg("-").output().expect("pdftotext (poppler-utils)");
    let _ = std::fs::remove_dir_all(&dir);
    String::from_utf8_lossy(&out.stdout).replace([' ', '\n'], "")
}

// TC-3: what no section can solve goes to the director's meeting; its decision is recorded (by
// the director or the supervision section, nobody else) and the section it names replies.
#[test]
fn tc_3_the_directors_meeting_names_the_section_that_replies() {
    for k in backends() {
        let app = App::spawn(k, "weihai-huancui");
        sections(&app);
        let sup = app.token("supervision");
        let (_, c) = app.post("/api/v1/complaints", &sup, complaint("wechat", "丙", "13800004444", false));
        let c = id(&c);
        app.post(&format!("/api/v1/complaints/{c}/assign"), &sup, json!({"unit_id": app.ids.unit, "lead": true}));
        let (st, v) = app.post(
            &format!("/api/v1/complaints/{c}/meeting"),
            &app.token("clerk"),
            json!({"reason": "涉及编制，科室无法决定"}),
        );
        assert_eq!((st, v["status"].as_str()), (200, Some("at_meeting")), "{v}");
        let decision = json!({"decision": "周六上午开放窗口，由社保科室负责", "unit_id": app.ids.unit2});
        for who in ["clerk", "leader", "hall"] {
            assert_eq!(
                app.post(&format!("/api/v1/complaints/{c}/meeting/decision"), &app.token(who), decision.clone()).0,
                403,
                "{who}"
            );
        }
        let (st, v) = app.post(&format!("/api/v1/complaints/{c}/meeting/decision"), &app.token("director"), decision);
        assert_eq!(
            (st, v["lead"].as_i64(), v["assignee"].as_i64()),
            (200, Some(app.ids.unit2), Some(app.staff_id("clerk2"))),
            "{v}"
        );
        let reply = json!({"opinion": "局长办公会决定周六开放", "reply": "自下周起周六上午开放社保窗口"});
        assert_eq!(
            app.post(&format!("/api/v1/complaints/{c}/reply"), &app.token("clerk"), reply.clone()).0,
            403,
            "no longer the lead"
        );
        assert_eq!(app.post(&format!("/api/v1/complaints/{c}/reply"), &app.token("clerk2"), reply).0, 200);
    }
}

// TC-3 (concurrency): 100 assignments of a lead section at once record one; 100 replies at once
// record one.
#[test]
fn tc_3_one_hundred_concurrent_assignments_or_replies_record_one() {
    for k in backends() {
        let app = App::spawn(k, "weihai-huancui");
        sections(&app);
        let sup = app.token("supervision");
        let (_, c) = app.post("/api/v1/complaints", &sup, complaint("website", "丁", "13800005555", false));
        let c = id(&c);
        let codes = app.at_once(
            &format!("/api/v1/complaints/{c}/assign"),
            &sup,
            100,
            |i| json!({"unit_id": if i % 2 == 0 { app.ids.unit } else { app.ids.unit2 }, "lead": true}),
        );
        assert_eq!(codes.iter().filter(|c| **c == 200).count(), 1, "{codes:?}");
        assert_eq!(codes.iter().filter(|c| **c == 409).count(), 99, "{codes:?}");
        assert_eq!(events(&app, c, "complaint.assigned"), 1);
        let (_, v) = app.get(&format!("/api/v1/complaints/{c}"), &sup);
        let lead = v["lead"].as_i64().unwrap();
        let contact = if lead == app.ids.unit { "clerk" } else { "clerk2" };
        let t = app.token(contact);
        let codes = app.at_once(
            &format!("/api/v1/complaints/{c}/reply"),
            &t,
            100,
            |i| json!({"opinion": format!("意见 {i}"), "reply": format!("已整改，感谢监督（{i}）")}),
        );
        assert_eq!(codes.iter().filter(|c| **c == 200).count(), 1, "{codes:?}");
        assert_eq!(codes.iter().filter(|c| **c == 409).count(), 99, "{codes:?}");
        assert_eq!(events(&app, c, "complaint.replied"), 1);
        assert!(app.audit_ok());
    }
}

// TC-5: a complainant who asked for confidentiality is seen by the supervision section only — for
// every other role, on every door: the complaint, the ledger and its files, the analysis, the
// events, the 承办单 in HTML and PDF, the page, the hotline export; never in a message to staff
// nor in the audit chain. The supervision section makes the contact.
#[test]
fn tc_5_the_confidentiality_walk() {
    for k in backends() {
        let app = App::spawn(k, "weihai-huancui");
        sections(&app);
        let sup = app.token("supervision");
        let (name, phone) = ("保密人甲", "13912340000");
        let (st, c) = app.post("/api/v1/complaints", &sup, complaint("website", name, phone, true));
        assert_eq!(st, 201, "{c}");
        let c = id(&c);
        app.post(&format!("/api/v1/complaints/{c}/assign"), &sup, json!({"unit_id": app.ids.unit, "lead": true}));
        app.post(&format!("/api/v1/complaints/{c}/assign"), &sup, json!({"unit_id": app.ids.unit2, "lead": false}));
        let (st, v) =
            app.post(&format!("/api/v1/complaints/{c}/contact"), &app.token("clerk"), json!({"note": "已联系"}));
        assert_eq!(
            (st, v["error"]["code"].as_str()),
            (403, Some("forbidden")),
            "TC-5: the supervision section contacts: {v}"
        );
        assert_eq!(
            app.post(&format!("/api/v1/complaints/{c}/contact"), &sup, json!({"note": "监督科已联系并转达"})).0,
            200
        );
        app.post(
            &format!("/api/v1/complaints/{c}/reply"),
            &app.token("clerk"),
            json!({"opinion": "已核实", "reply": "已整改"}),
        );
        let secret = |text: &str| text.contains(name) || text.contains(phone) || text.contains("139****0000");
        let doors = [
            format!("/api/v1/complaints/{c}"),
            "/api/v1/complaints?from=2026-11-01&to=2026-12-01".to_string(),
            "/api/v1/complaints?format=csv&from=2026-11-01&to=2026-12-01".to_string(),
            "/api/v1/complaints?format=xlsx&from=2026-11-01&to=2026-12-01".to_string(),
            "/api/v1/complaints/analysis?from=2026-11-01&to=2026-12-01".to_string(),
            format!("/api/v1/complaints/{c}/events"),
            format!("/api/v1/complaints/{c}/documents/handling-form.html"),
            format!("/api/v1/complaints/{c}/documents/handling-form.pdf"),
            "/api/v1/hotline/replies?format=csv".to_string(),
        ];
        let mut readers = 0;
        for who in [
            "clerk",
            "clerk_b",
            "clerk2",
            "head",
            "leader",
            "chief",
            "leader2",
            "hall",
            "business",
            "director",
            "oversight",
            "admin",
            "desk",
        ] {
            let t = app.token(who);
            for d in &doors {
                let (st, bytes) = app.download(d, &t);
                let text = if d.contains(".pdf") && st == 200 {
                    pdf_text(&bytes)
                } else if d.contains("xlsx") && st == 200 {
                    xlsx_text(&bytes)
                } else {
                    String::from_utf8_lossy(&bytes).into_owned()
                };
                assert!(!secret(&text), "{who} reads the confidential complainant at {d}: {text}");
                if st == 200 && *d == format!("/api/v1/complaints/{c}") {
                    readers += 1;
                    assert!(text.contains("（保密）"), "{who}: {text}");
                }
            }
            let (_, page) = page_get(&app, who, "/complaints");
            assert!(!secret(&page), "{who} reads the confidential complainant on the page");
        }
        assert!(readers >= 6, "the handling sections and the center's readers read the complaint: {readers}");
        // The supervision section sees the person — on the complaint, the ledger and the 承办单.
        let (_, v) = app.get(&format!("/api/v1/complaints/{c}"), &sup);
        assert_eq!(
            (v["complainant"]["name"].as_str(), v["complainant"]["phone"].as_str()),
            (Some(name), Some(phone)),
            "{v}"
        );
        assert!(
            pdf_text(&app.download(&format!("/api/v1/complaints/{c}/documents/handling-form.pdf"), &sup).1)
                .contains(name)
        );
        assert!(page_get(&app, "supervision", "/complaints").1.contains(name));
        // Messages to staff and the audit chain never carry the person.
        let leaks: Vec<String> = app
            .block_on(app.state.store.read(|tx| {
                let mut v = vec![];
                for r in tx.query("SELECT recipient, subject, body FROM outbox", &[])? {
                    if !r.str(0).starts_with("phone:") {
                        v.push(format!("{} {} {}", r.str(0), r.str(1), r.str(2)));
                    }
                }
                for r in tx.query("SELECT detail FROM audit", &[])? {
                    v.push(r.str(0));
                }
                for r in tx.query("SELECT detail FROM ticket_events", &[])? {
                    v.push(r.str(0));
                }
                Ok::<_, noveto_store::StoreError>(v)
            }))
            .unwrap();
        assert!(leaks.iter().all(|x| !secret(x)), "{:?}", leaks.iter().filter(|x| secret(x)).collect::<Vec<_>>());
    }
}

/// The text of an XLSX's cells.
fn xlsx_text(bytes: &[u8]) -> String {
    let rows = noveto_app::catalog_file::read_rows(bytes).expect("a readable XLSX");
    rows.concat().join(" ")
}

// PUB-1, TC-2: the public submits a complaint without an account (confidential if they ask) and
// follows it by receipt number and phone to its answer; a wrong pair reads as unknown.
#[test]
fn pub_1_a_public_complaint_followed_to_its_answer() {
    for k in backends() {
        let app = App::spawn(k, "weihai-huancui");
        sections(&app);
        let body = json!({"category": "efficiency", "content": "网上申请公积金提取三天没有审核",
                          "complainant": {"name": "曹静", "phone": "13977778888"}, "confidential": false});
        let (st, r) = app.call("POST", "/api/v1/public/complaints", None, Some(body));
        assert_eq!(st, 201, "{r}");
        let receipt = r["receipt_no"].as_str().unwrap().to_string();
        let (st, v) = app.call(
            "POST",
            "/api/v1/public/complaints",
            None,
            Some(json!({"category": "x", "content": "y", "complainant": {"name": "a", "phone": "13977778888"}})),
        );
        assert_eq!((st, v["error"]["code"].as_str()), (422, Some("invalid_category")), "{v}");
        let follow = |phone: &str| {
            app.call("GET", &format!("/api/v1/public/follow?receipt_no={receipt}&phone={phone}"), None, None)
        };
        assert_eq!(follow("13900000000").0, 404);
        let (st, f) = follow("13977778888");
        assert_eq!(
            (st, f["kind"].as_str(), f["status"].as_str()),
            (200, Some("complaint"), Some("已登记，待分配")),
            "{f}"
        );
        let sup = app.token("supervision");
        let (_, list) = app.get("/api/v1/complaints", &sup);
        let c = list["complaints"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["receipt_no"] == receipt.as_str())
            .unwrap()
            .clone();
        assert_eq!(c["channel"], "website");
        let c = id(&c);
        app.post(&format!("/api/v1/complaints/{c}/assign"), &sup, json!({"unit_id": app.ids.unit2, "lead": true}));
        app.post(
            &format!("/api/v1/complaints/{c}/reply"),
            &app.token("clerk2"),
            json!({"opinion": "系统故障已修复", "reply": "已为您审核通过，款项今日到账"}),
        );
        let (_, f) = follow("13977778888");
        assert_eq!(
            (f["answer"].as_str(), f["status"].as_str()),
            (Some("已为您审核通过，款项今日到账"), Some("已回复，待监督监察科办结")),
            "{f}"
        );
    }
}

// TC-8: a 12345 work order imported twice — or twenty times at once, or once as JSON and once as
// CSV — is one complaint; a 办不成事 one becomes a desk matter; the reply goes back in the
// hotline's layout.
#[test]
fn tc_8_a_work_order_imported_twice_is_one_complaint() {
    for k in backends() {
        let app = App::spawn(k, "weihai-huancui");
        sections(&app);
        crate::unresolved::desk(&app);
        let sup = app.token("supervision");
        let order = |no: &str, kind: &str| json!({"orders": [{"order_no": no, "caller": "曹静", "phone": "13977778888", "kind": kind, "category": "办事效率", "content": "公积金提取三天没有审核"}]});
        assert_eq!(app.post("/api/v1/hotline/orders", &app.token("clerk"), order("GD1", "投诉")).0, 403);
        let (st, v) = app.post("/api/v1/hotline/orders", &sup, order("GD1", "投诉"));
        assert_eq!((st, v["created"].as_u64()), (200, Some(1)), "{v}");
        let first = v["orders"][0]["id"].as_i64().unwrap();
        let (_, v) = app.post("/api/v1/hotline/orders", &sup, order("GD1", "投诉"));
        assert_eq!((v["existing"].as_u64(), v["orders"][0]["id"].as_i64()), (Some(1), Some(first)), "{v}");
        let csv = "工单编号,受理时间,诉求人,联系电话,诉求类型,问题分类,诉求内容,是否保密\nGD1,2026-11-20 09:00,曹静,13977778888,投诉,办事效率,公积金提取三天没有审核,否\nGD2,,李雷,13866667777,办不成事,,营业执照变更网上被退回三次,否\n";
        let (st, v) = app.raw("POST", "/api/v1/hotline/orders", &sup, "text/csv", csv.as_bytes().to_vec());
        assert_eq!((st, v["existing"].as_u64(), v["created"].as_u64()), (200, Some(1), Some(1)), "{v}");
        assert_eq!(v["orders"][1]["entity"], "unresolved", "{v}");
        let codes = app.at_once("/api/v1/hotline/orders", &sup, 20, |_| order("GD3", "建议"));
        assert!(codes.iter().all(|c| *c == 200), "{codes:?}");
        let n: i64 = app
            .block_on(app.state.store.read(|tx| {
                Ok::<_, noveto_store::StoreError>(
                    tx.query_one("SELECT COUNT(*) FROM complaints WHERE hotline_order = 'GD3'", &[])?.unwrap().i64(0),
                )
            }))
            .unwrap();
        assert_eq!(n, 1, "twenty imports at once: one complaint");
        app.post(&format!("/api/v1/complaints/{first}/assign"), &sup, json!({"unit_id": app.ids.unit2, "lead": true}));
        app.post(
            &format!("/api/v1/complaints/{first}/reply"),
            &app.token("clerk2"),
            json!({"opinion": "已审核", "reply": "已审核通过"}),
        );
        let csv = String::from_utf8(app.download("/api/v1/hotline/replies?format=csv", &sup).1).unwrap();
        assert!(
            csv.starts_with("\u{feff}工单编号,办理状态,承办单位,办理结果,回复内容,回复时间,办结时间")
                || csv.starts_with("工单编号,办理状态"),
            "{csv}"
        );
        assert!(csv.contains("GD1") && csv.contains("已审核通过") && csv.contains("GD2"), "{csv}");
    }
}

// TC-2, screens: the complaint window's clerk registers one on the page and answers on the spot;
// the supervision section assigns from the page; the handling section replies from its inbox. A
// form's error comes back beside its field with what was typed.
#[test]
fn tc_2_the_complaint_pages() {
    let app = App::spawn(Kind::Sqlite, "weihai-huancui");
    sections(&app);
    let (st, page) = page_post(
        &app,
        "clerk",
        "/complaints",
        &[("channel", "window"), ("category", "attitude"), ("content", "等了一小时"), ("name", "甲"), ("phone", "12")],
    );
    assert_eq!(st, 422);
    assert!(page.contains("等了一小时") && page.contains("手机号"), "{page}");
    let f = [
        ("channel", "window"),
        ("category", "attitude"),
        ("content", "等了一小时没人叫号"),
        ("name", "甲"),
        ("phone", "13800006666"),
    ];
    assert_eq!(page_post(&app, "clerk", "/complaints", &f).0, 303);
    let (_, page) = page_get(&app, "clerk", "/complaints");
    assert!(page.contains("等了一小时没人叫号") && page.contains("/on-spot"), "{page}");
    let sup = app.token("supervision");
    let (_, list) = app.get("/api/v1/complaints", &sup);
    let c = id(&list["complaints"][0]);
    let unit = app.ids.unit.to_string();
    assert_eq!(
        page_post(&app, "supervision", &format!("/complaints/{c}/assign"), &[("unit_id", &unit), ("lead", "1")]).0,
        303
    );
    let (_, page) = page_get(&app, "clerk", "/complaints");
    assert!(page.contains(&format!("/complaints/{c}/reply")), "the contact's inbox offers the reply: {page}");
    let (st, page) =
        page_post(&app, "clerk", &format!("/complaints/{c}/reply"), &[("opinion", "已核实"), ("reply", "这个没办法")]);
    assert_eq!(st, 409);
    assert!(page.contains("推诿用语") && page.contains("已核实"), "{page}");
    assert_eq!(
        page_post(
            &app,
            "clerk",
            &format!("/complaints/{c}/reply"),
            &[("opinion", "已核实"), ("reply", "已增加叫号窗口")]
        )
        .0,
        303
    );
    let (_, v) = app.get(&format!("/api/v1/complaints/{c}"), &sup);
    assert_eq!(v["status"], "replied");
}

// TC-7: complaints concentrated on a section (three of one category) are named in the analysis,
// become a rectification tracked to done by the section, and the month's notice is issued once,
// kept and sent, with the concentrated issue and its rectification in it.
#[test]
fn tc_7_concentrated_complaints_become_a_rectification_and_a_notice() {
    for k in backends() {
        let app = App::spawn_at(k, "weihai-huancui", "2026-11-20T10:00:00+08:00");
        sections(&app);
        let sup = app.token("supervision");
        for i in 0..3 {
            let mut b = complaint("website", "乙", "13800004444", false);
            b["about_unit"] = json!(app.ids.unit);
            b["content"] = json!(format!("材料要求前后不一（{i}）"));
            assert_eq!(app.post("/api/v1/complaints", &sup, b).0, 201);
        }
        let (_, a) = app.get("/api/v1/complaints/analysis?from=2026-11-01&to=2026-12-01", &sup);
        let c = &a["concentrated"][0];
        assert_eq!((c["unit_id"].as_i64(), c["count"].as_u64()), (Some(app.ids.unit), Some(3)), "{a}");
        let receipts: Vec<String> =
            c["receipts"].as_array().unwrap().iter().map(|x| x.as_str().unwrap().to_string()).collect();
        let body = json!({"unit_id": app.ids.unit, "category": "attitude", "problem": "统一窗口服务用语，公示材料清单", "receipts": receipts, "due": "2026-12-10"});
        assert_eq!(app.post("/api/v1/rectifications", &app.token("clerk"), body.clone()).0, 403);
        let (st, r) = app.post("/api/v1/rectifications", &sup, body);
        assert_eq!(
            (st, r["due"].as_str(), r["assignee"].as_i64()),
            (201, Some("2026-12-10"), Some(app.staff_id("clerk"))),
            "{r}"
        );
        let id = r["id"].as_i64().unwrap();
        let (st, v) =
            app.post(&format!("/api/v1/rectifications/{id}/appeal"), &app.token("clerk"), json!({"reason": "x"}));
        assert_eq!((st, v["error"]["code"].as_str()), (422, Some("not_a_rating")), "complaints are not appealed: {v}");
        let (st, v) = app.post(
            &format!("/api/v1/rectifications/{id}/done"),
            &app.token("clerk"),
            json!({"measures": "制定统一服务用语并培训", "told": "在大厅和公众号公示"}),
        );
        assert_eq!((st, v["status"].as_str()), (200, Some("done")), "{v}");
        let (st, n) = app.post("/api/v1/complaints/notices", &sup, json!({"month": "2026-11"}));
        assert_eq!(st, 201, "{n}");
        let (st, v) = app.post("/api/v1/complaints/notices", &sup, json!({"month": "2026-11"}));
        assert_eq!((st, v["error"]["code"].as_str()), (409, Some("already_issued")), "{v}");
        let nid = n["id"].as_i64().unwrap();
        let (st, pdf) = app.download(&format!("/api/v1/complaints/notices/{nid}.pdf"), &app.token("director"));
        assert_eq!(st, 200);
        let text = pdf_text(&pdf);
        assert!(text.contains("集中问题与整改") && text.contains("统一窗口服务用语"), "{text}");
        assert_eq!(app.download(&format!("/api/v1/complaints/notices/{nid}.pdf"), &app.token("clerk")).0, 403);
    }
}
