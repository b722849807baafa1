//! FAQ-3: suggestions and what became of them, written through the one ticket path
//! ([`tickets`](super::tickets)); this module says where they live and how lists find them.

use super::tickets::{self, Table};
use crate::{Result, Tx, Value, params};
use noveto_domain::suggestion::{Status, Suggestion};
use noveto_domain::ticket::Stored;
use noveto_domain::time::rfc3339;

impl Table for Suggestion {
    const TABLE: &'static str = "suggestions";
    const RECEIPT: Option<&'static str> = None;
    fn columns(&self) -> Vec<(&'static str, Value)> {
        vec![
            ("center_id", self.center_id.into()),
            ("unit_id", self.unit_id.into()),
            ("window_id", self.window_id.into()),
            ("item_code", self.item_code.clone().into()),
            ("case_id", self.case_id.into()),
            ("source", self.source.as_str().into()),
            ("text", self.text.as_str().into()),
            ("contact", self.contact.as_str().into()),
            ("status", self.status.as_str().into()),
            ("recorded_by", self.recorded_by.into()),
            ("recorded_at", self.recorded_at.map(rfc3339).unwrap_or_default().into()),
            ("decided_by", self.decided_by.into()),
            ("decided_at", self.decided_at.map(rfc3339).into()),
            ("decision_note", self.decision_note.clone().into()),
            ("change_doc", self.change.as_ref().map(|c| serde_json::to_string(c).unwrap_or_default()).into()),
            ("done_by", self.done_by.into()),
            ("done_at", self.done_at.map(rfc3339).into()),
        ]
    }
}

/// A suggestion as stored.
pub type SuggestionRow = Stored<Suggestion>;

pub fn get(tx: &mut dyn Tx, id: i64) -> Result<Option<SuggestionRow>> {
    tickets::get(tx, id)
}

/// Every suggestion (in a state, if given), newest first, with its center's chain (for the
/// caller's scope check — the one door every reader of suggestions goes through).
pub fn all_with_centers(tx: &mut dyn Tx, status: Option<Status>) -> Result<Vec<(SuggestionRow, Vec<i64>)>> {
    let rows: Vec<SuggestionRow> = match status {
        Some(st) => tickets::select(tx, "status = $1", params![st.as_str()])?,
        None => tickets::select(tx, "1 = 1", &[])?,
    };
    super::org::with_chains(tx, rows, |r| r.center_id)
}
