//! What a runner allows: `--allow fs,clock`, `--allow-all`, and scoped
//! entries as Deno has them — `fs=/var/ward/feeds` (file access only inside
//! that directory tree, after `..` and symbolic links are resolved) and
//! `net=127.0.0.1:2575` (connections only to that host and port).

use super::{CapSet, Capability};
use std::path::{Path, PathBuf};

/// A host and, optionally, one port a scoped `net` grant allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetRule {
    /// Lower case; an IPv6 address without its brackets.
    pub host: String,
    /// `None`: any port.
    pub port: Option<u16>,
}

impl std::fmt::Display for NetRule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        match self.port {
            Some(p) => write!(f, "{host}:{p}"),
            None => f.write_str(&host),
        }
    }
}

/// The capabilities a task starts with, and the scopes that narrow `fs`
/// and `net`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Grant {
    caps: CapSet,
    /// With `fs` granted: `None` is everywhere, `Some` only these
    /// (resolved) directory trees.
    fs_roots: Option<Vec<PathBuf>>,
    /// With `net` granted: `None` is any address.
    net_rules: Option<Vec<NetRule>>,
}

impl Grant {
    /// Nothing: what a runner grants unless told otherwise.
    pub fn none() -> Grant {
        Grant::default()
    }

    /// Every capability, unscoped (`--allow-all`).
    pub fn all() -> Grant {
        Grant {
            caps: CapSet::ALL,
            ..Grant::default()
        }
    }

    /// These capabilities, unscoped.
    pub fn of(caps: CapSet) -> Grant {
        Grant {
            caps,
            ..Grant::default()
        }
    }

    /// One `--allow` value: capabilities separated by commas, each bare
    /// (`clock`) or scoped (`fs=/var/ward/feeds`, `net=127.0.0.1:2575`).
    /// A scoped directory is resolved now, against the current directory.
    pub fn parse(spec: &str) -> Result<Grant, String> {
        let mut grant = Grant::none();
        for entry in spec.split(',').map(str::trim) {
            if entry.is_empty() {
                continue;
            }
            let (name, scope) = match entry.split_once('=') {
                Some((n, s)) => (n.trim(), Some(s.trim())),
                None => (entry, None),
            };
            let Some(cap) = Capability::from_name(name) else {
                return Err(format!(
                    "unknown capability `{name}` (the capabilities are {})",
                    Capability::ALL.map(Capability::name).join(", ")
                ));
            };
            let mut one = Grant::of(CapSet::EMPTY.with(cap));
            match (cap, scope) {
                (_, None) => {}
                (_, Some("")) => return Err(format!("`{name}=` needs a scope after the `=`")),
                (Capability::Fs, Some(dir)) => {
                    let root = super::resolve_path(Path::new(dir))
                        .map_err(|e| format!("cannot resolve `{dir}`: {e}"))?;
                    one.fs_roots = Some(vec![root]);
                }
                (Capability::Net, Some(address)) => {
                    one.net_rules = Some(vec![parse_net_rule(address)?]);
                }
                (_, Some(_)) => {
                    return Err(format!(
                        "`{name}` cannot be scoped; only `fs=DIR` and `net=HOST[:PORT]` can"
                    ));
                }
            }
            grant.merge(one);
        }
        Ok(grant)
    }

    /// Adds what `other` allows (an unscoped grant of a capability wins
    /// over scoped ones).
    pub fn merge(&mut self, other: Grant) {
        fn scopes<T>(
            mine: Option<Vec<T>>,
            had: bool,
            theirs: Option<Vec<T>>,
            have: bool,
        ) -> Option<Vec<T>> {
            match (had, mine, have, theirs) {
                (true, None, _, _) | (_, _, true, None) => None,
                (true, Some(mut a), true, Some(b)) => {
                    a.extend(b);
                    Some(a)
                }
                (true, a, _, _) => a,
                (_, _, _, b) => b,
            }
        }
        self.fs_roots = scopes(
            self.fs_roots.take(),
            self.caps.contains(Capability::Fs),
            other.fs_roots,
            other.caps.contains(Capability::Fs),
        );
        self.net_rules = scopes(
            self.net_rules.take(),
            self.caps.contains(Capability::Net),
            other.net_rules,
            other.caps.contains(Capability::Net),
        );
        self.caps = self.caps.union(other.caps);
    }

    pub fn caps(&self) -> CapSet {
        self.caps
    }

    /// The directory trees `fs` is limited to (`None`: no limit).
    pub fn fs_roots(&self) -> Option<&[PathBuf]> {
        self.fs_roots.as_deref()
    }

    /// The addresses `net` is limited to (`None`: no limit).
    pub fn net_rules(&self) -> Option<&[NetRule]> {
        self.net_rules.as_deref()
    }

