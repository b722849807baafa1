//! Background jobs inside `serve`: the deadline tick of the application layer every minute, and
//! outbox delivery through a gateway (DESIGN invariant 7). Each tick takes `now` from the state's clock; tests call [`tick`] and
//! [`deliver`] with a fixed clock instead of waiting.

use crate::AppState;
use noveto_app::jobs as app_jobs;
pub use noveto_app::jobs::{Report, tick};
use noveto_store::StoreError;
use noveto_store::repo::jobs::Outgoing;
use std::io::Write;
use std::path::PathBuf;

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

/// Delivers queued messages through the gateway; failures are retried later with backoff.
pub async fn deliver(state: &AppState, gateway: &Gateway, worker: &str) -> Result<usize, StoreError> {
    let batch = app_jobs::claim_outbox(state, worker).await?;
    let mut sent = 0;
    for m in batch {
        let g = gateway.clone();
        let m2 = m.clone();
        // SMTP needs the staff member's address.
        let to = match g {
            Gateway::Smtp { .. } => app_jobs::staff_email(state, &m.recipient).await?,
            _ => None,
        };
        let r = tokio::task::spawn_blocking(move || g.send_to(&m2, to.as_deref()))
            .await
            .unwrap_or_else(|e| Err(e.to_string()));
        if r.is_ok() {
            sent += 1;
        }
        app_jobs::delivered(state, &m, worker, r).await?;
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
            if let Err(e) = app_jobs::purge_idempotency_keys(&s1, crate::idempotency::KEEP_HOURS).await {
                tracing::error!("idempotency keys: {e}");
            }
            // POL-1: a version imported by `noveto policy import` beside this server.
            if let Err(e) = noveto_app::policy::reload(&s1).await {
                tracing::error!("policy reload: {}", e.message);
            }
            tokio::time::sleep(std::time::Duration::from_secs(60)).await;
        }
    });
    let s3 = state.clone();
    tokio::spawn(async move {
        // The planner's statistics four times a day (and at a start without them); at the start
        // and every ten minutes where they are stale — taken while the store held no case (a new
        // hall's first day), or of a table that has since outgrown them (`Store::refresh_stale_statistics`).
        let mut minutes = 0u32;
        loop {
            let r = if minutes > 0 && minutes.is_multiple_of(360) {
                s3.store.refresh_statistics().await
            } else {
                s3.store.refresh_stale_statistics().await.map(|_| ())
            };
            if let Err(e) = r {
                tracing::error!("planner statistics: {e}");
            }
            tokio::time::sleep(std::time::Duration::from_secs(600)).await;
            minutes += 10;
        }
    });
    let s4 = state.clone();
    tokio::spawn(async move {
        let mut seconds = 0u64;
        loop {
            // Issue 27: the cases registered in the last second into SQLite's trigram index, in one
            // write (search reads the queue until then).
            tokio::time::sleep(std::time::Duration::from_secs(1)).await;
            if let Err(e) = s4.store.index_pending().await {
                tracing::error!("trigram index: {e}");
            }
            // Issues 27 and 30: on PostgreSQL, the kept counts' rows of each key folded into one
            // every minute (each write adds its own; readers add up what is not folded yet).
            seconds += 1;
            if seconds.is_multiple_of(60)
                && let Err(e) = s4.store.fold_kept_counts().await
            {
                tracing::error!("kept counts: {e}");
            }
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
