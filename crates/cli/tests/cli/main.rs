//! The `noveto` command as a user runs it: a real process, real files, real signals.

mod acceptance;
mod harness;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};

static N: AtomicU32 = AtomicU32::new(0);

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_noveto"));
    c.env("NOVETO_LOG", "warn");
    c
}

fn tmp() -> std::path::PathBuf {
    let d =
        std::env::temp_dir().join(format!("noveto-cli-{}-{}", std::process::id(), N.fetch_add(1, Ordering::SeqCst)));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = bin().args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

// `init` writes the first administrator (0600, two lines) and refuses to overwrite.
#[test]
fn init_writes_admin_and_refuses_overwrite() {
    let d = tmp();
    let ds = d.to_str().unwrap();
    let (code, out, err) = run(&["init", "--data", ds, "--preset", "ankang"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("initial-admin.txt"), "{out}");
    let path = d.join("initial-admin.txt");
    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0], "login: admin");
    assert!(lines[1].starts_with("password: ") && lines[1].len() > 20);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
    }
    let (code, _, err) = run(&["init", "--data", ds]);
    assert_ne!(code, 0);
    assert!(err.contains("拒绝覆盖"), "{err}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text, "untouched");
    let (code, _, err) = run(&["init", "--data", &format!("{ds}-x"), "--preset", "beijing"]);
    assert_ne!(code, 0);
    assert!(err.contains("未知的政策预设"), "{err}");
    let _ = std::fs::remove_dir_all(d);
}

