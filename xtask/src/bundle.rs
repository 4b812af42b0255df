//! `cargo xtask bundle`: what the site's own WebAssembly module is made of, by crate — the code
//! of each function, named by its (demangled) symbol in the module cargo built before
//! wasm-bindgen and wasm-opt, grouped by the crate its path starts with — and the size of what
//! ships. Printed by `cargo xtask test` after every build; the first-load budget itself is an
//! e2e test (it measures what Chromium fetches).

use crate::cmd::{root, Result};
use std::{collections::BTreeMap, fs, path::Path};

/// The crates listed by name; the rest are summed as "other".
const TOP_CRATES: usize = 12;

pub fn run(dist: &Path) -> Result {
    let module = root().join("target/wasm32-unknown-unknown/wasm-release/site.wasm");
    let bytes = fs::read(&module).map_err(|e| format!("{}: {e}", module.display()))?;
    let by_crate = code_by_crate(&bytes)?;
    let total: usize = by_crate.values().sum();
    let shipped = shipped_module(dist)?;
    println!(
        "bundle: site module {} KB raw / {} KB gzip as shipped; its code before wasm-opt by crate ({} KB):",
        shipped.0 / 1000,
        shipped.1 / 1000,
        total / 1000
    );
    let mut ranked: Vec<(&String, &usize)> = by_crate.iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let mut other = 0;
    for (i, (name, size)) in ranked.iter().enumerate() {
        if i < TOP_CRATES {
            println!(
                "bundle:   {:>5.1} %  {:>7} B  {name}",
                **size as f64 * 100.0 / total.max(1) as f64,
                size
            );
        } else {
            other += **size;
        }
    }
    if other > 0 {
        println!(
            "bundle:   {:>5.1} %  {:>7} B  ({} other crates)",
            other as f64 * 100.0 / total.max(1) as f64,
            other,
            ranked.len() - TOP_CRATES
        );
    }
    Ok(())
}

/// Code bytes per crate: every function body, attributed by its name in the `name` section.
fn code_by_crate(bytes: &[u8]) -> Result<BTreeMap<String, usize>> {
    use wasmparser::{Name, Parser, Payload};
    let mut imported = 0u32;
    let mut sizes: Vec<usize> = Vec::new();
    let mut names: BTreeMap<u32, String> = BTreeMap::new();
    for payload in Parser::new(0).parse_all(bytes) {
        match payload.map_err(|e| e.to_string())? {
            Payload::ImportSection(reader) => {
                for import in reader.into_imports() {
                    let import = import.map_err(|e| e.to_string())?;
                    if matches!(import.ty, wasmparser::TypeRef::Func(_)) {
                        imported += 1;
                    }
                }
            }
            Payload::CodeSectionEntry(body) => {
                let range = body.range();
                sizes.push(usize::try_from(range.end - range.start).unwrap_or(usize::MAX));
            }
            Payload::CustomSection(section) => {
                if let wasmparser::KnownCustom::Name(reader) = section.as_known() {
                    for name in reader {
                        if let Name::Function(map) = name.map_err(|e| e.to_string())? {
                            for naming in map {
                                let naming = naming.map_err(|e| e.to_string())?;
                                names.insert(naming.index, naming.name.to_string());
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
    if names.is_empty() {
        return Err("the site module has no name section to attribute code by".into());
    }
    let mut by_crate = BTreeMap::new();
    for (i, size) in sizes.into_iter().enumerate() {
        let index = imported + i as u32;
        let name = names
            .get(&index)
            .map(|n| rustc_demangle::demangle(n).to_string())
            .unwrap_or_default();
        *by_crate.entry(crate_of(&name)).or_insert(0) += size;
    }
    Ok(by_crate)
}

/// The crate a demangled symbol belongs to: its path's first segment, looking through trait
/// impls (`<T as a::B>::f` is `T`'s crate's code).
fn crate_of(symbol: &str) -> String {
    let path = symbol.trim_start_matches('<').trim_start_matches('&');
    let path = path.trim_start_matches("mut ").trim_start_matches("dyn ");
    let first = path
        .split([':', '<', ' ', '>', '(', '['])
        .find(|s| !s.is_empty())
        .unwrap_or("");
    match first {
        "" => "(unnamed)".into(),
        "core" | "alloc" | "std" | "dlmalloc" | "compiler_builtins" => "std (core, alloc)".into(),
        name if name.starts_with("__") || name.contains('.') => "(runtime and glue)".into(),
        name => name.into(),
    }
}

/// The shipped site module's size, raw and gzipped.
fn shipped_module(dist: &Path) -> Result<(usize, usize)> {
    let entries = fs::read_dir(dist).map_err(|e| format!("{}: {e}", dist.display()))?;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        if name.starts_with("site-") && name.ends_with("_bg.wasm") {
            let bytes = fs::read(entry.path()).map_err(|e| e.to_string())?;
            return Ok((bytes.len(), gzip_len(&bytes)?));
        }
    }
    Err(format!("{} has no site module", dist.display()))
}

fn gzip_len(bytes: &[u8]) -> Result<usize> {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes).map_err(|e| e.to_string())?;
    Ok(encoder.finish().map_err(|e| e.to_string())?.len())
}

#[cfg(test)]
mod tests {
    use super::crate_of;

    #[test]
    fn symbols_are_attributed_to_their_crate() {
        assert_eq!(crate_of("tachys::html::element::Foo::build"), "tachys");
        assert_eq!(
            crate_of("<leptos_router::A as tachys::Render>::build"),
            "leptos_router"
        );
        assert_eq!(crate_of("core::fmt::write"), "std (core, alloc)");
        assert_eq!(
            crate_of("<&mut serde_json::Ser as serde::Serializer>::x"),
            "serde_json"
        );
        assert_eq!(crate_of("__wbindgen_malloc"), "(runtime and glue)");
    }
}
