-- NV-15, NV-16 (issues 27 and 30): a filing keeps the item and the reason key of its request, so
-- the veto statistics count by item and reason in the database, and an approver's "earlier
-- decisions on the same item and reason" are found through an index instead of reading every
-- decided filing of the months. The item comes from the case here; the reason key is the
-- domain's (`noveto_domain::case::reason_key`), filled for earlier filings by this migration's
-- step in Rust.
ALTER TABLE filings ADD COLUMN item_code TEXT;
ALTER TABLE filings ADD COLUMN reason_key TEXT;
UPDATE filings SET item_code = (SELECT c.item_code FROM cases c WHERE c.id = filings.case_id);
CREATE INDEX filings_alike ON filings(item_code, reason_key, month);
