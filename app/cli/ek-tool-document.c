/* ek-tool-document.c: `ekey-tool document render ID OUT.pdf [--only form|letter]` */
#include "config.h"

#include <glib/gi18n.h>

#include "ek-document.h"
#include "ek-draft-store.h"
#include "ek-tool.h"

int
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

