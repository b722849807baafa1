//! NV-2 (issue 25): every way a case can end is named once, in the domain's list of endings
//! (`noveto_domain::ending::ENDINGS`), with the routes that may end a case that way. This test
//! enumerates the OpenAPI document and fires every POST and PUT route — as a clerk, a window head,
//! a unit leader and another unit's clerk — at cases in every state, with real bodies for every
//! route that touches a case; whenever a request closes a case, the ending it left must list that
//! route. A route added later that can end a case, and is not in the list, fails here; so does a
//! case route the walk has no body for. (The pages' forms are walked the same way in `walk.rs`.)

use crate::helpers::*;
use noveto_domain::case::Case;
use noveto_domain::ending::Ending;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// One case of the scenario and the ids its routes need.
#[derive(Clone, Default)]
struct Subject {
    case: i64,
    veto: Option<i64>,
    escalation: Option<i64>,
    withdrawal: Option<i64>,
}

/// Cases in every state a case can be in, made through the API.
fn scenario(app: &App) -> Vec<Subject> {
    let (clerk, head) = (app.token("clerk"), app.token("head"));
    let mut out = vec![];
    let case = |item: Option<&str>| Subject { case: app.new_case(&clerk, item), ..Default::default() };
    out.push(case(Some("END-1")));
    out.push(case(None));
    let (_, c) = app.post(
        "/api/v1/cases",
        &clerk,
        json!({"kind": "consultation", "channel": "window", "applicant": {"name": "王五", "phone": "13812345678"}, "request": "能不能办"}),
    );
    out.push(Subject { case: c["id"].as_i64().unwrap(), ..Default::default() });
    let notified = case(Some("END-1"));
    let body = json!({"missing": [{"material": "场所证明", "how_to_fix": "补交复印件"}]});
    assert_eq!(app.post(&format!("/api/v1/cases/{}/notices", notified.case), &clerk, body).0, 201);
    out.push(notified);
    let accepted = case(Some("END-1"));
    assert_eq!(app.post(&format!("/api/v1/cases/{}/accept", accepted.case), &clerk, json!({})).0, 200);
    out.push(accepted);
    // NV-1: a case of an item with back-office stages, accepted in full and at its first stage,
    // and one with materials still missing.
    let staged = case(Some("END-2"));
    assert_eq!(app.post(&format!("/api/v1/cases/{}/accept", staged.case), &clerk, json!({})).0, 200);
    out.push(staged);
    let staged_deficient = case(Some("END-2"));
    let body = json!({"missing": [{"material": "场所证明", "how_to_fix": "补交"}], "commitment_signed": true});
    let url = format!("/api/v1/cases/{}/deficiency-acceptance", staged_deficient.case);
    assert_eq!(app.post(&url, &clerk, body).0, 200);
    out.push(staged_deficient);
    let deficient = case(Some("END-1"));
    let body = json!({"missing": [{"material": "场所证明", "how_to_fix": "补交"}], "commitment_signed": true});
    assert_eq!(app.post(&format!("/api/v1/cases/{}/deficiency-acceptance", deficient.case), &clerk, body).0, 200);
    out.push(deficient);
    let mut escalated = case(None);
    let (_, e) =
        app.post(&format!("/api/v1/cases/{}/escalations", escalated.case), &clerk, json!({"reason": "规定不明"}));
    escalated.escalation = e["id"].as_i64();
    out.push(escalated);
    let mut pending = case(Some("END-1"));
    pending.veto = Some(app.request_veto(&clerk, pending.case));
    out.push(pending);
    let mut approved = case(Some("END-1"));
    let vid = app.request_veto(&clerk, approved.case);
    assert_eq!(app.decide("head", vid, true, "同意，依据充分").0, 200);
    assert_eq!(app.decide("leader", vid, true, "同意").0, 200);
    approved.veto = Some(vid);
    out.push(approved);
    let mut withdrawing = case(Some("END-1"));
    let (_, w) = app.post(
        &format!("/api/v1/cases/{}/withdrawals", withdrawing.case),
        &clerk,
        json!({"statement": "本人撤回。"}),
    );
    let wid = w["id"].as_i64().unwrap();
    assert_eq!(app.post(&format!("/api/v1/withdrawals/{wid}/confirmation"), &head, json!({})).0, 200);
    withdrawing.withdrawal = Some(wid);
    out.push(withdrawing);
    let mut recorded = case(None);
    let (_, w) =
        app.post(&format!("/api/v1/cases/{}/withdrawals", recorded.case), &clerk, json!({"statement": "本人撤回。"}));
    recorded.withdrawal = w["id"].as_i64();
    out.push(recorded);
    let unplaced = case(None);
    let body = json!({"question": "不清楚归哪个部门"});
    assert_eq!(app.post(&format!("/api/v1/cases/{}/placement", unplaced.case), &clerk, body).0, 200);
    out.push(unplaced);
    let handed = case(None);
    let body = json!({"to_unit_id": app.ids.unit2, "address": "社保窗口", "contact": "0719-8000000", "how": "带身份证", "handoff": true});
    assert_eq!(app.post(&format!("/api/v1/cases/{}/referral", handed.case), &clerk, body).0, 200);
    out.push(handed);
    let relabel = case(Some("END-1"));
    let body = json!({"kind": "consultation", "reason": "群众只是问问"});
    assert_eq!(app.post(&format!("/api/v1/cases/{}/kind", relabel.case), &clerk, body).0, 200);
    out.push(relabel);
    out
}

