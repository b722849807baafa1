//! HCP: 好差评 over HTTP, on both stores — one rating per service, the same-day SMS link that
//! rates once, satisfaction checked by hand, bad ratings rectified without the rated staff
//! learning who rated, the callback sample, the provincial platform's layout.

use crate::helpers::*;
use serde_json::{Value, json};

/// A closed consultation at the clerk's window (the applicant's phone `phone`): its id.
fn served(app: &App, phone: &str) -> i64 {
    let clerk = app.token("clerk");
    let (st, v) = app.post(
        "/api/v1/cases",
        &clerk,
        json!({"kind": "consultation", "channel": "window", "applicant": {"name": "评价人甲", "phone": phone}, "request": "咨询营业执照变更"}),
    );
    assert_eq!(st, 201, "{v}");
    let id = v["id"].as_i64().unwrap();
    let (st, v) =
        app.post(&format!("/api/v1/cases/{id}/close"), &clerk, json!({"outcome": "answered", "note": "已当场解答"}));
    assert_eq!(st, 200, "{v}");
    id
}

/// A public page, without a session.
fn public_get(app: &App, path: &str) -> (u16, String) {
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let mut r = agent.get(&format!("{}{path}", app.base)).call().unwrap();
    (r.status().as_u16(), r.body_mut().read_to_string().unwrap_or_default())
}

fn outbox_bodies(app: &App, like: &str) -> Vec<(String, String)> {
    let l = like.to_string();
    app.block_on(app.state.store.read(move |tx| {
        Ok::<_, noveto_store::StoreError>(
            tx.query(
                "SELECT recipient, body FROM outbox WHERE body LIKE $1 ORDER BY id",
                noveto_store::params![l.as_str()],
            )?
            .iter()
            .map(|r| (r.str(0), r.str(1)))
            .collect(),
        )
    }))
    .unwrap()
}

// HCP-2, HCP-4: one service, one rating on the device or by SMS — fired 100 times at once, one is
// recorded and 99 hear 409 already_rated; a callback is a sample of its own; levels on the
// policy's scale only (WH: two levels); only the window's staff enter a device rating.
#[test]
fn hcp_2_one_service_one_rating() {
    for k in backends() {
        let app = App::spawn(k, "weihai-huancui");
        let case = served(&app, "13800001234");
        let clerk = app.token("clerk");
        for (body, code) in [
            (json!({"case_id": case, "channel": "device", "level": 4}), "invalid_level"),
            (json!({"case_id": case, "channel": "kiosk", "level": "satisfied"}), "invalid_channel"),
            (json!({"channel": "device", "level": "satisfied"}), "service_required"),
            (
                json!({"case_id": case, "channel": "device", "level": "satisfied", "dimensions": {"looks": "satisfied"}}),
                "invalid_dimension",
            ),
        ] {
            let (st, v) = app.post("/api/v1/ratings", &clerk, body);
            assert_eq!((st, v["error"]["code"].as_str()), (422, Some(code)), "{v}");
        }
        assert_eq!(
            app.post(
                "/api/v1/ratings",
                &app.token("clerk2"),
                json!({"case_id": case, "channel": "device", "level": "satisfied"})
            )
            .0,
            403
        );
        let codes = app.at_once("/api/v1/ratings", &clerk, 100, |i| {
            json!({"case_id": case, "channel": "device", "level": if i % 2 == 0 { "satisfied" } else { "unsatisfied" }})
        });
        assert_eq!(codes.iter().filter(|c| **c == 201).count(), 1, "{codes:?}");
        assert_eq!(codes.iter().filter(|c| **c == 409).count(), 99, "{codes:?}");
        let (st, v) = app.post(
            "/api/v1/ratings",
            &app.token("supervision"),
            json!({"case_id": case, "channel": "sms", "level": "satisfied"}),
        );
        assert_eq!((st, v["error"]["code"].as_str()), (409, Some("already_rated")), "{v}");
        let (st, v) = app.post("/api/v1/ratings", &app.token("supervision"), json!({"case_id": case, "channel": "callback", "level": "satisfied", "dimensions": {"attitude": "satisfied"}}));
        assert_eq!(st, 201, "{v}");
        let n: i64 = app
            .block_on(app.state.store.read(move |tx| {
                Ok::<_, noveto_store::StoreError>(
                    tx.query_one("SELECT COUNT(*) FROM ratings WHERE service_id = $1", noveto_store::params![case])?
                        .unwrap()
                        .i64(0),
                )
            }))
            .unwrap();
        assert_eq!(n, 2);
        assert!(app.audit_ok());
    }
}

