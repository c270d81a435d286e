/* ek-test-images.h: material images made at test time (no downloads), shared by the
 * materials tests and the benchmark's corpus generator */
#pragma once

#include <cairo.h>

#include "ek-image.h"

G_BEGIN_DECLS

typedef enum
{
  EK_TEST_PAGE_SEALED,      /* A4 form: small Chinese and Latin text, table lines, red seal over text */
  EK_TEST_PAGE_PHOTOCOPY,   /* the same page as a grey photocopy: no colour, toner noise */
} EkTestPageKind;

/* The seal's centre and radius in the page, in pixels at @dpi */
typedef struct
{
  double cx, cy, radius;
} EkTestSeal;

EkImage  *ek_test_render_page        (EkTestPageKind  kind,
                                      double          dpi,
                                      guint           seed,
                                      EkTestSeal     *seal);
EkImage  *ek_test_render_id_card     (double          dpi,
                                      gboolean        back);
EkImage  *ek_test_render_phone_photo (guint           width,
                                      guint           height,
                                      EkTestSeal     *seal);
EkImage  *ek_test_render_noise       (guint           width,
                                      guint           height,
                                      guint           seed);
double    ek_test_seal_redness       (const EkImage  *image,
                                      const EkTestSeal *seal);
gboolean  ek_test_write_file         (const char     *path,
                                      GBytes         *bytes);
void      ek_test_images_shutdown    (void);
void      ek_test_images_set_noise_scale (double      scanner,
                                          double      photo);
/* Pango text at @size_px from (@x, @y), wrapped at @width if > 0; returns its height in pixels */
double    ek_test_show_text          (cairo_t        *cr,
                                      const char     *font,
                                      double          size_px,
                                      double          x,
                                      double          y,
                                      double          width,
                                      const char     *text);
void      ek_test_draw_seal          (cairo_t        *cr,
                                      double          cx,
                                      double          cy,
                                      double          radius,
                                      double          r,
                                      double          g,
                                      double          b);

/* The benchmark's seeded corpus (ek-test-corpus.c): eight scans of the kinds clerks upload,
 * their resolution, noise, paper, skew, text and colour drawn from the seed */
typedef struct
{
  char       *name;         /* kind and source DPI, e.g. "letter-200" */
  char       *description;
  EkImage    *image;        /* upright pixels */
  gboolean    png;          /* stored as PNG, else as JPEG at @quality */
  int         quality;
  double      dpi;          /* the page's resolution in the source */
  double      text[4];      /* x, y, w, h of the text block, in pixels */
  gboolean    has_seal;     /* a red seal (redness measured) */
  EkTestSeal  seal;
} EkTestScan;

GPtrArray *ek_test_render_corpus     (guint           seed);
void      ek_test_scan_free          (EkTestScan     *scan);

GBytes   *ek_test_add_exif           (GBytes         *jpeg,
                                      guint           orientation,
                                      gboolean        with_gps);

G_END_DECLS
