-- Issue 27: a search by a common name read each candidate's place (center, unit, window, first
-- contact — what the access decision needs) from its row: two thousand rows scattered over the
-- whole table for one search by a clerk. The name's index now carries the place (an
-- index-only scan on a vacuumed table), in pattern order as before (names that begin with it).
CREATE INDEX cases_name_place ON cases(applicant_name text_pattern_ops, id) INCLUDE (center_id, unit_id, window_id, first_contact_id);
DROP INDEX cases_applicant_name;
