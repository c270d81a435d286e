/* ek-registry-server.c: the registration API of data/api/openapi.yaml, served by libsoup 3
 *
 * One main loop, one SQLite connection. Uploads are streamed to a temporary file while they
 * arrive (the body is never accumulated), checked, fsynced and renamed before the row that
 * records them is committed; a crash leaves at most a temporary file, removed on the next start.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <string.h>
#include <unistd.h>

#include "ek-catalogue.h"
#include "ek-registry-db.h"
#include "ek-registry-server.h"
#include "ek-validators.h"

#define API_PREFIX "/api/v1"
#define PROBLEM_BASE "https://ekeyassistant.org/problems/"
#define MAX_TEXT_CHARS 500

/* Used until the catalogue carries a "material_rule_sets" section (issue 4), and when a
 * catalogue without one is loaded: PNG, JPEG or GIF, each image under 200 KB (seeds 001, 004). */
const char ek_registry_fallback_material_rules[] =
  "{\"formats\": [\"png\", \"jpeg\", \"gif\"], \"max_width\": 20000, \"max_height\": 20000,"
  " \"max_pixels\": 60000000, \"max_bytes\": 204799}";

static const char * const fallback_materials[] = {
  "application-form", "confirmation-letter", "business-licence", "id-card",
  "authorisation-letter", "user-agreement", "foreign-trade-operator-form",
};

struct _EkRegistryServer
{
  GObject parent_instance;

  EkRegistryConfig            config;
  SoupServer                 *soup;
  EkRegistryDb               *db;
  char                       *files_dir;
  char                       *tmp_dir;
  char                       *catalogue_json;
  EkCatalogue                *catalogue;
  JsonObject                 *limits;          /* the rule set's "limits" */
  JsonObject                 *rule_business;   /* the rule set's "business_types", or NULL */
  gboolean                    rules_from_catalogue;
  gnutls_x509_trust_list_t    trust;
  GHashTable                 *rate;            /* "bucket address" → RateWindow */
  guint64                     request_counter;
};

G_DEFINE_TYPE (EkRegistryServer, ek_registry_server, G_TYPE_OBJECT)

typedef struct
{
  gint64 window_start;
  guint  count;
} RateWindow;

/* Problems: stable type, status, title and a detail in both languages */
typedef enum
{
  PROBLEM_MALFORMED_JSON,
  PROBLEM_BODY_TOO_LARGE,
  PROBLEM_VALIDATION,
  PROBLEM_UNAUTHORIZED,
  PROBLEM_SESSION_EXPIRED,
  PROBLEM_NOT_FOUND,
  PROBLEM_METHOD_NOT_ALLOWED,
  PROBLEM_INVALID_TRANSITION,
  PROBLEM_NOT_EDITABLE,
  PROBLEM_CAPTCHA,
  PROBLEM_LOGIN_FAILED,
  PROBLEM_NOT_ACTIVATED,
  PROBLEM_RATE_LIMITED,
  PROBLEM_IDEMPOTENCY_KEY_MISSING,
  PROBLEM_IDEMPOTENCY_KEY_REUSED,
  PROBLEM_UPLOAD_TOO_LARGE,
  PROBLEM_UNSUPPORTED_FORMAT,
  PROBLEM_DAMAGED_IMAGE,
  PROBLEM_IMAGE_DIMENSIONS,
  PROBLEM_KEY_LOGIN_REQUIRED,
  PROBLEM_KEY_LOGIN_FAILED,
  PROBLEM_KEY_LOGIN_UNAVAILABLE,
  PROBLEM_LOGIN_NAME_TAKEN,
  PROBLEM_ACTIVATION_FAILED,
  PROBLEM_MISSING_MATERIALS,
  PROBLEM_INTERNAL,
} Problem;

static const struct
{
  guint       status;
  const char *slug;
  const char *title;
  const char *en;
  const char *zh_CN;
} problems[] = {
  [PROBLEM_MALFORMED_JSON] = { 400, "malformed-json", "Malformed JSON",
    "The request body is not valid JSON. The program that sent it has a fault; please report it.",
    "请求内容不是有效的 JSON。发送程序有误，请报告此问题。" },
  [PROBLEM_BODY_TOO_LARGE] = { 413, "body-too-large", "Request body too large",
    "The request is larger than the service accepts. Shorten the text and try again.",
    "请求内容超过服务允许的大小，请缩短内容后重试。" },
  [PROBLEM_VALIDATION] = { 422, "validation", "Some fields need correcting",
    "Some fields are missing or not valid. Correct the fields marked and send again.",
    "部分信息未填写或不符合要求，请按提示修改后重新提交。" },
  [PROBLEM_UNAUTHORIZED] = { 401, "unauthorized", "Log-in required",
    "You are not logged in. Log in again and retry.",
    "您尚未登录，请重新登录后再试。" },
  [PROBLEM_SESSION_EXPIRED] = { 401, "session-expired", "Session expired",
    "Your session has expired. Log in again; what you entered is kept.",
    "登录已过期，请重新登录；已填写的内容不会丢失。" },
  [PROBLEM_NOT_FOUND] = { 404, "not-found", "Not found",
    "Nothing is recorded under this address for your enterprise.",
    "未找到贵企业的相关记录。" },
  [PROBLEM_METHOD_NOT_ALLOWED] = { 405, "method-not-allowed", "Method not allowed",
    "This action is not possible on this resource.",
    "此资源不支持该操作。" },
  [PROBLEM_INVALID_TRANSITION] = { 409, "invalid-transition", "Not possible in this state",
    "This step is not possible in the application's current state. Refresh to see its status.",
    "申请当前状态下不能进行此操作，请刷新查看最新状态。" },
  [PROBLEM_NOT_EDITABLE] = { 409, "not-editable", "Application cannot be changed",
    "The application has been submitted and cannot be changed until the review returns it.",
    "申请已提交，审核退回之前不能修改。" },
  [PROBLEM_CAPTCHA] = { 422, "captcha", "Captcha not accepted",
    "The verification code is wrong, expired or already used. Get a new one and try again.",
    "验证码错误、已过期或已使用，请刷新验证码后重试。" },
  [PROBLEM_LOGIN_FAILED] = { 401, "login-failed", "Log-in failed",
    "The enterprise code and login name do not match a registered account. Check both, or register first.",
    "企业代码与登录名不匹配任何已注册账号，请核对，或先注册。" },
  [PROBLEM_NOT_ACTIVATED] = { 403, "account-not-activated", "Account not activated",
    "The account is not activated yet. Enter the activation code sent to your registration email.",
    "账号尚未激活，请输入发送到注册邮箱的激活码。" },
  [PROBLEM_RATE_LIMITED] = { 429, "rate-limited", "Too many attempts",
    "Too many attempts from this computer. Wait a minute and try again.",
    "此电脑尝试次数过多，请一分钟后再试。" },
  [PROBLEM_IDEMPOTENCY_KEY_MISSING] = { 400, "idempotency-key-missing", "Idempotency-Key required",
    "This request needs an Idempotency-Key header so that a retry never acts twice.",
    "此请求需要 Idempotency-Key 请求头，以免重试时重复办理。" },
  [PROBLEM_IDEMPOTENCY_KEY_REUSED] = { 422, "idempotency-key-reused", "Idempotency-Key already used",
    "This Idempotency-Key was already used for a different request. Use a new key for a new request.",
    "此 Idempotency-Key 已用于另一请求，新请求请使用新的键。" },
  [PROBLEM_UPLOAD_TOO_LARGE] = { 413, "upload-too-large", "File too large",
    "The file is larger than this material allows. Let the assistant reduce it, or scan at a lower resolution.",
    "文件超过该材料的大小限制，请使用助手压缩，或以较低分辨率重新扫描。" },
  [PROBLEM_UNSUPPORTED_FORMAT] = { 415, "unsupported-format", "Not a PNG, JPEG or GIF image",
    "The file is not an image in an accepted format. Save or scan the page as PNG, JPEG or GIF.",
    "文件不是允许的图片格式，请将该页保存或扫描为 PNG、JPG 或 GIF 图片。" },
  [PROBLEM_DAMAGED_IMAGE] = { 422, "damaged-image", "Damaged image",
    "The image is incomplete or damaged. Scan or save it again and upload the new file.",
    "图片不完整或已损坏，请重新扫描或保存后再上传。" },
  [PROBLEM_IMAGE_DIMENSIONS] = { 422, "image-dimensions", "Image too large in pixels",
    "The image has more pixels than allowed. Scan at a lower resolution.",
    "图片像素尺寸超出限制，请以较低分辨率重新扫描。" },
  [PROBLEM_KEY_LOGIN_REQUIRED] = { 403, "key-login-required", "Log in with the key",
    "This business needs you to log in with the inserted e-key and its PIN.",
    "办理此业务需要插入电子钥匙并使用PIN码登录。" },
  [PROBLEM_KEY_LOGIN_FAILED] = { 401, "key-login-failed", "Key log-in failed",
    "The key's certificate or signature was not accepted. Check that the right key is inserted and try again.",
    "电子钥匙证书或签名未通过验证，请确认插入的是正确的电子钥匙后重试。" },
  [PROBLEM_KEY_LOGIN_UNAVAILABLE] = { 503, "key-login-unavailable", "Key log-in not available",
    "This service is not configured for log-in with the key. Contact the helpdesk.",
    "本服务未配置电子钥匙登录，请联系客服。" },
  [PROBLEM_LOGIN_NAME_TAKEN] = { 409, "login-name-taken", "Login name already used",
    "This login name is already registered for your enterprise. An additional key needs a new login name.",
    "该登录名已为贵企业注册。增办电子钥匙需使用新的登录名。" },
  [PROBLEM_ACTIVATION_FAILED] = { 422, "activation-failed", "Activation code not accepted",
    "The activation code is wrong. Copy it from the activation email and try again.",
    "激活码错误，请从激活邮件中复制后重试。" },
  [PROBLEM_MISSING_MATERIALS] = { 422, "missing-materials", "Materials missing",
    "Some required materials or fields are missing. Add the ones marked, then submit again.",
    "缺少必需的材料或信息，请补充标注的项目后重新提交。" },
  [PROBLEM_INTERNAL] = { 500, "internal", "Internal error",
    "The service could not complete the request. Try again later; if it persists, contact the helpdesk with the request id.",
    "服务暂时无法完成请求，请稍后重试；如仍有问题，请将请求编号告知客服。" },
};

typedef struct
{
  EkRegistryServer  *self;
  SoupServerMessage *msg;
  const char        *method;
  char             **seg;
  guint              n_seg;
  const char        *lang;
  JsonNode          *body_node;
  JsonObject        *body;
  /* session */
  gboolean           authed;
  gint64             enterprise_id;
  char              *account_id;
  char              *auth_method;
  char              *login_name;
  char              *code13;
  char              *token_hash;
} Request;

static void
request_clear (Request *req)
{
  g_clear_pointer (&req->seg, g_strfreev);
  g_clear_pointer (&req->body_node, json_node_unref);
  g_clear_pointer (&req->account_id, g_free);
  g_clear_pointer (&req->auth_method, g_free);
  g_clear_pointer (&req->login_name, g_free);
  g_clear_pointer (&req->code13, g_free);
  g_clear_pointer (&req->token_hash, g_free);
}

static gint64
now_s (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

/* Picks zh_CN or en from Accept-Language by q-value; Chinese when nothing matches */
static const char *
pick_language (SoupServerMessage *msg)
{
  const char *header = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                     "Accept-Language");
  g_auto(GStrv) items = NULL;
  double best_q = -1;
  const char *best = "zh_CN";

  if (header == NULL)
    return best;

  items = g_strsplit (header, ",", 16);
  for (guint i = 0; items[i] != NULL; i++)
    {
      g_auto(GStrv) parts = g_strsplit (items[i], ";", 2);
      const char *tag = g_strstrip (parts[0]);
      double q = 1.0;

      if (parts[1] != NULL)
        {
          const char *qs = strstr (parts[1], "q=");
          if (qs != NULL)
            q = g_ascii_strtod (qs + 2, NULL);
        }
      if (q > best_q && g_ascii_strncasecmp (tag, "zh", 2) == 0)
        best = "zh_CN", best_q = q;
      else if (q > best_q && g_ascii_strncasecmp (tag, "en", 2) == 0)
        best = "en", best_q = q;
    }
  return best;
}

static void
set_json_response (SoupServerMessage *msg,
                   guint              status,
                   const char        *content_type,
                   JsonNode          *node)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  gsize len = 0;
  char *text;

  json_generator_set_root (generator, node);
  text = json_generator_to_data (generator, &len);
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, content_type, SOUP_MEMORY_TAKE, text, len);
}

static JsonNode *
problem_node (SoupServerMessage *msg,
              const char        *lang,
              Problem            problem,
              const char        *detail,
              JsonArray         *errors)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  const char *request_id = g_object_get_data (G_OBJECT (msg), "ek-request-id");
  g_autofree char *type = g_strconcat (PROBLEM_BASE, problems[problem].slug, NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, type);
  json_builder_set_member_name (builder, "title");
  json_builder_add_string_value (builder, problems[problem].title);
  json_builder_set_member_name (builder, "status");
  json_builder_add_int_value (builder, problems[problem].status);
  json_builder_set_member_name (builder, "detail");
  json_builder_add_string_value (builder, detail != NULL ? detail :
                                 g_str_equal (lang, "en") ? problems[problem].en : problems[problem].zh_CN);
  if (request_id != NULL)
    {
      json_builder_set_member_name (builder, "request_id");
      json_builder_add_string_value (builder, request_id);
    }
  json_builder_set_member_name (builder, "errors");
  if (errors != NULL)
    {
      JsonNode *node = json_node_new (JSON_NODE_ARRAY);
      json_node_set_array (node, errors);
      json_builder_add_value (builder, node);
    }
  else
    {
      json_builder_begin_array (builder);
      json_builder_end_array (builder);
    }
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static void
respond_problem_msg (SoupServerMessage *msg,
                     const char        *lang,
                     Problem            problem,
                     JsonArray         *errors)
{
  g_autoptr(JsonNode) node = problem_node (msg, lang, problem, NULL, errors);

  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Content-Language",
                                g_str_equal (lang, "en") ? "en" : "zh-CN");
  set_json_response (msg, problems[problem].status, "application/problem+json", node);
}

static void
respond_problem (Request   *req,
                 Problem    problem,
                 JsonArray *errors)
{
  respond_problem_msg (req->msg, req->lang, problem, errors);
}

static void
respond_json (Request  *req,
              guint     status,
              JsonNode *node)
{
  set_json_response (req->msg, status, "application/json", node);
}

static void
add_field_error (JsonArray      *errors,
                 const char     *field,
                 const char     *code,
                 const char     *message)
{
  JsonObject *e = json_object_new ();

  json_object_set_string_member (e, "field", field);
  json_object_set_string_member (e, "code", code);
  json_object_set_string_member (e, "message", message);
  json_array_add_object_element (errors, e);
}

static void
add_problem_error (Request        *req,
                   JsonArray      *errors,
                   const char     *field,
                   EkFieldProblem  problem)
{
  add_field_error (errors, field, ek_field_problem_code (problem), ek_field_problem_message (problem, req->lang));
}

