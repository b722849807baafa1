-- Issue 27: a search by a common name read each candidate's place (center, unit, window, first
-- contact — what the access decision needs) from its row: two thousand rows scattered over the
-- whole table for one search by a clerk, 10-12 ms at a million cases one request at a time.
-- The name's index now carries the place, so the candidates are one range of one index.
CREATE INDEX cases_name_place ON cases(applicant_name, id, center_id, unit_id, window_id, first_contact_id);
DROP INDEX cases_applicant_name;
