/* test-seal-mobile.c: the electronic seal and mobile authorisations on a real ekey-registry
 *
 * Every state and refusal of both businesses over key sessions: the 13-digit code against the
 * certificate, the seal request's letter, review and making (with its round red image), a change
 * revoking the old seal, binding another key user, re-binding a renewed certificate (a real
 * renewal through the service's issuing CA) and re-binding refused without one; mobile
 * authorisations from request to installed, a number change revoking the old number's
 * certificate, renewal and cancellation, one request per number, other enterprises kept out.
 * The recorded traffic is checked against data/api/openapi.yaml.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "ek-api-client-mobile.h"
#include "ek-api-client-renewal.h"
#include "ek-api-client-seals.h"
#include "ek-api-certs.h"
#include "ek-api-types.h"
#include "ek-document.h"
#include "ek-test-common.h"

#include <cairo.h>

static EkApiServer *server;
static char *dir;
static EkTestCert issuing_ca;

static JsonArray *
list_of (EkApiResponse *r)
{
  g_assert_cmpint (r->status, ==, 200);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (r->json));
  return json_node_get_array (r->json);
}

static const char *
str (EkApiResponse *r,
     const char    *member)
{
  return json_object_get_string_member_with_default (ek_api_object (r), member, NULL);
}

/* ---- Electronic seal ---- */

static char *
seal_body (const char *kind,
           const char *code13,
           const char *name,
           const char *email)
{
  return g_strdup_printf ("{\"kind\":\"%s\",\"code13\":\"%s\",\"enterprise_name\":\"%s\",\"legal_representative\":\"李军\","
                          "\"legal_representative_id_type\":\"resident-id\",\"legal_representative_id_number\":\"110102199101010078\","
                          "\"applicant_name\":\"王斌\",\"address\":\"北京技术开发区荣华中路11号\",\"mobile\":\"18910123221\","
                          "\"landline\":\"67811021\",\"email\":\"%s\",\"postcode\":\"100176\"}", kind, code13, name, email);
}

static EkApiResponse *
seal_request (const char *token,
              const char *kind,
              const char *name)
{
  g_autofree char *body = seal_body (kind, "9999400000560", name, "wangbing@126.com");

  return ek_api_call_idem (server, "POST", "/seal-requests", token, body);
}

static void
upload_letter (const char *token,
               const char *id)
{
  g_autofree char *path = g_strdup_printf ("/seal-requests/%s/letter", id);
  g_autoptr(GBytes) png = ek_api_png (600, 800, FALSE);
  g_autoptr(EkApiResponse) r = ek_api_upload (server, path, token, png, "image/png", FALSE);

  g_assert_cmpint (r->status, ==, 200);
  g_assert_cmpstr (str (r, "state"), ==, "letter-uploaded");
}

static void
review (const char *command,
        const char *id,
        int         expect)
{
  int exit_status = -1;

  g_free (ek_api_run (server, &exit_status, "review", command, id, NULL));
  g_assert_cmpint (exit_status, ==, expect);
}

static JsonObject *
seal_by_state (JsonArray  *seals,
               const char *state)
{
  for (guint i = 0; i < json_array_get_length (seals); i++)
    if (g_str_equal (json_object_get_string_member (json_array_get_object_element (seals, i), "state"), state))
      return json_array_get_object_element (seals, i);
  return NULL;
}

static gboolean
has_user (JsonObject *seal,
          const char *login)
{
  JsonArray *users = json_object_get_array_member (seal, "users");

  for (guint i = 0; i < json_array_get_length (users); i++)
    if (g_str_equal (json_array_get_string_element (users, i), login))
      return TRUE;
  return FALSE;
}

typedef struct
{
  GBytes *png;
  gsize   offset;
} PngReader;

static cairo_status_t
read_png (void          *closure,
          unsigned char *data,
          unsigned int   length)
{
  PngReader *r = closure;
  gsize size;
  const guint8 *bytes = g_bytes_get_data (r->png, &size);

  if (r->offset + length > size)
    return CAIRO_STATUS_READ_ERROR;
  memcpy (data, bytes + r->offset, length);
  r->offset += length;
  return CAIRO_STATUS_SUCCESS;
}

/* The seal image is a PNG with a good share of red pixels and nothing else coloured */
static void
assert_red_seal (const char *token,
                 const char *image_url,
                 const char *artifact)
{
  g_autoptr(EkApiResponse) r = NULL;
  PngReader reader = { NULL, 0 };
  cairo_surface_t *surface;
  guint red = 0, other = 0;
  g_autofree char *path = ek_test_artifact_path (artifact);

  g_assert_true (g_str_has_prefix (image_url, "/api/v1/seals/"));
  r = ek_api_call (server, "GET", image_url + strlen ("/api/v1"), token, NULL, NULL);
  g_assert_cmpint (r->status, ==, 200);
  g_assert_cmpstr (r->content_type, ==, "image/png");
  g_assert_true (g_file_set_contents (path, g_bytes_get_data (r->body, NULL), (gssize) g_bytes_get_size (r->body), NULL));
  reader.png = r->body;
  surface = cairo_image_surface_create_from_png_stream (read_png, &reader);
  g_assert_cmpint (cairo_surface_status (surface), ==, CAIRO_STATUS_SUCCESS);
  for (int y = 0; y < cairo_image_surface_get_height (surface); y++)
    {
      const guint32 *row = (const guint32 *) (cairo_image_surface_get_data (surface) + y * cairo_image_surface_get_stride (surface));

      for (int x = 0; x < cairo_image_surface_get_width (surface); x++)
        {
          guint a = row[x] >> 24, rr = (row[x] >> 16) & 0xff, g = (row[x] >> 8) & 0xff, b = row[x] & 0xff;

          if (a < 128)
            continue;
          if (rr > 150 && g < 80 && b < 80)
            red++;
          else
            other++;
        }
    }
  cairo_surface_destroy (surface);
  g_test_message ("seal image %s: %u red pixels, %u others", path, red, other);
  g_assert_cmpuint (red, >, 3000);
  g_assert_cmpuint (other, <, red / 4);
}

