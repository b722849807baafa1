-- NV-6: an open verification's deadline stands in the deadline table beside the case's own, owned
-- by the case's first contact, so it is reminded, escalated and counted as overdue like any other.
INSERT INTO deadlines (entity, entity_id, what, owner_id, due, state, doc)
SELECT 'case', k.case_id, 'commitment_check', c.first_contact_id, k.due, 'running',
       '{"what":"commitment_check","due":"' || k.due || '"}'
FROM commitment_checks k JOIN cases c ON c.id = k.case_id
WHERE k.status = 'open'
ON CONFLICT (entity, entity_id, what) DO NOTHING;
