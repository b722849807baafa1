use crate::helpers::*;
use serde_json::{Value, json};

pub fn item(app: &App, code: &str, name: &str) -> Value {
    json!({"code": code, "name": name, "unit_id": app.ids.unit, "legal_basis": "《市场主体登记管理条例》第二十一条",
           "time_limit_wd": 3, "allows_deficiency": true, "allows_commitment": false,
           "materials": [{"name": "申请书", "main": true, "sample": "样表", "common_errors": "漏签字"}, {"name": "场所证明", "main": false}],
           "accepting_unit": "市场监管局", "steps": ["申请", "受理", "决定"], "fees": "不收费", "phone": "0719-12345", "online": true})
}

// CAT-1, CAT-3: every field of an item; every change a new version with who and when; a case
// keeps the version it was opened under.
#[test]
fn cat_1_3_items_and_versions() {
    for k in backends() {
        let app = App::spawn(k, "national");
        let admin = app.token("admin");
        let (st, v) = app.post("/api/v1/items", &admin, item(&app, "SC-1", "企业设立登记"));
        assert_eq!((st, v["version"].as_i64()), (201, Some(1)), "{v}");
        let (st, i) = app.call("GET", "/api/v1/items/SC-1", None, None);
        assert_eq!(st, 200, "public: {i}");
        assert_eq!(i["materials"][0]["main"], true);
        assert_eq!(i["materials"][0]["common_errors"], "漏签字");
        assert_eq!(i["allows_deficiency"], true);
        let clerk = app.token("clerk");
        let case = app.new_case(&clerk, Some("SC-1"));
        let mut changed = item(&app, "SC-1", "企业设立登记（含分公司）");
        changed["time_limit_wd"] = json!(2);
        let (st, v) = app.post("/api/v1/items", &admin, changed);
        assert_eq!((st, v["version"].as_i64()), (200, Some(2)));
        let (st, same) = app.post(
            "/api/v1/items",
            &admin,
            item(&app, "SC-1", "企业设立登记（含分公司）")
                .as_object()
                .map(|o| {
                    let mut o = o.clone();
                    o.insert("time_limit_wd".into(), json!(2));
                    Value::Object(o)
                })
                .unwrap(),
        );
        assert_eq!((st, same["version"].as_i64()), (200, Some(2)), "an unchanged save is no new version");
        let (_, vs) = app.get("/api/v1/items/SC-1/versions", &admin);
        assert_eq!(vs["versions"].as_array().unwrap().len(), 2);
        assert_eq!(vs["versions"][0]["by"].as_i64(), Some(app.staff_id("admin")));
        let (_, c) = app.get(&format!("/api/v1/cases/{case}"), &clerk);
        assert_eq!(c["item_version"], 1);
        // A clerk may not edit the catalog; bad input is refused.
        assert_eq!(app.post("/api/v1/items", &clerk, item(&app, "SC-2", "x")).0, 403);
        let mut bad = item(&app, "SC 3", "x");
        assert_eq!(app.post("/api/v1/items", &admin, bad.clone()).0, 422);
        bad["code"] = json!("SC-3");
        bad["materials"] = json!([]);
        assert_eq!(app.post("/api/v1/items", &admin, bad).1["error"]["code"], "materials_required");
    }
}

fn xlsx(rows: usize, bad: &[usize]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in noveto_app::catalog_file::COLUMNS.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for r in 0..rows {
        let row = r as u32 + 1;
        let mut cells = vec![
            format!("IMP-{r:05}"),
            format!("导入事项{r}"),
            "市场监管局".into(),
            "《行政许可法》".into(),
            String::new(),
            "申请；受理；决定".into(),
            "申请书*；身份证明*；其他材料".into(),
            "不收费".into(),
            String::new(),
            "5".into(),
            "0719-12345".into(),
            "是".into(),
            "否".into(),
            "是".into(),
            "否".into(),
        ];
        if bad.contains(&r) {
            match r % 3 {
                0 => cells[2] = "不存在的单位".into(),
                1 => cells[9] = "五天".into(),
                _ => cells[11] = "也许".into(),
            }
        }
        for (c, v) in cells.iter().enumerate() {
            if c == 9 && !bad.contains(&r) {
                ws.write_number(row, c as u16, 5.0).unwrap();
            } else {
                ws.write_string(row, c as u16, v).unwrap();
            }
        }
    }
    wb.save_to_buffer().unwrap()
}

