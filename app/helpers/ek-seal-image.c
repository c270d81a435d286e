/* ek-seal-image.c: ekey-seal-image NAME — the round red seal image of an enterprise, PNG on stdout
 *
 * The registration service's operator makes a seal with `ekey-registry review make-seal`; the
 * demo service draws its image here, in a process of its own, so that the service itself links
 * neither cairo nor pango: a ring, the name along the upper arc, a five-pointed star.
 */
#include "config.h"

#include <math.h>
#include <pango/pangocairo.h>
#include <stdio.h>
#include <unistd.h>

static cairo_status_t
write_stdout (void                *closure,
              const unsigned char *data,
              unsigned int         length)
{
  return fwrite (data, 1, length, stdout) == length ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_WRITE_ERROR;
}

int
main (int   argc,
      char *argv[])
{
  const int size = 240;
  const double cx = size / 2.0, cy = size / 2.0, r = size / 2.0 - 8;
  cairo_surface_t *surface;
  cairo_t *cr;
  PangoFontMap *map;
  PangoContext *context;
  PangoLayout *layout;
  PangoFontDescription *font;
  const char *name, *p;
  glong n;
  double span;
  cairo_status_t status;

  if (argc != 2 || !g_utf8_validate (argv[1], -1, NULL) || argv[1][0] == '\0' || g_utf8_strlen (argv[1], -1) > 64)
    {
      g_printerr ("usage: ekey-seal-image NAME   (the enterprise name, 1 to 64 characters; PNG on stdout)\n");
      return 2;
    }
  if (isatty (STDOUT_FILENO))
    {
      g_printerr ("ekey-seal-image: the PNG goes to stdout; redirect it to a file\n");
      return 2;
    }
  name = argv[1];
  n = g_utf8_strlen (name, -1);
  span = MIN (G_PI * 1.4, n * 0.32);   /* the arc the name covers, centred at the top */

  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, size, size);
  cr = cairo_create (surface);
  cairo_set_source_rgb (cr, 0.85, 0.07, 0.07);
  cairo_set_line_width (cr, 6);
  cairo_arc (cr, cx, cy, r, 0, 2 * G_PI);
  cairo_stroke (cr);

  cairo_move_to (cr, cx, cy - 34);
  for (int i = 1; i < 10; i++)
    {
      double a = -G_PI / 2 + i * G_PI / 5, rr = i % 2 ? 14 : 34;
      cairo_line_to (cr, cx + rr * cos (a), cy + rr * sin (a));
    }
  cairo_close_path (cr);
  cairo_fill (cr);

  /* A font map of our own, released before exit: nothing of fontconfig's patterns is left behind */
  map = pango_cairo_font_map_new ();
  context = pango_font_map_create_context (map);
  pango_cairo_update_context (cr, context);
  layout = pango_layout_new (context);
  font = pango_font_description_from_string ("Noto Serif CJK SC Bold 22px");
  pango_layout_set_font_description (layout, font);
  p = name;
  for (glong i = 0; i < n; i++, p = g_utf8_next_char (p))
    {
      double a = -G_PI / 2 - span / 2 + (n > 1 ? span * i / (n - 1) : span / 2);
      int w, h;

      pango_layout_set_text (layout, p, (int) (g_utf8_next_char (p) - p));
      pango_layout_get_pixel_size (layout, &w, &h);
      cairo_save (cr);
      cairo_translate (cr, cx + (r - 24) * cos (a), cy + (r - 24) * sin (a));
      cairo_rotate (cr, a + G_PI / 2);
      cairo_move_to (cr, -w / 2.0, -h / 2.0);
      pango_cairo_show_layout (cr, layout);
      cairo_restore (cr);
    }
  pango_font_description_free (font);
  g_object_unref (layout);
  g_object_unref (context);
  g_object_unref (map);
  cairo_destroy (cr);
  cairo_surface_flush (surface);
  status = cairo_surface_write_to_png_stream (surface, write_stdout, NULL);
  cairo_surface_destroy (surface);
  if (status != CAIRO_STATUS_SUCCESS || fflush (stdout) != 0)
    {
      g_printerr ("ekey-seal-image: cannot write the image: %s\n", cairo_status_to_string (status));
      return 1;
    }
  return 0;
}