/// The bodies a person would send to a route that touches a case (`$veto` and `$withdrawal` are
/// the case's own); `None` for a route this walk does not know — which fails the test when the
/// route is a case's.
fn bodies(app: &App, path: &str) -> Option<Vec<Value>> {
    let missing = json!([{"material": "场所证明", "how_to_fix": "补交复印件"}]);
    Some(match path.trim_start_matches("/api/v1") {
        "/cases" => vec![
            json!({"kind": "application", "channel": "window", "applicant": {"name": "赵六", "phone": "13912345678"}, "request": "办理"}),
        ],
        "/cases/{id}/accept" => {
            vec![json!({}), json!({"materials": [{"material": "申请书", "original": true, "copies": 1}]})]
        }
        "/cases/{id}/referral" => vec![
            json!({"to_unit_id": app.ids.unit2, "address": "二楼", "contact": "0719-8000000", "how": "带身份证"}),
            json!({"to_unit_id": app.ids.unit2, "address": "二楼", "contact": "0719-8000000", "how": "带身份证", "handoff": true}),
            json!({"to_window_id": app.ids.window2, "address": "二楼", "contact": "0719-8000000", "how": "带身份证"}),
            json!({"to_body": "市档案馆", "address": "文化路 1 号", "contact": "0719-8111111", "how": "带身份证"}),
            json!({"address": "别处", "contact": "找有关部门", "how": "自己去问"}),
        ],
        "/cases/{id}/referral/acknowledge" => vec![json!({})],
        "/cases/{id}/notice-growth" => vec![json!({"missing": [{"material": "新增证明"}], "reason": "审查发现"})],
        "/cases/{id}/notice-growth/decision" => vec![json!({"approve": true})],
        "/cases/{id}/kind" => vec![
            json!({"kind": "consultation", "reason": "只是咨询"}),
            json!({"kind": "application", "reason": "要办理"}),
        ],
        "/cases/{id}/kind/decision" => vec![json!({"approve": true}), json!({"approve": false, "opinion": "按申请办"})],
        "/cases/{id}/placement" => vec![json!({"question": "不清楚"})],
        "/cases/{id}/placement/here" => vec![json!({})],
        "/cases/{id}/notices" => vec![json!({"missing": missing})],
        "/cases/{id}/deficiency-acceptance" => vec![json!({"missing": missing, "commitment_signed": true})],
        "/cases/{id}/supplement" => vec![json!({})],
        "/cases/{id}/stage" => vec![json!({"stage": "受理"}), json!({"stage": "送达", "note": "已邮寄送达"})],
        "/cases/{id}/commitment" => vec![json!({"commitment": "本人承诺材料真实"})],
        "/cases/{id}/escalations" => vec![json!({"reason": "规定不明"}), json!({"reason": "重大", "major": true})],
        "/escalations/{id}/answer" => {
            vec![json!({"answer": "可以受理，按一般程序办理"}), json!({"answer": "不行", "confirm_phrases": true})]
        }
        "/cases/{id}/close" => vec![
            json!({"outcome": "approved"}),
            json!({"outcome": "answered", "note": "可以办，请到 3 号窗口"}),
            json!({"outcome": "answered", "note": "办不了", "confirm_phrases": true}),
            json!({"outcome": "withdrawn", "withdrawal_id": "$withdrawal"}),
            json!({"outcome": "withdrawn"}),
            json!({"outcome": "not_required", "legal_basis": "《行政许可法》第十三条"}),
            json!({"outcome": "vetoed", "veto_request_id": "$veto"}),
            json!({"outcome": "vetoed"}),
            json!({"outcome": "referred"}),
        ],
        "/cases/{id}/withdrawals" => vec![json!({"statement": "本人撤回申请。"})],
        "/cases/{id}/urgings" => vec![json!({"note": "请尽快办理"})],
        "/cases/{id}/notes" => vec![json!({"text": "已电话联系申请人"})],
        "/withdrawals/{id}/confirmation" => vec![json!({})],
        "/cases/{id}/veto-requests" => vec![json!({"reason": "不符合条件", "legal_basis": "《条例》第八条"})],
        "/veto-requests/{id}/decision" => {
            vec![json!({"approve": true, "opinion": "同意"}), json!({"approve": false, "opinion": "可以办成"})]
        }
        "/cases/{id}/cross-unit" => {
            vec![json!({"lead_unit_id": app.ids.unit, "unit_ids": [app.ids.unit, app.ids.unit2]})]
        }
        "/cases/{id}/joint-consultations" => {
            vec![
                json!({"unit_ids": [app.ids.unit, app.ids.unit2], "participants": ["甲", "乙"], "conclusion": "可以办"}),
            ]
        }
        "/cases/{id}/assistance" => vec![json!({"kind": "assisted", "reason": "elderly", "outcome": "已帮办"})],
        "/cases/{id}/replies" => vec![json!({"text": "可以办理"}), json!({"text": "办不了", "confirm": true})],
        "/cases/{id}/promote" => vec![json!({})],
        // NV-13: the desk gives the final answer; the case itself does not end here.
        "/cases/{id}/fallback" => vec![json!({"reason": "两个单位都说不归自己"})],
        p if p.starts_with("/cases")
            || p.starts_with("/veto")
            || p.starts_with("/escalations")
            || p.starts_with("/withdrawals") =>
        {
            return None;
        }
        // Every other route: what a careless client sends.
        _ => vec![json!({})],
    })
}