static void
test_seal (void)
{
  EkTestCert clerk, colleague, third, other, renewed;
  g_autofree char *token = NULL, *colleague_token = NULL, *third_token = NULL, *other_token = NULL;
  g_autofree char *renewed_token = NULL, *apply_id = NULL, *seal_id = NULL, *image_url = NULL;

  ek_test_cert_make_user (&clerk, "CN=9999400000560-LUOYUN,O=IELIC,C=CN", &issuing_ca, 20);
  ek_test_cert_make_user (&colleague, "CN=9999400000560-XUKE,O=IELIC,C=CN", &issuing_ca, 300);
  ek_test_cert_make_user (&third, "CN=9999400000560-ZHAO,O=IELIC,C=CN", &issuing_ca, 300);
  ek_test_cert_make_user (&other, "CN=9999400000561-OTHER,C=CN", &issuing_ca, 300);
  ek_test_cert_record (server, &clerk, "91110000600037341L");
  ek_test_cert_record (server, &colleague, NULL);
  ek_test_cert_record (server, &third, NULL);
  ek_test_cert_record (server, &other, NULL);
  token = ek_api_key_token (server, &clerk);
  colleague_token = ek_api_key_token (server, &colleague);
  third_token = ek_api_key_token (server, &third);
  other_token = ek_api_key_token (server, &other);

  /* The 13-digit code must be the certificate's; every field is checked again by the service */
  {
    g_autofree char *body = seal_body ("apply", "9999400000561", "北京测试企业", "wangbing@126.com");
    g_autoptr(EkApiResponse) r = ek_api_call_idem (server, "POST", "/seal-requests", token, body);
    g_assert_cmpint (r->status, ==, 422);
    g_assert_true (ek_api_has_field_error (r, "code13", "certificate-mismatch"));
  }
  {
    g_autofree char *body = seal_body ("apply", "9999400000560", "北京测试企业", "wangbing@126");
    g_autoptr(EkApiResponse) r = ek_api_call_idem (server, "POST", "/seal-requests", token, body);
    g_assert_cmpint (r->status, ==, 422);
    g_assert_true (ek_api_has_field_error (r, "email", "email"));
  }
  {
    g_autoptr(EkApiResponse) r = ek_api_call_idem (server, "POST", "/seal-requests", token, "{\"kind\":\"apply\",\"code13\":\"9999400000560\"}");
    g_assert_cmpint (r->status, ==, 422);
    g_assert_true (ek_api_has_field_error (r, "legal_representative", "required"));
    g_assert_true (ek_api_has_field_error (r, "postcode", "required"));
  }
  /* Change, binding and re-binding need a seal */
  {
    const char *kinds[] = { "change", "bind-user", "rebind" };
    for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
      {
        g_autoptr(EkApiResponse) r = seal_request (token, kinds[i], "北京测试企业");
        g_assert_cmpint (r->status, ==, 409);
        g_assert_cmpstr (ek_api_problem_type (r), ==, "no-seal");
      }
  }

  /* 印章申请: new, the certificate's subject taken from the session */
  {
    g_autoptr(EkApiResponse) r = seal_request (token, "apply", "北京测试企业");
    g_autoptr(EkApiResponse) twice = seal_request (token, "apply", "北京测试企业");

    g_assert_cmpint (r->status, ==, 201);
    g_assert_cmpstr (str (r, "state"), ==, "new");
    g_assert_cmpstr (str (r, "kind"), ==, "apply");
    g_assert_nonnull (strstr (str (r, "certificate_subject"), "CN=9999400000560-LUOYUN"));
    g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (ek_api_object (r), "form"), "legal_representative"),
                     ==, "李军");
    apply_id = g_strdup (str (r, "id"));
    g_assert_cmpint (twice->status, ==, 409);
    g_assert_cmpstr (ek_api_problem_type (twice), ==, "request-open");
  }
  /* Another enterprise sees nothing of it */
  {
    g_autofree char *path = g_strconcat ("/seal-requests/", apply_id, NULL);
    g_autofree char *letter = g_strconcat (path, "/letter", NULL);
    g_autoptr(GBytes) png = ek_api_png (600, 800, FALSE);
    g_autoptr(EkApiResponse) one = ek_api_call (server, "GET", path, other_token, NULL, NULL);
    g_autoptr(EkApiResponse) all = ek_api_call (server, "GET", "/seal-requests", other_token, NULL, NULL);
    g_autoptr(EkApiResponse) up = ek_api_upload (server, letter, other_token, png, "image/png", FALSE);

    g_assert_cmpint (one->status, ==, 404);
    g_assert_cmpuint (json_array_get_length (list_of (all)), ==, 0);
    g_assert_cmpint (up->status, ==, 404);
  }

  /* Nothing to review or make before the letter; a rejection needs a remark and the clerk reads it */
  review ("approve-seal", apply_id, 1);
  review ("make-seal", apply_id, 1);
  upload_letter (token, apply_id);
  review ("make-seal", apply_id, 1);
  review ("reject-seal", apply_id, 2);
  {
    g_autofree char *path = g_strconcat ("/seal-requests/", apply_id, NULL);
    g_autoptr(EkApiResponse) r = NULL;

    g_free (ek_api_run (server, NULL, "review", "reject-seal", apply_id, "--remark", "印章采集区域未盖章", NULL));
    r = ek_api_call (server, "GET", path, token, NULL, NULL);

    g_assert_cmpstr (str (r, "state"), ==, "rejected");
    g_assert_cmpstr (str (r, "remark"), ==, "印章采集区域未盖章");
  }
  upload_letter (token, apply_id);
  review ("approve-seal", apply_id, 0);
  review ("approve-seal", apply_id, 1);
  {
    g_autofree char *path = g_strconcat ("/seal-requests/", apply_id, NULL);
    g_autofree char *letter = g_strconcat (path, "/letter", NULL);
    g_autoptr(GBytes) png = ek_api_png (600, 800, FALSE);
    g_autoptr(EkApiResponse) r = ek_api_call (server, "GET", path, token, NULL, NULL);
    g_autoptr(EkApiResponse) late = ek_api_upload (server, letter, token, png, "image/png", FALSE);

    g_assert_cmpstr (str (r, "state"), ==, "approved");
    g_assert_false (json_object_has_member (ek_api_object (r), "remark"));
    g_assert_cmpint (late->status, ==, 409);
  }
  {
    g_autoptr(EkApiResponse) none = ek_api_call (server, "GET", "/seals", token, NULL, NULL);
    g_assert_cmpuint (json_array_get_length (list_of (none)), ==, 0);
  }
  review ("make-seal", apply_id, 0);

  /* The seal: 正常, the clerk bound, its round red image */
  {
    g_autoptr(EkApiResponse) seals = ek_api_call (server, "GET", "/seals", token, NULL, NULL);
    g_autoptr(EkApiResponse) others = ek_api_call (server, "GET", "/seals", other_token, NULL, NULL);
    JsonObject *seal;

    g_assert_cmpuint (json_array_get_length (list_of (seals)), ==, 1);
    seal = json_array_get_object_element (list_of (seals), 0);
    g_assert_cmpstr (json_object_get_string_member (seal, "state"), ==, "normal");
    g_assert_cmpstr (json_object_get_string_member (seal, "name"), ==, "北京测试企业");
    g_assert_true (has_user (seal, "LUOYUN"));
    seal_id = g_strdup (json_object_get_string_member (seal, "id"));
    image_url = g_strdup (json_object_get_string_member (seal, "image_url"));
    assert_red_seal (token, image_url, "seal-image-apply.png");
    g_assert_cmpuint (json_array_get_length (list_of (others)), ==, 0);
  }
  {
    g_autofree char *path = g_strconcat ("/seals/", seal_id, NULL);
    g_autofree char *image = g_strconcat (path, "/image", NULL);
    g_autoptr(EkApiResponse) one = ek_api_call (server, "GET", path, other_token, NULL, NULL);
    g_autoptr(EkApiResponse) img = ek_api_call (server, "GET", image, other_token, NULL, NULL);
    g_autoptr(EkApiResponse) again = seal_request (token, "apply", "北京测试企业");

    g_assert_cmpint (one->status, ==, 404);
    g_assert_cmpint (img->status, ==, 404);
    g_assert_cmpint (again->status, ==, 409);
    g_assert_cmpstr (ek_api_problem_type (again), ==, "seal-exists");
  }

  /* 证书绑定申请: a colleague's key joins the seal after its own letter and review */
  {
    g_autoptr(EkApiResponse) mine = seal_request (token, "bind-user", "北京测试企业");
    g_autoptr(EkApiResponse) r = NULL, twice = NULL, seals = NULL;
    g_autofree char *body = seal_body ("bind-user", "9999400000560", "北京测试企业", "xuke@126.com");

    g_assert_cmpint (mine->status, ==, 409);
    g_assert_cmpstr (ek_api_problem_type (mine), ==, "already-bound");
    r = ek_api_call_idem (server, "POST", "/seal-requests", colleague_token, body);
    g_assert_cmpint (r->status, ==, 201);
    twice = ek_api_call_idem (server, "POST", "/seal-requests", colleague_token, body);
    g_assert_cmpint (twice->status, ==, 409);
    g_assert_cmpstr (ek_api_problem_type (twice), ==, "request-open");
    upload_letter (colleague_token, str (r, "id"));
    review ("approve-seal", str (r, "id"), 0);
    review ("make-seal", str (r, "id"), 0);
    seals = ek_api_call (server, "GET", "/seals", token, NULL, NULL);
    g_assert_cmpuint (json_array_get_length (list_of (seals)), ==, 1);
    g_assert_true (has_user (json_array_get_object_element (list_of (seals), 0), "XUKE"));
    g_assert_true (has_user (json_array_get_object_element (list_of (seals), 0), "LUOYUN"));
  }

  /* 续绑 needs a renewed certificate: a key of the enterprise that renews nothing bound is refused */
  {
    g_autoptr(EkApiResponse) r = seal_request (third_token, "rebind", "北京测试企业");
    g_assert_cmpint (r->status, ==, 409);
    g_assert_cmpstr (ek_api_problem_type (r), ==, "nothing-to-rebind");
  }
  /* The clerk's certificate is renewed through the service; the new one re-binds at once */
  {
    g_autofree char *id = ek_api_submit_renewal (server, token);
    g_autofree char *path = g_strdup_printf ("/applications/%s/certificate", id);
    gnutls_x509_privkey_t key = (g_free (ek_api_run (server, NULL, "review", "re-review", id, "pass", NULL)),
                                 ek_test_new_key (GNUTLS_PK_ECDSA));
    g_autofree char *body = ek_test_csr_body (key);
    g_autoptr(EkApiResponse) issued = ek_api_call (server, "POST", path, token, body, NULL);
    g_autoptr(EkApiResponse) r = NULL, again = NULL, seals = NULL, requests = NULL;
    JsonArray *bindings;
    gboolean found = FALSE;

    g_assert_cmpint (issued->status, ==, 201);
    renewed.key = key;
    renewed.crt = ek_test_import_pem (str (issued, "certificate"));
    renewed_token = ek_api_key_token (server, &renewed);
    r = seal_request (renewed_token, "rebind", "北京测试企业");
    g_assert_cmpint (r->status, ==, 201);
    g_assert_cmpstr (str (r, "state"), ==, "approved");
    g_assert_cmpstr (str (r, "seal_id"), ==, seal_id);
    again = seal_request (renewed_token, "rebind", "北京测试企业");
    g_assert_cmpint (again->status, ==, 409);
    g_assert_cmpstr (ek_api_problem_type (again), ==, "already-bound");
    /* no letter for a re-binding, nothing for the reviewer */
    review ("approve-seal", str (r, "id"), 1);

    seals = ek_api_call (server, "GET", "/seals", token, NULL, NULL);
    bindings = json_object_get_array_member (json_array_get_object_element (list_of (seals), 0), "bindings");
    g_assert_cmpuint (json_array_get_length (bindings), ==, 2);
    for (guint i = 0; i < json_array_get_length (bindings); i++)
      {
        JsonObject *b = json_array_get_object_element (bindings, i);
        if (g_str_equal (json_object_get_string_member (b, "login_name"), "LUOYUN"))
          {
            gnutls_datum_t dn = { NULL, 0 };
            g_assert_cmpint (gnutls_x509_crt_get_dn3 (renewed.crt, &dn, 0), ==, 0);
            g_assert_cmpstr (json_object_get_string_member (b, "certificate_subject"), ==, (const char *) dn.data);
            gnutls_free (dn.data);
            found = TRUE;
          }
      }
    g_assert_true (found);
    /* the old certificate is no longer bound: it could bind itself again only by its own request */
    {
      g_autoptr(EkApiResponse) old_rebind = seal_request (token, "rebind", "北京测试企业");
      g_assert_cmpint (old_rebind->status, ==, 409);
      g_assert_cmpstr (ek_api_problem_type (old_rebind), ==, "nothing-to-rebind");
    }
    requests = ek_api_call (server, "GET", "/seal-requests", token, NULL, NULL);
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (list_of (requests), 0), "kind"), ==, "rebind");
  }

  /* 电子印章变更: the new seal in the new name, the old one 注销, the users carried over */
  {
    g_autoptr(EkApiResponse) r = seal_request (renewed_token, "change", "北京测试企业股份有限公司");
    g_autoptr(EkApiResponse) seals = NULL;
    JsonObject *normal, *revoked;

    g_assert_cmpint (r->status, ==, 201);
    upload_letter (renewed_token, str (r, "id"));
    review ("approve-seal", str (r, "id"), 0);
    review ("make-seal", str (r, "id"), 0);
    seals = ek_api_call (server, "GET", "/seals", token, NULL, NULL);
    g_assert_cmpuint (json_array_get_length (list_of (seals)), ==, 2);
    normal = seal_by_state (list_of (seals), "normal");
    revoked = seal_by_state (list_of (seals), "revoked");
    g_assert_nonnull (normal);
    g_assert_nonnull (revoked);
    g_assert_cmpstr (json_object_get_string_member (revoked, "id"), ==, seal_id);
    g_assert_true (json_object_has_member (revoked, "revoked_at"));
    g_assert_cmpstr (json_object_get_string_member (normal, "name"), ==, "北京测试企业股份有限公司");
    g_assert_true (has_user (normal, "LUOYUN"));
    g_assert_true (has_user (normal, "XUKE"));
    assert_red_seal (token, json_object_get_string_member (normal, "image_url"), "seal-image-change.png");
  }

  ek_test_cert_clear (&clerk);
  ek_test_cert_clear (&colleague);
  ek_test_cert_clear (&third);
  ek_test_cert_clear (&other);
  ek_test_cert_clear (&renewed);
}

