//! The architecture's invariants that the compiler does not check by itself, read from the sources
//! (rust-analyzer's "tidy" tests): which crate may know what, and which modules may not import
//! each other.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// The Rust files under a directory, with their text.
fn sources(rel: &str) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    let mut dirs = vec![root().join(rel)];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display())) {
            let p = e.unwrap().path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                let text = std::fs::read_to_string(&p).unwrap();
                out.push((p, text));
            }
        }
    }
    out
}

/// The dependency names a crate's manifest lists under `[dependencies]`.
fn dependencies(krate: &str) -> Vec<String> {
    let toml = read(&format!("crates/{krate}/Cargo.toml"));
    let deps = toml
        .split("\n[dependencies]\n")
        .nth(1)
        .unwrap_or_default()
        .split("\n[")
        .next()
        .unwrap_or_default()
        .to_string();
    deps.lines()
        .filter_map(|l| l.split(['.', ' ', '=']).next())
        .filter(|n| !n.is_empty() && !n.starts_with('#'))
        .map(str::to_string)
        .collect()
}

/// No face reaches the store: the web layer's only way to data is an authorised use case of
/// `boj-app`, and the build enforces it.
#[test]
fn the_web_layer_has_no_access_to_the_store() {
    let deps = dependencies("web");
    assert!(deps.contains(&"boj-app".to_string()), "{deps:?}");
    assert!(!deps.iter().any(|d| d == "boj-store"), "{deps:?}");
    for (p, text) in sources("crates/web/src") {
        assert!(
            !text.contains("boj_store"),
            "{} names the store",
            p.display()
        );
    }
}

/// `boj-app` speaks domain types: it knows neither HTTP nor JSON wire types nor templates.
#[test]
fn the_use_cases_know_nothing_of_http() {
    let deps = dependencies("app");
    for web in [
        "axum",
        "axum-extra",
        "askama",
        "utoipa",
        "tower",
        "tower-http",
        "boj-web",
    ] {
        assert!(!deps.iter().any(|d| d == web), "boj-app depends on {web}");
    }
}

/// The pure crates do no I/O: no database, no runtime.
#[test]
fn the_rules_are_pure() {
    for krate in ["domain", "rapport"] {
        let deps = dependencies(krate);
        for io in ["tokio", "sqlx", "boj-store", "boj-app", "reqwest"] {
            assert!(!deps.iter().any(|d| d == io), "boj-{krate} depends on {io}");
        }
    }
}

/// Pages and the API each call the use cases; neither imports the other, so a rule cannot
/// settle in one face and be missed by the other.
#[test]
fn pages_and_the_api_do_not_import_each_other() {
    for (p, text) in sources("crates/web/src/pages") {
        assert!(
            !text.contains("crate::api"),
            "{} imports the API",
            p.display()
        );
    }
    for (p, text) in sources("crates/web/src/api") {
        assert!(
            !text.contains("crate::pages"),
            "{} imports the pages",
            p.display()
        );
    }
}

/// The command line and the demo start from `start.rs`; the demo does not import the command
/// line that calls it.
#[test]
fn the_demo_and_the_command_line_form_no_circle() {
    for f in ["demo.rs", "demo_arenden.rs", "start.rs"] {
        let text = read(&format!("crates/boj/src/{f}"));
        assert!(!text.contains("crate::cli"), "{f} imports cli.rs");
    }
}

/// On SQLite every write goes through the store's writer queue (`Store::begin`): a write beside
/// it lets a queued transaction that has already read fail at once with "database is locked"
/// (SQLite does not let a read transaction wait for the write lock). So no statement of the store
/// runs on the bare pool except reads and the maintenance in `lib.rs`.
#[test]
fn the_store_writes_only_through_its_writer_queue() {
    for (p, text) in sources("crates/store/src") {
        if p.ends_with("lib.rs") {
            continue;
        }
        for (i, line) in text.lines().enumerate() {
            if line.contains(".execute(store.pool())") {
                panic!("{}:{} writes on the bare pool", p.display(), i + 1);
            }
        }
    }
}

/// Nothing in the code or the templates is specific to one association or one county (issue 18):
/// no association's name and no municipality of the county the decision came from, by name or by
/// SCB code, outside the demo's sample data and the tests. A unit test module (from the first
/// `#[cfg(test)]` on) counts as a test; doc comments count as code.
#[test]
fn nothing_in_code_or_templates_names_one_association_or_county() {
    let csv = read("crates/domain/data/kommuner.csv");
    // Whole words (a name also in the genitive: "Östersunds"), and parts of words.
    let delar = ["Brottsofferjour", "Jämtland", "Västernorrland"];
    let mut forbjudna: Vec<String> = vec!["BOJ".into()];
    for rad in csv.lines() {
        let f: Vec<&str> = rad.split(',').collect();
        if f.len() >= 3 && (f[2] == "23" || f[2] == "22") {
            forbjudna.push(f[0].to_string());
            forbjudna.push(f[1].to_string());
        }
    }
    let ord = |text: &str, w: &str| {
        text.match_indices(w).any(|(i, _)| {
            let fore = text[..i].chars().next_back();
            let rest = &text[i + w.len()..];
            let rest = rest.strip_prefix('s').unwrap_or(rest);
            let efter = rest.chars().next();
            // `BOJ_DATABASE_URL` is the product's own name, not the association's.
            let del = |c: char| c.is_alphanumeric() || c == '_';
            !fore.is_some_and(del) && !efter.is_some_and(del)
        })
    };
    let mut filer: Vec<(PathBuf, String)> = Vec::new();
    for krate in ["domain", "rapport", "render", "store", "app", "web", "boj"] {
        for (p, text) in sources(&format!("crates/{krate}/src")) {
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            if krate == "boj" && name.starts_with("demo") {
                continue;
            }
            let kod = text
                .split("#[cfg(test)]")
                .next()
                .unwrap_or_default()
                .to_string();
            filer.push((p, kod));
        }
    }
    for dir in [
        "crates/web/templates",
        "crates/render/templates",
        "crates/web/static",
    ] {
        for e in std::fs::read_dir(root().join(dir)).unwrap() {
            let p = e.unwrap().path();
            if p.is_file() {
                let text = std::fs::read_to_string(&p).unwrap_or_default();
                filer.push((p, text));
            }
        }
    }
    let mut fynd = Vec::new();
    for (p, text) in &filer {
        for d in delar {
            if text.contains(d) {
                fynd.push(format!(
                    "{}: {d}",
                    p.strip_prefix(root()).unwrap_or(p).display()
                ));
            }
        }
        for w in &forbjudna {
            if ord(text, w) {
                fynd.push(format!(
                    "{}: {w}",
                    p.strip_prefix(root()).unwrap_or(p).display()
                ));
            }
        }
    }
    assert!(filer.len() > 50, "{} files read", filer.len());
    assert!(
        fynd.is_empty(),
        "code or templates name one county or association:\n{}",
        fynd.join("\n")
    );
}
