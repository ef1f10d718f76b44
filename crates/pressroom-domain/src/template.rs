//! Prompt templates with named variables: `{post_title}`. A template that names a variable
//! the function does not supply is refused when it is saved, not when a run is half done.

use crate::{AiFunction, DomainError};

/// A variable a template may name, as the preview lists it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TemplateVariable {
    pub name: &'static str,
    pub description: &'static str,
    /// Set from the site (its name, language and voice) rather than from the item the call
    /// works on, so a preview shows its real value.
    pub from_site: bool,
}

/// The site's variables every text function supplies: its name, language and brand voice.
const SITE_VARIABLES: &[(&str, &str)] = &[
    ("site_name", "the site's name"),
    ("language", "the site's language as a name (de -> German)"),
    ("tone", "the voice's tone (empty when unset)"),
    ("audience", "who the site writes for (empty when unset)"),
    (
        "point_of_view",
        "the grammatical person to write in (empty when unset)",
    ),
    ("words_min", "fewest words per article"),
    ("words_max", "most words per article"),
    (
        "always_say",
        "phrases every article carries, quoted, separated by ';'",
    ),
    (
        "never_say",
        "phrases no article may say, quoted, separated by ';'",
    ),
    (
        "brand_voice",
        "ready-made instructions: language and every voice field that is set",
    ),
];

/// Variables each function supplies from the item it works on.
fn item_variables(function: AiFunction) -> &'static [(&'static str, &'static str)] {
    match function {
        AiFunction::AutoCluster => &[("keywords", "the keywords to group, one '- ' line each")],
        AiFunction::GenerateIdeas => &[
            ("cluster_name", "the cluster's name"),
            ("cluster_description", "the cluster's description"),
            ("keywords", "the cluster's keywords, one '- ' line each"),
            ("min_ideas", "fewest ideas to propose"),
            ("max_ideas", "most ideas to propose"),
        ],
        AiFunction::GenerateContent => &[
            ("title", "the idea's title"),
            ("brief", "the idea's description"),
            ("outline", "the idea's section headings, one '- ' line each"),
            ("primary_keyword", "the idea's primary keyword"),
            (
                "secondary_keywords",
                "the idea's secondary keywords, comma separated",
            ),
            ("content_structure", "article, listicle, how-to ..."),
            (
                "target_words",
                "the idea's word target, kept within words_min..words_max",
            ),
            (
                "related_keywords",
                "primary keywords of the cluster's other articles, comma separated",
            ),
        ],
        AiFunction::GenerateImagePrompts => &[
            ("title", "the article's title"),
            ("excerpt", "the article's excerpt"),
            ("primary_keyword", "the article's primary keyword"),
            (
                "headings",
                "the sections that get an image, one '- ' line each",
            ),
            ("in_article_count", "how many in-article images to describe"),
        ],
        AiFunction::GenerateImage => &[
            ("image_type", "featured or in article"),
            ("post_title", "the article's title"),
            ("image_prompt", "the prompt written for this image"),
        ],
    }
}

/// Every variable `function`'s template may name, item ones first. Image generation gets no
/// voice: a picture has no language or words.
pub fn variable_docs(function: AiFunction) -> Vec<TemplateVariable> {
    let item = item_variables(function)
        .iter()
        .map(|(n, d)| TemplateVariable {
            name: n,
            description: d,
            from_site: false,
        });
    let site: &[(&str, &str)] = match function {
        AiFunction::GenerateImage => &[],
        _ => SITE_VARIABLES,
    };
    item.chain(site.iter().map(|(n, d)| TemplateVariable {
        name: n,
        description: d,
        from_site: true,
    }))
    .collect()
}

/// The names of [`variable_docs`].
pub fn variables(function: AiFunction) -> Vec<&'static str> {
    variable_docs(function)
        .into_iter()
        .map(|v| v.name)
        .collect()
}

