//! The one store test suite: every test runs on SQLite, and on PostgreSQL whenever
//! `NOVETO_TEST_PG_URL` is set (DESIGN invariant 5). Each test gets a fresh store.

use noveto_domain::access::{Grant, Role, Scope, ScopeKind};
use noveto_store::repo::{Ctx, audit, backup, org};
use noveto_store::{Store, StoreError, params};
use std::sync::atomic::{AtomicU32, Ordering};

static N: AtomicU32 = AtomicU32::new(0);

struct Fresh {
    store: Store,
    name: String,
    cleanup: Box<dyn FnOnce()>,
}

fn tmpdir() -> std::path::PathBuf {
    let d =
        std::env::temp_dir().join(format!("noveto-store-{}-{}", std::process::id(), N.fetch_add(1, Ordering::SeqCst)));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A fresh PostgreSQL database on the server `base` points at; returns its URL.
pub fn fresh_pg(base: &str) -> (String, Box<dyn FnOnce()>) {
    let name = format!("noveto_t_{}_{}", std::process::id(), N.fetch_add(1, Ordering::SeqCst));
    let mut admin = postgres::Client::connect(base, postgres::NoTls).expect("NOVETO_TEST_PG_URL answers");
    admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name}")).unwrap();
    admin.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
    let url = match base.rfind('/') {
        Some(i) if base[..i].contains("://") && base[i..].len() > 1 && !base[..i].ends_with('/') => {
            format!("{}/{name}", &base[..i])
        }
        _ => format!("{}/{name}", base.trim_end_matches('/')),
    };
    let base = base.to_string();
    (
        url,
        Box::new(move || {
            if let Ok(mut a) = postgres::Client::connect(&base, postgres::NoTls) {
                let _ = a.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            }
        }),
    )
}

fn stores() -> Vec<Fresh> {
    let dir = tmpdir();
    let mut v = vec![Fresh {
        store: Store::open_sqlite(&dir).unwrap(),
        name: "sqlite".into(),
        cleanup: Box::new(move || {
            let _ = std::fs::remove_dir_all(dir);
        }),
    }];
    match std::env::var("NOVETO_TEST_PG_URL") {
        Ok(base) if !base.is_empty() => {
            let (url, cleanup) = fresh_pg(&base);
            v.push(Fresh { store: Store::open_postgres(&url).unwrap(), name: "postgres".into(), cleanup });
        }
        _ => assert!(std::env::var("CI").is_err(), "CI must run the PostgreSQL suite: set NOVETO_TEST_PG_URL"),
    }
    v
}

fn ctx() -> Ctx {
    Ctx { actor: None, now: "2026-11-20T09:00:00+08:00".into() }
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap()
}

/// Runs `body` once per backend.
fn each(body: impl Fn(&Store) + std::panic::RefUnwindSafe) {
    for f in stores() {
        let r = std::panic::catch_unwind(|| body(&f.store));
        drop(f.store);
        (f.cleanup)();
        if let Err(e) = r {
            eprintln!("failed on {}", f.name);
            std::panic::resume_unwind(e);
        }
    }
}

fn seed(s: &Store) -> (i64, i64, i64, i64) {
    s.write_blocking(|tx| {
        let c = ctx();
        let city = org::create_center(
            tx,
            &c,
            &org::NewCenter {
                name: "市政务服务中心",
                parent_id: None,
                level: "city",
                address: "",
                hotline: "12345",
                supervision_phone: "",
            },
        )?;
        let county = org::create_center(
            tx,
            &c,
            &org::NewCenter {
                name: "县政务服务中心",
                parent_id: Some(city),
                level: "county",
                address: "",
                hotline: "",
                supervision_phone: "",
            },
        )?;
        let unit = org::create_unit(tx, &c, county, "县市场监督管理局")?;
        let win = org::create_window(tx, &c, county, Some(unit), "市场主体登记窗口", "window")?;
        Ok::<_, StoreError>((city, county, unit, win))
    })
    .unwrap()
}

// ORG-1: centers with a parent, units at a center, windows of a unit, special desks.
#[test]
fn org_1_hierarchy() {
    each(|s| {
        let (city, county, unit, win) = seed(s);
        let desk = s
            .write_blocking(move |tx| {
                org::create_window(tx, &ctx(), county, None, "综合咨询服务台", "consultation_desk")
            })
            .unwrap();
        s.read_blocking(|tx| {
            assert_eq!(org::center_chain(tx, county)?, vec![county, city]);
            let p = org::place_of_window(tx, win)?.unwrap();
            assert_eq!((p.unit, p.window, p.centers.clone()), (Some(unit), Some(win), vec![county, city]));
            let d = org::window_by_id(tx, desk)?.unwrap();
            assert_eq!((d.kind.as_str(), d.unit_id), ("consultation_desk", None));
            Ok::<_, StoreError>(())
        })
        .unwrap();
        // A unit at a center that does not exist is refused, and nothing is stored.
        let e = s.write_blocking(|tx| org::create_unit(tx, &ctx(), 9999, "不存在的中心的单位"));
        assert!(matches!(e, Err(StoreError::ForeignKey(_))), "{e:?}");
        assert_eq!(s.read_blocking(|tx| org::units(tx)).unwrap().len(), 1);
    });
}

// ORG-2: several scoped roles per person; a login is unique.
#[test]
fn org_2_staff_and_grants() {
    each(|s| {
        let (city, _, unit, win) = seed(s);
        let id = s
            .write_blocking(move |tx| {
                let c = ctx();
                let id = org::create_staff(tx, &c, "wang", "王芳", "hash")?;
                org::add_grant(
                    tx,
                    &c,
                    id,
                    Grant { role: Role::Clerk, scope: Scope { kind: ScopeKind::Window, id: win } },
                )?;
                org::add_grant(
                    tx,
                    &c,
                    id,
                    Grant { role: Role::UnitLeader, scope: Scope { kind: ScopeKind::Unit, id: unit } },
                )?;
                org::add_grant(
                    tx,
                    &c,
                    id,
                    Grant { role: Role::Oversight, scope: Scope { kind: ScopeKind::Center, id: city } },
                )?;
                Ok::<_, StoreError>(id)
            })
            .unwrap();
        let g = s.read_blocking(move |tx| org::grants(tx, id)).unwrap();
        assert_eq!(g.len(), 3);
        let dup = s.write_blocking(|tx| org::create_staff(tx, &ctx(), "wang", "另一个王芳", "h"));
        assert!(matches!(dup, Err(StoreError::Duplicate(ref m)) if m.contains("wang")), "{dup:?}");
    });
}

