//! The whole product as its users meet it: every role follows every link of its pages, then
//! posts every form of every case page it can open, with each field filled.
//!
//! Proves, on both stores: no page answers 5xx or shows a raw timestamp or JSON (screens issue,
//! item 3); no form a person can submit reaches a 5xx; and, after every action the pages offer
//! has been taken by every role, no case ended negatively without its proof (NV-2: the data
//! check `audit verify` → `unproven_endings` finds none) and the audit chain is intact.

use crate::helpers::*;
use serde_json::json;
use std::collections::{BTreeSet, VecDeque};

const ROLES: [&str; 11] =
    ["clerk", "head", "leader", "chief", "hall", "business", "supervision", "director", "oversight", "admin", "desk"];

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder().http_status_as_error(false).max_redirects(0).build().into()
}

/// The values of `attr="…"` in `html`, in order.
fn attrs<'a>(html: &'a str, attr: &str) -> Vec<&'a str> {
    let pat = format!(" {attr}=\"");
    html.split(&pat).skip(1).filter_map(|s| s.split('"').next()).collect()
}

fn unescape(s: &str) -> String {
    s.replace("&amp;", "&").replace("&quot;", "\"").replace("&lt;", "<").replace("&gt;", ">")
}

/// Links worth following: pages of this server, not the API, exports, documents or logout.
fn links(html: &str) -> Vec<String> {
    attrs(html, "href")
        .into_iter()
        .map(unescape)
        .filter(|h| h.starts_with('/') && !h.starts_with("//"))
        .filter(|h| !h.starts_with("/api/") && !h.starts_with("/static/") && !h.starts_with("/logout"))
        .filter(|h| !h.contains("format=") && !h.contains("/documents/"))
        .collect()
}

/// What a page must never show a person: a machine timestamp or raw JSON.
fn machine_text(html: &str) -> Option<String> {
    let b = html.as_bytes();
    for i in 0..b.len().saturating_sub(16) {
        let d = |j: usize| b[i + j].is_ascii_digit();
        let date = d(0) && d(1) && d(2) && d(3) && b[i + 4] == b'-' && d(5) && d(6) && b[i + 7] == b'-' && d(8) && d(9);
        if date && b[i + 10] == b'T' && d(11) && d(12) && b[i + 13] == b':' {
            return Some(String::from_utf8_lossy(&b[i..i + 16]).into_owned());
        }
    }
    ["{\"", "\":{", "\":\""].iter().find(|p| html.contains(**p)).map(|p| p.to_string())
}

/// One form of a page: where it posts and the fields a person would send.
struct Form {
    action: String,
    fields: Vec<(String, String)>,
}

