/* dct-requant.c: one whole-page encode of a JPEG scan two ways, the fit's pixel path against
 * requantising its DCT coefficients (issue 4, the 1 MB time target). A study tool, run by hand,
 * never built by meson nor run by CI:
 *
 *   cc -O2 -o /tmp/dct-requant tests/bench/dct-requant/dct-requant.c -ljpeg
 *   /tmp/dct-requant IN.jpg FACTOR GREY [RUNS]
 *
 * IN: one of the bench's JPEG scans (tests/bench/run-materials.sh prints "# corpus in DIR").
 * FACTOR is the luma and chroma table's linear scale (ek-image.h's factor; the fit's factor for
 * that image comes from `G_MESSAGES_DEBUG=all ekey-tool material fit …`), GREY 1 writes luma only
 * (as the fit does for a page without colour). Both encodes are the fit's: progressive by
 * spectral selection with luma refined in a second pass, optimised Huffman tables. Prints the
 * least thread CPU time of RUNS (default 5) for: the pixel decode and encode (JDCT_ISLOW, as
 * ek-image.c), jpeg_read_coefficients, the requantisation (new = round(old × old_q / new_q),
 * into buffers already touched, so no page faults) and jpeg_write_coefficients; and each path's
 * size. (libjpeg always optimises a progressive encode's Huffman tables: the statistics pass
 * is in both paths.) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <jpeglib.h>

#define MIN(a, b) ((a) < (b) ? (a) : (b))

static double
now (void)
{
  struct timespec t;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

static unsigned char *
slurp (const char *path,
       long       *n)
{
  FILE *f = fopen (path, "rb");
  unsigned char *b;

  if (f == NULL)
    return NULL;
  fseek (f, 0, SEEK_END);
  *n = ftell (f);
  rewind (f);
  b = malloc (*n);
  if (b == NULL || fread (b, 1, *n, f) != (size_t) *n)
    {
      fclose (f);
      free (b);
      return NULL;
    }
  fclose (f);
  return b;
}

static void
add_scan (jpeg_scan_info *s, int first, int count, int ss, int se, int ah, int al)
{
  s->comps_in_scan = count;
  for (int c = 0; c < count; c++)
    s->component_index[c] = first + c;
  s->Ss = ss;
  s->Se = se;
  s->Ah = ah;
  s->Al = al;
}

/* ek-image.c's set_spectral_scans with refine_luma */
static void
set_scans (j_compress_ptr cinfo, jpeg_scan_info *s)
{
  int n = 0;

  memset (s, 0, sizeof (jpeg_scan_info) * 6);
  add_scan (&s[n++], 0, cinfo->num_components, 0, 0, 0, 0);
  add_scan (&s[n++], 0, 1, 1, 5, 0, 1);
  add_scan (&s[n++], 0, 1, 6, 63, 0, 1);
  for (int c = 1; c < cinfo->num_components; c++)
    add_scan (&s[n++], c, 1, 1, 63, 0, 0);
  add_scan (&s[n++], 0, 1, 1, 63, 1, 0);
  cinfo->scan_info = s;
  cinfo->num_scans = n;
}

static long
round_up (long a, long b)
{
  a += b - 1;
  return a - a % b;
}

static unsigned long
encode_pixels (const unsigned char *px, int w, int h, int ch, int factor)
{
  struct jpeg_compress_struct ci;
  struct jpeg_error_mgr err;
  jpeg_scan_info scans[6];
  unsigned char *buf = NULL;
  unsigned long size = 0;

  ci.err = jpeg_std_error (&err);
  jpeg_create_compress (&ci);
  jpeg_mem_dest (&ci, &buf, &size);
  ci.image_width = w;
  ci.image_height = h;
  ci.input_components = ch;
  ci.in_color_space = ch == 1 ? JCS_GRAYSCALE : JCS_RGB;
  jpeg_set_defaults (&ci);
  jpeg_set_linear_quality (&ci, factor, TRUE);
  ci.optimize_coding = TRUE;
  ci.dct_method = JDCT_ISLOW;
  set_scans (&ci, scans);
  jpeg_start_compress (&ci, TRUE);
  while (ci.next_scanline < (JDIMENSION) h)
    {
      JSAMPROW row = (JSAMPROW) px + (size_t) ci.next_scanline * w * ch;
      jpeg_write_scanlines (&ci, &row, 1);
    }
  jpeg_finish_compress (&ci);
  jpeg_destroy_compress (&ci);
  free (buf);
  return size;
}

