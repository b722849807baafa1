//! `noveto demo --scale N` (issue 27): N realistic cases over three years at every window of the
//! demo, for measuring at a province's size. Three passes:
//! - the bulk, decided by the domain and written through the store's own functions in batches (a
//!   thousand cases decided while the thousand before are written, in jobs of fifty the writer
//!   commits together; each case with its events, deadlines and audit entries as the application
//!   writes them): consultations answered, applications accepted and approved, the
//!   newest still open, about a third of the services rated on the device or by SMS;
//! - one application in 250 asks for a refusal through the application's own door, with a clock
//!   stepped through the years: the approval chain of the preset decides it (one in five denied at
//!   the first level and accepted instead), an approved one closed as vetoed — so the veto
//!   statistics and the alike-decisions check (NV-15, NV-16) have their real rows;
//! - one case in 250 more goes through another door of the hall, in turn: a consultation escalated
//!   (请示) and answered at its level, an application withdrawn in writing and confirmed by the
//!   window head, a 办不成事 matter registered, dispatched, resolved and verified at the desk, a
//!   吐槽找茬 complaint registered, assigned, replied to and filed — so that the analyses, the
//!   assessment and the case page meet these tables at the store's size.
//!
//! Not generated (left): referrals and kind changes beyond the demo's own few. A progress bar on
//! a terminal. Not part of CI.

use crate::{Fail, Store};
use chrono::{DateTime, FixedOffset};
use indicatif::{ProgressBar, ProgressStyle};
use noveto_app::App;
use noveto_domain::access::DecisionLevel;
use noveto_domain::case::{
    Applicant, Case, Channel, Event, IdDocument, IdKind, ItemRules, Kind, NewCase, Outcome, Received,
};
use noveto_domain::rating::{Channel as RatingChannel, Level, NewRating, Rater, Rating, Service};
use noveto_domain::ticket::Facts;
use noveto_server::auth::Principal;
use noveto_store::StoreError;
use noveto_store::repo::{Ctx, cases as repo, org};
use std::collections::BTreeMap;

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林", "何", "郭", "马",
    "罗",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英", "霞",
    "平",
];
const ORGS: &[&str] = &[
    "清江市恒达贸易有限公司",
    "清江市鑫源建材有限公司",
    "河西区佳和餐饮店",
    "清江市博远科技有限公司",
    "清江市安居物业服务有限公司",
];
const REQUESTS: &[&str] = &[
    "办理营业执照变更",
    "申请食品经营许可",
    "办理不动产转移登记",
    "申领社保卡",
    "办理户口迁移",
    "提取住房公积金",
    "办理纳税申报",
    "申请道路运输许可",
];

/// The `k`th generated person's 居民身份证 number: a district of 清江 (330102), a birthday between
/// 1950 and 2005, a sequence number and the check character of GB 11643 — so that every number
/// is one `validate::id_card` accepts and people up to twenty million are distinct.
fn id_card(k: u64) -> String {
    let day =
        chrono::NaiveDate::from_ymd_opt(1950, 1, 1).unwrap_or_default() + chrono::Duration::days((k % 20_000) as i64);
    let body = format!("330102{}{:03}", day.format("%Y%m%d"), (k / 20_000) % 1000);
    let check = noveto_domain::validate::id_card_check(&body).unwrap_or('X');
    format!("{body}{check}")
}

/// A case's states and the events between them, each with its deadlines and time.
type Steps = Vec<(Case, Event, Vec<repo::DueInfo>, String)>;

/// A window of the demo with its unit, center and clerk.
struct Desk {
    window: i64,
    unit: Option<i64>,
    center: i64,
    clerk: i64,
}