// HCP-3: the same day a service ends, an SMS invites a rating with a signed single-use link; the
// link's page rates once and then refuses; a forged or expired link is refused; a service rated on
// the device gets no SMS. Time is moved, never waited for.
#[test]
fn hcp_3_the_same_day_sms_link_rates_once() {
    for k in backends() {
        let app = App::spawn_at(k, "weihai-huancui", "2026-11-24T10:00:00+08:00");
        let a = served(&app, "13800005555");
        let b = served(&app, "13800006666");
        assert_eq!(
            app.post(
                "/api/v1/ratings",
                &app.token("clerk"),
                json!({"case_id": b, "channel": "device", "level": "satisfied"})
            )
            .0,
            201
        );
        let r = app.block_on(noveto_app::jobs::tick(&app.state)).unwrap();
        assert_eq!(r.invited, 1, "only the one not rated on the spot: {r:?}");
        assert_eq!(app.block_on(noveto_app::jobs::tick(&app.state)).unwrap().invited, 0, "once");
        let sms = outbox_bodies(&app, "%/rate/%");
        assert_eq!(sms.len(), 1, "{sms:?}");
        assert_eq!(sms[0].0, "phone:13800005555");
        let token = sms[0].1.split("/rate/").nth(1).unwrap().trim().to_string();
        let (st, page) = public_get(&app, &format!("/rate/{token}"));
        assert_eq!(st, 200);
        assert!(page.contains("服务评价") && !page.contains("clerk"), "the page names no staff: {page}");
        let body = json!({"level": "unsatisfied", "comment": "等了很久"});
        let (st, v) = app.call("POST", &format!("/api/v1/public/ratings/{token}"), None, Some(body.clone()));
        assert_eq!(st, 201, "{v}");
        let (st, v) = app.call("POST", &format!("/api/v1/public/ratings/{token}"), None, Some(body.clone()));
        assert_eq!((st, v["error"]["code"].as_str()), (409, Some("already_rated")), "a link rates once: {v}");
        let forged = format!("case-{b}-{}", &token.split('-').skip(2).collect::<Vec<_>>().join("-"));
        let (st, v) = app.call("POST", &format!("/api/v1/public/ratings/{forged}"), None, Some(body.clone()));
        assert_eq!((st, v["error"]["code"].as_str()), (404, Some("invalid_link")), "{v}");
        // Expired: a week later a fresh link's day has passed.
        let c = served(&app, "13800007777");
        let fresh =
            app.block_on(noveto_app::ratings::token_for(&app.state, noveto_domain::rating::Service::Case(c))).unwrap();
        app.set_now("2026-12-02T10:00:00+08:00");
        let (st, v) = app.call("POST", &format!("/api/v1/public/ratings/{fresh}"), None, Some(body));
        assert_eq!((st, v["error"]["code"].as_str()), (404, Some("invalid_link")), "expired: {v}");
        let _ = a;
    }
}

