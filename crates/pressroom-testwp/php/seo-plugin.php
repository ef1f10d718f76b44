<?php
/*
 * Plugin Name: Pressroom test SEO
 * Description: What Rank Math and Yoast SEO expose to a REST client, without the plugins
 * (neither is a Debian package). @MODE@ is rankmath, yoast or both.
 */
const PRESSROOM_SEO_MODE = '@MODE@';

function pressroom_seo_has($plugin) {
    return PRESSROOM_SEO_MODE === 'both' || PRESSROOM_SEO_MODE === $plugin;
}

if (pressroom_seo_has('yoast')) {
    // Yoast's post meta, writable through the `meta` field of /wp/v2/posts like a site that
    // registers them for REST; protected keys ("_" prefix) need an auth callback.
    add_action('init', function () {
        foreach (['_yoast_wpseo_title', '_yoast_wpseo_metadesc', '_yoast_wpseo_focuskw'] as $key) {
            register_post_meta('post', $key, [
                'type' => 'string',
                'single' => true,
                'show_in_rest' => true,
                'auth_callback' => function ($allowed, $meta_key, $post_id) {
                    return current_user_can('edit_post', $post_id);
                },
            ]);
        }
    });
    // The yoast/v1 namespace, as the real plugin's head endpoint for a URL.
    add_action('rest_api_init', function () {
        register_rest_route('yoast/v1', '/get_head', [
            'methods' => WP_REST_Server::READABLE,
            'permission_callback' => '__return_true',
            'args' => ['url' => ['type' => 'string', 'required' => true]],
            'callback' => function (WP_REST_Request $request) {
                $id = url_to_postid($request['url']);
                if (!$id) {
                    return new WP_Error('wpseo_rest_api_no_post', 'No post at that URL.', ['status' => 404]);
                }
                return [
                    'status' => 200,
                    'json' => [
                        'title' => get_post_meta($id, '_yoast_wpseo_title', true),
                        'description' => get_post_meta($id, '_yoast_wpseo_metadesc', true),
                    ],
                ];
            },
        ]);
    });
}

if (pressroom_seo_has('rankmath')) {
    add_action('rest_api_init', function () {
        // Rank Math's editor endpoint: POST rankmath/v1/updateMeta {objectType, objectID, meta}.
        register_rest_route('rankmath/v1', '/updateMeta', [
            'methods' => WP_REST_Server::CREATABLE,
            'permission_callback' => function (WP_REST_Request $request) {
                return current_user_can('edit_post', (int) $request['objectID']);
            },
            'args' => [
                'objectType' => ['type' => 'string', 'required' => true, 'enum' => ['post', 'term', 'user']],
                'objectID' => ['type' => 'integer', 'required' => true],
                'meta' => ['type' => 'object', 'required' => true],
            ],
            'callback' => function (WP_REST_Request $request) {
                $type = $request['objectType'];
                $id = (int) $request['objectID'];
                foreach ((array) $request['meta'] as $key => $value) {
                    if (strpos($key, 'rank_math_') === 0) {
                        update_metadata($type, $id, $key, sanitize_text_field($value));
                    }
                }
                return ['slug' => true, 'schemas' => []];
            },
        ]);
        // Rank Math's headless head endpoint: the rendered <title> and description of a URL.
        register_rest_route('rankmath/v1', '/getHead', [
            'methods' => WP_REST_Server::READABLE,
            'permission_callback' => '__return_true',
            'args' => ['url' => ['type' => 'string', 'required' => true]],
            'callback' => function (WP_REST_Request $request) {
                $id = url_to_postid($request['url']);
                if (!$id) {
                    return new WP_Error('rank_math_no_post', 'No post at that URL.', ['status' => 404]);
                }
                $title = get_post_meta($id, 'rank_math_title', true);
                $description = get_post_meta($id, 'rank_math_description', true);
                return [
                    'success' => true,
                    'head' => '<title>' . esc_html($title) . '</title>'
                        . '<meta name="description" content="' . esc_attr($description) . '"/>',
                ];
            },
        ]);
    });
}