pub async fn fill(s: &Store, n: u64, people: &[Principal]) -> Result<(), Fail> {
    let st = crate::open_existing(s).await?;
    let app = App::load(st.clone(), noveto_app::Clock::system()).await?;
    let desks: Vec<Desk> = st
        .read(|tx| {
            let mut v = vec![];
            for w in org::windows(tx)? {
                if w.kind != "window" {
                    continue;
                }
                let scope = noveto_domain::access::Scope { kind: noveto_domain::access::ScopeKind::Window, id: w.id };
                if let Some(clerk) = org::holders(tx, noveto_domain::access::Role::Clerk, scope)?.first() {
                    v.push(Desk { window: w.id, unit: w.unit_id, center: w.center_id, clerk: *clerk });
                }
            }
            Ok::<_, StoreError>(v)
        })
        .await?;
    if desks.is_empty() {
        return Err(Fail("演示数据中没有窗口".into()));
    }
    let pb = bar(n, "{msg} [{bar:30}] {pos}/{len} {per_sec} 预计剩余 {eta}", "生成办件");
    let now = noveto_domain::time::local(chrono::Utc::now());
    let start = now - chrono::Duration::days(3 * 365);
    let span = (now - start).num_seconds();
    let policy = app.policy();
    let cal = app.calendar();
    let rules = ItemRules {
        allows_deficiency: false,
        allows_commitment: false,
        main_materials: vec![],
        time_limit_wd: Some(10),
        stages: vec![],
    };
    const BATCH: u64 = 1000;
    const JOB: usize = 50;
    let mut i = 0u64;
    let mut pending: Vec<Job> = vec![];
    while i < n {
        let upto = (i + BATCH).min(n);
        // Each case: its states and the events between them, decided in memory by the domain.
        let mut batch: Vec<(i64, Steps, Option<NewRating>)> = Vec::with_capacity((upto - i) as usize);
        for k in i..upto {
            let d = &desks[(k as usize * 7919) % desks.len()];
            let t = start + chrono::Duration::seconds((span as u128 * k as u128 / n.max(1) as u128) as i64);
            let name = format!("{}{}", SURNAMES[(k % 20) as usize], GIVEN[((k / 20) % 20) as usize]);
            let consultation = k % 5 < 2;
            let mut applicant = Applicant::new(
                name,
                (k % 7 == 0).then(|| ORGS[(k % 5) as usize].to_string()),
                format!("1{}{:09}", 3 + (k % 6), k % 1_000_000_000),
            );
            // Two people in three show a 居民身份证 (search by ID number, issue 27).
            if k % 3 != 2 {
                applicant.id_doc = Some(IdDocument { kind: IdKind::IdCard, number: id_card(k) });
            }
            let (mut c, ev) = Case::open(
                NewCase {
                    receipt_no: format!("NV{}", t.format("%Y%m%d")),
                    kind: if consultation { Kind::Consultation } else { Kind::Application },
                    channel: Channel::Window,
                    item_code: None,
                    applicant,
                    request: REQUESTS[(k % 8) as usize].into(),
                    center_id: d.center,
                    unit_id: d.unit,
                    window_id: Some(d.window),
                    first_contact_id: d.clerk,
                },
                &policy,
                t,
            );
            let at = |x: chrono::DateTime<chrono::FixedOffset>| noveto_domain::time::rfc3339(x);
            let mut steps: Steps = vec![(c.clone(), ev, noveto_app::cases::dues(&c, &cal, &policy, t), at(t))];
            let recent = now - t < chrono::Duration::days(20);
            // Most end well; the newest stay open as they would be.
            if consultation {
                if !recent || k % 3 != 0 {
                    let t2 = t + chrono::Duration::minutes(10);
                    if let Ok(ev) = c.close_with(Outcome::Answered, t2) {
                        steps.push((c.clone(), ev, noveto_app::cases::dues(&c, &cal, &policy, t2), at(t2)));
                    }
                }
            } else {
                let t2 = t + chrono::Duration::minutes(30);
                let received = vec![Received { material: "申请书".into(), original: true, copies: 1 }];
                if let Ok(ev) = c.accept(&rules, &policy, received, t2) {
                    steps.push((c.clone(), ev, noveto_app::cases::dues(&c, &cal, &policy, t2), at(t2)));
                }
                if !recent {
                    let t3 = t + chrono::Duration::days(5);
                    if let Ok(ev) = c.close_with(Outcome::Approved, t3) {
                        steps.push((c.clone(), ev, noveto_app::cases::dues(&c, &cal, &policy, t3), at(t3)));
                    }
                }
            }
            // HCP: about a third of the services rated on the device or by SMS.
            let rating = (k % 3 == 0 && c.closed_at.is_some()).then(|| NewRating {
                center_id: d.center,
                unit_id: d.unit,
                window_id: Some(d.window),
                staff_id: Some(d.clerk),
                service: Service::Case(0),
                service_receipt: String::new(),
                channel: if k % 2 == 0 { RatingChannel::Device } else { RatingChannel::Sms },
                level: Some(Level {
                    scale: policy.rating.scale,
                    value: if k % 41 == 0 { 1 } else { policy.rating.scale },
                }),
                dimensions: BTreeMap::new(),
                comment: String::new(),
                rater: (k % 2 == 1).then(|| Rater { name: c.applicant.name.clone(), phone: c.applicant.phone.clone() }),
            });
            batch.push((d.clerk as i64, steps, rating));
        }
        // The batch before this one was written while this one was decided; wait for it first.
        settle(std::mem::take(&mut pending)).await?;
        // Its cases into the trigram index at once (one FTS5 segment, not one per case).
        st.index_pending().await.map_err(|e| Fail(format!("索引办件失败：{e}")))?;
        // The planner's statistics as the store grows tenfold (taken of an empty store, they
        // send it walking whole tables).
        if i > 0 && [10_000, 100_000, 1_000_000].contains(&i) {
            st.refresh_statistics().await.map_err(|e| Fail(format!("统计信息更新失败：{e}")))?;
        }
        // PostgreSQL: the kept counts' rows folded as the server does (a row per deadline else).
        if i > 0 && i.is_multiple_of(50_000) {
            st.fold_kept_counts().await.map_err(|e| Fail(format!("计数合并失败：{e}")))?;
        }
        pb.set_position(i);
        // A thousand cases in one savepoint made SQLite's in-memory sub-journal — a linked list it
        // walks on every statement — grow through the job: two thirds of the generator's time.
        // Jobs of 50 cases, queued together, still go to the disk in one commit.
        let mut rest = batch;
        while !rest.is_empty() {
            let chunk: Vec<_> = rest.drain(..rest.len().min(JOB)).collect();
            let (policy, cal, st) = (policy.clone(), cal.clone(), st.clone());
            pending.push(tokio::spawn(async move { st.write(move |tx| write_cases(tx, chunk, &policy, &cal)).await }));
        }
        i = upto;
    }
    settle(pending).await?;
    st.index_pending().await.map_err(|e| Fail(format!("索引办件失败：{e}")))?;
    st.fold_kept_counts().await.map_err(|e| Fail(format!("计数合并失败：{e}")))?;
    pb.finish_and_clear();
    // The planner's statistics for the store as it now is (opening no longer refreshes them).
    st.refresh_statistics().await?;
    let refused = vetoes(s, &st, n, people, start, now - chrono::Duration::days(20)).await?;
    let others = others(s, &st, n, people, start, now - chrono::Duration::days(20)).await?;
    st.index_pending().await.map_err(|e| Fail(format!("索引办件失败：{e}")))?;
    // The tables those two passes filled (the filings, the veto requests, the desk's and the
    // section's tickets) were counted before them: each is analysed again, alone.
    st.fold_kept_counts().await.map_err(|e| Fail(format!("计数合并失败：{e}")))?;
    st.refresh_stale_statistics().await?;
    println!(
        "已生成 {n} 件办件，另有 {refused} 件申请走过否决审批，{} 件请示、{} 件撤回、{} 件办不成事、{} 件吐槽找茬。",
        others[0], others[1], others[2], others[3]
    );
    Ok(())
}