/// The defaults. Lists (`{keywords}`, `{outline}`) are rendered one `- item` per line, which is
/// also how the offline provider and the mock server read them back.
pub fn default_template(function: AiFunction) -> &'static str {
    match function {
        AiFunction::AutoCluster => {
            "Group these search keywords for the site '{site_name}' (language: {language}) into topical clusters. Each cluster gets a short name, a one-sentence description and 3-10 of the keywords, copied exactly. Every keyword belongs to at most one cluster. Name and describe the clusters in {language}.\nKeywords:\n{keywords}\n{brand_voice}"
        }
        AiFunction::GenerateIdeas => {
            "Propose {min_ideas} to {max_ideas} article ideas for the site '{site_name}' (language: {language}) covering the topic cluster '{cluster_name}': {cluster_description}\nEach idea has a title, a description, a content structure, an outline of 6-10 H2 section headings, one primary keyword from the list, 2-3 secondary keywords from the list and a target word count between {words_min} and {words_max}.\nKeywords:\n{keywords}\n{brand_voice}"
        }
        AiFunction::GenerateContent => {
            "Write a {content_structure} titled '{title}' for the site '{site_name}' (language: {language}), {words_min} to {words_max} words long (aim for about {target_words} words). Use the primary keyword '{primary_keyword}' naturally and these secondary keywords where they fit: {secondary_keywords}.\nMention these related topics where they fit, in paragraph text: {related_keywords}.\nBody: Markdown without an H1 (the title is the page's H1); one '## ' heading per outline section, in this order, at least 4 '## ' sections; the primary keyword in the first paragraph; every paragraph under 150 words.\nMeta title: at most 60 characters, containing the primary keyword. Meta description: 120-160 characters, ending with a full sentence.\nNo sources are supplied: write no citations, footnotes, reference or source lists and no 'according to' claims. Make no first-person experience claims (no 'we tested', 'in our experience').\nBrief: {brief}\nOutline:\n{outline}\n{brand_voice}"
        }
        AiFunction::GenerateImagePrompts => {
            "Write image-generation prompts for the article '{title}' on the site '{site_name}' (language: {language}; alt text in that language): one featured image prompt with its alt text, and {in_article_count} in-article image prompts with alt text, one for each listed section in order. Describe a concrete scene, no text in the image. Alt text: at most 125 characters, describes what the image shows (not 'image of'), and mentions the primary keyword where it fits.\nPrimary keyword: {primary_keyword}\nSummary: {excerpt}\nSections:\n{headings}\n{brand_voice}"
        }
        AiFunction::GenerateImage => {
            "Create a {image_type} image for '{post_title}'. Prompt: {image_prompt}"
        }
    }
}

/// A template checked against the variables of its function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PromptTemplate {
    function: AiFunction,
    text: String,
}

impl PromptTemplate {
    pub fn new(function: AiFunction, text: &str) -> Result<PromptTemplate, DomainError> {
        let allowed = variables(function);
        for name in placeholders(text) {
            if !allowed.contains(&name) {
                return Err(DomainError::UnknownTemplateVariable {
                    function: function.as_str(),
                    name: name.to_string(),
                });
            }
        }
        if text.trim().is_empty() {
            return Err(DomainError::InvalidValue {
                field: "template",
                value: String::new(),
            });
        }
        Ok(PromptTemplate {
            function,
            text: text.to_string(),
        })
    }

    pub fn default_for(function: AiFunction) -> PromptTemplate {
        PromptTemplate {
            function,
            text: default_template(function).to_string(),
        }
    }