// ORG-3 and ORG-4: the liaison table; AB posts route to B when A is absent.
#[test]
fn org_3_4_liaison_and_ab_posts() {
    each(|s| {
        let (_, _, unit, win) = seed(s);
        s.write_blocking(move |tx| {
            let c = ctx();
            let a = org::create_staff(tx, &c, "a", "甲", "h")?;
            let b = org::create_staff(tx, &c, "b", "乙", "h")?;
            assert!(org::set_liaison(tx, &c, unit, a, b)?);
            assert!(!org::set_liaison(tx, &c, 4242, a, b)?);
            org::set_posts(tx, &c, win, Some(a), Some(b))?;
            Ok::<_, StoreError>(())
        })
        .unwrap();
        let w = s.read_blocking(move |tx| org::window_by_id(tx, win)).unwrap().unwrap();
        let (a, b) = (w.primary_id.unwrap(), w.backup_id.unwrap());
        assert_eq!(w.on_duty(), Some(a));
        s.write_blocking(move |tx| org::set_absent(tx, &ctx(), win, true)).unwrap();
        let w = s.read_blocking(move |tx| org::window_by_id(tx, win)).unwrap().unwrap();
        assert_eq!(w.on_duty(), Some(b));
        let u = s.read_blocking(move |tx| org::unit_by_id(tx, unit)).unwrap().unwrap();
        assert_eq!((u.leader_id, u.contact_id), (Some(a), Some(b)));
    });
}

// Invariant 2: an untouched chain verifies; an edited, deleted or inserted row is found.
#[test]
fn audit_chain_detects_tampering() {
    each(|s| {
        seed(s);
        let ok = s.read_blocking(|tx| audit::verify(tx)).unwrap();
        assert_eq!(ok, Ok(4));
        // Edit a detail.
        s.write_blocking(|tx| tx.exec("UPDATE audit SET detail = '{}' WHERE seq = 2", &[])).unwrap();
        let b = s.read_blocking(|tx| audit::verify(tx)).unwrap().unwrap_err();
        assert_eq!(b.seq, 2);
        s.write_blocking(|tx| tx.exec("UPDATE audit SET actor_id = 5 WHERE seq = 2", &[])).unwrap();
        assert!(s.read_blocking(|tx| audit::verify(tx)).unwrap().is_err());
    });
    each(|s| {
        seed(s);
        s.write_blocking(|tx| tx.exec("DELETE FROM audit WHERE seq = 3", &[])).unwrap();
        assert_eq!(s.read_blocking(|tx| audit::verify(tx)).unwrap().unwrap_err().seq, 3);
    });
    each(|s| {
        seed(s);
        s.write_blocking(|tx| tx.exec("DELETE FROM audit WHERE seq = 4", &[])).unwrap();
        assert_eq!(s.read_blocking(|tx| audit::verify(tx)).unwrap().unwrap_err().seq, 4);
    });
}

// Invariant 2 with group commit: a failing write undoes only itself; concurrent writes all land
// and chain.
#[test]
fn failing_write_undoes_only_itself() {
    each(|s| {
        seed(s);
        let rt = rt();
        rt.block_on(async {
            let mut hs = vec![];
            for i in 0..64 {
                let s = s.clone();
                hs.push(tokio::spawn(async move {
                    s.write(move |tx| {
                        let c = ctx();
                        let id = org::create_staff(tx, &c, &format!("u{i}"), "并发", "h")?;
                        if i % 4 == 0 {
                            return Err(StoreError::Db("故意失败".into()));
                        }
                        Ok(id)
                    })
                    .await
                }));
            }
            let mut ok = 0;
            for h in hs {
                if h.await.unwrap().is_ok() {
                    ok += 1;
                }
            }
            assert_eq!(ok, 48);
        });
        let n = s.read_blocking(|tx| org::staff(tx)).unwrap().len();
        assert_eq!(n, 48);
        assert_eq!(s.read_blocking(|tx| audit::verify(tx)).unwrap(), Ok(4 + 48));
    });
}

// DESIGN invariant 2 by construction: a write to a table of record that leaves no audit entry
// is refused by the writer (whatever repo function or stray statement made it) and undone;
// bookkeeping (sessions, replay keys, …) needs none.
#[test]
fn an_unaudited_change_is_not_committed() {
    each(|s| {
        seed(s);
        let before = s.read_blocking(|tx| org::staff(tx)).unwrap().len();
        let r = s.write_blocking(|tx| {
            tx.exec(
                "INSERT INTO staff (login, name, password_hash, active, created_at) VALUES ('stray', '无痕', 'h', 1, 'x')",
                &[],
            )
        });
        assert!(matches!(r, Err(StoreError::Unaudited(ref t)) if t == "staff"), "{r:?}");
        let r = s.write_blocking(|tx| tx.exec("  update units SET name = '改名' WHERE id = 1", &[]));
        assert!(matches!(r, Err(StoreError::Unaudited(ref t)) if t == "units"), "{r:?}");
        assert_eq!(s.read_blocking(|tx| org::staff(tx)).unwrap().len(), before, "nothing stayed");
        assert_ne!(s.read_blocking(|tx| org::units(tx)).unwrap()[0].name, "改名");
        // The same change with its audit entry lands.
        let r = s.write_blocking(|tx| {
            let id = org::create_staff(tx, &ctx(), "traced", "有痕", "h")?;
            Ok::<_, StoreError>(id)
        });
        assert!(r.is_ok(), "{r:?}");
        // Bookkeeping needs no entry.
        let r = s.write_blocking(|tx| tx.exec("DELETE FROM idempotency WHERE 1 = 0", &[]));
        assert!(r.is_ok(), "{r:?}");
        assert!(s.read_blocking(|tx| audit::verify(tx)).unwrap().is_ok());
    });
}

