//! Keeps the crate docs' layer table true: every `crate::` path in `src/` (outside
//! `testing/`, `fuzzing` and `#[cfg(test)]` items) must name a module listed before the
//! module that uses it (the same module aside). The table in `lib.rs`'s "How the crate is
//! built" is the only list; this test reads it, so changing the layers is one edit there.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Modules outside the layers: the fake and the fuzzing entry points sit on top of
/// everything, and the crate root only declares and re-exports.
const OUTSIDE: &[&str] = &["testing", "fuzzing", "layers", "lib"];

/// The modules of the table, in order, from the crate docs' rows `//! | N | name | `m`, … |`.
fn layer_table(lib: &str) -> Vec<String> {
    let mut order = Vec::new();
    for line in lib.lines() {
        let Some(row) = line.strip_prefix("//! | ") else {
            continue;
        };
        let cells: Vec<&str> = row.split(" | ").collect();
        if cells.len() < 3 || cells[0].trim().parse::<u32>().is_err() {
            continue;
        }
        for m in cells[2].split(',') {
            let m = m.trim().trim_matches('`');
            assert!(
                !m.is_empty() && m.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                "layer table: {m:?} is not a module name"
            );
            order.push(m.to_string());
        }
    }
    order
}

/// What `pub use` at the root makes `crate::Name` mean: the module it comes from.
fn root_reexports(lib: &str) -> BTreeMap<String, String> {
    let mut names = BTreeMap::new();
    let code = strip(lib);
    for stmt in code.split(';') {
        let stmt = stmt.trim();
        let Some(rest) = stmt.strip_prefix("pub use ") else {
            continue;
        };
        let Some((module, items)) = rest.split_once("::") else {
            continue;
        };
        let items = items.trim_start_matches('{').trim_end_matches('}');
        for item in items.split(',') {
            let item = item.trim();
            let name = item.rsplit("::").next().unwrap_or(item).trim();
            if !name.is_empty() {
                names.insert(name.to_string(), module.trim().to_string());
            }
        }
    }
    names
}

/// Source text without comments, string and char literals (each replaced by a space), so
/// that neither prose nor text can look like a path or a brace.
fn strip(src: &str) -> String {
    let b = src.as_bytes();
    let mut out = String::with_capacity(src.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i + 1 < b.len() && !(b[i] == b'*' && b[i + 1] == b'/') {
                    i += 1;
                }
                i += 2;
            }
            b'r' if matches!(b.get(i + 1), Some(b'"' | b'#'))
                && (i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_')) =>
            {
                let mut hashes = 0;
                let mut j = i + 1;
                while b.get(j) == Some(&b'#') {
                    hashes += 1;
                    j += 1;
                }
                if b.get(j) != Some(&b'"') {
                    out.push('r');
                    i += 1;
                    continue;
                }
                j += 1;
                loop {
                    if j >= b.len() {
                        break;
                    }
                    if b[j] == b'"' && (0..hashes).all(|k| b.get(j + 1 + k) == Some(&b'#')) {
                        j += 1 + hashes;
                        break;
                    }
                    j += 1;
                }
                out.push(' ');
                i = j;
            }
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
                out.push(' ');
            }
            // A char literal ('x', '\n', '{'), not a lifetime ('a).
            b'\''
                if b.get(i + 2) == Some(&b'\'')
                    || (b.get(i + 1) == Some(&b'\\') && b[i + 2..].contains(&b'\'')) =>
            {
                i += 1;
                while i < b.len() && b[i] != b'\'' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
                out.push(' ');
            }
            c => {
                out.push(c as char);
                i += 1;
            }
        }
    }
    out
}

