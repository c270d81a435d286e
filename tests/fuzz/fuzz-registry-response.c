/* fuzz-registry-response.c: any bytes the registration service could send, read by each of the
 * client's answer parsers (application(s), problem, captcha, material(s)), end in a checked
 * model or an EK_API_ERROR_INVALID_RESPONSE, never a crash */
#include "config.h"

#include <string.h>

#include "ek-api-types.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static void
check_outcome (gconstpointer  result,
               GError        *error)
{
  /* Exactly one of the two; a wrong shape is always INVALID_RESPONSE */
  g_assert ((result == NULL) != (error == NULL));
  if (error != NULL)
    {
      g_assert (g_error_matches (error, EK_API_ERROR, EK_API_ERROR_INVALID_RESPONSE));
      g_assert (error->message != NULL && error->message[0] != '\0');
    }
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  node = ek_api_parse_json ((const char *) data, size, &error);
  check_outcome (node, error);
  if (node == NULL)
    return 0;

  {
    g_autoptr(GError) e = NULL;
    g_autoptr(EkApiApplication) app = ek_api_application_new_from_json (node, &e);

    check_outcome (app, e);
    if (app != NULL)
      {
        g_autoptr(EkApplicationDraft) draft = ek_application_draft_new ();
        GPtrArray *timeline = ek_api_application_get_timeline (app);
        const char * const *kinds = ek_api_application_get_materials (app);

        g_assert (ek_api_application_get_id (app)[0] != '\0');
        for (guint i = 0; i < timeline->len; i++)
          g_assert (((EkApiEvent *) timeline->pdata[i])->status != NULL);
        for (guint i = 0; kinds[i] != NULL; i++)
          g_assert (ek_api_application_has_material (app, kinds[i]));
        ek_api_fields_to_draft (ek_api_application_get_fields (app), draft);
      }
  }
  {
    g_autoptr(GError) e = NULL;
    g_autoptr(GPtrArray) apps = ek_api_applications_new_from_json (node, &e);

    check_outcome (apps, e);
  }
  {
    g_autoptr(GError) e = NULL;
    g_autoptr(EkApiProblem) problem = ek_api_problem_new_from_json (node, &e);

    check_outcome (problem, e);
    if (problem != NULL)
      {
        g_autoptr(EkApiProblem) copy = ek_api_problem_copy (problem);
        g_autoptr(GError) carrier = g_error_new_literal (EK_API_ERROR, EK_API_ERROR_PROBLEM, "x");
        g_autoptr(GError) carried = NULL;

        g_assert (problem->status >= 400 && problem->status <= 599);
        g_assert (strcmp (copy->type_slug, problem->type_slug) == 0);
        for (guint i = 0; i < problem->field_errors->len; i++)
          {
            const EkApiFieldError *fe = g_ptr_array_index (problem->field_errors, i);

            g_assert (ek_api_problem_lookup_field (problem, fe->field) != NULL);
            ek_api_draft_field_for_api_field (fe->field);
          }
        /* Carried on a GError, copied with it */
        ek_api_error_take_problem (carrier, g_steal_pointer (&copy));
        carried = g_error_copy (carrier);
        g_assert (ek_api_error_get_problem (carried) != NULL);
        g_assert (ek_api_error_get_problem (carried)->status == problem->status);
      }
  }
  {
    g_autoptr(GError) e = NULL;
    g_autoptr(EkApiCaptcha) captcha = ek_api_captcha_new_from_json (node, &e);

    check_outcome (captcha, e);
    if (captcha != NULL)
      g_assert (g_bytes_get_size (captcha->image) > 0);
  }
  {
    g_autoptr(GError) e = NULL;
    g_autoptr(GPtrArray) materials = ek_api_materials_new_from_json (node, &e);

    check_outcome (materials, e);
  }
  {
    g_autoptr(GError) e = NULL;
    g_autoptr(EkApiMaterial) material = ek_api_material_new_from_json (node, &e);

    check_outcome (material, e);
    if (material != NULL)
      g_assert (material->size >= 1 && strlen (material->sha256) == 64);
  }
  return 0;
}
