-- Issue 27: what lists, counts and reports filter on is a column with an index, never a
-- document's text. The events an analysis counts carry their tag (a closing's outcome, a kind
-- change's new kind, a referral's handoff) and whether a reply was flagged.
ALTER TABLE case_events ADD COLUMN tag TEXT;
ALTER TABLE case_events ADD COLUMN flagged BIGINT NOT NULL DEFAULT 0;
UPDATE case_events SET tag = (detail::jsonb) ->> 'outcome' WHERE kind = 'closed';
UPDATE case_events SET tag = (detail::jsonb) ->> 'to' WHERE kind = 'kind_changed';
UPDATE case_events SET tag = CASE WHEN ((detail::jsonb) ->> 'handoff') = 'true' THEN 'handoff' ELSE 'guide' END WHERE kind = 'referred';
UPDATE case_events SET flagged = 1 WHERE kind = 'reply' AND jsonb_array_length(COALESCE((detail::jsonb) -> 'flagged', '[]'::jsonb)) > 0;
CREATE INDEX case_events_kind_at ON case_events(kind, at);
CREATE INDEX case_events_kind_tag ON case_events(kind, tag, at);

-- Search: the applicant's name and phone as columns (exact phone, name by prefix), and the
-- name, organisation and request under a trigram index (pg_trgm, a trusted extension).
ALTER TABLE cases ADD COLUMN applicant_name TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN applicant_phone TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN search_text TEXT NOT NULL DEFAULT '';
UPDATE cases SET applicant_name = COALESCE((doc::jsonb) #>> '{applicant,name}', ''),
  applicant_phone = COALESCE((doc::jsonb) #>> '{applicant,phone}', ''),
  search_text = COALESCE((doc::jsonb) #>> '{applicant,name}', '') || ' ' || COALESCE((doc::jsonb) #>> '{applicant,org}', '')
    || ' ' || COALESCE((doc::jsonb) ->> 'request', '');
CREATE INDEX cases_applicant_name ON cases(applicant_name text_pattern_ops, id);
CREATE INDEX cases_applicant_phone ON cases(applicant_phone, id);
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX cases_search_trgm ON cases USING gin (search_text gin_trgm_ops);
