//! The background work, taken by the job runner of `serve` (DESIGN invariant 7): deadline
//! reminders and escalations, and the outbox's bookkeeping (the gateways that deliver are the
//! server's). Each call takes `now` from the app's clock; tests pass a fixed clock.

use crate::App;
use noveto_domain::access::{Action, DecisionLevel, Place, Role, Scope, ScopeKind, roles_for};
use noveto_domain::deadline::{self, Around};
use noveto_domain::time::{local_date, rfc3339};
use noveto_store::StoreError;
use noveto_store::repo::jobs::{self, Message, Outgoing};
use noveto_store::repo::{Ctx, cases, org};

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Report {
    /// BBC-5: weekly reports made and announced.
    pub reports: usize,
    /// HCP-3: same-day SMS rating invitations queued.
    pub invited: usize,
    pub reminded: usize,
    pub escalated: usize,
    /// Escalations moved to the next level because their reply deadline was missed.
    pub moved_up: usize,
}

/// The matter a deadline belongs to, in words people look it up by: its receipt number.
fn matter(tx: &mut dyn noveto_store::Tx, entity: &str, id: i64) -> Result<String, StoreError> {
    if let Some(k) = crate::tickets::deadline_kind(entity) {
        return k.matter(tx, id);
    }
    Ok(match cases::get(tx, id)? {
        Some((c, _)) => format!("办件 {}（{}）", c.receipt_no, c.applicant.name),
        None => format!("办件（第 {id} 号）"),
    })
}

/// Who is reminded to decide (each with whether they stand in as B), and at which level.
type Deciders = (Vec<(i64, bool)>, DecisionLevel);

/// NV-8, NV-7: who must act before a veto decision's or an escalation reply's deadline — the
/// holders of the level that decides now at the case's place (never the requester, nor someone
/// who already decided an earlier level), each replaced by B while their A post is away; with
/// the level. `None` for any other deadline (its owner is reminded).
fn approvers(tx: &mut dyn noveto_store::Tx, case_id: i64, what: &str) -> Result<Option<Deciders>, StoreError> {
    let Some((c, _)) = cases::get(tx, case_id)? else { return Ok(None) };
    let (level, exclude): (DecisionLevel, Vec<i64>) = if what.starts_with("veto_decision") {
        let Some(v) = c.veto_request_id.map(|v| cases::get_veto(tx, v)).transpose()?.flatten() else { return Ok(None) };
        let Some(level) = v.level() else { return Ok(None) };
        (level, v.chain.iter().map(|d| d.decided_by).chain([v.requested_by]).collect())
    } else if what.starts_with("reply") {
        let Some(e) = cases::open_escalation_of_case(tx, case_id)? else { return Ok(None) };
        let Some(level) = DecisionLevel::parse(&e.level) else { return Ok(None) };
        (level, vec![])
    } else {
        return Ok(None);
    };
    let place = Place { centers: org::center_chain(tx, c.center_id)?, unit: c.unit_id, window: c.window_id };
    let mut holders: Vec<i64> = org::holders_at(tx, roles_for(Action::Decide(level)), &place)?
        .into_iter()
        .filter(|h| !exclude.contains(h))
        .collect();
    // 代行: nobody else holds the level, so the level above decides in its place.
    if holders.is_empty()
        && let Some(above) = level.above()
    {
        holders = org::holders_at(tx, roles_for(Action::Decide(above)), &place)?
            .into_iter()
            .filter(|h| !exclude.contains(h))
            .collect();
    }
    // ORG-4: an approver away from their post is covered by their B — where B may decide too.
    let deciders = holders.clone();
    let mut out = vec![];
    for h in holders {
        let b = org::stand_in(tx, h)?.filter(|b| deciders.contains(b) || holds(tx, level, &place, *b));
        let (to, covering) = deadline::reminded(&Around { owner: h, stand_in: b, ..Default::default() });
        if !out.iter().any(|(x, _)| *x == to) {
            out.push((to, covering));
        }
    }
    Ok(Some((out, level)))
}

/// Whether `who` holds `level`'s role at `place`.
fn holds(tx: &mut dyn noveto_store::Tx, level: DecisionLevel, place: &Place, who: i64) -> bool {
    org::holders_at(tx, roles_for(Action::Decide(level)), place).is_ok_and(|h| h.contains(&who))
}