// HCP-5: satisfaction per channel (callback ÷ effective calls) and the composite with the
// policy's weights, checked against a hand computation on a generated quarter; a quarter with an
// empty channel spreads its weight and says so; the year is the sum of the quarters in Weihai
// Huancui.
#[test]
fn hcp_5_composite_against_a_hand_computation() {
    for k in backends() {
        let app = App::spawn_at(k, "weihai-huancui", "2026-11-24T10:00:00+08:00");
        let (clerk, sup) = (app.token("clerk"), app.token("supervision"));
        // Device: 7 of 10 satisfied; SMS: 3 of 5; callback: 4 of 5 reached, 2 not reached.
        let mut n = 0;
        let mut next = || {
            n += 1;
            served(&app, &format!("1380000{n:04}"))
        };
        for i in 0..10 {
            let c = next();
            let l = if i < 7 { "satisfied" } else { "unsatisfied" };
            assert_eq!(
                app.post("/api/v1/ratings", &clerk, json!({"case_id": c, "channel": "device", "level": l})).0,
                201
            );
        }
        for i in 0..5 {
            let c = next();
            let l = if i < 3 { "satisfied" } else { "unsatisfied" };
            assert_eq!(app.post("/api/v1/ratings", &sup, json!({"case_id": c, "channel": "sms", "level": l})).0, 201);
        }
        for i in 0..7 {
            let c = next();
            let body = match i {
                0..4 => json!({"case_id": c, "channel": "callback", "level": "satisfied"}),
                4 => json!({"case_id": c, "channel": "callback", "level": "unsatisfied"}),
                _ => json!({"case_id": c, "channel": "callback", "reached": false}),
            };
            assert_eq!(app.post("/api/v1/ratings", &sup, body).0, 201);
        }
        let (st, f) = app.get("/api/v1/satisfaction?quarter=2026Q4", &sup);
        assert_eq!(st, 200, "{f}");
        let rate = |c: &str| f[c]["rate"].as_f64().unwrap();
        assert_eq!((f["device"]["satisfied"].as_u64(), f["device"]["total"].as_u64()), (Some(7), Some(10)));
        assert_eq!(f["callback"]["total"], 5, "effective calls only: {f}");
        let hand = 0.3 * 0.7 + 0.3 * 0.6 + 0.4 * 0.8;
        assert!((f["composite"].as_f64().unwrap() - hand).abs() < 1e-9, "{f} vs {hand}");
        assert!((rate("sms") - 0.6).abs() < 1e-9);
        // A quarter with no callback yet (2027Q1): its 40 % spread over device and SMS.
        app.set_now("2027-01-12T10:00:00+08:00");
        let c = next();
        app.post("/api/v1/ratings", &clerk, json!({"case_id": c, "channel": "device", "level": "satisfied"}));
        let c = next();
        app.post("/api/v1/ratings", &sup, json!({"case_id": c, "channel": "sms", "level": "unsatisfied"}));
        let (_, g) = app.get("/api/v1/satisfaction?quarter=2027Q1", &sup);
        assert_eq!(g["callback"]["rate"], Value::Null, "an empty channel is shown as none: {g}");
        assert_eq!(g["reweighted"], true);
        assert!((g["composite"].as_f64().unwrap() - 0.5).abs() < 1e-9, "0.5 × 1 + 0.5 × 0: {g}");
        // The year (WH: the sum of the quarters, as written).
        let (_, y) = app.get("/api/v1/satisfaction?year=2026", &sup);
        assert_eq!((y["year_rule"].as_str(), y["quarters_counted"].as_u64()), (Some("sum"), Some(1)), "{y}");
        assert!((y["year"].as_f64().unwrap() - hand).abs() < 1e-9);
        // The quarter's figures by unit and window as a file.
        let (st, x) = app.download("/api/v1/satisfaction?quarter=2026Q4&format=xlsx", &sup);
        assert_eq!(st, 200);
        let rows = noveto_app::catalog_file::read_rows(&x).unwrap();
        assert_eq!(rows[0][0], "对象");
        assert!(rows.iter().any(|r| r[0] == "登记窗口"), "{rows:?}");
        assert_eq!(app.get("/api/v1/satisfaction?quarter=2026Q9", &sup).0, 422);
    }
}