// Invariant 2 with pipelining: a statement sent ahead (its answer not waited for) that fails —
// here a duplicate login — fails its own write and undoes it, audit entry included; the other
// writes of the same batch land. Nothing failed is acknowledged.
#[test]
fn failing_statement_sent_ahead_fails_its_write() {
    each(|s| {
        seed(s);
        let rt = rt();
        rt.block_on(async {
            let mut hs = vec![];
            for i in 0..32 {
                let s = s.clone();
                hs.push(tokio::spawn(async move {
                    s.write(move |tx| {
                        let c = ctx();
                        let id = org::create_staff(tx, &c, &format!("p{i}"), "流水线", "h")?;
                        // Every fourth write repeats the login it just made: the unique index refuses it.
                        let login = if i % 4 == 0 { format!("p{i}") } else { format!("p{i}-b") };
                        tx.exec_ahead(
                            "INSERT INTO staff (login, name, password_hash, active, created_at) VALUES ($1, '乙', 'h', 1, 'x')",
                            params![login],
                        )?;
                        Ok::<_, StoreError>(id)
                    })
                    .await
                }));
            }
            let mut failed = 0;
            for h in hs {
                match h.await.unwrap() {
                    Ok(_) => {}
                    Err(StoreError::Unique(_)) => failed += 1,
                    Err(e) => panic!("unexpected {e}"),
                }
            }
            assert_eq!(failed, 8);
        });
        let staff = s.read_blocking(|tx| org::staff(tx)).unwrap();
        assert_eq!(staff.iter().filter(|x| x.login.starts_with('p')).count(), 24 * 2);
        assert!(s.read_blocking(|tx| audit::verify(tx)).unwrap().is_ok());
    });
}

// A backup taken while serving restores into a fresh store of either kind, chain intact.
#[test]
fn backup_and_restore() {
    each(|s| {
        seed(s);
        let mut buf = Vec::new();
        let n = s.read_blocking(|tx| backup::dump(tx, &mut buf, None, |_, _| {})).unwrap();
        assert!(n > 4);
        let dir = tmpdir();
        let target = Store::open_sqlite(&dir).unwrap();
        let buf2 = buf.clone();
        target.write_blocking(move |tx| backup::load(tx, &mut std::io::Cursor::new(buf2))).unwrap();
        assert_eq!(target.read_blocking(|tx| audit::verify(tx)).unwrap(), Ok(4));
        assert_eq!(target.read_blocking(|tx| org::units(tx)).unwrap().len(), 1);
        // New writes continue the chain and the id sequences.
        let (id, _) = target
            .write_blocking(|tx| {
                let id = org::create_unit(tx, &ctx(), 1, "新单位")?;
                Ok::<_, StoreError>((id, ()))
            })
            .unwrap();
        assert_eq!(id, 2);
        assert_eq!(target.read_blocking(|tx| audit::verify(tx)).unwrap(), Ok(5));
        // Restoring onto a store that holds staff is refused.
        target.write_blocking(|tx| org::create_staff(tx, &ctx(), "x", "x", "h")).unwrap();
        let again = target.write_blocking(move |tx| backup::load(tx, &mut std::io::Cursor::new(buf)));
        assert!(again.is_err());
        drop(target);
        let _ = std::fs::remove_dir_all(dir);
    });
}

// A parameter bound as text or number reads back the same on both backends.
#[test]
fn values_round_trip() {
    each(|s| {
        s.write_blocking(|tx| {
            tx.exec("INSERT INTO meta (key, value) VALUES ($1, $2)", params!["k", "值 ✓"])?;
            Ok::<_, StoreError>(())
        })
        .unwrap();
        let v = s.read_blocking(|tx| noveto_store::repo::get_meta(tx, "k")).unwrap();
        assert_eq!(v.as_deref(), Some("值 ✓"));
    });
}

// NV-2, invariant 1 on the import path: a backup holding a "vetoed" case without an approved
// veto request is refused whole.
#[test]
fn nv_2_restore_refuses_unapproved_veto() {
    each(|s| {
        seed(s);
        let doc = serde_json::json!({
            "receipt_no": "NV1", "kind": "application", "channel": "window", "item_code": null,
            "applicant": {"name": "甲", "org": null, "phone": "13812345678"}, "request": "x",
            "center_id": 1, "unit_id": 1, "window_id": 1, "first_contact_id": 1, "status": "closed",
            "outcome": "vetoed", "policy_id": "national", "policy_version": 1,
            "opened_at": "2026-11-20T09:00:00+08:00", "closed_at": "2026-11-20T10:00:00+08:00", "visits": 1,
            "notified": [], "deficiency": [], "commitment_signed": false, "referral": null,
            "veto_request_id": null, "resume_status": null, "deadlines": []
        })
        .to_string();
        s.write_blocking(move |tx| {
            tx.verbatim(); // an intruder leaves no audit entry
            tx.exec(
                "INSERT INTO cases (receipt_no, center_id, unit_id, window_id, first_contact_id, status, kind, opened_at, doc, version)
                 VALUES ('NV1', 1, 1, 1, 1, 'closed', 'application', '2026-11-20T09:00:00+08:00', $1, 1)",
                params![doc],
            )
        })
        .unwrap();
        let mut buf = Vec::new();
        s.read_blocking(|tx| backup::dump(tx, &mut buf, None, |_, _| {})).unwrap();
        let dir = tmpdir();
        let target = Store::open_sqlite(&dir).unwrap();
        let r = target.write_blocking(move |tx| backup::load(tx, &mut std::io::Cursor::new(buf)));
        assert!(matches!(r, Err(StoreError::Corrupt(ref m)) if m.contains("否决")), "{r:?}");
        assert_eq!(target.read_blocking(|tx| org::units(tx)).unwrap().len(), 0, "nothing restored");
        drop(target);
        let _ = std::fs::remove_dir_all(dir);
    });
}

