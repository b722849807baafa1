//! Security issue, item 1: every list — API route and page — as every role, stays inside what
//! that role may read one by one (the single read is the reference: a list never shows what
//! `GET /api/v1/cases/{id}` refuses the same person).

use crate::helpers::*;
use serde_json::{Value, json};
use std::collections::BTreeSet;

fn ids(v: &Value, list: &str, field: &str) -> Vec<i64> {
    v[list].as_array().map(|a| a.iter().filter_map(|c| c[field].as_i64()).collect()).unwrap_or_default()
}

fn page(app: &App, cookie: &str, path: &str) -> (u16, String) {
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).max_redirects(0).build().into();
    let mut r = agent.get(&format!("{}{}", app.base, path)).header("Cookie", cookie).call().unwrap();
    (r.status().as_u16(), crate::helpers::without_labels(&r.body_mut().read_to_string().unwrap_or_default()))
}

#[test]
fn role_by_list_and_page_matrix() {
    for k in backends() {
        let app = App::spawn(k, "national");
        let admin = app.token("admin");
        // A county unit with its own window, clerk and supervision.
        let (_, u) = app.post("/api/v1/units", &admin, json!({"center_id": app.ids.county, "name": "县市场监管局"}));
        let county_unit = u["id"].as_i64().unwrap();
        let (_, w) = app.post("/api/v1/windows", &admin, json!({"unit_id": county_unit, "name": "县登记窗口"}));
        app.add_staff("county_clerk", "clerk", json!({"window_id": w["id"]}));
        app.add_staff("county_sup", "supervision", json!({"center_id": app.ids.county}));
        let county_clerk = app.token("county_clerk");
        // Cases in three units at two centers, one with a pending veto request (a filing and an
        // inbox item), one with an escalation.
        let (clerk, clerk2) = (app.token("clerk"), app.token("clerk2"));
        let mut all: Vec<(i64, String)> = vec![];
        for t in [&clerk, &clerk, &clerk2, &county_clerk] {
            let id = app.new_case(t, None);
            let (_, c) = app.get(&format!("/api/v1/cases/{id}"), t);
            let receipt = c["receipt_no"].as_str().unwrap().to_string();
            // FAQ-3: a suggestion from each case, at the case's place.
            let (st, r) = app.post("/api/v1/suggestions", t, json!({"text": format!("意见{receipt}"), "case_id": id}));
            assert_eq!(st, 201, "{r}");
            all.push((id, receipt));
        }
        let (st, vr) = app.post(
            &format!("/api/v1/cases/{}/veto-requests", all[0].0),
            &clerk,
            json!({"reason": "不符合条件", "legal_basis": "《行政许可法》第三十八条"}),
        );
        assert_eq!(st, 201, "{vr}");
        let (st, e) = app.post(
            &format!("/api/v1/cases/{}/escalations", all[2].0),
            &clerk2,
            json!({"reason": "材料标准不明确，请示如何办理"}),
        );
        assert!(st == 201 || st == 200, "{e}");
        let month = "2026-11";
        let logins: Vec<&str> = SEEDED_LOGINS.iter().copied().chain(["county_clerk", "county_sup"]).collect();
        let mut checked_lists = 0;
        for login in logins.iter().copied() {
            let token = app.token(login);
            let readable: BTreeSet<i64> = all
                .iter()
                .map(|(id, _)| *id)
                .filter(|id| app.get(&format!("/api/v1/cases/{id}"), &token).0 == 200)
                .collect();
            // API lists of cases.
            let mut paths = vec![
                "/api/v1/cases?limit=500".to_string(),
                "/api/v1/cases?mine=true&limit=500".to_string(),
                "/api/v1/cases?status=received&limit=500".to_string(),
            ];
            for u in [app.ids.unit, app.ids.unit2, county_unit] {
                paths.push(format!("/api/v1/cases?unit_id={u}&limit=500"));
            }
            for p in &paths {
                let (st, v) = app.get(p, &token);
                assert!(st == 200 || st == 403, "{login} {p}: {st} {v}");
                if st == 200 {
                    checked_lists += 1;
                    for id in ids(&v, "cases", "id") {
                        assert!(readable.contains(&id), "{login} sees case {id} in {p} but may not read it");
                    }
                }
            }
            // A center role's list holds every case it may read (nothing readable is missing).
            let (st, v) = app.get("/api/v1/cases?limit=500", &token);
            if st == 200 {
                let listed: BTreeSet<i64> = ids(&v, "cases", "id").into_iter().collect();
                assert_eq!(listed, readable, "{login}: the center list and the single reads disagree");
            }
            // Filings: each listed filing's request is one the caller may open.
            let (st, v) = app.get(&format!("/api/v1/filings?month={month}"), &token);
            assert!(st == 200 || st == 403, "{login} filings: {st}");
            if st == 200 {
                for f in v["filings"].as_array().unwrap() {
                    let case = f["case_id"].as_i64().unwrap();
                    assert!(readable.contains(&case), "{login} sees the filing of case {case}: {v}");
                }
            }
            // Suggestions (FAQ-3): the API's list and the page show the same ones, each from a
            // case the reader may open.
            let (st, v) = app.get("/api/v1/suggestions", &token);
            assert!(st == 200 || st == 403, "{login} suggestions: {st}");
            let listed: BTreeSet<String> = if st == 200 {
                checked_lists += 1;
                v["suggestions"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|x| {
                        let case = x["case_id"].as_i64().unwrap();
                        assert!(readable.contains(&case), "{login} sees the suggestion of case {case}");
                        x["text"].as_str().unwrap().to_string()
                    })
                    .collect()
            } else {
                BTreeSet::new()
            };
            let (pst, html) = page(&app, &session_cookie(&app.base, login), "/suggestions");
            assert!(pst < 500, "{login} /suggestions: {pst}");
            for (_, receipt) in &all {
                let text = format!("意见{receipt}");
                assert_eq!(html.contains(&text), listed.contains(&text), "{login}: {text} on the page vs the API");
            }
            // Staff list: administrators only, and only inside their scope.
            let (st, v) = app.get("/api/v1/staff", &token);
            assert!(st == 200 || st == 403, "{login} staff: {st}");
            if login == "county_admin" {
                assert_eq!(st, 200);
                let seen: BTreeSet<&str> =
                    v["staff"].as_array().unwrap().iter().filter_map(|s| s["login"].as_str()).collect();
                assert!(seen.contains("county_clerk") && seen.contains("county_sup"), "{seen:?}");
                for city in ["clerk", "head", "leader", "supervision", "admin"] {
                    assert!(!seen.contains(city), "the county administrator lists city staff: {seen:?}");
                }
            }
            // Pages: a receipt number shown on a list page belongs to a case the person may read.
            let cookie = session_cookie(&app.base, login);
            // Role x page: a page and the API route that show the same thing let the same people
            // in (one door): each case page, the filings page and the admin page.
            for (id, _) in &all {
                let api = app.get(&format!("/api/v1/cases/{id}"), &token).0;
                let (pg, _) = page(&app, &cookie, &format!("/cases/{id}"));
                assert_eq!(pg, api, "{login}: case {id} page {pg}, API {api}");
            }
            let api = app.get(&format!("/api/v1/filings?month={month}"), &token).0;
            let (pg, _) = page(&app, &cookie, &format!("/filings?month={month}"));
            assert_eq!(pg, api, "{login}: filings page {pg}, API {api}");
            let api = app.get("/api/v1/staff", &token).0;
            let (pg, _) = page(&app, &cookie, "/admin");
            assert_eq!(pg, api, "{login}: admin page {pg}, staff API {api}");
            for p in ["/", "/inbox", &format!("/filings?month={month}"), "/faq/stats", "/admin"] {
                let (st, html) = page(&app, &cookie, p);
                assert!(st < 500, "{login} {p}: {st}");
                assert_ne!(st, 303, "{login} is logged in");
                if login == "clerk" && p == "/" {
                    assert!(html.contains(all[0].1.as_str()), "the clerk's workbench lists the clerk's case");
                }
                if login == "county_admin" && p == "/admin" {
                    assert_eq!(st, 200);
                    assert!(html.contains("<td>county_sup</td>"), "the county's own staff are listed");
                    for city in ["clerk", "head", "leader", "supervision", "admin"] {
                        assert!(
                            !html.contains(&format!("<td>{city}</td>")),
                            "the admin page lists city staff to the county"
                        );
                    }
                }
                for (id, receipt) in &all {
                    if html.contains(receipt.as_str()) {
                        assert!(readable.contains(id), "{login} sees {receipt} on {p} but may not read it");
                    }
                }
            }
        }
        assert!(checked_lists > 20, "the matrix read lists ({checked_lists})");
        // The matrix saw the obvious: a clerk of another unit and the county see none of the city's.
        let clerk2_reads =
            all.iter().filter(|(id, _)| app.get(&format!("/api/v1/cases/{id}"), &clerk2).0 == 200).count();
        assert_eq!(clerk2_reads, 1);
    }
}