static void
add_text_error (Request    *req,
                JsonArray  *errors,
                const char *field,
                const char *code,
                const char *en,
                const char *zh)
{
  add_field_error (errors, field, code, g_str_equal (req->lang, "en") ? en : zh);
}

/* ---- Field checks ---- */

typedef enum
{
  FIELD_TEXT,
  FIELD_USCC,
  FIELD_CODE13,
  FIELD_RESIDENT_ID,
  FIELD_ID_TYPE,
  FIELD_MOBILE,
  FIELD_LANDLINE,
  FIELD_POSTCODE,
  FIELD_EMAIL,
  FIELD_LICENCE_TYPE,
  FIELD_CHOICE,
  FIELD_OBJECT,
} FieldKind;

typedef struct
{
  const char         *name;
  FieldKind           kind;
  gboolean            required;
  const char * const *choices;
} FieldSpec;

static const char * const id_types[] = { "resident-id", "officer-id", "soldier-id", "passport", "other", NULL };

static const FieldSpec application_fields[] = {
  { "enterprise_name", FIELD_TEXT, TRUE, NULL },
  { "uscc", FIELD_USCC, TRUE, NULL },
  { "code13", FIELD_CODE13, FALSE, NULL },
  { "registered_address", FIELD_TEXT, FALSE, NULL },
  { "legal_representative", FIELD_TEXT, TRUE, NULL },
  { "legal_representative_id_type", FIELD_ID_TYPE, FALSE, id_types },
  { "legal_representative_id_number", FIELD_RESIDENT_ID, FALSE, NULL },
  { "applicant_name", FIELD_TEXT, TRUE, NULL },
  { "applicant_id_type", FIELD_ID_TYPE, FALSE, id_types },
  { "applicant_id_number", FIELD_RESIDENT_ID, TRUE, NULL },
  { "login_name", FIELD_TEXT, FALSE, NULL },
  { "email", FIELD_EMAIL, TRUE, NULL },
  { "mobile", FIELD_MOBILE, TRUE, NULL },
  { "landline", FIELD_LANDLINE, FALSE, NULL },
  { "contact_address", FIELD_TEXT, FALSE, NULL },
  { "department", FIELD_TEXT, FALSE, NULL },
  { "title", FIELD_TEXT, FALSE, NULL },
  { "work_address", FIELD_TEXT, FALSE, NULL },
  { "postcode", FIELD_POSTCODE, TRUE, NULL },
  { "licence_type", FIELD_LICENCE_TYPE, FALSE, NULL },
  { "reason", FIELD_TEXT, FALSE, NULL },
  { "authority", FIELD_TEXT, FALSE, NULL },
  { NULL }
};

static const FieldSpec *
find_spec (const FieldSpec *specs,
           const char      *name)
{
  for (; specs->name != NULL; specs++)
    if (g_str_equal (specs->name, name))
      return specs;
  return NULL;
}

static gboolean
is_code13 (const char *text)
{
  return g_regex_match_simple ("^[0-9]{4}[0-9A-Z]{8}[0-9X]$", text, 0, 0);
}

/* Checks the members of @object against @specs: unknown members, types, lengths, formats.
 * Required members are only enforced when @enforce_required. The id number is checked as a
 * resident ID only when its type says so (or is absent). */
static void
check_fields (Request         *req,
              JsonObject      *object,
              const FieldSpec *specs,
              const char      *prefix,
              gboolean         enforce_required,
              JsonArray       *errors)
{
  g_autoptr(GList) members = json_object_get_members (object);

  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *name = l->data;
      const FieldSpec *spec = find_spec (specs, name);
      JsonNode *node = json_object_get_member (object, name);
      g_autofree char *field = g_strconcat (prefix, name, NULL);
      const char *value;
      EkCheck check = { EK_VALIDITY_VALID, EK_FIELD_PROBLEM_NONE };

      if (spec == NULL)
        {
          add_text_error (req, errors, field, "unknown-field",
                          "This field is not part of the form. Remove it.",
                          "表单中没有此项，请删除。");
          continue;
        }
      if (spec->kind == FIELD_OBJECT)
        {
          if (!JSON_NODE_HOLDS_OBJECT (node))
            add_text_error (req, errors, field, "type", "This must be an object.", "此项必须为对象。");
          continue;
        }
      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
        {
          add_text_error (req, errors, field, "type", "This must be text.", "此项必须为文本。");
          continue;
        }
      value = json_node_get_string (node);
      if (g_utf8_strlen (value, -1) > MAX_TEXT_CHARS || !g_utf8_validate (value, -1, NULL))
        {
          add_text_error (req, errors, field, "too-long",
                          "This text is too long (at most 500 characters).", "内容过长（最多500个字符）。");
          continue;
        }
      if (*value == '\0')
        {
          if (spec->required && enforce_required)
            add_problem_error (req, errors, field, EK_FIELD_PROBLEM_REQUIRED);
          continue;
        }

      switch (spec->kind)
        {
        case FIELD_USCC:
          check = ek_uscc_check (value);
          break;
        case FIELD_CODE13:
          if (!is_code13 (value))
            add_text_error (req, errors, field, "code13",
                            "The import/export enterprise code has 13 characters: 4 digits and the 9-character organisation code.",
                            "进出口企业代码为13位：4位数字加9位组织机构代码。");
          break;
        case FIELD_RESIDENT_ID:
          {
            g_autofree char *type_name = g_strdup (name);
            const char *type;

            /* applicant_id_number → applicant_id_type */
            memcpy (type_name + strlen (type_name) - strlen ("number"), "type\0\0", 6);
            type = json_object_has_member (object, type_name) ?
                   json_object_get_string_member_with_default (object, type_name, NULL) : NULL;
            if (type == NULL || *type == '\0' || g_str_equal (type, "resident-id"))
              check = ek_resident_id_check (value);
          }
          break;
        case FIELD_MOBILE:
          check = ek_mobile_check (value);
          break;
        case FIELD_LANDLINE:
          check = ek_landline_check (value);
          break;
        case FIELD_POSTCODE:
          check = ek_postcode_check (value);
          break;
        case FIELD_EMAIL:
          check = ek_email_check (value);
          break;
        case FIELD_LICENCE_TYPE:
          if (!ek_licence_type_is_known (value))
            check.validity = EK_VALIDITY_INVALID, check.problem = EK_FIELD_PROBLEM_LICENCE_TYPE;
          break;
        case FIELD_ID_TYPE:
        case FIELD_CHOICE:
          if (!g_strv_contains (spec->choices, value))
            add_text_error (req, errors, field, "choice", "Choose one of the offered values.", "请从给出的选项中选择。");
          break;
        case FIELD_TEXT:
        case FIELD_OBJECT:
        default:
          break;
        }
      if (check.validity == EK_VALIDITY_INVALID)
        add_problem_error (req, errors, field, check.problem);
    }

  if (enforce_required)
    for (const FieldSpec *spec = specs; spec->name != NULL; spec++)
      if (spec->required && !json_object_has_member (object, spec->name))
        {
          g_autofree char *field = g_strconcat (prefix, spec->name, NULL);
          add_problem_error (req, errors, field, EK_FIELD_PROBLEM_REQUIRED);
        }
}

static const char *
get_string (JsonObject *object,
            const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

/* Parses the JSON body into req->body; answers the problem itself and returns FALSE */
static gboolean
parse_body (Request *req)
{
  SoupMessageBody *body = soup_server_message_get_request_body (req->msg);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  gsize len = 0;
  const char *data;

  if (g_object_get_data (G_OBJECT (req->msg), "ek-body-too-large") != NULL)
    {
      respond_problem (req, PROBLEM_BODY_TOO_LARGE, NULL);
      return FALSE;
    }
  bytes = soup_message_body_flatten (body);
  data = g_bytes_get_data (bytes, &len);
  if (len > req->self->config.json_limit)
    {
      respond_problem (req, PROBLEM_BODY_TOO_LARGE, NULL);
      return FALSE;
    }
  if (len == 0 || !g_utf8_validate (data, (gssize) len, NULL) ||
      !json_parser_load_from_data (parser, data, (gssize) len, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      respond_problem (req, PROBLEM_MALFORMED_JSON, NULL);
      return FALSE;
    }
  req->body_node = json_node_ref (json_parser_get_root (parser));
  req->body = json_node_get_object (req->body_node);
  return TRUE;
}

static gboolean
check_top_level (Request          *req,
                 const char * const *allowed,
                 JsonArray        *errors)
{
  g_autoptr(GList) members = json_object_get_members (req->body);

  for (GList *l = members; l != NULL; l = l->next)
    if (!g_strv_contains (allowed, l->data))
      add_text_error (req, errors, l->data, "unknown-field",
                      "This field is not part of the request. Remove it.", "请求中没有此项，请删除。");
  return json_array_get_length (errors) == 0;
}

static gboolean
finish_validation (Request   *req,
                   JsonArray *errors)
{
  if (json_array_get_length (errors) == 0)
    {
      json_array_unref (errors);
      return TRUE;
    }
  respond_problem (req, PROBLEM_VALIDATION, errors);
  return FALSE;
}

/* ---- Rate limits, sessions ---- */

static gboolean
rate_allow (Request    *req,
            const char *bucket)
{
  const char *address = soup_server_message_get_remote_host (req->msg);
  g_autofree char *key = g_strdup_printf ("%s %s", bucket, address != NULL ? address : "?");
  RateWindow *window = g_hash_table_lookup (req->self->rate, key);
  gint64 now = now_s ();

  if (window == NULL)
    {
      window = g_new0 (RateWindow, 1);
      g_hash_table_insert (req->self->rate, g_steal_pointer (&key), window);
    }
  if (now - window->window_start >= 60)
    window->window_start = now, window->count = 0;
  if (++window->count > req->self->config.rate_limit)
    {
      g_autofree char *retry = g_strdup_printf ("%" G_GINT64_FORMAT, 60 - (now - window->window_start));

      soup_message_headers_replace (soup_server_message_get_response_headers (req->msg), "Retry-After", retry);
      respond_problem (req, PROBLEM_RATE_LIMITED, NULL);
      return FALSE;
    }
  return TRUE;
}

static char *
sha256_hex (const void *data,
            gsize       len)
{
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, data, len);
}

static char *
random_hex (guint n_bytes)
{
  guint8 buf[64];

  g_assert (n_bytes <= sizeof buf);
  if (gnutls_rnd (GNUTLS_RND_KEY, buf, n_bytes) < 0)
    g_error ("No random numbers");
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, buf, n_bytes);
}

/* Looks up the bearer token; answers 401 itself and returns FALSE */
static gboolean
require_session (Request *req)
{
  const char *auth = soup_message_headers_get_one (soup_server_message_get_request_headers (req->msg),
                                                   "Authorization");
  sqlite3_stmt *stmt;
  g_autofree char *hash = NULL;
  gint64 expires;

  if (auth == NULL || !g_str_has_prefix (auth, "Bearer ") || strlen (auth) < 8 + 16)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (req->msg),
                                    "WWW-Authenticate", "Bearer");
      respond_problem (req, PROBLEM_UNAUTHORIZED, NULL);
      return FALSE;
    }
  hash = sha256_hex (auth + 7, strlen (auth + 7));
  stmt = ek_registry_db_query (req->self->db,
                               "SELECT enterprise_id, account_id, method, login_name, code13, expires_at "
                               "FROM sessions WHERE token_hash = ?", "s", hash);
  if (stmt == NULL || sqlite3_step (stmt) != SQLITE_ROW)
    {
      if (stmt != NULL)
        sqlite3_reset (stmt);
      soup_message_headers_replace (soup_server_message_get_response_headers (req->msg),
                                    "WWW-Authenticate", "Bearer");
      respond_problem (req, PROBLEM_UNAUTHORIZED, NULL);
      return FALSE;
    }
  expires = sqlite3_column_int64 (stmt, 5);
  req->enterprise_id = sqlite3_column_int64 (stmt, 0);
  req->account_id = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
  req->auth_method = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
  req->login_name = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
  req->code13 = g_strdup ((const char *) sqlite3_column_text (stmt, 4));
  sqlite3_reset (stmt);

  if (expires <= now_s ())
    {
      ek_registry_db_exec (req->self->db, NULL, "DELETE FROM sessions WHERE token_hash = ?", "s", hash);
      soup_message_headers_replace (soup_server_message_get_response_headers (req->msg),
                                    "WWW-Authenticate", "Bearer error=\"invalid_token\"");
      respond_problem (req, PROBLEM_SESSION_EXPIRED, NULL);
      return FALSE;
    }
  req->token_hash = g_steal_pointer (&hash);
  req->authed = TRUE;
  return TRUE;
}

static gboolean
require_key_session (Request *req)
{
  if (!require_session (req))
    return FALSE;
  if (g_strcmp0 (req->auth_method, "key") != 0)
    {
      respond_problem (req, PROBLEM_KEY_LOGIN_REQUIRED, NULL);
      return FALSE;
    }
  return TRUE;
}

/* ---- Idempotency ---- */

typedef struct
{
  char    *key;
  char    *fingerprint;
  gboolean done;   /* a stored answer was replayed, or a problem was sent */
} Idempotency;

static void
idempotency_clear (Idempotency *idem)
{
  g_clear_pointer (&idem->key, g_free);
  g_clear_pointer (&idem->fingerprint, g_free);
}

/* Replays the stored answer for a repeated key, refuses a key reused for another request,
 * or returns with idem->done FALSE so the caller acts and calls idempotency_store(). */
static void
idempotency_begin (Request     *req,
                   Idempotency *idem)
{
  const char *key = soup_message_headers_get_one (soup_server_message_get_request_headers (req->msg),
                                                  "Idempotency-Key");
  SoupMessageBody *body = soup_server_message_get_request_body (req->msg);
  g_autoptr(GBytes) bytes = soup_message_body_flatten (body);
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  GUri *uri = soup_server_message_get_uri (req->msg);
  sqlite3_stmt *stmt;

  idem->done = FALSE;
  if (key == NULL || *key == '\0' || strlen (key) > 200)
    {
      respond_problem (req, PROBLEM_IDEMPOTENCY_KEY_MISSING, NULL);
      idem->done = TRUE;
      return;
    }
  g_checksum_update (checksum, (const guchar *) req->method, -1);
  g_checksum_update (checksum, (const guchar *) " ", 1);
  g_checksum_update (checksum, (const guchar *) g_uri_get_path (uri), -1);
  g_checksum_update (checksum, (const guchar *) "\n", 1);
  g_checksum_update (checksum, g_bytes_get_data (bytes, NULL), (gssize) g_bytes_get_size (bytes));
  idem->key = g_strdup (key);
  idem->fingerprint = g_strdup (g_checksum_get_string (checksum));

  stmt = ek_registry_db_query (req->self->db,
                               "SELECT fingerprint, status, location, body FROM idempotency_keys "
                               "WHERE enterprise_id = ? AND key = ?", "is", req->enterprise_id, key);
  if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *fingerprint = (const char *) sqlite3_column_text (stmt, 0);

      if (!g_str_equal (fingerprint, idem->fingerprint))
        respond_problem (req, PROBLEM_IDEMPOTENCY_KEY_REUSED, NULL);
      else
        {
          const char *text = (const char *) sqlite3_column_text (stmt, 3);
          SoupMessageHeaders *headers = soup_server_message_get_response_headers (req->msg);

          soup_message_headers_replace (headers, "Idempotent-Replayed", "true");
          if (sqlite3_column_type (stmt, 2) != SQLITE_NULL)
            soup_message_headers_replace (headers, "Location", (const char *) sqlite3_column_text (stmt, 2));
          soup_server_message_set_status (req->msg, (guint) sqlite3_column_int (stmt, 1), NULL);
          soup_server_message_set_response (req->msg, "application/json", SOUP_MEMORY_COPY, text, strlen (text));
        }
      idem->done = TRUE;
    }
  if (stmt != NULL)
    sqlite3_reset (stmt);
}

