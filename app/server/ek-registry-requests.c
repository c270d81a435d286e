/* ek-registry-requests.c: problems, languages, JSON bodies, field checks, sessions and idempotency keys */
#include "config.h"

#include "ek-registry-server-private.h"

typedef struct
{
  gint64 window_start;
  guint  count;
} RateWindow;




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
    "The enterprise code and login name do not match an activated account. Check both; if you registered, activate the account with the code from the email first.",
    "企业代码与登录名不匹配任何已激活的账号。请核对；如已注册，请先用邮件中的激活码激活账号。" },
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
    "The activation code is wrong or no longer valid (five wrong tries cancel it). Copy it from the newest activation email, or ask for a new code.",
    "激活码错误或已失效（连续输错五次即作废）。请从最新的激活邮件中复制，或申请新的激活码。" },
  [PROBLEM_MISSING_MATERIALS] = { 422, "missing-materials", "Materials missing",
    "Some required materials or fields are missing. Add the ones marked, then submit again.",
    "缺少必需的材料或信息，请补充标注的项目后重新提交。" },
  [PROBLEM_CERTIFICATE_NOT_ISSUED] = { 401, "certificate-not-issued-by-service", "Certificate not issued by this service",
    "The key's certificate was not issued by this service. Insert the e-key issued to your enterprise for these businesses.",
    "电子钥匙中的证书不是本服务签发的。请插入为贵企业办理此类业务签发的电子钥匙。" },
  [PROBLEM_CERTIFICATE_EXPIRED] = { 401, "certificate-expired", "Certificate expired",
    "The key's certificate expired too long ago to log in. Renew it by courier or at the counter of your issuing authority.",
    "电子钥匙证书已过期较久，无法登录。请通过快递或前往发证机构柜台办理更新。" },
  [PROBLEM_CERTIFICATE_REVOKED] = { 401, "certificate-revoked", "Certificate revoked",
    "The key's certificate has been revoked and cannot log in. Apply for a reissue at your issuing authority.",
    "电子钥匙证书已被吊销，不能登录。请向发证机构申请补办。" },
  [PROBLEM_RENEWAL_NOT_ELIGIBLE] = { 409, "renewal-not-eligible", "This key cannot be renewed online",
    "This key cannot be renewed online now.",
    "此电子钥匙目前不能在线更新。" },
  [PROBLEM_RENEWAL_UNAVAILABLE] = { 503, "renewal-unavailable", "Online renewal not available",
    "This service does not issue certificates online. Renew by courier or at the counter of your issuing authority.",
    "本服务不提供在线签发证书。请通过快递或前往发证机构柜台办理更新。" },
  [PROBLEM_WRONG_KEY] = { 403, "wrong-key", "Log in with the key being renewed",
    "This renewal belongs to another key. Insert the key the renewal was applied for and log in with it.",
    "此更新申请属于另一把电子钥匙。请插入申请更新的电子钥匙并用其登录。" },
  [PROBLEM_CERTIFICATE_ALREADY_ISSUED] = { 409, "certificate-already-issued", "Certificate already issued",
    "The renewed certificate was already issued for another new key. Contact the helpdesk with the request id.",
    "更新的证书已为另一新密钥签发。请将请求编号告知客服。" },
  [PROBLEM_SEAL_EXISTS] = { 409, "seal-exists", "The enterprise already has a seal",
    "Your enterprise already has an electronic seal. Apply for a change of the seal, or bind this key to it.",
    "贵企业已拥有电子印章。请申请电子印章变更，或将本电子钥匙绑定到该印章。" },
  [PROBLEM_NO_SEAL] = { 409, "no-seal", "The enterprise has no seal yet",
    "Your enterprise has no electronic seal in use yet. Apply for an electronic seal first.",
    "贵企业尚无正常使用的电子印章，请先申请电子印章。" },
  [PROBLEM_REQUEST_OPEN] = { 409, "request-open", "A request is already open",
    "A request of this kind is already open for your enterprise. Finish it (upload its confirmation letter) or wait for its review.",
    "贵企业已有同类申请正在办理中。请完成该申请（上传确认函）或等待审核。" },
  [PROBLEM_ALREADY_BOUND] = { 409, "already-bound", "This key is already bound",
    "The certificate of the key you logged in with is already bound to the seal.",
    "您登录所用电子钥匙的证书已绑定该印章。" },
  [PROBLEM_NOTHING_TO_REBIND] = { 409, "nothing-to-rebind", "Nothing to re-bind",
    "Re-binding is for a key whose certificate was renewed or replaced: the certificate you logged in with does not renew one bound to the seal.",
    "续绑适用于证书已更新或电子钥匙已更换的情况：您登录所用的证书不是已绑定印章的证书的更新证书。" },
  [PROBLEM_MOBILE_NOT_AUTHORIZED] = { 409, "mobile-not-authorized", "Number not authorised",
    "This phone number has no mobile certificate authorised for your enterprise. Check the old authorised number.",
    "该手机号码没有贵企业授权的手机证书，请核对旧授权手机号码。" },
  [PROBLEM_MOBILE_ALREADY_AUTHORIZED] = { 409, "mobile-already-authorized", "Number already authorised",
    "This phone number already has an authorisation in progress or in use. Renew or cancel it instead.",
    "该手机号码已有办理中或正在使用的授权，请改为续签或注销。" },
  [PROBLEM_INTERNAL] = { 500, "internal", "Internal error",
    "The service could not complete the request. Try again later; if it persists, contact the helpdesk with the request id.",
    "服务暂时无法完成请求，请稍后重试；如仍有问题，请将请求编号告知客服。" },
  [PROBLEM_JSON_TOO_DEEP] = { 400, "json-too-deep", "JSON nested too deeply",
    "The request nests lists or objects deeper than this service reads. The program that sent it has a fault; please report it.",
    "请求内容的嵌套层级超出服务可读取的范围。发送程序有误，请报告此问题。" },
  [PROBLEM_JSON_NUL] = { 400, "nul-character", "NUL character in text",
    "A text in the request contains a NUL character (\\u0000), which no field accepts. Remove it and send again.",
    "请求中的文本含有空字符（\\u0000），任何字段均不接受，请删除后重新提交。" },
  [PROBLEM_UNSUPPORTED_MEDIA_TYPE] = { 415, "unsupported-media-type", "JSON expected",
    "This request must be sent as JSON (Content-Type: application/json). The program that sent it has a fault; please report it.",
    "此请求须以 JSON 格式发送（Content-Type: application/json）。发送程序有误，请报告此问题。" },
  [PROBLEM_SERVICE_BUSY] = { 503, "service-busy", "Service busy",
    "The service is busy and has not recorded anything. Try again in a moment; nothing is lost.",
    "服务繁忙，本次请求未作任何记录。请稍后重试，已填写的内容不会丢失。" },
  [PROBLEM_BAD_REQUEST] = { 400, "bad-request", "Bad request",
    "The service could not read the request. The program that sent it has a fault; please report it.",
    "服务无法读取该请求。发送程序有误，请报告此问题。" },
  [PROBLEM_NOT_IMPLEMENTED] = { 501, "not-implemented", "Not implemented",
    "The service does not support the way this request was sent. The program that sent it has a fault; please report it.",
    "服务不支持该请求的发送方式。发送程序有误，请报告此问题。" },
};