// HCP-6: an unsatisfied rating opens its rectification in the same write; the rater is never
// shown to the rated unit (not in the rating, the rectification, the export or a message); a
// real-name rater is called back by the supervision section only; one appeal, decided with its
// reason — upheld, the rating no longer counts.
#[test]
fn hcp_6_a_bad_rating_is_rectified_without_naming_the_rater() {
    for k in backends() {
        let app = App::spawn_at(k, "weihai-huancui", "2026-11-24T10:00:00+08:00");
        let admin = app.token("admin");
        let body = json!({"leader_id": app.staff_id("leader"), "contact_id": app.staff_id("clerk")});
        assert_eq!(
            app.call("PUT", &format!("/api/v1/units/{}/liaison", app.ids.unit), Some(&admin), Some(body)).0,
            200
        );
        let sup = app.token("supervision");
        let case = served(&app, "13912345678");
        let (st, r) = app.post(
            "/api/v1/ratings",
            &sup,
            json!({"case_id": case, "channel": "sms", "level": "unsatisfied", "comment": "窗口人员不耐烦"}),
        );
        assert_eq!(st, 201, "{r}");
        let rid = r["rectification_id"].as_i64().unwrap_or_else(|| panic!("no rectification: {r}"));
        let (_, cv) = app.get(&format!("/api/v1/cases/{case}"), &sup);
        let receipt = cv["receipt_no"].as_str().unwrap().to_string();
        let secret = |t: &str| {
            t.contains("评价人甲") || t.contains("13912345678") || t.contains("139****5678") || t.contains(&receipt)
        };
        for who in ["clerk", "leader", "head", "business", "director", "hall"] {
            let t = app.token(who);
            for path in [
                format!("/api/v1/rectifications/{rid}"),
                "/api/v1/rectifications".to_string(),
                "/api/v1/ratings?quarter=2026Q4".to_string(),
                "/api/v1/ratings/export?quarter=2026Q4&format=csv".to_string(),
            ] {
                let (_, b) = app.download(&path, &t);
                let text = String::from_utf8_lossy(&b);
                assert!(!secret(&text), "{who} learns the rater at {path}: {text}");
            }
        }
        let (_, v) = app.get(&format!("/api/v1/rectifications/{rid}"), &sup);
        assert_eq!(v["person"]["name"], "评价人甲", "the supervision section sees the rater: {v}");
        let msgs = outbox_bodies(&app, "%");
        assert!(msgs.iter().filter(|(to, _)| !to.starts_with("phone:")).all(|(_, b)| !secret(b)), "{msgs:?}");
        let clerk = app.token("clerk");
        let (st, v) =
            app.post(&format!("/api/v1/rectifications/{rid}/verification"), &clerk, json!({"note": "已回访"}));
        assert_eq!(
            (st, v["error"]["code"].as_str()),
            (403, Some("forbidden")),
            "a real-name rater: the supervision section calls: {v}"
        );
        assert_eq!(
            app.post(
                &format!("/api/v1/rectifications/{rid}/verification"),
                &sup,
                json!({"note": "已回访，评价人反映等候 40 分钟"})
            )
            .0,
            200
        );
        assert_eq!(
            app.post(&format!("/api/v1/rectifications/{rid}/appeal"), &app.token("clerk2"), json!({"reason": "x"})).0,
            403
        );
        assert_eq!(
            app.post(
                &format!("/api/v1/rectifications/{rid}/appeal"),
                &clerk,
                json!({"reason": "叫号记录显示评价人当日未到本窗口"})
            )
            .0,
            200
        );
        assert_eq!(
            app.post(
                &format!("/api/v1/rectifications/{rid}/appeal/decision"),
                &clerk,
                json!({"upheld": true, "reason": "x"})
            )
            .0,
            403
        );
        let (_, before) = app.get("/api/v1/satisfaction?quarter=2026Q4", &sup);
        assert_eq!(before["sms"]["total"], 1);
        let (st, v) = app.post(
            &format!("/api/v1/rectifications/{rid}/appeal/decision"),
            &sup,
            json!({"upheld": true, "reason": "叫号记录属实，系误评"}),
        );
        assert_eq!((st, v["status"].as_str()), (200, Some("annulled")), "{v}");
        let (_, after) = app.get("/api/v1/satisfaction?quarter=2026Q4", &sup);
        assert_eq!(after["sms"]["total"], 0, "an annulled rating does not count: {after}");
        // A second bad one is fixed and told.
        let case2 = served(&app, "13912340000");
        let (_, r) = app.post(
            "/api/v1/ratings",
            &app.token("clerk"),
            json!({"case_id": case2, "channel": "device", "level": "unsatisfied"}),
        );
        let r2 = r["rectification_id"].as_i64().unwrap();
        let (st, v) = app.post(
            &format!("/api/v1/rectifications/{r2}/done"),
            &clerk,
            json!({"measures": "增开窗口", "told": "已在大厅公示"}),
        );
        assert_eq!((st, v["status"].as_str()), (200, Some("done")), "{v}");
        assert!(app.audit_ok());
    }
}

// HCP-3: the quarter's callback sample is the same for the same seed and drawn from every
// window; the callers record reached or not; the platform export has its fields.
#[test]
fn hcp_3_callback_sample_and_platform_export() {
    for k in backends() {
        let app = App::spawn_at(k, "national", "2026-11-24T10:00:00+08:00");
        for i in 0..12 {
            served(&app, &format!("1370000{i:04}"));
        }
        let sup = app.token("supervision");
        let (st, a) = app.get("/api/v1/ratings/callback-sample?quarter=2026Q4&seed=7&size=5", &sup);
        assert_eq!(st, 200, "{a}");
        let (_, b) = app.get("/api/v1/ratings/callback-sample?quarter=2026Q4&seed=7&size=5", &sup);
        assert_eq!(a["calls"], b["calls"], "the same seed, the same sample");
        assert_eq!(a["calls"].as_array().unwrap().len(), 5);
        assert_eq!(app.get("/api/v1/ratings/callback-sample?quarter=2026Q4", &app.token("clerk")).0, 403);
        let first = a["calls"][0]["id"].as_i64().unwrap();
        assert_eq!(app.post("/api/v1/ratings", &sup, json!({"case_id": first, "channel": "callback", "level": 4, "dimensions": {"attitude": 5, "efficiency": 3}})).0, 201);
        let (_, c) = app.get("/api/v1/ratings/callback-sample?quarter=2026Q4&seed=7&size=5", &sup);
        assert_eq!(c["calls"][0]["done"], true, "{c}");
        let (_, e) = app.get("/api/v1/ratings/export?quarter=2026Q4", &sup);
        let cols: Vec<&str> = e["columns"].as_array().unwrap().iter().map(|x| x.as_str().unwrap()).collect();
        for f in ["评价编号", "办件编号", "事项编码", "评价渠道", "评价等级", "评价时间", "服务态度"]
        {
            assert!(cols.contains(&f), "{f}: {cols:?}");
        }
        assert_eq!(e["ratings"][0]["评价等级"], "满意", "national five levels: 4 = 满意: {e}");
        assert_eq!(e["ratings"][0]["服务态度"], "非常满意");
    }
}
