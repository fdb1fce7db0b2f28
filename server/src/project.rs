//! Projects: a folder with a `ward.toml` manifest naming the package, its
//! version, its entry file, its path dependencies and formatter settings;
//! `ward.lock` records the packages a build used. Only path dependencies
//! exist: there is no registry (the reference says so).
//!
//! ```toml
//! [package]
//! name = "vitals"
//! version = "0.1.0"
//! entry = "src/main.ward"      # the default
//!
//! [dependencies]
//! hl7util = { path = "../hl7util" }
//!
//! [format]
//! max_width = 100              # the default
//! ```

use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

pub const MANIFEST: &str = "ward.toml";

/// The range `[format] max_width` may take.
const MIN_WIDTH: usize = 20;
const MAX_WIDTH: usize = 1000;
pub const LOCK: &str = "ward.lock";

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub package: PackageMeta,
    #[serde(default)]
    pub dependencies: BTreeMap<String, Dependency>,
    #[serde(default)]
    pub format: FormatSettings,
}

/// `[format]`: how `ward fmt` and the editor format the project's files.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormatSettings {
    /// Lines longer than this are broken (default 100, as rustfmt's).
    pub max_width: Option<usize>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackageMeta {
    pub name: String,
    pub version: String,
    #[serde(default = "default_entry")]
    pub entry: String,
}

fn default_entry() -> String {
    "src/main.ward".into()
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dependency {
    pub path: String,
}

/// A package of a project: the root or one it depends on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Package {
    pub name: String,
    pub version: String,
    /// The folder holding its `ward.toml`.
    pub dir: PathBuf,
    pub entry: PathBuf,
    /// The names of the packages it depends on directly.
    pub dependencies: Vec<String>,
}

/// A loaded project: its root package and every package it depends on,
/// directly or not (each once, in dependency order).
#[derive(Debug, Clone)]
pub struct Project {
    pub root: Package,
    pub dependencies: Vec<Package>,
    pub format: ward_compiler::format::Options,
}

/// The folder of the nearest `ward.toml` at or above `start`.
pub fn find(start: &Path) -> Option<PathBuf> {
    let start = std::fs::canonicalize(start).ok()?;
    start
        .ancestors()
        .find(|dir| dir.join(MANIFEST).is_file())
        .map(Path::to_path_buf)
}

/// Whether `name` can name a package (it is used as a path: `name::item`).
pub fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// `MAJOR.MINOR.PATCH`, each a number.
fn valid_version(version: &str) -> bool {
    let parts: Vec<&str> = version.split('.').collect();
    parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
}

/// Reads and checks the manifest in `dir`.
pub fn read_manifest(dir: &Path) -> Result<Manifest, String> {
    let path = dir.join(MANIFEST);
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let manifest: Manifest = toml::from_str(&text)
        .map_err(|e| format!("{}: {}", path.display(), e.to_string().trim_end()))?;
    let name = &manifest.package.name;
    if !valid_name(name) {
        return Err(format!(
            "{}: package name `{name}` is not a valid name (lower-case letters, digits and `_`, not starting with a digit)",
            path.display()
        ));
    }
    if !valid_version(&manifest.package.version) {
        return Err(format!(
            "{}: version `{}` is not of the form MAJOR.MINOR.PATCH",
            path.display(),
            manifest.package.version
        ));
    }
    if let Some(width) = manifest.format.max_width
        && !(MIN_WIDTH..=MAX_WIDTH).contains(&width)
    {
        return Err(format!(
            "{}: format.max_width = {width} is outside {MIN_WIDTH}..={MAX_WIDTH}",
            path.display()
        ));
    }
    for dep in manifest.dependencies.keys() {
        if !valid_name(dep) {
            return Err(format!(
                "{}: dependency name `{dep}` is not a valid name",
                path.display()
            ));
        }
    }
    Ok(manifest)
}

fn package_of(dir: &Path, manifest: &Manifest) -> Package {
    Package {
        name: manifest.package.name.clone(),
        version: manifest.package.version.clone(),
        dir: dir.to_path_buf(),
        entry: dir.join(&manifest.package.entry),
        dependencies: manifest.dependencies.keys().cloned().collect(),
    }
}