// CAT-3: a 10,000-item XLSX with 3 bad rows reports exactly those rows and imports nothing; with
// `partial` the good rows; a re-import updates by code; CSV export round-trips.
#[test]
fn cat_3_import_export() {
    let app = App::spawn(Kind::Sqlite, "national");
    let admin = app.token("admin");
    let file = xlsx(10_000, &[17, 4_000, 9_999]);
    let (st, r) = app.raw("POST", "/api/v1/catalog/import", &admin, "application/octet-stream", file.clone());
    assert_eq!(st, 422, "{r}");
    let rows: std::collections::BTreeSet<i64> =
        r["errors"].as_array().unwrap().iter().map(|e| e["row"].as_i64().unwrap()).collect();
    assert_eq!(rows.into_iter().collect::<Vec<_>>(), vec![19, 4002, 10001], "file rows (header is row 1)");
    assert_eq!(r["errors"].as_array().unwrap().len(), 3);
    assert_eq!(r["imported"], 0);
    let cols: Vec<&str> = r["errors"].as_array().unwrap().iter().map(|e| e["column"].as_str().unwrap()).collect();
    assert_eq!(cols, ["容缺受理", "承诺时限（工作日）", "实施单位"]);
    let (_, list) = app.call("GET", "/api/v1/items?limit=5", None, None);
    assert_eq!(list["items"].as_array().unwrap().len(), 0, "nothing imported");
    let (st, r) = app.raw("POST", "/api/v1/catalog/import?partial=true", &admin, "application/octet-stream", file);
    assert_eq!((st, r["imported"].as_i64()), (200, Some(9_997)), "{r}");
    // Re-import of a small fixed file updates by code.
    let (_, r) = app.raw("POST", "/api/v1/catalog/import", &admin, "application/octet-stream", xlsx(3, &[]));
    assert_eq!(r["imported"], 3);
    let (_, i) = app.call("GET", "/api/v1/items/IMP-00001", None, None);
    assert_eq!(i["version"], 1, "the same content is no new version");
    let n = app
        .block_on(app.state.store.read(|tx| {
            Ok::<_, noveto_store::StoreError>(tx.query_one("SELECT COUNT(*) FROM items", &[])?.unwrap().i64(0))
        }))
        .unwrap();
    assert_eq!(n, 9_997);
    // Export to CSV and import it back: nothing changes.
    let mut resp = app
        .agent
        .get(&format!("{}/api/v1/catalog/export?format=csv", app.base))
        .header("Authorization", &format!("Bearer {admin}"))
        .call()
        .unwrap();
    let csv = resp.body_mut().with_config().limit(50_000_000).read_to_vec().unwrap();
    assert!(String::from_utf8_lossy(&csv).contains("IMP-09998"));
    let (st, r) = app.raw("POST", "/api/v1/catalog/import", &admin, "text/csv", csv);
    assert_eq!((st, r["imported"].as_i64()), (200, Some(9_997)), "{}", r["errors"][0]);
    let (st, _) = app.raw("POST", "/api/v1/catalog/import", &admin, "text/csv", "a,b\n1,2\n".into());
    assert_eq!(st, 422);
    let (st, _) = app.raw("POST", "/api/v1/catalog/import", &app.token("clerk"), "text/csv", "x".into());
    assert_eq!(st, 403);
}

// CAT-2, PUB-1: guides without login: browse, search, one item's full guide with the hotline.
#[test]
fn cat_2_pub_1_public_guides() {
    let app = App::spawn(Kind::Sqlite, "national");
    let admin = app.token("admin");
    app.post("/api/v1/items", &admin, item(&app, "SC-1", "营业执照遗失补领"));
    app.post("/api/v1/items", &admin, item(&app, "GJ-1", "住房公积金提取"));
    let get = |path: &str| {
        let mut r = app.agent.get(&format!("{}{}", app.base, path)).call().unwrap();
        (r.status().as_u16(), r.body_mut().read_to_string().unwrap())
    };
    let (st, html) = get("/guides");
    assert_eq!(st, 200);
    assert!(
        html.contains("营业执照遗失补领") && html.contains("12345") && html.contains("0719-1"),
        "hotline and supervision numbers"
    );
    let (_, html) = get("/guides?q=%E6%89%A7%E7%85%A7%E4%B8%A2%E4%BA%86");
    assert!(html.contains("营业执照遗失补领") && !html.contains("住房公积金提取"), "search 执照丢了");
    let (st, html) = get("/guides/SC-1");
    assert_eq!(st, 200);
    assert!(html.contains("《市场主体登记管理条例》第二十一条") && html.contains("主件") && html.contains("打印"));
    assert_eq!(get("/guides/NOPE").0, 404);
}