/// A write of the bulk pass, under way.
type Job = tokio::task::JoinHandle<Result<(), StoreError>>;

/// Waits for the bulk pass's writes; the first that failed is the answer.
async fn settle(jobs: Vec<Job>) -> Result<(), Fail> {
    for job in jobs {
        job.await.map_err(|e| Fail(format!("生成办件失败：{e}")))??;
    }
    Ok(())
}

/// One job of the bulk pass: each case inserted with its first event, its later events applied in
/// order, its rating opened through the ticket door.
fn write_cases(
    tx: &mut dyn noveto_store::Tx,
    batch: Vec<(i64, Steps, Option<NewRating>)>,
    policy: &noveto_domain::policy::Policy,
    calendar: &noveto_domain::calendar::Calendar,
) -> Result<(), StoreError> {
    for (actor, steps, rating) in batch {
        let mut it = steps.into_iter();
        let Some((c0, ev0, dues0, at0)) = it.next() else { continue };
        let ctx = Ctx { actor: Some(actor), now: at0.clone() };
        let (id, receipt) = repo::insert(tx, &ctx, &c0, &ev0, &dues0)?;
        let mut last_at = at0;
        for (version, (c, ev, dues, at)) in (1..).zip(it) {
            let ctx = Ctx { actor: Some(actor), now: at.clone() };
            repo::apply(tx, &ctx, id, version, &c, &ev, &dues, &[])?;
            last_at = at;
        }
        if let Some(mut r) = rating {
            r.service = Service::Case(id);
            r.service_receipt = receipt;
            let when = chrono::DateTime::parse_from_rfc3339(&last_at)
                .unwrap_or_else(|_| noveto_domain::time::local(chrono::Utc::now()));
            let f = Facts { by: None, now: when, policy, calendar };
            if let Ok(d) = noveto_domain::ticket::open::<Rating>(r, &f) {
                let ctx = Ctx { actor: None, now: last_at };
                noveto_store::repo::tickets::insert(tx, &ctx, &d)?;
            }
        }
    }
    Ok(())
}

