use crate::helpers::*;
use noveto_server::jobs::{Gateway, deliver, tick};
use noveto_server::{AppState, Clock};
use noveto_store::{Store, StoreError};
use serde_json::json;

fn outbox_count(app: &App) -> i64 {
    app.block_on(
        app.state
            .store
            .read(|tx| Ok::<_, StoreError>(tx.query_one("SELECT COUNT(*) FROM outbox", &[])?.unwrap().i64(0))),
    )
    .unwrap()
}

// CAL-2: a reminder before the due day and an escalation when missed, each exactly once,
// through the outbox; time is moved, never waited for.
#[test]
fn cal_2_reminders_and_escalation() {
    let app = App::spawn(Kind::Sqlite, "national");
    let clerk = app.token("clerk");
    let id = app.new_case(&clerk, None);
    let (_, e) = app.post(&format!("/api/v1/cases/{id}/escalations"), &clerk, json!({"reason": "政策不明"}));
    assert_eq!(e["due"], "2026-11-27T23:59:59+08:00");
    assert_eq!(app.block_on(tick(&app.state)).unwrap(), Default::default());
    app.set_now("2026-11-26T08:00:00+08:00");
    let r = app.block_on(tick(&app.state)).unwrap();
    assert_eq!((r.reminded, r.escalated), (1, 0));
    assert_eq!(app.block_on(tick(&app.state)).unwrap().reminded, 0, "never twice");
    assert_eq!(outbox_count(&app), 1);
    // Missed: escalated to the owner, the window head and the unit leader.
    app.set_now("2026-11-30T08:00:00+08:00");
    let r = app.block_on(tick(&app.state)).unwrap();
    assert_eq!(r.escalated, 1);
    assert_eq!(app.block_on(tick(&app.state)).unwrap().escalated, 0);
    assert_eq!(outbox_count(&app), 4);
    // The case shows the deadline as overdue.
    let (_, c) = app.get(&format!("/api/v1/cases/{id}"), &clerk);
    assert_eq!(c["deadlines"][0]["state"], "overdue");
    // Delivery through the file gateway, once each.
    let path = app.dir.join("out.jsonl");
    let g = Gateway::File(path.clone());
    assert_eq!(app.block_on(deliver(&app.state, &g, "w1")).unwrap(), 4);
    assert_eq!(app.block_on(deliver(&app.state, &g, "w1")).unwrap(), 0);
    let lines = std::fs::read_to_string(&path).unwrap();
    assert_eq!(lines.lines().count(), 4);
    assert!(lines.contains("超期督办"));
    // A failing gateway leaves the message for a retry later, not lost.
    let id2 = app.new_case(&clerk, None);
    app.post(&format!("/api/v1/cases/{id2}/escalations"), &clerk, json!({"reason": "x"}));
    app.set_now("2026-12-07T08:00:00+08:00");
    // The second case's reply, and the first case's reply at the level it moved up to.
    assert_eq!(app.block_on(tick(&app.state)).unwrap().reminded, 2);
    let bad = Gateway::File(app.dir.join("no/such/dir/out.jsonl"));
    assert_eq!(app.block_on(deliver(&app.state, &bad, "w2")).unwrap(), 0);
    assert_eq!(app.block_on(deliver(&app.state, &g, "w3")).unwrap(), 0, "not before its retry time");
    app.set_now("2026-12-07T09:00:00+08:00");
    assert_eq!(app.block_on(deliver(&app.state, &g, "w3")).unwrap(), 2);
    assert!(app.audit_ok());
}