// FAQ-1, FAQ-2, FAQ-3: entries are live at once for search; searches are logged; a used hit
// counts; an answered consultation is promoted into the library.
#[test]
fn faq_1_2_3_library() {
    for k in backends() {
        let app = App::spawn(k, "national");
        let business = app.token("business");
        let clerk = app.token("clerk");
        let (st, f) = app.post(
            "/api/v1/faq",
            &business,
            json!({"question": "营业执照遗失了怎么补领？", "answer": "发布遗失声明后到登记窗口补领。"}),
        );
        assert_eq!(st, 201, "{f}");
        app.post(
            "/api/v1/faq",
            &business,
            json!({"question": "住房公积金怎么提取？", "answer": "带身份证和购房合同。"}),
        );
        assert_eq!(app.post("/api/v1/faq", &clerk, json!({"question": "q", "answer": "a"})).0, 403);
        let (st, r) = app.get("/api/v1/faq/search?q=%E5%9F%B7%E7%85%A7%E6%8E%89%E4%BA%86&limit=3", &clerk);
        assert_eq!(st, 200, "{r}");
        assert_eq!(r["hits"][0]["id"], f["id"], "執照掉了 (Traditional, colloquial)");
        assert!(r["hits"][0]["score"].as_f64().unwrap() > 0.0);
        let sid = r["search_id"].as_i64().unwrap();
        assert_eq!(app.post(&format!("/api/v1/faq/searches/{sid}/used"), &clerk, json!({"faq_id": f["id"]})).0, 200);
        // 办结婚证 is not in the library: the search still offers what shares a character with it
        // (issue 13: never nothing), and as no hit is used it counts as not answered.
        let (_, miss) = app.get("/api/v1/faq/search?q=%E6%80%8E%E4%B9%88%E5%8A%9E%E7%BB%93%E5%A9%9A%E8%AF%81", &clerk);
        assert!(!miss["hits"].as_array().unwrap().is_empty(), "{miss}");
        let (st, s) = app.get("/api/v1/faq/stats?month=2026-11", &business);
        assert_eq!(st, 200, "{s}");
        assert_eq!(
            (s["searches"].as_i64(), s["offered"].as_i64(), s["answered"].as_i64()),
            (Some(2), Some(2), Some(1))
        );
        assert_eq!(
            (s["answer_rate"].as_f64(), s["first"].as_i64(), s["precision"].as_f64()),
            (Some(0.5), Some(1), Some(1.0))
        );
        assert_eq!(s["misses"][0][0], "怎么办结婚证");
        // FAQ-2 (issue 13): a used hit teaches the search — the clerk found the entry for "全包服务"
        // some other way and used it; the next such question finds it first.
        let (_, r) = app.get("/api/v1/faq/search?q=%E5%85%A8%E5%8C%85%E6%9C%8D%E5%8A%A1", &clerk);
        assert!(r["hits"].as_array().unwrap().is_empty(), "{r}");
        let sid = r["search_id"].as_i64().unwrap();
        assert_eq!(app.post(&format!("/api/v1/faq/searches/{sid}/used"), &clerk, json!({"faq_id": f["id"]})).0, 200);
        let (_, r) = app.get("/api/v1/faq/search?q=%E5%85%A8%E5%8C%85%E6%9C%8D%E5%8A%A1", &clerk);
        assert_eq!(r["hits"][0]["id"], f["id"], "{r}");
        // Retiring an entry takes it out of search.
        let fid = f["id"].as_i64().unwrap();
        let (st, _) = app.call(
            "PUT",
            &format!("/api/v1/faq/{fid}"),
            Some(&business),
            Some(json!({"question": "营业执照遗失了怎么补领？", "answer": "x", "active": false})),
        );
        assert_eq!(st, 200);
        let (_, r) = app.get("/api/v1/faq/search?q=%E8%90%A5%E4%B8%9A%E6%89%A7%E7%85%A7%E9%81%97%E5%A4%B1", &clerk);
        assert!(r["hits"].as_array().unwrap().iter().all(|h| h["id"] != json!(fid)));
        // FAQ-3: an answered consultation becomes an entry.
        let (_, c) = app.post("/api/v1/cases", &clerk, json!({"kind": "consultation", "channel": "phone", "applicant": {"name": "甲", "phone": "13812345678"}, "request": "新业态数据标注公司经营范围怎么写？"}));
        let cid = c["id"].as_i64().unwrap();
        assert_eq!(app.post(&format!("/api/v1/cases/{cid}/promote"), &business, json!({})).0, 409, "not answered yet");
        app.post(
            &format!("/api/v1/cases/{cid}/close"),
            &clerk,
            json!({"outcome": "answered", "note": "经营范围填写“数据处理服务（数据标注）”。"}),
        );
        let (st, p) = app.post(&format!("/api/v1/cases/{cid}/promote"), &business, json!({}));
        assert_eq!(st, 201, "{p}");
        let (_, r) = app.get(
            "/api/v1/faq/search?q=%E6%95%B0%E6%8D%AE%E6%A0%87%E6%B3%A8%E7%BB%8F%E8%90%A5%E8%8C%83%E5%9B%B4",
            &clerk,
        );
        assert_eq!(r["hits"][0]["id"], p["id"]);
    }
}