/// The post forms of `html`, every field filled as a diligent clerk would: hidden values kept,
/// text written, the first option chosen, boxes ticked.
fn forms(html: &str) -> Vec<Form> {
    let mut out = vec![];
    for chunk in html.split("<form").skip(1) {
        let head = chunk.split('>').next().unwrap_or("");
        if !head.contains("method=\"post\"") {
            continue;
        }
        let Some(action) = attrs(head, "action").first().map(|a| unescape(a)) else { continue };
        if action.starts_with("/logout") || action.starts_with("/prefs") || action.starts_with("/login") {
            continue;
        }
        let body = chunk.split("</form>").next().unwrap_or("");
        let mut fields = vec![];
        let mut boxes: Vec<String> = vec![];
        let mut buttons: Vec<(String, String)> = vec![];
        for tag in body.split('<').skip(1) {
            let t = tag.split('>').next().unwrap_or("");
            let name = attrs(t, "name").first().map(|n| unescape(n));
            let Some(name) = name else { continue };
            let value = attrs(t, "value").first().map(|v| unescape(v));
            if t.starts_with("button") {
                buttons.push((name, value.unwrap_or_default()));
            } else if t.starts_with("input") {
                let ty = attrs(t, "type").first().copied().unwrap_or("text");
                if ty == "checkbox" {
                    boxes.push(name.clone());
                }
                let v = match (ty, value) {
                    ("hidden", Some(v)) => v,
                    ("checkbox", Some(v)) if !v.is_empty() => v,
                    ("checkbox", _) => "on".into(),
                    ("date", _) => "2026-12-01".into(),
                    ("month", _) => "2026-11".into(),
                    ("number", _) => "1".into(),
                    // A phone where a phone is asked for (a contact, a referral's target).
                    (_, None) | (_, Some(_)) if name.contains("contact") || name.contains("phone") => {
                        "联系电话 0719-8123456".into()
                    }
                    (_, Some(v)) if !v.is_empty() => v,
                    _ => "依照本办件情况填写的内容".into(),
                };
                fields.push((name, v));
            } else if t.starts_with("textarea") {
                fields.push((name, "依照《行政许可法》第三十二条，按办事指南第二项办理。".into()));
            } else if t.starts_with("select") {
                let rest = body.split(&format!("name=\"{name}\"")).nth(1).unwrap_or("");
                let first = rest.split("<option").nth(1).map(|o| attrs(o, "value").first().map(|v| unescape(v)));
                fields.push((name, first.flatten().unwrap_or_default()));
            }
        }
        // A named button is sent by the one clicked: one form per button; a form with boxes is
        // also sent with none ticked (a warm handoff and a plain referral are both tried).
        let unticked: Vec<(String, String)> = fields.iter().filter(|(n, _)| !boxes.contains(n)).cloned().collect();
        let variants = if boxes.is_empty() { vec![fields] } else { vec![fields, unticked] };
        for fields in variants {
            if buttons.is_empty() {
                out.push(Form { action: action.clone(), fields });
            } else {
                for b in &buttons {
                    let mut f = fields.clone();
                    f.push(b.clone());
                    out.push(Form { action: action.clone(), fields: f });
                }
            }
        }
    }
    out
}