void
ek_registry_request_clear (Request *req)
{
  g_clear_pointer (&req->seg, g_strfreev);
  g_clear_pointer (&req->body_node, json_node_unref);
  g_clear_pointer (&req->account_id, g_free);
  g_clear_pointer (&req->auth_method, g_free);
  g_clear_pointer (&req->login_name, g_free);
  g_clear_pointer (&req->code13, g_free);
  g_clear_pointer (&req->token_hash, g_free);
}

gint64
ek_registry_now (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

/* Picks zh_CN or en from Accept-Language by q-value; Chinese when nothing matches */
const char *
ek_registry_pick_language (SoupServerMessage *msg)
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

void
ek_registry_set_json_response (SoupServerMessage *msg,
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

JsonNode *
ek_registry_problem_node (SoupServerMessage *msg,
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

void
ek_registry_respond_problem_msg (SoupServerMessage *msg,
                                 const char        *lang,
                                 Problem            problem,
                                 JsonArray         *errors)
{
  g_autoptr(JsonNode) node = ek_registry_problem_node (msg, lang, problem, NULL, errors);

  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Content-Language",
                                g_str_equal (lang, "en") ? "en" : "zh-CN");
  ek_registry_set_json_response (msg, problems[problem].status, "application/problem+json", node);
}

void
ek_registry_respond_problem (Request   *req,
                             Problem    problem,
                             JsonArray *errors)
{
  ek_registry_respond_problem_msg (req->msg, req->lang, problem, errors);
}

/* A write that did not commit is never acknowledged: a busy database (another process holds
 * its lock) is 503 with Retry-After, which the client retries as it is; anything else 500.
 * An open transaction is rolled back first. */
void
ek_registry_respond_db_error (Request      *req,
                              const GError *error)
{
  ek_registry_db_rollback (req->self->db);
  if (g_error_matches (error, EK_REGISTRY_DB_ERROR, EK_REGISTRY_DB_ERROR_BUSY))
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (req->msg), "Retry-After", "1");
      ek_registry_respond_problem (req, PROBLEM_SERVICE_BUSY, NULL);
      return;
    }
  g_warning ("Failed to store: %s", error != NULL ? error->message : "unknown error");
  ek_registry_respond_problem (req, PROBLEM_INTERNAL, NULL);
}

