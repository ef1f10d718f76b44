<!doctype html>
<html <?php language_attributes(); ?>>
<head><meta charset="<?php bloginfo('charset'); ?>"><?php wp_head(); ?></head>
<body>
<?php while (have_posts()) : the_post(); ?>
<article>
<h1 class="entry-title"><?php the_title(); ?></h1>
<?php if (has_post_thumbnail()) { the_post_thumbnail('full'); } ?>
<div class="entry-content"><?php the_content(); ?></div>
</article>
<?php endwhile; ?>
<?php wp_footer(); ?>
</body>
</html>
