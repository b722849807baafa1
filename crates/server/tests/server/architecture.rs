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
