//! Cards: sizes, determinism, text inside the margins, and an article's cards told apart.

use super::*;

fn subject(title: &str, seed: u64) -> ImageSubject {
    ImageSubject {
        image_type: ImageType::Featured,
        post_title: title.into(),
        caption: title.into(),
        position: 0,
        site_name: "example.com".into(),
        colour_seed: seed,
    }
}

fn in_article(title: &str, caption: &str, position: i64) -> ImageSubject {
    ImageSubject {
        image_type: ImageType::InArticle,
        caption: caption.into(),
        position,
        ..subject(title, 7)
    }
}

/// Every pixel that is neither background nor frame (text and its anti-aliasing) lies
/// inside the margins, and some do.
fn assert_text_inside_margins(s: &ImageSubject, w: u32, h: u32) {
    let png = render_title_card(s, w, h).unwrap();
    let img = image::load_from_memory(&png).unwrap().to_rgb8();
    let (bg, accent) = palette(s.colour_seed, s.position);
    let m = geometry(w, h).margin;
    let mut text = 0;
    for (x, y, p) in img.enumerate_pixels() {
        if p.0 == bg || p.0 == accent {
            continue;
        }
        text += 1;
        assert!(
            x >= m && y >= m && x < w - m && y < h - m,
            "text pixel ({x},{y}) outside the {m}px margin of a {w}x{h} card"
        );
    }
    assert!(text > 200, "text drawn ({text} pixels)");
}

#[test]
fn card_decodes_at_requested_size_and_is_deterministic() {
    for (w, h) in [(1024, 1024), (1792, 1024), (256, 512), (64, 64), (16, 16)] {
        let png = render_title_card(
            &subject("The Complete Guide to Trail Running Shoes", 7),
            w,
            h,
        )
        .unwrap();
        let img = image::load_from_memory_with_format(&png, image::ImageFormat::Png).unwrap();
        assert_eq!((img.width(), img.height()), (w, h));
    }
    let a = render_title_card(&subject("Same", 1), 300, 200).unwrap();
    let b = render_title_card(&subject("Same", 1), 300, 200).unwrap();
    assert_eq!(a, b);
    let c = render_title_card(&subject("Same", 2), 300, 200).unwrap();
    assert_ne!(a, c, "the colour follows the seed");
}

#[test]
fn long_titles_wrap_inside_the_frame_with_margins() {
    let long = "An extraordinarily long article title that keeps going well past any single line of text to check wrapping";
    for (w, h) in [(512, 512), (1200, 632), (1792, 1024), (256, 512)] {
        assert_text_inside_margins(&subject(long, 3), w, h);
    }
    // Nothing outside the frame but background.
    let png = render_title_card(&subject(long, 3), 512, 512).unwrap();
    let img = image::load_from_memory(&png).unwrap().to_rgb8();
    let (bg, _) = palette(3, 0);
    let inset = 512 / 16;
    for (x, y, p) in img.enumerate_pixels() {
        if x < inset || y < inset || x >= 512 - inset || y >= 512 - inset {
            assert_eq!(p.0, bg, "pixel ({x},{y}) outside the frame is background");
        }
    }
    // The whole title is shown: wrapped and shrunk, not cut.
    let font = FontRef::try_from_slice(FONT_BYTES).unwrap();
    let l = layout(&font, &subject(long, 3), 1200, 632);
    assert_eq!(l.main.join(" "), long);
    assert!(l.main.len() >= 2);
}

#[test]
fn an_articles_cards_differ_and_show_their_captions() {
    let title = "The Complete Guide to Trail Running Shoes";
    let featured = render_title_card(&subject(title, 7), 800, 450).unwrap();
    let one = render_title_card(&in_article(title, "Why Grip Matters", 1), 800, 450).unwrap();
    let two = render_title_card(&in_article(title, "Cushioning and Drop", 2), 800, 450).unwrap();
    assert_ne!(featured, one);
    assert_ne!(featured, two);
    assert_ne!(one, two);
    // Same caption, other position: still a different picture (palette and frame).
    let again = render_title_card(&in_article(title, "Why Grip Matters", 3), 800, 450);
    assert_ne!(one, again.unwrap());
    assert_ne!(palette(7, 0), palette(7, 1));

    let font = FontRef::try_from_slice(FONT_BYTES).unwrap();
    let f = layout(&font, &subject(title, 7), 800, 450);
    assert_eq!(f.main.join(" "), title);
    assert!(f.sub.is_empty() && !f.footer.contains("figure"));
    let l = layout(&font, &in_article(title, "Why Grip Matters", 2), 800, 450);
    assert_eq!(l.main.join(" "), "Why Grip Matters");
    assert_eq!(l.sub.join(" "), title, "the post title, smaller");
    assert!(l.sub_size < l.main_size);
    assert!(l.footer.contains("figure 2"), "{}", l.footer);
}

#[test]
fn a_long_caption_fits_with_the_post_title() {
    let caption = "What to Check Before Buying Trail Running Shoes for Long Muddy Races in Wet Mountain Weather";
    let title = "The Complete Guide to Trail Running Shoes for Beginners and Weekend Racers";
    for position in 1..=3 {
        for (w, h) in [(800, 450), (1024, 1024), (512, 768)] {
            assert_text_inside_margins(&in_article(title, caption, position), w, h);
        }
    }
    let font = FontRef::try_from_slice(FONT_BYTES).unwrap();
    let l = layout(&font, &in_article(title, caption, 1), 800, 450);
    assert_eq!(l.main.join(" "), caption, "the caption is whole");
    assert!(l.main.len() >= 2, "wrapped");
    let g = geometry(800, 450);
    let used = l.main.len() as f32 * l.main_size * LINE + sub_block_height(&l.sub, l.sub_size);
    assert!(used <= g.inner_h, "{used} > {}", g.inner_h);
}

#[test]
fn text_that_cannot_fit_is_cut_with_an_ellipsis_not_pushed_out() {
    let font = FontRef::try_from_slice(FONT_BYTES).unwrap();
    let huge = "word ".repeat(400);
    let (lines, size) = fit(&font, &huge, 200.0, 100.0, 40.0, 10.0, usize::MAX);
    assert!(lines.len() as f32 * size * LINE <= 100.0);
    assert!(lines.last().unwrap().ends_with('…'));
    assert!(lines.iter().all(|l| text_width(&font, size, l) <= 200.0));
    assert_text_inside_margins(&subject(&huge, 5), 400, 300);
}
