//! DESIGN invariants the code keeps by its shape, checked over the source: the adapters (server,
//! cli) and the other crates hold no SQL — every statement lives in `store/src/repo`, where each
//! state change writes its audit entry in the same transaction.

fn sources(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            sources(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

// Issue "one application layer": no SQL outside `store/src/repo`.
#[test]
fn no_sql_outside_the_store_repository() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = vec![];
    for c in ["server/src", "cli/src", "docs/src", "search/src", "domain/src", "app/src"] {
        sources(&root.join(c), &mut files);
    }
    assert!(files.len() > 20, "the source was found");
    let calls = ["tx.query(", ".exec(", ".query_one(", ".exec_ahead(", "tx.insert(", "batch_execute("];
    let words = ["SELECT ", "INSERT INTO ", "UPDATE ", "DELETE FROM ", "CREATE TABLE "];
    let mut found = vec![];
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        for (i, line) in text.lines().enumerate() {
            let l = line.trim_start();
            if l.starts_with("//") {
                continue;
            }
            if calls.iter().any(|c| l.contains(c)) || words.iter().any(|w| l.contains(w)) {
                found.push(format!("{}:{}: {l}", f.display(), i + 1));
            }
        }
    }
    assert!(found.is_empty(), "SQL outside store/src/repo:\n{}", found.join("\n"));
}

// POL-1 (issue "no soft refusals", item 4): every number of the policy's case, escalation
// (gray area) and veto sections is read by some code — a field nobody reads is a promise the
// product does not keep. The fields come from the policy itself, so a new one is checked too.
#[test]
fn pol_1_every_policy_field_of_the_case_sections_is_read() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = vec![];
    for c in ["server/src", "cli/src", "app/src", "domain/src", "store/src"] {
        sources(&root.join(c), &mut files);
    }
    let code: String = files.iter().map(|f| std::fs::read_to_string(f).unwrap()).collect::<Vec<_>>().join("\n");
    let reads = |needle: &str| {
        code.match_indices(needle)
            .any(|(i, _)| code[i + needle.len()..].chars().next().is_none_or(|c| !(c.is_alphanumeric() || c == '_')))
    };
    assert!(reads("veto.decision") && !reads("veto.no_such_field") && !reads("gray_area.major_"), "the search works");
    let p = serde_json::to_value(noveto_domain::policy::Policy::preset("ankang").unwrap()).unwrap();
    let mut unread = vec![];
    for section in ["gray_area", "veto"] {
        for key in p[section].as_object().unwrap().keys() {
            if !reads(&format!("{section}.{key}")) {
                unread.push(format!("{section}.{key}"));
            }
        }
    }
    let identity = ["id", "version", "name", "document", "assessment"];
    for (key, v) in p.as_object().unwrap() {
        if !v.is_object() && !identity.contains(&key.as_str()) && !reads(&format!(".{key}")) {
            unread.push(key.clone());
        }
    }
    assert!(unread.is_empty(), "policy fields no code reads: {unread:?}");
}

// Issue "one application layer": no adapter writes a case, a veto request or an audit entry
// except through the application layer. The server holds no store access at all but the
// Idempotency-Key table (HTTP replay, no audit); the command line touches the store directly
// only to create it (init, the demo's organisation and catalog), to restore and verify it, and
// to record the audit key's fingerprint — every case, veto request and escalation, the demo's
// included, goes through `noveto_app`.
#[test]
fn adapters_reach_cases_vetoes_and_the_audit_only_through_the_application_layer() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = vec![];
    for c in ["server/src", "cli/src"] {
        sources(&root.join(c), &mut files);
    }
    let never = [
        "repo::cases",
        "cases_repo",
        "audit::append",
        "save_veto",
        "insert_veto",
        "insert_escalation",
        "open_filing",
        "close_filing",
    ];
    let store_access = [".write(move |tx|", ".write(|tx|", "store.write(", "st.write(", "store.read(", "st.read("];
    let allowed: [(&str, &str); 7] = [
        ("cli/src/main.rs", "whether a store was initialised"),
        ("server/src/idempotency.rs", "Idempotency-Key replay table"),
        ("cli/src/init.rs", "creates the store"),
        ("cli/src/demo.rs", "the demo's organisation and catalog; its cases go through the app"),
        ("cli/src/backup.rs", "backup, restore and the check after it"),
        ("cli/src/audit.rs", "audit verify and the key's fingerprint"),
        (
            "cli/src/scale.rs",
            "the province-size generator: domain decisions written in batches through the store's audited apply; its vetoes go through the app",
        ),
    ];
    let mut found = vec![];
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        let path = f.to_string_lossy().replace('\\', "/");
        let may_touch_store = allowed.iter().any(|(a, _)| path.ends_with(a));
        for (i, line) in text.lines().enumerate() {
            let l = line.trim_start();
            if l.starts_with("//") {
                continue;
            }
            let bad =
                never.iter().any(|n| l.contains(n)) || (!may_touch_store && store_access.iter().any(|n| l.contains(n)));
            if bad {
                found.push(format!("{path}:{}: {l}", i + 1));
            }
        }
    }
    assert!(files.iter().any(|f| f.ends_with("work.rs")), "the pages were scanned");
    assert!(found.is_empty(), "store access outside the application layer:\n{}", found.join("\n"));
}

// DESIGN invariant 2 by construction: the writer refuses a change to a table of record that left
// no audit entry (store test `an_unaudited_change_is_not_committed`); the one way past it,
// `Tx::verbatim`, is called by the restore of a backup (whose rows carry their own entries) and
// by nothing else in the product.
#[test]
fn only_restore_copies_rows_without_a_new_audit_entry() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = vec![];
    for c in ["domain/src", "store/src", "app/src", "search/src", "docs/src", "server/src", "cli/src"] {
        sources(&root.join(c), &mut files);
    }
    let mut callers = vec![];
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        let path = f.to_string_lossy().replace('\\', "/");
        for (i, line) in text.lines().enumerate() {
            if line.contains(".verbatim()") && !line.trim_start().starts_with("//") {
                callers.push(format!("{path}:{}", i + 1));
            }
        }
    }
    assert_eq!(callers.len(), 1, "{callers:?}");
    assert!(callers[0].contains("store/src/repo/backup.rs"), "{callers:?}");
}

// Issue 27: no query reads a JSON document by substring — what a list, count or report filters
// on is a column with an index.
#[test]
fn no_query_reads_a_document_by_substring() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = vec![];
    sources(&root.join("store/src"), &mut files);
    assert!(files.len() > 10, "the store's source was found");
    let mut found = vec![];
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        for (i, line) in text.lines().enumerate() {
            let l = line.trim_start();
            if l.starts_with("//") {
                continue;
            }
            let like = l.contains(" LIKE ");
            let document = ["doc LIKE", "detail LIKE", "doc::", "json_extract(doc", "json_extract(detail", "->>"]
                .iter()
                .any(|w| l.contains(w));
            if like && document || l.contains("doc LIKE") || l.contains("detail LIKE") {
                found.push(format!("{}:{}: {l}", f.display(), i + 1));
            }
        }
    }
    assert!(found.is_empty(), "a document read by substring:\n{}", found.join("\n"));
}