    /// Whether the file at `path` may be touched: `Err` says where it
    /// leads and what was granted. (The capability itself is checked at
    /// the call, before this.)
    pub fn check_path(&self, path: &str) -> Result<(), String> {
        let Some(roots) = &self.fs_roots else {
            return Ok(());
        };
        let resolved = super::resolve_path(Path::new(path))
            .map_err(|e| format!("access to {path:?} cannot be checked: {e}"))?;
        if roots.iter().any(|r| resolved.starts_with(r)) {
            return Ok(());
        }
        let shown = if Path::new(path) == resolved {
            format!("{path:?}")
        } else {
            format!(
                "{path:?} (which leads to {:?})",
                resolved.display().to_string()
            )
        };
        let granted: Vec<String> = roots
            .iter()
            .map(|r| format!("fs={}", r.display()))
            .collect();
        Err(format!(
            "access to {shown}, outside what was granted (`--allow {}`)",
            granted.join(",")
        ))
    }

    /// Whether `address` (`host:port`) may be connected to or listened on.
    pub fn check_net(&self, address: &str) -> Result<(), String> {
        let Some(rules) = &self.net_rules else {
            return Ok(());
        };
        let wanted = parse_net_rule(address)?;
        let allowed = rules
            .iter()
            .any(|r| r.host == wanted.host && (r.port.is_none() || r.port == wanted.port));
        if allowed {
            return Ok(());
        }
        let granted: Vec<String> = rules.iter().map(|r| format!("net={r}")).collect();
        Err(format!(
            "access to {address:?}, outside what was granted (`--allow {}`)",
            granted.join(",")
        ))
    }
}

/// `host`, `host:port`, `[v6]` or `[v6]:port`.
fn parse_net_rule(text: &str) -> Result<NetRule, String> {
    let bad = || format!("`{text}` is not an address (`HOST`, `HOST:PORT` or `[IPv6]:PORT`)");
    let (host, port) = if let Some(rest) = text.strip_prefix('[') {
        let (h, after) = rest.split_once(']').ok_or_else(bad)?;
        match after {
            "" => (h, None),
            _ => (h, Some(after.strip_prefix(':').ok_or_else(bad)?)),
        }
    } else {
        match text.rsplit_once(':') {
            Some((h, _)) if h.contains(':') => return Err(bad()),
            Some((h, p)) => (h, Some(p)),
            None => (text, None),
        }
    };
    if host.is_empty() || host.chars().any(char::is_whitespace) {
        return Err(bad());
    }
    let port = match port {
        Some(p) => Some(p.parse::<u16>().map_err(|_| bad())?),
        None => None,
    };
    Ok(NetRule {
        host: host.to_ascii_lowercase(),
        port,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_lists_grant_capabilities() {
        let g = Grant::parse("fs, clock").expect("valid");
        assert_eq!(g.caps().flag_list(), "fs,clock");
        assert_eq!(g.fs_roots(), None);
        assert!(Grant::parse("fs,bogus").is_err_and(|e| e.contains("unknown capability `bogus`")));
        assert!(Grant::parse("clock=/x").is_err_and(|e| e.contains("cannot be scoped")));
        assert!(Grant::parse("fs=").is_err());
        assert_eq!(Grant::parse("").expect("empty is nothing"), Grant::none());
    }

    #[test]
    fn unscoped_wins_and_scopes_add_up() {
        let mut g = Grant::parse("net=127.0.0.1:2575").expect("valid");
        g.merge(Grant::parse("net=LocalHost").expect("valid"));
        assert_eq!(g.net_rules().map(<[NetRule]>::len), Some(2));
        assert!(g.check_net("localhost:80").is_ok());
        assert!(g.check_net("127.0.0.1:2575").is_ok());
        assert!(
            g.check_net("127.0.0.1:2576")
                .is_err_and(|e| e.contains("\"127.0.0.1:2576\""))
        );
        assert!(g.check_net("10.0.0.1:2575").is_err());
        g.merge(Grant::parse("net").expect("valid"));
        assert_eq!(g.net_rules(), None);
        assert!(g.check_net("10.0.0.1:2575").is_ok());
        // A scope merged into an unscoped grant narrows nothing.
        g.merge(Grant::parse("net=a.example").expect("valid"));
        assert_eq!(g.net_rules(), None);
    }

    #[test]
    fn addresses_parse_like_urls_authorities() {
        let r = parse_net_rule("[::1]:2575").expect("valid");
        assert_eq!((r.host.as_str(), r.port), ("::1", Some(2575)));
        assert_eq!(r.to_string(), "[::1]:2575");
        assert!(parse_net_rule("::1").is_err());
        assert!(parse_net_rule("host:99999").is_err());
        assert!(parse_net_rule(":80").is_err());
        assert!(parse_net_rule("[::1").is_err());
    }

    #[test]
    fn scoped_paths_are_compared_where_they_lead() {
        let dir = std::env::temp_dir().join(format!("ward-grant-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("feeds")).expect("dirs");
        let spec = format!("fs={}", dir.join("feeds").display());
        let g = Grant::parse(&spec).expect("valid");
        let inside = dir.join("feeds/a.hl7");
        let outside = dir.join("feeds/../secret");
        assert!(g.check_path(&inside.display().to_string()).is_ok());
        let e = g
            .check_path(&outside.display().to_string())
            .expect_err("outside");
        assert!(e.contains("which leads to"), "{e}");
        assert!(e.contains("--allow fs="), "{e}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
