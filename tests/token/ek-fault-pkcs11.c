/* ek-fault-pkcs11.c: a PKCS#11 module that misbehaves on purpose
 *
 * SoftHSM never sets FINAL_TRY or LOCKED and cannot fail on demand, so the tests load this
 * small real module by path to see that every fault ends in a clear state. Faults are chosen
 * with $EK_FAULT_PKCS11, a comma-separated list read at C_Initialize:
 *
 *   init-fail           C_Initialize returns CKR_DEVICE_ERROR
 *   no-token            the driver works, but no key is inserted
 *   count-low           one wrong PIN was entered already (5 tries left)
 *   final-try           5 wrong PINs were entered already: the next wrong one locks
 *   locked              the PIN is locked
 *   removed-mid-enum    a second slot is listed, but its token is gone by C_GetTokenInfo
 *   garbage-der         a certificate object whose value is not DER
 *   oversized-attr      a certificate object whose value claims to be 1 GiB
 *   unterminated-label  label and manufacturer fill their fields with no padding, the label
 *                       ending in half a UTF-8 character
 *
 * $EK_FAULT_PKCS11_CERT names a DER certificate presented as a good object (id 01). The PIN
 * is 123456; six wrong PINs in a row lock the token, as on the real keys.
 */
#include <p11-kit/pkcs11.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FAULT_PIN "123456"
#define MAX_TRIES 6

static int initialized;
static int fault_init_fail, fault_no_token, fault_removed, fault_garbage, fault_oversized, fault_unterminated;
static int wrong_pins, locked;
static unsigned char *good_der;
static unsigned long good_der_len;
static int logged_in;
static int find_pos;
static CK_OBJECT_CLASS find_class = (CK_OBJECT_CLASS) -1;
static unsigned char find_id[64];
static CK_ULONG find_id_len;
static int find_by_id;

enum { OBJ_GOOD = 1, OBJ_GARBAGE, OBJ_HUGE, OBJ_KEY };

static int
has_fault (const char *list,
           const char *name)
{
  const char *p = list;
  size_t n = strlen (name);

  while (p != NULL && *p != '\0')
    {
      if (strncmp (p, name, n) == 0 && (p[n] == ',' || p[n] == '\0'))
        return 1;
      p = strchr (p, ',');
      if (p != NULL)
        p++;
    }
  return 0;
}

static void
pad (CK_UTF8CHAR *field,
     size_t       size,
     const char  *text)
{
  size_t n = strlen (text);

  memset (field, ' ', size);
  memcpy (field, text, n < size ? n : size);
}

static CK_RV
not_supported (void)
{
  return CKR_FUNCTION_NOT_SUPPORTED;
}

static CK_RV
fault_Initialize (CK_VOID_PTR args)
{
  const char *faults = getenv ("EK_FAULT_PKCS11");
  const char *cert = getenv ("EK_FAULT_PKCS11_CERT");

  if (initialized)
    return CKR_CRYPTOKI_ALREADY_INITIALIZED;
  fault_init_fail = has_fault (faults, "init-fail");
  if (fault_init_fail)
    return CKR_DEVICE_ERROR;
  fault_no_token = has_fault (faults, "no-token");
  fault_removed = has_fault (faults, "removed-mid-enum");
  fault_garbage = has_fault (faults, "garbage-der");
  fault_oversized = has_fault (faults, "oversized-attr");
  fault_unterminated = has_fault (faults, "unterminated-label");
  wrong_pins = has_fault (faults, "final-try") ? MAX_TRIES - 1 : has_fault (faults, "count-low") ? 1 : 0;
  locked = has_fault (faults, "locked");
  free (good_der);
  good_der = NULL;
  good_der_len = 0;
  if (cert != NULL)
    {
      FILE *f = fopen (cert, "rb");

      if (f != NULL)
        {
          good_der = malloc (65536);
          good_der_len = fread (good_der, 1, 65536, f);
          fclose (f);
        }
    }
  logged_in = 0;
  initialized = 1;
  return CKR_OK;
}

