//! Clusters: the pipeline groups a site's whole keyword list itself and sends a model one
//! group at a time, its best-naming phrase first, to name (and, for a real model, to split by
//! intent). Offline, the group stays whole and is named after that first phrase.

use super::words::*;
use pressroom_domain::ai::bounds::CLUSTER_KEYWORDS_MAX;
use pressroom_domain::ai::{ClusterInput, ClusterItem, ClusterOutput};

/// One cluster holding the keywords given (copied exactly, at most the schema's maximum: the
/// pipeline puts any left out in the first cluster), named after the first.
pub fn cluster(input: &ClusterInput) -> ClusterOutput {
    let mut keywords: Vec<String> = Vec::new();
    for k in &input.keywords {
        if keywords.len() == CLUSTER_KEYWORDS_MAX as usize {
            break;
        }
        if !k.trim().is_empty() && !keywords.contains(k) {
            keywords.push(k.clone());
        }
    }
    let Some(first) = keywords.first() else {
        return ClusterOutput { clusters: vec![] };
    };
    let name = clip(&title_case(first.trim()), 80);
    ClusterOutput {
        clusters: vec![ClusterItem {
            description: cluster_description(&name, &keywords),
            name,
            keywords,
        }],
    }
}

fn cluster_description(name: &str, kws: &[String]) -> String {
    let topic = lower_words(name);
    match kws {
        [] => format!("Searches about {topic}."),
        [one] => format!("Searches about {topic}, such as \"{one}\"."),
        [a, b] => format!("Searches about {topic}, such as \"{a}\" and \"{b}\"."),
        [a, b, rest @ ..] => format!(
            "Searches about {topic}, such as \"{a}\", \"{b}\" and {} more.",
            rest.len()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_group_stays_whole_and_is_named_after_its_first_phrase() {
        let out = cluster(&ClusterInput {
            keywords: vec![
                "trail running shoes".into(),
                "best trail running shoes".into(),
                "trail running shoes".into(),
            ],
        });
        assert_eq!(out.clusters.len(), 1);
        assert_eq!(out.clusters[0].name, "Trail Running Shoes");
        assert_eq!(out.clusters[0].keywords.len(), 2);
    }
}
