//! Cases, their timeline, veto requests, escalations and filings.
