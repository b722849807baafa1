//! Background jobs inside `serve`: deadline reminders and escalations, and outbox delivery
//! (DESIGN invariant 7). Each tick takes `now` from the state's clock; tests call [`tick`] and
//! [`deliver`] with a fixed clock instead of waiting.

use crate::AppState;
use noveto_domain::access::{Role, Scope, ScopeKind};
use noveto_domain::time::{local_date, rfc3339};
use noveto_store::StoreError;
use noveto_store::repo::jobs::{self, Message, Outgoing};
use noveto_store::repo::{Ctx, cases, org};
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Report {
    pub reminded: usize,
    pub escalated: usize,
}

/// How outbound messages leave: a file (default), an HTTP webhook, or SMTP.
#[derive(Debug, Clone)]
pub enum Gateway {
    File(PathBuf),
    Webhook(String),
    /// A mail relay: host, port, sender address. Recipients are the staff's e-mail addresses.
    Smtp {
        host: String,
        port: u16,
        from: String,
    },
}

impl Gateway {
    /// `NOVETO_SMTP_URL=smtp://host:port?from=noveto@example.org` or `NOVETO_WEBHOOK_URL=…`;
    /// otherwise `DATA/outbox.jsonl`.
    pub fn from_env(data_dir: &std::path::Path) -> Gateway {
        if let Ok(u) = std::env::var("NOVETO_SMTP_URL") {
            if let Some(g) = Gateway::parse_smtp(&u) {
                return g;
            }
            tracing::error!("NOVETO_SMTP_URL is not smtp://host:port?from=address; using the file gateway");
        }
        match std::env::var("NOVETO_WEBHOOK_URL") {
            Ok(u) if !u.is_empty() => Gateway::Webhook(u),
            _ => Gateway::File(data_dir.join("outbox.jsonl")),
        }
    }

    pub fn parse_smtp(u: &str) -> Option<Gateway> {
        let rest = u.strip_prefix("smtp://")?;
        let (hostport, query) = rest.split_once('?').unwrap_or((rest, ""));
        let (host, port) = match hostport.rsplit_once(':') {
            Some((h, p)) => (h.to_string(), p.parse().ok()?),
            None => (hostport.to_string(), 25),
        };
        let from = query.split('&').find_map(|kv| kv.strip_prefix("from=")).unwrap_or("noveto@localhost").to_string();
        (!host.is_empty()).then_some(Gateway::Smtp { host, port, from })
    }

    /// Sends one message; `to` is the recipient's address where the gateway needs one.
    fn send_to(&self, m: &Outgoing, to: Option<&str>) -> Result<(), String> {
        if let Gateway::Smtp { host, port, from } = self {
            use lettre::Transport;
            let to = to.ok_or("收件人没有登记电子邮箱")?;
            let email = lettre::Message::builder()
                .from(from.parse().map_err(|e| format!("发件地址无效：{e}"))?)
                .to(to.parse().map_err(|e| format!("收件地址无效：{e}"))?)
                .subject(&m.subject)
                .header(lettre::message::header::ContentType::TEXT_PLAIN)
                .body(m.body.clone())
                .map_err(|e| e.to_string())?;
            let t = lettre::SmtpTransport::builder_dangerous(host.as_str()).port(*port).build();
            return t.send(&email).map(|_| ()).map_err(|e| e.to_string());
        }
        self.send(m)
    }

    fn send(&self, m: &Outgoing) -> Result<(), String> {
        let body = serde_json::json!({"id": m.id, "channel": m.channel, "to": m.recipient, "subject": m.subject, "body": m.body, "dedupe": m.dedupe});
        match self {
            Gateway::File(p) => {
                let mut f = std::fs::OpenOptions::new().create(true).append(true).open(p).map_err(|e| e.to_string())?;
                writeln!(f, "{body}").map_err(|e| e.to_string())?;
                f.sync_data().map_err(|e| e.to_string())
            }
            Gateway::Webhook(url) => ureq::post(url)
                .header("Idempotency-Key", &m.dedupe)
                .send_json(&body)
                .map(|_| ())
                .map_err(|e| e.to_string()),
            Gateway::Smtp { .. } => self.send_to(m, None),
        }
    }
}

/// A message to one staff member through the outbox.
fn staff_message(to: i64, subject: String, body: String, dedupe: String) -> Message {
    Message { channel: "staff".into(), recipient: format!("staff:{to}"), subject, body, dedupe }
}

