<?php
// Written per instance by pressroom-testwp: one database, one content dir, one port.
define('DB_NAME', '@DB_NAME@');
define('DB_USER', 'root');
define('DB_PASSWORD', '');
define('DB_HOST', '@DB_HOST@');
define('DB_CHARSET', 'utf8mb4');
define('DB_COLLATE', '');
$table_prefix = 'wp_';

define('WP_HOME', '@URL@');
define('WP_SITEURL', '@URL@');
define('WP_CONTENT_DIR', '@CONTENT@');
define('WP_CONTENT_URL', '@URL@/wp-content');

// Application passwords work over plain http only on a "local" site.
define('WP_ENVIRONMENT_TYPE', 'local');
// Nothing may phone home or run behind our backs during a test.
define('DISABLE_WP_CRON', true);
define('AUTOMATIC_UPDATER_DISABLED', true);
define('WP_HTTP_BLOCK_EXTERNAL', true);
define('WP_DEBUG', false);
define('WP_DEBUG_DISPLAY', false);

define('AUTH_KEY', '@SALT@a');
define('SECURE_AUTH_KEY', '@SALT@b');
define('LOGGED_IN_KEY', '@SALT@c');
define('NONCE_KEY', '@SALT@d');
define('AUTH_SALT', '@SALT@e');
define('SECURE_AUTH_SALT', '@SALT@f');
define('LOGGED_IN_SALT', '@SALT@g');
define('NONCE_SALT', '@SALT@h');

if (!defined('ABSPATH')) {
    define('ABSPATH', __DIR__ . '/');
}
require_once ABSPATH . 'wp-settings.php';
