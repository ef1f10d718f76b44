//! Editing the plan over HTTP: the cluster, keyword and idea endpoints (status codes, error
//! bodies naming the field, another account's ids as 404, roles, the OpenAPI document), and
//! the cluster page's forms (posts that redirect, CSRF refused without the token).

use crate::pages::{csrf_of, page, sign_in};
use crate::support::*;
use pressroom_domain::ai::{ClusterItem, IdeaItem};
use pressroom_domain::*;
use pressroom_store::{Db, engine_test};
use reqwest::Method;
use serde_json::{Value, json};

/// Site A's clusters: shoes (the four trail running keywords, volume 2100) and coffee (the
/// four cold brew ones, 2150); one `new` idea in shoes and one made into a task. Account B
/// has a cluster of its own.
struct Plan {
    shoes: i64,
    coffee: i64,
    new_idea: i64,
    queued_idea: i64,
    foreign_cluster: i64,
    foreign_keyword: i64,
}

async fn clusters_of(
    db: &Db,
    account: AccountId,
    site: SiteId,
    groups: &[(&str, &str)],
) -> Vec<ClusterId> {
    let keywords = db
        .keywords_by_status(account, site, KeywordStatus::New, 100)
        .await
        .unwrap();
    let mut tx = db.begin().await.unwrap();
    let mut ids = Vec::new();
    for (name, word) in groups {
        let item = ClusterItem {
            name: name.to_string(),
            description: String::new(),
            keywords: Vec::new(),
        };
        let id = tx
            .insert_cluster(
                account,
                site,
                &item.name,
                &item.description,
                ClusterMethod::Lexical,
                None,
            )
            .await
            .unwrap()
            .expect("a name the site does not have");
        let members: Vec<String> = keywords
            .iter()
            .filter(|k| k.phrase.contains(word))
            .map(|k| k.normalised.clone())
            .collect();
        pressroom_store::testing::map_phrases(&mut tx, account, site, id, &members)
            .await
            .unwrap();
        ids.push(id);
    }
    tx.commit().await.unwrap();
    ids
}

