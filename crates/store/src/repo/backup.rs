//! A portable, consistent backup: every table's rows as JSON lines, read in one snapshot
//! transaction while the store keeps serving. Restores into either backend.

use crate::{Backend, Result, StoreError, TABLES, Tx, Value};
use serde_json::{Value as J, json};
use std::io::{BufRead, Write};

fn to_json(v: &Value) -> J {
    match v {
        Value::Null => J::Null,
        Value::Int(i) => json!(i),
        Value::Real(f) => json!(f),
        Value::Text(s) => json!(s),
    }
}

fn from_json(j: &J) -> Value {
    match j {
        J::Null => Value::Null,
        J::Number(n) if n.is_i64() => Value::Int(n.as_i64().unwrap_or(0)),
        J::Number(n) => Value::Real(n.as_f64().unwrap_or(0.0)),
        J::String(s) => Value::Text(s.clone()),
        other => Value::Text(other.to_string()),
    }
}

fn columns(tx: &mut dyn Tx, table: &str) -> Result<Vec<String>> {
    let sql = match tx.backend() {
        Backend::Sqlite => format!("SELECT name FROM pragma_table_info('{table}') ORDER BY cid"),
        Backend::Postgres => format!(
            "SELECT column_name::TEXT FROM information_schema.columns WHERE table_name = '{table}' AND table_schema = current_schema() ORDER BY ordinal_position"
        ),
    };
    Ok(tx.query(&sql, &[])?.iter().map(|r| r.str(0)).collect())
}

/// Writes `{"table": …, "columns": […]}` then one `[…]` line per row, per table. Returns rows.
pub fn dump(tx: &mut dyn Tx, out: &mut dyn Write, mut progress: impl FnMut(&str, u64)) -> Result<u64> {
    let io = |e: std::io::Error| StoreError::Db(e.to_string());
    writeln!(out, "{}", json!({"noveto_backup": 1})).map_err(io)?;
    let mut total = 0;
    for t in TABLES {
        let cols = columns(tx, t)?;
        writeln!(out, "{}", json!({"table": t, "columns": cols})).map_err(io)?;
        let rows = tx.query(&format!("SELECT {} FROM {t}", cols.join(", ")), &[])?;
        for r in &rows {
            let line: Vec<J> = r.0.iter().map(to_json).collect();
            writeln!(out, "{}", J::Array(line)).map_err(io)?;
        }
        total += rows.len() as u64;
        progress(t, rows.len() as u64);
    }
    Ok(total)
}

/// Loads a dump into an empty store (after migrations).
pub fn load(tx: &mut dyn Tx, input: &mut dyn BufRead) -> Result<u64> {
    let bad = |m: &str| StoreError::Corrupt(format!("备份文件有误：{m}"));
    let mut lines = input.lines();
    let head = lines.next().ok_or_else(|| bad("空文件"))?.map_err(|e| bad(&e.to_string()))?;
    if serde_json::from_str::<J>(&head).ok().and_then(|j| j.get("noveto_backup").cloned()).is_none() {
        return Err(bad("不是 noveto 备份"));
    }
    let existing = tx.query_one("SELECT COUNT(*) FROM staff", &[])?.map(|r| r.i64(0)).unwrap_or(0);
    if existing > 0 {
        return Err(StoreError::Unique("目标存储不是空的：请恢复到新的数据目录或空数据库".into()));
    }
    // The rows come with their own audit entries (the chain is restored as it was).
    tx.verbatim();
    for t in ["audit_head", "meta", "schema_migrations"] {
        if t != "schema_migrations" {
            tx.exec(&format!("DELETE FROM {t}"), &[])?;
        }
    }
    let mut table = String::new();
    let mut sql = String::new();
    let mut n = 0;
    for line in lines {
        let line = line.map_err(|e| bad(&e.to_string()))?;
        let j: J = serde_json::from_str(&line).map_err(|e| bad(&e.to_string()))?;
        if let Some(t) = j.get("table").and_then(|t| t.as_str()) {
            if !TABLES.contains(&t) {
                return Err(bad(&format!("未知的表 {t}")));
            }
            table = t.to_string();
            let cols: Vec<String> = j["columns"]
                .as_array()
                .ok_or_else(|| bad("缺少列"))?
                .iter()
                .filter_map(|c| c.as_str().map(String::from))
                .collect();
            let ph: Vec<String> = (1..=cols.len()).map(|i| format!("${i}")).collect();
            sql = format!("INSERT INTO {table} ({}) VALUES ({})", cols.join(", "), ph.join(", "));
            continue;
        }
        let arr = j.as_array().ok_or_else(|| bad("行格式"))?;
        if table.is_empty() {
            return Err(bad("行出现在表头之前"));
        }
        let vals: Vec<Value> = arr.iter().map(from_json).collect();
        tx.exec(&sql, &vals)?;
        n += 1;
    }
    check_vetoes(tx)?;
    if tx.backend() == Backend::Postgres {
        for t in TABLES {
            let cols = columns(tx, t)?;
            if cols.iter().any(|c| c == "id") {
                tx.query(
                    &format!("SELECT setval(pg_get_serial_sequence('{t}', 'id'), COALESCE((SELECT MAX(id) FROM {t}), 0) + 1, false)"),
                    &[],
                )?;
            }
        }
    }
    Ok(n)
}

