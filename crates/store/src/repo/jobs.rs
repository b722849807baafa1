//! Background work: deadlines to watch, jobs claimed with leases, the outbox.