/// Opens a session for `login`: its cookie and the page's CSRF token.
fn session(app: &App, login: &str) -> (String, String) {
    let cookie = session_cookie(&app.base, login);
    let mut home = agent().get(&format!("{}/", app.base)).header("Cookie", &cookie).call().unwrap();
    let html = home.body_mut().read_to_string().unwrap();
    let csrf = html.split("name=\"csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    (cookie, csrf)
}

/// A route as the list of endings names it: `POST /cases/{id}/act/close`.
fn route_of(action: &str) -> String {
    let path: Vec<String> = action
        .split('/')
        .map(|seg| {
            if !seg.is_empty() && seg.chars().all(|c| c.is_ascii_digit()) {
                "{id}".to_string()
            } else {
                seg.to_string()
            }
        })
        .collect();
    format!("POST {}", path.join("/"))
}

/// The closed cases and how each ended.
fn closed(app: &App) -> std::collections::BTreeMap<i64, Option<noveto_domain::ending::Ending>> {
    app.block_on(app.state.store.read(|tx| {
        let mut out = std::collections::BTreeMap::new();
        for r in tx.query("SELECT id, doc FROM cases WHERE status = 'closed'", &[])? {
            let c: noveto_domain::case::Case = r.json(1)?;
            out.insert(r.i64(0), c.ending());
        }
        Ok::<_, noveto_store::StoreError>(out)
    }))
    .unwrap()
}

fn get(app: &App, cookie: &str, path: &str) -> (u16, String) {
    let mut r = agent().get(&format!("{}{}", app.base, path)).header("Cookie", cookie).call().unwrap();
    (r.status().as_u16(), r.body_mut().read_to_string().unwrap_or_default())
}

/// Cases in many states, made through the API as people would.
fn cases_in_every_state(app: &App) {
    let (clerk, head) = (app.token("clerk"), app.token("head"));
    let fresh = app.new_case(&clerk, None);
    let _ = fresh;
    let notified = app.new_case(&clerk, None);
    let body = json!({"missing": [{"material": "营业执照副本", "how_to_fix": "提供加盖公章的复印件"}]});
    assert_eq!(app.post(&format!("/api/v1/cases/{notified}/notices"), &clerk, body).0, 201);
    let accepted = app.new_case(&clerk, None);
    assert_eq!(app.post(&format!("/api/v1/cases/{accepted}/accept"), &clerk, json!({})).0, 200);
    let escalated = app.new_case(&clerk, None);
    assert_eq!(
        app.post(&format!("/api/v1/cases/{escalated}/escalations"), &clerk, json!({"reason": "规定不明"})).0,
        201
    );
    let pending = app.new_case(&clerk, None);
    app.request_veto(&clerk, pending);
    let vetoed = app.new_case(&clerk, None);
    let vid = app.request_veto(&clerk, vetoed);
    assert_eq!(app.decide("head", vid, true, "同意，依据充分").0, 200);
    assert_eq!(app.decide("leader", vid, true, "同意").0, 200);
    let withdrawing = app.new_case(&clerk, None);
    let body = json!({"statement": "本人自愿撤回申请。"});
    assert_eq!(app.post(&format!("/api/v1/cases/{withdrawing}/withdrawals"), &clerk, body).0, 201);
    let (_, c) = app.post(
        "/api/v1/cases",
        &clerk,
        json!({"kind": "consultation", "channel": "window", "applicant": {"name": "王五", "phone": "13812345678"}, "request": "能不能办"}),
    );
    assert!(c["id"].is_i64(), "{c}");
    let unplaced = app.new_case(&clerk, None);
    let body = json!({"question": "不清楚归哪个部门"});
    assert_eq!(app.post(&format!("/api/v1/cases/{unplaced}/placement"), &clerk, body).0, 200);
    let handed = app.new_case(&clerk, None);
    let body = json!({"to_unit_id": app.ids.unit2, "address": "社保窗口", "contact": "电话", "how": "带身份证", "handoff": true});
    assert_eq!(app.post(&format!("/api/v1/cases/{handed}/referral"), &head, body).0, 200);
}

#[test]
fn every_role_walks_every_page_and_form_without_a_soft_refusal() {
    for k in backends() {
        let app = App::spawn(k, "national");
        cases_in_every_state(&app);
        let mut problems: Vec<String> = vec![];
        let mut case_pages: BTreeSet<String> = BTreeSet::new();
        let mut visited = 0;
        // Every link of every page each role reaches.
        for role in ROLES {
            let (cookie, _) = session(&app, role);
            let mut seen: BTreeSet<String> = BTreeSet::new();
            let mut queue: VecDeque<String> = VecDeque::from(["/".to_string()]);
            while let Some(path) = queue.pop_front() {
                if !seen.insert(path.clone()) || seen.len() > 120 {
                    continue;
                }
                let (st, html) = get(&app, &cookie, &path);
                visited += 1;
                if st >= 500 || st == 404 {
                    problems.push(format!("{role} GET {path}: {st}"));
                }
                if let Some(m) = machine_text(&html) {
                    problems.push(format!("{role} GET {path}: shows {m}"));
                }
                let is_case = path.starts_with("/cases/") && path[7..].chars().all(|c| c.is_ascii_digit());
                if is_case && st == 200 {
                    case_pages.insert(path.clone());
                }
                for l in links(&html) {
                    if !seen.contains(&l) {
                        queue.push_back(l);
                    }
                }
            }
        }
        assert!(visited > 100, "the walk reached {visited} pages");
        assert!(case_pages.len() >= 10, "{case_pages:?}");
        // Every form of the inbox and of every case page, as each role that can open it: the page is read again
        // after each post (what it offers changes); every other role takes the latest forms first,
        // so that both the early steps and the endings a page offers are taken.
        let mut posted = 0;
        for (i, role) in ["clerk", "head", "leader", "hall", "desk", "chief", "clerk", "head"].into_iter().enumerate() {
            let (cookie, csrf) = session(&app, role);
            let inbox = ["/inbox".to_string()];
            for page in inbox.iter().chain(&case_pages) {
                let mut tried: BTreeSet<String> = BTreeSet::new();
                for _ in 0..40 {
                    let (st, html) = get(&app, &cookie, page);
                    if st != 200 {
                        break;
                    }
                    let mut all = forms(&html);
                    if i % 2 == 1 {
                        all.reverse();
                    }
                    let next = all.into_iter().find(|f| {
                        let sig = format!(
                            "{}{:?}",
                            f.action,
                            f.fields.iter().filter(|(n, _)| n != "csrf").collect::<Vec<_>>()
                        );
                        tried.insert(sig)
                    });
                    let Some(f) = next else { break };
                    let mut fields: Vec<(&str, &str)> =
                        f.fields.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
                    if !fields.iter().any(|(n, _)| *n == "csrf") {
                        fields.push(("csrf", &csrf));
                    }
                    let before = closed(&app);
                    let mut r = agent()
                        .post(&format!("{}{}", app.base, f.action))
                        .header("Cookie", &cookie)
                        .send_form(fields)
                        .unwrap();
                    posted += 1;
                    let st = r.status().as_u16();
                    let mut body = r.body_mut().read_to_string().unwrap_or_default();
                    if std::env::var("WALK_DEBUG").is_ok() {
                        eprintln!("{role} {page} POST {} {:?} -> {st}", f.action, f.fields);
                    }
                    if st >= 500 {
                        problems.push(format!("{role} POST {}: {st} {}", f.action, &body[..body.len().min(200)]));
                    }
                    // An ending asks once (确定办结？): the person confirms what the page says follows.
                    // (The form comes back as it was typed, with `confirmed`: the same fields are sent again.)
                    if let Some(c) = forms(&body).into_iter().find(|c| c.fields.iter().any(|(n, _)| n == "confirmed")) {
                        let c = Form { action: c.action, fields: f.fields.clone() };
                        let mut fields: Vec<(&str, &str)> =
                            c.fields.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
                        fields.push(("confirmed", "1"));
                        if !fields.iter().any(|(n, _)| *n == "csrf") {
                            fields.push(("csrf", &csrf));
                        }
                        let mut r = agent()
                            .post(&format!("{}{}", app.base, c.action))
                            .header("Cookie", &cookie)
                            .send_form(fields)
                            .unwrap();
                        posted += 1;
                        let st = r.status().as_u16();
                        body = r.body_mut().read_to_string().unwrap_or_default();
                        if std::env::var("WALK_DEBUG").is_ok() {
                            eprintln!("{role} {page} POST {} (confirmed) {:?} -> {st}", c.action, c.fields);
                        }
                        if st >= 500 {
                            problems.push(format!("{role} POST {} (confirmed): {st}", c.action));
                        }
                    }
                    // NV-2 (issue 25): whatever a page's form ended, the list of endings names it.
                    for (case, ending) in closed(&app) {
                        if before.contains_key(&case) {
                            continue;
                        }
                        let route = route_of(&f.action);
                        match ending {
                            Some(e) if e.by(&route) => {}
                            e => problems.push(format!("{role} {route} ended case {case} as {e:?}: not in the list")),
                        }
                    }
                    let _ = &body;
                }
            }
        }
        assert!(posted > 40, "the walk posted {posted} forms");
        assert!(problems.is_empty(), "{}", problems.join("\n"));
        // NV-2 on the data: whatever was clicked, no negative ending without its proof.
        let (st, v) = app.get("/api/v1/audit/verify", &app.token("admin"));
        assert_eq!(st, 200);
        assert_eq!(v["intact"], true, "{v}");
        assert_eq!(v["unproven_endings"].as_array().map(Vec::len), Some(0), "{v}");
        // And something did end: the walk closed cases the pages offered to close.
        let (_, list) = app.get("/api/v1/cases", &app.token("business"));
        let closed = list["cases"].as_array().unwrap().iter().filter(|c| c["status"] == "closed").count();
        let outcomes: BTreeSet<String> =
            list["cases"].as_array().unwrap().iter().filter_map(|c| c["outcome"].as_str().map(String::from)).collect();
        assert!(closed >= 5, "{closed} closed: {outcomes:?} {list}");
    }
}

/// A form as someone sends it with nothing written: what the page put in it (hidden values, the
/// first option of each picker) kept, every field `forms` would have written left empty.
fn emptied(f: &Form) -> Vec<(String, String)> {
    const WRITTEN: [&str; 4] = [
        "依照本办件情况填写的内容",
        "依照《行政许可法》第三十二条，按办事指南第二项办理。",
        "联系电话 0719-8123456",
        "on",
    ];
    f.fields
        .iter()
        .map(|(n, v)| (n.clone(), if WRITTEN.contains(&v.as_str()) { String::new() } else { v.clone() }))
        .collect()
}

// Issue 31, "done when": no page answers with a dead-end error page for any input a form can
// send — every role sends every post form of every page it reaches with nothing written, and
// each comes back with its errors (a page holding a form and the message), or goes on (a
// redirect); none lands on the error page that only offers the way home, none reaches a 5xx —
// on both stores.
#[test]
fn issue_31_every_form_sent_empty_comes_back_with_its_errors() {
    for k in backends() {
        let app = App::spawn(k, "national");
        cases_in_every_state(&app);
        let mut dead: Vec<String> = vec![];
        let mut sent = 0;
        for role in ROLES {
            let (cookie, csrf) = session(&app, role);
            let mut seen: BTreeSet<String> = BTreeSet::new();
            let mut tried: BTreeSet<String> = BTreeSet::new();
            let mut queue: VecDeque<String> = VecDeque::from(["/".to_string()]);
            while let Some(path) = queue.pop_front() {
                if !seen.insert(path.clone()) || seen.len() > 60 {
                    continue;
                }
                let (st, html) = get(&app, &cookie, &path);
                if st != 200 {
                    continue;
                }
                for f in forms(&html) {
                    // File uploads are sent as a browser sends them (multipart) in browser.rs.
                    if f.action.ends_with("/import") {
                        continue;
                    }
                    // One try per kind of form (its route and field names), not per case.
                    let names: Vec<&str> = f.fields.iter().map(|(n, _)| n.as_str()).collect();
                    if !tried.insert(format!("{} {names:?}", route_of(&f.action))) {
                        continue;
                    }
                    let mut fields = emptied(&f);
                    if !fields.iter().any(|(n, _)| n == "csrf") {
                        fields.push(("csrf".into(), csrf.clone()));
                    }
                    let fields: Vec<(&str, &str)> = fields.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
                    let mut r = agent()
                        .post(&format!("{}{}", app.base, f.action))
                        .header("Cookie", &cookie)
                        .send_form(fields)
                        .unwrap();
                    sent += 1;
                    let st = r.status().as_u16();
                    let body = r.body_mut().read_to_string().unwrap_or_default();
                    let redirect = (300..400).contains(&st);
                    let comes_back = body.contains("<form") && body.contains("role=\"alert\"");
                    let error_page = body.contains("<h1>出错了</h1>");
                    if st >= 500 || !(redirect || (comes_back && !error_page) || (st == 200 && !error_page)) {
                        if std::env::var("WALK_DEBUG").is_ok() {
                            eprintln!("DEAD {} {:?}\n{}", f.action, f.fields, &body[body.len().saturating_sub(3000)..]);
                        }
                        dead.push(format!("{role} on {path}: POST {} → {st}", route_of(&f.action)));
                    }
                }
                for l in links(&html) {
                    if !seen.contains(&l) {
                        queue.push_back(l);
                    }
                }
            }
        }
        assert!(sent > 30, "sent {sent} forms");
        dead.sort();
        dead.dedup();
        assert!(dead.is_empty(), "{} dead ends:\n{}", dead.len(), dead.join("\n"));
    }
}