/// Invariant 1 on the import path: every case a backup says was vetoed must carry a veto
/// request that the domain recognises as approved; otherwise the restore is refused whole.
fn check_vetoes(tx: &mut dyn Tx) -> Result<()> {
    match unproven_endings(tx)?.first() {
        Some((id, why)) => Err(StoreError::Corrupt(format!("备份中办件 {id} {why}：拒绝恢复"))),
        None => Ok(()),
    }
}

/// NV-2 ("every negative ending is a veto or the applicant's own act"): the closed cases whose
/// ending lacks its proof, with what is missing. A vetoed case needs its approved veto request; a
/// withdrawn one a withdrawal confirmed by the window head; `not_required` its legal basis and an
/// application; `answered` a consultation; `referred` its referral. `restore` refuses a backup
/// with any; `audit verify` reports them.
pub fn unproven_endings(tx: &mut dyn Tx) -> Result<Vec<(i64, String)>> {
    use noveto_domain::case::{Case, Kind, Outcome, VetoRequest};
    let mut out = vec![];
    for r in tx.query("SELECT id, doc FROM cases WHERE status = 'closed' ORDER BY id", &[])? {
        let (id, case): (i64, Case) = (r.i64(0), r.json(1)?);
        let missing = match case.outcome {
            Some(Outcome::Vetoed) => {
                let approved = match case.veto_request_id {
                    Some(v) => tx
                        .query_one("SELECT doc FROM veto_requests WHERE id = $1", crate::params![v])?
                        .map(|row| row.json::<VetoRequest>(0))
                        .transpose()?
                        .and_then(|vr| vr.approved().filter(|a| a.request_id() == v && vr.case_id == id)),
                    None => None,
                };
                approved.is_none().then_some("标为“否决”却没有经批准的否决报批")
            }
            Some(Outcome::Withdrawn) => {
                let n = tx
                    .query_one(
                        "SELECT COUNT(*) FROM withdrawals WHERE case_id = $1 AND confirmed = 1",
                        crate::params![id],
                    )?
                    .map(|r| r.i64(0))
                    .unwrap_or(0);
                (n == 0).then_some("标为“撤回”却没有经窗口负责人确认的书面撤回申请")
            }
            Some(Outcome::NotRequired) => {
                let basis = tx
                    .query_one(
                        "SELECT detail FROM case_events WHERE case_id = $1 AND kind = 'closed' ORDER BY id DESC LIMIT 1",
                        crate::params![id],
                    )?
                    .and_then(|r| serde_json::from_str::<serde_json::Value>(&r.str(0)).ok())
                    .and_then(|d| d["legal_basis"].as_str().map(|s| !s.trim().is_empty()))
                    .unwrap_or(false);
                (!basis || case.kind != Kind::Application).then_some("标为“依法无需办理”却没有法律依据")
            }
            Some(Outcome::Answered) => (case.kind != Kind::Consultation).then_some("申请被以“已解答”办结"),
            Some(Outcome::Referred) => case.referral.is_none().then_some("标为“指引”却没有指引记录"),
            Some(Outcome::Approved) => None,
            None => Some("已办结却没有办结结果"),
        };
        if let Some(why) = missing {
            out.push((id, why.to_string()));
        }
    }
    Ok(out)
}