async fn plan(app: &App) -> Plan {
    app.import().await;
    let db = app.p.db();
    let ids = clusters_of(
        db,
        app.account,
        app.site,
        &[("shoes", "shoes"), ("coffee", "coffee")],
    )
    .await;
    let idea = |title: &str| IdeaItem {
        title: title.into(),
        description: String::new(),
        content_structure: ContentStructure::Article,
        outline: vec!["One".into()],
        primary_keyword: title.to_lowercase(),
        secondary_keywords: Vec::new(),
        target_words: 800,
    };
    let mut tx = db.begin().await.unwrap();
    let new_idea = tx
        .insert_idea(
            app.account,
            app.site,
            ids[0],
            &idea("Best trail shoes"),
            &pressroom_domain::clustering::terms_key("Best trail shoes"),
        )
        .await
        .unwrap()
        .expect("a new search");
    let queued = tx
        .insert_idea(
            app.account,
            app.site,
            ids[0],
            &idea("Shoes for women"),
            &pressroom_domain::clustering::terms_key("Shoes for women"),
        )
        .await
        .unwrap()
        .expect("a new search");
    tx.commit().await.unwrap();
    let queued = db.idea(app.account, queued).await.unwrap();
    let mut tx = db.begin().await.unwrap();
    tx.create_task_for_idea(&queued).await.unwrap();
    // Account B: the same keywords in a cluster of its own.
    let other = app.other_account;
    tx.upsert_keywords(
        other,
        app.other_site,
        "test",
        &[KeywordDraft::new("trail running shoes").unwrap()],
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let foreign = clusters_of(db, other, app.other_site, &[("shoes", "shoes")]).await;
    let foreign_keyword = db.keywords_in_cluster(other, foreign[0], 10).await.unwrap()[0].id;
    Plan {
        shoes: ids[0].get(),
        coffee: ids[1].get(),
        new_idea: new_idea.get(),
        queued_idea: queued.id.get(),
        foreign_cluster: foreign[0].get(),
        foreign_keyword: foreign_keyword.get(),
    }
}

impl App {
    async fn patch(&self, path: &str, body: Value) -> (u16, Value) {
        self.call(Method::PATCH, path, &self.token, Some(body))
            .await
    }

    async fn delete(&self, path: &str) -> (u16, Value) {
        self.call(Method::DELETE, path, &self.token, None).await
    }

    /// Keyword ids of a cluster, highest volume first.
    async fn keyword_ids(&self, cluster: i64) -> Vec<i64> {
        let (st, v) = self
            .get(&format!("/api/v1/clusters/{cluster}/keywords"))
            .await;
        assert_eq!(st, 200, "{v}");
        v.as_array()
            .unwrap()
            .iter()
            .map(|k| k["id"].as_i64().unwrap())
            .collect()
    }
}

/// The error's message, which must name `field` first.
fn names_field(got: &(u16, Value), field: &str) {
    let message = got.1["error"]["message"].as_str().unwrap_or("");
    assert!(message.starts_with(&format!("{field}:")), "{}", got.1);
}

engine_test!(cluster_endpoints, |db: Db| async move {
    let app = start(db).await;
    let plan = plan(&app).await;
    let (shoes, coffee) = (plan.shoes, plan.coffee);

    let (st, doc) = app.get("/api/v1/openapi.json").await;
    assert_eq!(st, 200);
    for (path, method) in [
        ("/api/v1/clusters/{id}", "get"),
        ("/api/v1/clusters/{id}", "patch"),
        ("/api/v1/clusters/{id}/keywords", "get"),
        ("/api/v1/clusters/{id}/merge", "post"),
        ("/api/v1/clusters/{id}/split", "post"),
        ("/api/v1/keywords/move", "post"),
        ("/api/v1/keywords/{id}", "patch"),
        ("/api/v1/keywords/{id}", "delete"),
        ("/api/v1/ideas/{id}", "delete"),
    ] {
        assert!(
            doc["paths"][path][method].is_object(),
            "{method} {path} missing from the OpenAPI document"
        );
    }
    assert!(doc["components"]["schemas"]["ClusterEditBody"].is_object());

    let (st, c) = app.get(&format!("/api/v1/clusters/{shoes}")).await;
    assert_eq!(st, 200, "{c}");
    assert_eq!(
        (c["keyword_count"].as_i64(), c["total_volume"].as_i64()),
        (Some(4), Some(2100))
    );

    // Rename: cleaned; a taken name is a 409 naming the other cluster; bad text is a 422
    // naming the field; another account's cluster is a 404; a viewer may not.
    let path = format!("/api/v1/clusters/{shoes}");
    let (st, c) = app
        .patch(
            &path,
            json!({"name": " Trail\trunning shoes ", "description": "Hills"}),
        )
        .await;
    assert_eq!(st, 200, "{c}");
    assert_eq!(
        (c["name"].as_str(), c["description"].as_str()),
        (Some("Trail running shoes"), Some("Hills"))
    );
    let clash = app.patch(&path, json!({"name": "coffee"})).await;
    assert_error(&clash, 409, "already_exists");
    names_field(&clash, "name");
    assert!(
        clash.1["error"]["message"]
            .as_str()
            .unwrap()
            .contains(&format!("cluster {coffee}")),
        "{}",
        clash.1
    );
    let empty = app.patch(&path, json!({"name": "  "})).await;
    assert_error(&empty, 422, "invalid_value");
    names_field(&empty, "name");
    let long = app.patch(&path, json!({"name": "x".repeat(121)})).await;
    assert_error(&long, 422, "invalid_value");
    let status = app.patch(&path, json!({"status": "mapped"})).await;
    assert_error(&status, 422, "invalid_value");
    names_field(&status, "status");
    assert_error(&app.patch(&path, json!({})).await, 422, "invalid_value");
    assert_error(
        &app.patch(&path, json!({"nmae": "x"})).await,
        422,
        "invalid_body",
    );
    assert_error(
        &app.patch(
            &format!("/api/v1/clusters/{}", plan.foreign_cluster),
            json!({"name": "x"}),
        )
        .await,
        404,
        "not_found",
    );
    assert_error(
        &app.call(
            Method::PATCH,
            &path,
            &app.other_token,
            Some(json!({"name": "x"})),
        )
        .await,
        404,
        "not_found",
    );
    assert_error(
        &app.call(
            Method::PATCH,
            &path,
            &app.viewer_token,
            Some(json!({"name": "x"})),
        )
        .await,
        403,
        "forbidden",
    );
    let (_, c) = app.get(&path).await;
    assert_eq!(c["name"], "Trail running shoes", "refusals changed nothing");

    // Split two keywords off into a new cluster; a keyword of another cluster is a 422.
    let shoe_kws = app.keyword_ids(shoes).await;
    let coffee_kws = app.keyword_ids(coffee).await;
    let split_path = format!("/api/v1/clusters/{shoes}/split");
    let bad = app
        .post(
            &split_path,
            json!({"keywords": [shoe_kws[0], coffee_kws[0]], "name": "Mixed"}),
        )
        .await;
    assert_error(&bad, 422, "invalid_value");
    names_field(&bad, "keywords");
    assert_error(
        &app.post(
            &split_path,
            json!({"keywords": [shoe_kws[3]], "name": "coffee"}),
        )
        .await,
        409,
        "already_exists",
    );
    assert_error(
        &app.post(
            &split_path,
            json!({"keywords": [plan.foreign_keyword], "name": "x"}),
        )
        .await,
        404,
        "not_found",
    );
    let (st, made) = app
        .post(
            &split_path,
            json!({"keywords": [shoe_kws[2], shoe_kws[3]], "name": "Trail shoes for women"}),
        )
        .await;
    assert_eq!(st, 201, "{made}");
    assert_eq!(
        (made["method"].as_str(), made["status"].as_str()),
        (Some("manual"), Some("new"))
    );
    assert_eq!(made["keyword_count"], 2);
    let made = made["id"].as_i64().unwrap();
    assert_eq!(app.get(&path).await.1["keyword_count"], 2);

    // Merge: into itself is a 422 naming `into`; another account's cluster a 404.
    let merge = |from: i64| format!("/api/v1/clusters/{from}/merge");
    let itself = app.post(&merge(made), json!({"into": made})).await;
    assert_error(&itself, 422, "invalid_value");
    names_field(&itself, "into");
    assert_error(
        &app.post(&merge(made), json!({"into": plan.foreign_cluster}))
            .await,
        404,
        "not_found",
    );
    let (st, merged) = app.post(&merge(made), json!({"into": shoes})).await;
    assert_eq!(st, 200, "{merged}");
    assert_eq!(merged["moved_keywords"], 2);
    assert_eq!(merged["cluster"]["keyword_count"], 4);
    let (_, gone) = app.get(&format!("/api/v1/clusters/{made}")).await;
    assert_eq!(
        (gone["status"].as_str(), gone["keyword_count"].as_i64()),
        (Some("archived"), Some(0))
    );
    let archived = app.post(&merge(made), json!({"into": shoes})).await;
    assert_error(&archived, 409, "refused");

    // Archive and restore through PATCH.
    let (st, c) = app
        .patch(
            &format!("/api/v1/clusters/{made}"),
            json!({"status": "new"}),
        )
        .await;
    assert_eq!((st, c["status"].as_str()), (200, Some("new")), "{c}");
    let (st, c) = app
        .patch(
            &format!("/api/v1/clusters/{made}"),
            json!({"status": "archived"}),
        )
        .await;
    assert_eq!((st, c["status"].as_str()), (200, Some("archived")), "{c}");
});

engine_test!(keyword_and_idea_endpoints, |db: Db| async move {
    let app = start(db).await;
    let plan = plan(&app).await;
    let (shoes, coffee) = (plan.shoes, plan.coffee);
    let shoe_kws = app.keyword_ids(shoes).await;
    let top = shoe_kws[0]; // trail running shoes, 900

    // Move: another account's keyword is a 404, another site's a 422; nothing moves.
    let (st, site2) = app.post("/api/v1/sites", json!({"name": "second"})).await;
    assert_eq!(st, 201, "{site2}");
    let site2 = SiteId::new(site2["id"].as_i64().unwrap());
    let mut tx = app.p.db().begin().await.unwrap();
    tx.upsert_keywords(
        app.account,
        site2,
        "test",
        &[KeywordDraft::new("yoga mat").unwrap()],
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let yoga = app
        .p
        .db()
        .keywords_by_status(app.account, site2, KeywordStatus::New, 10)
        .await
        .unwrap()[0]
        .id
        .get();
    assert_error(
        &app.post(
            "/api/v1/keywords/move",
            json!({"keywords": [top, plan.foreign_keyword], "cluster": coffee}),
        )
        .await,
        404,
        "not_found",
    );
    let other_site = app
        .post(
            "/api/v1/keywords/move",
            json!({"keywords": [top, yoga], "cluster": coffee}),
        )
        .await;
    assert_error(&other_site, 422, "invalid_value");
    names_field(&other_site, "keywords");
    assert_error(
        &app.post(
            "/api/v1/keywords/move",
            json!({"keywords": [], "cluster": coffee}),
        )
        .await,
        422,
        "invalid_value",
    );
    assert_eq!(app.keyword_ids(shoes).await.len(), 4);
    let (st, moved) = app
        .post(
            "/api/v1/keywords/move",
            json!({"keywords": [top], "cluster": coffee}),
        )
        .await;
    assert_eq!(st, 200, "{moved}");
    assert_eq!(moved["moved"], 1);
    assert_eq!(
        (
            moved["cluster"]["keyword_count"].as_i64(),
            moved["cluster"]["total_volume"].as_i64()
        ),
        (Some(5), Some(3050))
    );
    assert_eq!(
        app.get(&format!("/api/v1/clusters/{shoes}")).await.1["total_volume"],
        1200
    );

    // Archive and restore one keyword; its cluster's counts follow.
    let kw = format!("/api/v1/keywords/{top}");
    let (st, k) = app.patch(&kw, json!({"status": "archived"})).await;
    assert_eq!((st, k["status"].as_str()), (200, Some("archived")), "{k}");
    assert_eq!(
        app.get(&format!("/api/v1/clusters/{coffee}")).await.1["keyword_count"],
        4
    );
    let (st, k) = app.patch(&kw, json!({"status": "new"})).await;
    assert_eq!(
        (st, k["status"].as_str()),
        (200, Some("mapped")),
        "back in its cluster: {k}"
    );
    assert_eq!(k["cluster_id"], coffee);
    let bogus = app.patch(&kw, json!({"status": "gone"})).await;
    assert_error(&bogus, 422, "invalid_value");
    names_field(&bogus, "status");
    assert_error(
        &app.call(
            Method::PATCH,
            &kw,
            &app.other_token,
            Some(json!({"status": "archived"})),
        )
        .await,
        404,
        "not_found",
    );
    assert_error(
        &app.call(Method::DELETE, &kw, &app.viewer_token, None).await,
        403,
        "forbidden",
    );

    // Delete: 204, then 404; the cluster is recounted, ideas stay.
    let (st, _) = app.delete(&kw).await;
    assert_eq!(st, 204);
    assert_error(&app.delete(&kw).await, 404, "not_found");
    assert_eq!(
        app.get(&format!("/api/v1/clusters/{coffee}")).await.1["total_volume"],
        2150
    );

    // Ideas: a new one goes; one made into a task is a 409; another account's a 404.
    assert_error(
        &app.call(
            Method::DELETE,
            &format!("/api/v1/ideas/{}", plan.new_idea),
            &app.other_token,
            None,
        )
        .await,
        404,
        "not_found",
    );
    let (st, _) = app
        .delete(&format!("/api/v1/ideas/{}", plan.new_idea))
        .await;
    assert_eq!(st, 204);
    let queued = app
        .delete(&format!("/api/v1/ideas/{}", plan.queued_idea))
        .await;
    assert_error(&queued, 409, "refused");
    let (_, ideas) = app.get(&format!("/api/v1/sites/{}/ideas", app.site)).await;
    let ideas: Vec<i64> = ideas
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ideas, vec![plan.queued_idea]);
});

/// A form post that answers a redirect; returns the status and the `Location`.
async fn post_redirect(
    app: &App,
    cookie: &str,
    path: &str,
    form: &[(&str, &str)],
) -> (u16, String) {
    let res = app
        .http
        .post(app.url(path))
        .header("cookie", cookie)
        .form(form)
        .send()
        .await
        .unwrap();
    let location = res
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_string())
        .unwrap_or_default();
    (res.status().as_u16(), location)
}

