//! The workspace's shape, checked: no import circles between the modules of
//! any crate (so every import runs down the layers), and a ranking engine
//! that stays pure (no async runtime, web framework, store or HTTP client in
//! its whole dependency closure, dev-dependencies included).
//!
//! Reads the sources and `Cargo.lock` as text; builds nothing. ARCHITECTURE.md
//! draws the layers this keeps.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ sits in the workspace")
        .to_path_buf()
}

/// The crate directories listed in the workspace's `members`.
fn members() -> Vec<PathBuf> {
    let manifest = fs::read_to_string(workspace().join("Cargo.toml")).unwrap();
    let start = manifest.find("members = [").expect("a members list");
    let end = start + manifest[start..].find(']').unwrap();
    manifest[start..end]
        .split('"')
        .skip(1)
        .step_by(2)
        .map(|m| workspace().join(m))
        .collect()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The code of a file without comments (doc links name modules too, but a
/// doc link is no import).
fn code(text: &str) -> String {
    text.lines()
        .map(|line| match line.find("//") {
            Some(at) => &line[..at],
            None => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every top-level module a piece of code names through `prefix` (`crate::`,
/// or `super::` in a file directly under `src/`, where it means the root).
fn named_through(code: &str, prefix: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = code;
    while let Some(at) = rest.find(prefix) {
        let before = rest[..at].chars().next_back();
        rest = &rest[at + prefix.len()..];
        if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
            continue; // part of a longer path, e.g. `my_crate::`
        }
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            for part in group[..end].split(',') {
                let name: String = part
                    .trim()
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    out.insert(name);
                }
            }
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                out.insert(name);
            }
        }
    }
    out
}

fn named_modules(code: &str) -> BTreeSet<String> {
    named_through(code, "crate::")
}

/// A crate's modules (one per file or folder under `src/`) and the other
/// modules of the same crate each one names. A module that names an item of
/// the crate root (the root declares every module, so that is an import up)
/// names `lib`.
fn module_graph(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in &files {
        let relative = file.strip_prefix(src).unwrap();
        let first = relative.components().next().unwrap().as_os_str();
        let module = first.to_string_lossy().trim_end_matches(".rs").to_string();
        if module == "lib" || module == "main" {
            continue; // the crate root declares and re-exports everything
        }
        let code = code(&fs::read_to_string(file).unwrap());
        let mut names = named_modules(&code);
        if relative.components().count() == 1 {
            names.extend(named_through(&code, "super::"));
        }
        graph.entry(module).or_default().extend(names);
    }
    let modules: BTreeSet<String> = graph.keys().cloned().collect();
    for (module, names) in graph.iter_mut() {
        let root_items = names.iter().any(|n| !modules.contains(n));
        names.retain(|n| n != module && modules.contains(n));
        if root_items {
            names.insert("lib".into());
        }
    }
    graph
}

/// The modules that sit on an import circle, with what each names on it.
fn circles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<String> {
    // A module is on a circle when it can reach itself.
    // The root declares every module: it names them all.
    let root: BTreeSet<String> = graph.keys().cloned().collect();
    let names = |m: &str| -> &BTreeSet<String> { graph.get(m).unwrap_or(&root) };
    let reaches = |from: &str| -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut todo: Vec<&str> = names(from).iter().map(String::as_str).collect();
        while let Some(m) = todo.pop() {
            if seen.insert(m.to_string()) {
                todo.extend(names(m).iter().map(String::as_str));
            }
        }
        seen
    };
    graph
        .keys()
        .filter(|m| reaches(m).contains(*m))
        .map(|m| format!("{m} -> {:?}", graph[m]))
        .collect()
}

/// The layers of a crate with no circle: a module sits one above the highest
/// module it names.
fn layers(graph: &BTreeMap<String, BTreeSet<String>>) -> BTreeMap<String, usize> {
    fn layer(
        m: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        memo: &mut BTreeMap<String, usize>,
    ) -> usize {
        if let Some(&l) = memo.get(m) {
            return l;
        }
        let l = graph[m]
            .iter()
            .filter(|n| graph.contains_key(*n))
            .map(|n| layer(n, graph, memo) + 1)
            .max()
            .unwrap_or(0);
        memo.insert(m.to_string(), l);
        l
    }
    let mut memo = BTreeMap::new();
    for m in graph.keys() {
        layer(m, graph, &mut memo);
    }
    memo
}

#[test]
fn no_crate_has_an_import_circle_between_its_modules() {
    let mut found = Vec::new();
    // Crates with a `src/`; `tests/` and `benches/` are one binary per file.
    for member in members().into_iter().filter(|m| m.join("src").is_dir()) {
        let graph = module_graph(&member.join("src"));
        assert!(
            graph.len() > 1,
            "{} has no modules: is the reader broken?",
            member.display()
        );
        let circle = circles(&graph);
        if circle.is_empty() {
            // Every import then runs down: print the layers for the record.
            let by_layer = layers(&graph);
            println!("{}: {:?}", member.display(), by_layer);
        } else {
            found.push(format!("{}:\n  {}", member.display(), circle.join("\n  ")));
        }
    }
    assert!(found.is_empty(), "import circles:\n{}", found.join("\n"));
}

#[test]
fn the_reader_sees_a_circle_when_there_is_one() {
    let graph: BTreeMap<String, BTreeSet<String>> = [
        ("a", named_modules("use crate::{b::X, c};")),
        ("b", named_modules("fn f() { crate::a::g() }")),
        ("c", BTreeSet::new()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    assert_eq!(graph["a"], ["b", "c"].map(String::from).into());
    assert_eq!(circles(&graph).len(), 2, "a and b name each other");
}

/// Packages in `Cargo.lock`, each with the names of its dependencies.
fn lock_graph() -> BTreeMap<String, Vec<String>> {
    let lock = fs::read_to_string(workspace().join("Cargo.lock")).unwrap();
    let mut graph = BTreeMap::new();
    for package in lock.split("[[package]]").skip(1) {
        let name = package
            .lines()
            .find_map(|l| l.strip_prefix("name = \""))
            .map(|n| n.trim_end_matches('"').to_string())
            .unwrap();
        let deps = match package.find("dependencies = [") {
            Some(at) => package[at..]
                .split('"')
                .skip(1)
                .step_by(2)
                // "name version" when several versions are locked
                .map(|d| d.split(' ').next().unwrap().to_string())
                .collect(),
            None => Vec::new(),
        };
        graph.insert(name, deps);
    }
    graph
}

fn closure(graph: &BTreeMap<String, Vec<String>>, root: &str) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut todo = vec![root.to_string()];
    while let Some(p) = todo.pop() {
        if seen.insert(p.clone()) {
            todo.extend(graph.get(&p).cloned().unwrap_or_default());
        }
    }
    seen
}

#[test]
fn the_ranking_engine_and_the_domain_need_no_runtime_web_store_or_http() {
    let graph = lock_graph();
    let forbidden = [
        "tokio",
        "actix-web",
        "actix-rt",
        "mio",
        "hyper",
        "reqwest",
        "qdrant-client",
        "qdrant-edge",
        "tonic",
        "tch",
        "rust-bert",
        "copmatch-core",
        "copmatch-store",
        "copmatch-embed",
    ];
    for root in ["copmatch-ranking", "copmatch-domain"] {
        let all = closure(&graph, root);
        assert!(all.len() > 3, "{root} is not in Cargo.lock");
        let bad: Vec<&&str> = forbidden.iter().filter(|f| all.contains(**f)).collect();
        assert!(bad.is_empty(), "{root} depends on {bad:?}");
    }
}