// CAL-2: two job runners on one store act on each due deadline exactly once.
#[test]
fn cal_2_two_runners_act_once() {
    for k in backends() {
        let app = App::spawn(k, "national");
        let clerk = app.token("clerk");
        for _ in 0..12 {
            let id = app.new_case(&clerk, None);
            app.post(&format!("/api/v1/cases/{id}/escalations"), &clerk, json!({"reason": "r"}));
        }
        app.set_now("2026-11-30T08:00:00+08:00");
        // A second server: its own store handle on the same database, its own state.
        let url =
            match k {
                Kind::Sqlite => None,
                Kind::Postgres => Some(
                    app.block_on(app.state.store.read(|tx| {
                        Ok::<_, StoreError>(tx.query_one("SELECT current_database()", &[])?.unwrap().str(0))
                    }))
                    .unwrap(),
                ),
            };
        let store2 = match &url {
            None => Store::open_sqlite(&app.dir).unwrap(),
            Some(db) => {
                let base = std::env::var("NOVETO_TEST_PG_URL").unwrap();
                let i = base.rfind('/').unwrap();
                Store::open_postgres(&format!("{}/{db}", &base[..i])).unwrap()
            }
        };
        let c = app.clock.clone();
        let state2 = app
            .block_on(AppState::load(
                store2,
                Clock::from_fn(move || {
                    noveto_domain::time::local(
                        chrono::DateTime::from_timestamp(c.load(std::sync::atomic::Ordering::SeqCst), 0).unwrap(),
                    )
                }),
                app.dir.clone(),
            ))
            .unwrap();
        let s1 = app.state.clone();
        let (a, b) = app.block_on(async move { tokio::join!(tick(&s1), tick(&state2)) });
        let (a, b) = (a.unwrap(), b.unwrap());
        assert_eq!(a.escalated + b.escalated, 12, "{k:?}: {a:?} {b:?}");
        assert_eq!(a.reminded + b.reminded, 12, "{k:?}");
        let n: i64 = app
            .block_on(app.state.store.read(|tx| {
                Ok::<_, StoreError>(
                    tx.query_one("SELECT COUNT(*) FROM audit WHERE action = 'deadline.escalate'", &[])?.unwrap().i64(0),
                )
            }))
            .unwrap();
        assert_eq!(n, 12);
        assert!(app.audit_ok());
    }
}

// CAL-2, invariant 7: the SMTP gateway delivers to a real SMTP server (aiosmtpd) at the staff
// member's address; a staff member without an address is retried later, not lost.
#[test]
fn cal_2_smtp_gateway() {
    let ok = std::process::Command::new("python3").args(["-c", "import aiosmtpd"]).status().is_ok_and(|s| s.success());
    if !ok {
        assert!(std::env::var("CI").is_err(), "CI must have aiosmtpd (pip install aiosmtpd)");
        eprintln!("aiosmtpd not installed: SMTP test skipped outside CI");
        return;
    }
    let app = App::spawn(Kind::Sqlite, "national");
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let maildir = app.dir.join("maildir");
    let mut server = std::process::Command::new("python3")
        .args([
            "-m",
            "aiosmtpd",
            "-n",
            "-l",
            &format!("127.0.0.1:{port}"),
            "-c",
            "aiosmtpd.handlers.Mailbox",
            maildir.to_str().unwrap(),
        ])
        .spawn()
        .unwrap();
    // Wait for the SMTP server to listen (Python starts slowly on a busy machine).
    for _ in 0..400 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let clerk_id = app.staff_id("clerk");
    app.block_on(app.state.store.write(move |tx| {
        noveto_store::repo::org::set_email(
            tx,
            &noveto_store::repo::Ctx { actor: None, now: "2026-11-20T09:00:00+08:00".into() },
            clerk_id,
            "clerk@qingjiang.example",
        )
    }))
    .unwrap();
    let clerk = app.token("clerk");
    let id = app.new_case(&clerk, None);
    app.post(&format!("/api/v1/cases/{id}/escalations"), &clerk, json!({"reason": "r"}));
    app.set_now("2026-11-30T08:00:00+08:00");
    app.block_on(tick(&app.state)).unwrap();
    let g = noveto_server::jobs::Gateway::parse_smtp(&format!("smtp://127.0.0.1:{port}?from=noveto@qingjiang.example"))
        .unwrap();
    // Four messages: the reminder goes to the window head who must answer (issue 25), the
    // overdue notice to the clerk, the head and the unit leader; only the clerk has an address:
    // one is mailed, the others wait for a retry.
    let sent = app.block_on(deliver(&app.state, &g, "smtp")).unwrap();
    let _ = server.kill();
    let _ = server.wait();
    assert_eq!(sent, 1);
    let files: Vec<_> = std::fs::read_dir(maildir.join("new")).unwrap().collect();
    assert_eq!(files.len(), 1);
    let text = std::fs::read_to_string(files[0].as_ref().unwrap().path()).unwrap();
    assert!(text.contains("To: clerk@qingjiang.example"), "{text}");
    let pending = app
        .block_on(app.state.store.read(|tx| {
            Ok::<_, StoreError>(
                tx.query_one("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND last_error IS NOT NULL", &[])?
                    .unwrap()
                    .i64(0),
            )
        }))
        .unwrap();
    assert_eq!(pending, 3);
}

