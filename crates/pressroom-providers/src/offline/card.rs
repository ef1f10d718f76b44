//! Offline "images": a title card, honestly labelled as one. The post title is wrapped inside
//! a frame on a background coloured from the subject's seed, with the site name below, drawn
//! with a font compiled into the binary (DejaVu Sans Bold, see assets/DejaVu-LICENSE.txt).

use ab_glyph::{Font, FontRef, PxScale, ScaleFont, point};
use image::{ImageEncoder, Rgb, RgbImage};
use pressroom_domain::ai::ImageSubject;

static FONT_BYTES: &[u8] = include_bytes!("../../assets/DejaVuSans-Bold.ttf");

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct CardError(pub String);

/// Renders the card as PNG bytes of exactly `width` x `height`.
pub fn render_title_card(
    subject: &ImageSubject,
    width: u32,
    height: u32,
) -> Result<Vec<u8>, CardError> {
    if !(16..=4096).contains(&width) || !(16..=4096).contains(&height) {
        return Err(CardError(format!("size {width}x{height} is out of range")));
    }
    let font = FontRef::try_from_slice(FONT_BYTES).map_err(|e| CardError(e.to_string()))?;
    let (bg, accent) = palette(subject.colour_seed);
    let mut img = RgbImage::from_pixel(width, height, Rgb(bg));

    // Frame: a thin accent border inset from the edge.
    let short = width.min(height);
    let inset = (short / 16).max(4);
    let thick = (short / 160).max(1);
    draw_rect_outline(
        &mut img,
        inset,
        inset,
        width - 2 * inset,
        height - 2 * inset,
        thick,
        accent,
    );

    let margin = inset + thick + (short / 20).max(4);
    let inner_w = width.saturating_sub(2 * margin).max(8) as f32;
    let footer_h = (height as f32 * 0.12).max(12.0);
    let inner_h = (height.saturating_sub(2 * margin) as f32 - footer_h).max(8.0);

    // Title: the largest size (down to a floor) at which the wrapped text fits the frame.
    let title = subject.post_title.trim();
    let title = if title.is_empty() { "Untitled" } else { title };
    let mut size = (height as f32 / 7.0).min(width as f32 / 8.0);
    let min_size = (short as f32 / 40.0).max(6.0);
    let (lines, size) = loop {
        let lines = wrap(&font, size, title, inner_w);
        let line_h = size * 1.2;
        let fits = lines.len() as f32 * line_h <= inner_h
            && lines.iter().all(|l| text_width(&font, size, l) <= inner_w);
        if fits || size <= min_size {
            break (lines, size);
        }
        size *= 0.9;
    };
    let line_h = size * 1.2;
    let block_h = lines.len() as f32 * line_h;
    let top = margin as f32 + ((inner_h - block_h) / 2.0).max(0.0);
    for (i, line) in lines.iter().enumerate() {
        let w = text_width(&font, size, line).min(inner_w);
        let x = (width as f32 - w) / 2.0;
        let baseline = top + i as f32 * line_h + font.as_scaled(PxScale::from(size)).ascent();
        draw_text(
            &mut img,
            &font,
            size,
            x,
            baseline,
            line,
            [255, 255, 255],
            inner_w,
        );
    }

    // Footer: the site name, smaller, and the honest label.
    let small = (size * 0.45).clamp(6.0, footer_h * 0.5);
    let footer = match subject.site_name.trim() {
        "" => "title card".to_string(),
        s => format!("{s} · title card"),
    };
    let fw = text_width(&font, small, &footer).min(inner_w);
    let baseline = height as f32 - margin as f32 - footer_h * 0.25;
    draw_text(
        &mut img,
        &font,
        small,
        (width as f32 - fw) / 2.0,
        baseline,
        &footer,
        accent,
        inner_w,
    );

    let mut out = Vec::with_capacity((width * height / 8) as usize);
    image::codecs::png::PngEncoder::new_with_quality(
        &mut out,
        image::codecs::png::CompressionType::Fast,
        image::codecs::png::FilterType::Adaptive,
    )
    .write_image(img.as_raw(), width, height, image::ExtendedColorType::Rgb8)
    .map_err(|e| CardError(e.to_string()))?;
    Ok(out)
}

/// Background and accent colours from the seed: a hue from the seed, dark enough for white
/// text, and a light tint of the same hue for the frame.
fn palette(seed: u64) -> ([u8; 3], [u8; 3]) {
    // Integer HSL-ish mix: pick a hue sector and blend two channels; no floats needed.
    let mixed = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 32;
    let hue = (mixed % 360) as u32;
    let (r, g, b) = hue_rgb(hue);
    let dark = |c: u32| (40 + c * 110 / 255) as u8;
    let light = |c: u32| (170 + c * 85 / 255) as u8;
    ([dark(r), dark(g), dark(b)], [light(r), light(g), light(b)])
}