/// Loads the project in `dir` and resolves its path dependencies: each
/// must hold a `ward.toml` naming the package as the dependency does; a
/// cycle, or two packages of one name in different folders, is an error.
pub fn load(dir: &Path) -> Result<Project, String> {
    let dir =
        std::fs::canonicalize(dir).map_err(|e| format!("cannot open {}: {e}", dir.display()))?;
    let manifest = read_manifest(&dir)?;
    let root = package_of(&dir, &manifest);
    let mut resolved: Vec<Package> = Vec::new();
    let mut stack = vec![root.name.clone()];
    resolve(&dir, &manifest, &mut stack, &mut resolved)?;
    Ok(Project {
        root,
        dependencies: resolved,
        format: ward_compiler::format::Options {
            max_width: manifest
                .format
                .max_width
                .unwrap_or(ward_compiler::format::DEFAULT_MAX_WIDTH),
        },
    })
}

fn resolve(
    dir: &Path,
    manifest: &Manifest,
    stack: &mut Vec<String>,
    resolved: &mut Vec<Package>,
) -> Result<(), String> {
    for (name, dep) in &manifest.dependencies {
        let dep_dir = dir.join(&dep.path);
        let dep_dir = std::fs::canonicalize(&dep_dir).map_err(|e| {
            format!(
                "dependency `{name}` of `{}`: cannot open {}: {e}",
                manifest.package.name,
                dep_dir.display()
            )
        })?;
        if stack.contains(name) {
            return Err(format!(
                "dependency cycle: {} -> {name}",
                stack.join(" -> ")
            ));
        }
        if let Some(seen) = resolved.iter().find(|p| p.name == *name) {
            if seen.dir != dep_dir {
                return Err(format!(
                    "two packages named `{name}`: {} and {}",
                    seen.dir.display(),
                    dep_dir.display()
                ));
            }
            continue;
        }
        let dep_manifest = read_manifest(&dep_dir)?;
        if dep_manifest.package.name != *name {
            return Err(format!(
                "dependency `{name}` of `{}` points at {}, whose package is named `{}`",
                manifest.package.name,
                dep_dir.display(),
                dep_manifest.package.name
            ));
        }
        stack.push(name.clone());
        resolve(&dep_dir, &dep_manifest, stack, resolved)?;
        stack.pop();
        resolved.push(package_of(&dep_dir, &dep_manifest));
    }
    Ok(())
}

impl Project {
    /// The packages a program of this project sees, as the compiler takes
    /// them: every dependency, and for a program other than the entry (a
    /// test file, an example) the project's own package too.
    pub fn packages_for(&self, with_self: bool) -> Vec<ward_compiler::resolve::Package> {
        let mut out: Vec<ward_compiler::resolve::Package> = self
            .dependencies
            .iter()
            .map(|p| ward_compiler::resolve::Package {
                name: p.name.clone(),
                entry: p.entry.clone(),
            })
            .collect();
        if with_self {
            out.push(ward_compiler::resolve::Package {
                name: self.root.name.clone(),
                entry: self.root.entry.clone(),
            });
        }
        out
    }

    /// The text of `ward.lock` for this project: every package, sorted by
    /// name, with its version, folder (relative to the project) and
    /// direct dependencies.
    pub fn lock_text(&self) -> String {
        let mut text = String::from(
            "# Written by `ward`: the packages this project was built with.\n# Do not edit it by hand.\nversion = 1\n",
        );
        let mut all: Vec<&Package> = std::iter::once(&self.root)
            .chain(&self.dependencies)
            .collect();
        all.sort_by(|a, b| a.name.cmp(&b.name));
        for p in all {
            let _ = write!(
                text,
                "\n[[package]]\nname = {}\nversion = {}\nsource = {}\n",
                quote(&p.name),
                quote(&p.version),
                quote(&format!("path+{}", relative(&self.root.dir, &p.dir)))
            );
            if !p.dependencies.is_empty() {
                let deps: Vec<String> = p.dependencies.iter().map(|d| quote(d)).collect();
                let _ = writeln!(text, "dependencies = [{}]", deps.join(", "));
            }
        }
        text
    }

