//! Destinations and publication records on both engines: inputs checked, everything scoped by
//! account, one record per (article, destination) however often it is queued, status moves
//! checked (a record being sent is left alone), and the scheduler's read of what is due.

use pressroom_domain::publish::{DestinationOptions, PublishSchedule};
use pressroom_domain::*;
use pressroom_store::testing::{article_site, seed_article};
use pressroom_store::{
    Db, DestinationUpdate, NewDestination, PublicationOutcome, StoreError, engine_test,
};

fn wordpress(site: SiteId, url: &str) -> NewDestination {
    NewDestination {
        site,
        name: "Main blog".into(),
        kind: DestinationKind::WordPress,
        url: url.into(),
        username: Some("editor".into()),
        sealed_secret: "sealed".into(),
        options: DestinationOptions::default(),
        schedule: PublishSchedule::default(),
    }
}

engine_test!(destinations_are_checked_and_scoped, |db: Db| async move {
    let (a, site, _) = article_site(&db, "a").await;
    let (b, other_site, _) = article_site(&db, "b").await;
    let d = db
        .create_destination(a, &wordpress(site, "https://blog.example.com/"))
        .await
        .unwrap();
    assert_eq!(d.url, "https://blog.example.com");
    assert_eq!(d.status, DestinationStatus::Active);

    // Bad input names the field; another account's site is not found.
    for (new, field) in [
        (wordpress(site, "ftp://x.example"), "url"),
        (
            NewDestination {
                username: None,
                ..wordpress(site, "https://x.example")
            },
            "username",
        ),
        (
            NewDestination {
                name: " ".into(),
                ..wordpress(site, "https://x.example")
            },
            "name",
        ),
        (
            NewDestination {
                schedule: PublishSchedule {
                    every_minutes: 0,
                    ..Default::default()
                },
                ..wordpress(site, "https://x.example")
            },
            "every_minutes",
        ),
    ] {
        let e = db
            .create_destination(a, &new)
            .await
            .unwrap_err()
            .to_string();
        assert!(e.contains(field), "{field}: {e}");
    }
    assert!(matches!(
        db.create_destination(a, &wordpress(other_site, "https://x.example"))
            .await,
        Err(StoreError::NotFound { .. })
    ));
    assert!(matches!(
        db.destination(b, d.id).await,
        Err(StoreError::NotFound { .. })
    ));
    assert!(db.destinations(b, site).await.unwrap().is_empty());

    let changed = db
        .update_destination(
            a,
            d.id,
            &DestinationUpdate {
                name: Some("Renamed".into()),
                sealed_secret: Some("new".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(changed.name, "Renamed");
    assert_eq!(db.destination_secret(a, d.id).await.unwrap(), "new");
    assert!(
        db.update_destination(b, d.id, &DestinationUpdate::default())
            .await
            .is_err()
    );
    db.remove_destination(a, d.id).await.unwrap();
    assert_eq!(
        db.destination(a, d.id).await.unwrap().status,
        DestinationStatus::Removed
    );
    assert!(matches!(
        db.update_destination(a, d.id, &DestinationUpdate::default())
            .await,
        Err(StoreError::Refused(_))
    ));
});

engine_test!(
    one_record_per_article_and_destination,
    |db: Db| async move {
        let (a, site, cluster) = article_site(&db, "a").await;
        let (b, _, _) = article_site(&db, "b").await;
        let article = seed_article(&db, a, site, cluster, "trail shoes").await;
        let dest = db
            .create_destination(a, &wordpress(site, "https://blog.example.com"))
            .await
            .unwrap();

        let mut tx = db.begin().await.unwrap();
        let first = tx
            .queue_publication(a, article.id, dest.id, Some(1_000), false)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert!(first.created && first.queued);
        assert_eq!(first.publication.status, PublicationStatus::Pending);
        assert_eq!(first.publication.site_id, site);

        // Another account cannot queue or read it.
        let mut tx = db.begin().await.unwrap();
        assert!(
            tx.queue_publication(b, article.id, dest.id, Some(1), false)
                .await
                .is_err()
        );
        tx.rollback().await.unwrap();
        assert!(db.publication(b, first.publication.id).await.is_err());

        // Due only once its slot has come; held ones never.
        assert!(db.due_publications(999, 10).await.unwrap().is_empty());
        let due = db.due_publications(1_000, 10).await.unwrap();
        assert_eq!(due.len(), 1);
        assert_eq!((due[0].account, due[0].id), (a, first.publication.id));

        // Sending: queueing again leaves it alone; a finished send keeps its post id.
        let id = first.publication.id;
        let mut tx = db.begin().await.unwrap();
        let sending = tx.begin_sending(a, id).await.unwrap();
        assert_eq!(
            (sending.status, sending.attempts),
            (PublicationStatus::Sending, 1)
        );
        let again = tx
            .queue_publication(a, article.id, dest.id, Some(5), false)
            .await
            .unwrap();
        assert!(!again.queued && !again.created);
        tx.finish_publication(
            a,
            id,
            &PublicationOutcome {
                status: PublicationStatus::Unknown,
                external_id: None,
                url: None,
                error: Some("timed out after sending".into()),
                seo_report: None,
                sent_version: None,
            },
        )
        .await
        .unwrap();
        tx.begin_sending(a, id).await.unwrap();
        let done = tx
            .finish_publication(
                a,
                id,
                &PublicationOutcome {
                    status: PublicationStatus::Published,
                    external_id: Some("42".into()),
                    url: Some("https://blog.example.com/trail-shoes/".into()),
                    error: None,
                    seo_report: Some(serde_json::json!({"dropped": []})),
                    sent_version: Some(article.updated_at),
                },
            )
            .await
            .unwrap();
        assert_eq!(tx.published_count(a, article.id).await.unwrap(), 1);
        tx.commit().await.unwrap();
        assert_eq!(done.external_id.as_deref(), Some("42"));
        assert!(done.published_at.is_some() && done.last_error.is_none());
        // A published record cannot be "finished" again without a send.
        let mut tx = db.begin().await.unwrap();
        assert!(
            tx.finish_publication(
                a,
                id,
                &PublicationOutcome {
                    status: PublicationStatus::Failed,
                    external_id: None,
                    url: None,
                    error: None,
                    seo_report: None,
                    sent_version: None,
                }
            )
            .await
            .is_err()
        );
        tx.rollback().await.unwrap();

        // Queued again: the same record, back to pending, its post id kept (updated in place).
        let mut tx = db.begin().await.unwrap();
        let again = tx
            .queue_publication(a, article.id, dest.id, None, false)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert!(again.queued && !again.created);
        assert_eq!(again.publication.id, id);
        assert_eq!(again.publication.status, PublicationStatus::Pending);
        assert!(again.publication.held);
        assert_eq!(again.publication.external_id.as_deref(), Some("42"));
        assert_eq!(
            db.publications_of_content(a, article.id)
                .await
                .unwrap()
                .len(),
            1
        );
        assert!(
            db.due_publications(i64::MAX, 10).await.unwrap().is_empty(),
            "held"
        );

        let mut tx = db.begin().await.unwrap();
        let moved = tx.reschedule_publication(a, id, Some(50)).await.unwrap();
        assert!(!moved.held);
        let taken = tx.taken_slots(a, dest.id, 0).await.unwrap();
        assert_eq!(taken, vec![50]);
        tx.commit().await.unwrap();
        let listed = db
            .publications_of_site(a, site, Some(PublicationStatus::Pending), 10, 0)
            .await
            .unwrap();
        assert_eq!(listed.len(), 1);
        assert!(
            db.publications_of_site(b, site, None, 10, 0)
                .await
                .unwrap()
                .is_empty()
        );
    }
);
