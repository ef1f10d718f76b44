//! `serp::import_serp` on both engines, and SERP clustering over what it stored.

use crate::support::*;
use pressroom_domain::clustering::{SerpClusterer, adjusted_rand_index};
use pressroom_domain::*;
use pressroom_mock_ai::MockConfig;
use pressroom_pipeline::serp::{SerpImportError, import_serp};
use pressroom_store::{Db, engine_test};

engine_test!(
    an_import_replaces_a_keywords_results_and_a_bad_file_changes_nothing,
    |db: Db| async move {
        let h = harness(db.clone(), MockConfig::default(), "offline", "offline").await;
        let file = "Keyword,Position,URL\n\
            Trail Running Shoes,2,https://b.example/shoes\n\
            trail running shoes,1,https://www.a.example/\n\
            cold brew coffee,1,https://c.example/brew\n";
        let r = import_serp(&db, h.account, h.site.id, file.as_bytes().to_vec())
            .await
            .unwrap();
        assert_eq!((r.rows, r.keywords, r.results), (3, 2, 3));
        let names = vec!["trail running shoes".to_string(), "cold brew coffee".into()];
        let got = db.serp_urls(h.account, h.site.id, &names).await.unwrap();
        assert_eq!(
            got["trail running shoes"],
            vec!["a.example".to_string(), "b.example/shoes".into()]
        );
        // A re-import of one keyword replaces its rows and leaves the other's.
        let again = "keyword\tposition\turl\ntrail running shoes\t1\thttps://z.example/\n";
        import_serp(&db, h.account, h.site.id, again.as_bytes().to_vec())
            .await
            .unwrap();
        let got = db.serp_urls(h.account, h.site.id, &names).await.unwrap();
        assert_eq!(got["trail running shoes"], vec!["z.example".to_string()]);
        assert_eq!(got["cold brew coffee"], vec!["c.example/brew".to_string()]);
        // One bad row: nothing of the file is written.
        let bad = "keyword,position,url\ncold brew coffee,1,https://new.example/\nx,0,https://y.example/\n";
        let err = import_serp(&db, h.account, h.site.id, bad.as_bytes().to_vec())
            .await
            .unwrap_err();
        assert!(
            matches!(err, SerpImportError::BadRows { count: 1, .. }),
            "{err}"
        );
        assert!(err.to_string().contains("line 3"), "{err}");
        let got = db.serp_urls(h.account, h.site.id, &names).await.unwrap();
        assert_eq!(got["cold brew coffee"], vec!["c.example/brew".to_string()]);
        // Another account cannot write to this site.
        let other = db.create_account("other", Credits(0)).await.unwrap();
        assert!(
            import_serp(&db, other.id, h.site.id, file.as_bytes().to_vec())
                .await
                .is_err()
        );
    }
);

engine_test!(
    keywords_sharing_urls_cluster_together_from_stored_results,
    |db: Db| async move {
        let h = harness(db.clone(), MockConfig::default(), "offline", "offline").await;
        // 12 intents of 5 keywords each; each intent's keywords rank 6 shared pages plus 4
        // of their own, and every keyword shares 2 generic pages with all others.
        let mut file = String::from("keyword,position,url\n");
        let mut names = Vec::new();
        let mut truth = Vec::new();
        for intent in 0..12 {
            for k in 0..5 {
                let kw = format!("intent {intent} way {k}");
                let mut urls: Vec<String> = (0..6)
                    .map(|u| format!("https://topic{intent}.example/{u}"))
                    .collect();
                urls.extend((0..2).map(|u| format!("https://generic.example/{u}")));
                urls.extend((0..2).map(|u| format!("https://own.example/{intent}/{k}/{u}")));
                for (pos, url) in urls.iter().enumerate() {
                    file.push_str(&format!("{kw},{},{url}\n", pos + 1));
                }
                names.push(kw);
                truth.push(intent);
            }
        }
        import_serp(&db, h.account, h.site.id, file.into_bytes())
            .await
            .unwrap();
        let stored = db.serp_urls(h.account, h.site.id, &names).await.unwrap();
        let lists: Vec<&[String]> = names.iter().map(|n| stored[n].as_slice()).collect();
        let found = SerpClusterer::new(4).cluster(&lists);
        assert_eq!(adjusted_rand_index(&truth, &found), 1.0);
        // Sharing 2 generic pages is not enough at 4, but lumps everything at 2.
        let lumped = SerpClusterer::new(2).cluster(&lists);
        assert!(lumped.iter().all(|c| *c == 0));
    }
);
