//! Reading inputs back out of rendered prompts (the default templates), for callers that send
//! a prompt and no structured input.

use super::clusters::cluster;
use super::words::lower_words;
use pressroom_domain::ContentStructure;
use pressroom_domain::ai::{
    ClusterInput, ContentInput, IdeasInput, ImagePromptsInput, WriterVoice,
};
use pressroom_domain::settings::MAX_IN_ARTICLE_IMAGES;
use pressroom_domain::template::read_bullets;

/// The last run of `- item` lines: templates put the list last (`Keywords:`, `Outline:`).
pub(super) fn last_bullet_block(prompt: &str) -> Vec<String> {
    let lines: Vec<&str> = prompt.lines().collect();
    let is_bullet = |l: &str| l.trim_start().starts_with("- ");
    let Some(last) = lines.iter().rposition(|l| is_bullet(l)) else {
        return Vec::new();
    };
    let mut first = last;
    while first > 0 && is_bullet(lines[first - 1]) {
        first -= 1;
    }
    read_bullets(&lines[first..=last].join("\n"))
}

/// A rendered `a, b, c` list (the pipeline joins keyword lists with commas).
fn comma_list(text: Option<&str>) -> Vec<String> {
    text.map(|s| {
        s.split(',')
            .map(|k| k.trim().trim_start_matches("- ").to_string())
            .filter(|k| !k.is_empty())
            .collect()
    })
    .unwrap_or_default()
}

/// Text between `start` and the next `end` (after `start`).
fn between<'a>(text: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = text.find(start)? + start.len();
    let rest = &text[from..];
    let to = rest.find(end)?;
    Some(rest[..to].trim()).filter(|s| !s.is_empty())
}

fn number_after(text: &str, start: &str) -> Option<u32> {
    let from = text.find(start)? + start.len();
    let digits: String = text[from..]
        .trim_start()
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    digits.parse().ok()
}

pub(super) fn ideas_input_from_prompt(prompt: &str) -> IdeasInput {
    let keywords = last_bullet_block(prompt);
    let cluster_name = between(prompt, "topic cluster '", "'")
        .map(str::to_string)
        .unwrap_or_else(|| {
            let out = cluster(&ClusterInput {
                keywords: keywords.clone(),
            });
            out.clusters
                .first()
                .map(|c| c.name.clone())
                .unwrap_or_else(|| "Topic".into())
        });
    let min_ideas = number_after(prompt, "Propose").unwrap_or(3);
    let max_ideas = between(prompt, &format!("Propose {min_ideas} to "), " ")
        .and_then(|s| s.parse().ok())
        .unwrap_or(min_ideas.max(5));
    IdeasInput {
        cluster_name,
        cluster_description: String::new(),
        keywords,
        min_ideas,
        max_ideas,
    }
}

pub(super) fn content_input_from_prompt(prompt: &str) -> ContentInput {
    let outline = last_bullet_block(prompt);
    let title = between(prompt, "titled '", "' for the site")
        .or_else(|| between(prompt, "titled '", "'"))
        .map(str::to_string)
        .or_else(|| outline.first().cloned())
        .unwrap_or_else(|| "Untitled".into());
    let primary_keyword = between(prompt, "primary keyword '", "' naturally")
        .or_else(|| between(prompt, "primary keyword '", "'"))
        .map(str::to_string)
        .unwrap_or_else(|| title.to_lowercase());
    let secondary_keywords = comma_list(between(
        prompt,
        "secondary keywords where they fit: ",
        ".\n",
    ));
    let related_keywords = comma_list(between(
        prompt,
        "related topics where they fit, in paragraph text: ",
        ".\n",
    ));
    let content_structure = between(prompt, "Write a ", " titled")
        .or_else(|| between(prompt, "Write an ", " titled"))
        .and_then(|s| ContentStructure::parse(s).ok())
        .unwrap_or(ContentStructure::Article);
    let target_words = number_after(prompt, "about ").unwrap_or(1200);
    let brief = between(prompt, "Brief: ", "\n").unwrap_or("").to_string();
    ContentInput {
        title,
        brief,
        outline,
        primary_keyword,
        secondary_keywords,
        content_structure,
        target_words,
        related_keywords,
        voice: WriterVoice {
            words: between(prompt, "), ", " words long").and_then(|r| {
                let (lo, hi) = r.split_once(" to ")?;
                Some((lo.trim().parse().ok()?, hi.trim().parse().ok()?))
            }),
            always_say: quoted_after(prompt, "Always say (each at least once where it fits): "),
            never_say: quoted_after(prompt, "Never say or mention: "),
        },
    }
}

/// The `"a"; "b".` list on the line after `start` (how `BrandVoice::prompt_block` writes it).
fn quoted_after(prompt: &str, start: &str) -> Vec<String> {
    let Some(from) = prompt.find(start) else {
        return Vec::new();
    };
    let line = prompt[from + start.len()..].lines().next().unwrap_or("");
    line.trim_end_matches('.')
        .split("\"; \"")
        .map(|s| s.trim_matches('"').trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

pub(super) fn image_prompts_input_from_prompt(prompt: &str) -> ImagePromptsInput {
    let headings = last_bullet_block(prompt);
    let title = between(prompt, "for the article '", "' on the site")
        .or_else(|| between(prompt, "for the article '", "'"))
        .map(str::to_string)
        .or_else(|| headings.first().cloned())
        .unwrap_or_else(|| "Untitled".into());
    let in_article_count = number_after(prompt, "with its alt text, and ")
        .unwrap_or(headings.len().min(MAX_IN_ARTICLE_IMAGES as usize) as u32);
    let excerpt = between(prompt, "Summary: ", "\n").unwrap_or("").to_string();
    let primary_keyword = between(prompt, "Primary keyword: ", "\n")
        .map(str::to_string)
        .unwrap_or_else(|| lower_words(&title));
    ImagePromptsInput {
        title,
        excerpt,
        primary_keyword,
        headings,
        in_article_count,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pressroom_domain::template::{PromptTemplate, bullet_list};
    use pressroom_domain::{AiFunction, BrandVoice};

    /// A caller that sends only the prompt (the mock server) still gets the voice honoured.
    #[test]
    fn the_voice_is_read_back_from_a_rendered_content_prompt() {
        let voice = BrandVoice {
            words_min: 700,
            words_max: 900,
            always_say: vec!["free returns".into(), "made in Portugal".into()],
            never_say: vec!["cheap".into()],
            ..Default::default()
        };
        let mut values = voice.prompt_values("en");
        values.extend([
            ("title", "Trail Shoes".to_string()),
            ("outline", bullet_list(&["Fit", "Grip"])),
            ("target_words", "800".into()),
            ("primary_keyword", "trail shoes".into()),
        ]);
        let prompt = PromptTemplate::default_for(AiFunction::GenerateContent).render(&values);
        let input = content_input_from_prompt(&prompt);
        assert_eq!(input.voice.words, Some((700, 900)));
        assert_eq!(
            input.voice.always_say,
            vec!["free returns", "made in Portugal"]
        );
        assert_eq!(input.voice.never_say, vec!["cheap"]);
        assert_eq!(input.target_words, 800);
        assert_eq!(input.outline, vec!["Fit", "Grip"]);
    }
}