// ORG-1: the organisation's generation grows after a committed change of a center, unit,
// window or staff member (told by the write's audit entries), and not after other writes or a
// write that failed — what lets the server keep roles and windows in memory safely.
#[test]
fn org_generation_counts_committed_changes_of_the_organisation() {
    each(|s| {
        let rt = rt();
        let g0 = s.org_generation();
        let c = rt
            .block_on(s.write(|tx| {
                org::create_center(
                    tx,
                    &ctx(),
                    &org::NewCenter {
                        name: "中心",
                        parent_id: None,
                        level: "city",
                        address: "",
                        hotline: "",
                        supervision_phone: "",
                    },
                )
            }))
            .unwrap();
        let g1 = s.org_generation();
        assert!(g1 > g0, "creating a center changes the organisation");
        rt.block_on(s.write(|tx| noveto_store::repo::set_meta(tx, &ctx(), "k", "v"))).unwrap();
        assert_eq!(s.org_generation(), g1, "a write outside the organisation leaves it");
        let r: Result<(), StoreError> = rt.block_on(s.write(move |tx| {
            org::create_unit(tx, &ctx(), c, "单位")?;
            Err(StoreError::Db("undone".into()))
        }));
        assert!(r.is_err());
        assert_eq!(s.org_generation(), g1, "an undone change is no change");
        rt.block_on(s.write(move |tx| org::create_unit(tx, &ctx(), c, "单位"))).unwrap();
        assert!(s.org_generation() > g1);
    });
}

/// Opens a consultation at the seeded window for `name` of `org` asking `request` (issue 27's
/// search tests), and returns its id.
fn open_case(s: &Store, (county, unit, win): (i64, i64, i64), name: &str, org: &str, request: &str) -> i64 {
    use noveto_domain::case::{Applicant, Case, Channel, Kind, NewCase};
    let policy = noveto_domain::policy::Policy::preset("national").unwrap();
    let (c, ev) = Case::open(
        NewCase {
            receipt_no: "NV20261120".into(),
            kind: Kind::Consultation,
            channel: Channel::Window,
            item_code: None,
            applicant: Applicant::new(name, Some(org.to_string()), "13812345678"),
            request: request.into(),
            center_id: county,
            unit_id: Some(unit),
            window_id: Some(win),
            first_contact_id: 1,
        },
        &policy,
        search_time(),
    );
    s.write_blocking(move |tx| noveto_store::repo::cases::insert(tx, &ctx(), &c, &ev, &[]).map(|(id, _)| id)).unwrap()
}

fn search_time() -> chrono::DateTime<chrono::FixedOffset> {
    chrono::DateTime::parse_from_rfc3339("2026-11-20T09:00:00+08:00").unwrap()
}

/// The ids search finds for `needle`, newest first.
fn found(s: &Store, needle: &'static str) -> Vec<i64> {
    s.read_blocking(move |tx| noveto_store::repo::cases::search_candidates(tx, needle, 10))
        .unwrap()
        .into_iter()
        .map(|(id, _)| id)
        .collect()
}

// Issue 27 (store): the name, organisation and request are found by three of their characters
// through the trigram index, which follows a changed applicant — and is not rewritten by a save
// that leaves that text as it was (SQLite migration 22).
#[test]
fn search_index_follows_the_applicant_and_only_a_change_rewrites_it() {
    use noveto_domain::case::Outcome;
    use noveto_store::repo::cases;
    each(|s| {
        let (_, county, unit, win) = seed(s);
        let t = search_time();
        let id = open_case(s, (county, unit, win), "欧阳明远", "清江市恒达贸易有限公司", "咨询营业执照变更");
        let found = |needle| found(s, needle);
        assert_eq!(found("欧阳"), vec![id], "a name by its beginning");
        assert_eq!(found("阳明远"), vec![id], "three characters of a name");
        assert_eq!(found("恒达贸易"), vec![id]);
        // A save that changes nothing searchable: still found, once.
        let fts_blocks = || {
            (s.backend() == noveto_store::Backend::Sqlite).then(|| {
                s.read_blocking(|tx| tx.query("SELECT count(*), sum(length(block)) FROM cases_fts_data", &[]))
                    .unwrap()
                    .iter()
                    .map(|r| (r.i64(0), r.i64(1)))
                    .collect::<Vec<_>>()
            })
        };
        let before = fts_blocks();
        let (mut c, _) = s.read_blocking(move |tx| cases::get(tx, id)).unwrap().unwrap();
        let ev = c.close_with(Outcome::Answered, t + chrono::Duration::minutes(5)).unwrap();
        s.write_blocking(move |tx| cases::apply(tx, &ctx(), id, 1, &c, &ev, &[], &[])).unwrap();
        assert_eq!(found("恒达贸易"), vec![id]);
        assert_eq!(fts_blocks(), before, "a save that leaves the text as it was writes no trigrams");
        // The searchable text changed (no domain step does it today; a correction or a migration
        // would): the new words are found, the old ones no longer.
        s.write_blocking(move |tx| {
            tx.verbatim(); // as a migration writes
            tx.exec(
                "UPDATE cases SET applicant_name = '司马清和', search_text = '司马清和 河西区佳和餐饮店 咨询' WHERE id = $1",
                params![id],
            )
            .map(|_| ())
        })
        .unwrap();
        assert_eq!(found("佳和餐饮"), vec![id]);
        assert!(found("恒达贸易").is_empty(), "the old organisation is gone from the index");
    });
}