/// Refusal reasons a unit may really give, each with what the applicant can do about it.
const REASONS: &[&str] = &[
    "申请人不具备法定的申请资格。",
    "经营场所不符合规划或安全要求。",
    "申请事项依法不属于准予许可的情形。",
    "申请人隐瞒有关情况或提供虚假材料。",
];

/// The second pass: one application in 250 through the real approval chain. Returns how many.
async fn vetoes(
    s: &Store,
    st: &noveto_store::Store,
    n: u64,
    people: &[Principal],
    from: DateTime<FixedOffset>,
    to: DateTime<FixedOffset>,
) -> Result<u64, Fail> {
    use noveto_server::api::cases::{self as svc, CloseIn, DecisionIn, VetoIn};
    let count = n / 250;
    if count == 0 || to <= from {
        return Ok(0);
    }
    let (state, dc) = crate::demo::DemoClock::stepped(s, st, from).await?;
    let policy = state.policy();
    let units = city_units();
    let pb = bar(count, "{msg} [{bar:30}] {pos}/{len} 预计剩余 {eta}", "否决审批");
    let span = (to - from).num_seconds();
    let fail = |e: noveto_app::Error| Fail(format!("否决审批生成失败：{}", e.message));
    for k in 0..count {
        let key = units[(k as usize) % units.len()];
        let items: Vec<_> = crate::demo::CATALOG.iter().filter(|r| r.2 == key).collect();
        let item = items[(k as usize / units.len()) % items.len()];
        let (clerk, head, leader, chief) = (
            crate::demo::who(people, &format!("clerk-{key}")),
            crate::demo::who(people, &format!("head-{key}")),
            crate::demo::who(people, &format!("leader-{key}")),
            crate::demo::who(people, &format!("chief-{key}")),
        );
        let t = from + chrono::Duration::seconds((span as u128 * k as u128 / count as u128) as i64);
        dc.set(t);
        let name = format!("{}{}", SURNAMES[(k % 20) as usize], GIVEN[((k / 7) % 20) as usize]);
        let phone = format!("15{:09}", k % 1_000_000_000);
        let b = crate::demo::case_in("application", Some(item.0), &name, &phone, None, item.1);
        let (id, _, _) = svc::open_case(&state, clerk, svc::parse_case(b).map_err(fail)?).await.map_err(fail)?;
        let reason = REASONS[(k as usize / 3) % REASONS.len()];
        let v = svc::do_veto_request(
            &state,
            clerk,
            id,
            VetoIn { reason: reason.into(), legal_basis: item.3.into(), major: false },
        )
        .await
        .map_err(fail)?;
        let vid = v["id"].as_i64().unwrap_or(0);
        dc.set(t + chrono::Duration::hours(2));
        let deny = k % 5 == 4;
        let mut approved = true;
        for level in policy.veto_levels(false).to_vec() {
            let by = match level {
                DecisionLevel::WindowHead => head,
                DecisionLevel::UnitLeader => leader,
                _ => chief,
            };
            let opinion = if deny {
                "材料可补正，不予否决，请一次性告知补正后继续办理。"
            } else {
                "经核实，理由与依据成立，同意否决。"
            };
            svc::do_decide(&state, by, vid, DecisionIn { approve: !deny, opinion: opinion.into() })
                .await
                .map_err(fail)?;
            if deny {
                approved = false;
                break;
            }
        }
        dc.set(t + chrono::Duration::days(1));
        if approved {
            let close = CloseIn {
                confirm_phrases: false,
                outcome: "vetoed".into(),
                veto_request_id: Some(vid),
                withdrawal_id: None,
                legal_basis: None,
                note: Some("已出具不予受理决定书，告知理由、依据和救济途径".into()),
            };
            svc::do_close(&state, clerk, id, close).await.map_err(fail)?;
        }
        pb.inc(1);
    }
    pb.finish_and_clear();
    Ok(count)
}