void
ek_registry_respond_json (Request  *req,
                          guint     status,
                          JsonNode *node)
{
  ek_registry_set_json_response (req->msg, status, "application/json", node);
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

void
ek_registry_add_problem_error (Request        *req,
                               JsonArray      *errors,
                               const char     *field,
                               EkFieldProblem  problem)
{
  add_field_error (errors, field, ek_field_problem_code (problem), ek_field_problem_message (problem, req->lang));
}

void
ek_registry_add_text_error (Request    *req,
                            JsonArray  *errors,
                            const char *field,
                            const char *code,
                            const char *en,
                            const char *zh)
{
  add_field_error (errors, field, code, g_str_equal (req->lang, "en") ? en : zh);
}

/* ---- Field checks ---- */




static const FieldSpec *
find_spec (const FieldSpec *specs,
           const char      *name)
{
  for (; specs->name != NULL; specs++)
    if (g_str_equal (specs->name, name))
      return specs;
  return NULL;
}

gboolean
ek_registry_is_code13 (const char *text)
{
  return g_regex_match_simple ("^[0-9]{4}[0-9A-Z]{8}[0-9X]$", text, 0, 0);
}

/* Checks the members of @object against @specs: unknown members, types, lengths, formats.
 * Required members are only enforced when @enforce_required. The id number is checked as a
 * resident ID only when its type says so (or is absent). */
void
ek_registry_check_fields (Request         *req,
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
          ek_registry_add_text_error (req, errors, field, "unknown-field",
                                      "This field is not part of the form. Remove it.",
                                      "表单中没有此项，请删除。");
          continue;
        }
      if (spec->kind == FIELD_OBJECT)
        {
          if (!JSON_NODE_HOLDS_OBJECT (node))
            ek_registry_add_text_error (req, errors, field, "type", "This must be an object.", "此项必须为对象。");
          continue;
        }
      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
        {
          ek_registry_add_text_error (req, errors, field, "type", "This must be text.", "此项必须为文本。");
          continue;
        }
      value = json_node_get_string (node);
      if (g_utf8_strlen (value, -1) > MAX_TEXT_CHARS || !g_utf8_validate (value, -1, NULL))
        {
          ek_registry_add_text_error (req, errors, field, "too-long",
                                      "This text is too long (at most 500 characters).", "内容过长（最多500个字符）。");
          continue;
        }
      if (*value == '\0')
        {
          if (spec->required && enforce_required)
            ek_registry_add_problem_error (req, errors, field, EK_FIELD_PROBLEM_REQUIRED);
          continue;
        }

      switch (spec->kind)
        {
        case FIELD_USCC:
          check = ek_uscc_check (value);
          break;
        case FIELD_CODE13:
          if (!ek_registry_is_code13 (value))
            ek_registry_add_text_error (req, errors, field, "code13",
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
        case FIELD_LOGIN_NAME:
          check = ek_platform_login_name_check (value);
          break;
        case FIELD_ID_TYPE:
        case FIELD_CHOICE:
          if (!g_strv_contains (spec->choices, value))
            ek_registry_add_text_error (req, errors, field, "choice", "Choose one of the offered values.", "请从给出的选项中选择。");
          break;
        case FIELD_TEXT:
        case FIELD_OBJECT:
        default:
          break;
        }
      if (check.validity == EK_VALIDITY_INVALID)
        ek_registry_add_problem_error (req, errors, field, check.problem);
    }

  if (enforce_required)
    for (const FieldSpec *spec = specs; spec->name != NULL; spec++)
      if (spec->required && !json_object_has_member (object, spec->name))
        {
          g_autofree char *field = g_strconcat (prefix, spec->name, NULL);
          ek_registry_add_problem_error (req, errors, field, EK_FIELD_PROBLEM_REQUIRED);
        }
}

