<?php
// Installs WordPress into the instance's (empty) database with WordPress's own wp_install(),
// then prints JSON: the admin and a contributor, each with an application password.
// Usage: php install.php ROOT_DIR BASE_URL
[$_, $root, $url] = $argv;
define('ABSPATH', rtrim($root, '/') . '/');
define('WP_INSTALLING', true);
$_SERVER['HTTP_HOST'] = parse_url($url, PHP_URL_HOST) . ':' . parse_url($url, PHP_URL_PORT);
$_SERVER['REQUEST_URI'] = '/';
$_SERVER['SERVER_PROTOCOL'] = 'HTTP/1.1';
// No mail server here; wp_install() mails the admin.
function wp_mail() { return true; }
require ABSPATH . 'wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';

$result = wp_install('Pressroom Test Site', 'admin', 'admin@example.test', true, '', wp_generate_password(24), 'en_US');
if (is_wp_error($result)) {
    fwrite(STDERR, $result->get_error_message());
    exit(1);
}
// An empty site: no "Hello world!" post, sample page or privacy page to count.
foreach (get_posts(['post_type' => ['post', 'page'], 'post_status' => 'any', 'numberposts' => -1]) as $p) {
    wp_delete_post($p->ID, true);
}
update_option('permalink_structure', '/%postname%/');
delete_option('rewrite_rules'); // rebuilt on the first request, with the REST rules
switch_theme('pressroom-test');

function pressroom_app_password($user_id) {
    $made = WP_Application_Passwords::create_new_application_password($user_id, ['name' => 'pressroom-tests']);
    if (is_wp_error($made)) {
        fwrite(STDERR, $made->get_error_message());
        exit(1);
    }
    return $made[0];
}
$admin = get_user_by('login', 'admin');
$writer = wp_insert_user([
    'user_login' => 'writer',
    'user_pass' => wp_generate_password(24),
    'user_email' => 'writer@example.test',
    'role' => 'contributor',
]);
if (is_wp_error($writer)) {
    fwrite(STDERR, $writer->get_error_message());
    exit(1);
}
echo json_encode([
    'admin_id' => $admin->ID,
    'admin_password' => pressroom_app_password($admin->ID),
    'writer_id' => $writer,
    'writer_password' => pressroom_app_password($writer),
]);