    pub fn function(&self) -> AiFunction {
        self.function
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// Fills every `{name}` from `values`; a name with no value renders empty. Braces that do not
    /// form a `{identifier}` are left as they are.
    pub fn render(&self, values: &[(&str, String)]) -> String {
        let mut out = String::with_capacity(self.text.len() + 256);
        let mut rest = self.text.as_str();
        while let Some(start) = rest.find('{') {
            out.push_str(&rest[..start]);
            let after = &rest[start + 1..];
            match after.find('}') {
                Some(end) if is_identifier(&after[..end]) => {
                    let name = &after[..end];
                    if let Some((_, v)) = values.iter().find(|(k, _)| *k == name) {
                        out.push_str(v);
                    }
                    rest = &after[end + 1..];
                }
                _ => {
                    out.push('{');
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        out
    }
}

/// Renders a list as `- item` lines.
pub fn bullet_list<S: AsRef<str>>(items: &[S]) -> String {
    items
        .iter()
        .map(|s| format!("- {}", s.as_ref()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Reads `- item` lines back out of a rendered prompt section (used by offline providers).
pub fn read_bullets(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| l.trim_start().strip_prefix("- "))
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

fn is_identifier(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn placeholders(text: &str) -> Vec<&str> {
    let mut names = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        let after = &rest[start + 1..];
        match after.find('}') {
            Some(end) if is_identifier(&after[..end]) => {
                names.push(&after[..end]);
                rest = &after[end + 1..];
            }
            _ => rest = after,
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_template_matches_spec() {
        let t = PromptTemplate::default_for(AiFunction::GenerateImage);
        let s = t.render(&[
            ("image_type", "featured".into()),
            ("post_title", "Trail Shoes".into()),
            ("image_prompt", "a muddy trail".into()),
        ]);
        assert_eq!(
            s,
            "Create a featured image for 'Trail Shoes'. Prompt: a muddy trail"
        );
    }

    #[test]
    fn unknown_variables_are_refused_and_stray_braces_kept() {
        let err = PromptTemplate::new(AiFunction::GenerateImage, "x {nope}").unwrap_err();
        assert!(err.to_string().contains("nope"));
        let t =
            PromptTemplate::new(AiFunction::GenerateImage, "json {\"a\": 1} {post_title}").unwrap();
        assert_eq!(t.render(&[("post_title", "T".into())]), "json {\"a\": 1} T");
    }

    #[test]
    fn every_default_uses_only_its_variables() {
        for f in AiFunction::ALL {
            PromptTemplate::new(*f, default_template(*f)).unwrap();
        }
    }

    #[test]
    fn writer_defaults_ask_for_what_the_on_page_check_reads() {
        let content = default_template(AiFunction::GenerateContent);
        for rule in [
            "without an H1",
            "at least 4 '## ' sections",
            "primary keyword in the first paragraph",
            "under 150 words",
            "at most 60 characters",
            "120-160 characters",
            "no citations, footnotes",
            "'according to'",
            "first-person",
            "{related_keywords}",
        ] {
            assert!(content.contains(rule), "content template lacks {rule:?}");
        }
        let images = default_template(AiFunction::GenerateImagePrompts);
        for rule in [
            "alt text",
            "125 characters",
            "{primary_keyword}",
            "{headings}",
        ] {
            assert!(
                images.contains(rule),
                "image-prompt template lacks {rule:?}"
            );
        }
    }

    #[test]
    fn voice_variables_are_accepted_by_text_functions_only() {
        let all = "{language} {tone} {audience} {point_of_view} {words_min} {words_max} {always_say} {never_say} {brand_voice} {site_name}";
        for f in [
            AiFunction::AutoCluster,
            AiFunction::GenerateIdeas,
            AiFunction::GenerateContent,
            AiFunction::GenerateImagePrompts,
        ] {
            PromptTemplate::new(f, all).unwrap();
            assert!(
                default_template(f).contains("{brand_voice}"),
                "{} default lacks the voice",
                f.as_str()
            );
            let docs = variable_docs(f);
            assert!(docs.iter().all(|v| !v.description.is_empty()));
            assert!(docs.iter().any(|v| v.name == "brand_voice" && v.from_site));
        }
        let e = PromptTemplate::new(AiFunction::GenerateImage, "{tone}").unwrap_err();
        assert!(e.to_string().contains("{tone}"), "{e}");
        let content = default_template(AiFunction::GenerateContent);
        assert!(content.contains("{words_min} to {words_max} words"));
    }

    #[test]
    fn bullets_round_trip() {
        let items = vec!["a b".to_string(), "c".to_string()];
        assert_eq!(
            read_bullets(&format!("Keywords:\n{}\n", bullet_list(&items))),
            items
        );
    }
}