const char *
ek_registry_get_string (JsonObject *object,
                        const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

/* application/json, or a type that says it is JSON (application/problem+json, …+json);
 * text/plain or no type at all is not read as JSON */
static gboolean
content_type_is_json (SoupServerMessage *msg)
{
  const char *type = soup_message_headers_get_content_type (soup_server_message_get_request_headers (msg), NULL);

  return type != NULL && (g_ascii_strcasecmp (type, "application/json") == 0 ||
                          (g_ascii_strncasecmp (type, "application/", 12) == 0 && g_str_has_suffix (type, "+json")));
}

/* Parses the JSON body into req->body through the request decoder; answers the problem itself
 * and returns FALSE */
gboolean
ek_registry_parse_body (Request *req)
{
  SoupMessageBody *body = soup_server_message_get_request_body (req->msg);
  g_autoptr(GBytes) bytes = NULL;
  gsize len = 0;
  const char *data;

  if (g_object_get_data (G_OBJECT (req->msg), "ek-body-too-large") != NULL)
    {
      ek_registry_respond_problem (req, PROBLEM_BODY_TOO_LARGE, NULL);
      return FALSE;
    }
  bytes = soup_message_body_flatten (body);
  data = g_bytes_get_data (bytes, &len);
  if (len > req->self->config.json_limit)
    {
      ek_registry_respond_problem (req, PROBLEM_BODY_TOO_LARGE, NULL);
      return FALSE;
    }
  if (!content_type_is_json (req->msg))
    {
      ek_registry_respond_problem (req, PROBLEM_UNSUPPORTED_MEDIA_TYPE, NULL);
      return FALSE;
    }
  switch (ek_registry_json_decode (data, len, &req->body_node))
    {
    case EK_REGISTRY_JSON_OK:
      req->body = json_node_get_object (req->body_node);
      return TRUE;
    case EK_REGISTRY_JSON_TOO_DEEP:
      ek_registry_respond_problem (req, PROBLEM_JSON_TOO_DEEP, NULL);
      return FALSE;
    case EK_REGISTRY_JSON_NUL:
      ek_registry_respond_problem (req, PROBLEM_JSON_NUL, NULL);
      return FALSE;
    case EK_REGISTRY_JSON_MALFORMED:
    default:
      ek_registry_respond_problem (req, PROBLEM_MALFORMED_JSON, NULL);
      return FALSE;
    }
}

gboolean
ek_registry_check_top_level (Request          *req,
                             const char * const *allowed,
                             JsonArray        *errors)
{
  g_autoptr(GList) members = json_object_get_members (req->body);

  for (GList *l = members; l != NULL; l = l->next)
    if (!g_strv_contains (allowed, l->data))
      ek_registry_add_text_error (req, errors, l->data, "unknown-field",
                                  "This field is not part of the request. Remove it.", "请求中没有此项，请删除。");
  return json_array_get_length (errors) == 0;
}

gboolean
ek_registry_finish_validation (Request   *req,
                               JsonArray *errors)
{
  if (json_array_get_length (errors) == 0)
    {
      json_array_unref (errors);
      return TRUE;
    }
  ek_registry_respond_problem (req, PROBLEM_VALIDATION, errors);
  return FALSE;
}

/* ---- Rate limits, sessions ---- */

gboolean
ek_registry_rate_allow (Request    *req,
                        const char *bucket)
{
  const char *address = soup_server_message_get_remote_host (req->msg);
  g_autofree char *key = g_strdup_printf ("%s %s", bucket, address != NULL ? address : "?");
  RateWindow *window = g_hash_table_lookup (req->self->rate, key);
  gint64 now = ek_registry_now ();

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
      ek_registry_respond_problem (req, PROBLEM_RATE_LIMITED, NULL);
      return FALSE;
    }
  return TRUE;
}

char *
ek_registry_sha256_hex (const void *data,
                        gsize       len)
{
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, data, len);
}

char *
ek_registry_random_hex (guint n_bytes)
{
  guint8 buf[64];

  g_assert (n_bytes <= sizeof buf);
  if (gnutls_rnd (GNUTLS_RND_KEY, buf, n_bytes) < 0)
    g_error ("No random numbers");
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, buf, n_bytes);
}

