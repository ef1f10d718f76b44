<?php
// Database chores for the harness (create, drop, query), so it needs PHP only, not a MySQL client.
// Usage: php db.php HOST PORT create|drop|query DBNAME [SQL]; query prints the rows as JSON.
[$_, $host, $port, $op, $db] = $argv;
if (!preg_match('/^[a-z0-9_]+$/', $db)) {
    fwrite(STDERR, "bad database name\n");
    exit(2);
}
mysqli_report(MYSQLI_REPORT_ERROR | MYSQLI_REPORT_STRICT);
try {
    $m = new mysqli($host, 'root', '', $op === 'query' ? $db : null, (int)$port);
    if ($op === 'create') {
        $m->query("CREATE DATABASE `$db` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci");
    } elseif ($op === 'drop') {
        $m->query("DROP DATABASE IF EXISTS `$db`");
    } elseif ($op === 'query') {
        $res = $m->query($argv[5]);
        echo json_encode($res === true ? [] : $res->fetch_all(MYSQLI_ASSOC));
    }
} catch (mysqli_sql_exception $e) {
    fwrite(STDERR, $e->getMessage() . "\n");
    exit(1);
}
