/* ek-validators.c: field checks shared by the client and ekey-registry
 *
 * Algorithms and test vectors: DOMAIN-FACTS.md (GB 32100-2015, GB 11714-1997, GB 11643-1999).
 */
#include "config.h"

#include <string.h>

#include "ek-credit-code.h"
#include "ek-validators.h"

static const char uscc_charset[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/* Registration department (position 1) and institution category (position 2), per 国发〔2015〕33号.
 * Kept as data: a new department only adds a string here. */
static const char * const uscc_departments[] = {
  "11", "12", "13", "19", "21", "29", "31", "32", "33", "34", "35", "39", "41", "49", "51",
  "52", "53", "59", "61", "62", "69", "71", "72", "79", "81", "89", "91", "92", "93", "A1",
  "A9", "N1", "N2", "N3", "N9", "Y1",
};

static const guint id_weights[17] = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2 };
static const char id_check_chars[] = "10X98765432";

static const char * const licence_types[] = {
  "non-electromechanical", "electromechanical", "used-car-export",
};

static const struct
{
  const char *code;
  const char *en;
  const char *zh_CN;
} problems[] = {
  [EK_FIELD_PROBLEM_NONE] = { "ok", "Passed the check.", "通过信息验证。" },
  [EK_FIELD_PROBLEM_REQUIRED] = { "required", "This field is required. Please fill it in.", "此项为必填项，请填写。" },
  [EK_FIELD_PROBLEM_LENGTH] = {
    "length",
    "The number has the wrong length. Copy it again from the document, character by character.",
    "号码位数不对，请对照证件或执照逐位重新填写。" },
  [EK_FIELD_PROBLEM_CHARSET] = {
    "charset",
    "The code contains a character that cannot appear in it (the letters I, O, Z, S and V are never used). Check it against the business licence.",
    "代码中含有不允许的字符（不使用字母 I、O、Z、S、V），请对照营业执照核对。" },
  [EK_FIELD_PROBLEM_REGION] = {
    "region",
    "Characters 3 to 8 must be the six digits of the registering authority's region. Check the code against the business licence.",
    "第3至8位应为登记管理机关的6位行政区划数字，请对照营业执照核对。" },
  [EK_FIELD_PROBLEM_DEPARTMENT] = {
    "department",
    "The first two characters are not a known registration department and category. Check the code against the business licence.",
    "前两位不是有效的登记管理部门和机构类别代码，请对照营业执照核对。" },
  [EK_FIELD_PROBLEM_CHECK_CHARACTER] = {
    "check-character",
    "The last character does not match the check character computed from the others. Check for a typing mistake; if the licence really shows it this way, you may go on.",
    "最后一位校验码与计算结果不符。请检查是否输入有误；如执照上确实如此，可以继续办理。" },
  [EK_FIELD_PROBLEM_ORG_CODE_CHECK] = {
    "org-code-check",
    "The organisation code inside the credit code (characters 9 to 17) fails its own check. Check for a typing mistake; if the licence really shows it this way, you may go on.",
    "统一社会信用代码中的组织机构代码（第9至17位）校验不符。请检查是否输入有误；如执照上确实如此，可以继续办理。" },
  [EK_FIELD_PROBLEM_BIRTH_DATE] = {
    "birth-date",
    "Characters 7 to 14 must be a real date of birth (YYYYMMDD). Check the number against the ID card.",
    "第7至14位应为真实的出生日期（年月日），请对照身份证核对。" },
  [EK_FIELD_PROBLEM_MOBILE] = {
    "mobile",
    "Enter an 11-digit mobile number starting with 1, for example 13800138000.",
    "请输入以1开头的11位手机号码，例如 13800138000。" },
  [EK_FIELD_PROBLEM_LANDLINE] = {
    "landline",
    "Enter a landline number of 7 or 8 digits, optionally with the area code and an extension, for example 010-67811021.",
    "请输入7至8位固定电话号码，可加区号和分机号，例如 010-67811021。" },
  [EK_FIELD_PROBLEM_POSTCODE] = {
    "postcode",
    "A postcode is exactly six digits, for example 100176.",
    "邮政编码为6位数字，例如 100176。" },
  [EK_FIELD_PROBLEM_EMAIL] = {
    "email",
    "Enter a complete email address that can receive mail from the internet, for example name@example.com.",
    "请输入能接收外网邮件的完整邮箱地址，例如 name@example.com。" },
  [EK_FIELD_PROBLEM_LOGIN_NAME_EMAIL] = {
    "login-name-email",
    "For this licence type the login name is the registration email address.",
    "此许可证类型的登录名为注册时使用的电子邮箱。" },
  [EK_FIELD_PROBLEM_LOGIN_NAME] = {
    "login-name",
    "Use 3 to 64 letters, digits, or the characters . _ - @ for the login name.",
    "登录名请使用3至64位字母、数字或 . _ - @ 字符。" },
  [EK_FIELD_PROBLEM_LICENCE_TYPE] = {
    "licence-type",
    "Choose the licence type: non-electromechanical, electromechanical or used-car export.",
    "请选择许可证类型：非机电、机电或二手车出口。" },
  [EK_FIELD_PROBLEM_PLATFORM_LOGIN_NAME] = {
    "platform-login-name",
    "Type the user name you already have on the unified platform, or the one you registered: 2 to 64 letters (Chinese too), digits, or the characters . _ - @.",
    "请按统一平台已有用户或已注册用户名填写：2至64位汉字、字母、数字或 . _ - @ 字符。" },
};