/* ---- Mobile authorisation ---- */

static char *
mobile_body (const char *kind,
             const char *mobile,
             const char *old_mobile,
             gboolean    with_applicant)
{
  g_autofree char *old = old_mobile != NULL ? g_strdup_printf (",\"old_mobile\":\"%s\"", old_mobile) : g_strdup ("");
  const char *applicant =
    ",\"licence_type\":\"non-electromechanical\",\"applicant\":{\"enterprise_name\":\"8移动证书测试企业非机电\","
    "\"code13\":\"9999400000570\",\"uscc\":\"91110000600037341L\",\"registered_address\":\"北京市东城区\","
    "\"applicant_name\":\"张鑫\",\"gender\":\"male\",\"login_name\":\"zhangxin@126.com\",\"id_type\":\"resident-id\","
    "\"id_number\":\"110102199101010078\",\"email\":\"zhangxin@126.com\",\"address\":\"非机电测试企业地址8\","
    "\"mobile\":\"18910123221\",\"landline\":\"67811021\",\"department\":\"部门\",\"title\":\"职务\","
    "\"work_address\":\"工作地址\",\"postcode\":\"100176\"}";

  return g_strdup_printf ("{\"kind\":\"%s\",\"mobile\":\"%s\"%s%s}", kind, mobile, old, with_applicant ? applicant : "");
}