// CAL-1: the calendar commands of CONTRACT.md.
#[test]
fn cal_1_calendar_commands() {
    assert_eq!(run(&["calendar", "due", "--from", "2026-09-30", "--working-days", "5"]).1.trim(), "2026-10-13");
    assert_eq!(run(&["calendar", "due", "--from", "2026-10-03", "--working-days", "0"]).1.trim(), "2026-10-03");
    assert_eq!(run(&["calendar", "is-working-day", "2026-10-10"]).1.trim(), "true");
    assert_eq!(run(&["calendar", "is-working-day", "2026-10-08"]).1.trim(), "true");
    assert_eq!(run(&["calendar", "is-working-day", "2026-10-01"]).1.trim(), "false");
    // CAL-1, CAL-2: a year without a notice answers provisionally and says so on stderr.
    let (code, out, err) = run(&["calendar", "is-working-day", "2027-03-01"]);
    assert_eq!((code, out.trim()), (0, "true"), "{err}");
    assert!(err.contains("2027") && err.contains("暂按法定节假日计算") && err.contains("calendar import"), "{err}");
    let (code, out, _) = run(&["calendar", "due", "--from", "2026-12-20", "--working-days", "10"]);
    assert_eq!((code, out.trim()), (0, "2027-01-04"));
    let (code, _, err) = run(&["calendar", "is-working-day", "2040-03-01"]);
    assert_ne!(code, 0);
    assert!(err.contains("2040") && err.contains("calendar import"), "{err}");
    let (code, _, err) = run(&["calendar", "due", "--from", "tomorrow"]);
    assert_ne!(code, 0);
    assert!(err.contains("YYYY-MM-DD"), "{err}");
    // Importing next year's notice into a store, in the notice JSON format.
    let d = tmp();
    let ds = d.to_str().unwrap();
    assert_eq!(run(&["init", "--data", ds]).0, 0);
    let f = d.join("2027.json");
    std::fs::write(&f, r#"{"year":2027,"papers":["x"],"days":[{"name":"元旦","date":"2027-01-01","isOffDay":true}]}"#)
        .unwrap();
    let (code, out, err) = run(&["calendar", "import", f.to_str().unwrap(), "--data", ds]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(run(&["calendar", "is-working-day", "2027-01-01", "--data", ds]).1.trim(), "false");
    assert_eq!(
        run(&["calendar", "due", "--from", "2026-12-31", "--working-days", "1", "--data", ds]).1.trim(),
        "2027-01-04"
    );
    let (_, out, _) = run(&["calendar", "show", "2026"]);
    assert!(out.contains("2026-10-10 上班") && out.contains("2026-10-01 休息"), "{out}");
    let _ = std::fs::remove_dir_all(d);
}

// CAL-1 (issue 25): a year without a notice is shown as `due` answers it — provisionally, with
// the days in lieu of 第六条 — and says so; a reader that stops early is no panic.
#[test]
fn cal_1_show_a_provisional_year_and_a_closed_pipe() {
    let (code, out, err) = run(&["calendar", "show", "2027"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("2027") && err.contains("暂按法定节假日计算"), "{err}");
    for off in ["2027-02-09 休息", "2027-02-10 休息", "2027-05-03 休息", "2027-05-04 休息", "2027-10-04 休息"]
    {
        assert!(out.contains(off), "{off} in {out}");
    }
    assert_eq!(run(&["calendar", "is-working-day", "2027-02-09"]).1.trim(), "false");
    // `noveto calendar show 2026 | head -n 1`: the pipe closes after one line.
    let mut child = bin()
        .args(["calendar", "show", "2026"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let o = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!err.contains("panicked"), "{err}");
}

// Issue 25: every preset's demo builds and verifies (a user's first command).
#[test]
fn every_presets_demo_builds() {
    for preset in ["national", "jilin-etdz", "ankang", "fuzhou", "guilin", "weihai-huancui"] {
        let d = tmp();
        let ds = d.to_str().unwrap();
        let (code, out, err) = run(&["demo", "--data", ds, "--preset", preset]);
        assert_eq!(code, 0, "{preset}: {out}{err}");
        let (code, out, err) = run(&["audit", "verify", "--data", ds]);
        assert_eq!(code, 0, "{preset}: {out}{err}");
        assert!(out.contains("办结结果核对通过"), "{preset}: {out}");
        let _ = std::fs::remove_dir_all(d);
    }
}

// Invariant 2: an untouched store verifies; an edited audit row makes `audit verify` fail.
#[test]
fn audit_verify_detects_edit() {
    let d = tmp();
    let ds = d.to_str().unwrap();
    assert_eq!(run(&["init", "--data", ds]).0, 0);
    let (code, out, _) = run(&["audit", "verify", "--data", ds]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("好差评计数核对通过"), "{out}");
    let store = noveto_store::Store::open_sqlite(&d).unwrap();
    store.write_blocking(|tx| tx.exec("UPDATE audit SET detail = '{\"name\":\"改过\"}' WHERE seq = 3", &[])).unwrap();
    // HCP-5: a kept satisfaction count that no rating backs is reported.
    store
        .write_blocking(|tx| {
            tx.exec("INSERT INTO rating_counts VALUES ('2026Q4', 1, 0, 0, 'device', 2, 1)", &[])?;
            noveto_store::repo::audit::append(
                tx,
                &noveto_store::repo::Ctx { actor: None, now: "2026-11-20T09:00:00+08:00".into() },
                "test_write",
                "rating_counts",
                0,
                &serde_json::json!({}),
            )
        })
        .unwrap();
    drop(store);
    let (code, out, _) = run(&["audit", "verify", "--data", ds]);
    assert_ne!(code, 0);
    assert!(out.contains("第 3 条"), "{out}");
    assert!(
        out.contains(
            "好差评计数不符：2026Q4 中心 1 单位 — 窗口 — 渠道 device：保存为 2 条（满意 1），逐条计为 0 条（满意 0）"
        ),
        "{out}"
    );
    let _ = std::fs::remove_dir_all(d);
}

// Security issue, invariant 2: whoever can write the database can edit a row and recompute
// every hash and the head — the plain chain then passes — but not the key codes: `audit verify`
// finds the rewrite and says why. The key lives outside the database, 0600, and a server started
// with another key is refused.
#[test]
fn audit_key_detects_a_recomputed_chain() {
    let d = tmp();
    let ds = d.to_str().unwrap();
    assert_eq!(run(&["init", "--data", ds]).0, 0);
    let key = d.join("audit.key");
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&key).unwrap().permissions().mode() & 0o777, 0o600);
    }
    let (code, out, _) = run(&["audit", "verify", "--data", ds]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("审计密钥校验通过：全部记录由密钥签名"), "{out}");
    // Rewrite entry 3 and recompute the chain from there, as an operator without the key could.
    let store = noveto_store::Store::open_sqlite(&d).unwrap();
    store
        .write_blocking(|tx| {
            tx.exec("UPDATE audit SET detail = '{\"name\":\"改过\"}' WHERE seq = 3", &[])?;
            let rows = tx.query("SELECT seq, at, actor_id, action, entity, entity_id, detail, prev_hash FROM audit WHERE seq >= 3 ORDER BY seq", &[])?;
            let mut prev = rows[0].str(7);
            for r in &rows {
                let h = noveto_domain::audit::hash(&prev, r.i64(0), &r.str(1), r.opt_i64(2), &r.str(3), &r.str(4), r.i64(5), &r.str(6));
                tx.exec("UPDATE audit SET prev_hash = $1, hash = $2 WHERE seq = $3", noveto_store::params![prev.clone(), h.clone(), r.i64(0)])?;
                prev = h;
            }
            tx.exec("UPDATE audit_head SET hash = $1 WHERE id = 1", noveto_store::params![prev])?;
            Ok::<_, noveto_store::StoreError>(())
        })
        .unwrap();
    drop(store);
    // Without the key the rewrite is invisible; with it, it is found.
    let plain = noveto_store::Store::open_sqlite(&d).unwrap();
    assert!(plain.read_blocking(noveto_store::repo::audit::verify).unwrap().is_ok(), "the plain chain was recomputed");
    drop(plain);
    let (code, out, _) = run(&["audit", "verify", "--data", ds]);
    assert_eq!(code, 3, "{out}");
    assert!(out.contains("第 3 条") && out.contains("审计密钥校验码不符"), "{out}");
    // Another key is refused before anything is written.
    let other = format!("key={}\nfrom=1\n", "ab".repeat(32));
    std::fs::write(&key, other).unwrap();
    let (code, _, err) = run(&["token", "issue", "--data", ds, "--login", "admin"]);
    assert_eq!(code, 1);
    assert!(err.contains("不一致"), "{err}");
    std::fs::remove_file(&key).unwrap();
    let (code, _, err) = run(&["token", "issue", "--data", ds, "--login", "admin"]);
    assert_eq!(code, 1);
    assert!(err.contains("没有审计密钥"), "{err}");
    let _ = std::fs::remove_dir_all(d);
}

// Backup while the store exists, restore into a fresh directory; `token issue` prints one line.
#[test]
fn backup_restore_and_token() {
    let d = tmp();
    let ds = d.to_str().unwrap();
    assert_eq!(run(&["init", "--data", ds]).0, 0);
    let (code, out, err) = run(&["token", "issue", "--data", ds, "--login", "admin"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.lines().count(), 1);
    assert!(out.starts_with("nv_"));
    let (code, _, err) = run(&["token", "issue", "--data", ds, "--login", "nobody"]);
    assert_ne!(code, 0);
    assert!(err.contains("nobody"));
    let file = d.with_extension("backup");
    let (code, out, err) = run(&["backup", "--data", ds, "--to", file.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    let target = tmp();
    let ts = target.to_str().unwrap();
    // Issue 25/26: without the key that signed it, a plain backup is refused — and nothing is
    // left behind, so the same directory takes the next try.
    let (code, _, err) = run(&["restore", "--data", ts, "--from", file.to_str().unwrap()]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("audit.key") && err.contains("--new-audit-key"), "{err}");
    assert!(!target.exists(), "a refused restore leaves nothing behind");
    std::fs::create_dir_all(&target).unwrap();
    std::fs::copy(d.join("audit.key"), target.join("audit.key")).unwrap();
    let (code, out, err) = run(&["restore", "--data", ts, "--from", file.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("审计链完整"), "{out}");
    let (code, out, _) = run(&["audit", "verify", "--data", ts]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("全部记录由密钥签名"), "{out}");
    let (code, _, _) = run(&["restore", "--data", ts, "--from", file.to_str().unwrap()]);
    assert_ne!(code, 0, "restore refuses an existing store");
    // Told explicitly, a restore starts a new key and records that it did.
    let third = tmp();
    let (code, out, err) =
        run(&["restore", "--data", third.to_str().unwrap(), "--from", file.to_str().unwrap(), "--new-audit-key"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("已启用新的审计密钥"), "{out}");
    let store = noveto_store::Store::open_sqlite(&third).unwrap();
    let replaced = store.read_blocking(|tx| noveto_store::repo::get_meta(tx, "audit_key_replaced")).unwrap();
    assert!(replaced.is_some(), "the replacement is recorded");
    drop(store);
    // A backup whose audit rows were edited (a broken chain), or edited and re-chained as one
    // without the key could, is refused — with the key — and leaves nothing behind.
    let text = std::fs::read_to_string(&file).unwrap();
    let tamper = |rechain: bool| -> String {
        let mut out = vec![];
        let mut table = String::new();
        let mut prev: Option<String> = None;
        for line in text.lines() {
            let mut v: serde_json::Value = serde_json::from_str(line).unwrap();
            if let Some(t) = v["table"].as_str() {
                table = t.to_string();
            } else if table == "audit" {
                if v[3] == "staff.create" {
                    v[6] = serde_json::json!(v[6].as_str().unwrap().replace("系统管理员", "改过的名字"));
                    prev = Some(v[7].as_str().unwrap().to_string());
                }
                if rechain && let Some(p) = prev.clone() {
                    let h = noveto_domain::audit::hash(
                        &p,
                        v[0].as_i64().unwrap(),
                        v[1].as_str().unwrap(),
                        v[2].as_i64(),
                        v[3].as_str().unwrap(),
                        v[4].as_str().unwrap(),
                        v[5].as_i64().unwrap(),
                        v[6].as_str().unwrap(),
                    );
                    v[7] = serde_json::json!(p);
                    v[8] = serde_json::json!(h.clone());
                    prev = Some(h);
                }
            } else if table == "audit_head"
                && rechain
                && let Some(p) = prev.clone()
            {
                v[2] = serde_json::json!(p);
            }
            out.push(v.to_string());
        }
        out.join("\n") + "\n"
    };
    for (rechain, why) in [(false, "断裂"), (true, "密钥")] {
        let edited = tamper(rechain);
        assert!(edited != text, "an audit row was edited");
        let bad = d.with_extension("edited");
        std::fs::write(&bad, edited).unwrap();
        let fourth = tmp();
        std::fs::create_dir_all(&fourth).unwrap();
        std::fs::copy(d.join("audit.key"), fourth.join("audit.key")).unwrap();
        let (code, _, err) = run(&["restore", "--data", fourth.to_str().unwrap(), "--from", bad.to_str().unwrap()]);
        assert_eq!(code, 1, "{err}");
        assert!(err.contains("审计链") && err.contains("拒绝恢复") && err.contains(why), "{rechain}: {err}");
        assert!(!fourth.join("noveto.db").exists(), "nothing left behind");
        let _ = std::fs::remove_dir_all(fourth);
        let _ = std::fs::remove_file(bad);
    }
    for p in [d.clone(), target, third] {
        let _ = std::fs::remove_dir_all(p);
    }
    let _ = std::fs::remove_file(file);
}

// Invariant 2: every write the server acknowledged survives `kill -9` of the server.
#[test]
fn acknowledged_writes_survive_kill_9() {
    let d = tmp();
    let ds = d.to_str().unwrap();
    let (code, out, err) = run(&["demo", "--data", ds]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("clerk-scjg") && out.contains("noveto-demo"), "{out}");
    let token = run(&["token", "issue", "--data", ds, "--login", "clerk-scjg"]).1.trim().to_string();
    let mut child =
        bin().args(["serve", "--data", ds, "--listen", "127.0.0.1:0"]).stdout(Stdio::piped()).spawn().unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let addr = line.split("http://").nth(1).unwrap().split('/').next().unwrap().to_string();
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let mut acked = vec![];
    for i in 0..40 {
        let mut r = agent
            .post(&format!("http://{addr}/api/v1/cases"))
            .header("Authorization", &format!("Bearer {token}"))
            .send_json(serde_json::json!({"kind": "consultation", "channel": "phone", "applicant": {"name": format!("来电{i}"), "phone": "13812345678"}, "request": "咨询"}))
            .unwrap();
        assert_eq!(r.status().as_u16(), 201);
        let v: serde_json::Value = r.body_mut().read_json().unwrap();
        acked.push(v["receipt_no"].as_str().unwrap().to_string());
    }
    // SIGKILL: no shutdown path runs.
    let _ = Command::new("kill").args(["-9", &child.id().to_string()]).status();
    let _ = child.wait();
    let store = noveto_store::Store::open_sqlite(&d).unwrap();
    for r in acked {
        let found = store.read_blocking(move |tx| noveto_store::repo::cases::id_by_receipt(tx, &r)).unwrap();
        assert!(found.is_some(), "acknowledged case lost");
    }
    assert!(store.read_blocking(noveto_store::repo::audit::verify).unwrap().is_ok());
    // The demo has cases in every state.
    let statuses: Vec<String> = store
        .read_blocking(|tx| {
            Ok::<_, noveto_store::StoreError>(
                tx.query("SELECT DISTINCT status FROM cases", &[])?.iter().map(|r| r.str(0)).collect(),
            )
        })
        .unwrap();
    for s in ["received", "notified", "accepted", "accepted_with_deficiency", "escalated", "veto_pending", "closed"] {
        assert!(statuses.iter().any(|x| x == s), "demo lacks {s}: {statuses:?}");
    }
    // BBC: and 办不成事 matters answered, waiting for their unit and for supervision's deadline.
    let matters: Vec<String> = store
        .read_blocking(|tx| {
            Ok::<_, noveto_store::StoreError>(
                tx.query("SELECT status FROM unresolved ORDER BY id", &[])?.iter().map(|r| r.str(0)).collect(),
            )
        })
        .unwrap();
    assert_eq!(matters, ["resolved", "dispatched", "registered"], "the demo's 办不成事 matters");
    drop(store);
    let _ = std::fs::remove_dir_all(d);
}

// Issue 26, item 6: `serve` stops gracefully on SIGTERM (what systemd and containers send) as on
// Ctrl+C, with exit 0; its log carries no colour codes when it is not a terminal; the demo's
// logins file is the owner's only.
#[test]
fn serve_stops_on_sigterm_and_logs_plain_text() {
    use std::io::BufRead;
    let d = tmp();
    let ds = d.to_str().unwrap();
    assert_eq!(run(&["demo", "--data", ds]).0, 0);
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(d.join("demo-logins.txt")).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "demo-logins.txt");
    }
    let mut child = bin()
        .args(["serve", "--data", ds, "--listen", "127.0.0.1:0"])
        .env("NOVETO_LOG", "info")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    assert!(line.contains("noveto 已启动"), "{line}");
    let st = std::process::Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(st.success());
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(started.elapsed() < std::time::Duration::from_secs(20), "serve did not stop on SIGTERM");
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    assert!(status.success(), "{status:?}");
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    assert!(!err.contains('\u{1b}'), "no colour codes in a log that is not a terminal: {err:?}");
    let _ = std::fs::remove_dir_all(d);
}