static EkCheck
check_result (EkValidity     validity,
              EkFieldProblem problem)
{
  EkCheck check = { validity, problem };
  return check;
}

#define VALID() check_result (EK_VALIDITY_VALID, EK_FIELD_PROBLEM_NONE)
#define INVALID(p) check_result (EK_VALIDITY_INVALID, (p))

static gboolean
is_blank (const char *text)
{
  if (text == NULL)
    return TRUE;
  for (; *text != '\0'; text++)
    if (!g_ascii_isspace (*text))
      return FALSE;
  return TRUE;
}

/**
 * ek_normalize_code:
 * @text: what the user typed
 *
 * Removes spaces and hyphens and upper-cases ASCII letters, the way a code is compared.
 *
 * Returns: (transfer full): the normalized code
 */
char *
ek_normalize_code (const char *text)
{
  GString *out;

  g_return_val_if_fail (text != NULL, NULL);

  out = g_string_new (NULL);
  for (const char *p = text; *p != '\0'; p++)
    {
      if (g_ascii_isspace (*p) || *p == '-')
        continue;
      g_string_append_c (out, g_ascii_toupper (*p));
    }
  return g_string_free (out, FALSE);
}

static int
uscc_value (char c)
{
  const char *found;

  if (c == '\0')
    return -1;
  found = strchr (uscc_charset, c);
  return found != NULL ? (int) (found - uscc_charset) : -1;
}

/**
 * ek_uscc_compute_check_char:
 * @code17: at least the first 17 characters of a credit code, upper case
 *
 * Returns: the GB 32100 check character, or 0 if a character is outside the charset
 */
char
ek_uscc_compute_check_char (const char *code17)
{
  g_return_val_if_fail (code17 != NULL, 0);
  return ek_credit_code_expected_check (code17);
}

/**
 * ek_uscc_check:
 * @code: an 18-character unified social credit code (spaces and lower case allowed)
 *
 * A wrong check character is a WARNING, not an error: early codes from some pilots were legally
 * issued with one (DOMAIN-FACTS §1), so a hard block would reject real enterprises.
 */
EkCheck
ek_uscc_check (const char *code)
{
  g_autofree char *norm = NULL;
  gboolean known_department = FALSE;

  if (is_blank (code))
    return INVALID (EK_FIELD_PROBLEM_REQUIRED);

  norm = ek_normalize_code (code);
  if (strlen (norm) != 18)
    return INVALID (EK_FIELD_PROBLEM_LENGTH);
  for (guint i = 0; i < 18; i++)
    if (uscc_value (norm[i]) < 0)
      return INVALID (EK_FIELD_PROBLEM_CHARSET);
  for (guint i = 2; i < 8; i++)
    if (!g_ascii_isdigit (norm[i]))
      return INVALID (EK_FIELD_PROBLEM_REGION);
  for (guint i = 0; i < G_N_ELEMENTS (uscc_departments); i++)
    if (strncmp (norm, uscc_departments[i], 2) == 0)
      known_department = TRUE;
  if (!known_department)
    return INVALID (EK_FIELD_PROBLEM_DEPARTMENT);
  if (!g_ascii_isdigit (norm[16]) && norm[16] != 'X')
    return INVALID (EK_FIELD_PROBLEM_CHARSET);

  if (ek_uscc_compute_check_char (norm) != norm[17])
    return check_result (EK_VALIDITY_WARNING, EK_FIELD_PROBLEM_CHECK_CHARACTER);
  if (ek_organization_code_expected_check (norm + 8) != norm[16])
    return check_result (EK_VALIDITY_WARNING, EK_FIELD_PROBLEM_ORG_CODE_CHECK);

  return VALID ();
}

