//! Offline "images": a title card, honestly labelled as one. The featured card shows the post
//! title; an in-article card shows its caption (the section it illustrates) with the post title
//! smaller and "figure N" in the footer, on a palette and frame that change with the position,
//! so no two cards of an article look alike. Text is wrapped and shrunk to stay inside the
//! frame's margins, drawn with a font compiled into the binary (DejaVu Sans Bold, see
//! assets/DejaVu-LICENSE.txt).

use ab_glyph::{Font, FontRef, PxScale, ScaleFont, point};
use image::{ImageEncoder, Rgb, RgbImage};
use pressroom_domain::ImageType;
use pressroom_domain::ai::ImageSubject;

static FONT_BYTES: &[u8] = include_bytes!("../../../assets/DejaVuSans-Bold.ttf");

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct CardError(pub String);

/// Where things go on a card of a given size: the frame's inset and thickness, the margin
/// text keeps from every edge (inside the frame), and the footer's height.
#[derive(Debug, Clone, Copy)]
struct Geometry {
    inset: u32,
    thick: u32,
    margin: u32,
    inner_w: f32,
    /// Height for the main text and subtitle, above the footer.
    inner_h: f32,
    footer_h: f32,
}

fn geometry(width: u32, height: u32) -> Geometry {
    let short = width.min(height);
    let inset = (short / 16).max(4);
    let thick = (short / 160).max(1);
    // Two frame thicknesses: room for the double frame of some in-article cards.
    let margin = inset + 3 * thick + (short / 20).max(4);
    let footer_h = (height as f32 * 0.12).max(12.0);
    Geometry {
        inset,
        thick,
        margin,
        inner_w: width.saturating_sub(2 * margin) as f32,
        inner_h: (height.saturating_sub(2 * margin) as f32 - footer_h).max(0.0),
        footer_h,
    }
}

/// The text of a card, wrapped and sized to fit inside the margins.
#[derive(Debug, Clone, PartialEq)]
struct Layout {
    main: Vec<String>,
    main_size: f32,
    /// The post title under an in-article card's caption.
    sub: Vec<String>,
    sub_size: f32,
    footer: String,
    footer_size: f32,
}

/// What the card says: the post title on the featured card; on an in-article card its
/// caption (the section it illustrates) with the post title smaller and the figure number.
fn texts(subject: &ImageSubject) -> (String, Option<String>, String) {
    let title = match subject.post_title.trim() {
        "" => "Untitled",
        t => t,
    };
    let caption = subject.caption.trim();
    let site = subject.site_name.trim();
    let in_article = subject.image_type != ImageType::Featured && !caption.is_empty();
    let label = if subject.position > 0 {
        format!("figure {} · title card", subject.position)
    } else {
        "title card".to_string()
    };
    let footer = if site.is_empty() {
        label
    } else {
        format!("{site} · {label}")
    };
    if in_article {
        (caption.to_string(), Some(title.to_string()), footer)
    } else {
        (title.to_string(), None, footer)
    }
}

fn layout(font: &FontRef<'_>, subject: &ImageSubject, width: u32, height: u32) -> Layout {
    let g = geometry(width, height);
    let (main, sub, footer) = texts(subject);
    let short = width.min(height) as f32;
    let min_size = (short / 40.0).max(6.0);
    let (mut sub, sub_size) = match sub {
        Some(t) => {
            let start = (height as f32 / 20.0)
                .min(width as f32 / 24.0)
                .max(min_size);
            fit(font, &t, g.inner_w, g.inner_h * 0.25, start, min_size, 2)
        }
        None => (Vec::new(), 0.0),
    };
    // On a card too small for both, the caption wins.
    if g.inner_h - sub_block_height(&sub, sub_size) < min_size * LINE {
        sub.clear();
    }
    let sub_h = sub_block_height(&sub, sub_size);
    let start = (height as f32 / 7.0).min(width as f32 / 8.0).max(min_size);
    let (main, main_size) = fit(
        font,
        &main,
        g.inner_w,
        g.inner_h - sub_h,
        start,
        min_size,
        usize::MAX,
    );
    let footer_start = (main_size * 0.45).clamp(4.0, g.footer_h * 0.5);
    let (footer, footer_size) = fit(
        font,
        &footer,
        g.inner_w,
        g.footer_h * 0.5,
        footer_start,
        4.0,
        1,
    );
    Layout {
        main,
        main_size,
        sub,
        sub_size,
        footer: footer.join(" "),
        footer_size,
    }
}