static CK_RV
fault_Finalize (CK_VOID_PTR reserved)
{
  if (!initialized)
    return CKR_CRYPTOKI_NOT_INITIALIZED;
  initialized = 0;
  free (good_der);
  good_der = NULL;
  return CKR_OK;
}

static CK_RV
fault_GetInfo (CK_INFO_PTR info)
{
  if (info == NULL)
    return CKR_ARGUMENTS_BAD;
  memset (info, 0, sizeof *info);
  info->cryptokiVersion.major = 2;
  info->cryptokiVersion.minor = 40;
  pad (info->manufacturerID, sizeof info->manufacturerID, "EKey Assistant tests");
  pad (info->libraryDescription, sizeof info->libraryDescription, "Fault injection");
  return CKR_OK;
}

static CK_RV
fault_GetSlotList (CK_BBOOL       present,
                   CK_SLOT_ID_PTR list,
                   CK_ULONG_PTR   count)
{
  CK_ULONG n = fault_no_token ? 0 : fault_removed ? 2 : 1;

  if (!initialized)
    return CKR_CRYPTOKI_NOT_INITIALIZED;
  if (list == NULL)
    {
      *count = n;
      return CKR_OK;
    }
  if (*count < n)
    {
      *count = n;
      return CKR_BUFFER_TOO_SMALL;
    }
  for (CK_ULONG i = 0; i < n; i++)
    list[i] = i + 1;
  *count = n;
  return CKR_OK;
}

static CK_RV
fault_GetSlotInfo (CK_SLOT_ID      slot,
                   CK_SLOT_INFO_PTR info)
{
  memset (info, 0, sizeof *info);
  pad (info->slotDescription, sizeof info->slotDescription, "Fault slot");
  pad (info->manufacturerID, sizeof info->manufacturerID, "EKey Assistant tests");
  info->flags = CKF_TOKEN_PRESENT | CKF_REMOVABLE_DEVICE;
  return CKR_OK;
}

static CK_FLAGS
pin_flags (void)
{
  if (locked)
    return CKF_USER_PIN_LOCKED;
  if (wrong_pins == MAX_TRIES - 1)
    return CKF_USER_PIN_FINAL_TRY | CKF_USER_PIN_COUNT_LOW;
  if (wrong_pins > 0)
    return CKF_USER_PIN_COUNT_LOW;
  return 0;
}

static CK_RV
fault_GetTokenInfo (CK_SLOT_ID        slot,
                    CK_TOKEN_INFO_PTR info)
{
  if (!initialized)
    return CKR_CRYPTOKI_NOT_INITIALIZED;
  if (slot == 2)
    return CKR_TOKEN_NOT_PRESENT;  /* pulled out between C_GetSlotList and now */
  if (slot != 1)
    return CKR_SLOT_ID_INVALID;
  memset (info, 0, sizeof *info);
  if (fault_unterminated)
    {
      /* 故障钥匙… three bytes a character: 32 bytes end in the middle of the 11th */
      const char *label = "故障钥匙故障钥匙故障钥匙";
      memcpy (info->label, label, sizeof info->label);
      memset (info->manufacturerID, 'M', sizeof info->manufacturerID);
    }
  else
    {
      pad (info->label, sizeof info->label, "FAULT-TOKEN");
      pad (info->manufacturerID, sizeof info->manufacturerID, "EKey Assistant tests");
    }
  pad (info->model, sizeof info->model, "fault");
  pad (info->serialNumber, sizeof info->serialNumber, "FAULT0001");
  info->flags = CKF_TOKEN_INITIALIZED | CKF_LOGIN_REQUIRED | CKF_USER_PIN_INITIALIZED | pin_flags ();
  info->ulMaxSessionCount = CK_EFFECTIVELY_INFINITE;
  info->ulMaxPinLen = 16;
  info->ulMinPinLen = 4;
  return CKR_OK;
}