static gboolean
idempotency_store (Request     *req,
                   Idempotency *idem,
                   guint        status,
                   const char  *location,
                   JsonNode    *answer,
                   GError     **error)
{
  g_autofree char *text = json_to_string (answer, FALSE);

  return ek_registry_db_exec (req->self->db, error,
                              "INSERT INTO idempotency_keys (enterprise_id, key, fingerprint, status, location, body, created_at) "
                              "VALUES (?, ?, ?, ?, ?, ?, ?)", "ississ" "i",
                              req->enterprise_id, idem->key, idem->fingerprint, (gint64) status, location, text, now_s ());
}

/* ---- Resources ---- */

static JsonNode *
parse_json_text (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();

  if (text == NULL || !json_parser_load_from_data (parser, text, -1, NULL))
    return json_node_init_object (json_node_alloc (), json_object_new ());
  return json_node_ref (json_parser_get_root (parser));
}

static void
handle_catalogue (Request *req)
{
  if (!g_str_equal (req->method, "GET"))
    return respond_problem (req, PROBLEM_METHOD_NOT_ALLOWED, NULL);
  soup_server_message_set_status (req->msg, 200, NULL);
  soup_server_message_set_response (req->msg, "application/json", SOUP_MEMORY_COPY,
                                    req->self->catalogue_json, strlen (req->self->catalogue_json));
}

static const char captcha_alphabet[] = "ABCDEFHJKMNPRSTUVWXY2345678";

static char *
captcha_svg (const char *answer)
{
  GString *svg = g_string_new ("<svg xmlns='http://www.w3.org/2000/svg' width='120' height='40' viewBox='0 0 120 40'>"
                               "<rect width='120' height='40' fill='#f4f1e8'/>");
  guint8 noise[16];

  gnutls_rnd (GNUTLS_RND_NONCE, noise, sizeof noise);
  for (guint i = 0; i < 4; i++)
    g_string_append_printf (svg, "<line x1='%u' y1='%u' x2='%u' y2='%u' stroke='#9a8f7a' stroke-width='1'/>",
                            noise[i] % 120, noise[i + 4] % 40, noise[i + 8] % 120, noise[i + 12] % 40);
  for (guint i = 0; answer[i] != '\0'; i++)
    g_string_append_printf (svg, "<text x='%u' y='%u' font-family='monospace' font-size='22' "
                            "transform='rotate(%d %u 20)' fill='#2d3b55'>%c</text>",
                            10 + i * 21, 28 + (noise[i] % 5), (int) (noise[i + 5] % 21) - 10, 16 + i * 21, answer[i]);
  g_string_append (svg, "</svg>");
  return g_string_free (svg, FALSE);
}

static void
handle_captcha (Request *req)
{
  g_autofree char *id = g_uuid_string_random ();
  char answer[6];
  guint8 rnd[5];
  g_autofree char *svg = NULL;
  g_autofree char *b64 = NULL;
  g_autofree char *image = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;
  gint64 expires = now_s () + req->self->config.captcha_ttl;

  if (!g_str_equal (req->method, "POST"))
    return respond_problem (req, PROBLEM_METHOD_NOT_ALLOWED, NULL);
  if (!rate_allow (req, "captcha"))
    return;

  ek_registry_db_exec (req->self->db, NULL, "DELETE FROM captchas WHERE expires_at < ?", "i", now_s () - 3600);
  gnutls_rnd (GNUTLS_RND_NONCE, rnd, sizeof rnd);
  for (guint i = 0; i < 5; i++)
    answer[i] = captcha_alphabet[rnd[i] % (sizeof captcha_alphabet - 1)];
  answer[5] = '\0';
  if (!ek_registry_db_exec (req->self->db, NULL,
                            "INSERT INTO captchas (id, answer, expires_at) VALUES (?, ?, ?)",
                            "ssi", id, answer, expires))
    return respond_problem (req, PROBLEM_INTERNAL, NULL);

  svg = captcha_svg (answer);
  b64 = g_base64_encode ((const guchar *) svg, strlen (svg));
  image = g_strconcat ("data:image/svg+xml;base64,", b64, NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, id);
  json_builder_set_member_name (builder, "image");
  json_builder_add_string_value (builder, image);
  json_builder_set_member_name (builder, "expires_at");
  json_builder_add_int_value (builder, expires);
  json_builder_end_object (builder);
  node = json_builder_get_root (builder);
  respond_json (req, 201, node);
}

/* Single use: the captcha is spent by any attempt, right or wrong */
static gboolean
consume_captcha (Request    *req,
                 const char *id,
                 const char *answer)
{
  sqlite3_stmt *stmt;
  gboolean ok = FALSE;

  if (id == NULL || answer == NULL)
    return FALSE;
  stmt = ek_registry_db_query (req->self->db,
                               "SELECT answer, expires_at, used FROM captchas WHERE id = ?", "s", id);
  if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    ok = g_ascii_strcasecmp ((const char *) sqlite3_column_text (stmt, 0), answer) == 0 &&
         sqlite3_column_int64 (stmt, 1) > now_s () && sqlite3_column_int (stmt, 2) == 0;
  if (stmt != NULL)
    sqlite3_reset (stmt);
  ek_registry_db_exec (req->self->db, NULL, "UPDATE captchas SET used = 1 WHERE id = ?", "s", id);
  return ok;
}

static JsonNode *
account_node (sqlite3_stmt *stmt)
{
  /* columns: id, login_name, licence_type, email, mobile, active, created_at, uscc, name */
  JsonObject *o = json_object_new ();

  json_object_set_string_member (o, "id", (const char *) sqlite3_column_text (stmt, 0));
  json_object_set_string_member (o, "login_name", (const char *) sqlite3_column_text (stmt, 1));
  json_object_set_string_member (o, "licence_type", (const char *) sqlite3_column_text (stmt, 2));
  json_object_set_string_member (o, "email", (const char *) sqlite3_column_text (stmt, 3));
  if (sqlite3_column_type (stmt, 4) != SQLITE_NULL)
    json_object_set_string_member (o, "mobile", (const char *) sqlite3_column_text (stmt, 4));
  json_object_set_boolean_member (o, "active", sqlite3_column_int (stmt, 5) != 0);
  json_object_set_int_member (o, "created_at", sqlite3_column_int64 (stmt, 6));
  json_object_set_string_member (o, "uscc", (const char *) sqlite3_column_text (stmt, 7));
  json_object_set_string_member (o, "enterprise_name", (const char *) sqlite3_column_text (stmt, 8));
  return json_node_init_object (json_node_alloc (), o);
}

#define ACCOUNT_COLUMNS \
  "SELECT a.id, a.login_name, a.licence_type, a.email, a.mobile, a.active, a.created_at, " \
  "COALESCE(e.uscc, ''), e.name FROM accounts a JOIN enterprises e ON e.id = a.enterprise_id "

static gint64
find_or_create_enterprise (EkRegistryDb *db,
                           const char   *uscc,
                           const char   *code13,
                           const char   *name)
{
  sqlite3_stmt *stmt;
  gint64 id = 0;

  stmt = uscc != NULL ?
         ek_registry_db_query (db, "SELECT id FROM enterprises WHERE uscc = ?", "s", uscc) :
         ek_registry_db_query (db, "SELECT id FROM enterprises WHERE code13 = ?", "s", code13);
  if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    id = sqlite3_column_int64 (stmt, 0);
  if (stmt != NULL)
    sqlite3_reset (stmt);
  if (id != 0)
    return id;

  if (!ek_registry_db_exec (db, NULL, "INSERT INTO enterprises (uscc, code13, name, created_at) VALUES (?, ?, ?, ?)",
                            "sssi", uscc, code13, name != NULL ? name : "", now_s ()))
    return 0;
  return sqlite3_last_insert_rowid (ek_registry_db_handle (db));
}

