-- Issue 31: an applicant's identity document number and a company's credit code are kept with the
-- case (in its document) and found by the full number through these exact indexes.
ALTER TABLE cases ADD COLUMN applicant_id_no TEXT;
ALTER TABLE cases ADD COLUMN applicant_credit_code TEXT;
CREATE INDEX cases_applicant_id_no ON cases(applicant_id_no) WHERE applicant_id_no IS NOT NULL;
CREATE INDEX cases_applicant_credit_code ON cases(applicant_credit_code) WHERE applicant_credit_code IS NOT NULL;
