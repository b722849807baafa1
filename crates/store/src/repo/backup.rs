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
/// `audit_key` (an encrypted backup only) travels in the header, so that a restore keeps
/// checking every entry under the key that signed it.
pub fn dump(
    tx: &mut dyn Tx,
    out: &mut dyn Write,
    audit_key: Option<&str>,
    mut progress: impl FnMut(&str, u64),
) -> Result<u64> {
    let io = |e: std::io::Error| StoreError::Db(e.to_string());
    let mut head = json!({"noveto_backup": 1});
    if let Some(k) = audit_key {
        head["audit_key"] = json!(k);
    }
    writeln!(out, "{head}").map_err(io)?;
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

/// What a restore loaded: the rows, and the audit key an encrypted backup carried.
pub struct Loaded {
    pub rows: u64,
    pub audit_key: Option<String>,
}

impl std::fmt::Debug for Loaded {
    /// The key itself is never printed.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Loaded {{ rows: {}, audit_key: {} }}",
            self.rows,
            if self.audit_key.is_some() { "…" } else { "none" }
        )
    }
}

/// Loads a dump into an empty store (after migrations).
pub fn load(tx: &mut dyn Tx, input: &mut dyn BufRead) -> Result<Loaded> {
    let bad = |m: &str| StoreError::Corrupt(format!("备份文件有误：{m}"));
    let mut lines = input.lines();
    let head = lines.next().ok_or_else(|| bad("空文件"))?.map_err(|e| bad(&e.to_string()))?;
    let head: J = serde_json::from_str(&head).unwrap_or_default();
    if head.get("noveto_backup").is_none() {
        return Err(bad("不是 noveto 备份"));
    }
    let audit_key = head.get("audit_key").and_then(|k| k.as_str()).map(String::from);
    let existing = tx.query_one("SELECT COUNT(*) FROM staff", &[])?.map(|r| r.i64(0)).unwrap_or(0);
    if existing > 0 {
        return Err(StoreError::Duplicate("目标存储不是空的：请恢复到新的数据目录或空数据库".into()));
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
    Ok(Loaded { rows: n, audit_key })
}

/// Invariant 1 on the import path: every case a backup says was vetoed must carry a veto
/// request that the domain recognises as approved; otherwise the restore is refused whole.
fn check_vetoes(tx: &mut dyn Tx) -> Result<()> {
    match unproven_endings(tx)?.first() {
        Some((id, why)) => Err(StoreError::Corrupt(format!("备份中办件 {id} {why}：拒绝恢复"))),
        None => Ok(()),
    }
}

/// NV-2 ("no case ends without its proof"): the closed cases whose ending — one of the domain's
/// list (`noveto_domain::ending::ENDINGS`) — lacks its proof, with what is missing, as the
/// domain's [`Case::unproven`](noveto_domain::case::Case) says: an approved veto request, a
/// withdrawal confirmed by the window head, the legal basis of `not_required`, a consultation
/// for `answered`, a referral with its target, and no application made a consultation without
/// the head's confirmation. `restore` refuses a backup with any; `audit verify` reports them.
pub fn unproven_endings(tx: &mut dyn Tx) -> Result<Vec<(i64, String)>> {
    unproven_endings_in(tx, None)
}

/// [`unproven_endings`] of the cases at `centers` (`None`: every case).
pub fn unproven_endings_in(tx: &mut dyn Tx, centers: Option<&[i64]>) -> Result<Vec<(i64, String)>> {
    use noveto_domain::case::{Case, VetoRequest};
    use noveto_domain::ending::{ClosedDetail, Evidence};
    let mut out = vec![];
    for r in tx.query("SELECT id, doc, center_id FROM cases WHERE status = 'closed' ORDER BY id", &[])? {
        let (id, center) = (r.i64(0), r.i64(2));
        if centers.is_some_and(|cs| !cs.contains(&center)) {
            continue;
        }
        let case: Case = r.json(1)?;
        let approved_veto = match case.veto_request_id {
            Some(v) => tx
                .query_one("SELECT doc FROM veto_requests WHERE id = $1", crate::params![v])?
                .map(|row| row.json::<VetoRequest>(0))
                .transpose()?
                .filter(|vr| vr.case_id == id)
                .and_then(|vr| vr.approved()),
            None => None,
        };
        let confirmed_withdrawals = tx
            .query(
                "SELECT id FROM withdrawals WHERE case_id = $1 AND confirmed = 1 AND confirmed_by <> recorded_by",
                crate::params![id],
            )?
            .iter()
            .map(|r| r.i64(0))
            .collect();
        let closed = tx
            .query_one(
                "SELECT detail FROM case_events WHERE case_id = $1 AND kind = 'closed' ORDER BY id DESC LIMIT 1",
                crate::params![id],
            )?
            .and_then(|r| serde_json::from_str::<ClosedDetail>(&r.str(0)).ok());
        if let Some(why) = case.unproven(&Evidence { approved_veto, confirmed_withdrawals, closed }) {
            out.push((id, why.to_string()));
        }
    }
    Ok(out)
}