static void
handle_accounts (Request *req)
{
  static const FieldSpec specs[] = {
    { "uscc", FIELD_USCC, TRUE, NULL },
    { "enterprise_name", FIELD_TEXT, TRUE, NULL },
    { "login_name", FIELD_TEXT, TRUE, NULL },
    { "licence_type", FIELD_LICENCE_TYPE, TRUE, NULL },
    { "email", FIELD_EMAIL, TRUE, NULL },
    { "mobile", FIELD_MOBILE, FALSE, NULL },
    { "contact_name", FIELD_TEXT, FALSE, NULL },
    { NULL }
  };
  JsonArray *errors;
  g_autofree char *uscc = NULL;
  g_autofree char *id = NULL;
  g_autofree char *code = NULL;
  g_autofree char *mail = NULL;
  const char *login_name, *licence_type, *email;
  sqlite3_stmt *stmt;
  g_autoptr(JsonNode) node = NULL;
  gint64 enterprise_id;
  guint8 rnd[4];

  /* POST /accounts/activation */
  if (req->n_seg == 2 && g_str_equal (req->seg[1], "activation"))
    {
      static const char * const activation_allowed[] = { "uscc", "login_name", "code", NULL };
      const char *given;
      g_autofree char *expected = NULL;
      g_autofree char *account = NULL;

      if (!g_str_equal (req->method, "POST"))
        return respond_problem (req, PROBLEM_METHOD_NOT_ALLOWED, NULL);
      if (!parse_body (req))
        return;
      errors = json_array_new ();
      check_top_level (req, activation_allowed, errors);
      if (!finish_validation (req, errors))
        return;
      if (get_string (req->body, "uscc") == NULL || get_string (req->body, "login_name") == NULL ||
          (given = get_string (req->body, "code")) == NULL)
        return respond_problem (req, PROBLEM_ACTIVATION_FAILED, NULL);
      uscc = ek_normalize_code (get_string (req->body, "uscc"));
      stmt = ek_registry_db_query (req->self->db,
                                   "SELECT a.id, a.activation_code FROM accounts a JOIN enterprises e ON e.id = a.enterprise_id "
                                   "WHERE e.uscc = ? AND a.login_name = ?", "ss", uscc, get_string (req->body, "login_name"));
      if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
        {
          account = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
          expected = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
        }
      if (stmt != NULL)
        sqlite3_reset (stmt);
      if (account == NULL || expected == NULL || !g_str_equal (expected, given))
        return respond_problem (req, PROBLEM_ACTIVATION_FAILED, NULL);
      ek_registry_db_exec (req->self->db, NULL, "UPDATE accounts SET active = 1, activation_code = NULL WHERE id = ?",
                           "s", account);
      stmt = ek_registry_db_query (req->self->db, ACCOUNT_COLUMNS "WHERE a.id = ?", "s", account);
      sqlite3_step (stmt);
      node = account_node (stmt);
      sqlite3_reset (stmt);
      return respond_json (req, 200, node);
    }

  if (req->n_seg == 1 && g_str_equal (req->method, "GET"))
    {
      JsonArray *list = json_array_new ();

      if (!require_session (req))
        return json_array_unref (list);
      stmt = ek_registry_db_query (req->self->db, ACCOUNT_COLUMNS "WHERE a.enterprise_id = ? ORDER BY a.created_at",
                                   "i", req->enterprise_id);
      while (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
        json_array_add_element (list, account_node (stmt));
      if (stmt != NULL)
        sqlite3_reset (stmt);
      node = json_node_init_array (json_node_alloc (), list);
      json_array_unref (list);
      return respond_json (req, 200, node);
    }

  if (req->n_seg == 2 && g_str_equal (req->method, "GET"))
    {
      if (!require_session (req))
        return;
      stmt = ek_registry_db_query (req->self->db, ACCOUNT_COLUMNS "WHERE a.id = ? AND a.enterprise_id = ?",
                                   "si", req->seg[1], req->enterprise_id);
      if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
        node = account_node (stmt);
      if (stmt != NULL)
        sqlite3_reset (stmt);
      if (node == NULL)
        return respond_problem (req, PROBLEM_NOT_FOUND, NULL);
      return respond_json (req, 200, node);
    }

  if (req->n_seg != 1 || !g_str_equal (req->method, "POST"))
    return respond_problem (req, req->n_seg > 2 ? PROBLEM_NOT_FOUND : PROBLEM_METHOD_NOT_ALLOWED, NULL);

  /* POST /accounts: register */
  if (!parse_body (req))
    return;
  errors = json_array_new ();
  check_fields (req, req->body, specs, "", TRUE, errors);
  login_name = get_string (req->body, "login_name");
  licence_type = get_string (req->body, "licence_type");
  email = get_string (req->body, "email");
  if (login_name != NULL && ek_licence_type_is_known (licence_type))
    {
      EkCheck check = ek_login_name_check (login_name, licence_type);
      if (check.validity == EK_VALIDITY_INVALID)
        add_problem_error (req, errors, "login_name", check.problem);
    }
  if (!finish_validation (req, errors))
    return;

  uscc = ek_normalize_code (get_string (req->body, "uscc"));
  if (!ek_registry_db_begin (req->self->db, NULL))
    return respond_problem (req, PROBLEM_INTERNAL, NULL);
  enterprise_id = find_or_create_enterprise (req->self->db, uscc, NULL, get_string (req->body, "enterprise_name"));
  stmt = ek_registry_db_query (req->self->db, "SELECT 1 FROM accounts WHERE enterprise_id = ? AND login_name = ?",
                               "is", enterprise_id, login_name);
  if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    {
      JsonArray *taken = json_array_new ();

      sqlite3_reset (stmt);
      ek_registry_db_rollback (req->self->db);
      add_text_error (req, taken, "login_name", "taken",
                      "This login name is already registered for your enterprise. An additional key needs a new login name.",
                      "该登录名已被贵企业使用，增办电子钥匙需注册新的登录名。");
      return respond_problem (req, PROBLEM_LOGIN_NAME_TAKEN, taken);
    }
  if (stmt != NULL)
    sqlite3_reset (stmt);

  id = g_uuid_string_random ();
  gnutls_rnd (GNUTLS_RND_NONCE, rnd, sizeof rnd);
  code = g_strdup_printf ("%06u", ((guint32) rnd[0] << 24 | (guint32) rnd[1] << 16 | (guint32) rnd[2] << 8 | rnd[3]) % 1000000u);
  if (!ek_registry_db_exec (req->self->db, NULL,
                            "INSERT INTO accounts (id, enterprise_id, login_name, licence_type, email, mobile, contact_name, "
                            "activation_code, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            "sissssss" "i", id, enterprise_id, login_name, licence_type, email,
                            get_string (req->body, "mobile"), get_string (req->body, "contact_name"), code, now_s ()))
    {
      ek_registry_db_rollback (req->self->db);
      return respond_problem (req, PROBLEM_INTERNAL, NULL);
    }
  mail = g_strdup_printf ("您的企业账户激活码：%s\nYour account activation code: %s\n"
                          "登录名 / Login name: %s\n", code, code, login_name);
  ek_registry_db_send_mail (req->self->db, email, "电子钥匙申领系统账户激活 / Account activation", mail);
  if (!ek_registry_db_commit (req->self->db, NULL))
    return respond_problem (req, PROBLEM_INTERNAL, NULL);

  stmt = ek_registry_db_query (req->self->db, ACCOUNT_COLUMNS "WHERE a.id = ?", "s", id);
  sqlite3_step (stmt);
  node = account_node (stmt);
  sqlite3_reset (stmt);
  {
    g_autofree char *location = g_strconcat (API_PREFIX "/accounts/", id, NULL);
    soup_message_headers_replace (soup_server_message_get_response_headers (req->msg), "Location", location);
  }
  respond_json (req, 201, node);
}

static JsonNode *
session_node (const char *token,
              gint64      expires,
              const char *method,
              const char *login_name)
{
  JsonObject *o = json_object_new ();

  json_object_set_string_member (o, "token", token);
  json_object_set_int_member (o, "expires_at", expires);
  json_object_set_string_member (o, "method", method);
  json_object_set_string_member (o, "login_name", login_name);
  return json_node_init_object (json_node_alloc (), o);
}

static void
create_session (Request    *req,
                gint64      enterprise_id,
                const char *account_id,
                const char *method,
                const char *login_name,
                const char *code13)
{
  g_autofree char *token = random_hex (32);
  g_autofree char *hash = sha256_hex (token, strlen (token));
  gint64 expires = now_s () + req->self->config.session_ttl;
  g_autoptr(JsonNode) node = NULL;

  ek_registry_db_exec (req->self->db, NULL, "DELETE FROM sessions WHERE expires_at <= ?", "i", now_s ());
  if (!ek_registry_db_exec (req->self->db, NULL,
                            "INSERT INTO sessions (token_hash, enterprise_id, account_id, method, login_name, code13, expires_at) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?)", "sisss" "si",
                            hash, enterprise_id, account_id, method, login_name, code13, expires))
    return respond_problem (req, PROBLEM_INTERNAL, NULL);
  node = session_node (token, expires, method, login_name);
  respond_json (req, 201, node);
}

static gboolean
certificate_identity (gnutls_x509_crt_t   crt,
                      char              **uscc,
                      char              **code13,
                      char              **login_name)
{
  char buf[1024];
  size_t size;
  const char *oids[] = { GNUTLS_OID_X520_ORGANIZATION_NAME, GNUTLS_OID_X520_ORGANIZATIONAL_UNIT_NAME };

  for (guint o = 0; o < G_N_ELEMENTS (oids) && *uscc == NULL; o++)
    for (unsigned idx = 0; *uscc == NULL; idx++)
      {
        size = sizeof buf;
        if (gnutls_x509_crt_get_dn_by_oid (crt, oids[o], idx, 0, buf, &size) < 0)
          break;
        if (size >= 18 && (buf[18] == '\0' || buf[18] == '-'))
          {
            g_autofree char *candidate = g_strndup (buf, 18);
            if (ek_uscc_check (candidate).validity != EK_VALIDITY_INVALID)
              *uscc = g_steal_pointer (&candidate);
          }
      }

  size = sizeof buf;
  if (gnutls_x509_crt_get_dn_by_oid (crt, GNUTLS_OID_X520_COMMON_NAME, 0, 0, buf, &size) >= 0)
    {
      const char *dash = strchr (buf, '-');

      if (dash != NULL && dash - buf == 13)
        {
          *code13 = g_strndup (buf, 13);
          *login_name = g_strdup (dash + 1);
        }
      else
        *login_name = g_strdup (buf);
    }
  return *login_name != NULL && (*uscc != NULL || *code13 != NULL);
}

static void
handle_key_login (Request *req)
{
  const char *challenge_id = get_string (req->body, "challenge_id");
  const char *cert_pem = get_string (req->body, "certificate");
  const char *sig_b64 = get_string (req->body, "signature");
  g_autofree guint8 *nonce = NULL;
  gsize nonce_len = 0;
  g_autofree guchar *sig = NULL;
  gsize sig_len = 0;
  gnutls_x509_crt_t crt = NULL;
  gnutls_pubkey_t pub = NULL;
  gnutls_datum_t datum;
  unsigned int verify = 0;
  g_autofree char *uscc = NULL;
  g_autofree char *code13 = NULL;
  g_autofree char *login_name = NULL;
  sqlite3_stmt *stmt;
  gboolean ok = FALSE;
  gint64 enterprise_id;

  if (req->self->trust == NULL)
    return respond_problem (req, PROBLEM_KEY_LOGIN_UNAVAILABLE, NULL);
  if (challenge_id == NULL || cert_pem == NULL || sig_b64 == NULL)
    {
      JsonArray *errors = json_array_new ();
      if (challenge_id == NULL)
        add_problem_error (req, errors, "challenge_id", EK_FIELD_PROBLEM_REQUIRED);
      if (cert_pem == NULL)
        add_problem_error (req, errors, "certificate", EK_FIELD_PROBLEM_REQUIRED);
      if (sig_b64 == NULL)
        add_problem_error (req, errors, "signature", EK_FIELD_PROBLEM_REQUIRED);
      return respond_problem (req, PROBLEM_VALIDATION, errors);
    }

  /* The challenge is single use and short-lived */
  stmt = ek_registry_db_query (req->self->db, "SELECT nonce FROM challenges WHERE id = ? AND used = 0 AND expires_at > ?",
                               "si", challenge_id, now_s ());
  if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    {
      nonce_len = (gsize) sqlite3_column_bytes (stmt, 0);
      nonce = g_memdup2 (sqlite3_column_blob (stmt, 0), nonce_len);
    }
  if (stmt != NULL)
    sqlite3_reset (stmt);
  ek_registry_db_exec (req->self->db, NULL, "UPDATE challenges SET used = 1 WHERE id = ?", "s", challenge_id);
  if (nonce == NULL)
    return respond_problem (req, PROBLEM_KEY_LOGIN_FAILED, NULL);

  sig = g_base64_decode (sig_b64, &sig_len);
  datum.data = (unsigned char *) cert_pem;
  datum.size = (unsigned int) strlen (cert_pem);
  if (gnutls_x509_crt_init (&crt) >= 0 &&
      gnutls_x509_crt_import (crt, &datum, GNUTLS_X509_FMT_PEM) >= 0 &&
      gnutls_x509_trust_list_verify_crt2 (req->self->trust, &crt, 1, NULL, 0, 0, &verify, NULL) >= 0 &&
      verify == 0 &&
      gnutls_pubkey_init (&pub) >= 0 &&
      gnutls_pubkey_import_x509 (pub, crt, 0) >= 0)
    {
      int pk = gnutls_pubkey_get_pk_algorithm (pub, NULL);
      gnutls_sign_algorithm_t algo = gnutls_pk_to_sign ((gnutls_pk_algorithm_t) pk, GNUTLS_DIG_SHA256);
      gnutls_datum_t data = { nonce, (unsigned int) nonce_len };
      gnutls_datum_t signature = { sig, (unsigned int) sig_len };

      ok = sig_len > 0 && gnutls_pubkey_verify_data2 (pub, algo, 0, &data, &signature) >= 0 &&
           certificate_identity (crt, &uscc, &code13, &login_name);
    }
  if (pub != NULL)
    gnutls_pubkey_deinit (pub);
  if (crt != NULL)
    gnutls_x509_crt_deinit (crt);
  if (!ok)
    return respond_problem (req, PROBLEM_KEY_LOGIN_FAILED, NULL);

  enterprise_id = find_or_create_enterprise (req->self->db, uscc, code13, NULL);
  if (enterprise_id == 0)
    return respond_problem (req, PROBLEM_INTERNAL, NULL);
  if (uscc != NULL && code13 != NULL)
    ek_registry_db_exec (req->self->db, NULL, "UPDATE enterprises SET code13 = ? WHERE id = ? AND code13 IS NULL",
                         "si", code13, enterprise_id);
  create_session (req, enterprise_id, NULL, "key", login_name, code13);
}

static void
handle_sessions (Request *req)
{
  static const char * const allowed[] = { "method", "uscc", "login_name", "captcha_id", "captcha_answer",
                                          "challenge_id", "certificate", "signature", NULL };
  JsonArray *errors;
  const char *method;
  g_autofree char *uscc = NULL;
  g_autofree char *account_id = NULL;
  sqlite3_stmt *stmt;
  gint64 enterprise_id = 0;
  gboolean active = FALSE;

  /* POST /sessions/challenges: a nonce for key log-in */
  if (req->n_seg == 2 && g_str_equal (req->seg[1], "challenges"))
    {
      g_autofree char *id = g_uuid_string_random ();
      guint8 nonce[32];
      g_autofree char *b64 = NULL;
      JsonObject *o;
      g_autoptr(JsonNode) node = NULL;

      if (!g_str_equal (req->method, "POST"))
        return respond_problem (req, PROBLEM_METHOD_NOT_ALLOWED, NULL);
      if (!rate_allow (req, "login"))
        return;
      ek_registry_db_exec (req->self->db, NULL, "DELETE FROM challenges WHERE expires_at < ?", "i", now_s () - 3600);
      gnutls_rnd (GNUTLS_RND_NONCE, nonce, sizeof nonce);
      if (!ek_registry_db_exec (req->self->db, NULL, "INSERT INTO challenges (id, nonce, expires_at) VALUES (?, ?, ?)",
                                "sbi", id, nonce, sizeof nonce, now_s () + 120))
        return respond_problem (req, PROBLEM_INTERNAL, NULL);
      b64 = g_base64_encode (nonce, sizeof nonce);
      o = json_object_new ();
      json_object_set_string_member (o, "id", id);
      json_object_set_string_member (o, "nonce", b64);
      json_object_set_int_member (o, "expires_at", now_s () + 120);
      node = json_node_init_object (json_node_alloc (), o);
      json_object_unref (o);
      return respond_json (req, 201, node);
    }

  /* DELETE /sessions/current: log out */
  if (req->n_seg == 2 && g_str_equal (req->seg[1], "current"))
    {
      if (!g_str_equal (req->method, "DELETE"))
        return respond_problem (req, PROBLEM_METHOD_NOT_ALLOWED, NULL);
      if (!require_session (req))
        return;
      ek_registry_db_exec (req->self->db, NULL, "DELETE FROM sessions WHERE token_hash = ?", "s", req->token_hash);
      soup_server_message_set_status (req->msg, 204, NULL);
      return;
    }

  if (req->n_seg != 1)
    return respond_problem (req, PROBLEM_NOT_FOUND, NULL);
  if (!g_str_equal (req->method, "POST"))
    return respond_problem (req, PROBLEM_METHOD_NOT_ALLOWED, NULL);
  if (!rate_allow (req, "login"))
    return;
  if (!parse_body (req))
    return;
  errors = json_array_new ();
  if (!check_top_level (req, allowed, errors))
    {
      finish_validation (req, errors);
      return;
    }
  method = get_string (req->body, "method");
  if (g_strcmp0 (method, "key") == 0)
    {
      json_array_unref (errors);
      return handle_key_login (req);
    }
  if (g_strcmp0 (method, "code") != 0)
    add_text_error (req, errors, "method", "choice", "Choose \"code\" or \"key\".", "请选择 \"code\" 或 \"key\"。");
  if (get_string (req->body, "uscc") == NULL)
    add_problem_error (req, errors, "uscc", EK_FIELD_PROBLEM_REQUIRED);
  else if (ek_uscc_check (get_string (req->body, "uscc")).validity == EK_VALIDITY_INVALID)
    add_problem_error (req, errors, "uscc", ek_uscc_check (get_string (req->body, "uscc")).problem);
  if (get_string (req->body, "login_name") == NULL)
    add_problem_error (req, errors, "login_name", EK_FIELD_PROBLEM_REQUIRED);
  if (get_string (req->body, "captcha_id") == NULL || get_string (req->body, "captcha_answer") == NULL)
    add_problem_error (req, errors, "captcha_answer", EK_FIELD_PROBLEM_REQUIRED);
  if (!finish_validation (req, errors))
    return;

  if (!consume_captcha (req, get_string (req->body, "captcha_id"), get_string (req->body, "captcha_answer")))
    {
      JsonArray *captcha_errors = json_array_new ();
      add_text_error (req, captcha_errors, "captcha_answer", "captcha",
                      "The verification code is wrong, expired or already used. Get a new one.",
                      "验证码错误、已过期或已使用，请刷新验证码。");
      return respond_problem (req, PROBLEM_CAPTCHA, captcha_errors);
    }

  uscc = ek_normalize_code (get_string (req->body, "uscc"));
  stmt = ek_registry_db_query (req->self->db,
                               "SELECT a.id, a.enterprise_id, a.active FROM accounts a JOIN enterprises e ON e.id = a.enterprise_id "
                               "WHERE e.uscc = ? AND a.login_name = ?", "ss", uscc, get_string (req->body, "login_name"));
  if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    {
      account_id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      enterprise_id = sqlite3_column_int64 (stmt, 1);
      active = sqlite3_column_int (stmt, 2) != 0;
    }
  if (stmt != NULL)
    sqlite3_reset (stmt);
  if (account_id == NULL)
    return respond_problem (req, PROBLEM_LOGIN_FAILED, NULL);
  if (!active)
    return respond_problem (req, PROBLEM_NOT_ACTIVATED, NULL);
  create_session (req, enterprise_id, account_id, "code", get_string (req->body, "login_name"), NULL);
}

/* ---- Applications ---- */

static gboolean
status_is_editable (const char *status)
{
  return g_str_equal (status, "draft") || g_str_equal (status, "pre-review-failed") ||
         g_str_equal (status, "re-review-failed");
}

static JsonNode *
application_node (EkRegistryServer *self,
                  const char       *id)
{
  sqlite3_stmt *stmt;
  JsonObject *o;
  JsonArray *timeline, *materials;
  JsonNode *fields;
  const char *status;

  stmt = ek_registry_db_query (self->db, "SELECT business_type, status, fields, created_at, updated_at "
                                         "FROM applications WHERE id = ?", "s", id);
  if (stmt == NULL || sqlite3_step (stmt) != SQLITE_ROW)
    {
      if (stmt != NULL)
        sqlite3_reset (stmt);
      return NULL;
    }
  o = json_object_new ();
  json_object_set_string_member (o, "id", id);
  json_object_set_string_member (o, "business_type", (const char *) sqlite3_column_text (stmt, 0));
  status = (const char *) sqlite3_column_text (stmt, 1);
  json_object_set_string_member (o, "status", status);
  json_object_set_boolean_member (o, "editable", status_is_editable (status));
  fields = parse_json_text ((const char *) sqlite3_column_text (stmt, 2));
  json_object_set_member (o, "fields", fields);
  json_object_set_int_member (o, "created_at", sqlite3_column_int64 (stmt, 3));
  json_object_set_int_member (o, "updated_at", sqlite3_column_int64 (stmt, 4));
  sqlite3_reset (stmt);

  timeline = json_array_new ();
  stmt = ek_registry_db_query (self->db, "SELECT status, remark, at FROM events WHERE application_id = ? ORDER BY id",
                               "s", id);
  while (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    {
      JsonObject *e = json_object_new ();

      json_object_set_string_member (e, "status", (const char *) sqlite3_column_text (stmt, 0));
      if (sqlite3_column_type (stmt, 1) != SQLITE_NULL)
        json_object_set_string_member (e, "remark", (const char *) sqlite3_column_text (stmt, 1));
      json_object_set_int_member (e, "at", sqlite3_column_int64 (stmt, 2));
      json_array_add_object_element (timeline, e);
    }
  if (stmt != NULL)
    sqlite3_reset (stmt);
  json_object_set_array_member (o, "timeline", timeline);

  materials = json_array_new ();
  stmt = ek_registry_db_query (self->db, "SELECT kind FROM materials WHERE application_id = ? ORDER BY kind", "s", id);
  while (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    json_array_add_string_element (materials, (const char *) sqlite3_column_text (stmt, 0));
  if (stmt != NULL)
    sqlite3_reset (stmt);
  json_object_set_array_member (o, "materials", materials);

  return json_node_init_object (json_node_alloc (), o);
}

/* The application's status if it belongs to the caller's enterprise, else NULL (answer 404) */
static char *
owned_application_status (Request    *req,
                          const char *id)
{
  sqlite3_stmt *stmt = ek_registry_db_query (req->self->db,
                                             "SELECT status FROM applications WHERE id = ? AND enterprise_id = ?",
                                             "si", id, req->enterprise_id);
  char *status = NULL;

  if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    status = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  if (stmt != NULL)
    sqlite3_reset (stmt);
  return status;
}

static JsonArray *
required_materials (EkRegistryServer *self,
                    const char       *business_type)
{
  JsonArray *list = NULL;

  if (self->rule_business != NULL && json_object_has_member (self->rule_business, business_type))
    {
      JsonNode *node = json_object_get_member (self->rule_business, business_type);
      if (JSON_NODE_HOLDS_ARRAY (node))
        list = json_node_get_array (node);
    }
  return list;
}

static gboolean
material_kind_known (EkRegistryServer *self,
                     const char       *business_type,
                     const char       *kind)
{
  JsonArray *list = required_materials (self, business_type);

  if (list == NULL)
    return g_strv_contains (fallback_materials, kind);
  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonObject *m = json_array_get_object_element (list, i);
      if (m != NULL && g_strcmp0 (json_object_get_string_member_with_default (m, "material", ""), kind) == 0)
        return TRUE;
    }
  return FALSE;
}

static void
handle_application_submit (Request    *req,
                           const char *id,
                           const char *status)
{
  Idempotency idem = { 0 };
  g_autoptr(JsonNode) app = NULL;
  JsonObject *fields;
  JsonArray *errors;
  JsonArray *required;
  const char *business_type;
  gboolean resubmission;

  idempotency_begin (req, &idem);
  if (idem.done)
    return idempotency_clear (&idem);
  if (!status_is_editable (status))
    {
      idempotency_clear (&idem);
      return respond_problem (req, PROBLEM_INVALID_TRANSITION, NULL);
    }

  /* Everything the form needs, and every required material without exemptions */
  app = application_node (req->self, id);
  fields = json_object_get_object_member (json_node_get_object (app), "fields");
  business_type = json_object_get_string_member (json_node_get_object (app), "business_type");
  errors = json_array_new ();
  check_fields (req, fields, application_fields, "fields/", TRUE, errors);
  required = required_materials (req->self, business_type);
  for (guint i = 0; required != NULL && i < json_array_get_length (required); i++)
    {
      JsonObject *m = json_array_get_object_element (required, i);
      JsonArray *have = json_object_get_array_member (json_node_get_object (app), "materials");
      const char *kind = json_object_get_string_member_with_default (m, "material", "");
      gboolean present = FALSE;

      if (!json_object_get_boolean_member_with_default (m, "required", FALSE) ||
          json_object_has_member (m, "exemptions"))
        continue;
      for (guint j = 0; j < json_array_get_length (have); j++)
        present |= g_str_equal (json_array_get_string_element (have, j), kind);
      if (!present)
        {
          g_autofree char *field = g_strconcat ("materials/", kind, NULL);
          add_text_error (req, errors, field, "missing", "Upload this material.", "请上传此项材料。");
        }
    }
  if (json_array_get_length (errors) > 0)
    {
      idempotency_clear (&idem);
      return respond_problem (req, PROBLEM_MISSING_MATERIALS, errors);
    }
  json_array_unref (errors);

  resubmission = !g_str_equal (status, "draft");
  if (!ek_registry_db_begin (req->self->db, NULL))
    {
      idempotency_clear (&idem);
      return respond_problem (req, PROBLEM_INTERNAL, NULL);
    }
  ek_registry_db_exec (req->self->db, NULL, "UPDATE applications SET status = 'submitted', updated_at = ? WHERE id = ?",
                       "is", now_s (), id);
  ek_registry_db_add_event (req->self->db, id, "submitted", resubmission ? "resubmitted" : NULL);
  g_clear_pointer (&app, json_node_unref);
  app = application_node (req->self, id);
  if (!idempotency_store (req, &idem, 200, NULL, app, NULL) || !ek_registry_db_commit (req->self->db, NULL))
    {
      ek_registry_db_rollback (req->self->db);
      idempotency_clear (&idem);
      return respond_problem (req, PROBLEM_INTERNAL, NULL);
    }
  idempotency_clear (&idem);
  respond_json (req, 200, app);
}

static void handle_materials (Request *req, const char *application_id, const char *status);

static void
handle_applications (Request *req)
{
  static const char * const allowed[] = { "business_type", "fields", NULL };
  JsonArray *errors;
  g_autofree char *status = NULL;
  g_autoptr(JsonNode) node = NULL;
  sqlite3_stmt *stmt;

  if (!require_session (req))
    return;

  if (req->n_seg == 1 && g_str_equal (req->method, "GET"))
    {
      JsonArray *list = json_array_new ();
      g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);

      stmt = ek_registry_db_query (req->self->db, "SELECT id FROM applications WHERE enterprise_id = ? ORDER BY created_at, id",
                                   "i", req->enterprise_id);
      while (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
        g_ptr_array_add (ids, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
      if (stmt != NULL)
        sqlite3_reset (stmt);
      for (guint i = 0; i < ids->len; i++)
        json_array_add_element (list, application_node (req->self, ids->pdata[i]));
      node = json_node_init_array (json_node_alloc (), list);
      json_array_unref (list);
      return respond_json (req, 200, node);
    }

  if (req->n_seg == 1 && g_str_equal (req->method, "POST"))
    {
      Idempotency idem = { 0 };
      g_autofree char *id = NULL;
      g_autofree char *fields_text = NULL;
      g_autofree char *location = NULL;
      const char *business_type;
      JsonNode *fields;

      if (!parse_body (req))
        return;
      errors = json_array_new ();
      check_top_level (req, allowed, errors);
      business_type = get_string (req->body, "business_type");
      if (business_type == NULL)
        add_problem_error (req, errors, "business_type", EK_FIELD_PROBLEM_REQUIRED);
      else if (ek_catalogue_lookup_business_type (req->self->catalogue, business_type) == NULL)
        add_text_error (req, errors, "business_type", "choice",
                        "Choose one of the business types of the catalogue.", "请从目录中的业务类型里选择。");
      fields = json_object_get_member (req->body, "fields");
      if (fields != NULL && !JSON_NODE_HOLDS_OBJECT (fields))
        add_text_error (req, errors, "fields", "type", "This must be an object.", "此项必须为对象。");
      else if (fields != NULL)
        check_fields (req, json_node_get_object (fields), application_fields, "fields/", FALSE, errors);
      if (!finish_validation (req, errors))
        return;

      idempotency_begin (req, &idem);
      if (idem.done)
        return idempotency_clear (&idem);

      id = g_uuid_string_random ();
      fields_text = fields != NULL ? json_to_string (fields, FALSE) : g_strdup ("{}");
      if (!ek_registry_db_begin (req->self->db, NULL) ||
          !ek_registry_db_exec (req->self->db, NULL,
                                "INSERT INTO applications (id, enterprise_id, business_type, status, fields, created_at, updated_at) "
                                "VALUES (?, ?, ?, 'draft', ?, ?, ?)", "sissii",
                                id, req->enterprise_id, business_type, fields_text, now_s (), now_s ()))
        {
          ek_registry_db_rollback (req->self->db);
          idempotency_clear (&idem);
          return respond_problem (req, PROBLEM_INTERNAL, NULL);
        }
      ek_registry_db_add_event (req->self->db, id, "draft", NULL);
      node = application_node (req->self, id);
      location = g_strconcat (API_PREFIX "/applications/", id, NULL);
      if (!idempotency_store (req, &idem, 201, location, node, NULL) || !ek_registry_db_commit (req->self->db, NULL))
        {
          ek_registry_db_rollback (req->self->db);
          idempotency_clear (&idem);
          return respond_problem (req, PROBLEM_INTERNAL, NULL);
        }
      idempotency_clear (&idem);
      soup_message_headers_replace (soup_server_message_get_response_headers (req->msg), "Location", location);
      return respond_json (req, 201, node);
    }

  if (req->n_seg == 1)
    return respond_problem (req, PROBLEM_METHOD_NOT_ALLOWED, NULL);

  status = owned_application_status (req, req->seg[1]);
  if (status == NULL)
    return respond_problem (req, PROBLEM_NOT_FOUND, NULL);

  if (req->n_seg >= 3 && g_str_equal (req->seg[2], "materials"))
    return handle_materials (req, req->seg[1], status);

  if (req->n_seg == 3 && g_str_equal (req->seg[2], "submit"))
    {
      if (!g_str_equal (req->method, "POST"))
        return respond_problem (req, PROBLEM_METHOD_NOT_ALLOWED, NULL);
      return handle_application_submit (req, req->seg[1], status);
    }
  if (req->n_seg != 2)
    return respond_problem (req, PROBLEM_NOT_FOUND, NULL);

  if (g_str_equal (req->method, "GET"))
    {
      node = application_node (req->self, req->seg[1]);
      return respond_json (req, 200, node);
    }

  if (g_str_equal (req->method, "PATCH"))
    {
      static const char * const patch_allowed[] = { "fields", NULL };
      JsonNode *fields;
      g_autoptr(JsonNode) current = NULL;
      JsonObject *merged;
      g_autofree char *text = NULL;

      if (!parse_body (req))
        return;
      errors = json_array_new ();
      check_top_level (req, patch_allowed, errors);
      fields = json_object_get_member (req->body, "fields");
      if (fields == NULL || !JSON_NODE_HOLDS_OBJECT (fields))
        add_text_error (req, errors, "fields", "type", "This must be an object.", "此项必须为对象。");
      else
        check_fields (req, json_node_get_object (fields), application_fields, "fields/", FALSE, errors);
      if (!finish_validation (req, errors))
        return;
      if (!status_is_editable (status))
        return respond_problem (req, PROBLEM_NOT_EDITABLE, NULL);

      current = application_node (req->self, req->seg[1]);
      merged = json_object_get_object_member (json_node_get_object (current), "fields");
      {
        g_autoptr(GList) members = json_object_get_members (json_node_get_object (fields));
        for (GList *l = members; l != NULL; l = l->next)
          json_object_set_member (merged, l->data,
                                  json_node_copy (json_object_get_member (json_node_get_object (fields), l->data)));
      }
      {
        g_autoptr(JsonNode) merged_node = json_node_init_object (json_node_alloc (), merged);
        text = json_to_string (merged_node, FALSE);
      }
      ek_registry_db_exec (req->self->db, NULL, "UPDATE applications SET fields = ?, updated_at = ? WHERE id = ?",
                           "sis", text, now_s (), req->seg[1]);
      node = application_node (req->self, req->seg[1]);
      return respond_json (req, 200, node);
    }

  respond_problem (req, PROBLEM_METHOD_NOT_ALLOWED, NULL);
}

/* ---- Uploads ---- */

typedef struct
{
  EkRegistryServer *self;
  char             *tmp_path;
  int               fd;
  guint64           received;
  guint64           limit;
  gboolean          too_large;
  gboolean          write_failed;
  gboolean          kept;          /* renamed into place */
} Upload;

static void
upload_free (Upload *upload)
{
  if (upload->fd >= 0)
    close (upload->fd);
  if (upload->tmp_path != NULL && !upload->kept)
    g_unlink (upload->tmp_path);
  g_free (upload->tmp_path);
  g_free (upload);
}

static const char *
sniff_format (const guint8 *data,
              gsize         len)
{
  if (len >= 8 && memcmp (data, "\x89PNG\r\n\x1a\n", 8) == 0)
    return "png";
  if (len >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF)
    return "jpeg";
  if (len >= 6 && (memcmp (data, "GIF87a", 6) == 0 || memcmp (data, "GIF89a", 6) == 0))
    return "gif";
  if (len >= 5 && memcmp (data, "%PDF-", 5) == 0)
    return "pdf";
  if (len >= 4 && (memcmp (data, "II*\0", 4) == 0 || memcmp (data, "MM\0*", 4) == 0))
    return "tiff";
  if (len >= 2 && memcmp (data, "BM", 2) == 0)
    return "bmp";
  if (len >= 12 && memcmp (data, "RIFF", 4) == 0 && memcmp (data + 8, "WEBP", 4) == 0)
    return "webp";
  if (len >= 12 && memcmp (data + 4, "ftyp", 4) == 0)
    return "heic";
  if (len >= 4 && memcmp (data, "PK\3\4", 4) == 0)
    return "zip";
  return "unknown";
}

static const char *
format_content_type (const char *format)
{
  if (g_str_equal (format, "png"))
    return "image/png";
  if (g_str_equal (format, "jpeg"))
    return "image/jpeg";
  return "image/gif";
}

/* Reads the pixel size from the header and checks the file is complete (its end marker) */
static gboolean
image_geometry (const char   *format,
                const guint8 *d,
                gsize         len,
                guint        *width,
                guint        *height)
{
  *width = *height = 0;
  if (g_str_equal (format, "png"))
    {
      if (len < 33 + 12 || memcmp (d + 12, "IHDR", 4) != 0 ||
          memcmp (d + len - 8, "IEND", 4) != 0)
        return FALSE;
      *width = (guint) d[16] << 24 | (guint) d[17] << 16 | (guint) d[18] << 8 | d[19];
      *height = (guint) d[20] << 24 | (guint) d[21] << 16 | (guint) d[22] << 8 | d[23];
    }
  else if (g_str_equal (format, "gif"))
    {
      if (len < 14 || d[len - 1] != 0x3B)
        return FALSE;
      *width = (guint) d[6] | (guint) d[7] << 8;
      *height = (guint) d[8] | (guint) d[9] << 8;
    }
  else if (g_str_equal (format, "jpeg"))
    {
      gsize i = 2;

      if (len < 4 || d[len - 2] != 0xFF || d[len - 1] != 0xD9)
        return FALSE;
      while (i + 9 < len)
        {
          guint8 marker;
          gsize seg_len;

          if (d[i] != 0xFF)
            return FALSE;
          marker = d[i + 1];
          if (marker == 0xFF)
            {
              i++;
              continue;
            }
          seg_len = (gsize) d[i + 2] << 8 | d[i + 3];
          if (marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC)
            {
              *height = (guint) d[i + 5] << 8 | d[i + 6];
              *width = (guint) d[i + 7] << 8 | d[i + 8];
              break;
            }
          if (seg_len < 2)
            return FALSE;
          i += 2 + seg_len;
        }
    }
  return *width > 0 && *height > 0;
}

static gboolean
format_allowed (EkRegistryServer *self,
                const char       *format)
{
  JsonArray *formats = json_object_get_array_member (self->limits, "formats");

  for (guint i = 0; formats != NULL && i < json_array_get_length (formats); i++)
    if (g_strcmp0 (json_array_get_string_element (formats, i), format) == 0)
      return TRUE;
  return FALSE;
}

typedef struct
{
  char   *file;       /* name inside files_dir */
  char   *sha256;
  char   *content_type;
  gsize   size;
  guint   width;
  guint   height;
} StoredFile;

static void
stored_file_clear (StoredFile *stored)
{
  g_clear_pointer (&stored->file, g_free);
  g_clear_pointer (&stored->sha256, g_free);
}

/* Checks the streamed upload and moves it into place (fsync + rename + fsync of the folder).
 * Answers the problem itself and returns FALSE. */
static gboolean
accept_upload (Request    *req,
               StoredFile *stored)
{
  Upload *upload = g_object_get_data (G_OBJECT (req->msg), "ek-upload");
  g_autoptr(GMappedFile) mapped = NULL;
  const guint8 *data;
  gsize len;
  const char *format;
  g_autofree char *final_path = NULL;
  int dir_fd;

  if (upload == NULL || upload->write_failed)
    {
      respond_problem (req, PROBLEM_INTERNAL, NULL);
      return FALSE;
    }
  if (upload->too_large)
    {
      respond_problem (req, PROBLEM_UPLOAD_TOO_LARGE, NULL);
      return FALSE;
    }
  if (fsync (upload->fd) != 0)
    {
      respond_problem (req, PROBLEM_INTERNAL, NULL);
      return FALSE;
    }
  mapped = upload->received > 0 ? g_mapped_file_new (upload->tmp_path, FALSE, NULL) : NULL;
  data = mapped != NULL ? (const guint8 *) g_mapped_file_get_contents (mapped) : NULL;
  len = mapped != NULL ? g_mapped_file_get_length (mapped) : 0;

  format = sniff_format (data, len);
  if (!format_allowed (req->self, format))
    {
      g_autoptr(JsonNode) node = NULL;
      g_autofree char *detail = NULL;
      const char *what = g_str_equal (format, "unknown") ? NULL : format;

      if (what != NULL)
        detail = g_str_equal (req->lang, "en") ?
                 g_strdup_printf ("The file is a %s file, not a PNG, JPEG or GIF image (whatever its name says). "
                                  "Save or scan the page as PNG, JPEG or GIF.", what) :
                 g_strdup_printf ("该文件实际为 %s 格式（与文件名无关），不是 PNG、JPG 或 GIF 图片，"
                                  "请将该页保存或扫描为 PNG、JPG 或 GIF 图片。", what);
      node = problem_node (req->msg, req->lang, PROBLEM_UNSUPPORTED_FORMAT, detail, NULL);
      json_object_set_string_member (json_node_get_object (node), "detected_format", format);
      set_json_response (req->msg, 415, "application/problem+json", node);
      return FALSE;
    }
  if (!image_geometry (format, data, len, &stored->width, &stored->height))
    {
      respond_problem (req, PROBLEM_DAMAGED_IMAGE, NULL);
      return FALSE;
    }
  if (stored->width > (guint) json_object_get_int_member_with_default (req->self->limits, "max_width", G_MAXINT) ||
      stored->height > (guint) json_object_get_int_member_with_default (req->self->limits, "max_height", G_MAXINT) ||
      (gint64) stored->width * stored->height > json_object_get_int_member_with_default (req->self->limits, "max_pixels", G_MAXINT64))
    {
      respond_problem (req, PROBLEM_IMAGE_DIMENSIONS, NULL);
      return FALSE;
    }

  stored->sha256 = sha256_hex (data, len);
  stored->size = len;
  stored->content_type = (char *) format_content_type (format);
  stored->file = g_uuid_string_random ();
  final_path = g_build_filename (req->self->files_dir, stored->file, NULL);
  if (g_rename (upload->tmp_path, final_path) != 0)
    {
      respond_problem (req, PROBLEM_INTERNAL, NULL);
      return FALSE;
    }
  upload->kept = TRUE;
  dir_fd = open (req->self->files_dir, O_RDONLY | O_DIRECTORY);
  if (dir_fd >= 0)
    {
      fsync (dir_fd);
      close (dir_fd);
    }
  return TRUE;
}

static void
discard_file (EkRegistryServer *self,
              const char       *file)
{
  g_autofree char *path = NULL;

  if (file == NULL)
    return;
  path = g_build_filename (self->files_dir, file, NULL);
  g_unlink (path);
}

static JsonNode *
material_node (sqlite3_stmt *stmt)
{
  /* columns: kind, content_type, size, sha256, width, height, uploaded_at */
  JsonObject *o = json_object_new ();

  json_object_set_string_member (o, "kind", (const char *) sqlite3_column_text (stmt, 0));
  json_object_set_string_member (o, "content_type", (const char *) sqlite3_column_text (stmt, 1));
  json_object_set_int_member (o, "size", sqlite3_column_int64 (stmt, 2));
  json_object_set_string_member (o, "sha256", (const char *) sqlite3_column_text (stmt, 3));
  json_object_set_int_member (o, "width", sqlite3_column_int64 (stmt, 4));
  json_object_set_int_member (o, "height", sqlite3_column_int64 (stmt, 5));
  json_object_set_int_member (o, "uploaded_at", sqlite3_column_int64 (stmt, 6));
  return json_node_init_object (json_node_alloc (), o);
}

#define MATERIAL_COLUMNS "SELECT kind, content_type, size, sha256, width, height, uploaded_at FROM materials "

static void
handle_materials (Request    *req,
                  const char *application_id,
                  const char *status)
{
  sqlite3_stmt *stmt;
  g_autoptr(JsonNode) node = NULL;
  const char *kind;
  g_autofree char *business_type = NULL;
  g_autofree char *old_file = NULL;

  if (req->n_seg == 3)
    {
      JsonArray *list;

      if (!g_str_equal (req->method, "GET"))
        return respond_problem (req, PROBLEM_METHOD_NOT_ALLOWED, NULL);
      list = json_array_new ();
      stmt = ek_registry_db_query (req->self->db, MATERIAL_COLUMNS "WHERE application_id = ? ORDER BY kind",
                                   "s", application_id);
      while (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
        json_array_add_element (list, material_node (stmt));
      if (stmt != NULL)
        sqlite3_reset (stmt);
      node = json_node_init_array (json_node_alloc (), list);
      json_array_unref (list);
      return respond_json (req, 200, node);
    }
  if (req->n_seg != 4)
    return respond_problem (req, PROBLEM_NOT_FOUND, NULL);

  kind = req->seg[3];
  stmt = ek_registry_db_query (req->self->db, "SELECT business_type FROM applications WHERE id = ?", "s", application_id);
  if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    business_type = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  if (stmt != NULL)
    sqlite3_reset (stmt);

  stmt = ek_registry_db_query (req->self->db, "SELECT file FROM materials WHERE application_id = ? AND kind = ?",
                               "ss", application_id, kind);
  if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    old_file = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  if (stmt != NULL)
    sqlite3_reset (stmt);

  if (g_str_equal (req->method, "GET"))
    {
      g_autofree char *path = NULL;
      g_autofree char *contents = NULL;
      g_autofree char *content_type = NULL;
      gsize len;

      if (old_file == NULL)
        return respond_problem (req, PROBLEM_NOT_FOUND, NULL);
      stmt = ek_registry_db_query (req->self->db, "SELECT content_type FROM materials WHERE application_id = ? AND kind = ?",
                                   "ss", application_id, kind);
      if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
        content_type = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      if (stmt != NULL)
        sqlite3_reset (stmt);
      path = g_build_filename (req->self->files_dir, old_file, NULL);
      if (!g_file_get_contents (path, &contents, &len, NULL))
        return respond_problem (req, PROBLEM_INTERNAL, NULL);
      soup_server_message_set_status (req->msg, 200, NULL);
      soup_server_message_set_response (req->msg, content_type, SOUP_MEMORY_TAKE, g_steal_pointer (&contents), len);
      return;
    }

  if (g_str_equal (req->method, "DELETE"))
    {
      if (old_file == NULL)
        return respond_problem (req, PROBLEM_NOT_FOUND, NULL);
      if (!status_is_editable (status))
        return respond_problem (req, PROBLEM_NOT_EDITABLE, NULL);
      if (!ek_registry_db_exec (req->self->db, NULL, "DELETE FROM materials WHERE application_id = ? AND kind = ?",
                                "ss", application_id, kind))
        return respond_problem (req, PROBLEM_INTERNAL, NULL);
      discard_file (req->self, old_file);
      soup_server_message_set_status (req->msg, 204, NULL);
      return;
    }

  if (g_str_equal (req->method, "PUT"))
    {
      StoredFile stored = { 0 };

      if (!material_kind_known (req->self, business_type, kind))
        {
          JsonArray *errors = json_array_new ();
          add_text_error (req, errors, "kind", "unknown-material",
                          "This business type has no such material.", "该业务类型没有此项材料。");
          return respond_problem (req, PROBLEM_VALIDATION, errors);
        }
      if (!status_is_editable (status))
        return respond_problem (req, PROBLEM_NOT_EDITABLE, NULL);
      if (!accept_upload (req, &stored))
        return;
      if (!ek_registry_db_exec (req->self->db, NULL,
                                "INSERT OR REPLACE INTO materials (application_id, kind, file, content_type, size, sha256, "
                                "width, height, uploaded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                "ssssisiii", application_id, kind, stored.file, stored.content_type, (gint64) stored.size,
                                stored.sha256, (gint64) stored.width, (gint64) stored.height, now_s ()))
        {
          discard_file (req->self, stored.file);
          stored_file_clear (&stored);
          return respond_problem (req, PROBLEM_INTERNAL, NULL);
        }
      discard_file (req->self, old_file);
      stored_file_clear (&stored);
      ek_registry_db_exec (req->self->db, NULL, "UPDATE applications SET updated_at = ? WHERE id = ?",
                           "is", now_s (), application_id);
      stmt = ek_registry_db_query (req->self->db, MATERIAL_COLUMNS "WHERE application_id = ? AND kind = ?",
                                   "ss", application_id, kind);
      sqlite3_step (stmt);
      node = material_node (stmt);
      sqlite3_reset (stmt);
      return respond_json (req, old_file != NULL ? 200 : 201, node);
    }

  respond_problem (req, PROBLEM_METHOD_NOT_ALLOWED, NULL);
}

/* ---- Mobile authorisations, seal requests, seals ---- */

static const char * const mobile_kinds[] = { "new", "number-change", "phone-change", "renewal", "cancellation", NULL };
static const char * const seal_kinds[] = { "apply", "change", "bind-user", "rebind", NULL };

static JsonNode *
mobile_node (sqlite3_stmt *stmt)
{
  /* columns: id, kind, mobile, old_mobile, login_name, state, created_at, updated_at */
  JsonObject *o = json_object_new ();

  json_object_set_string_member (o, "id", (const char *) sqlite3_column_text (stmt, 0));
  json_object_set_string_member (o, "kind", (const char *) sqlite3_column_text (stmt, 1));
  json_object_set_string_member (o, "mobile", (const char *) sqlite3_column_text (stmt, 2));
  if (sqlite3_column_type (stmt, 3) != SQLITE_NULL)
    json_object_set_string_member (o, "old_mobile", (const char *) sqlite3_column_text (stmt, 3));
  json_object_set_string_member (o, "login_name", (const char *) sqlite3_column_text (stmt, 4));
  json_object_set_string_member (o, "state", (const char *) sqlite3_column_text (stmt, 5));
  json_object_set_int_member (o, "created_at", sqlite3_column_int64 (stmt, 6));
  json_object_set_int_member (o, "updated_at", sqlite3_column_int64 (stmt, 7));
  return json_node_init_object (json_node_alloc (), o);
}

#define MOBILE_COLUMNS "SELECT id, kind, mobile, old_mobile, login_name, state, created_at, updated_at FROM mobile_authorizations "

static JsonNode *
select_one (EkRegistryDb *db,
            const char   *sql,
            const char   *id,
            gint64        enterprise_id,
            JsonNode   *(*to_node) (sqlite3_stmt *))
{
  sqlite3_stmt *stmt = ek_registry_db_query (db, sql, "si", id, enterprise_id);
  JsonNode *node = NULL;

  if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    node = to_node (stmt);
  if (stmt != NULL)
    sqlite3_reset (stmt);
  return node;
}

static JsonNode *
select_all (EkRegistryDb *db,
            const char   *sql,
            gint64        enterprise_id,
            JsonNode   *(*to_node) (sqlite3_stmt *))
{
  sqlite3_stmt *stmt = ek_registry_db_query (db, sql, "i", enterprise_id);
  JsonArray *list = json_array_new ();
  JsonNode *node;

  while (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    json_array_add_element (list, to_node (stmt));
  if (stmt != NULL)
    sqlite3_reset (stmt);
  node = json_node_init_array (json_node_alloc (), list);
  json_array_unref (list);
  return node;
}

static void
handle_mobile_authorizations (Request *req)
{
  static const FieldSpec specs[] = {
    { "kind", FIELD_CHOICE, TRUE, mobile_kinds },
    { "mobile", FIELD_MOBILE, TRUE, NULL },
    { "old_mobile", FIELD_MOBILE, FALSE, NULL },
    { NULL }
  };
  g_autoptr(JsonNode) node = NULL;

  if (!require_key_session (req))
    return;

  if (req->n_seg == 1 && g_str_equal (req->method, "GET"))
    {
      node = select_all (req->self->db, MOBILE_COLUMNS "WHERE enterprise_id = ? ORDER BY created_at, id",
                         req->enterprise_id, mobile_node);
      return respond_json (req, 200, node);
    }
  if (req->n_seg == 1 && g_str_equal (req->method, "POST"))
    {
      Idempotency idem = { 0 };
      JsonArray *errors;
      g_autofree char *id = NULL;
      const char *kind;

      if (!parse_body (req))
        return;
      errors = json_array_new ();
      check_fields (req, req->body, specs, "", TRUE, errors);
      kind = get_string (req->body, "kind");
      if (g_strcmp0 (kind, "number-change") == 0 && get_string (req->body, "old_mobile") == NULL)
        add_problem_error (req, errors, "old_mobile", EK_FIELD_PROBLEM_REQUIRED);
      if (!finish_validation (req, errors))
        return;
      idempotency_begin (req, &idem);
      if (idem.done)
        return idempotency_clear (&idem);

      id = g_uuid_string_random ();
      ek_registry_db_begin (req->self->db, NULL);
      ek_registry_db_exec (req->self->db, NULL,
                           "INSERT INTO mobile_authorizations (id, enterprise_id, kind, mobile, old_mobile, login_name, state, "
                           "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'pending-submit', ?, ?)", "sissssii",
                           id, req->enterprise_id, kind, get_string (req->body, "mobile"),
                           get_string (req->body, "old_mobile"), req->login_name, now_s (), now_s ());
      node = select_one (req->self->db, MOBILE_COLUMNS "WHERE id = ? AND enterprise_id = ?", id, req->enterprise_id,
                         mobile_node);
      if (node == NULL || !idempotency_store (req, &idem, 201, NULL, node, NULL) ||
          !ek_registry_db_commit (req->self->db, NULL))
        {
          ek_registry_db_rollback (req->self->db);
          idempotency_clear (&idem);
          return respond_problem (req, PROBLEM_INTERNAL, NULL);
        }
      idempotency_clear (&idem);
      return respond_json (req, 201, node);
    }
  if (req->n_seg == 1)
    return respond_problem (req, PROBLEM_METHOD_NOT_ALLOWED, NULL);

  node = select_one (req->self->db, MOBILE_COLUMNS "WHERE id = ? AND enterprise_id = ?", req->seg[1],
                     req->enterprise_id, mobile_node);
  if (node == NULL || req->n_seg > 3 || (req->n_seg == 3 && !g_str_equal (req->seg[2], "submit")))
    return respond_problem (req, PROBLEM_NOT_FOUND, NULL);
  if (req->n_seg == 2 && g_str_equal (req->method, "GET"))
    return respond_json (req, 200, node);
  if (req->n_seg == 3 && g_str_equal (req->method, "POST"))
    {
      const char *state = json_object_get_string_member (json_node_get_object (node), "state");
      const char *kind = json_object_get_string_member (json_node_get_object (node), "kind");

      if (!g_str_equal (state, "pending-submit"))
        return respond_problem (req, PROBLEM_INVALID_TRANSITION, NULL);
      ek_registry_db_exec (req->self->db, NULL,
                           "UPDATE mobile_authorizations SET state = ?, updated_at = ? WHERE id = ?", "sis",
                           g_str_equal (kind, "cancellation") ? "cancelled" : "issued", now_s (), req->seg[1]);
      g_clear_pointer (&node, json_node_unref);
      node = select_one (req->self->db, MOBILE_COLUMNS "WHERE id = ? AND enterprise_id = ?", req->seg[1],
                         req->enterprise_id, mobile_node);
      return respond_json (req, 200, node);
    }
  respond_problem (req, PROBLEM_METHOD_NOT_ALLOWED, NULL);
}

static JsonNode *
seal_request_node (sqlite3_stmt *stmt)
{
  /* columns: id, kind, seal_name, login_name, state, letter_sha256, letter_size, created_at, updated_at */
  JsonObject *o = json_object_new ();

  json_object_set_string_member (o, "id", (const char *) sqlite3_column_text (stmt, 0));
  json_object_set_string_member (o, "kind", (const char *) sqlite3_column_text (stmt, 1));
  json_object_set_string_member (o, "seal_name", (const char *) sqlite3_column_text (stmt, 2));
  json_object_set_string_member (o, "login_name", (const char *) sqlite3_column_text (stmt, 3));
  json_object_set_string_member (o, "state", (const char *) sqlite3_column_text (stmt, 4));
  if (sqlite3_column_type (stmt, 5) != SQLITE_NULL)
    {
      JsonObject *letter = json_object_new ();
      json_object_set_string_member (letter, "sha256", (const char *) sqlite3_column_text (stmt, 5));
      json_object_set_int_member (letter, "size", sqlite3_column_int64 (stmt, 6));
      json_object_set_object_member (o, "confirmation_letter", letter);
    }
  json_object_set_int_member (o, "created_at", sqlite3_column_int64 (stmt, 7));
  json_object_set_int_member (o, "updated_at", sqlite3_column_int64 (stmt, 8));
  return json_node_init_object (json_node_alloc (), o);
}

#define SEAL_REQUEST_COLUMNS \
  "SELECT id, kind, seal_name, login_name, state, letter_sha256, letter_size, created_at, updated_at FROM seal_requests "

static JsonNode *
seal_node (sqlite3_stmt *stmt)
{
  /* columns: id, name, state, users, created_at */
  JsonObject *o = json_object_new ();

  json_object_set_string_member (o, "id", (const char *) sqlite3_column_text (stmt, 0));
  json_object_set_string_member (o, "name", (const char *) sqlite3_column_text (stmt, 1));
  json_object_set_string_member (o, "state", (const char *) sqlite3_column_text (stmt, 2));
  json_object_set_member (o, "users", parse_json_text ((const char *) sqlite3_column_text (stmt, 3)));
  json_object_set_int_member (o, "created_at", sqlite3_column_int64 (stmt, 4));
  return json_node_init_object (json_node_alloc (), o);
}

static void
handle_seal_requests (Request *req)
{
  static const FieldSpec specs[] = {
    { "kind", FIELD_CHOICE, TRUE, seal_kinds },
    { "seal_name", FIELD_TEXT, TRUE, NULL },
    { "code13", FIELD_CODE13, TRUE, NULL },
    { NULL }
  };
  g_autoptr(JsonNode) node = NULL;

  if (!require_key_session (req))
    return;

  if (req->n_seg == 1 && g_str_equal (req->method, "GET"))
    {
      node = select_all (req->self->db, SEAL_REQUEST_COLUMNS "WHERE enterprise_id = ? ORDER BY created_at, id",
                         req->enterprise_id, seal_request_node);
      return respond_json (req, 200, node);
    }
  if (req->n_seg == 1 && g_str_equal (req->method, "POST"))
    {
      Idempotency idem = { 0 };
      JsonArray *errors;
      g_autofree char *id = NULL;
      const char *code13;

      if (!parse_body (req))
        return;
      errors = json_array_new ();
      check_fields (req, req->body, specs, "", TRUE, errors);
      /* The 13-digit code typed must match the certificate used to log in (seed 003) */
      code13 = get_string (req->body, "code13");
      if (code13 != NULL && is_code13 (code13) && g_strcmp0 (code13, req->code13) != 0)
        add_text_error (req, errors, "code13", "certificate-mismatch",
                        "This code does not match the certificate of the key you logged in with.",
                        "该代码与登录所用电子钥匙证书中的企业代码不一致。");
      if (!finish_validation (req, errors))
        return;
      idempotency_begin (req, &idem);
      if (idem.done)
        return idempotency_clear (&idem);

      id = g_uuid_string_random ();
      ek_registry_db_begin (req->self->db, NULL);
      ek_registry_db_exec (req->self->db, NULL,
                           "INSERT INTO seal_requests (id, enterprise_id, kind, seal_name, login_name, state, created_at, "
                           "updated_at) VALUES (?, ?, ?, ?, ?, 'new', ?, ?)", "sisssii",
                           id, req->enterprise_id, get_string (req->body, "kind"), get_string (req->body, "seal_name"),
                           req->login_name, now_s (), now_s ());
      node = select_one (req->self->db, SEAL_REQUEST_COLUMNS "WHERE id = ? AND enterprise_id = ?", id,
                         req->enterprise_id, seal_request_node);
      if (node == NULL || !idempotency_store (req, &idem, 201, NULL, node, NULL) ||
          !ek_registry_db_commit (req->self->db, NULL))
        {
          ek_registry_db_rollback (req->self->db);
          idempotency_clear (&idem);
          return respond_problem (req, PROBLEM_INTERNAL, NULL);
        }
      idempotency_clear (&idem);
      return respond_json (req, 201, node);
    }
  if (req->n_seg == 1)
    return respond_problem (req, PROBLEM_METHOD_NOT_ALLOWED, NULL);

  node = select_one (req->self->db, SEAL_REQUEST_COLUMNS "WHERE id = ? AND enterprise_id = ?", req->seg[1],
                     req->enterprise_id, seal_request_node);
  if (node == NULL || req->n_seg > 3 || (req->n_seg == 3 && !g_str_equal (req->seg[2], "letter")))
    return respond_problem (req, PROBLEM_NOT_FOUND, NULL);
  if (req->n_seg == 2 && g_str_equal (req->method, "GET"))
    return respond_json (req, 200, node);
  if (req->n_seg == 3 && g_str_equal (req->method, "PUT"))
    {
      StoredFile stored = { 0 };
      g_autofree char *old_file = NULL;
      sqlite3_stmt *stmt;

      if (!g_str_equal (json_object_get_string_member (json_node_get_object (node), "state"), "new"))
        return respond_problem (req, PROBLEM_NOT_EDITABLE, NULL);
      if (!accept_upload (req, &stored))
        return;
      stmt = ek_registry_db_query (req->self->db, "SELECT letter_file FROM seal_requests WHERE id = ?", "s", req->seg[1]);
      if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_type (stmt, 0) != SQLITE_NULL)
        old_file = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      if (stmt != NULL)
        sqlite3_reset (stmt);
      if (!ek_registry_db_exec (req->self->db, NULL,
                                "UPDATE seal_requests SET letter_file = ?, letter_sha256 = ?, letter_size = ?, updated_at = ? "
                                "WHERE id = ?", "ssiis", stored.file, stored.sha256, (gint64) stored.size, now_s (),
                                req->seg[1]))
        {
          discard_file (req->self, stored.file);
          stored_file_clear (&stored);
          return respond_problem (req, PROBLEM_INTERNAL, NULL);
        }
      discard_file (req->self, old_file);
      stored_file_clear (&stored);
      g_clear_pointer (&node, json_node_unref);
      node = select_one (req->self->db, SEAL_REQUEST_COLUMNS "WHERE id = ? AND enterprise_id = ?", req->seg[1],
                         req->enterprise_id, seal_request_node);
      return respond_json (req, 200, node);
    }
  respond_problem (req, PROBLEM_METHOD_NOT_ALLOWED, NULL);
}

static void
handle_seals (Request *req)
{
  g_autoptr(JsonNode) node = NULL;

  if (!require_key_session (req))
    return;
  if (!g_str_equal (req->method, "GET"))
    return respond_problem (req, PROBLEM_METHOD_NOT_ALLOWED, NULL);
  if (req->n_seg == 1)
    node = select_all (req->self->db, "SELECT id, name, state, users, created_at FROM seals WHERE enterprise_id = ? "
                                      "ORDER BY created_at, id", req->enterprise_id, seal_node);
  else if (req->n_seg == 2)
    node = select_one (req->self->db, "SELECT id, name, state, users, created_at FROM seals WHERE id = ? AND enterprise_id = ?",
                       req->seg[1], req->enterprise_id, seal_node);
  if (node == NULL)
    return respond_problem (req, PROBLEM_NOT_FOUND, NULL);
  respond_json (req, 200, node);
}

/* ---- Dispatch, streaming hooks, logging ---- */

static gboolean
segments_are_safe (char **seg)
{
  for (guint i = 0; seg[i] != NULL; i++)
    if (*seg[i] == '\0' || strlen (seg[i]) > 64 ||
        !g_regex_match_simple ("^[A-Za-z0-9-]+$", seg[i], 0, 0))
      return FALSE;
  return TRUE;
}

static void
handle_api (SoupServer        *server,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  Request req = { 0 };
  const char *rest;

  req.self = user_data;
  req.msg = msg;
  req.method = soup_server_message_get_method (msg);
  req.lang = pick_language (msg);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Content-Language",
                                g_str_equal (req.lang, "en") ? "en" : "zh-CN");

  rest = path + strlen (API_PREFIX);
  if (*rest == '/')
    rest++;
  req.seg = g_strsplit (rest, "/", 8);
  req.n_seg = g_strv_length (req.seg);
  if (req.n_seg > 0 && *req.seg[req.n_seg - 1] == '\0')
    {
      g_free (req.seg[--req.n_seg]);
      req.seg[req.n_seg] = NULL;
    }

  if (req.n_seg == 0 || !segments_are_safe (req.seg))
    respond_problem (&req, PROBLEM_NOT_FOUND, NULL);
  else if (g_str_equal (req.seg[0], "catalogue") && req.n_seg == 1)
    handle_catalogue (&req);
  else if (g_str_equal (req.seg[0], "captcha") && req.n_seg == 1)
    handle_captcha (&req);
  else if (g_str_equal (req.seg[0], "accounts"))
    handle_accounts (&req);
  else if (g_str_equal (req.seg[0], "sessions"))
    handle_sessions (&req);
  else if (g_str_equal (req.seg[0], "applications"))
    handle_applications (&req);
  else if (g_str_equal (req.seg[0], "mobile-authorizations"))
    handle_mobile_authorizations (&req);
  else if (g_str_equal (req.seg[0], "seal-requests"))
    handle_seal_requests (&req);
  else if (g_str_equal (req.seg[0], "seals"))
    handle_seals (&req);
  else
    respond_problem (&req, PROBLEM_NOT_FOUND, NULL);

  request_clear (&req);
}

static void
handle_root (SoupServer        *server,
             SoupServerMessage *msg,
             const char        *path,
             GHashTable        *query,
             gpointer           user_data)
{
  respond_problem_msg (msg, pick_language (msg), PROBLEM_NOT_FOUND, NULL);
}

static gboolean
is_upload_path (const char *method,
                const char *path)
{
  return g_str_equal (method, "PUT") &&
         (g_regex_match_simple ("^" API_PREFIX "/applications/[^/]+/materials/[^/]+$", path, 0, 0) ||
          g_regex_match_simple ("^" API_PREFIX "/seal-requests/[^/]+/letter$", path, 0, 0));
}

static void
on_upload_chunk (SoupServerMessage *msg,
                 GBytes            *chunk,
                 gpointer           user_data)
{
  Upload *upload = user_data;
  gsize len;
  const guint8 *data = g_bytes_get_data (chunk, &len);

  upload->received += len;
  if (upload->too_large || upload->write_failed)
    return;
  if (upload->received > upload->limit)
    {
      /* Keep nothing of an oversized file: truncate now, answer 413 when the body ends */
      upload->too_large = TRUE;
      if (ftruncate (upload->fd, 0) != 0)
        upload->write_failed = TRUE;
      return;
    }
  while (len > 0)
    {
      gssize n = write (upload->fd, data, len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          upload->write_failed = TRUE;
          return;
        }
      data += n;
      len -= (gsize) n;
    }
}

static void
on_json_chunk (SoupServerMessage *msg,
               GBytes            *chunk,
               gpointer           user_data)
{
  EkRegistryServer *self = user_data;
  guint64 received = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (msg), "ek-body-received"));

  received += g_bytes_get_size (chunk);
  g_object_set_data (G_OBJECT (msg), "ek-body-received", GSIZE_TO_POINTER ((gsize) received));
  if (received > self->config.json_limit)
    {
      /* Stop keeping the body: the handler answers 413 */
      soup_message_body_set_accumulate (soup_server_message_get_request_body (msg), FALSE);
      g_object_set_data (G_OBJECT (msg), "ek-body-too-large", GINT_TO_POINTER (1));
    }
}

static gboolean
bearer_session_is_live (EkRegistryServer  *self,
                        SoupServerMessage *msg)
{
  const char *auth = soup_message_headers_get_one (soup_server_message_get_request_headers (msg), "Authorization");
  g_autofree char *hash = NULL;
  sqlite3_stmt *stmt;
  gboolean live = FALSE;

  if (auth == NULL || !g_str_has_prefix (auth, "Bearer "))
    return FALSE;
  hash = sha256_hex (auth + 7, strlen (auth + 7));
  stmt = ek_registry_db_query (self->db, "SELECT 1 FROM sessions WHERE token_hash = ? AND expires_at > ?", "si",
                               hash, now_s ());
  live = stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW;
  if (stmt != NULL)
    sqlite3_reset (stmt);
  return live;
}

static void
on_got_headers (SoupServerMessage *msg,
                gpointer           user_data)
{
  EkRegistryServer *self = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *method = soup_server_message_get_method (msg);
  const char *path = g_uri_get_path (soup_server_message_get_uri (msg));
  goffset declared = soup_message_headers_get_content_length (headers);
  gboolean has_length = soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH;

  /* An encoded slash or a dot segment never names one of our resources */
  if (strstr (path, "%2F") != NULL || strstr (path, "%2f") != NULL || strstr (path, "%5C") != NULL ||
      strstr (path, "%5c") != NULL || strstr (path, "/..") != NULL)
    {
      soup_message_body_set_accumulate (soup_server_message_get_request_body (msg), FALSE);
      respond_problem_msg (msg, pick_language (msg), PROBLEM_NOT_FOUND, NULL);
      return;
    }

  if (is_upload_path (method, path) && !bearer_session_is_live (self, msg))
    {
      /* Nobody without a session gets to write to our disk; with Expect the body is never sent */
      soup_message_body_set_accumulate (soup_server_message_get_request_body (msg), FALSE);
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "WWW-Authenticate", "Bearer");
      respond_problem_msg (msg, pick_language (msg), PROBLEM_UNAUTHORIZED, NULL);
      return;
    }

  if (is_upload_path (method, path))
    {
      Upload *upload = g_new0 (Upload, 1);
      g_autofree char *name = g_strconcat (self->tmp_dir, "/upload-XXXXXX", NULL);

      upload->self = self;
      upload->fd = -1;
      upload->limit = (guint64) json_object_get_int_member_with_default (self->limits, "max_bytes", 204799);
      g_object_set_data_full (G_OBJECT (msg), "ek-upload", upload, (GDestroyNotify) upload_free);
      soup_message_body_set_accumulate (soup_server_message_get_request_body (msg), FALSE);

      if (has_length && (guint64) declared > upload->limit)
        {
          /* With Expect: 100-continue the body is never sent; without, libsoup reads and drops it */
          upload->too_large = TRUE;
          respond_problem_msg (msg, pick_language (msg), PROBLEM_UPLOAD_TOO_LARGE, NULL);
          return;
        }
      upload->fd = g_mkstemp_full (name, O_RDWR | O_CLOEXEC, 0600);
      if (upload->fd < 0)
        {
          upload->write_failed = TRUE;
          return;
        }
      upload->tmp_path = g_steal_pointer (&name);
      g_signal_connect (msg, "got-chunk", G_CALLBACK (on_upload_chunk), upload);
      return;
    }

  if (has_length && declared > 0 && (gsize) declared > self->config.json_limit)
    {
      soup_message_body_set_accumulate (soup_server_message_get_request_body (msg), FALSE);
      respond_problem_msg (msg, pick_language (msg), PROBLEM_BODY_TOO_LARGE, NULL);
      return;
    }
  g_signal_connect (msg, "got-chunk", G_CALLBACK (on_json_chunk), self);
}