fn sub_block_height(lines: &[String], size: f32) -> f32 {
    if lines.is_empty() {
        0.0
    } else {
        lines.len() as f32 * size * LINE + size * SUB_GAP
    }
}

/// The space between the main text and the subtitle, in subtitle font sizes.
const SUB_GAP: f32 = 0.6;

/// Centred lines drawn downwards from `top`.
struct Lines<'a> {
    img: &'a mut RgbImage,
    font: &'a FontRef<'a>,
    clip: &'a Clip,
    width: u32,
    max_w: f32,
    top: f32,
}

impl Lines<'_> {
    fn draw(&mut self, lines: &[String], size: f32, colour: [u8; 3]) {
        let sf = self.font.as_scaled(PxScale::from(size));
        // Half the spare line height above the glyphs keeps each line inside its own box.
        let lead = (size * LINE - (sf.ascent() - sf.descent())) / 2.0;
        for line in lines {
            let w = text_width(self.font, size, line).min(self.max_w);
            let x = (self.width as f32 - w) / 2.0;
            let baseline = self.top + lead + sf.ascent();
            draw_text(
                self.img, self.font, size, x, baseline, line, colour, self.clip,
            );
            self.top += size * LINE;
        }
    }
}

/// Line height as a multiple of the font size: above the font's ascent plus descent, so
/// lines stacked at this pitch never overlap or leave their block.
const LINE: f32 = 1.2;

/// `text` wrapped at the largest size from `start` down to `min` at which it fits `max_w` x
/// `max_h` in at most `max_lines` lines; at `min` it is cut to the lines that fit, the last
/// one ending in an ellipsis. No line is ever wider than `max_w`.
fn fit(
    font: &FontRef<'_>,
    text: &str,
    max_w: f32,
    max_h: f32,
    start: f32,
    min: f32,
    max_lines: usize,
) -> (Vec<String>, f32) {
    let mut size = start.max(min);
    loop {
        let lines = wrap(font, size, text, max_w);
        let room = ((max_h / (size * LINE)).floor() as usize).min(max_lines);
        if lines.len() <= room {
            return (lines, size);
        }
        if size <= min {
            return (ellipsize(font, size, lines, room, max_w), size);
        }
        size = (size * 0.9).max(min);
    }
}