// Issue 27 (store, SQLite migration 23): a new case waits in a queue for the trigram index and is
// found meanwhile; `index_pending` moves the queue into the index in one write; a text changed
// while queued is indexed as it is then, one changed after indexing replaces its old trigrams;
// PostgreSQL has no queue and finds the same.
#[test]
fn a_new_case_is_found_before_and_after_its_trigrams_are_written() {
    each(|s| {
        let rt = rt();
        let (_, county, unit, win) = seed(s);
        let open = |name, org| open_case(s, (county, unit, win), name, org, "咨询");
        let found = |needle| found(s, needle);
        let sqlite = s.backend() == noveto_store::Backend::Sqlite;
        let count = |sql: &'static str| s.read_blocking(move |tx| tx.query(sql, &[])).unwrap()[0].i64(0);
        let queued = || if sqlite { count("SELECT count(*) FROM cases_fts_queue") } else { 0 };
        let indexed = || if sqlite { count("SELECT count(*) FROM cases_fts_docsize") } else { 0 };
        let set_text = |id: i64, text: &'static str| {
            s.write_blocking(move |tx| {
                tx.verbatim(); // as a correction or a migration writes
                tx.exec("UPDATE cases SET search_text = $1 WHERE id = $2", params![text, id]).map(|_| ())
            })
            .unwrap()
        };
        let a = open("上官云舒", "清江市博远科技有限公司");
        let b = open("东方既白", "清江市鑫源建材有限公司");
        assert_eq!(queued(), if sqlite { 2 } else { 0 }, "new cases wait for the index");
        assert_eq!(found("博远科技"), vec![a], "found while queued");
        // Changed while queued: indexed as it is when the queue is written.
        set_text(b, "东方既白 河西区佳和餐饮店 咨询");
        assert_eq!(found("佳和餐饮"), vec![b]);
        assert!(found("鑫源建材").is_empty());
        let n = rt.block_on(s.index_pending()).unwrap();
        assert_eq!((n, queued(), indexed()), if sqlite { (2, 0, 2) } else { (0, 0, 0) });
        assert_eq!(found("博远科技"), vec![a], "found through the index");
        assert_eq!(found("佳和餐饮"), vec![b]);
        assert!(found("鑫源建材").is_empty(), "the text it had while queued was never indexed");
        // Changed after indexing: the old trigrams go, the new ones come, at once.
        set_text(a, "上官云舒 清江市安居物业服务有限公司 咨询");
        assert_eq!(found("安居物业"), vec![a]);
        assert!(found("博远科技").is_empty());
        assert_eq!(rt.block_on(s.index_pending()).unwrap(), 0, "nothing left to index");
        if sqlite {
            let ok = s.write_blocking(|tx| {
                tx.exec("INSERT INTO cases_fts(cases_fts, rank) VALUES ('integrity-check', 1)", &[])
            });
            assert!(ok.is_ok(), "the index agrees with the cases: {ok:?}");
        }
    });
}

// DESIGN (the store's schema is its migrations): every migration file of each store is in that
// store's list, once, with a version named by the file's number — a file written and not listed
// (an index that never reached SQLite) fails here, not at ten million cases.
#[test]
fn every_migration_file_is_listed_for_its_store() {
    for (dir, list) in [("sqlite", noveto_store::MIGRATIONS_SQLITE), ("postgres", noveto_store::MIGRATIONS_PG)] {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations").join(dir);
        let mut files: Vec<_> = std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()).collect();
        files.sort();
        assert_eq!(files.len(), list.len(), "{dir}: {} files, {} listed", files.len(), list.len());
        for f in files {
            let name = f.file_name().unwrap().to_string_lossy().to_string();
            let version: i64 = name[..4].parse().unwrap();
            let sql = std::fs::read_to_string(&f).unwrap();
            let listed: Vec<_> = list.iter().filter(|(_, s)| *s == sql).collect();
            assert_eq!(listed.len(), 1, "{dir}/{name} is listed once");
            assert_eq!(listed[0].0, version, "{dir}/{name} is listed as version {version}");
        }
    }
}

// NV-16 (migration 26): a filing made before the migration gets its request's reason key by the
// domain's rule — the same key a new filing is written with — and the alike search finds it by
// item and key, decided ones only, on both stores.
#[test]
fn nv_16_filed_reasons_are_keyed_as_new_ones_are() {
    each(|s| {
        let (_, county, unit, win) = seed(s);
        let case = open_case(s, (county, unit, win), "甲", "某公司", "办理许可");
        let reason = "　材料不符合法定形式，缺少公章。";
        s.write_blocking(move |tx| {
            tx.verbatim(); // rows as an older version left them: no reason key yet
            tx.exec("UPDATE cases SET item_code = 'X1' WHERE id = $1", params![case])?;
            for (id, outcome) in [(901i64, Some("approved")), (902, Some("denied")), (903, None)] {
                let doc = serde_json::json!({ "reason": reason, "legal_basis": "《行政许可法》第三十二条" }).to_string();
                tx.exec(
                    "INSERT INTO veto_requests (id, case_id, unit_id, status, requested_at, doc) VALUES ($1, $2, $3, 'pending', '2026-11-20T09:00:00+08:00', $4)",
                    params![id, case, unit, doc],
                )?;
                tx.exec(
                    "INSERT INTO filings (veto_request_id, case_id, unit_id, month, opened_at, outcome, item_code)
                     VALUES ($1, $2, $3, '2026-11', '2026-11-20T09:00:00+08:00', $4, 'X1')",
                    params![id, case, unit, outcome],
                )?;
            }
            noveto_store::repo::cases::key_filed_reasons(tx)
        })
        .unwrap();
        let want = noveto_domain::case::reason_key(reason);
        assert_eq!(want, "材料不符合法定形式");
        let keys = s
            .read_blocking(|tx| tx.query("SELECT reason_key FROM filings ORDER BY id", &[]))
            .unwrap()
            .iter()
            .map(|r| r.str(0))
            .collect::<Vec<_>>();
        assert_eq!(keys, vec![want.clone(); 3]);
        let asks = vec![(Some("X1".to_string()), want.clone()), (None, want.clone())];
        let alike = s
            .read_blocking(move |tx| {
                noveto_store::repo::cases::alike_filings_with_centers(tx, "2026-10", "2026-11", &asks, true)
            })
            .unwrap();
        let outcomes: Vec<&str> = alike.iter().map(|(f, _)| f.outcome.as_str()).collect();
        assert_eq!(outcomes, vec!["denied", "approved"], "decided only, newest first");
        assert_eq!(alike[0].0.legal_basis, "《行政许可法》第三十二条");
        let asks = vec![(Some("X1".to_string()), want.clone())];
        let bare = s
            .read_blocking(move |tx| {
                noveto_store::repo::cases::alike_filings_with_centers(tx, "2026-11", "2026-11", &asks, false)
            })
            .unwrap();
        assert_eq!(bare.len(), 2);
        assert!(
            bare.iter().all(|(f, _)| f.legal_basis.is_empty() && f.receipt_no.is_some()),
            "a report reads no basis"
        );
        let groups = s
            .read_blocking(|tx| noveto_store::repo::cases::veto_groups_with_centers(tx, "2026-11", "2026-11"))
            .unwrap();
        assert_eq!(groups.iter().map(|(g, _)| g.count).sum::<i64>(), 3);
        assert!(groups.iter().all(|(g, _)| g.reason_key == want && g.item_code.as_deref() == Some("X1")));
    });
}