static EkApiResponse *
mobile_request (const char *token,
                const char *kind,
                const char *mobile,
                const char *old_mobile)
{
  gboolean applicant = !g_str_equal (kind, "renewal") && !g_str_equal (kind, "cancellation");
  g_autofree char *body = mobile_body (kind, mobile, old_mobile, applicant);

  return ek_api_call_idem (server, "POST", "/mobile-authorizations", token, body);
}

static EkApiResponse *
mobile_get (const char *token,
            const char *id)
{
  g_autofree char *path = g_strconcat ("/mobile-authorizations/", id, NULL);
  return ek_api_call (server, "GET", path, token, NULL, NULL);
}

static EkApiResponse *
mobile_submit (const char *token,
               const char *id)
{
  g_autofree char *path = g_strconcat ("/mobile-authorizations/", id, "/submit", NULL);
  return ek_api_call (server, "POST", path, token, NULL, NULL);
}

static const char *
certificate_state (EkApiResponse *r)
{
  JsonObject *o = ek_api_object (r);

  if (!json_object_has_member (o, "certificate"))
    return NULL;
  return json_object_get_string_member (json_object_get_object_member (o, "certificate"), "state");
}

static void
test_mobile (void)
{
  EkTestCert clerk, other;
  g_autofree char *token = NULL, *other_token = NULL, *first = NULL, *changed = NULL, *renewal = NULL;

  ek_test_cert_make_user (&clerk, "CN=9999400000570-ZHANGXIN,O=IELIC,C=CN", &issuing_ca, 300);
  ek_test_cert_make_user (&other, "CN=9999400000571-OTHER,C=CN", &issuing_ca, 300);
  ek_test_cert_record (server, &clerk, NULL);
  ek_test_cert_record (server, &other, NULL);
  token = ek_api_key_token (server, &clerk);
  other_token = ek_api_key_token (server, &other);

  /* The confirmed information goes with a new authorisation; its fields are checked by the service */
  {
    g_autofree char *bare = mobile_body ("new", "13800138000", NULL, FALSE);
    g_autofree char *wrong = NULL;
    g_autoptr(EkApiResponse) r = ek_api_call_idem (server, "POST", "/mobile-authorizations", token, bare);
    g_autoptr(EkApiResponse) w = NULL;

    g_assert_cmpint (r->status, ==, 422);
    g_assert_true (ek_api_has_field_error (r, "applicant", "required"));
    g_assert_true (ek_api_has_field_error (r, "licence_type", "required"));
    wrong = mobile_body ("new", "13800138000", NULL, TRUE);
    {
      GString *s = g_string_new (wrong);
      g_string_replace (s, "9999400000570", "9999400000571", 1);
      g_string_replace (s, "\"postcode\":\"100176\"", "\"postcode\":\"10017\"", 1);
      w = ek_api_call_idem (server, "POST", "/mobile-authorizations", token, s->str);
      g_string_free (s, TRUE);
    }
    g_assert_cmpint (w->status, ==, 422);
    g_assert_true (ek_api_has_field_error (w, "applicant/code13", "certificate-mismatch"));
    g_assert_true (ek_api_has_field_error (w, "applicant/postcode", "postcode"));
  }

  /* 新授权: 请求待提交 → submitted (登录商务部网站app下载) → issued once the phone installs it */
  {
    g_autoptr(EkApiResponse) r = mobile_request (token, "new", "13800138000", NULL);
    g_autoptr(EkApiResponse) twice = mobile_request (token, "new", "13800138000", NULL);
    g_autoptr(EkApiResponse) sub = NULL, sub2 = NULL, got = NULL;

    g_assert_cmpint (r->status, ==, 201);
    g_assert_cmpstr (str (r, "state"), ==, "pending-submit");
    g_assert_null (certificate_state (r));
    first = g_strdup (str (r, "id"));
    g_assert_cmpint (twice->status, ==, 409);
    g_assert_cmpstr (ek_api_problem_type (twice), ==, "mobile-already-authorized");
    review ("install-mobile", first, 1);   /* not before it is submitted */

    sub = mobile_submit (token, first);
    g_assert_cmpint (sub->status, ==, 200);
    g_assert_cmpstr (str (sub, "state"), ==, "submitted");
    sub2 = mobile_submit (token, first);
    g_assert_cmpint (sub2->status, ==, 409);
    g_assert_cmpstr (ek_api_problem_type (sub2), ==, "invalid-transition");
    review ("install-mobile", first, 0);
    got = mobile_get (token, first);
    g_assert_cmpstr (str (got, "state"), ==, "issued");
    g_assert_cmpstr (certificate_state (got), ==, "active");
    g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (ek_api_object (got), "certificate"), "expires_at"),
                     >, g_get_real_time () / G_USEC_PER_SEC + 300 * 86400);
  }
  /* One authorisation per number; another enterprise sees and submits nothing of it */
  {
    g_autoptr(EkApiResponse) again = mobile_request (token, "new", "13800138000", NULL);
    g_autoptr(EkApiResponse) one = mobile_get (other_token, first);
    g_autoptr(EkApiResponse) sub = mobile_submit (other_token, first);
    g_autoptr(EkApiResponse) all = ek_api_call (server, "GET", "/mobile-authorizations", other_token, NULL, NULL);
    g_autoptr(EkApiResponse) cancel = mobile_request (other_token, "cancellation", "13800138000", NULL);

    g_assert_cmpint (again->status, ==, 409);
    g_assert_cmpstr (ek_api_problem_type (again), ==, "mobile-already-authorized");
    g_assert_cmpint (one->status, ==, 404);
    g_assert_cmpint (sub->status, ==, 404);
    g_assert_cmpuint (json_array_get_length (list_of (all)), ==, 0);
    g_assert_cmpint (cancel->status, ==, 409);
    g_assert_cmpstr (ek_api_problem_type (cancel), ==, "mobile-not-authorized");
  }

  /* 手机号码变更: the old number must be authorised; submitting revokes its certificate */
  {
    g_autoptr(EkApiResponse) none = mobile_request (token, "number-change", "13900139000", "13700137000");
    g_autoptr(EkApiResponse) missing = mobile_request (token, "number-change", "13900139000", NULL);
    g_autoptr(EkApiResponse) r = mobile_request (token, "number-change", "13900139000", "13800138000");
    g_autoptr(EkApiResponse) before = NULL, sub = NULL, after = NULL, renew_old = NULL;

    g_assert_cmpint (none->status, ==, 409);
    g_assert_cmpstr (ek_api_problem_type (none), ==, "mobile-not-authorized");
    g_assert_cmpint (missing->status, ==, 422);
    g_assert_true (ek_api_has_field_error (missing, "old_mobile", "required"));
    g_assert_cmpint (r->status, ==, 201);
    changed = g_strdup (str (r, "id"));
    before = mobile_get (token, first);
    g_assert_cmpstr (certificate_state (before), ==, "active");   /* saved, not submitted: nothing revoked yet */
    sub = mobile_submit (token, changed);
    g_assert_cmpstr (str (sub, "state"), ==, "submitted");
    after = mobile_get (token, first);
    g_assert_cmpstr (certificate_state (after), ==, "revoked");
    review ("install-mobile", changed, 0);
    renew_old = mobile_request (token, "renewal", "13800138000", NULL);
    g_assert_cmpint (renew_old->status, ==, 409);
    g_assert_cmpstr (ek_api_problem_type (renew_old), ==, "mobile-not-authorized");
  }

  /* 手机证书续签 and 手机证书注销 of the number in use */
  {
    g_autoptr(EkApiResponse) r = mobile_request (token, "renewal", "13900139000", NULL);
    g_autoptr(EkApiResponse) sub = NULL, old = NULL, cancel = NULL, csub = NULL, after = NULL, again = NULL;

    g_assert_cmpint (r->status, ==, 201);
    renewal = g_strdup (str (r, "id"));
    sub = mobile_submit (token, renewal);
    g_assert_cmpstr (str (sub, "state"), ==, "submitted");
    review ("install-mobile", renewal, 0);
    old = mobile_get (token, changed);
    g_assert_cmpstr (certificate_state (old), ==, "renewed");

    cancel = mobile_request (token, "cancellation", "13900139000", NULL);
    g_assert_cmpint (cancel->status, ==, 201);
    csub = mobile_submit (token, str (cancel, "id"));
    g_assert_cmpstr (str (csub, "state"), ==, "cancelled");
    after = mobile_get (token, renewal);
    g_assert_cmpstr (certificate_state (after), ==, "cancelled");
    again = mobile_request (token, "cancellation", "13900139000", NULL);
    g_assert_cmpint (again->status, ==, 409);
  }

  /* 手机变更 adds a phone; a request not yet submitted can be deleted, stays in the history
   * (是否删除), is no longer submitted, and frees its number */
  {
    g_autoptr(EkApiResponse) saved = mobile_request (token, "phone-change", "13600136000", NULL);
    g_autofree char *path = g_strconcat ("/mobile-authorizations/", str (saved, "id"), NULL);
    g_autoptr(EkApiResponse) other_delete = ek_api_call (server, "DELETE", path, other_token, NULL, NULL);
    g_autoptr(EkApiResponse) deleted = ek_api_call (server, "DELETE", path, token, NULL, NULL);
    g_autoptr(EkApiResponse) twice = ek_api_call (server, "DELETE", path, token, NULL, NULL);
    g_autoptr(EkApiResponse) sub = mobile_submit (token, str (saved, "id"));
    g_autofree char *first_path = g_strconcat ("/mobile-authorizations/", first, NULL);
    g_autoptr(EkApiResponse) issued = ek_api_call (server, "DELETE", first_path, token, NULL, NULL);

    g_assert_cmpint (saved->status, ==, 201);
    g_assert_false (json_object_get_boolean_member (ek_api_object (saved), "deleted"));
    g_assert_cmpint (other_delete->status, ==, 404);
    g_assert_cmpint (deleted->status, ==, 200);
    g_assert_true (json_object_get_boolean_member (ek_api_object (deleted), "deleted"));
    g_assert_cmpint (twice->status, ==, 409);
    g_assert_cmpint (sub->status, ==, 409);
    g_assert_cmpint (issued->status, ==, 409);
  }
  {
    g_autoptr(EkApiResponse) r = mobile_request (token, "phone-change", "13600136000", NULL);
    g_autoptr(EkApiResponse) history = ek_api_call (server, "GET", "/mobile-authorizations", token, NULL, NULL);
    JsonArray *rows = list_of (history);

    g_assert_cmpint (r->status, ==, 201);
    g_assert_cmpuint (json_array_get_length (rows), ==, 6);
    g_assert_true (json_object_get_boolean_member (json_array_get_object_element (rows, 1), "deleted"));
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (rows, 0), "kind"), ==, "phone-change");
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (rows, 0), "state"), ==, "pending-submit");
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (rows, 5), "kind"), ==, "new");
  }

  ek_test_cert_clear (&clerk);
  ek_test_cert_clear (&other);
}

