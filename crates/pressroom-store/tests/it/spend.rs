//! A site's spend for its budget: each AI call's credits land in the site's quarter-hour total
//! in the call's transaction; sums from a quarter boundary read those totals and agree with the
//! calls themselves, sums from any other instant read the calls; other sites and accounts
//! never count, and a rolled-back call counts nowhere.

use pressroom_domain::*;
use pressroom_store::{Db, NewUsage, engine_test};

fn usage(site: Option<SiteId>, credits: i64) -> NewUsage {
    NewUsage {
        site,
        function: AiFunction::GenerateContent,
        provider: "openai".into(),
        model: "gpt-4o".into(),
        tokens_in: 100,
        tokens_out: 100,
        images: 0,
        cost: UsdMicros(1_000),
        credits: Credits(credits),
        latency_ms: 1,
        error: None,
        subject: None,
        run: None,
    }
}

engine_test!(
    spend_is_kept_per_site_as_calls_are_recorded,
    |db: Db| async move {
        let a = db.create_account("a", Credits(0)).await.unwrap().id;
        let b = db.create_account("b", Credits(0)).await.unwrap().id;
        let s = SiteSettings::default();
        let blog = db.create_site(a, "blog", None, "en", &s).await.unwrap().id;
        let shop = db.create_site(a, "shop", None, "en", &s).await.unwrap().id;
        let other = db.create_site(b, "blog", None, "en", &s).await.unwrap().id;
        let mut tx = db.begin().await.unwrap();
        for (account, site, credits) in [
            (a, Some(blog), 5),
            (a, Some(blog), 7),
            (a, Some(blog), 0),
            (a, Some(shop), 11),
            (a, None, 13),
            (b, Some(other), 17),
        ] {
            tx.insert_usage(account, &usage(site, credits))
                .await
                .unwrap();
        }
        tx.commit().await.unwrap();
        // Never committed: counts nowhere.
        let mut tx = db.begin().await.unwrap();
        tx.insert_usage(a, &usage(Some(blog), 1000)).await.unwrap();
        tx.rollback().await.unwrap();

        let quarter = 15 * 60 * 1000;
        let since_quarter = (pressroom_store::now_ms() / quarter - 4) * quarter;
        // From a quarter (the bucket totals) and from any other instant (the calls): the same.
        for since in [since_quarter, since_quarter + 1, 0] {
            assert_eq!(
                db.site_spend_since(a, blog, since).await.unwrap(),
                Credits(12),
                "{since}"
            );
            assert_eq!(
                db.site_spend_since(a, shop, since).await.unwrap(),
                Credits(11),
                "{since}"
            );
            assert_eq!(
                db.site_spend_since(b, other, since).await.unwrap(),
                Credits(17),
                "{since}"
            );
            assert_eq!(
                db.site_spend_since(b, blog, since).await.unwrap(),
                Credits(0),
                "another account's site"
            );
        }
        let next_quarter = (pressroom_store::now_ms() / quarter + 1) * quarter;
        assert_eq!(
            db.site_spend_since(a, blog, next_quarter).await.unwrap(),
            Credits(0)
        );
    }
);