    /// Writes `ward.lock` when its content changes, through a temporary
    /// file renamed into place (never half written).
    pub fn write_lock(&self) -> Result<(), String> {
        let path = self.root.dir.join(LOCK);
        let text = self.lock_text();
        if std::fs::read_to_string(&path).is_ok_and(|old| old == text) {
            return Ok(());
        }
        write_atomically(&path, text.as_bytes())
    }

    /// Every `.ward` file of the project's own folders (`src`, `tests`,
    /// `examples`), sorted.
    pub fn source_files(&self) -> Vec<PathBuf> {
        let mut out = Vec::new();
        for sub in ["src", "tests", "examples"] {
            collect_ward_files(&self.root.dir.join(sub), &mut out);
        }
        if !out.contains(&self.root.entry) && self.root.entry.is_file() {
            out.push(self.root.entry.clone());
        }
        out.sort();
        out
    }

    /// The test programs: the entry, then each file in `tests/`.
    pub fn test_programs(&self) -> Vec<PathBuf> {
        let mut tests = Vec::new();
        collect_ward_files(&self.root.dir.join("tests"), &mut tests);
        tests.sort();
        std::iter::once(self.root.entry.clone())
            .chain(tests)
            .collect()
    }
}

/// The project a source file belongs to, if any, and the packages its
/// program sees: the project's dependencies, and the project's own package
/// unless the file is its entry.
pub fn packages_for_file(
    file: &Path,
) -> Result<(Option<Project>, Vec<ward_compiler::resolve::Package>), String> {
    let dir = file
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let Some(root) = find(dir) else {
        return Ok((None, Vec::new()));
    };
    let project = load(&root)?;
    let is_entry = std::fs::canonicalize(file).is_ok_and(|f| f == project.root.entry);
    let packages = project.packages_for(!is_entry);
    Ok((Some(project), packages))
}

/// How to format `file`: its project's `[format]` settings, or the
/// defaults outside a project (or when the manifest does not load).
pub fn format_options_for(file: &Path) -> ward_compiler::format::Options {
    let dir = file
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    find(dir)
        .and_then(|root| load(&root).ok())
        .map(|p| p.format)
        .unwrap_or_default()
}

fn collect_ward_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        match entry.file_type() {
            Ok(t) if t.is_dir() => collect_ward_files(&path, out),
            Ok(t) if t.is_file() && path.extension().is_some_and(|e| e == "ward") => out.push(path),
            _ => {}
        }
    }
}

/// A TOML basic string.
fn quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `to` relative to `from`, with `/` separators (`.` for the same folder).
fn relative(from: &Path, to: &Path) -> String {
    let from: Vec<_> = from.components().collect();
    let to: Vec<_> = to.components().collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> =
        std::iter::repeat_n("..".to_string(), from.len() - common).collect();
    parts.extend(
        to[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    if parts.is_empty() {
        ".".into()
    } else {
        parts.join("/")
    }
}

/// Writes `bytes` to `path` through a temporary file in the same folder
/// renamed into place.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let name = path
        .file_name()
        .map_or_else(|| "file".into(), |n| n.to_string_lossy().into_owned());
    let tmp = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    std::fs::write(&tmp, bytes)
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            format!("cannot write {}: {e}", path.display())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_versions() {
        assert!(valid_name("vitals") && valid_name("hl7_util2") && valid_name("_x"));
        assert!(
            !valid_name("Vitals") && !valid_name("2x") && !valid_name("a-b") && !valid_name("")
        );
        assert!(valid_version("0.1.0") && !valid_version("1.0") && !valid_version("1.x.0"));
    }

    #[test]
    fn relative_paths() {
        assert_eq!(relative(Path::new("/a/b"), Path::new("/a/c/d")), "../c/d");
        assert_eq!(relative(Path::new("/a/b"), Path::new("/a/b")), ".");
    }

    #[test]
    fn the_manifest_rejects_unknown_keys() {
        let err = toml::from_str::<Manifest>(
            "[package]\nname = \"a\"\nversion = \"0.1.0\"\nentri = \"x\"\n",
        )
        .map(|_| ())
        .map_err(|e| e.to_string());
        assert!(err.is_err_and(|e| e.contains("entri")));
    }
}
