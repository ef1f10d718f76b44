<?php
// Runs PHP code from stdin inside the instance's WordPress (for test setup and assertions).
// Usage: php eval.php ROOT_DIR BASE_URL < code
[$_, $root, $url] = $argv;
define('ABSPATH', rtrim($root, '/') . '/');
$_SERVER['HTTP_HOST'] = parse_url($url, PHP_URL_HOST) . ':' . parse_url($url, PHP_URL_PORT);
$_SERVER['REQUEST_URI'] = '/';
$_SERVER['SERVER_PROTOCOL'] = 'HTTP/1.1';
require ABSPATH . 'wp-load.php';
eval(stream_get_contents(STDIN));