/// Who hears of a missed deadline: the owner and the next level up at the case's place.
fn escalation_targets(tx: &mut dyn noveto_store::Tx, case_id: i64) -> Result<Vec<i64>, StoreError> {
    let Some((c, _)) = cases::get(tx, case_id)? else {
        return Ok(vec![]);
    };
    let mut out = vec![c.first_contact_id];
    // ORG-4: B of an absent A hears of A's missed deadline too.
    out.extend(org::stand_in(tx, c.first_contact_id)?);
    if let Some(w) = c.window_id {
        out.extend(org::holders(tx, Role::WindowHead, Scope { kind: ScopeKind::Window, id: w })?);
    }
    if let Some(u) = c.unit_id.and_then(|u| org::unit_by_id(tx, u).ok().flatten()) {
        out.extend(u.leader_id);
        out.extend(org::holders(tx, Role::UnitLeader, Scope { kind: ScopeKind::Unit, id: u.id })?);
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// Finds deadlines falling due and missed ones, and acts once on each (CAL-2).
pub async fn tick(state: &AppState) -> Result<Report, StoreError> {
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
                if let Some(owner) = d.owner_id {
                    // ORG-4: while the owner's post is covered by B, the reminder goes to B, saying
                    // whose matter it is.
                    let (to, note) = match org::stand_in(tx, owner)? {
                        Some(b) => (b, "（A 岗缺岗，由 B 岗代为办理）"),
                        None => (owner, ""),
                    };
                    let what = crate::ui::what_label(&d.what);
                    msgs.push(staff_message(
                        to,
                        format!("期限提醒：{what}"),
                        format!("办件 {} 的“{what}”将于 {} 到期，请及时办理。{note}", d.entity_id, d.due),
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
        let claimed = state
            .store
            .write(move |tx| {
                let targets = if d.entity == "case" {
                    escalation_targets(tx, d.entity_id)?
                } else {
                    d.owner_id.into_iter().collect()
                };
                let what = crate::ui::what_label(&d.what);
                let msgs: Vec<Message> = targets
                    .into_iter()
                    .map(|t| {
                        staff_message(
                            t,
                            format!("超期督办：{what}"),
                            format!("办件 {} 的“{what}”已于 {} 到期未办结，已提级督办。", d.entity_id, d.due),
                            format!("escalate:{}:{}", d.id, t),
                        )
                    })
                    .collect();
                jobs::claim_escalation(tx, &ctx, d.id, &msgs)
            })
            .await?;
        if claimed {
            report.escalated += 1;
        }
    }
    Ok(report)
}

/// Forgets `Idempotency-Key`s older than their keeping time.
pub async fn purge_idempotency_keys(state: &AppState) -> Result<u64, StoreError> {
    let before = rfc3339(state.now() - chrono::Duration::hours(crate::idempotency::KEEP_HOURS));
    state.store.write(move |tx| noveto_store::repo::idempotency::purge(tx, &before)).await
}

/// Delivers queued messages through the gateway; failures are retried later with backoff.
pub async fn deliver(state: &AppState, gateway: &Gateway, worker: &str) -> Result<usize, StoreError> {
    let now = state.now();
    let (now_s, lease) = (rfc3339(now), rfc3339(now + chrono::Duration::minutes(5)));
    let w = worker.to_string();
    let batch = state.store.write(move |tx| jobs::claim_outbox(tx, &w, &now_s, &lease, 50)).await?;
    let mut sent = 0;
    for m in batch {
        let g = gateway.clone();
        let m2 = m.clone();
        // SMTP needs the staff member's address.
        let to = match (&g, m.recipient.strip_prefix("staff:").and_then(|x| x.parse::<i64>().ok())) {
            (Gateway::Smtp { .. }, Some(id)) => state.store.read(move |tx| org::email_of(tx, id)).await?,
            _ => None,
        };
        let r = tokio::task::spawn_blocking(move || g.send_to(&m2, to.as_deref()))
            .await
            .unwrap_or_else(|e| Err(e.to_string()));
        let (w, now_s) = (worker.to_string(), rfc3339(state.now()));
        match r {
            Ok(()) => {
                state.store.write(move |tx| jobs::outbox_sent(tx, m.id, &w, &now_s)).await?;
                sent += 1;
            }
            Err(e) => {
                let backoff = chrono::Duration::seconds(30 * (1 << m.attempts.clamp(0, 8)));
                let retry = rfc3339(state.now() + backoff);
                tracing::warn!(id = m.id, error = %e, "outbox delivery failed");
                state.store.write(move |tx| jobs::outbox_failed(tx, m.id, &w, &e, &retry)).await?;
            }
        }
    }
    Ok(sent)
}

/// Starts the workers: a deadline tick every minute and outbox delivery every few seconds.
pub fn spawn(state: AppState) {
    let worker = format!("{}-{}", std::process::id(), crate::auth::random_token(4));
    let s1 = state.clone();
    tokio::spawn(async move {
        loop {
            if let Err(e) = tick(&s1).await {
                tracing::error!("deadline job: {e}");
            }
            if let Err(e) = purge_idempotency_keys(&s1).await {
                tracing::error!("idempotency keys: {e}");
            }
            tokio::time::sleep(std::time::Duration::from_secs(60)).await;
        }
    });
    let s2 = state.clone();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(std::time::Duration::from_secs(3)).await;
            if let Err(e) = s2.search.sync(&s2.store).await {
                tracing::error!("search sync: {e}");
            }
        }
    });
    let gateway = Gateway::from_env(&state.data_dir);
    tokio::spawn(async move {
        loop {
            match deliver(&state, &gateway, &worker).await {
                Ok(n) if n > 0 => continue,
                Ok(_) => {}
                Err(e) => tracing::error!("outbox: {e}"),
            }
            tokio::time::sleep(std::time::Duration::from_secs(3)).await;
        }
    });
}