/// A message to one staff member through the outbox.
pub(crate) fn staff_message(to: i64, subject: String, body: String, dedupe: String) -> Message {
    Message { channel: "staff".into(), recipient: format!("staff:{to}"), subject, body, dedupe }
}

/// The people around a deadline's matter, for the domain's rules on who hears of it
/// (`deadline::reminded`, `deadline::hears_of_missed`).
fn around(
    tx: &mut dyn noveto_store::Tx,
    entity: &str,
    entity_id: i64,
    what: &str,
    owner: Option<i64>,
) -> Result<Option<Around>, StoreError> {
    if let Some(k) = crate::tickets::deadline_kind(entity) {
        return k.around(tx, entity_id, owner);
    }
    if entity != "case" {
        return Ok(owner.map(|o| Around { owner: o, ..Default::default() }));
    }
    let Some((c, _)) = cases::get(tx, entity_id)? else {
        return Ok(None);
    };
    // NV-1: whoever the deadline names, the matter's first contact answers for it.
    let mut a = Around { owner: c.first_contact_id, ..Default::default() };
    a.stand_in = org::stand_in(tx, a.owner)?;
    if let Some(w) = c.window_id {
        a.window_heads = org::holders(tx, Role::WindowHead, Scope { kind: ScopeKind::Window, id: w })?;
    }
    if let Some(u) = c.unit_id.and_then(|u| org::unit_by_id(tx, u).ok().flatten()) {
        a.unit_leaders.extend(u.leader_id);
        a.unit_leaders.extend(org::holders(tx, Role::UnitLeader, Scope { kind: ScopeKind::Unit, id: u.id })?);
    }
    // NV-1: a back-office stage another unit answers for climbs that unit's ladder too — its
    // contact and its leaders hear of it when it is missed.
    let stage_unit = noveto_domain::case::stage_of(what)
        .and_then(|n| c.stages.get(n))
        .and_then(|st| st.unit_id)
        .filter(|u| Some(*u) != c.unit_id);
    if let Some(u) = stage_unit.and_then(|u| org::unit_by_id(tx, u).ok().flatten()) {
        a.unit_leaders.extend(u.leader_id);
        a.unit_leaders.extend(u.contact_id);
        a.unit_leaders.extend(org::holders(tx, Role::UnitLeader, Scope { kind: ScopeKind::Unit, id: u.id })?);
    }
    Ok(Some(a))
}

