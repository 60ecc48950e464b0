<?php
// Installs a fresh WordPress into the configured database and prints an application password for "admin".
// Run by tests/wordpress_server.py with the PHP command line; never used outside the tests.
$_SERVER['HTTP_HOST'] = getenv('WP_TEST_HOST');
$_SERVER['REQUEST_URI'] = '/';
define('WP_INSTALLING', true);
require getenv('WP_TEST_ROOT') . '/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
wp_install('Blog des médiathèques', 'admin', 'admin@exemple.fr', true, '', 'mot-de-passe-admin');
update_option('siteurl', 'http://' . getenv('WP_TEST_HOST'));
update_option('home', 'http://' . getenv('WP_TEST_HOST'));
update_option('timezone_string', 'Europe/Paris');
switch_theme('twentytwentythree');
list($password) = WP_Application_Passwords::create_new_application_password(1, array('name' => 'outreach'));
echo $password;
