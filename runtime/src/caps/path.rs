//! Where a path really leads: made absolute, `.` and `..` applied, and every
//! symbolic link on the way followed — dangling ones too, since writing
//! through a dangling link creates its target — so that a scoped `fs` grant
//! compares the place the operating system will touch, not the text.

use std::collections::VecDeque;
use std::ffi::OsString;
use std::path::{Component, Path, PathBuf};

/// Links followed before giving up, as Linux's `ELOOP` (40).
const MAX_LINKS: usize = 40;

/// The absolute, link-free path `path` (relative to the current directory)
/// leads to. Components that do not exist are taken as written; a `..`
/// after one steps back over it, as it would once it existed.
pub fn resolve(path: &Path) -> std::io::Result<PathBuf> {
    let mut pending: VecDeque<Component<'_>> = VecDeque::new();
    let cwd;
    if !path.is_absolute() {
        cwd = std::env::current_dir()?;
        pending.extend(cwd.components());
    }
    pending.extend(path.components());
    // Link targets are owned; their components are queued as owned names.
    let mut owned: VecDeque<OwnedComponent> =
        pending.into_iter().map(OwnedComponent::from).collect();
    let mut out = PathBuf::from("/");
    let mut links = 0;
    while let Some(c) = owned.pop_front() {
        match c {
            OwnedComponent::Root(root) => out = root,
            OwnedComponent::Current => {}
            OwnedComponent::Parent => {
                out.pop();
            }
            OwnedComponent::Normal(name) => {
                let candidate = out.join(&name);
                match std::fs::symlink_metadata(&candidate) {
                    Ok(meta) if meta.file_type().is_symlink() => {
                        links += 1;
                        if links > MAX_LINKS {
                            return Err(std::io::Error::other(format!(
                                "more than {MAX_LINKS} symbolic links in {}",
                                path.display()
                            )));
                        }
                        let target = std::fs::read_link(&candidate)?;
                        for c in target.components().rev() {
                            owned.push_front(OwnedComponent::from(c));
                        }
                    }
                    _ => out = candidate,
                }
            }
        }
    }
    Ok(out)
}

enum OwnedComponent {
    /// Where an absolute path starts (`/`, or a Windows prefix).
    Root(PathBuf),
    Current,
    Parent,
    Normal(OsString),
}

impl From<Component<'_>> for OwnedComponent {
    fn from(c: Component<'_>) -> OwnedComponent {
        match c {
            Component::Prefix(p) => OwnedComponent::Root(PathBuf::from(p.as_os_str())),
            Component::RootDir => OwnedComponent::Root(PathBuf::from("/")),
            Component::CurDir => OwnedComponent::Current,
            Component::ParentDir => OwnedComponent::Parent,
            Component::Normal(n) => OwnedComponent::Normal(n.to_os_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("ward-caps-path-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("inside/sub")).expect("scratch dirs");
        std::fs::create_dir_all(dir.join("outside")).expect("scratch dirs");
        resolve(&dir).expect("resolvable")
    }

    #[test]
    fn dots_and_missing_parts_resolve_as_the_os_would() {
        let d = scratch("dots");
        assert_eq!(
            resolve(&d.join("inside/./sub/../x.txt")).ok(),
            Some(d.join("inside/x.txt"))
        );
        assert_eq!(
            resolve(&d.join("inside/../outside/y")).ok(),
            Some(d.join("outside/y"))
        );
        assert_eq!(
            resolve(&d.join("inside/new/../../outside")).ok(),
            Some(d.join("outside"))
        );
        assert_eq!(resolve(Path::new("/../..")).ok(), Some(PathBuf::from("/")));
        let _ = std::fs::remove_dir_all(&d);
    }

    #[cfg(unix)]
    #[test]
    fn links_are_followed_dangling_or_not() {
        let d = scratch("links");
        std::os::unix::fs::symlink(d.join("outside"), d.join("inside/to_out")).expect("link");
        std::os::unix::fs::symlink("../outside/later.txt", d.join("inside/dangling"))
            .expect("link");
        std::os::unix::fs::symlink("loop_b", d.join("inside/loop_a")).expect("link");
        std::os::unix::fs::symlink("loop_a", d.join("inside/loop_b")).expect("link");
        assert_eq!(
            resolve(&d.join("inside/to_out/f")).ok(),
            Some(d.join("outside/f"))
        );
        assert_eq!(
            resolve(&d.join("inside/dangling")).ok(),
            Some(d.join("outside/later.txt"))
        );
        // `..` after a link steps back from where the link led.
        assert_eq!(
            resolve(&d.join("inside/to_out/../inside")).ok(),
            Some(d.join("inside"))
        );
        assert!(resolve(&d.join("inside/loop_a")).is_err());
        let _ = std::fs::remove_dir_all(&d);
    }
}