static void
on_request_started (SoupServer        *server,
                    SoupServerMessage *msg,
                    gpointer           user_data)
{
  EkRegistryServer *self = user_data;
  g_autofree char *id = NULL;
  guint8 rnd[4];

  gnutls_rnd (GNUTLS_RND_NONCE, rnd, sizeof rnd);
  id = g_strdup_printf ("%06" G_GINT64_MODIFIER "x-%02x%02x%02x%02x", (gint64) ++self->request_counter,
                        rnd[0], rnd[1], rnd[2], rnd[3]);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "X-Request-Id", id);
  g_object_set_data_full (G_OBJECT (msg), "ek-request-id", g_steal_pointer (&id), g_free);
  g_object_set_data_full (G_OBJECT (msg), "ek-started", g_memdup2 (&(gint64) { g_get_monotonic_time () }, sizeof (gint64)), g_free);
  g_signal_connect (msg, "got-headers", G_CALLBACK (on_got_headers), self);
}

/* One line per request; never the query string, headers or bodies (tokens, ID numbers) */
static void
log_request (SoupServerMessage *msg,
             const char        *outcome)
{
  const char *id = g_object_get_data (G_OBJECT (msg), "ek-request-id");
  const gint64 *started = g_object_get_data (G_OBJECT (msg), "ek-started");
  GUri *uri = soup_server_message_get_uri (msg);
  const char *method = soup_server_message_get_method (msg);
  const char *path = uri != NULL ? g_uri_get_path (uri) : "-";
  g_autofree char *valid_path = g_utf8_make_valid (path, (gssize) MIN (strlen (path), 200));
  g_autofree char *safe_path = g_strescape (valid_path, NULL);

  g_printerr ("ekey-registry: %s %s %s %s %u %s %.1fms\n", id != NULL ? id : "-",
              soup_server_message_get_remote_host (msg) != NULL ? soup_server_message_get_remote_host (msg) : "-",
              method != NULL ? method : "-", safe_path, soup_server_message_get_status (msg), outcome,
              started != NULL ? (g_get_monotonic_time () - *started) / 1000.0 : 0.0);
}