/// `code` without the items `#[cfg(test)]` (or any `cfg(all(test, …))`) guards.
fn without_test_items(code: &str) -> String {
    let mut out = String::with_capacity(code.len());
    let mut rest = code;
    while let Some(at) = rest
        .find("#[cfg(test)]")
        .into_iter()
        .chain(rest.find("#[cfg(all(test"))
        .min()
    {
        out.push_str(&rest[..at]);
        let item = &rest[at..];
        // The item ends at its first `;` before any `{`, or where its braces close.
        let brace = item.find('{');
        let semi = item.find(';');
        let end = match (brace, semi) {
            (Some(b), Some(s)) if s < b => s + 1,
            (Some(b), _) => {
                let mut depth = 0usize;
                let mut end = item.len();
                for (k, c) in item[b..].char_indices() {
                    match c {
                        '{' => depth += 1,
                        '}' => {
                            depth -= 1;
                            if depth == 0 {
                                end = b + k + 1;
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                end
            }
            (None, Some(s)) => s + 1,
            (None, None) => item.len(),
        };
        rest = &item[end..];
    }
    out.push_str(rest);
    out
}

/// The first segment of every `crate::` path in `code`, groups (`crate::{a, b::c}`)
/// included.
fn crate_paths(code: &str) -> Vec<String> {
    let mut found = Vec::new();
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    for (at, _) in code.match_indices("crate::") {
        if at > 0 {
            let before = code.as_bytes()[at - 1];
            if before.is_ascii_alphanumeric() || before == b'_' || before == b'$' {
                continue;
            }
        }
        let after = code[at + "crate::".len()..].trim_start();
        if let Some(group) = after.strip_prefix('{') {
            let mut depth = 0usize;
            let mut start = 0;
            for (k, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => {
                        found.push(ident(group[start..k].trim()));
                        break;
                    }
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        found.push(ident(group[start..k].trim()));
                        start = k + 1;
                    }
                    _ => {}
                }
            }
        } else {
            found.push(ident(after));
        }
    }
    found.retain(|f| !f.is_empty());
    found
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file under `src/` belongs to.
fn module_of(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).unwrap();
    let first = rel
        .components()
        .next()
        .unwrap()
        .as_os_str()
        .to_string_lossy();
    first.trim_end_matches(".rs").to_string()
}

#[test]
fn every_crate_path_goes_to_a_layer_above() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let lib = std::fs::read_to_string(src.join("lib.rs")).unwrap();
    let order = layer_table(&lib);
    assert!(
        order.len() > 10,
        "no layer table found in lib.rs: {order:?}"
    );
    let rank = |m: &str| order.iter().position(|o| o == m);
    let reexports = root_reexports(&lib);
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut wrong = Vec::new();
    for file in files {
        let module = module_of(&src, &file);
        if OUTSIDE.contains(&module.as_str()) {
            continue;
        }
        let Some(mine) = rank(&module) else {
            wrong.push(format!("{module} (src/{}) is in no layer", module));
            continue;
        };
        let code = without_test_items(&strip(&std::fs::read_to_string(&file).unwrap()));
        for first in crate_paths(&code) {
            let target = match rank(&first) {
                Some(_) => first.clone(),
                None => match reexports.get(&first) {
                    Some(m) => m.clone(),
                    // `crate::serde_json` and the like: another crate, re-exported.
                    None if first.chars().next().is_some_and(char::is_lowercase)
                        && !src.join(format!("{first}.rs")).exists()
                        && !src.join(&first).is_dir() =>
                    {
                        continue;
                    }
                    None => {
                        wrong.push(format!("{}: crate::{first} is in no layer", file.display()));
                        continue;
                    }
                },
            };
            if target == module || OUTSIDE.contains(&target.as_str()) && target == "lib" {
                continue;
            }
            match rank(&target) {
                Some(theirs) if theirs < mine => {}
                _ => wrong.push(format!(
                    "{} ({module}) uses crate::{first} ({target}), which is not above it",
                    file.display()
                )),
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "edges against the layer table in lib.rs:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_parser_sees_paths_groups_and_not_prose_or_tests() {
    let code = strip(
        r#"
use crate::{error::Error, redact::{Redaction, Strings}};
// crate::commented
/// [`crate::doc_link`]
let s = "crate::in_a_string";
let c = '{';
fn f(o: crate::options::ConnectOptions) { drop(o) }
#[cfg(test)]
mod tests { use crate::testonly; fn g() { let _ = '}'; } }
#[cfg(test)]
use crate::testonly_use;
"#,
    );
    let paths = crate_paths(&without_test_items(&code));
    assert_eq!(paths, ["error", "redact", "options"]);
}