/* ---- The client's calls, on the same service ---- */

static GBytes *
sign_nonce (GBytes    *nonce,
            gpointer   user_data,
            GError   **error)
{
  const EkTestCert *cert = user_data;
  gnutls_privkey_t priv;
  gsize len;
  gnutls_datum_t data, sig = { NULL, 0 };
  GBytes *out;

  data.data = (unsigned char *) g_bytes_get_data (nonce, &len);
  data.size = (unsigned int) len;
  gnutls_privkey_init (&priv);
  g_assert_cmpint (gnutls_privkey_import_x509 (priv, cert->key, 0), ==, 0);
  g_assert_cmpint (gnutls_privkey_sign_data (priv, GNUTLS_DIG_SHA256, 0, &data, &sig), ==, 0);
  gnutls_privkey_deinit (priv);
  out = g_bytes_new (sig.data, sig.size);
  gnutls_free (sig.data);
  return out;
}

static EkApiClient *
client_for (const EkTestCert *cert)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *pem = ek_test_cert_pem (cert);
  EkApiClient *client = ek_api_client_new (server->base_url, server->ca_file, &error);

  g_assert_no_error (error);
  ek_api_client_set_proxy (client, "");
  ek_api_client_set_language (client, "zh-CN");
  g_assert_true (ek_api_client_login_with_key_sync (client, pem, sign_nonce, (gpointer) cert, NULL, &error));
  g_assert_no_error (error);
  return client;
}