/// Finds deadlines falling due and missed ones, and acts once on each (CAL-2).
pub async fn tick(state: &App) -> Result<Report, StoreError> {
    let now = state.now();
    let cal = state.calendar();
    let policy = state.policy();
    let today = local_date(now);
    let until = cal.due(today, policy.due_soon_days).unwrap_or(today).to_string();
    let today_s = today.to_string();
    let now_s = rfc3339(now);
    let mut report = Report::default();
    let due = state.store.read(move |tx| jobs::to_remind(tx, &until, 200)).await?;
    for d in due {
        let ctx = Ctx { actor: None, now: now_s.clone() };
        let claimed = state
            .store
            .write(move |tx| {
                let mut msgs = vec![];
                let what = noveto_domain::deadline::label_of(&d.what);
                let matter = matter(tx, &d.entity, d.entity_id)?;
                let deciders = match d.entity.as_str() {
                    "case" => approvers(tx, d.entity_id, &d.what)?,
                    _ => None,
                };
                if let Some((people, level)) = deciders {
                    // The decision is theirs: the approvers at the level that decides now.
                    for (to, covering) in people {
                        let note = if covering { "（A 岗缺岗，由 B 岗代为审批）" } else { "" };
                        msgs.push(staff_message(
                            to,
                            format!("待审批提醒：{what}"),
                            format!(
                                "{matter}的“{what}”待{}决定，将于 {} 到期，请及时审批。{note}",
                                level.label(),
                                d.due
                            ),
                            format!("remind:{}:{to}", d.id),
                        ));
                    }
                } else if let Some(owner) = d.owner_id {
                    let a = Around { owner, stand_in: org::stand_in(tx, owner)?, ..Default::default() };
                    let (to, covering) = deadline::reminded(&a);
                    let note = if covering { "（A 岗缺岗，由 B 岗代为办理）" } else { "" };
                    msgs.push(staff_message(
                        to,
                        format!("期限提醒：{what}"),
                        format!("{matter}的“{what}”将于 {} 到期，请及时办理。{note}", d.due),
                        format!("remind:{}", d.id),
                    ));
                }
                jobs::claim_reminder(tx, &ctx, d.id, &msgs)
            })
            .await?;
        if claimed {
            report.reminded += 1;
        }
    }
    let t2 = today_s.clone();
    let missed = state.store.read(move |tx| jobs::missed(tx, &t2, 200)).await?;
    for d in missed {
        let ctx = Ctx { actor: None, now: now_s.clone() };
        let climbs = d.entity == "case" && d.what.starts_with("reply");
        let case_id = d.entity_id;
        let claimed = state
            .store
            .write(move |tx| {
                let targets = match around(tx, &d.entity, d.entity_id, &d.what, d.owner_id)? {
                    Some(a) => deadline::hears_of_missed(&a),
                    None => vec![],
                };
                let what = noveto_domain::deadline::label_of(&d.what);
                let matter = matter(tx, &d.entity, d.entity_id)?;
                let msgs: Vec<Message> = targets
                    .into_iter()
                    .map(|t| {
                        staff_message(
                            t,
                            format!("超期督办：{what}"),
                            format!("{matter}的“{what}”已于 {} 到期未办结，已提级督办。", d.due),
                            format!("escalate:{}:{}", d.id, t),
                        )
                    })
                    .collect();
                jobs::claim_escalation(tx, &ctx, d.id, &msgs)
            })
            .await?;
        if claimed {
            report.escalated += 1;
            // NV-7: a missed reply moves the matter itself up the ladder, not only a message.
            if climbs {
                match crate::cases::escalate_missed_reply(state, case_id).await {
                    Ok(Some(_)) => report.moved_up += 1,
                    Ok(None) => {}
                    Err(e) => tracing::error!(case_id, "moving a missed escalation up: {}", e.message),
                }
            }
        }
    }
    // HCP-3: the same day's SMS invitations to rate, once each.
    match crate::ratings::invite(state).await {
        Ok(n) => report.invited = n,
        Err(e) => tracing::error!("rating invitations: {}", e.message),
    }
    // BBC-5: the desk's Friday ledger and the center's Monday roll-up, once each.
    match crate::unresolved::weekly_reports(state).await {
        Ok(n) => report.reports = n,
        Err(e) => tracing::error!("weekly 办不成事 reports: {}", e.message),
    }
    Ok(report)
}

/// Forgets `Idempotency-Key`s answered more than `hours` ago.
pub async fn purge_idempotency_keys(state: &App, hours: i64) -> Result<u64, StoreError> {
    let before = rfc3339(state.now() - chrono::Duration::hours(hours));
    state.store.write(move |tx| noveto_store::repo::idempotency::purge(tx, &before)).await
}

/// Claims up to 50 queued messages for `worker` under a five-minute lease.
pub async fn claim_outbox(state: &App, worker: &str) -> Result<Vec<Outgoing>, StoreError> {
    let now = state.now();
    let (now_s, lease) = (rfc3339(now), rfc3339(now + chrono::Duration::minutes(5)));
    let w = worker.to_string();
    state.store.write(move |tx| jobs::claim_outbox(tx, &w, &now_s, &lease, 50)).await
}

/// The e-mail address of the staff member a message is for (`staff:ID`), where there is one.
pub async fn staff_email(state: &App, recipient: &str) -> Result<Option<String>, StoreError> {
    match recipient.strip_prefix("staff:").and_then(|x| x.parse::<i64>().ok()) {
        Some(id) => state.store.read(move |tx| org::email_of(tx, id)).await,
        None => Ok(None),
    }
}

/// Records a delivery: sent, or failed and to be retried after a growing pause.
pub async fn delivered(state: &App, m: &Outgoing, worker: &str, result: Result<(), String>) -> Result<(), StoreError> {
    let (id, w, now_s) = (m.id, worker.to_string(), rfc3339(state.now()));
    match result {
        Ok(()) => state.store.write(move |tx| jobs::outbox_sent(tx, id, &w, &now_s)).await.map(|_| ()),
        Err(e) => {
            let backoff = chrono::Duration::seconds(30 * (1 << m.attempts.clamp(0, 8)));
            let retry = rfc3339(state.now() + backoff);
            tracing::warn!(id, error = %e, "outbox delivery failed");
            state.store.write(move |tx| jobs::outbox_failed(tx, id, &w, &e, &retry)).await.map(|_| ())
        }
    }
}
