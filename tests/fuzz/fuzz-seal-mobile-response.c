/* fuzz-seal-mobile-response.c: any bytes the registration service could send as a seal request,
 * a seal, a mobile authorisation or a list of them end in a checked model or an
 * EK_API_ERROR_INVALID_RESPONSE, never a crash; what passes holds what the pages rely on */
#include "config.h"

#include <string.h>

#include "ek-api-client-mobile.h"
#include "ek-api-client-seals.h"
#include "ek-api-types.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static void
check_outcome (gconstpointer  result,
               GError        *error)
{
  g_assert ((result == NULL) != (error == NULL));
  if (error != NULL)
    {
      g_assert (g_error_matches (error, EK_API_ERROR, EK_API_ERROR_INVALID_RESPONSE));
      g_assert (error->message != NULL && error->message[0] != '\0');
    }
}

static void
check_request (const EkSealRequest *r)
{
  g_assert (r->id != NULL && r->id[0] != '\0' && r->kind != NULL && r->state != NULL);
  g_assert (r->enterprise_name != NULL && r->login_name != NULL);
}

static void
check_seal (const EkSeal *s)
{
  g_assert (s->id != NULL && s->name != NULL && s->state != NULL && s->users != NULL);
  /* the image is only ever this seal's own path under the API */
  g_assert (s->image_path == NULL || (g_str_has_prefix (s->image_path, "/seals/") && strstr (s->image_path, "..") == NULL));
}

static void
check_mobile (const EkMobileAuthorization *a)
{
  g_assert (a->id != NULL && a->kind != NULL && a->mobile != NULL && a->state != NULL && a->login_name != NULL);
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = ek_api_parse_json ((const char *) data, size, &error);

  check_outcome (node, error);
  if (node == NULL)
    return 0;
  {
    g_autoptr(GError) e = NULL;
    g_autoptr(EkSealRequest) r = ek_seal_request_new_from_json (node, &e);

    check_outcome (r, e);
    if (r != NULL)
      check_request (r);
  }
  {
    g_autoptr(GError) e = NULL;
    g_autoptr(EkSeal) s = ek_seal_new_from_json (node, &e);

    check_outcome (s, e);
    if (s != NULL)
      check_seal (s);
  }
  {
    g_autoptr(GError) e = NULL;
    g_autoptr(EkMobileAuthorization) a = ek_mobile_authorization_new_from_json (node, &e);

    check_outcome (a, e);
    if (a != NULL)
      check_mobile (a);
  }
  {
    g_autoptr(GError) e1 = NULL, e2 = NULL, e3 = NULL;
    g_autoptr(GPtrArray) requests = ek_seal_requests_new_from_json (node, &e1);
    g_autoptr(GPtrArray) seals = ek_seals_new_from_json (node, &e2);
    g_autoptr(GPtrArray) mobiles = ek_mobile_authorizations_new_from_json (node, &e3);

    check_outcome (requests, e1);
    check_outcome (seals, e2);
    check_outcome (mobiles, e3);
    for (guint i = 0; requests != NULL && i < requests->len; i++)
      check_request (requests->pdata[i]);
    for (guint i = 0; seals != NULL && i < seals->len; i++)
      check_seal (seals->pdata[i]);
    for (guint i = 0; mobiles != NULL && i < mobiles->len; i++)
      check_mobile (mobiles->pdata[i]);
    (void) ek_mobile_authorizations_find_active (mobiles, NULL);
  }
  return 0;
}
