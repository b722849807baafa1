use crate::helpers::*;
use serde_json::json;

// Bad input gets a 4xx with a machine code and a Chinese message, and changes nothing.
#[test]
fn bad_input_is_refused_and_changes_nothing() {
    let app = App::spawn(Kind::Sqlite, "national");
    let admin = app.token("admin");
    let clerk = app.token("clerk");
    let before = app.audit_len();
    type Bad = (&'static str, &'static str, &'static str, Vec<u8>, u16, &'static str);
    let cases: Vec<Bad> = vec![
        ("POST", "/api/v1/units", "application/json", b"{not json".to_vec(), 400, "malformed_json"),
        (
            "POST",
            "/api/v1/units",
            "application/json",
            br#"{"center_id": "one", "name": "x"}"#.to_vec(),
            422,
            "invalid_field",
        ),
        ("POST", "/api/v1/units", "application/json", br#"{"name": "x"}"#.to_vec(), 422, "invalid_field"),
        (
            "POST",
            "/api/v1/units",
            "application/json",
            br#"{"center_id": 1, "name": "x", "evil": 1}"#.to_vec(),
            422,
            "invalid_field",
        ),
        (
            "POST",
            "/api/v1/units",
            "text/plain",
            br#"{"center_id": 1, "name": "x"}"#.to_vec(),
            415,
            "unsupported_media_type",
        ),
        (
            "POST",
            "/api/v1/units",
            "application/json",
            vec![b'{', b'"', b'n', 0xff, 0xfe, b'"', b'}'],
            400,
            "malformed_json",
        ),
        (
            "POST",
            "/api/v1/units",
            "application/json",
            br#"{"center_id": 424242, "name": "x"}"#.to_vec(),
            422,
            "unknown_center",
        ),
        ("POST", "/api/v1/units", "application/json", br#"{"center_id": 1, "name": "   "}"#.to_vec(), 422, "required"),
        (
            "POST",
            "/api/v1/units",
            "application/json",
            br#"{"center_id": 1, "name": "a\u0000b"}"#.to_vec(),
            422,
            "invalid_chars",
        ),
        (
            "PUT",
            "/api/v1/units/abc/liaison",
            "application/json",
            br#"{"leader_id": 1, "contact_id": 1}"#.to_vec(),
            404,
            "not_found",
        ),
        (
            "PUT",
            "/api/v1/units/999999/liaison",
            "application/json",
            br#"{"leader_id": 1, "contact_id": 1}"#.to_vec(),
            404,
            "not_found",
        ),
        (
            "POST",
            "/api/v1/units",
            "application/json",
            br#"{"center_id": 99999999999999999999999, "name": "x"}"#.to_vec(),
            422,
            "invalid_field",
        ),
    ];
    for (m, path, ct, body, status, code) in cases {
        let (st, v) = app.raw(m, path, &admin, ct, body);
        assert_eq!(st, status, "{path}: {v}");
        assert_eq!(v["error"]["code"].as_str(), Some(code), "{v}");
        let msg = v["error"]["message"].as_str().unwrap();
        assert!(msg.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "message in Chinese: {msg}");
    }
    // An oversize body: 413, read over a plain socket since the server stops reading early.
    let big = format!(r#"{{"center_id": 1, "name": "{}"}}"#, "长".repeat(200_000)).into_bytes();
    let (st, v) = app.raw_tcp("/api/v1/units", &admin, &big);
    assert_eq!((st, v["error"]["code"].as_str()), (413, Some("payload_too_large")), "{v}");
    // Case intake with a bad phone, a bad credit code, an unknown item.
    for (body, code) in [
        (
            json!({"kind": "application", "channel": "window", "applicant": {"name": "甲", "phone": "123"}, "request": "x"}),
            "invalid_phone",
        ),
        (
            json!({"kind": "application", "channel": "window", "applicant": {"name": "甲", "phone": "13812345678", "credit_code": "91350100M000100Y44"}, "request": "x"}),
            "invalid_credit_code",
        ),
        (
            json!({"kind": "application", "channel": "window", "applicant": {"name": "甲", "phone": "13812345678", "id_card": "110105194912310021"}, "request": "x"}),
            "invalid_id_card",
        ),
        (
            json!({"kind": "application", "channel": "fax", "applicant": {"name": "甲", "phone": "13812345678"}, "request": "x"}),
            "invalid_channel",
        ),
        (
            json!({"kind": "application", "channel": "window", "item_code": "NOPE", "applicant": {"name": "甲", "phone": "13812345678"}, "request": "x"}),
            "unknown_item",
        ),
    ] {
        let (st, v) = app.post("/api/v1/cases", &clerk, body);
        assert_eq!((st, v["error"]["code"].as_str()), (422, Some(code)), "{v}");
    }
    for q in [
        "from=2026-13-01&working_days=1",
        "from=x",
        "from=2026-11-20&working_days=-1",
        "from=2030-01-02&working_days=1",
    ] {
        let (st, v) = app.get(&format!("/api/v1/calendar/due?{q}"), &clerk);
        assert!((400..500).contains(&st), "{q}: {st} {v}");
        assert!(v["error"]["code"].is_string());
    }
    let (st, v) = app.get("/api/v1/cases/999999", &clerk);
    assert_eq!((st, v["error"]["code"].as_str()), (404, Some("not_found")));
    let (st, _) = app.get("/api/v1/cases/-1", &clerk);
    assert_eq!(st, 404);
    assert_eq!(app.audit_len(), before, "bad input changed stored data");
    assert!(app.audit_ok());
}

// The OpenAPI document is generated from the route table and lists every /api/v1 route.
#[test]
fn openapi_lists_every_route() {
    let app = App::spawn(Kind::Sqlite, "national");
    let (st, doc) = app.call("GET", "/api/v1/openapi.json", None, None);
    assert_eq!(st, 200);
    assert_eq!(doc["openapi"], "3.0.3");
    let paths = doc["paths"].as_object().unwrap();
    for p in [
        "/api/v1/centers",
        "/api/v1/units",
        "/api/v1/windows",
        "/api/v1/staff",
        "/api/v1/units/{id}/liaison",
        "/api/v1/cases",
        "/api/v1/cases/{id}/close",
        "/api/v1/veto-requests/{id}/decision",
        "/api/v1/filings",
        "/api/v1/replies/check",
        "/api/v1/calendar/due",
    ] {
        assert!(paths.contains_key(p), "{p} missing");
    }
    assert!(doc["paths"]["/api/v1/cases"]["post"]["requestBody"].is_object());
    assert!(doc["components"]["schemas"]["CaseIn"].is_object(), "{}", doc["components"]["schemas"]);
    let (st, _) = app.call("GET", "/healthz", None, None);
    assert_eq!(st, 200);
}

// Nothing a user sends reaches a 5xx: every route of the OpenAPI document, every method, with
// malformed, empty, wrong-typed and hostile bodies and query strings, as two different roles.
#[test]
fn no_input_reaches_a_5xx() {
    let app = App::spawn(Kind::Sqlite, "national");
    let clerk = app.token("clerk");
    let admin = app.token("admin");
    let case = app.new_case(&clerk, None);
    let (_, doc) = app.call("GET", "/api/v1/openapi.json", None, None);
    let bodies: Vec<Vec<u8>> = vec![
        b"{}".to_vec(),
        b"[]".to_vec(),
        b"null".to_vec(),
        b"\"x\"".to_vec(),
        b"{\"id\": 1e309}".to_vec(),
        b"\xff\xfe\x00garbage".to_vec(),
        format!("{}1{}", "[".repeat(5000), "]".repeat(5000)).into_bytes(),
        br#"{"kind":"application","channel":"window","applicant":{"name":"\u0000","phone":"1"},"request":"x","outcome":"vetoed","approve":true,"missing":[{"material":""}],"content":"{","text":"\u4e0d\u884c","question":"?","answer":"!","code":"../../etc","unit_id":-1,"center_id":9223372036854775807,"leader_id":0,"contact_id":0,"absent":true,"roles":[{"role":"admin","scope":{"center_id":1}}],"login":"x","password":"x","reason":"r","legal_basis":"b"}"#.to_vec(),
    ];
    let mut tried = 0;
    for (path, ops) in doc["paths"].as_object().unwrap() {
        let concrete = path
            .replace("{id}", &case.to_string())
            .replace("{code}", "NOPE")
            .replace("{file}", "notice.pdf")
            .replace("{year}", "2026");
        for (method, _) in ops.as_object().unwrap() {
            for tok in [&clerk, &admin] {
                if method == "get" {
                    for q in ["", "?q=%00&limit=-5&month=9999-99&from=x&working_days=99999999999&format=exe&mine=maybe"]
                    {
                        let (st, v) = app.get(&format!("{concrete}{q}"), tok);
                        assert!(st < 500, "GET {concrete}{q}: {st} {v}");
                        tried += 1;
                    }
                } else {
                    for b in &bodies {
                        let (st, v) = app.raw(&method.to_uppercase(), &concrete, tok, "application/json", b.clone());
                        assert!(st < 500, "{method} {concrete}: {st} {v}");
                        tried += 1;
                    }
                }
            }
        }
    }
    assert!(tried > 300, "{tried}");
    assert!(app.audit_ok());
}

/// Security headers on a response.
fn assert_security_headers(r: &ureq::http::Response<ureq::Body>, what: &str) {
    let h = |n: &str| r.headers().get(n).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let csp = h("content-security-policy");
    assert!(csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'self'"), "{what}: CSP {csp:?}");
    assert!(!csp.contains("script-src 'self' 'unsafe-inline'"), "{what}: inline script allowed");
    assert_eq!(h("x-frame-options"), "DENY", "{what}");
    assert_eq!(h("x-content-type-options"), "nosniff", "{what}");
    assert_eq!(h("referrer-policy"), "same-origin", "{what}");
}

// Headers on every page, document and API answer (CSP without inline script, no framing,
// nosniff, referrer policy); no page carries an inline script or event handler; the large-type
// switch redirects only to a path of this site.
#[test]
fn security_headers_everywhere_and_local_redirects() {
    let app = App::spawn(Kind::Sqlite, "national");
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).max_redirects(0).build().into();
    for path in
        ["/login", "/guides", "/healthz", "/api/v1/openapi.json", "/static/app.css", "/no-such-page", "/api/v1/nothing"]
    {
        let r = agent.get(&format!("{}{path}", app.base)).call().unwrap();
        assert_security_headers(&r, path);
    }
    let cookie = session_cookie(&app.base, "admin");
    for path in [
        "/",
        "/inbox",
        "/filings",
        "/admin",
        "/admin/calendar",
        "/admin/policy",
        "/admin/catalog",
        "/faq",
        "/faq/stats",
        "/api/v1/cases",
    ] {
        let mut r = agent.get(&format!("{}{path}", app.base)).header("Cookie", &cookie).call().unwrap();
        assert_security_headers(&r, path);
        let body = r.body_mut().read_to_string().unwrap_or_default();
        assert!(!body.contains("<script>") && !body.contains("onclick="), "{path}: inline script");
    }
    // The case page and its documents, as the clerk who works it.
    let id = app.new_case(&app.token("clerk"), None);
    let clerk = session_cookie(&app.base, "clerk");
    for path in
        [format!("/cases/{id}"), format!("/api/v1/cases/{id}/documents/referral.html"), format!("/api/v1/cases/{id}")]
    {
        let mut r = agent.get(&format!("{}{path}", app.base)).header("Cookie", &clerk).call().unwrap();
        assert!(r.status().as_u16() < 500, "{path}");
        assert_security_headers(&r, &path);
        let body = r.body_mut().read_to_string().unwrap_or_default();
        assert!(!body.contains("<script>") && !body.contains("onclick="), "{path}: inline script");
    }
    for (referer, want) in [
        ("http://evil.example//evil.example/x", "/"),
        ("http://127.0.0.1/\\evil.example", "/"),
        ("//evil.example/x", "/"),
        ("http://127.0.0.1/cases/1", "/cases/1"),
    ] {
        let r = agent.post(&format!("{}/prefs/large", app.base)).header("Referer", referer).send_empty().unwrap();
        let loc = r.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or("");
        assert_eq!(loc, want, "{referer}");
    }
}

// Issue 26, item 2: a NUL byte — in a path, a query string, a form field or a JSON string —
// is input like any other: 422 `invalid_chars` (or the error page), never a 5xx, on both stores,
// for a stranger and for staff; and a NUL that reached a store by another way is refused by the
// store itself, alike on both.
#[test]
fn a_nul_byte_anywhere_is_a_4xx_on_both_stores() {
    for k in backends() {
        let app = App::spawn(k, "national");
        let clerk = app.token("clerk");
        let admin = app.token("admin");
        let agent: ureq::Agent =
            ureq::Agent::config_builder().http_status_as_error(false).max_redirects(0).build().into();
        for (path, who) in [
            ("/api/v1/public/follow?receipt_no=%00&phone=13812345678", None),
            ("/guides/%00", None),
            ("/guides?q=%00", None),
            ("/api/v1/items/%00", None),
            ("/api/v1/cases?q=%00%00", Some(&clerk)),
            ("/api/v1/cases?status=%00", Some(&admin)),
            ("/api/v1/faq/search?q=%00", Some(&clerk)),
            ("/api/v1/cases/1%00", Some(&clerk)),
            ("/login?next=%00", None),
        ] {
            let mut r = agent.get(&format!("{}{path}", app.base));
            if let Some(t) = who {
                r = r.header("Authorization", &format!("Bearer {t}"));
            }
            let st = r.call().unwrap().status().as_u16();
            assert!((400..500).contains(&st), "{k:?} GET {path}: {st}");
        }
        for page in ["/search?q=%00%00", "/faq?q=%00", "/admin/catalog/items/%00", "/cases/%00"] {
            let (st, _) = crate::cases::page_get(&app, "admin", page);
            assert!((400..500).contains(&st), "{k:?} GET {page}: {st}");
        }
        // A form field (the login form, no account) and a JSON field.
        let r = agent
            .post(&format!("{}/login", app.base))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .send("login=ad%00min&password=x&csrf=y")
            .unwrap();
        assert_eq!(r.status().as_u16(), 422, "{k:?} POST /login");
        let before = app.audit_len();
        let body = br#"{"kind":"application","channel":"window","applicant":{"name":"a\u0000b","phone":"13812345678"},"request":"x"}"#;
        let (st, e) = app.raw("POST", "/api/v1/cases", &clerk, "application/json", body.to_vec());
        assert_eq!((st, e["error"]["code"].as_str()), (422, Some("invalid_chars")), "{k:?}: {e}");
        assert_eq!(app.audit_len(), before, "nothing changed");
        // Past the edge, the store refuses it itself.
        let r = app.block_on(app.state.store.read(|tx| noveto_store::repo::cases::id_by_receipt(tx, "NV\0")));
        assert!(matches!(r, Err(noveto_store::StoreError::Invalid(_))), "{k:?}: {r:?}");
    }
}

/// POST `body` (bytes, as written) with an Idempotency-Key; status, JSON and the replay header.
fn keyed(app: &App, path: &str, token: &str, key: &str, body: &str) -> (u16, serde_json::Value, String) {
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let mut r = agent
        .post(&format!("{}{path}", app.base))
        .header("Authorization", &format!("Bearer {token}"))
        .header("Content-Type", "application/json")
        .header("Idempotency-Key", key)
        .send(body)
        .unwrap();
    let replayed = r.headers().get("idempotency-replayed").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let text = r.body_mut().read_to_string().unwrap_or_default();
    (r.status().as_u16(), serde_json::from_str(&text).unwrap_or_default(), replayed)
}

// Issue 26, item 1: an Idempotency-Key is recorded in the same write as the change it makes, so
// a retry after a crash finds the key either done (and is told so, with what it changed — never
// run twice) or not done (and runs). Crashes are played by leaving the key as a crash leaves it:
// claimed and never answered (before the commit), or done and never answered (after it). The
// request is compared by its meaning (canonical JSON); 100 retries at once make one case.
#[test]
fn idempotency_after_a_crash_replays_or_runs_never_stuck() {
    for k in backends() {
        let app = App::spawn(k, "national");
        let clerk = app.token("clerk");
        let body = |name: &str| {
            format!(
                r#"{{"kind":"consultation","channel":"phone","applicant":{{"name":"{name}","phone":"13812345678"}},"request":"重试"}}"#
            )
        };
        let cases_named = |name: &str| {
            let n = name.to_string();
            app.block_on(app.state.store.read(move |tx| {
                Ok::<_, noveto_store::StoreError>(
                    tx.query("SELECT doc FROM cases", &[])?.iter().filter(|r| r.str(0).contains(&n)).count(),
                )
            }))
            .unwrap()
        };
        let forget_answer = |key: &str| {
            let k = key.to_string();
            app.block_on(app.state.store.write(move |tx| {
                tx.exec("UPDATE idempotency SET status = NULL, body = NULL WHERE key = $1", noveto_store::params![k])
            }))
            .unwrap();
        };
        // Cut off after the commit: the change is there, the answer is not.
        let (st, first, _) = keyed(&app, "/api/v1/cases", &clerk, "crash-after", &body("甲一"));
        assert_eq!(st, 201, "{first}");
        forget_answer("crash-after");
        let (st, v, how) = keyed(&app, "/api/v1/cases", &clerk, "crash-after", &body("甲一"));
        assert_eq!(
            (st, how.as_str(), v["done"].as_bool(), v["id"].as_i64()),
            (201, "interrupted", Some(true), first["id"].as_i64()),
            "{v}"
        );
        assert_eq!(v["location"], format!("/api/v1/cases/{}", first["id"]));
        assert_eq!(cases_named("甲一"), 1, "never run twice");
        let (_, again, how) = keyed(&app, "/api/v1/cases", &clerk, "crash-after", &body("甲一"));
        assert_eq!((again, how.as_str()), (v.clone(), "true"), "that answer is kept");
        // Cut off before the commit: claimed, nothing changed — the retry runs, once.
        let (k2, b2) = ("crash-before".to_string(), body("乙二"));
        let hash_of =
            {
                let (_, _, _) = keyed(&app, "/api/v1/cases", &clerk, "probe", &b2);
                let probe = app
                    .block_on(app.state.store.read(|tx| {
                        tx.query_one("SELECT request_hash, caller FROM idempotency WHERE key = 'probe'", &[])
                    }))
                    .unwrap()
                    .unwrap();
                (probe.str(0), probe.str(1))
            };
        // (the probe made a case of its own; the crashed attempt below made none)
        assert_eq!(cases_named("乙二"), 1);
        let (h, caller) = hash_of;
        let (k3, h3) = (k2.clone(), h.clone());
        app.block_on(app.state.store.write(move |tx| {
            tx.exec(
                "INSERT INTO idempotency (caller, key, request_hash, created_at, attempt, path) VALUES ($1, $2, $3, '2026-11-20T08:00:00+08:00', 'dead', '/api/v1/cases')",
                noveto_store::params![caller, k3, h3],
            )
        }))
        .unwrap();
        let (st, v, how) = keyed(&app, "/api/v1/cases", &clerk, &k2, &b2);
        assert_eq!((st, how.as_str()), (201, ""), "taken over and run: {v}");
        assert_eq!(cases_named("乙二"), 2, "the probe's and this one");
        // The same meaning, other bytes: a replay, not another request.
        let spaced = r#" { "request": "重试", "channel": "phone", "applicant": {"phone": "13812345678", "name": "乙二"}, "kind": "consultation" }"#;
        let (st, r, how) = keyed(&app, "/api/v1/cases", &clerk, &k2, spaced);
        assert_eq!((st, how.as_str(), r["id"].clone()), (201, "true", v["id"].clone()), "{r}");
        // 100 at once with one key: one case.
        let b3 = body("丙三");
        let codes: Vec<u16> = std::thread::scope(|sc| {
            let hs: Vec<_> =
                (0..100).map(|_| sc.spawn(|| keyed(&app, "/api/v1/cases", &clerk, "at-once", &b3).0)).collect();
            hs.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert!(codes.iter().all(|c| *c == 201 || *c == 409), "{codes:?}");
        assert_eq!(cases_named("丙三"), 1, "{codes:?}");
    }
}

// Issue 26, items 3, 5 and 6, each with a test, on both stores:
// - behind a proxy the administrator named, the throttles count each client, not the proxy;
//   a proxy not named is not believed;
// - the 否决事项报备登记表 shows a reader the applicant's phone as the case read does (masked
//   for the business section); a public report's formula lands as text in the ledger's CSV;
//   a common or published password is refused;
// - a late decider hears "already decided at this level" (409), not 403; cookies are `Secure`
//   under --secure-cookies; an over-long request target gets the JSON envelope and the
//   security headers.
#[test]
fn issue_26_proxies_leaks_and_smaller_items() {
    for k in backends() {
        let app = App::spawn_with(k, "national", "2026-11-20T09:00:00+08:00", |s| {
            s.trusted_proxies = std::sync::Arc::new(vec![noveto_server::auth::Net::parse("127.0.0.1").unwrap()]);
            s.secure_cookies = true;
        });
        let agent: ureq::Agent =
            ureq::Agent::config_builder().http_status_as_error(false).max_redirects(0).build().into();
        // Throttles count the client behind the named proxy: one client's misses do not touch
        // another's follow.
        let _desk = crate::unresolved::desk(&app);
        let follow = |client: &str, r: &str| {
            agent
                .get(&format!("{}/api/v1/public/follow?receipt_no={r}&phone=13900000000", app.base))
                .header("X-Forwarded-For", client)
                .call()
                .unwrap()
                .status()
                .as_u16()
        };
        for n in 0..3 {
            assert_eq!(follow("198.51.100.7", &format!("BC2026{n:08}")), 404);
        }
        let counted =
            |addr: &str| {
                let a = addr.to_string();
                app.block_on(app.state.store.read(move |tx| {
                    noveto_store::repo::auth::public_attempts_since(tx, "follow_miss", &a, "2026-01-01")
                }))
                .unwrap()
            };
        assert_eq!((counted("198.51.100.7"), counted("127.0.0.1")), (3, 0), "the client, not the proxy");
        // The filing form masks the phone for whoever the case read masks it for.
        let clerk = app.token("clerk");
        let id = app.new_case(&clerk, None);
        app.request_veto(&clerk, id);
        let form = |who: &str| {
            let (st, b) = app.download(&format!("/api/v1/cases/{id}/documents/veto-filing-form.html"), &app.token(who));
            assert_eq!(st, 200, "{who}");
            String::from_utf8(b).unwrap()
        };
        assert!(form("clerk").contains("13812345678"), "the clerk works the matter");
        let b = form("business");
        assert!(!b.contains("13812345678") && b.contains("138****5678"), "masked for the business section");
        // A public report's formula is text in the ledger's CSV.
        let body = serde_json::json!({"reporter": {"name": "=HYPERLINK(\"http://x\",\"点\")", "phone": "13907190000"}, "summary": "=1+1 办不成"});
        assert_eq!(app.call("POST", "/api/v1/public/unresolved", None, Some(body)).0, 201);
        let (st, csv) = app.download("/api/v1/unresolved/ledger?format=csv", &app.token("bbc"));
        let csv = String::from_utf8(csv).unwrap();
        assert_eq!(st, 200, "{csv}");
        assert!(csv.contains("'=HYPERLINK") || csv.contains("\"'=HYPERLINK"), "{csv}");
        assert!(!csv.lines().any(|l| l.split(',').any(|c| c.starts_with('='))), "{csv}");
        // Passwords.
        let admin = app.token("admin");
        for pw in ["Password12", "noveto-demo"] {
            let body = serde_json::json!({"login": "weak1", "name": "弱", "password": pw, "roles": [{"role": "clerk", "scope": {"window_id": app.ids.window}}]});
            let (st, e) = app.post("/api/v1/staff", &admin, body);
            assert_eq!((st, e["error"]["code"].as_str()), (422, Some("weak_password")), "{pw}: {e}");
        }
        // A late decider.
        app.add_staff("head_b", "window_head", serde_json::json!({"window_id": app.ids.window}));
        let id = app.new_case(&clerk, None);
        let vid = app.request_veto(&clerk, id);
        assert_eq!(app.decide("head", vid, true, "同意").0, 200);
        let (st, e) = app.decide("head_b", vid, true, "同意");
        assert_eq!((st, e["error"]["code"].as_str()), (409, Some("already_decided")), "{e}");
        // Secure cookies.
        let r = agent.post(&format!("{}/prefs/lang", app.base)).send_form([("lang", "zh-Hant")]).unwrap();
        let c = r.headers().get("set-cookie").unwrap().to_str().unwrap().to_string();
        assert!(c.starts_with("nv_lang=") && c.contains("Secure"), "{c}");
        // An over-long target.
        let long = "a".repeat(20_000);
        let r = agent.get(&format!("{}/api/v1/cases?q={long}", app.base)).call().unwrap();
        assert_eq!(r.status().as_u16(), 414);
        assert!(r.headers().get("content-security-policy").is_some() && r.headers().get("x-frame-options").is_some());
        let mut r = r;
        let v: serde_json::Value = serde_json::from_str(&r.body_mut().read_to_string().unwrap()).unwrap();
        assert_eq!(v["error"]["code"], "uri_too_long");
    }
}

// Issue 31, item 3 (forms and pages never dead-end in raw JSON): a browser that asks for a page
// with a malformed id (`/cases/abc`) or a NUL in its address gets the error page — status kept,
// the message in words, the way home — while an API client keeps the JSON envelope.
#[test]
fn a_page_never_answers_a_browser_with_json() {
    let app = App::spawn(Kind::Sqlite, "national");
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).max_redirects(0).build().into();
    let cookie = session_cookie(&app.base, "clerk");
    for (path, status) in [("/cases/abc", 404), ("/cases/1%00", 422), ("/filings?month=%00", 422)] {
        let mut r = agent
            .get(&format!("{}{path}", app.base))
            .header("Cookie", &cookie)
            .header("Accept", "text/html,application/xhtml+xml")
            .call()
            .unwrap();
        assert_eq!(r.status().as_u16(), status, "{path}");
        let ct = r.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
        let body = r.body_mut().read_to_string().unwrap();
        assert!(ct.starts_with("text/html"), "{path}: {ct}");
        assert!(body.contains("出错了") && body.contains("href=\"/\""), "{path}: {body}");
    }
    // A client that did not ask for HTML keeps the JSON envelope (the guard's own refusals of a
    // page address are pages already).
    let mut j = agent.get(&format!("{}/cases/abc", app.base)).header("Cookie", &cookie).call().unwrap();
    assert_eq!(j.status().as_u16(), 404);
    assert!(j.body_mut().read_to_string().unwrap().starts_with("{\"error\""), "an API client keeps JSON");
}
