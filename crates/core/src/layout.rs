//! The layout rules of the architecture guide, checked on the sources so that a new module is
//! born in them: every SQL text in a store (or the engine's `db/`), no source file over 900
//! lines outside its tests, a `//!` paragraph opening every file, and templates with one CSRF
//! field and no line over 200 characters. The rules are read by a
//! test rather than a review because each was broken quietly before, one file at a time.

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    const MAX_LINES: usize = 900;

    /// Every file below `dir` (with the extension, when one is given).
    fn files(dir: &Path, ext: Option<&str>, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                files(&p, ext, out);
            } else if ext.is_none_or(|x| p.extension().is_some_and(|e| e == x)) {
                out.push(p);
            }
        }
    }

    /// The core's and the web crate's sources, with their path below `crates/`.
    fn sources() -> Vec<(String, String)> {
        let crates = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut files = Vec::new();
        for dir in ["core/src", "web/src"] {
            self::files(&crates.join(dir), Some("rs"), &mut files);
        }
        files.sort();
        files
            .into_iter()
            .map(|p| {
                let name = p
                    .strip_prefix(&crates)
                    .unwrap_or(&p)
                    .to_string_lossy()
                    .replace('\\', "/");
                (name, std::fs::read_to_string(&p).unwrap_or_default())
            })
            .collect()
    }

    /// The part of a file that is not its tests.
    fn non_test(name: &str, src: &str) -> String {
        if name.ends_with("/tests.rs") {
            return String::new();
        }
        match src.find("#[cfg(test)]\nmod tests") {
            Some(i) => src[..i].to_string(),
            None => src.to_string(),
        }
    }

    /// Whether a string literal starting at `rest` (just after its quote) is an SQL statement.
    fn is_sql(rest: &str) -> bool {
        let s = rest.trim_start_matches([' ', '\\', '\n']);
        let word = |w: &str| s.starts_with(w);
        if word("SELECT ") || word("INSERT INTO ") || word("DELETE FROM ") {
            return true;
        }
        let words: Vec<&str> = s.split_whitespace().take(4).collect();
        matches!(
            words.as_slice(),
            ["UPDATE", _, "SET", ..] | ["UPDATE", _, _, "SET"] | ["WITH", _, "AS", ..]
        )
    }

    fn sql_lines(src: &str) -> Vec<usize> {
        let mut hits = Vec::new();
        for (n, line) in src.lines().enumerate() {
            if line.trim_start().starts_with("//") {
                continue;
            }
            let mut from = 0;
            while let Some(i) = line[from..].find('"') {
                let at = from + i + 1;
                // The literal may go on over the next lines; what matters is how it starts.
                let rest: String = src
                    .lines()
                    .skip(n)
                    .collect::<Vec<_>>()
                    .join("\n")
                    .get(at..)
                    .unwrap_or("")
                    .chars()
                    .take(40)
                    .collect();
                if is_sql(&rest) {
                    hits.push(n + 1);
                    break;
                }
                from = at;
            }
        }
        hits
    }

    #[test]
    fn every_sql_text_is_in_a_store() {
        let mut stray = Vec::new();
        for (name, src) in sources() {
            if name.contains("/store") || name.starts_with("core/src/db/") {
                continue;
            }
            for line in sql_lines(&non_test(&name, &src)) {
                stray.push(format!("{name}:{line}"));
            }
        }
        assert!(stray.is_empty(), "SQL outside a store: {stray:?}");
    }

    #[test]
    fn no_source_file_is_over_900_lines() {
        let big: Vec<String> = sources()
            .into_iter()
            .filter_map(|(name, src)| {
                let n = non_test(&name, &src).lines().count();
                (n > MAX_LINES).then(|| format!("{name} ({n} lines)"))
            })
            .collect();
        assert!(big.is_empty(), "split along a real seam: {big:?}");
    }

    #[test]
    fn every_file_says_what_it_owns() {
        let silent: Vec<String> = sources()
            .into_iter()
            .filter(|(_, src)| !src.starts_with("//!"))
            .map(|(name, _)| name)
            .collect();
        assert!(silent.is_empty(), "no //! paragraph: {silent:?}");
    }

    #[test]
    fn templates_keep_one_csrf_field_short_lines_and_no_inline_script() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../web/templates");
        let mut found_files = Vec::new();
        files(&dir, None, &mut found_files);
        let files = found_files;
        assert!(
            !files.is_empty(),
            "templates not found at {}",
            dir.display()
        );
        let mut found = Vec::new();
        for p in files {
            let src = std::fs::read_to_string(&p).unwrap_or_default();
            let name = p.strip_prefix(&dir).unwrap_or(&p).display().to_string();
            for (n, line) in src.lines().enumerate() {
                if line.chars().count() > 200 {
                    found.push(format!("{name}:{}: over 200 characters", n + 1));
                }
                if line.contains("name=\"_csrf\"") && !name.ends_with("parts/csrf.html") {
                    found.push(format!("{name}:{}: include parts/csrf.html", n + 1));
                }
                // The security policy blocks inline handlers: a button with one does nothing.
                if [
                    " onclick=",
                    " onchange=",
                    " onsubmit=",
                    " onload=",
                    "<script>",
                ]
                .iter()
                .any(|h| line.contains(h))
                {
                    found.push(format!(
                        "{name}:{}: inline script, use static/app.js",
                        n + 1
                    ));
                }
            }
        }
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn the_checks_see_sql() {
        assert!(is_sql("SELECT id FROM units"));
        assert!(is_sql("\\\n    INSERT INTO charges (id) VALUES ($1)"));
        assert!(is_sql("UPDATE units SET note = $1"));
        assert!(is_sql("UPDATE units u SET note = $1"));
        assert!(is_sql("WITH due AS (SELECT 1) SELECT * FROM due"));
        assert!(!is_sql("Select a unit"));
        assert!(!is_sql("UPDATE the page"));
        let src = "fn f() {\n    let q = \"SELECT 1\";\n}\n";
        assert_eq!(sql_lines(src), vec![2]);
    }
}