int
main (int argc, char **argv)
{
  struct jpeg_decompress_struct di;
  struct jpeg_compress_struct ci;
  struct jpeg_error_mgr derr, cerr;
  jpeg_scan_info scans[6];
  double t_dec = 1e9, t_enc = 1e9, t_read = 1e9, t_req = 1e9, t_write = 1e9;
  unsigned long pixel_size = 0, coef_size = 0;
  unsigned char *data, *px = NULL;
  int factor, grey, runs, w = 0, h = 0, ch = 0;
  long n;

  if (argc < 4 || (data = slurp (argv[1], &n)) == NULL)
    {
      fprintf (stderr, "usage: %s IN.jpg FACTOR GREY [RUNS]\n", argv[0]);
      return 2;
    }
  factor = atoi (argv[2]);
  grey = atoi (argv[3]);
  runs = argc > 4 ? atoi (argv[4]) : 5;
  di.err = jpeg_std_error (&derr);
  ci.err = jpeg_std_error (&cerr);

  for (int run = 0; run < runs; run++)
    {
      double t0 = now (), t1, t2;

      jpeg_create_decompress (&di);
      jpeg_mem_src (&di, data, n);
      jpeg_read_header (&di, TRUE);
      ch = grey || di.num_components == 1 ? 1 : 3;
      di.out_color_space = ch == 1 ? JCS_GRAYSCALE : JCS_RGB;
      di.dct_method = JDCT_ISLOW;
      jpeg_start_decompress (&di);
      w = di.output_width;
      h = di.output_height;
      if (px == NULL)
        px = malloc ((size_t) w * h * ch);
      while (di.output_scanline < di.output_height)
        {
          JSAMPROW row = px + (size_t) di.output_scanline * w * ch;
          jpeg_read_scanlines (&di, &row, 1);
        }
      jpeg_finish_decompress (&di);
      jpeg_destroy_decompress (&di);
      t1 = now ();
      pixel_size = encode_pixels (px, w, h, ch, factor);
      t2 = now ();
      t_dec = MIN (t_dec, t1 - t0);
      t_enc = MIN (t_enc, t2 - t1);
    }

  for (int run = 0; run < runs; run++)
    {
      jvirt_barray_ptr *coefs, out[MAX_COMPONENTS];
      unsigned char *buf = NULL;
      unsigned long size = 0;
      double t0 = now (), t1, t2, t3, t4;
      int nc;

      jpeg_create_decompress (&di);
      jpeg_mem_src (&di, data, n);
      jpeg_read_header (&di, TRUE);
      coefs = jpeg_read_coefficients (&di);
      t1 = now ();
      jpeg_create_compress (&ci);
      jpeg_mem_dest (&ci, &buf, &size);
      jpeg_copy_critical_parameters (&di, &ci);
      if (grey)
        jpeg_set_colorspace (&ci, JCS_GRAYSCALE);   /* luma only: the source's Y blocks */
      jpeg_set_linear_quality (&ci, factor, TRUE);
      nc = ci.num_components;
      for (int c = 0; c < nc; c++)
        {
          jpeg_component_info *cp = &di.comp_info[c];

          /* Whole MCUs: the coefficient writer reads v_samp_factor block rows at a time */
          out[c] = ci.mem->request_virt_barray ((j_common_ptr) &ci, JPOOL_IMAGE, FALSE,
                                                round_up (cp->width_in_blocks, cp->h_samp_factor),
                                                round_up (cp->height_in_blocks, cp->v_samp_factor),
                                                cp->v_samp_factor);
        }
      ci.mem->realize_virt_arrays ((j_common_ptr) &ci);
      for (int c = 0; c < nc; c++)
        {
          jpeg_component_info *cp = &di.comp_info[c];

          for (long r = 0; r < round_up (cp->height_in_blocks, cp->v_samp_factor); r++)
            {
              JBLOCKARRAY dst = ci.mem->access_virt_barray ((j_common_ptr) &ci, out[c], r, 1, TRUE);
              memset (dst[0], 0, sizeof (JBLOCK) * round_up (cp->width_in_blocks, cp->h_samp_factor));
            }
        }
      t2 = now ();
      for (int c = 0; c < nc; c++)
        {
          jpeg_component_info *cp = &di.comp_info[c];
          const UINT16 *old_q = cp->quant_table->quantval;
          const UINT16 *new_q = ci.quant_tbl_ptrs[ci.comp_info[c].quant_tbl_no]->quantval;
          float ratio[DCTSIZE2];

          for (int k = 0; k < DCTSIZE2; k++)
            ratio[k] = (float) old_q[k] / new_q[k];
          for (JDIMENSION r = 0; r < cp->height_in_blocks; r++)
            {
              JBLOCKARRAY src = di.mem->access_virt_barray ((j_common_ptr) &di, coefs[c], r, 1, FALSE);
              JBLOCKARRAY dst = ci.mem->access_virt_barray ((j_common_ptr) &ci, out[c], r, 1, TRUE);

              for (JDIMENSION b = 0; b < cp->width_in_blocks; b++)
                for (int k = 0; k < DCTSIZE2; k++)
                  {
                    float v = src[0][b][k] * ratio[k];
                    dst[0][b][k] = (JCOEF) (v + (v < 0 ? -0.5f : 0.5f));
                  }
            }
        }
      t3 = now ();
      ci.optimize_coding = TRUE;
      set_scans (&ci, scans);
      jpeg_write_coefficients (&ci, out);
      jpeg_finish_compress (&ci);
      jpeg_destroy_compress (&ci);
      t4 = now ();
      jpeg_finish_decompress (&di);
      jpeg_destroy_decompress (&di);
      free (buf);
      coef_size = size;
      t_read = MIN (t_read, t1 - t0);
      t_req = MIN (t_req, t3 - t2);
      t_write = MIN (t_write, t4 - t3);
    }

  printf ("%s %dx%d factor %d %s\n"
          "  pixels:       decode %3.0f ms, encode %3.0f ms -> %lu bytes\n"
          "  coefficients: read   %3.0f ms, requantise %3.0f + write %3.0f = %3.0f ms -> %lu bytes (%+.1f %%)\n",
          argv[1], w, h, factor, ch == 1 ? "grey" : "colour",
          t_dec * 1e3, t_enc * 1e3, pixel_size,
          t_read * 1e3, t_req * 1e3, t_write * 1e3, (t_req + t_write) * 1e3, coef_size,
          100.0 * ((double) coef_size / pixel_size - 1));
  free (px);
  free (data);
  return 0;
}
