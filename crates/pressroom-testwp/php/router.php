<?php
// Router for `php -S`: static files as they are, PHP files run, everything else (pretty
// permalinks, /wp-json/... including paths with a dot) goes to index.php.
// ABSPATH is this directory (symlinks to /usr/share/wordpress plus our own wp-config.php):
// WordPress's files resolve __DIR__ through the symlinks, so ABSPATH must be set here.
define('ABSPATH', __DIR__ . '/');
$path = rawurldecode(parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH) ?? '/');
$file = __DIR__ . $path;
if ($path !== '/' && strpos($path, '..') === false && is_file($file)) {
    if (substr($path, -4) !== '.php') {
        return false;
    }
    $_SERVER['SCRIPT_NAME'] = $path;
    $_SERVER['PHP_SELF'] = $path;
    $_SERVER['SCRIPT_FILENAME'] = $file;
    chdir(dirname($file));
    require $file;
    return true;
}
$_SERVER['SCRIPT_NAME'] = '/index.php';
$_SERVER['PHP_SELF'] = '/index.php';
$_SERVER['SCRIPT_FILENAME'] = __DIR__ . '/index.php';
require __DIR__ . '/index.php';
return true;