#[tokio::test]
async fn cluster_page_forms_post_and_redirect() {
    let app = start_sqlite().await;
    let plan = plan(&app).await;
    let (shoes, coffee) = (plan.shoes, plan.coffee);
    let cookie = sign_in(&app, "owner@a.example").await;

    let (st, html) = page(&app, &cookie, &format!("/sites/{}/clusters", app.site)).await;
    assert_eq!(st, 200);
    assert!(
        html.contains(&format!("href=\"/clusters/{shoes}\"")),
        "{html}"
    );
    let (st, html) = page(&app, &cookie, &format!("/clusters/{shoes}")).await;
    assert_eq!(st, 200);
    for part in [
        "id=\"rename\"",
        "id=\"merge\"",
        "id=\"archive\"",
        "id=\"split\"",
        "name=\"keywords\"",
        "trail running shoes",
        "Best trail shoes",
    ] {
        assert!(html.contains(part), "{part} missing");
    }
    let csrf = csrf_of(&html);
    let at = |id: i64, what: &str| format!("/clusters/{id}/{what}");

    // Without the token, nothing happens.
    let (st, _) = post_redirect(
        &app,
        &cookie,
        &at(shoes, "rename"),
        &[("name", "Hacked"), ("description", "")],
    )
    .await;
    assert_eq!(st, 403);
    let (st, _) = post_redirect(
        &app,
        &cookie,
        &at(shoes, "rename"),
        &[("name", "Hacked"), ("description", ""), ("csrf", "nope")],
    )
    .await;
    assert_eq!(st, 403);
    assert_eq!(
        app.get(&format!("/api/v1/clusters/{shoes}")).await.1["name"],
        "shoes"
    );

    let (st, to) = post_redirect(
        &app,
        &cookie,
        &at(shoes, "rename"),
        &[
            ("csrf", &csrf),
            ("name", "Trail shoes"),
            ("description", "Hills"),
        ],
    )
    .await;
    assert_eq!(
        (st, to.as_str()),
        (303, format!("/clusters/{shoes}").as_str())
    );
    let (_, html) = page(&app, &cookie, &format!("/clusters/{shoes}")).await;
    assert!(html.contains("Trail shoes") && html.contains("Hills"));
    // A taken name is an error page with the API's status.
    let (st, _) = post_redirect(
        &app,
        &cookie,
        &at(shoes, "rename"),
        &[("csrf", &csrf), ("name", "coffee"), ("description", "")],
    )
    .await;
    assert_eq!(st, 409);

    // Split two checked keywords off, then move one of them to coffee.
    let kws = app.keyword_ids(shoes).await;
    let (k2, k3) = (kws[2].to_string(), kws[3].to_string());
    let (st, to) = post_redirect(
        &app,
        &cookie,
        &at(shoes, "split"),
        &[
            ("csrf", &csrf),
            ("keywords", &k2),
            ("keywords", &k3),
            ("to", ""),
            ("name", "Shoes for women"),
        ],
    )
    .await;
    assert_eq!(st, 303);
    let made: i64 = to.strip_prefix("/clusters/").unwrap().parse().unwrap();
    assert_eq!(app.keyword_ids(made).await.len(), 2);
    let coffee_s = coffee.to_string();
    let (st, to) = post_redirect(
        &app,
        &cookie,
        &at(made, "move"),
        &[
            ("csrf", &csrf),
            ("keywords", &k2),
            ("to", &coffee_s),
            ("name", ""),
        ],
    )
    .await;
    assert_eq!((st, to), (303, format!("/clusters/{made}")));
    assert_eq!(app.keyword_ids(coffee).await.len(), 5);
    // Nothing checked: a 422 page, nothing moved.
    let (st, _) = post_redirect(
        &app,
        &cookie,
        &at(made, "move"),
        &[("csrf", &csrf), ("to", &coffee_s)],
    )
    .await;
    assert_eq!(st, 422);

    // Merge into shoes, which the browser is sent to; then restore and archive.
    let shoes_s = shoes.to_string();
    let (st, to) = post_redirect(
        &app,
        &cookie,
        &at(made, "merge"),
        &[("csrf", &csrf), ("into", &shoes_s)],
    )
    .await;
    assert_eq!((st, to), (303, format!("/clusters/{shoes}")));
    let (_, html) = page(&app, &cookie, &format!("/clusters/{made}")).await;
    assert!(html.contains("id=\"restore\"") && !html.contains("id=\"split\""));
    let (st, _) = post_redirect(&app, &cookie, &at(made, "restore"), &[("csrf", &csrf)]).await;
    assert_eq!(st, 303);
    assert_eq!(
        app.get(&format!("/api/v1/clusters/{made}")).await.1["status"],
        "new"
    );
    let (st, _) = post_redirect(&app, &cookie, &at(made, "archive"), &[("csrf", &csrf)]).await;
    assert_eq!(st, 303);
    assert_eq!(
        app.get(&format!("/api/v1/clusters/{made}")).await.1["status"],
        "archived"
    );

    // The keywords page's buttons, and the ideas table's delete button.
    let (_, html) = page(&app, &cookie, &format!("/sites/{}/keywords", app.site)).await;
    assert!(
        html.contains(&format!("/keywords/{}/archive", kws[0])),
        "{html}"
    );
    let keywords_page = format!("/sites/{}/keywords", app.site);
    let (st, to) = post_redirect(
        &app,
        &cookie,
        &format!("/keywords/{}/archive", kws[0]),
        &[("csrf", &csrf)],
    )
    .await;
    assert_eq!((st, to.as_str()), (303, keywords_page.as_str()));
    let (_, html) = page(&app, &cookie, &keywords_page).await;
    assert!(html.contains(&format!("/keywords/{}/restore", kws[0])));
    let (st, _) = post_redirect(
        &app,
        &cookie,
        &format!("/keywords/{}/delete", kws[0]),
        &[("csrf", &csrf)],
    )
    .await;
    assert_eq!(st, 303);
    assert!(
        app.p
            .db()
            .keywords_by_ids(app.account, &[KeywordId::new(kws[0])])
            .await
            .unwrap()
            .is_empty()
    );
    let ideas_page = format!("/sites/{}/ideas", app.site);
    let (_, html) = page(&app, &cookie, &ideas_page).await;
    let button = format!("/ideas/{}/delete", plan.new_idea);
    assert!(html.contains(&button), "{html}");
    assert!(
        !html.contains(&format!("/ideas/{}/delete", plan.queued_idea)),
        "queued ideas have no button"
    );
    let (st, to) = post_redirect(&app, &cookie, &button, &[("csrf", &csrf)]).await;
    assert_eq!((st, to), (303, ideas_page));

    // A viewer sees no forms and cannot post one.
    let viewer = sign_in(&app, "viewer@a.example").await;
    let (_, html) = page(&app, &viewer, &format!("/clusters/{shoes}")).await;
    assert!(!html.contains("id=\"rename\"") && !html.contains("name=\"keywords\""));
    let viewer_csrf = csrf_of(&html);
    let (st, _) = post_redirect(
        &app,
        &viewer,
        &at(shoes, "rename"),
        &[
            ("csrf", &viewer_csrf),
            ("name", "Viewer's"),
            ("description", ""),
        ],
    )
    .await;
    assert_eq!(st, 403);
    // Another account's cluster is a 404 page.
    let other = sign_in(&app, "owner@b.example").await;
    let (st, _) = page(&app, &other, &format!("/clusters/{shoes}")).await;
    assert_eq!(st, 404);
}