// Security issue item 1 and screens item 3: the supervision home's overdue list stays inside the
// reader's scope (a district's supervision sees none of the city's) and names cases by receipt
// number and deadlines in words, not `reply` / `promised_time_limit`.
#[test]
fn overdue_list_in_scope_and_in_words() {
    for k in backends() {
        let app = App::spawn(k, "national");
        app.add_staff("county_sup", "supervision", json!({"center_id": app.ids.county}));
        let clerk = app.token("clerk");
        let id = app.new_case(&clerk, None);
        app.post(&format!("/api/v1/cases/{id}/escalations"), &clerk, json!({"reason": "政策不明"}));
        let (_, c) = app.get(&format!("/api/v1/cases/{id}"), &clerk);
        let receipt = c["receipt_no"].as_str().unwrap().to_string();
        app.set_now("2026-12-01T09:00:00+08:00");
        let home = |login: &str| {
            let cookie = session_cookie(&app.base, login);
            page(&app, &cookie, "/").1
        };
        let city = home("supervision");
        assert!(city.contains(&receipt) && city.contains("请示答复"), "{city}");
        assert!(!city.contains(">reply<"), "{city}");
        let county = home("county_sup");
        assert!(!county.contains(&receipt), "the district's supervision sees a city case: {county}");
    }
}