// FAQ-1: several servers on one store each keep their own index current.
#[test]
fn faq_1_second_server_index_follows() {
    let app = App::spawn(Kind::Sqlite, "national");
    let store2 = noveto_store::Store::open_sqlite(&app.dir).unwrap();
    let state2 =
        app.block_on(noveto_server::AppState::load(store2, noveto_server::Clock::system(), app.dir.clone())).unwrap();
    assert!(state2.search.search_faq("公积金", 3).is_empty());
    app.post(
        "/api/v1/faq",
        &app.token("business"),
        json!({"question": "住房公积金怎么提取？", "answer": "带身份证。"}),
    );
    assert!(state2.search.search_faq("公积金", 3).is_empty(), "not until it syncs");
    let n = app.block_on(state2.search.sync(&state2.store)).unwrap();
    assert_eq!(n, 1);
    assert_eq!(state2.search.search_faq("公积金提取", 3).len(), 1);
    assert_eq!(app.block_on(state2.search.sync(&state2.store)).unwrap(), 0, "nothing re-indexed");
}

// NV-14: a reply with refusal phrases needs a second confirmation; confirmed ones are counted
// per window.
#[test]
fn nv_14_replies_counted_per_window() {
    let app = App::spawn(Kind::Sqlite, "national");
    let clerk = app.token("clerk");
    let id = app.new_case(&clerk, None);
    let (st, e) = app.post(&format!("/api/v1/cases/{id}/replies"), &clerk, json!({"text": "这个办不了，不归我管"}));
    assert_eq!((st, e["error"]["code"].as_str()), (409, Some("refusal_phrases")));
    assert!(e["error"]["message"].as_str().unwrap().contains("办不了"));
    let (st, _) =
        app.post(&format!("/api/v1/cases/{id}/replies"), &clerk, json!({"text": "可以办理，请补充身份证复印件。"}));
    assert_eq!(st, 201);
    let (st, r) =
        app.post(&format!("/api/v1/cases/{id}/replies"), &clerk, json!({"text": "这个办不了", "confirm": true}));
    assert_eq!((st, r["flagged"][0]["phrase"].as_str()), (201, Some("办不了")));
    let counts = app
        .block_on(
            app.state
                .store
                .read(|tx| noveto_store::repo::cases::flagged_replies_by_window(tx, "2026-11-01", "2026-12-01")),
        )
        .unwrap();
    assert_eq!(counts, vec![(Some(app.ids.window), 2, 1)]);
}