/// Reasons a window really escalates for (请示), each answered positively at its level.
const QUESTIONS: &[(&str, &str)] = &[
    ("新业态经营范围表述在规范目录中未列明，如何登记请示。", "可参照相近表述登记，并在备注中写明，予以办理。"),
    (
        "申请人提交的境外公证文书格式与示范文本不同，能否认可请示。",
        "经核实公证文书内容完整、认证有效，予以认可并继续办理。",
    ),
    ("同一地址已有另一主体登记，能否一址多照请示。", "符合一址多照条件，出具场所使用说明后予以办理。"),
];

/// The third pass: one case in 250 more through another door, by turns — an escalation, a
/// withdrawal, a 办不成事 matter, a 吐槽找茬 complaint — with the clock stepped through the years.
/// Returns how many of each.
async fn others(
    s: &Store,
    st: &noveto_store::Store,
    n: u64,
    people: &[Principal],
    from: DateTime<FixedOffset>,
    to: DateTime<FixedOffset>,
) -> Result<[u64; 4], Fail> {
    use noveto_app::complaints as k;
    use noveto_app::unresolved as u;
    use noveto_server::api::cases::{self as svc, AnswerIn, CloseIn, EscalationIn, WithdrawalIn};
    let count = n / 250;
    let mut made = [0u64; 4];
    if count == 0 || to <= from {
        return Ok(made);
    }
    let (state, dc) = crate::demo::DemoClock::stepped(s, st, from).await?;
    let units = city_units();
    let who = |login: String| crate::demo::who(people, &login);
    let unit_of = |login: &str| who(login.into()).grants.first().map(|g| g.scope.id).unwrap_or_default();
    // The sections the demo's desk and complaint matters go to, each with its contact.
    let sections = [("scjg", unit_of("leader-scjg")), ("bdc", unit_of("leader-bdc"))];
    let (desk, sup) = (who("bbc-desk".into()), who("supervision".into()));
    let pb = bar(count, "{msg} [{bar:30}] {pos}/{len} 预计剩余 {eta}", "请示、撤回、办不成事、吐槽找茬");
    let span = (to - from).num_seconds();
    let fail = |e: noveto_app::Error| Fail(format!("生成请示、撤回、办不成事或吐槽找茬失败：{}", e.message));
    for k in 0..count {
        let t = from + chrono::Duration::seconds((span as u128 * k as u128 / count as u128) as i64);
        dc.set(t);
        let key = units[(k as usize / 4) % units.len()];
        let items: Vec<_> = crate::demo::CATALOG.iter().filter(|r| r.2 == key).collect();
        let item = items[(k as usize / 4 / units.len()) % items.len()];
        let clerk = who(format!("clerk-{key}"));
        let name = format!("{}{}", SURNAMES[(k % 20) as usize], GIVEN[((k / 3) % 20) as usize]);
        let phone = format!("17{:09}", k % 1_000_000_000);
        let (section, section_unit) = sections[(k as usize / 4) % sections.len()];
        let contact = who(format!("clerk-{section}"));
        let close = |outcome: &str, withdrawal_id: Option<i64>, note: &str| CloseIn {
            confirm_phrases: false,
            outcome: outcome.into(),
            veto_request_id: None,
            withdrawal_id,
            legal_basis: None,
            note: Some(note.into()),
        };
        match k % 4 {
            0 => {
                // A consultation the window cannot answer alone: escalated, answered at its level.
                let (question, answer) = QUESTIONS[(k as usize / 4) % QUESTIONS.len()];
                let b = crate::demo::case_in("consultation", Some(item.0), &name, &phone, None, item.1);
                let (id, _, _) =
                    svc::open_case(&state, clerk, svc::parse_case(b).map_err(fail)?).await.map_err(fail)?;
                let e = svc::do_escalate(
                    &state,
                    clerk,
                    id,
                    EscalationIn {
                        reason: question.into(),
                        major: false,
                        expert_study: None,
                        beyond_promise_reason: None,
                    },
                )
                .await
                .map_err(fail)?;
                let level = e["level"].as_str().and_then(DecisionLevel::parse);
                let by = match level {
                    Some(DecisionLevel::WindowHead) => who(format!("head-{key}")),
                    Some(DecisionLevel::UnitLeader) => who(format!("leader-{key}")),
                    _ => who(format!("chief-{key}")),
                };
                dc.set(t + chrono::Duration::hours(3));
                let b = AnswerIn { answer: answer.into(), confirm_phrases: false, meeting: None };
                svc::do_answer(&state, by, e["id"].as_i64().unwrap_or(0), b).await.map_err(fail)?;
                dc.set(t + chrono::Duration::hours(4));
                svc::do_close(&state, clerk, id, close("answered", None, answer)).await.map_err(fail)?;
            }
            1 => {
                // The applicant withdraws in writing; the window head confirms; the case closes.
                let b = crate::demo::case_in("application", Some(item.0), &name, &phone, None, item.1);
                let (id, _, _) =
                    svc::open_case(&state, clerk, svc::parse_case(b).map_err(fail)?).await.map_err(fail)?;
                dc.set(t + chrono::Duration::hours(1));
                let statement = format!("本人材料尚需补办公证，自愿撤回本次申请。——{name}");
                let wid = svc::do_withdrawal(&state, clerk, id, WithdrawalIn { statement }).await.map_err(fail)?;
                svc::do_confirm_withdrawal(&state, who(format!("head-{key}")), wid).await.map_err(fail)?;
                svc::do_close(&state, clerk, id, close("withdrawn", Some(wid), "申请人书面撤回，窗口负责人已确认"))
                    .await
                    .map_err(fail)?;
            }
            2 => {
                // A matter that did not get done: registered at the desk, answered by its unit.
                let b = u::UnresolvedIn {
                    reporter: u::ReporterIn { name: name.clone(), phone: phone.clone() },
                    summary: format!("{}跑了两次没办成，窗口说系统里查不到。", item.1),
                    case_id: None,
                    case_receipt_no: None,
                    class: "simple".into(),
                    desk_id: None,
                };
                let m = u::register(&state, desk, b).await.map_err(fail)?;
                u::dispatch(&state, desk, m.id, u::DispatchIn { unit_id: section_unit }).await.map_err(fail)?;
                dc.set(t + chrono::Duration::days(1));
                let b = u::FeedbackIn {
                    result: "已联系申请人，系统数据已同步，当场办结。".into(),
                    resolved: true,
                    bottleneck: Some("部门系统数据未及时同步".into()),
                    confirm: false,
                };
                u::feedback(&state, contact, m.id, b).await.map_err(fail)?;
                let b = u::VerifyIn { done: true, note: "电话回访，申请人确认已办结。".into() };
                u::verify(&state, desk, m.id, b).await.map_err(fail)?;
            }
            _ => {
                // A complaint: registered, assigned to the section, replied to, filed.
                let (category, content) = [
                    ("process", "同一份材料在两个窗口各交了一次。"),
                    ("efficiency", "取号后等了一个多小时才叫到号。"),
                    ("attitude", "窗口工作人员解释问题不耐烦。"),
                ][(k as usize / 4) % 3];
                let b = k::ComplaintIn {
                    channel: if k % 8 == 3 { "box".into() } else { "wechat".into() },
                    category: category.into(),
                    content: content.into(),
                    complainant: k::ComplainantIn { name: name.clone(), phone: phone.clone() },
                    confidential: k % 16 == 3,
                    center_id: None,
                    window_id: None,
                    about_unit: None,
                };
                let c = k::register(&state, sup, b).await.map_err(fail)?;
                k::assign(&state, sup, c.id, k::AssignIn { unit_id: section_unit, lead: true }).await.map_err(fail)?;
                dc.set(t + chrono::Duration::days(2));
                let b = k::ReplyIn {
                    opinion: "经核实情况属实，已整改并在科室会上通报。".into(),
                    reply: "您反映的问题已核实并整改，感谢您的监督！如仍有问题请拨打大厅值班电话。".into(),
                    confirm: false,
                };
                k::reply(&state, contact, c.id, b).await.map_err(fail)?;
                k::close(&state, sup, c.id, k::NoteIn { note: "整改情况已回访。".into() }).await.map_err(fail)?;
            }
        }
        made[(k % 4) as usize] += 1;
        pb.inc(1);
    }
    pb.finish_and_clear();
    Ok(made)
}

/// A pass's progress bar on a terminal (hidden elsewhere).
fn bar(len: u64, template: &str, message: &'static str) -> ProgressBar {
    let pb = ProgressBar::new(len);
    pb.set_style(ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar()));
    if !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        pb.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    pb.set_message(message);
    pb
}

/// The city's units with an approval chain, in the catalog's order (the district's have a clerk
/// only).
fn city_units() -> Vec<&'static str> {
    crate::demo::CATALOG.iter().map(|r| r.2).fold(vec![], |mut v, k| {
        if !v.contains(&k) {
            v.push(k);
        }
        v
    })
}
