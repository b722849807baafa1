-- Issue 27: the 办不成事 and 吐槽找茬 lists — and every home page, which shows what waits for the
-- caller — read the matters of a period plus every open one. The period had no index of its own,
-- so each read walked every matter ever registered (3 ms for 1,000 complaints at a million
-- cases, growing with the years a desk keeps); now each half of the read has its index.
CREATE INDEX complaints_received ON complaints(received_at);
CREATE INDEX unresolved_registered ON unresolved(registered_at);
