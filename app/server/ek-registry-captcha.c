/* ek-registry-captcha.c: the captcha as a picture a person reads and a program does not
 *
 * The answer was plain <text> in an SVG (a program read 5 of 5). It is now drawn with cairo into
 * pixels: each character in its own size, slant and place, crossed by curves and speckled, then
 * the whole picture bent by two waves, and sent as a PNG. Nothing of the answer is in the file
 * but the pixels. The operator's `captcha-answer` reads the answer from the database.
 */
#include "config.h"

#include <cairo.h>
#include <math.h>

#include "ek-registry-server-private.h"

#define CAPTCHA_WIDTH  160
#define CAPTCHA_HEIGHT 56

typedef struct
{
  guint8 bytes[512];
  guint  next;
} Dice;

static void
dice_init (Dice *dice)
{
  gnutls_rnd (GNUTLS_RND_NONCE, dice->bytes, sizeof dice->bytes);
  dice->next = 0;
}

/* A number in [low, high) */
static double
dice_roll (Dice   *dice,
           double  low,
           double  high)
{
  guint16 v;

  if (dice->next + 2 > sizeof dice->bytes)
    dice_init (dice);
  v = (guint16) (dice->bytes[dice->next] << 8 | dice->bytes[dice->next + 1]);
  dice->next += 2;
  return low + (high - low) * (v / 65536.0);
}

static void
draw_characters (cairo_t    *cr,
                 Dice       *dice,
                 const char *answer)
{
  guint n = (guint) strlen (answer);
  double step = (CAPTCHA_WIDTH - 24.0) / n;

  cairo_select_font_face (cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
  for (guint i = 0; i < n; i++)
    {
      char glyph[2] = { answer[i], '\0' };
      cairo_text_extents_t extents;

      cairo_save (cr);
      cairo_set_font_size (cr, dice_roll (dice, 26, 34));
      cairo_text_extents (cr, glyph, &extents);
      cairo_translate (cr, 12 + step * (i + 0.5) + dice_roll (dice, -3, 3),
                       CAPTCHA_HEIGHT / 2.0 + dice_roll (dice, -5, 5));
      cairo_rotate (cr, dice_roll (dice, -0.35, 0.35));
      /* a shear, so that the same letter is never the same shape twice */
      {
        cairo_matrix_t shear;

        cairo_matrix_init (&shear, 1, 0, dice_roll (dice, -0.25, 0.25), 1, 0, 0);
        cairo_transform (cr, &shear);
      }
      cairo_set_source_rgb (cr, dice_roll (dice, 0.05, 0.35), dice_roll (dice, 0.05, 0.3), dice_roll (dice, 0.2, 0.45));
      cairo_move_to (cr, -extents.x_bearing - extents.width / 2, -extents.y_bearing - extents.height / 2);
      cairo_show_text (cr, glyph);
      cairo_restore (cr);
    }
}

static void
draw_noise (cairo_t *cr,
            Dice    *dice)
{
  for (guint i = 0; i < 5; i++)
    {
      cairo_set_source_rgba (cr, dice_roll (dice, 0.1, 0.6), dice_roll (dice, 0.1, 0.5), dice_roll (dice, 0.2, 0.6), 0.8);
      cairo_set_line_width (cr, dice_roll (dice, 1.0, 2.2));
      cairo_move_to (cr, 0, dice_roll (dice, 0, CAPTCHA_HEIGHT));
      cairo_curve_to (cr, dice_roll (dice, 20, 70), dice_roll (dice, 0, CAPTCHA_HEIGHT),
                      dice_roll (dice, 90, 140), dice_roll (dice, 0, CAPTCHA_HEIGHT),
                      CAPTCHA_WIDTH, dice_roll (dice, 0, CAPTCHA_HEIGHT));
      cairo_stroke (cr);
    }
  for (guint i = 0; i < 260; i++)
    {
      cairo_set_source_rgba (cr, dice_roll (dice, 0, 0.7), dice_roll (dice, 0, 0.7), dice_roll (dice, 0, 0.7), 0.7);
      cairo_rectangle (cr, dice_roll (dice, 0, CAPTCHA_WIDTH), dice_roll (dice, 0, CAPTCHA_HEIGHT), 1.5, 1.5);
      cairo_fill (cr);
    }
}

/* Bends the picture: each row moves along a wave, each column along another */
static cairo_surface_t *
warp (cairo_surface_t *source,
      Dice            *dice)
{
  cairo_surface_t *target = cairo_image_surface_create (CAIRO_FORMAT_RGB24, CAPTCHA_WIDTH, CAPTCHA_HEIGHT);
  const guint32 *in;
  guint32 *out;
  int in_stride, out_stride;
  double ax = dice_roll (dice, 2.0, 3.0), ay = dice_roll (dice, 1.5, 2.5);
  double px = dice_roll (dice, 0, 2 * G_PI), py = dice_roll (dice, 0, 2 * G_PI);
  double lx = dice_roll (dice, 35, 55), ly = dice_roll (dice, 18, 30);

  cairo_surface_flush (source);
  in = (const guint32 *) cairo_image_surface_get_data (source);
  out = (guint32 *) cairo_image_surface_get_data (target);
  in_stride = cairo_image_surface_get_stride (source) / 4;
  out_stride = cairo_image_surface_get_stride (target) / 4;
  for (int y = 0; y < CAPTCHA_HEIGHT; y++)
    for (int x = 0; x < CAPTCHA_WIDTH; x++)
      {
        int sx = (int) lround (x + ax * sin (2 * G_PI * y / ly + px));
        int sy = (int) lround (y + ay * sin (2 * G_PI * x / lx + py));

        sx = CLAMP (sx, 0, CAPTCHA_WIDTH - 1);
        sy = CLAMP (sy, 0, CAPTCHA_HEIGHT - 1);
        out[y * out_stride + x] = in[sy * in_stride + sx];
      }
  cairo_surface_mark_dirty (target);
  return target;
}

static cairo_status_t
append_png (void                *closure,
            const unsigned char *data,
            unsigned int         length)
{
  g_byte_array_append (closure, data, length);
  return CAIRO_STATUS_SUCCESS;
}

/**
 * ek_registry_captcha_png:
 *
 * Returns: (transfer full): a PNG showing @answer, distorted; NULL if cairo failed
 */
GBytes *
ek_registry_captcha_png (const char *answer)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, CAPTCHA_WIDTH, CAPTCHA_HEIGHT);
  cairo_surface_t *bent;
  cairo_t *cr = cairo_create (surface);
  g_autoptr(GByteArray) png = g_byte_array_new ();
  cairo_status_t status;
  Dice dice;

  dice_init (&dice);
  cairo_set_source_rgb (cr, dice_roll (&dice, 0.9, 0.98), dice_roll (&dice, 0.88, 0.96), dice_roll (&dice, 0.82, 0.92));
  cairo_paint (cr);
  draw_noise (cr, &dice);
  draw_characters (cr, &dice, answer);
  cairo_destroy (cr);

  bent = warp (surface, &dice);
  cairo_surface_destroy (surface);
  status = cairo_surface_write_to_png_stream (bent, append_png, png);
  cairo_surface_destroy (bent);
  if (status != CAIRO_STATUS_SUCCESS)
    return NULL;
  return g_byte_array_free_to_bytes (g_steal_pointer (&png));
}
