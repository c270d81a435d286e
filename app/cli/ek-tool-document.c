/* ek-tool-document.c: ekey-tool document render, a program of its own
 *
 *   ekey-tool document render ID OUT.pdf [--only form|letter]
 *
 * Rendering needs pango, cairo and fontconfig (and through cairo, X11): some forty libraries that
 * every other command would otherwise map at start. ekey-tool runs this program for the
 * document command only, so `ekey-tool token list` starts as fast as a small tool should.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ek-document.h"
#include "ek-draft-store.h"
#include "ek-l10n.h"
#include "ek-tool.h"

static int
ek_tool_document (int    argc,
                  char **argv)
{
  g_autoptr(EkApplicationDraft) draft = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *only = NULL;
  EkDocumentKind kinds = EK_DOCUMENT_ALL;
  GOptionEntry entries[] = {
    { "only", 0, 0, G_OPTION_ARG_STRING, &only,
      N_("Only the application form (form) or the confirmation letter (letter)"), N_("form|letter") },
    { NULL }
  };
  int status = 0;

  if (argc < 2 || !g_str_equal (argv[1], "render"))
    return ek_tool_fail (_("expected “document render ID OUT.pdf”"));
  argc--;
  argv++;
  if (!ek_tool_parse_options (&argc, &argv, _("ID OUT.pdf"),
                      _("Write the filled application form and confirmation letter to an A4 PDF."),
                      entries, 2, &status))
    return status;

  if (only != NULL && g_str_equal (only, "form"))
    kinds = EK_DOCUMENT_APPLICATION_FORM;
  else if (only != NULL && g_str_equal (only, "letter"))
    kinds = EK_DOCUMENT_SEAL_CONFIRMATION;
  else if (only != NULL)
    return ek_tool_fail (_("--only takes “form” or “letter”, not “%s”"), only);

  draft = ek_tool_load_draft (argv[1], &status);
  if (draft == NULL)
    return status;
  if (!ek_document_render_pdf (draft, kinds, argv[2], NULL, &error))
    return ek_tool_fail ("%s", error->message);
  return 0;
}


int
main (int   argc,
      char *argv[])
{
  ek_l10n_init ();
  g_set_prgname ("ekey-tool document");
  return ek_tool_document (argc, argv);
}