// NV-3 with NV-2 (issue 25, loophole 1): a referral (指引牌) is for matters outside the unit's
// scope. An application for an item this window's unit handles goes only to another window of the
// unit or to the unit handling the item at another center — not to any other unit, with or
// without 帮助转交, nor to an outside body, nor nowhere. Every referral names its target, which
// the 指引单 prints and the timeline shows; a handoff goes only to a unit that handles the item.
#[test]
fn nv_3_no_referral_of_ones_own_matter() {
    for k in backends() {
        let app = App::spawn(k, "national");
        let admin = app.token("admin");
        // A second window of the unit, and the item's unit at the county center.
        let (_, w) = app.post("/api/v1/windows", &admin, json!({"unit_id": app.ids.unit, "name": "食品许可窗口"}));
        let food = w["id"].as_i64().unwrap();
        let (_, u) = app.post("/api/v1/units", &admin, json!({"center_id": app.ids.county, "name": "县市场监管局"}));
        let county_unit = u["id"].as_i64().unwrap();
        let mut it = item(&app, "SC-9", "企业设立登记");
        it["other_unit_ids"] = json!([county_unit]);
        assert_eq!(app.post("/api/v1/items", &admin, it).0, 201);
        let clerk = app.token("clerk");
        let refer = |token: &str, id: i64, target: Value| {
            let mut body =
                json!({"address": "三楼 301", "contact": "王老师 0719-8123456", "how": "带身份证", "handoff": false});
            for (k, v) in target.as_object().unwrap() {
                body[k] = v.clone();
            }
            app.post(&format!("/api/v1/cases/{id}/referral"), token, body)
        };
        let id = app.new_case(&clerk, Some("SC-9"));
        for target in [
            json!({}),
            json!({"to_unit_id": app.ids.unit}),
            json!({"to_window_id": app.ids.window}),
            json!({"to_unit_id": app.ids.unit2}),
            json!({"to_unit_id": app.ids.unit2, "handoff": true}),
            json!({"to_window_id": app.ids.window2, "handoff": true}),
            json!({"to_body": "市档案馆"}),
        ] {
            let (st, e) = refer(&clerk, id, target.clone());
            assert_eq!((st, e["error"]["code"].as_str()), (409, Some("referral_of_own_matter")), "{target}: {e}");
            assert!(e["error"]["message"].as_str().unwrap().contains("请受理"));
        }
        let (_, c) = app.get(&format!("/api/v1/cases/{id}"), &clerk);
        assert_eq!(c["status"], "received", "nothing changed: {c}");
        // Another window of the unit: the slip names it.
        assert_eq!(refer(&clerk, id, json!({"to_window_id": food})).0, 200);
        let (st, slip) = app.download(&format!("/api/v1/cases/{id}/documents/referral.html"), &clerk);
        let slip = String::from_utf8(slip).unwrap();
        assert!(st == 200 && slip.contains("市场监管局") && slip.contains("食品许可窗口"), "{slip}");
        assert!(!slip.contains("申请人自行前往（未指定"), "{slip}");
        // The item's unit at the county center, with a warm handoff: fine.
        let id = app.new_case(&clerk, Some("SC-9"));
        let (st, e) = refer(&clerk, id, json!({"to_unit_id": county_unit, "handoff": true}));
        assert_eq!(st, 200, "{e}");
        // Not this unit's item: a referral to a unit that handles it is the right answer; a
        // handoff to one that does not is refused; a referral with no target at all names nothing.
        let clerk2 = app.token("clerk2");
        let id = app.new_case(&clerk2, Some("SC-9"));
        let (st, e) = refer(&clerk2, id, json!({}));
        assert_eq!((st, e["error"]["code"].as_str()), (409, Some("referral_target_required")), "{e}");
        let (st, e) = refer(&clerk2, id, json!({"to_unit_id": app.ids.unit2, "handoff": true}));
        assert_eq!((st, e["error"]["code"].as_str()), (409, Some("handoff_to_non_handler")), "{e}");
        assert_eq!(refer(&clerk2, id, json!({"to_unit_id": app.ids.unit, "handoff": true})).0, 200);
        // No item: an outside body with its address and phone is a place to go; without a phone, not.
        let id = app.new_case(&clerk, None);
        let (st, e) = refer(&clerk, id, json!({"to_body": "市档案馆", "contact": "档案馆"}));
        assert_eq!((st, e["error"]["code"].as_str()), (422, Some("phone_required")), "{e}");
        let (st, c) = refer(&clerk, id, json!({"to_body": "市档案馆"}));
        assert_eq!(st, 200, "{c}");
        assert_eq!(c["referral"]["to_body"], "市档案馆");
        let (_, html) = crate::cases::page_get(&app, "clerk", &format!("/cases/{id}"));
        assert!(html.contains("请到市档案馆办理"), "the timeline names the target: {html}");
        let admin = app.token("admin");
        let (_, v) = app.get("/api/v1/audit/verify", &admin);
        assert_eq!(v["unproven_endings"].as_array().map(Vec::len), Some(0), "{v}");
    }
}

