//! Issue 27, "past one primary": month-end reports and searches read from a PostgreSQL streaming
//! replica (`NOVETO_PG_READ_URL`) — a real standby of the test cluster, started by
//! `scripts/pg-standby` (CI starts it and must) — while every write and every clerk's own reads
//! stay on the primary.

use crate::helpers::*;
use serde_json::json;

/// The standby's URL, when this run has one (CI must).
fn standby() -> Option<String> {
    match std::env::var("NOVETO_TEST_PG_READ_URL") {
        Ok(u) if !u.is_empty() && std::env::var("NOVETO_TEST_PG_URL").is_ok() => Some(u),
        _ => {
            assert!(std::env::var("CI").is_err(), "CI must start a standby and set NOVETO_TEST_PG_READ_URL");
            eprintln!("note: NOVETO_TEST_PG_READ_URL not set, replica test skipped");
            None
        }
    }
}

fn lsn(c: &mut postgres::Client, sql: &str) -> String {
    c.query_one(sql, &[]).unwrap().get::<_, Option<String>>(0).unwrap_or_default()
}

/// Waits until the standby has replayed everything the primary has written so far (replication,
/// not a deadline: it takes milliseconds).
fn caught_up(primary: &mut postgres::Client, standby: &mut postgres::Client) {
    let target = lsn(primary, "SELECT pg_current_wal_lsn()::text");
    for _ in 0..600 {
        let ok = standby
            .query_one("SELECT pg_last_wal_replay_lsn() >= $1::text::pg_lsn", &[&target])
            .map(|r| r.get::<_, Option<bool>>(0).unwrap_or(false))
            .unwrap_or(false);
        if ok {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!("the standby did not reach {target}");
}

/// Resumes replay however the test ends: a paused standby would hold every later run back.
struct Resume(String);
impl Drop for Resume {
    fn drop(&mut self) {
        if let Ok(mut c) = postgres::Client::connect(&self.0, postgres::NoTls) {
            let _ = c.batch_execute("SELECT pg_wal_replay_resume()");
        }
    }
}

// Issue 27 (NV-15 at a province's size): with replay paused on the standby, a veto requested on
// the primary is on its case at once (the clerk reads the primary) but not yet in the month's
// statistics nor in the search (they read the standby); once replay resumes both show it. A store
// whose replica does not answer still serves its reports, from the primary.
#[test]
fn reports_and_search_read_the_streaming_replica() {
    let Some(base) = standby() else { return };
    let (app, replica) = App::spawn_replicated(&base, "national", "2026-11-18T10:00:00+08:00");
    assert!(app.state.store.has_replica());
    let primary_url = {
        let b = std::env::var("NOVETO_TEST_PG_URL").unwrap();
        let i = b.rfind('/').unwrap();
        format!("{}/{}", &b[..i], replica.rsplit('/').next().unwrap())
    };
    let mut p = postgres::Client::connect(&primary_url, postgres::NoTls).unwrap();
    let mut s = postgres::Client::connect(&replica, postgres::NoTls).unwrap();
    crate::cases::add_item(&app, "RP-1", false, false);
    crate::reports::veto(&app, "RP-1", "场所不符合要求", Some(true));
    let biz = app.token("business");
    caught_up(&mut p, &mut s);
    let requested = |app: &App| {
        let (st, r) = app.get("/api/v1/reports/vetoes?month=2026-11", &biz);
        assert_eq!(st, 200, "{r}");
        r["requested"].as_u64().unwrap()
    };
    assert_eq!(requested(&app), 1);

    let _resume = Resume(replica.clone());
    s.batch_execute("SELECT pg_wal_replay_pause()").unwrap();
    let clerk = app.token("clerk");
    let (st, c) = app.post(
        "/api/v1/cases",
        &clerk,
        json!({"kind": "application", "channel": "window", "item_code": "RP-1",
               "applicant": {"name": "欧阳明远", "phone": "13912340000"}, "request": "开设药店"}),
    );
    assert_eq!(st, 201, "{c}");
    let id = c["id"].as_i64().unwrap();
    let vid = app.request_veto(&clerk, id);
    // The clerk's own case: the primary, at once.
    let (st, v) = app.get(&format!("/api/v1/veto-requests/{vid}"), &clerk);
    assert_eq!(st, 200, "{v}");
    // The month's statistics and the search: the standby, which has not replayed it yet.
    assert_eq!(requested(&app), 1, "the report reads the paused standby");
    let (st, found) = app.get("/api/v1/cases?q=13912340000", &clerk);
    assert_eq!(st, 200, "{found}");
    assert_eq!(found["cases"].as_array().map(|a| a.len()), Some(0), "the search reads the standby: {found}");

    s.batch_execute("SELECT pg_wal_replay_resume()").unwrap();
    caught_up(&mut p, &mut s);
    assert_eq!(requested(&app), 2, "once replayed, the report counts it");
    let (_, found) = app.get("/api/v1/cases?q=13912340000", &clerk);
    assert_eq!(found["cases"].as_array().map(|a| a.len()), Some(1), "{found}");

    // A replica that does not answer: the report comes from the primary.
    let dead = "postgres://postgres:postgres@127.0.0.1:1/nowhere";
    let st2 = noveto_store::Store::open_postgres_with_replica(&primary_url, dead).unwrap();
    let n = app
        .block_on(noveto_store::may_lag(
            st2.read(|tx| tx.query("SELECT COUNT(*) FROM veto_requests", &[]).map(|r| r[0].i64(0))),
        ))
        .unwrap();
    assert_eq!(n, 2, "read from the primary when the replica is down");
}