// Issue 27: a store whose cases table was never analysed — PostgreSQL with autovacuum off, or
// behind a bulk load; SQLite analysed while it was empty — is analysed at the next check, once;
// the planner then knows a phone number matches a case or two, not thousands.
#[test]
fn statistics_never_taken_are_taken_once() {
    each(|s| {
        let (_, county, unit, win) = seed(s);
        open_case(s, (county, unit, win), "甲", "某公司", "办理许可");
        let rt = rt();
        assert!(rt.block_on(s.refresh_stale_statistics()).unwrap(), "none worth keeping: taken");
        assert!(!rt.block_on(s.refresh_stale_statistics()).unwrap(), "taken: kept");
        rt.block_on(s.refresh_statistics()).unwrap();
    });
}

// Issue 27: a table that outgrew the planner's statistics — the filings counted at three while
// thousands were filed after (the generator's vetoes pass, a hall's first months) — is analysed
// again at the ten-minute check, alone and once; a table that did not grow is left as counted.
#[test]
fn a_table_that_outgrew_its_statistics_is_analysed_again_alone() {
    each(|s| {
        let (_, county, unit, win) = seed(s);
        open_case(s, (county, unit, win), "甲", "某公司", "办理许可");
        let rt = rt();
        rt.block_on(s.refresh_statistics()).unwrap();
        assert!(!rt.block_on(s.refresh_stale_statistics()).unwrap(), "just taken: kept");
        let counted = |s: &Store, table: &'static str| -> i64 {
            s.read_blocking(move |tx| {
                let sql = if tx.backend() == noveto_store::Backend::Postgres {
                    format!("SELECT GREATEST(reltuples, 0)::bigint FROM pg_class WHERE relname = '{table}' AND relkind = 'r' AND relnamespace = current_schema()::regnamespace")
                } else {
                    format!("SELECT COALESCE(MAX(CAST(stat AS INTEGER)), 0) FROM sqlite_stat1 WHERE tbl = '{table}'")
                };
                Ok::<_, noveto_store::StoreError>(tx.query(&sql, &[])?.first().map(|r| r.i64(0)).unwrap_or(0))
            })
            .unwrap()
        };
        assert!(counted(s, "search_log") < 1000);
        let cases_before = counted(s, "cases");
        s.write_blocking(|tx| {
            tx.exec(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2500)
                 INSERT INTO search_log (at, query, hits) SELECT '2026-11-18T10:00:00+08:00', '营业执照', 1 FROM n",
                &[],
            )
        })
        .unwrap();
        assert!(rt.block_on(s.refresh_stale_statistics()).unwrap(), "outgrown: analysed");
        assert_eq!(counted(s, "search_log"), 2500, "counted again");
        assert_eq!(counted(s, "cases"), cases_before, "the others as they were");
        assert!(!rt.block_on(s.refresh_stale_statistics()).unwrap(), "analysed once");
    });
}

// Issue 27: what a home page and a search ask is answered by its own index, however large the
// store — the waiting handoffs by their status's partial index (not the event history), a name's
// candidates with their places by one index range (not a row each), the month's approved vetoes
// by status and month (not every approved veto ever). The plans are asked of the database with
// the table scan ruled out where the store is too small for the planner to prefer an index.
#[test]
fn issue_27_waiting_work_and_names_are_index_ranges() {
    each(|s| {
        let (_, county, unit, win) = seed(s);
        open_case(s, (county, unit, win), "王芳", "某公司", "办理许可");
        let plans = s
            .read_blocking(|tx| {
                let pg = tx.backend() == noveto_store::Backend::Postgres;
                if pg {
                    tx.query("SET LOCAL enable_seqscan = off", &[])?;
                }
                let asks = [
                    ("SELECT id, doc FROM cases WHERE status = 'handoff_pending' ORDER BY id DESC", "cases_handoff_pending"),
                    (
                        "SELECT id, center_id, unit_id, window_id, first_contact_id FROM cases WHERE applicant_name = '王芳' ORDER BY id DESC LIMIT 2000",
                        "cases_name_place",
                    ),
                    (
                        "SELECT v.unit_id, COUNT(*) FROM veto_requests v WHERE v.status = 'approved' AND v.requested_at >= '2026-11' AND v.requested_at < '2026-12' GROUP BY 1",
                        "veto_requests_approved_month",
                    ),
                ];
                let mut out = vec![];
                for (sql, index) in asks {
                    let explain = if pg { format!("EXPLAIN {sql}") } else { format!("EXPLAIN QUERY PLAN {sql}") };
                    let rows = tx.query(&explain, &[])?;
                    let text: Vec<String> =
                        rows.iter().map(|r| if pg { r.str(0) } else { r.str(3) }).collect();
                    out.push((index, text.join(" | ")));
                }
                Ok::<_, noveto_store::StoreError>(out)
            })
            .unwrap();
        for (index, plan) in plans {
            assert!(plan.contains(index), "{index} not used: {plan}");
        }
    });
}

/// A deterministic sequence of small numbers (a linear congruential walk) for the kept-count walks.
struct Walk(u64);