/**
 * ek_resident_id_check:
 * @number: an 18-character resident ID number (a final lower-case x is accepted)
 *
 * GB 11643: 17 digits, a real birth date between 1900 and today, ISO 7064 MOD 11-2 check.
 */
EkCheck
ek_resident_id_check (const char *number)
{
  g_autofree char *norm = NULL;
  g_autoptr(GDateTime) now = NULL;
  guint sum = 0;
  int year, month, day;

  if (is_blank (number))
    return INVALID (EK_FIELD_PROBLEM_REQUIRED);

  norm = ek_normalize_code (number);
  if (strlen (norm) != 18)
    return INVALID (EK_FIELD_PROBLEM_LENGTH);
  for (guint i = 0; i < 17; i++)
    if (!g_ascii_isdigit (norm[i]))
      return INVALID (EK_FIELD_PROBLEM_CHARSET);
  if (!g_ascii_isdigit (norm[17]) && norm[17] != 'X')
    return INVALID (EK_FIELD_PROBLEM_CHARSET);

  year = (norm[6] - '0') * 1000 + (norm[7] - '0') * 100 + (norm[8] - '0') * 10 + (norm[9] - '0');
  month = (norm[10] - '0') * 10 + (norm[11] - '0');
  day = (norm[12] - '0') * 10 + (norm[13] - '0');
  now = g_date_time_new_now_local ();
  if (year < 1900 || !g_date_valid_dmy ((GDateDay) day, (GDateMonth) month, (GDateYear) year))
    return INVALID (EK_FIELD_PROBLEM_BIRTH_DATE);
  if (year * 10000 + month * 100 + day >
      g_date_time_get_year (now) * 10000 + g_date_time_get_month (now) * 100 + g_date_time_get_day_of_month (now))
    return INVALID (EK_FIELD_PROBLEM_BIRTH_DATE);

  for (guint i = 0; i < 17; i++)
    sum += (guint) (norm[i] - '0') * id_weights[i];
  if (id_check_chars[sum % 11] != norm[17])
    return INVALID (EK_FIELD_PROBLEM_CHECK_CHARACTER);

  return VALID ();
}

static gboolean
matches (const char *pattern,
         const char *text)
{
  return g_regex_match_simple (pattern, text, G_REGEX_OPTIMIZE, 0);
}

/* Form rule of DOMAIN-FACTS §4: 11 digits starting 13–19, optionally +86 / 0086 */
EkCheck
ek_mobile_check (const char *number)
{
  if (is_blank (number))
    return INVALID (EK_FIELD_PROBLEM_REQUIRED);
  if (!matches ("^(?:\\+86|0086)?1[3-9][0-9]{9}$", number))
    return INVALID (EK_FIELD_PROBLEM_MOBILE);
  return VALID ();
}

/* The area code is optional: the GFA forms accept a bare local number (seed 003) */
EkCheck
ek_landline_check (const char *number)
{
  if (is_blank (number))
    return INVALID (EK_FIELD_PROBLEM_REQUIRED);
  if (!matches ("^(?:(?:0(?:10|2[0-57-9]|[3-9][0-9]{2}))-?)?[2-9][0-9]{6,7}(?:-[0-9]{1,6})?$", number))
    return INVALID (EK_FIELD_PROBLEM_LANDLINE);
  return VALID ();
}

/* Six digits; codes starting with 0 exist (Inner Mongolia, Shanxi, Hebei) */
EkCheck
ek_postcode_check (const char *postcode)
{
  if (is_blank (postcode))
    return INVALID (EK_FIELD_PROBLEM_REQUIRED);
  if (!matches ("^[0-9]{6}$", postcode))
    return INVALID (EK_FIELD_PROBLEM_POSTCODE);
  return VALID ();
}