fn ellipsize(
    font: &FontRef<'_>,
    size: f32,
    mut lines: Vec<String>,
    keep: usize,
    max_w: f32,
) -> Vec<String> {
    lines.truncate(keep);
    if let Some(last) = lines.last_mut() {
        loop {
            let candidate = format!("{}…", last.trim_end());
            if text_width(font, size, &candidate) <= max_w || last.is_empty() {
                *last = candidate;
                break;
            }
            last.pop();
        }
    }
    lines
}

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
    let (bg, accent) = palette(subject.colour_seed, subject.position);
    let mut img = RgbImage::from_pixel(width, height, Rgb(bg));
    let g = geometry(width, height);
    draw_frame(&mut img, &g, subject.position, accent);

    let l = layout(&font, subject, width, height);
    let clip = Clip {
        x0: g.margin as f32,
        y0: g.margin as f32,
        x1: width.saturating_sub(g.margin) as f32,
        y1: height.saturating_sub(g.margin) as f32,
    };
    let main_h = l.main.len() as f32 * l.main_size * LINE;
    let block_h = main_h + sub_block_height(&l.sub, l.sub_size);
    let top = g.margin as f32 + ((g.inner_h - block_h) / 2.0).max(0.0);
    let mut lines = Lines {
        img: &mut img,
        font: &font,
        clip: &clip,
        width,
        max_w: g.inner_w,
        top,
    };
    lines.draw(&l.main, l.main_size, [255, 255, 255]);
    if !l.sub.is_empty() {
        lines.top += l.sub_size * SUB_GAP;
        lines.draw(&l.sub, l.sub_size, accent);
    }

    // Footer: the site name, the figure number and the honest label, in the accent colour.
    let fw = text_width(&font, l.footer_size, &l.footer).min(g.inner_w);
    let baseline = height as f32 - g.margin as f32 - g.footer_h * 0.25;
    draw_text(
        &mut img,
        &font,
        l.footer_size,
        (width as f32 - fw) / 2.0,
        baseline,
        &l.footer,
        accent,
        &clip,
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

/// The frame differs by position so an article's cards are told apart at a glance: a single
/// line for the featured card, then a double line, then corner brackets, in turn.
fn draw_frame(img: &mut RgbImage, g: &Geometry, position: i64, accent: [u8; 3]) {
    let (w, h) = img.dimensions();
    let (x, y) = (g.inset, g.inset);
    let (fw, fh) = (w - 2 * g.inset, h - 2 * g.inset);
    match position.rem_euclid(3) {
        0 => draw_rect_outline(img, x, y, fw, fh, g.thick, accent),
        1 => {
            draw_rect_outline(img, x, y, fw, fh, g.thick, accent);
            let d = 2 * g.thick;
            draw_rect_outline(img, x + d, y + d, fw - 2 * d, fh - 2 * d, g.thick, accent);
        }
        _ => {
            let arm = fw.min(fh) / 6;
            for (cx, cy, dx, dy) in [
                (x, y, 1i64, 1i64),
                (x + fw - 1, y, -1, 1),
                (x, y + fh - 1, 1, -1),
                (x + fw - 1, y + fh - 1, -1, -1),
            ] {
                for a in 0..arm {
                    for t in 0..g.thick {
                        let (cx, cy, a, t) = (cx as i64, cy as i64, a as i64, t as i64);
                        for (px, py) in [(cx + dx * a, cy + dy * t), (cx + dx * t, cy + dy * a)] {
                            if px >= 0 && py >= 0 && (px as u32) < w && (py as u32) < h {
                                img.put_pixel(px as u32, py as u32, Rgb(accent));
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Background and accent colours: a hue from the seed (so one cluster's cards share a
/// family), turned a step per position so an article's cards differ; the background dark
/// enough for white text, the accent a light tint of the same hue.
fn palette(seed: u64, position: i64) -> ([u8; 3], [u8; 3]) {
    // Integer HSL-ish mix: pick a hue sector and blend two channels; no floats needed.
    let mixed = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 32;
    let hue = ((mixed % 360) as i64 + position.rem_euclid(360) * 37).rem_euclid(360) as u32;
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

/// The rectangle text may touch: nothing is drawn outside it.
struct Clip {
    x0: f32,
    y0: f32,
    x1: f32,
    y1: f32,
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
    clip: &Clip,
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
        let glyph = id.with_scale_and_position(PxScale::from(size), point(caret, baseline));
        caret += sf.h_advance(id);
        let Some(outline) = font.outline_glyph(glyph) else {
            continue;
        };
        let b = outline.px_bounds();
        outline.draw(|gx, gy, cov| {
            let px = b.min.x as i64 + gx as i64;
            let py = b.min.y as i64 + gy as i64;
            let inside = px as f32 >= clip.x0
                && (px as f32) < clip.x1
                && py as f32 >= clip.y0
                && (py as f32) < clip.y1;
            if !inside || px < 0 || py < 0 || px >= iw as i64 || py >= ih as i64 {
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
mod tests;