static void
assert_problem (const GError *error,
                const char   *slug)
{
  const EkApiProblem *problem;

  g_assert_error (error, EK_API_ERROR, EK_API_ERROR_PROBLEM);
  problem = ek_api_error_get_problem (error);
  g_assert_nonnull (problem);
  g_assert_cmpstr (problem->type_slug, ==, slug);
}

static JsonObject *
seal_form (const char *code13)
{
  g_autofree char *text = seal_body ("apply", code13, "上海测试贸易有限公司", "liming@163.com");
  g_autoptr(JsonNode) node = json_from_string (text, NULL);
  JsonObject *o = json_object_ref (json_node_get_object (node));

  json_object_remove_member (o, "kind");
  return o;
}

static void
test_client (void)
{
  EkTestCert clerk;
  g_autoptr(EkApiClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) wrong = NULL, form = NULL;
  g_autoptr(EkSealRequest) created = NULL, uploaded = NULL;
  g_autoptr(GPtrArray) requests = NULL, seals = NULL, history = NULL;
  g_autofree char *letter_path = g_build_filename (dir, "letter.png", NULL);
  g_autoptr(GFile) letter = g_file_new_for_path (letter_path);
  g_autoptr(GBytes) png = ek_api_png (600, 800, FALSE);

  ek_test_cert_make_user (&clerk, "CN=9999400000590-LIMING,O=IELIC,C=CN", &issuing_ca, 300);
  ek_test_cert_record (server, &clerk, NULL);
  client = client_for (&clerk);

  /* A code that is not the certificate's comes back as the field's error, in the clerk's language */
  wrong = seal_form ("9999400000591");
  g_assert_null (ek_api_client_create_seal_request_sync (client, "apply", wrong, "seal-client-0001", NULL, &error));
  assert_problem (error, "validation");
  {
    const EkApiFieldError *fe = ek_api_problem_lookup_field (ek_api_error_get_problem (error), "code13");
    g_assert_nonnull (fe);
    g_assert_cmpstr (fe->code, ==, "certificate-mismatch");
    g_assert_nonnull (strstr (fe->message, "企业代码不一致"));
  }
  g_clear_error (&error);

  form = seal_form ("9999400000590");
  created = ek_api_client_create_seal_request_sync (client, "apply", form, "seal-client-0002", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (created->state, ==, "new");
  g_assert_false (created->has_letter);
  g_assert_nonnull (strstr (created->certificate_subject, "9999400000590-LIMING"));
  g_assert_cmpstr (json_object_get_string_member (created->form, "email"), ==, "liming@163.com");
  /* the same key again: the first answer, not a second request */
  {
    g_autoptr(EkSealRequest) again = ek_api_client_create_seal_request_sync (client, "apply", form, "seal-client-0002", NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (again->id, ==, created->id);
  }
  /* The confirmation letter from the service's answer: its layout, the certificate's subject, the
   * seal-collection area (the text as pdftotext reads it; the page as PNG for a look) */
  {
    g_autofree char *pdf = ek_test_artifact_path ("seal-letter.pdf");
    g_autofree char *prefix = ek_test_artifact_path ("seal-letter");
    g_autofree char *text = NULL, *number = g_ascii_strup (created->id, 8);
    int status = -1;
    const char *argv[] = { "pdftotext", "-layout", pdf, "-", NULL };
    const char *ppm[] = { "pdftoppm", "-png", "-r", "60", "-singlefile", pdf, prefix, NULL };

    g_assert_true (ek_document_render_seal_letter_pdf (created->form, created->certificate_subject, created->login_name,
                                                       number, pdf, NULL, &error));
    g_assert_no_error (error);
    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                                 &text, NULL, &status, &error));
    g_assert_no_error (error);
    g_assert_cmpint (status, ==, 0);
    g_assert_nonnull (strstr (text, "许可证申领系统电子印章申请确认函"));
    g_assert_nonnull (strstr (text, "印章采集区域"));
    g_assert_nonnull (strstr (text, "上海测试贸易有限公司"));
    g_assert_nonnull (strstr (text, "9999400000590"));
    g_assert_nonnull (strstr (text, "LIMING"));
    g_assert_nonnull (strstr (text, "CN=9999400000590-LIMING"));
    g_assert_nonnull (strstr (text, "申请人签字"));
    g_assert_true (g_spawn_sync (NULL, (char **) ppm, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                                 NULL, NULL, &status, &error));
    g_assert_cmpint (status, ==, 0);
  }
  g_assert_true (g_file_set_contents (letter_path, g_bytes_get_data (png, NULL), (gssize) g_bytes_get_size (png), NULL));
  uploaded = ek_api_client_upload_seal_letter_sync (client, created->id, letter, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (uploaded->state, ==, "letter-uploaded");
  g_assert_true (uploaded->has_letter);
  review ("approve-seal", created->id, 0);
  review ("make-seal", created->id, 0);
  requests = ek_api_client_list_seal_requests_sync (client, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (requests->len, ==, 1);
  g_assert_cmpstr (((EkSealRequest *) requests->pdata[0])->state, ==, "seal-made");
  seals = ek_api_client_list_seals_sync (client, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (seals->len, ==, 1);
  {
    EkSeal *seal = seals->pdata[0];
    g_autofree char *want = g_strdup_printf ("/seals/%s/image", seal->id);

    g_assert_cmpstr (seal->state, ==, "normal");
    g_assert_cmpstr (seal->name, ==, "上海测试贸易有限公司");
    g_assert_true (g_strv_contains ((const char * const *) seal->users, "LIMING"));
    g_assert_cmpstr (seal->image_path, ==, want);
    g_assert_cmpint (seal->revoked_at, ==, 0);
  }

  /* Mobile: new → submitted → (installed) issued, then a number change the client sees revoke it */
  {
    g_autofree char *body = mobile_body ("new", "13500135000", NULL, TRUE);
    g_autoptr(JsonNode) node = json_from_string (body, NULL);
    JsonObject *applicant = json_object_get_object_member (json_node_get_object (node), "applicant");
    g_autoptr(EkMobileAuthorization) a = NULL, submitted = NULL, change = NULL, twice = NULL;

    json_object_set_string_member (applicant, "code13", "9999400000590");
    a = ek_api_client_create_mobile_authorization_sync (client, "new", "13500135000", NULL, "non-electromechanical",
                                                        applicant, "mobile-client-0001", NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (a->state, ==, "pending-submit");
    g_assert_cmpstr (json_object_get_string_member (a->applicant, "applicant_name"), ==, "张鑫");
    submitted = ek_api_client_submit_mobile_authorization_sync (client, a->id, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (submitted->state, ==, "submitted");
    g_assert_cmpint (submitted->submitted_at, >, 0);
    twice = ek_api_client_submit_mobile_authorization_sync (client, a->id, NULL, &error);
    g_assert_null (twice);
    assert_problem (error, "invalid-transition");
    g_clear_error (&error);
    review ("install-mobile", a->id, 0);

    history = ek_api_client_list_mobile_authorizations_sync (client, NULL, &error);
    g_assert_no_error (error);
    g_assert_nonnull (ek_mobile_authorizations_find_active (history, "13500135000"));
    g_assert_cmpint (ek_mobile_authorizations_find_active (history, NULL)->certificate_expires_at, >, 0);
    g_clear_pointer (&history, g_ptr_array_unref);

    change = ek_api_client_create_mobile_authorization_sync (client, "number-change", "13500135001", "13400134000",
                                                             "non-electromechanical", applicant, "mobile-client-0002", NULL, &error);
    g_assert_null (change);
    assert_problem (error, "mobile-not-authorized");
    g_clear_error (&error);
    change = ek_api_client_create_mobile_authorization_sync (client, "number-change", "13500135001", "13500135000",
                                                             "non-electromechanical", applicant, "mobile-client-0003", NULL, &error);
    g_assert_no_error (error);
    g_clear_pointer (&submitted, ek_mobile_authorization_free);
    submitted = ek_api_client_submit_mobile_authorization_sync (client, change->id, NULL, &error);
    g_assert_no_error (error);
    history = ek_api_client_list_mobile_authorizations_sync (client, NULL, &error);
    g_assert_no_error (error);
    g_assert_null (ek_mobile_authorizations_find_active (history, NULL));
    g_assert_cmpstr (((EkMobileAuthorization *) history->pdata[1])->certificate_state, ==, "revoked");
    g_assert_cmpstr (((EkMobileAuthorization *) history->pdata[0])->old_mobile, ==, "13500135000");
    g_assert_false (((EkMobileAuthorization *) history->pdata[0])->deleted);
  }
  {
    g_autofree char *body = mobile_body ("phone-change", "13300133000", NULL, TRUE);
    g_autoptr(JsonNode) node = json_from_string (body, NULL);
    JsonObject *applicant = json_object_get_object_member (json_node_get_object (node), "applicant");
    g_autoptr(EkMobileAuthorization) saved = NULL, deleted = NULL, again = NULL;

    json_object_set_string_member (applicant, "code13", "9999400000590");
    saved = ek_api_client_create_mobile_authorization_sync (client, "phone-change", "13300133000", NULL, "non-electromechanical",
                                                            applicant, "mobile-client-0004", NULL, &error);
    g_assert_no_error (error);
    g_assert_false (saved->deleted);
    deleted = ek_api_client_delete_mobile_authorization_sync (client, saved->id, NULL, &error);
    g_assert_no_error (error);
    g_assert_true (deleted->deleted);
    g_assert_cmpstr (deleted->state, ==, "pending-submit");
    again = ek_api_client_delete_mobile_authorization_sync (client, saved->id, NULL, &error);
    g_assert_null (again);
    assert_problem (error, "invalid-transition");
    g_clear_error (&error);
  }
  g_unlink (letter_path);
  ek_test_cert_clear (&clerk);
}

static void
test_traffic_matches_contract (void)
{
  ek_api_check_traffic (FALSE);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  ek_test_init (&argc, &argv);
  gnutls_global_init ();
  dir = g_dir_make_tmp ("ek-seal-mobile-XXXXXX", NULL);
  server = ek_api_server_start_issuing (&issuing_ca, dir, TRUE);

  g_test_add_func ("/seal-mobile/seal", test_seal);
  g_test_add_func ("/seal-mobile/mobile", test_mobile);
  g_test_add_func ("/seal-mobile/client", test_client);
  g_test_add_func ("/seal-mobile/zz-contract", test_traffic_matches_contract);
  status = g_test_run ();

  ek_api_server_free (server);
  ek_test_cert_clear (&issuing_ca);
  {
    const char *files[] = { "issuing-ca.pem", "issuing-ca.key", NULL };
    for (guint i = 0; files[i] != NULL; i++)
      {
        g_autofree char *path = g_build_filename (dir, files[i], NULL);
        g_unlink (path);
      }
  }
  g_rmdir (dir);
  g_free (dir);
  gnutls_global_deinit ();
  return status;
}