// FAQ-1, screens issue item 5: 用这条答复 on a case pastes the library's answer into the reply
// to the applicant (and records the use, FAQ-2).
#[test]
fn faq_1_chosen_answer_is_pasted_into_the_reply() {
    let app = App::spawn(Kind::Sqlite, "national");
    let (st, f) = app.post(
        "/api/v1/faq",
        &app.token("business"),
        json!({"question": "营业执照遗失了怎么补领？", "answer": "发布遗失声明后到登记窗口补领。"}),
    );
    assert_eq!(st, 201, "{f}");
    let clerk = app.token("clerk");
    let id = app.new_case(&clerk, None);
    let (_, r) = app.get("/api/v1/faq/search?q=%E8%90%A5%E4%B8%9A%E6%89%A7%E7%85%A7%E9%81%97%E5%A4%B1&limit=3", &clerk);
    let sid = r["search_id"].as_i64().unwrap().to_string();
    let fid = f["id"].as_i64().unwrap().to_string();
    let (st, _) = crate::cases::page_post(
        &app,
        "clerk",
        "/faq/used",
        &[("search_id", &sid), ("faq_id", &fid), ("back", &format!("/cases/{id}"))],
    );
    assert_eq!(st, 303);
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).max_redirects(0).build().into();
    let cookie = session_cookie(&app.base, "clerk");
    let (_, html) = {
        let mut r = agent
            .get(&format!("{}/cases/{id}?reply_from_faq={fid}", app.base))
            .header("Cookie", &cookie)
            .call()
            .unwrap();
        (r.status().as_u16(), r.body_mut().read_to_string().unwrap())
    };
    assert!(html.contains("<textarea name=\"text\" required>发布遗失声明后到登记窗口补领。</textarea>"), "{html}");
}

// CAT-1 on the page (screens issue, item 6): an item is added and changed on a form; every
// error shows at once beside its field with what was typed kept, and nothing is saved; each
// save is a new version, listed with who saved it and what changed; a save over a version
// someone else has changed meanwhile is refused.
#[test]
fn cat_1_item_form_saves_versions_and_keeps_input() {
    use crate::cases::{page_get, page_post};
    for k in backends() {
        let app = App::spawn(k, "national");
        let unit = app.ids.unit.to_string();
        let (st, new) = page_get(&app, "business", "/admin/catalog/items/new");
        assert_eq!(st, 200);
        assert!(new.contains("市场监管局") && new.contains("人社局"), "the units to pick from");
        let mut form = vec![
            ("base_version", "0"),
            ("rows", "3"),
            ("code", "SC-9"),
            ("name", ""),
            ("unit_id", unit.as_str()),
            ("legal_basis", "《市场主体登记管理条例》第二十一条"),
            ("time_limit_wd", "三天"),
            ("m0_name", "申请书"),
            ("m0_main", "1"),
            ("m0_sample", "按样表填写并由法定代表人签字"),
            ("m1_name", ""),
            ("m1_sample", "加盖公章的复印件"),
            ("steps", "申请\n受理\n决定"),
        ];
        let (st, page) = page_post(&app, "business", "/admin/catalog/items", &form);
        assert_eq!(st, 422, "{page}");
        for said in ["有 3 处需要改正", "请填写事项名称", "请填写承诺时限", "第 2 项材料：请填写材料名称"]
        {
            assert!(page.contains(said), "{said} in {page}");
        }
        for kept in ["按样表填写并由法定代表人签字", "加盖公章的复印件", "三天", "《市场主体登记管理条例》第二十一条"]
        {
            assert!(page.contains(kept), "{kept} kept");
        }
        assert_eq!(app.call("GET", "/api/v1/items/SC-9", None, None).0, 404, "nothing saved");

        // 再加三项材料 only adds rows, keeping what was typed.
        form.push(("more", "1"));
        let (st, page) = page_post(&app, "business", "/admin/catalog/items", &form);
        assert_eq!(st, 200);
        assert!(page.contains("name=\"m5_name\"") && page.contains("加盖公章的复印件"));
        form.pop();

        form.retain(|(k, _)| !["name", "time_limit_wd", "m1_sample"].contains(k));
        form.extend([("name", "企业设立登记"), ("time_limit_wd", "3"), ("m1_name", "住所证明")]);
        let (st, page) = page_post(&app, "business", "/admin/catalog/items", &form);
        assert_eq!(st, 303, "{page}");
        let (_, i) = app.call("GET", "/api/v1/items/SC-9", None, None);
        assert_eq!(i["version"], 1);
        assert_eq!(i["materials"][0]["sample"], "按样表填写并由法定代表人签字");
        assert_eq!(i["materials"][0]["main"], true);
        assert_eq!(i["materials"][1]["main"], false);
        assert_eq!(i["steps"], json!(["申请", "受理", "决定"]));
        // A new item over a code in use is refused, not written over it.
        let (st, page) = page_post(&app, "business", "/admin/catalog/items", &form);
        assert_eq!(st, 409);
        assert!(page.contains("事项编码 SC-9 已被使用"), "{page}");

        // The edit form comes filled in; a change is a new version in the list.
        let (st, edit) = page_get(&app, "business", "/admin/catalog/items/SC-9?saved=1");
        assert_eq!(st, 200);
        assert!(edit.contains("已保存，现为第 1 版") && edit.contains("value=\"企业设立登记\""), "{edit}");
        let mut change = form.clone();
        change.retain(|(k, _)| !["base_version", "time_limit_wd"].contains(k));
        change.extend([("base_version", "1"), ("time_limit_wd", "2")]);
        assert_eq!(page_post(&app, "business", "/admin/catalog/items", &change).0, 303);
        let (_, edit) = page_get(&app, "business", "/admin/catalog/items/SC-9");
        assert!(edit.contains("第 2 版") && edit.contains("承诺时限") && edit.contains("business"), "{edit}");
        // Someone who opened version 1 cannot write over version 2.
        change.retain(|(k, _)| *k != "name");
        change.push(("name", "企业设立登记（旧页面）"));
        let (st, page) = page_post(&app, "business", "/admin/catalog/items", &change);
        assert_eq!(st, 409);
        assert!(page.contains("已被修改") && page.contains("企业设立登记（旧页面）"), "kept: {page}");
        let (_, i) = app.call("GET", "/api/v1/items/SC-9", None, None);
        assert_eq!((i["version"].as_i64(), i["name"].as_str()), (Some(2), Some("企业设立登记")));
        // The list links every item to its form.
        let (_, list) = page_get(&app, "business", "/admin/catalog");
        assert!(list.contains("/admin/catalog/items/SC-9"), "{list}");
        // A clerk does not keep the catalog.
        assert_eq!(page_get(&app, "clerk", "/admin/catalog/items/SC-9").0, 403);
        assert_eq!(page_post(&app, "clerk", "/admin/catalog/items", &change).0, 403);
    }
}