// ORG-4 with CAL-2: a reminder for A's matter reaches B while A is marked absent, saying whose
// post it is; a missed deadline is told to B as well as to A's chain.
#[test]
fn org_4_reminders_reach_b_while_a_is_absent() {
    for k in backends() {
        let app = App::spawn(k, "national");
        let clerk = app.token("clerk");
        let (a, b) = (app.staff_id("clerk"), app.staff_id("clerk2"));
        let admin = app.token("admin");
        let posts = json!({"primary_id": a, "backup_id": b});
        assert_eq!(
            app.call("PUT", &format!("/api/v1/windows/{}/posts", app.ids.window), Some(&admin), Some(posts)).0,
            200
        );
        let absent = json!({"absent": true});
        let head = app.token("head");
        assert_eq!(
            app.call("PUT", &format!("/api/v1/windows/{}/absence", app.ids.window), Some(&head), Some(absent)).0,
            200
        );
        // A's matter with a deadline of A's own: the supplement of an acceptance with deficiency.
        crate::cases::add_item(&app, "AB-1", true, false);
        let id = app.new_case(&clerk, Some("AB-1"));
        let body = json!({"missing": [{"material": "场所证明", "how_to_fix": "补交复印件"}], "commitment_signed": true, "supplement_days": 5});
        assert_eq!(app.post(&format!("/api/v1/cases/{id}/deficiency-acceptance"), &clerk, body).0, 200);
        let receipt = app.get(&format!("/api/v1/cases/{id}"), &clerk).1["receipt_no"].as_str().unwrap().to_string();
        app.set_now("2026-11-26T08:00:00+08:00");
        assert_eq!(app.block_on(tick(&app.state)).unwrap().reminded, 1);
        app.set_now("2026-11-30T08:00:00+08:00");
        assert_eq!(app.block_on(tick(&app.state)).unwrap().escalated, 1);
        let path = app.dir.join("ab.jsonl");
        app.block_on(deliver(&app.state, &Gateway::File(path.clone()), "w1")).unwrap();
        let lines: Vec<serde_json::Value> =
            std::fs::read_to_string(&path).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        let to = |r: i64| format!("staff:{r}");
        let reminder = lines.iter().find(|m| m.to_string().contains("期限提醒")).expect("a reminder");
        assert_eq!(reminder["to"], to(b), "{reminder}");
        assert!(reminder["body"].as_str().unwrap().contains("由 B 岗代为办理"), "{reminder}");
        // Issue 25: a message names the matter by its receipt number, never an internal id.
        assert!(reminder["body"].as_str().unwrap().contains(&receipt), "{reminder}");
        let overdue: Vec<&serde_json::Value> = lines.iter().filter(|m| m.to_string().contains("超期督办")).collect();
        assert!(overdue.iter().any(|m| m["to"] == to(b)), "{overdue:?}");
        assert!(overdue.iter().any(|m| m["to"] == to(a)), "{overdue:?}");
    }
}

// NV-8, NV-7 (issue 25): the reminder before a veto decision or an escalation reply goes to
// those who must decide at the level that decides now — not to the clerk who asked — and names
// the receipt number; the requester never hears it as a decider.
#[test]
fn nv_8_reminders_reach_the_approvers_at_the_current_level() {
    for k in backends() {
        let app = App::spawn(k, "national");
        let clerk = app.token("clerk");
        let id = app.new_case(&clerk, None);
        let vid = app.request_veto(&clerk, id);
        let other = app.new_case(&clerk, None);
        app.post(&format!("/api/v1/cases/{other}/escalations"), &clerk, json!({"reason": "政策不明"}));
        let receipt =
            |id: i64| app.get(&format!("/api/v1/cases/{id}"), &clerk).1["receipt_no"].as_str().unwrap().to_string();
        let (r1, r2) = (receipt(id), receipt(other));
        // The national veto decision is due in 1 working day: reminded at once; the reply later.
        app.block_on(tick(&app.state)).unwrap();
        app.set_now("2026-11-26T08:00:00+08:00");
        app.block_on(tick(&app.state)).unwrap();
        let path = app.dir.join("approvers.jsonl");
        app.block_on(deliver(&app.state, &Gateway::File(path.clone()), "w1")).unwrap();
        let lines: Vec<serde_json::Value> =
            std::fs::read_to_string(&path).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        let to = |login: &str| format!("staff:{}", app.staff_id(login));
        let about = |r: &str| -> Vec<&serde_json::Value> {
            lines
                .iter()
                .filter(|m| {
                    m["subject"].as_str().unwrap_or("").contains("待审批提醒")
                        && m["body"].as_str().unwrap_or("").contains(r)
                })
                .collect()
        };
        let veto = about(&r1);
        assert!(veto.iter().any(|m| m["to"] == to("head")), "the window head decides the first level: {lines:?}");
        assert!(veto.iter().all(|m| m["to"] != to("clerk")), "never the requester: {veto:?}");
        assert!(veto[0]["body"].as_str().unwrap().contains("窗口负责人"), "{veto:?}");
        let reply = about(&r2);
        assert!(reply.iter().any(|m| m["to"] == to("head")), "{lines:?}");
        assert!(reply.iter().all(|m| m["to"] != to("clerk")), "{reply:?}");
        assert!(vid > 0);
    }
}

