//! Editing an article's text and the fields around it.

use crate::article::{recheck, refresh_links};
use crate::context::{Pipeline, Result};
use crate::html;
use pressroom_domain::article::fit::slugify;
use pressroom_domain::keyword::MAX_PHRASE_CHARS;
use pressroom_domain::text::{ArticleBody, TextError, Title, line, slug};
use pressroom_domain::{AccountId, Content, ContentId};
use pressroom_store::ContentText;

/// Longest meta title an editor may save; the on-page check flags anything over 60.
const META_TITLE_EDIT_MAX: usize = 200;
/// Longest meta description an editor may save; the check wants 120-160.
const META_DESCRIPTION_EDIT_MAX: usize = 500;
const EXCERPT_EDIT_MAX: usize = 1000;

/// The fields as given (a form, a JSON body, CLI flags): `None` keeps the stored value.
#[derive(Debug, Clone, Copy, Default)]
pub struct ContentEditInput<'a> {
    pub title: Option<&'a str>,
    pub body_markdown: Option<&'a str>,
    pub meta_title: Option<&'a str>,
    pub meta_description: Option<&'a str>,
    pub slug: Option<&'a str>,
    pub excerpt: Option<&'a str>,
    pub primary_keyword: Option<&'a str>,
    /// With a new title: the slug is made from it (never silently: the editor asks).
    pub slug_from_title: bool,
}

/// An edit whose fields all parsed.
#[derive(Debug, Clone, Default)]
pub struct ContentEdit {
    title: Option<Title>,
    body: Option<ArticleBody>,
    meta_title: Option<String>,
    meta_description: Option<String>,
    slug: Option<String>,
    excerpt: Option<String>,
    primary_keyword: Option<String>,
    slug_from_title: bool,
}

impl ContentEdit {
    /// Parses the fields given; the error names the field at fault.
    pub fn parse(input: ContentEditInput<'_>) -> std::result::Result<ContentEdit, TextError> {
        let line_of = |field, v: Option<&str>, max| v.map(|v| line(field, v, max)).transpose();
        Ok(ContentEdit {
            title: input.title.map(Title::parse).transpose()?,
            body: input.body_markdown.map(ArticleBody::parse).transpose()?,
            meta_title: line_of("meta_title", input.meta_title, META_TITLE_EDIT_MAX)?,
            meta_description: line_of(
                "meta_description",
                input.meta_description,
                META_DESCRIPTION_EDIT_MAX,
            )?,
            slug: input.slug.map(|s| slug("slug", s)).transpose()?,
            // An excerpt may be emptied; the other fields may not.
            excerpt: match input.excerpt {
                Some(e) if e.trim().is_empty() => Some(String::new()),
                e => line_of("excerpt", e, EXCERPT_EDIT_MAX)?,
            },
            primary_keyword: line_of("primary_keyword", input.primary_keyword, MAX_PHRASE_CHARS)?,
            slug_from_title: input.slug_from_title,
        })
    }

    pub fn is_empty(&self) -> bool {
        self.title.is_none()
            && self.body.is_none()
            && self.meta_title.is_none()
            && self.meta_description.is_none()
            && self.slug.is_none()
            && self.excerpt.is_none()
            && self.primary_keyword.is_none()
    }
}

/// Saves the edited fields. The Markdown is rendered and sanitised by the renderer that made
/// the article, so an edited body is held to the same rules as a generated one. A new body or
/// primary keyword re-plans the cluster's links (an anchor may be gone); every edit ends in a
/// fresh on-page check.
#[tracing::instrument(skip(p, edit), fields(account = account.get(), content = id.get()))]
pub async fn edit_content(
    p: &Pipeline,
    account: AccountId,
    id: ContentId,
    edit: ContentEdit,
) -> Result<Content> {
    let db = p.db();
    let mut tx = db.begin().await?;
    // Read under the row's lock: a field this edit leaves alone keeps what is stored now,
    // not what a page showed a moment ago.
    let current = tx.content_for_update(account, id).await?;
    let title = edit.title.map(Title::into_string);
    let slug = match (&edit.slug, &title) {
        (Some(s), _) => s.clone(),
        (None, Some(t)) if edit.slug_from_title => slugify(t),
        _ => current.slug.clone(),
    };
    let body_markdown = edit
        .body
        .map_or(current.body_markdown.clone(), ArticleBody::into_string);
    let primary_keyword = edit
        .primary_keyword
        .unwrap_or_else(|| current.primary_keyword.clone());
    // A form sends every field: the links are planned again only when what they are planned
    // from changed.
    let relink =
        body_markdown != current.body_markdown || primary_keyword != current.primary_keyword;
    let text = ContentText {
        title: title.unwrap_or(current.title),
        slug,
        meta_title: edit.meta_title.unwrap_or(current.meta_title),
        meta_description: edit.meta_description.unwrap_or(current.meta_description),
        excerpt: edit.excerpt.unwrap_or(current.excerpt),
        body_html: html::render_markdown(&body_markdown),
        word_count: html::word_count(&body_markdown),
        body_markdown,
        primary_keyword,
        offline: current.offline,
    };
    tx.update_content(account, id, &text, false).await?;
    tx.commit().await?;
    if relink {
        refresh_links(p, account, db.cluster_of_content(account, id).await?).await?;
    }
    // Again after a refresh too: a rejected article is in no cluster's links but is checked.
    recheck(p, account, id).await?;
    Ok(db.content(account, id).await?)
}