/// The closed cases and how each ended, read from the store.
fn closed(app: &App) -> BTreeMap<i64, Option<Ending>> {
    app.block_on(app.state.store.read(|tx| {
        let mut out = BTreeMap::new();
        for r in tx.query("SELECT id, doc FROM cases WHERE status = 'closed'", &[])? {
            let c: Case = r.json(1)?;
            out.insert(r.i64(0), c.ending());
        }
        Ok::<_, noveto_store::StoreError>(out)
    }))
    .unwrap()
}

fn fill(v: &Value, s: &Subject) -> Value {
    match v {
        Value::String(x) if x == "$veto" => json!(s.veto.unwrap_or(0)),
        Value::String(x) if x == "$withdrawal" => json!(s.withdrawal.unwrap_or(0)),
        Value::Object(m) => Value::Object(m.iter().map(|(k, v)| (k.clone(), fill(v, s))).collect()),
        other => other.clone(),
    }
}

#[test]
fn nv_2_every_api_route_ends_a_case_only_by_a_listed_ending() {
    for k in backends() {
        let app = App::spawn(k, "national");
        let admin = app.token("admin");
        let mut it = crate::catalog::item(&app, "END-1", "企业设立登记");
        it["allows_commitment"] = json!(true);
        assert_eq!(app.post("/api/v1/items", &admin, it).0, 201);
        let mut it = crate::catalog::item(&app, "END-2", "食品经营许可");
        it["stages"] = json!([{"name": "受理", "share": 50}, {"name": "送达", "share": 50}]);
        assert_eq!(app.post("/api/v1/items", &admin, it).0, 201);
        let (_, doc) = app.call("GET", "/api/v1/openapi.json", None, None);
        let mut routes: Vec<(String, String)> = vec![];
        for (path, ops) in doc["paths"].as_object().unwrap() {
            for m in ["post", "put"] {
                if ops.get(m).is_some() {
                    routes.push((m.to_uppercase(), path.clone()));
                }
            }
        }
        assert!(routes.len() > 50, "{routes:?}");
        let tokens: Vec<String> = ["clerk", "head", "leader", "clerk2"].iter().map(|l| app.token(l)).collect();
        let mut unknown = vec![];
        let mut ended: BTreeMap<String, usize> = BTreeMap::new();
        for (method, path) in &routes {
            let Some(bodies) = bodies(&app, path) else {
                unknown.push(path.clone());
                continue;
            };
            let touches_case = ["/cases/{id}", "/veto-requests/{id}", "/escalations/{id}", "/withdrawals/{id}"]
                .iter()
                .any(|p| path.contains(p));
            let subjects = if touches_case { scenario(&app) } else { vec![Subject::default()] };
            let route = format!("{method} {path}");
            for s in &subjects {
                let id = if path.contains("/veto-requests/{id}") {
                    s.veto
                } else if path.contains("/escalations/{id}") {
                    s.escalation
                } else if path.contains("/withdrawals/{id}") {
                    s.withdrawal
                } else if path.contains("/cases/{id}") {
                    Some(s.case)
                } else {
                    Some(1)
                };
                let Some(id) = id else { continue };
                let url = path.replace("{id}", &id.to_string()).replace("{code}", "END-1");
                for body in &bodies {
                    for t in &tokens {
                        let before = closed(&app);
                        let (st, answer) = app.call(method, &url, Some(t), Some(fill(body, s)));
                        assert!(st < 500, "{route} {body}: {st} {answer}");
                        for (case, ending) in closed(&app) {
                            if before.contains_key(&case) {
                                continue;
                            }
                            let ending =
                                ending.unwrap_or_else(|| panic!("case {case} closed by {route} with no ending"));
                            assert!(
                                ending.by(&route),
                                "{route} {body} ended case {case} as {ending:?}, which the list of endings does not name for it"
                            );
                            *ended.entry(format!("{route} → {}", ending.as_str())).or_default() += 1;
                        }
                    }
                }
            }
        }
        assert!(unknown.is_empty(), "case routes the endings walk has no body for: {unknown:?}");
        // The walk did end cases, every way the list names an API route for.
        for e in noveto_domain::ending::ENDINGS {
            let api: Vec<_> = e.routes.iter().filter(|r| r.contains("/api/")).collect();
            assert!(
                api.iter().any(|r| ended.keys().any(|k| k.starts_with(*r) && k.ends_with(e.ending.as_str()))),
                "no route ended a case as {:?}: {ended:?}",
                e.ending
            );
        }
        // And on the data, every ending has its proof.
        let (_, v) = app.get("/api/v1/audit/verify", &admin);
        assert_eq!(v["unproven_endings"].as_array().map(Vec::len), Some(0), "{v}");
    }
}
