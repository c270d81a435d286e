/* ek-test-images.h: material images made at test time (no downloads), shared by the
 * materials tests and the benchmark's corpus generator */
#pragma once

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
GBytes   *ek_test_add_exif           (GBytes         *jpeg,
                                      guint           orientation,
                                      gboolean        with_gps);

G_END_DECLS