/* Looks up the bearer token; answers 401 itself and returns FALSE */
gboolean
ek_registry_require_session (Request *req)
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
      ek_registry_respond_problem (req, PROBLEM_UNAUTHORIZED, NULL);
      return FALSE;
    }
  hash = ek_registry_sha256_hex (auth + 7, strlen (auth + 7));
  stmt = ek_registry_db_query (req->self->db,
                               "SELECT s.enterprise_id, s.account_id, s.method, s.login_name, s.code13, s.expires_at, "
                               "COALESCE(a.vouched, 0) FROM sessions s LEFT JOIN accounts a ON a.id = s.account_id "
                               "WHERE s.token_hash = ?", "s", hash);
  if (stmt == NULL || sqlite3_step (stmt) != SQLITE_ROW)
    {
      if (stmt != NULL)
        sqlite3_reset (stmt);
      soup_message_headers_replace (soup_server_message_get_response_headers (req->msg),
                                    "WWW-Authenticate", "Bearer");
      ek_registry_respond_problem (req, PROBLEM_UNAUTHORIZED, NULL);
      return FALSE;
    }
  expires = sqlite3_column_int64 (stmt, 5);
  req->enterprise_id = sqlite3_column_int64 (stmt, 0);
  req->account_id = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
  req->auth_method = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
  req->login_name = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
  req->code13 = g_strdup ((const char *) sqlite3_column_text (stmt, 4));
  /* The access model: a key of the enterprise proves possession; a login made with the code
   * alone sees the enterprise only once the enterprise vouched for it */
  req->enterprise_wide = g_strcmp0 (req->auth_method, "key") == 0 || sqlite3_column_int (stmt, 6) != 0;
  sqlite3_reset (stmt);

  if (expires <= ek_registry_now ())
    {
      ek_registry_db_exec (req->self->db, NULL, "DELETE FROM sessions WHERE token_hash = ?", "s", hash);
      soup_message_headers_replace (soup_server_message_get_response_headers (req->msg),
                                    "WWW-Authenticate", "Bearer error=\"invalid_token\"");
      ek_registry_respond_problem (req, PROBLEM_SESSION_EXPIRED, NULL);
      return FALSE;
    }
  req->token_hash = g_steal_pointer (&hash);
  req->authed = TRUE;
  return TRUE;
}

gboolean
ek_registry_require_key_session (Request *req)
{
  if (!ek_registry_require_session (req))
    return FALSE;
  if (g_strcmp0 (req->auth_method, "key") != 0)
    {
      ek_registry_respond_problem (req, PROBLEM_KEY_LOGIN_REQUIRED, NULL);
      return FALSE;
    }
  return TRUE;
}

/* ---- Idempotency ---- */


void
ek_registry_idempotency_clear (Idempotency *idem)
{
  g_clear_pointer (&idem->key, g_free);
  g_clear_pointer (&idem->fingerprint, g_free);
}

/* Replays the stored answer for a repeated key, refuses a key reused for another request,
 * or returns with idem->done FALSE so the caller acts and calls ek_registry_idempotency_store(). */
void
ek_registry_idempotency_begin (Request     *req,
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
      ek_registry_respond_problem (req, PROBLEM_IDEMPOTENCY_KEY_MISSING, NULL);
      idem->done = TRUE;
      return;
    }
  g_checksum_update (checksum, (const guchar *) req->method, -1);
  g_checksum_update (checksum, (const guchar *) " ", 1);
  g_checksum_update (checksum, (const guchar *) g_uri_get_path (uri), -1);
  g_checksum_update (checksum, (const guchar *) "\n", 1);
  g_checksum_update (checksum, g_bytes_get_data (bytes, NULL), (gssize) g_bytes_get_size (bytes));
  /* Keys are the caller's own: one login never gets another's stored answer replayed (the
   * enterprise's key sessions share one scope) */
  idem->key = g_strdup_printf ("%s %s", req->account_id != NULL ? req->account_id : "key", key);
  idem->fingerprint = g_strdup (g_checksum_get_string (checksum));

  stmt = ek_registry_db_query (req->self->db,
                               "SELECT fingerprint, status, location, body FROM idempotency_keys "
                               "WHERE enterprise_id = ? AND key = ?", "is", req->enterprise_id, idem->key);
  if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *fingerprint = (const char *) sqlite3_column_text (stmt, 0);

      if (!g_str_equal (fingerprint, idem->fingerprint))
        ek_registry_respond_problem (req, PROBLEM_IDEMPOTENCY_KEY_REUSED, NULL);
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

gboolean
ek_registry_idempotency_store (Request     *req,
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
                              req->enterprise_id, idem->key, idem->fingerprint, (gint64) status, location, text, ek_registry_now ());
}

/* One row, or every row, of an enterprise's own records, as JSON */
JsonNode *
ek_registry_select_one (EkRegistryDb *db,
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

JsonNode *
ek_registry_select_all (EkRegistryDb *db,
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
