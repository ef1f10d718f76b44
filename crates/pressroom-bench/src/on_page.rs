//! Article quality after a run: how many articles pass each on-page check, their scores, and
//! what the done-when of the articles issue asks (alt text, images in the body, links).

use pressroom_domain::article::CheckName;
use pressroom_domain::*;
use pressroom_pipeline::Pipeline;
use pressroom_pipeline::article::{Urls, load_article};
use std::collections::BTreeMap;

/// Articles read per page.
const PAGE: u32 = 500;

pub async fn summary(
    p: &Pipeline,
    account: AccountId,
    site: SiteId,
) -> anyhow::Result<serde_json::Value> {
    let mut passed: BTreeMap<&'static str, u64> = BTreeMap::new();
    let (mut articles, mut all_pass, mut score_sum, mut offline) = (0u64, 0u64, 0u64, 0u64);
    let (mut images, mut images_with_alt, mut in_body, mut in_article) = (0u64, 0u64, 0u64, 0u64);
    let (mut linked, mut meta_title_over, mut description_outside) = (0u64, 0u64, 0u64);
    let mut after = 0;
    loop {
        let page = p
            .db()
            .content_after(account, site, None, after, PAGE)
            .await?;
        let Some(last) = page.last() else { break };
        after = last.id.get();
        for c in page {
            articles += 1;
            offline += u64::from(c.offline);
            meta_title_over += u64::from(c.meta_title.chars().count() > 60);
            let d = c.meta_description.chars().count();
            description_outside += u64::from(!(120..=160).contains(&d));
            if let Some(r) = &c.checks {
                score_sum += u64::from(r.score);
                all_pass += u64::from(r.passing());
                for k in &r.checks {
                    *passed.entry(k.name.as_str()).or_default() += u64::from(k.pass);
                }
            }
            let view = load_article(p, account, c.id, &Urls::site_relative()).await?;
            linked += u64::from(view.links_placed > 0);
            for i in &view.images {
                images += 1;
                images_with_alt += u64::from(!i.alt_text.trim().is_empty());
                if i.image_type == ImageType::InArticle {
                    in_article += 1;
                    let placed = i
                        .file_path
                        .as_ref()
                        .is_some_and(|f| view.html.contains(&format!("/media/{f}")));
                    in_body += u64::from(placed);
                }
            }
        }
    }
    let pct = |n: u64| {
        if articles == 0 {
            0.0
        } else {
            (n as f64 * 1000.0 / articles as f64).round() / 10.0
        }
    };
    let checks: BTreeMap<&str, f64> = passed.iter().map(|(k, v)| (*k, pct(*v))).collect();
    // Every check is reported, even one no article passed.
    let mut checks_pct = serde_json::Map::new();
    for name in CheckName::ALL {
        let v = checks.get(name.as_str()).copied().unwrap_or(0.0);
        checks_pct.insert(name.as_str().into(), serde_json::json!(v));
    }
    Ok(serde_json::json!({
        "articles": articles, "offline": offline,
        "mean_score": if articles == 0 { 0.0 } else { (score_sum as f64 * 10.0 / articles as f64).round() / 10.0 },
        "all_checks_pass_pct": pct(all_pass),
        "checks_pass_pct": checks_pct,
        "meta_title_over_60": meta_title_over, "meta_description_outside_120_160": description_outside,
        "images": images, "images_with_alt": images_with_alt,
        "in_article_images": in_article, "in_article_images_in_body": in_body,
        "articles_with_a_link_pct": pct(linked),
    }))
}
