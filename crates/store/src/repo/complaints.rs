//! TC: 吐槽找茬 complaints, written through the one ticket path ([`tickets`](super::tickets));
//! this module says where they live and how lists find them.

use super::tickets::{self, Table};
use crate::{Result, Tx, Value, params};
use noveto_domain::complaint::Complaint;
use noveto_domain::ticket::Stored;
use noveto_domain::time::rfc3339;

impl Table for Complaint {
    const TABLE: &'static str = "complaints";
    const RECEIPT: Option<&'static str> = Some("TC");
    const DUE: bool = true;
    fn columns(&self) -> Vec<(&'static str, Value)> {
        // The handling sections as `,3,5,` so a unit's inbox finds its own with one LIKE.
        let sections: String = self.sections().iter().map(|u| format!("{u},")).collect();
        vec![
            ("center_id", self.center_id.into()),
            ("window_id", self.window_id.into()),
            ("about_unit", self.about_unit.into()),
            ("lead_id", self.lead.into()),
            ("sections", format!(",{sections}").into()),
            ("assignee_id", self.assignee.into()),
            ("first_contact_id", self.first_contact.into()),
            ("channel", self.channel.as_str().into()),
            ("category", self.category.as_str().into()),
            ("status", self.status.as_str().into()),
            ("confidential", self.confidential.into()),
            ("hotline_order", self.hotline_order.clone().into()),
            ("received_at", self.received_at.map(rfc3339).unwrap_or_default().into()),
            ("replied_at", self.replied_at.map(rfc3339).into()),
            ("closed_at", self.closed_at.map(rfc3339).into()),
        ]
    }
}

/// A complaint as stored.
pub type ComplaintRow = Stored<Complaint>;

pub fn get(tx: &mut dyn Tx, id: i64) -> Result<Option<ComplaintRow>> {
    tickets::get(tx, id)
}

pub fn by_receipt(tx: &mut dyn Tx, receipt: &str) -> Result<Option<ComplaintRow>> {
    tickets::by_receipt(tx, receipt)
}

/// TC-8: the complaint a 12345 work order became, if it was imported before.
pub fn by_hotline_order(tx: &mut dyn Tx, order: &str) -> Result<Option<ComplaintRow>> {
    Ok(tickets::select(tx, "hotline_order = $1", params![order])?.into_iter().next())
}

/// Every complaint received in `[from, to)` (RFC 3339 instants) plus every one still open,
/// newest first, with its center's chain — the candidates for the caller's scope and relation
/// check, the one door every list, ledger and export of complaints goes through.
pub fn candidates(tx: &mut dyn Tx, from: &str, to: &str) -> Result<Vec<(ComplaintRow, Vec<i64>)>> {
    let rows: Vec<ComplaintRow> = tickets::select(
        tx,
        // Each half through its own index (migration 27), never a scan of every complaint ever
        // received: every home page asks.
        "id IN (SELECT id FROM complaints WHERE received_at >= $1 AND received_at < $2
                UNION SELECT id FROM complaints WHERE status IN ('received', 'assigned', 'at_meeting', 'replied'))",
        params![from, to],
    )?;
    super::org::with_chains(tx, rows, |r| r.center_id)
}

/// The open complaints, oldest first — for a calendar change to recompute.
pub fn open(tx: &mut dyn Tx) -> Result<Vec<ComplaintRow>> {
    let mut v: Vec<ComplaintRow> = tickets::select(tx, "status IN ('received', 'assigned', 'at_meeting')", &[])?;
    v.reverse();
    Ok(v)
}

/// TC-8: the ticket a 12345 work order became, if it was imported before: `(entity, id)`.
pub fn hotline_order(tx: &mut dyn Tx, order: &str) -> Result<Option<(String, i64)>> {
    Ok(tx
        .query_one("SELECT entity, entity_id FROM hotline_orders WHERE order_no = $1", params![order])?
        .map(|r| (r.str(0), r.i64(1))))
}

/// TC-8: records that a work order became `(entity, id)`; a second import of the same order
/// fails on the key (and its ticket with it).
pub fn put_hotline_order(tx: &mut dyn Tx, ctx: &super::Ctx, order: &str, entity: &str, id: i64) -> Result<()> {
    tx.exec(
        "INSERT INTO hotline_orders (order_no, entity, entity_id, imported_at) VALUES ($1, $2, $3, $4)",
        params![order, entity, id, ctx.now.as_str()],
    )
    .map_err(|e| match e {
        crate::StoreError::Unique(_) => crate::StoreError::Duplicate(format!("12345 工单 {order} 已导入")),
        e => e,
    })?;
    super::audit::append(tx, ctx, "hotline.imported", entity, id, &serde_json::json!({"order_no": order}))
}

/// TC-8: every ticket imported from a work order, with its order number.
pub fn hotline_orders(tx: &mut dyn Tx) -> Result<Vec<(String, String, i64)>> {
    Ok(tx
        .query("SELECT order_no, entity, entity_id FROM hotline_orders ORDER BY order_no", &[])?
        .iter()
        .map(|r| (r.str(0), r.str(1), r.i64(2)))
        .collect())
}
