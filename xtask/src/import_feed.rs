//! `cargo xtask import-feed <file>`: reads an RSS 2.0 or Atom feed and writes one content entry per
//! post to `content/writing/<slug>.toml`. A post's author decides how the site shows it: anyone
//! other than the site's owner is credited as recommended reading. Re-importing keeps the summary
//! we wrote for a post; a post that would take another post's file (same slug, another link) is
//! refused.

use crate::{
    cmd::{root, Result},
    content,
};
use content_build::feed;
use site_content::Post;
use std::{fs, path::Path};

pub fn run(args: &[String]) -> Result {
    let [file] = args else {
        return Err("usage: cargo xtask import-feed <feed.xml>".into());
    };
    let xml = fs::read(file).map_err(|e| format!("{file}: {e}"))?;
    let owner = content::load()?.identity.name;
    let entries = feed::import(&xml, &owner).map_err(|e| format!("{file}: {e}"))?;
    let dir = root().join("content/writing");
    fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let slugs = feed::slugs(&entries).map_err(|e| format!("{file}: {e}"))?;
    for (entry, slug) in entries.iter().zip(slugs) {
        let path = dir.join(format!("{slug}.toml"));
        let existing = existing_post(&path);
        if let Some(other) = existing.as_ref().filter(|p| p.link != entry.link) {
            return Err(format!(
                "{file}: {:?} would overwrite {} ({:?}, {}), another post with the same slug; \
                 retitle one of them",
                entry.title,
                path.display(),
                other.title,
                other.link
            ));
        }
        let post = Post {
            slug,
            title: entry.title.clone(),
            date: entry.date.clone(),
            author: entry.author.clone(),
            by_owner: entry.by_owner,
            tags: entry.tags.clone(),
            link: entry.link.clone(),
            reading_minutes: entry.reading_minutes,
            excerpt: entry.excerpt.clone(),
            summary: existing.as_ref().and_then(|p| p.summary.clone()),
            lab: existing.and_then(|p| p.lab),
        };
        let text = toml::to_string(&post).map_err(|e| e.to_string())?;
        let header =
            "# Imported by `cargo xtask import-feed`; only `summary` and `lab` are written by hand.\n";
        fs::write(&path, format!("{header}{text}"))
            .map_err(|e| format!("{}: {e}", path.display()))?;
        let whose = if post.by_owner {
            "own post"
        } else {
            "recommended reading"
        };
        eprintln!("xtask: {} ({whose}, by {})", path.display(), post.author);
    }
    Ok(())
}

/// The post already at `path`, if it reads as one.
fn existing_post(path: &Path) -> Option<Post> {
    let text = fs::read_to_string(path).ok()?;
    toml::from_str::<Post>(&text).ok()
}