static CK_RV
fault_OpenSession (CK_SLOT_ID            slot,
                   CK_FLAGS              flags,
                   CK_VOID_PTR           app,
                   CK_NOTIFY             notify,
                   CK_SESSION_HANDLE_PTR session)
{
  if (!initialized)
    return CKR_CRYPTOKI_NOT_INITIALIZED;
  if (slot != 1)
    return CKR_DEVICE_REMOVED;
  *session = 1;
  return CKR_OK;
}

static CK_RV
fault_CloseSession (CK_SESSION_HANDLE session)
{
  logged_in = 0;
  return CKR_OK;
}

static CK_RV
fault_CloseAllSessions (CK_SLOT_ID slot)
{
  logged_in = 0;
  return CKR_OK;
}

static CK_RV
fault_Login (CK_SESSION_HANDLE session,
             CK_USER_TYPE      user,
             CK_UTF8CHAR_PTR   pin,
             CK_ULONG          pin_len)
{
  if (locked)
    return CKR_PIN_LOCKED;
  if (pin_len == strlen (FAULT_PIN) && memcmp (pin, FAULT_PIN, pin_len) == 0)
    {
      wrong_pins = 0;
      logged_in = 1;
      return CKR_OK;
    }
  if (++wrong_pins >= MAX_TRIES)
    locked = 1;
  return locked ? CKR_PIN_LOCKED : CKR_PIN_INCORRECT;
}

static CK_RV
fault_Logout (CK_SESSION_HANDLE session)
{
  logged_in = 0;
  return CKR_OK;
}

static CK_RV
fault_FindObjectsInit (CK_SESSION_HANDLE session,
                       CK_ATTRIBUTE_PTR  templ,
                       CK_ULONG          count)
{
  find_pos = 0;
  find_class = (CK_OBJECT_CLASS) -1;
  find_by_id = 0;
  for (CK_ULONG i = 0; i < count; i++)
    {
      if (templ[i].type == CKA_CLASS && templ[i].ulValueLen == sizeof (CK_OBJECT_CLASS))
        memcpy (&find_class, templ[i].pValue, sizeof find_class);
      if (templ[i].type == CKA_ID && templ[i].ulValueLen <= sizeof find_id)
        {
          memcpy (find_id, templ[i].pValue, templ[i].ulValueLen);
          find_id_len = templ[i].ulValueLen;
          find_by_id = 1;
        }
    }
  return CKR_OK;
}

static CK_RV
fault_FindObjects (CK_SESSION_HANDLE    session,
                   CK_OBJECT_HANDLE_PTR objects,
                   CK_ULONG             max,
                   CK_ULONG_PTR         count)
{
  CK_OBJECT_HANDLE all[3];
  CK_ULONG n = 0;

  *count = 0;
  if (find_class == CKO_CERTIFICATE)
    {
      if (good_der != NULL)
        all[n++] = OBJ_GOOD;
      if (fault_garbage)
        all[n++] = OBJ_GARBAGE;
      if (fault_oversized)
        all[n++] = OBJ_HUGE;
    }
  else if (find_class == CKO_PRIVATE_KEY && logged_in && find_by_id && find_id_len == 1 && find_id[0] == 1)
    all[n++] = OBJ_KEY;
  while ((CK_ULONG) find_pos < n && *count < max)
    objects[(*count)++] = all[find_pos++];
  return CKR_OK;
}

static CK_RV
fault_FindObjectsFinal (CK_SESSION_HANDLE session)
{
  return CKR_OK;
}

static CK_RV
set_value (CK_ATTRIBUTE_PTR attr,
           const void      *value,
           CK_ULONG         len)
{
  if (attr->pValue == NULL)
    {
      attr->ulValueLen = len;
      return CKR_OK;
    }
  if (attr->ulValueLen < len)
    {
      attr->ulValueLen = CK_UNAVAILABLE_INFORMATION;
      return CKR_BUFFER_TOO_SMALL;
    }
  memcpy (attr->pValue, value, len);
  attr->ulValueLen = len;
  return CKR_OK;
}