fn hue_rgb(h: u32) -> (u32, u32, u32) {
    let x = |v: u32| v * 255 / 60;
    match h / 60 {
        0 => (255, x(h % 60), 0),
        1 => (255 - x(h % 60), 255, 0),
        2 => (0, 255, x(h % 60)),
        3 => (0, 255 - x(h % 60), 255),
        4 => (x(h % 60), 0, 255),
        _ => (255, 0, 255 - x(h % 60)),
    }
}

fn draw_rect_outline(img: &mut RgbImage, x: u32, y: u32, w: u32, h: u32, t: u32, c: [u8; 3]) {
    let (iw, ih) = img.dimensions();
    for yy in y..(y + h).min(ih) {
        for xx in x..(x + w).min(iw) {
            let edge = xx < x + t || xx >= x + w - t || yy < y + t || yy >= y + h - t;
            if edge {
                img.put_pixel(xx, yy, Rgb(c));
            }
        }
    }
}

fn text_width(font: &FontRef<'_>, size: f32, text: &str) -> f32 {
    let sf = font.as_scaled(PxScale::from(size));
    let mut w = 0.0;
    let mut prev = None;
    for ch in text.chars() {
        let id = sf.glyph_id(ch);
        if let Some(p) = prev {
            w += sf.kern(p, id);
        }
        w += sf.h_advance(id);
        prev = Some(id);
    }
    w
}

/// Greedy word wrap; a word wider than the line is split by characters.
fn wrap(font: &FontRef<'_>, size: f32, text: &str, max_w: f32) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let candidate = if line.is_empty() {
            word.to_string()
        } else {
            format!("{line} {word}")
        };
        if text_width(font, size, &candidate) <= max_w {
            line = candidate;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        if text_width(font, size, word) <= max_w {
            line = word.to_string();
        } else {
            for ch in word.chars() {
                let mut next = line.clone();
                next.push(ch);
                if text_width(font, size, &next) > max_w && !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                    line.push(ch);
                } else {
                    line = next;
                }
            }
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

#[allow(clippy::too_many_arguments)]
fn draw_text(
    img: &mut RgbImage,
    font: &FontRef<'_>,
    size: f32,
    x: f32,
    baseline: f32,
    text: &str,
    colour: [u8; 3],
    max_w: f32,
) {
    let sf = font.as_scaled(PxScale::from(size));
    let (iw, ih) = img.dimensions();
    let mut caret = x;
    let mut prev = None;
    for ch in text.chars() {
        let id = sf.glyph_id(ch);
        if let Some(p) = prev {
            caret += sf.kern(p, id);
        }
        prev = Some(id);
        let advance = sf.h_advance(id);
        if caret + advance > x + max_w + 0.5 {
            break;
        }
        let glyph = id.with_scale_and_position(PxScale::from(size), point(caret, baseline));
        caret += advance;
        let Some(outline) = font.outline_glyph(glyph) else {
            continue;
        };
        let b = outline.px_bounds();
        outline.draw(|gx, gy, cov| {
            let px = b.min.x as i64 + gx as i64;
            let py = b.min.y as i64 + gy as i64;
            if px < 0 || py < 0 || px >= iw as i64 || py >= ih as i64 {
                return;
            }
            let p = img.get_pixel_mut(px as u32, py as u32);
            let a = cov.clamp(0.0, 1.0);
            for (dst, src) in p.0.iter_mut().zip(colour) {
                *dst = (*dst as f32 * (1.0 - a) + src as f32 * a).round() as u8;
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pressroom_domain::ImageType;

    fn subject(title: &str, seed: u64) -> ImageSubject {
        ImageSubject {
            image_type: ImageType::Featured,
            post_title: title.into(),
            site_name: "example.com".into(),
            colour_seed: seed,
        }
    }

    #[test]
    fn card_decodes_at_requested_size_and_is_deterministic() {
        for (w, h) in [(1024, 1024), (1792, 1024), (256, 512), (64, 64)] {
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
    fn text_is_drawn_and_long_titles_wrap_inside_the_frame() {
        let long = "An extraordinarily long article title that keeps going well past any single line of text to check wrapping";
        let png = render_title_card(&subject(long, 3), 512, 512).unwrap();
        let img = image::load_from_memory(&png).unwrap().to_rgb8();
        let (bg, _) = palette(3);
        // White text pixels exist, and none are in the outer inset margin.
        let white = img.pixels().filter(|p| p.0 == [255, 255, 255]).count();
        assert!(white > 500, "title drawn ({white} white pixels)");
        let inset = 512 / 16;
        for (x, y, p) in img.enumerate_pixels() {
            if x < inset || y < inset || x >= 512 - inset || y >= 512 - inset {
                assert_eq!(p.0, bg, "pixel ({x},{y}) outside the frame is background");
            }
        }
    }
}
