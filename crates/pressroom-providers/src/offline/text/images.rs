//! Image prompts and alt text for an article: one featured image, and one in-article image
//! per requested section, each with a different framing so no two prompts are alike.

use super::article::strip_step;
use super::words::*;
use pressroom_domain::ai::bounds::ALT_TEXT_MAX;
use pressroom_domain::ai::{ImagePromptItem, ImagePromptsInput, ImagePromptsOutput};

/// How each in-article image is framed, as the alt text says it (`{s}` is the subject), and
/// the words the prompt uses for it.
const FRAMINGS: &[(&str, &str)] = &[
    ("Close-up of {s}", "close-up photograph"),
    ("Wide shot of {s} in an everyday setting", "wide photograph"),
    (
        "Overhead view of {s} on a table",
        "overhead flat-lay photograph",
    ),
    (
        "Candid photo showing {s}",
        "candid documentary-style photograph",
    ),
    ("Side view of {s} in natural light", "side-on photograph"),
    ("Detail shot of {s}", "macro detail photograph"),
    ("Outdoor scene with {s}", "outdoor photograph"),
    (
        "Soft-focus scene with {s}",
        "shallow depth-of-field photograph",
    ),
];

const LIGHT: &[&str] = &[
    "soft morning light",
    "warm afternoon light",
    "even overcast daylight",
];

const QUESTION_WORDS: &[&str] = &[
    "what", "why", "when", "which", "who", "is", "are", "can", "does", "do", "should",
];

/// The keyword as something a photo can show: "how to grind coffee beans" becomes "someone
/// learning how to grind coffee beans", "what is a burr grinder" becomes "a burr grinder".
fn subject(kw: &str, title: &str) -> String {
    let kw = kw.trim().trim_end_matches('?');
    let kw = if kw.is_empty() {
        lower_words(title.trim().trim_end_matches('?'))
    } else {
        kw.to_string()
    };
    let lower = kw.to_lowercase();
    let first = lower.split_whitespace().next().unwrap_or("");
    if kw.is_empty() {
        "the article's topic".into()
    } else if lower.starts_with("how to ") {
        format!("someone learning {kw}")
    } else if let Some(rest) = ["what is ", "what are "].iter().find_map(|p| {
        lower
            .starts_with(p)
            .then(|| kw.get(p.len()..).unwrap_or(""))
    }) {
        rest.to_string()
    } else if QUESTION_WORDS.contains(&first) {
        format!("a scene about {kw}")
    } else if first == "best" || first == "top" {
        format!("the {kw}")
    } else {
        kw
    }
}

/// `lead` and `, illustrating {about}` within the alt-text limit: the whole when it fits, else
/// `about` cut at a word, else `lead` alone (cut at a word if it must be).
fn alt_text(lead: &str, about: &str) -> String {
    let max = ALT_TEXT_MAX as usize;
    let lead = capitalise(lead.trim());
    let joiner = ", illustrating ";
    let full = format!("{lead}{joiner}{about}");
    if full.chars().count() <= max {
        return full;
    }
    let room = max.saturating_sub(lead.chars().count() + joiner.chars().count());
    let cut = clip_title(about, room);
    if cut.split_whitespace().count() >= 2 {
        return format!("{lead}{joiner}{cut}");
    }
    clip(&lead, max)
}

pub fn image_prompts(input: &ImagePromptsInput) -> ImagePromptsOutput {
    let title = input.title.trim();
    let kw = input.primary_keyword.trim();
    let s = subject(kw, title);
    let topic = if kw.is_empty() {
        lower_words(title)
    } else {
        kw.to_string()
    };
    let featured_prompt = format!(
        "Editorial photograph for an article titled '{title}': {s} in a realistic everyday setting that captures the topic at a glance, natural light, rich detail, balanced composition, no text or lettering."
    );
    let featured_alt = alt_text(
        &format!("{s} in a realistic everyday setting"),
        &lower_words(title.trim_end_matches('?')),
    );
    let n = input.in_article_count as usize;
    let in_article_images = (0..n)
        .map(|i| {
            let heading = if input.headings.is_empty() {
                title.to_string()
            } else {
                strip_step(&input.headings[i % input.headings.len()])
            };
            let (alt_frame, prompt_frame) = FRAMINGS[i % FRAMINGS.len()];
            let light = LIGHT[i % LIGHT.len()];
            let prompt = format!(
                "A {prompt_frame} of {s}, illustrating the section '{heading}' of an article about {topic}: everyday setting, {light}, realistic colours, no text or lettering."
            );
            let alt = alt_text(&alt_frame.replace("{s}", &s), &lower_words(&heading));
            ImagePromptItem { prompt, alt }
        })
        .collect();
    ImagePromptsOutput {
        featured_prompt,
        featured_alt,
        in_article_images,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_are_things_a_photo_can_show() {
        assert_eq!(subject("trail running shoes", ""), "trail running shoes");
        assert_eq!(
            subject("how to grind coffee beans", ""),
            "someone learning how to grind coffee beans"
        );
        assert_eq!(subject("what is a burr grinder", ""), "a burr grinder");
        assert_eq!(subject("best yoga mat", ""), "the best yoga mat");
        assert_eq!(subject("", "Yoga Mats?"), "yoga mats");
    }

    #[test]
    fn alt_text_stays_within_the_limit_at_word_boundaries() {
        let long = "why the grip of the outsole matters so much more than anything else on wet rock, mud, loose gravel and snow";
        let a = alt_text("Close-up of trail running shoes", long);
        assert!(a.chars().count() <= ALT_TEXT_MAX as usize, "{a}");
        assert!(a.starts_with("Close-up of trail running shoes, illustrating why the grip"));
        let words: Vec<&str> = long.split(' ').collect();
        assert!(words.iter().any(|w| a.ends_with(w)), "{a} ends mid-word");
        let huge = "x ".repeat(100);
        assert!(alt_text(&huge, "y").chars().count() <= ALT_TEXT_MAX as usize);
    }
}
