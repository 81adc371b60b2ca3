//! The layering of docs/architecture.md holds: a top-level module imports
//! only modules on lower lines of its "layers" block. Reads every source file
//! under src/ (test modules and comments aside) for `crate::<module>` paths.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

/// Module → its line in the layers block, counted from the bottom (0).
fn layers() -> BTreeMap<String, usize> {
    let doc =
        fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/architecture.md")).unwrap();
    let start = doc.find("```layers\n").expect("a layers block") + "```layers\n".len();
    let block = &doc[start..start + doc[start..].find("```").unwrap()];
    let lines: Vec<&str> = block.lines().filter(|l| !l.trim().is_empty()).collect();
    let mut out = BTreeMap::new();
    for (i, line) in lines.iter().rev().enumerate() {
        for module in line.split_whitespace() {
            out.insert(module.to_string(), i);
        }
    }
    out
}

/// The source without comments and without what follows `#[cfg(test)]`
/// (test modules sit at the end of a file; a module's `tests.rs` is skipped).
fn code(text: &str) -> String {
    let text = text.split("#[cfg(test)]").next().unwrap_or("");
    text.lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn no_module_imports_a_module_above_it() {
    let layers = layers();
    let src = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/src"));
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let mut problems = Vec::new();
    for file in files {
        let rel = file.strip_prefix(src).unwrap();
        let top = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy();
        let top = top.trim_end_matches(".rs").to_string();
        // The crate root, the binary and tests (src/tests/, a module's
        // tests.rs) may use anything.
        if ["lib", "main", "tests"].contains(&top.as_str()) || file.ends_with("tests.rs") {
            continue;
        }
        let own = *layers
            .get(&top)
            .unwrap_or_else(|| panic!("module {top} is missing from the layers block"));
        let text = code(&fs::read_to_string(&file).unwrap());
        for (at, _) in text.match_indices("crate::") {
            let rest = &text[at + "crate::".len()..];
            let used: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if used == top || used.is_empty() {
                continue;
            }
            match layers.get(&used) {
                Some(&layer) if layer < own => {}
                _ => problems.push(format!("{}: {top} imports {used}", rel.display())),
            }
        }
    }
    problems.dedup();
    assert!(
        problems.is_empty(),
        "upward imports:\n{}",
        problems.join("\n")
    );
}
