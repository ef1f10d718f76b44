//! The articles endpoints on both engines: an article read whole, its meta edited and checked
//! again, an offline sample approved only when confirmed, bulk review, revisions, links, an
//! image's alt text and file; another account's ids answer 404.

use crate::support::*;
use pressroom_store::{Db, engine_test};
use reqwest::Method;
use serde_json::{Value, json};

/// Two topics, each searched with several intents: several articles per cluster, so links.
const KEYWORDS_WITH_INTENTS: &str = "Keyword,Volume,Intent\n\
    trail running shoes,900,informational\nbest trail running shoes,700,commercial\ntrail running shoes for women,300,informational\nwaterproof trail running shoes,200,commercial\n\
    cold brew coffee,800,informational\ncold brew coffee ratio,400,informational\nhow to make cold brew coffee,600,informational\ncold brew coffee maker,350,transactional\n";

/// Runs the keywords to the review gate and returns the site's content, in id order.
async fn reviewed(app: &App) -> Vec<Value> {
    app.import_csv(KEYWORDS_WITH_INTENTS).await;
    app.run_to_review().await;
    let (_, content) = app
        .get(&format!("/api/v1/sites/{}/content", app.site))
        .await;
    content.as_array().unwrap().clone()
}

fn check<'a>(article: &'a Value, name: &str) -> &'a Value {
    article["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no check {name} in {article}"))
}