// NV-7, CAL-2 (issue "one application layer", item 6): a missed reply deadline moves the
// matter itself to the next level of the ladder — a new escalation with its own deadline, in
// the next level's hands — not only a message. At the top of the ladder nothing moves.
#[test]
fn nv_7_missed_reply_moves_the_escalation_up() {
    for kind in backends() {
        let app = App::spawn(kind, "national");
        let clerk = app.token("clerk");
        let id = app.new_case(&clerk, None);
        let (_, e) = app.post(&format!("/api/v1/cases/{id}/escalations"), &clerk, json!({"reason": "政策不明"}));
        assert_eq!((e["level"].as_str(), e["due"].as_str()), (Some("window_head"), Some("2026-11-27T23:59:59+08:00")));
        let first = e["id"].as_i64().unwrap();
        app.set_now("2026-11-30T08:00:00+08:00");
        let r = app.block_on(tick(&app.state)).unwrap();
        assert_eq!((r.escalated, r.moved_up), (1, 1), "{kind:?}");
        assert_eq!(app.block_on(tick(&app.state)).unwrap().moved_up, 0, "once");
        // The window head can no longer answer the superseded one; the unit leader has it.
        let (st, _) =
            app.post(&format!("/api/v1/escalations/{first}/answer"), &app.token("head"), json!({"answer": "可以"}));
        assert_eq!(st, 409, "{kind:?}");
        let (_, c) = app.get(&format!("/api/v1/cases/{id}"), &clerk);
        let tl = c["timeline"].as_array().unwrap();
        let moved = tl.iter().filter(|t| t["kind"] == "escalated").count();
        assert_eq!(moved, 2, "{c}");
        assert!(tl.iter().any(|t| t["detail"]["reason"].as_str().is_some_and(|r| r.contains("逾期未答复"))), "{c}");
        let next = app.block_on(app.state.store.read(move |tx| {
            noveto_store::repo::cases::open_escalation_of_case(tx, id).map(|e| e.map(|e| (e.id, e.level)))
        }));
        let (next_id, level) = next.unwrap().unwrap();
        assert_eq!(level, "unit_leader");
        let (st, _) =
            app.post(&format!("/api/v1/escalations/{next_id}/answer"), &app.token("leader"), json!({"answer": "可以"}));
        assert_eq!(st, 200, "{kind:?}");
        // Answered: a later tick moves nothing.
        app.set_now("2026-12-14T08:00:00+08:00");
        assert_eq!(app.block_on(tick(&app.state)).unwrap().moved_up, 0);
        assert!(app.audit_ok());
    }
}

// Nothing a user sends may turn into a 5xx: a burst of readers on PostgreSQL waits for the
// server's read connections instead of opening one each (100 at once used to open ~100 and run
// the database out of connections, answering 503). The most connections seen open at once stay
// within the pool (16 readers) plus the writers.
#[test]
fn a_burst_of_reads_shares_the_read_connections() {
    if std::env::var("NOVETO_TEST_PG_URL").is_err() {
        return;
    }
    let app = App::spawn(Kind::Postgres, "national");
    let store = app.state.store.clone();
    let most = std::sync::atomic::AtomicI64::new(0);
    std::thread::scope(|sc| {
        for _ in 0..100 {
            sc.spawn(|| {
                let n = store
                    .read_blocking(|tx| {
                        Ok::<_, StoreError>(
                            tx.query_one(
                                "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database()",
                                &[],
                            )?
                            .unwrap()
                            .i64(0),
                        )
                    })
                    .unwrap();
                most.fetch_max(n, std::sync::atomic::Ordering::SeqCst);
            });
        }
    });
    let most = most.into_inner();
    assert!(most > 1, "the count is read: {most}");
    assert!(most <= 16 + 2 + 2, "{most} connections open at once");
}