static void
on_request_finished (SoupServer        *server,
                     SoupServerMessage *msg,
                     gpointer           user_data)
{
  log_request (msg, "done");
}

static void
on_request_aborted (SoupServer        *server,
                    SoupServerMessage *msg,
                    gpointer           user_data)
{
  log_request (msg, "aborted");
}

/* ---- Set-up ---- */

static gboolean
ensure_dir (const char  *path,
            GError     **error)
{
  if (g_mkdir_with_parents (path, 0700) != 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "Cannot create %s: %s", path, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

/* Leftovers of a crash: unfinished uploads, and files no committed row refers to */
static void
clean_leftovers (EkRegistryServer *self)
{
  g_autoptr(GDir) tmp = g_dir_open (self->tmp_dir, 0, NULL);
  g_autoptr(GDir) files = g_dir_open (self->files_dir, 0, NULL);
  const char *name;
  guint removed = 0;

  while (tmp != NULL && (name = g_dir_read_name (tmp)) != NULL)
    {
      g_autofree char *path = g_build_filename (self->tmp_dir, name, NULL);
      if (g_unlink (path) == 0)
        removed++;
    }
  while (files != NULL && (name = g_dir_read_name (files)) != NULL)
    {
      sqlite3_stmt *stmt = ek_registry_db_query (self->db,
                                                 "SELECT 1 FROM materials WHERE file = ?1 "
                                                 "UNION ALL SELECT 1 FROM seal_requests WHERE letter_file = ?1", "s", name);
      gboolean referenced = stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW;

      if (stmt != NULL)
        sqlite3_reset (stmt);
      if (!referenced)
        {
          g_autofree char *path = g_build_filename (self->files_dir, name, NULL);
          if (g_unlink (path) == 0)
            removed++;
        }
    }
  if (removed > 0)
    g_printerr ("ekey-registry: removed %u unfinished upload(s) left by an earlier run\n", removed);
}

static gboolean
load_rules (EkRegistryServer  *self,
            GError           **error)
{
  JsonObject *doc = ek_catalogue_get_document (self->catalogue);
  JsonObject *sets_section = json_object_has_member (doc, "material_rule_sets") ?
                             json_object_get_object_member (doc, "material_rule_sets") : NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();

  if (sets_section != NULL)
    {
      const char *wanted = json_object_get_string_member_with_default (sets_section, "default", "");
      JsonArray *sets = json_object_get_array_member (sets_section, "sets");

      for (guint i = 0; sets != NULL && i < json_array_get_length (sets); i++)
        {
          JsonObject *set = json_array_get_object_element (sets, i);

          if (set != NULL && g_strcmp0 (json_object_get_string_member_with_default (set, "id", ""), wanted) == 0 &&
              json_object_has_member (set, "limits"))
            {
              self->limits = json_object_ref (json_object_get_object_member (set, "limits"));
              if (json_object_has_member (set, "business_types"))
                self->rule_business = json_object_ref (json_object_get_object_member (set, "business_types"));
              self->rules_from_catalogue = TRUE;
              return TRUE;
            }
        }
    }

  if (!json_parser_load_from_data (parser, ek_registry_fallback_material_rules, -1, error))
    return FALSE;
  self->limits = json_object_ref (json_node_get_object (json_parser_get_root (parser)));
  return TRUE;
}

static void
ek_registry_server_finalize (GObject *object)
{
  EkRegistryServer *self = EK_REGISTRY_SERVER (object);

  if (self->soup != NULL)
    soup_server_disconnect (self->soup);
  g_clear_object (&self->soup);
  g_clear_pointer (&self->db, ek_registry_db_close);
  g_clear_pointer (&self->files_dir, g_free);
  g_clear_pointer (&self->tmp_dir, g_free);
  g_clear_pointer (&self->catalogue_json, g_free);
  g_clear_object (&self->catalogue);
  g_clear_pointer (&self->limits, json_object_unref);
  g_clear_pointer (&self->rule_business, json_object_unref);
  g_clear_pointer (&self->rate, g_hash_table_unref);
  if (self->trust != NULL)
    gnutls_x509_trust_list_deinit (self->trust, 1);
  g_free ((char *) self->config.db_path);
  g_free ((char *) self->config.data_dir);
  g_free ((char *) self->config.tls_cert);
  g_free ((char *) self->config.tls_key);
  g_free ((char *) self->config.ca_file);
  g_free ((char *) self->config.catalogue_file);

  G_OBJECT_CLASS (ek_registry_server_parent_class)->finalize (object);
}

static void
ek_registry_server_class_init (EkRegistryServerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ek_registry_server_finalize;
}

static void
ek_registry_server_init (EkRegistryServer *self)
{
  self->rate = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

EkRegistryServer *
ek_registry_server_new (const EkRegistryConfig  *config,
                        GError                 **error)
{
  g_autoptr(EkRegistryServer) self = g_object_new (EK_TYPE_REGISTRY_SERVER, NULL);
  g_autoptr(GTlsCertificate) certificate = NULL;
  JsonNode *doc_node;

  g_return_val_if_fail (config != NULL && config->db_path != NULL && config->data_dir != NULL, NULL);

  self->config = *config;
  self->config.db_path = g_strdup (config->db_path);
  self->config.data_dir = g_strdup (config->data_dir);
  self->config.tls_cert = g_strdup (config->tls_cert);
  self->config.tls_key = g_strdup (config->tls_key);
  self->config.ca_file = g_strdup (config->ca_file);
  self->config.catalogue_file = g_strdup (config->catalogue_file);

  self->files_dir = g_build_filename (config->data_dir, "files", NULL);
  self->tmp_dir = g_build_filename (config->data_dir, "tmp", NULL);
  if (!ensure_dir (self->files_dir, error) || !ensure_dir (self->tmp_dir, error))
    return NULL;

  self->db = ek_registry_db_open (config->db_path, error);
  if (self->db == NULL)
    return NULL;
  clean_leftovers (self);

  if (config->catalogue_file != NULL)
    {
      g_autoptr(GFile) file = g_file_new_for_commandline_arg (config->catalogue_file);
      self->catalogue = ek_catalogue_new_from_file (file, error);
    }
  else
    self->catalogue = ek_catalogue_new_default (error);
  if (self->catalogue == NULL)
    return NULL;
  doc_node = json_node_init_object (json_node_alloc (), ek_catalogue_get_document (self->catalogue));
  self->catalogue_json = json_to_string (doc_node, FALSE);
  json_node_unref (doc_node);
  if (!load_rules (self, error))
    return NULL;
  if (!self->rules_from_catalogue)
    g_printerr ("ekey-registry: the catalogue has no material_rule_sets; using the built-in default "
                "(PNG/JPEG/GIF, at most 204799 bytes)\n");

  if (config->ca_file != NULL)
    {
      int n;

      gnutls_x509_trust_list_init (&self->trust, 0);
      n = gnutls_x509_trust_list_add_trust_file (self->trust, config->ca_file, NULL, GNUTLS_X509_FMT_PEM, 0, 0);
      if (n <= 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       "No CA certificate could be read from %s", config->ca_file);
          return NULL;
        }
    }

  if (config->tls_cert != NULL || config->tls_key != NULL)
    {
      if (config->tls_cert == NULL || config->tls_key == NULL)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               "--tls-cert and --tls-key go together");
          return NULL;
        }
      certificate = g_tls_certificate_new_from_files (config->tls_cert, config->tls_key, error);
      if (certificate == NULL)
        return NULL;
    }

  self->soup = soup_server_new ("server-header", "ekey-registry/" PACKAGE_VERSION " ",
                                "tls-certificate", certificate, NULL);
  soup_server_add_handler (self->soup, API_PREFIX, handle_api, self, NULL);
  soup_server_add_handler (self->soup, NULL, handle_root, self, NULL);
  g_signal_connect (self->soup, "request-started", G_CALLBACK (on_request_started), self);
  g_signal_connect (self->soup, "request-finished", G_CALLBACK (on_request_finished), self);
  g_signal_connect (self->soup, "request-aborted", G_CALLBACK (on_request_aborted), self);

  return g_steal_pointer (&self);
}