// CAT-1: the same change saved 100 times at once over one version: exactly one is saved, the
// rest are told someone was first; and nobody moves another center's item into their own unit.
#[test]
fn cat_1_one_save_per_version_and_no_taking_over() {
    for k in backends() {
        let app = App::spawn(k, "national");
        let admin = app.token("admin");
        assert_eq!(app.post("/api/v1/items", &admin, item(&app, "SC-1", "企业设立登记")).0, 201);
        let codes = app.at_once("/api/v1/items", &admin, 100, |i| {
            let mut b = item(&app, "SC-1", &format!("企业设立登记 {i}"));
            b["base_version"] = json!(1);
            b
        });
        assert_eq!(codes.iter().filter(|c| **c == 200).count(), 1, "{codes:?}");
        assert_eq!(codes.iter().filter(|c| **c == 409).count(), 99, "{codes:?}");
        let (_, vs) = app.get("/api/v1/items/SC-1/versions", &admin);
        assert_eq!(vs["versions"].as_array().unwrap().len(), 2);

        let county = app.token("county_admin");
        let (st, u) = app.post("/api/v1/units", &county, json!({"center_id": app.ids.county, "name": "县单位"}));
        assert_eq!(st, 201, "{u}");
        let mut take = item(&app, "SC-1", "改到县里");
        take["unit_id"] = u["id"].clone();
        assert_eq!(app.post("/api/v1/items", &county, take).0, 403, "the item stays its unit's");
        let (_, i) = app.call("GET", "/api/v1/items/SC-1", None, None);
        assert_eq!(i["unit_id"].as_i64(), Some(app.ids.unit));
    }
}