static CK_RV
fault_GetAttributeValue (CK_SESSION_HANDLE session,
                         CK_OBJECT_HANDLE  object,
                         CK_ATTRIBUTE_PTR  templ,
                         CK_ULONG          count)
{
  static const unsigned char garbage[] = { 0x30, 0x82, 0x7f, 0xff, 0x02, 0x01, 0x00, 0xde, 0xad, 0xbe, 0xef };
  CK_RV rv = CKR_OK;

  for (CK_ULONG i = 0; i < count; i++)
    {
      CK_ATTRIBUTE_PTR a = &templ[i];
      unsigned char id = (unsigned char) (object == OBJ_KEY ? 1 : object);
      const char *label = object == OBJ_GOOD ? "GOOD" : object == OBJ_GARBAGE ? "GARBAGE" : "HUGE";

      switch (a->type)
        {
        case CKA_VALUE:
          if (object == OBJ_GOOD)
            rv = set_value (a, good_der, good_der_len);
          else if (object == OBJ_GARBAGE)
            rv = set_value (a, garbage, sizeof garbage);
          else if (object == OBJ_HUGE)
            {
              /* Claims 1 GiB; hands out nothing */
              if (a->pValue == NULL)
                a->ulValueLen = 1UL << 30;
              else
                {
                  a->ulValueLen = CK_UNAVAILABLE_INFORMATION;
                  rv = CKR_BUFFER_TOO_SMALL;
                }
            }
          else
            {
              a->ulValueLen = CK_UNAVAILABLE_INFORMATION;
              rv = CKR_ATTRIBUTE_SENSITIVE;
            }
          break;
        case CKA_LABEL:
          rv = set_value (a, label, strlen (label));
          break;
        case CKA_ID:
          rv = set_value (a, &id, 1);
          break;
        case CKA_KEY_TYPE:
          {
            CK_KEY_TYPE type = CKK_VENDOR_DEFINED + 0x501;  /* an SM2-like vendor key */
            rv = set_value (a, &type, sizeof type);
          }
          break;
        default:
          a->ulValueLen = CK_UNAVAILABLE_INFORMATION;
          rv = CKR_ATTRIBUTE_TYPE_INVALID;
          break;
        }
    }
  return rv;
}

static CK_FUNCTION_LIST function_list;


static CK_RV
fault_GetFunctionList (CK_FUNCTION_LIST_PTR_PTR list)
{
  return C_GetFunctionList (list);
}

CK_RV
C_GetFunctionList (CK_FUNCTION_LIST_PTR_PTR list)
{
  if (list == NULL)
    return CKR_ARGUMENTS_BAD;
  if (function_list.version.major == 0)
    {
      /* Everything not written below says "not supported" */
      void (**slot) (void) = (void (**) (void)) &function_list.C_Initialize;
      size_t n = (sizeof function_list - offsetof (CK_FUNCTION_LIST, C_Initialize)) / sizeof (void (*) (void));

      for (size_t i = 0; i < n; i++)
        slot[i] = (void (*) (void)) not_supported;
      function_list.version.major = 2;
      function_list.version.minor = 40;
      function_list.C_Initialize = fault_Initialize;
      function_list.C_Finalize = fault_Finalize;
      function_list.C_GetInfo = fault_GetInfo;
      function_list.C_GetFunctionList = fault_GetFunctionList;
      function_list.C_GetSlotList = fault_GetSlotList;
      function_list.C_GetSlotInfo = fault_GetSlotInfo;
      function_list.C_GetTokenInfo = fault_GetTokenInfo;
      function_list.C_OpenSession = fault_OpenSession;
      function_list.C_CloseSession = fault_CloseSession;
      function_list.C_CloseAllSessions = fault_CloseAllSessions;
      function_list.C_Login = fault_Login;
      function_list.C_Logout = fault_Logout;
      function_list.C_FindObjectsInit = fault_FindObjectsInit;
      function_list.C_FindObjects = fault_FindObjects;
      function_list.C_FindObjectsFinal = fault_FindObjectsFinal;
      function_list.C_GetAttributeValue = fault_GetAttributeValue;
    }
  *list = &function_list;
  return CKR_OK;
}