/**
 * ek_registry_server_listen:
 *
 * Returns: (transfer full): the base URL, e.g. https://127.0.0.1:40123/api/v1
 */
char *
ek_registry_server_listen (EkRegistryServer  *self,
                           const char        *host,
                           guint              port,
                           GError           **error)
{
  g_autoptr(GInetAddress) address = g_inet_address_new_from_string (host);
  g_autoptr(GSocketAddress) socket_address = NULL;
  g_autoptr(GSocket) listener = NULL;
  GSList *uris;
  guint bound = 0;
  gboolean tls = self->config.tls_cert != NULL;

  g_return_val_if_fail (EK_IS_REGISTRY_SERVER (self), NULL);

  if (address == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "Not an IP address: %s", host);
      return NULL;
    }
  socket_address = g_inet_socket_address_new (address, (guint16) port);
  /* Our own socket for a deeper accept queue than GSocket's default of 10: fifty clients
   * connecting at once otherwise see connections reset */
  listener = g_socket_new (g_inet_address_get_family (address), G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, error);
  if (listener == NULL)
    return NULL;
  g_socket_set_listen_backlog (listener, 256);
  if (!g_socket_bind (listener, socket_address, TRUE, error) || !g_socket_listen (listener, error) ||
      !soup_server_listen_socket (self->soup, listener, tls ? SOUP_SERVER_LISTEN_HTTPS : 0, error))
    return NULL;

  uris = soup_server_get_uris (self->soup);
  if (uris != NULL)
    bound = (guint) g_uri_get_port (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  return g_strdup_printf ("%s://%s%s%s:%u" API_PREFIX, tls ? "https" : "http",
                          g_inet_address_get_family (address) == G_SOCKET_FAMILY_IPV6 ? "[" : "", host,
                          g_inet_address_get_family (address) == G_SOCKET_FAMILY_IPV6 ? "]" : "", bound);
}