// CAT-4: life-event bundles — kept by the catalog's keepers (a clerk cannot; an unknown item is
// refused beside its field), read with their items in order, shared materials and total time,
// and found by a plain-language question on the API, the public guides and the staff's library
// page; a question about one service gets no bundle — on both stores.
#[test]
fn cat_4_life_event_bundles_found_by_intent() {
    for k in backends() {
        let app = App::spawn(k, "national");
        let admin = app.token("admin");
        let mut shop = item(&app, "SC-5", "个体工商户登记");
        shop["materials"] = json!([{"name": "登记申请书", "main": true}, {"name": "营业执照", "main": false}]);
        assert_eq!(app.post("/api/v1/items", &admin, shop).0, 201);
        let mut food = item(&app, "SC-6", "食品经营许可");
        food["time_limit_wd"] = json!(10);
        food["materials"] = json!([{"name": "食品经营许可申请书", "main": true}, {"name": "营业执照", "main": true}]);
        assert_eq!(app.post("/api/v1/items", &admin, food).0, 201);
        assert_eq!(app.post("/api/v1/items", &admin, item(&app, "GA-2", "居民身份证挂失补领")).0, 201);
        let bundle = json!({
            "code": "canyin", "name": "开办餐饮店一件事",
            "description": "开饭馆、小吃店，一次办齐主体登记和食品经营许可。",
            "intents": ["开饭店", "开餐馆", "开小吃店"],
            "items": ["SC-5", "SC-6"]
        });
        let (st, e) = app.post("/api/v1/bundles", &app.token("clerk"), bundle.clone());
        assert_eq!(st, 403, "{e}");
        let mut bad = bundle.clone();
        bad["items"] = json!(["SC-5", "NOPE"]);
        let (st, e) = app.post("/api/v1/bundles", &admin, bad);
        assert_eq!((st, e["error"]["field"].as_str()), (422, Some("items")), "{e}");
        let (st, v) = app.post("/api/v1/bundles", &admin, bundle);
        assert_eq!((st, v["version"].as_i64()), (201, Some(1)), "{v}");
        let (st, b) = app.call("GET", "/api/v1/bundles/canyin", None, None);
        assert_eq!(st, 200, "public: {b}");
        let steps: Vec<&str> = b["steps"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
        assert_eq!(steps, ["个体工商户登记", "食品经营许可"]);
        assert_eq!(
            (b["total_wd"].as_i64(), b["shared"][0].as_str(), b["materials"].as_i64()),
            (Some(13), Some("营业执照"), Some(3)),
            "{b}"
        );
        let enc = |q: &str| {
            q.bytes()
                .map(|b| {
                    if b.is_ascii_alphanumeric() || b"/?=&-".contains(&b) {
                        (b as char).to_string()
                    } else {
                        format!("%{b:02X}")
                    }
                })
                .collect::<String>()
        };
        let get = |path: &str| {
            let mut r = app.agent.get(&format!("{}{}", app.base, enc(path))).call().unwrap();
            (r.status().as_u16(), r.body_mut().read_to_string().unwrap())
        };
        let ask = |q: &str| {
            let (st, v) = app.call("GET", &format!("/api/v1/bundles?q={}", enc(q)), None, None);
            assert_eq!(st, 200, "{v}");
            v["bundle"]["code"].as_str().map(String::from)
        };
        assert_eq!(ask("开饭店要办什么证").as_deref(), Some("canyin"));
        assert_eq!(ask("想开个小餐馆").as_deref(), Some("canyin"));
        assert_eq!(ask("身份证丢了怎么补办"), None, "one service, no bundle");
        // The public guides and the staff's library answer the question with the bundle first.
        let (st, page) = get("/guides?q=开饭店要办什么证");
        assert_eq!(st, 200);
        assert!(
            page.contains("您要办的可能是")
                && page.contains("开办餐饮店一件事")
                && page.contains("合计不超过 13 个工作日"),
            "{page}"
        );
        let (_, page) = get("/guides/bundles/canyin");
        assert!(page.contains("共用材料（只交一次）") && page.contains("营业执照"), "{page}");
        let (_, page) = crate::cases::page_get(&app, "clerk", "/faq?q=开饭店要办什么证");
        assert!(page.contains("开办餐饮店一件事"), "{page}");
        let (st, _) = get("/guides/bundles/nope");
        assert_eq!(st, 404);
        // The catalog keepers' pages: the list, and a form that answers beside its field.
        let (_, page) = crate::cases::page_get(&app, "admin", "/admin/catalog");
        assert!(page.contains("一件事一次办") && page.contains("/admin/catalog/bundles/canyin"), "{page}");
        let form = [
            ("code", "chushou"),
            ("name", "出生一件事"),
            ("description", "孩子出生后一次办理"),
            ("intents", "生孩子\n宝宝出生"),
            ("items", "SC-5\nNOPE"),
        ];
        let (st, page) = crate::cases::page_post(&app, "admin", "/admin/catalog/bundles", &form);
        assert_eq!(st, 422, "{page}");
        assert!(page.contains("事项库中没有编码为 NOPE 的事项") && page.contains("孩子出生后一次办理"), "{page}");
        let mut fixed = form;
        fixed[4] = ("items", "SC-5\nGA-2");
        let (st, _) = crate::cases::page_post(&app, "admin", "/admin/catalog/bundles", &fixed);
        assert_eq!(st, 303);
        assert_eq!(app.call("GET", "/api/v1/bundles/chushou", None, None).0, 200);
        let (st, _) = crate::cases::page_post(&app, "clerk", "/admin/catalog/bundles", &fixed);
        assert_eq!(st, 403, "only the catalog's keepers");
        assert!(app.audit_ok());
    }
}