engine_test!(article_endpoints, |db: Db| async move {
    let app = start(db).await;
    let content = reviewed(&app).await;
    assert!(content.len() >= 2);
    let id = content[0]["id"].as_i64().unwrap();
    assert_eq!(content[0]["offline"], true);

    // Read whole: meta, checks and score, images with alt text, the composed body.
    let (st, a) = app.get(&format!("/api/v1/content/{id}")).await;
    assert_eq!(st, 200, "{a}");
    assert_eq!(a["checks"].as_array().unwrap().len(), 11);
    assert!(a["score"].as_u64().unwrap() <= 100);
    let images = a["images"].as_array().unwrap();
    assert_eq!(images.len(), 3);
    assert!(
        images
            .iter()
            .all(|i| !i["alt_text"].as_str().unwrap().is_empty())
    );
    let in_article = images
        .iter()
        .find(|i| i["image_type"] == "in-article")
        .unwrap();
    assert!(
        a["html"]
            .as_str()
            .unwrap()
            .contains(in_article["url"].as_str().unwrap())
    );

    // Links: listed both ways; one removed answers 204 and stays removed.
    let mut active = None;
    for c in &content {
        let (_, links) = app.get(&format!("/api/v1/content/{}/links", c["id"])).await;
        active = links
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["status"] == "active")
            .cloned();
        if active.is_some() {
            break;
        }
    }
    let l = active.expect("articles of one cluster link to each other");
    let lid = l["id"].as_i64().unwrap();
    assert_eq!(
        app.call(
            Method::DELETE,
            &format!("/api/v1/links/{lid}"),
            &app.other_token,
            None
        )
        .await
        .0,
        404
    );
    let (st, _) = app
        .call(
            Method::DELETE,
            &format!("/api/v1/links/{lid}"),
            &app.token,
            None,
        )
        .await;
    assert_eq!(st, 204);
    let (_, links) = app
        .get(&format!("/api/v1/content/{}/links", l["source_id"]))
        .await;
    assert!(
        links
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["id"] == lid && x["status"] == "removed"),
        "{links}"
    );

    // Edit the meta: the check is recomputed; a bad slug names the field and changes nothing.
    let (st, edited) = app
        .call(
            Method::PATCH,
            &format!("/api/v1/content/{id}"),
            &app.token,
            Some(json!({"meta_title": "Nothing to do with it", "meta_description": "Short."})),
        )
        .await;
    assert_eq!(st, 200, "{edited}");
    assert_eq!(check(&edited, "meta_title")["pass"], false);
    assert_eq!(check(&edited, "meta_description")["pass"], false);
    let bad = app
        .call(
            Method::PATCH,
            &format!("/api/v1/content/{id}"),
            &app.token,
            Some(json!({"slug": "Not A Slug"})),
        )
        .await;
    assert_error(&bad, 422, "invalid_value");
    assert!(bad.1["error"]["message"].as_str().unwrap().contains("slug"));
    let (_, same) = app.get(&format!("/api/v1/content/{id}")).await;
    assert_eq!(same["slug"], a["slug"]);
    let empty = app
        .call(
            Method::PATCH,
            &format!("/api/v1/content/{id}"),
            &app.token,
            Some(json!({})),
        )
        .await;
    assert_eq!(empty.0, 422, "{}", empty.1);

    // An offline sample is approved only when confirmed.
    let refused = app
        .post(&format!("/api/v1/content/{id}/approve"), json!({}))
        .await;
    assert_error(&refused, 409, "illegal_transition");
    assert!(
        refused.1["error"]["message"]
            .as_str()
            .unwrap()
            .contains("offline sample")
    );
    let (st, ok) = app
        .post(
            &format!("/api/v1/content/{id}/approve?confirm_offline=true"),
            json!({}),
        )
        .await;
    assert_eq!((st, ok["status"].as_str()), (200, Some("approved")), "{ok}");

    // Bulk: the rest rejected at once; all_passing approves no offline sample.
    let rest: Vec<i64> = content[1..]
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect();
    let (st, out) = app
        .post(
            &format!("/api/v1/sites/{}/content/review", app.site),
            json!({"action": "reject", "ids": rest}),
        )
        .await;
    assert_eq!(st, 200, "{out}");
    assert!(
        out.as_array().unwrap().iter().all(|o| o["ok"] == true),
        "{out}"
    );
    let (st, none) = app
        .post(
            &format!("/api/v1/sites/{}/content/review", app.site),
            json!({"action": "approve", "all_passing": true}),
        )
        .await;
    assert_eq!((st, none), (200, json!([])));
    assert_error(
        &app.post(
            &format!("/api/v1/sites/{}/content/review", app.site),
            json!({"action": "publish", "ids": [id]}),
        )
        .await,
        422,
        "invalid_value",
    );

    // Regenerate and restore: revisions kept, newest first.
    let (st, again) = app
        .post(&format!("/api/v1/content/{id}/regenerate"), json!({}))
        .await;
    assert_eq!(st, 200, "{again}");
    assert_eq!(
        (again["version"].as_i64(), again["status"].as_str()),
        (Some(2), Some("review"))
    );
    let (_, revisions) = app.get(&format!("/api/v1/content/{id}/revisions")).await;
    let rev = revisions[0]["id"].as_i64().unwrap();
    let (st, restored) = app
        .post(
            &format!("/api/v1/content/{id}/revisions/{rev}/restore"),
            json!({}),
        )
        .await;
    assert_eq!((st, restored["version"].as_i64()), (200, Some(3)));
    assert_eq!(restored["meta_title"], "Nothing to do with it");

    // An image's alt text and file.
    let image = in_article["id"].as_i64().unwrap();
    let (st, alt) = app
        .call(
            Method::PATCH,
            &format!("/api/v1/images/{image}"),
            &app.token,
            Some(json!({"alt_text": "A runner lacing trail shoes"})),
        )
        .await;
    assert_eq!(
        (st, alt["alt_text"].as_str()),
        (200, Some("A runner lacing trail shoes"))
    );
    let long = app
        .call(
            Method::PATCH,
            &format!("/api/v1/images/{image}"),
            &app.token,
            Some(json!({"alt_text": "x".repeat(126)})),
        )
        .await;
    assert_eq!(long.0, 422, "{}", long.1);
    let png = app
        .http
        .get(app.url(in_article["url"].as_str().unwrap()))
        .bearer_auth(&app.token)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let put = |body: Vec<u8>, token: String| {
        let app = &app;
        async move {
            let res = app
                .http
                .put(app.url(&format!("/api/v1/images/{image}/file")))
                .bearer_auth(token)
                .body(body)
                .send()
                .await
                .unwrap();
            (res.status().as_u16(), res.json::<Value>().await.unwrap())
        }
    };
    let (st, up) = put(png.to_vec(), app.token.clone()).await;
    assert_eq!((st, up["provider"].as_str()), (200, Some("upload")), "{up}");
    let (st, _) = put(b"not a picture".to_vec(), app.token.clone()).await;
    assert_eq!(st, 422);
    assert_eq!(put(png.to_vec(), app.other_token.clone()).await.0, 404);

    // Another account's ids answer 404 everywhere.
    for (m, path) in [
        (Method::GET, format!("/api/v1/content/{id}/revisions")),
        (Method::GET, format!("/api/v1/content/{id}/links")),
        (Method::POST, format!("/api/v1/content/{id}/regenerate")),
        (
            Method::POST,
            format!("/api/v1/content/{id}/revisions/{rev}/restore"),
        ),
        (Method::POST, format!("/api/v1/images/{image}/regenerate")),
        (
            Method::POST,
            format!("/api/v1/sites/{}/content/review", app.site),
        ),
    ] {
        let body = Some(json!({"action": "approve", "ids": [id]}));
        assert_error(
            &app.call(m, &path, &app.other_token, body).await,
            404,
            "not_found",
        );
    }
    assert_error(
        &app.call(
            Method::PATCH,
            &format!("/api/v1/images/{image}"),
            &app.other_token,
            Some(json!({"alt_text": "mine"})),
        )
        .await,
        404,
        "not_found",
    );
});
