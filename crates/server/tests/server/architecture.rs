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
    for c in ["server/src", "cli/src", "docs/src", "search/src", "domain/src"] {
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
