//! The one write path of every ticket type (DESIGN invariant 8): a [`Decided`] from the domain
//! is written in one transaction — the state (its JSON beside the columns lists query), one row
//! in `ticket_events` and one audit entry per event, its deadlines in `deadlines`, its notices
//! in the outbox — only if the row is still at the version the command read. Otherwise the
//! write fails with [`StoreError::Conflict`] and nothing of it is kept: of two commands clicked at
//! once exactly one lands, whatever they change.
//!
//! A ticket type adds an `impl Table` (its table and index columns) and nothing else here.

use super::{Ctx, audit, jobs};
use crate::{Result, Row, StoreError, Tx, Value, params};
use noveto_domain::ticket::{Decided, Stored, Ticket, To};
use serde_json::json;

/// Where a ticket type's rows live.
pub trait Table: Ticket {
    const TABLE: &'static str;
    /// The receipt number's prefix (the day and the row id follow), if the type has one.
    const RECEIPT: Option<&'static str>;
    /// Whether the table has a `due` column: the first deadline's due day, kept for lists.
    const DUE: bool = false;
    /// The columns beside `doc` that lists and jobs query, with their values in this state.
    fn columns(&self) -> Vec<(&'static str, Value)>;
}

/// The index columns of a decided ticket, with its first deadline's due day where kept.
fn columns_of<T: Table>(d: &Decided<T>) -> Vec<(&'static str, Value)> {
    let mut cols = d.ticket().columns();
    if T::DUE {
        cols.push(("due", d.dues().first().and_then(|x| x.due).map(|x| x.to_string()).into()));
    }
    cols
}

fn doc<T: Table>(t: &T) -> Result<String> {
    serde_json::to_string(t).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// The row of a ticket from `SELECT id, version, doc …`.
pub fn stored<T: Table>(r: &Row) -> Result<Stored<T>> {
    Ok(Stored { id: r.i64(0), version: r.i64(1), ticket: r.json(2)? })
}

/// Writes a new ticket; returns it as stored (numbered, version 1).
pub fn insert<T: Table>(tx: &mut dyn Tx, ctx: &Ctx, d: &Decided<T>) -> Result<Stored<T>> {
    if d.base().is_some() {
        return Err(StoreError::Db(format!("{} 已存在，只能保存，不能再次新增", T::KIND)));
    }
    let mut cols = columns_of(d);
    if T::RECEIPT.is_some() {
        // A placeholder until the row id is known (unique, so two at once never collide).
        cols.push(("receipt_no", Value::Text(format!("tmp-{}", rand::random::<u64>()))));
    }
    let names: Vec<&str> = cols.iter().map(|c| c.0).collect();
    let marks: Vec<String> = (1..=cols.len() + 1).map(|i| format!("${i}")).collect();
    let mut values: Vec<Value> = cols.into_iter().map(|c| c.1).collect();
    values.push(Value::Text(doc(d.ticket())?));
    let id = tx.insert(
        &format!(
            "INSERT INTO {} ({}, doc, version) VALUES ({}, 1) RETURNING id",
            T::TABLE,
            names.join(", "),
            marks.join(", ")
        ),
        &values,
    )?;
    let receipt = match T::RECEIPT {
        Some(prefix) => {
            let day: String = ctx.now.chars().take(10).filter(|c| c.is_ascii_digit()).collect();
            format!("{prefix}{day}{id:06}")
        }
        None => String::new(),
    };
    let mut t = d.ticket().clone();
    t.numbered(id, &receipt);
    let set_receipt = if T::RECEIPT.is_some() { "receipt_no = $3, " } else { "" };
    let sql = format!("UPDATE {} SET {set_receipt}doc = $1 WHERE id = $2", T::TABLE);
    if T::RECEIPT.is_some() {
        tx.exec_ahead(&sql, params![doc(&t)?, id, receipt.as_str()])?;
    } else {
        tx.exec_ahead(&sql, params![doc(&t)?, id])?;
    }
    let s = Stored { id, version: 1, ticket: t };
    follow(tx, ctx, &s, d, Some(&receipt))?;
    Ok(s)
}

/// Writes a changed ticket if its row is still at the version the command read.
pub fn save<T: Table>(tx: &mut dyn Tx, ctx: &Ctx, d: &Decided<T>) -> Result<Stored<T>> {
    let Some((id, version)) = d.base() else {
        return Err(StoreError::Db(format!("{} 尚未保存，只能新增", T::KIND)));
    };
    let cols = columns_of(d);
    let n = cols.len();
    let mut sets: Vec<String> = cols.iter().enumerate().map(|(i, c)| format!("{} = ${}", c.0, i + 1)).collect();
    sets.push(format!("doc = ${}", n + 1));
    let mut values: Vec<Value> = cols.into_iter().map(|c| c.1).collect();
    values.push(Value::Text(doc(d.ticket())?));
    values.push(Value::Int(id));
    values.push(Value::Int(version));
    let changed = tx.exec(
        &format!(
            "UPDATE {} SET {}, version = version + 1 WHERE id = ${} AND version = ${}",
            T::TABLE,
            sets.join(", "),
            n + 2,
            n + 3
        ),
        &values,
    )?;
    if changed == 0 {
        return Err(StoreError::Conflict(format!("该{}已由他人处理，请刷新查看", T::NAME)));
    }
    let s = Stored { id, version: version + 1, ticket: d.ticket().clone() };
    follow(tx, ctx, &s, d, None)?;
    Ok(s)
}

/// What every write of a ticket brings with it: its events, audit entries, deadlines, notices.
fn follow<T: Table>(tx: &mut dyn Tx, ctx: &Ctx, s: &Stored<T>, d: &Decided<T>, receipt: Option<&str>) -> Result<()> {
    for ev in d.events() {
        let name = T::event_name(ev);
        let detail = serde_json::to_value(ev).unwrap_or_default();
        tx.exec_ahead(
            "INSERT INTO ticket_events (entity, entity_id, version, at, actor_id, name, detail) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            params![T::KIND, s.id, s.version, ctx.now.as_str(), ctx.actor, name, detail.to_string()],
        )?;
        let detail = match receipt.filter(|r| !r.is_empty()) {
            Some(r) => json!({"receipt_no": r, "event": detail}),
            None => detail,
        };
        audit::append(tx, ctx, name, T::KIND, s.id, &detail)?;
    }
    for due in d.dues() {
        let text = serde_json::to_string(&due.deadline).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let day = due.due.map(|d| d.to_string());
        jobs::put_deadline(tx, T::KIND, s.id, &due.what, due.owner, day.as_deref(), due.state.as_str(), &text)?;
    }
    for (i, n) in d.notices().iter().enumerate() {
        let (channel, recipient) = match &n.to {
            To::Staff(id) => ("staff", format!("staff:{id}")),
            To::Phone(p) => ("sms", format!("phone:{p}")),
        };
        let m = jobs::Message {
            channel: channel.into(),
            recipient,
            subject: n.subject.clone(),
            body: n.body.clone(),
            dedupe: format!("{}:{}:{}:{i}", T::KIND, s.id, s.version),
        };
        jobs::enqueue(tx, ctx, &m)?;
    }
    Ok(())
}

/// One ticket by id.
pub fn get<T: Table>(tx: &mut dyn Tx, id: i64) -> Result<Option<Stored<T>>> {
    tx.query_one(&format!("SELECT id, version, doc FROM {} WHERE id = $1", T::TABLE), params![id])?
        .as_ref()
        .map(stored)
        .transpose()
}

/// One ticket by receipt number.
pub fn by_receipt<T: Table>(tx: &mut dyn Tx, receipt: &str) -> Result<Option<Stored<T>>> {
    tx.query_one(&format!("SELECT id, version, doc FROM {} WHERE receipt_no = $1", T::TABLE), params![receipt])?
        .as_ref()
        .map(stored)
        .transpose()
}

/// Tickets matching `filter` (an SQL condition over the index columns with `$1…` parameters),
/// newest first.
pub fn select<T: Table>(tx: &mut dyn Tx, filter: &str, params: &[Value]) -> Result<Vec<Stored<T>>> {
    tx.query(&format!("SELECT id, version, doc FROM {} WHERE {filter} ORDER BY id DESC", T::TABLE), params)?
        .iter()
        .map(stored)
        .collect()
}

/// One step of a ticket's history.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Step {
    pub at: String,
    pub actor_id: Option<i64>,
    pub name: String,
    pub detail: serde_json::Value,
}

/// A ticket's events, oldest first.
pub fn history<T: Table>(tx: &mut dyn Tx, id: i64) -> Result<Vec<Step>> {
    Ok(tx
        .query(
            "SELECT at, actor_id, name, detail FROM ticket_events WHERE entity = $1 AND entity_id = $2 ORDER BY id",
            params![T::KIND, id],
        )?
        .iter()
        .map(|r| Step {
            at: r.str(0),
            actor_id: r.opt_i64(1),
            name: r.str(2),
            detail: serde_json::from_str(&r.str(3)).unwrap_or_default(),
        })
        .collect())
}