/* Syntax only: whether the mailbox receives internet mail is the server's to say */
EkCheck
ek_email_check (const char *address)
{
  if (is_blank (address))
    return INVALID (EK_FIELD_PROBLEM_REQUIRED);
  if (strlen (address) > 254 ||
      !matches ("^[A-Za-z0-9._%+-]{1,64}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)+[A-Za-z]{2,63}$",
                address) ||
      strstr (address, "..") != NULL || address[0] == '.')
    return INVALID (EK_FIELD_PROBLEM_EMAIL);
  return VALID ();
}

gboolean
ek_licence_type_is_known (const char *licence_type)
{
  if (licence_type == NULL)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (licence_types); i++)
    if (g_str_equal (licence_type, licence_types[i]))
      return TRUE;
  return FALSE;
}

/**
 * ek_platform_login_name_check:
 * @login_name: the form's 登录系统用户名
 *
 * The form asks for the user name the enterprise's user already has on MOFCOM's unified
 * platform, or the one registered (seed 001: "请按统一平台已有用户或已注册用户名"): an email
 * address, or a name that may be Chinese (seed 003's certificate shows 许可证测试用户).
 */
EkCheck
ek_platform_login_name_check (const char *login_name)
{
  if (is_blank (login_name))
    return INVALID (EK_FIELD_PROBLEM_REQUIRED);
  if (!g_utf8_validate (login_name, -1, NULL) ||
      !matches ("^[\\p{L}\\p{N}][\\p{L}\\p{N}._@-]{1,63}$", login_name))
    return INVALID (EK_FIELD_PROBLEM_PLATFORM_LOGIN_NAME);
  if (strchr (login_name, '@') != NULL && ek_email_check (login_name).validity != EK_VALIDITY_VALID)
    return INVALID (EK_FIELD_PROBLEM_EMAIL);
  return VALID ();
}

/**
 * ek_login_name_check:
 * @login_name: the login name
 * @licence_type: "non-electromechanical", "electromechanical" or "used-car-export"
 *
 * Non-electromechanical licences log in with the registration email; electromechanical ones
 * with their existing electromechanical account; used-car export with the unified-platform
 * account or the registration email (DOMAIN.md, seeds 000 and 002).
 */
EkCheck
ek_login_name_check (const char *login_name,
                     const char *licence_type)
{
  if (!ek_licence_type_is_known (licence_type))
    return INVALID (EK_FIELD_PROBLEM_LICENCE_TYPE);
  if (is_blank (login_name))
    return INVALID (EK_FIELD_PROBLEM_REQUIRED);

  if (g_str_equal (licence_type, "non-electromechanical"))
    {
      if (ek_email_check (login_name).validity != EK_VALIDITY_VALID)
        return INVALID (EK_FIELD_PROBLEM_LOGIN_NAME_EMAIL);
      return VALID ();
    }

  if (strchr (login_name, '@') != NULL)
    {
      if (g_str_equal (licence_type, "used-car-export") &&
          ek_email_check (login_name).validity == EK_VALIDITY_VALID)
        return VALID ();
      return INVALID (EK_FIELD_PROBLEM_LOGIN_NAME);
    }
  if (!matches ("^[A-Za-z0-9][A-Za-z0-9._-]{2,63}$", login_name))
    return INVALID (EK_FIELD_PROBLEM_LOGIN_NAME);
  return VALID ();
}

const char *
ek_field_problem_code (EkFieldProblem problem)
{
  g_return_val_if_fail ((guint) problem < G_N_ELEMENTS (problems), NULL);
  return problems[problem].code;
}

/**
 * ek_field_problem_message:
 * @problem: the problem
 * @language: a language tag ("zh_CN", "zh-CN", "en", …); NULL for the user's languages
 *
 * Returns: what is wrong and what to do, in Chinese for any "zh" tag, otherwise English
 */
const char *
ek_field_problem_message (EkFieldProblem  problem,
                          const char     *language)
{
  g_return_val_if_fail ((guint) problem < G_N_ELEMENTS (problems), NULL);

  if (language == NULL)
    {
      const char * const *names = g_get_language_names ();

      for (guint i = 0; names[i] != NULL; i++)
        {
          if (g_str_has_prefix (names[i], "zh"))
            return problems[problem].zh_CN;
          if (g_str_has_prefix (names[i], "en"))
            return problems[problem].en;
        }
      return problems[problem].en;
    }
  if (g_ascii_strncasecmp (language, "zh", 2) == 0)
    return problems[problem].zh_CN;
  return problems[problem].en;
}