impl Walk {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

/// One step of a kept-count walk: `write` (with its audit entry), then no drift — and every 50
/// steps the fold (`Store::fold_kept_counts`) and no drift after it either.
fn step_without_drift<D: PartialEq + std::fmt::Debug>(
    s: &Store,
    step: i64,
    op: u64,
    write: impl FnOnce(&mut dyn noveto_store::Tx) -> Result<(), StoreError> + Send + 'static,
    drift: impl Fn(&Store) -> Vec<D>,
) {
    s.write_blocking(move |tx| {
        write(tx)?;
        audit::append(tx, &ctx(), "test_write", "kept_counts", step, &serde_json::json!({ "op": op }))
    })
    .unwrap();
    assert_eq!(drift(s), vec![], "after step {step} (operation {op})");
    if step % 50 == 49 {
        rt().block_on(s.fold_kept_counts()).unwrap();
        assert_eq!(drift(s), vec![], "after the fold at step {step}");
    }
}

// HCP-5, AS-1 (issues 27 and 30): a quarter's ratings are read from counts the database keeps as
// ratings are written and annulled. Whatever statement writes them — a rating with or without a
// verdict, at a place with or without a unit or window, moved to another quarter, deleted; a
// rectification annulling it, a second one annulling it too, one released, one deleted — the kept
// counts equal what the rows count, after every step (300 steps, both stores).
#[test]
fn hcp_5_the_kept_rating_counts_equal_the_ratings_after_every_write() {
    each(|s| {
        let (_, county, unit, win) = seed(s);
        let drift =
            |s: &Store| s.read_blocking(|tx| noveto_store::repo::ratings::tally_drift(tx, "2026Q1", "2026Q4")).unwrap();
        let mut w = Walk(12345);
        let (mut ratings, mut rects) = (0i64, 0i64);
        for step in 0..300 {
            let op = w.next(8);
            let (a, b, c, d, pick) = (w.next(4), w.next(3), w.next(2), w.next(5), w.next(1 << 20) as i64);
            match op {
                0..=2 => ratings += 1,
                4 | 5 if ratings > 0 => rects += 1,
                _ => {}
            }
            let (nr, nz) = (ratings, rects);
            let write = move |tx: &mut dyn noveto_store::Tx| {
                match op {
                    0..=2 => {
                        let satisfied: Option<i64> = [Some(0), Some(1), Some(1), None][a as usize];
                        let (u, w): (Option<i64>, Option<i64>) =
                            [(Some(unit), Some(win)), (Some(unit), None), (None, None)][b as usize];
                        tx.exec(
                            "INSERT INTO ratings (receipt_no, center_id, unit_id, window_id, service, service_id, channel, once, satisfied, quarter, rated_at, doc)
                             VALUES ($1, $2, $3, $4, 'case', $5, $6, NULL, $7, $8, '2026-05-01T10:00:00+08:00', '{}')",
                            params![format!("R{step}"), county, u, w, nr, ["device", "sms"][c as usize], satisfied, format!("2026Q{}", d % 4 + 1)],
                        )?;
                    }
                    3 if nr > 0 => {
                        let r = 1 + pick % nr;
                        tx.exec(
                            "UPDATE ratings SET satisfied = $1, quarter = $2 WHERE id = (SELECT id FROM ratings ORDER BY id LIMIT 1 OFFSET $3)",
                            params![[Some(0i64), Some(1), None, Some(1)][a as usize], format!("2026Q{}", d % 4 + 1), r - 1],
                        )?;
                    }
                    4 | 5 if nr > 0 => {
                        let r = pick % nr;
                        tx.exec(
                            "INSERT INTO rectifications (receipt_no, center_id, unit_id, origin, rating_id, status, opened_at, doc)
                             SELECT $1, $2, $3, 'rating', id, $4, '2026-05-02T10:00:00+08:00', '{}' FROM ratings ORDER BY id LIMIT 1 OFFSET $5",
                            params![format!("Z{step}"), county, unit, ["annulled", "open", "annulled", "done"][a as usize], r],
                        )?;
                    }
                    6 if nz > 0 => {
                        let r = pick % nz;
                        tx.exec(
                            "UPDATE rectifications SET status = $1 WHERE id = (SELECT id FROM rectifications ORDER BY id LIMIT 1 OFFSET $2)",
                            params![["annulled", "appealed", "annulled", "done"][a as usize], r],
                        )?;
                    }
                    7 if b == 0 && nz > 0 => {
                        let r = pick % nz;
                        tx.exec("DELETE FROM rectifications WHERE id = (SELECT id FROM rectifications ORDER BY id LIMIT 1 OFFSET $1)", params![r])?;
                    }
                    7 if b == 1 && nr > 0 => {
                        let r = pick % nr;
                        tx.exec(
                            "DELETE FROM ratings WHERE id = (SELECT id FROM ratings ORDER BY id LIMIT 1 OFFSET $1)
                               AND id NOT IN (SELECT rating_id FROM rectifications WHERE rating_id IS NOT NULL)",
                            params![r],
                        )?;
                    }
                    _ => {}
                }
                Ok(())
            };
            step_without_drift(s, step, op, write, drift);
        }
        // The walk did reach every kind of write, and the counts are not empty.
        let (kept, annulled) = s
            .read_blocking(|tx| {
                let k = tx.query("SELECT CAST(COALESCE(SUM(total), 0) AS BIGINT) FROM rating_counts", &[])?[0].i64(0);
                let a = tx
                    .query("SELECT COUNT(DISTINCT rating_id) FROM rectifications WHERE status = 'annulled'", &[])?[0]
                    .i64(0);
                Ok::<_, StoreError>((k, a))
            })
            .unwrap();
        assert!(kept > 20 && annulled > 3, "kept {kept}, annulled {annulled}");
    });
}

// AS-1 (issues 27 and 30): the month's overdue figure is read from counts of live case deadlines
// the database keeps per due day and place. Whatever writes them — a deadline set, met, paused,
// moved to another day, deleted, one of another kind of matter; a case moved to another center,
// unit or window — the kept counts equal what the rows count, after every step (300 steps, both
// stores), and the figure counts what the rows show.
#[test]
fn as_1_the_kept_overdue_counts_equal_the_deadlines_after_every_write() {
    each(|s| {
        let (city, county, unit, win) = seed(s);
        let cases: Vec<i64> =
            (0..4).map(|i| open_case(s, (county, unit, win), &format!("申请人{i}"), "某公司", "办理许可")).collect();
        let drift = |s: &Store| {
            s.read_blocking(|tx| noveto_store::repo::assessment::drift(tx, "2026-01-01", "2027-01-01", "2026-12-31"))
                .unwrap()
        };
        let mut w = Walk(987654321);
        let mut deadlines = 0i64;
        for step in 0..300 {
            let (op, a, b, c, pick) = (w.next(7), w.next(4), w.next(3), w.next(28), w.next(1 << 20) as i64);
            let case = cases[(pick % 4) as usize];
            if op <= 2 {
                deadlines += 1;
            }
            let n = deadlines;
            let write = move |tx: &mut dyn noveto_store::Tx| {
                let state = ["running", "met", "overdue", "paused"][a as usize];
                let due = format!("2026-{:02}-{:02}", 11 + b % 2, 1 + c);
                match op {
                    0..=2 => {
                        tx.exec(
                            "INSERT INTO deadlines (entity, entity_id, what, due, state, doc) VALUES ($1, $2, $3, $4, $5, '{}')",
                            params![["case", "case", "complaint"][b as usize], case, format!("w{step}"), due, state],
                        )?;
                    }
                    3 if n > 0 => {
                        tx.exec(
                            "UPDATE deadlines SET state = $1 WHERE id = (SELECT id FROM deadlines ORDER BY id LIMIT 1 OFFSET $2)",
                            params![state, pick % n],
                        )?;
                    }
                    4 if n > 0 => {
                        tx.exec(
                            "UPDATE deadlines SET due = $1 WHERE id = (SELECT id FROM deadlines ORDER BY id LIMIT 1 OFFSET $2)",
                            params![due, pick % n],
                        )?;
                    }
                    5 => {
                        let (center, u, w): (i64, Option<i64>, Option<i64>) = [
                            (county, Some(unit), Some(win)),
                            (county, Some(unit), None),
                            (city, None, None),
                            (county, None, None),
                        ][a as usize];
                        tx.exec(
                            "UPDATE cases SET center_id = $1, unit_id = $2, window_id = $3 WHERE id = $4",
                            params![center, u, w, case],
                        )?;
                    }
                    6 if n > 0 => {
                        tx.exec(
                            "DELETE FROM deadlines WHERE id = (SELECT id FROM deadlines ORDER BY id LIMIT 1 OFFSET $1)",
                            params![pick % n],
                        )?;
                    }
                    _ => {}
                }
                Ok(())
            };
            step_without_drift(s, step, op, write, drift);
        }
        // The figure as the assessment reads it: November's overdue deadlines, before today.
        let (figure, by_rows) = s
            .read_blocking(move |tx| {
                let f: i64 = noveto_store::repo::assessment::counts(
                    tx,
                    "2026-11-01T00:00:00+08:00",
                    "2026-12-01T00:00:00+08:00",
                    "2026-11-20",
                )?
                .iter()
                .filter(|(g, _)| g.figure == "overdue")
                .map(|(g, _)| g.count)
                .sum();
                let r = tx.query(
                    "SELECT COUNT(*) FROM deadlines d JOIN cases c ON c.id = d.entity_id WHERE d.entity = 'case'
                       AND d.state NOT IN ('met', 'paused') AND d.due >= '2026-11-01' AND d.due < '2026-11-20'",
                    &[],
                )?[0]
                    .i64(0);
                Ok::<_, StoreError>((f, r))
            })
            .unwrap();
        assert_eq!(figure, by_rows);
        assert!(figure > 5, "the walk left overdue deadlines to count: {figure}");
    });
}

// HCP-5 (issues 27 and 30), concurrency: 100 transactions at once, each rating two places — half
// of them in one order, half in the other, the pattern that deadlocks counts kept in one locked
// row per key — all land, none waits on another to fail, and the kept counts hold all 200, before
// and after the fold (both stores).
#[test]
fn hcp_5_a_hundred_raters_at_once_all_land_in_the_kept_counts() {
    each(|s| {
        let (_, county, unit, win) = seed(s);
        let rt = rt();
        let results = rt.block_on(async {
            let writes: Vec<_> = (0..100i64)
                .map(|i| {
                let s = s.clone();
                tokio::spawn(async move {
                    s.write(move |tx| {
                        let places: [(Option<i64>, Option<i64>); 2] = [(Some(unit), Some(win)), (Some(unit), None)];
                        let order = if i % 2 == 0 { [0, 1] } else { [1, 0] };
                        for (k, o) in order.iter().enumerate() {
                            let (u, w) = places[*o];
                            tx.exec(
                                "INSERT INTO ratings (receipt_no, center_id, unit_id, window_id, service, service_id, channel, once, satisfied, quarter, rated_at, doc)
                                 VALUES ($1, $2, $3, $4, 'case', $5, 'device', NULL, $6, '2026Q4', '2026-11-20T10:00:00+08:00', '{}')",
                                params![format!("C{i}-{k}"), county, u, w, i * 2 + k as i64, i % 3],
                            )?;
                        }
                        audit::append(tx, &ctx(), "test_write", "ratings", i, &serde_json::json!({}))
                    })
                    .await
                })
            })
            .collect();
            let mut out = vec![];
            for w in writes {
                out.push(w.await.unwrap());
            }
            out
        });
        let failed: Vec<String> = results.iter().filter_map(|r| r.as_ref().err().map(|e| e.to_string())).collect();
        assert!(failed.is_empty(), "{} of 100 failed: {:?}", failed.len(), failed.first());
        let total = |s: &Store| -> u64 {
            s.read_blocking(|tx| noveto_store::repo::ratings::tally(tx, "2026Q4", "2026Q4"))
                .unwrap()
                .iter()
                .map(|(t, _)| t.total)
                .sum()
        };
        assert_eq!(total(s), 200);
        rt.block_on(s.fold_kept_counts()).unwrap();
        assert_eq!(total(s), 200);
        let rows = s
            .read_blocking(|tx| Ok::<_, StoreError>(tx.query("SELECT COUNT(*) FROM rating_counts", &[])?[0].i64(0)))
            .unwrap();
        assert_eq!(rows, 2, "one row per key after the fold");
        assert_eq!(
            s.read_blocking(|tx| noveto_store::repo::ratings::tally_drift(tx, "2026Q4", "2026Q4")).unwrap(),
            vec![]
        );
    });
}
